#!/usr/bin/env bash
# smi_lint.sh - `smi-witness lint` as users call it: exit codes, every problem
# listed with file:line, the table, -j, stdin, --assume-api and --to.
set -u
build=${1:-build}
bin="$build/smi-witness"
fx=tests/fixtures/smi
fails=0
check() { # description, then a command that must succeed
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}
rc_of() { "$@" >/dev/null 2>&1; echo $?; }
tmp=$(mktemp -d /tmp/smi-lint.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

check "help lists lint" sh -c "'$bin' help | grep -q '^  lint '"
check "lint --help has an EXAMPLES block" sh -c "'$bin' lint --help | grep -q '^EXAMPLES'"
check "lint without files exits 2" test "$(rc_of "$bin" lint)" = 2
check "bad --assume-api exits 2" test "$(rc_of "$bin" lint --assume-api split=v9 x.yaml)" = 2
check "valid manifests exit 0" test "$(rc_of "$bin" lint $fx/meshery/traffic-split/08-install.yaml)" = 0
check "invalid manifests exit 2" test "$(rc_of "$bin" lint $fx/meshery/traffic-spec/03-install.yaml)" = 2
check "a missing file exits 2" test "$(rc_of "$bin" lint "$tmp/none.yaml")" = 2

"$bin" lint $fx/meshery/traffic-spec/03-install.yaml >"$tmp/out" 2>"$tmp/err"
check "every problem listed with file:line" test "$(grep -c "^$fx/meshery/traffic-spec/03-install.yaml:[0-9]" "$tmp/err")" = 6
check "the misplaced matches are named" grep -qF "03-install.yaml:2:1: error: spec: required field missing" "$tmp/err"
check "the pruned port is a warning" grep -qF "03-install.yaml:22:5: warning: spec.destination.port: field not defined in access.smi-spec.io/v1alpha3 TrafficTarget; Kubernetes drops it" "$tmp/err"
check "summary line counts" grep -qx "0 objects, 2 errors, 4 warnings, 0 other documents skipped" "$tmp/err"

"$bin" lint -a split=v1alpha1 $fx/spec/split-v1alpha1-01-my-weights.yaml >"$tmp/out" 2>/dev/null
check "table row for the split" grep -qE "^TrafficSplit +default +my-weights +split.smi-spec.io/v1alpha1 +numbers -> one 0.6%, two 6.2%, three 93.2%$" "$tmp/out"

out=$("$bin" lint -j -a split=v1alpha1 $fx/spec/split-v1alpha1-01-my-weights.yaml 2>/dev/null)
check "-j: ok and one object" test "$(jq -c '[.ok, (.objects|length), .errors]' <<<"$out")" = '[true,1,0]'
check "-j: weights in thousandths" test "$(jq -c '[.objects[0].backends[].weight_milli]' <<<"$out")" = '[10,100,1500]'
out=$("$bin" lint -j $fx/meshery/traffic-spec/03-install.yaml 2>/dev/null)
check "-j: problems with line and path" test "$(jq -c '.problems[0] | [.severity, .line, .path]' <<<"$out")" = '["error",2,"spec"]'

check "stdin as -" sh -c "'$bin' lint - < $fx/meshery/traffic-split/04-install.yaml 2>/dev/null | grep -q '^TrafficSplit'"
"$bin" lint --to split=v1alpha1 $fx/meshery/traffic-split/08-install.yaml >"$tmp/v1.yaml" 2>/dev/null
check "--to writes split v1alpha1" grep -qx "apiVersion: split.smi-spec.io/v1alpha1" "$tmp/v1.yaml"
check "--to output loads back" test "$(rc_of "$bin" lint "$tmp/v1.yaml")" = 0
check "--to refuses what a version cannot express" test "$(rc_of "$bin" lint -a specs=v1alpha4 --to specs=v1alpha1 $fx/spec/specs-v1alpha4-06-the-routes.yaml)" = 2
check "--to says why" sh -c "'$bin' lint -a specs=v1alpha4 --to specs=v1alpha1 $fx/spec/specs-v1alpha4-06-the-routes.yaml 2>&1 | grep -qxF \"error: cannot write: TCPRoute 'default/the-routes': ports need specs.smi-spec.io v1alpha4 (earlier TCPRoutes cover every port)\""
check "lint of every SMI document example and Meshery manifest prints no crash" \
	sh -c "for f in $fx/spec/*.yaml $fx/meshery/*/*.yaml; do '$bin' lint -a split=v1alpha4,access=v1alpha3,specs=v1alpha4,metrics=v1alpha1 \"\$f\" >/dev/null 2>&1; [ \$? -le 2 ] || exit 1; done"

# Gateway API routes, alone and beside SMI objects in one file.
gx=tests/fixtures/gateway
check "valid routes exit 0" test "$(rc_of "$bin" lint $gx/matching.yaml $gx/split.yaml $gx/consumer.yaml $gx/versions.yaml)" = 0
"$bin" lint $gx/matching.yaml $gx/versions.yaml >"$tmp/out" 2>"$tmp/err"
check "table row for an HTTPRoute" grep -qE "^HTTPRoute +gateway-conformance-mesh +mesh-matching +gateway.networking.k8s.io/v1 +echo:80 -> 2 rules, 2 backends$" "$tmp/out"
check "table row for a v1alpha2 GRPCRoute" grep -qE "^GRPCRoute +n +g +gateway.networking.k8s.io/v1alpha2 +echo:7070 -> 1 rule, 1 backend$" "$tmp/out"
check "routes count as objects" grep -qx "4 objects, 0 errors, 0 warnings, 0 other documents skipped" "$tmp/err"
check "a mixed file with problems exits 2" test "$(rc_of "$bin" lint $gx/mixed-bad.yaml)" = 2
"$bin" lint $gx/mixed-bad.yaml >"$tmp/out" 2>"$tmp/err"
check "the SMI problem at file:line:col" grep -qxF "$gx/mixed-bad.yaml:10:13: error: spec.backends[0].weight: not an integer" "$tmp/err"
check "the route problem at file:line:col" grep -qxF "$gx/mixed-bad.yaml:24:60: error: spec.rules[0].filters[0].requestRedirect.statusCode: 304 is not one of 301, 302, 303, 307 or 308" "$tmp/err"
check "mixed summary" grep -qx "0 objects, 2 errors, 0 warnings, 1 other document skipped" "$tmp/err"
out=$("$bin" lint -j $gx/split.yaml 2>/dev/null)
check "-j: a route's rules, matches and shares" test "$(jq -c '.objects[0] | [.kind, .apiVersion, .rules[0].name, .rules[2].matches[0].path.type, [.rules[2].backendRefs[].share]]' <<<"$out")" = '["HTTPRoute","gateway.networking.k8s.io/v1","to-v1","RegularExpression",[0.7,0.3]]'
check "--to refuses routes instead of dropping them" test "$(rc_of "$bin" lint --to split=v1alpha2 $gx/split.yaml)" = 2
check "kubectl List of routes on stdin" sh -c "'$bin' lint - < $gx/versions.yaml 2>/dev/null | grep -q '^HTTPRoute '"
check "--topology: the lab renders the gamma routes" \
	test "$(rc_of "$bin" lint --topology sample-app/topology/gamma.yaml tests/fixtures/lab/gamma-routes.yaml)" = 0
sed -e 's/^kind: HTTPRoute$/kind: GRPCRoute/' -e '/^  rules:$/q' tests/fixtures/lab/gamma-routes.yaml >"$tmp/grpc.yaml"
printf '  - backendRefs: [{name: echo-v1, port: 8080}]\n' >>"$tmp/grpc.yaml"
check "a GRPCRoute on a lab service is valid without --topology" test "$(rc_of "$bin" lint "$tmp/grpc.yaml")" = 0
check "--topology: the lab renders a GRPCRoute alone on a port" \
	test "$(rc_of "$bin" lint --topology sample-app/topology/gamma.yaml "$tmp/grpc.yaml")" = 0
check "--topology refuses what the lab cannot render (exit 2)" \
	test "$(rc_of "$bin" lint --topology sample-app/topology/gamma.yaml "$tmp/grpc.yaml" tests/fixtures/lab/gamma-routes.yaml)" = 2
check "--topology says which routes and why" sh -c "'$bin' lint --topology sample-app/topology/gamma.yaml '$tmp/grpc.yaml' tests/fixtures/lab/gamma-routes.yaml 2>&1 | grep -qxF 'error: GRPCRoute gamma/matching and HTTPRoute gamma/matching: the lab renders one kind of route per service port (gamma/echo:80)'"

[ $fails -eq 0 ] && echo PASS || echo "FAIL: $fails check(s)"
[ $fails -eq 0 ]
