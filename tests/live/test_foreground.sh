#!/usr/bin/env bash
# Live: the README's sequence leaves nothing behind.  vsvad in the
# foreground, the workloads, Ctrl-C (SIGINT): every program, map and link
# it held is gone and nothing is pinned.  A vsvad started with --pin (as
# the unit starts it) that stops leaves its pins and says so; the next
# vsvad without --pin reports them (log, metric, --probe) and leaves them
# alone; the next with --pin adopts them; --unpin refuses while a vsvad
# holds them, and that vsvad serves on.  (Pins surviving a service
# restart with exact counts: test_service, test_pin.)
. "$(dirname "$0")/lib.sh"
require_live
command -v bpftool >/dev/null || { not_ok "bpftool not installed (make deps)"; exit 0; }
export VSVA_PIN_ROOT=/sys/fs/bpf/vsva-fg-$$
trap 'cleanup; "$B/vsvad" --unpin >/dev/null 2>&1' EXIT

# gone KIND IDS...: how many of these ids bpftool still finds
gone() {
	local kind=$1 id n=0

	shift
	for id in "$@"; do
		bpftool "$kind" show id "$id" >/dev/null 2>&1 && n=$((n + 1))
	done
	echo "$n left of $#"
}

start_vsvad || exit 1
progs=$(bpf_ids prog) maps=$(bpf_ids map) links=$(bpf_ids link)
check_gt "vsvad holds programs" 0 "$(wc -w <<<"$progs")"
out=$("$B/vsva-kvmload" -n 10)
check "10 deletions counted" 10 "$(metric vsva_kvm_memslot_zap_total \
	"vm=\"vsva-kvmload/$(json_field "$out" pid)\",mode=\"all_fast\"")"
out=$("$B/vsva-kvmload" -n 0 --irqfd 1000)
check "1000 MSIs counted" 1000 "$(metric vsva_kvm_irq_injected_total \
	"vm=\"vsva-kvmload/$(json_field "$out" pid)\",path=\"msi\"")"
check_match "not asked to pin, it says so" \
	'^vsva_bpf_pins\{state="off",reason="not asked: --pin' "$(scrape | grep '^vsva_bpf_pins')"
kill -INT "$VSVAD_PID"
wait "$VSVAD_PID"
check "Ctrl-C: exit status 0" 0 $?
check "... its last words: exiting" "vsvad: exiting" "$(tail -1 "$VSVAD_LOG")"
# the kernel frees programs and maps after an RCU grace period and in
# a workqueue: allow it a moment
# shellcheck disable=SC2086
for _ in $(seq 50); do
	[ "$(gone prog $progs) $(gone map $maps)" = "0 left of $(wc -w <<<"$progs") 0 left of $(wc -w <<<"$maps")" ] && break
	sleep 0.1
done
# shellcheck disable=SC2086
{
check "... none of its programs is loaded" "0 left of $(wc -w <<<"$progs")" "$(gone prog $progs)"
check "... none of its maps" "0 left of $(wc -w <<<"$maps")" "$(gone map $maps)"
check "... none of its links" "0 left of $(wc -w <<<"$links")" "$(gone link $links)"
}
check "... nothing pinned" no "$([ -e "$VSVA_PIN_ROOT" ] && echo yes || echo no)"

# the unit's way: --pin; stopped, the programs count on, and it says so
start_vsvad --pin || exit 1
stop_vsvad
check_match "--pin, stopped: says its programs keep counting and how to remove them" \
	"exiting; its BPF programs stay pinned under $VSVA_PIN_ROOT and keep counting: .*vsvad --unpin removes them" \
	"$(tail -1 "$VSVAD_LOG")"
layout=$(basename "$(find "$VSVA_PIN_ROOT" -mindepth 1 -maxdepth 1)")
npins=$(find "$VSVA_PIN_ROOT" -path '*/links/*' | wc -l)
check_gt "... its links are pinned" 0 "$npins"

