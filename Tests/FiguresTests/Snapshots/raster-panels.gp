# raster-panels.gp: written by the Figures module of LowLatencySNN.
# Render: cd into this directory and run `gnuplot raster-panels.gp` (or `swift run render-figures` from the package root).
# Data: raster-panels.dat
set terminal pngcairo size 600,450 enhanced font 'DejaVu Sans,11'
# render-figures sets pngfile to a temporary name, then renames it on success
if (!exists('pngfile')) pngfile = 'raster-panels.png'
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
set title 'Input codes'
set xlabel 'time step t'
set ylabel 'pixel (intensity)'
unset grid
set border 0
set xrange [0.5:7.5]
# reversed y range: row 0 at the top
set yrange [2.5:-0.5]
set tics scale 0
set xtics ('1' 1, '2' 2, '3' 3, '1' 5, '2' 6, '3' 7)
set x2tics ('direct' 2, 'hybrid (signed)' 6)
set x2range [0.5:7.5]
set x2tics font ',12'
set ytics ('0.90' 0, '0.50' 1, '0.00' 2)
set object rectangle from first 0.5, first -0.5 to first 3.5, first 2.5 fs empty border lc rgb '#808080' lw 1 front
set object rectangle from first 4.5, first -0.5 to first 7.5, first 2.5 fs empty border lc rgb '#808080' lw 1 front
set palette defined (0 '#ffffff', 1 '#000000')
set cbrange [0:1]
set cblabel 'pixel intensity'
set colorbox border
# key under the x axis label (1 row(s)), with the margin it needs
set bmargin 6
set key at screen 0.5, character 0.6 center bottom vertical maxrows 1
datafile = 'raster-panels.dat'
plot datafile index 0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1 noborder lc palette title 'analog input', \
     datafile index 1 using 1:2:(0.42):(0.42) with boxxyerror fs solid 1 noborder lc rgb '#0072b2' title '+1 spike', \
     datafile index 2 using 1:2:(0.42):(0.42) with boxxyerror fs solid 1 noborder lc rgb '#d55e00' title '−1 spike'
