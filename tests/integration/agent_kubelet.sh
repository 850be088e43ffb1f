#!/usr/bin/env bash
# agent_kubelet.sh - the agent's cgroup backend on a cgroup tree laid out as
# the kubelet lays it out (systemd driver, containerd: pod slices holding
# container scopes), in a private network namespace, pods coming and going
# through the inventory file as `agent --kube` rewrites it:
#  - the programs go to the pod's cgroup, not the container's (bpftool);
#  - a container restarted into a new cgroup is captured from its first
#    request, before the inventory names it, and attributed to its pod;
#  - the inventory catching up moves nothing;
#  - a pod added later is attached and captured; a pod removed is detached
#    (nothing attached to its cgroup any more) and no longer captured, and
#    the kernel's slots of its connections still open are free again.
set -u
build=$(realpath "${1:-build}")
[ "$(id -u)" = 0 ] || { echo "skip: needs root (BPF, cgroups)"; exit 77; }
for t in jq curl bpftool; do command -v $t >/dev/null || { echo "skip: $t is not installed (make deps)"; exit 77; }; done
cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[ -n "$cg2" ] || { echo "skip: no cgroup v2 mount"; exit 77; }
tmp=$(mktemp -d /tmp/smiw-kubelet-XXXXXX)
root=$cg2/smiw-kubelet-$$
cleanup() {
	local d
	# Deepest first: every process back to the root, every directory removed.
	for d in $(find "$root" -depth -type d 2>/dev/null); do
		while read -r p; do echo "$p" >"$cg2/cgroup.procs"; done <"$d/cgroup.procs" 2>/dev/null
		rmdir "$d" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$root" || { echo "cannot create cgroups"; exit 1; }
export ITEST_LIB=$(pwd)/tests/lib/itest.sh
unshare -n bash -s "$build" "$tmp" "$root" <<'INNER'
set -u
. "$ITEST_LIB"
build=$1 tmp=$2 root=$3
bin=$build/smi-witness
ip link set lo up
pids=()
uid_a=6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f uid_b=0b9a8c7d-6e5f-4a3b-9c2d-1e0f2a3b4c5d
slice=$root/kubepods.slice/kubepods-besteffort.slice
pod_a=$slice/kubepods-besteffort-pod${uid_a//-/_}.slice
pod_b=$slice/kubepods-besteffort-pod${uid_b//-/_}.slice
ctr() { echo "$1/cri-containerd-$(random_hex 32).scope"; }	# a container scope below pod $1
c1=$(ctr "$pod_a") c2=$(ctr "$pod_a") c3=$(ctr "$pod_b")
mkdir -p "$c1" "$c2" "$c3"

app() { # cgroup name port: a sample app placed in its container cgroup before it starts
	( echo $BASHPID >"$1/cgroup.procs"; SERVICE_NAME=$2 PORT=$3 exec "$build/sample-app" ) 2>>"$tmp/apps.log" &
	pids+=($!)
	for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$3/metrics" && return 0; sleep 0.05; done
	return 1
}
entry() { # pod uid container-cgroup: one inventory entry as agent --kube writes it
	local scope=${3##*/cri-containerd-}
	jq -n --arg name "$1" --arg uid "$2" --arg cg "$3" --arg cid "${scope%.scope}" \
		'{namespace: "default", name: $name, service_account: ("sa-" + $name), ip: "127.0.0.1",
		  cgroup_path: $cg, uid: $uid, container: "app", container_id: $cid, labels: {}}'
}
inv() { # entries...: written atomically, as the agent's own writer does
	jq -s '{version: 1, node: "node-k", source: "kubernetes", pods: ., services: []}' <<<"$*" >"$tmp/inv.tmp"
	mv "$tmp/inv.tmp" "$tmp/inv.json"
}
agent_token "$tmp/token"
api() { curl -s --max-time 5 -H "Authorization: Bearer $token" "http://127.0.0.1:19491$1"; }
ids() { api "/v1/observations?type=exchange&request_id=$1" | jq -r 'select(.t == "exchange") | "\(.pod) \(.role) \(.status)"' | sort | uniq -c | sed 's/^ *//'; }
attached() { bpftool cgroup show "$1" -j 2>/dev/null | jq -r '[.[].name] | sort | join(" ")'; }
requests() { for i in $(seq 1 10); do curl -s -o /dev/null -H "X-Request-Id: $1-$i" "http://127.0.0.1:$2/echo"; done; sleep 1; }
wait_attached() { for _ in $(seq 60); do [ "$(attached "$1")" = "$2" ] && break; sleep 0.1; done; }
progs="skb_egress skb_ingress skb_sockops"
# Slots of the agent's conn_slots map holding a connection (the map found through a program attached to pod B).
slots_taken() {
	local prog map
	prog=$(bpftool cgroup show "$pod_b" -j | jq -r '.[0].id')
	for map in $(bpftool prog show id "$prog" -j | jq -r '.map_ids[]'); do
		[ "$(bpftool map show id "$map" -j | jq -r .name)" = conn_slots ] || continue
		bpftool map dump id "$map" -j | jq '[.[] | select(.formatted.value != 0)] | length'
	done
}

check "app-b in its container cgroup" app "$c1" app-b 9091
inv "$(entry app-b "$uid_a" "$c1")"
"$bin" agent --source capture --capture cgroup --inventory "$tmp/inv.json" --token-file "$tmp/token" \
	--listen 127.0.0.1:19491 --node node-k 2>"$tmp/agent.log" &
agent=$!
up=0; for _ in $(seq 100); do curl -s http://127.0.0.1:19491/healthz >/dev/null && { up=1; break; }; sleep 0.1; done
is "agent with the cgroup backend is up" "$up" 1
is "the programs are attached to the pod's cgroup" "$(attached "$pod_a")" "$progs"
is "... not to the container's" "$(attached "$c1")" ""
requests first 9091
is "10 exchanges at app-b, attributed" "$(ids first-)" "10 app-b server 200"

# The container restarts into a new cgroup of the same pod; the inventory still names the old one.
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null
check "app-b restarted in a new container cgroup" app "$c2" app-b 9091
requests restart 9091
is "captured from its first request, attributed to its pod before the inventory names it" \
	"$(ids restart-)" "10 app-b server 200"
inv "$(entry app-b "$uid_a" "$c2")"
sleep 2.5
is "the inventory catching up moves nothing" "$(attached "$pod_a") | $(attached "$c2")" "$progs | "

# A pod comes.
check "app-c in a second pod" app "$c3" app-c 9092
inv "$(entry app-b "$uid_a" "$c2")" "$(entry app-c "$uid_b" "$c3")"
wait_attached "$pod_b" "$progs"
is "the new pod's cgroup gets the programs" "$(attached "$pod_b")" "$progs"
requests later 9092
is "the new pod is captured and named" "$(ids later-)" "10 app-c server 200"

# A pod goes (its app still runs: only the inventory dropped it) with three connections open.
for fd in 7 8 9; do
	eval "exec $fd<>/dev/tcp/127.0.0.1/9091"
	printf 'GET /echo HTTP/1.1\r\nHost: app-b\r\nX-Request-Id: held-%s\r\n\r\n' $fd >&$fd
done
# Each takes its slot as its server side is established; the curl connections before give theirs back as they close.
for _ in $(seq 30); do [ "$(slots_taken)" = 3 ] && break; sleep 0.2; done
is "the open connections hold their slots in the kernel" "$(slots_taken)" 3
inv "$(entry app-c "$uid_b" "$c3")"
wait_attached "$pod_a" ""
is "the pod gone from the inventory is detached" "$(attached "$pod_a")" ""
# Closed from now on, they never reach the programs; the agent gives their slots back.
is "... and its open connections' slots are free again" "$(slots_taken)" 0
exec 7>&- 8>&- 9>&-
is "the other pod stays attached" "$(attached "$pod_b")" "$progs"
requests gone 9091
is "the detached pod is no longer captured" "$(ids gone-)" ""

kill -TERM $agent; wait $agent
is "agent exits 0 on SIGTERM" "$?" 0
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
[ $fails -eq 0 ] || { cat "$tmp/agent.log"; }
itest_done
INNER
