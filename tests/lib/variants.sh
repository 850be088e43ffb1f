# variants.sh - what each mesh variant of the lab must do to the shipped suites
# (source it): the suites it is run against and the exact assertions it FAILs;
# every other assertion of those suites must PASS. docs/lab.md explains each.
#
# A variant is run against the suites where its HAProxy configuration differs
# from the reference's; in the others it renders the reference byte for byte.

ACCESS_SUITES="traffic-access access-sources access-tcp-ports access-route-combined traffic-specs"
SPLIT_SUITES="traffic-split split-three-way split-ab-header"
ALL_SUITES="$ACCESS_SUITES $SPLIT_SUITES traffic-metrics"

# The order the lab test and the soak take them in.
VARIANTS="reference strip-id regenerate-id mirror-to-zero-weight per-connection-split retry-with-flaky-backend
	bogus-restart allow-other-methods loose-match faulty-weights fail-open ignore-path ignore-method
	ignore-headers inflate-metrics drop-failures-metrics"

# Every entry a policy in force denies (the access suites with access control on).
DENY_ALL="access-route-combined/combined/wrong-method/access
access-route-combined/combined/wrong-path/access
access-route-combined/combined/wrong-header/access
access-route-combined/combined/no-header/access
access-route-combined/combined/header-case/access
access-route-combined/combined/path-not-at-start/access
access-sources/a-and-c/from-d/access
access-sources/a-and-c/from-d-post/access
access-sources/a-and-c/from-d-metrics/access
access-sources/c-revoked/from-c/access
access-sources/c-revoked/from-c-post/access
access-sources/c-revoked/from-c-metrics/access
access-tcp-ports/port-8080/a-to-b/access
access-tcp-ports/port-8080/a-to-b-post/access
access-tcp-ports/port-8080/a-to-b-metrics/access
traffic-access/default-deny/a-to-b/access
traffic-access/default-deny/a-to-b-post/access
traffic-access/default-deny/a-to-b-metrics/access
traffic-access/default-deny/a-to-c/access
traffic-access/default-deny/a-to-c-post/access
traffic-access/default-deny/a-to-c-metrics/access
traffic-access/allow-a-to-b/a-to-c/access
traffic-access/allow-a-to-b/a-to-c-post/access
traffic-access/allow-a-to-b/a-to-c-metrics/access
traffic-access/allow-a-to-b/c-to-b/access
traffic-access/allow-a-to-b/c-to-b-post/access
traffic-access/allow-a-to-b/c-to-b-metrics/access
traffic-access/revoked/a-to-b/access
traffic-access/revoked/a-to-b-post/access
traffic-access/revoked/a-to-b-metrics/access
traffic-specs/metrics-only/get-echo/access
traffic-specs/get-only/post-echo/access
traffic-specs/get-only/delete-echo/access"

# Both metrics assertions: the mesh's own counts against the kernel's.
METRICS_ALL="traffic-metrics/mixed/haproxy/metrics
traffic-metrics/split/haproxy/metrics"

# variant_suites VARIANT: the suites (names in specs/) it is run against.
variant_suites() {
	case $1 in
	reference | regenerate-id | retry-with-flaky-backend) echo "$ALL_SUITES" ;;
	strip-id | fail-open | allow-other-methods) echo "$ACCESS_SUITES" ;;
	mirror-to-zero-weight) echo "$SPLIT_SUITES" ;;
	per-connection-split | faulty-weights) echo "$SPLIT_SUITES traffic-metrics" ;;
	loose-match) echo "traffic-specs access-route-combined split-ab-header" ;;
	ignore-path | ignore-method) echo "traffic-specs access-route-combined" ;;
	ignore-headers) echo "access-route-combined split-ab-header" ;;
	bogus-restart | inflate-metrics | drop-failures-metrics) echo "traffic-metrics" ;;
	*) return 1 ;;
	esac
}

