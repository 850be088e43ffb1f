#!/usr/bin/env bash
# run_gamma.sh - `smi-witness run` of Gateway API mesh conformance scenarios
# in a lab of its own (root, real BPF, real HAProxy): the reference mesh
# passes every assertion, route-add-as-set (an `add` that replaces the
# client's value) fails exactly the header assertions that send the header
# first, the FAIL names the header as the backend process received it, and
# the ConformanceReport counts the tests in their profiles.
set -u
build=${1:-build}
bin="$(cd "$build" && pwd)/smi-witness"
if [ "$(id -u)" != 0 ]; then
	echo "skip: the lab and the capture need root"; exit 77
fi
command -v haproxy >/dev/null || { echo "skip: haproxy is not installed"; exit 77; }
. tests/lib/itest.sh
lab="gr$$"
lab=${lab:0:12}
out=$(mktemp -d "${TMPDIR:-/tmp}/smiw-rungamma.XXXXXX")
cleanup() {
	"$bin" lab down --lab "$lab" >/dev/null 2>&1
	rm -rf "$out"
}
trap cleanup EXIT
topo="$PWD/sample-app/topology/gamma.yaml"
g=specs/gamma
verdicts() { # report.json -> "VERDICT id" lines, sorted
	jq -r '.assertions[] | "\(.verdict) \(.id)"' "$1" | sort
}

"$bin" run $g/mesh-httproute-matching.yaml $g/mesh-httproute-request-header-modifier.yaml \
	$g/mesh-httproute-redirect-host-and-status.yaml $g/mesh-httproute-rewrite-path.yaml \
	--topology "$topo" --lab "$lab" --out "$out" -q >"$out/ref.log" 2>&1
is "reference: exit 0" "$?" 0
rep="$out/reference/report.json"
is "reference: 24 assertions, all PASS" "$(verdicts "$rep" | cut -d' ' -f1 | sort | uniq -c | tr -s ' ')" " 24 PASS"
is "assertions are of the GAMMA category, spec mesh-http v1" \
	"$(jq -r '[.assertions[] | "\(.category) \(.smispec) \(.specversion)"] | unique | join(";")' "$rep")" "GAMMA mesh-http v1"
is "a redirect: the Location the client received, no backend reached" \
	"$(jq -r '.assertions[] | select(.id == "MeshHTTPRouteRedirectHostAndStatus/routes/host-and-status/route") |
		"\(.evidence.expected.status) \(.evidence.expected.location) \(.evidence.as_expected)/\(.evidence.requests)"' "$rep")" \
	"301 http://example.org/host-and-status 10/10"
is "a rewrite: the path and headers the backend process must receive" \
	"$(jq -c '.assertions[] | select(.id == "MeshHTTPRouteRewritePath/routes/prefix-and-headers/route") | .evidence.expected |
		[.path, .headers, .absent_headers]' "$rep")" \
	'["/prefix/one",{"X-Header-Add-Append":"append-val-1,header-val-2","X-Header-Set":"set-overwrites-values","X-Header-Add":"header-val-1"},["X-Header-Remove"]]'
is "MESH-HTTP in the ConformanceReport: 3 core tests passed (the other 4 not run: skipped), 1 extended" \
	"$(yaml() { python3 -c 'import sys,yaml,json; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' "$1"; }
	   yaml "$out/reference/conformance-report.yaml" |
	   jq -c '.profiles[] | [.name, .core.result, .core.statistics, .core.skippedTests, .extended.statistics]')" \
	'["MESH-HTTP","partial",{"Failed":0,"Passed":3,"Skipped":4},["MeshBasic","MeshHTTPRouteSimpleSameNamespace","MeshHTTPRouteWeight","MeshTrafficSplit"],{"Failed":0,"Passed":1,"Skipped":0}]'

"$bin" run $g/mesh-httproute-request-header-modifier.yaml $g/mesh-httproute-rewrite-path.yaml \
	--mesh route-add-as-set --topology "$topo" --lab "$lab" --out "$out" -q >"$out/bad.log" 2>&1
is "route-add-as-set: exit 1" "$?" 1
is "route-add-as-set: exactly the assertions whose request carries the added header FAIL" \
	"$(verdicts "$out/route-add-as-set/report.json" | grep -v '^PASS' | tr '\n' ' ')" \
	"FAIL MeshHTTPRouteRequestHeaderModifier/routes/add-existing/route FAIL MeshHTTPRouteRequestHeaderModifier/routes/case-insensitivity/route FAIL MeshHTTPRouteRequestHeaderModifier/routes/multiple/route FAIL MeshHTTPRouteRewritePath/routes/full-and-headers/route FAIL MeshHTTPRouteRewritePath/routes/prefix-and-headers/route "
is "route-add-as-set: the rest PASS" "$(verdicts "$out/route-add-as-set/report.json" | grep -c '^PASS')" 8
is "the FAIL names the header as the backend received it" \
	"$(jq -r '.assertions[] | select(.id == "MeshHTTPRouteRequestHeaderModifier/routes/add-existing/route") | .reason' \
		"$out/route-add-as-set/report.json")" \
	"10 of 10 requests not as the routes say: header X-Header-Add: 'add-appends-values' (should be 'some-other-value,add-appends-values') ×10"
is "the ConformanceReport: MESH-HTTP core fails RequestHeaderModifier, extended RewritePath" \
	"$(python3 -c 'import sys,yaml,json; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' \
		"$out/route-add-as-set/conformance-report.yaml" |
	   jq -c '.profiles[] | [.name, .core.failedTests, .extended.failedTests, .summary]')" \
	'["MESH-HTTP",["MeshHTTPRouteRequestHeaderModifier"],["MeshHTTPRouteRewritePath"],"Core tests failed with 1 test failures. Extended tests failed with 1 test failures."]'
check "both report.json files hold what docs/report-schema.md says" \
	python3 tests/formats/schema_check.py docs/report-schema.md "$rep" "$out/route-add-as-set/report.json"

itest_done
