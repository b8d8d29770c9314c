#!/usr/bin/env bash
# Live: missing privileges, tracefs, /dev/kvm or BTF, a busy port and bad
# options each give a clear message and the documented exit status.
. "$(dirname "$0")/lib.sh"
require_live

# in_ns SETUP [VSVAD ARGS...]: start vsvad in a private mount namespace
# after running SETUP there (sets VSVAD_PID, ADDR, VSVAD_LOG).
in_ns() {
	local setup=$1
	shift
	ADDR=127.0.0.1:$(free_port)
	VSVAD_LOG=$TMP/ns.$RANDOM.log
	unshare --mount --propagation private bash -c \
		"$setup && exec \"\$0\" \"\$@\"" "$B/vsvad" --listen "$ADDR" "$@" \
		>"$VSVAD_LOG" 2>&1 &
	VSVAD_PID=$!
	PIDS+=("$VSVAD_PID")
	wait_http "http://$ADDR/metrics" ||
		{ not_ok "vsvad did not start: $(cat "$VSVAD_LOG")"; return 1; }
}

probe_line() {
	scrape | grep "^vsva_probe_info{measurement=\"$1\""
}

# --- not root ---------------------------------------------------------
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$B/vsvad" --listen 127.0.0.1:"$(free_port)" 2>&1)
rc=$?
check "not root: exit status 3" 3 "$rc"
check_match "not root: says what is missing" \
	'insufficient privileges.*CAP_BPF.*CAP_PERFMON' "$out"

# --- tracefs unmounted: vsvad mounts it ---------------------------------
unmount_tracing='umount -l /sys/kernel/tracing 2>/dev/null; umount -l /sys/kernel/debug 2>/dev/null; ! test -e /sys/kernel/tracing/events'
if in_ns "$unmount_tracing"; then
	check_match "tracefs unmounted: vsvad mounts it" \
		'mounted tracefs at /sys/kernel/tracing' "$(cat "$VSVAD_LOG")"
	check_match "tracefs unmounted: syscall rung still works" \
		'rung="syscall_tracepoint"' "$(probe_line kvm_memslot_zap)"
	stop_vsvad
fi

# --- tracefs unmounted and not to be mounted: exact advice --------------
if in_ns "$unmount_tracing" --no-mount-tracefs; then
	line=$(probe_line kvm_memslot_zap)
	check_match "--no-mount-tracefs: memslot measurement unavailable" \
		'rung="none"' "$line"
	check_match "--no-mount-tracefs: reason gives the mount command" \
		"mount -t tracefs nodev /sys/kernel/tracing" "$line"
	check_match "--no-mount-tracefs: tp_btf rungs unaffected" \
		'rung="stock_tracepoint"' "$(probe_line kvm_mmu_pages)"
	stop_vsvad
	check "--no-mount-tracefs: vsvad exits 0" 0 $?
fi

# --- no /dev/kvm --------------------------------------------------------
if in_ns 'mount -t tmpfs tmpfs /dev && mknod -m 666 /dev/null c 1 3'; then
	check_match "no /dev/kvm: memslot measurement unavailable, says why" \
		'rung="none".*reason="no /dev/kvm' "$(probe_line kvm_memslot_zap)"
	check_match "no /dev/kvm: kvm_mmu_pages unavailable too" \
		'rung="none"' "$(probe_line kvm_mmu_pages)"
	check_match "no /dev/kvm: families still declared" \
		'# TYPE vsva_kvm_memslot_zap_total counter' "$(scrape)"
	stop_vsvad
	check "no /dev/kvm: vsvad exits 0" 0 $?
fi

# --- no kernel BTF --------------------------------------------------------
: >"$TMP/empty"
if in_ns "mount --bind $TMP/empty /sys/kernel/btf/vmlinux"; then
	check_match "no BTF: measurement unavailable, names the config option" \
		'rung="none".*CONFIG_DEBUG_INFO_BTF' "$(probe_line kvm_memslot_zap)"
	stop_vsvad
	check "no BTF: vsvad exits 0" 0 $?
fi

# --- a forced rung the kernel refuses: unavailable, never another rung ---
start_vsvad --rung kvm_memslot_zap=fentry || exit 1
check_match "--rung fentry on a kernel that refuses fentry: unavailable" \
	'rung="none".*forced rung fentry is not available' \
	"$(probe_line kvm_memslot_zap)"
stop_vsvad
out=$("$B/vsvad" --rung kvm_memslot_zap=bogus 2>&1)
check "--rung with an unknown rung: exit status 2" 2 $?

# --- port in use ---------------------------------------------------------
start_vsvad || exit 1
out=$("$B/vsvad" --listen "$ADDR" 2>&1)
rc=$?
check "port in use: exit status 4" 4 "$rc"
check_match "port in use: says so" "cannot listen on $ADDR: Address already in use" "$out"
stop_vsvad

# --- bad options -----------------------------------------------------------
for args in "--listen nonsense" "--listen 999.1.1.1:80" "--retention -5" \
	    "--retention 1x" "--bogus" "extra-arg"; do
	# shellcheck disable=SC2086
	out=$("$B/vsvad" $args 2>&1)
	check "vsvad $args: exit status 2" 2 $?
	check_match "vsvad $args: message" '^vsvad: |Usage' "$out"
done
out=$("$B/vsvad" --help)
check_match "vsvad --help documents exit statuses" "Exit status" "$out"
for args in "-n -1" "-m 0" "--mode fast" "-r 99999"; do
	# shellcheck disable=SC2086
	"$B/vsva-kvmload" $args >/dev/null 2>&1
	check "vsva-kvmload $args: exit status 2" 2 $?
done
