#!/usr/bin/env bash
# verify.sh - `smi-witness verify`, `matrix` and `power` end to end on generated
# observation records (tests/fixtures/verify: plans -> JSONL via gen.awk):
# exact verdicts for conforming, faulty and lossy captures, byte-identical
# replays, gzip input, well-formed XML/HTML/SVG, and input errors (exit 2).
set -u
build=${1:-build}
bin="$build/smi-witness"
fx=tests/fixtures/verify
work=$(mktemp -d "${TMPDIR:-/tmp}/smiw-verify.XXXXXX")
trap 'rm -rf "$work"' EXIT
fails=0
check() { # description, then a command that must succeed
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}
rc_of() { "$@" >/dev/null 2>&1; echo $?; }

"$fx/generate.sh" "$work/fx" || { echo "not ok - fixtures generated"; exit 1; }
# The generator itself is deterministic: a second run gives the same bytes.
"$fx/generate.sh" "$work/fx2" && check "fixture generation is deterministic" \
	cmp "$work/fx/split-faulty.jsonl" "$work/fx2/split-faulty.jsonl"
rm -rf "$work/fx2"

verify() { # NAME SCENARIO [extra args] -> JSON report in $work/NAME.json, exit code in $work/NAME.rc
	local name=$1 sc=$2; shift 2
	"$bin" -j verify -o "$work/fx/$name.jsonl" -i "$work/fx/$name.intent.jsonl" -s "$fx/$sc.yaml" \
		-I "$fx/inventory.json" "$@" >"$work/$name.json" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
}
verdict() { jq -r --arg id "$2" '.assertions[] | select(.id == $id) | .verdict' "$work/$1.json"; }
expect() { # NAME ASSERTION-ID VERDICT
	check "$1: $2 is $3" test "$(verdict "$1" "$2")" = "$3"
}

# --- splits -----------------------------------------------------------------
verify split-good split
S=split-fixture
check "split-good exits 3 (one INCONCLUSIVE, no FAIL)" test "$(cat "$work/split-good.rc")" = 3
check "split-good has 6 assertions" test "$(jq '.assertions | length' "$work/split-good.json")" = 6
expect split-good $S/b-only/t1/split PASS
expect split-good $S/b-only/t1/zero-weight PASS
expect split-good $S/seventy-thirty/t1/split PASS
expect split-good $S/three-way/t1/split PASS
expect split-good $S/seventy-five/t1/split PASS
expect split-good $S/small/t1/split INCONCLUSIVE
check "20 requests at 70/30: INCONCLUSIVE names the 726 requests needed" \
	sh -c "jq -e '.assertions[] | select(.id == \"$S/small/t1/split\") | .evidence.required_n == 726 and (.reason | test(\"726 requests needed\"))' '$work/split-good.json'"
check "1000 requests of 75/25 pass with power >= 0.99" \
	sh -c "jq -e '.assertions[] | select(.id == \"$S/seventy-five/t1/split\") | .evidence.counted == 1000 and .evidence.power >= 0.99' '$work/split-good.json'"
check "three-way split uses the chi-square test" \
	sh -c "jq -e '.assertions[] | select(.id == \"$S/three-way/t1/split\") | .evidence.test == \"chi-square\"' '$work/split-good.json'"
check "mesh proxy exchanges (haproxy) are not counted as backends" \
	sh -c "jq -e '.assertions[] | select(.id == \"$S/b-only/t1/split\") | .evidence.delivered == 200 and .evidence.elsewhere.total == 0' '$work/split-good.json'"

verify split-faulty split
check "split-faulty exits 1" test "$(cat "$work/split-faulty.rc")" = 1
expect split-faulty $S/b-only/t1/split PASS
expect split-faulty $S/b-only/t1/zero-weight FAIL
check "zero-weight FAIL lists the three leaked request ids" \
	test "$(jq -c '[.assertions[] | select(.id == "'$S'/b-only/t1/zero-weight") | .evidence.violations.items[].request_id]' "$work/split-faulty.json")" \
	= '["rsplit.1.1-197","rsplit.1.1-198","rsplit.1.1-199"]'
