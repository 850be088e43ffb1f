# itest.sh - checks for the shell integration tests (source it; `fails` counts failures).
# Each check prints "ok - WHAT" or "not ok - WHAT"; itest_done prints the verdict and exits.
fails=0
# The capture backend a test asks for (tests/run sets it for scripts that run on each backend).
capture=${SMIW_TEST_CAPTURE:-auto}

# check WHAT COMMAND...: COMMAND must succeed.
check() {
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}

# is WHAT GOT WANT: exact equality.
is() {
	if [ "$2" = "$3" ]; then echo "ok - $1 ($2)"; else echo "not ok - $1: got '$2', want '$3'"; fails=$((fails + 1)); fi
}

# between WHAT VALUE LOW HIGH: an integer within [LOW, HIGH].
between() {
	if [ "$2" -ge "$3" ] 2>/dev/null && [ "$2" -le "$4" ]; then echo "ok - $1 ($2 in [$3, $4])"
	else echo "not ok - $1: '$2' not in [$3, $4]"; fails=$((fails + 1)); fi
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds; fails after
# SECONDS. Tests wait for the event they need, never a fixed time: a busy or slow
# machine only makes them take longer. The bound only keeps a broken run from hanging.
wait_for() {
	local limit=$(( $1 * 10 )); shift
	for _ in $(seq "$limit"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

# random_hex BYTES: that many random bytes as lowercase hex.
random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# agent_token FILE: a fresh agent API token, in $token and written to FILE.
agent_token() {
	token=tok-$(random_hex 12)
	echo "$token" >"$1"
}

# itest_done: PASS or FAIL, and the exit status to match.
itest_done() {
	[ $fails -eq 0 ] && echo PASS || echo "FAIL: $fails check(s)"
	[ $fails -eq 0 ]
	exit
}

# backend_is FILE: the meta record (first line) of observation FILE names the backend asked for.
backend_is() {
	local got
	got=$(zcat -f "$1" | head -n 1 | jq -r '.capture_backend // "none"')
	if [ "$capture" = auto ]; then
		is "meta: a capture backend is named" "$([ "$got" != none ] && echo named)" named
	else
		is "meta: the $capture backend captured" "$got" "$capture"
	fi
}
