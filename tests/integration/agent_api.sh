#!/usr/bin/env bash
# agent_api.sh - the agent's HTTP API inside a private network namespace:
# token refusal, binding to the configured address only, time-window and field filters, eviction accounting, metrics,
# and spool rotation that never leaves a torn record in a closed file.
set -u
build=$(realpath "${1:-build}")
bin="$build/smi-witness"
[ "$(id -u)" = 0 ] || { echo "skip: needs root for a private network namespace"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq missing"; exit 77; }

tmp=$(mktemp -d /tmp/smiw-agent-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# Everything below runs in a namespace of its own: only its loopback exists.
# A time namespace moves the monotonic clock 10^5 s ahead, so the records made
# up below (up to 15 minutes in the past) lie after boot on a machine that
# booted a minute ago: the test does not depend on uptime.
export ITEST_LIB=$(pwd)/tests/lib/itest.sh
unshare -n --time --monotonic 100000 bash -s "$bin" "$tmp" <<'INNER'
set -u
. "$ITEST_LIB"
bin=$1 tmp=$2
ip link set lo up
agent_token "$tmp/token"
port=19469
api() { curl -s --max-time 5 -H "Authorization: Bearer $token" "http://127.0.0.1:$port$1"; }
code() { curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$@"; }
pids=()
stop_agent() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
wait_up() { for _ in $(seq 600); do curl -s "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done; return 1; }

# --- refusing to run or serve without the token ---------------------------
rc=0; SMIW_AGENT_TOKEN= "$bin" agent --source /dev/null 2>"$tmp/err" || rc=$?
is "no token: refuses to start with exit 2" "$rc" 2
check "no token: says how to pass one" grep -q -- "--token-file" "$tmp/err"
echo short > "$tmp/short"
rc=0; "$bin" agent --source /dev/null --token-file "$tmp/short" 2>/dev/null || rc=$?
is "short token: refuses to start" "$rc" 2

# --- bound to the configured address only ------------------------------------
ip addr add 198.18.9.1/32 dev lo
: >"$tmp/empty.jsonl"
"$bin" agent --source "$tmp/empty.jsonl" --token-file "$tmp/token" --listen 198.18.9.1:$port 2>"$tmp/bind.log" &
agent=$!
for _ in $(seq 600); do curl -s "http://198.18.9.1:$port/healthz" >/dev/null && break; sleep 0.1; done
is "--listen 198.18.9.1: the one listening socket on that port" \
	"$(ss -Hltn "sport = :$port" | awk '{ print $4 }' | tr '\n' ' ')" "198.18.9.1:$port "
rc=0; curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$port/healthz" || rc=$?
is "--listen 198.18.9.1: loopback 127.0.0.1 is refused (curl exit 7)" "$rc" 7
is "--listen 198.18.9.1: healthz there" "$(curl -s --max-time 2 "http://198.18.9.1:$port/healthz")" ok
is "--listen 198.18.9.1: no token, 401" "$(code "http://198.18.9.1:$port/v1/stats")" 401
is "--listen 198.18.9.1: the token, 200" "$(code -H "Authorization: Bearer $token" "http://198.18.9.1:$port/v1/stats")" 200
caps=$(cat /proc/$agent/task/*/status | awk '/^Cap(Prm|Eff|Bnd|Amb):/ { print $2 }' | sort -u | tr '\n' ' ')
is "agent on a file source: no capability left once listening" "$caps" "0000000000000000 "
stop_agent $agent

# --- queries over a FIFO source ------------------------------------------
mkfifo "$tmp/fifo"
"$bin" agent --source "$tmp/fifo" --token-file "$tmp/token" --listen 127.0.0.1:$port \
	--store-records 7 --node node-7 2>"$tmp/agent.log" &
agent=$!
exec 3>"$tmp/fifo"	# the writer end stays open for the whole test
check "agent answers /healthz without a token" wait_up
is "no token: 401" "$(code "http://127.0.0.1:$port/v1/observations")" 401
is "wrong token: 401" "$(code -H "Authorization: Bearer x$token" "http://127.0.0.1:$port/v1/observations")" 401
is "token as a prefix: 401" "$(code -H "Authorization: Bearer ${token:0:10}" "http://127.0.0.1:$port/v1/stats")" 401
is "token in X-Smiw-Token (pod proxy path): 200" "$(code -H "X-Smiw-Token: $token" "http://127.0.0.1:$port/v1/stats")" 200
is "wrong X-Smiw-Token: 401 even with a good bearer" \
	"$(code -H "X-Smiw-Token: nope" -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/stats")" 401
is "metrics need the token too" "$(code "http://127.0.0.1:$port/metrics")" 401
is "POST is refused" "$(code -X POST -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/stats")" 405
is "unknown path: 404" "$(code -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/nope")" 404
is "bad window: 400" "$(code -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/observations?since=yesterday")" 400

now=$(api /v1/observations | head -1 | jq -r .mono_ns)
check "meta line gives the agent's monotonic clock" test "$now" -gt 0
m() { echo $((now - $1 * 1000000000)); }	# monotonic ns, $1 seconds ago
{
	echo '{"t":"meta","v":1,"node":"node-7","snaplen":512,"mono_ns":1,"real_ns":2}'
	echo "{\"t\":\"exchange\",\"namespace\":\"default\",\"pod\":\"app-a\",\"role\":\"client\",\"request_id\":\"run1-0001\",\"start_ns\":$(m 600),\"status\":200}"
	echo "{\"t\":\"exchange\",\"namespace\":\"default\",\"pod\":\"app-b\",\"role\":\"server\",\"request_id\":\"run1-0001\",\"start_ns\":$(m 599),\"status\":200}"
	echo "{\"t\":\"exchange\",\"namespace\":\"default\",\"pod\":\"app-a\",\"role\":\"client\",\"request_id\":\"run1-0002\",\"start_ns\":$(m 180),\"status\":503}"
	echo "{\"t\":\"exchange\",\"namespace\":\"other\",\"pod\":\"app-a\",\"role\":\"client\",\"request_id\":\"run2-0001\",\"start_ns\":$(m 170),\"status\":200}"
	echo "{\"t\":\"conn\",\"namespace\":\"default\",\"pod\":\"app-c\",\"conn\":\"k9\",\"open_ns\":$(m 30)}"
	echo "{\"t\":\"exchange\",\"namespace\":\"default\",\"pod\":\"app-c\",\"role\":\"server\",\"request_id\":\"run2-0002\",\"start_ns\":$(m 20),\"status\":200}"
	echo '{"t":"stats","ts_ns":5,"kernel_drops":7,"user_drops":2,"gaps":1,"events":900}'
	echo 'garbage that is not a record'
} >&3
# The agent reads its source as records come: wait until it has taken all eight lines.
store_is() { [ "$(api /v1/stats | jq -r '[.store.records, .store.rejected, .store.evicted] | @tsv')" = "$1" ]; }
wait_for 120 store_is "$(printf '7\t1\t0')"
ids() { api "$1" | jq -r 'select(.t=="exchange" or .t=="conn") | (.request_id // .conn)' | tr '\n' ' '; }
is "all records, oldest first" "$(ids /v1/observations)" "run1-0001 run1-0001 run1-0002 run2-0001 k9 run2-0002 "
is "since=5m" "$(ids '/v1/observations?since=5m')" "run1-0002 run2-0001 k9 run2-0002 "
is "since=5m&until=1m" "$(ids '/v1/observations?since=5m&until=1m')" "run1-0002 run2-0001 "
is "pod=app-a&namespace=default" "$(ids '/v1/observations?pod=app-a&namespace=default')" "run1-0001 run1-0002 "
is "request_id prefix run2-" "$(ids '/v1/observations?request_id=run2-')" "run2-0001 run2-0002 "
is "type=conn" "$(ids '/v1/observations?type=conn')" "k9 "
real_now=$(api /v1/observations | head -1 | jq -r '.real_ns - .mono_ns')
is "since_ns/until_ns in Unix time" \
	"$(ids "/v1/observations?since_ns=$((real_now + $(m 200)))&until_ns=$((real_now + $(m 175)))")" "run1-0002 "
last=$(api '/v1/observations?since=5m' | tail -1)
is "last line is stats with drop counters" "$(jq -r '[.t, .kernel_drops, .user_drops, .records, .window_complete] | @tsv' <<<"$last")" \
	"$(printf 'stats\t7\t2\t5\ttrue')"
is "a window brings the counters from before it (the baseline)" \
	"$(api '/v1/observations?since=5m' | sed -n 2p | jq -r '[.t, .kernel_drops] | @tsv')" "$(printf 'stats\t7')"
is "stats: 7 kept (6 records, 1 counters), 1 rejected" \
	"$(api /v1/stats | jq -r '[.store.records, .store.rejected, .store.evicted] | @tsv')" "$(printf '7\t1\t0')"
# Two more records push the two oldest out of a 7-record store.
{
	echo "{\"t\":\"exchange\",\"namespace\":\"default\",\"pod\":\"app-b\",\"request_id\":\"run3-0001\",\"start_ns\":$(m 10)}"
	echo "{\"t\":\"exchange\",\"namespace\":\"default\",\"pod\":\"app-b\",\"request_id\":\"run3-0002\",\"start_ns\":$(m 9)}"
} >&3
wait_for 120 store_is "$(printf '7\t1\t2')"
is "eviction counted" "$(api /v1/stats | jq -r .store.evicted)" 2
is "a window over evicted records is not complete" "$(api '/v1/observations?since=15m' | tail -1 | jq -r .window_complete)" false
is "a window after them is" "$(api '/v1/observations?since=5m' | tail -1 | jq -r .window_complete)" true
metrics=$(api /metrics)
check "metrics: kernel drops" grep -qx 'smiw_capture_kernel_drops_total{node="node-7"} 7' <<<"$metrics"
check "metrics: evictions" grep -qx 'smiw_store_evicted_total{node="node-7"} 2' <<<"$metrics"
check "metrics: TYPE lines" grep -qx '# TYPE smiw_store_records gauge' <<<"$metrics"
exec 3>&-
stop_agent $agent

# --- spool rotation: closed files are whole --------------------------------
gen() { # N records with random ids, so compression cannot shrink files much
	od -An -tx8 -v -N $(($1 * 24)) /dev/urandom | tr -s ' \n' ' ' | tr ' ' '\n' | grep . |
		paste - - - | awk '{ printf "{\"t\":\"exchange\",\"conn\":\"c%d\",\"seq\":%d,\"pod\":\"app-%d\",\"request_id\":\"%s%s%s\",\"start_ns\":%d}\n", NR, NR, NR % 3, $1, $2, $3, NR }'
}
gen 3000 > "$tmp/in.jsonl"
"$bin" agent --source "$tmp/in.jsonl" --token-file "$tmp/token" --listen 127.0.0.1:$port \
	--spool-dir "$tmp/spool" --spool-max-bytes 8192 --spool-max-files 0 --node node-7 2>>"$tmp/agent.log" &
agent=$!
wait_up
for _ in $(seq 600); do [ "$(api /v1/stats | jq -r .store.added)" = 3000 ] && break; sleep 0.1; done
closed_before=$(ls "$tmp/spool"/*.jsonl.gz | wc -l)
check "several files closed while running ($closed_before)" test "$closed_before" -ge 5
check "exactly one file open (.part)" test "$(ls "$tmp/spool"/*.part | wc -l)" = 1
torn=0 badend=0
for f in "$tmp/spool"/*.jsonl.gz; do
	gzip -t "$f" || torn=$((torn + 1))
	zcat "$f" | jq -e . >/dev/null 2>&1 || torn=$((torn + 1))
	[ "$(zcat "$f" | head -1 | jq -r .t)" = meta ] || badend=$((badend + 1))
	[ "$(zcat "$f" | tail -1 | jq -r '.t + "/" + .reason')" = end/rotated ] || badend=$((badend + 1))
done
is "closed files: every line whole JSON" "$torn" 0
is "closed files: meta first, end/rotated last" "$badend" 0
stop_agent $agent
check "after SIGTERM no .part file is left" test -z "$(ls "$tmp/spool"/*.part 2>/dev/null)"
is "last file ends with reason signal" "$(zcat "$(ls "$tmp/spool"/*.jsonl.gz | tail -1)" | tail -1 | jq -r .reason)" signal
zcat $(ls "$tmp/spool"/*.jsonl.gz) | jq -c 'select(.t=="exchange")' > "$tmp/out.jsonl"
jq -c . "$tmp/in.jsonl" > "$tmp/in.norm"
check "the files hold every record once, in order (3000)" cmp -s "$tmp/in.norm" "$tmp/out.jsonl"

# --- retention ------------------------------------------------------------
rm -rf "$tmp/spool"
"$bin" agent --source "$tmp/in.jsonl" --token-file "$tmp/token" --listen 127.0.0.1:$port \
	--spool-dir "$tmp/spool" --spool-max-bytes 8192 --spool-max-files 2 --node node-7 2>>"$tmp/agent.log" &
agent=$!
wait_up
for _ in $(seq 600); do [ "$(api /v1/stats | jq -r .store.added)" = 3000 ] && break; sleep 0.1; done
removed=$(api /v1/stats | jq -r .spool.files_removed)
check "old files removed past --spool-max-files ($removed)" test "$removed" -ge 3
is "two closed files kept" "$(ls "$tmp/spool"/*.jsonl.gz | wc -l)" 2
stop_agent $agent

[ $fails -eq 0 ] || { cat "$tmp/agent.log"; }
itest_done
INNER
