#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The remap shim in isolation on the host kernel (no UML): a small libaio
# program (tests/shim/aio-verify.c) and real fio run through the shim in
# every mode with data verification; a forced error (the ring moved but
# the old address still used, as on a kernel without the patch) must be
# reported, not swallowed.
#
#   tests/integration/shim-host.sh [--help]
#
# Exit: 0 all passed, 1 a check failed, 2 setup error (missing tools).
set -u
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
	sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
SHIM=$ROOT/build/guest/libaioremap-shim.so
PROG=$ROOT/build/tests/aio-verify
make -s "$SHIM" >/dev/null || { echo "shim-host: make $SHIM failed" >&2; exit 2; }
mkdir -p "$ROOT/build/tests"
gcc -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$PROG" tests/shim/aio-verify.c -laio ||
	{ echo "shim-host: cannot build aio-verify (apt-get install libaio-dev)" >&2; exit 2; }
command -v fio >/dev/null || { echo "shim-host: fio missing (make deps)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/aioremap-shim-host.XXXXXX) || exit 2
trap 'rm -rf "$WORK"' EXIT
fails=0
n=0
check() { # name, then the command; prints TAP
	local name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		fails=$((fails + 1))
	fi
}
field() { # file key -> value (first match)
	awk -F'\t' -v k="$2" '$1 == k { print $2; exit }' "$1"
}
shim_ok() { # dir mode: every shim file complete, 0 errors, remaps > 0 unless none
	local dir=$1 mode=$2 f any=0
	for f in "$dir"/shim-*.tsv; do
		[ -e "$f" ] || break
		any=1
		grep -qx end "$f" || { echo "# $f: truncated"; return 1; }
		[ "$(field "$f" errors)" = 0 ] ||
			{ echo "# $f: errors $(field "$f" errors), first: $(field "$f" first_error)"; return 1; }
		if [ "$mode" != none ] && [ "$(field "$f" remaps)" -lt 1 ]; then
			echo "# $f: no remaps in mode $mode"
			return 1
		fi
		echo "# $f: mode $mode remaps $(field "$f" remaps) ios $(field "$f" submit_ios)"
	done
	[ $any = 1 ] || { echo "# no shim file in $dir"; return 1; }
}
run_prog() { # mode every
	local d=$WORK/prog-$1-$2
	mkdir -p "$d"
	AIOREMAP_OUT=$d AIOREMAP_MODE=$1 AIOREMAP_EVERY=$2 LD_PRELOAD=$SHIM \
		"$PROG" --file "$WORK/prog-$1-$2.dat" --qd 16 --rounds 300 | sed 's/^/# /'
	[ "${PIPESTATUS[0]}" = 0 ] && shim_ok "$d" "$1"
}
forced_error() {
	local d=$WORK/forced rc
	mkdir -p "$d"
	AIOREMAP_OUT=$d AIOREMAP_MODE=migrate AIOREMAP_EVERY=5 AIOREMAP_FORCE_ERROR=stale \
		LD_PRELOAD=$SHIM "$PROG" --file "$WORK/forced.dat" --qd 4 --rounds 50 >/dev/null 2>&1
	rc=$?
	local f
	for f in "$d"/shim-*.tsv; do break; done
	[ -e "$f" ] || { echo "# forced error: no shim file"; return 1; }
	echo "# forced error: program exit $rc, first error: $(field "$f" first_error)"
	[ $rc = 1 ] && [ "$(field "$f" errors)" -ge 1 ] &&
		field "$f" first_error | grep -q '^io_[a-z]* EINVAL after remap 1$'
}
run_fio() { # mode
	local d=$WORK/fio-$1
	mkdir -p "$d"
	cat >"$d/job.fio" <<JOB
[global]
ioengine=libaio
filename=$WORK/fio-$1.dat
size=8M
bs=4k
iodepth=32
direct=1
[write-verify]
rw=randwrite
verify=crc32c
do_verify=1
verify_fatal=1
verify_state_save=0
JOB
	# in $d: fio drops any state file into its cwd, never the project
	(cd "$d" && AIOREMAP_OUT=$d AIOREMAP_MODE=$1 AIOREMAP_EVERY=8 LD_PRELOAD=$SHIM \
		fio --output-format=json+ --output="$d/fio.json" "$d/job.fio") ||
		{ echo "# fio exit $?"; return 1; }
	grep -q '"error" : 0' "$d/fio.json" || { echo "# fio reported an error"; return 1; }
	shim_ok "$d" "$1"
}
echo "TAP version 13"
echo "1..8"
check prog-none run_prog none 4
check prog-roundtrip run_prog roundtrip 4
check prog-migrate run_prog migrate 4
check prog-roundtrip-every-call run_prog roundtrip 1
check forced-error-reported forced_error
check fio-none run_fio none
check fio-roundtrip run_fio roundtrip
check fio-migrate run_fio migrate
[ $fails = 0 ] && exit 0 || exit 1