# variant_fails VARIANT: the assertion ids it must FAIL, one per line, sorted.
variant_fails() {
	case $1 in
	reference) ;;
	strip-id | regenerate-id | fail-open) echo "$DENY_ALL" ;;
	mirror-to-zero-weight) printf '%s\n' traffic-split/b-only/t1/split traffic-split/c-only/t1/split \
		split-ab-header/ab/canary/split split-ab-header/ab/regular/split split-ab-header/ab/other-value/split \
		split-three-way/two-of-three/t1/zero-weight ;;
	per-connection-split) echo traffic-split/b75-c25-keep-alive/t1/split ;;
	retry-with-flaky-backend) printf '%s\n' traffic-split/b75-c25/t1/split traffic-split/b75-c25-keep-alive/t1/split \
		traffic-split/b25-c75/t1/split split-three-way/even/t1/split split-three-way/uneven/t1/split \
		split-three-way/two-of-three/t1/split ;;
	bogus-restart | inflate-metrics | drop-failures-metrics) echo "$METRICS_ALL" ;;
	allow-other-methods) printf '%s\n' traffic-access/default-deny/a-to-b-post/access \
		traffic-access/default-deny/a-to-c-post/access traffic-access/allow-a-to-b/a-to-c-post/access \
		traffic-access/allow-a-to-b/c-to-b-post/access traffic-access/revoked/a-to-b-post/access \
		access-sources/a-and-c/from-d-post/access access-sources/c-revoked/from-c-post/access \
		access-tcp-ports/port-8080/a-to-b-post/access ;;
	loose-match) printf '%s\n' access-route-combined/combined/header-case/access \
		access-route-combined/combined/path-not-at-start/access ;;
	faulty-weights) printf '%s\n' traffic-split/b-only/t1/split traffic-split/c-only/t1/split \
		traffic-split/b75-c25/t1/split traffic-split/b75-c25-keep-alive/t1/split traffic-split/b25-c75/t1/split \
		split-three-way/uneven/t1/split split-three-way/two-of-three/t1/zero-weight \
		split-ab-header/ab/canary/split split-ab-header/ab/regular/split split-ab-header/ab/other-value/split ;;
	ignore-path) printf '%s\n' traffic-specs/metrics-only/get-echo/access \
		access-route-combined/combined/wrong-path/access access-route-combined/combined/path-not-at-start/access ;;
	ignore-method) printf '%s\n' traffic-specs/get-only/post-echo/access traffic-specs/get-only/delete-echo/access \
		access-route-combined/combined/wrong-method/access ;;
	ignore-headers) printf '%s\n' access-route-combined/combined/wrong-header/access \
		access-route-combined/combined/no-header/access access-route-combined/combined/header-case/access \
		split-ab-header/ab/regular/split split-ab-header/ab/other-value/split ;;
	*) return 1 ;;
	esac | sort
}

# variant_inconclusive VARIANT: the assertion ids the verifier cannot decide
# against it (INCONCLUSIVE by its rules, every run), one per line, sorted.
# regenerate-id on the keep-alive split: the proxy holds requests of three
# connections at once and their new ids do not tell them apart, so which
# connection each backend served is not known (docs/verdicts.md).
variant_inconclusive() {
	case $1 in
	regenerate-id) echo traffic-split/b75-c25-keep-alive/t1/split ;;
	esac
}

# The variants `make test` checks (lab_variants.sh without SMIW_VARIANTS_SCOPE=full):
# the cheats on the verifier's accounting, each on its focus steps only.
FOCUS_VARIANTS="strip-id regenerate-id mirror-to-zero-weight per-connection-split retry-with-flaky-backend
	bogus-restart allow-other-methods loose-match"

# variant_focus VARIANT: "SUITE STEP[,STEP...] ASSERTIONS" lines: the shipped
# steps where the variant must FAIL (and, beside its FAILs, PASS what the
# step holds more), run alone (tests/lib/slice_suite.py keeps the policy the
# suite has in force there), and how many assertions those steps make. The
# expected verdicts are those of the full run (variant_fails,
# variant_inconclusive) within these steps. `make soak` runs the whole suites.
variant_focus() {
	case $1 in
	# Denied entries FAIL, the allowed one PASSes with its requests followed.
	strip-id) echo "traffic-access allow-a-to-b 7" ;;
	# The same, and the keep-alive split it cannot judge (INCONCLUSIVE every run).
	regenerate-id) printf '%s\n' "traffic-access allow-a-to-b 7" "traffic-split b75-c25-keep-alive 1" ;;
	# A split FAIL at 1/0; at 50/50/0 the split PASSes on the answering backends, the weight-0 assertion FAILs.
	mirror-to-zero-weight) printf '%s\n' "traffic-split b-only 1" "split-three-way two-of-three 2" ;;
	per-connection-split) echo "traffic-split b75-c25-keep-alive 1" ;;
	retry-with-flaky-backend) echo "traffic-split b75-c25 1" ;;
	bogus-restart) echo "traffic-metrics mixed 2" ;;
	# The POST entries FAIL; GET /echo and GET /metrics of the same sources PASS.
	allow-other-methods) echo "traffic-access default-deny 6" ;;
	loose-match) echo "access-route-combined combined 7" ;;
	*) return 1 ;;
	esac
}

# suite_assertions SUITE: how many assertions it makes (all PASS against the reference).
suite_assertions() {
	case $1 in
	traffic-access) echo 16 ;;
	access-sources) echo 9 ;;
	access-tcp-ports) echo 4 ;;
	access-route-combined) echo 7 ;;
	traffic-specs) echo 5 ;;
	traffic-split) echo 6 ;;
	split-three-way) echo 4 ;;
	split-ab-header) echo 3 ;;
	traffic-metrics) echo 3 ;;
	*) return 1 ;;
	esac
}
