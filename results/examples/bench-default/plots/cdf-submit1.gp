set terminal pngcairo size 900,560 noenhanced font ',10'
set output 'cdf-submit1.png'
ns_per_cycle = 0.434773  # TSC 2.3001 GHz; .dat files are in cycles
set title 'Latency CDF of io_submit(ctx, 1, {pread 512}) per call (UML guest), ~120000 calls per kernel pooled over boots, up to p99.9'
set logscale x
set xlabel 'io_submit(ctx, 1, {pread 512}) latency per call (ns, log scale)'
set ylabel 'fraction of calls (CDF)'
set key bottom right
set grid
set yrange [0:1]
plot 'cdf-submit1-with.dat' using ($1*ns_per_cycle):2 with lines lw 2 title 'with', 'cdf-submit1-without.dat' using ($1*ns_per_cycle):2 with lines lw 2 title 'without', 'cdf-submit1-slow-lookup.dat' using ($1*ns_per_cycle):2 with lines lw 2 title 'slow-lookup'
set terminal svg size 900,560 noenhanced dynamic
set output 'cdf-submit1.svg'
replot
unset output
