#!/usr/bin/env bash
# Live: a real Prometheus server scrapes vsvad; after a known workload the
# values Prometheus stored equal those in /metrics and what the workload did.
. "$(dirname "$0")/lib.sh"
require_live
if ! command -v prometheus >/dev/null; then
	not_ok "prometheus not installed (make deps)"
	exit 0
fi

start_vsvad || exit 1
start_prometheus || exit 0

out=$("$B/vsva-kvmload" -n 6 -m 4 --irqfd 50)
vm="vsva-kvmload/$(json_field "$out" pid)"

sel="{vm=\"$vm\",mode=\"all_fast\"}"
check "Prometheus stored the deletions" 6 \
	"$(prom_wait "vsva_kvm_memslot_zap_total$sel" 6)"
check "... equal to /metrics" "$(metric vsva_kvm_memslot_zap_total "vm=\"$vm\",mode=\"all_fast\"")" \
	"$(prom_query "vsva_kvm_memslot_zap_total$sel")"
check "Prometheus stored the histogram count" 6 \
	"$(prom_wait "vsva_kvm_memslot_zap_seconds_count$sel" 6)"
check "Prometheus stored the MSI injections" 50 \
	"$(prom_wait "sum(vsva_kvm_irq_injected_total{vm=\"$vm\",path=\"msi\"})" 50)"
p99=$(prom_query "histogram_quantile(0.99, vsva_kvm_memslot_zap_seconds_bucket$sel)")
check_gt "histogram_quantile over vsvad's buckets gives a p99" 0 "$p99"
check "the scrape target is up" 1 "$(prom_query "up{job=\"vsva\"}")"
check "no scrape errors logged by Prometheus" "" \
	"$(grep -iE 'level=(warn|error).*(scrape|vsva)' "$TMP/prometheus.log" | head -3)"
