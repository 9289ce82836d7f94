# fig4-accuracy-vs-compression.gp: written by the Figures module of LowLatencySNN.
# Render: cd into this directory and run `gnuplot fig4-accuracy-vs-compression.gp` (or `swift run render-figures` from the package root).
# Data: fig4-accuracy-vs-compression.dat
set terminal pngcairo size 900,620 enhanced font 'DejaVu Sans,11'
# render-figures sets pngfile to a temporary name, then renames it on success
if (!exists('pngfile')) pngfile = 'fig4-accuracy-vs-compression.png'
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
set title 'Accuracy vs compression ratio'
set xlabel 'compression ratio (×)'
set logscale x 10
set ylabel 'test accuracy (%)'
# key under the x axis label (4 row(s)), with the margin it needs
set bmargin 9
set key at screen 0.5, character 0.6 center bottom vertical maxrows 4
datafile = 'fig4-accuracy-vs-compression.dat'
plot datafile index 0 using 1:2 with linespoints ls 1 title 'ANN sparse momentum + AT', \
     datafile index 1 using 1:2 with linespoints ls 2 title 'ANN sparse momentum', \
     datafile index 2 using 1:2 with linespoints ls 3 title 'ANN one-shot magnitude + FT', \
     datafile index 3 using 1:2 with linespoints ls 4 title 'SNN (T = 5)', \
     datafile index 4 using 1:2 with linespoints ls 5 title 'ANN channel', \
     84.39 with lines ls 11 title 'dense ANN', \
     79.6 with lines ls 12 title 'dense SNN'
