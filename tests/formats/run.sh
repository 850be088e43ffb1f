#!/usr/bin/env bash
# run.sh - checks report files against what their consumers parse: junit.xml
# against tests/formats/junit.xsd (xmllint) and through junitparser
# (junit_check.py), meshery.json strictly against meshery_result.proto
# (meshery_check.py), report.json against the tables of
# docs/report-schema.md (schema_check.py), the split charts against their
# reports (svg_check.py), matrix.html and matrix.md against the reports
# (matrix_check.py, matrix.md rendered by cmark-gfm), matrix.html rendered
# by headless Chromium (screenshot.sh, png_check.py), and the JSON examples of
# docs/report-schema.md against the same checkers.
#
#   tests/formats/run.sh [OUTDIR [SCREENSHOT.png]]
#
# First the checkers check themselves: the fixtures in tests/formats/fixtures
# must pass, and each fixture broken in one known way must fail with the
# expected message (a checker that cannot fail proves nothing). Then, with
# OUTDIR (the --out directory of `smi-witness run`), every OUTDIR/MESH/ and
# OUTDIR/MESH/SCENARIO/ that holds a report.json is checked with the files
# beside it, all meshes' junit.xml files together for collisions when
# merged, and OUTDIR/matrix.*; the matrix, chart and screenshot checkers
# also reject copies of the real files broken in known ways. The screenshot
# is kept as SCREENSHOT.png when given, for a person to look at.
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
schema() { "$py" "$here/schema_check.py" "$here/../../docs/report-schema.md" "$@"; }
charts() { "$py" "$here/svg_check.py" "$@"; }
matrix() { "$py" "$here/matrix_check.py" "$@"; }

for tool in xmllint protoc jq cmark-gfm "$py"; do
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
rejects "meshery_check rejects a passpercent the counts do not give" "not 100 * casespassed 2 / 4 steps = 50.00" \
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
bad_json steps '.details[0].assertion = "3" | .passpercent = "40.00"'
rejects "meshery_check rejects a step count the report does not have" "not the 2 step(s) report.json has of this spec" \
	meshery --report "$fx/report.json" "$work/steps.json"
bad_json cases '.casespassed = "3" | .passpercent = "75.00"'
rejects "meshery_check rejects casespassed the report's steps do not give" \
	"not the 2 step(s) whose assertions all passed in report.json" meshery --report "$fx/report.json" "$work/cases.json"
bad_json specname '.details[1].smispec = "traffic-specs"'
rejects "meshery_check rejects a spec the report does not have" "an SMI spec with no assertion in report.json" \
	meshery --report "$fx/report.json" "$work/specname.json"
bad_json capability '.details[1].capability = "HALF"'
rejects "meshery_check rejects a capability the handler's rule does not give" "not NONE, which 0 of 1 passed step(s) give" \
	meshery --report "$fx/report.json" "$work/capability.json"
bad_xml elapsed 's/name="t1\/split" time="0.287"/name="t1\/split" time="0.500"/'
rejects "junit_check rejects a case time that is not its step's elapsed time" "time is not its step's elapsed time" \
	junit --report "$fx/report.json" "$work/elapsed.xml"

passes "fixture report.json holds only documented fields of the documented types" schema "$fx/report.json"
jq '.summary.extra = 1' "$fx/report.json" >"$work/undoc.json"
rejects "schema_check rejects a field the schema does not document" "summary.extra: not documented in the schema" \
	schema "$work/undoc.json"
jq '.assertions[0].step_index = "1"' "$fx/report.json" >"$work/type.json"
rejects "schema_check rejects a value of another type than documented" "assertions[].step_index (kind split): documented as integer, is a JSON string" \
	schema "$work/type.json"
jq '.assertions[0].evidence = {"backends": "app-b"}' "$fx/report.json" >"$work/kind.json"
rejects "schema_check tells evidence kinds apart" "assertions[].evidence.backends (kind split): documented as array of object, is a JSON string" \
	schema "$work/kind.json"
grep -v '^| `elapsed` | span |' "$here/../../docs/report-schema.md" >"$work/schema.md"
rejects "schema_check rejects a report field the document leaves out" "scenarios[].elapsed: not documented in the schema" \
	"$py" "$here/schema_check.py" "$work/schema.md" "$fx/report.json"
