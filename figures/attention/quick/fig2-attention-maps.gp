# fig2-attention-maps.gp: written by the Figures module of LowLatencySNN.
# Render: cd into this directory and run `gnuplot fig2-attention-maps.gp` (or `swift run render-figures` from the package root).
# Data: fig2-attention-maps.dat
set terminal pngcairo size 900,600 enhanced font 'DejaVu Sans,11'
# render-figures sets pngfile to a temporary name, then renames it on success
if (!exists('pngfile')) pngfile = 'fig2-attention-maps.png'
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
set title 'Attention maps q = F/‖F‖ at the first attention point (density 0.03)'
set cblabel 'attention q (unitless, shared scale)'
unset grid
unset border
set size ratio -1
set xrange [-0.5:120.5]
# reversed y range: row 0 of every tile at its top, grid row 0 at the top
set yrange [89.5:-0.5]
set cbrange [0:0.119417]
set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')
set tics scale 0
set xtics ('test image 1' 13.5, 'test image 2' 44.5, 'test image 3' 75.5, 'test image 4' 106.5)
set ytics ('meta-model' 13.5, 'student, AT' 44.5, 'student, no AT' 75.5)
unset key
datafile = 'fig2-attention-maps.dat'
plot datafile index 0 matrix using ($1+0):($2+0):3 with image notitle, \
     datafile index 1 matrix using ($1+31):($2+0):3 with image notitle, \
     datafile index 2 matrix using ($1+62):($2+0):3 with image notitle, \
     datafile index 3 matrix using ($1+93):($2+0):3 with image notitle, \
     datafile index 4 matrix using ($1+0):($2+31):3 with image notitle, \
     datafile index 5 matrix using ($1+31):($2+31):3 with image notitle, \
     datafile index 6 matrix using ($1+62):($2+31):3 with image notitle, \
     datafile index 7 matrix using ($1+93):($2+31):3 with image notitle, \
     datafile index 8 matrix using ($1+0):($2+62):3 with image notitle, \
     datafile index 9 matrix using ($1+31):($2+62):3 with image notitle, \
     datafile index 10 matrix using ($1+62):($2+62):3 with image notitle, \
     datafile index 11 matrix using ($1+93):($2+62):3 with image notitle
