#!/usr/bin/env bash
# Live: a local user cannot make root's vsvad delete, adopt or write
# through a pin root it prepared.  bpffs mounted without mode= is 1777, so
# any user can make the root's name first: as a symbolic link to a
# directory (a canary tree that must survive a start, a stop and
# --unpin), through a link in a parent component, as a directory of its
# own, or one that others may write.  vsvad refuses each, says why, and
# --unpin exits non-zero; a bpffs that vsvad mounts itself is root's
# alone (mode 0700).
. "$(dirname "$0")/lib.sh"
require_live
BPFFS=/sys/fs/bpf
mountpoint -q "$BPFFS" || mount -t bpf -o mode=0700 bpf "$BPFFS"
R=$BPFFS/vsva-attack-$$
CANARY=$TMP/canary
LINKS=("$R-link" "$R-dir/link" "$R-comp")
trap 'cleanup; rm -rf "${LINKS[@]}" "$R-real" "$R-other" "$R-open" "$R-dir"' EXIT

canary() { # a tree that must stay whole
	mkdir -p "$CANARY/sub" && echo precious >"$CANARY/sub/file" &&
		echo kept >"$CANARY/top"
}
intact() { [ "$(cat "$CANARY/sub/file" "$CANARY/top" 2>/dev/null)" = "precious
kept" ] && echo intact || echo damaged; }
pins() { scrape | sed -nE 's/^vsva_bpf_pins\{(.*)\} 1$/\1/p'; }

# ROOT NAME WHY-REGEX: vsvad started with VSVA_PIN_ROOT=ROOT runs
# unpinned and says why; stopped; then --unpin refuses
refused() {
	local root=$1 name=$2 why=$3 out rc

	VSVA_PIN_ROOT=$root start_vsvad --pin || return
	check_match "$name: vsvad runs unpinned and says why" \
		"^state=\"off\",reason=\"$why" "$(pins)"
	stop_vsvad
	check "$name: the canary survived a start and a stop" intact "$(intact)"
	out=$(VSVA_PIN_ROOT=$root "$B/vsvad" --unpin 2>&1)
	rc=$?
	check "$name: --unpin exits 1" 1 "$rc"
	check_match "$name: --unpin says why" "vsvad: --unpin: .*$why" "$out"
	check "$name: the canary survived --unpin" intact "$(intact)"
}

# 1. the root's name is a symbolic link to a directory outside bpffs
canary
ln -s "$CANARY" "$R-link"
refused "$R-link" "a symlinked root" \
	"$R-link: a symbolic link or not a directory: refused"

# 2. a parent component is a link (to a real bpffs directory)
mkdir -m 0700 "$R-real"
ln -s "$R-real" "$R-comp"
refused "$R-comp/vsva" "a symlinked parent" \
	"$R-comp: component 'vsva-attack-$$-comp': a symbolic link"
check "... nothing was made through it" 0 "$(find "$R-real" -mindepth 1 | wc -l)"

# 3. another user's directory, with a canary subtree of its own
mkdir -p "$R-other/keep/me" && chown -R nobody "$R-other"
refused "$R-other" "another user's root" "$R-other belongs to uid $(id -u nobody)"
check "... its tree survived" yes "$([ -d "$R-other/keep/me" ] && echo yes || echo no)"

# 4. root's own directory that others may write
mkdir -p "$R-open/keep" && chmod 0777 "$R-open"
refused "$R-open" "a root others may write" \
	"$R-open belongs to uid 0 or others may write it \\(mode 0777\\)"
check "... its tree survived" yes "$([ -d "$R-open/keep" ] && echo yes || echo no)"

# 5. a link inside a good root is removed as a name, never followed
VSVA_PIN_ROOT=$R-dir start_vsvad --pin || exit 0
check_match "a root of its own: pinned" '^state="fresh"' "$(pins)"
stop_vsvad
ln -s "$CANARY" "$R-dir/link"
out=$(VSVA_PIN_ROOT=$R-dir "$B/vsvad" --unpin 2>&1)
check "--unpin of a root holding a link: exit 0" 0 $?
check "... the link's target survived" intact "$(intact)"
check "... and the root is gone" no "$([ -e "$R-dir" ] && echo yes || echo no)"

# 6. the lock is the root's descriptor: no lock file in /tmp or /run
check "no lock file in /tmp or /run" 0 \
	"$(find /tmp /run -maxdepth 1 -name "vsva-attack-$$*.lock" | wc -l)"

# 7. the bpffs vsvad mounts is root's alone, in a mount namespace of
# this test's own
mode=$(unshare -m --propagation private bash -c '
	umount '"$BPFFS"' 2>/dev/null
	VSVA_PIN_ROOT='"$BPFFS"'/vsva '"$B"'/vsvad --pin --listen 127.0.0.1:'"$(free_port)"' \
		>'"$TMP"'/ns.log 2>&1 &
	for i in $(seq 50); do
		grep -q "vsva: pins:" '"$TMP"'/ns.log && break
		sleep 0.1
	done
	stat -c %a '"$BPFFS"'
	kill $! && wait $!' 2>&1)
check "bpffs mounted by vsvad: root's alone (mode 0700, and bpffs' sticky bit)" \
	1700 "$mode"
