#!/usr/bin/env bash
# shellcheck disable=SC2034  # LAST_LOG is read by the tests that source this
# Tiny test helpers for the integration tests: every test asserts, and
# the run ends with "N passed, N failed".
passed=0
failed=0
failures=()

ok() {
	passed=$((passed + 1))
	printf 'ok - %s\n' "$1"
}

not_ok() {
	failed=$((failed + 1))
	failures+=("$1")
	printf 'not ok - %s\n' "$1"
	shift
	[ $# -gt 0 ] && printf '    %s\n' "$@"
	return 0
}

# expect_rc NAME WANT CMD...: run CMD, log its output, compare exit status.
expect_rc() {
	local name=$1 want=$2 log rc
	shift 2
	log="$LOGDIR/$(echo "$name" | tr -c 'a-zA-Z0-9\n-' '_').log"
	"$@" >"$log" 2>&1
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$name"
	else
		not_ok "$name" "exit $rc, want $want: $*" "log: $log" \
			"$(tail -n 15 "$log" | sed 's/^/    | /')"
	fi
	LAST_LOG=$log
	return 0
}

# expect_grep NAME PATTERN FILE
expect_grep() {
	if grep -qE -- "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1" "no line matching '$2' in $3"
	fi
}

summary() {
	echo
	for f in "${failures[@]}"; do echo "FAILED: $f"; done
	echo "integration: $passed passed, $failed failed"
	[ "$failed" = 0 ]
}
