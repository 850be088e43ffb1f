#!/usr/bin/env bash
# workload_h2.sh - the sample workload over HTTP/2 and gRPC, captured and
# counted three ways on the same traffic. A sandbox network namespace holds
# two pods: "client" (the driver, h2load, nghttp, curl) and "server" (the
# sample app), each its own cgroup; `smi-witness observe` watches both with
# an inventory naming them, tcpdump records the loopback for tshark.
#  - 1000 gRPC calls and 1000 h2c requests from the driver, 10 connections
#    each: exactly 1000 exchanges per side per run, status 200 and gRPC
#    status 0, the very request ids of the driver's intent records, 100
#    streams on each connection;
#  - gRPC calls of an unknown method (trailers-only, gRPC status 12) and
#    requests of a missing path (404): the right status on both sides;
#  - h2load's 1000 requests: as many exchanges each side as h2load counts;
#  - nghttp and curl upgrading with Upgrade: h2c: stream 1 is the HTTP/1.1
#    request on both sides;
#  - tshark's HTTP/2 dissector on the packets: per connection, as many
#    request and response header blocks as capture has exchanges;
#  - a capture started while the driver's connections are open: both ends
#    reported lost (late), and `verify` says INCONCLUSIVE, naming them.
# observe runs with the default snaplen (4096): the sample app writes each
# stream's response on its own, well below it.
set -u
build=$(realpath "${1:-build}")
bin=$build/smi-witness
. tests/lib/itest.sh
. tests/lib/sandbox.sh
sandbox_require jq h2load nghttp tcpdump tshark
sandbox_init h2wl
sandbox_add pod
# The server pod: a cgroup of its own in the same network namespace (removed by the cleanup).
srv_cg=$sandbox_cg2/$sandbox_name-srv
mkdir "$srv_cg" || { echo "cannot create $srv_cg"; exit 1; }
sandbox_list+=("$pod_ns $srv_cg")
srv=(sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec nsenter --net="/run/netns/$0" "$@"' "$pod_ns" "$srv_cg")
innet() { nsenter --net="/run/netns/$pod_ns" "$@"; }

SERVICE_NAME=server PORT=9091 "${srv[@]}" "$build/sample-app" 2>"$tmp/app.log" &
pids+=($!)
for _ in $(seq 100); do innet curl -s -o /dev/null http://127.0.0.3:9091/metrics && break; sleep 0.05; done
# The client reaches the server at 127.0.0.3, from 127.0.0.1: one address per pod.
jq -n --arg c "$pod_cg" --arg s "$srv_cg" --arg ns "$pod_ns" '{version: 1, node: "h2wl", source: "test",
	pods: [{namespace: "ns1", name: "client", service_account: "sa-client", labels: {app: "client"},
		ip: "127.0.0.1", cgroup_path: $c, netns: $ns},
	       {namespace: "ns1", name: "server", service_account: "sa-server", labels: {app: "server"},
		ip: "127.0.0.3", cgroup_path: $s, netns: $ns}],
	services: [{namespace: "ns1", name: "app-svc", ip: "127.0.0.3", ports: [9091],
		selector: {app: "server"}, endpoints: ["ns1/server"]}]}' >"$tmp/inv.json"

start_observe() { # out
	"$bin" observe --inventory "$tmp/inv.json" --out "$1" --stats-interval 1s 2>"$1.log" &
	obs=$!
	pids+=($obs)
	for _ in $(seq 100); do grep -qs '^observe: watching' "$1.log" && return 0; sleep 0.05; done
	cat "$1.log"; return 1
}
stop_observe() { kill -INT "$obs"; wait "$obs"; }
drive() { # run-id intent args...: the driver in the client pod, its JSON summary in $tmp/RUN.json
	local run=$1 intent=$2; shift 2
	"${pod[@]}" "$bin" -j drive --no-progress --run-id "$run" --intent "$intent" "$@" >"$tmp/$run.json" 2>&1
}
url=http://127.0.0.3:9091

