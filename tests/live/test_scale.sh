#!/usr/bin/env bash
# Live: scale.  --max-vms sizes the maps and the VM beyond it is a drop
# (reason vm_capacity), whether vsvad sees it created or finds it at
# start; a VM has series only for what it used, histograms only the
# buckets the data needs (the same in every histogram of a family); the
# maps' kernel memory, filled to capacity, is measured through a memory
# cgroup against vsvad --probe's estimate.
. "$(dirname "$0")/lib.sh"
require_live

# --probe: the estimate, without loading anything
out=$("$B/vsvad" --probe)
big=$(awk '$1 == "total" { print $3 }' <<<"$out")
awk -v b="$big" 'BEGIN { exit !(b > 0 && b <= 64) }' &&
	ok "--probe: the maps full on 256 CPUs take $big MiB (goal <= 64)" ||
	not_ok "--probe: the maps full on 256 CPUs take '$big' MiB (goal <= 64)"
check "--probe: vm_info holds the default 1,024 VMs" 1024 \
	"$(awk '$2 == "vm_info" { print $4 }' <<<"$out")"
out=$("$B/vsvad" --probe --max-vms 2048)
check "--probe --max-vms 2048: vm_info, vm_stats, irq_counts sized by it" \
	"2048 2050 16384" \
	"$(awk '$2 == "vm_info" || $2 == "vm_stats" || $2 == "irq_counts" { printf "%s ", $4 }' <<<"$out" | sed 's/ $//')"
check_match "--probe: how the VM slots fill under churn (3.4 VMs/s by default)" \
	'VM slots: 1024 .*retention window \(300 s.*faster than 3\.4 a second' \
	"$("$B/vsvad" --probe)"
check_match "... with --max-vms 2048 --retention 100: 20.5 VMs/s" \
	'VM slots: 2048 .*\(100 s, --retention\).*faster than 20\.5 a second' \
	"$("$B/vsvad" --probe --max-vms 2048 --retention 100)"
for bad in 0 65537 many; do
	out=$("$B/vsvad" --max-vms "$bad" 2>&1)
	check "--max-vms $bad: exit 2" 2 $?
	check_match "... and says what it takes" "expected 1..65536" "$out"
done

# The maps filled to capacity (tests/helpers/mapfill) in vsvad's own
# memory cgroup: the kernel memory they took, against the estimate
if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	CG=/sys/fs/cgroup/vsva-test-scale
	kmem() { awk '$1 == "kernel" { print $2 }' "$CG/memory.stat"; }
	grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control
else
	CG=/sys/fs/cgroup/memory/vsva-test-scale
	kmem() { cat "$CG/memory.kmem.usage_in_bytes"; }
fi
if mkdir -p "$CG" 2>/dev/null && [ -n "$(kmem 2>/dev/null)" ]; then
	port=$(free_port)
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' _ "$CG" \
		"$B/vsvad" --listen "127.0.0.1:$port" >"$TMP/fill.log" 2>&1 &
	FPID=$!
	PIDS+=("$FPID")
	wait_http "http://127.0.0.1:$port/metrics"
	k1=$(kmem)
	"$B/mapfill" "$FPID" >"$TMP/fill.out"
	k2=$(kmem)
	kill "$FPID"
	wait "$FPID" 2>/dev/null
	rmdir "$CG" 2>/dev/null
	check "mapfill filled every hash map to its max_entries" 0 \
		"$(awk '$4 != $5' "$TMP/fill.out" | wc -l)"
	est=$("$B/vsvad" --probe | awk '/^of which taken as entries come/ { print $NF }')
	got=$(awk -v a="$k1" -v b="$k2" 'BEGIN { printf "%.2f", (b - a) / 1048576 }')
	awk -v g="$got" -v e="$est" 'BEGIN { exit !(g <= e && g >= 0.6 * e) }' &&
		ok "the entries took $got MiB of kernel memory (memory cgroup); the estimate, an upper bound: $est MiB" ||
		not_ok "the entries took $got MiB of kernel memory; estimated $est MiB"
else
	not_ok "no memory cgroup to measure the maps in ($CG)"
fi

