#!/usr/bin/env bash
# lab_mesh.sh - the reference mesh does what the SMI objects say, and every
# faulty variant breaks exactly its one behaviour:
# - TrafficSplit 75/25: 1000 requests app-a -> app-svc land at app-b/app-c
#   within binomial expectations (counted by the backends' own /metrics);
#   weight 0 gets exactly 0; faulty-weights lands at 70/30;
# - access: service-a -> service-b allowed on GET /echo only; POST /echo and
#   GET /metrics denied (403), app-c denied everything; fail-open,
#   ignore-path, ignore-method, ignore-headers each let through what they must;
# - TCP access on a TCP service: allowed source connects, others are reset;
# - metrics variants: traffic unchanged, the exporter's numbers wrong;
# - `lab apply` reloads HAProxy without dropping connections.
set -u
build=${1:-build}
bin="$(cd "$build" && pwd)/smi-witness"
fix="$(pwd)/tests/fixtures/lab"
[ "$(id -u)" = 0 ] || { echo "skip: the lab needs root (namespaces, cgroups)"; exit 77; }
command -v haproxy >/dev/null || { echo "skip: haproxy is not installed"; exit 77; }
[ -x "$build/sample-app" ] || { echo "skip: $build/sample-app is not built"; exit 77; }

lab="lm$$"
tcplab="lt$$"
L() { "$bin" lab --lab "$lab" "$@"; }
tmp=$(mktemp -d /tmp/lab_mesh.XXXXXX)
trap 'L down >/dev/null 2>&1; "$bin" lab --lab "$tcplab" down >/dev/null 2>&1; rm -rf "$tmp"' EXIT
. tests/lib/itest.sh

apply() { L apply "$@" >/dev/null 2>"$tmp/apply.err" || { echo "# apply $*: $(cat "$tmp/apply.err")"; return 1; }; }
status_of() { # pod method service path [curl args...]: the HTTP status seen by the client
	local pod=$1 method=$2 svc=$3 path=$4; shift 4
	L exec "$pod" -- curl -s -o /dev/null -w '%{http_code}' -X "$method" "$@" "http://$svc:9091$path"
}
received() { # backend: requests its sample app counted since the last reset
	L exec app-a -- curl -s "$1:9091/metrics" | jq '.ReqReceived | length'
}
reset_backends() {
	apply --access-control off --mesh reference --clear
	for b in app-b app-c; do L exec app-a -- curl -s -o /dev/null -X DELETE "$b:9091/metrics"; done
}
drive() { # n: GET /echo on app-svc from app-a, n requests on keep-alive connections; prints "200 count" lines
	L exec app-a -- curl -s -o /dev/null -w '%{http_code}\n' "http://app-svc:9091/echo?[1-$1]" | sort | uniq -c |
		awk '{print $2, $1}'
}
mesh_metric() { # metric name and label text: the value the mesh reports, as a scraper sees it
	L exec app-a -- curl -s 198.18.1.250:8405/metrics | awk -v k="$1{$2}" '$1 == k {print $2}'
}

check "lab up" L up

# --- traffic split ------------------------------------------------------------------
reset_backends
drive 100 >/dev/null
is "no TrafficSplit: app-svc's own endpoints share alike (app-b/app-c)" "$(received app-b)/$(received app-c)" 50/50

# 1000 requests at p = 0.75: sd = 13.7; [705, 795] is about +-3.3 sd (two-sided alpha 0.001).
reset_backends
check "apply TrafficSplit 75/25" apply "$fix/split-75-25.yaml"
is "1000 requests through app-svc all answered 200" "$(drive 1000)" "200 1000"
b=$(received app-b); c=$(received app-c)
between "75/25: app-b's share of 1000" "$b" 705 795
is "75/25: app-b + app-c" "$((b + c))" 1000
is "75/25: the mesh reports the same count for app-b" \
	"$(mesh_metric haproxy_server_http_responses_total 'proxy="svc.default.app-svc.9091",server="default.app-b",code="2xx"')" "$b"

reset_backends
check "apply the same split in v1alpha1 (750m/250m)" apply "$fix/split-v1alpha1.yaml"
drive 400 >/dev/null
between "v1alpha1 75/25: app-b's share of 400" "$(received app-b)" 272 328

reset_backends
check "apply TrafficSplit 1/0" apply "$fix/split-1-0.yaml"
is "200 requests all answered 200" "$(drive 200)" "200 200"
is "weight 0: app-c gets exactly 0" "$(received app-c)" 0
is "weight 1: app-b gets all 200" "$(received app-b)" 200

