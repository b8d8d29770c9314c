#!/usr/bin/env bash
# Live: 10,000 VM lifetimes, every tenth VMM on the pid of the one before
# it: each VM shows its own counts only, nothing is dropped, no VM entry
# is left behind, and vsvad's memory does not grow.
. "$(dirname "$0")/lib.sh"
require_live

start_vsvad --retention 0 || exit 1
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$VSVAD_PID/status"; }
vms() { scrape | grep -c '^vsva_kvm_vm_info{'; }

# while they run, every scrape must show each VM with its own counts only
# (1 deletion, 2 injections): a VMM that inherited a dead one's would
# show more
scraper() { # OUT
	while [ ! -e "$TMP/lifetimes.done" ]; do
		scrape >>"$1" || echo "scrape failed" >>"$TMP/scrape.err"
		sleep 0.2
	done
}

# warm-up, scraped the same way: vsvad's buffers reach their size
scraper /dev/null &
scraping=$!
"$B/vsva-kvmload" --lifetimes 1000 -n 1 -m 1 --irqfd 2 --reuse-pid-every 10 >/dev/null ||
	not_ok "warm-up lifetimes failed"
touch "$TMP/lifetimes.done"
wait $scraping
rm "$TMP/lifetimes.done"
sleep 2.5
scrape >/dev/null
before=$(rss)
scraper "$TMP/scrapes" &
scraping=$!
out=$("$B/vsva-kvmload" --lifetimes 10000 -n 1 -m 1 --irqfd 2 --reuse-pid-every 10)
touch "$TMP/lifetimes.done"
wait $scraping
check "10,000 VM lifetimes ran" 0 "$(json_field "$out" lifetime_failures)"
check "a pid reuse forced on every tenth" 1000 "$(json_field "$out" pid_reuses_forced)"
check_gt "... and most of them got it (others may take a pid first)" 900 \
	"$(json_field "$out" pid_reuses)"
check "every scrape during the lifetimes succeeded" 0 \
	"$(cat "$TMP/scrape.err" 2>/dev/null | wc -l)"
check_gt "scrapes saw VMs while they ran" 100 \
	"$(grep -c '^vsva_kvm_memslot_zap_total{vm="vsva-kvmload/[0-9]*",mode="all_fast"} 1$' "$TMP/scrapes")"
check "no VM ever showed another's deletions" "" \
	"$(awk '/^vsva_kvm_memslot_zap_total\{vm="vsva-kvmload/ && $NF > 1' "$TMP/scrapes" | head -3)"
check "no VM ever showed another's injections" "" \
	"$(awk '/^vsva_kvm_irq_injected_total\{vm="vsva-kvmload/ && $NF > 2' "$TMP/scrapes" | head -3)"
check "no VMM ever showed a second VM" "" \
	"$(grep -m3 '^vsva_kvm_vm_info{vm="vsva-kvmload/[0-9]*#' "$TMP/scrapes")"
check "nothing of the VMs went unattributed" "" \
	"$(awk '/^vsva_kvm_[a-z_]*\{vm="unattributed"/ && $NF != 0' "$TMP/scrapes" | head -3)"
sleep 3
check "every exited VM retired (retention 0)" 0 "$(vms)"
check "no known VMM left" 0 "$(metric vsva_kvm_vmms_known '')"
for m in kvms vmfds; do
	id=$(vsvad_map_id $m)	# its own vsvad's, not every map so named
	[ -n "$id" ] || { not_ok "this vsvad's $m map not found"; continue; }
	check "no $m entry left" 0 "$(bpftool -j map dump id "$id" 2>/dev/null |
		grep -o '"key"' | wc -l)"
done
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
