#!/usr/bin/env bash
# Live: any user with /dev/kvm names its VMM as it likes, and one label
# value that is not UTF-8 makes Prometheus refuse the whole scrape.  A KVM
# client whose executable name starts with bytes 0xff 0xfe and whose
# 15-byte comm cuts an "é" in two: vsvad's whole exposition stays valid
# UTF-8 (each bad byte is written "\xHH"), and a real Prometheus keeps the
# target up and stores the client's deletions under that name, which a
# PromQL selector can name exactly.
. "$(dirname "$0")/lib.sh"
require_live
if ! command -v prometheus >/dev/null; then
	not_ok "prometheus not installed (make deps)"
	exit 0
fi

# 0xff 0xfe "kvmload-abcd" then "é" (0xc3 0xa9): the kernel keeps 15
# bytes, so the comm ends in a lone 0xc3
name=$'\xff\xfe'kvmload-abcd$'\xc3\xa9'-tail
cp "$B/vsva-kvmload" "$TMP/$name"
start_vsvad || exit 1
start_prometheus || exit 0
out=$("$TMP/$name" -n 3 -m 1)
pid=$(json_field "$out" pid)
comm='\\xff\\xfekvmload-abcd\\xc3'	# as the exposition writes it
vm="$comm/$pid"
scrape >"$TMP/expo"
check "the exposition is valid UTF-8 (python3, strict)" valid \
	"$(python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8", "strict"); print("valid")' \
	<"$TMP/expo" 2>&1 | tail -1)"
# awk's -v would take the backslashes as escapes: grep -F
check "the deletions under \\xHH for each bad byte" 1 \
	"$(grep -cF "vsva_kvm_memslot_zap_total{vm=\"$vm\",mode=\"all_fast\"} 3" "$TMP/expo")"
check "vsva_kvm_vm_info's comm label alike" 1 \
	"$(grep -cF "comm=\"$comm\"" "$TMP/expo")"
check "Prometheus stored them" 3 \
	"$(prom_wait "vsva_kvm_memslot_zap_total{vm=~\".*/$pid\",mode=\"all_fast\"}" 3)"
check "... under the same name" 1 \
	"$(prom_query "count(vsva_kvm_memslot_zap_total{vm=\"$vm\"})")"
check "the scrape target is up" 1 "$(prom_query "up{job=\"vsva\"}")"

# a comm of 15 bytes that are no UTF-8 (each written \xHH, 60 bytes): two
# such VMMs keep their own /tgid, and so their own series
name=$(printf '\xff%.0s' $(seq 15))
cp "$B/vsva-kvmload" "$TMP/$name"
p1=$(json_field "$("$TMP/$name" -n 3 -m 1)" pid)
p2=$(json_field "$("$TMP/$name" -n 5 -m 1)" pid)
comm=$(printf '\\\\xff%.0s' $(seq 15))
scrape >"$TMP/expo2"
check "two VMMs named 15 bytes 0xff: 3 and 5 deletions under their own pids" "1 1" \
	"$(grep -cF "vsva_kvm_memslot_zap_total{vm=\"$comm/$p1\",mode=\"all_fast\"} 3" "$TMP/expo2") $(grep -cF "vsva_kvm_memslot_zap_total{vm=\"$comm/$p2\",mode=\"all_fast\"} 5" "$TMP/expo2")"
