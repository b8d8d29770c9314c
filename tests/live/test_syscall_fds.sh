#!/usr/bin/env bash
# Live: on the syscall-tracepoint rungs an ioctl counts only on KVM's own
# files.  Any process may issue KVM_CREATE_VM or a deleting
# KVM_SET_USER_MEMORY_REGION(2) on /dev/null, a pipe or a file it named
# kvm-vm (the name of a VM's anonymous inode file): no VM, no
# deletion, no error is counted for it, while a real VMM's deletions on
# the same rungs stay exact.
. "$(dirname "$0")/lib.sh"
require_live

start_vsvad --rung kvm_memslot_zap=syscall_tracepoint \
	--rung kvm_vm_lifecycle=syscall_tracepoint || exit 1
check_match "the rungs under test are the syscall ones" \
	'kvm_memslot_zap: syscall_tracepoint.*kvm_vm_lifecycle: syscall_tracepoint' \
	"$(tr '\n' ' ' <"$VSVAD_LOG")"
pid=$(python3 "$TOP/tests/helpers/kvm_ioctls_elsewhere.py" 20 "$TMP")
sum() { scrape | awk -v n="$1" 'index($0, n) == 1 { s += $NF } END { print s + 0 }'; }
check "180 KVM ioctls on /dev/null, a pipe and a file named kvm-vm: no deletion counted" 0 \
	"$(sum 'vsva_kvm_memslot_zap_total{')"
check "... and no failed deletion" 0 "$(sum 'vsva_kvm_memslot_delete_errors_total{')"
check "... and no VM for the process" 0 "$(scrape | grep -c "pid=\"$pid\"")"
out=$("$B/vsva-kvmload" -n 4 -m 1)
check "a real VMM's 4 deletions on the same rungs: 4" 4 \
	"$(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$(json_field "$out" pid)\",mode=\"all_fast\"")"
check "... its VM known by its fd" 1 \
	"$(scrape | grep -c "^vsva_kvm_vm_info{vm=\"vsva-kvmload/$(json_field "$out" pid)\"")"
