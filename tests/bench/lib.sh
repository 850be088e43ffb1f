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

# Runs $rounds rounds of wrk ($secs s each, against $url) in every
# configuration named as an argument, the order reversed every other round
# (ABBA) so that drift on a shared machine cancels. `detached` runs with
# nothing attached; for any other configuration C the caller's function
# start_C starts observe. Sets C_rps=(...) and C_p99=(...) for each C.
abba() {
	local r m order c
	for c in "$@"; do eval "${c}_rps=() ${c}_p99=()"; done
	for r in $(seq "$rounds"); do
		order=("$@")
		[ $((r % 2)) = 1 ] || for ((c = 0; c < $# / 2; c++)); do
			m=${order[$c]}; order[$c]=${order[$# - 1 - c]}; order[$# - 1 - c]=$m
		done
		for m in "${order[@]}"; do
			[ "$m" = detached ] || "start_$m" || exit 1
			wrk_run "$secs" "$url" >&2 || exit 1
			[ "$m" = detached ] || stop_observe
			eval "${m}_rps+=($rps); ${m}_p99+=($p99)"
		done
	done
}

# Rows for configuration $2 against $1 (both run by abba): throughput $2/$1
# and p99 latency $1/$2, the medians of the per-round ratios. $3 labels the
# rows, $4 says what was watched, $5 is the goal (default ">= 0.98").
ratio_rows() {
	local base=$1 cfg=$2 goal=${5:->= 0.98} i tput=() lat=() br bp cr cp
	eval "br=(\"\${${base}_rps[@]}\"); bp=(\"\${${base}_p99[@]}\"); cr=(\"\${${cfg}_rps[@]}\"); cp=(\"\${${cfg}_p99[@]}\")"
	for i in "${!br[@]}"; do
		tput+=("$(calc '%.4f' 'a / d' a="${cr[$i]}" d="${br[$i]}")")
		lat+=("$(calc '%.4f' 'd / a' a="${cp[$i]}" d="${bp[$i]}")")
	done
	row "$3: throughput attached / detached" "$(median "${tput[@]}")" "ratio" "$goal" \
		"median of $rounds ABBA rounds of ${secs} s (per round: ${tput[*]}); $(median "${cr[@]}") / $(median "${br[@]}") req/s; $4"
	row "$3: p99 latency detached / attached" "$(median "${lat[@]}")" "ratio" "$goal" \
		"same runs (per round: ${lat[*]}); p99 $(median "${cp[@]}") ms attached, $(median "${bp[@]}") ms detached"
}

cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }

# The kernel's drops of an end record on stdin, by cause when there were any: "3 (ring_conn 3)".
drops_by() {
	jq -r '.kernel_drops as $n | if $n == 0 then "0" else
		"\($n) (\(.kernel_drops_by | to_entries | map(select(.value > 0) | "\(.key) \(.value)") | join(", ")))" end'
}

# Capture cost over one wrk run of $1 seconds against $url with observe
# started by the options that follow: BPF run time (kernel.bpf_stats_enabled,
# restored after) plus the agent's on-CPU time, per exchange captured. Sets
# bpf_us, agent_us, ex, end (the end record), cost_runs, cost_rt.
capture_cost() {
	local secs=$1 stats_was rt0 cnt0 rt1 cnt1 cpu0 cpu1
	shift
	stats_was=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q kernel.bpf_stats_enabled=1
	start_observe "$tmp/cost.jsonl" "$@" || exit 1
	read -r rt0 cnt0 < <(bpf_totals)
	cpu0=$(cpu_ns "$obs")
	wrk_run "$secs" "$url" >&2 || exit 1
	read -r rt1 cnt1 < <(bpf_totals)
	cpu1=$(cpu_ns "$obs")
	stop_observe
	sysctl -q kernel.bpf_stats_enabled="$stats_was"
	end=$(tail -n 1 "$tmp/cost.jsonl")
	ex=$(jq '.exchanges' <<<"$end")
	[ "${ex:-0}" -gt 0 ] || { echo "no exchanges captured"; cat "$tmp/observe.log"; exit 1; }
	cost_runs=$((cnt1 - cnt0))
	cost_rt=$((rt1 - rt0))
	bpf_us=$(calc '%.3f' 't / n / 1000' t="$cost_rt" n="$ex")
	agent_us=$(calc '%.3f' 'c / n / 1000' c=$((cpu1 - cpu0)) n="$ex")
}
