#!/usr/bin/env bash
# examples.sh - every command README.md shows in its ```sh blocks, and every command
# of every `smi-witness COMMAND --help` EXAMPLES block, runs as written and none
# fails. The commands are taken from the text itself, so an example added later is
# run too (or the test fails until it is told where the example belongs).
#
# They run in a lab of the test's own (SMIW_LAB, and the default lab's paths
# rewritten to it), in a scratch directory that sees specs/, sample-app/ and tests/
# of the source tree, with the build's smi-witness first on PATH. Paths outside
# the scratch directory (/run/smiw-token, /var/log/smi-witness, /tmp/run.jsonl)
# are rewritten into it. Order follows what the commands need: offline ones, lab
# up, the lab's, the runs, what reads the runs' files, the agents (each started,
# asked while it serves, stopped with SIGTERM), lab down. Commands that need a
# Kubernetes cluster, and `make`, are listed with the reason and not run.
#
# A verdict command (run, verify, replay.sh, metrics check) may exit 0, 1 or 3:
# its job is to judge (the faulty meshes FAIL); 2 and 4 are errors. Every other
# command must exit 0.
set -u
build=$(realpath "${1:-build}")
src=$PWD
. tests/lib/itest.sh
[ "$(id -u)" = 0 ] || { echo "skip: the lab and the capture need root"; exit 77; }
for t in jq curl haproxy base64; do command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }; done

lab="ex$$"
lab=${lab:0:10}
lab2="${lab}t"
work=$(mktemp -d "${TMPDIR:-/tmp}/smiw-examples.XXXXXX")
agent_pid=
cleanup() {
	[ -n "$agent_pid" ] && kill -TERM "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
	"$build/smi-witness" lab down --lab "$lab" >/dev/null 2>&1
	"$build/smi-witness" lab down --lab "$lab2" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/bin" "$work/run"
ln -s "$build/smi-witness" "$work/bin/smi-witness"
for d in specs sample-app tests; do ln -s "$src/$d" "$work/run/$d"; done
export PATH="$work/bin:$PATH" SMIW_LAB="$lab"

# --- the commands, from the text ------------------------------------------------------
# join: continuation lines (a trailing backslash) become one line; comments after
# two spaces are dropped.
join() {
	awk '{ line = line $0 } /\\$/ { sub(/\\$/, "", line); next } { print line; line = "" }' |
		sed -E 's/[[:space:]]{2,}#[^"'"'"']*$//; s/^[[:space:]]+//; s/[[:space:]]+/ /g; s/ $//' | grep -v '^$'
}
readme=$(awk '/^```sh$/ { f = 1; next } /^```$/ { f = 0 } f' "$src/README.md" | join)
commands=$("$build/smi-witness" help | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 } f && /^$/ { exit }')
help_examples=
for c in $commands; do
	ex=$("$build/smi-witness" "$c" --help | sed -n '/^EXAMPLES$/,/^Exit status/p' | sed '1d;$d' |
		grep -E '^ {2}' | join)
	check "'$c --help' has examples" test -n "$ex"
	help_examples+="$ex"$'\n'
done
all=$(printf '%s\n%s\n' "$readme" "$help_examples" | grep -v '^$' | awk '!seen[$0]++')
is "README's sh blocks hold its commands (at least 14)" "$([ "$(grep -c . <<<"$readme")" -ge 14 ] && echo yes)" yes
is "every command of 'smi-witness help' has examples" "$(grep -c . <<<"$commands") commands" "13 commands"

# --- where each belongs ---------------------------------------------------------------
# phase CMD: 0 not run (with the reason), 1 offline, 2 lab up, 3 in the lab, 4 runs,
# 5 on the runs' files, 6 agents, 7 agents' clients, 8 lab down; "" unknown.
phase() {
	case "$1" in
	make\ install*) echo "0 install.sh installs into a staging directory and runs the installed binary" ;;
	make\ *) echo "0 'make test' runs this test; 'make demo' is the run examples below, in the default lab" ;;
	kubectl\ *|*--cluster*|*"smi-witness kube "*|NODE_NAME=*) echo "0 needs a Kubernetes cluster" ;;
	"smi-witness doctor"*|"smi-witness power "*|"smi-witness lint "*|"smi-witness -j lint "*|\
	"smi-witness run --list"*|"smi-witness lab meshes"|"smi-witness metrics check "*|\
	"smi-witness -j metrics check "*|"smi-witness metrics export "*|"smi-witness version"|"head -c "*) echo 1 ;;
	"smi-witness lab up") echo 2 ;;
	"smi-witness lab exec "*|"smi-witness lab apply "*|"smi-witness lab status"*) echo 3 ;;
	"smi-witness run "*) echo 4 ;;
	"smi-witness verify "*|"smi-witness -j verify "*|out/*/replay.sh*|"smi-witness matrix "*|\
	"smi-witness -j matrix "*|"smi-witness observe "*|"smi-witness -j observe "*) echo 5 ;;
	"smi-witness agent "*) echo 6 ;;
	"curl "*127.0.0.1:9469*|"smi-witness fetch --agent "*) echo 7 ;;
	"smi-witness lab down"|"smi-witness lab --lab t1 "*) echo 8 ;;
	esac
}
# judged CMD: a command whose exit status is a verdict.
judged() {
	case "$1" in
	"smi-witness run "*|"smi-witness verify "*|"smi-witness -j verify "*|out/*/replay.sh*|\
	"smi-witness metrics check "*|"smi-witness -j metrics check "*) return 0 ;;
	esac
	return 1
}
# rewrite CMD: the default lab's paths, the second lab's name and paths outside the scratch dir.
rewrite() {
	sed -e "s|/run/smi-witness/lab/|/run/smi-witness/lab-$lab/|g" -e "s|--lab t1 |--lab $lab2 |g" \
		-e "s|/run/smiw-token|$work/smiw-token|g" -e "s|/var/log/smi-witness|$work/spool|g" \
		-e "s|/tmp/run.jsonl|$work/run.jsonl|g" <<<"$1"
}

