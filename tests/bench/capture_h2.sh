#!/usr/bin/env bash
# capture_h2.sh - capture cost per exchange, HTTP/2 next to HTTP/1.1: the
# same sample app (server side watched), the same client (h2load, so both
# protocols come from one tool), the same number of requests:
#  - HTTP/1.1: h2load --h1, 10 keep-alive connections;
#  - HTTP/2: h2load, 10 connections of 10 streams at a time;
#  - HTTP/2, one stream at a time: the framing without the batching.
# Cost = BPF run time of the capture's programs plus observe's CPU time
# (schedstat), over the exchanges captured, which must equal the requests.
set -u
build=$(realpath "${1:-build}")
here=$(dirname "$(realpath "$0")")
. "$here/lib.sh"
command -v h2load >/dev/null || { echo "skip: h2load is not installed (make deps)"; exit 77; }
command -v bpftool >/dev/null || { echo "skip: bpftool is not installed (make deps)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "skip: needs root (BPF, a private network namespace, cgroups)"; exit 77; }
bench_netns "$build"
bench_tmp capture-h2
bench_cgroup capture-h2
n=${SMIW_BENCH_REQUESTS:-100000}
url=http://127.0.0.1:9091/echo
app_prefix=("${incg[@]}")
start_app app 9091
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
cleanups+=("sysctl -q kernel.bpf_stats_enabled=$stats_was")

# cost NAME h2load-options...: sets cost_bpf, cost_agent (us per exchange), cost_ex, cost_rps
cost() {
	local name=$1 rt0 cnt0 rt1 cnt1 cpu0 cpu1
	shift
	sysctl -q kernel.bpf_stats_enabled=1
	start_observe "$tmp/$name.jsonl" --cgroup "$cg" || exit 1
	read -r rt0 cnt0 < <(bpf_totals)
	cpu0=$(cpu_ns "$obs")
	h2load -n "$n" "$@" "$url" >"$tmp/$name.h2load" 2>&1 || { cat "$tmp/$name.h2load"; exit 1; }
	read -r rt1 cnt1 < <(bpf_totals)
	cpu1=$(cpu_ns "$obs")
	stop_observe
	sysctl -q kernel.bpf_stats_enabled="$stats_was"
	cat "$tmp/$name.h2load"
	cost_ex=$(tail -n 1 "$tmp/$name.jsonl" | jq .exchanges)
	[ "$cost_ex" = "$n" ] || { echo "$name: $cost_ex exchanges captured for $n requests"; exit 1; }
	cost_bpf=$(calc '%.3f' 't / x / 1000' t=$((rt1 - rt0)) x="$cost_ex")
	cost_agent=$(calc '%.3f' 'c / x / 1000' c=$((cpu1 - cpu0)) x="$cost_ex")
	cost_rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' "$tmp/$name.h2load")
}

cost h1 --h1 -c 10
h1_total=$(calc '%.2f' 'b + a' b="$cost_bpf" a="$cost_agent")
row "capture cost per exchange, HTTP/1.1 (BPF + agent)" "$h1_total" "us" "" \
	"h2load --h1, $n requests, 10 connections, $cost_ex exchanges; BPF $cost_bpf + agent $cost_agent us; $cost_rps req/s"
cost h2 -c 10 -m 10
h2_total=$(calc '%.2f' 'b + a' b="$cost_bpf" a="$cost_agent")
row "capture cost per exchange, HTTP/2 (BPF + agent)" "$h2_total" "us" "" \
	"h2load, $n requests, 10 connections x 10 streams, $cost_ex exchanges; BPF $cost_bpf + agent $cost_agent us; $cost_rps req/s"
row "- HTTP/2 / HTTP/1.1 cost per exchange" "$(calc '%.2f' 'b / a' a="$h1_total" b="$h2_total")" "ratio" "" \
	"several streams' frames share a syscall, HPACK decoding (libnghttp2) replaces the HTTP/1.x head parser"
cost h2m1 -c 10 -m 1
row "capture cost per exchange, HTTP/2 one stream at a time" \
	"$(calc '%.2f' 'b + a' b="$cost_bpf" a="$cost_agent")" "us" "" \
	"h2load -m 1, $n requests, 10 connections, $cost_ex exchanges; BPF $cost_bpf + agent $cost_agent us; $cost_rps req/s"
