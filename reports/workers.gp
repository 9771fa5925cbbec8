# Success rate against the number of workers of the cluster model.
# Variables: file (rows: workers rate6 rate12), out, fmt, label (how projected).
if (fmt eq "svg") { set terminal svg size 900,520 dynamic font "sans,12" } else { set terminal pngcairo size 900,520 font "sans,11" }
set output out
set termoption noenhanced
set title "Blocks within the slot against workers (".label.")"
set xlabel "workers"
set ylabel "fraction of blocks within the slot"
set logscale x 2
set yrange [0:1.05]
set grid
set key bottom right
set arrow 1 from graph 0, first 0.93 to graph 1, first 0.93 nohead dt 3 lc rgb "#999999"
set arrow 2 from graph 0, first 0.99 to graph 1, first 0.99 nohead dt 3 lc rgb "#999999"
plot file using 1:2 with linespoints lw 2 title "within 6 s", \
     file using 1:3 with linespoints lw 2 title "within 12 s"
