#!/usr/bin/env bash
# valgrind.sh - observe and the agent (in-process capture, its threads, the
# API, the spool) run valgrind-clean over a short real capture: 200 requests
# each in a sandbox (a network namespace + a cgroup), 100 HTTP/2 ones from
# h2load to nghttpd for observe (HPACK in libnghttp2), no memory error, no
# leak of any kind (--error-exitcode, --errors-for-leak-kinds=all), and the
# capture under valgrind still exact. Suppressed: only what tests/lib/valgrind.supp
# says about libbpf and valgrind's bpf() model.
# Runs on each capture backend.
set -u
build=$(realpath "${1:-build}")
bin=$build/smi-witness
. tests/lib/itest.sh
. tests/lib/sandbox.sh
sandbox_require valgrind jq nghttpd h2load
sandbox_init vg
sandbox_add pod
sandbox_app pod app
mkdir "$tmp/www" && echo hello >"$tmp/www/hello"
"${pod[@]}" nghttpd --no-tls -d "$tmp/www" 8080 >/dev/null 2>&1 &
pids+=($!)
cg=$pod_cg
inv() {
	jq -n --arg cg "$cg" '{version: 1, node: "vg-node", source: "test",
		pods: [{namespace: "default", name: "app", service_account: "sa", ip: "127.0.0.1", cgroup_path: $cg}],
		services: []}'
}
inv >"$tmp/inv.json"
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all
    --suppressions="$PWD/tests/lib/valgrind.supp")
up_log() { for _ in $(seq 2400); do grep -qs "$2" "$1" && return 0; sleep 0.05; done; return 1; }
# traffic RUN: 150 keep-alive requests and 50 on connections of their own.
traffic() {
	"${pod[@]}" "$bin" drive -n 150 -c 2 --run-id "$1" http://127.0.0.1:9091/echo >/dev/null 2>&1 &&
		"${pod[@]}" "$bin" drive -n 50 -H 'Connection: close' --run-id "$1c" http://127.0.0.1:9091/echo >/dev/null 2>&1
}
count() { # FILE RUN: complete 200 exchanges of the run per side, "client server"
	zcat -f "$1" | jq -r --arg r "$2" 'select(.t == "exchange" and .complete and .status == 200 and
		(.request_id | startswith($r))) | .role' | sort | uniq -c | awk '{ printf "%s ", $1 }'
}

# --- observe ---------------------------------------------------------------------
"${vg[@]}" "$bin" observe --capture "$capture" --inventory "$tmp/inv.json" --out "$tmp/obs.jsonl.gz" --stats-interval 1s \
	2>"$tmp/observe.vg" &
obs=$!
pids+=($obs)
check "observe attached under valgrind" up_log "$tmp/observe.vg" '^observe: watching'
check "200 requests" traffic vo
check "100 HTTP/2 requests" "${pod[@]}" h2load -n 100 -c 2 -m 5 -H 'x-request-id: vh2' http://127.0.0.1:8080/hello
sleep 1
kill -INT $obs
wait $obs
is "observe: valgrind exit status (99: an error or a leak)" "$?" 0
is "observe: 200 exchanges on each side, captured under valgrind" "$(count "$tmp/obs.jsonl.gz" vo)" "200 200 "
is "observe: 100 HTTP/2 exchanges on each side" "$(count "$tmp/obs.jsonl.gz" vh2)" "100 100 "
check "observe: no valgrind report" sh -c "! grep -q '^==[0-9]*==' '$tmp/observe.vg'"

# --- agent ---------------------------------------------------------------------------
random_hex 24 >"$tmp/token"
"${vg[@]}" "$bin" agent --source capture --capture "$capture" --inventory "$tmp/inv.json" --token-file "$tmp/token" \
	--listen 127.0.0.1:0 --spool-dir "$tmp/spool" --node vg-node 2>"$tmp/agent.vg" &
agent=$!
pids+=($agent)
check "agent up under valgrind" up_log "$tmp/agent.vg" 'serving http://'
port=$(sed -n 's|.*serving http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/agent.vg")
check "200 requests" traffic va
served() { curl -s -H "Authorization: Bearer $(cat "$tmp/token")" \
	"http://127.0.0.1:$port/v1/observations?request_id=va" | jq -r 'select(.t == "exchange" and .complete) | .role' |
	sort | uniq -c | awk '{ printf "%s ", $1 }'; }
# Under valgrind the agent is slow to drain: wait for what is then checked exactly.
served_all() { [ "$(served)" = "200 200 " ]; }
for _ in $(seq 1200); do served_all && break; sleep 0.1; done
is "agent: the API serves the 200 + 200 exchanges" "$(served)" "200 200 "
kill -TERM $agent
wait $agent
is "agent: valgrind exit status (99: an error or a leak)" "$?" 0
is "agent: the spool holds them too" "$(count "$(ls "$tmp"/spool/*.jsonl.gz)" va)" "200 200 "
check "agent: no valgrind report" sh -c "! grep -q '^==[0-9]*==' '$tmp/agent.vg'"

[ $fails -eq 0 ] || tail -n 30 "$tmp"/*.vg
itest_done
