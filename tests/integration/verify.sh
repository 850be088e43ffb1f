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
	"$bin" -j verify --observations "$work/fx/$name.jsonl" -i "$work/fx/$name.intent.jsonl" -s "$fx/$sc.yaml" \
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
check "split-good has 7 assertions" test "$(jq '.assertions | length' "$work/split-good.json")" = 7
expect split-good $S/b-only/t1/split PASS
check "a 1/0 split is one assertion (no separate zero-weight one)" \
	test "$(jq '[.assertions[] | select(.step == "b-only")] | length' "$work/split-good.json")" = 1
expect split-good $S/two-of-three/t1/split PASS
expect split-good $S/two-of-three/t1/zero-weight PASS
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
expect split-faulty $S/b-only/t1/split FAIL
check "1/0 split FAIL lists the three request ids that reached the weight-0 backend" \
	test "$(jq -c '[.assertions[] | select(.id == "'$S'/b-only/t1/split") | .evidence.zero_weight_violations.items[].request_id]' "$work/split-faulty.json")" \
	= '["rsplit.1.1-197","rsplit.1.1-198","rsplit.1.1-199"]'
expect split-faulty $S/two-of-three/t1/split PASS
expect split-faulty $S/two-of-three/t1/zero-weight FAIL
check "zero-weight FAIL of 50/50/0 lists its two request ids" \
	test "$(jq -c '[.assertions[] | select(.id == "'$S'/two-of-three/t1/zero-weight") | .evidence.violations.items[].request_id]' "$work/split-faulty.json")" \
	= '["rsplit.6.1-998","rsplit.6.1-999"]'
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

# --- metrics: the mesh's numbers from the recorded scrapes -----------------------
# metrics/VARIANT/ hold the two scrapes of step 1 as `run` records them:
# the reference counts what happened, inflate-metrics a fifth more,
# drop-failures-metrics no 4xx or 5xx; "unreachable" has no scrape after.
M=metrics-fixture/mixed
mverify() { # NAME PLAN SCRAPES [extra args]
	local name=$1 plan=$2 scrapes=$3; shift 3
	"$bin" -j verify --observations "$work/fx/$plan.jsonl" -i "$work/fx/$plan.intent.jsonl" -s "$fx/metrics.yaml" \
		-I "$fx/inventory.json" ${scrapes:+--metrics "$fx/metrics/$scrapes"} "$@" >"$work/$name.json" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
}
reason() { jq -r --arg id "$2" '.assertions[] | select(.id == $id) | .reason' "$work/$1.json"; }
mverify m-ref metrics-good reference
check "metrics, reference: exits 0" test "$(cat "$work/m-ref.rc")" = 0
expect m-ref $M/haproxy/metrics PASS
expect m-ref $M/echo/access PASS
check "metrics, reference: entries without expect make no assertion" \
	test "$(jq '.assertions | length' "$work/m-ref.json")" = 2
check "metrics, reference: the reason puts both counts side by side" \
	test "$(reason m-ref $M/haproxy/metrics)" = '* -> default/app-b: success_count 50 = 50, failure_count 10 = 10'
check "metrics, reference: 404s count as successes, 500s as failures; maximum latency in the bracket" \
	test "$(jq -c '.assertions[1].evidence.metrics.edges[0].checks | map([.name, .reported_text, .observed_text, .verdict])' "$work/m-ref.json")" \
	= '[["success_count","50","50","PASS"],["failure_count","10","10","PASS"],["max_latency","1ms (before 0ns)","[400us..900us]","PASS"]]'
check "metrics, reference: the window is the two scrapes, times from the capture's clock" \
	test "$(jq -c '.assertions[1].evidence | [.metrics.window.start_ns, .metrics.window.end_ns, .scrapes.before.time, .scrapes.pod]' "$work/m-ref.json")" \
	= '[999990000000,1000130000000,"2025-11-27T10:34:59.990Z","default/mesh"]'