# --- the driver, h2load, nghttp and curl, captured from the start -------------
check "observe attached" start_observe "$tmp/obs.jsonl"
# nsenter execs tcpdump, so $! is tcpdump itself and SIGINT ends it cleanly.
nsenter --net="/run/netns/$pod_ns" tcpdump -i lo -s 0 -U -w "$tmp/h2.pcap" 'tcp port 9091' 2>"$tmp/tcpdump.log" &
tcpd=$!
pids+=($tcpd)
for _ in $(seq 100); do grep -qs 'listening on' "$tmp/tcpdump.log" && break; sleep 0.05; done
check "driver: 1000 gRPC calls over 10 connections" \
	drive grpc1 "$tmp/grpc1.intent" --grpc -n 1000 -c 10 "$url/smiw.echo.Echo/Echo"
check "driver: 1000 h2c requests over 10 connections" drive h2c1 "$tmp/h2c1.intent" --http2 -n 1000 -c 10 "$url/echo"
check "driver: 40 h2c requests, --new-connections, 2 at a time" \
	drive h2new "$tmp/h2new.intent" --http2 --new-connections -n 40 -c 2 "$url/echo"
drive grpc12 "$tmp/grpc12.intent" --grpc -n 100 -c 2 "$url/smiw.echo.Echo/Nope"
drive h2c404 "$tmp/h2c404.intent" --http2 -n 100 -c 2 "$url/missing"
is "driver: gRPC calls answered, gRPC status 0 (its own count)" \
	"$(jq -c '[.responses, .status, .grpc_status]' "$tmp/grpc1.json")" '[1000,{"200":1000},{"0":1000}]'
is "driver: h2c requests answered 200 (its own count)" "$(jq -c '[.responses, .status]' "$tmp/h2c1.json")" \
	'[1000,{"200":1000}]'
is "driver: unknown gRPC method: status 12 (its own count)" "$(jq -c '.grpc_status' "$tmp/grpc12.json")" '{"12":100}'
is "driver: missing path: 404 (its own count)" "$(jq -c '.status' "$tmp/h2c404.json")" '{"404":100}'
"${pod[@]}" h2load -n 1000 -c 10 -m 10 -H 'x-request-id: h2load-1' "$url/echo" >"$tmp/h2load.log" 2>&1
is "h2load: requests succeeded (its own count)" \
	"$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' "$tmp/h2load.log")" 1000
"${pod[@]}" nghttp -u -n -m 20 -H 'x-request-id: up-1' "$url/echo" >"$tmp/nghttp.log" 2>&1
is "nghttp: an h2c upgrade and 20 streams exit 0" "$?" 0
"${pod[@]}" curl -s --fail --http2 -o /dev/null -H 'x-request-id: curl-up' "$url/echo"
is "curl: an h2c upgrade exits 0" "$?" 0
# The marker: one last HTTP/1.1 connection from a known port. tcpdump writes
# packets in the order they came, so once both of its FINs are in the file,
# every packet before them is too (SIGINT drops what tcpdump has not read yet).
"${pod[@]}" curl -s -o /dev/null --local-port 40999 "$url/metrics"
fins() { tcpdump -r "$tmp/h2.pcap" -nn 'tcp port 40999 and tcp[tcpflags] & tcp-fin != 0' 2>/dev/null | wc -l; }
for _ in $(seq 400); do [ "$(fins)" -ge 2 ] && break; sleep 0.05; done
is "tcpdump: the marker connection's two FINs are written" "$(fins)" 2
kill -INT "$tcpd"; wait "$tcpd"
stop_observe
is "observe exits 0 on SIGINT" "$?" 0

