#!/usr/bin/env bash
# run_gamma.sh - `smi-witness run` of Gateway API mesh conformance scenarios
# in a lab of its own (root, real BPF, real HAProxy): the reference mesh
# passes every assertion, route-add-as-set (an `add` that replaces the
# client's value) fails exactly the header assertions that send the header
# first, the FAIL names the header as the backend process received it, and
# the ConformanceReport counts the tests in their profiles. The two GRPCRoute
# tests go along (unary gRPC calls, HTTP/2 to the backends): the reference
# passes them, route-add-as-set fails their `add` cases, faulty-weights
# their split. Our RequestMirror test passes on the reference (the mirror
# Service's process receives a copy of each request).
# The tests judged by response headers at the client go along too, and
# route-any-port fails exactly MeshPorts' request to the port its route
# does not bind.
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
	$g/mesh-grpcroute-request-header-modifier.yaml $g/mesh-grpcroute-weight.yaml $g/request-mirror.yaml \
	$g/mesh-ports.yaml $g/mesh-frontend.yaml $g/mesh-frontend-hostname.yaml $g/mesh-consumer-route.yaml \
	--topology "$topo" --lab "$lab" --out "$out" -q >"$out/ref.log" 2>&1
is "reference: exit 0" "$?" 0
rep="$out/reference/report.json"
is "reference: 42 assertions, all PASS" "$(verdicts "$rep" | cut -d' ' -f1 | sort | uniq -c | tr -s ' ')" " 42 PASS"
is "response headers judged at the client: the value where the route applies, absent elsewhere" \
	"$(jq -r '[.assertions[] | select(.id | test("^Mesh(Ports|Frontend|FrontendHostname|ConsumerRoute)/")) |
		"\(.id | split("/")[2])=\(.evidence.response_headers["X-Header-Set"] // .evidence.absent_response_headers[0] + " absent") \(.evidence.as_expected)"] |
		join(" ")' "$rep")" \
	"explicit-port=v1 10 excluded-port=X-Header-Set absent 10 no-port=v2 10 no-port-8080=v2 10 service=set 10 pod-address=X-Header-Set absent 10 wrong-hostname=set 10 other-service-matching-hostname=X-Header-Set absent 10 consumer=set 10 producer=X-Header-Set absent 10"
# The capture asked for the one name the routes set: the client's exchanges carry it as received.
is "MeshPorts records: the header at the client on echo-v1:80 only (10 requests each, 3 probes or more aside)" \
	"$(zcat "$out/reference/MeshPorts/observations.jsonl.gz" |
	   jq -r 'select(.t == "exchange" and .role == "client" and .pod == "client" and (.request_id | test("\\.1\\.[0-9]+-"))) |
		"\(.host) \(.response_headers["x-header-set"] // "-")"' | sort | uniq -c | sed 's/^ *//' | paste -sd' ')" \
	"10 echo-v1.gamma:80 v1 10 echo-v1.gamma:8080 - 10 echo-v2.gamma:80 v2 10 echo-v2.gamma:8080 v2"
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
	   jq -c '.profiles[] | select(.name == "MESH-HTTP") | [.name, .core.result, .core.statistics, .core.skippedTests, .extended.statistics]')" \
	'["MESH-HTTP","partial",{"Failed":0,"Passed":3,"Skipped":4},["MeshBasic","MeshHTTPRouteSimpleSameNamespace","MeshHTTPRouteWeight","MeshTrafficSplit"],{"Failed":0,"Passed":1,"Skipped":0}]'

is "gRPC: weights 70/30 by HAProxy's round robin over calls, exactly 1400/600" \
	"$(jq -c '[.assertions[] | select(.id == "MeshGRPCRouteWeight/routes/weighted/split") | .evidence.backends[].observed]' "$rep")" \
	'[1400,600]'
is "gRPC: the multi case's headers as the backend process must receive them" \
	"$(jq -c '.assertions[] | select(.id == "MeshGRPCRouteRequestHeaderModifier/routes/multi/route") | .evidence.expected |
		[.backends, .headers."x-header-add-2", .absent_headers]' "$rep")" \
	'[["gamma/echo-v2:8080 weight 1"],"add-header-2,header-add-2",["x-header-remove-2","x-header-remove-1"]]'
