#!/usr/bin/env bash
# lab_variants.sh [BUILD] [RUNS] [VARIANT...] - every mesh variant of the lab
# (docs/lab.md) under `smi-witness run` with the shipped suites it can affect
# (tests/lib/variants.sh): the reference passes every assertion, and each
# faulty variant FAILs exactly the assertions of the behaviour it breaks and
# passes every other one. RUNS (default 1) repeats each variant; the soak
# runs 20. Runs in a lab of its own: $SMIW_LAB, or lv<pid>. With
# $SMIW_VARIANT_OUT set, the records of every run that is not exact are
# kept there; otherwise nothing is kept.
set -u
build=$(realpath "${1:-build}")
runs=${2:-1}
shift $(($# < 2 ? $# : 2))
bin=$build/smi-witness
. tests/lib/itest.sh
. tests/lib/variants.sh
[ "$(id -u)" = 0 ] || { echo "skip: the lab and the capture need root"; exit 77; }
command -v haproxy >/dev/null || { echo "skip: haproxy is not installed"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq is not installed"; exit 77; }

lab=${SMIW_LAB:-lv$$}
lab=${lab:0:12}
keep=${SMIW_VARIANT_OUT:-}
W=$(mktemp -d /tmp/smiw-lab-variants-XXXXXX)
cleanup() {
	"$bin" lab down --lab "$lab" >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT
variants=("$@")
[ ${#variants[@]} -gt 0 ] || read -r -a variants <<<"$(echo $VARIANTS)"

# verdicts REPORT: "VERDICT id" of every assertion that did not PASS, sorted.
verdicts() { jq -r '.assertions[] | select(.verdict != "PASS") | .verdict + " " + .id' "$1" | sort; }

# evidence_named VARIANT REPORT: for the cheats that hide where requests went
# (ids removed, copies to a weight-0 backend), every FAIL must name a request
# id or connection, the pod and the time; prints the reasons that do not.
T='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z'
evidence_named() {
	local re
	case $1 in
	strip-id) re="(first: r[^ ]+ at default/app-[a-z]+ /[^ ]* $T, followed: conn [^ ]+, peer [0-9.]+:[0-9]+\\)|first: default/app-[a-z]+ server [A-Z]+ [^ ]+ at $T, conn [^ ]+, peer [0-9.]+:[0-9]+\\)).*X-Request-Id" ;;
	mirror-to-zero-weight) re="\\(weight 0\\) served [0-9]+ of [0-9]+ delivered requests \\(first: r[^ )]+\\) \\([0-9]+ of them as copies beside the backend that answered; first copy: r[^ ]+ at default/app-[a-z]+ $T\\)" ;;
	*) return 0 ;;
	esac
	jq -r --arg re "$re" '.assertions[] | select(.verdict == "FAIL" and (.reason | test($re) | not)) |
		"    \(.id): \(.reason)"' "$2" | grep . && return 1
	return 0
}

declare -A exact
for v in "${variants[@]}"; do
	suites=$(variant_suites "$v") || { echo "not ok - unknown variant '$v'"; fails=$((fails + 1)); continue; }
	files=() total=0
	for s in $suites; do
		files+=("specs/$s.yaml")
		total=$((total + $(suite_assertions "$s")))
	done
	want=$({ variant_fails "$v" | sed 's/^/FAIL /'; variant_inconclusive "$v" | sed 's/^/INCONCLUSIVE /'; } |
		grep . | sort)
	nwant=$(variant_fails "$v" | grep -c .)
	ninc=$(variant_inconclusive "$v" | grep -c .)
	exact[$v]=0
	for i in $(seq 1 "$runs"); do
		out="$W/$v-$i"
		"$bin" -j run "${files[@]}" --mesh "$v" --lab "$lab" \
			--keep-lab --out "$out" >"$out.json" 2>"$out.err"
		rc=$?
		got=$(verdicts "$out.json" 2>/dev/null)
		n=$(jq '.assertions | length' "$out.json" 2>/dev/null)
		bad=
		if [ "$got" = "$want" ] && [ "${n:-0}" = "$total" ] && [ $rc = $((nwant ? 1 : ninc ? 3 : 0)) ] &&
			bad=$(evidence_named "$v" "$out.json"); then
			exact[$v]=$((exact[$v] + 1))
			echo "ok - $v run $i: FAIL exactly its $nwant assertion(s)$([ "$ninc" = 0 ] ||
				echo ", INCONCLUSIVE exactly its $ninc"), PASS the other $((total - nwant - ninc)) (exit $rc)"
			rm -rf "$out" "$out.json" "$out.err"
			continue
		fi
		fails=$((fails + 1))
		if [ "$got" = "$want" ] && [ -n "${bad:-}" ]; then
			echo "not ok - $v run $i: a FAIL does not name the request id or connection, pod and time:"
			echo "$bad"
		else
		echo "not ok - $v run $i: exit $rc, ${n:-no} assertions (want $total), not-PASS verdicts differ from the expected FAILs:"
		diff <(echo "$want") <(echo "$got") | grep '^[<>]' | sed 's/^</    missing:/; s/^>/    unexpected:/'
		jq -r '.assertions[] | select(.verdict != "PASS") | "    \(.verdict) \(.id): \(.reason)"' "$out.json" 2>/dev/null |
			head -40
		[ -s "$out.json" ] || tail -5 "$out.err" | sed 's/^/    /'
		fi
		if [ -n "$keep" ]; then
			mkdir -p "$keep" && mv "$out" "$out.json" "$out.err" "$keep/" 2>/dev/null
		fi
	done
done
echo "summary (runs that FAILed exactly the expected assertions and PASSed the rest):"
for v in "${variants[@]}"; do
	[ -n "${exact[$v]+x}" ] && printf '  %-26s %d of %d\n' "$v" "${exact[$v]}" "$runs"
done
itest_done
