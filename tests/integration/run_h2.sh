#!/usr/bin/env bash
# run_h2.sh - `smi-witness run --protocol h2 | grpc` end to end in a lab of its
# own (root, real BPF): the traffic goes as HTTP/2 streams (or unary gRPC
# calls) from the source pod's driver through HAProxy speaking HTTP/2 to the
# pods. The reference mesh passes the split and access steps, faulty-weights
# fails exactly the split assertions, and the records show HTTP/2 at every
# hop with nothing lost. The lab is up over HTTP/1.1 before the runs: each run
# uses it in HTTP/2 and puts it back to HTTP/1.1 after (--keep-lab leaves it as
# the run left it).
set -u
build=${1:-build}
bin="$(cd "$build" && pwd)/smi-witness"
if [ "$(id -u)" != 0 ]; then
	echo "skip: the lab and the capture need root"; exit 77
fi
. tests/lib/itest.sh
lab="h2r$$"
lab=${lab:0:12}
work=$(mktemp -d "${TMPDIR:-/tmp}/smiw-runh2.XXXXXX")
cleanup() {
	"$bin" lab down --lab "$lab" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/s/m"
cp specs/manifests/split/b75-c25.yaml specs/manifests/split/b-only.yaml specs/manifests/access/tcp-a-to-b.yaml \
	"$work/s/m/"
# Convergence bounds are generous: probes go one entry after the other, and the
# machine may be busy; the verdicts, not the time to converge, are under test.
cat >"$work/s/split.yaml" <<'EOF'
version: 1
name: split
smispec: traffic-split
defaults: {from: app-a, to: app-svc, path: /echo, concurrency: 4, expect: {split: derived}, converge: {timeout: 60s}}
steps:
  - name: default
    traffic: [{count: 100}]
  - name: b-only
    apply: [m/b-only.yaml]
    traffic: [{count: 200}]
  - name: b75
    apply: [m/b75-c25.yaml]
    traffic: [{count: 1000}]
EOF
cat >"$work/s/access.yaml" <<'EOF'
version: 1
name: access
smispec: traffic-access
defaults: {from: app-a, to: app-b, path: /echo, count: 50, concurrency: 2, expect: {access: derived}, converge: {timeout: 60s}}
steps:
  - name: deny
    traffic: [{name: a-to-b}]
  - name: allow
    apply: [m/tcp-a-to-b.yaml]
    traffic: [{name: a-to-b}, {name: c-to-b, from: app-c}]
EOF
sed -e 's/^name: split$/name: grpc-split/' -e 's|path: /echo, |method: POST, path: /smiw.echo.Echo/Echo, |' \
	"$work/s/split.yaml" >"$work/s/grpc-split.yaml"
topo="$PWD/sample-app/topology/default.yaml"
verdicts() { jq -c '[.assertions[] | [.id, .verdict]]' "$1"; }
# Exchanges of the measured requests (probes left out): protocol and where (driver, mesh, backends).
hops() { zcat "$1" | jq -r 'select(.t == "exchange" and (.request_id | test("\\.c[0-9]+-") | not)) |
	[.protocol // "h1", (if .pod == "app-a" then "driver" elif .comm == "haproxy" then "mesh" else "backend" end),
	 .role] | join("/")' | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' '; }

cfg="/run/smi-witness/lab-$lab/haproxy.cfg"
proto() { "$bin" -j lab status --lab "$lab" | jq -r '[.mesh.name, .mesh.protocol] | join(" ")'; }
"$bin" lab up --lab "$lab" --topology "$topo" >"$work/up.log" 2>&1 || { cat "$work/up.log"; echo "not ok - lab up"; exit 1; }
is "the lab is up, its mesh speaking HTTP/1.1 to the pods" "$(proto)" "reference h1"

# --- HTTP/2: reference, then faulty-weights --------------------------------------
# Without -j, so that what the run says about the lab is on stderr; the report is the one in out/.
"$bin" run "$work/s/split.yaml" "$work/s/access.yaml" --protocol h2 --lab "$lab" --topology "$topo" \
	--keep-lab --out "$work/out" >"$work/ref.txt" 2>"$work/ref.err"
is "h2, reference: exit 0" "$?" 0
cp "$work/out/reference/report.json" "$work/ref.json"
is "h2, reference: every assertion PASS" "$(verdicts "$work/ref.json")" \
'[["split/default/t1/split","PASS"],["split/b-only/t1/split","PASS"],["split/b75/t1/split","PASS"],["access/deny/a-to-b/access","PASS"],["access/allow/a-to-b/access","PASS"],["access/allow/c-to-b/access","PASS"]]'
is "h2, reference: HAProxy's weighted round robin over streams: exactly 750/250" \
	"$(jq -c '[.assertions[2].evidence.backends[].observed]' "$work/ref.json")" '[750,250]'
is "h2, reference: denials are HTTP/2 403s from the mesh" \
	"$(jq -c '.assertions[3].evidence.client_outcomes' "$work/ref.json")" '{"403":50}'
check "h2: the run said it uses the lab that was up, in HTTP/2" \
	grep -q "^lab $lab is up (mesh reference, HTTP/1.1 to pods, .*the run uses it (mesh reference, HTTP/2 to pods" \
	"$work/ref.err"
is "h2, --keep-lab: the lab is left speaking HTTP/2 to the pods" "$(proto)" "reference h2"
check "... every HTTP server line of the mesh says so" grep -q 'proto h2' "$cfg"
"$bin" lab apply --lab "$lab" --protocol h1 >"$work/apply.log" 2>&1
is "lab apply --protocol h1 alone: back to HTTP/1.1" "$(proto)" "reference h1"
check "... no server line says proto h2" sh -c "! grep -q 'proto h2' '$cfg'"
is "h2: the split's 1300 requests as HTTP/2 streams at every hop (driver, both HAProxy hops, backends)" \
	"$(hops "$work/out/reference/split/observations.jsonl.gz")" \
	"h2/backend/server=1300 h2/driver/client=1300 h2/mesh/client=2600 h2/mesh/server=2600 "
for sc in split access; do
	is "h2, $sc: nothing lost (drops, gaps, lost HTTP/2 bytes, unpaired)" \
		"$(zcat "$work/out/reference/$sc/observations.jsonl.gz" | tail -1 |
			jq -c '[.kernel_drops, .user_drops, .gaps, .h2_lost_bytes, .unpaired]')" "[0,0,0,0,0]"
done
"$bin" run "$work/s/split.yaml" "$work/s/access.yaml" --protocol h2 --mesh faulty-weights --lab "$lab" \
	--topology "$topo" --out "$work/out" >"$work/faulty.txt" 2>"$work/faulty.err"
is "h2, faulty-weights: exit 1" "$?" 1
cp "$work/out/faulty-weights/report.json" "$work/faulty.json"
is "h2, faulty-weights: the lab is put back as the run found it (reference, HTTP/1.1)" "$(proto)" "reference h1"
check "... and said so" grep -q "^lab $lab: left up, mesh reference, HTTP/1.1 to pods" "$work/faulty.err"
check "... no server line says proto h2" sh -c "! grep -q 'proto h2' '$cfg'"
is "h2, faulty-weights: exactly the split assertions FAIL" "$(verdicts "$work/faulty.json")" \
'[["split/default/t1/split","PASS"],["split/b-only/t1/split","FAIL"],["split/b75/t1/split","FAIL"],["access/deny/a-to-b/access","PASS"],["access/allow/a-to-b/access","PASS"],["access/allow/c-to-b/access","PASS"]]'
is "h2, faulty-weights: 700/300" "$(jq -c '[.assertions[2].evidence.backends[].observed]' "$work/faulty.json")" \
	'[700,300]'

# --- gRPC: the split as unary calls -------------------------------------------------
"$bin" -j run "$work/s/grpc-split.yaml" --protocol grpc --lab "$lab" --topology "$topo" \
	--out "$work/out" >"$work/grpc-ref.json" 2>"$work/grpc-ref.err"
is "gRPC, reference: exit 0" "$?" 0
is "gRPC, reference: every assertion PASS" "$(verdicts "$work/grpc-ref.json")" \
'[["grpc-split/default/t1/split","PASS"],["grpc-split/b-only/t1/split","PASS"],["grpc-split/b75/t1/split","PASS"]]'
is "gRPC: every call answered OK where it was served (gRPC status 0 at app-b and app-c)" \
	"$(zcat "$work/out/reference/grpc-split/observations.jsonl.gz" | jq -r 'select(.t == "exchange" and
		.comm == "sample-app" and (.request_id | test("\\.c[0-9]+-") | not)) |
		[.protocol, .path, .status, .grpc_status] | map(tostring) | join(" ")' | sort | uniq -c | awk '{$1=$1; print}')" \
	"1300 grpc /smiw.echo.Echo/Echo 200 0"
"$bin" -j run "$work/s/grpc-split.yaml" --protocol grpc --mesh faulty-weights --lab "$lab" --topology "$topo" \
	--out "$work/out" >"$work/grpc-faulty.json" 2>"$work/grpc-faulty.err"
is "gRPC, faulty-weights: exit 1" "$?" 1
is "gRPC, faulty-weights: exactly the split assertions FAIL" "$(verdicts "$work/grpc-faulty.json")" \
'[["grpc-split/default/t1/split","PASS"],["grpc-split/b-only/t1/split","FAIL"],["grpc-split/b75/t1/split","FAIL"]]'
is "after the gRPC runs the lab is as it was: reference, HTTP/1.1" "$(proto)" "reference h1"
itest_done