is "gRPC: every call served over HTTP/2 by the backend process, gRPC status 0" \
	"$(zcat "$out/reference/MeshGRPCRouteRequestHeaderModifier/observations.jsonl.gz" | jq -r 'select(.t == "exchange" and
		.comm == "sample-app" and .role == "server" and (.request_id | test("\\.c[0-9]+-") | not)) |
		[.protocol, .pod, .path, .grpc_status] | map(tostring) | join(" ")' | sort | uniq -c | awk '{$1=$1; print}' | tr '\n' ';')" \
	"30 grpc echo-v1 /smiw.echo.Echo/Echo 0;10 grpc echo-v2 /smiw.echo.Echo/Echo 0;"
is "RequestMirror: every request served by echo-v1 (its answer to the client) and a copy at echo-v2" \
	"$(zcat "$out/reference/request-mirror/observations.jsonl.gz" | jq -r 'select(.t == "exchange" and
		.comm == "sample-app" and .role == "server" and (.request_id | test("\\.c[0-9]+-") | not)) |
		[.pod, .path] | join(" ")' | sort | uniq -c | awk '{$1=$1; print}' | tr '\n' ';')" \
	"10 echo-v1 /mirror;10 echo-v1 /mirror-and-modify-headers;10 echo-v2 /mirror;10 echo-v2 /mirror-and-modify-headers;"
is "RequestMirror: the expectation names the mirror" \
	"$(jq -c '.assertions[] | select(.id == "request-mirror/routes/mirror/route") | .evidence.expected | [.backends, .mirrors]' "$rep")" \
	'[["gamma/echo-v1:8080 weight 1"],["gamma/echo-v2:8080"]]'
is "MESH-GRPC in the ConformanceReport: the two GRPCRoute tests passed, MeshBasic not run" \
	"$(python3 -c 'import sys,yaml,json; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' \
		"$out/reference/conformance-report.yaml" | jq -c '.profiles[] | select(.name == "MESH-GRPC") | [.core.result, .core.statistics, .core.skippedTests]')" \
	'["partial",{"Failed":0,"Passed":2,"Skipped":1},["MeshBasic"]]'

"$bin" run $g/mesh-httproute-request-header-modifier.yaml $g/mesh-httproute-rewrite-path.yaml \
	$g/mesh-grpcroute-request-header-modifier.yaml --mesh route-add-as-set --topology "$topo" --lab "$lab" --out "$out" -q >"$out/bad.log" 2>&1
is "route-add-as-set: exit 1" "$?" 1
is "route-add-as-set: exactly the assertions whose request carries the added header FAIL" \
	"$(verdicts "$out/route-add-as-set/report.json" | grep -v '^PASS' | tr '\n' ' ')" \
	"FAIL MeshGRPCRouteRequestHeaderModifier/routes/add/route FAIL MeshGRPCRouteRequestHeaderModifier/routes/multi/route FAIL MeshHTTPRouteRequestHeaderModifier/routes/add-existing/route FAIL MeshHTTPRouteRequestHeaderModifier/routes/case-insensitivity/route FAIL MeshHTTPRouteRequestHeaderModifier/routes/multiple/route FAIL MeshHTTPRouteRewritePath/routes/full-and-headers/route FAIL MeshHTTPRouteRewritePath/routes/prefix-and-headers/route "
is "route-add-as-set: the rest PASS" "$(verdicts "$out/route-add-as-set/report.json" | grep -c '^PASS')" 10
is "the gRPC FAIL names the header as the backend received it" \
	"$(jq -r '.assertions[] | select(.id == "MeshGRPCRouteRequestHeaderModifier/routes/add/route") | .reason' \
		"$out/route-add-as-set/report.json")" \
	"10 of 10 requests not as the routes say: header x-header-add: 'add-appends-values' (should be 'this-value-should-be-appended,add-appends-values') ×10"
