#!/usr/bin/env bash
# lab_variants.sh [BUILD] [RUNS] [VARIANT...] - mesh variants of the lab
# (docs/lab.md) under `smi-witness run` with the shipped suites
# (tests/lib/variants.sh): each faulty variant FAILs exactly the assertions
# of the behaviour it breaks, is INCONCLUSIVE exactly where the verifier
# cannot know, and passes every other one; the reference passes everything.
#  - By default (`make test`): the variants that cheat on the verifier's
#    accounting (FOCUS_VARIANTS), each on its focus steps only: the shipped
#    steps where it must FAIL, cut out of their suites with the policy the
#    suite has in force there (tests/lib/slice_suite.py); each report is
#    also checked against docs/report-schema.md (the cheats' evidence).
#  - With SMIW_VARIANTS_SCOPE=full (`make soak`): every variant, the
#    reference first, with every suite it can affect, whole.
# RUNS (default 1) repeats each variant; the soak runs 20. Runs in a lab of
# its own: $SMIW_LAB, or lv<pid>. With $SMIW_VARIANT_OUT set, the records of
# every run that is not exact are kept there; otherwise nothing is kept.
# The capture is the syscalls backend unless $SMIW_TEST_CAPTURE says
# otherwise: the variants that forward denied requests make the pods answer
# GET /metrics with tens of KiB (learn-layer5's metrics list every request
# since start), and on such connections the cgroup backend has reported
# stream gaps (connections it reports twice, the second time with its open
# lost), which rightly make the step's PASSes INCONCLUSIVE. This test is
# about the verifier's verdicts; suites_backends compares the backends.
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
[ -n "${SMIW_TEST_CAPTURE:-}" ] || capture=syscalls
scope=${SMIW_VARIANTS_SCOPE:-focus}
case $scope in
focus) python3 -c 'import yaml' 2>/dev/null || { echo "skip: python3-yaml is not installed"; exit 77; } ;;
full) ;;
*) echo "not ok - SMIW_VARIANTS_SCOPE: '$scope' is neither focus nor full"; exit 1 ;;
esac

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
if [ ${#variants[@]} -eq 0 ] && [ "$scope" = full ]; then
	read -r -a variants <<<"$(echo $VARIANTS)"
elif [ ${#variants[@]} -eq 0 ]; then
	read -r -a variants <<<"$(echo $FOCUS_VARIANTS)"
fi
# The focus steps are cut from a copy of specs/, beside its manifests.
mkdir -p "$W/specs" && cp -r specs/. "$W/specs/"

# plan VARIANT: sets files (the scenario files to run), total (their
# assertions) and want (the sorted "VERDICT id" lines of what must not PASS);
# returns 1 for an unknown variant or a step the suite lacks.
plan() {
	local v=$1 suites s steps n prefixes=() line
	files=() total=0
	if [ "$scope" = full ]; then
		suites=$(variant_suites "$v") || return 1
		for s in $suites; do
			files+=("specs/$s.yaml")
			total=$((total + $(suite_assertions "$s")))
		done
		want=$({ variant_fails "$v" | sed 's/^/FAIL /'; variant_inconclusive "$v" | sed 's/^/INCONCLUSIVE /'; } |
			grep . | sort)
		return 0
	fi
	variant_focus "$v" >"$W/focus" || return 1
	while read -r s steps n; do
		tests/lib/slice_suite.py "specs/$s.yaml" "$W/specs/$v-$s.yaml" ${steps//,/ } || return 1
		files+=("$W/specs/$v-$s.yaml")
		total=$((total + n))
		for line in ${steps//,/ }; do prefixes+=("$s/$line/"); done
	done <"$W/focus"
	want=$({ variant_fails "$v" | sed 's/^/FAIL /'; variant_inconclusive "$v" | sed 's/^/INCONCLUSIVE /'; } |
		grep -F "$(printf ' %s\n' "${prefixes[@]}")" | sort)
}

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
	plan "$v" || { echo "not ok - no $scope plan for variant '$v'"; fails=$((fails + 1)); continue; }
	nwant=$(grep -c '^FAIL ' <<<"$want")
	ninc=$(grep -c '^INCONCLUSIVE ' <<<"$want")
	if [ "$scope" = focus ] && [ "$nwant" = 0 ]; then
		echo "not ok - $v: its focus steps hold none of the assertions it must FAIL"
		fails=$((fails + 1))
		continue
	fi
	exact[$v]=0
	for i in $(seq 1 "$runs"); do
		out="$W/$v-$i"
		t0=$SECONDS
		"$bin" -j run "${files[@]}" --mesh "$v" --lab "$lab" --capture "$capture" \
			--keep-lab --out "$out" >"$out.json" 2>"$out.err"
		rc=$?
		took=$((SECONDS - t0))
		got=$(verdicts "$out.json" 2>/dev/null)
		# The cheats fill evidence no reference run has (copies, request_ids, dependence): documented too.
		[ "$scope" = full ] || check "$v run $i: its report holds only fields docs/report-schema.md documents" \
			python3 tests/formats/schema_check.py docs/report-schema.md "$out.json"
		n=$(jq '.assertions | length' "$out.json" 2>/dev/null)
		bad=
		if [ "$got" = "$want" ] && [ "${n:-0}" = "$total" ] && [ $rc = $((nwant ? 1 : ninc ? 3 : 0)) ] &&
			bad=$(evidence_named "$v" "$out.json"); then
			exact[$v]=$((exact[$v] + 1))
			echo "ok - $v run $i: FAIL exactly its $nwant assertion(s)$([ "$ninc" = 0 ] ||
				echo ", INCONCLUSIVE exactly its $ninc"), PASS the other $((total - nwant - ninc)) (exit $rc; ${took}s)"
			rm -rf "$out" "$out.json" "$out.err"
			continue
		fi
		fails=$((fails + 1))
		if [ "$got" = "$want" ] && [ -n "${bad:-}" ]; then
			echo "not ok - $v run $i: a FAIL does not name the request id or connection, pod and time:"
			echo "$bad"
		else
		echo "not ok - $v run $i (${took}s): exit $rc, ${n:-no} assertions (want $total), not-PASS verdicts differ from the expected FAILs:"
		diff <(echo "$want") <(echo "$got") | grep '^[<>]' | sed 's/^</    missing:/; s/^>/    unexpected:/'
		jq -r '.assertions[] | select(.verdict != "PASS") | "    \(.verdict) \(.id): \(.reason)"' "$out.json" 2>/dev/null |
			head -40
		# A run that could not judge anything says why on stderr, and the lab's logs tell more.
		if [ "${n:-0}" = 0 ]; then
			tail -5 "$out.err" | sed 's/^/    /'
			grep -rhi -m3 'error\|cannot\|did not' "$out" 2>/dev/null | tail -6 | sed 's/^/    /'
			sd=$("$bin" lab status --lab "$lab" -j 2>/dev/null | jq -r '.state_dir // empty')
			for f in ${sd:+"$sd/logs/haproxy.log" "$sd/logs/metrics-filter.log"}; do
				[ -s "$f" ] && { echo "    -- $f"; tail -8 "$f" | sed 's/^/    /'; }
			done
		fi
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
