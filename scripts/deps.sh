#!/bin/sh
# Install the Debian 12 packages vsva needs to build and test.
# Idempotent and non-interactive; run as root (or through sudo).
set -eu

PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config
libmicrohttpd-dev libgnutls28-dev libcurl4-openssl-dev libyaml-dev libcrypt-dev libncurses-dev libcap-ng-dev libcmocka-dev libclang-rt-14-dev libtraceevent-dev linux-perf libjson-c-dev
prometheus prometheus-node-exporter tmux curl apache2-utils openssl gnuplot-nox strace bpftrace python3-scipy
linux-source-6.12 qemu-system-x86 busybox-static flex bison bc libssl-dev
dwarves rsync cpio xz-utils patch libcap-dev debhelper lintian man-db
testssl.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: must run as root (try: sudo make deps)" >&2
	exit 1
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
