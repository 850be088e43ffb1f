#!/usr/bin/env bash
# suites_backends.sh - every suite of specs/ against the reference mesh, once
# with each capture backend, in one lab of its own: both runs PASS every
# assertion with identical verdicts, and the measured requests (convergence
# probes aside, whose number depends on timing) produce, step by step, the
# same exchanges on both backends: as many at each pod, on each side, with
# each status. The driver's own count of answered requests is the
# independent reference: every one of them is an exchange at the driver on
# both backends.
# Whether the mesh converges within a step's timeout depends on how fast the
# machine runs the probe rounds, not on the capture: an assertion made
# INCONCLUSIVE for that alone is compared by the verdict the recorded traffic
# gave it (its evidence's "unadjusted" verdict), and counted. Every other
# INCONCLUSIVE (a capture that lost data among them) fails the test.
#
# Then every output format of those real runs is checked against what its
# consumers parse, on the second backend's output directory, to which the
# same lab adds the split suites against faulty-weights and the metrics suite
# against inflate-metrics (what those break; the cells they leave untested are
# part of what the matrix must show): tests/formats/run.sh puts junit.xml
# through the JUnit schema and junitparser, meshery.json strictly through
# Meshery's protobuf message, report.json against docs/report-schema.md, the
# charts and the matrix against the reports, and renders matrix.html in
# headless Chromium (the screenshot is kept in the build's test-logs directory
# as formats-matrix.png for a person to look at). One lab and one reference
# run per backend serve both purposes: a third run of every suite would only
# repeat the second.
set -u
build=$(realpath "${1:-build}")
bin=$build/smi-witness
. tests/lib/itest.sh
[ "$(id -u)" = 0 ] || { echo "skip: the lab and the capture need root"; exit 77; }
command -v haproxy >/dev/null || { echo "skip: haproxy is not installed"; exit 77; }
for t in jq zcat; do command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }; done

lab="sb$$"
lab=${lab:0:12}
W=$(mktemp -d /tmp/smiw-suites-XXXXXX)
cleanup() {
	"$bin" lab down --lab "$lab" >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT
topo="$PWD/sample-app/topology/default.yaml"

# The shipped suites bound convergence at 10 s. On a loaded machine the lab's
# HAProxy can take longer to put a policy in force, and this test is about the
# capture and the formats, not about the lab's speed: it runs a copy of specs/
# whose bound is 120 s (a step that converges sooner does not wait for it).
cp -r specs "$W/specs"
sed -i 's/converge: {timeout: 10s}/converge: {timeout: 120s}/' "$W"/specs/*.yaml
is "the copy's bounds are raised" "$(grep -l 'timeout: 10s' "$W"/specs/*.yaml | wc -l)" 0
s=$W/specs

# Per scenario: "scenario step.traffic role pod comm status complete count" over the measured requests.
digest() { # out-dir
	local d sc
	for d in "$1"/reference/*/; do
		sc=$(basename "$d")
		[ -f "$d/observations.jsonl.gz" ] || continue
		zcat "$d/observations.jsonl.gz" | jq -r --arg sc "$sc" 'select(.t == "exchange" and
			(.request_id | test("^[^.]+\\.[0-9]+\\.[0-9]+-[0-9]+$"))) |
			"\($sc) \(.request_id | sub("^[^.]+\\."; "") | sub("-[0-9]+$"; "")) \(.role) \(.namespace)/\(.pod) \(.comm) \(.status) \(.complete)"'
	done | sort | uniq -c | awk '{ print $2, $3, $4, $5, $6, $7, $8, $1 }'
}
# Per scenario and step: how many measured requests the driver saw answered (its intent records).
answered() { # out-dir
	local d sc
	for d in "$1"/reference/*/; do
		sc=$(basename "$d")
		[ -f "$d/intent.jsonl" ] || continue
		jq -r --arg sc "$sc" 'select(.t == "intent" and .status > 0 and
			(.request_id | test("^[^.]+\\.[0-9]+\\.[0-9]+-[0-9]+$"))) |
			"\($sc) \(.request_id | sub("^[^.]+\\."; "") | sub("-[0-9]+$"; ""))"' "$d/intent.jsonl"
	done | sort | uniq -c | awk '{ print $2, $3, $1 }'
}

for b in syscalls cgroup; do
	"$bin" -j run "$s/" --mesh reference --capture "$b" --keep-lab --lab "$lab" --topology "$topo" \
		--out "$W/$b" >"$W/$b.json" 2>"$W/$b.err"
	rc=$?
	# Verdicts, those INCONCLUSIVE only for convergence replaced by their unadjusted ones.
	jq -c '[.assertions[] | [.id, (if .verdict == "INCONCLUSIVE" and
		(.reason | startswith("the mesh did not converge")) then .evidence.unadjusted.verdict else .verdict end)]]' \
		"$W/$b.json" >"$W/$b.verdicts"
	slow=$(jq '[.assertions[] | select(.verdict == "INCONCLUSIVE" and
		(.reason | startswith("the mesh did not converge")))] | length' "$W/$b.json")
	[ "$slow" = 0 ] || echo "    $b: $slow assertion(s) INCONCLUSIVE only because the mesh converged too slowly here"
	is "$b: every suite PASSes (exit 0; 3 only for slow convergence)" \
		"$([ $rc = 0 ] || { [ $rc = 3 ] && [ "$slow" -gt 0 ]; } && echo ok || echo "exit $rc")" ok
	is "$b: the $b backend captured every scenario" \
		"$(for f in "$W/$b"/reference/*/observations.jsonl.gz; do zcat "$f" | head -n 1 | jq -r .capture_backend; done | sort -u)" "$b"
	digest "$W/$b" >"$W/$b.digest"
	answered "$W/$b" >"$W/$b.answered"
	# The driver (smi-witness drive in the source pod) counts its answered requests: step by step,
	# exactly its client-side exchanges.
	is "$b: each step's answered requests are as many exchanges at the driver" \
		"$(awk '$3 == "client" && $5 == "smi-witness" { n[$1 " " $2] += $8 } END { for (k in n) print k, n[k] }' \
		   "$W/$b.digest" | sort | diff - "$W/$b.answered" >/dev/null && echo same)" same
