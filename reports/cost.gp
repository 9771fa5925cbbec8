# Proving cost per gas by operation (from `pkbench cost --db`): measured for
# the proven tables (bars) and the cost model's projection for every table
# (points); a log axis, as the costliest precompiles are 1000x the cheapest.
# Variables: file (rows: index name measured_ms_per_mgas projected_ms_per_mgas), out, fmt.
if (fmt eq "svg") { set terminal svg size 1000,520 dynamic font "sans,11" } else { set terminal pngcairo size 1000,520 font "sans,10" }
set output out
set termoption noenhanced
set title "Proving time per million gas, by operation: measured (proven tables) and projected (all tables)"
set ylabel "ms per Mgas"
set style fill solid 0.7
set boxwidth 0.7
set xtics rotate by -45 left
set grid ytics
set logscale y
set yrange [1:*]
set key top left
set bmargin 8
set rmargin 8
plot file using 1:3:xticlabels(2) with boxes lc rgb "#d95f02" title "measured, proven tables", \
     file using 1:4 with points pt 7 ps 0.8 lc rgb "#1b9e77" title "projected, all tables"
