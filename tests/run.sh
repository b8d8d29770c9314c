#!/usr/bin/env bash
# Run every test tier and print one closing line: "N passed, N failed".
# VSVA_TIERS selects tiers (default: "unit static live kernel matrix"); VSVA_REQUIRE_LIVE=1
# turns skips into failures (CI on machines that have root, KVM and BPF).
set -u
cd "$(dirname "$0")/.." || exit 1
tiers=${VSVA_TIERS:-unit static live kernel matrix}
pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Count TAP-style lines ("ok", "not ok", "skip") from one test program.
tally() {
	local name=$1 rc=$2 p f s
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	s=$(grep -c '^skip ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		f=1
	fi
	if [ "$s" -gt 0 ] && [ "${VSVA_REQUIRE_LIVE:-0}" = 1 ]; then
		echo "not ok - $name: $s skipped test(s) with VSVA_REQUIRE_LIVE=1"
		f=$((f + s))
		s=0
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

run() {
	local name=$1 rc
	shift
	echo "== $name"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	tally "$name" "$rc"
}

for tier in $tiers; do
	case $tier in
	unit)
		for t in build/test_*; do
			[ -x "$t" ] || continue
			CMOCKA_MESSAGE_OUTPUT=TAP run "unit/$(basename "$t")" "$t"
		done
		;;
	static)
		for t in tests/static/test_*.sh; do
			run "static/$(basename "$t" .sh)" bash "$t"
		done
		;;
	live)
		for t in tests/live/test_*.sh; do
			run "live/$(basename "$t" .sh)" bash "$t"
		done
		;;
	kernel)
		for t in tests/kernel/test_*.sh; do
			[ -f "$t" ] && run "kernel/$(basename "$t" .sh)" bash "$t"
		done
		;;
	matrix)
		run "matrix/test_matrix" bash tests/matrix/test_matrix.sh
		;;
	*)
		echo "run.sh: unknown tier '$tier'" >&2
		exit 2
		;;
	esac
done

echo
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
