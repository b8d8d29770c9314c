#!/bin/busybox sh
# /init of a kernel-matrix guest (Debian's own kernel, no vsva series):
# load KVM, run vsvad, the workload and vsva-top, and check that what this
# kernel can measure is counted exactly and what it cannot says why.
# Prints "VSVA ok - ..." / "VSVA not ok - ..." lines and "VSVA rung M R"
# lines that tests/matrix/test_matrix.sh reads.
/bin/busybox --install -s /bin
export PATH=/bin:/vsva LD_LIBRARY_PATH=/lib
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null ||
	mount -t debugfs nodev /sys/kernel/debug
mkdir -p /tmp && mount -t tmpfs tmp /tmp
ip link set lo up
N_ALL=5 N_MEMSLOT=3 N_IRQ=20
URL=http://127.0.0.1:9477/metrics
# vsvad unpinned, but where a section says otherwise
export VSVA_PIN_ROOT=

ok() { echo "VSVA ok - $*"; }
not_ok() { echo "VSVA not ok - $*"; }
check() { [ "$2" = "$3" ] && ok "$1 ($3)" || not_ok "$1: expected '$2', got '$3'"; }

kver=$(uname -r)
echo "VSVA kernel $kver"
for m in rng-core irqbypass kvm ccp kvm-amd; do
	[ -f /modules/$m.ko ] || continue
	insmod /modules/$m.ko 2>/tmp/insmod.err ||
		echo "VSVA # insmod $m: $(cat /tmp/insmod.err)"
done
[ -c /dev/kvm ] && ok "/dev/kvm after loading kvm-amd" ||
	not_ok "no /dev/kvm after loading kvm-amd"

taint0=$(cat /proc/sys/kernel/tainted)

wait_up() { # URL [TRIES]: until it answers, TRIES (150) x 0.2 s at most
	i=0
	until wget -qO /dev/null "$1"; do
		i=$((i + 1))
		[ $i -gt "${2:-150}" ] && return 1
		sleep 0.2
	done
}

# vsva.mode=mem (a guest with many vCPUs): the BPF maps filled to
# capacity in vsvad's own memory cgroup; their kernel memory, beside
# vsvad --probe's estimate for this many CPUs
if grep -q 'vsva.mode=mem' /proc/cmdline; then
	export VSVA_PIN_ROOT=
	mkdir -p /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir /sys/fs/cgroup/vsvad
	sh -c 'echo $$ >/sys/fs/cgroup/vsvad/cgroup.procs && exec vsvad --listen 127.0.0.1:9477' \
		>/tmp/vsvad.log 2>&1 &
	pid=$!
	wait_up $URL 300	# 32 vCPUs on one TCG thread: a slow start
	kmem() { awk '$1 == "kernel" { print $2 }' /sys/fs/cgroup/vsvad/memory.stat; }
	k1=$(kmem)
	# on one CPU: the allocator's per-CPU caches of free elements fill
	# on each CPU the filling task visits, which would make the figure
	# depend on the scheduler (up to 4 MiB more at 32 vCPUs)
	taskset -c 0 mapfill $pid >/tmp/fill.out
	sleep 1
	k2=$(kmem)
	full=$(awk '$4 == $5' /tmp/fill.out | wc -l)
	maps=$(wc -l </tmp/fill.out)
	est=$(vsvad --probe | awk '/^of which taken as entries come/ { print $NF }')
	echo "VSVA mem cpus=$(grep -c ^processor /proc/cpuinfo) maps=$maps full=$full kib=$(( (k2 - k1) / 1024 )) estimate_mib=$est"
	kill $pid
	wait $pid
	echo VSVA-DONE
	poweroff -f
fi

metric() { # NAME LABELS
	wget -qO- $URL | awk -v n="$1{" -v l="$2" '
		index($0, n) == 1 && index($0, l) { print $NF; f = 1; exit }
		END { if (!f) print "absent" }'
}

vsvad --listen 127.0.0.1:9477 >/tmp/vsvad.log 2>&1 &
pid=$!
i=0
until wget -qO /dev/null $URL; do
	i=$((i + 1))
	if [ $i -gt 150 ] || ! kill -0 $pid 2>/dev/null; then
		not_ok "vsvad did not start:"
		sed 's/^/VSVA #   /' /tmp/vsvad.log | tail -40
		echo VSVA-DONE
		poweroff -f
	fi
	sleep 0.2
done
ok "vsvad serves /metrics"

# every measurement's rung and reason, for the host side and the README
wget -qO- $URL | grep '^vsva_probe_info{' | sed -E \
	's/^vsva_probe_info\{measurement="([^"]*)",rung="([^"]*)",approximate="([^"]*)",reason="(.*)"\} 1$/VSVA rung \1 \2 \3 \4/'