check "metrics: smispec traffic-metrics, spec version v1alpha1, kind metrics" \
	test "$(jq -c '.assertions[1] | [.smispec, .specversion, .kind, .traffic]' "$work/m-ref.json")" \
	= '["traffic-metrics","v1alpha1","metrics","haproxy"]'
mverify m-inflate metrics-good inflate-metrics
check "metrics, inflate-metrics: exits 1" test "$(cat "$work/m-inflate.rc")" = 1
expect m-inflate $M/haproxy/metrics FAIL
expect m-inflate $M/echo/access PASS
check "metrics, inflate-metrics: reported vs observed in the reason" \
	test "$(reason m-inflate $M/haproxy/metrics)" = '* -> default/app-b: success_count 60 reported, 50 observed, failure_count 12 reported, 10 observed'
mverify m-drop metrics-good drop-failures-metrics
expect m-drop $M/haproxy/metrics FAIL
check "metrics, drop-failures-metrics: reported vs observed in the reason" \
	test "$(reason m-drop $M/haproxy/metrics)" = '* -> default/app-b: success_count 40 reported, 50 observed, failure_count 0 reported, 10 observed'
mverify m-unreach metrics-good unreachable
check "metrics, no scrape after the traffic: exits 3" test "$(cat "$work/m-unreach.rc")" = 3
check "metrics, no scrape after the traffic: INCONCLUSIVE, saying why" \
	test "$(reason m-unreach $M/haproxy/metrics)" = "the mesh's metrics could not be scraped after the traffic: cannot fetch 'http://198.18.1.250:8405/metrics': Connection refused"
mverify m-none metrics-good ""
check "metrics, no scrapes given: INCONCLUSIVE" \
	test "$(reason m-none $M/haproxy/metrics)" = 'no recorded scrapes of the mesh'"'"'s metrics to judge (give --metrics DIR)'
mverify m-nodir metrics-good "" --metrics "$work/nowhere"
check "metrics, a directory without the step's record: INCONCLUSIVE naming the file" \
	test "$(reason m-nodir $M/haproxy/metrics)" = "the mesh's metrics were not recorded for this step: cannot read '$work/nowhere/step-1.json': No such file or directory"