expect split-faulty $S/seventy-thirty/t1/split FAIL
check "64/36 against 70/30: p < 0.001 in the reason" \
	sh -c "test \"\$(jq -r '.assertions[] | select(.id == \"$S/seventy-thirty/t1/split\") | .evidence.backends[0].observed' '$work/split-faulty.json')\" = 640"
check "64/36 reason quotes the shares" sh -c "jq -r '.assertions[] | select(.id == \"$S/seventy-thirty/t1/split\") | .reason' '$work/split-faulty.json' | grep -q '^64.0% / 36.0% vs expected 70.0% / 30.0%'"
expect split-faulty $S/three-way/t1/split PASS
expect split-faulty $S/seventy-five/t1/split PASS
expect split-faulty $S/small/t1/split INCONCLUSIVE

# --- access -----------------------------------------------------------------
A=access-fixture
verify access-good access
check "access-good exits 0" test "$(cat "$work/access-good.rc")" = 0
for s in default-deny allowed revoked refused; do expect access-good $A/$s/t1/access PASS; done
check "revoked: the client saw 403 x45 and reset x5" \
	test "$(jq -c '.assertions[] | select(.id == "'$A'/revoked/t1/access") | .evidence.client_outcomes' "$work/access-good.json")" \
	= '{"403":45,"reset":5}'
check "refused connects are attributed from conn records" \
	test "$(jq -c '.assertions[] | select(.id == "'$A'/refused/t1/access") | .evidence.client_outcomes' "$work/access-good.json")" \
	= '{"refused":20}'
check "convergence of the allowed step: 8 probes, converged" \
	test "$(jq -c '.scenarios[0].steps[1].convergence | [.checked, .converged, .probes]' "$work/access-good.json")" = '[true,true,8]'

verify access-faulty access
check "access-faulty exits 1" test "$(cat "$work/access-faulty.rc")" = 1
expect access-faulty $A/default-deny/t1/access FAIL
check "the denied request that reached app-b is named: id, pod, path, time" \
	test "$(jq -c '.assertions[] | select(.id == "'$A'/default-deny/t1/access") | .evidence.violations.items[0] | [.request_id, .served_by, .path, .time]' "$work/access-faulty.json")" \
	= '["racc.1.1-7","default/app-b","/echo","2025-11-27T10:35:00.014Z"]'
check "the reason names the request id" sh -c "jq -r '.assertions[0].reason' '$work/access-faulty.json' | grep -q 'racc.1.1-7 at default/app-b'"
expect access-faulty $A/allowed/t1/access FAIL
expect access-faulty $A/revoked/t1/access FAIL
check "a revocation that never took effect says so" \
	sh -c "jq -r '.assertions[2].reason' '$work/access-faulty.json' | grep -q 'not in effect within 30s'"
expect access-faulty $A/refused/t1/access PASS

verify access-loss access
check "access-loss exits 3" test "$(cat "$work/access-loss.rc")" = 3
expect access-loss $A/default-deny/t1/access PASS
expect access-loss $A/allowed/t1/access INCONCLUSIVE
check "kernel drops during a step are named" \
	sh -c "jq -r '.assertions[1].reason' '$work/access-loss.json' | grep -q '2 kernel drops'"
expect access-loss $A/revoked/t1/access PASS
expect access-loss $A/refused/t1/access INCONCLUSIVE
check "a torn last line without an end record is named" \
	sh -c "jq -r '.assertions[3].reason' '$work/access-loss.json' | grep -q 'torn last line'"
check "the capture summary records the torn line" \
	test "$(jq -c '.captures[0] | [.end, .torn_last_line]' "$work/access-loss.json")" = '[false,true]'

# --- determinism, replay formats --------------------------------------------
verify access-faulty access
cp "$work/access-faulty.json" "$work/again.json"
verify access-faulty access
check "same input, byte-identical JSON report" cmp "$work/again.json" "$work/access-faulty.json"
"$bin" verify -o "$work/fx/split-faulty.jsonl" -i "$work/fx/split-faulty.intent.jsonl" -s "$fx/split.yaml" \
	-I "$fx/inventory.json" >"$work/t1.txt" 2>&1
