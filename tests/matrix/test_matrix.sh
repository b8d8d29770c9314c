#!/usr/bin/env bash
# Kernel matrix tier: boot Debian's own kernels (bullseye 5.10, bookworm
# 6.1, trixie 6.12, trixie-backports 7.x) under QEMU with their KVM
# modules, run vsvad, the workload and vsva-top in each, and check exact
# counts for what each kernel can measure and a reason for what it cannot.
#
#   VSVA_MATRIX_SUITES  suites to boot (default: all four)
#   VSVA_MATRIX_OUT     directory to keep each guest's console and rungs
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$TOP/build
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
N_ALL=5 N_MEMSLOT=3 N_IRQ=20

if ! command -v qemu-system-x86_64 >/dev/null || ! command -v busybox >/dev/null; then
	echo "skip - qemu-system-x86 or busybox-static not installed (make deps)"
	exit 0
fi
# shellcheck disable=SC2086
if ! "$TOP/tests/matrix/fetch.sh" ${VSVA_MATRIX_SUITES:-} >"$TMP/kernels" 2>"$TMP/fetch.log"; then
	echo "not ok - fetching Debian's kernel packages failed:"
	tail -20 "$TMP/fetch.log" | sed 's/^/#   /'
	exit 1
fi

# One initramfs for every kernel; the modules go in per kernel.
common=$TMP/common
mkdir -p "$common"/{bin,lib,lib64,vsva,proc,sys,dev,tmp,modules}
cp "$(command -v busybox)" "$common/bin/busybox"
cp "$B/vsvad" "$B/vsva-kvmload" "$B/vsva-top" "$B/vsva-bench" "$B/mapfill" \
	"$common/vsva/"
for lib in $(ldd "$B/vsvad" "$B/vsva-top" "$B/vsva-bench" |
	     awk '/=> \//{ print $3 }' | sort -u); do
	cp -L "$lib" "$common/lib/"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$common/lib64/"
install -m 755 "$TOP/tests/matrix/guest-init.sh" "$common/init"
cp "$TOP/tests/walk-rungs.sh" "$common/vsva/"

