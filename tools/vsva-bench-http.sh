#!/usr/bin/env bash
# Scrape latency (p50/p99) and steady RSS of vsvad next to Debian's
# prometheus-node-exporter, in one run on this machine.
# Goals: vsvad p99 under 1 ms with about 1,000 series; RSS under 8 MiB.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tools/bench-lib.sh"
B=$TOP/build
N=${VSVA_BENCH_SCRAPES:-2000}
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT

bench_need_root vsva-bench-http "vsvad loads BPF"
for cmd in curl prometheus-node-exporter; do
	command -v "$cmd" >/dev/null ||
		{ echo "vsva-bench-http: $cmd missing (make deps)" >&2; exit 1; }
done

"$B/vsvad" --listen 127.0.0.1:29477 2>"$TMP/vsvad.log" &
VSVAD=$!
prometheus-node-exporter --web.listen-address=127.0.0.1:29100 \
	2>"$TMP/ne.log" &
NE=$!
for url in http://127.0.0.1:29477/metrics http://127.0.0.1:29100/metrics; do
	for _ in $(seq 100); do curl -sf -o /dev/null "$url" && break; sleep 0.1; done
done
# about 1,000 vsva series: VMs kept for the retention window
"$B/vsva-kvmload" --lifetimes 16 -n 2 -m 1 --irqfd 3 >/dev/null

measure() { bench_measure "$1" "$N" "$TMP"; }
rss() { bench_rss "$1"; }

v=$(measure http://127.0.0.1:29477/metrics)
n=$(measure http://127.0.0.1:29100/metrics)
printf 'vsva-bench-http: %d sequential scrapes each over loopback (curl), one run\n\n' "$N"
printf '%-26s %9s %9s %8s %9s %9s\n' exporter "p50 ms" "p99 ms" series bytes "RSS MiB"
printf '%-26s %9s %9s %8s %9s %9s\n' vsvad $v "$(rss $VSVAD)"
printf '%-26s %9s %9s %8s %9s %9s\n' prometheus-node-exporter $n "$(rss $NE)"
read -r _ p99 series _ <<<"$v"
echo
awk -v p="$p99" -v s="$series" -v r="$(rss $VSVAD)" 'BEGIN {
	printf "goal p99 < 1 ms with ~1,000 series: %s (%s ms, %d series)\n",
		p < 1 ? "met" : "MISSED", p, s
	printf "goal RSS < 8 MiB: %s (%s MiB)\n", r < 8 ? "met" : "MISSED", r }'
