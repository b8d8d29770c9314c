#!/usr/bin/env bash
# Live: counts survive a vsvad restart.  The BPF objects are pinned under
# a bpffs root; while vsvad is stopped the programs count on, and the next
# vsvad adopts them.  VMMs delete memslots before, during and after a
# restart: the final counts are what they did.  Another build, size or
# set of rungs starts fresh and says why; --no-pin, a second vsvad and
# --unpin behave.
. "$(dirname "$0")/lib.sh"
require_live
ROOT=/sys/fs/bpf/vsva-test-$$	# bpffs names take no dots
export VSVA_PIN_ROOT=$ROOT
trap 'cleanup; "$B/vsvad" --unpin >/dev/null 2>&1' EXIT

pins() { # the vsva_bpf_pins series' labels
	scrape | sed -nE 's/^vsva_bpf_pins\{(.*)\} 1$/\1/p'
}
links() { find "$ROOT" -path '*/links/*' 2>/dev/null | wc -l; }

start_vsvad --pin --retention 600 || exit 0
check_match "a first start pins afresh" '^state="fresh",reason="nothing pinned"$' "$(pins)"
check_gt "... the links of its programs are pinned" 0 "$(links)"
check_match "... and the log says so" 'vsva: pins: fresh \(nothing pinned\)' "$(cat "$VSVAD_LOG")"

# VMMs, one after the other for about 3 s, each deleting 5 memslots; vsvad
# stops after about 1 s and starts again after about 2 s
(for i in $(seq 30); do
	"$B/vsva-kvmload" -n 5 -m 1 >"$TMP/run.$i.json"
	sleep 0.1
done) &
LOAD=$!
sleep 1
stop_vsvad
rc=$?
check_gt "vsvad stopped (SIGTERM) with its programs' links still pinned" 0 "$(links)"
check "... exit status 0" 0 "$rc"
sleep 1
start_vsvad --pin --retention 600 || exit 0
wait "$LOAD"
check_match "the next start adopts them" '^state="adopted",' "$(pins)"
sum=0 n=0 total=0
for f in "$TMP"/run.*.json; do
	pid=$(json_field "$(cat "$f")" pid)
	d=$(json_field "$(cat "$f")" deletions)
	got=$(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$pid\",mode=\"all_fast\"")
	sum=$((sum + d))
	[ "$got" = "$d" ] && n=$((n + 1))
	[ "$got" != absent ] && total=$((total + got))
done
check "deletions across the restart: every one of the 30 VMMs counted exactly" 30 "$n"
check "... the VMMs did $sum deletions, and vsvad counted $sum" "$sum" "$total"

# a second vsvad while this one holds the pins: runs unpinned, says why
ADDR1=$ADDR PID1=$VSVAD_PID LOG1=$VSVAD_LOG
start_vsvad --pin || exit 0
check_match "a second vsvad runs without pins" '^state="off",reason="another vsvad holds the pins' "$(pins)"
stop_vsvad
ADDR=$ADDR1 VSVAD_PID=$PID1 VSVAD_LOG=$LOG1
stop_vsvad

# another set of rungs, or another --max-vms: fresh, and why
start_vsvad --pin --rung kvm_irq_injection=classic_tracepoint || exit 0
check_match "other rungs: fresh, and why" \
	'^state="fresh",reason="the irq object.s pinned programs are not the ones chosen now' "$(pins)"
stop_vsvad
start_vsvad --pin --max-vms 512 || exit 0
check_match "another --max-vms: fresh, and why" \
	'^state="fresh",reason="the pins are of another vsvad build or --max-vms"' "$(pins)"
stop_vsvad
check "... and only its own layout is pinned" 1 "$(find "$ROOT" -mindepth 1 -maxdepth 1 | wc -l)"

# --no-pin: nothing pinned, nothing adopted
"$B/vsvad" --unpin >"$TMP/unpin.out"
check "--unpin: exit 0" 0 $?
check_match "... says what it removed" "removed the pinned maps and programs under $ROOT" "$(cat "$TMP/unpin.out")"
check "... nothing is left" no "$([ -e "$ROOT" ] && echo yes || echo no)"
start_vsvad --pin --no-pin || exit 0
check_match "--no-pin: off" '^state="off",reason="--no-pin"$' "$(pins)"
check "... nothing pinned" no "$([ -e "$ROOT" ] && echo yes || echo no)"
stop_vsvad
VSVA_PIN_ROOT=/tmp/not-bpffs.$$ start_vsvad --pin || exit 0
check_match "a root outside bpffs: off, and why" '^state="off",reason="/tmp/not-bpffs\.[0-9]+ is not in a bpffs' "$(pins)"
stop_vsvad
rm -rf "/tmp/not-bpffs.$$"
