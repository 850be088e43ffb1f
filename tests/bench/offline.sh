#!/usr/bin/env bash
# offline.sh - the records path without the kernel:
#  - the capture's JSON-lines writer, plain and gzip: CPU time per exchange
#    record (tests/bench/write_jsonl, the sink the agent uses);
#  - `smi-witness verify` on a large generated recording: a 75/25 split step
#    of 200,000 requests through the mesh, 1,000,000 exchange records plus
#    intents (tests/fixtures/verify/gen.awk); exchanges per second of CPU
#    time (and of wall-clock time), the median of three runs, and the
#    verifier's peak RSS.
set -u
build=$(realpath "${1:-build}")
here=$(dirname "$(realpath "$0")")
fx=$(realpath "$here/../fixtures/verify")
. "$here/lib.sh"
bench_tmp offline
requests=${SMIW_BENCH_REQUESTS:-200000}
writes=${SMIW_BENCH_WRITES:-300000}

# --- writer -------------------------------------------------------------------
for ext in jsonl jsonl.gz; do
	"$build/tests/bench/write_jsonl" "$tmp/w.$ext" "$writes" >"$tmp/w.json" || exit 1
	cat "$tmp/w.json"
	row "$(echo "$ext" | tr a-z A-Z) write cost per exchange" \
		"$(jq '.cpu_ns / .exchanges / 1000 * 1000 | round / 1000' "$tmp/w.json")" "us" "" \
		"$writes exchange records (+1 conn per 100), $(jq '.bytes / .exchanges | round' "$tmp/w.json") bytes each on disk; CPU time, file writes included"
	rm -f "$tmp/w.$ext"
done

# --- verifier -------------------------------------------------------------------
cat >"$tmp/bench.plan" <<EOF
run rbench
meta
to 198.18.1.4:9091
lcg 1 1 $requests 999 app-b 0.75 app-c 0.25
stats
end
EOF
cat >"$tmp/bench.yaml" <<EOF
version: 1
name: bench
smispec: traffic-split
description: one weighted split step with many requests
defaults: {from: app-a, to: app-svc, path: /echo, converge: false}
steps:
  - name: seventy-five
    apply: [$fx/manifests/split-75-25.yaml]
    traffic:
      - count: $requests
        expect: {split: {app-b: 75, app-c: 25}}
EOF
# verify_three PLAN: the recording of PLAN (gen.awk), then three timed `verify -j`
# runs of it against bench.yaml, each of which must exit 0. Sets ex, size and, per
# run, rates (exchanges per second of CPU time: the verifier is single threaded, so
# on an idle machine that is its wall-clock rate too; on a shared one the wall clock
# also counts the time other tenants held the CPU), walls and rss; the last report
# is left in $tmp/verify.out.
verify_three() {
	rm -f "$tmp/obs.jsonl" "$tmp/intent.jsonl"
	awk -v obs="$tmp/obs.jsonl" -v intents="$tmp/intent.jsonl" -f "$fx/gen.awk" "$1" || exit 1
	ex=$(grep -c '"t":"exchange"' "$tmp/obs.jsonl")
	size=$(stat -c %s "$tmp/obs.jsonl")
	rates=() walls=() rss=()
	for _ in 1 2 3; do
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$build/smi-witness" -j verify --observations "$tmp/obs.jsonl" \
			-i "$tmp/intent.jsonl" -s "$tmp/bench.yaml" -I "$fx/inventory.json" >"$tmp/verify.out" 2>&1
		rc=$?
		cat "$tmp/time"
		[ $rc = 0 ] || { cat "$tmp/verify.out"; echo "verify exited $rc"; exit 1; }
		read -r secs user sys kib <"$tmp/time"
		rates+=("$(calc '%.0f' 'n / (u + s)' n="$ex" u="$user" s="$sys")")
		walls+=("$(calc '%.0f' 'n / w' n="$ex" w="$secs")")
		rss+=("$kib")
	done
}
verify_three "$tmp/bench.plan"
row "offline verify throughput (JSONL)" "$(median "${rates[@]}")" "exchanges/s" ">= 1000000" \
	"per CPU second, median of 3 runs (${rates[*]}; wall clock ${walls[*]}); $ex exchanges + $requests intents, $((size >> 20)) MiB; one 75/25 split assertion, PASS"
row "- verifier peak RSS" "$(median "${rss[@]}")" "KiB" "" "/usr/bin/time %M, same runs"

# --- verifier, every request id stripped by the mesh ----------------------------
# The same split through a mesh that removes every request's id while it holds
# eight at a time: each backend exchange is followed to the entry only and
# placed on a request by its flight (verify/place.h), which must stay
# O(log n) per exchange: a mesh must not be able to slow verification down
# quadratically by stripping ids.
printf 'run rbench\nmeta\nto 198.18.1.4:9091\noverlap 1 1 %d 8 %d app-b app-c\nstats\nend\n' \
	"$requests" $((requests * 3 / 4)) >"$tmp/strip.plan"
verify_three "$tmp/strip.plan"
followed=$(jq '.assertions[0].evidence.request_ids.followed' "$tmp/verify.out")
[ "$followed" = "$requests" ] || { echo "followed $followed of $requests requests"; exit 1; }
row "offline verify throughput, every id stripped by the mesh" "$(median "${rates[@]}")" "exchanges/s" "" \
	"per CPU second, median of 3 runs (${rates[*]}); $ex exchanges, $requests requests each followed to the entry only and placed by its flight (8 in the mesh at a time); PASS"
