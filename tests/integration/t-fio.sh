# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# fio under the ring-remap shim (quick tier, sourced by run.sh: uses $A,
# expect_rc, expect_grep, ok/not_ok, $AIOREMAP_RESULTS; kernels built).
#
# One short size-bounded write+verify fio job per kernel, remaps off and
# on (migrate, every 16 calls), one boot, one pair:
#   with:    passes, every byte verified, ring moved, 0 shim errors
#   without: the remapped run fails with EINVAL (exit 1), reported as the
#            expected evidence; the run without remaps passes
# plus the shim alone on the host kernel (tests/integration/shim-host.sh).

fio_job=tmpfs-randwrite-qd32-verify
fio_args=(--no-build --boots 1 --reps 1 --runtime 1 --jobs "$fio_job" --quiet)

fio_out=$AIOREMAP_RESULTS/t-fio-with
expect_rc "fio: with, remapped write+verify job passes" 0 \
	"$A" fio --kernels with "${fio_args[@]}" --out "$fio_out"
fio_sum=$fio_out/fio-summary.json
expect_grep "fio: with verdict ok" '"verdict": "ok"' "$fio_sum"
expect_grep "fio: with verify clean" '"verify": "clean"' "$fio_sum"
expect_grep "fio: with ring moved (remaps > 0)" '"remaps": [1-9]' "$fio_sum"
expect_grep "fio: with 0 shim errors" '"errors": 0' "$fio_sum"
if grep -q '"failed_checks"' "$fio_sum"; then
	not_ok "fio: with no failed guest check" "$(grep '"failed_checks"' "$fio_sum")"
else
	ok "fio: with no failed guest check"
fi
fio_con=$(find "$fio_out/fio/with" -name console.log | head -n 1)
if [ -n "$fio_con" ] && grep -qE 'verify: wrote ([1-9][0-9]*) bytes, read back \1 bytes' "$fio_con"; then
	ok "fio: with read back every byte it wrote"
else
	not_ok "fio: with read back every byte it wrote" "no matching 'verify:' line in ${fio_con:-console.log}"
fi

fio_out=$AIOREMAP_RESULTS/t-fio-without
expect_rc "fio: without, remapped job fails (exit 1, expected)" 1 \
	"$A" fio --kernels without "${fio_args[@]}" --out "$fio_out"
fio_sum=$fio_out/fio-summary.json
expect_grep "fio: without verdict names the remapped runs" \
	'"verdict": "failed with remaps"' "$fio_sum"
expect_grep "fio: without evidence is EINVAL after a move" \
	'"first_error_with_remaps": "io_[a-z]+ EINVAL after remap [0-9]+"' "$fio_sum"
expect_grep "fio: without, run without remaps still ok" '"status": "ok"' "$fio_sum"

expect_rc "fio: shim alone on the host kernel (shim-host.sh)" 0 \
	bash tests/integration/shim-host.sh
expect_grep "fio: shim-host reports the forced EINVAL" '^ok [0-9]+ forced-error-reported' "$LAST_LOG"
expect_grep "fio: shim-host fio migrate verified" '^ok [0-9]+ fio-migrate' "$LAST_LOG"
unset fio_job fio_args fio_out fio_sum fio_con
