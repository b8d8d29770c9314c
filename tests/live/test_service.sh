#!/usr/bin/env bash
# Live: vsvad as the systemd unit runs it, a non-root user with only the
# unit's ambient capabilities, serves and counts; the unit file verifies.
. "$(dirname "$0")/lib.sh"
require_live

unit=$TOP/dist/vsvad.service
caps=$(sed -n 's/^AmbientCapabilities=//p' "$unit" | tr 'A-Z ' 'a-z,' | sed 's/cap_/+/g')
check "the unit grants CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH" \
	"+bpf,+perfmon,+dac_read_search" "$caps"
if command -v systemd-analyze >/dev/null; then
	# the ExecStart binary is not installed here: ignore that complaint
	out=$(systemd-analyze verify "$unit" 2>&1 | grep -v '/usr/local/sbin/vsvad')
	check "systemd-analyze verify has nothing else to say" "" "$out"
fi

ADDR=127.0.0.1:$(free_port)
setpriv --reuid=nobody --regid=nogroup --clear-groups \
	--inh-caps="$caps" --ambient-caps="$caps" \
	"$B/vsvad" --listen "$ADDR" >"$TMP/svc.log" 2>&1 &
VSVAD_PID=$!
PIDS+=("$VSVAD_PID")
if ! wait_http "http://$ADDR/metrics"; then
	not_ok "vsvad with the unit's capabilities did not start: $(cat "$TMP/svc.log")"
	exit 0
fi
check_match "as nobody with ambient caps: memslot measurement available" \
	'rung="syscall_tracepoint"' \
	"$(scrape | grep '^vsva_probe_info{measurement="kvm_memslot_zap"')"
out=$("$B/vsva-kvmload" -n 3 -m 4)
check "as nobody with ambient caps: deletions counted" 3 \
	"$(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$(json_field "$out" pid)\",mode=\"all_fast\"")"
check "as nobody: only CAP_BPF kept after attach" 0000008000000000 \
	"$(awk '/^CapEff:/ { print $2 }' "/proc/$VSVAD_PID/status")"
check "without CAP_SYS_ADMIN: BPF statistics reported off" 0 \
	"$(metric vsva_bpf_stats_enabled '')"
check "... and no run-time samples (never silent zeros)" 0 \
	"$(scrape | grep -c '^vsva_bpf_prog_run')"
stop_vsvad
check "as nobody: exits 0" 0 $?

# Pins as the unit has them: a directory in bpffs made for the user before
# the start (the unit's ExecStartPre), reached with CAP_DAC_READ_SEARCH
PROOT=/sys/fs/bpf/vsva-svc-$$
trap 'cleanup; VSVA_PIN_ROOT=$PROOT "$B/vsvad" --unpin >/dev/null 2>&1; rm -rf "$PROOT" "$PROOT-canary"' EXIT
# the unit's own ExecStartPre (vsvad --prepare-pins, as root), for this
# root, this build and user nobody
pre=$(sed -n "s/^ExecStartPre=-+//p" "$unit" | sed "s|/usr/local/sbin/vsvad|$B/vsvad|; s/%u/nobody/g")
check_match "the unit prepares the pin root with vsvad itself" "^$B/vsvad --prepare-pins nobody\$" "$pre"
unit_pre() { VSVA_PIN_ROOT=$PROOT $pre; }
mkdir -m 0700 "$PROOT-canary" && ln -s "$PROOT-canary" "$PROOT"
out=$(unit_pre 2>&1)
check "the unit's ExecStartPre refuses a symlinked root" 1 $?
check_match "... and says so" "a symbolic link or not a directory: refused" "$out"
check "... its target keeps its owner and mode" "root 700" "$(stat -c '%U %a' "$PROOT-canary")"
rm -f "$PROOT"
# a root another user made first, with a tree of theirs: refused, untouched
mkdir -p -m 0700 "$PROOT/theirs" && chown -R daemon "$PROOT"
out=$(unit_pre 2>&1)
check "... a root another user made first: refused" 1 $?
check_match "... and says whose" "belongs to uid $(id -u daemon)" "$out"
check "... its tree keeps its owner" "daemon daemon" \
	"$(stat -c %U "$PROOT" "$PROOT/theirs" | xargs)"
rm -rf "$PROOT"
unit_pre >/dev/null
check "the unit's ExecStartPre makes the root for the user" "nobody 700" \
	"$(stat -c '%U %a' "$PROOT")"
# a root a dynamic user of the unit held before (its uid changed): handed
# on, tree and all, by descriptor: a link inside is not followed
mkdir -p "$PROOT/layout/obj" && ln -s "$PROOT-canary" "$PROOT/layout/link" &&
	chown -hR 61200:61200 "$PROOT"
unit_pre >/dev/null
check "a dynamic user's root: handed to the user, tree and all" "nobody nobody nobody" \
	"$(stat -c %U "$PROOT" "$PROOT/layout" "$PROOT/layout/obj" | xargs)"
check "... the link inside not followed" root "$(stat -c %U "$PROOT-canary")"
rm -rf "$PROOT/layout"
# the unit's own options (its --listen overridden by ours, given last)
unit_args=$(sed -n 's|^ExecStart=/usr/local/sbin/vsvad ||p' "$unit")
check_match "the unit starts vsvad with --pin" '(^| )--pin( |$)' "$unit_args"
svc_start() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps="$caps" --ambient-caps="$caps" \
		env VSVA_PIN_ROOT="$PROOT" "$B/vsvad" $unit_args --listen "$ADDR" \
		>>"$TMP/svc.log" 2>&1 &
	VSVAD_PID=$!
	PIDS+=("$VSVAD_PID")
	wait_http "http://$ADDR/metrics"
}
pins() { scrape | sed -nE 's/^vsva_bpf_pins\{state="([a-z]+)".*/\1/p'; }
svc_start
s1=$(pins)
p1=$(json_field "$("$B/vsva-kvmload" -n 2 -m 1)" pid)
stop_vsvad
p2=$(json_field "$("$B/vsva-kvmload" -n 3 -m 1)" pid)
svc_start
check "as nobody, pinned: fresh, then adopted after a restart" "fresh adopted" "$s1 $(pins)"
check "... deletions before (2) and during (3) the restart counted" "2 3" \
	"$(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$p1\",mode=\"all_fast\"") $(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$p2\",mode=\"all_fast\"")"
stop_vsvad
