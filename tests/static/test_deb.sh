#!/usr/bin/env bash
# Static: make deb builds the Debian package with dpkg-buildpackage and
# lintian finds no error in it; installed into a scratch root (dpkg-deb
# -x: dpkg --root would run the maintainer scripts in a root without a
# shell), vsvad runs from it; the unit is installed but its maintainer
# scripts neither enable nor start it; every program has its man page.
cd "$(dirname "$0")/../.." || exit 1
for t in dpkg-buildpackage dh lintian; do
	command -v $t >/dev/null || { echo "not ok - $t not installed (make deps)"; exit 0; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if make deb B="$tmp/b" >"$tmp/deb.log" 2>&1; then
	echo "ok - make deb: dpkg-buildpackage and lintian --fail-on error"
else
	echo "not ok - make deb failed:"
	tail -20 "$tmp/deb.log" | sed 's/^/#   /'
	exit 0
fi
deb=$(ls "$tmp"/b/deb/vsva_*_amd64.deb)
root=$tmp/root
dpkg-deb -x "$deb" "$root"
v=$("$root/usr/sbin/vsvad" --version 2>&1)
[ "$v" = "vsvad 0.1.0" ] && echo "ok - vsvad --version from the package ($v)" ||
	echo "not ok - vsvad from the package: '$v'"
[ -f "$root/lib/systemd/system/vsvad.service" ] &&
	echo "ok - the unit is in the package" || echo "not ok - no unit in the package"
dpkg-deb -e "$deb" "$tmp/ctl"
if grep -qE 'deb-systemd-invoke (start|restart)|systemctl (start|enable)' "$tmp"/ctl/post* 2>/dev/null; then
	echo "not ok - the maintainer scripts start or enable vsvad"
else
	echo "ok - the maintainer scripts neither enable nor start vsvad"
fi
tr -d '\\\n\t' <"$tmp/ctl/postinst" 2>/dev/null | grep -q 'adduser --system --group.* vsva' &&
	echo "ok - installing the package makes the system user vsvad becomes (postinst)" ||
	echo "not ok - the postinst does not make the vsva system user"
grep -q 'vsvad --unpin' "$tmp/ctl/prerm" 2>/dev/null &&
	echo "ok - removing the package removes vsvad's pinned BPF objects (prerm)" ||
	echo "not ok - the prerm does not run vsvad --unpin"
for p in "$root"/usr/sbin/* "$root"/usr/bin/*; do
	n=$(basename "$p")
	ls "$root"/usr/share/man/man[18]/"$n".[18].gz >/dev/null 2>&1 &&
		echo "ok - $n has its man page in the package" ||
		echo "not ok - $n has no man page in the package"
done
deps=$(dpkg-deb -f "$deb" Depends)
case $deps in
*libbpf1*libmicrohttpd12*) echo "ok - dependencies declared ($deps)" ;;
*) echo "not ok - dependencies: '$deps'" ;;
esac
