#!/usr/bin/env bash
# run.sh - `smi-witness run` end to end in a lab of its own (root, real BPF):
# the reference mesh passes, a 20-request split step is INCONCLUSIVE with the
# sample size it needs, the faulty-weights mesh fails the weighted split and
# only it, --api renders into older versions (a step they cannot express is
# skipped and INCONCLUSIVE), and every scenario's replay.sh gives the run's
# report byte for byte.
# Runs on each capture backend.
set -u
build=${1:-build}
bin="$(cd "$build" && pwd)/smi-witness"
capture=${SMIW_TEST_CAPTURE:-auto}
if [ "$(id -u)" != 0 ]; then
	echo "skip: the lab and the capture need root"; exit 77
fi
lab="vr$$"
lab=${lab:0:12}
work=$(mktemp -d "${TMPDIR:-/tmp}/smiw-run.XXXXXX")
cleanup() {
	"$bin" lab down --lab "$lab" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
fails=0
check() { # description, then a command that must succeed
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}

mkdir -p "$work/s/m"
cp specs/manifests/split/b75-c25.yaml specs/manifests/split/ab-header.yaml specs/manifests/access/tcp-a-to-b.yaml "$work/s/m/"
cat >"$work/s/split.yaml" <<'EOF'
version: 1
name: split
smispec: traffic-split
defaults: {from: app-a, to: app-svc, path: /echo, concurrency: 4, expect: {split: derived}, converge: {timeout: 10s}}
steps:
  - name: default
    traffic: [{count: 100}]
  - name: b75
    apply: [m/b75-c25.yaml]
    traffic: [{count: 1000}]
  - name: small
    traffic: [{count: 20}]
  - name: ab
    apply: [m/ab-header.yaml]
    traffic: [{count: 100, headers: {x-canary: "1"}}]
EOF
cat >"$work/s/access.yaml" <<'EOF'
version: 1
name: access
smispec: traffic-access
defaults: {from: app-a, to: app-b, path: /echo, count: 50, concurrency: 2, expect: {access: derived}, converge: {timeout: 10s}}
steps:
  - name: deny
    traffic: [{name: a-to-b}]
  - name: allow
    apply: [m/tcp-a-to-b.yaml]
    traffic: [{name: a-to-b}, {name: c-to-b, from: app-c}]
EOF
topo="$PWD/sample-app/topology/default.yaml"
verdicts() { jq -c '[.assertions[] | [.id, .verdict]]' "$1"; }

# --- the reference mesh ------------------------------------------------------
"$bin" -j run "$work/s/split.yaml" "$work/s/access.yaml" --capture "$capture" --lab "$lab" --topology "$topo" \
	--out "$work/out" >"$work/ref.json" 2>"$work/ref.err"
rc=$?
check "reference run exits 3 (one INCONCLUSIVE step, no FAIL)" test $rc = 3
check "reference verdicts" test "$(verdicts "$work/ref.json")" = \
'[["split/default/t1/split","PASS"],["split/b75/t1/split","PASS"],["split/small/t1/split","INCONCLUSIVE"],["split/ab/t1/split","PASS"],["access/deny/a-to-b/access","PASS"],["access/allow/a-to-b/access","PASS"],["access/allow/c-to-b/access","PASS"]]'
check "the 20-request step names the 663 requests 75/25 needs" \
	sh -c "jq -r '.assertions[2].reason' '$work/ref.json' | grep -q '663 requests needed'"
check "HAProxy's weighted round robin: exactly 750/250" \
	test "$(jq -c '[.assertions[1].evidence.backends[].observed]' "$work/ref.json")" = '[750,250]'
check "denials are 403s from the mesh" \
	test "$(jq -c '.assertions[4].evidence.client_outcomes' "$work/ref.json")" = '{"403":50}'
check "convergence was probed and reached after applying the split" \
	test "$(jq -c '.scenarios[0].steps[1].convergence | [.checked, .converged]' "$work/ref.json")" = '[true,true]'
for sc in split access; do
	d="$work/out/reference/$sc"
	check "$sc: observations end with an end record" sh -c "zcat '$d/observations.jsonl.gz' | tail -1 | grep -q '\"t\":\"end\"'"
	check "$sc: stats records bracket the steps" sh -c "[ \$(zcat '$d/observations.jsonl.gz' | grep -c '\"t\":\"stats\"') -ge 2 ]"
	check "$sc: intent records were joined" sh -c "grep -q '\"t\":\"intent\"' '$d/intent.jsonl'"
	[ "$capture" = auto ] || check "$sc: the $capture backend captured" \
		test "$(zcat "$d/observations.jsonl.gz" | head -n 1 | jq -r .capture_backend)" = "$capture"
	PATH="$(dirname "$bin"):$PATH" "$d/replay.sh" -f json >"$work/replay-$sc.json" 2>/dev/null
	check "$sc: replay.sh gives the run's report byte for byte" cmp "$work/replay-$sc.json" "$d/report.json"
done
check "combined reports and the matrix" test -s "$work/out/reference/report.json" -a -s "$work/out/reference/junit.xml" \
	-a -s "$work/out/matrix.html"
check "matrix HTML is well-formed" xmllint --noout "$work/out/matrix.html"
check "the lab is down afterwards" sh -c "! ip netns list | grep -q '^$lab-'"

# --- a faulty mesh: the weighted split and the weight-0 side fail, nothing else ----
"$bin" run "$work/s/split.yaml" --mesh faulty-weights --capture "$capture" --lab "$lab" --topology "$topo" \
	--out "$work/out" >"$work/faulty.txt" 2>"$work/faulty.err"
rc=$?
cp "$work/out/faulty-weights/report.json" "$work/faulty.json"
check "faulty-weights run exits 1" test $rc = 1
check "progress on stderr while it runs: steps, convergence, traffic" \
	sh -c "grep -q 'step 2/4 b75' '$work/faulty.err' && grep -q 'converged after' '$work/faulty.err' && grep -q '1000 requests, 4 connections' '$work/faulty.err'"
check "progress counts the scenarios (scenario 1 of 1)" \
	test "$(grep -o '^\[[0-9]/[0-9]\] faulty-weights: scenario [a-z]*' "$work/faulty.err")" = \
	"[1/1] faulty-weights: scenario split"
check "the convergence wait names each entry and the effect it waits for" \
	sh -c "grep -q 'waiting until the mesh shows the policy: 5 probes in a row' '$work/faulty.err' &&
		grep -q 't1: default/app-a -> default/app-svc GET /echo: split app-b 75 / app-c 25' '$work/faulty.err'"
check "the verdict table on stdout" grep -q '^FAIL          split/b75/t1/split' "$work/faulty.txt"
check "faulty-weights verdicts" test "$(verdicts "$work/faulty.json")" = \
'[["split/default/t1/split","PASS"],["split/b75/t1/split","FAIL"],["split/small/t1/split","INCONCLUSIVE"],["split/ab/t1/split","FAIL"]]'
check "the weighted split fails on 700/300" \
	test "$(jq -c '[.assertions[1].evidence.backends[].observed]' "$work/faulty.json")" = '[700,300]'
check "the matrix has both meshes" grep -q 'faulty-weights' "$work/out/matrix.md"

# --- older API versions ----------------------------------------------------------
"$bin" -j run "$work/s/split.yaml" --api split=v1alpha2 --capture "$capture" --lab "$lab" --topology "$topo" \
	--out "$work/out-api" >"$work/api.json" 2>"$work/api.err"
check "split v1alpha2: the spec version in the report" \
	test "$(jq -c '[.assertions[].specversion] | unique' "$work/api.json")" = '["v1alpha2"]'
check "split v1alpha2: the rendered policy is v1alpha2" \
	grep -q 'apiVersion: split.smi-spec.io/v1alpha2' "$work/out-api/reference/split/policy/step-2.yaml"
check "split v1alpha2 cannot express matches: that step is skipped, INCONCLUSIVE" \
	sh -c "jq -r '.assertions[3] | .verdict + \" \" + .reason' '$work/api.json' | grep -q '^INCONCLUSIVE not expressible'"
check "the other steps still pass" test "$(jq -c '[.assertions[0,1].verdict]' "$work/api.json")" = '["PASS","PASS"]'
PATH="$(dirname "$bin"):$PATH" "$work/out-api/reference/split/replay.sh" -f json >"$work/replay-api.json" 2>/dev/null
check "the --api run replays byte for byte" cmp "$work/replay-api.json" "$work/out-api/reference/split/report.json"
# Older API versions name SMI releases differently (split v1alpha2 predates them) and a step
# that was not run is INCONCLUSIVE: the formats must still be what their consumers parse.
tests/formats/run.sh "$work/out-api" >"$work/formats-api.log" 2>&1
rc=$?
check "the --api run's formats are what their consumers parse" test $rc = 0
[ $rc = 0 ] || sed 's/^/    /' "$work/formats-api.log" | grep -A6 'not ok'

[ $fails -eq 0 ] && echo PASS || echo "FAIL: $fails check(s)"
[ $fails -eq 0 ]
