#!/usr/bin/env bash
# capture_observe.sh - `smi-witness observe` against the sample app in a pod-like
# sandbox (a network namespace + a cgroup this test creates and removes):
#  - 1000 requests from the driver, then 1000 from curl: exactly 1000 server-side
#    and 1000 client-side exchanges each, with the right method, path, status and
#    request id, and the same request ids the driver says it sent;
#  - the driver run cross-checked against a packet capture of the namespace's
#    loopback (requests and responses counted on the wire);
#  - a 4 KiB ring buffer under load: kernel drops counted, in the end record and
#    in the summary; connections whose END was lost are swept, one kept open is not;
#  - every output line is whole JSON, the last one the end record;
#  - cgroup backend: none of its traffic programs runs for an unwatched app; a pool
#    of connections held open while 70,000 more come and go costs no connection its
#    place in the kernel's list.
# Runs on each capture backend.
set -u
build=$(realpath "${1:-build}")
bin=$build/smi-witness
app=$build/sample-app
capture=${SMIW_TEST_CAPTURE:-auto}
fails=0
check() { # description, then a command that must succeed
	local what=$1; shift
	if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}
eq() { [ "$1" = "$2" ] || { echo "    got '$1', want '$2'"; return 1; }; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds (the bound only ends a broken run).
wait_for() {
	local limit=$(( $1 * 10 )); shift
	for _ in $(seq "$limit"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

[ "$(id -u)" = 0 ] || { echo "skip: needs root (BPF, network namespaces, cgroups)"; exit 77; }
for t in jq tcpdump curl nsenter ip zcat; do
	command -v $t >/dev/null || { echo "skip: $t is not installed (make deps)"; exit 77; }
done
cg2=$(awk '$0 ~ / - cgroup2 / {print $5; exit}' /proc/self/mountinfo)
[ -n "$cg2" ] || { echo "skip: no cgroup v2 mount"; exit 77; }

ns=smiw-capobs-$$
cg=$cg2/smiw-capobs-$$
tmp=$(mktemp -d /tmp/smiw-capobs-XXXXXX)
pids=()
stats_was=
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	# A run stopped inside the bpf_stats block below leaves the switch as it found it.
	[ -n "$stats_was" ] && sysctl -q kernel.bpf_stats_enabled="$stats_was"
	[ -d "$cg-other" ] && rmdir "$cg-other"
	if [ -f "$cg/cgroup.procs" ]; then
		while read -r p; do echo "$p" >"$cg2/cgroup.procs"; done <"$cg/cgroup.procs"
		rmdir "$cg"
	fi
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add "$ns" && ip -n "$ns" link set lo up && mkdir "$cg" || { echo "cannot create the sandbox"; exit 1; }
# Runs a command in the sandbox: cgroup first, then the namespace (ip netns exec
# would hide /sys). Both exec, so a background job's $! is the command itself.
inpod=(sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec nsenter --net="/run/netns/$0" "$@"' "$ns" "$cg")
innet=(nsenter --net="/run/netns/$ns")
inpod() { "${inpod[@]}" "$@"; }
innet() { "${innet[@]}" "$@"; }
json_lines() { jq -e . "$1" >/dev/null; }

SERVICE_NAME=app PORT=9091 "${inpod[@]}" "$app" 2>"$tmp/app.log" &
pids+=($!)
for _ in $(seq 1200); do innet curl -s -o /dev/null http://127.0.0.1:9091/metrics && break; sleep 0.05; done

# Starts observe on the sandbox's cgroup (extra options follow); waits until it is attached.
start_observe() { # out log options...
	local out=$1 log=$2; shift 2
	"$bin" observe --capture "$capture" --cgroup "$cg" --out "$out" --stats-interval 1s "$@" 2>"$log" &
	obs=$!
	pids+=($obs)
	for _ in $(seq 1200); do grep -q '^observe: watching' "$log" && return 0; sleep 0.05; done
	cat "$log"; return 1
}
stop_observe() {
	kill -INT "$obs"
	wait "$obs"
}

# --- driver and curl, 1000 requests each ------------------------------------
# The inventory names the sandbox as a pod; no cgroup_id, so it comes from the path.
jq -n --arg cg "$cg" --arg ns "$ns" '{version: 1, node: "capobs-node", source: "test",
	pods: [{namespace: "ns1", name: "app", service_account: "sa-app", labels: {app: "app"},
		ip: "127.0.0.1", cgroup_path: $cg, netns: $ns}],
	services: [{namespace: "ns1", name: "app-svc", ip: "127.0.0.2", ports: [9091]}]}' >"$tmp/inv.json"
check "observe attached" start_observe "$tmp/obs.jsonl" "$tmp/obs.log" --inventory "$tmp/inv.json"
# The thread draining the ring must not preempt the workload when it wakes: SCHED_BATCH (3), the
# 41st field of its stat (after the command name, which may hold blanks).
policy() { sed 's/.*) //' "/proc/$obs/stat" | awk '{print $39}'; }
check "observe drains the ring as SCHED_BATCH" test "$(policy)" = 3
"${innet[@]}" tcpdump -i lo --immediate-mode -U -s 200 -B 65536 -w "$tmp/drv.pcap" 'tcp port 9091' \
	2>"$tmp/tcpdump.log" &
tcpd=$!
pids+=($tcpd)
for _ in $(seq 1200); do grep -q 'listening on' "$tmp/tcpdump.log" && break; sleep 0.05; done
check "driver: 1000 requests answered" \
	inpod "$bin" drive -n 1000 -c 4 --run-id drv --intent "$tmp/intent.jsonl" http://127.0.0.1:9091/echo
sleep 0.5
kill -INT $tcpd; wait $tcpd 2>/dev/null
# On loopback the filter sees every packet twice (out and in) and libpcap keeps one.
pcap_complete() {
	grep -q '^0 packets dropped by kernel' "$tmp/tcpdump.log" &&
		[ "$(awk '/packets captured/ {print 2 * $1}' "$tmp/tcpdump.log")" = \
		  "$(awk '/packets received by filter/ {print $1}' "$tmp/tcpdump.log")" ]
}
check "packet capture complete (tcpdump wrote every packet its filter received)" pcap_complete

for i in $(seq 1000); do
	printf 'url = "http://127.0.0.1:9091/echo?i=%d"\nheader = "X-Request-Id: curl-%d"\noutput = /dev/null\n' $i $i
	[ $i -lt 1000 ] && echo next
done >"$tmp/curl.cfg"
check "curl: 1000 requests on one connection" inpod curl -s --fail -K "$tmp/curl.cfg"
sleep 0.5
stop_observe
check "observe exits 0 on SIGINT" eq "$?" 0

obs_x() { jq -c "select(.t == \"exchange\" and $1)" "$tmp/obs.jsonl"; }
for side in server client; do
	n=$(obs_x ".role == \"$side\" and (.request_id | startswith(\"drv-\"))" | wc -l)
	check "driver: $side-side exchanges = 1000" eq "$n" 1000
	n=$(obs_x ".role == \"$side\" and (.request_id | startswith(\"drv-\")) and .method == \"GET\" and
		.path == \"/echo\" and .status == 200 and .complete" | wc -l)
	check "driver: every $side-side exchange GET /echo 200 complete" eq "$n" 1000
	n=$(obs_x ".role == \"$side\" and (.request_id | startswith(\"drv-\"))" | jq -r .request_id | sort -u | wc -l)
	check "driver: 1000 distinct request ids $side-side" eq "$n" 1000
	n=$(obs_x ".role == \"$side\" and (.request_id | startswith(\"curl-\")) and .method == \"GET\" and
		.path == (\"/echo?i=\" + (.request_id | ltrimstr(\"curl-\"))) and .status == 200 and .complete" |
		jq -r .request_id | sort -u | wc -l)
	check "curl: 1000 $side-side exchanges, each with the path its request id names" eq "$n" 1000
done
n=$(obs_x '(.request_id | startswith("drv-")) and .node == "capobs-node" and .namespace == "ns1" and
	.pod == "app" and .service_account == "sa-app" and .peer_pod == "ns1/app" and .cgroup_id > 0' | wc -l)
check "driver: all 2000 exchanges attributed to pod ns1/app (and its peer) from the inventory" eq "$n" 2000
n=$(obs_x '.role == "server" and (.request_id | startswith("drv-")) and .local == "127.0.0.1:9091" and
	.comm == "sample-app"' | wc -l)
check "server side: local 127.0.0.1:9091 (IPv4-mapped socket shown as IPv4), comm sample-app" eq "$n" 1000
[ "$capture" = auto ] || check "meta: the $capture backend captured" \
	eq "$(head -n 1 "$tmp/obs.jsonl" | jq -r .capture_backend)" "$capture"
check "meta names the inventory and the node" \
	eq "$(head -n 1 "$tmp/obs.jsonl" | jq -r '.t + " " + .inventory + " " + .node')" "meta $tmp/inv.json capobs-node"
jq -r 'select(.t == "intent") | .request_id' "$tmp/intent.jsonl" | sort >"$tmp/sent"
obs_x '.role == "server" and (.request_id | startswith("drv-"))' | jq -r .request_id | sort >"$tmp/seen"
check "driver: the server saw exactly the request ids the driver sent" cmp -s "$tmp/sent" "$tmp/seen"
n=$(obs_x '.role == "client" and .comm == "curl"' | jq -r .conn | sort -u | wc -l)
check "curl: its 1000 exchanges ride one connection" eq "$n" 1
n=$(obs_x '.role == "client" and .comm == "curl"' | jq -s '[.[].seq] | sort == [range(1000)]')
check "curl: exchange seq 0..999 on that connection" eq "$n" true
end=$(tail -n 1 "$tmp/obs.jsonl")
check "last line is the end record (reason signal)" eq "$(jq -r '.t + " " + .reason' <<<"$end")" "end signal"
check "no kernel drops, user drops, gaps, unparsed bytes" \
	eq "$(jq -c '[.kernel_drops, .user_drops, .gaps, .unparsed_bytes]' <<<"$end")" "[0,0,0,0]"
check "every line is whole JSON" json_lines "$tmp/obs.jsonl"
check "summary on stderr names 2000+ exchanges" grep -Eq '^observe: signal after .* [0-9]{4,} exchanges' "$tmp/obs.log"

# Packet capture: payloads to port 9091 starting "GET ", from port 9091 starting "HTTP".
wire_req=$(tcpdump -nn -r "$tmp/drv.pcap" 'tcp dst port 9091 and tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420' 2>/dev/null | wc -l)
wire_resp=$(tcpdump -nn -r "$tmp/drv.pcap" 'tcp src port 9091 and tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x48545450' 2>/dev/null | wc -l)
echo "    packet capture: $wire_req requests, $wire_resp responses on the wire"
check "packet capture: 1000 requests on the wire, as many as server-side exchanges" eq "$wire_req" 1000
check "packet capture: 1000 responses on the wire" eq "$wire_resp" 1000

# --- a deliberately tiny ring buffer under load -----------------------------
# held_client: one kept-alive connection; sends GET for each path read from stdin, reads the
# response, then says "answered PATH" on stdout.
held_client() {
	local path line len
	exec 3<>/dev/tcp/127.0.0.1/9091 || exit 1
	while read -r path; do
		printf 'GET %s HTTP/1.1\r\nHost: app\r\n\r\n' "$path" >&3
		len=0
		while IFS= read -r line <&3; do
			line=${line%$'\r'}
			[ -z "$line" ] && break
			case ${line,,} in content-length:*) len=${line#*:}; len=${len// /} ;; esac
		done
		[ "$len" -gt 0 ] && read -r -N "$len" _ <&3
		echo "answered $path"
	done
}
answered() { grep -qx "answered $1" "$tmp/held.out"; }
check "observe attached with a 4 KiB ring" start_observe "$tmp/tiny.jsonl.gz" "$tmp/tiny.log" --ring-size 4096
# A connection open through the sweep below: the sweep must leave it alone.
mkfifo "$tmp/held.in"
inpod bash -c "$(declare -f held_client); held_client" <"$tmp/held.in" >"$tmp/held.out" 2>&1 &
held=$!
pids+=($held)
exec 4>"$tmp/held.in"
echo '/echo?held=1' >&4
wait_for 60 answered '/echo?held=1'
inpod "$bin" drive -n 5000 -c 16 --run-id tiny http://127.0.0.1:9091/echo >/dev/null 2>&1
# A connection per request too, so connection records are lost as well.
inpod "$bin" drive -n 3000 -c 16 -H 'Connection: close' --run-id churn http://127.0.0.1:9091/echo \
	>/dev/null 2>&1
# The periodic sweep (every 5 s) ends connections whose END record was dropped: wait until a
# stats record (one a second, flushed as written) says only the held connection's two ends
# are open.
swept() { [ "$(zcat "$tmp/tiny.jsonl.gz" 2>/dev/null | jq -c 'select(.t == "stats") | .conns_open' 2>/dev/null |
	tail -n 1)" = "$1" ]; }
wait_for 120 swept 2
echo '/echo?held=2' >&4
wait_for 60 answered '/echo?held=2'
exec 4>&-
wait "$held"
wait_for 60 swept 0
stop_observe
zcat "$tmp/tiny.jsonl.gz" >"$tmp/tiny.jsonl"
check "gzip output is whole JSON lines" json_lines "$tmp/tiny.jsonl"
drops=$(tail -n 1 "$tmp/tiny.jsonl" | jq .kernel_drops)
echo "    tiny ring: kernel drops $drops, exchanges $(tail -n 1 "$tmp/tiny.jsonl" | jq .exchanges)"
check "tiny ring: kernel drops counted (> 0) in the end record" test "${drops:-0}" -gt 0
check "tiny ring: ring-buffer drops are the cause" \
	test "$(tail -n 1 "$tmp/tiny.jsonl" | jq '.kernel_drops_by.ring_data + .kernel_drops_by.ring_conn')" = "$drops"
check "tiny ring: the summary reports the same number" grep -q "kernel drops $drops," "$tmp/tiny.log"
last=$(jq -c 'select(.t == "stats")' "$tmp/tiny.jsonl" | tail -n 1)
check "tiny ring: connection records were lost too ($(jq .kernel_drops_by.ring_conn <<<"$last"))" \
	test "$(jq .kernel_drops_by.ring_conn <<<"$last")" -gt 0
check "tiny ring: no connection left open once the clients are gone (lost END records swept)" \
	eq "$(jq .conns_open <<<"$last")" 0
# The held connection, server side: both requests on one connection the sweep did not end.
held_conn=$(jq -r 'select(.t == "exchange" and .role == "server" and .path == "/echo?held=1") | .conn' "$tmp/tiny.jsonl")
check "tiny ring: the held connection's second request, after the sweep, on the same connection" \
	eq "$(jq -r 'select(.t == "exchange" and .role == "server" and .path == "/echo?held=2" and .complete) | .conn' \
		"$tmp/tiny.jsonl")" "${held_conn:-none}"
check "tiny ring: the sweep did not end the held connection (one conn record, no gap, 2 exchanges)" \
	eq "$(jq -c --arg c "$held_conn" 'select(.t == "conn" and .conn == $c) | [.gaps, .exchanges]' "$tmp/tiny.jsonl")" \
	"[0,2]"

# --- cgroup backend: nothing runs for a socket outside the watched cgroups ------
# The backend's promise to the node: its traffic programs run for the watched
# cgroups' sockets only. Counted with bpf_stats (restored after): 200 requests to the
# app, first with another (empty) cgroup watched, then with the app's own as the control.
traffic_runs() { # the observe's skb_egress + skb_ingress + skb_sockops run counts
	bpftool prog show -j | jq --argjson ids "$(head -n 1 "$1" | jq -c .bpf_prog_ids)" '[.[] |
		select(.id as $i | $ids | index($i)) | select(.name | test("^skb_(egress|ingress|sockops)$")) |
		.run_cnt // 0] | add // 0'
}
runs_for() { # cgroup -> $runs: program runs over 200 requests to the app while it is watched
	local before after
	runs=
	"$bin" observe --capture cgroup --cgroup "$1" --out "$tmp/floor.jsonl" --stats-interval 0 2>"$tmp/floor.log" &
	obs=$!
	pids+=($obs)
	wait_for 60 grep -q '^observe: watching' "$tmp/floor.log" || { cat "$tmp/floor.log"; stop_observe; return 1; }
	before=$(traffic_runs "$tmp/floor.jsonl")
	inpod "$bin" drive -n 200 -c 4 --run-id floor http://127.0.0.1:9091/echo >/dev/null 2>&1
	after=$(traffic_runs "$tmp/floor.jsonl")
	stop_observe
	runs=$((after - before))
}
if [ "$capture" = cgroup ] && command -v bpftool >/dev/null; then
	stats_was=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q kernel.bpf_stats_enabled=1
	mkdir "$cg-other"
	# Not in a subshell: each observe joins $pids, so an interrupted run stops it too.
	runs_for "$cg-other"
	idle_runs=$runs
	runs_for "$cg"
	watched_runs=$runs
	rmdir "$cg-other"
	sysctl -q kernel.bpf_stats_enabled="$stats_was"
	stats_was=
	check "cgroup backend: no program run for 200 requests to an unwatched app" eq "$idle_runs" 0
	check "cgroup backend: the same requests watched run the programs ($watched_runs runs)" \
		test "${watched_runs:-0}" -ge 400
fi

# --- cgroup backend: a pool held open while the connection ids go round ---------
# The kernel lists every followed connection in a table of 131,072 slots (the first free
# one from a hash of its id). 200 connections opened together and held (400 ids in a row,
# both ends watched), then 70,000 connections of one request each: more ids than the
# table has slots, so new ones keep landing where the held ones sit. None may be refused.
if [ "$capture" = cgroup ]; then
	check "observe attached (pool and churn)" start_observe "$tmp/churn.jsonl" "$tmp/churn.log"
	# pool: opens 200 connections, says "open", holds them until its stdin closes.
	pool() {
		local fds=() fd
		for _ in $(seq 200); do exec {fd}<>/dev/tcp/127.0.0.1/9091 || exit 1; fds+=("$fd"); done
		echo open
		cat >/dev/null
	}
	mkfifo "$tmp/pool.in"
	inpod bash -c "$(declare -f pool); pool" <"$tmp/pool.in" >"$tmp/pool.out" 2>&1 &
	poolpid=$!
	pids+=($poolpid)
	exec 5>"$tmp/pool.in"
	wait_for 60 grep -qx open "$tmp/pool.out"
	inpod "$bin" drive -n 70000 -c 16 -H 'Connection: close' --run-id idround http://127.0.0.1:9091/echo \
		>/dev/null 2>&1
	exec 5>&-
	wait "$poolpid"
	stop_observe
	churn_end=$(tail -n 1 "$tmp/churn.jsonl")
	# The highest connection id: the part of a conn name after its last "-".
	top_id=$(jq -r 'select(.t == "conn") | .conn | sub(".*-"; "") | tonumber' "$tmp/churn.jsonl" | sort -n | tail -n 1)
	echo "    pool and churn: highest id ${top_id:-none}, kernel drops $(jq -c .kernel_drops_by <<<"$churn_end")"
	check "pool and churn: the ids went past the table's 131,072 slots" test "${top_id:-0}" -gt 131072
	check "pool and churn: no connection refused a slot (conns_full 0), nothing dropped" \
		eq "$(jq -c '[.kernel_drops_by.conns_full, .kernel_drops]' <<<"$churn_end")" "[0,0]"
	check "pool and churn: 70,000 server-side exchanges" \
		eq "$(jq -s '[.[] | select(.t == "exchange" and .role == "server" and .complete)] | length' \
			"$tmp/churn.jsonl")" 70000
fi

[ $fails -eq 0 ] && echo PASS || echo "FAIL: $fails check(s)"
[ $fails -eq 0 ]