# the kernel's own count of new MMU pages, beside vsva's: tracefs
T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
GP=$T/events/kvmmmu/kvm_mmu_get_page
echo 'created == 1' >$GP/filter && echo 1 >$GP/enable && echo >$T/trace

# the workload: one VM, all_fast deletions, then irqfd MSIs
out=$(vsva-kvmload -n $N_ALL -m 4 --irqfd $N_IRQ 2>/tmp/kvmload.err) ||
	not_ok "vsva-kvmload failed: $(cat /tmp/kvmload.err)"
wpid=$(echo "$out" | sed -E 's/.*"pid":([0-9]+).*/\1/')
echo 0 >$GP/enable
echo "VSVA count pages_created_tracefs $(grep -c -- "-$wpid *\[" $T/trace)"
vm="vm=\"vsva-kvmload/$wpid\""
echo "VSVA count all_fast $(metric vsva_kvm_memslot_zap_total "$vm,mode=\"all_fast\"")"
echo "VSVA count all_fast_hist $(metric vsva_kvm_memslot_zap_seconds_count "$vm,mode=\"all_fast\"")"
echo "VSVA count msi $(metric vsva_kvm_irq_injected_total "$vm,path=\"msi\"")"
echo "VSVA count pages_created $(metric vsva_kvm_mmu_pages_created_total "$vm")"

# an irqfd written by a forked backend: never charged to the backend
out=$(vsva-kvmload -n 0 -m 4 --irqfd $N_IRQ --irqfd-from-child 2>/tmp/kvmload.err) ||
	not_ok "vsva-kvmload --irqfd-from-child failed: $(cat /tmp/kvmload.err)"
child=$(echo "$out" | sed -E 's/.*"signaller_pid":([0-9]+).*/\1/')
vmm=$(echo "$out" | sed -E 's/.*"pid":([0-9]+).*/\1/')
echo "VSVA count backend $(metric vsva_kvm_irq_injected_total "/$child\"")"
echo "VSVA count backend_vm $(metric vsva_kvm_irq_injected_total "vm=\"vsva-kvmload/$vmm\",path=\"msi\"")"
echo "VSVA count unattributed $(metric vsva_kvm_irq_injected_total 'vm="unattributed",path="msi"')"

# two VMs in one VMM: VM k does k deletions and 3k irqfd writes
out=$(vsva-kvmload -n 1 -m 4 --irqfd 3 --vms 2 2>/tmp/kvmload.err) ||
	not_ok "vsva-kvmload --vms 2 failed: $(cat /tmp/kvmload.err)"
vmm=$(echo "$out" | sed -E 's/.*"pid":([0-9]+).*/\1/')
for v in "1 " "2 #2"; do
	set -- $v
	echo "VSVA count vm$1_del $(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$vmm${2:-}\",mode=\"all_fast\"")"
	echo "VSVA count vm$1_msi $(metric vsva_kvm_irq_injected_total "vm=\"vsva-kvmload/$vmm${2:-}\",path=\"msi\"")"
done

# memslot-only zapping, where the kernel has the quirk (6.12+)
out=$(vsva-kvmload -n $N_MEMSLOT -m 4 --mode memslot 2>/tmp/kvmload.err)
if [ $? -eq 0 ]; then
	wpid=$(echo "$out" | sed -E 's/.*"pid":([0-9]+).*/\1/')
	vm="vm=\"vsva-kvmload/$wpid\""
	echo "VSVA count memslot $(metric vsva_kvm_memslot_zap_total "$vm,mode=\"memslot\"")"
	echo "VSVA count memslot_hist $(metric vsva_kvm_memslot_zap_seconds_count "$vm,mode=\"memslot\"")"
else
	echo "VSVA count memslot unsupported: $(head -1 /tmp/kvmload.err)"
fi

