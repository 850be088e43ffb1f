#!/usr/bin/env bash
# input_errors.sh - what a newcomer gets wrong is refused before anything happens:
# every input error below exits 2 with one line on stderr naming the file, line
# and field (or the option), and creates or tears down nothing - not the output
# directory, not a lab.log, not the lab a run was given (it stays up, at the same
# configuration generation). Mismatched inputs are refused rather than judged;
# the matrix counts an assertion once; the terminal output honours --color,
# NO_COLOR and -q, and fits 100 columns.
set -u
build=$(realpath "${1:-build}")
bin=$build/smi-witness
src=$PWD
fx=$src/tests/fixtures/verify
. tests/lib/itest.sh
[ "$(id -u)" = 0 ] || { echo "skip: the lab needs root"; exit 77; }
for t in jq haproxy script; do command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }; done

lab="ie$$"
lab=${lab:0:12}
w=$(mktemp -d "${TMPDIR:-/tmp}/smiw-input.XXXXXX")
trap '"$bin" lab down --lab "$lab" >/dev/null 2>&1; rm -rf "$w"' EXIT
cd "$w" || exit 1

# refused WHAT PATTERN CMD...: exit 2, and stderr is exactly one line: "error: " and PATTERN (ERE).
refused() {
	local what=$1 pat=$2 rc; shift 2
	"$@" >"$w/out" 2>"$w/err"
	rc=$?
	if [ $rc = 2 ] && [ "$(wc -l <"$w/err")" = 1 ] && grep -Eq "^error: $pat" "$w/err"; then
		echo "ok - $what"
	else
		echo "not ok - $what: exit $rc, stderr:"
		sed 's/^/    /' "$w/err"
		fails=$((fails + 1))
	fi
}
generation() { "$bin" -j lab status --lab "$lab" | jq -r '.mesh.generation'; }

"$src/tests/fixtures/verify/generate.sh" "$w/fx" >/dev/null || { echo "not ok - fixtures generated"; exit 1; }
"$bin" lab up --lab "$lab" >"$w/up.log" 2>&1 || { cat "$w/up.log"; echo "not ok - lab up"; exit 1; }
gen=$(generation)

# --- run: every input checked before the lab is touched --------------------------------
mkdir -p s/m
cp "$src/specs/manifests/split/b75-c25.yaml" s/m/
cat >s/m/bad-backend.yaml <<'EOF'
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata:
  name: bad
spec:
  service: app-svc
  backends:
  - service: app-b
    weight: 50
  - service: app-x
    weight: 50
EOF
sc() { # NAME STEP-EXTRA TRAFFIC-EXTRA: a one-step scenario s/NAME.yaml
	cat >"s/$1.yaml" <<EOF
version: 1
name: $1
smispec: traffic-split
defaults: {from: app-a, to: app-svc, path: /echo, expect: {split: derived}}
steps:
  - name: one
    $2
    traffic: [{count: 100$3}]
EOF
}
sc good 'apply: [m/b75-c25.yaml]' ''
sc colour 'apply: [m/b75-c25.yaml]' ', colour: red'
sc backend 'apply: [m/bad-backend.yaml]' ''
sc nopod 'apply: [m/b75-c25.yaml]' ', from: app-z'
sc hostcall 'apply: [m/b75-c25.yaml]' ', headers: {Host: app-b}'
sc addr 'apply: [m/b75-c25.yaml]' ', address: node'
sed 's/^name: good$/name: twin/' s/good.yaml >s/twin-a.yaml
sed 's/^name: good$/name: twin/' s/good.yaml >s/twin-b.yaml
R() { "$bin" run "$@" --lab "$lab" --keep-lab; }
refused "run --mesh linkerd: the option and the lab's meshes" \
	"--mesh: 'linkerd' is not a mesh of the lab \(reference, faulty-weights, .*'smi-witness lab meshes'\)$" \
	R s/good.yaml --mesh linkerd --out o1
refused "run: an unknown scenario field names file, line and field (even with --keep-lab)" \
	"cannot load 's/colour.yaml': line 8: steps\[0\]\.traffic\[0\]: unknown field 'colour'$" R s/colour.yaml --out o2
