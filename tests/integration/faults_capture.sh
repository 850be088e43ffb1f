#!/usr/bin/env bash
# faults_capture.sh - what must not disturb capture, and what must never be
# written. `smi-witness observe` watches two pod-like sandboxes (a network
# namespace + a cgroup each, created and removed here) while:
#  - hostile clients hit the sample app beside 1000 normal requests: a head of
#    2000 header fields (~220 KB), 1 MiB of random bytes, a slowloris request
#    trickled one byte per write over 2 s;
#  - 10,000 short-lived connections (Connection: close) are made;
#  - the second sandbox is deleted (its processes killed, its network
#    namespace and cgroup removed) while 2000 normal requests run in the first;
#  - requests carry credentials (Authorization, Proxy-Authorization, Cookie,
#    Set-Cookie) and bodies with a secret marker, and a server answers with
#    Set-Cookie and a secret body.
# The normal traffic must come out exact (every request id once per side,
# complete, 200), the trickled request too, and no output file may hold any
# secret: header values are "<redacted>", bodies are never written. With
# --unredacted the credentials are kept, bodies still never written.
# Runs on each capture backend.
set -u
build=$(realpath "${1:-build}")
bin=$build/smi-witness
. tests/lib/itest.sh
. tests/lib/sandbox.sh
sandbox_require jq perl
sandbox_init flt
out=$tmp/out out2=$tmp/out2	# everything the tool writes, and nothing else
mkdir -p "$out" "$out2"
sandbox_add pod_a
sandbox_add pod_b
sandbox_app pod_a app-a
sandbox_app pod_b app-b
cg_a=$pod_a_cg cg_b=$pod_b_cg ns2=$pod_b_ns

start_observe() { # out-dir options...
	local dir=$1; shift
	"$bin" observe --capture "$capture" --out "$dir/obs.jsonl" --stats-interval 1s "$@" 2>"$dir/observe.log" &
	obs=$!
	pids+=($obs)
	for _ in $(seq 1200); do grep -qs '^observe: watching' "$dir/observe.log" && return 0; sleep 0.05; done
	return 1
}
stop_observe() { kill -INT "$obs"; wait "$obs"; }

# Hostile clients: MODE huge | garbage | slow. Each reads whatever comes back until close (10 s at most).
cat >"$tmp/hostile.pl" <<'EOF'
use strict; use IO::Socket::INET; use Time::HiRes qw(usleep);
$SIG{PIPE} = 'IGNORE'; alarm 10;
my $mode = shift;
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => 9091, Proto => 'tcp') or die "connect: $!";
if ($mode eq 'huge') {
	my $h = "GET /echo HTTP/1.1\r\nHost: app\r\nX-Request-Id: huge-1\r\n";
	$h .= "X-Pad-$_: " . ('p' x 100) . "\r\n" for 1 .. 2000;
	syswrite $s, "$h\r\n";
} elsif ($mode eq 'garbage') {
	open my $r, '<', '/dev/urandom' or die; read $r, my $b, 1 << 20;
	syswrite $s, $b;
} else {
	for my $c (split //, "GET /echo HTTP/1.1\r\nHost: app\r\nX-Request-Id: slow-1\r\n\r\n") {
		syswrite $s, $c; usleep 40000;
	}
}
shutdown $s, 1;	# done sending: the server answers what it has and closes
my $buf; 1 while sysread $s, $buf, 65536;
EOF
# A server that answers every request with a Set-Cookie header and a body, then closes.
cat >"$tmp/setcookie.pl" <<'EOF'
use strict; use IO::Socket::INET;
my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 9092, Listen => 8, ReuseAddr => 1) or die;
print "listening\n"; STDOUT->flush;
while (my $c = $l->accept) {
	my $h = ''; while ($h !~ /\r\n\r\n/) { sysread $c, my $b, 4096 or last; $h .= $b }
	my $body = "response body $ENV{RBODY}\n";
	syswrite $c, "HTTP/1.1 200 OK\r\nSet-Cookie: sid=$ENV{RSETCK}; HttpOnly\r\nContent-Length: " .
		length($body) . "\r\nConnection: close\r\n\r\n$body";
	close $c;
}
EOF

