#!/usr/bin/env bash
# agent_capture.sh - `smi-witness agent --source capture`: real kernel capture
# in-process. Two sample-app "pods" (a cgroup each) in a private network
# namespace; the second appears only after the agent started, through a
# rewritten inventory file. The agent must attribute every exchange to the
# right pod, serve them over its API, and spool them, ending the file cleanly
# on SIGTERM. Once attached it holds no capability in any thread (but, with
# the cgroup backend, CAP_NET_ADMIN in its capture thread: attaching to the
# later pod's cgroup needs it).
# Runs on each capture backend.
set -u
build=$(realpath "${1:-build}")
[ "$(id -u)" = 0 ] || { echo "skip: needs root (BPF, cgroups)"; exit 77; }
command -v jq >/dev/null && command -v curl >/dev/null || { echo "skip: jq and curl needed"; exit 77; }
cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[ -n "$cg2" ] || { echo "skip: no cgroup v2 mount"; exit 77; }
tmp=$(mktemp -d /tmp/smiw-agentcap-XXXXXX)
cga=$cg2/smiw-agentcap-b-$$ cgb=$cg2/smiw-agentcap-c-$$
mkdir "$cga" "$cgb" || { echo "cannot create cgroups"; exit 1; }
cleanup() {
	for cg in "$cga" "$cgb"; do
		[ -f "$cg/cgroup.procs" ] && while read -r p; do echo "$p" > "$cg2/cgroup.procs"; done < "$cg/cgroup.procs"
		rmdir "$cg" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
export ITEST_LIB=$(pwd)/tests/lib/itest.sh
unshare -n bash -s "$build" "$tmp" "$cga" "$cgb" <<'INNER'
set -u
. "$ITEST_LIB"
build=$1 tmp=$2 cga=$3 cgb=$4
bin=$build/smi-witness
ip link set lo up
pids=()
app() { # cgroup name port: a sample-app placed in its cgroup before it starts
	( echo $BASHPID > "$1/cgroup.procs"; SERVICE_NAME=$2 PORT=$3 exec "$build/sample-app" ) 2>>"$tmp/apps.log" &
	pids+=($!)
}
inv() { # pods as "name:cgroup:port" ...
	local pods="" sep=""
	for p in "$@"; do
		IFS=: read -r name cg _ <<<"$p"
		pods+="$sep{\"namespace\":\"default\",\"name\":\"$name\",\"service_account\":\"service-${name#app-}\",\"ip\":\"127.0.0.1\",\"cgroup_path\":\"$cg\",\"cgroup_id\":$(stat -c %i "$cg")}"
		sep=,
	done
	printf '{"version":1,"node":"node-t","source":"test","pods":[%s],"services":[]}\n' "$pods" > "$tmp/inv.tmp"
	mv "$tmp/inv.tmp" "$tmp/inv.json"	# atomic, as the agent's own writer does
}
agent_token "$tmp/token"
api() { curl -s --max-time 5 -H "Authorization: Bearer $token" "http://127.0.0.1:19490$1"; }
ids() { api "/v1/observations?type=exchange&request_id=$1" | jq -r 'select(.t == "exchange") | "\(.pod) \(.role) \(.status)"' | sort | uniq -c | sed 's/^ *//'; }

app "$cga" app-b 9091
inv "app-b:$cga:9091"
"$bin" -v agent --source capture --capture "$capture" --inventory "$tmp/inv.json" --token-file "$tmp/token" --listen 127.0.0.1:19490 \
	--node node-t --spool-dir "$tmp/spool" 2>"$tmp/agent.log" &
agent=$!
up=0; for _ in $(seq 600); do curl -s http://127.0.0.1:19490/healthz >/dev/null && { up=1; break; }; sleep 0.1; done
is "agent with in-process capture is up" "$up" 1
for i in $(seq 1 20); do curl -s -o /dev/null -H "X-Request-Id: cap-$i" http://127.0.0.1:9091/echo; done
# The capture reaches the API as it drains: wait for what the test then checks exactly.
ids_are() { [ "$(ids "$1")" = "$2" ]; }
wait_for 120 ids_are cap- "20 app-b server 200"
is "20 exchanges at app-b, attributed and complete" "$(ids cap-)" "20 app-b server 200"
is "service account from the inventory" \
	"$(api '/v1/observations?type=exchange&request_id=cap-1' | jq -r 'select(.request_id == "cap-1") | .service_account')" service-b

# Least privilege: every thread gave up every capability once attached and bound;
# with the cgroup backend the capture thread keeps CAP_NET_ADMIN (bit 12) alone.
threads=$(for t in /proc/$agent/task/*; do
	awk '/^Cap(Prm|Eff|Bnd|Amb):/ { printf "%s%s", sep, $2; sep = "/" } END { print "" }' "$t/status"; done)
z=0000000000000000 na=0000000000001000
if [ "$capture" = cgroup ]; then
	is "agent: one thread (capture) holds CAP_NET_ADMIN alone (permitted/effective/bounding/ambient)" \
		"$(grep -c "^$na/$na/$na/$z\$" <<<"$threads")" 1
	is "agent: every other thread holds nothing" "$(grep -vc "^$na/$na/$na/$z\$\|^$z/$z/$z/$z\$" <<<"$threads")" 0
else
	is "agent: no capability left in any thread (permitted, effective, bounding, ambient)" \
		"$(sort -u <<<"$threads")" "$z/$z/$z/$z"
fi
is "agent: /v1/stats says which capabilities it kept" "$(api /v1/stats | jq -r .capabilities)" none

# A pod that appears later: new cgroup, new inventory file, no restart. Watching
# it changes the kernel's watched set (syscalls: with no capability, as measured)
# or attaches the programs to its cgroup (cgroup: with CAP_NET_ADMIN).
app "$cgb" app-c 9092
inv "app-b:$cga:9091" "app-c:$cgb:9092"
# The agent notices the new inventory on its next look (once a second) and says so under -v.
wait_for 120 grep -q 'inventory reloaded, 2 cgroup(s) watched' "$tmp/agent.log"
for i in $(seq 1 10); do curl -s -o /dev/null -H "X-Request-Id: late-$i" http://127.0.0.1:9092/echo; done
wait_for 120 ids_are late- "10 app-c server 200"
is "the later pod is watched and named after the inventory changed" "$(ids late-)" "10 app-c server 200"
# Capture writes its counters every 5 s.
for _ in $(seq 600); do [ "$(api /v1/stats | jq -r '.capture.t')" = stats ] && break; sleep 0.1; done
is "capture counters reach the API" "$(api /v1/stats | jq -r '.capture.t')" stats

kill -TERM $agent; wait $agent; rc=$?
is "agent exits 0 on SIGTERM" "$rc" 0
files=$(ls "$tmp/spool"/*.jsonl.gz 2>/dev/null | wc -l)
is "one closed spool file, no .part left" "$files $(ls "$tmp/spool"/*.part 2>/dev/null | wc -l)" "1 0"
is "spooled exchanges" "$(zcat "$tmp/spool"/*.jsonl.gz | jq -r 'select(.t == "exchange") | .request_id' | grep -c -E '^(cap|late)-')" 30
is "spool file ends cleanly" "$(zcat "$tmp/spool"/*.jsonl.gz | tail -1 | jq -r '.t + "/" + .reason')" end/signal
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
[ $fails -eq 0 ] || { cat "$tmp/agent.log"; }
itest_done
INNER
