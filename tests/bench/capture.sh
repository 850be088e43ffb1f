#!/usr/bin/env bash
# capture.sh - what capture costs the sample app, each backend measured in
# the same run:
#  - throughput and p99 latency under wrk (keep-alive, 2 threads, 50
#    connections) with `smi-witness observe` detached and attached (server
#    side watched) with the cgroup backend and with the syscall backend,
#    every configuration in every round, the order reversed every other
#    round (ABBA) so that drift on a shared machine cancels; the median of
#    the per-round ratios; in the same rounds each backend attached with
#    nothing watched (the floor: syscalls, every hooked syscall of the node
#    runs a program that leaves at the cgroup check; cgroup, the programs
#    attached to another cgroup, so no program runs at all);
#  - capture cost per exchange, per backend: BPF run time
#    (kernel.bpf_stats_enabled, the capture's own programs, unwatched
#    callers' early exits included) plus the agent's CPU time
#    (/proc/PID/schedstat), over the exchanges captured;
#  - BPF run time per program run on a steady loopback ping-pong
#    (tests/bench/pingpong, both ends watched), per backend, each exchange
#    counted exactly;
#  - events lost versus offered rate, per backend: the driver (--rate) and
#    the app both watched, the rate doubled until the machine cannot offer more.
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

# --- detached / attached, ABBA, both backends and their floors in every round -------
start_cgroup() { start_observe "$tmp/ratio.jsonl" --capture cgroup --cgroup "$cg"; }
start_cgroupfloor() { start_observe "$tmp/ratio.jsonl" --capture cgroup --cgroup "$idle_cg"; }
start_syscalls() { start_observe "$tmp/ratio.jsonl" --capture syscalls --cgroup "$cg"; }
start_syscallsfloor() { start_observe "$tmp/ratio.jsonl" --capture syscalls --cgroup "$idle_cg"; }
abba detached cgroupfloor cgroup syscallsfloor syscalls
# floor_row BACKEND GOAL NOTE: the floor's throughput and p99 ratios.
floor_row() {
	local i f=() l=() r p
	for i in "${!detached_rps[@]}"; do
		eval "r=\${${1}floor_rps[$i]} p=\${${1}floor_p99[$i]}"
		f+=("$(calc '%.4f' 'a / d' a="$r" d="${detached_rps[$i]}")")
		l+=("$(calc '%.4f' 'd / a' a="$p" d="${detached_p99[$i]}")")
	done
	row "- floor, $1 backend: throughput attached, nothing watched / detached" "$(median "${f[@]}")" "ratio" "$2" \
		"same rounds (per round: ${f[*]}); $3"
	row "- floor, $1 backend: p99 latency detached / attached, nothing watched" "$(median "${l[@]}")" "ratio" "" \
		"same rounds (per round: ${l[*]})"
}
ratio_rows detached cgroup "sample app, cgroup backend" "server side watched" ">= 0.97"
floor_row cgroup ">= 0.995" "programs attached to another cgroup: none of them runs for this traffic"
ratio_rows detached syscalls "sample app, syscall backend" "server side watched" ">= 0.98"
floor_row syscalls "" "every hooked syscall of the node runs a program that exits at the cgroup check"

# --- the cgroup backend's floor, counted ---------------------------------------------
# What the ratio above cannot resolve within this machine's spread, counted
# instead: over a wrk run against the unwatched app, how many times any of the
# backend's programs ran (bpf_stats). None should: the kernel looks at the
# socket's cgroup, finds no program attached there and goes on.
sysctl -q kernel.bpf_stats_enabled=1
start_observe "$tmp/floor.jsonl" --capture cgroup --cgroup "$idle_cg" || exit 1
# The traffic programs only: the listener scan (an iterator) runs on its own timer.
traffic_runs() { bpf_by_prog | jq '[.skb_egress[1], .skb_ingress[1], .skb_sockops[1]] | add'; }
fc0=$(traffic_runs)
wrk_run 2 "$url" >&2 || exit 1
fc1=$(traffic_runs)
stop_observe
sysctl -q kernel.bpf_stats_enabled="$stats_was"
row "- floor, cgroup backend: program runs for unwatched traffic" "$((fc1 - fc0))" "runs" "= 0" \
	"bpf_stats run counts of skb_egress, skb_ingress and skb_sockops over a 2 s wrk run ($served requests) against the app in another cgroup"

