#!/usr/bin/env bash
# capture.sh - what capture costs the sample app, in one run:
#  - throughput and p99 latency under wrk (keep-alive, 2 threads, 50
#    connections) with `smi-witness observe` detached and attached (server
#    side watched), alternating in ABBA order over several rounds so that
#    drift on a shared machine cancels; the median of the per-round ratios;
#    in the same rounds, observe attached with nothing watched: the floor
#    every syscall tracepoint program costs the node, watched or not;
#  - capture cost per exchange: BPF run time (kernel.bpf_stats_enabled, the
#    capture's own programs, unwatched callers' early exits included) plus
#    the agent's CPU time (/proc/PID/schedstat), over the exchanges captured;
#  - BPF run time per program run on a steady loopback ping-pong
#    (tests/bench/pingpong, both ends watched): what one receive, one send
#    entry and one send exit cost, each exchange counted exactly;
#  - events lost versus offered rate: the driver (--rate) and the app both
#    watched, the rate doubled until the machine cannot offer more.
set -u
build=$(realpath "${1:-build}")
here=$(dirname "$(realpath "$0")")
. "$here/lib.sh"
command -v wrk >/dev/null || { echo "skip: wrk is not installed (make deps)"; exit 77; }
command -v bpftool >/dev/null || { echo "skip: bpftool is not installed (make deps)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "skip: needs root (BPF, a private network namespace, cgroups)"; exit 77; }
bench_netns "$build"
bench_tmp capture
bench_cgroup capture
idle_cg=$cg-idle	# an empty cgroup: programs attached, nothing watched
mkdir "$idle_cg"
cleanups+=("rmdir '$idle_cg'")
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
cleanups+=("sysctl -q kernel.bpf_stats_enabled=$stats_was")
rounds=${SMIW_BENCH_ROUNDS:-6}
secs=${SMIW_BENCH_SECONDS:-2}
url=http://127.0.0.1:9091/echo
app_prefix=("${incg[@]}")
wrk_prefix=()

start_app app 9091

# --- detached / attached, ABBA (and the floor, between them) --------------------
start_attached() { start_observe "$tmp/ratio.jsonl" --cgroup "$cg"; }
start_idle() { start_observe "$tmp/ratio.jsonl" --cgroup "$idle_cg"; }
abba detached idle attached
ratio_rows detached attached "sample app" "server side watched"
floor=()
for i in "${!detached_rps[@]}"; do floor+=("$(calc '%.4f' 'a / d' a="${idle_rps[$i]}" d="${detached_rps[$i]}")"); done
row "- floor: throughput attached, nothing watched / detached" "$(median "${floor[@]}")" "ratio" "" \
	"same rounds (per round: ${floor[*]}); every hooked syscall of the node runs a program that exits at the cgroup check"

# --- cost per exchange ------------------------------------------------------------
capture_cost 10 --cgroup "$cg"
row "capture cost per exchange (BPF + agent)" "$(calc '%.2f' 'b + a' b="$bpf_us" a="$agent_us")" "us" "<= 2" \
	"wrk 10 s, $ex exchanges ($served requests; drops $(jq .kernel_drops <<<"$end"), gaps $(jq .gaps <<<"$end"))"
row "- BPF run time per exchange" "$bpf_us" "us" "" \
	"$cost_runs runs of $(jq length <<<"$progs") programs, $(calc '%.0f' 't / n' t="$cost_rt" n="$cost_runs") ns each (bpf_stats' own cost and unwatched wrk's early exits included)"
row "- agent CPU per exchange" "$agent_us" "us" "" "observe: on-CPU time (schedstat) over the run; ring, assembly, JSON lines"

# --- per program run: a steady ping-pong -------------------------------------------
sysctl -q kernel.bpf_stats_enabled=1
start_observe "$tmp/pp.jsonl" --cgroup "$cg" || exit 1
bpf_by_prog >"$tmp/pp0.json"
pp=200000
"${incg[@]}" "$build/tests/bench/pingpong" "$pp" || exit 1
bpf_by_prog >"$tmp/pp1.json"
stop_observe
sysctl -q kernel.bpf_stats_enabled="$stats_was"
pp_ex=$(tail -n 1 "$tmp/pp.jsonl" | jq .exchanges)
per_run() { # program: ns per run over the ping-pong
	jq -n --slurpfile a "$tmp/pp0.json" --slurpfile b "$tmp/pp1.json" --arg p "$1" \
		'($b[0][$p][0] - $a[0][$p][0]) / ($b[0][$p][1] - $a[0][$p][1]) | round'
}
note="pingpong: $pp requests, $pp_ex exchanges captured (both ends); bpf_stats"
row "BPF per receive (read exit, 109/75 bytes copied)" "$(per_run exit_read)" "ns" "" "$note"
row "BPF per send entry" "$(per_run enter_sendto)" "ns" "" "$note"
row "BPF per send exit (109/75 bytes copied)" "$(per_run exit_sendto)" "ns" "" "$note"
[ "$pp_ex" = $((2 * pp)) ] || { echo "ping-pong: $pp_ex exchanges captured, not $((2 * pp))"; exit 1; }

# --- lost events versus offered rate -------------------------------------------
# Both the driver and the app are watched (two exchanges per request). The
# offered rate doubles until the driver achieves less than 90% of it.
rate=5000
best=0
while :; do
	start_observe "$tmp/rate.jsonl" --cgroup "$cg" || exit 1
	"${incg[@]}" "$build/smi-witness" -j drive -d 2s -r "$rate" -c 64 --timeout 5s "$url" \
		>"$tmp/drive.json" 2>"$tmp/drive.err"
	sleep 0.2
	stop_observe
	end=$(tail -n 1 "$tmp/rate.jsonl")
	got=$(jq -r '.rate | floor' "$tmp/drive.json")
	lost=$(jq '.kernel_drops + .user_drops' <<<"$end")
	note="achieved $got req/s, $(jq .exchanges <<<"$end") exchanges, gaps $(jq .gaps <<<"$end"), errors $(jq .errors_total "$tmp/drive.json")"
	[ "$got" -gt "$best" ] && best=$got
	if [ "$got" -lt $((rate * 9 / 10)) ]; then
		row "lost events at $rate req/s offered (saturated)" "$lost" "events" "" "$note; driver, app and agent share the machine"
		break
	fi
	row "lost events at $rate req/s offered" "$lost" "events" "= 0" "$note"
	rate=$((rate * 2))
	[ "$rate" -le 1280000 ] || break
done
row "saturation: highest rate the driver achieved, capture attached" "$best" "req/s" "" \
	"drive -c 64 --rate, 2 s per step, both sides watched, 16 MiB ring drained every 20 ms"
