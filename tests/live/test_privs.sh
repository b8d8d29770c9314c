#!/usr/bin/env bash
# Live: once attached, vsvad keeps only CAP_BPF, is root no more (started
# as root it becomes user vsva, or nobody, with the securebits locked and
# no new privileges), can run as another user, and still counts, serves
# and retires VMs.
. "$(dirname "$0")/lib.sh"
require_live

status() { grep "^$1:" "/proc/$VSVAD_PID/status" | awk '{ print $2 }'; }
# The distinct values of a status field over every thread of vsvad
# (capabilities are per thread: a helper thread must not keep any).
threads() {
	cat /proc/"$VSVAD_PID"/task/*/status |
		awk -v k="$1:" '$1 == k { print $2 }' | sort -u | xargs
}

if id -u vsva >/dev/null 2>&1; then want=vsva; else want=nobody; fi
start_vsvad || exit 1
check "root without --user: runs as $want" "$(id -u "$want") $(id -u "$want") $(id -u "$want") $(id -u "$want")" \
	"$(grep '^Uid:' "/proc/$VSVAD_PID/status" | cut -f2- | xargs)"
check "... in $want's group, no supplementary group" "$(id -g "$want") " \
	"$(grep '^Gid:' "/proc/$VSVAD_PID/status" | cut -f2 | xargs) $(status Groups)"
check "... every thread not root" "$(id -u "$want")" "$(threads Uid)"
check "... no new privileges (an exec gains none)" 1 "$(status NoNewPrivs)"
check_match "... and says so in its log" "running as user $want with CAP_BPF only" \
	"$(cat "$VSVAD_LOG")"
check "root: effective capabilities are CAP_BPF only" 0000008000000000 "$(status CapEff)"
check "root: permitted capabilities are CAP_BPF only" 0000008000000000 "$(status CapPrm)"
check "root: bounding set emptied" 0000000000000000 "$(status CapBnd)"
out=$("$B/vsva-kvmload" -n 4 -m 4)
check "root, caps dropped: deletions still counted" 4 \
	"$(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$(json_field "$out" pid)\",mode=\"all_fast\"")"
n=$(ls /proc/"$VSVAD_PID"/task | wc -l)
check_match "root: scrapes started the helper threads" '^[3-9]$' "$n"
check "root: all $n threads: CapEff CAP_BPF only" 0000008000000000 "$(threads CapEff)"
check "root: all $n threads: CapPrm CAP_BPF only" 0000008000000000 "$(threads CapPrm)"
check "root: all $n threads: bounding set empty" 0000000000000000 "$(threads CapBnd)"
stop_vsvad

start_vsvad --user nobody --retention 2 || exit 1
check "--user nobody: runs as nobody" "$(id -u nobody)" "$(status Uid)"
check "--user nobody: only CAP_BPF" 0000008000000000 "$(status CapEff)"
out=$("$B/vsva-kvmload" -n 0 -m 4 --irqfd 9)
vm="vm=\"vsva-kvmload/$(json_field "$out" pid)\""
check "--user nobody: injections still counted" 9 \
	"$(metric vsva_kvm_irq_injected_total "$vm,path=\"msi\"")"
check "--user nobody: every thread runs as nobody" "$(id -u nobody)" \
	"$(threads Uid)"
check "--user nobody: every thread CAP_BPF only" 0000008000000000 \
	"$(threads CapEff)"
sleep 4
check "--user nobody: exited VM retired after the window" absent \
	"$(metric vsva_kvm_irq_injected_total "$vm,path=\"msi\"")"
stop_vsvad
check "--user nobody: exits 0" 0 $?

out=$("$B/vsvad" --user no-such-user-vsva 2>&1)
check "--user unknown: exit status 2" 2 $?
check_match "--user unknown: says so" "no such user" "$out"