is "the FAIL names the header as the backend received it" \
	"$(jq -r '.assertions[] | select(.id == "MeshHTTPRouteRequestHeaderModifier/routes/add-existing/route") | .reason' \
		"$out/route-add-as-set/report.json")" \
	"10 of 10 requests not as the routes say: header X-Header-Add: 'add-appends-values' (should be 'some-other-value,add-appends-values') ×10"
is "the ConformanceReport: MESH-HTTP core fails RequestHeaderModifier, extended RewritePath" \
	"$(python3 -c 'import sys,yaml,json; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' \
		"$out/route-add-as-set/conformance-report.yaml" |
	   jq -c '.profiles[] | [.name, .core.failedTests, .extended.failedTests, .summary]')" \
	'["MESH-GRPC",["MeshGRPCRouteRequestHeaderModifier"],null,"Core tests failed with 1 test failures."]
["MESH-HTTP",["MeshHTTPRouteRequestHeaderModifier"],["MeshHTTPRouteRewritePath"],"Core tests failed with 1 test failures. Extended tests failed with 1 test failures."]'

"$bin" run $g/mesh-grpcroute-weight.yaml --mesh faulty-weights --topology "$topo" --lab "$lab" --out "$out" -q \
	>"$out/fw.log" 2>&1
is "faulty-weights on the gRPC weights: exit 1" "$?" 1
is "faulty-weights: exactly the split FAILs, 66/34 against 70/30" \
	"$(jq -r '.assertions[] | "\(.verdict) \(.id) \(.reason | split(":")[0])"' "$out/faulty-weights/report.json")" \
	"PASS MeshGRPCRouteWeight/routes/weighted/route all 2000 requests as the routes say
FAIL MeshGRPCRouteWeight/routes/weighted/split 66.0% / 34.0% vs expected 70.0% / 30.0% (echo-v1 / echo-v2)"
# (MESH-GRPC, first, has no extended tests: its supportedFeatures are absent.)
is "the response-header tests count in no mesh profile (they need HTTPRouteResponseHeaderModification); their mesh features are claimed" \
	"$(python3 -c 'import sys,yaml,json; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' \
		"$out/reference/conformance-report.yaml" |
	   jq -c '[[.profiles[] | (.core, .extended) | (.failedTests // []), (.skippedTests // []) | .[] |
		select(test("^Mesh(Ports|Frontend|FrontendHostname|ConsumerRoute)$"))],
		(.profiles[] | .extended.supportedFeatures), (.succeededProvisionalTests // [])]')" \
	'[[],null,["MeshClusterIPMatching","MeshConsumerRoute","MeshHTTPRouteRewritePath"],[]]'

# Its probes never show the route's effect (the header where none belongs): a copy that waits 1 s, not 10.
mkdir -p "$out/short/routes" && cp $g/routes/mesh-ports.yaml "$out/short/routes/" &&
	sed 's/timeout: 10s/timeout: 1s/' $g/mesh-ports.yaml >"$out/short/mesh-ports.yaml"
"$bin" run "$out/short/mesh-ports.yaml" --mesh route-any-port --topology "$topo" --lab "$lab" --out "$out" -q \
	>"$out/any-port.log" 2>&1
is "route-any-port: exit 1" "$?" 1
is "route-any-port: only the request to the port the route does not bind FAILs, naming the header the client got" \
	"$(jq -r '.assertions[] | "\(.verdict) \(.id) \(.reason)"' "$out/route-any-port/report.json")" \
	"PASS MeshPorts/routes/explicit-port/route all 10 requests as the routes say
FAIL MeshPorts/routes/excluded-port/route 10 of 10 requests not as the routes say: response header X-Header-Set: 'v1' (should be absent) ×10 (the policy was not in effect within 1s of being applied)
PASS MeshPorts/routes/no-port/route all 10 requests as the routes say
PASS MeshPorts/routes/no-port-8080/route all 10 requests as the routes say"
check "both report.json files hold what docs/report-schema.md says" \
	python3 tests/formats/schema_check.py docs/report-schema.md "$rep" "$out/route-add-as-set/report.json" \
	"$out/faulty-weights/report.json"

itest_done