# One pass over the records: role, request id, method, path, status, complete, conn per exchange
# into DIR.tsv, and the few exchanges looked at one by one into DIR.few (beside, not in DIR).
digest() {
	jq -r 'select(.t == "exchange") | [.role, .request_id, .method, .path, .status, .complete, .conn] | @tsv' \
		"$1/obs.jsonl" >"$1.tsv"
	grep -E '"request_id":"(sec-|slow-|huge-)' "$1/obs.jsonl" >"$1.few"
}
obs_x() { jq -c "select(.t == \"exchange\" and $2)" "$1.few"; }
# exact DIR RUN SIDE N: N exchanges of run RUN on SIDE, all GET /echo 200 complete, N distinct ids.
exact() {
	is "$2: $3-side exchanges, complete GET /echo 200, distinct ids" "$(awk -F'\t' -v run="$2-" -v side="$3" '
		$1 == side && index($2, run) == 1 { all++; ids[$2]; if ($3 == "GET" && $4 == "/echo" && $5 == 200 && $6 == "true") ok++ }
		END { printf "%d %d %d", all, ok, length(ids) }' "$1.tsv")" "$4 $4 $4"
}

check "observe attached to both sandboxes" start_observe "$out" --cgroup "$cg_a" --cgroup "$cg_b"

# --- hostile clients beside normal traffic -----------------------------------
hostile=()
for mode in huge garbage slow; do
	"${pod_a[@]}" perl "$tmp/hostile.pl" $mode 2>>"$tmp/hostile.log" &
	hostile+=($!)
done
check "normal traffic: 1000 requests answered beside the hostile clients" \
	"${pod_a[@]}" "$bin" drive -n 1000 -c 4 --run-id norm1 --intent "$out/norm1.intent" http://127.0.0.1:9091/echo
for p in "${hostile[@]}"; do wait "$p"; done

# --- 10,000 short-lived connections ----------------------------------------------
check "10,000 requests, a connection each" \
	"${pod_a[@]}" "$bin" drive -n 10000 -c 8 -H 'Connection: close' --run-id churn http://127.0.0.1:9091/echo

# --- a sandbox deleted under the capture ---------------------------------------
"${pod_b[@]}" "$bin" drive -d 20s -c 2 --run-id doomed http://127.0.0.1:9091/echo >/dev/null 2>&1 &
doomed=$!
"${pod_a[@]}" "$bin" drive -n 2000 -c 2 -r 1000 --run-id norm3 http://127.0.0.1:9091/echo >"$tmp/norm3.txt" 2>&1 &
norm3=$!
# The sandbox goes once its traffic is on record (observe writes what it has every second).
doomed_seen() { grep -q '"request_id":"doomed-' "$out/obs.jsonl"; }
wait_for 120 doomed_seen
echo 1 >"$cg_b/cgroup.kill"
wait "$doomed" 2>/dev/null
for _ in $(seq 3000); do [ -s "$cg_b/cgroup.procs" ] || break; sleep 0.02; done
ip netns del "$ns2" && rmdir "$cg_b"
check "the second sandbox is gone (namespace and cgroup)" \
	sh -c "! ip netns list | grep -q '^$ns2' && [ ! -d '$cg_b' ]"
wait "$norm3"
is "normal traffic while the sandbox went away: driver exit status" "$?" 0
check "observe still runs after its watched sandbox vanished" kill -0 "$obs"

# --- credentials and bodies ------------------------------------------------------
m=$(random_hex 8)
RBODY=RBODY$m RSETCK=RSETCK$m "${pod_a[@]}" perl "$tmp/setcookie.pl" >"$tmp/setcookie.out" 2>&1 &
pids+=($!)
for _ in $(seq 1200); do grep -q listening "$tmp/setcookie.out" && break; sleep 0.05; done
check "POST with credentials and a secret body (echoed back in the response body)" \
	"${pod_a[@]}" curl -s -o /dev/null --fail -H "X-Request-Id: sec-1" -H "Authorization: Bearer AUTH$m" \
	-H "Proxy-Authorization: Basic PROXY$m" -H "Cookie: sid=COOKIE$m" -H "Set-Cookie: sid=SETCK$m" \
	--data-binary "secret body BODY$m" http://127.0.0.1:9091/echo
check "a response with Set-Cookie and a secret body" \
	"${pod_a[@]}" curl -s -o /dev/null --fail -H "X-Request-Id: sec-2" http://127.0.0.1:9092/
check "driver with an Authorization header, intent recorded" \
	"${pod_a[@]}" "$bin" drive -n 3 -X POST -b "driver body BODY$m" -H "Authorization: Bearer DAUTH$m" \
	--run-id sec3 --intent "$out/sec3.intent" http://127.0.0.1:9091/echo
