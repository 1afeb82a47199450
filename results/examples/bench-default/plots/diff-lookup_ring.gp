set terminal pngcairo size 900,560 noenhanced font ',10'
set output 'diff-lookup_ring.png'
ns_per_cycle = 0.434773  # TSC 2.3001 GHz; .dat files are in cycles
set title 'Paired difference io_getevents(ctx,0,1,{0,0}) - getppid() in the same loop iteration: CDF, central 90%, ~120000 calls per kernel pooled over boots'
set xlabel 'io_getevents(ctx,0,1,{0,0}) - getppid(), same iteration (ns)'
set xrange [*:*]
set arrow from 0, graph 0 to 0, graph 1 nohead dt 2
set ylabel 'fraction of calls (CDF)'
set key bottom right
set grid
set yrange [0:1]
set yrange [0.05:0.95]
plot 'diff-lookup_ring-with.dat' using ($1*ns_per_cycle):2 with lines lw 2 title 'with', 'diff-lookup_ring-without.dat' using ($1*ns_per_cycle):2 with lines lw 2 title 'without', 'diff-lookup_ring-slow-lookup.dat' using ($1*ns_per_cycle):2 with lines lw 2 title 'slow-lookup'
set terminal svg size 900,560 noenhanced dynamic
set output 'diff-lookup_ring.svg'
replot
unset output
