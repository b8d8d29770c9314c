#!/usr/bin/env bash
# Live: 10,000 VM lifetimes leave no VM entries behind and do not grow
# vsvad's memory.
. "$(dirname "$0")/lib.sh"
require_live

start_vsvad --retention 0 || exit 1
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$VSVAD_PID/status"; }
vms() { scrape | grep -c '^vsva_kvm_vm_info{'; }

"$B/vsva-kvmload" --lifetimes 500 -n 1 -m 1 --irqfd 2 >/dev/null ||
	not_ok "warm-up lifetimes failed"
sleep 2.5
scrape >/dev/null
before=$(rss)
out=$("$B/vsva-kvmload" --lifetimes 10000 -n 1 -m 1 --irqfd 2)
check "10,000 VM lifetimes ran" 0 "$(json_field "$out" lifetime_failures)"
sleep 3
check "every exited VM retired (retention 0)" 0 "$(vms)"
drops=$(scrape | awk '/^vsva_events_dropped_total/ { s += $NF } END { print s + 0 }')
check "no events dropped over 10,000 lifetimes" 0 "$drops"
scrape >/dev/null
after=$(rss)
growth=$((after - before))
if [ "$growth" -lt 1024 ]; then
	ok "vsvad RSS grew ${growth} KiB over 10,000 lifetimes (${before} -> ${after} KiB)"
else
	not_ok "vsvad RSS grew ${growth} KiB over 10,000 lifetimes (${before} -> ${after} KiB)"
fi
stop_vsvad
