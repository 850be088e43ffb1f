#!/usr/bin/env bash
# soak_gamma.sh [BIN] [RUNS] - the Gateway API mesh tests RUNS times (default
# 20) in a lab of their own: the reference mesh over the whole suite must
# pass every assertion, and each route variant, over the tests of its class,
# must FAIL exactly the assertions below (docs/gamma.md) and PASS the rest.
# Counts, per mesh, the runs that were exactly right. Results in build/soak-gamma/.
set -u
bin=${1:-build/smi-witness}
runs=${2:-20}
out=build/soak-gamma
topo=sample-app/topology/gamma.yaml
lab="sg$$"
lab=${lab:0:12}
rm -rf "$out" && mkdir -p "$out"
trap '"$bin" lab down --lab "$lab" >/dev/null 2>&1' EXIT
g=specs/gamma
declare -A suites fails
suites[reference]="$g"
fails[reference]=""
suites[route-add-as-set]="$g/mesh-httproute-request-header-modifier.yaml $g/mesh-httproute-backend-request-header-modifier.yaml $g/mesh-httproute-rewrite-path.yaml $g/mesh-grpcroute-request-header-modifier.yaml"
fails[route-add-as-set]="MeshHTTPRouteBackendRequestHeaderModifier/routes/add-existing/route
MeshHTTPRouteBackendRequestHeaderModifier/routes/case-insensitivity/route
MeshHTTPRouteBackendRequestHeaderModifier/routes/multiple/route
MeshHTTPRouteRequestHeaderModifier/routes/add-existing/route
MeshHTTPRouteRequestHeaderModifier/routes/case-insensitivity/route
MeshHTTPRouteRequestHeaderModifier/routes/multiple/route
MeshHTTPRouteRewritePath/routes/full-and-headers/route
MeshHTTPRouteRewritePath/routes/prefix-and-headers/route
MeshGRPCRouteRequestHeaderModifier/routes/add/route
MeshGRPCRouteRequestHeaderModifier/routes/multi/route"
suites[route-redirect-host]="$g/mesh-httproute-redirect-host-and-status.yaml $g/mesh-httproute-redirect-path.yaml $g/mesh-httproute-redirect-port.yaml $g/mesh-httproute-scheme-redirect.yaml $g/mesh-httproute-303-redirect.yaml"
fails[route-redirect-host]="MeshHTTPRouteRedirectHostAndStatus/routes/host-and-status/route
MeshHTTPRouteRedirectHostAndStatus/routes/hostname-redirect/route
MeshHTTPRouteRedirectPath/routes/full-path-and-host/route
MeshHTTPRouteRedirectPath/routes/path-and-host/route
MeshHTTPRouteRedirectPort/routes/port-and-host-and-status/route
MeshHTTPRouteRedirectPort/routes/port-and-host/route
MeshHTTPRouteSchemeRedirect/routes/scheme-and-host-and-status/route
MeshHTTPRouteSchemeRedirect/routes/scheme-and-host/route"
suites[route-no-rewrite]="$g/mesh-httproute-rewrite-path.yaml $g/mesh-httproute-redirect-path.yaml"
fails[route-no-rewrite]="MeshHTTPRouteRewritePath/routes/full-and-headers/route
MeshHTTPRouteRewritePath/routes/full-one/route
MeshHTTPRouteRewritePath/routes/prefix-and-headers/route
MeshHTTPRouteRewritePath/routes/prefix-one/route
MeshHTTPRouteRewritePath/routes/strip-prefix-alone/route
MeshHTTPRouteRewritePath/routes/strip-prefix/route"
suites[route-list-order]="$g/mesh-httproute-matching.yaml $g/mesh-httproute-query-param-matching.yaml"
fails[route-list-order]="MeshHTTPRouteMatching/routes/root-version-two/route
MeshHTTPRouteMatching/routes/v2-example/route
MeshHTTPRouteMatching/routes/v2-slash/route
MeshHTTPRouteMatching/routes/v2/route
MeshHTTPRouteQueryParamMatching/routes/whale-version-one/route"
suites[route-loose-prefix]="$g/mesh-httproute-matching.yaml $g/mesh-httproute-redirect-port.yaml"
fails[route-loose-prefix]="MeshHTTPRouteMatching/routes/v2example/route"
suites[route-consumer-everywhere]="$g/consumer-route.yaml $g/mesh-consumer-route.yaml"
fails[route-consumer-everywhere]="MeshConsumerRoute/routes/producer/route
consumer-route/both/producer/route"
suites[route-any-port]="$g/mesh-ports.yaml"
fails[route-any-port]="MeshPorts/routes/excluded-port/route"
suites[route-no-response-headers]="$g/mesh-ports.yaml $g/mesh-frontend.yaml $g/mesh-frontend-hostname.yaml $g/mesh-consumer-route.yaml"
fails[route-no-response-headers]="MeshConsumerRoute/routes/consumer/route
MeshFrontend/routes/service/route
MeshFrontendHostname/routes/wrong-hostname/route
MeshPorts/routes/explicit-port/route
MeshPorts/routes/no-port-8080/route
MeshPorts/routes/no-port/route"
suites[route-by-host]="$g/mesh-frontend-hostname.yaml $g/mesh-frontend.yaml"
fails[route-by-host]="MeshFrontendHostname/routes/other-service-matching-hostname/route
MeshFrontendHostname/routes/wrong-hostname/route"
suites[faulty-weights]="$g/mesh-httproute-weight.yaml $g/mesh-traffic-split.yaml $g/mesh-grpcroute-weight.yaml"
fails[faulty-weights]="MeshHTTPRouteWeight/routes/weighted/split
MeshGRPCRouteWeight/routes/weighted/split"
suites[route-no-mirror]="$g/request-mirror.yaml $g/mesh-httproute-request-header-modifier.yaml"
fails[route-no-mirror]="request-mirror/routes/mirror-and-modify-headers/route
request-mirror/routes/mirror/route"
meshes="reference route-add-as-set route-redirect-host route-no-rewrite route-list-order route-loose-prefix
	route-consumer-everywhere route-any-port route-no-response-headers route-by-host faulty-weights route-no-mirror"
declare -A exact
for m in $meshes; do exact[$m]=0; done
for i in $(seq 1 "$runs"); do
	for m in $meshes; do
		# shellcheck disable=SC2086 # the suites are words
		"$bin" -j run ${suites[$m]} --topology "$topo" --lab "$lab" --mesh "$m" --out "$out/$i" \
			>"$out/$i-$m.json" 2>"$out/$i-$m.log"
		got=$(jq -r '.assertions[] | select(.verdict != "PASS") | "\(.verdict) \(.id)"' \
			"$out/$i/$m/report.json" 2>/dev/null | sort)
		want=$(printf '%s\n' "${fails[$m]}" | sed '/^$/d; s/^/FAIL /' | sort)
		if [ -s "$out/$i/$m/report.json" ] && [ "$got" = "$want" ]; then
			exact[$m]=$((exact[$m] + 1))
		else
			echo "run $i, $m: not exactly its FAILs:"
			diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
		fi
	done
	echo "run $i done"
done
all=0
for m in $meshes; do
	echo "soak-gamma: $m exact in ${exact[$m]} of $runs runs"
	[ "${exact[$m]}" -eq "$runs" ] || all=1
done
exit $all
