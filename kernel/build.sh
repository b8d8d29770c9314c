#!/usr/bin/env bash
# Build a vsva kernel: Debian's linux-source-VERSION + kernel/patches/VERSION
# + kernel/vsva.config, bzImage with BTF, and the iommufd selftest from the
# same tree.  The result is cached outside the checkout, keyed by a hash of
# the series, the config, this script and the source package version, so a
# second run is instant.  Prints the cache directory on standard output.
#
#   build.sh [VERSION]   6.12 (default; Debian 13's kernel, the backport)
#                        or 7.3 (trixie-backports, the series upstream
#                        reviews)
#
#   VSVA_KERNEL_CACHE  cache root (default /var/cache/vsva/kernel)
#   VSVA_KERNEL_WORK   build root (default /var/tmp/vsva/kernel)
#   VSVA_KERNEL_SRC    where fetched source packages are kept
#                      (default /var/cache/vsva/src)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ver=${1:-6.12}
cache_root=${VSVA_KERNEL_CACHE:-/var/cache/vsva/kernel}
work_root=${VSVA_KERNEL_WORK:-/var/tmp/vsva/kernel}
src_root=${VSVA_KERNEL_SRC:-/var/cache/vsva/src}
patches=$here/patches/$ver
log() { echo "kernel $ver: $*" >&2; }

if [ ! -d "$patches" ]; then
	echo "kernel: no series for '$ver' (have: $(ls "$here/patches" | tr '\n' ' '))" >&2
	exit 2
fi

# The source tarball and its Debian version.  6.12 is in Debian 12's own
# archive (make deps installs it); 7.3 is in trixie-backports, fetched
# with apt-get download through the matrix tier's private apt state and
# unpacked with dpkg-deb, so the system's apt is never touched.
source_of() {
	local deb
	if [ "$ver" = 6.12 ]; then
		if [ ! -f /usr/src/linux-source-6.12.tar.xz ]; then
			log "linux-source-6.12 missing; installing the kernel build dependencies"
			"$here/../scripts/deps.sh" >&2
		fi
		tarball=/usr/src/linux-source-6.12.tar.xz
		srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
		return
	fi
	mkdir -p "$src_root"
	# (no match is no error: set -e and pipefail would end the script)
	deb=$(ls "$src_root"/linux-source-"$ver"_*.deb 2>/dev/null | tail -1 || true)
	if [ -z "$deb" ]; then
		log "fetching linux-source-$ver (trixie-backports)"
		"$here/../tests/matrix/fetch.sh" --source "linux-source-$ver" "$src_root" >&2
		deb=$(ls "$src_root"/linux-source-"$ver"_*.deb | tail -1)
	fi
	srcver=$(dpkg-deb -f "$deb" Version)
	tarball=$src_root/linux-source-$ver/usr/src/linux-source-$ver.tar.xz
	if [ ! -f "$tarball" ]; then
		rm -rf "$src_root/linux-source-$ver"
		dpkg-deb -x "$deb" "$src_root/linux-source-$ver"
	fi
}
source_of

# the series (not its cover letter), the config, this script, the source
series=()
for p in "$patches"/0*.patch; do
	[ "${p##*/}" = 0000-cover-letter.patch ] || series+=("$p")
done
key=$(cat "${series[@]}" "$here/vsva.config" "$0" |
	{ sha256sum; echo "$ver $srcver"; } | sha256sum | cut -c1-16)
out=$cache_root/$key
if [ -f "$out/bzImage" ] && [ -x "$out/iommufd" ]; then
	log "cached: $out"
	echo "$out"
	exit 0
fi

work=$work_root/$key
src=$work/src
obj=$work/obj
log "building $srcver + ${#series[@]} patches in $work"
rm -rf "$src"
mkdir -p "$src" "$obj/selftest"
t0=$(date +%s)
tar -xf "$tarball" -C "$src" --strip-components=1
for p in "${series[@]}"; do
	patch -d "$src" -p1 --quiet --forward <"$p" ||
		{ log "patch $(basename "$p") does not apply"; exit 1; }
done

make -s -C "$src" O="$obj" x86_64_defconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"$here/vsva.config" >/dev/null
make -s -C "$src" O="$obj" olddefconfig
# every option the fragment asks for must have survived olddefconfig
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=y' "$here/vsva.config" |
	while read -r want; do grep -qx "$want" "$obj/.config" || echo "$want"; done)
if [ -n "$missing" ]; then
	log "config options lost in olddefconfig: $missing"
	exit 1
fi

jobs=$(nproc)
log "make bzImage (-j$jobs); this takes a while the first time"
make -s -C "$src" O="$obj" -j"$jobs" bzImage >&2
log "make headers_install and the iommufd selftest"
make -s -C "$src" O="$obj" headers_install INSTALL_HDR_PATH="$obj/usr" >&2
make -s -C "$src/tools/testing/selftests/iommu" O="$obj" \
	KHDR_INCLUDES="-isystem $obj/usr/include" OUTPUT="$obj/selftest" >&2

mkdir -p "$out.tmp"
cp "$obj/arch/x86/boot/bzImage" "$obj/vmlinux" "$obj/.config" "$out.tmp/"
cp "$obj/selftest/iommufd" "$out.tmp/iommufd"
echo "$ver $srcver $(( $(date +%s) - t0 ))" >"$out.tmp/build-info"
rm -rf "$out"
mv "$out.tmp" "$out"
log "done in $(( $(date +%s) - t0 )) s: $out"
echo "$out"
