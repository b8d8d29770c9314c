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

# query EXPR: the single value Prometheus has for EXPR now, or "none"
query() {
	curl -sf --data-urlencode "query=$1" "http://$PROM/api/v1/query" |
		sed -nE 's/.*"value":\[[0-9.]+,"([^"]+)"\].*/\1/p' | grep . || echo none
}
# wait_query EXPR WANT: until Prometheus has scraped WANT (bounded)
wait_query() {
	local i v
	for ((i = 0; i < 60; i++)); do
		v=$(query "$1")
		[ "$v" = "$2" ] && break
		sleep 0.5
	done
	echo "$v"
}
sel="{vm=\"$vm\",mode=\"all_fast\"}"
check "Prometheus stored the deletions" 6 \
	"$(wait_query "vsva_kvm_memslot_zap_total$sel" 6)"
check "... equal to /metrics" "$(metric vsva_kvm_memslot_zap_total "vm=\"$vm\",mode=\"all_fast\"")" \
	"$(query "vsva_kvm_memslot_zap_total$sel")"
check "Prometheus stored the histogram count" 6 \
	"$(wait_query "vsva_kvm_memslot_zap_seconds_count$sel" 6)"
check "Prometheus stored the MSI injections" 50 \
	"$(wait_query "sum(vsva_kvm_irq_injected_total{vm=\"$vm\",path=\"msi\"})" 50)"
p99=$(query "histogram_quantile(0.99, vsva_kvm_memslot_zap_seconds_bucket$sel)")
check_gt "histogram_quantile over vsvad's buckets gives a p99" 0 "$p99"
check "the scrape target is up" 1 "$(query "up{job=\"vsva\"}")"
check "no scrape errors logged by Prometheus" "" \
	"$(grep -iE 'level=(warn|error).*(scrape|vsva)' "$TMP/prometheus.log" | head -3)"
