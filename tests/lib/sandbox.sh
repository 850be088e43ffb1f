# sandbox.sh - pod-like sandboxes for the shell integration tests (source it
# after itest.sh): a network namespace with its loopback up plus a cgroup v2
# directory each, the sample app in them, and one cleanup for everything.
#
#   sandbox_require TOOL...     skip (77) unless root, a cgroup v2 mount and the tools exist
#   sandbox_init NAME           $tmp (a temporary directory), $pids, cleanup on exit
#   sandbox_add VAR             creates a sandbox; VAR names an array that runs a command
#                               in it ("${VAR[@]}" cmd...: cgroup first, then exec in the
#                               namespace, so $! is the command); its namespace in VAR_ns,
#                               its cgroup in VAR_cg
#   sandbox_app VAR SERVICE     starts the sample app on 9091 in it and waits for it
# Every process started in the background goes into $pids to be stopped at exit.

sandbox_require() {
	[ "$(id -u)" = 0 ] || { echo "skip: needs root (BPF, network namespaces, cgroups)"; exit 77; }
	for t in ip nsenter curl "$@"; do
		command -v "$t" >/dev/null || { echo "skip: $t is not installed (make deps)"; exit 77; }
	done
	sandbox_cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -n "$sandbox_cg2" ] || { echo "skip: no cgroup v2 mount"; exit 77; }
}

sandbox_init() {
	sandbox_name=smiw-$1-$$
	sandbox_list=()
	pids=()
	tmp=$(mktemp -d "/tmp/$sandbox_name-XXXXXX")
	trap sandbox_cleanup EXIT
}

# Stops what the test started, empties and removes every cgroup and namespace it made.
sandbox_cleanup() {
	local ns cg
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	for s in "${sandbox_list[@]}"; do
		ns=${s%% *} cg=${s#* }
		[ -f "$cg/cgroup.kill" ] && echo 1 >"$cg/cgroup.kill"
		for _ in $(seq 3000); do [ -s "$cg/cgroup.procs" ] || break; sleep 0.02; done
		[ -d "$cg" ] && rmdir "$cg"
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$tmp"
}

sandbox_add() {
	local ns=$sandbox_name-${#sandbox_list[@]} cg=$sandbox_cg2/$sandbox_name-${#sandbox_list[@]}
	ip netns add "$ns" && ip -n "$ns" link set lo up && mkdir "$cg" ||
		{ echo "cannot create the sandbox $ns"; exit 1; }
	sandbox_list+=("$ns $cg")
	eval "$1=(sh -c 'echo \$\$ >\"\$1/cgroup.procs\" && shift && exec nsenter --net=\"/run/netns/\$0\" \"\$@\"' \"$ns\" \"$cg\")"
	eval "${1}_ns=$ns ${1}_cg=$cg"
}

sandbox_app() {
	local -n run=$1
	local ns_var=${1}_ns
	SERVICE_NAME=$2 PORT=9091 "${run[@]}" "$build/sample-app" 2>>"$tmp/app.log" &
	pids+=($!)
	for _ in $(seq 1200); do	# 60 s: a busy machine is slow to start it, only a broken one never does
		nsenter --net="/run/netns/${!ns_var}" curl -s -o /dev/null http://127.0.0.1:9091/metrics && return 0
		sleep 0.05
	done
	echo "the sample app did not start in ${!ns_var}"
	exit 1
}
