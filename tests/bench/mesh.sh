#!/usr/bin/env bash
# mesh.sh - capture overhead with HAProxy in the path: a lab of its own
# (smi-witness lab up, reference mesh), wrk in pod app-a against the service
# address app-svc:9091 (app-a -> HAProxy -> app-b / app-c), keep-alive, 2
# threads, 50 connections. `observe --inventory` watches every pod (wrk's
# client side, HAProxy's two sides, the backends: four exchanges per request),
# detached and attached in ABBA order; medians of the per-round ratios. Then
# the capture cost per exchange on this path.
set -u
build=$(realpath "${1:-build}")
here=$(dirname "$(realpath "$0")")
. "$here/lib.sh"
command -v wrk >/dev/null || { echo "skip: wrk is not installed (make deps)"; exit 77; }
command -v haproxy >/dev/null || { echo "skip: haproxy is not installed (make deps)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "skip: needs root (BPF, the lab)"; exit 77; }
bench_tmp mesh
lab=bm$$
rounds=${SMIW_BENCH_ROUNDS:-6}
secs=${SMIW_BENCH_SECONDS:-2}
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
cleanups+=("'$build/smi-witness' lab down --lab $lab" "sysctl -q kernel.bpf_stats_enabled=$stats_was")
"$build/smi-witness" lab up --lab "$lab" || exit 1
inv=$("$build/smi-witness" -j lab status --lab "$lab" | jq -r .inventory)
wrk_prefix=("$build/smi-witness" lab exec --lab "$lab" app-a --)
url=http://app-svc:9091/echo
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }

measure() { # detached|attached
	if [ "$1" = attached ]; then start_observe "$tmp/ratio.jsonl" --inventory "$inv" || exit 1; fi
	wrk_run "$secs" "$url" >&2 || exit 1
	if [ "$1" = attached ]; then stop_observe; fi
	eval "${1}_rps+=($rps); ${1}_p99+=($p99)"
}
detached_rps=() detached_p99=() attached_rps=() attached_p99=()
tput=() lat=()
for r in $(seq "$rounds"); do
	if [ $((r % 2)) = 1 ]; then measure detached; measure attached; else measure attached; measure detached; fi
	i=$((r - 1))
	tput+=("$(calc '%.4f' 'a / d' a="${attached_rps[$i]}" d="${detached_rps[$i]}")")
	lat+=("$(calc '%.4f' 'd / a' a="${attached_p99[$i]}" d="${detached_p99[$i]}")")
	echo "round $r: req/s detached ${detached_rps[$i]} attached ${attached_rps[$i]};" \
		"p99 ms detached ${detached_p99[$i]} attached ${attached_p99[$i]}"
done
row "mesh path: throughput attached / detached" "$(median "${tput[@]}")" "ratio" ">= 0.98" \
	"median of $rounds ABBA rounds of ${secs} s (per round: ${tput[*]}); $(median "${attached_rps[@]}") / $(median "${detached_rps[@]}") req/s; every pod watched"
row "mesh path: p99 latency detached / attached" "$(median "${lat[@]}")" "ratio" ">= 0.98" \
	"same runs (per round: ${lat[*]}); p99 $(median "${attached_p99[@]}") ms attached, $(median "${detached_p99[@]}") ms detached"

sysctl -q kernel.bpf_stats_enabled=1
start_observe "$tmp/cost.jsonl" --inventory "$inv" || exit 1
read -r rt0 cnt0 < <(bpf_totals)
cpu0=$(cpu_ns "$obs")
wrk_run 5 "$url" >&2 || exit 1
read -r rt1 cnt1 < <(bpf_totals)
cpu1=$(cpu_ns "$obs")
stop_observe
sysctl -q kernel.bpf_stats_enabled="$stats_was"
end=$(tail -n 1 "$tmp/cost.jsonl")
ex=$(jq '.exchanges' <<<"$end")
[ "${ex:-0}" -gt 0 ] || { echo "no exchanges captured"; cat "$tmp/observe.log"; exit 1; }
bpf_us=$(calc '%.3f' 't / n / 1000' t=$((rt1 - rt0)) n="$ex")
agent_us=$(calc '%.3f' 'c / n / 1000' c=$((cpu1 - cpu0)) n="$ex")
row "mesh path: capture cost per exchange (BPF + agent)" "$(calc '%.2f' 'b + a' b="$bpf_us" a="$agent_us")" "us" "<= 2" \
	"BPF $bpf_us + agent $agent_us; wrk 5 s, $served requests, $ex exchanges, drops $(jq .kernel_drops <<<"$end"), gaps $(jq .gaps <<<"$end")"
