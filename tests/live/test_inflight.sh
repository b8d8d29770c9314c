#!/usr/bin/env bash
# Live: an in-flight deletion or IOMMU operation whose exit never comes
# (its thread killed in between, or vsvad attached in between) expires by
# age instead of leaking: the entry goes, the hot exit hooks' in-flight
# count returns to 0, the expiry is counted, and counting goes on exactly.
# The stale entries are written into the maps as such a thread leaves them.
. "$(dirname "$0")/lib.sh"
require_live
command -v bpftool >/dev/null || { not_ok "bpftool not installed (make deps)"; exit 0; }

VSVA_TEST_INFLIGHT_EXPIRY=2 start_vsvad || exit 1
# its own vsvad's maps, by the descriptors it holds
inflight=$(vsvad_map_id inflight)
bss=$(vsvad_map_id memslot_.bss)
iommu=$(vsvad_map_id iommu_inflight)
[ -n "$inflight" ] && [ -n "$bss" ] && [ -n "$iommu" ] ||
	{ not_ok "vsvad's maps not found ($inflight/$bss/$iommu)"; exit 0; }

# a deletion that began now (CLOCK_MONOTONIC, bpf_ktime_get_ns's clock)
# on thread 4000000 (no such tid), and a PASID attach (op 0) likewise;
# inflight_n = 1 for the first.  Begun now, not at boot: under load the
# steps below can take longer than a GC tick, and the GC must not take
# it before it is checked (it expires 2 s after it began)

now=$(python3 -c 'import time; print(" ".join(str(b) for b in time.monotonic_ns().to_bytes(8, "little")))')
bpftool map update id "$inflight" key 0x00 0x09 0x3d 0x00 \
	value $now  0 0 0 0 0 0 0 0  0 0 0 0 0 0 0 0 ||
	not_ok "cannot write the stale deletion"
bpftool map update id "$iommu" key 0x00 0x09 0x3d 0x00 0 0 0 0 \
	value $now || not_ok "cannot write the stale IOMMU operation"
# inflight_n (the first 8 bytes of .bss) = 1, the rest as it is
bss_value=$(bpftool -j map dump id "$bss" | python3 -c "
import json, sys
v = json.load(sys.stdin)[0]['value']
print(' '.join(['1'] + ['0'] * 7 + [str(int(b, 16)) for b in v[8:]]))")
bpftool map update id "$bss" key 0 0 0 0 value $bss_value ||
	not_ok "cannot set inflight_n"
# entries of thread 4000000 (other deletions, of VMMs running beside the
# test, may be in flight too)
n_inflight() { bpftool -j map dump id "$inflight" | python3 -c "
import json, sys
print(sum(e['key'] in (4000000, ['0x00', '0x09', '0x3d', '0x00']) for e in json.load(sys.stdin)))"; }
check "the stale deletion is in flight" 1 "$(n_inflight)"

sleep 4	# expiry 2 s, GC every second
check "expired: the stale deletion is gone" 0 "$(n_inflight)"
check "expired: inflight_n is back to 0" 0 \
	"$(bpftool -j map dump id "$bss" | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['formatted']['value']['.bss'][0]['inflight_n'])")"
check "the expiry is counted" 1 \
	"$(metric vsva_events_dropped_total 'reason="inflight_expired"')"
check "... and the IOMMU one" 1 \
	"$(metric vsva_events_dropped_total 'reason="iommu_inflight_expired"')"

out=$("$B/vsva-kvmload" -n 4 -m 4) || not_ok "vsva-kvmload failed"
pid=$(json_field "$out" pid)
check "deletions after the expiry are counted exactly" 4 \
	"$(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$pid\",mode=\"all_fast\"")"
check "no unmatched exits" 0 "$(metric vsva_events_dropped_total 'reason="unmatched_exit"')"
stop_vsvad
check "vsvad exits 0" 0 $?