obs=$tmp/obs.jsonl
x() { jq -c "select(.t == \"exchange\" and $1)" "$obs"; }
n_x() { x "$1" | wc -l; }
ids() { jq -r "select(.t == \"exchange\" and $1) | .request_id" "$obs" | sort; }
for side in client server; do
	at=".role == \"$side\" and .pod == \"$side\" and .complete"
	h2="$at and .protocol == \"h2\""
	grpc="$at and .protocol == \"grpc\""
	is "gRPC: $side side: 1000 calls, POST, 200, gRPC status 0" \
		"$(n_x "$grpc and (.request_id | startswith(\"grpc1-\")) and .method == \"POST\" and .status == 200 and
			.grpc_status == 0 and .path == \"/smiw.echo.Echo/Echo\"")" 1000
	is "gRPC: $side side: the request ids of the intent records" \
		"$(ids "$grpc and (.request_id | startswith(\"grpc1-\"))" | md5sum)" \
		"$(jq -r 'select(.t == "intent") | .request_id' "$tmp/grpc1.intent" | sort | md5sum)"
	is "gRPC: $side side: 10 connections of 100 streams each" \
		"$(x "$grpc and (.request_id | startswith(\"grpc1-\"))" | jq -r .conn | sort | uniq -c | awk '{print $1}' |
			sort -u | tr '\n' ' ')" "100 "
	is "h2c: $side side: 1000 requests, GET /echo, 200" \
		"$(n_x "$h2 and (.request_id | startswith(\"h2c1-\")) and .method == \"GET\" and .path == \"/echo\" and
			.status == 200")" 1000
	is "h2c: $side side: the request ids of the intent records" \
		"$(ids "$h2 and (.request_id | startswith(\"h2c1-\"))" | md5sum)" \
		"$(jq -r 'select(.t == "intent") | .request_id' "$tmp/h2c1.intent" | sort | md5sum)"
	is "h2c: $side side: 10 connections of 100 streams each" \
		"$(x "$h2 and (.request_id | startswith(\"h2c1-\"))" | jq -r .conn | sort | uniq -c | awk '{print $1}' |
			sort -u | tr '\n' ' ')" "100 "
	is "h2c --new-connections: $side side: 40 requests, each on a connection of its own" \
		"$(x "$h2 and (.request_id | startswith(\"h2new-\")) and .status == 200" | jq -r .conn | sort | uniq -c |
			awk '{print $1}' | sort | uniq -c | awk '{$1 = $1; print}')" "40 1"
	is "unknown gRPC method: $side side: 100 trailers-only answers, gRPC status 12" \
		"$(n_x "$grpc and (.request_id | startswith(\"grpc12-\")) and .status == 200 and .grpc_status == 12")" 100
	is "missing path: $side side: 100 answered 404" \
		"$(n_x "$h2 and (.request_id | startswith(\"h2c404-\")) and .status == 404")" 100
	is "h2load: $side side: as many exchanges as h2load counts" \
		"$(n_x "$h2 and .request_id == \"h2load-1\" and .status == 200")" 1000
	is "nghttp upgrade: $side side: 20 streams, stream 1 the HTTP/1.1 request" \
		"$(n_x "$h2 and .request_id == \"up-1\" and .status == 200"),$(x "$h2 and .request_id == \"up-1\" and
			.stream == 1 and .headers.upgrade == \"h2c\"" | jq -r '.method + " " + .path')" "20,GET /echo"
	is "curl upgrade: $side side: stream 1" "$(x "$h2 and .request_id == \"curl-up\"" | jq -r .stream)" 1
done
conns() { jq -c "select(.t == \"conn\" and $1)" "$obs"; }
is "upgraded connections (nghttp's and curl's), both ends" \
	"$(conns '.protocol == "h2" and .h2_start == "upgrade" and (.h2_lost | not)' | wc -l)" 4
end=$(tail -n 1 "$obs")
is "end record: no drops, gaps, lost HTTP/2 bytes, unpaired responses" \
	"$(jq -c '[.kernel_drops, .user_drops, .gaps, .h2_lost_bytes, .unpaired]' <<<"$end")" "[0,0,0,0,0]"

# tshark: per TCP connection (by the client's port), the header blocks each way
# on distinct streams: requests (to 9091) and responses (from it, trailers on
# the same stream counted once). Stream 1 of an upgraded connection was an
# HTTP/1.1 request, so tshark has no HTTP/2 request block for it. Decoded as
# HTTP, tshark follows both the preface and the 101 into HTTP/2.
tshark -r "$tmp/h2.pcap" -d tcp.port==9091,http -Y 'http2.type == 1' -T fields -E occurrence=a \
	-E aggregator=' ' -e tcp.srcport -e tcp.dstport -e http2.type -e http2.streamid 2>"$tmp/tshark.err" |
	awk '{ n = (NF - 2) / 2; for (i = 1; i <= n; i++) if ($(2 + i) == 1) {
		port = $1 == 9091 ? $2 : $1; dir = $1 == 9091 ? "resp" : "req"
		if (!seen[port, dir, $(2 + n + i)]++) cnt[port, dir]++; ports[port] = 1 } }
	END { for (p in ports) print p, cnt[p, "req"] + 0, cnt[p, "resp"] + 0 }' | sort -n >"$tmp/tshark.counts"
# capture: the server side's exchanges per connection (by the client's port), and
# as request blocks on the wire: one fewer on an upgraded connection
jq -r 'select(.t == "conn" and .role == "server" and .pod == "server" and .protocol == "h2") |
	[(.peer | split(":") | last), (.exchanges - (if .h2_start == "upgrade" then 1 else 0 end)), .exchanges] |
	map(tostring) | join(" ")' "$obs" | sort -n >"$tmp/capture.counts"
is "tshark: HTTP/2 connections seen" "$(wc -l <"$tmp/tshark.counts")" "$(wc -l <"$tmp/capture.counts")"
is "tshark: request header blocks in all (3261 requests, 2 of them HTTP/1.1 upgrades)" \
	"$(awk '{ s += $2 } END { print s }' "$tmp/tshark.counts")" 3259
is "tshark and capture: per connection, requests and responses" \
	"$(md5sum <"$tmp/tshark.counts")" "$(md5sum <"$tmp/capture.counts")"

# --- a capture that joins open connections -------------------------------------
# Sent from the client for 4 s, 50 requests/s on one connection; observe starts a second in.
cat >"$tmp/late.yaml" <<'YAML'
version: 1
name: late-h2
smispec: traffic-access
access_control: false
namespace: ns1
steps:
  - name: s1
    traffic:
      - {from: client, to: app-svc, path: /echo, duration: 4s, via: direct, expect: {access: allow}}
YAML
drive rlate01.1.1 "$tmp/late.intent" --http2 -d 4s -r 50 -c 1 "$url/echo" &
late=$!
pids+=($late)
sleep 1
check "observe attached while the driver's connection is open" start_observe "$tmp/late.jsonl"
wait "$late"
sleep 1.5
stop_observe
obs=$tmp/late.jsonl
is "joined late: no exchange of that connection reported" "$(n_x '(.request_id | startswith("rlate01"))')" 0
lost=$(conns '.protocol == "h2" and .h2_start == "late" and .h2_lost == "late" and .gaps == 1' | jq -r .conn | sort)
is "joined late: both ends reported lost (late), one gap each" "$(wc -l <<<"$lost")" 2
is "joined late: 2 gaps in the end record" "$(tail -n 1 "$obs" | jq .gaps)" 2
"$bin" -j verify -o "$obs" -s "$tmp/late.yaml" -i "$tmp/late.intent" -I "$tmp/inv.json" -r rlate01 \
	>"$tmp/verify.json" 2>"$tmp/verify.err"
is "verify: exit 3 (INCONCLUSIVE)" "$?" 3
is "verify: the assertion is INCONCLUSIVE" "$(jq -r '.assertions[0].verdict' "$tmp/verify.json")" INCONCLUSIVE
reason=$(jq -r '.assertions[0].reason' "$tmp/verify.json")
for c in $lost; do
	check "verify: the reason names lost connection $c" grep -qF "$c (" <<<"$reason"
done

# --- FAIL_EVERY counts /echo over HTTP/2 as over HTTP/1.1 ----------------------
SERVICE_NAME=flaky PORT=9092 FAIL_EVERY=2 "${srv[@]}" "$build/sample-app" 2>"$tmp/flaky.log" &
pids+=($!)
for _ in $(seq 100); do innet curl -s -o /dev/null http://127.0.0.3:9092/metrics && break; sleep 0.05; done
drive flaky1 "$tmp/flaky1.intent" --http2 -n 10 -c 1 http://127.0.0.3:9092/echo
is "FAIL_EVERY=2 over HTTP/2: every 2nd /echo answered 503" "$(jq -c .status "$tmp/flaky1.json")" '{"200":5,"503":5}'
itest_done
