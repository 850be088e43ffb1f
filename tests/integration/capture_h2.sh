#!/usr/bin/env bash
# capture_h2.sh - HTTP/2 over cleartext captured from real traffic: nghttpd
# (nghttp2's server) and its clients in a pod-like sandbox (a network
# namespace + a cgroup this test creates and removes), `smi-witness observe`
# watching the cgroup:
#  - h2load, 1000 requests over 10 connections (prior knowledge, 10 streams
#    at a time): exactly 1000 client-side and 1000 server-side exchanges,
#    100 per connection, the same as h2load's own count of succeeded
#    requests and 2xx statuses, stream ids 1, 3, ... 199 on each connection;
#  - 200 more to a missing path: 200 exchanges with status 404 each side;
#  - nghttp and curl upgrading to h2c through nghttpx (nghttp2's proxy) in
#    front of nghttpd: stream 1 is the upgraded HTTP/1.1 request on both
#    sides of the upgraded connection, which says "upgrade", and every
#    stream arrives at nghttpd over the proxy's own HTTP/2 connection;
#  - a capture started while h2load's connections are open: those
#    connections are reported as lost ("late", counted gaps), none of their
#    streams is guessed, their bytes are counted as lost.
# Observe copies 16 KiB per syscall here: nghttpd writes the responses of
# many streams at once, and a header block beyond the bytes copied would
# lose the connection's header table (docs/capture.md, Limits).
# Runs on each capture backend.
set -u
build=$(realpath "${1:-build}")
bin=$build/smi-witness
. tests/lib/itest.sh
. tests/lib/sandbox.sh
sandbox_require jq nghttpd h2load nghttp nghttpx
sandbox_init h2cap
sandbox_add pod

mkdir -p "$tmp/www"
head -c 600 /dev/zero | tr '\0' 'h' >"$tmp/www/hello"
"${pod[@]}" nghttpd --no-tls -d "$tmp/www" 8080 >"$tmp/nghttpd.log" 2>&1 &
pids+=($!)
"${pod[@]}" nghttpx -f '127.0.0.1,8081;no-tls' -b '127.0.0.1,8080;;proto=h2' --workers 1 --conf /dev/null \
	--errorlog-file="$tmp/nghttpx.log" --accesslog-file=/dev/null >/dev/null 2>&1 &
pids+=($!)
# Ready when both ports take connections (no request: a proxy connection to nghttpd would predate capture).
listening() { nsenter --net="/run/netns/$pod_ns" bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
for _ in $(seq 1200); do listening 8080 && listening 8081 && break; sleep 0.05; done

start_observe() { # out options...
	local out=$1; shift
	"$bin" observe --capture "$capture" --cgroup "$pod_cg" --out "$out" --snaplen 16384 --stats-interval 1s "$@" 2>"$out.log" &
	obs=$!
	pids+=($obs)
	for _ in $(seq 1200); do grep -qs '^observe: watching' "$out.log" && return 0; sleep 0.05; done
	cat "$out.log"; return 1
}
stop_observe() { kill -INT "$obs"; wait "$obs"; }

# h2load's own summary: "requests: N total, N started, N done, N succeeded, ..." and "status codes: N 2xx, ..."
h2load_count() { # log field
	case $2 in
	succeeded) sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' "$1" ;;
	2xx) sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p' "$1" ;;
	4xx) sed -n 's/^status codes: .* \([0-9]*\) 4xx.*/\1/p' "$1" ;;
	esac
}

# --- prior knowledge and upgrade, capture from the start ---------------------
check "observe attached" start_observe "$tmp/obs.jsonl"
"${pod[@]}" h2load -n 1000 -c 10 -m 10 -H 'x-request-id: h2load-1' http://127.0.0.1:8080/hello \
	>"$tmp/h2load.log" 2>&1
is "h2load: requests succeeded (its own count)" "$(h2load_count "$tmp/h2load.log" succeeded)" 1000
is "h2load: 2xx statuses (its own count)" "$(h2load_count "$tmp/h2load.log" 2xx)" 1000
"${pod[@]}" h2load -n 200 -c 2 -m 5 http://127.0.0.1:8080/missing >"$tmp/h2load404.log" 2>&1
is "h2load: 4xx statuses for the missing path (its own count)" "$(h2load_count "$tmp/h2load404.log" 4xx)" 200
"${pod[@]}" nghttp -u -n -m 20 -H 'x-request-id: up-1' http://127.0.0.1:8081/hello >"$tmp/nghttp.log" 2>&1
is "nghttp: upgrade and 20 streams through nghttpx exit 0" "$?" 0
"${pod[@]}" curl -s --fail --http2 -o /dev/null -H 'x-request-id: curl-up' http://127.0.0.1:8081/hello
is "curl: an h2c upgrade through nghttpx exits 0" "$?" 0
sleep 0.5
stop_observe
is "observe exits 0 on SIGINT" "$?" 0

