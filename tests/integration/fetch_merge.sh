#!/usr/bin/env bash
# fetch_merge.sh - two agents as two nodes (disjoint pods) in a private
# network namespace, merged by `smi-witness fetch`: every record once, on one
# timeline, peers on the other node named from its inventory, drop counters
# summed; an agent that does not answer makes the result incomplete.
set -u
build=$(realpath "${1:-build}")
[ "$(id -u)" = 0 ] || { echo "skip: needs root for a private network namespace"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq missing"; exit 77; }
tmp=$(mktemp -d /tmp/smiw-fetch-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export ITEST_LIB=$(pwd)/tests/lib/itest.sh
unshare -n bash -s "$build/smi-witness" "$tmp" <<'INNER'
set -u
. "$ITEST_LIB"
bin=$1 tmp=$2
ip link set lo up
agent_token "$tmp/token"
inv() { # node, pod, ip
	printf '{"version":1,"node":"%s","source":"kubernetes","pods":[{"namespace":"default","name":"%s","ip":"%s","cgroup_id":1}],"services":[]}\n' "$1" "$2" "$3"
}
inv node-1 app-a 10.244.1.11 > "$tmp/inv1.json"
inv node-2 app-b 10.244.2.12 > "$tmp/inv2.json"
# node-1 sees app-a's client side, node-2 app-b's server side of the same two requests.
cat > "$tmp/n1.jsonl" <<'R'
{"t":"exchange","node":"node-1","namespace":"default","pod":"app-a","role":"client","local":"10.244.1.11:40000","peer":"10.244.2.12:9091","request_id":"r-1","start_ns":1000,"end_ns":9000,"status":200}
{"t":"exchange","node":"node-1","namespace":"default","pod":"app-a","role":"client","local":"10.244.1.11:40002","peer":"10.244.2.12:9091","request_id":"r-2","start_ns":20000,"end_ns":29000,"status":503}
{"t":"stats","ts_ns":30000,"kernel_drops":3,"user_drops":0,"gaps":0}
R
cat > "$tmp/n2.jsonl" <<'R'
{"t":"exchange","node":"node-2","namespace":"default","pod":"app-b","role":"server","local":"10.244.2.12:9091","peer":"10.244.1.11:40000","request_id":"r-1","start_ns":2000,"end_ns":8000,"status":200}
{"t":"exchange","namespace":"default","pod":"app-b","role":"server","local":"10.244.2.12:9091","peer":"10.244.1.11:40002","request_id":"r-2","start_ns":21000,"end_ns":28000,"status":503}
{"t":"stats","ts_ns":30000,"kernel_drops":4,"user_drops":1,"gaps":2}
R
"$bin" agent --source "$tmp/n1.jsonl" --token-file "$tmp/token" --listen 127.0.0.1:19471 --node node-1 \
	--inventory "$tmp/inv1.json" 2>>"$tmp/log" & a1=$!
"$bin" agent --source "$tmp/n2.jsonl" --token-file "$tmp/token" --listen 127.0.0.1:19472 --node node-2 \
	--inventory "$tmp/inv2.json" 2>>"$tmp/log" & a2=$!
for p in 19471 19472; do for _ in $(seq 600); do curl -s "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.1; done; done
# Each agent has taken every line of its source before anything is fetched.
fed() { [ "$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$1/v1/stats" | jq -r .store.added)" = "$2" ]; }
wait_for 120 fed 19471 "$(wc -l <"$tmp/n1.jsonl")"
wait_for 120 fed 19472 "$(wc -l <"$tmp/n2.jsonl")"

rc=0
"$bin" fetch --agent http://127.0.0.1:19471 --agent http://127.0.0.1:19472 --token-file "$tmp/token" \
	-o "$tmp/merged.jsonl" 2>"$tmp/fetch.err" || rc=$?
is "fetch from both agents exits 0" "$rc" 0
m=$tmp/merged.jsonl
is "first line is meta of the merged stream" "$(head -1 "$m" | jq -r '.t + " " + .node + " " + (.sources | length | tostring)')" "meta merged 2"
is "four exchanges, once each" "$(jq -r 'select(.t=="exchange") | .request_id + "/" + .role' "$m" | sort | tr '\n' ' ')" \
	"r-1/client r-1/server r-2/client r-2/server "
is "ordered by time across nodes" "$(jq -r 'select(.t=="exchange") | .node' "$m" | tr '\n' ' ')" "node-1 node-2 node-1 node-2 "
# Both agents run on this machine: one clock, so the moved times differ from the originals by at most 1 ms.
is "times kept on one timeline" "$(jq -r 'select(.t=="exchange" and .request_id=="r-1" and .role=="server") | (.start_ns - 2000 | fabs < 1000000)' "$m")" true
is "a record without node gets its agent's" "$(jq -r 'select(.request_id=="r-2" and .role=="server") | .node' "$m")" node-2
is "peer on the other node named from its inventory" \
	"$(jq -r 'select(.t=="exchange") | .peer_pod' "$m" | sort -u | tr '\n' ' ')" "default/app-a default/app-b "
is "end line sums the counters" "$(tail -1 "$m" | jq -r '[.t, .kernel_drops, .user_drops, .gaps, .complete] | @tsv')" \
	"$(printf 'end\t7\t1\t2\ttrue')"
is "filters pass through (request id r-2)" \
	"$("$bin" fetch --agent http://127.0.0.1:19471 --agent http://127.0.0.1:19472 --token-file "$tmp/token" --request-id r-2 2>/dev/null | jq -r 'select(.t=="exchange") | .request_id' | sort -u)" r-2
rc=0; "$bin" fetch --agent http://127.0.0.1:19471 --token-file "$tmp/short-missing" >/dev/null 2>&1 || rc=$?
is "a missing token file is a usage error" "$rc" 2
echo wrong-token-0000000000 > "$tmp/wrong"
rc=0; "$bin" fetch --agent http://127.0.0.1:19471 --token-file "$tmp/wrong" >/dev/null 2>"$tmp/err" || rc=$?
is "a wrong token: could not run (4)" "$rc" 4
check "and says 401" grep -q "401 Unauthorized" "$tmp/err"

kill -TERM $a2; wait $a2 2>/dev/null
rc=0
"$bin" fetch --agent http://127.0.0.1:19471 --agent http://127.0.0.1:19472 --token-file "$tmp/token" \
	-o "$tmp/half.jsonl" 2>"$tmp/fetch.err" || rc=$?
is "one agent down: could not run (4)" "$rc" 4
is "one agent down: incomplete, counted" "$(tail -1 "$tmp/half.jsonl" | jq -r '[.complete, .agents_failed] | @tsv')" "$(printf 'false\t1')"
is "the other agent's records are still there" "$(jq -r 'select(.t=="exchange") | .node' "$tmp/half.jsonl" | sort -u)" node-1
kill -TERM $a1; wait $a1 2>/dev/null
[ $fails -eq 0 ] || { cat "$tmp/log" "$tmp/fetch.err"; }
itest_done
INNER
