#!/usr/bin/env bash
# Build the vsva kernel: Debian's linux-source-6.12 + kernel/patches +
# kernel/vsva.config, bzImage with BTF, and the iommufd selftest from the
# same tree.  The result is cached outside the checkout, keyed by a hash of
# the series, the config, this script and the source package version, so a
# second run is instant.  Prints the cache directory on standard output.
#
#   VSVA_KERNEL_CACHE  cache root (default /var/cache/vsva/kernel)
#   VSVA_KERNEL_WORK   build root (default /var/tmp/vsva/kernel)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache_root=${VSVA_KERNEL_CACHE:-/var/cache/vsva/kernel}
work_root=${VSVA_KERNEL_WORK:-/var/tmp/vsva/kernel}
tarball=/usr/src/linux-source-6.12.tar.xz
log() { echo "kernel: $*" >&2; }

if [ ! -f "$tarball" ]; then
	log "$tarball missing; installing the kernel build dependencies"
	"$here/../scripts/deps.sh" >&2
fi
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$(cat "$here"/patches/*.patch "$here/vsva.config" "$0" |
	{ sha256sum; echo "$srcver"; } | sha256sum | cut -c1-16)
out=$cache_root/$key
if [ -f "$out/bzImage" ] && [ -x "$out/iommufd" ]; then
	log "cached: $out"
	echo "$out"
	exit 0
fi

work=$work_root/$key
src=$work/src
obj=$work/obj
log "building $srcver + $(ls "$here"/patches | wc -l) patches in $work"
rm -rf "$src"
mkdir -p "$src" "$obj/selftest"
tar -xf "$tarball" -C "$src" --strip-components=1
for p in "$here"/patches/*.patch; do
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
rm -rf "$out"
mv "$out.tmp" "$out"
log "done: $out"
echo "$out"