mkdir -p "$work/fx/metrics" && cp "$fx"/metrics/reference/* "$work/fx/metrics/"
mverify m-beside metrics-good ""
check "metrics: the scrapes beside the observations are found without --metrics" \
	test "$(jq -r '.assertions[1].verdict' "$work/m-beside.json")" = PASS
mverify m-loss-ref metrics-loss reference
expect m-loss-ref $M/haproxy/metrics INCONCLUSIVE
check "metrics with kernel drops: equal counts cannot PASS" \
	test "$(reason m-loss-ref $M/haproxy/metrics)" = 'capture incomplete during the step: 2 kernel drops'
mverify m-loss-drop metrics-loss drop-failures-metrics
check "metrics with kernel drops: fewer reported than surely happened is still a FAIL" \
	test "$(jq -r '.assertions[1] | .verdict + " " + .reason' "$work/m-loss-drop.json")" \
	= 'FAIL * -> default/app-b: success_count 40 reported, 50 observed, failure_count 0 reported, 10 observed; the capture also lost data: 2 kernel drops'
mverify m-inflate2 metrics-good inflate-metrics
check "metrics: same input, byte-identical report" cmp "$work/m-inflate.json" "$work/m-inflate2.json"
"$bin" verify --observations "$work/fx/metrics-good.jsonl" -i "$work/fx/metrics-good.intent.jsonl" -s "$fx/metrics.yaml" \
	-I "$fx/inventory.json" --metrics "$fx/metrics/inflate-metrics" -m inflate-metrics --out "$work/mout" >/dev/null 2>&1
check "metrics: JUnit has the metrics assertion as a failure" \
	sh -c "xmllint --xpath 'count(//testcase[@classname=\"inflate-metrics.metrics-fixture.mixed\"][@name=\"haproxy/metrics\"]/failure)' '$work/mout/junit.xml' | grep -qx 1"
check "metrics: Meshery result: traffic-metrics of SMI v0.6.0, its one step FAILED" \
	test "$(jq -c '[.details[0] | .smispec, .specversion, .assertion, .capability, .status]' "$work/mout/meshery.json")" \
	= '["traffic-metrics","v0.6.0/v1alpha1","1","NONE","FAILED"]'

# --- expectations derived from the applied SMI objects -------------------------
for p in split-good:split split-faulty:split access-good:access access-faulty:access access-loss:access; do
	n=${p%%:*} sc=${p#*:}
	"$bin" -j verify --observations "$work/fx/$n.jsonl" -i "$work/fx/$n.intent.jsonl" -s "$fx/$sc-derived.yaml" \
		-I "$fx/inventory.json" >"$work/$n-derived.json" 2>/dev/null
	check "$n: derived expectations give the same verdicts and reasons as explicit ones" \
		test "$(jq -c '[.assertions[] | [.id, .verdict, .reason]]' "$work/$n-derived.json")" \
		= "$(jq -c '[.assertions[] | [.id, .verdict, .reason]]' "$work/$n.json")"
done
check "derived access: no TrafficTarget yet -> deny-no-target; after apply -> allow by the target" \
	test "$(jq -c '[.assertions[0,1].evidence.expectation | .decision, .traffic_target]' "$work/access-good-derived.json")" \
	= '["deny-no-target",null,"allow","default/service-targets"]'
check "derived split: the TrafficSplit applied last wins (75/25 replaces 70/30)" \
	test "$(jq -c '.assertions[] | select(.step == "seventy-five") | .evidence.expectation | [.split, .shares]' "$work/split-good-derived.json")" \
	= '["default/server-split",{"app-b":0.75,"app-c":0.25}]'

# --- a backend's exchange that "ends" after the client's (late-end/) ----------------
# An excerpt of a real capture (syscall backend, loaded machine, a mesh that
# rewrites X-Request-Id): three requests held by the proxy at once, and app-b's
# exchange of the first "ends" 10 us after app-a read the answer, its sender
# preempted inside its last send. Each request was served once; with the syscall
# backend's stamps that exchange is placed by its start, not its end, which gives
# each one its own.
le=$fx/late-end
"$bin" -j verify --observations "$le/observations.jsonl" -i "$le/intent.jsonl" -I "$le/inventory.json" \
	-s specs/traffic-split.yaml --run r3f9e6ac4 >"$work/late-end.json" 2>/dev/null
check "late end: 3 requests delivered, none undelivered, no copies, not FAIL" \
	test "$(jq -c '.assertions[] | select(.step == "b75-c25-keep-alive") | [.verdict, .evidence.delivered,
		.evidence.undelivered.total, .evidence.copies.total, .evidence.request_ids.rewritten]' "$work/late-end.json")" \
	= '["INCONCLUSIVE",3,0,0,3]'
# The same records said to come from the cgroup backend, whose send stamps come before
# the bytes arrive: there an end after the client's is no lag, and the exchange is not
# the first request's (a mesh could pass off a copy as a delivery): it stays undelivered.
sed '1s/"capture_backend":"syscalls"/"capture_backend":"cgroup"/' "$le/observations.jsonl" >"$work/late-end-cg.jsonl"
"$bin" -j verify --observations "$work/late-end-cg.jsonl" -i "$le/intent.jsonl" -I "$le/inventory.json" \
	-s specs/traffic-split.yaml --run r3f9e6ac4 >"$work/late-end-cg.json" 2>/dev/null
check "late end, cgroup backend's stamps: held against the flight's end, 1 undelivered, FAIL" \
	test "$(jq -c '.assertions[] | select(.step == "b75-c25-keep-alive") | [.verdict, .evidence.delivered,
		.evidence.undelivered.total]' "$work/late-end-cg.json")" = '["FAIL",2,1]'

# A mesh stripping every id while it holds eight requests at once: each backend exchange is
# followed to the entry only and placed by its flight, one copy per request.
verify split-stripped split-stripped
check "ids stripped, 8 in flight: PASS, 4000 delivered, none undelivered, no copies, 4000 followed" \
	test "$(jq -c '.assertions[0] | [.verdict, .evidence.delivered, .evidence.undelivered.total,
		.evidence.copies.total, .evidence.request_ids.followed, .evidence.request_ids.removed]' \
		"$work/split-stripped.json")" = '["PASS",4000,0,0,4000,4000]'

# --- determinism, replay formats --------------------------------------------
verify access-faulty access
cp "$work/access-faulty.json" "$work/again.json"
verify access-faulty access
check "same input, byte-identical JSON report" cmp "$work/again.json" "$work/access-faulty.json"
"$bin" verify --observations "$work/fx/split-faulty.jsonl" -i "$work/fx/split-faulty.intent.jsonl" -s "$fx/split.yaml" \
	-I "$fx/inventory.json" >"$work/t1.txt" 2>&1
"$bin" verify --observations "$work/fx/split-faulty.jsonl" -i "$work/fx/split-faulty.intent.jsonl" -s "$fx/split.yaml" \
	-I "$fx/inventory.json" >"$work/t2.txt" 2>&1
check "same input, byte-identical table" cmp "$work/t1.txt" "$work/t2.txt"
check "no colour codes when stdout is not a terminal" sh -c "! grep -q \$'\\033' '$work/t1.txt'"
"$bin" -j verify --observations "$work/fx/split-faulty.jsonl.gz" -i "$work/fx/split-faulty.intent.jsonl" \
	-s "$fx/split.yaml" -I "$fx/inventory.json" >"$work/gz.json" 2>/dev/null
check "gzip input gives the same verdicts and evidence" \
	bash -c "cmp <(jq -S 'del(.captures[0].file)' '$work/gz.json') <(jq -S 'del(.captures[0].file)' '$work/split-faulty.json')"
# Intent records are optional for delivered traffic: the verdicts stay the same.
"$bin" -j verify --observations "$work/fx/split-faulty.jsonl" -s "$fx/split.yaml" -I "$fx/inventory.json" >"$work/noint.json" 2>/dev/null
check "without intents the split verdicts are the same" \
	test "$(jq -c '[.assertions[].verdict]' "$work/noint.json")" = "$(jq -c '[.assertions[].verdict]' "$work/split-faulty.json")"

# --- report files, XML well-formedness, matrix ---------------------------------
for n in split-good split-faulty access-good access-faulty; do
	sc=${n%%-*}
	"$bin" verify --observations "$work/fx/$n.jsonl" -i "$work/fx/$n.intent.jsonl" -s "$fx/$sc.yaml" \
		-I "$fx/inventory.json" -m "mesh-${n#*-}" --out "$work/out/$n" >/dev/null 2>&1
done
check "--out writes report.json, junit.xml, meshery.json" \
	test -s "$work/out/split-faulty/report.json" -a -s "$work/out/split-faulty/junit.xml" -a -s "$work/out/split-faulty/meshery.json"
check "one SVG chart per split assertion" test "$(ls "$work/out/split-faulty/charts" | wc -l)" = 6
for x in "$work"/out/*/junit.xml "$work"/out/*/charts/*.svg; do
	check "well-formed XML: ${x#$work/}" xmllint --noout "$x"
done
check "JUnit counts: 7 tests, 3 failures, 1 error" \
	sh -c "xmllint --xpath 'concat(/testsuites/@tests, \" \", /testsuites/@failures, \" \", /testsuites/@errors)' '$work/out/split-faulty/junit.xml' | grep -qx '7 3 1'"
# Meshery counts steps: 2 of the 6 (three-way, seventy-five) had every assertion pass.
check "Meshery result: 2 of 6 steps, 33.33%, NONE by Meshery's rule (fewer than half), FAILED" \
	test "$(jq -c '[.passpercent, .casespassed, (.details[0] | .assertion, .capability, .status, .smispec, .specversion)]' "$work/out/split-faulty/meshery.json")" \
	= '["33.33","2","6","NONE","FAILED","traffic-split","v0.6.0/v1alpha4"]'
check "Meshery result of a clean run: FULL, PASSED" \
	test "$(jq -c '[.passpercent, .details[0].status, .details[0].capability, .details[0].result.message]' "$work/out/access-good/meshery.json")" \
	= '["100.00","PASSED","FULL","all 4 step(s) passed"]'
"$bin" matrix "$work"/out/*/report.json --out "$work/out" >/dev/null 2>&1
check "matrix writes Markdown and HTML" test -s "$work/out/matrix.md" -a -s "$work/out/matrix.html"
check "matrix HTML is well-formed XML" xmllint --noout "$work/out/matrix.html"
check "matrix HTML is self-contained (links only within the page)" \
	sh -c "! grep -Eq '(src|href)=\"[^#]|url\\(|@import' '$work/out/matrix.html'"
