#!/usr/bin/env bash
# Live: --rung M=RUNG works for every measurement and every one of its
# rungs (the walk is shared with the QEMU guests: tests/walk-rungs.sh);
# bad --rung values are usage errors that name the rungs.  --probe and
# --probe --json agree, the JSON's table is build/table.json's, and what
# vsvad exports is what the table says (the measurements are counted in
# the JSON, never in the C source).
. "$(dirname "$0")/lib.sh"
require_live

sh "$TOP/tests/walk-rungs.sh" "$B/vsvad" "$(free_port)" "curl -sf"

out=$(timeout 10 "$B/vsvad" --rung kvm_irq_injection=kprobe 2>&1)
check "a rung the measurement does not have: exit 2" 2 $?
check_match "... and the message lists its rungs" \
	'kvm_irq_injection has no rung .kprobe.; its rungs: fentry stock_tracepoint classic_tracepoint' "$out"
out=$("$B/vsvad" --rung nosuch=fentry 2>&1)
check "an unknown measurement: exit 2" 2 $?
check_match "... and the message says so" "no measurement 'nosuch'" "$out"
# --probe and --probe --json: the same measurements, rungs and choices;
# the JSON's table is the build's (build/table.json); the count is the
# table's own (vsva-table reads the array compiled into libvsva)
probe=$("$B/vsvad" --probe)
"$B/vsvad" --probe --json >"$TMP/probe.json"
check "--probe --json exits 0" 0 $?
n=$(grep -c '^[a-z_]* (' <<<"$probe")
want=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["measurements"]))' "$B/table.json")
check "--probe lists every measurement without loading anything ($want in build/table.json)" "$want" "$n"
check "--probe --json: each measurement's rung and reason, every rung and what it misses, as --probe prints them" "" \
	"$(diff <(awk '/^[a-z_]+ \(/ { sub(/,$/, "", $4); print $1, $4 ($5 == "approximate" ? " approximate" : "")
			getline; print "  why " substr($0, 3) }
		/^    [a-z_]+/ { print "  " $1 ($2 == "<-" ? " chosen" : "") }
		/^      missing: / { print "    missing " substr($0, 16) }' <<<"$probe") \
		<(python3 -c 'import json, sys
for m in json.load(open(sys.argv[1]))["measurements"]:
    c = m["chosen"]
    print(m["name"], c["rung"] + (" approximate" if c["approximate"] else ""))
    print("  why", c["reason"])
    for r in m["rungs"]:
        print("  " + r["rung"] + (" chosen" if r["chosen"] else ""))
        for why in r["missing"]:
            print("    missing", why)' "$TMP/probe.json"))"
check "--probe --json holds the table of build/table.json, and this kernel's choices" "" \
	"$(python3 -c 'import json, sys
p, t = (json.load(open(f)) for f in sys.argv[1:])
p.pop("kernel_features")
for m in p["measurements"]:
    m.pop("chosen")
    for r in m["rungs"]:
        for k in ("available", "missing", "refused", "chosen",
                  "optional_programs_here"):
            r.pop(k)
print("" if p == t else "they differ")' "$TMP/probe.json" "$B/table.json")"
check_match "--probe gives the perf events and filter of the syscall rung" \
	"syscalls:sys_enter_ioctl,syscalls:sys_exit_ioctl --filter 'cmd == 0x4020ae46" \
	"$probe"
out=$("$B/vsvad" --json 2>&1)
check "--json without --probe: exit 2" 2 $?
check_match "... and says so" "--json goes with --probe" "$out"

# what a running vsvad exports agrees with the table's JSON: every family
# of every measurement with a rung, with the table's type and help
start_vsvad || exit 0
scrape >"$TMP/metrics"
check_match "vsvad exports every family of its measurements as the table's JSON gives it (name, type, help)" \
	'^[1-9][0-9]* families, none differs$' "$(python3 - "$TMP/probe.json" "$TMP/metrics" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
help_, type_ = {}, {}
for line in open(sys.argv[2]):
    if line.startswith("# HELP "):
        name, text = line[7:].rstrip("\n").split(" ", 1)
        help_[name] = text.replace("\\n", "\n").replace("\\\\", "\\")
    elif line.startswith("# TYPE "):
        name, kind = line[7:].split()
        type_[name] = kind
bad, n = [], 0
for m in t["measurements"]:
    if m["chosen"]["rung"] == "none":
        continue
    for f in m["families"]:
        n += 1
        if (type_.get(f["name"]), help_.get(f["name"])) != (f["type"], f["help"]):
            bad.append(f"{f['name']}: {type_.get(f['name'])} "
                       f"{help_.get(f['name'])!r}")
print("; ".join(bad) or f"{n} families, none differs")
PY
)"
stop_vsvad
