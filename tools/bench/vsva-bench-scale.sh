#!/usr/bin/env bash
# vsvad at 10, 100 and 1,000 VMs kept for the retention window (each VMM:
# one memslot deletion in one zap mode, MSIs on one vector): scrape
# latency, series, series per VM, RSS, and the kernel memory its BPF maps
# took (vsvad runs in a memory cgroup of its own: cgroup v2's memory.stat
# kernel and percpu, or v1's memory.kmem.usage_in_bytes, after minus
# before the VMs).
# Goals (issue 18): p99 <= 5 ms and RSS <= 16 MiB at 1,000 VMs; <= 20
# series per VM.
# VSVA_BENCH_BASELINE=DIR: also run DIR/vsvad (an older build) the same
# way, one after the other in this run, for the ratio.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tools/bench/bench-lib.sh"
B=$TOP/build
SCRAPES=${VSVA_BENCH_SCRAPES:-500}
COUNTS=${VSVA_BENCH_VMS:-10 100 1000}
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rmdir "$CG" 2>/dev/null; rm -rf "$TMP"' EXIT

bench_need_root vsva-bench-scale "vsvad loads BPF; a memory cgroup"
if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	CG=/sys/fs/cgroup/vsva-bench-scale	# v2
	grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control
elif [ -f /sys/fs/cgroup/memory/memory.kmem.usage_in_bytes ]; then
	CG=/sys/fs/cgroup/memory/vsva-bench-scale	# v1
else
	echo "vsva-bench-scale: needs a memory cgroup (v2, or v1 with kmem)" >&2
	exit 1
fi

# the cgroup's kernel memory and, on v2, its per-CPU part, in KiB
kmem_kb() {
	if [ -f "$CG/memory.kmem.usage_in_bytes" ]; then
		echo $(($(cat "$CG/memory.kmem.usage_in_bytes") / 1024))
	else
		awk '$1 == "kernel" { printf "%.0f", $2 / 1024 }' "$CG/memory.stat"
	fi
}
percpu_kb() {
	awk '$1 == "percpu" { printf "%.0f", $2 / 1024; f = 1 }
		END { if (!f) print "-" }' "$CG/memory.stat"
}

# run LABEL VSVAD N: one row
run() {
	local label=$1 vsvad=$2 n=$3 port pid k0 p0 i vms per
	mkdir -p "$CG"
	port=$((29600 + RANDOM % 300))
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' _ "$CG" \
		"$vsvad" --listen "127.0.0.1:$port" --retention 3600 \
		2>"$TMP/vsvad.log" &
	pid=$!
	for i in $(seq 100); do
		curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" && break
		sleep 0.1
	done
	k0=$(kmem_kb) p0=$(percpu_kb)
	"$B/vsva-kvmload" --lifetimes "$n" -n 1 -m 1 --irqfd 1 >/dev/null
	# steady state: the exited VMMs forgotten (the GC's first ticks
	# after a thousand exits check each), the VMs kept
	for i in $(seq 100); do
		curl -s "http://127.0.0.1:$port/metrics" |
			grep -q '^vsva_kvm_vmms_known 0$' && break
		sleep 0.1
	done
	read -r p50 p99 series bytes <<<"$(bench_measure "http://127.0.0.1:$port/metrics" "$SCRAPES" "$TMP")"
	vms=$(grep -c '^vsva_kvm_vm_info{.*comm="vsva-kvmload"' "$TMP/body")
	per=$(grep -v '^#' "$TMP/body" | grep -o 'vm="vsva-kvmload/[0-9]*"' |
		sort | uniq -c | awk '{ s += $1; if ($1 > m) m = $1 } END {
			printf "%.1f %d", NR ? s / NR : 0, m }')
	printf '%-10s %6d %6d %8s %8s %8d %9d %9s %9s %9s %9s\n' "$label" "$n" \
		"$vms" "$p50" "$p99" "$series" "$bytes" "${per% *}/${per#* }" \
		"$(bench_rss $pid)" "$(( $(kmem_kb) - k0 ))" \
		"$([ "$p0" = - ] && echo - || echo $(( $(percpu_kb) - p0 )))"
	echo "$label $n $p99 $(bench_rss $pid) ${per#* }" >>"$TMP/rows"
	kill "$pid"
	wait "$pid" 2>/dev/null
	rmdir "$CG" 2>/dev/null
}

printf 'vsva-bench-scale: %d sequential scrapes each (curl, loopback), %d CPUs\n\n' \
	"$SCRAPES" "$(nproc)"
printf '%-10s %6s %6s %8s %8s %8s %9s %9s %9s %9s %9s\n' build VMMs VMs \
	"p50 ms" "p99 ms" series bytes "per VM" "RSS MiB" "kmem KiB" "percpu KiB"
for n in $COUNTS; do
	run vsvad "$B/vsvad" "$n"
	[ -n "${VSVA_BENCH_BASELINE:-}" ] &&
		run baseline "$VSVA_BENCH_BASELINE/vsvad" "$n"
done
echo
echo "(per VM: series of a VM, mean/most; kmem, percpu: the memory cgroup's"
echo " kernel and per-CPU memory after the VMs minus before them; - : cgroup v1"
echo " has no per-CPU line, its kmem includes it)"
"$B/vsvad" --probe | sed -n '/^kernel memory of/,$p' | tail -3
awk '$1 == "vsvad" && $2 == 1000 {
	printf "goal p99 <= 5 ms at 1,000 VMs: %s (%s ms)\n", $3 <= 5 ? "met" : "MISSED", $3
	printf "goal RSS <= 16 MiB at 1,000 VMs: %s (%s MiB)\n", $4 <= 16 ? "met" : "MISSED", $4
	printf "goal <= 20 series per VM: %s (%s at most)\n", $5 <= 20 ? "met" : "MISSED", $5 }' "$TMP/rows"
