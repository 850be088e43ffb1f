# cgtree.sh - helpers for tests of the agent's cgroup backend on a cgroup
# tree of their own (sourced; bash).
#
#   cgtree_setup NAME            (outside the test's namespace) skips (exit
#                                77) without root, jq, curl, bpftool or a
#                                cgroup v2 mount; else makes tmp (a directory)
#                                and root (an empty cgroup), both removed on
#                                exit with every process back in the root
#                                cgroup, and exports ITEST_LIB and CGTREE_LIB
#   cgtree_inside                (first inside the namespace) loopback up,
#                                the test helpers of itest.sh, no apps yet
#   cgtree_app CG NAME PORT      a sample app placed in cgroup CG before it
#                                starts (needs build, tmp and the pids array);
#                                fails when it does not answer in 5 s
#   cgtree_attached CG           names of the programs attached to CG, sorted
#   cgtree_wait_attached CG WANT polls (6 s at most) until they are WANT
#   cgtree_slots_taken CG        connections in the kernel's conn_slots map,
#                                the map found through a program attached to CG
#   cgtree_agent PORT ARGS...    (inside) `agent --source capture --capture
#                                cgroup --inventory $tmp/inv.json` with a fresh
#                                token ($token, api PATH), its API on PORT and
#                                ARGS; sets agent (the pid) and checks it is up
#   cgtree_done                  the agent stopped (it must exit 0), the apps
#                                too, its log shown if a check failed; PASS/FAIL

cgtree_setup() {
	local t
	[ "$(id -u)" = 0 ] || { echo "skip: needs root (BPF, cgroups)"; exit 77; }
	for t in jq curl bpftool; do
		command -v $t >/dev/null || { echo "skip: $t is not installed (make deps)"; exit 77; }
	done
	cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -n "$cg2" ] || { echo "skip: no cgroup v2 mount"; exit 77; }
	tmp=$(mktemp -d "/tmp/smiw-$1-XXXXXX")
	root=$cg2/smiw-$1-$$
	trap cgtree__remove EXIT
	mkdir "$root" || { echo "cannot create cgroups"; exit 1; }
	export ITEST_LIB=$PWD/tests/lib/itest.sh CGTREE_LIB=$PWD/tests/lib/cgtree.sh
}

cgtree__remove() {
	local d p
	for d in $(find "$root" -depth -type d 2>/dev/null); do
		while read -r p; do echo "$p" >"$cg2/cgroup.procs"; done <"$d/cgroup.procs" 2>/dev/null
		rmdir "$d" 2>/dev/null
	done
	rm -rf "$tmp"
}

cgtree_inside() {
	. "$ITEST_LIB"
	ip link set lo up
	pids=()
}

cgtree_app() {
	( echo $BASHPID >"$1/cgroup.procs"; SERVICE_NAME=$2 PORT=$3 exec "$build/sample-app" ) 2>>"$tmp/apps.log" &
	pids+=($!)
	for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$3/metrics" && return 0; sleep 0.05; done
	return 1
}

cgtree_attached() { bpftool cgroup show "$1" -j 2>/dev/null | jq -r '[.[].name] | sort | join(" ")'; }

cgtree_wait_attached() {
	for _ in $(seq 60); do [ "$(cgtree_attached "$1")" = "$2" ] && break; sleep 0.1; done
}

cgtree_slots_taken() {
	local prog map
	prog=$(bpftool cgroup show "$1" -j | jq -r '.[0].id')
	for map in $(bpftool prog show id "$prog" -j | jq -r '.map_ids[]'); do
		[ "$(bpftool map show id "$map" -j | jq -r .name)" = conn_slots ] || continue
		bpftool map dump id "$map" -j | jq '[.[] | select(.formatted.value != 0)] | length'
	done
}

cgtree_agent() {
	local port=$1 up=0
	shift
	agent_token "$tmp/token"
	cgtree_port=$port
	"$build/smi-witness" agent --source capture --capture cgroup --inventory "$tmp/inv.json" --token-file "$tmp/token" \
		--listen "127.0.0.1:$port" "$@" 2>"$tmp/agent.log" &
	agent=$!
	for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/healthz" >/dev/null && { up=1; break; }; sleep 0.1; done
	is "agent with the cgroup backend is up" "$up" 1
}

api() { curl -s --max-time 5 -H "Authorization: Bearer $token" "http://127.0.0.1:$cgtree_port$1"; }

cgtree_done() {
	local p rc
	kill -TERM "$agent"; wait "$agent"; rc=$?
	is "agent exits 0 on SIGTERM" "$rc" 0
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ "$fails" -eq 0 ] || cat "$tmp/agent.log"
	itest_done
}
