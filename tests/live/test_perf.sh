#!/usr/bin/env bash
# Live: vsva-perf record -- vsva-kvmload, then vsva-perf report --json,
# with vsvad watching the same workload: the counts equal what the
# workload did and what vsvad counted; each deletion's time agrees with
# vsvad's histogram within the tolerance that follows from where each
# takes its timestamps; a tiny buffer under an
# irqfd flood reports lost events and marks the figures incomplete; bad
# input gets one line and its own exit status.
. "$(dirname "$0")/lib.sh"
require_live
command -v perf >/dev/null || { not_ok "perf not installed (make deps)"; exit 0; }

# jq-free JSON reading: python3 PATH EXPR (on the report's object j)
jget() { python3 -c "
import json, sys
j = json.load(open(sys.argv[1]))
try:
    print($2)
except (KeyError, IndexError, TypeError):
    print('absent')" "$1"; }

# vsva-perf and vsvad time the same tracepoints at different points:
# vsvad's programs read the clock when they run, perf stamps its sample
# after them, at each edge (and on its own clock).  A deletion's two
# durations differ by the difference of those offsets: 0.4 to 0.7 us on
# average here (sums of 20 deletions, 3 runs), so TOL = 5 us.  A syscall
# tracepoint may be preempted between the two stamps (they are faultable
# on recent kernels), which moves one deletion by a time slice: one such
# deletion is allowed (PREEMPT, 1 ms).  What follows, checked: the sums
# differ by at most n * TOL + PREEMPT, and at each bucket bound le of
# vsvad's histogram, the deletions vsvad counts at or below le are at
# least those vsva-perf times at or below le - TOL, less one, and at most
# those at or below le + TOL, plus one.
TOL=5e-6
within_tol() { # REPORT.json VM MODE: "ok" or what breaks
	scrape | python3 -c "
import json, re, sys
j = json.load(open(sys.argv[1]))
vm, mode, tol = sys.argv[2], sys.argv[3], float(sys.argv[4])
d = [o['seconds'] for o in j['slowest'] if o['vm'] == vm and o['mode'] == mode]
lab = 'vm=\"%s\",mode=\"%s\"' % (vm, mode)
cum, vsum = [], None
for line in sys.stdin:
    if lab not in line:
        continue
    if line.startswith('vsva_kvm_memslot_zap_seconds_bucket{'):
        le = re.search(r'le=\"([^\"]+)\"', line).group(1)
        cum.append((float('inf') if le == '+Inf' else float(le), float(line.split()[-1])))
    elif line.startswith('vsva_kvm_memslot_zap_seconds_sum{'):
        vsum = float(line.split()[-1])
bad = []
if vsum is None or not d:
    bad.append('no histogram or no deletions (%d)' % len(d))
elif abs(sum(d) - vsum) > len(d) * tol + 1e-3:
    bad.append('sums %.9f (perf) and %.9f (vsvad) differ by more than %d * TOL + PREEMPT' % (sum(d), vsum, len(d)))
for le, c in cum:
    lo = sum(x <= le - tol for x in d) - 1
    hi = sum(x <= le + tol for x in d) + 1
    if not lo <= c <= hi:
        bad.append('le=%g: vsvad %d, vsva-perf %d..%d' % (le, c, lo, hi))
print('; '.join(bad) or 'ok')" "$@" "$TOL"
}

start_vsvad || exit 1
"$B/vsva-perf" record -o "$TMP/p.data" -- \
	"$B/vsva-kvmload" -n 6 -m 4 --irqfd 25 >"$TMP/load.json" 2>"$TMP/rec.err"
check "vsva-perf record -- vsva-kvmload: exit status" 0 $?
check_match "record says which events measure kvm_memslot_zap, and why" \
	'kvm_memslot_zap: [a-z_]+ rung: ' "$(cat "$TMP/rec.err")"
said=$(sed -n 's/^vsva-perf: [a-z_]*: [a-z_]* rung: \([^ ]*\).*/\1/p' "$TMP/rec.err" |
	tr ',' '\n' | sort -u)
recorded=$(perf evlist -i "$TMP/p.data" 2>/dev/null | grep -E '^[a-z_]+:[a-z_0-9]+$' | sort -u)
check "the recording holds every event record named ($(echo "$said" | wc -l))" \
	"$said" "$recorded"
pid=$(json_field "$(cat "$TMP/load.json")" pid)
"$B/vsva-perf" report -i "$TMP/p.data" --json >"$TMP/r.json" 2>"$TMP/rep.err"
check "vsva-perf report --json: exit status" 0 $?
vm="vsva-kvmload/$pid"
V="[v for v in j['vms'] if v['vm'] == '$vm'][0]['measurements']"
check "report: the VM's 6 all_fast deletions" 6 \
	"$(jget "$TMP/r.json" "$V['kvm_memslot_zap']['all_fast']['count']")"
check "report: the VM's 25 MSI injections" 25 \
	"$(jget "$TMP/r.json" "$V['kvm_irq_injection']['msi']['count']")"
check "report: deletions equal vsvad's" \
	"$(metric vsva_kvm_memslot_zap_total "vm=\"$vm\",mode=\"all_fast\"")" \
	"$(jget "$TMP/r.json" "$V['kvm_memslot_zap']['all_fast']['count']")"