refused "run: a split backend the lab does not have names the manifest, line and field" \
	"'s/m/bad-backend.yaml': line 1: spec\.backends\[1\]\.service: service 'default/app-x' is not in the lab topology" \
	R s/backend.yaml --out o3
refused "run: a source pod the lab does not have names the scenario, line and field" \
	"'s/nopod.yaml': line 8: steps\[0\]\.traffic\[0\]\.from: pod 'default/app-z' is not in the lab topology" \
	R s/nopod.yaml --out o4
refused "run: a Host header of one's own needs via: direct (/call sets the relayed request's Host)" \
	"cannot load 's/hostcall.yaml': line 8: steps\[0\]\.traffic\[0\]: a Host header needs 'via: direct'$" \
	R s/hostcall.yaml --out o6
refused "run: an address that is neither service nor pod" \
	"cannot load 's/addr.yaml': line 8: steps\[0\]\.traffic\[0\]\.address: not 'service' or 'pod'$" \
	R s/addr.yaml --out o7
touch afile
refused "run --out naming a file" "--out: '.*afile' is not a directory" R s/good.yaml --out afile
refused "run: two scenarios of one name (they would share a directory)" \
	"'s/twin-b.yaml': name: scenario 'twin' is also the name of 's/twin-a.yaml'" R s/twin-a.yaml s/twin-b.yaml --out o5
refused "run --topology other than the lab's" "--topology: lab $lab is up with topology" \
	R s/good.yaml --topology "$src/tests/fixtures/lab/split-75-25.yaml" --out o6
refused "run: a suite that is not there" "cannot read suite 'nosuch.yaml'" R nosuch.yaml --out o7
refused "run --color=sometimes" "--color: 'sometimes' is not one of auto, always, never$" R s/good.yaml --color=sometimes
refused "run --api: a route kind in a version it never had" \
	"--api 'split=v1alpha2,grpcroute=v1beta1': grpcroute=v1beta1: GRPCRoute has no version 'v1beta1' \(v1, v1alpha2\)$" \
	R s/good.yaml --api split=v1alpha2,grpcroute=v1beta1 --out o8
check "nothing was created: no output directory, no lab.log" \
	test -z "$(ls -d o? 2>/dev/null)" -a -z "$(find "$w" -name lab.log)"
check "the lab is still up and healthy" "$bin" lab status --lab "$lab"
is "the lab was not touched (same configuration generation)" "$(generation)" "$gen"

# --- lint ----------------------------------------------------------------------------
: >empty.yaml
refused "lint of an empty file" "'empty.yaml': no SMI object found" "$bin" lint empty.yaml
check "... and no table header on stdout" test ! -s "$w/out"
refused "lint of a scenario with a backend the lab does not have" \
	"'s/m/bad-backend.yaml': line 1: spec\.backends\[1\]\.service: service 'default/app-x'" "$bin" lint s/backend.yaml
refused "lint --topology of a manifest with that backend" "'s/m/bad-backend.yaml': line 1: spec\.backends\[1\]\.service" \
	"$bin" lint s/m/bad-backend.yaml --topology "$src/sample-app/topology/default.yaml"
