set terminal pngcairo size 900,560 noenhanced font ',10'
set output 'boots-lookup_ring.png'
ns_per_cycle = 0.434773  # TSC 2.3001 GHz; .dat is in cycles
set title 'Per-boot io_getevents(ctx,0,1,{0,0}) - getppid() (dots: fast20 estimate; bars: median with 95% CI)'
set xlabel 'boots, grouped by kernel'
set ylabel 'io_getevents(ctx,0,1,{0,0}) - getppid() per boot (ns)'
set xtics ('with' 5.5, 'without' 17.5, 'slow-lookup' 29.5)
set grid ytics
set key top left
set offsets 0.5,0.5,0,0
plot 'boots-lookup_ring.dat' index 0 using 1:($3*ns_per_cycle):($4*ns_per_cycle):($5*ns_per_cycle) with errorbars lc 1 notitle, '' index 0 using 1:($2*ns_per_cycle) with points pt 7 lc 1 title 'with', 'boots-lookup_ring.dat' index 1 using 1:($3*ns_per_cycle):($4*ns_per_cycle):($5*ns_per_cycle) with errorbars lc 2 notitle, '' index 1 using 1:($2*ns_per_cycle) with points pt 7 lc 2 title 'without', 'boots-lookup_ring.dat' index 2 using 1:($3*ns_per_cycle):($4*ns_per_cycle):($5*ns_per_cycle) with errorbars lc 3 notitle, '' index 2 using 1:($2*ns_per_cycle) with points pt 7 lc 3 title 'slow-lookup'
set terminal svg size 900,560 noenhanced dynamic
set output 'boots-lookup_ring.svg'
replot
unset output