reset_backends
check "apply 75/25 to faulty-weights" apply --mesh faulty-weights "$fix/split-75-25.yaml"
drive 1000 >/dev/null
b=$(received app-b)
between "faulty-weights: app-b's share of 1000 is near 700, not 750" "$b" 680 720
reset_backends
check "apply 1/0 to faulty-weights" apply --mesh faulty-weights "$fix/split-1-0.yaml"
drive 200 >/dev/null
between "faulty-weights: the weight-0 backend gets traffic" "$(received app-c)" 1 40

reset_backends
check "apply a split conditional on a header" apply "$fix/split-header.yaml"
L exec app-a -- curl -s -o /dev/null -H 'x-canary: yes-please' "http://app-svc:9091/echo?[1-20]"
is "x-canary requests all went to app-c" "$(received app-c)" 20
L exec app-a -- curl -s -o /dev/null "http://app-svc:9091/echo?[1-20]"
is "the others all went to app-b" "$(received app-b)" 20

# --- access control -------------------------------------------------------------------
# Rows: from, method, service, path, then the status under reference and each variant.
access_table() { # variant column (1 reference, 2 fail-open, 3 ignore-path, 4 ignore-method)
	while read -r from method svc path ref open ipath imethod; do
		local want
		want=$(echo "$ref $open $ipath $imethod" | cut -d' ' -f"$1")
		is "$2: $from $method $svc$path" "$(status_of "$from" "$method" "$svc" "$path")" "$want"
	done <<'EOF'
app-a GET  app-b /echo    200 200 200 200
app-a POST app-b /echo    403 200 403 200
app-a GET  app-b /metrics 403 200 200 403
app-c GET  app-b /echo    403 200 403 403
app-c POST app-b /echo    403 200 403 403
app-c GET  app-b /metrics 403 200 403 403
app-a GET  app-c /echo    403 200 403 403
EOF
}
check "access control on, no TrafficTarget" apply --access-control on --clear
is "default deny: app-a GET app-b/echo" "$(status_of app-a GET app-b /echo)" 403
is "default deny: app-b GET app-c/echo" "$(status_of app-b GET app-c /echo)" 403
col=1
for v in reference fail-open ignore-path ignore-method; do
	check "apply GET /echo a->b to $v" apply --mesh "$v" "$fix/access-get-echo.yaml"
	access_table $col "$v"
	col=$((col + 1))
done
for v in reference ignore-headers; do
	check "apply header rule to $v" apply --mesh "$v" "$fix/access-header.yaml"
	is "$v: a->b with x-user: alice" "$(status_of app-a POST app-b /echo -H 'x-user: alice')" 200
	is "$v: a->b with x-user: bob" "$(status_of app-a GET app-b /echo -H 'x-user: bob')" \
		"$([ $v = reference ] && echo 403 || echo 200)"
	is "$v: c->b with x-user: alice" "$(status_of app-c GET app-b /echo -H 'x-user: alice')" 403
done
check "apply the Meshery TCPRoute target (all ports)" apply --mesh reference "$fix/access-tcp.yaml"
is "TCPRoute allows every request a->b" "$(status_of app-a DELETE app-b /metrics)" 200
is "TCPRoute: c->b still denied" "$(status_of app-c GET app-b /echo)" 403
check "access control off again" apply --access-control off --clear
is "off: c->b allowed" "$(status_of app-c GET app-b /metrics)" 200

# --- metrics variants: traffic as before, numbers not -----------------------------------
for v in reference inflate-metrics drop-failures-metrics; do
	check "apply GET /echo a->b with access on to $v" \
		apply --mesh "$v" --access-control on "$fix/access-get-echo.yaml"
	L exec app-a -- curl -s -o /dev/null "http://app-b:9091/echo?[1-10]"
	codes=$(L exec app-a -- curl -s -o /dev/null -w '%{http_code}\n' "http://app-b:9091/metrics?[1-5]" | sort -u)
	is "$v: clients still see 403 for the denied requests" "$codes" 403
	ok2=$(mesh_metric haproxy_frontend_http_responses_total 'proxy="pod.default.app-b.9091",code="2xx"')
	bad4=$(mesh_metric haproxy_frontend_http_responses_total 'proxy="pod.default.app-b.9091",code="4xx"')
	denied=$(mesh_metric haproxy_frontend_requests_denied_total 'proxy="pod.default.app-b.9091"')
	case $v in
	reference) is "$v: 2xx/4xx/denied as they happened" "$ok2/$bad4/$denied" "10/5/5" ;;
	inflate-metrics) is "$v: 2xx/4xx inflated, denied untouched" "$ok2/$bad4/$denied" "12/6/5" ;;
	drop-failures-metrics) is "$v: 4xx and denied reported as 0" "$ok2/$bad4/$denied" "10/0/0" ;;
	esac
