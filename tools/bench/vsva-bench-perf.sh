#!/usr/bin/env bash
# vsva-perf report next to perf's own decode of the same recording
# (perf script -i FILE >/dev/null), in one run, on a recording of at
# least 1,000,000 events: wall time, ratio, and peak RSS of each.
# Goal: vsva-perf report at most 1.5x of perf script.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$TOP/build
N=${VSVA_BENCH_PERF_EVENTS:-1000000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ "$(id -u)" -ne 0 ]; then
	echo "vsva-bench-perf: needs root (perf record, /dev/kvm)" >&2
	exit 3
fi
command -v perf >/dev/null ||
	{ echo "vsva-bench-perf: perf missing (make deps)" >&2; exit 1; }

# irqfd MSIs, each one kvm:kvm_msi_set_irq event; a 64 MiB buffer
"$B/vsva-perf" record -o "$TMP/r.data" -m 16384 -- \
	"$B/vsva-kvmload" -n 20 -m 4 --irqfd "$N" >/dev/null 2>"$TMP/rec.err" ||
	{ echo "vsva-bench-perf: recording failed:"; cat "$TMP/rec.err"; exit 1; }
"$B/vsva-perf" report -i "$TMP/r.data" --json >"$TMP/r.json" 2>/dev/null
events=$(python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(sum(j['recording']['events'].values()), j['lost_events'])" "$TMP/r.json")
read -r nev lost <<<"$events"
echo "recording: $nev vsva events, $lost lost, $(du -m "$TMP/r.data" | cut -f1) MiB"

measure() { # LABEL CMD...: best of 3 wall seconds, peak RSS KiB
	local label=$1 best=999999 rss=0 t m
	shift
	for _ in 1 2 3; do
		/usr/bin/time -f '%e %M' -o "$TMP/time" "$@" >/dev/null 2>&1
		read -r t m <"$TMP/time"
		best=$(python3 -c "print(min($best, $t))")
		[ "$m" -gt "$rss" ] && rss=$m
	done
	echo "$label $best $rss"
}
perf_line=$(measure perf perf script -f -i "$TMP/r.data")
vsva_line=$(measure vsva "$B/vsva-perf" report -i "$TMP/r.data")
read -r _ pt prss <<<"$perf_line"
read -r _ vt vrss <<<"$vsva_line"
python3 - "$pt" "$prss" "$vt" "$vrss" <<'PY'
import sys
pt, prss, vt, vrss = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f"{'':24} {'seconds':>9} {'peak RSS':>10}")
print(f"{'perf script >/dev/null':24} {pt:9.2f} {prss/1024:8.1f} MiB")
print(f"{'vsva-perf report':24} {vt:9.2f} {vrss/1024:8.1f} MiB")
r = vt / pt if pt else float('inf')
print(f"vsva-perf report costs {r:.2f}x of perf script (goal <= 1.50x: {'met' if r <= 1.5 else 'MISSED'})")
PY
