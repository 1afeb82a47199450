# aioremap fio plot; redraw: cd this folder && gnuplot fio-nullb-randread-qd32-shim-cdf.gp
set terminal svg size 900,560 noenhanced dynamic
set output 'fio-nullb-randread-qd32-shim-cdf.svg'
set datafile separator ','
set grid
set key bottom right
set terminal svg size 900,900 noenhanced dynamic
set output 'fio-nullb-randread-qd32-shim-cdf.svg'
set multiplot layout 2,1
set logscale x
set ylabel 'fraction of calls <= x'
set yrange [0:1]
set title 'fio nullb-randread-qd32: io_submit syscall time, TSC cycles (shim rdtsc), remap off/on'
set xlabel 'io_submit cycles (TSC, log scale)'
plot 'fio-nullb-randread-qd32-shim-io_submit-without-off.csv' every ::1 using 1:4 with steps lw 2 title 'without remap off',\
     'fio-nullb-randread-qd32-shim-io_submit-without-on.csv' every ::1 using 1:4 with steps lw 2 title 'without remap migrate',\
     'fio-nullb-randread-qd32-shim-io_submit-slow-lookup-off.csv' every ::1 using 1:4 with steps lw 2 title 'slow-lookup remap off',\
     'fio-nullb-randread-qd32-shim-io_submit-slow-lookup-on.csv' every ::1 using 1:4 with steps lw 2 title 'slow-lookup remap migrate',\
     'fio-nullb-randread-qd32-shim-io_submit-with-off.csv' every ::1 using 1:4 with steps lw 2 title 'with remap off',\
     'fio-nullb-randread-qd32-shim-io_submit-with-on.csv' every ::1 using 1:4 with steps lw 2 title 'with remap migrate'
set title 'fio nullb-randread-qd32: io_getevents syscall time, TSC cycles (shim rdtsc), remap off/on'
set xlabel 'io_getevents cycles (TSC, log scale)'
plot 'fio-nullb-randread-qd32-shim-io_getevents-without-off.csv' every ::1 using 1:4 with steps lw 2 title 'without remap off',\
     'fio-nullb-randread-qd32-shim-io_getevents-without-on.csv' every ::1 using 1:4 with steps lw 2 title 'without remap migrate',\
     'fio-nullb-randread-qd32-shim-io_getevents-slow-lookup-off.csv' every ::1 using 1:4 with steps lw 2 title 'slow-lookup remap off',\
     'fio-nullb-randread-qd32-shim-io_getevents-slow-lookup-on.csv' every ::1 using 1:4 with steps lw 2 title 'slow-lookup remap migrate',\
     'fio-nullb-randread-qd32-shim-io_getevents-with-off.csv' every ::1 using 1:4 with steps lw 2 title 'with remap off',\
     'fio-nullb-randread-qd32-shim-io_getevents-with-on.csv' every ::1 using 1:4 with steps lw 2 title 'with remap migrate'
unset multiplot
