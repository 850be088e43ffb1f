#!/usr/bin/env bash
# install.sh - `make install` into a staging directory (DESTDIR, PREFIX), then
# the installed binary, run from elsewhere with the source tree out of reach
# (no build directory on PATH, not in it): it finds its suites, the default
# topology, the metrics profiles and the sample app; a lab of its own comes up
# and answers; a small suite runs and its replay.sh reproduces the report from
# any directory; `make uninstall` removes every file it installed.
set -u
build=${1:-build}
src=$PWD
lab="in$$"
lab=${lab:0:12}
work=$(mktemp -d "${TMPDIR:-/tmp}/smiw-install.XXXXXX")
stage="$work/stage"
bin="$stage/usr/bin/smi-witness"
cleanup() {
	[ -x "$bin" ] && "$bin" lab down --lab "$lab" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
fails=0
check() { # description, then a command that must succeed
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}

make -s -C "$src" install OUTPUT="$build" DESTDIR="$stage" PREFIX=/usr >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log"; echo "not ok - make install"; exit 1; }
echo "ok - make install DESTDIR=... PREFIX=/usr"
for f in usr/bin/smi-witness usr/libexec/smi-witness/sample-app \
	usr/share/smi-witness/sample-app/topology/default.yaml usr/share/smi-witness/specs/traffic-split.yaml \
	usr/share/smi-witness/specs/manifests/split/b75-c25.yaml \
	usr/share/smi-witness/specs/metrics-profiles/haproxy.yaml \
	usr/share/smi-witness/deploy/sample-app/osm/kustomization.yaml; do
	check "installed $f" test -s "$stage/$f"
done
check "the binary and the sample app are executable" test -x "$bin" -a -x "$stage/usr/libexec/smi-witness/sample-app"
check "nothing is installed outside PREFIX" \
	test "$(cd "$stage" && find . -mindepth 1 -maxdepth 1)" = "./usr"

# From a directory of its own, with a PATH that holds no smi-witness.
mkdir -p "$work/elsewhere"
cd "$work/elsewhere" || exit 1
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
check "no smi-witness on PATH" sh -c '! command -v smi-witness'
names=$("$bin" -j run --list | jq -r '[.scenarios[].name] | join(",")')
check "run --list finds the nine installed suites" test "$names" = \
	"access-route-combined,access-sources,access-tcp-ports,split-ab-header,split-three-way,traffic-access,traffic-metrics,traffic-specs,traffic-split"
check "run --list names them as run takes them (specs/...)" \
	test "$("$bin" -j run --list | jq -r '.scenarios[0].file')" = "specs/access-route-combined.yaml"
check "lint finds the default topology" \
	sh -c "'$bin' lint '$stage/usr/share/smi-witness/specs/traffic-split.yaml' 2>&1 >/dev/null |
		grep -qF \"lab topology '$stage/usr/share/smi-witness/sample-app/topology/default.yaml'\""
printf '%s\n' 0123456789abcdef0123 >"$work/token"
"$bin" run specs/traffic-split.yaml --cluster --mesh osm --token-file "$work/token" \
	--kubeconfig "$work/no-kubeconfig" >/dev/null 2>"$work/cluster.err"
rc=$?
check "run --cluster finds the installed sample app of OSM, then no cluster (exit 4, got $rc)" \
	sh -c "test $rc = 4 && grep -q '^error: cannot reach a cluster' '$work/cluster.err'"
fix="$src/tests/fixtures/metrics"
check "the haproxy profile is found by name (metrics check passes, exit 0)" \
	"$bin" metrics check --observations "$fix/obs-lab.jsonl" --before "$fix/haproxy-before.prom" \
		--after "$fix/haproxy-after.prom" --profile haproxy --mesh-pod default/mesh

if [ "$(id -u)" != 0 ]; then
	echo "skip: the lab needs root"
	[ $fails -eq 0 ] && echo PASS || echo "FAIL: $fails check(s)"
	[ $fails -eq 0 ] && exit 77 || exit 1
fi
check "lab up with the installed binary (sample app from libexec, default topology)" \
	"$bin" lab up --lab "$lab"
check "a pod answers through the mesh" \
	sh -c "'$bin' lab exec --lab '$lab' app-a -- curl -s -o /dev/null -w '%{http_code}' http://app-svc:9091/echo | grep -qx 200"
check "the lab runs app-d of the default topology" \
	sh -c "'$bin' -j lab status --lab '$lab' | jq -e '[.pods[].name] | index(\"app-d\")'"

# A lab that is up is used and left up; the shipped suite is found as specs/...
"$bin" run specs/access-tcp-ports.yaml --lab "$lab" --out out >"$work/run.out" 2>"$work/run.err"
rc=$?
check "run specs/access-tcp-ports.yaml passes (exit 0, got $rc)" test $rc = 0
check "run says it uses the lab that was up" grep -q "^lab $lab is up (mesh reference" "$work/run.err"
check "the lab is still up after the run" "$bin" lab status --lab "$lab"
cd / || exit 1
check "replay.sh from / without smi-witness on PATH gives the same report" \
	sh -c "'$work/elsewhere/out/reference/access-tcp-ports/replay.sh' -f json >'$work/replay.json' &&
		cmp '$work/replay.json' '$work/elsewhere/out/reference/access-tcp-ports/report.json'"
check "replay.sh and the report name no doubled slash" \
	sh -c "! grep -q '//' '$work/elsewhere/out/reference/access-tcp-ports/replay.sh' '$work/replay.json'"
check "lab down" "$bin" lab down --lab "$lab"

cd "$src" || exit 1
make -s uninstall DESTDIR="$stage" PREFIX=/usr >/dev/null 2>&1
check "make uninstall leaves no file" test -z "$(find "$stage" -type f)"

[ $fails -eq 0 ] && echo PASS || echo "FAIL: $fails check(s)"
[ $fails -eq 0 ]
