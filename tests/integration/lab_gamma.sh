#!/usr/bin/env bash
# lab_gamma.sh - the reference mesh (real HAProxy) does what the HTTPRoutes
# say on the gamma topology, and each route variant breaks exactly its
# class: which echo pod counted each request (their own /metrics, read on
# the pod address, past the mesh), the request line and headers the pod
# echoes, the status and Location the client saw.
set -u
build=${1:-build}
bin="$(cd "$build" && pwd)/smi-witness"
fix="$(pwd)/tests/fixtures/lab/gamma-routes.yaml"
topo="$(pwd)/sample-app/topology/gamma.yaml"
[ "$(id -u)" = 0 ] || { echo "skip: the lab needs root (namespaces, cgroups)"; exit 77; }
command -v haproxy >/dev/null || { echo "skip: haproxy is not installed"; exit 77; }
[ -x "$build/sample-app" ] || { echo "skip: $build/sample-app is not built"; exit 77; }

lab="gm$$"
L() { "$bin" lab --lab "$lab" "$@"; }
trap 'L down >/dev/null 2>&1' EXIT
. tests/lib/itest.sh

V1=198.18.0.12 V2=198.18.0.13	# the echo pods (gamma.yaml gives addresses in pod order after the client)
c() { L exec client -- curl -s "$@"; }
counts() { echo "$(c $V1:8080/metrics | jq '.ReqReceived|length')/$(c $V2:8080/metrics | jq '.ReqReceived|length')"; }
reset() { c -o /dev/null -X DELETE $V1:8080/metrics; c -o /dev/null -X DELETE $V2:8080/metrics; }
served_by() { # curl args: "v1/v2" request counts of the echo pods for one request
	reset
	c -o /dev/null "$@"
	counts
}
mesh() { L apply --mesh "$1" >/dev/null 2>&1; }
status_location() { c -o /dev/null -w '%{http_code} %{redirect_url}' "$@"; }
first_line() { c "$@" | head -1 | tr -d '\r'; }

check "lab up (gamma topology)" L up --topology "$topo"
is "no route: echo:80 shares alike (two requests)" "$(served_by http://echo/) $(served_by http://echo/)" "1/0 0/1"
check "apply the routes" L apply "$fix"
check "the rendered configuration is valid for HAProxy" haproxy -c -q -f /run/smi-witness/lab-$lab/haproxy.cfg

# --- match precedence (the mesh conformance matching cases) -------------------------
while read -r want args; do
	is "precedence: $args" "$(served_by $args)" "$want"
done <<'EOF2'
1/0 http://echo/
1/0 http://echo/example
1/0 -H version:one http://echo/
0/1 http://echo/v2
0/1 http://echo/v2/example
0/1 -H version:two http://echo/
1/0 -H version:one -H version:two http://echo/
0/1 http://echo/v2/
1/0 http://echo/v2example
1/0 http://echo/foo/v2/example
0/1 http://echo/q?animal=whale
1/0 http://echo/q?animal=dolphin
0/1 http://echo/q?animal=whale&animal=dolphin
EOF2
is "echo:8080 is not bound by the port-80 route (roundrobin: v1, v2)" \
	"$(served_by http://echo:8080/v2) $(served_by http://echo:8080/v2)" "1/0 0/1"
is "the route follows the service address, not the Host: to echo-v2 naming echo-v1, echo-v2 serves, no route header" \
	"$(served_by -H 'Host: echo-v1' http://echo-v2/headers) $(c -D - -o /dev/null -H 'Host: echo-v1' http://echo-v2/headers | grep -ic '^x-response-set')" \
	"0/1 0"
reset
is "echo-v1:80 answers 404 for a path no rule takes, and no pod sees it" \
	"$(status_location http://echo-v1/nothing) $(counts)" "404  0/0"
is "a RegularExpression path matches the whole path" \
	"$(c -D - -o /dev/null http://echo-v1/digits/12 | grep -i '^x-matched' | tr -d '\r') $(status_location http://echo-v1/digits/12x)" \
	"x-matched: regex 404 "

# --- weights: roundrobin, so 100 requests give exactly 70/30 --------------------------
weights() {
	reset
	c -o /dev/null -X POST "http://echo/w/[1-100]"
	counts
}
is "weights 70/30 over 100 requests" "$(weights)" 70/30

