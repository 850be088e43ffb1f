#!/usr/bin/env bash
# run.sh - checks report files against what their consumers parse: junit.xml
# against tests/formats/junit.xsd (xmllint) and through junitparser
# (junit_check.py), meshery.json strictly against meshery_result.proto
# (meshery_check.py).
#
#   tests/formats/run.sh [OUTDIR]
#
# First the checkers check themselves: the fixtures in tests/formats/fixtures
# must pass, and each fixture broken in one known way must fail with the
# expected message (a checker that cannot fail proves nothing). Then, with
# OUTDIR (the --out directory of `smi-witness run`), every OUTDIR/MESH/ that
# holds a junit.xml or meshery.json is checked against its report.json, and
# all meshes' junit.xml files together for collisions when merged.
# Prints "ok - ..." / "not ok - ..." (with the checker's lines below a failure)
# and ends with "formats: N passed, M failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-/usr/bin/python3} # Debian's python3-protobuf and python3-junitparser live there
fx="$here/fixtures"
work=$(mktemp -d "${TMPDIR:-/tmp}/smiw-formats.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { # description, then the output that explains it
	echo "not ok - $1"
	sed 's/^/    /' "$work/out"
	failed=$((failed + 1))
}
passes() { # description, then a command that must exit 0
	local what=$1; shift
	if "$@" >"$work/out" 2>&1; then ok "$what"; else not_ok "$what"; fi
}
rejects() { # description, expected text, then a command that must exit 1 and print that text
	local what=$1 want=$2 rc; shift 2
	"$@" >"$work/out" 2>&1
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qF -- "$want" "$work/out"; then
		ok "$what"
	else
		echo "(exit $rc; expected 1 and the text: $want)" >>"$work/out"
		not_ok "$what"
	fi
}
xsd() { xmllint --noout --schema "$here/junit.xsd" "$1" 2>&1 | grep -v ' validates$'; return "${PIPESTATUS[0]}"; }
xsd_rejects() { # description, expected text, file: xmllint exits 3 for an invalid document
	local what=$1 want=$2 rc
	xmllint --noout --schema "$here/junit.xsd" "$3" >"$work/out" 2>&1
	rc=$?
	if [ "$rc" -eq 3 ] && grep -qF -- "$want" "$work/out"; then ok "$what"; else
		echo "(exit $rc; expected 3 and the text: $want)" >>"$work/out"
		not_ok "$what"
	fi
}
junit() { "$py" "$here/junit_check.py" "$@"; }
meshery() { "$py" "$here/meshery_check.py" "$@"; }

for tool in xmllint protoc "$py"; do
	if ! command -v "$tool" >/dev/null; then
		echo "not ok - $tool is installed (make deps installs it)"
		echo "formats: $passed passed, 1 failed"
		exit 1
	fi
done

# --- the checkers on known-good and known-bad inputs --------------------------
passes "fixture junit.xml is valid against junit.xsd" xsd "$fx/junit.xml"
passes "fixture junit.xml reads as its report says" junit --report "$fx/report.json" "$fx/junit.xml"
passes "fixture meshery.json parses strictly and agrees with its report" \
	meshery --report "$fx/report.json" "$fx/meshery.json"
sed 's/reference/other-mesh/g' "$fx/junit.xml" >"$work/other.xml"
passes "two meshes' junit.xml merge without collisions" junit --aggregate "$fx/junit.xml" "$work/other.xml"

bad_xml() { # NAME SED-EXPRESSION: a copy of the fixture junit.xml broken one way
	sed "$2" "$fx/junit.xml" >"$work/$1.xml"
}
bad_xml unit 's/time="0.287"/time="0.287s"/'
xsd_rejects "junit.xsd rejects a time with a unit" "'0.287s' is not accepted by the pattern" "$work/unit.xml"
bad_xml count 's/tests="2" failures="1"/tests="two" failures="1"/'
xsd_rejects "junit.xsd rejects a count that is no integer" "'two' is not a valid value" "$work/count.xml"
bad_xml attr 's/<testcase classname="reference.traffic-metrics.mixed"/& verdict="PASS"/'
xsd_rejects "junit.xsd rejects an attribute readers do not define" "attribute 'verdict' is not allowed" \
	"$work/attr.xml"
"$py" - "$fx/junit.xml" "$work/json.xml" <<'EOF'
import re, sys
# the failure body replaced by one JSON document, as the writer used to emit it
s = open(sys.argv[1]).read()
s = re.sub(r'(<failure [^>]*>)[^<]*(</failure>)', r'\1{&quot;service&quot;:&quot;app-svc&quot;}\2', s)
open(sys.argv[2], "w").write(s)
EOF
rejects "junit_check rejects a JSON failure body" "failure body is a JSON document" \
	junit --report "$fx/report.json" "$work/json.xml"
bad_xml nomesh 's/name="reference.traffic-/name="traffic-/'
bad_xml bare '/^expected: /d; /^observed: /d; /^r1a2b3c4d.2.1-5 /d'
rejects "junit_check rejects a failure body without evidence" "failure body has the reason but no evidence line" \
	junit --report "$fx/report.json" "$work/bare.xml"
bad_xml noreason 's/">app-c (weight 0) served/">the split is wrong\napp-c (weight 0) served/'
rejects "junit_check rejects a failure body that does not begin with the reason" \
	"failure body does not begin with the reason" junit --report "$fx/report.json" "$work/noreason.xml"
