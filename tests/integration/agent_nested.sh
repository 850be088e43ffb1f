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
[ "$(id -u)" = 0 ] || { echo "skip: needs root (BPF, cgroups)"; exit 77; }
for t in jq curl bpftool; do command -v $t >/dev/null || { echo "skip: $t is not installed (make deps)"; exit 77; }; done
cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[ -n "$cg2" ] || { echo "skip: no cgroup v2 mount"; exit 77; }
tmp=$(mktemp -d /tmp/smiw-nested-XXXXXX)
root=$cg2/smiw-nested-$$
cleanup() {
	local d
	for d in $(find "$root" -depth -type d 2>/dev/null); do
		while read -r p; do echo "$p" >"$cg2/cgroup.procs"; done <"$d/cgroup.procs" 2>/dev/null
		rmdir "$d" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$root/outer/inner" "$root/other" || { echo "cannot create cgroups"; exit 1; }
export ITEST_LIB=$(pwd)/tests/lib/itest.sh
unshare -n bash -s "$build" "$tmp" "$root" <<'INNER'
set -u
. "$ITEST_LIB"
build=$1 tmp=$2 root=$3
bin=$build/smi-witness
outer=$root/outer inner=$root/outer/inner other=$root/other
ip link set lo up
pids=()
app() { # cgroup name port
	( echo $BASHPID >"$1/cgroup.procs"; SERVICE_NAME=$2 PORT=$3 exec "$build/sample-app" ) 2>>"$tmp/apps.log" &
	pids+=($!)
	for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$3/metrics" && return 0; sleep 0.05; done
	return 1
}
inv() { # pods as name:cgroup ...
	local p name cg
	for p in "$@"; do
		IFS=: read -r name cg <<<"$p"
		jq -n --arg name "$name" --arg cg "$cg" --argjson id "$(stat -c %i "$cg")" \
			'{namespace: "default", name: $name, service_account: "sa", ip: "127.0.0.1", cgroup_path: $cg, cgroup_id: $id}'
	done | jq -s '{version: 1, node: "node-n", source: "test", pods: ., services: []}' >"$tmp/inv.tmp"
	mv "$tmp/inv.tmp" "$tmp/inv.json"
}
agent_token "$tmp/token"
api() { curl -s --max-time 5 -H "Authorization: Bearer $token" "http://127.0.0.1:19492$1"; }
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
attached() { bpftool cgroup show "$1" -j 2>/dev/null | jq -r '[.[].name] | sort | join(" ")'; }
wait_attached() { for _ in $(seq 60); do [ "$(attached "$1")" = "$2" ] && break; sleep 0.1; done; }
slots_taken() { # through a program attached to $1
	local prog map
	prog=$(bpftool cgroup show "$1" -j | jq -r '.[0].id')
	for map in $(bpftool prog show id "$prog" -j | jq -r '.map_ids[]'); do
		[ "$(bpftool map show id "$map" -j | jq -r .name)" = conn_slots ] || continue
		bpftool map dump id "$map" -j | jq '[.[] | select(.formatted.value != 0)] | length'
	done
}
get() { printf 'GET /echo HTTP/1.1\r\nHost: app\r\nX-Request-Id: %s\r\n\r\n' "$1" >&7; }
progs="skb_egress skb_ingress skb_sockops"

check "app in the lower cgroup" app "$inner" app 9091
check "an idle app elsewhere (keeps programs attached once the app's tree is not watched)" app "$other" idle 9092
inv "pod-outer:$outer"
"$bin" agent --source capture --capture cgroup --inventory "$tmp/inv.json" --token-file "$tmp/token" \
	--listen 127.0.0.1:19492 --node node-n 2>"$tmp/agent.log" &
agent=$!
up=0; for _ in $(seq 100); do curl -s http://127.0.0.1:19492/healthz >/dev/null && { up=1; break; }; sleep 0.1; done
is "agent with the cgroup backend is up" "$up" 1
is "the programs are attached to the upper cgroup" "$(attached "$outer") | $(attached "$inner")" "$progs | "

exec 7<>/dev/tcp/127.0.0.1/9091
get held-1
for _ in $(seq 100); do [ "$(held)" = "held-1 pod-outer 0 true | conns 1" ] && break; sleep 0.1; done
is "the first exchange on the held connection" "$(held)" "held-1 pod-outer 0 true | conns 1"

# The inventory now names the lower cgroup only.
inv "pod-inner:$inner" "pod-idle:$other"
wait_attached "$outer" ""
is "the programs moved down" "$(attached "$outer") | $(attached "$inner")" " | $progs"
get held-2
want="held-1 pod-outer 0 true, held-2 pod-outer 1 true | conns 1"
for _ in $(seq 100); do [ "$(held)" = "$want" ] && break; sleep 0.1; done
is "the second exchange: same connection, next in it, attributed, complete" "$(held)" "$want"
is "no record ends the connection" "$(conn_records "$(conn_of held-1)")" 0
is "its kernel slot is still taken (with the idle app's none)" "$(slots_taken "$inner")" 1

# Now nothing at or below the app's cgroup is watched: the connection ends there.
inv "pod-idle:$other"
wait_attached "$inner" ""
is "the app's cgroup is detached" "$(attached "$inner")" ""
is "... its open connection's slot is free" "$(slots_taken "$other")" 0
is "... and a record ends the connection" "$(conn_records "$(conn_of held-1)")" 1
exec 7>&-

kill -TERM $agent; wait $agent
is "agent exits 0 on SIGTERM" "$?" 0
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
[ $fails -eq 0 ] || { cat "$tmp/agent.log"; }
itest_done
INNER