done
check "back to reference, access off" apply --mesh reference --access-control off --clear

# --- reload without dropping connections ---------------------------------------------
# A request in flight across a reload: its body arrives after HAProxy reloaded.
fifo_go="$tmp/go" fifo_ready="$tmp/ready"
mkfifo "$fifo_go" "$fifo_ready"
L exec app-a -- bash -c '
	exec 3<>/dev/tcp/app-b/9091
	printf "POST /echo HTTP/1.1\r\nHost: app-b\r\nContent-Length: 10\r\nConnection: close\r\n\r\n12345" >&3
	echo sent >"$1"; read -r _ <"$2"
	printf "67890" >&3
	cat <&3' _ "$fifo_ready" "$fifo_go" >"$tmp/inflight.out" 2>&1 &
inflight=$!
read -r _ <"$fifo_ready"
gen_before=$(L status -j | jq .mesh.worker.pid)
check "apply while a request is in flight" apply "$fix/split-75-25.yaml"
gen_after=$(L status -j | jq .mesh.worker.pid)
check "a new worker serves after the apply ($gen_before -> $gen_after)" test "$gen_before" != "$gen_after"
echo go >"$fifo_go"
wait $inflight
check "the in-flight request completed with 200" grep -q "^HTTP/1.1 200" "$tmp/inflight.out"
check "with its whole body echoed" grep -q "^1234567890" "$tmp/inflight.out"

# New connections during reloads: one connection per request, from before the first reload
# until after the last one, and every one answered.
lines() { wc -l <"$tmp/during.out"; }
wait_lines() { for _ in $(seq 1200); do [ "$(lines)" -ge "$1" ] && return 0; sleep 0.05; done; return 1; }
: >"$tmp/during.out"
L exec app-a -- sh -c 'while [ ! -e "$1" ]; do
	curl -s -o /dev/null -w "%{http_code}\n" -H "Connection: close" "http://app-svc:9091/echo?[1-50]"; done' \
	_ "$tmp/stop" >>"$tmp/during.out" &
load=$!
check "load running before the reloads" wait_lines 100
for f in split-1-0 split-75-25 split-1-0; do apply "$fix/$f.yaml"; done
n=$(lines)
check "load still running after the reloads" wait_lines $((n + 100))
touch "$tmp/stop"
wait $load
between "requests sent across three reloads" "$(lines)" 200 1000000
is "all of them answered 200" "$(sort -u "$tmp/during.out")" 200
check "lab down" L down

# --- TCP services: access control refuses by resetting -----------------------------------
cat >"$tmp/tcp.yaml" <<'EOF'
pods:
  - {name: client, service_account: client}
  - {name: other, service_account: other}
  - {name: server, service_account: server, labels: {app: server}}
services:
  - name: raw
    selector: {app: server}
    ports: [{port: 7000, target_port: 9091, protocol: tcp}]
EOF
cat >"$tmp/tcp-access.yaml" <<'EOF'
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: port-9091, namespace: default}
spec:
  matches:
    ports: [9091]
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: client-to-server, namespace: default}
spec:
  destination: {kind: ServiceAccount, name: server, namespace: default}
  sources:
  - {kind: ServiceAccount, name: client, namespace: default}
  rules:
  - {kind: TCPRoute, name: port-9091}
EOF
T() { "$bin" lab --lab "$tcplab" "$@"; }
check "lab up with a TCP service" T up --topology "$tmp/tcp.yaml" --access-control on
check "apply the TCP access rule" T apply "$tmp/tcp-access.yaml"
is "client reaches the TCP service" "$(T exec client -- curl -s -o /dev/null -w '%{http_code}' raw:7000/echo)" 200
T exec other -- curl -s -o /dev/null raw:7000/echo
rc=$?
check "other is cut off without any HTTP answer (curl exit $rc: 52 empty reply or 56 reset)" \
	test "$rc" = 52 -o "$rc" = 56
check "fail-open lets other through" T apply --mesh fail-open "$tmp/tcp-access.yaml"
is "fail-open: other reaches the TCP service" "$(T exec other -- curl -s -o /dev/null -w '%{http_code}' raw:7000/echo)" 200
check "lab down (TCP lab)" T down

itest_done
