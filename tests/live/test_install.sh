#!/usr/bin/env bash
# Live: make install into a scratch DESTDIR (PREFIX=/usr) and use what it
# installed: vsvad --version, every man page renders without a warning,
# every program has one, the unit starts the installed vsvad, bash
# completion completes, the installed vsva-perf finds its dlfilter and
# reports a recording; make uninstall leaves nothing behind.
. "$(dirname "$0")/lib.sh"
require_live
root=$TMP/root

make -C "$TOP" install DESTDIR="$root" PREFIX=/usr >"$TMP/install.log" 2>&1
check "make install DESTDIR=... PREFIX=/usr: exit status" 0 $?
check "the installed vsvad runs" "vsvad 0.1.0" "$("$root/usr/sbin/vsvad" --version 2>&1)"

for p in "$root"/usr/sbin/* "$root"/usr/bin/*; do
	n=$(basename "$p")
	m=$(ls "$root"/usr/share/man/man[18]/"$n".[18].gz 2>/dev/null)
	if [ -z "$m" ]; then
		not_ok "$n: no man page installed"
		continue
	fi
	warn=$(man --warnings -l "$m" 2>&1 >/dev/null)
	check "man $n renders without a warning" "" "$warn"
	check_match "man $n: options, exit status, examples" \
		'OPTIONS.*EXIT STATUS.*EXAMPLES' "$(man -l "$m" 2>/dev/null | tr '\n' ' ')"
done

unit=$root/usr/lib/systemd/system/vsvad.service
check "the unit runs the installed vsvad" "/usr/sbin/vsvad --pin --listen 127.0.0.1:9477" \
	"$(sed -n 's/^ExecStart=//p' "$unit")"
check "rules and dashboards in share/vsva" True \
	"$([ -f "$root/usr/share/vsva/vsva-rules.yml" ] && echo True)"

comp=$root/usr/share/bash-completion/completions
got=$(bash -c ". '$comp/vsva-bench'; COMP_WORDS=(vsva-bench comp); COMP_CWORD=1;
	_vsva_bench; echo \"\${COMPREPLY[*]}\"")
check "bash completion: vsva-bench comp<TAB>" compare "$got"
got=$(bash -c ". '$comp/vsva-kvmload'; COMP_WORDS=(vsva-kvmload --page-size ''); COMP_CWORD=2;
	_vsva_kvmload; echo \"\${COMPREPLY[*]}\"")
check "bash completion: vsva-kvmload --page-size <TAB>" "4k 2m" "$got"

# the installed vsva-perf: its dlfilter from PREFIX/lib/vsva
if command -v perf >/dev/null; then
	"$root/usr/bin/vsva-perf" record -o "$TMP/i.data" -- \
		"$root/usr/bin/vsva-kvmload" -n 2 -m 4 >/dev/null 2>&1
	out=$(env -u VSVA_PERF_FILTER "$root/usr/bin/vsva-perf" report -i "$TMP/i.data" \
		--csv 2>"$TMP/perf.err")
	check "installed vsva-perf reports with its installed dlfilter: 2 all_fast deletions" 2 \
		"$(echo "$out" | awk -F, '$3 == "kvm_memslot_zap" && $4 == "all_fast" { n += $5 } END { print n + 0 }')"
else
	not_ok "perf not installed (make deps)"
fi

make -C "$TOP" uninstall DESTDIR="$root" PREFIX=/usr >>"$TMP/install.log" 2>&1
check "make uninstall: exit status" 0 $?
check "make uninstall leaves no file behind" "" \
	"$(find "$root" -type f -o -type l | sed "s|^$root||")"
