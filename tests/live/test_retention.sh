#!/usr/bin/env bash
# Live: an exited VM stays visible for the retention window, then is freed.
. "$(dirname "$0")/lib.sh"
require_live

start_vsvad --retention 3 || exit 1
out=$("$B/vsva-kvmload" -n 2) || not_ok "vsva-kvmload failed"
vm="vm=\"vsva-kvmload/$(json_field "$out" pid)\""
check "exited VM visible right after exit" 2 \
	"$(metric vsva_kvm_memslot_zap_total "$vm,mode=\"all_fast\"")"
sleep 5.5
check "exited VM retired after --retention 3" absent \
	"$(metric vsva_kvm_memslot_zap_total "$vm,mode=\"all_fast\"")"
check "its info entry is retired too" absent \
	"$(metric vsva_kvm_vm_info "$vm")"
kill -INT "$VSVAD_PID"
wait "$VSVAD_PID"
check "vsvad exits 0 on SIGINT" 0 $?