# the lower memslot rungs, forced, load and count on this kernel too
forced() { # RUNG
	vsvad --listen 127.0.0.1:9478 --rung kvm_memslot_zap=$1 >/tmp/forced.log 2>&1 &
	fpid=$!
	wait_up http://127.0.0.1:9478/metrics
	out=$(vsva-kvmload -n $N_ALL -m 4 2>/tmp/kvmload.err)
	fw=$(echo "$out" | sed -E 's/.*"pid":([0-9]+).*/\1/')
	line=$(wget -qO- http://127.0.0.1:9478/metrics | grep "^vsva_kvm_memslot_zap_total{vm=\"vsva-kvmload/$fw\",mode=\"all_fast\"}")
	echo "VSVA count forced_$1 ${line##* }"
	wget -qO- http://127.0.0.1:9478/metrics |
		sed -n 's/^vsva_probe_info{measurement="kvm_memslot_zap",rung="\([^"]*\)".*/VSVA count forced_rung_'"$1"' \1/p'
	kill $fpid
	wait $fpid
}
forced kprobe
forced syscall_tracepoint

# every measurement forced to each of its rungs: used, or says why not
sh /vsva/walk-rungs.sh vsvad 9479 "wget -qO-" | sed 's/^/VSVA /'

# drops: every reason exported, all zero
bad=$(wget -qO- $URL | awk '/^vsva_events_dropped_total\{/ && $NF != 0')
n=$(wget -qO- $URL | grep -c '^vsva_events_dropped_total{')
[ -z "$bad" ] && [ "$n" -gt 0 ] && ok "$n drop reasons exported, all zero" ||
	not_ok "drops: $n reasons; non-zero: $bad"

# vsva-top reads the same vsvad
top=$(vsva-top --once --json -d 1 --from $URL 2>/tmp/top.err)
case $top in
*"\"deletions_total\":$N_ALL,"*) ok "vsva-top --once --json shows the $N_ALL deletions" ;;
*) not_ok "vsva-top --once --json: $top $(cat /tmp/top.err)" ;;
esac

kill $pid
wait $pid
check "vsvad exits 0 on SIGTERM" 0 $?
grep -i 'libbpf\|verifier\|failed' /tmp/vsvad.log | head -20 | sed 's/^/VSVA # vsvad: /'

# counts across a vsvad restart, where this kernel can pin every object;
# where it cannot, vsvad runs unpinned and says why
export VSVA_PIN_ROOT=/sys/fs/bpf/vsva
pins_state() {
	wget -qO- $URL | sed -nE 's/^vsva_bpf_pins\{state="([a-z]+)",reason="(.*)"\} 1$/\1: \2/p'
}
pinned_vsvad() {
	vsvad --pin --listen 127.0.0.1:9477 >/tmp/vsvad.log 2>&1 &
	pid=$!
	wait_up $URL
}
pinned_vsvad
s1=$(pins_state)
p1=$(vsva-kvmload -n 3 -m 1 | sed -E 's/.*"pid":([0-9]+).*/\1/')
kill $pid
wait $pid
p2=$(vsva-kvmload -n 2 -m 1 | sed -E 's/.*"pid":([0-9]+).*/\1/')
pinned_vsvad
s2=$(pins_state)
echo "VSVA pins ${s1%%:*} ${s2%%:*}: ${s1#*: }"
case "${s1%%:*} ${s2%%:*}" in
"fresh adopted")
	c1=$(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$p1\",mode=\"all_fast\"")
	c2=$(metric vsva_kvm_memslot_zap_total "vm=\"vsva-kvmload/$p2\",mode=\"all_fast\"")
	[ "$c1 $c2" = "3 2" ] &&
		ok "pinned: deletions before the restart and while no vsvad ran counted (3 2)" ||
		not_ok "pinned: deletions before and during the restart: expected '3 2', got '$c1 $c2'"
	;;
"off off")
	case "$s1" in
	*"cannot pin"*) ok "this kernel cannot pin every object, and vsvad says so: ${s1#*: }" ;;
	*) not_ok "pins off without a reason that says so: $s1" ;;
	esac
	;;
*)
	not_ok "pins: '$s1', then '$s2'" ;;
esac
kill $pid
wait $pid
vsvad --unpin >/dev/null
export VSVA_PIN_ROOT=

warn=$(dmesg | grep -E 'WARNING|BUG:|Call Trace' | head -5)
[ -z "$warn" ] && ok "no kernel warning in dmesg" ||
	{ not_ok "kernel warnings in dmesg:"; echo "$warn" | sed 's/^/VSVA #   /'; }
check "kernel taint unchanged by vsva" "$taint0" "$(cat /proc/sys/kernel/tainted)"

# Debian's stock 6.12: the workload's runs, for the host to compare with
# the same runs on the patched 6.12 (the kernel tier)
case $(uname -r) in
6.12.*)
	if vsva-bench run --runs 6 --warmup 0 --label "stock $(uname -r)" \
		-o /tmp/bench.json -- vsva-kvmload -n 3 -m 4 2>/tmp/bench.err; then
		echo "VSVA-BENCH-BEGIN stock"
		base64 /tmp/bench.json
		echo "VSVA-BENCH-END stock"
	else
		not_ok "vsva-bench run: $(tail -2 /tmp/bench.err)"
	fi
	;;
esac
echo VSVA-DONE
poweroff -f