n=0
declare -a by_phase
while IFS= read -r cmd; do
	p=$(phase "$cmd")
	if [ -z "$p" ]; then
		echo "not ok - an example this test does not place (tell phase() where it belongs): $cmd"
		fails=$((fails + 1))
	elif [ "${p%% *}" = 0 ]; then
		echo "skip - not run, ${p#0 }: $cmd"
	else
		by_phase[$p]+="$cmd"$'\n'
		n=$((n + 1))
	fi
done <<<"$all"
is "examples to run (README and every --help, each once)" "$([ $n -ge 45 ] && echo "45 or more")" "45 or more"

cd "$work/run" || exit 1
# run CMD: runs it as written (rewritten only as above); its output in $work/log.
k=0
run() {
	local cmd=$1 real rc t0=$SECONDS
	real=$(rewrite "$cmd")
	k=$((k + 1))
	bash -o pipefail -c "$real" >"$work/log.$k.out" 2>"$work/log.$k.err"
	rc=$?
	# The seconds each took are printed (never judged) to show where the test's time goes.
	if { judged "$cmd" && [ $rc -le 1 -o $rc = 3 ]; } || [ $rc = 0 ]; then
		echo "ok - exit $rc ($((SECONDS - t0)) s): $cmd"
	else
		echo "not ok - exit $rc ($((SECONDS - t0)) s): $cmd"
		sed 's/^/    /' "$work/log.$k.err" | tail -n 5
		fails=$((fails + 1))
	fi
}
for p in 1 2 3 4 5; do
	while IFS= read -r cmd; do [ -n "$cmd" ] && run "$cmd"; done <<<"${by_phase[$p]:-}"
done

# Agents: each one serves while the clients' examples ask it, then stops on SIGTERM.
while IFS= read -r cmd; do
	[ -n "$cmd" ] || continue
	bash -c "exec $(rewrite "$cmd")" >"$work/agent.out" 2>"$work/agent.err" &
	agent_pid=$!
	serving() { curl -s --max-time 2 http://127.0.0.1:9469/healthz >/dev/null; }
	if wait_for 120 serving; then
		echo "ok - serving: $cmd"
	else
		echo "not ok - not serving: $cmd"
		tail -n 5 "$work/agent.err"
		fails=$((fails + 1))
	fi
	while IFS= read -r client; do [ -n "$client" ] && run "$client"; done <<<"${by_phase[7]:-}"
	kill -TERM "$agent_pid"
	wait "$agent_pid"
	is "the agent exits 0 on SIGTERM: $cmd" "$?" 0
	agent_pid=
done <<<"${by_phase[6]:-}"

while IFS= read -r cmd; do [ -n "$cmd" ] && run "$cmd"; done <<<"${by_phase[8]:-}"

# What the examples leave is where they said: in the scratch directory, and no lab.
check "the runs wrote their reports under out/" test -s out/reference/report.json -a -s out/faulty-weights/report.json
check "verify --out wrote report/" test -s report/report.json
check "the matrix examples wrote matrix.html and out/matrix.md" test -s matrix.html -a -s out/matrix.md
check "the scrape inside a pod wrote before.prom here" test -s before.prom
check "no lab is left up" sh -c "! '$build/smi-witness' lab status --lab '$lab' && ! '$build/smi-witness' lab status --lab '$lab2'"
itest_done
