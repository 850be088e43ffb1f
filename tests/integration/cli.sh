#!/usr/bin/env bash
# cli.sh - the command-line contract: help, version, exit codes, JSON errors,
# and doctor's findings cross-checked against independent sources.
set -u
build=${1:-build}
bin="$build/smi-witness"
fails=0
check() { # description, then a command that must succeed
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}
rc_of() { "$@" >/dev/null 2>&1; echo $?; }

check "help lists doctor" sh -c "'$bin' help | grep -q '^  doctor '"
check "doctor --help has an EXAMPLES block" sh -c "'$bin' doctor --help | grep -q '^EXAMPLES'"
check "help doctor equals doctor --help" sh -c "[ \"\$('$bin' help doctor)\" = \"\$('$bin' doctor --help)\" ]"
check "--version names the version file" sh -c "'$bin' --version | grep -qF \"smi-witness \$(cat VERSION)\""
check "unknown command exits 2" test "$(rc_of "$bin" no-such-command)" = 2
check "unknown option exits 2" test "$(rc_of "$bin" doctor --no-such-option)" = 2
check "no command exits 2" test "$(rc_of "$bin")" = 2
check "JSON mode error is an object on stdout" \
	sh -c "'$bin' -j no-such-command | jq -e '.error | test(\"unknown command\")'"
check "text mode error starts with 'error: '" \
	sh -c "'$bin' no-such-command 2>&1 >/dev/null | grep -q '^error: unknown command'"

if [ "$(id -u)" != 0 ]; then
	echo "skip: doctor probes need root"; exit 77
fi
out=$("$bin" doctor -j); rc=$?
status() { jq -r --arg n "$1" '.features[] | select(.name == $n) | .status' <<<"$out"; }
value() { jq -r --arg n "$1" '.features[] | select(.name == $n) | .value' <<<"$out"; }
check "doctor -j is valid JSON with 21 features" test "$(jq '.features | length' <<<"$out")" = 21
check "exit status matches the 'ok' field" test "$rc" = "$(jq -r 'if .ok then 0 else 1 end' <<<"$out")"
cg2=$(awk '$0 ~ / - cgroup2 / {print $5; exit}' /proc/self/mountinfo)
check "cgroup v2 mount point matches mountinfo ($cg2)" test "$(value cgroup_v2)" = "$cg2"
if [ -r /sys/kernel/security/lockdown ]; then
	mode=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/security/lockdown)
	check "lockdown mode matches securityfs ($mode)" test "$(value lockdown)" = "$mode"
fi
check "tracefs is mounted after doctor" sh -c "awk '\$9 == \"tracefs\"' /proc/self/mountinfo | grep -q ."
if [ ! -e /sys/kernel/tracing/kprobe_events ] && [ ! -d /sys/bus/event_source/devices/kprobe ]; then
	check "kprobes reported unavailable (kernel has no kprobe interface)" test "$(status kprobes)" = unavailable
fi
for f in syscall_tracepoints ringbuf sock_tracepoint btf cgroup_capture capture_backend; do
	check "$f ok" test "$(status $f)" = ok
done
check "auto takes the cgroup backend here (it captured in doctor's own cgroup)" test "$(value capture_backend)" = cgroup
[ $fails -eq 0 ] && echo PASS || echo "FAIL: $fails check(s)"
[ $fails -eq 0 ]
