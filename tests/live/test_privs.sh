#!/usr/bin/env bash
# Live: once attached, vsvad keeps only CAP_BPF, can run as another user,
# and still counts, serves and retires VMs.
. "$(dirname "$0")/lib.sh"
require_live

status() { grep "^$1:" "/proc/$VSVAD_PID/status" | awk '{ print $2 }'; }

start_vsvad || exit 1
check "root: effective capabilities are CAP_BPF only" 0000008000000000 "$(status CapEff)"
check "root: permitted capabilities are CAP_BPF only" 0000008000000000 "$(status CapPrm)"
check "root: bounding set emptied" 0000000000000000 "$(status CapBnd)"
out=$("$B/vsva-kvmload" -n 4 -m 4)
check "root, caps dropped: deletions still counted" 4 \
	"$(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$(json_field "$out" pid)\",mode=\"all_fast\"")"
stop_vsvad

start_vsvad --user nobody --retention 2 || exit 1
check "--user nobody: runs as nobody" "$(id -u nobody)" "$(status Uid)"
check "--user nobody: only CAP_BPF" 0000008000000000 "$(status CapEff)"
out=$("$B/vsva-kvmload" -n 0 -m 4 --irqfd 9)
vm="vm=\"vsva-kvmload/$(json_field "$out" pid)\""
check "--user nobody: injections still counted" 9 \
	"$(metric vsva_kvm_irq_injected_total "$vm,path=\"msi\"")"
sleep 4
check "--user nobody: exited VM retired after the window" absent \
	"$(metric vsva_kvm_irq_injected_total "$vm,path=\"msi\"")"
stop_vsvad
check "--user nobody: exits 0" 0 $?

out=$("$B/vsvad" --user no-such-user-vsva 2>&1)
check "--user unknown: exit status 2" 2 $?
check_match "--user unknown: says so" "no such user" "$out"
