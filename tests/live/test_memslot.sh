#!/usr/bin/env bash
# Live: vsvad counts exactly the memslot deletions the workload performs.
. "$(dirname "$0")/lib.sh"
require_live

start_vsvad || exit 1

probe=$(scrape | grep '^vsva_probe_info{measurement="kvm_memslot_zap"')
check_match "memslot measurement names a usable rung" \
	'rung="(tracepoint|fentry|syscall_tracepoint)"' "$probe"
check_match "kvm_mmu_pages uses the stock tracepoints" \
	'rung="stock_tracepoint"' \
	"$(scrape | grep '^vsva_probe_info{measurement="kvm_mmu_pages"')"

# run_mode MODE N [EXTRA...]: workload, then the per-VM metrics
run_mode() {
	local mode=$1 n=$2 other out pid vm
	shift 2
	[ "$mode" = all_fast ] && other=memslot || other=all_fast
	out=$("$B/vsva-kvmload" -n "$n" --mode "$mode" "$@") ||
		{ not_ok "vsva-kvmload --mode $mode failed"; return; }
	check "workload ($mode $*) reports $n deletions" "$n" \
		"$(json_field "$out" deletions)"
	pid=$(json_field "$out" pid)
	vm="vm=\"vsva-kvmload/$pid\""
	check "$mode: zap counter for the VM is N" "$n" \
		"$(metric vsva_kvm_memslot_zap_total "$vm,mode=\"$mode\"")"
	check "$mode: no series for the mode the VM never used" absent \
		"$(metric vsva_kvm_memslot_zap_total "$vm,mode=\"$other\"")"
	check "$mode: histogram _count is N" "$n" \
		"$(metric vsva_kvm_memslot_zap_seconds_count "$vm,mode=\"$mode\"")"
	check "$mode: +Inf bucket equals _count" "$n" \
		"$(metric vsva_kvm_memslot_zap_seconds_bucket "$vm,mode=\"$mode\",le=\"+Inf\"")"
	check_gt "$mode: histogram _sum is positive" 0 \
		"$(metric vsva_kvm_memslot_zap_seconds_sum "$vm,mode=\"$mode\"")"
	check "$mode: no failed deletions" 0 \
		"$(metric vsva_kvm_memslot_delete_errors_total "$vm")"
	check_gt "$mode: guest built MMU pages" 0 \
		"$(metric vsva_kvm_mmu_pages_created_total "$vm")"
	LAST_VM=$vm
}

run_mode all_fast 7
check_gt "all_fast: shadow pages zapped by deletions" 0 \
	"$(metric vsva_kvm_mmu_shadow_pages_zapped_total "$LAST_VM,mode=\"all_fast\"")"
check_gt "all_fast: MMU pages rebuilt after deletions" 0 \
	"$(metric vsva_kvm_mmu_pages_rebuilt_total "$LAST_VM,mode=\"all_fast\"")"
check "exited VM is still visible within the retention window" 1 \
	"$(metric vsva_kvm_vm_info "$LAST_VM")"
check_match "exited VM is marked exited" 'state="exited"' \
	"$(scrape | grep "^vsva_kvm_vm_info{$LAST_VM")"

run_mode memslot 5
check "memslot: no shadow pages zapped by all_fast (no series for it)" absent \
	"$(metric vsva_kvm_mmu_shadow_pages_zapped_total "$LAST_VM,mode=\"all_fast\"")"

run_mode all_fast 4 --region2
run_mode memslot 3 --region2
# several vCPUs touching 4 KiB guest pages (the zap-quirk scenario's VM)
run_mode all_fast 5 --vcpus 3 --page-size 4k -m 16
out=$("$B/vsva-kvmload" -n 4 --vcpus 3 --page-size 4k -m 16 --mode memslot)
check "--vcpus 3 --page-size 4k: 4 retouches timed, each by all 3 vCPUs" \
	"3 4k 5 True" "$(echo "$out" | /usr/bin/python3 -c "
import json, sys; j = json.load(sys.stdin); r = j['retouch_ns']
print(j['vcpus'], j['page_size'], j['guest_runs'], 0 < r['min'] <= r['p50'] <= r['max'] and r['sum'] >= 4 * r['min'])")"

if command -v promtool >/dev/null; then
	scrape >"$TMP/metrics.txt"
	lint=$(promtool check metrics <"$TMP/metrics.txt" 2>&1)
	check "promtool check metrics prints nothing" "" "$lint"
else
	not_ok "promtool not installed (make deps)"
fi

drops=$(scrape | awk '/^vsva_events_dropped_total/ { n++; s += $NF } END { print n + 0, s + 0 }')
check "no events dropped (17 reasons exported, all zero)" "17 0" "$drops"

# an ioctl argument the syscall rung cannot read is a counted drop
# (the deletion it might have been would otherwise vanish silently)
if scrape | grep -q 'measurement="kvm_memslot_zap",rung="syscall_tracepoint"'; then
	"$B/vsva-kvmload" -n 0 -m 4 --efault-ioctls 3 >/dev/null ||
		not_ok "vsva-kvmload --efault-ioctls failed"
	check "3 unreadable ioctl arguments: 3 drops, by reason" 3 \
		"$(metric vsva_events_dropped_total 'reason="ioctl_argument_unreadable"')"
fi
check_match "programs' lost (nested) runs are exported" \
	'vsva_bpf_prog_recursion_misses_total\{prog="[a-z_0-9]+"\} [0-9]+' "$(scrape)"

code=$(curl -s -o /dev/null -w '%{http_code}' "http://$ADDR/")
check "landing page answers 200" 200 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://$ADDR/nope")
check "unknown path answers 404" 404 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$ADDR/metrics")
check "POST answers 405" 405 "$code"
ctype=$(curl -s -o /dev/null -w '%{content_type}' "http://$ADDR/metrics")
check "metrics content type" "text/plain; version=0.0.4; charset=utf-8" "$ctype"

stop_vsvad
check "vsvad exits 0 on SIGTERM" 0 $?
