#!/usr/bin/env bash
# run_metrics.sh - the traffic-metrics suite through `smi-witness run`, in a
# lab of its own (root, real BPF): the reference mesh passes every
# assertion; inflate-metrics and drop-failures-metrics fail the metrics
# assertions and nothing else, with reported and observed numbers side by
# side; faulty-weights routes 75/25 as 70/30 but counts what it did, so its
# metrics pass; the scrapes are recorded beside the observations and every
# replay.sh gives the run's report byte for byte.
set -u
build=${1:-build}
bin="$(cd "$build" && pwd)/smi-witness"
[ "$(id -u)" = 0 ] || { echo "skip: the lab and the capture need root"; exit 77; }
command -v haproxy >/dev/null || { echo "skip: haproxy is not installed"; exit 77; }
lab="rm$$"
lab=${lab:0:12}
work=$(mktemp -d "${TMPDIR:-/tmp}/smiw-run-metrics.XXXXXX")
trap '"$bin" lab down --lab "$lab" >/dev/null 2>&1; rm -rf "$work"' EXIT
. tests/lib/itest.sh
S=traffic-metrics
topo="$PWD/sample-app/topology/default.yaml"
run() { # MESH: report in $work/MESH.json, table in .txt, progress in .err, exit status in .rc
	"$bin" run specs/traffic-metrics.yaml --mesh "$1" --keep-lab --lab "$lab" --topology "$topo" \
		--out "$work/out" >"$work/$1.txt" 2>"$work/$1.err"
	echo $? >"$work/$1.rc"
	cp "$work/out/$1/report.json" "$work/$1.json"
}
results() { jq -c '[.assertions[] | [.id, .verdict, .reason]]' "$work/$1.json"; }

run reference
check "reference: exit 0" test "$(cat "$work/reference.rc")" = 0
check "reference: every assertion passes, both counts side by side" test "$(results reference)" = \
'[["traffic-metrics/mixed/echo/access","PASS","40/40 reached app-b and succeeded"],["traffic-metrics/mixed/haproxy/metrics","PASS","* -> default/app-b: success_count 50 = 50, failure_count 10 = 10"],["traffic-metrics/split/haproxy/metrics","PASS","* -> default/app-b: success_count 30 = 30, failure_count 6 = 6; * -> default/app-c: success_count 10 = 10, failure_count 2 = 2"]]'
check "reference: HAProxy's maximum response time fits the observed durations" \
	test "$(jq -c '[.assertions[1,2].evidence.metrics.edges[].checks[] | select(.name == "max_latency") | .verdict] | unique' "$work/reference.json")" = '["PASS"]'
check "reference: the scrapes bracket the step's traffic (nothing straddles)" \
	test "$(jq -c '[.assertions[1,2].evidence.metrics.edges[].checks[] | select(.name | endswith("_count")) | .observed_straddling] | unique' "$work/reference.json")" = '[0]'
check "progress names the scrapes" grep -q 'metrics: http://198.18.1.250:8405/metrics scraped before and after the traffic' "$work/reference.err"
d="$work/out/reference/$S"
check "the scrapes and their record are beside the observations" \
	test -s "$d/metrics/step-1-before.prom" -a -s "$d/metrics/step-1-after.prom" -a -s "$d/metrics/step-2.json"
check "the record gives the scrape times on the capture's clock" \
	test "$(jq -c '[.step, .pod, (.before.mono_ns < .after.mono_ns)]' "$d/metrics/step-2.json")" = '[2,"default/mesh",true]'

run inflate-metrics
check "inflate-metrics: exit 1" test "$(cat "$work/inflate-metrics.rc")" = 1
check "inflate-metrics: the verdict table on stdout" grep -q '^FAIL     traffic-metrics/mixed/haproxy/metrics  \* -> default/app-b: success_count 60 reported' "$work/inflate-metrics.txt"
check "inflate-metrics: the metrics assertions fail, with a fifth more reported than happened" test "$(results inflate-metrics)" = \
'[["traffic-metrics/mixed/echo/access","PASS","40/40 reached app-b and succeeded"],["traffic-metrics/mixed/haproxy/metrics","FAIL","* -> default/app-b: success_count 60 reported, 50 observed, failure_count 12 reported, 10 observed"],["traffic-metrics/split/haproxy/metrics","FAIL","* -> default/app-b: success_count 36 reported, 30 observed, failure_count 8 reported, 6 observed; * -> default/app-c: success_count 12 reported, 10 observed, failure_count 3 reported, 2 observed"]]'

run drop-failures-metrics
check "drop-failures-metrics: exit 1" test "$(cat "$work/drop-failures-metrics.rc")" = 1
check "drop-failures-metrics: the metrics assertions fail, with the failures missing" test "$(results drop-failures-metrics)" = \
'[["traffic-metrics/mixed/echo/access","PASS","40/40 reached app-b and succeeded"],["traffic-metrics/mixed/haproxy/metrics","FAIL","* -> default/app-b: success_count 40 reported, 50 observed, failure_count 0 reported, 10 observed"],["traffic-metrics/split/haproxy/metrics","FAIL","* -> default/app-b: failure_count 0 reported, 6 observed; * -> default/app-c: failure_count 0 reported, 2 observed"]]'

run faulty-weights
check "faulty-weights: exit 0 (wrong weights, right counts)" test "$(cat "$work/faulty-weights.rc")" = 0
check "faulty-weights: 28/12 instead of 30/10, and the mesh says so" \
	test "$(jq -r '.assertions[2].reason' "$work/faulty-weights.json")" = \
	'* -> default/app-b: success_count 28 = 28, failure_count 6 = 6; * -> default/app-c: success_count 12 = 12, failure_count 2 = 2'

for m in reference inflate-metrics drop-failures-metrics; do
	d="$work/out/$m/$S"
	PATH="$(dirname "$bin"):$PATH" "$d/replay.sh" -f json >"$work/replay-$m.json" 2>/dev/null
	check "$m: replay.sh gives the run's report byte for byte" cmp "$work/replay-$m.json" "$d/report.json"
done
check "Meshery result: traffic-metrics of SMI v0.6.0, neither of its 2 steps passed for inflate-metrics" \
	test "$(jq -c '[.details[] | [.smispec, .specversion, .assertion, .capability, .status]]' "$work/out/inflate-metrics/meshery.json")" \
	= '[["traffic-metrics","v0.6.0/v1alpha1","2","NONE","FAILED"]]'
check "JUnit: the failed metrics assertions are failures" \
	sh -c "xmllint --xpath 'count(//testcase[@name=\"haproxy/metrics\"]/failure)' '$work/out/drop-failures-metrics/junit.xml' | grep -qx 2"
check "the matrix has a traffic-metrics column, each mesh with its version and data plane" \
	grep -qxE "\| reference \| $(cat VERSION) \| HAProxy [^|]+ \| FULL \(3/3 PASS\) \|" "$work/out/matrix.md"
check "the matrix keeps the FAIL count" grep -qE '^\| inflate-metrics \|.*\| HALF \(2 FAIL, 1/3 PASS\) \|$' "$work/out/matrix.md"

itest_done
