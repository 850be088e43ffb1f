#!/usr/bin/env bash
# soak.sh [BIN] [RUNS] - runs the split and access suites RUNS times (default 20)
# against the reference mesh and counts FAIL verdicts: on a correct mesh every
# one is a false alarm, so the expected count is 0. Results in build/soak/.
set -u
bin=${1:-build/smi-witness}
runs=${2:-20}
out=build/soak
rm -rf "$out" && mkdir -p "$out"
fails=0 inconclusive=0 assertions=0
suites=(specs/traffic-split.yaml specs/split-three-way.yaml specs/split-ab-header.yaml
	specs/traffic-access.yaml specs/access-sources.yaml specs/access-tcp-ports.yaml)
for i in $(seq 1 "$runs"); do
	"$bin" -j run "${suites[@]}" --mesh reference --out "$out/$i" >"$out/run-$i.json" 2>"$out/run-$i.log"
	rc=$?
	if ! jq -e .summary "$out/run-$i.json" >/dev/null 2>&1; then
		echo "run $i: no report (exit $rc), see $out/run-$i.log"
		fails=$((fails + 1))
		continue
	fi
	read -r n f inc < <(jq -r '.summary | "\(.assertions) \(.fail) \(.inconclusive)"' "$out/run-$i.json")
	assertions=$((assertions + n)) fails=$((fails + f)) inconclusive=$((inconclusive + inc))
	printf 'run %2d: %d assertions, %d FAIL, %d INCONCLUSIVE\n' "$i" "$n" "$f" "$inc"
	jq -r '.assertions[] | select(.verdict != "PASS") | "    \(.verdict) \(.id): \(.reason)"' "$out/run-$i.json"
done
echo "soak: $runs runs, $assertions assertions, $fails FAIL, $inconclusive INCONCLUSIVE"
[ "$fails" -eq 0 ]