sed 's/^| `duration_s` | number | seconds from start to end/| `duration_s` | seconds | seconds from start to end/' \
	"$here/../../docs/report-schema.md" >"$work/schema2.md"
rejects "schema_check rejects a type the document does not define" "type 'seconds' is no JSON type" \
	"$py" "$here/schema_check.py" "$work/schema2.md" "$fx/report.json"

# --- the examples of the schema document ---------------------------------------
doc="$here/../../docs/report-schema.md"
doc_example() { # HEADING OUT: the first ```json block after the line HEADING
	awk -v h="$1" '$0 == h { on = 1; next } on && /^```json$/ { inside = 1; next }
		inside && /^```$/ { exit } inside' "$doc" >"$2"
}
doc_example '## `meshery.json`' "$work/doc-meshery.json"
passes "the schema document's meshery.json example parses strictly and keeps the handler's rules" \
	meshery "$work/doc-meshery.json"
jq '.details[0].capability = "HALF"' "$work/doc-meshery.json" >"$work/doc-half.json"
rejects "meshery_check rejects a single spec's capability its counts do not give" \
	"not NONE, which casespassed 2 of 9 step(s) give" meshery "$work/doc-half.json"
doc_example '## `report.json` (schema `smi-witness/report/v1`)' "$work/doc-report.json"
# The excerpt shortens with "...": those left out, the rest must be documented as it is.
jq 'walk(if type == "object" then del(.["..."]) elif type == "array" then map(select(. != "...")) else . end)' \
	"$work/doc-report.json" >"$work/doc-report-cut.json" 2>"$work/out"
passes "the schema document's report.json example holds only documented fields of the documented types" \
	schema "$work/doc-report-cut.json"

# --- a real run's outputs ------------------------------------------------------
# One directory with a report.json and the files written beside it.
check_dir() { # DIR LABEL
	local dir=$1 label=$2
	if [ -f "$dir/junit.xml" ]; then
		passes "$label/junit.xml is valid against junit.xsd" xsd "$dir/junit.xml"
		passes "$label/junit.xml reads as report.json says" junit --report "$dir/report.json" "$dir/junit.xml"
	fi
	if [ -f "$dir/meshery.json" ]; then
		passes "$label/meshery.json is the Meshery result and agrees with report.json" \
			meshery --report "$dir/report.json" "$dir/meshery.json"
	fi
	if [ -d "$dir/charts" ]; then
		passes "$label/charts show what report.json says" charts "$dir/report.json" "$dir/charts"
	fi
}

# The matrix and chart checkers against copies of real files broken one way each.
break_real() { # OUTDIR, then the mesh reports
	local out=$1 svg; shift
	sed 's/<td class="\(FULL\|HALF\|NONE\)"><a href="#[^"]*">/<td class="\1"><a>/' "$out/matrix.html" >"$work/nolink.html"
	rejects "matrix_check rejects a matrix whose cells do not link to their evidence" "no link to its assertions" \
		matrix "$work/nolink.html" "$out/matrix.md" "$@"
	sed 's/(\([0-9]*\) FAIL, /(/' "$out/matrix.md" >"$work/nofail.md"
	if ! cmp -s "$work/nofail.md" "$out/matrix.md"; then
		rejects "matrix_check rejects Markdown cells without their FAIL count" "expected '" \
			matrix "$out/matrix.html" "$work/nofail.md" "$@"
	fi
	if [ "$#" -ge 2 ]; then # a matrix of one mesh has no order to break
		"$py" - "$out/matrix.html" "$work/order.html" <<'PYEOF'
import re, sys
# the first two mesh rows of the matrix swapped
s = open(sys.argv[1]).read()
rows = re.findall(r'<tr><th><a href="#mesh-[^\n]*</tr>\n', s)
if len(rows) >= 2:
    s = s.replace(rows[0] + rows[1], rows[1] + rows[0])
open(sys.argv[2], "w").write(s)
PYEOF
		rejects "matrix_check rejects rows out of order" "(the reference first, then by name)" \
			matrix "$work/order.html" "$out/matrix.md" "$@"
	fi
	# a chart with a green bar whose expected share lies inside its interval, not on a
	# bound (0% or 100%, where the caption's rounding cannot tell and the check says nothing)
	svg=$(grep -lP 'fill="#2e7d32">observed [^<]*; expected (?!0\.0%|100\.0%)[0-9.]+%' \
		"$out"/*/charts/*.svg 2>/dev/null | head -1)
	if [ -n "$svg" ]; then
		mkdir -p "$work/charts"
		rm -f "$work/charts/"*
		cp "$(dirname "$svg")"/*.svg "$work/charts/"
		sed -i 's/fill="#2e7d32" fill-opacity/fill="#c62828" fill-opacity/' "$work/charts/$(basename "$svg")"
		rejects "svg_check rejects a bar coloured against its interval" "bar is #c62828, but" \
			charts "$(dirname "$svg")/../report.json" "$work/charts"
		cp "$svg" "$work/charts/$(basename "$svg")"
		sed -i 's/ of \([0-9]*\); expected/ of 1\1; expected/' "$work/charts/$(basename "$svg")"
		rejects "svg_check rejects a bar over another denominator" "report.json" \
			charts "$(dirname "$svg")/../report.json" "$work/charts"
		cp "$svg" "$work/charts/$(basename "$svg")"
		sed -i 's/<title>[^:]*: /<title>/' "$work/charts/$(basename "$svg")"
		rejects "svg_check rejects a chart title without the mesh" "does not name the mesh" \
			charts "$(dirname "$svg")/../report.json" "$work/charts"
	else
		echo "(no chart with a green bar whose expected share is inside its interval under '$out')" >"$work/out"
		not_ok "'$out' has a split chart to break"
	fi
}

screenshots() { # OUTDIR [SCREENSHOT.png]
	local out=$1 png=${2:-$work/matrix.png}
	passes "matrix.html renders in headless Chromium" "$here/screenshot.sh" "$out/matrix.html" "$png"
	printf '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml"><body></body></html>\n' >"$work/empty.html"
	rejects "png_check rejects a blank page" "blank:" "$here/screenshot.sh" "$work/empty.html" "$work/empty.png"
	sed 's/<style>.*<\/style>//' "$out/matrix.html" >"$work/unstyled.html"
	rejects "png_check rejects a page whose matrix did not render" "the matrix did not render" \
		"$here/screenshot.sh" "$work/unstyled.html" "$work/unstyled.png"
}

if [ $# -ge 1 ]; then
	out=${1%/}
	junits=() reports=() all=()
	for dir in "$out"/*/; do
		dir=${dir%/}
		mesh=$(basename "$dir")
		[ -f "$dir/report.json" ] || continue
		reports+=("$dir/report.json")
		all+=("$dir/report.json")
		[ -f "$dir/junit.xml" ] && junits+=("$dir/junit.xml")
		check_dir "$dir" "$mesh"
		for sub in "$dir"/*/; do
			sub=${sub%/}
			[ -f "$sub/report.json" ] || continue
			all+=("$sub/report.json")
			check_dir "$sub" "$mesh/$(basename "$sub")"
		done
	done
	if [ "${#all[@]}" -gt 0 ]; then
		passes "the ${#all[@]} report.json files hold only documented fields of the documented types" schema "${all[@]}"
	fi
	if [ "${#junits[@]}" -ge 2 ]; then
		passes "the ${#junits[@]} meshes' junit.xml merge without collisions" junit --aggregate "${junits[@]}"
	fi
	if [ "${#junits[@]}" -eq 0 ]; then
		echo "(no MESH/report.json with junit.xml under '$out')" >"$work/out"
		not_ok "'$out' holds a run's outputs"
	fi
	if [ -f "$out/matrix.html" ]; then
		passes "matrix.html and matrix.md show what the ${#reports[@]} meshes' reports say" \
			matrix "$out/matrix.html" "$out/matrix.md" "${reports[@]}"
		passes "matrix.html is well-formed XHTML" xmllint --noout "$out/matrix.html"
		break_real "$out" "${reports[@]}"
		screenshots "$out" "${2:-}"
	fi
fi

echo "formats: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
