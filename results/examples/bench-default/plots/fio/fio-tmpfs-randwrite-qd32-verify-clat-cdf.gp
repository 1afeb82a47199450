# aioremap fio plot; redraw: cd this folder && gnuplot fio-tmpfs-randwrite-qd32-verify-clat-cdf.gp
set terminal svg size 900,560 noenhanced dynamic
set output 'fio-tmpfs-randwrite-qd32-verify-clat-cdf.svg'
set datafile separator ','
set grid
set key bottom right
set title 'fio tmpfs-randwrite-qd32-verify: completion latency (clat, submit to completion as fio sees it) CDF per kernel, remap off/on'
set logscale x
set xlabel 'clat (microseconds, log scale)'
set ylabel 'fraction of I/Os <= x'
set yrange [0:1]
plot 'fio-tmpfs-randwrite-qd32-verify-clat-without-off.csv' every ::1 using ($1/1000):4 with lines lw 2 title 'without remap off',\
     'fio-tmpfs-randwrite-qd32-verify-clat-without-on.csv' every ::1 using ($1/1000):4 with lines lw 2 title 'without remap migrate',\
     'fio-tmpfs-randwrite-qd32-verify-clat-slow-lookup-off.csv' every ::1 using ($1/1000):4 with lines lw 2 title 'slow-lookup remap off',\
     'fio-tmpfs-randwrite-qd32-verify-clat-slow-lookup-on.csv' every ::1 using ($1/1000):4 with lines lw 2 title 'slow-lookup remap migrate',\
     'fio-tmpfs-randwrite-qd32-verify-clat-with-off.csv' every ::1 using ($1/1000):4 with lines lw 2 title 'with remap off',\
     'fio-tmpfs-randwrite-qd32-verify-clat-with-on.csv' every ::1 using ($1/1000):4 with lines lw 2 title 'with remap migrate'