# a vsvad without --pin: reports them, leaves them alone
out=$("$B/vsvad" --probe)
check_match "--probe reports the orphaned pins" \
	"pinned state under $VSVA_PIN_ROOT/$layout \\($npins programs, [0-9]+ maps, pinned [0-9]+ s ago\\) held by no vsvad: left" \
	"$out"
start_vsvad || exit 1
check_match "a vsvad without --pin logs them" \
	"vsva: pinned state under $VSVA_PIN_ROOT/$layout \\($npins programs.*: left \\(.*vsvad --unpin removes them" \
	"$(cat "$VSVAD_LOG")"
check "... and exports them: vsva_bpf_orphan_programs{action=\"left\"}" "$npins" \
	"$(metric vsva_bpf_orphan_programs "layout=\"$layout\",action=\"left\"")"
stop_vsvad
check "... and leaves them alone" "$npins" "$(find "$VSVA_PIN_ROOT" -path '*/links/*' | wc -l)"

# the next --pin adopts them, and says so
start_vsvad --pin || exit 1
check "a vsvad with --pin adopts them: vsva_bpf_orphan_programs{action=\"adopted\"}" "$npins" \
	"$(metric vsva_bpf_orphan_programs "layout=\"$layout\",action=\"adopted\"")"
out=$("$B/vsvad" --unpin 2>&1)
check "--unpin while that vsvad holds them: exit 1" 1 $?
check_match "... and says who holds them" "another vsvad holds the pins under $VSVA_PIN_ROOT" "$out"
check "... the pins stay" "$npins" "$(find "$VSVA_PIN_ROOT" -path '*/links/*' | wc -l)"
out=$("$B/vsva-kvmload" -n 3)
check "... and the vsvad holding them counts on" 3 "$(metric vsva_kvm_memslot_zap_total \
	"vm=\"vsva-kvmload/$(json_field "$out" pid)\",mode=\"all_fast\"")"
check_match "... adopted, as it says" '^vsva_bpf_pins\{state="adopted"' "$(scrape | grep '^vsva_bpf_pins')"
stop_vsvad
"$B/vsvad" --unpin >/dev/null
check "--unpin once it stopped: nothing left" no "$([ -e "$VSVA_PIN_ROOT" ] && echo yes || echo no)"

# on a terminal, as in the quick start (tmux): once attached, vsvad lets
# go of it (code running in vsvad cannot push keys into root's shell with
# TIOCSTI), its stdin is /dev/null, and Ctrl-C still stops it
if command -v tmux >/dev/null; then
	S=vsva-fg-$$
	port=$(free_port)
	tmux new-session -d -s "$S" -x 120 -y 20 \
		"VSVA_PIN_ROOT= $B/vsvad --listen 127.0.0.1:$port 2>$TMP/tty.log; echo rc=\$? >>$TMP/tty.log; sleep 30"
	ADDR=127.0.0.1:$port
	wait_http "http://$ADDR/metrics" || not_ok "vsvad on a terminal did not start"
	tpid=$(pgrep -f -- "^$B/vsvad --listen 127.0.0.1:$port")
	check "on a terminal: no controlling terminal once attached (tty_nr 0)" 0 \
		"$(awk '{ print $7 }' "/proc/$tpid/stat")"
	check "... stdin is /dev/null" /dev/null "$(readlink "/proc/$tpid/fd/0")"
	tmux send-keys -t "$S" C-c
	for _ in $(seq 50); do grep -q '^rc=' "$TMP/tty.log" && break; sleep 0.1; done
	check "... Ctrl-C on the terminal stops it: exiting, status 0" "vsvad: exiting rc=0" \
		"$(tail -2 "$TMP/tty.log" | xargs)"
	tmux kill-session -t "$S" 2>/dev/null
else
	not_ok "tmux not installed (make deps)"
fi
