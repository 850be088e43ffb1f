#!/usr/bin/env bash
# metrics_cli.sh - `smi-witness metrics`: exit codes and JSON of check on fixtures,
# exports checked against their own observations, and a real HAProxy exporter
# scraped over HTTP (libcurl) inside a network namespace this test creates.
set -u
build=${1:-build}
bin="$build/smi-witness"
fix=tests/fixtures/metrics
fails=0
check() { # description, then a command that must succeed
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}
rc_of() { "$@" >/dev/null 2>&1; echo $?; }
tmp=$(mktemp -d /tmp/smiw-metrics-cli.XXXXXX)
ns=smiw-met-$$
hpid=
cleanup() {
	[ -n "$hpid" ] && kill "$hpid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

hap() { # variant-before variant-after, then extra args
	local b=$1 a=$2; shift 2
	"$bin" metrics check --observations $fix/obs-lab.jsonl --before $fix/haproxy-$b.prom \
		--after $fix/haproxy-$a.prom --profile haproxy --mesh-pod default/mesh "$@"
}

check "help lists metrics" sh -c "'$bin' help | grep -q '^  metrics '"
check "metrics --help has an EXAMPLES block" sh -c "'$bin' metrics --help | grep -q '^EXAMPLES'"
check "no subcommand exits 2" test "$(rc_of "$bin" metrics)" = 2
check "unknown subcommand exits 2" test "$(rc_of "$bin" metrics frobnicate)" = 2
check "check without inputs exits 2" test "$(rc_of "$bin" metrics check --profile haproxy)" = 2
check "bad --window exits 2" test "$(rc_of hap before after --window 5..1)" = 2
check "unknown profile exits 2" test "$(rc_of "$bin" metrics check --observations $fix/obs-lab.jsonl \
	--after $fix/haproxy-after.prom --profile nosuchmesh)" = 2
check "malformed exposition: error names file and line" sh -c "printf 'a 1\nb{x=\"1} 2\n' > $tmp/bad.prom; \
	'$bin' metrics scrape $tmp/bad.prom 2>&1 | grep -qx \"error: '$tmp/bad.prom': line 2: label value not closed (missing '\\\"')\""
check "malformed exposition exits 2" test "$(rc_of "$bin" metrics scrape $tmp/bad.prom)" = 2

check "reference metrics: PASS, exit 0" test "$(rc_of hap before after)" = 0
check "inflated metrics: FAIL, exit 1" test "$(rc_of hap before-inflate after-inflate)" = 1
check "dropped failures: FAIL, exit 1" test "$(rc_of hap before after-dropfail)" = 1
check "counter reset: INCONCLUSIVE, exit 3" test "$(rc_of hap before after-reset)" = 3
out=$(hap before after-dropfail -j)
check "-j: verdict FAIL" test "$(jq -r .verdict <<<"$out")" = FAIL
check "-j: failure_count side by side (reported 0, observed 2)" test \
	"$(jq -c '.edges[] | select(.destination == "default/app-b") | .checks[]
		| select(.name == "failure_count") | [.reported, .observed_inside, .verdict]' <<<"$out")" = '[0,2,"FAIL"]'
check "text: numbers side by side" sh -c "'$bin' metrics check --observations $fix/obs-lab.jsonl \
	--before $fix/haproxy-before-inflate.prom --after $fix/haproxy-after-inflate.prom --profile haproxy \
	--mesh-pod default/mesh | grep -Eq '^  success_count +10 +8 +exact +FAIL  the mesh reports 2 more than happened$'"
check "-j error is an object" sh -c "'$bin' -j metrics check --observations /nonexistent \
	--after $fix/haproxy-after.prom --profile haproxy | jq -e '.error | test(\"nonexistent\")'"

"$bin" metrics export --observations $fix/obs-lab.jsonl --mesh-pod default/mesh -o $tmp/own.prom
"$bin" metrics export --observations $fix/obs-lab.jsonl --mesh-pod default/mesh --format trafficmetrics -o $tmp/own.json
check "export prometheus parses" "$bin" metrics scrape $tmp/own.prom
check "exported prometheus passes against its observations" "$bin" metrics check \
	--observations $fix/obs-lab.jsonl --after $tmp/own.prom --profile smi-witness --mesh-pod default/mesh
check "exported TrafficMetrics is a list of 4 items" test "$(jq '.items | length' $tmp/own.json)" = 4
check "exported TrafficMetrics passes against its observations" "$bin" metrics check \
	--observations $fix/obs-lab.jsonl --after $tmp/own.json --mesh-pod default/mesh

# A real HAProxy exporter, in a namespace of our own, scraped twice around traffic.
if [ "$(id -u)" != 0 ] || ! command -v haproxy >/dev/null; then
	echo "skip: HAProxy part needs root and haproxy"
	[ $fails -eq 0 ] || { echo "FAIL: $fails check(s)"; exit 1; }
	exit 77
fi
ip netns add "$ns" && ip -n "$ns" link set lo up
cat > $tmp/h.cfg <<EOF
global
	pidfile $tmp/h.pid
defaults
	mode http
	timeout connect 1s
	timeout client 5s
	timeout server 5s
frontend prometheus
	bind 127.0.0.1:8405
	http-request use-service prometheus-exporter if { path /metrics }
frontend svc.default.app-svc.9091
	bind 127.0.0.1:9091
	default_backend pod.default.app-b.9091
backend pod.default.app-b.9091
	server default.app-b 127.0.0.1:9092
frontend app
	bind 127.0.0.1:9092
	http-request return status 500 if { path /fail }
	http-request return status 200 content-type text/plain string ok
EOF
ip netns exec "$ns" haproxy -f $tmp/h.cfg -db >$tmp/h.log 2>&1 &
hpid=$!
for _ in $(seq 600); do ip netns exec "$ns" curl -s -o /dev/null http://127.0.0.1:8405/metrics && break; sleep 0.1; done
ip netns exec "$ns" "$bin" metrics scrape http://127.0.0.1:8405/metrics -o $tmp/before.prom >/dev/null
for _ in 1 2 3; do ip netns exec "$ns" curl -s -o /dev/null http://127.0.0.1:9091/echo; done
ip netns exec "$ns" curl -s -o /dev/null http://127.0.0.1:9091/fail
sj=$(ip netns exec "$ns" "$bin" -j metrics scrape http://127.0.0.1:8405/metrics -o $tmp/after.prom)
check "URL scrape records the monotonic time" test "$(jq '.mono_ns > 0' <<<"$sj")" = true
check "real exporter: counters typed" test "$(jq '.samples_by_type.counter > 50' <<<"$sj")" = true
get() { # file code
	awk -v c="code=\"$2\"" '/^haproxy_server_http_responses_total\{proxy="pod.default.app-b.9091",server="default.app-b"/ && index($0, c) { print $2 }' "$1"
}
check "2xx delta is 3 in the real exposition" test $(( $(get $tmp/after.prom 2xx) - $(get $tmp/before.prom 2xx) )) = 3
check "5xx delta is 1 in the real exposition" test $(( $(get $tmp/after.prom 5xx) - $(get $tmp/before.prom 5xx) )) = 1
# No capture here: an observation file that records nothing makes every reported count "more than happened"
# only when the measured end was watched; unwatched, the verdict must stay INCONCLUSIVE.
printf '{"t":"meta","v":1,"mono_ns":1,"real_ns":1}\n{"t":"end","kernel_drops":0}\n' > $tmp/empty.jsonl
check "reported traffic at an unwatched pod: INCONCLUSIVE" test "$(rc_of "$bin" metrics check \
	--observations $tmp/empty.jsonl --before $tmp/before.prom --after $tmp/after.prom --profile haproxy \
	--mesh-pod default/mesh)" = 3
[ $fails -eq 0 ] && echo PASS || echo "FAIL: $fails check(s)"
[ $fails -eq 0 ]