check "report: injections equal vsvad's" \
	"$(metric vsva_kvm_irq_injected_total "vm=\"$vm\",path=\"msi\"")" \
	"$(jget "$TMP/r.json" "$V['kvm_irq_injection']['msi']['count']")"
check "report: no lost events" 0 "$(jget "$TMP/r.json" "j['lost_events']")"
"$B/vsva-perf" report -i "$TMP/p.data" --json --top 100 >"$TMP/r100.json"
check "report --top 100: the slowest list holds the 6 deletions" 6 \
	"$(jget "$TMP/r100.json" "len([o for o in j['slowest'] if o['vm'] == '$vm' and o['mode'] == 'all_fast'])")"
check "report: each deletion's time agrees with vsvad's histogram and sum within TOL" ok \
	"$(within_tol "$TMP/r100.json" "$vm" all_fast)"
check "report: the slowest list is slowest first" True \
	"$(jget "$TMP/r100.json" "all(a['seconds'] >= b['seconds'] for a, b in zip(j['slowest'], j['slowest'][1:]))")"
check "report: MMU pages created equal vsvad's" \
	"$(metric vsva_kvm_mmu_pages_created_total "vm=\"$vm\"" | sed 's/absent/0/')" \
	"$(jget "$TMP/r.json" "$V.get('kvm_mmu_pages', {}).get('created', {}).get('count', 0)")"
check "report: pages rebuilt after deletions are among those created" True \
	"$(jget "$TMP/r.json" "sum(o['pages_rebuilt'] for o in j['slowest']) <= $V.get('kvm_mmu_pages', {}).get('created', {}).get('count', 0)")"
"$B/vsva-perf" report -i "$TMP/p.data" --csv >"$TMP/r.csv"
check "report --csv: the all_fast row" "$vm,$pid,kvm_memslot_zap,all_fast,6" \
	"$(grep -o "^$vm,$pid,kvm_memslot_zap,all_fast,[0-9]*" "$TMP/r.csv")"
"$B/vsva-perf" report -i "$TMP/p.data" --timeline >"$TMP/r.txt"
check "report --timeline: one line per all_fast deletion" 6 \
	"$(sed -n '/^Timeline:/,$p' "$TMP/r.txt" | grep -c 'kvm_memslot_zap  all_fast')"
"$B/vsva-perf" report -i "$TMP/p.data" --json -p 1 >"$TMP/none.json"
check "report -p: another pid's VMs only" 0 "$(jget "$TMP/none.json" "len(j['vms'])")"

# a VMM whose name (its executable's) holds a quote, a comma, a newline
# and a byte that is no UTF-8: valid JSON and CSV, the name as vsvad's
# labels write it (0xff as the text \xff)
odd=$'q"u,o\nte\xff'
cp "$B/vsva-kvmload" "$TMP/$odd"
"$B/vsva-perf" record -o "$TMP/odd.data" -- "$TMP/$odd" -n 2 -m 4 \
	>"$TMP/odd.json" 2>/dev/null
pid=$(json_field "$(cat "$TMP/odd.json")" pid)
"$B/vsva-perf" report -i "$TMP/odd.data" --json >"$TMP/odd-r.json"
check "an odd comm: --json is valid JSON, the comm and deletions as they were" \
	"'q\"u,o\\nte\\\\xff' 2" \
	"$(jget "$TMP/odd-r.json" "[' '.join((repr(v['comm']), str(v['measurements']['kvm_memslot_zap']['all_fast']['count']))) for v in j['vms'] if v['pid'] == $pid][0]")"
