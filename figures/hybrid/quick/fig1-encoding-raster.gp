# fig1-encoding-raster.gp: written by the Figures module of LowLatencySNN.
# Render: cd into this directory and run `gnuplot fig1-encoding-raster.gp` (or `swift run render-figures` from the package root).
# Data: fig1-encoding-raster.dat
set terminal pngcairo size 900,620 enhanced font 'DejaVu Sans,11'
# render-figures sets pngfile to a temporary name, then renames it on success
if (!exists('pngfile')) pngfile = 'fig1-encoding-raster.png'
set output pngfile
# ---- shared theme (Sources/Figures/Theme.swift) ----
set encoding utf8
set border 3 lw 1.2 lc rgb '#404040'
set tics nomirror out scale 0.75
# grid: a line style, since `set grid ... dt solid` stays dotted (linetype 0)
set style line 100 lc rgb '#e3e3e3' lw 1 dt solid
set grid xtics ytics back ls 100
set title font ',13'
# key: line sample first, then left-aligned text
set key opaque box lc rgb '#d0d0d0' Left reverse samplen 2.5 spacing 1.15 width 1
set style fill solid 0.85 border lc rgb '#404040'
set style line 1 lc rgb '#0072b2' lw 2 pt 7 ps 1.1
set style line 2 lc rgb '#d55e00' lw 2 pt 5 ps 1.1
set style line 3 lc rgb '#009e73' lw 2 pt 9 ps 1.1
set style line 4 lc rgb '#cc79a7' lw 2 pt 13 ps 1.1
set style line 5 lc rgb '#e69f00' lw 2 pt 11 ps 1.1
set style line 6 lc rgb '#56b4e9' lw 2 pt 6 ps 1.1
set style line 7 lc rgb '#000000' lw 2 pt 4 ps 1.1
set style line 8 lc rgb '#7f7f7f' lw 2 pt 8 ps 1.1
set style line 11 lc rgb '#262626' lw 1.5 dt 2
set style line 12 lc rgb '#7f7f7f' lw 1.5 dt 4
set style line 13 lc rgb '#8c2d04' lw 1.5 dt 3
set style line 14 lc rgb '#08519c' lw 1.5 dt 5
set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')
# ---- end of theme ----
set title 'One test image''s pixels as SNN input, T = 5'
set xlabel 'time step t'
set ylabel 'pixel, by intensity (brightest at the top)'
unset grid
set border 0
set xrange [0.5:23.5]
# reversed y range: row 0 at the top
set yrange [19.5:-0.5]
set tics scale 0
set xtics ('1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '1' 7, '2' 8, '3' 9, '4' 10, '5' 11, '1' 13, '2' 14, '3' 15, '4' 16, '5' 17, '1' 19, '2' 20, '3' 21, '4' 22, '5' 23)
set x2tics ('direct' 3, 'Poisson' 9, 'hybrid, map A' 15, 'hybrid, map C' 21)
set x2range [0.5:23.5]
set x2tics font ',12'
set ytics ('1.00' 0, '0.81' 1, '0.73' 2, '0.67' 3, '0.64' 4, '0.62' 5, '0.60' 6, '0.58' 7, '0.56' 8, '0.53' 9, '0.50' 10, '0.46' 11, '0.43' 12, '0.38' 13, '0.27' 14, '0.10' 15, '0.01' 16, '0.00' 17, '0.00' 18, '0.00' 19)
set object rectangle from first 0.5, first -0.5 to first 5.5, first 19.5 fs empty border lc rgb '#808080' lw 1 front
set object rectangle from first 6.5, first -0.5 to first 11.5, first 19.5 fs empty border lc rgb '#808080' lw 1 front
set object rectangle from first 12.5, first -0.5 to first 17.5, first 19.5 fs empty border lc rgb '#808080' lw 1 front
set object rectangle from first 18.5, first -0.5 to first 23.5, first 19.5 fs empty border lc rgb '#808080' lw 1 front
set palette defined (0 '#ffffff', 1 '#000000')
set cbrange [0:1]
set cblabel 'analog input: pixel intensity'
set colorbox border
# key under the x axis label (3 row(s)), with the margin it needs
set bmargin 8
set key at screen 0.5, character 0.6 center bottom vertical maxrows 3
datafile = 'fig1-encoding-raster.dat'
plot datafile index 0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1 noborder lc palette title 'analog input (shade = intensity, scale at right)', \
     datafile index 1 using 1:2:(0.42):(0.42) with boxxyerror fs solid 1 noborder lc rgb '#0072b2' title '+1 spike', \
     datafile index 2 using 1:2:(0.42):(0.42) with boxxyerror fs solid 1 noborder lc rgb '#d55e00' title '−1 spike'