"$bin" verify -o "$work/fx/split-faulty.jsonl" -i "$work/fx/split-faulty.intent.jsonl" -s "$fx/split.yaml" \
	-I "$fx/inventory.json" >"$work/t2.txt" 2>&1
check "same input, byte-identical table" cmp "$work/t1.txt" "$work/t2.txt"
check "no colour codes when stdout is not a terminal" sh -c "! grep -q \$'\\033' '$work/t1.txt'"
"$bin" -j verify -o "$work/fx/split-faulty.jsonl.gz" -i "$work/fx/split-faulty.intent.jsonl" \
	-s "$fx/split.yaml" -I "$fx/inventory.json" >"$work/gz.json" 2>/dev/null
check "gzip input gives the same verdicts and evidence" \
	bash -c "cmp <(jq -S 'del(.captures[0].file)' '$work/gz.json') <(jq -S 'del(.captures[0].file)' '$work/split-faulty.json')"
# Intent records are optional for delivered traffic: the verdicts stay the same.
"$bin" -j verify -o "$work/fx/split-faulty.jsonl" -s "$fx/split.yaml" -I "$fx/inventory.json" >"$work/noint.json" 2>/dev/null
check "without intents the split verdicts are the same" \
	test "$(jq -c '[.assertions[].verdict]' "$work/noint.json")" = "$(jq -c '[.assertions[].verdict]' "$work/split-faulty.json")"

# --- report files, XML well-formedness, matrix ---------------------------------
for n in split-good split-faulty access-good access-faulty; do
	sc=${n%%-*}
	"$bin" verify -o "$work/fx/$n.jsonl" -i "$work/fx/$n.intent.jsonl" -s "$fx/$sc.yaml" \
		-I "$fx/inventory.json" -m "mesh-${n#*-}" --out "$work/out/$n" >/dev/null 2>&1
done
check "--out writes report.json, junit.xml, meshery.json" \
	test -s "$work/out/split-faulty/report.json" -a -s "$work/out/split-faulty/junit.xml" -a -s "$work/out/split-faulty/meshery.json"
check "one SVG chart per split assertion" test "$(ls "$work/out/split-faulty/charts" | wc -l)" = 5
for x in "$work"/out/*/junit.xml "$work"/out/*/charts/*.svg; do
	check "well-formed XML: ${x#$work/}" xmllint --noout "$x"
done
check "JUnit counts: 6 tests, 2 failures, 1 error" \
	sh -c "xmllint --xpath 'concat(/testsuites/@tests, \" \", /testsuites/@failures, \" \", /testsuites/@errors)' '$work/out/split-faulty/junit.xml' | grep -qx '6 2 1'"
check "Meshery result: passpercent 50, casespassed 3, capability HALF" \
	test "$(jq -c '[.passpercent, .casespassed, .cases, .capabilities[0].capability, .details[0].smispec, .details[0].specversion]' "$work/out/split-faulty/meshery.json")" \
	= '[50,3,6,"HALF","traffic-split","v1alpha4"]'
check "Meshery result of a clean run: FULL, passing" \
	test "$(jq -c '[.passpercent, .status, .capabilities[0].capability]' "$work/out/access-good/meshery.json")" = '[100,"passing","FULL"]'
"$bin" matrix "$work"/out/*/report.json --out "$work/out" >/dev/null 2>&1
check "matrix writes Markdown and HTML" test -s "$work/out/matrix.md" -a -s "$work/out/matrix.html"
check "matrix HTML is well-formed XML" xmllint --noout "$work/out/matrix.html"
check "matrix HTML is self-contained (no external references)" \
	sh -c "! grep -Eq '(src|href)=|url\\(|@import' '$work/out/matrix.html'"
