# aioremap fio plot; redraw: cd this folder && gnuplot fio-tmpfs-randwrite-qd32-verify-pct.gp
set terminal svg size 900,560 noenhanced dynamic
set output 'fio-tmpfs-randwrite-qd32-verify-pct.svg'
set datafile separator ','
set grid
set key bottom right
set title 'fio tmpfs-randwrite-qd32-verify: completion latency (clat) percentiles per kernel/remap mode'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel 'clat (microseconds, log scale)'
set key top left
set xtics rotate by -20
plot 'fio-tmpfs-randwrite-qd32-verify-pct.csv' every ::1 using 2:xtic(1) title 'p50', '' every ::1 using 3 title 'p90', '' every ::1 using 4 title 'p99', '' every ::1 using 5 title 'p99.9'
