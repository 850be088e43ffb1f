#!/usr/bin/env bash
# privilege.sh - least privilege, measured three ways on this kernel, for the
# capture backend under test:
#  - `doctor` finds the smallest capability set capture attaches with
#    (syscalls: CAP_BPF + CAP_PERFMON here; cgroup: CAP_NET_ADMIN too, which
#    loading and attaching cgroup_skb / sockops programs needs) and that it
#    needs none once attached;
#  - observe started with only that set in its bounding set (setpriv) captures
#    exactly; with a capability of it left out it could not run (exit 4,
#    EPERM, or EACCES from the verifier);
#  - observe started as root keeps no capability in any thread after attaching,
#    and still captures 300 requests exactly, sweeps included (so nothing it
#    does after the attach needs one).
# Runs on each capture backend.
set -u
build=$(realpath "${1:-build}")
bin=$build/smi-witness
. tests/lib/itest.sh
. tests/lib/sandbox.sh
sandbox_require jq setpriv
sandbox_init priv
sandbox_add pod
sandbox_app pod app
cg=$pod_cg
[ "$capture" = auto ] && capture=$("$bin" -j doctor 2>/dev/null | jq -r '.features[] | select(.name == "capture_backend") | .value')

# --- doctor -----------------------------------------------------------------------
"$bin" -j doctor >"$tmp/doctor.json" 2>/dev/null
feature() { jq -r --arg n "$1" '.features[] | select(.name == $n) | .status + " " + .value' "$tmp/doctor.json"; }
"$bin" doctor >"$tmp/doctor.txt" 2>&1
if [ "$capture" = cgroup ]; then
	is "doctor: the cgroup backend captures an exchange at both ends" "$(feature cgroup_capture)" "ok 2 exchanges"
	is "doctor: capabilities to attach capture (measured)" "$(feature cgroup_capture_capabilities)" \
		"ok CAP_NET_ADMIN CAP_PERFMON CAP_BPF"
	is "doctor: capabilities after attach (measured)" "$(feature cgroup_capabilities_after_attach)" "ok none"
	check "doctor's table prints the minimal set" \
		grep -Eq '^capabilities to attach \(cgroup\) +no +ok +CAP_NET_ADMIN CAP_PERFMON CAP_BPF' "$tmp/doctor.txt"
	enough=-all,+bpf,+perfmon,+net_admin
	short=(-all,+bpf,+perfmon -all,+bpf,+net_admin -all,+perfmon,+net_admin)
	# Without CAP_PERFMON the verifier refuses the helpers (EACCES), without the others bpf() does (EPERM).
	why='cannot load the cgroup_skb / sockops programs.*\(Operation not permitted\|Permission denied\)'
else
	is "doctor: capabilities to attach capture (measured)" "$(feature capture_capabilities)" "ok CAP_PERFMON CAP_BPF"
	is "doctor: capabilities after attach (measured)" "$(feature capabilities_after_attach)" "ok none"
	check "doctor's table prints the minimal set" \
		grep -Eq '^capabilities to attach \(syscalls\) +no +ok +CAP_PERFMON CAP_BPF' "$tmp/doctor.txt"
	enough=-all,+bpf,+perfmon
	short=(-all,+bpf -all,+perfmon)
	why='cannot load the BPF programs.*Operation not permitted'
fi

# observe OPTS...: 100 requests while it runs; prints "exit server-exchanges client-exchanges".
observe_100() {
	local out=$tmp/obs-$RANDOM.jsonl
	"$@" "$bin" observe --capture "$capture" --cgroup "$cg" --out "$out" --stats-interval 200ms 2>"$out.log" &
	local obs=$!
	for _ in $(seq 1200); do grep -qs '^observe: watching\|error' "$out.log" && break; sleep 0.05; done
	"${pod[@]}" "$bin" drive -n 100 -c 2 --run-id cap http://127.0.0.1:9091/echo >/dev/null 2>&1
	sleep 0.3
	kill -INT $obs 2>/dev/null
	wait $obs
	echo "$? $(jq -c 'select(.t == "exchange" and .complete and .status == 200 and
		(.request_id | startswith("cap-")))' "$out" 2>/dev/null | jq -r .role | sort | uniq -c | awk '{ printf "%s ", $1 }')"
	cp "$out.log" "$tmp/last.log"
}

# --- the bounding set decides what observe may hold -------------------------------
is "observe with only ${enough#-all,}: captures 100 + 100" \
	"$(observe_100 setpriv --bounding-set "$enough" --inh-caps=-all)" "0 100 100 "
for set in "${short[@]}"; do
	is "observe with only ${set#-all,}: could not run (4)" "$(observe_100 setpriv --bounding-set "$set" --inh-caps=-all)" "4 "
	check "... with the reason" grep -q "$why" "$tmp/last.log"
done

# --- observe gives everything up after attaching ------------------------------------
out=$tmp/root.jsonl
"$bin" observe --capture "$capture" --cgroup "$cg" --out "$out" --stats-interval 200ms 2>"$tmp/root.log" &
obs=$!
pids+=($obs)
for _ in $(seq 1200); do grep -qs '^observe: watching' "$tmp/root.log" && break; sleep 0.05; done
caps=$(cat /proc/$obs/task/*/status | awk '/^Cap(Prm|Eff|Bnd|Amb|Inh):/ { print $2 }' | sort -u | tr '\n' ' ')
is "observe (root) after attach: every set of every thread empty" "$caps" "0000000000000000 "
check "300 requests after the drop" "${pod[@]}" "$bin" drive -n 300 -c 3 -H 'Connection: close' --run-id after \
	http://127.0.0.1:9091/echo
sleep 0.3
kill -INT $obs
wait $obs
is "observe exits 0" "$?" 0
is "300 exchanges on each side, complete, after the capabilities were gone" \
	"$(jq -c 'select(.t == "exchange" and .complete and .status == 200 and (.request_id | startswith("after-")))' "$out" |
	   jq -r .role | sort | uniq -c | awk '{ printf "%s %s ", $1, $2 }')" "300 client 300 server "
is "no drops, no gaps" "$(tail -n 1 "$out" | jq -c '[.t, .kernel_drops, .user_drops, .gaps]')" '["end",0,0,0]'

itest_done
