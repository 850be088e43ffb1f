#!/usr/bin/env bash
# layers.sh - the include arrows between source folders are the ones userspace/layers
# allows, and those form no cycle. Static: reads the tree, builds nothing.
#
# Why a test: a folder that starts including from a folder above it (metrics from
# verify, run from lab) is how one concept's code ends up owned by two places; the
# build would never complain.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
rules="$src/userspace/layers"
fail=0

declare -A allowed known
while read -r name deps; do
	name=${name%:}
	known[$name]=1
	allowed[$name]=" $deps "
done < <(grep -v '^#' "$rules" | grep -v '^[[:space:]]*$')

folder_of() { # path -> the folder that owns it in the rules
	case "$1" in
	sample-app/*) echo sample-app ;;
	userspace/*) local r=${1#userspace/}; echo "${r%%/*}" ;;
	esac
}

# Every folder holding code has a line, so a new folder cannot slip past the rules.
for d in "$src"/userspace/*/; do
	d=$(basename "$d")
	if [ -z "${known[$d]:-}" ]; then
		echo "not ok: userspace/$d has no line in userspace/layers"; fail=1
	fi
done

checked=0
while IFS=: read -r file line text; do
	inc=$(sed -E 's/.*#[[:space:]]*include[[:space:]]+"([^"]+)".*/\1/' <<<"$text")
	case "$inc" in */*) ;; *) continue ;; esac
	to=${inc%%/*}
	[ -n "${known[$to]:-}" ] || continue
	from=$(folder_of "$file")
	[ "$from" = "$to" ] && continue
	checked=$((checked + 1))
	if [[ "${allowed[$from]:-}" != *" $to "* ]]; then
		echo "not ok: $file:$line: $from includes $inc, an arrow userspace/layers does not allow"
		fail=1
	fi
done < <(cd "$src" && grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' \
	userspace/*/*.c userspace/*/*.h sample-app/*/*.c sample-app/*/*.h)

# No cycle among the allowed arrows: repeatedly remove folders with no remaining
# outgoing arrow; whatever is left lies on a cycle.
declare -A left
for n in "${!known[@]}"; do left[$n]=1; done
progress=1
while [ $progress -eq 1 ]; do
	progress=0
	for n in "${!left[@]}"; do
		busy=0
		for d in ${allowed[$n]}; do [ -n "${left[$d]:-}" ] && busy=1; done
		if [ $busy -eq 0 ]; then unset "left[$n]"; progress=1; fi
	done
done
if [ ${#left[@]} -ne 0 ]; then
	echo "not ok: the arrows in userspace/layers form a cycle through: ${!left[*]}"
	fail=1
fi

[ $checked -gt 0 ] || { echo "not ok: no include between folders found (wrong tree?)"; fail=1; }
[ $fail -eq 0 ] && echo "ok: $checked includes between folders, all along allowed arrows; no cycle"
exit $fail
