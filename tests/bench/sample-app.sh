#!/usr/bin/env bash
# sample-app.sh - the baseline every overhead ratio is measured against: the
# sample app's throughput and latency under wrk (keep-alive, 2 threads,
# 50 connections, 10 s) on the loopback of a private network namespace, and
# its memory, idle and under load. Also the /call chain (app-a -> app-b).
set -u
build=$(realpath "${1:-build}")
here=$(dirname "$(realpath "$0")")
command -v wrk >/dev/null || { echo "skip: wrk is not installed (make deps)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "skip: needs root for a private network namespace"; exit 77; }
# Everything below runs inside a private network namespace: traffic stays on its loopback.
[ -n "${SMIW_BENCH_NETNS:-}" ] || exec unshare -n env SMIW_BENCH_NETNS=1 bash "$here/sample-app.sh" "$build"
ip link set lo up
tmp=$(mktemp -d /tmp/smiw-bench-XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

start_app() { # name port
	SERVICE_NAME=$1 PORT=$2 "$build/sample-app" 2>>"$tmp/app.log" &
	pids+=($!)
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$2/metrics" && return 0
		sleep 0.05
	done
	echo "sample-app did not start on port $2"; exit 1
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# wrk prints latencies as 812.00us, 1.23ms or 1.01s: to milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.3f", n
	}'
}

row() { printf 'ROW\t%s\t%s\t%s\t%s\n' "$@"; }

# Runs wrk for 10 s against $1 (extra wrk args follow); samples the RSS of $rss_pid at 5 s.
run_wrk() {
	local url=$1; shift
	wrk -t2 -c50 -d10s --latency "$@" "$url" >"$tmp/wrk.out" 2>&1 &
	local w=$!
	sleep 5
	load_rss=$(rss_kib "$rss_pid")
	wait $w || { cat "$tmp/wrk.out"; exit 1; }
	cat "$tmp/wrk.out"
	rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$tmp/wrk.out")
	p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$tmp/wrk.out")")
	errors=$(awk '/Non-2xx or 3xx responses:/ {print $NF} /Socket errors:/ {print}' "$tmp/wrk.out")
	[ -n "$rps" ] || { echo "no Requests/sec in wrk output"; exit 1; }
	[ -z "$errors" ] || { echo "wrk saw errors: $errors"; exit 1; }
}

start_app app-b 9092
start_app app-a 9091
rss_pid=${pids[0]}
idle=$(rss_kib "$rss_pid")

run_wrk http://127.0.0.1:9092/echo
row "sample-app GET /echo" "$rps" "req/s" "wrk -t2 -c50 -d10s, keep-alive, netns loopback"
row "sample-app GET /echo p99 latency" "$p99" "ms" "wrk --latency"
row "sample-app RSS idle" "$idle" "KiB" "VmRSS after start"
row "sample-app RSS under load" "$load_rss" "KiB" "VmRSS 5 s into the /echo run"
curl -s -X DELETE http://127.0.0.1:9092/metrics

cat >"$tmp/call.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"url":"http://127.0.0.1:9092/echo","method":"GET","headers":{},"body":""}'
LUA
rss_pid=${pids[1]}
run_wrk http://127.0.0.1:9091/call -s "$tmp/call.lua"
row "sample-app POST /call (a -> b /echo)" "$rps" "req/s" "same wrk settings; two hops on one machine"
row "sample-app POST /call p99 latency" "$p99" "ms" "wrk --latency"
row "sample-app RSS under /call load" "$load_rss" "KiB" "caller, 5 s in; grows with its RespSucceeded list"
