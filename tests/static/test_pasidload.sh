#!/usr/bin/env bash
# vsva-pasidload's command line: help, bad options, no iommufd.  Its real
# runs (iommufd's mock driver needs CONFIG_IOMMUFD_TEST, which no
# distribution kernel has) are in the kernel tier, on both bases.
cd "$(dirname "$0")/../.." || exit 1
P=build/vsva-pasidload
[ -x $P ] || { echo "not ok - $P not built"; exit 0; }
pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }

expect() { # WHAT STATUS STDERR-SUBSTRING ARGS...
	local what=$1 want=$2 msg=$3 out rc
	shift 3
	out=$($P "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq "$want" ] && [[ $out == *"$msg"* ]] &&
	   [ "$(printf '%s\n' "$out" | grep -c .)" -le 3 ]; then
		pass "$what: exit $rc, '$msg'"
	else
		fail "$what: exit $rc (want $want), stderr: $out"
	fi
}

out=$($P --help) && [[ $out == *"--pasids"* && $out == *"Exit"* ]] &&
	pass "--help prints the options, exit 0" || fail "--help"
expect "no PASIDs" 2 "invalid --pasids '0'" -n 0
expect "too many PASIDs" 2 "invalid --pasids" -n 5000
expect "entries past the mock's batch" 2 "invalid --entries" -e 65
expect "a negative count" 2 "invalid --invalidations" -m -1
expect "an unknown ABI" 2 "invalid --abi 'v9'" --abi v9
expect "PASIDs past the mock's 20-bit width" 2 "past the mock's width" \
	--first-pasid 1048570 -n 10
expect "an operand" 2 "unexpected argument 'x'" x
expect "an unknown option" 2 "unrecognized option '--frobnicate'" --frobnicate
expect "no iommufd device" 3 "/nonexistent/iommu: No such file or directory" \
	-d /nonexistent/iommu
# not an iommufd: the first ioctl fails, the JSON still says what was done
json=$($P -d /dev/null 2>/tmp/pl.err.$$)
rc=$?
[ $rc -eq 1 ] && grep -q 'IOMMU_IOAS_ALLOC' /tmp/pl.err.$$ &&
	printf '%s' "$json" | python3 -c '
import json, sys
j = json.load(sys.stdin)
o = j["ops"]["ioas_alloc"]
sys.exit(0 if (o["calls"], o["ok"], o["failed"]) == (1, 0, 1) and
         all(v["calls"] == 0 for k, v in j["ops"].items() if k != "ioas_alloc") else 1)' &&
	pass "/dev/null is no iommufd: exit 1, the JSON records the one failed ioctl" ||
	fail "/dev/null: exit $rc, $(cat /tmp/pl.err.$$), $json"
rm -f /tmp/pl.err.$$
