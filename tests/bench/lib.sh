# lib.sh - helpers the bench scripts source: result rows, wrk runs, medians,
# a private network namespace, a private cgroup v2 directory, cleanup.
#
# A script sets `build` and `here`, sources this file, calls bench_netns
# (re-executes it inside a fresh network namespace) and bench_tmp, and lists
# what it starts in `pids` so the EXIT trap stops exactly those.

# ROW<TAB>name<TAB>value<TAB>unit<TAB>goal<TAB>note. goal is ">= X", "<= X",
# "= X" or empty (a figure without a goal); tests/bench/run judges it.
row() { printf 'ROW\t%s\t%s\t%s\t%s\t%s\n' "$@"; }

# Prints the median of its numeric arguments.
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		printf "%s", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Prints EXPR computed by awk with FORMAT: calc FORMAT EXPR [name=value...].
calc() {
	local fmt=$1 expr=$2 kv args=()
	shift 2
	for kv in "$@"; do args+=(-v "$kv"); done
	awk "${args[@]}" -v fmt="$fmt" "BEGIN { printf fmt, $expr }"
}

# wrk prints latencies as 812.00us, 1.23ms or 1.01s: to milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.3f", n
	}'
}

# Parses the wrk output in file $1: sets rps, p99 (ms), served; fails on errors.
wrk_parse() {
	rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$1")
	p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$1")")
	served=$(awk '/requests in/ {print $1}' "$1")
	local errors
	errors=$(awk '/Non-2xx or 3xx responses:/ {print $NF} /Socket errors:/ {print}' "$1")
	[ -n "$rps" ] || { echo "no Requests/sec in wrk output"; cat "$1"; return 1; }
	[ -z "$errors" ] || { echo "wrk saw errors: $errors"; return 1; }
}

# Runs wrk (keep-alive, 2 threads, 50 connections, --latency) for $1 seconds
# against $2; the command prefix in the array `wrk_prefix` (e.g. a lab exec)
# is put in front. Sets rps, p99, served.
wrk_run() {
	local secs=$1 url=$2
	"${wrk_prefix[@]}" wrk -t2 -c50 -d"$secs"s --latency "$url" >"$tmp/wrk.out" 2>&1 ||
		{ cat "$tmp/wrk.out"; return 1; }
	cat "$tmp/wrk.out"
	wrk_parse "$tmp/wrk.out"
}

# Re-executes the calling script in a private network namespace (traffic
# stays on its loopback) unless it already runs in one.
bench_netns() {
	[ -n "${SMIW_BENCH_NETNS:-}" ] && { ip link set lo up; return 0; }
	exec unshare -n env SMIW_BENCH_NETNS=1 bash "$0" "$@"
}

# A temporary directory in $tmp, removed with everything in `pids` on exit.
bench_tmp() {
	tmp=$(mktemp -d "/tmp/smiw-bench-$1-XXXXXX")
	pids=()
	cleanups=()
	trap bench_cleanup EXIT
}

bench_cleanup() {
	local p c
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	for c in "${cleanups[@]}"; do eval "$c"; done
	rm -rf "$tmp"
}

# Creates the cgroup v2 directory $cg (named after the script and its pid)
# and the command prefix `incg` that runs a command inside it.
bench_cgroup() {
	local cg2
	cg2=$(awk '$0 ~ / - cgroup2 / {print $5; exit}' /proc/self/mountinfo)
	[ -n "$cg2" ] || { echo "skip: no cgroup v2 mount"; exit 77; }
	cg=$cg2/smiw-bench-$1-$$
	mkdir "$cg"
	cleanups+=("bench_cgroup_remove '$cg2' '$cg'")
	incg=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg")
}

bench_cgroup_remove() { # cgroup-root cgroup
	[ -f "$2/cgroup.procs" ] || return 0
	while read -r p; do echo "$p" >"$1/cgroup.procs"; done <"$2/cgroup.procs"
	rmdir "$2"
}

# Starts the sample app as $1 on port $2 (with the prefix in array `app_prefix`); sets app_pid.
start_app() {
	SERVICE_NAME=$1 PORT=$2 "${app_prefix[@]}" "$build/sample-app" 2>>"$tmp/app.log" &
	app_pid=$!
	pids+=("$app_pid")
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$2/metrics" && return 0
		sleep 0.05
	done
	echo "sample-app did not start on port $2"
	exit 1
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Starts `smi-witness observe` writing to $1 (further arguments are its
# options); waits until it watches; sets obs (pid) and progs (JSON array of
# its BPF program ids, from the meta record).
start_observe() {
	local out=$1; shift
	: >"$tmp/observe.log"
	"$build/smi-witness" observe --out "$out" --stats-interval 0 "$@" 2>"$tmp/observe.log" &
	obs=$!
	pids+=("$obs")
	for _ in $(seq 200); do grep -q '^observe: watching' "$tmp/observe.log" && break; sleep 0.05; done
	grep -q '^observe: watching' "$tmp/observe.log" || { cat "$tmp/observe.log"; return 1; }
	progs=$(head -n 1 "$out" | jq -c .bpf_prog_ids)
}

stop_observe() { kill -INT "$obs"; wait "$obs"; }

# One JSON object: program name -> [run_time_ns, run_cnt], for the programs in $progs.
bpf_by_prog() {
	bpftool prog show -j | jq -c --argjson ids "$progs" \
		'[.[] | select(.id as $i | $ids | index($i)) | {(.name): [.run_time_ns // 0, .run_cnt // 0]}] | add'
}

# Sum of run_time_ns and run_cnt over the programs whose ids are in $progs.
bpf_totals() {
	bpftool prog show -j | jq --argjson ids "$progs" -r \
		'[.[] | select(.id as $i | $ids | index($i))] | "\(map(.run_time_ns // 0) | add) \(map(.run_cnt // 0) | add)"'
}
