#!/usr/bin/env bash
# faults_lab.sh - faults under a two-step scenario in a lab of its own (access
# allowed, app-a -> app-svc through HAProxy), each judged by `smi-witness
# verify` on what was recorded:
#  - observe SIGKILLed during step 2: every record of step 1 is on disk and
#    whole; the reader says where the file breaks off and, for a torn last line,
#    drops it with a message; step 1 PASS, step 2 INCONCLUSIVE naming the cause;
#  - the agent SIGKILLed during step 2, then restarted on the same spool: the
#    interrupted file is recovered (whole records kept, none lost, a torn last
#    one dropped with a message) and never touched again; step 2 INCONCLUSIVE;
#  - a 4 KiB ring buffer under load: the step is INCONCLUSIVE naming the drops;
#  - a lab pod's network namespace deleted during a step: the step still PASSes
#    on exact counts, no drop;
#  - HAProxy killed during step 2: the verdict says the mesh went away, with
#    exactly the refused connects the driver saw; killed during a `run`, the
#    runner also finds it gone before the next step, which it does not run.
# Runs on each capture backend.
set -u
build=$(realpath "${1:-build}")
bin=$build/smi-witness
. tests/lib/itest.sh
[ "$(id -u)" = 0 ] || { echo "skip: the lab and the capture need root"; exit 77; }
command -v haproxy >/dev/null || { echo "skip: haproxy is not installed"; exit 77; }
for t in jq curl zcat; do command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }; done

