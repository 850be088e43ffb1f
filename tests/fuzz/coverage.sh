#!/usr/bin/env bash
# tests/fuzz/coverage.sh - how much of its own code each fuzz target reaches.
#
#   tests/fuzz/coverage.sh [--build DIR] [--corpus DIR] [TARGET...]
#
# Builds the library and the targets with clang's source-based coverage into
# DIR/cov (default build/cov), runs each target once over its committed
# corpus and seed files (or over DIR/fuzz-corpus/TARGET with --corpus, e.g.
# after `make fuzz`), and prints the line and branch coverage of the files
# the target is meant to exercise. Nothing is written to the source tree.
set -eu
build=build
corpus_root=
targets=()
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--corpus) corpus_root=$2; shift 2 ;;
	-h|--help) sed -n '2,11p' "$0"; exit 0 ;;
	*) targets+=("$1"); shift ;;
	esac
done
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_assemble fuzz_reasm fuzz_h2 fuzz_smi_load fuzz_prom fuzz_scenario fuzz_records)

# The code each target is for (the rest of what it reaches is incidental).
declare -A files=(
	[fuzz_assemble]="userspace/capture/assemble.c userspace/http/head.c userspace/http/body.c"
	[fuzz_reasm]="userspace/capture/reasm.c userspace/capture/assemble.c"
	[fuzz_h2]="userspace/capture/h2.c userspace/capture/h2frame.c userspace/capture/hpack.c"
	[fuzz_smi_load]="$(echo userspace/smi/*.c)"
	[fuzz_gateway_load]="$(echo userspace/gateway/*.c)"
	[fuzz_prom]="userspace/metrics/prom.c"
	[fuzz_scenario]="userspace/scenario/scenario.c userspace/util/yaml_doc.c userspace/scenario/policy.c"
	[fuzz_records]="userspace/records/obs.c userspace/verify/requests.c userspace/verify/health.c userspace/verify/check_access.c"
	[fuzz_http]="userspace/http/head.c userspace/http/body.c userspace/http/url.c"
	[fuzz_k8s_stream]="userspace/k8s/jsplit.c"
	[fuzz_k8s_yaml]="userspace/util/yaml.c userspace/util/yaml_scalar.c userspace/util/yaml_json.c"
	[fuzz_lab]="userspace/lab/topology.c userspace/mesh/haproxy.c userspace/mesh/metrics.c"
	[fuzz_parse]="userspace/util/parse.c"
	[fuzz_jscan]="userspace/records/jscan.c"
)
# Seed directories beyond the committed corpus, as tests/run uses them.
seeds_of() { sed -n "s/^\t\[$1\]=\"\(.*\)\"$/\1/p" tests/run; }

cov=$build/cov
flags="-O0 -g -fprofile-instr-generate -fcoverage-mapping"
make -s OUTPUT="$cov" CC=clang CFLAGS="$flags" "$cov/libsmiw.a" >/dev/null
for t in "${targets[@]}"; do
	bin=$cov/fuzz/$t
	mkdir -p "$cov/fuzz" "$cov/profiles"
	clang $flags -fsanitize=fuzzer -std=gnu11 -D_GNU_SOURCE -I"$cov" -Ibpf -Iuserspace -Isample-app \
		-Itests/lib -o "$bin" "tests/fuzz/$t.c" "$cov/libsmiw.a" \
		-lbpf -lelf -lz -ljansson -lyaml -lpcre2-8 -lcurl -lnghttp2 -lm -lpthread
	if [ -n "$corpus_root" ]; then
		inputs=("$corpus_root/$t")
	else
		inputs=("tests/fuzz/corpus/$t")
		for d in $(seeds_of "$t"); do [ -d "$d" ] && inputs+=("$d"); done
	fi
	rm -f "$cov/profiles/$t".*
	LLVM_PROFILE_FILE="$cov/profiles/$t.%p.profraw" "$bin" -runs=0 "${inputs[@]}" >/dev/null 2>&1 || true
	llvm-profdata merge -sparse "$cov/profiles/$t".*.profraw -o "$cov/profiles/$t.profdata"
	echo "== $t over ${inputs[*]}"
	# shellcheck disable=SC2086
	llvm-cov report "$bin" -instr-profile="$cov/profiles/$t.profdata" ${files[$t]} |
		awk -v root="$PWD/" 'NR == 1 || /^-/ { next } { sub(root, "", $1); printf "  %-36s lines %7s  branches %7s\n", $1, $10, $13 }'
done
