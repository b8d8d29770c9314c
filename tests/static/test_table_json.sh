#!/usr/bin/env bash
# Static: the measurement table as data (build/table.json, written by
# build/vsva-table at build time; no root, no BPF).  It parses, it is what
# vsva-table prints now, it holds every measurement and family of the C
# table (counted by the compiler, from the array itself), and
# scripts/gen-dashboards.py run from it reproduces the committed
# dashboards byte for byte; a table that lost a family or a label stops
# the generator, naming it.  (tests/unit/test_tablejson.c checks the
# document field by field.)
. "$(dirname "$0")/../live/lib.sh"
PY=/usr/bin/python3
J=$B/table.json
[ -x "$B/vsva-table" ] && [ -f "$J" ] ||
	{ not_ok "build/vsva-table and build/table.json not built (make)"; exit 0; }

$PY -m json.tool "$J" >/dev/null 2>"$TMP/err"
check "build/table.json parses (python3 -m json.tool)" "" "$(cat "$TMP/err")"
"$B/vsva-table" >"$TMP/now.json"
check "build/table.json is what build/vsva-table prints now" "" \
	"$(cmp "$J" "$TMP/now.json" 2>&1)"
"$B/vsva-table" --bad >/dev/null 2>&1
check "vsva-table with an operand: usage error" 2 $?

# the C side: the table's own length and its families, from libvsva
cat >"$TMP/count.c" <<'C'
#include "vsva/ladder.h"
int main(void)
{
	printf("%zu %zu\n", sizeof(vsva_measurements) /
	       sizeof(vsva_measurements[0]),
	       sizeof(vsva_families) / sizeof(vsva_families[0]));
	return 0;
}
C
cc -I"$TOP/include" -I"$B" "$TMP/count.c" -o "$TMP/count" "$B/libvsva.a" \
	-lbpf -lelf -lz -ltraceevent -lcap-ng -ljson-c -lm -lpthread 2>"$TMP/cc.err" ||
	not_ok "the counting program does not build: $(head -3 "$TMP/cc.err")"
want=$("$TMP/count")
got=$($PY -c 'import json, sys
t = json.load(open(sys.argv[1]))
print(len(t["measurements"]), sum(len(m["families"]) for m in t["measurements"]))' "$J")
check "every measurement and family of the C table is in it (measurements, families)" \
	"$want" "$got"
check "... and names them in the table's order" \
	"$("$B/vsvad" --probe --no-mount-tracefs 2>/dev/null | sed -n 's/^\([a-z_]*\) (.*/\1/p' | tr '\n' ' ')" \
	"$($PY -c 'import json, sys
print(*[m["name"] for m in json.load(open(sys.argv[1]))["measurements"]], end=" ")' "$J")"

# the dashboards, generated from the table, byte for byte
mkdir "$TMP/boards"
$PY "$TOP/scripts/gen-dashboards.py" --table "$J" --out "$TMP/boards" 2>"$TMP/err"
check "gen-dashboards.py runs from build/table.json" "" "$(cat "$TMP/err")"
for f in "$TOP"/dashboards/*.json; do
	check "gen-dashboards.py reproduces $(basename "$f") byte for byte" "" \
		"$(cmp "$f" "$TMP/boards/$(basename "$f")" 2>&1)"
done
check "... and writes no other dashboard" \
	"$(cd "$TOP/dashboards" && echo -- *.json)" "$(cd "$TMP/boards" && echo -- *)"
rm -f "$TMP"/boards/*

# a table that drifted from the dashboards: the generator names it
fault() {	# NAME PYTHON-EDIT-OF-t WANT
	$PY - "$J" "$TMP/bad.json" "$2" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
fam = {f["name"]: f for m in t["measurements"] for f in m["families"]}
exec(sys.argv[3])
json.dump(t, open(sys.argv[2], "w"))
PY
	out=$($PY "$TOP/scripts/gen-dashboards.py" --table "$TMP/bad.json" \
		--out "$TMP/boards" 2>&1)
	check "a table where $1: the generator stops" 1 $?
	check_match "... and says why" "$3" "$out"
}
fault "a family was renamed" \
	'fam["vsva_kvm_irq_injected_total"]["series"] = ["vsva_kvm_irq_injections_total"]' \
	'vsva_kvm_irq_injected_total is no series of the measurement table'
fault "a label went" 'fam["vsva_kvm_memslot_zap_total"]["labels"].remove("mode")' \
	'vsva_kvm_memslot_zap_total has no label mode'
fault "a histogram became a gauge" 'fam["vsva_iommu_sva_bind_seconds"]["type"] = "gauge"' \
	'vsva_iommu_sva_bind_seconds is no histogram'
fault "a family vsvad writes itself joined the table" \
	'fam["vsva_kvm_vmms_known"]["series"].append("vsva_build_info")' \
	'vsva_build_info is in the measurement table'
check "... and a stopped generator wrote nothing" "" "$(ls "$TMP/boards")"
