# Where proving time goes: per-phase totals over a run's proven blocks.
# Variables: file (rows: phase ms), out, fmt.
if (fmt eq "svg") { set terminal svg size 800,480 dynamic font "sans,11" } else { set terminal pngcairo size 800,480 font "sans,10" }
set output out
set termoption noenhanced
set title "Time by phase, all proven blocks of the run"
set ylabel "seconds"
set style fill solid 0.7
set boxwidth 0.7
set grid ytics
set yrange [0:*]
plot file using 0:($2/1000):xticlabels(1) with boxes lc rgb "#e7298a" notitle
