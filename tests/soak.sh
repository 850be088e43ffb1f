#!/usr/bin/env bash
# soak.sh [BIN] [RUNS] [LAB] [VARIANT...] - the lab's variant test (tests/
# integration/lab_variants.sh) over the whole suites, RUNS times over
# (default 20): the reference mesh with every shipped suite, where any FAIL
# is a false alarm, and each faulty variant with the suites it can affect,
# where anything but exactly its FAILs is a miss (VARIANTs given: only
# those). Prints, per variant, in how many runs its verdicts were exactly
# the expected ones. In lab LAB (default sk<pid>); the records of every run
# that was not exact are kept in build/soak/.
set -u
bin=${1:-build/smi-witness}
runs=${2:-20}
lab=${3:-sk$$}
shift $(($# < 3 ? $# : 3))
out=build/soak
rm -rf "$out" && mkdir -p "$out"
SMIW_VARIANTS_SCOPE=full SMIW_LAB=$lab SMIW_VARIANT_OUT=$out \
	./tests/integration/lab_variants.sh "$(dirname "$bin")" "$runs" "$@" | tee "$out/soak.log"
exit "${PIPESTATUS[0]}"
