#!/usr/bin/env bash
# lab_updown.sh - `lab up` builds the learn-layer5 lab (a request from app-a to
# app-svc goes through HAProxy; pods are isolated; the inventory is right; a
# second `up` changes nothing), and `lab down` leaves network namespaces,
# links, the cgroup tree, /etc/netns and the process table as they were:
# after a clean run, after kill -9 of every lab process, and after a crash
# that also lost the state directory.
#
# The machine is shared: a difference another user made while the test ran is
# reported as a note; any difference that names this lab, and any process
# left in a lab cgroup or network namespace, is a failure.
set -u
build=${1:-build}
bin="$(cd "$build" && pwd)/smi-witness"
[ "$(id -u)" = 0 ] || { echo "skip: the lab needs root (namespaces, cgroups)"; exit 77; }
command -v haproxy >/dev/null || { echo "skip: haproxy is not installed"; exit 77; }
[ -x "$build/sample-app" ] || { echo "skip: $build/sample-app is not built"; exit 77; }

lab="lu$$"
L() { "$bin" lab --lab "$lab" "$@"; }
tmp=$(mktemp -d /tmp/lab_updown.XXXXXX)
trap 'L down >/dev/null 2>&1; rm -rf "$tmp"' EXIT
. tests/lib/itest.sh
cg2=$(awk '$0 ~ / - cgroup2 / {print $5; exit}' /proc/self/mountinfo)

snapshot() { # dir
	mkdir -p "$1"
	ip netns list | sort >"$1/netns"
	ip -o link | awk -F': ' '{print $2}' | sort >"$1/links"
	find "$cg2" -type d | sort >"$1/cgroups"
	{ [ -d /etc/netns ] && find /etc/netns | sort || echo "(no /etc/netns)"; } >"$1/etc_netns"
	# Living user processes, except this script and what it runs to take the snapshot.
	ps -e -o pid=,ppid=,stat=,comm= | awk -v self=$$ '
		{ pid[NR] = $1; parent[$1] = $2; line[NR] = $1 " " $4; zombie[NR] = $3 ~ /^Z/ }
		END { for (i = 1; i <= NR; i++) {
			p = pid[i]; mine = 0
			for (d = 0; d < 64 && p > 1; d++) { if (p == self) { mine = 1; break } p = parent[p] }
			if (!mine && !zombie[i] && parent[pid[i]] != 2 && pid[i] != 2) print line[i] } }' |
		sort >"$1/procs"
}

# What a lab that is up consists of, for the leak checks after `down`.
record_lab() { # dir
	mkdir -p "$1"
	L status -j >"$1/status.json"
	jq -r '.pods[] | .processes[]' "$1/status.json" | sort -u >"$1/pids"
	while read -r pid; do
		echo "$pid $(awk '{print $22}' "/proc/$pid/stat" 2>/dev/null)"
	done <"$1/pids" >"$1/pid_starts"
	for ns in /run/netns/"$lab"-*; do stat -L -c %i "$ns"; done >"$1/netns_inodes"
}

# Runs `lab down`, noting when (in clock ticks since boot, as /proc/PID/stat counts).
down() { # description, recorded lab dir, extra args
	local what=$1 rec=$2; shift 2
	awk -v hz="$(getconf CLK_TCK)" '{printf "%d\n", $1 * hz + 1}' /proc/uptime >"$rec/down_tick"
	check "$what" L down "$@"
}