label=$(scrape | python3 -c "
import re, sys
for line in sys.stdin:
    m = re.match(r'vsva_kvm_memslot_zap_total\{vm=\"((?:[^\"\\\\]|\\\\.)*/$pid)\"', line)
    if m:
        print(repr(re.sub(r'\\\\(.)', lambda e: '\n' if e.group(1) == 'n' else e.group(1), m.group(1))))
        break")
check "... its vm reads as in vsvad's label" "$label" \
	"$(jget "$TMP/odd-r.json" "repr([v['vm'] for v in j['vms'] if v['pid'] == $pid][0])")"
"$B/vsva-perf" report -i "$TMP/odd.data" --csv >"$TMP/odd.csv"
check "... --csv is valid CSV (RFC 4180): even rows, the vm as in JSON" \
	"True $(jget "$TMP/odd-r.json" "repr([v['vm'] for v in j['vms'] if v['pid'] == $pid][0])")" \
	"$(python3 -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8', newline='')))
print(len(set(map(len, rows))) == 1, repr([r[0] for r in rows[1:] if r[1] == '$pid'][0]))" "$TMP/odd.csv")"

# a backend signalling the irqfd is not a VM: unattributed, as in vsvad
"$B/vsva-perf" record -o "$TMP/b.data" -- "$B/vsva-kvmload" -n 1 -m 4 \
	--irqfd 15 --irqfd-from-child >"$TMP/load.json" 2>/dev/null
"$B/vsva-perf" report -i "$TMP/b.data" --json >"$TMP/b.json"
check "report: a backend's 15 writes are unattributed" 15 \
	"$(jget "$TMP/b.json" "[v for v in j['vms'] if v['vm'] == 'unattributed'][0]['measurements']['kvm_irq_injection']['msi']['count']")"
stop_vsvad

# lost events: one page of buffer under an irqfd flood
"$B/vsva-perf" record -o "$TMP/lost.data" -m 1 -- "$B/vsva-kvmload" -n 0 \
	-m 4 --irqfd 300000 >/dev/null 2>&1
"$B/vsva-perf" report -i "$TMP/lost.data" --json >"$TMP/lost.json" 2>"$TMP/lost.err"
check_gt "a tiny buffer under a flood: lost events reported" 0 \
	"$(jget "$TMP/lost.json" "j['lost_events']")"
check "... and the figures marked incomplete" True \
	"$(jget "$TMP/lost.json" "j['incomplete']")"

# bad input: one line each, its own exit status
bad() { # WHAT STATUS ARGS...
	local what=$1 want=$2 err
	shift 2
	err=$("$B/vsva-perf" report "$@" 2>&1 >/dev/null)
	check "$what: exit status $want" "$want" $?
	check "$what: one line" 1 "$(printf '%s\n' "$err" | wc -l)"
}
printf 'not perf data\n' >"$TMP/text"
head -c 2000 "$TMP/p.data" >"$TMP/cut.data"
perf record -q -e sched:sched_switch -o "$TMP/sw.data" -- true 2>/dev/null
bad "no file" 3 -i "$TMP/absent.data"
bad "not a perf.data" 4 -i "$TMP/text"
bad "a truncated recording" 5 -i "$TMP/cut.data"
bad "a recording without any vsva event" 8 -i "$TMP/sw.data"
bad "an unknown --sort" 2 -i "$TMP/p.data" --sort fastest
err=$(PATH=/nonexistent "$B/vsva-perf" report -i "$TMP/p.data" 2>&1 >/dev/null)
check "perf missing: exit status 7" 7 $?
check_match "perf missing: says how to get it" 'linux-perf' "$err"

# another user's recording: refused unless --force, as perf refuses it
# (perf, seen through a wrapper, runs with -f only when forced)
mkdir "$TMP/bin"
printf '#!/bin/sh\necho "$*" >>"%s"\nexec "%s" "$@"\n' "$TMP/perf.args" \
	"$(command -v perf)" >"$TMP/bin/perf"
chmod +x "$TMP/bin/perf"
cp "$TMP/p.data" "$TMP/other.data"
chown nobody: "$TMP/other.data"
err=$(PATH=$TMP/bin:$PATH "$B/vsva-perf" report -i "$TMP/other.data" 2>&1 >/dev/null)
check "a recording owned by nobody: exit status 9" 9 $?
check_match "... and says why" "owned by uid [0-9]+.*--force" "$err"
check "... in one line" 1 "$(printf '%s\n' "$err" | wc -l)"
check "... perf was not run" 0 "$(cat "$TMP/perf.args" 2>/dev/null | grep -c script)"
PATH=$TMP/bin:$PATH "$B/vsva-perf" report -i "$TMP/other.data" --force --json \
	>"$TMP/other.json" 2>/dev/null
check "--force: read, exit 0" 0 $?
check "--force: the same 6 deletions" 6 \
	"$(jget "$TMP/other.json" "$V['kvm_memslot_zap']['all_fast']['count']")"
check "--force: perf script ran with -f" 1 "$(grep -c '^script -f ' "$TMP/perf.args")"
: >"$TMP/perf.args"
PATH=$TMP/bin:$PATH "$B/vsva-perf" report -i "$TMP/p.data" >/dev/null 2>&1
check "our own recording: perf script ran, without -f" "1 0" \
	"$(grep -c '^script ' "$TMP/perf.args") $(grep -c '^script -f ' "$TMP/perf.args")"