check "matrix HTML embeds the split charts" test "$(grep -c '<svg ' "$work/out/matrix.html")" = 12
check "matrix row for the faulty mesh: access HALF (1/4), split HALF (3/7), what did not pass first" \
	grep -qxF '| mesh-faulty | — | — | HALF (3 FAIL, 1/4 PASS) | HALF (3 FAIL, 1 INCONCLUSIVE, 3/7 PASS) |' \
	"$work/out/matrix.md"
check "matrix row for the good mesh: access FULL" \
	grep -qxF '| mesh-good | — | — | FULL (4/4 PASS) | HALF (1 INCONCLUSIVE, 6/7 PASS) |' "$work/out/matrix.md"
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
out=$("$bin" verify --observations "$work/fx/split-good.jsonl" -s "$work/bad.yaml" -I "$fx/inventory.json" 2>&1); rc=$?
check "bad scenario exits 2" test $rc = 2
check "bad scenario error names file, line and field" \
	test "$out" = "error: cannot load '$work/bad.yaml': line 9: steps[0].traffic[0].count: not an integer"
sed 's/count: many/count: 10\n        colour: blue/' "$work/bad.yaml" >"$work/bad2.yaml"
check "unknown field is an error (exit 2)" sh -c "'$bin' verify --observations '$work/fx/split-good.jsonl' -s '$work/bad2.yaml' -I '$fx/inventory.json' 2>&1 | grep -q \"line 10: steps\\[0\\].traffic\\[0\\]: unknown field 'colour'\""
sed 's/app-svc/no-such-svc/; s/count: many/count: 10/' "$work/bad.yaml" >"$work/bad3.yaml"
check "a service missing from the inventory is an error (exit 2)" \
	test "$(rc_of "$bin" verify --observations "$work/fx/split-good.jsonl" -s "$work/bad3.yaml" -I "$fx/inventory.json")" = 2
cat "$work/fx/split-good.jsonl" "$work/fx/access-good.jsonl" >"$work/two-runs.jsonl"
check "two runs in one file without --run exits 2" \
	test "$(rc_of "$bin" verify --observations "$work/two-runs.jsonl" -s "$fx/split.yaml" -I "$fx/inventory.json")" = 2
check "--run picks one of them" \
	test "$(rc_of "$bin" verify --observations "$work/two-runs.jsonl" -s "$fx/split.yaml" -I "$fx/inventory.json" --run rsplit)" = 3
printf '{"t":"exchange"}\n' >"$work/nometa.jsonl"
check "a file without a meta record is rejected (exit 2)" \
	test "$(rc_of "$bin" verify --observations "$work/nometa.jsonl" -s "$fx/split.yaml" -I "$fx/inventory.json")" = 2
check "JSON mode reports input errors as an object" \
	sh -c "'$bin' -j verify --observations '$work/nometa.jsonl' -s '$fx/split.yaml' -I '$fx/inventory.json' | jq -e '.error | test(\"first record must be\")'"

[ $fails -eq 0 ] && echo PASS || echo "FAIL: $fails check(s)"
[ $fails -eq 0 ]