# boot SUITE KVER DIR [CPUS [CMDLINE]]: console in $TMP/SUITE.txt
boot() {
	local suite=$1 dir=$3 root=$TMP/root-$1
	cp -a "$common" "$root"
	cp "$dir"/modules/*.ko "$root/modules/"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$TMP/$suite.cpio.gz"
	timeout 600 qemu-system-x86_64 -machine q35 -accel tcg,thread=single \
		-cpu max -m 1024 -smp "${4:-1}" -kernel "$dir/vmlinuz" \
		-initrd "$TMP/$suite.cpio.gz" -nographic -no-reboot \
		-append "console=ttyS0 panic=-1 quiet ${5:-}" \
		</dev/null >"$TMP/$suite.log" 2>&1
	echo $? >"$TMP/$suite.rc"
	tr -d '\r' <"$TMP/$suite.log" >"$TMP/$suite.txt"
}

# The BPF maps' kernel memory by CPU count: the newest kernel again,
# with 4 and with 32 vCPUs, every map filled to capacity in vsvad's
# memory cgroup; the difference is the cost of a CPU
# (the newest kernel of the run that has memory.stat's kernel line, 5.18+)
mem_kernel() {
	awk '{ split($2, v, "."); if (v[1] > 5 || (v[1] == 5 && v[2] >= 18)) k = $0 }
		END { if (k) print k }' "$TMP/kernels"
}
mem_guest() { # CPUS
	local suite kver dir
	read -r suite kver dir < <(mem_kernel)
	boot mem"$1"-"$suite" "$kver" "$dir" "$1" vsva.mode=mem
}

# Two guests at a time: one per core.
jobs=0
if [ -n "$(mem_kernel)" ]; then
	(mem_guest 4; mem_guest 32) &
	jobs=1
fi
while read -r suite kver dir; do
	boot "$suite" "$kver" "$dir" &
	jobs=$((jobs + 1))
	if [ $jobs -ge "$(nproc)" ]; then
		wait -n
		jobs=$((jobs - 1))
	fi
done <"$TMP/kernels"
wait

# README.md: "<!-- matrix: SUITE... -->" then the table; column of a suite
readme_col() {
	sed -n 's/^<!-- matrix: \(.*\) -->$/\1/p' "$TOP/README.md" |
		tr ' ' '\n' | grep -nx -- "$1" | cut -d: -f1
}
readme_cell() { # MEASUREMENT COLUMN
	sed -n '/^<!-- matrix: /,/^<!-- matrix end -->/p' "$TOP/README.md" |
		awk -F' *\\| *' -v m="$1" -v c="$2" '$2 == m { print $(c + 2) }'
}

count() { sed -n "s/^VSVA count $2 //p" "$TMP/$1.txt" | head -1; }
expect() { # SUITE WHAT WANT GOT
	if [ "$3" = "$4" ]; then
		echo "ok - $1: $2 ($4)"
	else
		echo "not ok - $1: $2: expected $3, got '$4'"
	fi
}

while read -r suite kver dir; do
	c=$TMP/$suite.txt
	echo "# $suite: Linux $kver"
	[ -n "${VSVA_MATRIX_OUT:-}" ] && mkdir -p "$VSVA_MATRIX_OUT" &&
		cp "$c" "$VSVA_MATRIX_OUT/$suite.txt"
	if ! grep -q '^VSVA-DONE' "$c"; then
		echo "not ok - $suite: the guest did not finish (qemu exit $(cat "$TMP/$suite.rc")); console:"
		tail -40 "$c" | sed 's/^/#   /'
		continue
	fi
	sed -n "s/^VSVA ok - /ok - $suite: /p; s/^VSVA not ok - /not ok - $suite: /p; s/^VSVA # /#   /p" "$c"
	grep '^VSVA rung ' "$c" | awk '{ printf "#   %-20s %-18s approx=%s\n", $3, $4, $5 }'
	expect "$suite" "all_fast deletions counted for the VM" $N_ALL "$(count "$suite" all_fast)"
	expect "$suite" "all_fast histogram count" $N_ALL "$(count "$suite" all_fast_hist)"
	expect "$suite" "MSI injections counted for the VM" $N_IRQ "$(count "$suite" msi)"
	expect "$suite" "backend-written irqfd: nothing charged to the backend" absent "$(count "$suite" backend)"
	expect "$suite" "two VMs in one VMM: the first VM's deletion" 1 "$(count "$suite" vm1_del)"
	expect "$suite" "two VMs in one VMM: the second VM's 2 deletions" 2 "$(count "$suite" vm2_del)"
	if grep -q '^VSVA rung kvm_irq_injection fentry ' "$c"; then
		# the hook reaches the struct kvm: the VM's, whoever signals
		expect "$suite" "backend-written irqfd: counted for the VMM's VM" $N_IRQ "$(count "$suite" backend_vm)"
		expect "$suite" "backend-written irqfd: nothing unattributed" absent "$(count "$suite" unattributed)"
		expect "$suite" "two VMs in one VMM: the first VM's 3 MSIs" 3 "$(count "$suite" vm1_msi)"
		expect "$suite" "two VMs in one VMM: the second VM's 6 MSIs" 6 "$(count "$suite" vm2_msi)"
	else
		# a stock tracepoint: by process, never a backend's
		expect "$suite" "backend-written irqfd: counted as unattributed" $N_IRQ "$(count "$suite" unattributed)"
		expect "$suite" "backend-written irqfd: not guessed for the VMM" absent "$(count "$suite" backend_vm)"
		expect "$suite" "two VMs in one VMM: by process, all 9 MSIs on its newest VM" 9 "$(count "$suite" vm2_msi)"
	fi
	expect "$suite" "new MMU pages equal tracefs' own count of kvm_mmu_get_page created=1" \
		"$(count "$suite" pages_created_tracefs)" "$(count "$suite" pages_created)"
	for r in kprobe syscall_tracepoint; do
		expect "$suite" "forced $r rung is used" $r "$(count "$suite" forced_rung_$r)"
		expect "$suite" "forced $r rung counts the deletions" $N_ALL "$(count "$suite" forced_$r)"
	done
	case $kver in
	5.* | 6.[0-9].* | 6.1[01].*)
		case $(count "$suite" memslot) in
		unsupported*) echo "ok - $suite: no KVM_X86_QUIRK_SLOT_ZAP_ALL before 6.12, memslot mode refused" ;;
		*) echo "not ok - $suite: memslot mode on a kernel before 6.12: $(count "$suite" memslot)" ;;
		esac
		;;
	*)
		expect "$suite" "memslot-only deletions counted for the VM" $N_MEMSLOT "$(count "$suite" memslot)"
		expect "$suite" "memslot histogram count" $N_MEMSLOT "$(count "$suite" memslot_hist)"
		;;
	esac
	# the README's table says what this tier saw
	col=$(readme_col "$suite")
	if [ -z "$col" ]; then
		echo "not ok - $suite: no column in README.md's matrix table"
	else
		bad=$(grep '^VSVA rung ' "$c" | while read -r _ _ m rung approx _; do
			want=$rung
			[ "$approx" = true ] && want="$rung (approx.)"
			have=$(readme_cell "$m" "$col")
			[ "$have" = "$want" ] || echo "$m: README '$have', seen '$want';"
		done)
		[ -z "$bad" ] && echo "ok - $suite: README's matrix table matches the rungs seen" ||
			echo "not ok - $suite: README's matrix table is stale: $bad"
	fi
	# a measurement that is unavailable must say which kernel feature is missing
	grep '^VSVA rung ' "$c" | while read -r _ _ m rung _ reason; do
		[ "$rung" = none ] || continue
		[ ${#reason} -gt 20 ] && echo "ok - $suite: $m unavailable, with a reason" ||
			echo "not ok - $suite: $m unavailable without a reason"
	done
done <"$TMP/kernels"

# the maps full with 4 and with 32 vCPUs: what a CPU costs, and the
# extrapolation to 256 (goal: 64 MiB), beside vsvad --probe's estimates
mem_line() { sed -n 's/^VSVA mem //p' "$TMP"/mem"$1"-*.txt 2>/dev/null | head -1; }
l4=$(mem_line 4) l32=$(mem_line 32)
if [ -z "$(mem_kernel)" ]; then
	echo "# no kernel of 5.18 or later in this run: the maps' memory is not measured"
elif [ -z "$l4" ] || [ -z "$l32" ]; then
	echo "not ok - the 4- and 32-vCPU guests did not both report their maps' memory; consoles:"
	tail -20 "$TMP"/mem*-*.txt 2>/dev/null | sed 's/^/#   /'
else
	for l in "$l4" "$l32"; do
		eval "$l"	# cpus= maps= full= kib= estimate_mib=
		echo "ok - $cpus vCPUs: every hash map filled ($full of $maps): $kib KiB of kernel memory (memory cgroup); vsvad --probe estimated $estimate_mib MiB"
		[ "$full" = "$maps" ] || echo "not ok - $cpus vCPUs: $full of $maps maps filled"
	done
	k4=$(sed -E 's/.* kib=([0-9]+).*/\1/' <<<"$l4")
	k32=$(sed -E 's/.* kib=([0-9]+).*/\1/' <<<"$l32")
	awk -v a="$k4" -v b="$k32" 'BEGIN { per = (b - a) / 28; at = b + per * 224
		printf "# per CPU %.1f KiB; at 256 CPUs %.1f MiB\n", per, at / 1024
		exit !(at / 1024 <= 64) }' &&
		echo "ok - the maps full on 256 CPUs, from 4 and 32: at most 64 MiB ($(awk -v a="$k4" -v b="$k32" 'BEGIN { printf "%.1f", (b + (b - a) / 28 * 224) / 1024 }') MiB)" ||
		echo "not ok - the maps full on 256 CPUs, from 4 and 32: over 64 MiB ($(awk -v a="$k4" -v b="$k32" 'BEGIN { printf "%.1f", (b + (b - a) / 28 * 224) / 1024 }') MiB)"
