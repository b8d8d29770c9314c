#!/usr/bin/env bash
# Static: every Grafana dashboard in dashboards/ follows the mixin
# conventions and names only metrics vsvad exports, with their labels
# (dashboards_check.py, from the measurement table's JSON); the checker
# itself catches a dashboard that breaks them.
cd "$(dirname "$0")/../.." || exit 1
PY=/usr/bin/python3
$PY tests/static/dashboards_check.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# a broken copy: each fault must be named
$PY - dashboards/vsva-kvm-memslots.json "$tmp/vsva-kvm-memslots.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p = d["panels"]
p[0]["targets"][0]["expr"] = p[0]["targets"][0]["expr"].replace("$__rate_interval", "5m")
del p[1]["fieldConfig"]["defaults"]["unit"]
p[3]["targets"][0]["expr"] = 'vsva_kvm_memslot_zap_total{job=~"$job",instance=~"$instance"}'
p[4]["targets"][0]["expr"] = 'sum(rate(vsva_kvm_memslot_zap_seconds_bucket{job=~"$job",instance=~"$instance"}[$__rate_interval]))'
p[5]["targets"][0]["expr"] = 'sum(rate(vsva_no_such_metric_total{job=~"$job",instance=~"$instance"}[$__rate_interval]))'
p[6]["datasource"] = {"type": "prometheus", "uid": "prometheus"}
p[2]["targets"][0]["expr"] = 'sum by (le) (rate(vsva_kvm_memslot_zap_seconds_bucket{job=~"$job",instance=~"$instance",path=~"msi"}[$__rate_interval]))'
d["editable"] = True
json.dump(d, open(sys.argv[2], "w"))
PY
out=$($PY tests/static/dashboards_check.py "$tmp/vsva-kvm-memslots.json")
for fault in 'range \[5m\] instead of \[\$__rate_interval\]' 'unit None' \
	'vsva_kvm_memslot_zap_total outside rate' 'not summed by le' \
	'vsva_no_such_metric_total is not a metric vsvad exports' \
	'datasource prometheus' '^not ok - vsva-kvm-memslots.json: not editable' \
	'vsva_kvm_memslot_zap_seconds_bucket has no label path'; do
	if echo "$out" | grep '^not ok' | grep -qE -- "$fault"; then
		echo "ok - the checker catches: $fault"
	else
		echo "not ok - the checker misses: $fault"
	fi
done
