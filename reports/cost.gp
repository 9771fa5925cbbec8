# Proving cost per gas by operation (from `pkbench cost --db`).
# Variables: file (rows: index name prove_ms_per_mgas), out, fmt.
if (fmt eq "svg") { set terminal svg size 1000,520 dynamic font "sans,11" } else { set terminal pngcairo size 1000,520 font "sans,10" }
set output out
set termoption noenhanced
set title "Measured proving time per million gas, by operation (proven tables)"
set ylabel "ms per Mgas"
set style fill solid 0.7
set boxwidth 0.7
set xtics rotate by -45 left
set grid ytics
set yrange [0:*]
set bmargin 8
plot file using 1:3:xticlabels(2) with boxes lc rgb "#d95f02" notitle