fi

# stock 6.12 (trixie, here) against the patched 6.12 (the kernel tier
# keeps its runs in $BENCH_CACHE): two kernels, run apart, then compared
BENCH_CACHE=/var/cache/vsva/bench
c=$TMP/trixie.txt
if [ -f "$c" ] && grep -q '^VSVA-BENCH-BEGIN stock' "$c"; then
	sed -n '/^VSVA-BENCH-BEGIN stock$/,/^VSVA-BENCH-END stock$/p' "$c" |
		sed '1d;$d' | base64 -d >"$TMP/stock.json" 2>/dev/null
	if [ ! -f "$BENCH_CACHE/patched-6.12.json" ]; then
		echo "# stock against patched 6.12: no runs of the patched kernel" \
			"in $BENCH_CACHE yet (the kernel tier keeps them)"
	elif "$B/vsva-bench" compare --json "$BENCH_CACHE/patched-6.12.json" \
		"$TMP/stock.json" >"$TMP/kcmp.json" 2>"$TMP/kcmp.err"; then
		python3 - "$TMP/stock.json" "$TMP/kcmp.json" <<'PY'
import json, sys
stock, cmp = (json.load(open(p)) for p in sys.argv[1:3])
got = [r['figures'].get('vsva_kvm_memslot_zap_total{mode=all_fast}') for r in stock['runs']]
print(f"{'ok' if got == [3.0] * 6 else 'not ok'} - trixie: vsva-bench runs on the stock "
      f"kernel count each run's 3 deletions ({got})")
w = next(m for m in cmp['metrics'] if m['name'] == 'wall_seconds')
print(f"{'ok' if (w['a']['n'], w['b']['n']) == (6, 6) else 'not ok'} - patched 6.12 "
      f"against stock 6.12 compared: wall time, 6 runs a side")
print(f"# patched -> stock 6.12 under TCG: wall {w['delta_pct']:+.1f}% "
      f"{w['delta_ci_pct']}, {w['verdict']}")
PY
	else
		echo "not ok - patched against stock 6.12: $(head -2 "$TMP/kcmp.err")"
	fi
elif [ -f "$c" ]; then
	echo "not ok - trixie: the guest printed no vsva-bench runs"
fi