lab="fl$$"
lab=${lab:0:12}
W=$(mktemp -d /tmp/smiw-faults-lab-XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	"$bin" lab down --lab "$lab" >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT
"$bin" lab up --lab "$lab" --topology "$PWD/sample-app/topology/default.yaml" >"$W/lab.log" 2>&1 ||
	{ cat "$W/lab.log"; echo "lab up failed"; exit 1; }
inv=/run/smi-witness/lab-$lab/inventory.json
cat >"$W/sc.yaml" <<'EOF'
version: 1
name: faults
smispec: traffic-access
access_control: false
defaults: {from: app-a, to: app-svc, path: /echo, via: direct, converge: false, expect: {access: allow}}
steps:
  - name: before
    traffic: [{count: 200}]
  - name: during
    traffic: [{count: 2000}]
EOF

# step RUN STEP N [drive options...]: N requests from app-a as step STEP of run RUN (intent in $W).
step() {
	local run=$1 st=$2 n=$3; shift 3
	"$bin" lab exec --lab "$lab" app-a -- smi-witness drive -n "$n" -c 2 --run-id "$run.$st.1" \
		--intent "$W/$run.$st.intent" "$@" http://app-svc:9091/echo >"$W/$run.$st.drive" 2>&1
}
# verify NAME OBS RUN: report in $W/NAME.json, stderr in $W/NAME.err.
verify() {
	cat "$W/$3".*.intent >"$W/$3.intent"
	"$bin" -j verify "$2" -i "$W/$3.intent" -s "$W/sc.yaml" -I "$inv" -r "$3" >"$W/$1.json" 2>"$W/$1.err"
}
# app_svc_requests: requests HAProxy has taken for app-svc so far (read from the mesh pod's
# network by a process in no watched cgroup, so the capture does not see the scrape).
app_svc_requests() {
	ip netns exec "$lab-mesh" curl -s --max-time 5 http://198.18.1.250:8405/metrics |
		awk '$1 == "haproxy_frontend_http_requests_total{proxy=\"svc.default.app-svc.9091\"}" { print $2 }'
}
# past N: HAProxy has taken N requests for app-svc.
past() { [ "$(app_svc_requests)" -ge "$1" ] 2>/dev/null; }
# step2_under_way BASE: step 2's driver is sending (100 of its requests through the mesh).
step2_under_way() { wait_for 120 past $(( $1 + 100 )); }
# killed_in_step2 RUN FILE PID...: 200 requests (step 1), then - once FILE (a glob) holds
# every one of them - 2000 at 1000/s (step 2), during which PID... get SIGKILL once it is under way.
killed_in_step2() {
	local run=$1 file=$2 drv base; shift 2
	step "$run" 1 200
	wait_for 120 recorded "$file" "$run.1" 200
	base=$(app_svc_requests)
	step "$run" 2 2000 -r 1000 &
	drv=$!
	step2_under_way "${base:-0}"
	kill -9 "$@"
	wait $drv
}
verdict() { jq -r --arg s "$2" '.assertions[] | select(.step == $s) | .verdict + ": " + .reason' "$W/$1.json"; }
up_log() { wait_for 120 grep -qs "$2" "$1"; }
# recorded GLOB RUN.STEP N: the file GLOB names holds N client exchanges of that step.
recorded() { local f; for f in $1; do [ "$(client_ids "$f" "$2")" = "$3" ] && return 0; done; return 1; }
# client_ids FILE RUN.STEP: request ids of app-a's client-side exchanges of that step, distinct.
client_ids() { zcat -f "$1" 2>/dev/null | grep -F "\"request_id\":\"$2.1-" | jq -r 'select(.t == "exchange" and
	.role == "client" and .pod == "app-a") | .request_id' 2>/dev/null | sort -u | wc -l; }

# --- observe SIGKILLed mid-step ------------------------------------------------------
"$bin" observe --capture "$capture" --inventory "$inv" --out "$W/kill.jsonl.gz" --stats-interval 200ms 2>"$W/kill.log" &
obs=$!
pids+=($obs)
check "observe attached" up_log "$W/kill.log" '^observe: watching'
killed_in_step2 rk "$W/kill.jsonl.gz" $obs
is "the driver's 2000 requests all answered" "$(jq -r 'select(.t == "intent" and .status == 200) | .request_id' "$W/rk.2.intent" | wc -l)" 2000
is "nothing written before the kill is lost: step 1's 200 client exchanges" "$(client_ids "$W/kill.jsonl.gz" rk.1)" 200
verify kill "$W/kill.jsonl.gz" rk
# zlib emits what it compressed as its buffer fills, so the stream may break off inside a record.
check "the reader says where the file breaks off, dropping a torn last line" grep -Eq \
	"kill.jsonl.gz': (line [0-9]+ is cut short \(its writer stopped mid-record\): dropped|the compressed stream breaks off after line [0-9]+ \(its writer stopped\): read up to there)" \
	"$W/kill.err"
is "step 1 (before the kill) PASS" "$(verdict kill before)" "PASS: 200/200 reached app-svc and succeeded"
check "step 2 (during) INCONCLUSIVE, naming the cause" sh -c "jq -r '.assertions[1] | .verdict + \": \" + .reason' '$W/kill.json' |
	grep -Eq '^INCONCLUSIVE: capture incomplete during the step: capture cut short \((torn last line [0-9]+|compressed stream breaks off after line [0-9]+), no end record\) before the step ended$'"
# A writer dying inside a record (a plain file cut mid-line): the torn line is dropped, with a message.
zcat "$W/kill.jsonl.gz" 2>/dev/null | head -c -40 >"$W/torn.jsonl"
lines=$(wc -l <"$W/torn.jsonl")
verify torn "$W/torn.jsonl" rk
check "the reader drops the torn last line $((lines + 1)) with a message" \
	grep -q "torn.jsonl': line $((lines + 1)) is cut short (its writer stopped mid-record): dropped" "$W/torn.err"
is "torn copy: step 2 INCONCLUSIVE naming the torn line" "$(verdict torn during)" \
	"INCONCLUSIVE: capture incomplete during the step: capture cut short (torn last line $((lines + 1)), no end record) before the step ended"
is "torn copy: step 1 still PASS" "$(verdict torn before | cut -c1-4)" PASS

# --- the agent SIGKILLed mid-step, then restarted on its spool ---------------------------
random_hex 24 >"$W/token"
agent() { # log: starts the agent, waits until it serves; sets $agent and $port
	"$bin" agent --source capture --capture "$capture" --inventory "$inv" --spool-dir "$W/spool" --token-file "$W/token" \
		--listen 127.0.0.1:0 --node fl-node 2>"$1" &
	agent=$!
	pids+=($agent)
	up_log "$1" "serving http://" && port=$(sed -n 's|.*serving http://127.0.0.1:\([0-9]*\).*|\1|p' "$1")
}
check "agent up" agent "$W/agent1.log"
killed_in_step2 ra "$W/spool/*.part" $agent
part=$(ls "$W/spool"/*.part 2>/dev/null)
is "one interrupted spool file (.part), no closed one" "$(ls "$W/spool" | grep -c '\.part$') $(ls "$W/spool" | grep -c 'gz$')" "1 0"
check "restarted agent up" agent "$W/agent2.log"
recovered=${part%.part}
check "the restart recovers the interrupted file under its final name" test -f "$recovered" -a ! -e "$part"
kept=$(sed -n "s|.*was left open by an interrupted run: \([0-9]*\) whole records kept in '$recovered' (no end record).*|\1|p" "$W/agent2.log")
is "the restart says how many whole records it kept" "$(zcat "$recovered" | wc -l)" "${kept:-none}"
check "the recovered file is a whole gzip stream of whole JSON lines" sh -c "gzip -t '$recovered' && zcat '$recovered' | jq -e . >/dev/null"
is "recovered: meta first, no end record" "$(zcat "$recovered" | sed -n 1p | jq -r .t) $(zcat "$recovered" | grep -c '"t":"end"')" "meta 0"
is "nothing written before the kill is lost: step 1's 200 client exchanges" "$(client_ids "$recovered" ra.1)" 200
is "the agent reports the recovery" "$(curl -s -H "Authorization: Bearer $(cat "$W/token")" "http://127.0.0.1:$port/v1/stats" |
	jq -c '[.spool.files_recovered, .spool.records_recovered]')" "[1,$kept]"
sum=$(md5sum <"$recovered")
step rb 1 50
sleep 1.2
kill -TERM $agent
wait $agent
is "restarted agent exits 0" "$?" 0
is "the recovered file is left as it was" "$(md5sum <"$recovered")" "$sum"
is "the new run's file is a file of its own, closed cleanly" \
	"$(ls "$W/spool" | grep -c 'jsonl.gz$') $(zcat $(ls "$W"/spool/*.jsonl.gz | grep -v "$recovered") | tail -n 1 | jq -r '.t + "/" + .reason')" \
	"2 end/signal"
verify agent "$recovered" ra
is "agent recording: step 2 INCONCLUSIVE, naming the cause" "$(verdict agent during)" \
	"INCONCLUSIVE: capture incomplete during the step: capture cut short (no end record) before the step ended"

# --- ring buffer overflow ---------------------------------------------------------------
"$bin" observe --capture "$capture" --inventory "$inv" --out "$W/ring.jsonl" --stats-interval 200ms --ring-size 4096 2>"$W/ring.log" &
obs=$!
pids+=($obs)
check "observe attached with a 4 KiB ring" up_log "$W/ring.log" '^observe: watching'
step rr 1 200
sleep 0.5
step rr 2 2000 -c 8
sleep 0.5
kill -INT $obs
wait $obs
verify ring "$W/ring.jsonl" rr
drops=$(jq '.scenarios[0].steps[1].capture.kernel_drops' "$W/ring.json")
check "the ring overflowed during step 2 ($drops kernel drops in the step)" test "${drops:-0}" -gt 0
check "step 2 INCONCLUSIVE, naming the drops" sh -c "test \"\$(jq -r '.assertions[1].verdict' '$W/ring.json')\" = INCONCLUSIVE &&
	jq -r '.assertions[1].reason' '$W/ring.json' | grep -q '^capture incomplete during the step: $drops kernel drops'"

# --- a lab pod's network namespace deleted under the capture --------------------------------
# app-d (watched, not on the path) is torn down by hand in the middle of step 2: its
# processes killed, its network namespace deleted. The rest of the lab is unaffected.
"$bin" observe --capture "$capture" --inventory "$inv" --out "$W/netns.jsonl" --stats-interval 200ms 2>"$W/netns.log" &
obs=$!
pids+=($obs)
check "observe attached" up_log "$W/netns.log" '^observe: watching'
app_d=$(jq -r '.pods[] | select(.name == "app-d") | .cgroup_path + " " + .netns' "$inv")
step rn 1 200
base=$(app_svc_requests)
step rn 2 2000 -r 1000 &
drv=$!
step2_under_way "${base:-0}"
echo 1 >"${app_d% *}/cgroup.kill"
ip netns del "${app_d#* }"
wait $drv
check "app-d's network namespace is gone" sh -c "! ip netns list | grep -q '^${app_d#* }\b'"
check "observe still runs" kill -0 $obs
kill -INT $obs
wait $obs
is "observe exits 0" "$?" 0
verify netns "$W/netns.jsonl" rn
is "step 2: every request through the mesh captured and judged" "$(verdict netns during)" \
	"PASS: 2000/2000 reached app-svc and succeeded"
is "no drop, no gap" "$(tail -n 1 "$W/netns.jsonl" | jq -c '[.t, .kernel_drops, .user_drops, .gaps]')" '["end",0,0,0]'
"$bin" lab up --lab "$lab" >/dev/null 2>&1	# app-d back, for what follows

# --- HAProxy killed mid-step ----------------------------------------------------------------
"$bin" observe --capture "$capture" --inventory "$inv" --out "$W/mesh.jsonl" --stats-interval 200ms 2>"$W/mesh.log" &
obs=$!
pids+=($obs)
check "observe attached" up_log "$W/mesh.log" '^observe: watching'
killed_in_step2 rm "$W/mesh.jsonl" $("$bin" -j lab status --lab "$lab" | jq -r '.mesh.haproxy.pid, .mesh.worker.pid')
sleep 0.3
kill -INT $obs
wait $obs
refused=$(sed -n 's/^errors .*refused: \([0-9]*\).*/\1/p' "$W/rm.2.drive")
check "the driver saw refused connects once HAProxy was gone (${refused:-0})" test "${refused:-0}" -gt 0
verify mesh "$W/mesh.jsonl" rm
is "step 1 PASS" "$(verdict mesh before | cut -c1-4)" PASS
is "step 2: the mesh went away, with every refused connect" "$(verdict mesh during)" \
	"INCONCLUSIVE: the mesh went away during the step: service address 198.18.1.1:9091 (default/app-svc) answered, then refused $refused connects: nothing listened there any more"
is "verify exits 3 (INCONCLUSIVE, no FAIL)" "$(jq -r '[.assertions[].verdict] | join(" ")' "$W/mesh.json")" "PASS INCONCLUSIVE"

# --- HAProxy killed during a `smi-witness run` -----------------------------------------
# The verifier sees step 1's refusals; the runner finds the mesh gone before step 2,
# does not run it, and notes that in the intents, so the replay says the same.
cat >"$W/run.yaml" <<'EOF'
version: 1
name: mesh-dies
smispec: traffic-access
access_control: false
defaults: {from: app-a, to: app-svc, path: /echo, via: direct, converge: false, expect: {access: allow}}
steps:
  - name: dies
    traffic: [{duration: 3s}]
  - name: after
    traffic: [{count: 100}]
EOF
"$bin" run "$W/run.yaml" --capture "$capture" --lab "$lab" --topology "$PWD/sample-app/topology/default.yaml" --out "$W/runout" \
	>"$W/run.txt" 2>"$W/run.err" &
runner=$!
check "run reaches step 1's traffic" up_log "$W/run.err" 'for 3.0 s'
base=$(app_svc_requests)
check "step 1's requests go through the mesh" wait_for 120 past $(( ${base:-0} + 5 ))
kill -9 $("$bin" -j lab status --lab "$lab" | jq -r '.mesh.haproxy.pid, .mesh.worker.pid')
wait $runner
is "run exits 3 (INCONCLUSIVE, no FAIL)" "$?" 3
cp "$W/runout/reference/mesh-dies/report.json" "$W/run.json"
check "run: step 1 INCONCLUSIVE, the mesh went away during it" sh -c "jq -r '.assertions[0] | .verdict + \": \" + .reason' '$W/run.json' |
	grep -Eq '^INCONCLUSIVE: the mesh went away during the step: service address 198.18.1.1:9091 \(default/app-svc\) answered, then refused [0-9]+ connects'"
check "run: step 2 not run, INCONCLUSIVE, saying why" sh -c "jq -r '.assertions[1] | .verdict + \": \" + .reason' '$W/run.json' |
	grep -Eq '^INCONCLUSIVE: the mesh went away before the step \(HAProxy \(pid [0-9]+\) of the mesh pod is not running\): it was not run$'"
check "run: progress says the later steps are not run" grep -q 'the mesh went away before this step' "$W/run.err"
PATH="$build:$PATH" "$W/runout/reference/mesh-dies/replay.sh" -f json >"$W/replay.json" 2>/dev/null
check "run: replay.sh gives the same report" cmp "$W/replay.json" "$W/runout/reference/mesh-dies/report.json"

[ $fails -eq 0 ] || { cat "$W/run.err"; tail -n 3 "$W"/*.log "$W"/*.err; jq -c ".assertions[] | [.verdict, .reason]" "$W"/*.json; }
itest_done