rejects "junit_check rejects suite names without the mesh" "name does not carry the mesh 'reference'" \
	junit --report "$fx/report.json" "$work/nomesh.xml"
bad_xml counts 's/tests="5" failures="1" errors="1"/tests="5" failures="0" errors="1"/'
rejects "junit_check rejects totals that are not the cases' own" "failures=0 but the suites hold 1" \
	junit --report "$fx/report.json" "$work/counts.xml"
bad_xml stime 's/name="reference.traffic-split" tests="2" failures="1" errors="0" skipped="0" time="2.100"/name="reference.traffic-split" tests="2" failures="1" errors="0" skipped="0" time="0.300"/'
rejects "junit_check rejects a suite time shorter than its steps" "time is shorter than its steps together" \
	junit --report "$fx/report.json" "$work/stime.xml"
bad_xml ctime 's/time="0.287"/time="0.012"/'
rejects "junit_check rejects a case time shorter than its step's traffic" "time is shorter than its step's traffic window" \
	junit --report "$fx/report.json" "$work/ctime.xml"
bad_xml steptime 's/name="a-to-c\/access" time="0.038"/name="a-to-c\/access" time="0.052"/'
rejects "junit_check rejects two times for one step" "time differs from that of another test case of the same step" \
	junit --report "$fx/report.json" "$work/steptime.xml"
bad_xml outcome 's/<error type="INCONCLUSIVE"/<failure type="INCONCLUSIVE"/; s/<\/error>/<\/failure>/; s/failures="0" errors="1"/failures="1" errors="0"/; s/tests="5" failures="1" errors="1"/tests="5" failures="2" errors="0"/'
rejects "junit_check rejects an outcome that is not the verdict's" "outcome failure where the verdict is INCONCLUSIVE" \
	junit --report "$fx/report.json" "$work/outcome.xml"
rejects "junit_check rejects files that collide when merged" "3 of 3 suite names occur more than once" \
	junit --aggregate "$fx/junit.xml" "$fx/junit.xml"

bad_json() { # NAME JQ-FILTER: a copy of the fixture meshery.json broken one way
	jq "$2" "$fx/meshery.json" >"$work/$1.json"
}
bad_json num '.passpercent = 60.0'
rejects "meshery_check rejects a number where text is expected" \
	"passpercent: a JSON number where text (a JSON string) is expected" meshery "$work/num.json"
bad_json meshstr '.mesh = "reference"'
rejects "meshery_check rejects the mesh as a plain string" "mesh: a JSON string where a ServiceMesh message is expected" \
	meshery "$work/meshstr.json"
bad_json unknown '.tool = "smi-witness 0.1.0"'
rejects "meshery_check rejects a field Meshery does not define" "tool: not a field of Response" \
	meshery "$work/unknown.json"
bad_json enum '.details[2].status = "passing"'
rejects "meshery_check rejects a status that is no enum value" "'passing' is no ResultStatus value" \
	meshery "$work/enum.json"
bad_json meshtype '.mesh.type = "HAPROXY"'
rejects "meshery_check rejects a mesh type the enum lacks" "'HAPROXY' is no Type value" meshery "$work/meshtype.json"
bad_json oneof '.details[2].result.error = {"shortDescription": "x"}'
rejects "meshery_check rejects a result with both a message and an error" "details[2].result:" \
	meshery "$work/oneof.json"
bad_json percent '.passpercent = "75.00"'
rejects "meshery_check rejects a passpercent the counts do not give" "not 100 * casespassed 3 / 5 steps = 60.00" \
	meshery "$work/percent.json"
bad_json version '.details[0].specversion = "v1alpha4"'
rejects "meshery_check rejects a specversion without the SMI release" "not RELEASE/APIVERSION" \
	meshery "$work/version.json"
bad_json twice '.details += [.details[0]] | .details[3].assertion = "1"'
rejects "meshery_check rejects two details for one SMI spec" "one detail per spec is expected" \
	meshery "$work/twice.json"
bad_json status '.details[0] |= (.status = "PASSED" | .capability = "FULL" | .result = {"message": "ok"})'
rejects "meshery_check rejects a status the report contradicts" "disagrees with report.json" \
	meshery --report "$fx/report.json" "$work/status.json"

# --- a real run's outputs ------------------------------------------------------
if [ $# -ge 1 ]; then
	out=${1%/}
	junits=()
	for dir in "$out"/*/; do
		dir=${dir%/}
		mesh=$(basename "$dir")
		[ -f "$dir/report.json" ] || continue
		if [ -f "$dir/junit.xml" ]; then
			junits+=("$dir/junit.xml")
			passes "$mesh/junit.xml is valid against junit.xsd" xsd "$dir/junit.xml"
			passes "$mesh/junit.xml reads as report.json says" junit --report "$dir/report.json" "$dir/junit.xml"
		fi
		if [ -f "$dir/meshery.json" ]; then
			passes "$mesh/meshery.json is the Meshery result and agrees with report.json" \
				meshery --report "$dir/report.json" "$dir/meshery.json"
		fi
	done
	if [ "${#junits[@]}" -ge 2 ]; then
		passes "the ${#junits[@]} meshes' junit.xml merge without collisions" junit --aggregate "${junits[@]}"
	fi
	if [ "${#junits[@]}" -eq 0 ]; then
		echo "(no MESH/report.json with junit.xml under '$out')" >"$work/out"
		not_ok "'$out' holds a run's outputs"
	fi
fi

echo "formats: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