done
is "both backends: the same number of assertions" "$(jq length "$W/syscalls.verdicts")" "$(jq length "$W/cgroup.verdicts")"
is "both backends: identical verdicts" "$(cmp -s "$W/syscalls.verdicts" "$W/cgroup.verdicts" && echo same)" same
is "every verdict PASS" "$(jq -r '.[][1]' "$W/cgroup.verdicts" | sort -u)" PASS
is "both backends: the same exchanges for every measured request (step, side, pod, process, status)" \
	"$(diff "$W/syscalls.digest" "$W/cgroup.digest" >"$W/digest.diff" && echo same)" same
echo "    $(wc -l <"$W/cgroup.digest") (scenario, step, side, pod, process, status) groups, $(awk '{ s += $8 } END { print s }' \
	"$W/cgroup.digest") exchanges per backend, $(jq length "$W/cgroup.verdicts") assertions"
[ $fails -eq 0 ] || { head -20 "$W/digest.diff"; for f in "$W"/*.err; do tail -n 5 "$f"; done; }
# --- the formats, on the cgroup backend's output directory ------------------------------
run() { # EXPECTED-EXIT MESH SUITE...
	local want=$1 mesh=$2
	shift 2
	"$bin" run "$@" --mesh "$mesh" --keep-lab --lab "$lab" --topology "$topo" --out "$W/cgroup" \
		>"$W/$mesh.txt" 2>"$W/$mesh.err"
	local rc=$?
	is "$mesh: run exits $want" "$rc" "$want"
	[ "$rc" = "$want" ] || { # why: what did not pass, and the run's last complaints
		jq -r '.assertions[] | select(.verdict != "PASS") | "\(.verdict) \(.id): \(.reason)"' \
			"$W/cgroup/$mesh/report.json" 2>/dev/null | head -20
		tail -5 "$W/$mesh.err"
	} | sed 's/^/    /'
}
run 1 faulty-weights "$s/traffic-split.yaml" "$s/split-three-way.yaml" "$s/split-ab-header.yaml"
run 1 inflate-metrics "$s/traffic-metrics.yaml"
is "the three meshes' reports are there" "$(ls "$W"/cgroup/*/report.json | wc -l)" 3
is "the reference mesh's report names its data plane" \
	"$(jq -r '.data_plane | startswith("HAProxy ")' "$W/cgroup/reference/report.json")" true
# Reasons and names are data to the matrix: a copy of the reference report
# whose mesh name and one FAIL reason are full of Markdown and HTML syntax must
# come out of `matrix` showing exactly that text, in matrix.md as GitHub's
# Markdown library renders it and in matrix.html (matrix_check.py).
odd='a_b_ *x* **y** <b>tag</b> [l](http://u.invalid) \ | ~~s~~ &amp; `c` <!-- d --> & e'
jq --arg r "$odd" '.mesh = "md_*odd*_mesh" | .assertions[0].verdict = "FAIL" | .assertions[0].reason = $r' \
	"$W/cgroup/reference/report.json" >"$W/odd.json"
"$bin" matrix "$W/odd.json" "$W/cgroup/faulty-weights/report.json" --out "$W/odd" >/dev/null 2>&1
is "matrix over a report full of Markdown syntax" "$?" 0
/usr/bin/python3 tests/formats/matrix_check.py "$W/odd/matrix.html" "$W/odd/matrix.md" \
	"$W/odd.json" "$W/cgroup/faulty-weights/report.json" >"$W/odd.log" 2>&1
rc=$?
is "its matrix.md and matrix.html show the text as the report has it" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/    /' "$W/odd.log"
mkdir -p "$build/test-logs"
tests/formats/run.sh "$W/cgroup" "$build/test-logs/formats-matrix.png" >"$W/formats.log" 2>&1
rc=$?
sed 's/^/    /' "$W/formats.log"
is "tests/formats/run.sh on the runs' outputs" "$rc" 0
check "not one format check failed" grep -q ', 0 failed$' "$W/formats.log"
itest_done