# --- cost per exchange ------------------------------------------------------------
for b in cgroup syscalls; do
	capture_cost 10 --capture "$b" --cgroup "$cg"
	goal=$([ $b = cgroup ] && echo "<= 1.5" || echo "<= 2")
	row "capture cost per exchange, $b backend (BPF + agent)" "$(calc '%.2f' 'b + a' b="$bpf_us" a="$agent_us")" \
		"us" "$goal" "wrk 10 s, $ex exchanges ($served requests; drops $(drops_by <<<"$end"), gaps $(jq .gaps <<<"$end"))"
	row "- BPF run time per exchange, $b backend" "$bpf_us" "us" "" \
		"$cost_runs runs of $(jq length <<<"$progs") programs, $(calc '%.0f' 't / n' t="$cost_rt" n="$cost_runs") ns each (bpf_stats' own cost included$([ $b = syscalls ] && echo "; unwatched wrk's early exits too"))"
	row "- agent CPU per exchange, $b backend" "$agent_us" "us" "" \
		"observe: on-CPU time (schedstat) over the run; ring, $([ $b = cgroup ] && echo "reassembly, ")assembly, JSON lines"
done

# --- per program run: a steady ping-pong -------------------------------------------
pp=200000
per_run() { # program: ns per run over the ping-pong
	jq -n --slurpfile a "$tmp/pp0.json" --slurpfile b "$tmp/pp1.json" --arg p "$1" \
		'($b[0][$p][0] - $a[0][$p][0]) / ($b[0][$p][1] - $a[0][$p][1]) | round'
}
runs_per_exchange() { # program: runs per exchange over the ping-pong
	jq -n --slurpfile a "$tmp/pp0.json" --slurpfile b "$tmp/pp1.json" --arg p "$1" --argjson n "$pp" \
		'($b[0][$p][1] - $a[0][$p][1]) / $n * 100 | round / 100'
}
for b in cgroup syscalls; do
	sysctl -q kernel.bpf_stats_enabled=1
	start_observe "$tmp/pp.jsonl" --capture "$b" --cgroup "$cg" || exit 1
	bpf_by_prog >"$tmp/pp0.json"
	"${incg[@]}" "$build/tests/bench/pingpong" "$pp" || exit 1
	bpf_by_prog >"$tmp/pp1.json"
	stop_observe
	sysctl -q kernel.bpf_stats_enabled="$stats_was"
	pp_ex=$(tail -n 1 "$tmp/pp.jsonl" | jq .exchanges)
	note="pingpong: $pp requests, $pp_ex exchanges captured (both ends); bpf_stats"
	if [ $b = cgroup ]; then
		row "BPF per egress segment, cgroup backend (109/75 bytes copied)" "$(per_run skb_egress)" "ns" "" \
			"$note; $(runs_per_exchange skb_egress) runs per request (pure ACKs leave first)"
		row "BPF per ingress segment, cgroup backend (109/75 bytes copied)" "$(per_run skb_ingress)" "ns" "" \
			"$note; $(runs_per_exchange skb_ingress) runs per request"
	else
		row "BPF per receive, syscall backend (read exit, 109/75 bytes copied)" "$(per_run exit_read)" "ns" "" "$note"
		row "BPF per send entry, syscall backend" "$(per_run enter_sendto)" "ns" "" "$note"
		row "BPF per send exit, syscall backend (109/75 bytes copied)" "$(per_run exit_sendto)" "ns" "" "$note"
	fi
	[ "$pp_ex" = $((2 * pp)) ] || { echo "ping-pong, $b backend: $pp_ex exchanges captured, not $((2 * pp))"; exit 1; }
done

# --- lost events versus offered rate -------------------------------------------
# Both the driver and the app are watched (two exchanges per request). The
# offered rate doubles until the driver achieves less than 90% of it.
for b in cgroup syscalls; do
	rate=5000
	best=0
	while :; do
		start_observe "$tmp/rate.jsonl" --capture "$b" --cgroup "$cg" || exit 1
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
			row "lost events at $rate req/s offered, $b backend (saturated)" "$lost" "events" "= 0" \
				"$note; driver, app and agent share the machine"
			break
		fi
		row "lost events at $rate req/s offered, $b backend" "$lost" "events" "= 0" "$note"
		rate=$((rate * 2))
		[ "$rate" -le 1280000 ] || break
	done
	row "saturation, $b backend: highest rate the driver achieved, capture attached" "$best" "req/s" "" \
		"drive -c 64 --rate, 2 s per step, both sides watched, 16 MiB ring drained every 20 ms"
done