sleep 0.3
stop_observe
is "observe exits 0" "$?" 0
digest "$out"
backend_is "$out/obs.jsonl"

exact "$out" norm1 server 1000
exact "$out" norm1 client 1000
jq -r 'select(.t == "intent") | .request_id' "$out/norm1.intent" | sort >"$tmp/sent"
awk -F'\t' '$1 == "server" && $2 ~ /^norm1-/ { print $2 }' "$out.tsv" | sort >"$tmp/seen"
check "norm1: the server saw exactly the ids the driver sent" cmp -s "$tmp/sent" "$tmp/seen"
# A head past the 16 KiB the assembler gathers cannot be read: no exchange (its request id is unknown).
is "huge head: no exchange made up for it" "$(obs_x "$out" '.request_id == "huge-1"' | wc -l)" 0
is "slowloris: the trickled request is one complete exchange on each side" \
	"$(obs_x "$out" '.request_id == "slow-1" and .complete and .status == 200' | jq -r .role | sort | tr '\n' ' ')" \
	"client server "
check "garbage: counted as unparsed bytes" test "$(tail -n 1 "$out/obs.jsonl" | jq .unparsed_bytes)" -gt 0
is "no exchange but those of the requests sent (garbage never becomes one)" \
	"$(awk -F'\t' '$2 !~ /^(norm1|churn|norm3|doomed|sec3)-[0-9]+$/ && $2 !~ /^(sec-[124]|slow-1)$/' "$out.tsv" | wc -l)" 0
exact "$out" churn server 10000
exact "$out" churn client 10000
for side in server client; do
	is "churn: 10,000 $side-side connections, one request each" \
		"$(awk -F'\t' -v side=$side '$1 == side && $2 ~ /^churn-/ { print $7 }' "$out.tsv" | sort -u | wc -l)" 10000
done
exact "$out" norm3 server 2000
exact "$out" norm3 client 2000
check "the deleted sandbox's traffic was seen before it went away" \
	test "$(awk -F'\t' '$1 == "server" && $2 ~ /^doomed-/' "$out.tsv" | wc -l)" -gt 0
end=$(tail -n 1 "$out/obs.jsonl")
is "end record: reason, kernel drops, user drops, gaps" "$(jq -c '[.t, .reason, .kernel_drops, .user_drops, .gaps]' <<<"$end")" \
	'["end","signal",0,0,0]'
check "every line is whole JSON" jq -e . "$out/obs.jsonl"

for f in authorization proxy-authorization cookie set-cookie; do
	is "sec-1: $f is redacted" "$(obs_x "$out" '.request_id == "sec-1" and .role == "server"' | jq -r ".headers[\"$f\"]")" \
		"<redacted>"
done
is "sec3: the driver's intent records redact Authorization" \
	"$(jq -r 'select(.t == "intent") | .headers.Authorization' "$out/sec3.intent" | sort -u)" "<redacted>"
is "sec-2: the Set-Cookie response was seen" "$(obs_x "$out" '.request_id == "sec-2"' | wc -l)" 2
leaks=$(grep -rl -- "$m" "$out")
is "no secret (header value or body byte) in any output file" "$leaks" ""

# --- --unredacted keeps credentials, never bodies ---------------------------------
check "observe --unredacted attached" start_observe "$out2" --cgroup "$cg_a" --unredacted
check "POST with a credential and a secret body" \
	"${pod_a[@]}" curl -s -o /dev/null --fail -H "X-Request-Id: sec-4" -H "Authorization: Bearer AUTH$m" \
	-H "Set-Cookie: sid=SETCK$m" --data-binary "secret body BODY$m" http://127.0.0.1:9091/echo
sleep 0.3
stop_observe
digest "$out2"
is "--unredacted: Authorization and Set-Cookie kept" \
	"$(obs_x "$out2" '.request_id == "sec-4" and .role == "client"' | jq -r '[.headers.authorization, .headers["set-cookie"]] | join(" ")')" \
	"Bearer AUTH$m sid=SETCK$m"
is "--unredacted: still no body byte in any output file" "$(grep -rl -- "BODY$m" "$out2")" ""

[ $fails -eq 0 ] || { tail -n 5 "$tmp"/*.log "$out/observe.log"; }
itest_done
