#!/usr/bin/env bash
# Live: vsva-top on a terminal (tmux) and in batch mode, against the same
# workload that vsvad sees.
. "$(dirname "$0")/lib.sh"
require_live
command -v tmux >/dev/null || { not_ok "tmux not installed (make deps)"; exit 0; }

start_vsvad || exit 1
S=vsva-top-$$
tmux kill-session -t "$S" 2>/dev/null
TERM=xterm-256color tmux new-session -d -s "$S" -x 132 -y 30 \
	"$B/vsva-top -d 1; sleep 30"
"$B/vsva-top" --once --json -d 8 >"$TMP/top.json" 2>"$TMP/top.err" &
TOP=$!
sleep 2
out=$("$B/vsva-kvmload" -n 7 -m 4 --irqfd 30)
pid=$(json_field "$out" pid)
wait "$TOP"
check "vsva-top --once --json exits 0" 0 $?
row=$(grep -o "{\"vm\":\"vsva-kvmload/$pid\"[^}]*}" "$TMP/top.json")
check_match "the JSON has the workload's VM" "\"pid\":$pid" "$row"
vm="vm=\"vsva-kvmload/$pid\""
sum_vsvad() { scrape | awk -v n="$1{" -v l="$vm" 'index($0, n) == 1 && index($0, l) { s += $NF } END { print s + 0 }'; }
check "deletions: vsva-top JSON = vsvad = workload" "7 7" \
	"$(json_field "$row" deletions_total) $(sum_vsvad vsva_kvm_memslot_zap_total)"
check "injections: vsva-top JSON = vsvad = workload" "30 30" \
	"$(json_field "$row" irq_injected_total) $(sum_vsvad vsva_kvm_irq_injected_total)"

sleep 2
screen=$(tmux capture-pane -p -t "$S")
check_match "the screen shows the VM's pid with its 7 deletions" \
	"(^|[^0-9])$pid +vsva-kvmload +7 " "$screen"
check_match "the header shows the probe rungs" "kvm_memslot_zap:syscall_tracepoint" "$screen"
tmux send-keys -t "$S" h
sleep 1
check_match "h shows the help" "sort by the next" "$(tmux capture-pane -p -t "$S")"
tmux send-keys -t "$S" x
sleep 1.5
tmux send-keys -t "$S" v
sleep 1.5
check_match "v switches to the devices view" "DEVICE +MEASUREMENT" "$(tmux capture-pane -p -t "$S")"
tmux resize-window -t "$S" -x 40 -y 6 2>/dev/null
sleep 1.5
check_match "a small terminal gets a message, not a garbled screen" \
	"terminal too small" "$(tmux capture-pane -p -t "$S")"
tmux send-keys -t "$S" q
sleep 1
check "q quits vsva-top" "" "$(pgrep -f "^$B/vsva-top -d 1\$")"
tmux kill-session -t "$S" 2>/dev/null

# --from a running vsvad: no BPF, no root
"$B/vsva-top" --from "http://$ADDR/metrics" --once --json -d 5 >"$TMP/from.json" 2>&1 &
TOP=$!
sleep 1
out=$("$B/vsva-kvmload" -n 4 -m 4 --irqfd 12)
pid=$(json_field "$out" pid)
wait "$TOP"
row=$(grep -o "{\"vm\":\"vsva-kvmload/$pid\"[^}]*}" "$TMP/from.json")
vm="vm=\"vsva-kvmload/$pid\""
check "--from: deletions agree with vsvad" "4 4" \
	"$(json_field "$row" deletions_total) $(sum_vsvad vsva_kvm_memslot_zap_total)"
check "--from: injections agree with vsvad" "12 12" \
	"$(json_field "$row" irq_injected_total) $(sum_vsvad vsva_kvm_irq_injected_total)"
# the VM's 4 deletions all fell in the interval: p50 and p99 are the
# bounds where vsvad's histograms (summed over modes, by le) reach
# ranks 2 and 3.96
want=$(scrape | python3 -c "
import sys
cum = {}
for line in sys.stdin:
    if line.startswith('vsva_kvm_memslot_zap_seconds_bucket{') and '$vm' in line:
        le = line.split('le=\"')[1].split('\"')[0]
        if le != '+Inf':
            cum[float(le)] = cum.get(float(le), 0) + float(line.split()[-1])
print(*[min(le for le in cum if cum[le] >= q * 4) for q in (0.5, 0.99)])")
check "--from: p50 and p99 from vsvad's buckets, matched by bound" "$want" \
	"$(python3 -c "import json, sys; r = json.loads(sys.argv[1]); print(r['ZAP_P50'], r['ZAP_P99'])" "$row")"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$B/vsva-top" --from "http://$ADDR/metrics" --once -d 0.2 2>&1)
check "--from works without root" 0 $?
out=$("$B/vsva-top" --from "http://$ADDR/" --once -d 0.2 2>&1)
check "--from a page that is not vsvad's metrics: exit 1" 1 $?
check_match "... and says so" "not (a )?vsvad" "$out"
out=$("$B/vsva-top" --from "http://127.0.0.1:1/metrics" --once 2>&1)
check "--from an unreachable vsvad: exit 1" 1 $?
check_match "... and says why" "Couldn't connect" "$out"

out=$(env -u TERM "$B/vsva-top" 2>&1)
check "no TERM: exit status 2" 2 $?
check_match "no TERM: says what to use instead" "TERM is not set.*--once" "$out"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$B/vsva-top" --once 2>&1)
check "not root: exit status 3" 3 $?
check_match "not root: says why" "insufficient privileges" "$out"
out=$("$B/vsva-top" --delay 0 2>&1)
check "bad --delay: exit status 2" 2 $?
stop_vsvad
