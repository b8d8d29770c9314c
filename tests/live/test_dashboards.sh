#!/usr/bin/env bash
# Live: a real Prometheus scrapes vsvad every second during KVM workloads;
# every panel expression of the dashboards, with Grafana's variables
# substituted, is queried through the HTTP API: no query errors, and every
# KVM and interrupt panel returns data, unless this host cannot produce it
# (a measurement vsva_probe_info reports unavailable, no device bound to
# vfio-pci) and the test says which.  The IOMMU board's queries must run
# without error (its data comes in the kernel tier's guest).
. "$(dirname "$0")/lib.sh"
require_live
command -v prometheus >/dev/null || { not_ok "prometheus not installed (make deps)"; exit 0; }
PY=/usr/bin/python3

start_vsvad || exit 1
start_prometheus || exit 0
sleep 3	# a few scrapes before the workloads: rates need two points

# workloads in both modes, MSI and IOAPIC irqfds, a failing ioctl
"$B/vsva-kvmload" -n 6 -m 8 --irqfd 50 >/dev/null &&
	"$B/vsva-kvmload" -n 4 -m 8 --mode memslot --irqfd 20 --irqfd-route ioapic >/dev/null ||
	not_ok "the workloads failed"
sleep 4	# scraped after

# what this host cannot produce, and why
empty=()
probe=$(curl -sf "http://$ADDR/metrics" | grep '^vsva_probe_info{')
if grep -q 'measurement="posted_interrupts",rung="none"' <<<"$probe"; then
	empty+=(--may-be-empty "Bypass ratio (lower bound)=posted_interrupts is unavailable on this host"
		--may-be-empty "Posted-interrupt events per CPU=posted_interrupts is unavailable on this host")
fi
if ! ls /sys/bus/pci/drivers/vfio-pci 2>/dev/null | grep -q '^0000:'; then
	empty+=(--may-be-empty "Bypass producers and connections=no device is bound to vfio-pci here"
		--may-be-empty "Posted-interrupt IRTE updates=no device is bound to vfio-pci here")
fi
$PY "$TOP/tests/panel-queries.py" "$PROM" "$TOP"/dashboards/*.json \
	--run-only vsva-iommu.json "${empty[@]}"
check "no query errors in Prometheus' log" "" \
	"$(grep -iE 'level=error' "$TMP/prometheus.log" | head -3)"