# --max-vms 3: a VMM with 5 VMs alive together; the 4th and 5th are drops
start_vsvad --max-vms 3 --retention 600 || exit 0
cap0=$(metric vsva_events_dropped_total 'reason="vm_capacity"')
json=$("$B/vsva-kvmload" --vms 5 -n 1 -m 1)
pid=$(json_field "$json" pid)
check "--max-vms 3: three of the VMM's five VMs are known" 3 \
	"$(scrape | grep -c "^vsva_kvm_vm_info{vm=\"vsva-kvmload/$pid")"
check "... the other two are drops, reason vm_capacity" 2 \
	"$(( $(metric vsva_events_dropped_total 'reason="vm_capacity"') - cap0 ))"
stop_vsvad

# ... and VMs vsvad finds at start (a VMM holding 3 VMs): --max-vms 1
"$B/vsva-kvmload" --vms 3 -n 1 -m 1 --pause 8 >"$TMP/held.json" &
HELD=$!
PIDS+=("$HELD")
sleep 2
start_vsvad --max-vms 1 || exit 0
check "--max-vms 1, three VMs held at start: two are drops (vm_capacity)" 2 \
	"$(metric vsva_events_dropped_total 'reason="vm_capacity"')"
check "... and one is known" 1 \
	"$(scrape | grep -c "^vsva_kvm_vm_info{vm=\"vsva-kvmload/$HELD")"
stop_vsvad
wait "$HELD"

# Series by use: two VMMs delete memslots in the memslot mode and send
# MSIs on one vector
start_vsvad --retention 600 || exit 0
p1=$(json_field "$("$B/vsva-kvmload" -n 3 -m 1 --mode memslot --irqfd 5)" pid)
p2=$(json_field "$("$B/vsva-kvmload" -n 2 -m 1 --mode memslot --irqfd 1)" pid)
scrape >"$TMP/scrape.txt"
series() { grep -v '^#' "$TMP/scrape.txt" | grep -c "vm=\"vsva-kvmload/$1\""; }
n1=$(series "$p1")
nb=$(grep -c "^vsva_kvm_memslot_zap_seconds_bucket{vm=\"vsva-kvmload/$p1\"" "$TMP/scrape.txt")
# the buckets follow the spread of the deletion times (one per factor
# of 2, and one below); everything else is bounded: at most 8 series
# besides the histogram's (shadow pages zapped outside a deletion add
# one), so at most 20 in all while the times span a factor of 256
other=$((n1 - nb - 2))
[ "$other" -ge 6 ] && [ "$other" -le 8 ] &&
	ok "a VM with deletions in one mode and MSIs on one vector: $other series besides the histogram's $((nb + 2)) ($n1 in all; 62 before)" ||
	not_ok "a VM with deletions in one mode and MSIs on one vector: $other series besides the histogram's $((nb + 2))"
check "no series for the zap mode it never used" 0 \
	"$(grep -c "vm=\"vsva-kvmload/$p1\",mode=\"all_fast\"" "$TMP/scrape.txt")"
check "its deletions: _count 3, the +Inf bucket 3, zap_total 3" "3 3 3" \
	"$(metric vsva_kvm_memslot_zap_seconds_count "vm=\"vsva-kvmload/$p1\",mode=\"memslot\"") $(metric vsva_kvm_memslot_zap_seconds_bucket "vm=\"vsva-kvmload/$p1\",mode=\"memslot\",le=\"+Inf\"") $(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$p1\",mode=\"memslot\"")"
les() { grep "^vsva_kvm_memslot_zap_seconds_bucket{vm=\"vsva-kvmload/$1\"" "$TMP/scrape.txt" |
	sed -E 's/.*le="([^"]*)".*/\1/' | tr '\n' ' '; }
check "both VMs' histograms have the same buckets (sums by le stay exact)" "$(les "$p1")" "$(les "$p2")"
cum_ok=$(grep "^vsva_kvm_memslot_zap_seconds_bucket{vm=\"vsva-kvmload/$p1\"" "$TMP/scrape.txt" |
	awk '{ if ($NF < last) bad = 1; last = $NF } END { print bad ? "no" : "yes" }')
check "... and they are cumulative" yes "$cum_ok"
if command -v promtool >/dev/null; then
	promtool check metrics <"$TMP/scrape.txt" >"$TMP/promtool.out" 2>&1
	check "promtool check metrics accepts the exposition" 0 \
		"$(grep -vc 'counter metrics should have "_total" suffix' "$TMP/promtool.out")"
fi
stop_vsvad
