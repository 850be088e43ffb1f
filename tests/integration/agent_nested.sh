#!/usr/bin/env bash
# agent_nested.sh - the cgroup backend when the watched cgroup moves down the
# tree: the inventory first names a cgroup, then only a cgroup below it, where
# the app runs. The programs move to the lower one (attached there first,
# detached from the upper one after), and a keep-alive connection open across
# the move is still followed: its second exchange belongs to the same
# connection, complete and attributed as the connection was when it opened
# (a connection keeps its pod), and nothing ends the connection.
# Then the inventory names nothing below the app's cgroup: that connection
# does end there (capture-ended), as every connection of a cgroup no longer
# watched does, and its kernel slot is free again.
set -u
build=$(realpath "${1:-build}")
. tests/lib/cgtree.sh
cgtree_setup nested
mkdir -p "$root/outer/inner" "$root/other" || exit 1
unshare -n bash -s "$build" "$tmp" "$root" <<'INNER'
set -u
. "$CGTREE_LIB"
build=$1 tmp=$2 root=$3
cgtree_inside
outer=$root/outer inner=$root/outer/inner other=$root/other
inv() { # pods as name:cgroup ...
	local p name cg
	for p in "$@"; do
		IFS=: read -r name cg <<<"$p"
		jq -n --arg name "$name" --arg cg "$cg" --argjson id "$(stat -c %i "$cg")" \
			'{namespace: "default", name: $name, service_account: "sa", ip: "127.0.0.1", cgroup_path: $cg, cgroup_id: $id}'
	done | jq -s '{version: 1, node: "node-n", source: "test", pods: ., services: []}' >"$tmp/inv.tmp"
	mv "$tmp/inv.tmp" "$tmp/inv.json"
}
# request-id pod seq complete, and how many connections the exchanges lie on
held() {
	api "/v1/observations?type=exchange&request_id=held-" |
		jq -rs '[.[] | select(.t == "exchange" and .role == "server")] |
			(map("\(.request_id) \(.pod) \(.seq) \(.complete)") | sort | join(", ")) +
			" | conns " + (map(.conn) | unique | length | tostring)'
}
conn_of() { api "/v1/observations?type=exchange&request_id=$1" | jq -r 'select(.role == "server") | .conn'; }
# conn records of connection $1: written when it ends, or when capture ends it
conn_records() { api "/v1/observations?type=conn" | jq -s --arg c "$1" '[.[] | select(.t == "conn" and .conn == $c)] | length'; }
get() { printf 'GET /echo HTTP/1.1\r\nHost: app\r\nX-Request-Id: %s\r\n\r\n' "$1" >&7; }
progs="skb_egress skb_ingress skb_sockops"

check "app in the lower cgroup" cgtree_app "$inner" app 9091
check "an idle app elsewhere (keeps programs attached once the app's tree is not watched)" cgtree_app "$other" idle 9092
inv "pod-outer:$outer"
cgtree_agent 19492 --node node-n
is "the programs are attached to the upper cgroup" "$(cgtree_attached "$outer") | $(cgtree_attached "$inner")" "$progs | "

exec 7<>/dev/tcp/127.0.0.1/9091
get held-1
for _ in $(seq 100); do [ "$(held)" = "held-1 pod-outer 0 true | conns 1" ] && break; sleep 0.1; done
is "the first exchange on the held connection" "$(held)" "held-1 pod-outer 0 true | conns 1"

# The inventory now names the lower cgroup only.
inv "pod-inner:$inner" "pod-idle:$other"
cgtree_wait_attached "$outer" ""
is "the programs moved down" "$(cgtree_attached "$outer") | $(cgtree_attached "$inner")" " | $progs"
get held-2
want="held-1 pod-outer 0 true, held-2 pod-outer 1 true | conns 1"
for _ in $(seq 100); do [ "$(held)" = "$want" ] && break; sleep 0.1; done
is "the second exchange: same connection, next in it, attributed, complete" "$(held)" "$want"
is "no record ends the connection" "$(conn_records "$(conn_of held-1)")" 0
is "its kernel slot is still taken (with the idle app's none)" "$(cgtree_slots_taken "$inner")" 1

# Now nothing at or below the app's cgroup is watched: the connection ends there.
inv "pod-idle:$other"
cgtree_wait_attached "$inner" ""
is "the app's cgroup is detached" "$(cgtree_attached "$inner")" ""
is "... its open connection's slot is free" "$(cgtree_slots_taken "$other")" 0
is "... and a record ends the connection" "$(conn_records "$(conn_of held-1)")" 1
exec 7>&-

cgtree_done
INNER
