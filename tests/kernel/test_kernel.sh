#!/usr/bin/env bash
# Kernel tier: build the patched kernel (cached), boot it under QEMU/TCG
# with an initramfs holding vsva, and report what the guest checked.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$TOP/build
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if ! command -v qemu-system-x86_64 >/dev/null || ! command -v busybox >/dev/null; then
	echo "skip - qemu-system-x86 or busybox-static not installed (make deps)"
	exit 0
fi
# VSVA_KERNEL_DIR: a directory with bzImage and iommufd built elsewhere
kout=${VSVA_KERNEL_DIR:-$("$TOP/kernel/build.sh" 2>"$TMP/build.log" | tail -1)}
if [ ! -f "$kout/bzImage" ]; then
	echo "not ok - kernel build failed:"
	tail -40 "$TMP/build.log" 2>/dev/null | sed 's/^/#   /'
	exit 0
fi
echo "ok - kernel built ($kout)"

# initramfs: busybox, vsva's binaries and the libraries they need
root=$TMP/root
mkdir -p "$root"/{bin,lib,lib64,vsva,proc,sys,dev,tmp}
cp "$(command -v busybox)" "$root/bin/busybox"
cp "$B/vsvad" "$B/vsva-kvmload" "$kout/iommufd" "$root/vsva/"
cp "$(command -v strace)" "$root/bin/strace"
for lib in $(ldd "$B/vsvad" "$kout/iommufd" "$(command -v strace)" |
	     awk '/=> \//{ print $3 }' | sort -u); do
	cp -L "$lib" "$root/lib/"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
install -m 755 "$TOP/tests/kernel/guest-init.sh" "$root/init"
cp "$TOP/tests/walk-rungs.sh" "$root/vsva/"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$TMP/initrd.gz"

timeout 900 qemu-system-x86_64 -machine q35 -accel tcg,thread=single \
	-cpu max -m 2048 -smp 2 -device intel-iommu,intremap=on \
	-kernel "$kout/bzImage" -initrd "$TMP/initrd.gz" -nographic -no-reboot \
	-append "console=ttyS0 panic=-1 intel_iommu=off" \
	</dev/null >"$TMP/console.log" 2>&1
rc=$?
[ -n "${VSVA_KEEP_CONSOLE:-}" ] && cp "$TMP/console.log" "$VSVA_KEEP_CONSOLE"
tr -d '\r' <"$TMP/console.log" >"$TMP/console.txt"
sed -n 's/^VSVA ok - /ok - guest: /p; s/^VSVA not ok - /not ok - guest: /p' "$TMP/console.txt"
grep '^VSVA iommufd:' "$TMP/console.txt" | sed 's/^VSVA /# /'

# KUnit results are on the console, in KTAP
if grep -qE '^(\[ *[0-9.]+\] )?ok [0-9]+ irqbypass$' "$TMP/console.txt"; then
	echo "ok - KUnit irqbypass suite: $(grep -E '# irqbypass: pass:' "$TMP/console.txt" | head -1 | sed 's/.*# //')"
else
	echo "not ok - KUnit irqbypass suite did not pass:"
	grep -E 'irqbypass' "$TMP/console.txt" | head -20 | sed 's/^/#   /'
fi
if ! grep -q '^VSVA-DONE' "$TMP/console.txt"; then
	echo "not ok - the guest did not finish (qemu exit $rc); console:"
	tail -60 "$TMP/console.txt" | sed 's/^/#   /'
fi
