# Latency by corpus class (the folder a block came from): median with the
# fastest and slowest block of the class.
# Variables: file (rows: index class median_s min_s max_s n), out, fmt.
if (fmt eq "svg") { set terminal svg size 800,480 dynamic font "sans,11" } else { set terminal pngcairo size 800,480 font "sans,10" }
set output out
set termoption noenhanced
set title "Latency by corpus class (median, fastest to slowest)"
set ylabel "latency (s)"
set style fill solid 0.6
set boxwidth 0.6
set grid ytics
set yrange [0:*]
set xrange [-0.7:*]
plot file using 1:3:xticlabels(2) with boxes lc rgb "#66a61e" notitle, \
     file using 1:3:4:5 with yerrorbars lc rgb "#333333" pt 0 notitle
