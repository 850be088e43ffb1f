#!/usr/bin/env bash
# agent.sh - the agent's user-space work per exchange, counted in instructions:
# tests/bench/agent_path (the records of a server's keep-alive exchanges, as
# each backend writes them, fed through the capture's record handler, the
# cgroup backend's reassembly, HTTP assembly and the JSON-lines sink) under
# callgrind, with 100 exchanges a connection and with a connection per
# exchange (a mesh that does not pool). Deterministic: the count moves only
# when the code does, so it shows changes a few percent in size that the
# host's spread hides in the CPU-time rows.
set -u
build=$(realpath "${1:-build}")
here=$(dirname "$(realpath "$0")")
. "$here/lib.sh"
command -v valgrind >/dev/null || { echo "skip: valgrind is not installed (make deps)"; exit 77; }
bench_tmp agent
n=20000

# Instructions for n exchanges at $1 exchanges a connection, records of backend $2 (callgrind's total).
instructions() {
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
		"$build/tests/bench/agent_path" "$tmp/out.jsonl" "$n" "$1" "$2" >"$tmp/run.json" 2>"$tmp/vg.log" ||
		{ cat "$tmp/vg.log"; exit 1; }
	[ "$(jq .captured "$tmp/run.json")" = "$n" ] || { echo "agent_path captured $(cat "$tmp/run.json")"; exit 1; }
	awk '$1 == "summary:" {print $2}' "$tmp/cg.out"
}

for b in cgroup syscalls; do
	pooled=$(instructions 100 $b)
	single=$(instructions 1 $b)
	row "agent, ${b%s} backend's records: instructions per exchange, 100 a connection" "$((pooled / n))" \
		"instructions" "" "callgrind on tests/bench/agent_path, $n GET /echo exchanges seen at the server"
	row "agent, ${b%s} backend's records: instructions per connection, on top" \
		"$(((single - pooled) / (n - n / 100)))" "instructions" "" \
		"the same exchanges a connection each: opening, naming and ending it, its conn record"
done
