#!/usr/bin/env bash
# formats.sh - every output format of a real run checked against what its
# consumers parse (root, real BPF, a lab of its own): every suite in specs/
# against the reference mesh, the split suites against faulty-weights and
# the metrics suite against inflate-metrics (what those break; the cells
# they leave untested are part of what the matrix must show); then
# tests/formats/run.sh on the output directory: junit.xml through the JUnit
# schema and junitparser, meshery.json strictly through Meshery's protobuf
# message, report.json against docs/report-schema.md, the charts and the
# matrix against the reports, and matrix.html rendered by headless Chromium.
# The screenshot is kept in the build's test-logs directory
# (formats-matrix.png) for a person to look at.
set -u
build=${1:-build}
bin="$(cd "$build" && pwd)/smi-witness"
[ "$(id -u)" = 0 ] || { echo "skip: the lab and the capture need root"; exit 77; }
command -v haproxy >/dev/null || { echo "skip: haproxy is not installed"; exit 77; }
lab="fm$$"
lab=${lab:0:12}
work=$(mktemp -d "${TMPDIR:-/tmp}/smiw-formats-run.XXXXXX")
trap '"$bin" lab down --lab "$lab" >/dev/null 2>&1; rm -rf "$work"' EXIT
. tests/lib/itest.sh
topo="$PWD/sample-app/topology/default.yaml"
run() { # EXPECTED-EXIT MESH SUITE...
	local want=$1 mesh=$2
	shift 2
	"$bin" run "$@" --mesh "$mesh" --keep-lab --lab "$lab" --topology "$topo" --out "$work/out" \
		>"$work/$mesh.txt" 2>"$work/$mesh.err"
	local rc=$?
	is "$mesh: run exits $want" "$rc" "$want"
	[ "$rc" = "$want" ] || { # why: what did not pass, and the run's last complaints
		jq -r '.assertions[] | select(.verdict != "PASS") | "\(.verdict) \(.id): \(.reason)"' \
			"$work/out/$mesh/report.json" 2>/dev/null | head -20
		tail -5 "$work/$mesh.err"
	} | sed 's/^/    /'
}

# The shipped suites bound convergence at 10 s. On a loaded machine the lab's
# HAProxy can take longer to put a policy in force, and this test is about the
# formats, not about the lab's speed: it runs a copy of specs/ whose bound is
# 120 s (a step that converges sooner does not wait for it).
cp -r specs "$work/specs"
sed -i 's/converge: {timeout: 10s}/converge: {timeout: 120s}/' "$work"/specs/*.yaml
is "the copy's bounds are raised" "$(grep -l 'timeout: 10s' "$work"/specs/*.yaml | wc -l)" 0
s=$work/specs
run 0 reference "$s/"
run 1 faulty-weights "$s/traffic-split.yaml" "$s/split-three-way.yaml" "$s/split-ab-header.yaml"
run 1 inflate-metrics "$s/traffic-metrics.yaml"
is "the three meshes' reports are there" "$(ls "$work"/out/*/report.json | wc -l)" 3
is "the reference mesh's report names its data plane" \
	"$(jq -r '.data_plane | startswith("HAProxy ")' "$work/out/reference/report.json")" true
# Reasons and names are data to the matrix: a copy of the reference report
# whose mesh name and one FAIL reason are full of Markdown and HTML syntax must
# come out of `matrix` showing exactly that text, in matrix.md as GitHub's
# Markdown library renders it and in matrix.html (matrix_check.py).
odd='a_b_ *x* **y** <b>tag</b> [l](http://u.invalid) \ | ~~s~~ &amp; `c` <!-- d --> & e'
jq --arg r "$odd" '.mesh = "md_*odd*_mesh" | .assertions[0].verdict = "FAIL" | .assertions[0].reason = $r' \
	"$work/out/reference/report.json" >"$work/odd.json"
"$bin" matrix "$work/odd.json" "$work/out/faulty-weights/report.json" --out "$work/odd" >/dev/null 2>&1
is "matrix over a report full of Markdown syntax" "$?" 0
/usr/bin/python3 tests/formats/matrix_check.py "$work/odd/matrix.html" "$work/odd/matrix.md" \
	"$work/odd.json" "$work/out/faulty-weights/report.json" >"$work/odd.log" 2>&1
rc=$?
is "its matrix.md and matrix.html show the text as the report has it" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/    /' "$work/odd.log"
mkdir -p "$build/test-logs"
tests/formats/run.sh "$work/out" "$build/test-logs/formats-matrix.png" >"$work/formats.log" 2>&1
rc=$?
sed 's/^/    /' "$work/formats.log"
is "tests/formats/run.sh on the run's outputs" "$rc" 0
check "not one format check failed" grep -q ', 0 failed$' "$work/formats.log"
itest_done