check "matrix HTML embeds the split charts" test "$(grep -c '<svg ' "$work/out/matrix.html")" = 10
check "matrix row for the faulty mesh: access HALF (1/4), split HALF (3/6)" \
	grep -qF '| mesh-faulty | HALF (1/4 PASS, FAIL) | HALF (3/6 PASS, FAIL) |' "$work/out/matrix.md"
check "matrix row for the good mesh: access FULL" grep -qF '| mesh-good | FULL (4/4 PASS) |' "$work/out/matrix.md"
"$bin" matrix "$work"/out/*/report.json >"$work/m1.md" 2>/dev/null
"$bin" matrix "$work"/out/*/report.json >"$work/m2.md" 2>/dev/null
check "matrix output is deterministic" cmp "$work/m1.md" "$work/m2.md"
check "a report survives a load/save round trip through matrix -j" \
	sh -c "'$bin' -j matrix '$work/out/access-good/report.json' | jq -e '.meshes[0].cells[0].pass == 4'"

# --- power ------------------------------------------------------------------
check "power 75 25 -> 663" sh -c "'$bin' -j power 75 25 | jq -e '.required_n == 663'"
check "power 1 1 1 -> 588" sh -c "'$bin' -j power 1 1 1 | jq -e '.required_n == 588'"
check "power -n 500 70 30 is below 0.99" sh -c "'$bin' -j power -n 500 70 30 | jq -e '.power < 0.99 and .power > 0.9'"
check "power rejects a zero weight (exit 2)" test "$(rc_of "$bin" power 0 1)" = 2

# --- invalid input: exit 2 with a message naming file, line and field -----------
cat >"$work/bad.yaml" <<'EOF'
version: 1
name: bad
smispec: traffic-split
steps:
  - name: one
    traffic:
      - from: app-a
        to: app-svc
        count: many
        expect: {access: allow}
EOF
out=$("$bin" verify -o "$work/fx/split-good.jsonl" -s "$work/bad.yaml" -I "$fx/inventory.json" 2>&1); rc=$?
check "bad scenario exits 2" test $rc = 2
check "bad scenario error names file, line and field" \
	test "$out" = "error: cannot load '$work/bad.yaml': line 9: steps[0].traffic[0].count: not an integer"
sed 's/count: many/count: 10\n        colour: blue/' "$work/bad.yaml" >"$work/bad2.yaml"
check "unknown field is an error (exit 2)" sh -c "'$bin' verify -o '$work/fx/split-good.jsonl' -s '$work/bad2.yaml' -I '$fx/inventory.json' 2>&1 | grep -q \"line 10: steps\\[0\\].traffic\\[0\\]: unknown field 'colour'\""
sed 's/app-svc/no-such-svc/; s/count: many/count: 10/' "$work/bad.yaml" >"$work/bad3.yaml"
check "a service missing from the inventory is an error (exit 2)" \
	test "$(rc_of "$bin" verify -o "$work/fx/split-good.jsonl" -s "$work/bad3.yaml" -I "$fx/inventory.json")" = 2
cat "$work/fx/split-good.jsonl" "$work/fx/access-good.jsonl" >"$work/two-runs.jsonl"
check "two runs in one file without --run exits 2" \
	test "$(rc_of "$bin" verify -o "$work/two-runs.jsonl" -s "$fx/split.yaml" -I "$fx/inventory.json")" = 2
check "--run picks one of them" \
	test "$(rc_of "$bin" verify -o "$work/two-runs.jsonl" -s "$fx/split.yaml" -I "$fx/inventory.json" --run rsplit)" = 3
printf '{"t":"exchange"}\n' >"$work/nometa.jsonl"
check "a file without a meta record is rejected (exit 2)" \
	test "$(rc_of "$bin" verify -o "$work/nometa.jsonl" -s "$fx/split.yaml" -I "$fx/inventory.json")" = 2
check "JSON mode reports input errors as an object" \
	sh -c "'$bin' -j verify -o '$work/nometa.jsonl' -s '$fx/split.yaml' -I '$fx/inventory.json' | jq -e '.error | test(\"first record must be\")'"

[ $fails -eq 0 ] && echo PASS || echo "FAIL: $fails check(s)"
[ $fails -eq 0 ]
