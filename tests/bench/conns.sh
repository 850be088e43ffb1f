#!/usr/bin/env bash
# conns.sh - agent memory with many connections open: the sample app and a
# client (tests/bench/hold_conns) in one watched cgroup; the client opens
# 10,000 keep-alive connections, one exchange on each, and holds them idle.
# The agent then follows 20,000 open connections (both ends). Its RSS and
# peak RSS (VmHWM) are read while they are open, once per capture backend.
set -u
build=$(realpath "${1:-build}")
here=$(dirname "$(realpath "$0")")
. "$here/lib.sh"
[ "$(id -u)" = 0 ] || { echo "skip: needs root (BPF, a private network namespace, cgroups)"; exit 77; }
bench_netns "$build"
bench_tmp conns
bench_cgroup conns
n=${SMIW_BENCH_CONNS:-10000}
app_prefix=("${incg[@]}")
# Open-file limits: the app raises its own (2 x 10,000 + 64) at start-up,
# hold_conns its own (N + 64).

start_app app 9091
for b in cgroup syscalls; do
	start_observe "$tmp/conns.jsonl" --capture "$b" --cgroup "$cg" --stats-interval 1s || exit 1
	base=$(rss_kib "$obs")
	: >"$tmp/hold.out"
	"${incg[@]}" "$build/tests/bench/hold_conns" 127.0.0.1 9091 "$n" >"$tmp/hold.out" 2>&1 &
	hold=$!
	pids+=("$hold")
	for _ in $(seq 600); do grep -q '^ready' "$tmp/hold.out" && break; sleep 0.1; done
	grep -q '^ready' "$tmp/hold.out" || { cat "$tmp/hold.out"; exit 1; }
	sleep 2.5	# two drain periods and a stats record
	rss=$(rss_kib "$obs")
	hwm=$(hwm_kib "$obs")
	open=$(grep '"t":"stats"' "$tmp/conns.jsonl" | tail -n 1 | jq .conns_open)
	ex=$(grep -c '"t":"exchange"' "$tmp/conns.jsonl")
	kill -TERM "$hold"
	wait "$hold"
	stop_observe
	end=$(tail -n 1 "$tmp/conns.jsonl")
	row "agent RSS, $n connections open, $b backend" "$(calc '%.1f' 'k / 1024' k="$rss")" "MiB" "<= 64" \
		"observe VmRSS with $open connections open (both ends watched; $ex exchanges so far); $((base >> 10)) MiB before"
	row "- agent peak RSS, $b backend" "$(calc '%.1f' 'k / 1024' k="$hwm")" "MiB" "" \
		"VmHWM at the same moment; kernel drops $(drops_by <<<"$end"), user drops $(jq .user_drops <<<"$end")"
done
