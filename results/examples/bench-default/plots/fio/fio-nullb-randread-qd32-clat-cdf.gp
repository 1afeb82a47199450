# aioremap fio plot; redraw: cd this folder && gnuplot fio-nullb-randread-qd32-clat-cdf.gp
set terminal svg size 900,560 noenhanced dynamic
set output 'fio-nullb-randread-qd32-clat-cdf.svg'
set datafile separator ','
set grid
set key bottom right
set title 'fio nullb-randread-qd32: completion latency (clat, submit to completion as fio sees it) CDF per kernel, remap off/on'
set logscale x
set xlabel 'clat (microseconds, log scale)'
set ylabel 'fraction of I/Os <= x'
set yrange [0:1]
plot 'fio-nullb-randread-qd32-clat-without-off.csv' every ::1 using ($1/1000):4 with lines lw 2 title 'without remap off',\
     'fio-nullb-randread-qd32-clat-without-on.csv' every ::1 using ($1/1000):4 with lines lw 2 title 'without remap migrate',\
     'fio-nullb-randread-qd32-clat-slow-lookup-off.csv' every ::1 using ($1/1000):4 with lines lw 2 title 'slow-lookup remap off',\
     'fio-nullb-randread-qd32-clat-slow-lookup-on.csv' every ::1 using ($1/1000):4 with lines lw 2 title 'slow-lookup remap migrate',\
     'fio-nullb-randread-qd32-clat-with-off.csv' every ::1 using ($1/1000):4 with lines lw 2 title 'with remap off',\
     'fio-nullb-randread-qd32-clat-with-on.csv' every ::1 using ($1/1000):4 with lines lw 2 title 'with remap migrate'
