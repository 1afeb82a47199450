#!/usr/bin/env bash
# Quick-tier integration tests: build every kernel variant, boot real UML
# kernels, and check that the harness sees what it must see. Run by
# `make integration` (part of `make test`).
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/integration/lib.sh
. tests/integration/lib.sh

A=./build/bin/aioremap
LOGDIR=${LOGDIR:-build/test-logs}
export AIOREMAP_RESULTS=${AIOREMAP_RESULTS:-$PWD/build/test-results}
rm -rf "$LOGDIR" "$AIOREMAP_RESULTS"
mkdir -p "$LOGDIR" "$AIOREMAP_RESULTS"
VARIANTS="without with fixed slow-lookup mutant-user-id-only mutant-mmap-base-only"
step() { printf '\n== %s (%ds)\n' "$*" "$SECONDS"; }

step "kernels"
expect_rc "build every variant" 0 $A build --all
expect_rc "warm build rebuilds nothing" 0 $A build --all
expect_grep "warm build has every kernel ready" "6 of 6 kernel\(s\) ready" "$LAST_LOG"
if grep -q "building " "$LAST_LOG"; then
	not_ok "warm build rebuilt something" "$(grep "building " "$LAST_LOG")"
else
	ok "warm build started no build"
fi

step "bad input"
expect_rc "unknown variant is a usage error" 2 $A boot --kernel no-such-variant
expect_grep "unknown variant names the known ones" "with" "$LAST_LOG"
expect_rc "missing patch file is a usage error" 2 $A build --patch /nonexistent.patch
expect_rc "non-UML KERNEL= is a usage error" 2 $A boot --kernel kernel:/bin/true
expect_rc "unknown workload is a usage error" 2 $A boot --kernel with --run no-such-workload
expect_rc "unknown command" 2 $A frobnicate
expect_rc "unwritable results folder" 2 env AIOREMAP_RESULTS=/proc/aioremap $A boot --kernel with

step "boot each variant, check uname"
for v in $VARIANTS; do
	expect_rc "boot $v" 0 $A boot --kernel "$v" --no-build --run "selftest --mode uname" --verbose
	expect_grep "$v runs uname *-aioremap-$v" "release: .*-aioremap-$v\$" "$LAST_LOG"
done
expect_rc "prebuilt KERNEL= boots" 0 $A boot --kernel kernel:/usr/bin/linux.uml --run "selftest --mode uname"

step "without and with differ on the minimal check"
expect_rc "with: io_getevents(moved ring) = 0" 0 $A boot --kernel with --no-build --run "selftest --mode remap" --verbose
expect_grep "with: evidence shows 0" "= 0 \(ok\)" "$LAST_LOG"
expect_rc "without: io_getevents(moved ring) fails" 1 $A boot --kernel without --no-build --run "selftest --mode remap"
expect_grep "without: evidence shows EINVAL" "Invalid argument" "$LAST_LOG"

step "runner: failures, crashes, hangs"
expect_rc "a failing check fails the boot" 1 $A boot --kernel with --no-build --run "selftest --mode fail"
expect_grep "failure evidence is shown" "got: -22" "$LAST_LOG"
expect_rc "a segfaulting workload fails the boot" 1 $A boot --kernel with --no-build --run "selftest --mode segv"
expect_grep "the signal is reported" "signal 11" "$LAST_LOG"
expect_rc "a kernel panic fails the boot" 1 $A boot --kernel with --no-build --run "selftest --mode panic"
expect_grep "the panic is shown" "Kernel panic" "$LAST_LOG"
start=$SECONDS
expect_rc "a hung guest is killed at its deadline" 1 $A boot --kernel with --no-build --timeout 8 --run "selftest --mode hang"
expect_grep "the hang is reported as a timeout" "timeout in" "$LAST_LOG"
if [ $((SECONDS - start)) -le 20 ]; then ok "deadline honoured ($((SECONDS - start)) s for 8 s)"; else not_ok "deadline honoured" "took $((SECONDS - start)) s"; fi
con=$(sed -n 's/^console: //p' "$LAST_LOG")
pgid=$(sed -n 's/.*killed UML process group \([0-9]*\).*/\1/p' "$con" | tail -n 1)
if [ -n "$pgid" ] && [ -z "$(ps -o pid= -g "$pgid")" ]; then
	ok "no UML process of the killed run is alive (group $pgid)"
else
	not_ok "no UML process of the killed run is alive" "group '${pgid}': $(ps -o pid=,comm= -g "${pgid:-0}" | tr '\n' ' ')"
fi

step "user patches (PATCH=) are judged against with"
patches=$LOGDIR/patches
mkdir -p "$patches"
# A harmless change: a comment in fs/aio.c.
cat >"$patches/comment-only.patch" <<'PATCH'
--- a/fs/aio.c
+++ b/fs/aio.c
@@ -1,3 +1,4 @@
+/* aioremap integration test: a change that changes nothing */
PATCH
sed -n 1,3p build/src/linux-6.1/fs/aio.c | sed 's/^/ /' >>"$patches/comment-only.patch"
# A harmful one: the hook forgets user_id (as the mmap-base-only mutant).
cp uml-config/variants/mutant-mmap-base-only/patch "$patches/forgets-user-id.patch"
printf 'not a patch\n' >"$patches/garbage.patch"
expect_rc "an unappliable patch is a usage error" 2 $A build --patch "$patches/garbage.patch"
expect_rc "PATCH= builds" 0 $A build --patch "$patches/comment-only.patch"
expect_rc "PATCH= boots with its own release" 0 $A boot --no-build --kernel "patch:$patches/comment-only.patch" --run "selftest --mode uname" --verbose
expect_grep "PATCH= kernel is named after the file" "release: .*-aioremap-comment-only\$" "$LAST_LOG"
expect_rc "harmless patch: no regression against with" 0 $A stress --quick --no-debug \
	--kernels with --patch "$patches/comment-only.patch" --name itest-patch-ok
expect_rc "harmful patch: regression against with (exit 1)" 1 $A stress --quick --no-debug \
	--kernels with --patch "$patches/forgets-user-id.patch" --name itest-patch-bad
expect_grep "the regression is named" 'claim-a-new-address-works.*forgets-user-id.*REGRESSION' "$AIOREMAP_RESULTS/latest/verdicts.md"
expect_grep "failures shared with with are pre-existing" 'edge-04-partial-move-first.*fail \(pre-existing\)' "$AIOREMAP_RESULTS/latest/verdicts.md"

step "correctness matrix (quick tier)"
expect_rc "stress matrix matches expectations" 0 $A stress --quick \
	--kernels without,with,fixed,mutant-user-id-only,mutant-mmap-base-only --name itest
expect_grep "without fails claim (a) as expected" 'claim-a.*fail \(expected\)' "$AIOREMAP_RESULTS/latest/verdicts.md"
for extra in tests/integration/t-*.sh; do
	[ -e "$extra" ] || continue
	step "$extra"
	# shellcheck source=/dev/null
	. "$extra"
done

summary
