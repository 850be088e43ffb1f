#!/usr/bin/env bash
# mesh.sh - capture overhead with HAProxy in the path: a lab of its own
# (smi-witness lab up, reference mesh), wrk in pod app-a against the service
# address app-svc:9091 (app-a -> HAProxy -> app-b / app-c), keep-alive, 2
# threads, 50 connections. `observe --inventory` watches every pod (wrk's
# client side, HAProxy's two sides of each of its two hops, the backends: six
# exchanges per request),
# detached and attached with each backend, every configuration in every
# round, in ABBA order; medians of the per-round ratios. Then the capture
# cost per exchange on this path, per backend.
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
start_cgroup() { start_observe "$tmp/ratio.jsonl" --capture cgroup --inventory "$inv"; }
start_syscalls() { start_observe "$tmp/ratio.jsonl" --capture syscalls --inventory "$inv"; }
abba detached cgroup syscalls
ratio_rows detached cgroup "mesh path, cgroup backend" "every pod watched" ">= 0.95"
ratio_rows detached syscalls "mesh path, syscall backend" "every pod watched" ">= 0.95"

for b in cgroup syscalls; do
	capture_cost 5 --capture "$b" --inventory "$inv"
	row "mesh path, $b backend: capture cost per exchange (BPF + agent)" \
		"$(calc '%.2f' 'b + a' b="$bpf_us" a="$agent_us")" "us" "$([ $b = cgroup ] && echo "<= 1.5" || echo "<= 2")" \
		"BPF $bpf_us + agent $agent_us; wrk 5 s, $served requests, $ex exchanges, drops $(drops_by <<<"$end"), gaps $(jq .gaps <<<"$end")"
done