# Waits (5 s at most) until the recorded processes are gone: killed ones stay zombies until reaped.
wait_gone() { # dir
	local pid start
	for _ in $(seq 50); do
		local left=0
		while read -r pid start; do
			[ "$(awk '{print $22}' "/proc/$pid/stat" 2>/dev/null)" = "$start" ] && left=1
		done <"$1/pid_starts"
		[ $left = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# Fails on differences that name this lab and on processes left inside it; notes the rest.
compare() { # what, before dir, after dir, recorded lab dir
	local what=$1 b=$2 a=$3 rec=$4 f diffs lab_diffs leaked=""
	# 5 pods: 4 sample apps, HAProxy's master and worker at least; the router's namespace besides.
	check "$what: $(wc -l <"$rec/pid_starts") lab processes were recorded" test "$(wc -l <"$rec/pid_starts")" -ge 6
	check "$what: $(wc -l <"$rec/netns_inodes") lab network namespaces were recorded" \
		test "$(wc -l <"$rec/netns_inodes")" = 6
	check "$what: lab processes are gone" wait_gone "$rec"
	snapshot "$a"
	for f in netns links cgroups etc_netns procs; do
		diffs=$(diff "$b/$f" "$a/$f" | grep '^[<>]')
		lab_diffs=$(grep -E "$lab-|/smi-witness/$lab(/|$)" <<<"$diffs" || true)
		if [ "$f" = procs ]; then
			lab_diffs=$(grep -F -f <(awk '{print "> " $1 " "}' "$rec/pid_starts") <<<"$diffs" || true)
		fi
		check "$what: $f as before (lab differences: ${lab_diffs:-none})" test -z "$lab_diffs"
		if [ -n "$diffs" ] && [ -z "$lab_diffs" ]; then
			echo "note: $f changed meanwhile by another user of this machine: $(wc -l <<<"$diffs") line(s)"
			head -10 <<<"$diffs"
		fi
	done
	# Shared parents the lab creates must go unless another lab still uses them.
	check "$what: no empty $cg2/smi-witness left" \
		bash -c "grep -qx '$cg2/smi-witness' '$b/cgroups' || ! grep -qx '$cg2/smi-witness' '$a/cgroups' ||
			grep -q '^$cg2/smi-witness/' '$a/cgroups'"
	check "$what: no empty /etc/netns left" \
		bash -c "grep -qx /etc/netns '$b/etc_netns' || ! grep -qx /etc/netns '$a/etc_netns' ||
			grep -q '^/etc/netns/' '$a/etc_netns'"
	# A namespace inode is reused once the namespace is gone: only processes older than `down` count.
	for p in /proc/[0-9]*; do
		local ino start
		ino=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
		start=$(awk '{print $22}' "$p/stat" 2>/dev/null) || continue
		grep -qx "$ino" "$rec/netns_inodes" && [ "$start" -le "$(cat "$rec/down_tick")" ] &&
			leaked="$leaked ${p#/proc/}"
		grep -q "^0::/smi-witness/$lab/" "$p/cgroup" 2>/dev/null && leaked="$leaked ${p#/proc/}"
	done
	check "$what: no process in a lab network namespace or cgroup (found:${leaked:- none})" test -z "$leaked"
}

# --- a clean up / down --------------------------------------------------------
snapshot "$tmp/before"
check "lab up" L up
check "lab status says healthy" L status
check "inventory written" test -s "/run/smi-witness/lab-$lab/inventory.json"
inv="/run/smi-witness/lab-$lab/inventory.json"
check "inventory: 5 pods with the default addresses" \
	test "$(jq -r '[.pods[] | .name + "=" + .ip] | join(",")' "$inv")" = \
	"app-a=198.18.0.11,app-b=198.18.0.12,app-c=198.18.0.13,app-d=198.18.0.14,mesh=198.18.1.250"
check "inventory: app-svc on 198.18.1.1 with endpoints app-b, app-c" \
	test "$(jq -r '.services[] | select(.name == "app-svc") | .ip + " " + (.endpoints | join(","))' "$inv")" = \
	"198.18.1.1 default/app-b,default/app-c"
check "inventory: cgroup ids are the ids of the cgroup directories" \
	bash -c "jq -r '.pods[] | \"\(.cgroup_path) \(.cgroup_id)\"' '$inv' | while read -r p id; do [ \"\$(stat -c %i \"\$p\")\" = \"\$id\" ] || exit 1; done"
check "inventory: mesh metrics url" test "$(jq -r .mesh.metrics_url "$inv")" = "http://198.18.1.250:8405/metrics"

# Acceptance: curl from app-a's namespace reaches app-b or app-c through HAProxy.
out=$(L exec app-a -- curl -s -f app-svc:9091/echo)
check "curl app-svc:9091/echo from app-a answers with the echo" grep -q "^GET /echo HTTP/1.1" <<<"$out"
check "app-svc resolves to the mesh listener in app-a" \
	test "$(L exec app-a -- getent hosts app-svc | awk '{print $1}')" = 198.18.1.1
reqs=$(L exec app-a -- curl -s 198.18.1.250:8405/metrics |
	awk '/^haproxy_frontend_http_requests_total\{proxy="svc.default.app-svc.9091"\}/ {print $2}')
check "HAProxy counted that request on svc.default.app-svc.9091 ($reqs)" test "$reqs" = 1
check "the request came from app-a's address" \
	bash -c "L() { '$bin' lab --lab '$lab' \"\$@\"; }; L exec app-a -- curl -s app-b:9091/echo >/dev/null; true"

# Isolation: pods have only the lab network; the root namespace has no lab address.
check "app-a routes only the lab network" \
	test "$(L exec app-a -- ip -4 route)" = "198.18.0.0/16 dev eth0 proto kernel scope link src 198.18.0.11 "
check "app-a has no route out of the lab" bash -c "! '$bin' lab --lab '$lab' exec app-a -- ip route get 192.0.2.1"
check "the root namespace carries no lab address" bash -c "! ip -4 -o addr | grep -q ' 198\.18\.[01]\.'"
check "sample-app of app-a runs in its cgroup" \
	grep -qx "0::/smi-witness/$lab/default/app-a" "/proc/$(jq -r '.pods[0].process.pid' <(L status -j))/cgroup"
check "exec runs in the pod's cgroup" \
	test "$(L exec app-b -- cat /proc/self/cgroup | tail -1)" = "0::/smi-witness/$lab/default/app-b"
check "exec passes the exit status" test "$(L exec app-a -- sh -c 'exit 7' >/dev/null 2>&1; echo $?)" = 7
check "exec of an unknown pod is a usage error" test "$(L exec no-such -- true >/dev/null 2>&1; echo $?)" = 2

# Idempotence: a second up keeps every process and the configuration.
record_lab "$tmp/rec1"
check "second lab up" L up
L status -j >"$tmp/status2.json"
check "second up keeps the same processes" \
	test "$(jq -c '[.pods[].process.pid, .mesh.generation]' "$tmp/rec1/status.json")" = \
	"$(jq -c '[.pods[].process.pid, .mesh.generation]' "$tmp/status2.json")"
check "up with another topology is refused while up" \
	test "$(L up --topology tests/fixtures/lab/split-75-25.yaml >/dev/null 2>&1; echo $?)" = 2

down "lab down" "$tmp/rec1"
compare "clean down" "$tmp/before" "$tmp/after1" "$tmp/rec1"
check "status after down says down (exit 1)" test "$(L status >/dev/null 2>&1; echo $?)" = 1

# --- kill -9 of every lab process, then down ------------------------------------
kill_all() {
	local pids
	pids=$(cat "$cg2/smi-witness/$lab"/*/*/cgroup.procs 2>/dev/null)
	[ -n "$pids" ] && kill -9 $pids
	sleep 0.3
}
check "lab up again" L up
record_lab "$tmp/rec2"
kill_all
check "status notices the dead processes (exit 1)" test "$(L status >/dev/null 2>&1; echo $?)" = 1
check "up restarts them" L up
check "healthy again" L status
check "traffic flows again" L exec app-a -- curl -s -f -o /dev/null app-svc:9091/echo
record_lab "$tmp/rec3"
kill_all
down "lab down after kill -9" "$tmp/rec3"
cat "$tmp/rec2/pid_starts" >>"$tmp/rec3/pid_starts"
compare "down after kill -9" "$tmp/before" "$tmp/after2" "$tmp/rec3"

# --- a crash that lost the state directory ---------------------------------------
check "lab up for the crash" L up
record_lab "$tmp/rec4"
kill_all
rm -rf "/run/smi-witness/lab-$lab"
down "lab down without any state" "$tmp/rec4"
compare "down after a crash" "$tmp/before" "$tmp/after3" "$tmp/rec4"

# --- the comparison itself notices a leftover ---------------------------------------
snapshot "$tmp/self1"
ip netns add "$lab-leak"
snapshot "$tmp/self2"
ip netns delete "$lab-leak"
check "a leftover namespace named for the lab would be caught" \
	bash -c "diff '$tmp/self1/netns' '$tmp/self2/netns' | grep '^[<>]' | grep -qE '$lab-'"

itest_done