check "... and no table on stdout" test ! -s "$w/out"
refused "lint of a directory" "'s' is a directory: give the files" "$bin" lint s
check "lint of the split alternatives together: duplicates (exit 2)" sh -c "'$bin' lint $src/specs/manifests/split/*.yaml; [ \$? = 2 ]"
check "lint --each of them: each valid" "$bin" lint --each "$src"/specs/manifests/split/*.yaml
check "lint of a shipped scenario" "$bin" lint "$src/specs/traffic-split.yaml"

# --- verify: mismatched inputs are refused, confusing ones named ------------------------
V=(--observations fx/split-good.jsonl -i fx/split-good.intent.jsonl -I "$fx/inventory.json")
refused "verify with another scenario's file" \
	"the records were not made by scenario 'access-fixture' \('$fx/access.yaml'\): its step 1 entry" \
	"$bin" verify "${V[@]}" -s "$fx/access.yaml"
refused "verify -r nope: no such run, and the runs present" \
	"no such run 'nope' in 'fx/split-good.jsonl' \(runs present: rsplit\)$" "$bin" verify "${V[@]}" -s "$fx/split.yaml" -r nope
refused "verify -o DIR (the output directory) without observations" "verify needs --scenario FILE and the observations" \
	"$bin" verify -o fx -s "$fx/split.yaml"
refused "verify -s DIR" "--scenario: '$fx' is a directory" "$bin" verify "${V[@]}" -s "$fx"
refused "verify of a directory of observations" "--observations: 'fx' is a directory" \
	"$bin" verify fx -s "$fx/split.yaml"
refused "verify --since with a file" "--since applies to observations read from agents" \
	"$bin" verify "${V[@]}" -s "$fx/split.yaml" --since 5m
refused "verify --out naming a file" "--out: 'afile' is not a directory" "$bin" verify "${V[@]}" -s "$fx/split.yaml" --out afile
"$bin" -j verify "${V[@]}" -s "$fx/split.yaml" -f junit >"$w/out" 2>"$w/err"
is "verify -j -f junit: refused (exit 2)" "$?" 2
is "... as one JSON error on stdout" "$(jq -r .error "$w/out")" \
	"-j prints JSON and --format asks for another format on the same stdout: choose one"
"$bin" verify -o fx/split-good.jsonl -i fx/split-good.intent.jsonl -I "$fx/inventory.json" -s "$fx/split.yaml" \
	>/dev/null 2>"$w/err"
is "verify -o FILE, the old spelling, still judges the observations (exit 3)" "$?" 3
check "... with a warning saying -o is now --out" grep -q "^warning: -o 'fx/split-good.jsonl': -o now means --out" "$w/err"

# --- drive and metrics never send lab traffic out of the lab ---------------------------------
refused "drive to a lab address from the host" "'198.18.0.2' is a lab address, and no network here reaches the lab" \
	"$bin" drive -n 1 http://198.18.0.2:9091/echo
refused "drive --http2 to a lab address from the host" "'198.18.0.2' is a lab address, and no network here reaches the lab" \
	"$bin" drive --http2 -n 1 http://198.18.0.2:9091/echo
refused "drive --grpc to a lab address from the host" "'198.18.0.2' is a lab address, and no network here reaches the lab" \
	"$bin" drive --grpc -n 1 http://198.18.0.2:9091/smiw.echo.Echo/Echo
refused "metrics scrape of a lab address from the host" "'198.18.1.250' is a lab address" \
	"$bin" metrics scrape http://198.18.1.250:8405/metrics
check "drive from inside a pod reaches the same kind of address" \
	"$bin" lab exec --lab "$lab" app-a -- smi-witness drive -n 1 --no-progress http://198.18.0.12:9091/echo
check "drive --http2 from inside a pod reaches it too" \
	"$bin" lab exec --lab "$lab" app-a -- smi-witness drive --http2 -n 1 --no-progress http://198.18.0.12:9091/echo

# --- the matrix counts each assertion once ----------------------------------------------
"$bin" -q verify "${V[@]}" -s "$fx/split.yaml" --mesh m -o a >/dev/null 2>&1
"$bin" -q verify --observations fx/access-good.jsonl -i fx/access-good.intent.jsonl -I "$fx/inventory.json" \
	-s "$fx/access.yaml" --mesh m -o b >/dev/null 2>&1
jq -s '.[0] * {assertions: (.[0].assertions + .[1].assertions), scenarios: (.[0].scenarios + .[1].scenarios)}' \
	a/report.json b/report.json >all.json
cells() { jq -c '[.meshes[].cells[] | [.smispec, .assertions, .pass]]' "$1"; }
"$bin" -j matrix all.json >m1.json 2>/dev/null
"$bin" -j matrix a/report.json a/report.json >m2.json 2>"$w/err"
is "the same report twice: counted once" "$(cells m2.json)" '[["traffic-split",7,6]]'
check "... and said" grep -qx "warning: matrix: 'a/report.json' is given twice: counted once" "$w/err"
"$bin" -j matrix all.json a/report.json >m3.json 2>"$w/err"
is "a scenario's report beside its mesh's: counted once" "$(cells m3.json)" "$(cells m1.json)"
is "... the mesh's: 4 access and 7 split assertions" "$(cells m1.json)" '[["traffic-access",4,4],["traffic-split",7,6]]'
check "... and said" grep -q "^warning: matrix: ignored 'a/report.json': its 7 assertions of mesh m are counted from 'all.json' already" "$w/err"

# --- the terminal ---------------------------------------------------------------------
T=("$bin" verify "${V[@]}" -s "$fx/split.yaml")
esc=$'\033['
"${T[@]}" --color=always >t.always 2>/dev/null
"${T[@]}" --color=never >t.never 2>/dev/null
"${T[@]}" >t.pipe 2>/dev/null
check "--color=always colours the verdicts" grep -qF "${esc}32mPASS" t.always
check "--color=never does not" sh -c "! grep -qF '$esc' t.never"
check "auto: no colour into a pipe" sh -c "! grep -qF '$esc' t.pipe"
script -qec "'${T[0]}' ${T[*]:1}" /dev/null >t.tty 2>/dev/null
check "auto: colour on a terminal" grep -qF "${esc}32mPASS" t.tty
NO_COLOR=1 script -qec "'${T[0]}' ${T[*]:1}" /dev/null >t.nocolor 2>/dev/null
check "NO_COLOR: no colour on a terminal either" sh -c "! grep -qF '$esc' t.nocolor && grep -q '^PASS ' t.nocolor"
is "every table line fits 100 columns" "$(awk 'length > 100' t.never t.pipe | wc -l)" 0
check "a reason too long for its column wraps under it" grep -Eq '^ {30,}[^ ]' t.never
"${T[@]}" -q >t.quiet 2>t.quiet.err
is "-q: only what did not pass" "$(awk 'NR > 1 && /^[A-Z]/ { print $1 }' t.quiet | tr '\n' ' ')" "INCONCLUSIVE "
is "-q: the summary still counts everything" "$(tail -n 1 t.quiet)" "7 assertions: 6 PASS, 0 FAIL, 1 INCONCLUSIVE -> INCONCLUSIVE for mesh fixture-mesh"

# --- listing and help --------------------------------------------------------------------
is "run --list: the nine shipped suites" "$("$bin" -j run --list | jq '.scenarios | length')" 9
is "run --list-meshes and lab meshes: the twenty-six variants" \
	"$("$bin" run --list-meshes | wc -l) $("$bin" lab meshes | awk '{ print $1 }' | tr '\n' ' ')" \
	"26 reference faulty-weights fail-open ignore-path ignore-method ignore-headers inflate-metrics drop-failures-metrics route-list-order route-loose-prefix route-add-as-set route-redirect-host route-no-rewrite route-consumer-everywhere strip-id mirror-to-zero-weight regenerate-id per-connection-split retry-with-flaky-backend bogus-restart allow-other-methods loose-match route-no-mirror route-any-port route-no-response-headers route-by-host "
is "lab meshes: every variant has a summary, within 100 columns" \
	"$("$bin" lab meshes | awk 'NF < 3 || length($0) > 98' | wc -l)" 0
"$bin" run --help >help.run
is "run --help lists every variant as lab meshes does" \
	"$(sed -n '/^Meshes/,/^$/p' help.run | sed -n 's/^  //p')" "$("$bin" lab meshes)"
is "run --help lists the nine shipped suites" \
	"$(sed -n '/^Shipped suites/,/^$/p' help.run | grep -o 'specs/[a-z-]*\.yaml' | tr '\n' ' ')" \
	"$("$bin" -j run --list | jq -r '[.scenarios[].file] | join(" ")') "
is "run --help and run --list cut nothing short and keep to 100 columns" \
	"$(cat help.run <("$bin" run --list) | grep -c -e '\.\.\.$' -e '.\{101\}')" 0
is "version is --version" "$("$bin" version)" "$("$bin" --version)"
for c in $("$bin" help | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 } f && /^$/ { exit }'); do
	check "$c --help ends with the exit codes, 4 'could not run' among them" \
		sh -c "'$bin' $c --help | tail -n 2 | tr '\n' ' ' | grep -q '2 invalid input .*3 INCONCLUSIVE, 4 could not run'"
done
itest_done
