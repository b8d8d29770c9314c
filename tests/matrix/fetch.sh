#!/usr/bin/env bash
# Fetch Debian's own kernel packages for the kernel matrix tier: the
# linux-image-amd64 of bullseye (5.10), bookworm (6.1), trixie (6.12) and
# trixie-backports (the newest, 7.x), unpacked and cached by version.
# Uses a private apt state under the cache (its own sources list, lists
# and archives), through the mirror the machine's apt already uses; never
# touches the system's apt state and never builds a kernel.
#
#   fetch.sh [SUITE...]     default: bullseye bookworm trixie trixie-backports
#   fetch.sh --source PKG DIR
#                           download the newest PKG of any of those suites
#                           (e.g. linux-source-7.3) as a .deb into DIR
#
# For each suite prints one line "SUITE VERSION DIR" on standard output;
# DIR holds vmlinuz and lib/modules/VERSION (KVM modules included).
#   VSVA_MATRIX_CACHE  cache root (default /var/cache/vsva/kernels)
set -euo pipefail
cache=${VSVA_MATRIX_CACHE:-/var/cache/vsva/kernels}
source_pkg=
if [ "${1:-}" = --source ]; then
	[ $# -eq 3 ] || { echo "usage: fetch.sh --source PKG DIR" >&2; exit 2; }
	source_pkg=$2 source_dir=$3
	set --
fi
suites=${*:-bullseye bookworm trixie trixie-backports}
log() { echo "matrix-fetch: $*" >&2; }

mirror() {
	local m
	m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources |
	    awk '{ print $2 }' | grep -v security | head -1)
	[ -n "$m" ] || m=$(grep -hs '^deb ' /etc/apt/sources.list |
			   awk '{ print $2 }' | grep -v security | head -1)
	echo "${m:-http://deb.debian.org/debian}"
}

apt_state=$cache/apt
aptc() {
	apt-get -q -o Dir::Etc::sourcelist="$apt_state/sources.list" \
		-o Dir::Etc::sourceparts=- -o Dir::State="$apt_state/state" \
		-o Dir::State::status=/var/lib/dpkg/status \
		-o Dir::Cache="$apt_state/cache" -o APT::Architecture=amd64 \
		-o Acquire::Languages=none -o APT::Sandbox::User=root -o Debug::NoLocking=1 "$@"
}

setup_apt() {
	local m s
	m=$(mirror)
	mkdir -p "$apt_state/state/lists/partial" "$apt_state/cache/archives/partial"
	: >"$apt_state/sources.list.new"
	for s in bullseye bookworm trixie trixie-backports; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $m $s main" \
			>>"$apt_state/sources.list.new"
	done
	mv "$apt_state/sources.list.new" "$apt_state/sources.list"
	# one update a day is plenty for released suites
	if [ -z "$(find "$apt_state/state/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
		log "apt-get update (private lists, mirror $m)"
		aptc update >&2
	fi
}

aptcache() {
	apt-cache -o Dir::Etc::sourcelist="$apt_state/sources.list" \
		-o Dir::Etc::sourceparts=- -o Dir::State="$apt_state/state" \
		-o Dir::State::status=/var/lib/dpkg/status \
		-o Dir::Cache="$apt_state/cache" "$@"
}

# The versioned image package linux-image-amd64 depends on, for one suite.
image_pkg() {
	aptcache show "linux-image-amd64/$1" 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*\).*/\1/p' | head -1
}

# Fetch the newest package called $2 from suite $1 into $3 (unpacked).
fetch_unpack() {
	local suite=$1 pkg=$2 dest=$3 tmp
	tmp=$(mktemp -d)
	(cd "$tmp" && aptc download -t "$suite" "$pkg" >&2) || { rm -rf "$tmp"; return 1; }
	dpkg-deb -x "$tmp"/*.deb "$dest"
	rm -rf "$tmp"
}

setup_apt
if [ -n "$source_pkg" ]; then
	mkdir -p "$source_dir"
	(cd "$source_dir" && aptc download "$source_pkg" >&2)
	exit
fi
for suite in $suites; do
	pkg=$(image_pkg "$suite")
	if [ -z "$pkg" ]; then
		log "$suite: no linux-image-amd64 found"
		exit 1
	fi
	kver=${pkg#linux-image-}
	kver=${kver%-unsigned}
	dir=$cache/$kver
	if [ ! -f "$dir/.complete" ]; then
		log "$suite: fetching $pkg"
		rm -rf "$dir"
		mkdir -p "$dir/root"
		fetch_unpack "$suite" "$pkg" "$dir/root"
		# 7.x splits the image: modules and vmlinuz in their own packages
		deps=$(aptcache show "$pkg/$suite")
		if grep -q "^Depends:.*linux-modules-$kver" <<<"$deps"; then
			fetch_unpack "$suite" "linux-modules-$kver" "$dir/root"
			fetch_unpack "$suite" "linux-binary-$kver" "$dir/root"
		fi
		vmlinuz=$(ls "$dir"/root/boot/vmlinuz-* \
			  "$dir"/root/usr/lib/modules/"$kver"/vmlinuz 2>/dev/null | head -1 || true)
		if [ -z "$vmlinuz" ]; then
			log "$suite: no vmlinuz in $pkg"
			exit 1
		fi
		mv "$vmlinuz" "$dir/vmlinuz"
		mods=$dir/root/lib/modules/$kver
		[ -d "$mods" ] || mods=$dir/root/usr/lib/modules/$kver
		mkdir -p "$dir/modules"
		# keep only what the guest loads; the rest is hundreds of MB
		for m in kvm kvm-amd kvm-intel irqbypass ccp rng-core; do
			find "$mods" -name "$m.ko*" -exec cp {} "$dir/modules/" \;
		done
		# busybox insmod reads plain ELF only
		find "$dir/modules" -name '*.ko.xz' -exec xz -d {} +
		find "$dir/modules" -name '*.ko.zst' -exec zstd -q --rm -d {} +
		rm -rf "$dir/root"
		echo "$suite" >"$dir/suite"
		touch "$dir/.complete"
	fi
	echo "$suite $kver $dir"
done
