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
# The stats switch is restored by capture_cost; this covers an interrupted run.
cleanups+=("'$build/smi-witness' lab down --lab $lab" "sysctl -q kernel.bpf_stats_enabled=$stats_was")
"$build/smi-witness" lab up --lab "$lab" || exit 1
inv=$("$build/smi-witness" -j lab status --lab "$lab" | jq -r .inventory)
wrk_prefix=("$build/smi-witness" lab exec --lab "$lab" app-a --)
url=http://app-svc:9091/echo
start_attached() { start_observe "$tmp/ratio.jsonl" --inventory "$inv"; }
abba detached attached
ratio_rows detached attached "mesh path" "every pod watched"

capture_cost 5 --inventory "$inv"
row "mesh path: capture cost per exchange (BPF + agent)" "$(calc '%.2f' 'b + a' b="$bpf_us" a="$agent_us")" "us" "<= 2" \
	"BPF $bpf_us + agent $agent_us; wrk 5 s, $served requests, $ex exchanges, drops $(jq .kernel_drops <<<"$end"), gaps $(jq .gaps <<<"$end")"