# --- filters --------------------------------------------------------------------------
out=$(c -H 'X-Header-Add: some-other-value' -H 'X-Header-Set: old' -H 'X-Header-Remove: x' http://echo-v1/headers/a)
is "set replaces" "$(grep -ic '^x-header-set: set-overwrites-values' <<<"$out")/$(grep -ic '^x-header-set: old' <<<"$out")" 1/0
is "add appends a field line after the client's" "$(grep -i '^x-header-add:' <<<"$out" | tr -d '\r' | paste -sd,)" \
	"x-header-add: some-other-value,x-header-add: add-appends-values"
is "remove removes" "$(grep -ic '^x-header-remove' <<<"$out")" 0
is "response header set, '%' kept" "$(c -D - -o /dev/null http://echo-v1/headers | grep -i '^x-response-set' | tr -d '\r')" \
	"x-response-set: set 100%"
is "a backendRef's filter" "$(c -H 'X-Header-Add: orig' http://echo-v1/backend-headers | grep -i '^x-header-add:' | tr -d '\r' | paste -sd,)" \
	"x-header-add: orig,x-header-add: from-backend"
reset
is "redirect to a hostname, 302, no pod sees it" "$(status_location http://echo-v1/hostname-redirect/x) $(counts)" \
	"302 http://example.org/hostname-redirect/x 0/0"
is "redirect: scheme, 301, ReplacePrefixMatch, query kept" "$(status_location 'http://echo-v1/original-prefix/lemon?x=1')" \
	"301 https://echo-v1/replacement-prefix/lemon?x=1"
is "redirect: port and ReplaceFullPath, 308" "$(status_location http://echo-v1/port/a)" "308 http://echo-v1:8083/full"
is "rewrite: ReplacePrefixMatch" "$(first_line http://echo-v1/prefix/one/two)" "GET /one/two HTTP/1.1"
is "rewrite: ReplacePrefixMatch to /" "$(first_line http://echo-v1/strip-prefix/three)" "GET /three HTTP/1.1"
is "rewrite: the prefix alone becomes /" "$(first_line http://echo-v1/strip-prefix)" "GET / HTTP/1.1"
is "rewrite: ReplaceFullPath and hostname" \
	"$(c http://echo-v1/full/one/two | grep -E '^(GET|host:)' | tr -d '\r' | paste -sd' ')" "GET /one HTTP/1.1 host: rewritten.example"

# --- each faulty variant breaks its class, and only what it must ----------------------
mesh route-list-order
is "route-list-order: /v2 goes to the first rule listed" "$(served_by http://echo/v2)" 1/0
is "route-list-order: redirects untouched" "$(status_location http://echo-v1/port/a)" "308 http://echo-v1:8083/full"
mesh route-loose-prefix
is "route-loose-prefix: /v2example taken by the /v2 prefix" "$(served_by http://echo/v2example)" 0/1
is "route-loose-prefix: /v2 still right" "$(served_by http://echo/v2)" 0/1
mesh route-add-as-set
is "route-add-as-set: the client's value is lost" \
	"$(c -H 'X-Header-Add: some-other-value' http://echo-v1/headers | grep -i '^x-header-add:' | tr -d '\r' | paste -sd,)" \
	"x-header-add: add-appends-values"
mesh route-redirect-host
is "route-redirect-host: the Location keeps the request's host" "$(status_location http://echo-v1/hostname-redirect)" \
	"302 http://echo-v1/hostname-redirect"
mesh route-no-rewrite
is "route-no-rewrite: the path arrives unchanged" "$(first_line http://echo-v1/prefix/one/two)" "GET /prefix/one/two HTTP/1.1"
is "route-no-rewrite: redirect paths still rewritten" "$(status_location http://echo-v1/port/a)" "308 http://echo-v1:8083/full"
mesh route-any-port
is "route-any-port: echo:8080 takes the route bound to port 80 (/v2 to v2, twice)" \
	"$(served_by http://echo:8080/v2) $(served_by http://echo:8080/v2)" "0/1 0/1"
is "route-any-port: echo:80 as before" "$(served_by http://echo/v2example)" 1/0
mesh route-no-response-headers
is "route-no-response-headers: the response header is not set, the request headers still are" \
	"$(c -D - -o /dev/null http://echo-v1/headers | grep -ic '^x-response-set') $(c -H 'X-Header-Set: old' http://echo-v1/headers/a | grep -ic '^x-header-set: set-overwrites-values')" \
	"0 1"
mesh route-by-host
is "route-by-host: to echo-v2 naming echo-v1, echo-v1's route serves (and sets its header)" \
	"$(served_by -H 'Host: echo-v1' http://echo-v2/headers) $(c -D - -o /dev/null -H 'Host: echo-v1' http://echo-v2/headers | grep -ic '^x-response-set')" \
	"1/0 1"
is "route-by-host: a Host naming the service itself as before" "$(served_by http://echo/v2)" 0/1
mesh faulty-weights
is "faulty-weights: 70/30 pulled toward even (66/34)" "$(weights)" 66/34
mesh reference
is "back to the reference: 70/30" "$(weights)" 70/30
check "lab down" L down

itest_done
