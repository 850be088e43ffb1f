#!/usr/bin/env bash
# metrics_lab.sh - the HAProxy metrics cross-check end to end on the lab: the
# reference mesh PASSes; inflate-metrics and drop-failures-metrics FAIL with
# the numbers side by side. Traffic: app-a -> app-b through the mesh, 20 GET
# /echo (200) and 5 POST /call to a closed port (app-b answers 500), sent by
# the driver; the kernel capture records it; the mesh's exporter is scraped
# before and after, and the scrape times are the window.
set -u
build=${1:-build}
bin="$(cd "$build" && pwd)/smi-witness"
[ "$(id -u)" = 0 ] || { echo "skip: the lab needs root (namespaces, cgroups, BPF)"; exit 77; }
command -v haproxy >/dev/null || { echo "skip: haproxy is not installed"; exit 77; }
[ -x "$build/sample-app" ] || { echo "skip: $build/sample-app is not built"; exit 77; }
for c in lab observe drive; do
	"$bin" help "$c" >/dev/null 2>&1 || { echo "skip: this build has no '$c' command (lab and capture not merged)"; exit 77; }
done

lab="mx$$"
L() { "$bin" lab --lab "$lab" "$@"; }
tmp=$(mktemp -d /tmp/metrics_lab.XXXXXX)
opid=
cleanup() {
	[ -n "$opid" ] && kill -INT "$opid" 2>/dev/null && wait "$opid" 2>/dev/null
	L down >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
is() { # description, got, want
	if [ "$2" = "$3" ]; then echo "ok - $1 ($2)"; else echo "not ok - $1: got '$2', want '$3'"; fails=$((fails + 1)); fi
}

L up >/dev/null || { echo "not ok - lab up"; exit 1; }
inv=$(L status -j | jq -r .inventory)
url=$(jq -r .mesh.metrics_url "$inv")

# One step: scrape, traffic, scrape, under capture; prints the check's JSON and exit status.
step() { # variant
	local d="$tmp/$1" mono_before mono_after
	mkdir -p "$d"
	L apply --mesh "$1" --access-control off --clear >/dev/null || return 1
	"$bin" observe --inventory "$inv" --out "$d/obs.jsonl" >"$d/observe.log" 2>&1 &
	opid=$!
	# observe writes its meta record once the programs are attached
	for _ in $(seq 600); do [ -s "$d/obs.jsonl" ] && break; sleep 0.1; done
	mono_before=$(L exec app-a -- "$bin" -j metrics scrape "$url" -o "$d/before.prom" | jq .mono_ns)
	# numbered requests (X-Request-Id), so each client exchange pairs with its server exchange
	L exec app-a -- "$bin" drive --no-progress -n 20 --run-id "$1-echo" http://app-b:9091/echo >/dev/null
	L exec app-a -- "$bin" drive --no-progress -n 5 --run-id "$1-call" -X POST \
		-b '{"url":"http://127.0.0.1:1/x"}' http://app-b:9091/call >/dev/null
	mono_after=$(L exec app-a -- "$bin" -j metrics scrape "$url" -o "$d/after.prom" | jq .mono_ns)
	kill -INT "$opid"
	wait "$opid"
	opid=
	"$bin" -j metrics check --observations "$d/obs.jsonl" --before "$d/before.prom" --after "$d/after.prom" \
		--profile haproxy --edge '*=default/app-b' --window "$mono_before..$mono_after" >"$d/check.json"
	echo $? >"$d/rc"
	"$bin" metrics check --observations "$d/obs.jsonl" --before "$d/before.prom" --after "$d/after.prom" \
		--profile haproxy --edge '*=default/app-b' --window "$mono_before..$mono_after" | sed 's/^/# /'
}
numbers() { # variant check-name: "reported/observed verdict"
	jq -r --arg n "$2" '.edges[0].checks[] | select(.name == $n) | "\(.reported)/\(.observed_inside) \(.verdict)"' \
		"$tmp/$1/check.json"
}

step reference
is "reference: verdict" "$(jq -r .verdict $tmp/reference/check.json)" PASS
is "reference: exit status" "$(cat $tmp/reference/rc)" 0
is "reference: success reported/observed" "$(numbers reference success_count)" "20/20 PASS"
is "reference: failure reported/observed" "$(numbers reference failure_count)" "5/5 PASS"
is "reference: every check passed" "$(jq -r '[.edges[].checks[].verdict] | unique | join(",")' $tmp/reference/check.json)" PASS

# inflate-metrics rewrites every responses counter x as x + ceil(x/5): the
# delta over the step is off by about a fifth of it.
step inflate-metrics
is "inflate-metrics: verdict" "$(jq -r .verdict $tmp/inflate-metrics/check.json)" FAIL
is "inflate-metrics: exit status" "$(cat $tmp/inflate-metrics/rc)" 1
is "inflate-metrics: success_count fails" "$(numbers inflate-metrics success_count | cut -d' ' -f2)" FAIL
is "inflate-metrics: 20 observed successes" "$(numbers inflate-metrics success_count | cut -d/ -f2 | cut -d' ' -f1)" 20

step drop-failures-metrics
is "drop-failures-metrics: verdict" "$(jq -r .verdict $tmp/drop-failures-metrics/check.json)" FAIL
is "drop-failures-metrics: exit status" "$(cat $tmp/drop-failures-metrics/rc)" 1
is "drop-failures-metrics: success reported/observed" "$(numbers drop-failures-metrics success_count)" "20/20 PASS"
is "drop-failures-metrics: failure reported/observed" "$(numbers drop-failures-metrics failure_count)" "0/5 FAIL"

[ $fails -eq 0 ] && echo PASS || echo "FAIL: $fails check(s)"
[ $fails -eq 0 ]
