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
. tests/lib/cgtree.sh
cgtree_setup kubelet
unshare -n bash -s "$build" "$tmp" "$root" <<'INNER'
set -u
. "$CGTREE_LIB"
build=$1 tmp=$2 root=$3
cgtree_inside
uid_a=6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f uid_b=0b9a8c7d-6e5f-4a3b-9c2d-1e0f2a3b4c5d
slice=$root/kubepods.slice/kubepods-besteffort.slice
pod_a=$slice/kubepods-besteffort-pod${uid_a//-/_}.slice
pod_b=$slice/kubepods-besteffort-pod${uid_b//-/_}.slice
ctr() { echo "$1/cri-containerd-$(random_hex 32).scope"; }	# a container scope below pod $1
c1=$(ctr "$pod_a") c2=$(ctr "$pod_a") c3=$(ctr "$pod_b")
mkdir -p "$c1" "$c2" "$c3"

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
ids() { api "/v1/observations?type=exchange&request_id=$1" | jq -r 'select(.t == "exchange") | "\(.pod) \(.role) \(.status)"' | sort | uniq -c | sed 's/^ *//'; }
requests() { for i in $(seq 1 10); do curl -s -o /dev/null -H "X-Request-Id: $1-$i" "http://127.0.0.1:$2/echo"; done; sleep 1; }
progs="skb_egress skb_ingress skb_sockops"

check "app-b in its container cgroup" cgtree_app "$c1" app-b 9091
inv "$(entry app-b "$uid_a" "$c1")"
cgtree_agent 19491 --node node-k
is "the programs are attached to the pod's cgroup" "$(cgtree_attached "$pod_a")" "$progs"
is "... not to the container's" "$(cgtree_attached "$c1")" ""
requests first 9091
is "10 exchanges at app-b, attributed" "$(ids first-)" "10 app-b server 200"

# The container restarts into a new cgroup of the same pod; the inventory still names the old one.
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null
check "app-b restarted in a new container cgroup" cgtree_app "$c2" app-b 9091
requests restart 9091
is "captured from its first request, attributed to its pod before the inventory names it" \
	"$(ids restart-)" "10 app-b server 200"
inv "$(entry app-b "$uid_a" "$c2")"
sleep 2.5
is "the inventory catching up moves nothing" "$(cgtree_attached "$pod_a") | $(cgtree_attached "$c2")" "$progs | "

# A pod comes.
check "app-c in a second pod" cgtree_app "$c3" app-c 9092
inv "$(entry app-b "$uid_a" "$c2")" "$(entry app-c "$uid_b" "$c3")"
cgtree_wait_attached "$pod_b" "$progs"
is "the new pod's cgroup gets the programs" "$(cgtree_attached "$pod_b")" "$progs"
requests later 9092
is "the new pod is captured and named" "$(ids later-)" "10 app-c server 200"

# A pod goes (its app still runs: only the inventory dropped it) with three connections open.
for fd in 7 8 9; do
	eval "exec $fd<>/dev/tcp/127.0.0.1/9091"
	printf 'GET /echo HTTP/1.1\r\nHost: app-b\r\nX-Request-Id: held-%s\r\n\r\n' $fd >&$fd
done
# Each takes its slot as its server side is established; the curl connections before give theirs back as they close.
for _ in $(seq 30); do [ "$(cgtree_slots_taken "$pod_b")" = 3 ] && break; sleep 0.2; done
is "the open connections hold their slots in the kernel" "$(cgtree_slots_taken "$pod_b")" 3
inv "$(entry app-c "$uid_b" "$c3")"
cgtree_wait_attached "$pod_a" ""
is "the pod gone from the inventory is detached" "$(cgtree_attached "$pod_a")" ""
# Closed from now on, they never reach the programs; the agent gives their slots back.
is "... and its open connections' slots are free again" "$(cgtree_slots_taken "$pod_b")" 0
exec 7>&- 8>&- 9>&-
is "the other pod stays attached" "$(cgtree_attached "$pod_b")" "$progs"
requests gone 9091
is "the detached pod is no longer captured" "$(ids gone-)" ""

cgtree_done
INNER