obs=$tmp/obs.jsonl
backend_is "$obs"
x() { jq -c "select(.t == \"exchange\" and $1)" "$obs"; }
n_x() { x "$1" | wc -l; }
for side in client server; do
	comm=$([ $side = client ] && echo h2load || echo nghttpd)
	sel=".role == \"$side\" and .path == \"/hello\" and .request_id == \"h2load-1\""
	is "h2load: $side-side exchanges" "$(n_x "$sel")" 1000
	is "h2load: $side-side exchanges GET, 200, complete, h2, host 127.0.0.1:8080" \
		"$(n_x "$sel and .method == \"GET\" and .status == 200 and .complete and .protocol == \"h2\" and
			.host == \"127.0.0.1:8080\" and .resp_bytes > 600")" 1000
	is "h2load: $side side: 10 connections of 100 streams each" \
		"$(x "$sel" | jq -r .conn | sort | uniq -c | awk '{print $1}' | sort -u | tr '\n' ' ')" "100 "
	is "h2load: $side side: stream ids 1, 3, ..., 199 on every connection" \
		"$(x "$sel" | jq -s 'group_by(.conn) | map([.[].stream] | sort == [range(1; 200; 2)]) | all')" true
	is "missing path: $side-side exchanges, all 404" \
		"$(n_x ".role == \"$side\" and .path == \"/missing\" and .status == 404 and .complete")" 200
	is "nghttp upgrade: $side-side exchanges, on the upgraded connection and nghttpx's to nghttpd" \
		"$(n_x ".role == \"$side\" and .request_id == \"up-1\" and .status == 200 and .complete and .protocol == \"h2\"")" 40
	is "nghttp upgrade: $side side: stream 1 of the upgraded connection is the HTTP/1.1 request" \
		"$(x ".role == \"$side\" and .request_id == \"up-1\" and .stream == 1 and .headers.upgrade == \"h2c\"" |
			jq -r '[.method, .path, .host] | join(" ")')" "GET /hello 127.0.0.1:8081"
	# stream 1 of curl's upgraded connection, then stream 41 of nghttpx's connection to nghttpd (after nghttp's 20)
	is "curl upgrade: $side side: the upgraded request, then on the proxy's connection" \
		"$(x ".role == \"$side\" and .request_id == \"curl-up\" and .status == 200 and .complete" |
			jq -r '.stream' | sort -n | tr '\n' ' ')" "1 41 "
done
conns() { jq -c "select(.t == \"conn\" and $1)" "$obs"; }
# h2load's 12 and nghttpx's own one to nghttpd, each seen from both ends
is "connections started with the preface" \
	"$(conns '.protocol == "h2" and .h2_start == "preface" and (.h2_lost | not)' | wc -l)" 26
is "the upgraded connections (nghttp's and curl's), both ends" \
	"$(conns '.protocol == "h2" and .h2_start == "upgrade" and (.h2_lost | not)' | wc -l)" 4
end=$(tail -n 1 "$obs")
is "end record: no drops, gaps, lost HTTP/2 bytes, unpaired responses" \
	"$(jq -c '[.kernel_drops, .user_drops, .gaps, .h2_lost_bytes, .unpaired]' <<<"$end")" "[0,0,0,0,0]"
check "every line is whole JSON" jq -e . "$obs"
is "no body byte in the records (the file served is 600 bytes of 'h')" "$(grep -c hhhhhhhhhhhhhhhh "$obs")" 0

# --- a capture that joins open connections ------------------------------------
"${pod[@]}" h2load -c 2 -m 1 -D 4 --rps 50 -H 'x-request-id: late-1' http://127.0.0.1:8080/hello \
	>"$tmp/late.log" 2>&1 &
late=$!
pids+=($late)
# Both of h2load's connections open before capture starts (it then keeps them for 4 s).
two_open() { [ "$(nsenter --net="/run/netns/$pod_ns" ss -Htn state established '( dport = :8080 )' | wc -l)" -ge 2 ]; }
wait_for 120 two_open
check "observe attached while h2load's connections are open" start_observe "$tmp/late.jsonl"
wait "$late"
sleep 0.5
stop_observe
obs=$tmp/late.jsonl
is "joined late: no exchange of those connections reported" "$(n_x '.request_id == "late-1"')" 0
is "joined late: 4 connections (2 each side) reported lost, late" \
	"$(conns '.protocol == "h2" and .h2_start == "late" and .h2_lost == "late" and .gaps >= 1' | wc -l)" 4
end=$(tail -n 1 "$obs")
between "joined late: gaps counted in the end record" "$(jq .gaps <<<"$end")" 4 4
check "joined late: their bytes are counted as lost" test "$(jq .h2_lost_bytes <<<"$end")" -gt 0
itest_done
