#!/usr/bin/env bash
# sample-app.sh - the sample app alone, nothing attached: throughput and
# latency under wrk (keep-alive, 2 threads, 50 connections, 5 s) on the
# loopback of a private network namespace, its memory idle and under load,
# and the /call chain (app-a -> app-b). The overhead ratios of capture.sh are
# measured against this same workload.
set -u
build=$(realpath "${1:-build}")
here=$(dirname "$(realpath "$0")")
. "$here/lib.sh"
command -v wrk >/dev/null || { echo "skip: wrk is not installed (make deps)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "skip: needs root for a private network namespace"; exit 77; }
bench_netns "$build"
bench_tmp sample-app
app_prefix=()
wrk_prefix=()

# Samples the RSS of $1 halfway through a 5 s wrk run against $2 (more wrk args follow).
loaded_run() {
	local pid=$1 url=$2; shift 2
	wrk -t2 -c50 -d5s --latency "$@" "$url" >"$tmp/wrk.out" 2>&1 &
	local w=$!
	sleep 2.5
	load_rss=$(rss_kib "$pid")
	wait $w || { cat "$tmp/wrk.out"; exit 1; }
	cat "$tmp/wrk.out"
	wrk_parse "$tmp/wrk.out" || exit 1
}

start_app app-b 9092
b_pid=$app_pid
start_app app-a 9091
a_pid=$app_pid
idle=$(rss_kib "$b_pid")

loaded_run "$b_pid" http://127.0.0.1:9092/echo
row "sample-app GET /echo" "$rps" "req/s" "" "wrk -t2 -c50 -d5s, keep-alive, netns loopback, nothing attached"
row "sample-app GET /echo p99 latency" "$p99" "ms" "" "wrk --latency"
row "sample-app RSS idle / under load" "$idle / $load_rss" "KiB" "" "VmRSS after start / 2.5 s into the /echo run"
curl -s -X DELETE http://127.0.0.1:9092/metrics

cat >"$tmp/call.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"url":"http://127.0.0.1:9092/echo","method":"GET","headers":{},"body":""}'
LUA
loaded_run "$a_pid" http://127.0.0.1:9091/call -s "$tmp/call.lua"
row "sample-app POST /call (a -> b /echo)" "$rps" "req/s" "" "same wrk settings; two hops on one machine; p99 $p99 ms"
row "sample-app RSS under /call load" "$load_rss" "KiB" "" "caller, 2.5 s in; grows with its RespSucceeded list"
