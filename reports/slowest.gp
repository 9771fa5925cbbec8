# The slowest blocks of a run, with the table that dominates each.
# Variables: file (rows: index name latency_s dominant), out, fmt.
if (fmt eq "svg") { set terminal svg size 900,600 dynamic font "sans,11" } else { set terminal pngcairo size 900,600 font "sans,10" }
set output out
set termoption noenhanced
set title "Slowest blocks (label: dominant table)"
set ylabel "latency (s)"
set style fill solid 0.7
set boxwidth 0.7
set xtics rotate by -45 left
set grid ytics
set yrange [0:*]
set bmargin 10
plot file using 1:3:xticlabels(2) with boxes lc rgb "#1b9e77" notitle, \
     file using 1:3:4 with labels offset 0,0.7 font ",8" notitle
