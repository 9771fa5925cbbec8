# CDF of block latency with the 6 s and 12 s slot lines.
# Variables (gnuplot -e): files (space-separated data files: latency_s fraction),
# titles (space-separated, same order), out (output file), fmt ("png" or "svg"),
# label6, label12 (text placed by the lines), xmax (seconds).
if (fmt eq "svg") { set terminal svg size 900,560 dynamic font "sans,12" } else { set terminal pngcairo size 900,560 font "sans,11" }
set output out
set termoption noenhanced
set title "Block latency: fraction of blocks proven within x seconds"
set xlabel "latency (s)"
set ylabel "fraction of blocks"
set yrange [0:1.05]
set xrange [0:xmax]
set grid
set key bottom right
set arrow 1 from 6,0 to 6,1.05 nohead dt 2 lc rgb "#d95f02" lw 2
set arrow 2 from 12,0 to 12,1.05 nohead dt 2 lc rgb "#7570b3" lw 2
set label 1 label6 at 6,0.08 right offset -0.5,0 tc rgb "#d95f02"
set label 2 label12 at 12,0.16 right offset -0.5,0 tc rgb "#7570b3"
plot for [i=1:words(files)] word(files,i) using 1:2 with steps lw 2 title word(titles,i)
