#!/usr/bin/env bash
# Live: --rung M=RUNG works for every measurement and every one of its
# rungs (the walk is shared with the QEMU guests: tests/walk-rungs.sh);
# bad --rung values are usage errors that name the rungs.
. "$(dirname "$0")/lib.sh"
require_live

sh "$TOP/tests/walk-rungs.sh" "$B/vsvad" "$(free_port)" "curl -sf"

out=$(timeout 10 "$B/vsvad" --rung kvm_irq_injection=kprobe 2>&1)
check "a rung the measurement does not have: exit 2" 2 $?
check_match "... and the message lists its rungs" \
	'kvm_irq_injection has no rung .kprobe.; its rungs: fentry stock_tracepoint classic_tracepoint' "$out"
out=$("$B/vsvad" --rung nosuch=fentry 2>&1)
check "an unknown measurement: exit 2" 2 $?
check_match "... and the message says so" "no measurement 'nosuch'" "$out"
n=$("$B/vsvad" --probe | grep -c '^[a-z_]* (')
# the table's entries, counted in its source
want=$(grep -c '^VSVA_MEASUREMENT(' "$TOP/include/vsva/measurements.def")
check "--probe lists every measurement without loading anything ($want in include/vsva/measurements.def)" "$want" "$n"
check_match "--probe gives the perf events and filter of the syscall rung" \
	"syscalls:sys_enter_ioctl,syscalls:sys_exit_ioctl --filter 'cmd == 0x4020ae46" \
	"$("$B/vsvad" --probe)"
