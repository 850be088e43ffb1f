#!/usr/bin/env bash
# capture.sh - what capture costs: the sample app under wrk (keep-alive, 2
# threads, 50 connections, 10 s) with and without `smi-witness observe`
# watching its cgroup; BPF run time per exchange from kernel.bpf_stats_enabled
# (run_time_ns of the capture's own programs, ids from the meta record); agent
# CPU per exchange from /proc; and kernel drops when the driver and the app, both
# watched, go as fast as the driver can.
set -u
build=$(realpath "${1:-build}")
here=$(dirname "$(realpath "$0")")
command -v wrk >/dev/null || { echo "skip: wrk is not installed (make deps)"; exit 77; }
command -v bpftool >/dev/null || { echo "skip: bpftool is not installed (make deps)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "skip: needs root (BPF, a private network namespace, cgroups)"; exit 77; }
# Everything below runs inside a private network namespace: traffic stays on its loopback.
[ -n "${SMIW_BENCH_NETNS:-}" ] || exec unshare -n env SMIW_BENCH_NETNS=1 bash "$here/capture.sh" "$build"
ip link set lo up
cg2=$(awk '$0 ~ / - cgroup2 / {print $5; exit}' /proc/self/mountinfo)
[ -n "$cg2" ] || { echo "skip: no cgroup v2 mount"; exit 77; }
tmp=$(mktemp -d /tmp/smiw-bench-capture-XXXXXX)
cg=$cg2/smiw-bench-capture-$$
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	sysctl -q kernel.bpf_stats_enabled="$stats_was"
	if [ -f "$cg/cgroup.procs" ]; then
		while read -r p; do echo "$p" >"$cg2/cgroup.procs"; done <"$cg/cgroup.procs"
		rmdir "$cg"
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$cg"
incg=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg")

row() { printf 'ROW\t%s\t%s\t%s\t%s\n' "$@"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Sum of run_time_ns and run_cnt over the programs whose ids are in $progs.
bpf_totals() {
	bpftool prog show -j | jq --argjson ids "$progs" \
		'[.[] | select(.id as $i | $ids | index($i))] | "\(map(.run_time_ns // 0) | add) \(map(.run_cnt // 0) | add)"' -r
}

SERVICE_NAME=app PORT=9091 "${incg[@]}" "$build/sample-app" 2>>"$tmp/app.log" &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:9091/metrics && break; sleep 0.05; done

run_wrk() { # seconds: prints the req/s of wrk against /echo
	wrk -t2 -c50 -d"$1"s http://127.0.0.1:9091/echo >"$tmp/wrk.out" 2>&1 || { cat "$tmp/wrk.out" >&2; exit 1; }
	cat "$tmp/wrk.out" >&2
	awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$tmp/wrk.out"
}

start_observe() { # out-file, extra options...
	local out=$1; shift
	"$build/smi-witness" observe --cgroup "$cg" --out "$out" --stats-interval 0 "$@" 2>"$tmp/observe.log" &
	obs=$!
	pids+=($obs)
	for _ in $(seq 100); do grep -q '^observe: watching' "$tmp/observe.log" && break; sleep 0.05; done
	progs=$(head -n 1 "$out" | jq -c .bpf_prog_ids)
}

# --- throughput detached / attached, alternating to even out a shared machine ---
det=0 att=0
for round in 1 2; do
	det=$((det + $(run_wrk 5)))
	start_observe "$tmp/ratio$round.jsonl"
	att=$((att + $(run_wrk 5)))
	kill -INT "$obs"; wait "$obs"
done

# --- BPF and agent cost per exchange (bpf_stats costs a little itself) --------
sysctl -q kernel.bpf_stats_enabled=1
start_observe "$tmp/obs.jsonl"
read -r rt0 cnt0 < <(bpf_totals)
cpu0=$(cpu_ticks "$obs")
run_wrk 10 >/dev/null
read -r rt1 cnt1 < <(bpf_totals)
cpu1=$(cpu_ticks "$obs")
kill -INT "$obs"; wait "$obs"
sysctl -q kernel.bpf_stats_enabled="$stats_was"
end=$(tail -n 1 "$tmp/obs.jsonl")
ex=$(jq '.exchanges' <<<"$end")
served=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
hz=$(getconf CLK_TCK)
[ "${ex:-0}" -gt 0 ] || { echo "no exchanges captured"; cat "$tmp/observe.log"; exit 1; }

row "capture: sample-app throughput attached / detached" "$(awk -v a="$att" -v b="$det" 'BEGIN {printf "%.3f", a / b}')" \
	"ratio" "$((att / 2)) / $((det / 2)) req/s; wrk -t2 -c50, 2 x 5 s each, alternating; server side watched"
row "capture: BPF run time per exchange" "$(awk -v t=$((rt1 - rt0)) -v n="$ex" 'BEGIN {printf "%.2f", t / n / 1000}')" \
	"us" "run_time_ns of its $(jq length <<<"$progs") programs / $ex exchanges; $((cnt1 - cnt0)) runs, unwatched wrk's early exits included"
row "capture: BPF run time per program run" "$(awk -v t=$((rt1 - rt0)) -v n=$((cnt1 - cnt0)) 'BEGIN {printf "%.0f", t / n}')" \
	"ns" "kernel.bpf_stats_enabled=1 (its own cost included)"
row "capture: agent CPU per exchange" "$(awk -v c=$((cpu1 - cpu0)) -v hz="$hz" -v n="$ex" 'BEGIN {printf "%.2f", c / hz * 1e6 / n}')" \
	"us" "observe utime+stime over the run, clock ticks of 1/$hz s"
row "capture: exchanges captured / requests wrk completed" "$ex / $served" "count" \
	"drops $(jq .kernel_drops <<<"$end"), gaps $(jq .gaps <<<"$end"); wrk stops with requests in flight"

# --- the driver flat out, both sides watched -----------------------------------
start_observe "$tmp/flat.jsonl"
"${incg[@]}" "$build/smi-witness" -j drive -n 200000 -c 32 http://127.0.0.1:9091/echo >"$tmp/drive.json" 2>/dev/null
sleep 0.5
kill -INT "$obs"; wait "$obs"
end=$(tail -n 1 "$tmp/flat.jsonl")
cat "$tmp/drive.json"
row "capture: kernel drops, driver at full speed" "$(jq .kernel_drops <<<"$end")" "events" \
	"$(jq -r '.rate | floor' "$tmp/drive.json") req/s (drive -c 32, 200000 requests), both sides watched; $(jq .exchanges <<<"$end") exchanges, 16 MiB ring"
