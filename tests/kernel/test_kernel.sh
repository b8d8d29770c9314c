#!/usr/bin/env bash
# Kernel tier: build the patched kernels (the series on 7.3 and its 6.12
# backport; cached), boot both under QEMU/TCG at once (one host thread
# each) with an initramfs holding vsva, and report what each guest
# checked, every line prefixed with its kernel.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$TOP/build
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if ! command -v qemu-system-x86_64 >/dev/null || ! command -v busybox >/dev/null; then
	echo "skip - qemu-system-x86 or busybox-static not installed (make deps)"
	exit 0
fi
# VSVA_KERNELS: which bases (default: both)
# VSVA_KERNEL_DIR_<base with _ for .>: a directory with bzImage and
#   iommufd built elsewhere (e.g. VSVA_KERNEL_DIR_7_3)
KERNELS=${VSVA_KERNELS:-7.3 6.12}
declare -A kout
for ver in $KERNELS; do
	var=VSVA_KERNEL_DIR_${ver//./_}
	t0=$(date +%s)
	kout[$ver]=${!var:-$("$TOP/kernel/build.sh" "$ver" 2>"$TMP/build-$ver.log" | tail -1)}
	if [ ! -f "${kout[$ver]}/bzImage" ]; then
		echo "not ok - $ver: kernel build failed:"
		tail -40 "$TMP/build-$ver.log" 2>/dev/null | sed 's/^/#   /'
		unset "kout[$ver]"
		continue
	fi
	echo "ok - $ver: kernel built ($(( $(date +%s) - t0 )) s here; ${kout[$ver]}: $(cat "${kout[$ver]}/build-info" 2>/dev/null))"
done

# initramfs: busybox, vsva's binaries and the libraries they need; the
# selftest binary of each kernel is added per kernel below
root=$TMP/root
mkdir -p "$root"/{bin,lib,lib64,vsva,proc,sys,dev,tmp}
cp "$(command -v busybox)" "$root/bin/busybox"
cp "$B/vsvad" "$B/vsva-kvmload" "$B/vsva-pasidload" "$B/vsva-perf" \
	"$B/vsva-bench" "$root/vsva/"
cp "$(command -v strace)" "$root/bin/strace"
cp "$(command -v perf)" "$root/bin/perf"
for lib in $(ldd "$B/vsvad" "$B/vsva-perf" "$B/vsva-bench" \
	     "$(command -v strace)" "$(command -v perf)" |
	     awk '/=> \//{ print $3 }' | sort -u); do
	cp -L "$lib" "$root/lib/"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
install -m 755 "$TOP/tests/kernel/guest-init.sh" "$root/init"
cp "$TOP/tests/walk-rungs.sh" "$root/vsva/"

initrd() { # VERSION: the initramfs with that kernel's selftest
	local ver=$1 d=$TMP/$1
	mkdir -p "$d"
	cp "${kout[$ver]}/iommufd" "$root/vsva/iommufd" 2>/dev/null
	for lib in $(ldd "${kout[$ver]}/iommufd" | awk '/=> \//{ print $3 }'); do
		cp -L "$lib" "$root/lib/"
	done
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$d/initrd.gz"
	rm -f "$root/vsva/iommufd"
}

boot() { # VERSION: the guest's console in $TMP/VERSION/console.txt
	local ver=$1 d=$TMP/$1 rc
	timeout 900 qemu-system-x86_64 -machine q35 -accel tcg,thread=single \
		-cpu max -m 2048 -smp 2 -device intel-iommu,intremap=on \
		-kernel "${kout[$ver]}/bzImage" -initrd "$d/initrd.gz" \
		-nographic -no-reboot \
		-append "console=ttyS0 panic=-1 intel_iommu=off" \
		</dev/null >"$d/console.log" 2>&1
	rc=$?
	echo $rc >"$d/qemu.rc"
	tr -d '\r' <"$d/console.log" >"$d/console.txt"
}

# both guests at once: TCG with thread=single runs each on one host thread
t0=$(date +%s)
pids=()
for ver in "${!kout[@]}"; do
	initrd "$ver"
done
for ver in "${!kout[@]}"; do
	boot "$ver" &
	pids+=($!)
done
wait "${pids[@]}"
echo "# guests ran ${!kout[*]} in $(( $(date +%s) - t0 )) s"

# What one guest checked, and the host's reports on what it recorded.
report() { # VERSION
	local ver=$1
	local TMP=$TMP/$1
	local rc
	rc=$(cat "$TMP/qemu.rc")
	[ -n "${VSVA_KEEP_CONSOLE:-}" ] && cp "$TMP/console.log" "$VSVA_KEEP_CONSOLE.$ver"
	sed -n 's/^VSVA ok - /ok - guest: /p; s/^VSVA not ok - /not ok - guest: /p' "$TMP/console.txt"
	grep '^VSVA iommufd:' "$TMP/console.txt" | sed 's/^VSVA /# /'
	# KUnit results are on the console, in KTAP
	if grep -qE '^(\[ *[0-9.]+\] )?ok [0-9]+ irqbypass$' "$TMP/console.txt"; then
		echo "ok - KUnit irqbypass suite: $(grep -E '# irqbypass: pass:' "$TMP/console.txt" | head -1 | sed 's/.*# //')"
	else
		echo "not ok - KUnit irqbypass suite did not pass:"
		grep -E 'irqbypass' "$TMP/console.txt" | head -20 | sed 's/^/#   /'
	fi
	# recordings made in the guest, reported on here with their own formats
	N_ALL=3 N_MEMSLOT=2	# as guest-init.sh's defaults
	# the host's report of a recording: its JSON on stdout, or "not ok"
	perf_json() { # NAME
		sed -n "/^VSVA-PERFDATA-BEGIN $1\$/,/^VSVA-PERFDATA-END $1\$/p" \
			"$TMP/console.txt" | sed '1d;$d' | base64 -d >"$TMP/$1.data" 2>/dev/null
		"$B/vsva-perf" report -i "$TMP/$1.data" --json 2>"$TMP/$1.err" && return
		echo "not ok - host report of the guest's $1 recording: $(head -3 "$TMP/$1.err")" >&2
		return 1
	}

	# perf_check NAME: the Python on stdin run on the host's report of the
	# recording NAME (as j) and the guest's expectations for it (as want,
	# from its "VSVA perf-expect NAME k=v ..." line)
	perf_check() {
		local json expect

		json=$(perf_json "$1") || return
		expect=$(sed -n "s/^VSVA perf-expect $1 //p" "$TMP/console.txt")
		python3 -c "import json, sys
j = json.loads(sys.argv[1])
want = dict(kv.split('=') for kv in sys.argv[2].split())
$(cat)" "$json" "$expect"
	}

	perf_report() { # NAME KEY WANT
		local pid json
		pid=$(sed -n "s/^VSVA perf-json $1 .*\"pid\":\([0-9]*\).*/\1/p" "$TMP/console.txt")
		json=$(perf_json "$1") || return
		python3 - "$json" "$1" "$2" "$3" "$pid" <<-'PY'
	import json, sys
	j, name, key, want, pid = json.loads(sys.argv[1]), *sys.argv[2:]
	vm = [v for v in j['vms'] if v['pid'] == int(pid or 0)]
	got = vm[0]['measurements'].get('kvm_memslot_zap', {}).get(key, {}).get('count') if vm else None
	ok = str(got) == want
	print(f"{'ok' if ok else 'not ok'} - host report of the guest's {name} recording: "
	      f"{key} deletions {got}" + ("" if ok else f", expected {want}"))
	k = j['recording']['kernel']
	print(f"{'ok' if 'vsva' in k or k.startswith('6.12') else 'not ok'} - "
	      f"... recorded on the guest's kernel ({k}), decoded by its formats")
	print(f"{'ok' if j['lost_events'] == 0 and vm and vm[0]['unpaired'] == 0 else 'not ok'} - "
	      f"... no lost events, every enter paired with its exit")
	PY
	}
	# the iommufd selftest's recording against strace, the trace buffer and
	# vsvad in the same guest run
	perf_report_iommufd() {
		perf_check iommufd <<-'PY'
	def total(meas, pred, field='count'):
	    return sum(r.get(field, 0) for v in j['vms']
	               for k, r in v['measurements'].get(meas, {}).items() if pred(k, r))
	def ok_count(meas, pred):
	    return total(meas, pred) - total(meas, pred, 'errors')
	def check(what, got, exp):
	    good = str(got) == str(exp)
	    print(f"{'ok' if good else 'not ok'} - host report of the selftest recording: "
	          f"{what} {got}" + ("" if good else f", expected {exp}"))
	alloc = ok_count('iommufd_nested', lambda k, r: k.startswith('hwpt_alloc_'))
	check("HWPT allocations (ok) equal strace's successful ioctls", alloc, want['alloc_ok'])
	check("... and vsvad's", alloc, want['vsvad_alloc_ok'])
	check("nested HWPT allocations (ok) equal the trace buffer's",
	      ok_count('iommufd_nested', lambda k, r: k == 'hwpt_alloc_nested'), want['nested_ok'])
	inv = ok_count('iommufd_nested', lambda k, r: k == 'hwpt_invalidate')
	check("HWPT invalidations (ok) equal the trace buffer's", inv, want['inv_ok'])
	check("... and vsvad's", inv, want['vsvad_inv_ok'])
	mock = lambda op: lambda k, r: r['labels']['op'] == op and r['labels']['device'].startswith('iommufd_mock')
	att = ok_count('iommu_pasid', mock('attach'))
	check("PASID attaches (ok) on mock devices equal the trace buffer's", att, want['pasid_attach_ok'])
	check("... and vsvad's", att, want['vsvad_pasid_attach_ok'])
	check("PASID detaches on mock devices", total('iommu_pasid', mock('detach')), want['pasid_detach'])
	timed = [r for v in j['vms'] for r in v['measurements'].get('iommu_pasid', {}).values()
	         if r['count'] > r['errors'] and 'min_seconds' in r]
	check("every PASID row with a success has latencies (min <= p50 <= p99 <= max)",
	      all(0 < r['min_seconds'] <= r['p50_seconds'] <= r['p99_seconds'] <= r['max_seconds']
	          for r in timed) and bool(timed), True)
	check("no lost events, every enter paired with its exit",
	      (j['lost_events'], sum(v['unpaired'] for v in j['vms'])), (0, 0))
	PY
	}

	# the PASID workload's recording (the tracepoint rung's run): PASID
	# attach, replace and detach, iommufd's device events with a PASID,
	# HWPT and vIOMMU allocations and invalidations, as many as the
	# workload did, vsvad counted and the guest's trace buffer saw
	perf_report_pasid() {
		perf_check pasid <<-'PY'
	def rows(meas, key):
	    return [r for v in j['vms'] for k, r in v['measurements'].get(meas, {}).items()
	            if r.get('labels', {}).get('op', k) == key]
	def ok(meas, key):
	    return sum(r['count'] - r.get('errors', 0) for r in rows(meas, key))
	def inv(meas, key):
	    rs = rows(meas, key)
	    return ','.join(str(sum(r[f] - (f == 'count') * r['errors'] for r in rs))
	                    for f in ('count', 'entries_requested', 'entries'))
	def check(what, got, *exp):
	    good = all(str(got) == str(e) for e in exp)
	    print(f"{'ok' if good else 'not ok'} - host report of the PASID workload's "
	          f"recording: {what} {got}" + ("" if good else f", expected {' and '.join(map(str, exp))}"))
	base7 = want['base'] == '7'
	a, r, d = (int(want[k]) for k in ('attach', 'replace', 'detach'))
	# 6.12's mock replaces by a detach and an attach
	check("PASID attaches (ok) = the workload's and vsvad's", ok('iommu_pasid', 'attach'),
	      a if base7 else a + r, want['vsvad_attach'])
	check("PASID replaces (ok) = the workload's and vsvad's", ok('iommu_pasid', 'replace'),
	      r if base7 else 0, want['vsvad_replace'])
	check("PASID detaches (ok) = the workload's and vsvad's", ok('iommu_pasid', 'detach'),
	      d if base7 else d + r, want['vsvad_detach'])
	if base7:
	    for op, n in (('attach', a), ('replace', r), ('detach', d)):
	        check(f"iommufd_device_{op} events with a PASID (ok) = the workload's and the trace buffer's",
	              ok('iommu_pasid', 'iommufd_' + op), n, want['trace_fd_' + op])
	    t = [r for v in j['vms'] for r in v['measurements'].get('iommu_pasid', {}).values()
	         if r['labels']['op'] == 'replace' and r['count'] > r['errors']]
	    check("PASID replace rows have latencies (0 < min <= p50 <= max)",
	          bool(t) and all(0 < x['min_seconds'] <= x['p50_seconds'] <= x['max_seconds'] for x in t), True)
	else:
	    check("no iommufd_device_* row (6.12's name no PASID)",
	          sum(len(rows('iommu_pasid', 'iommufd_' + op)) for op in ('attach', 'replace', 'detach')), 0)
	check("paging HWPT allocations (ok) = the workload's and vsvad's",
	      ok('iommufd_nested', 'hwpt_alloc_paging'), want['paging'], want['vsvad_paging'])
	check("nested HWPT allocations (ok) = the workload's and vsvad's",
	      ok('iommufd_nested', 'hwpt_alloc_nested'), want['nested'], want['vsvad_nested'])
	check("HWPT invalidations, entries requested, handled = the workload's and vsvad's",
	      inv('iommufd_nested', 'hwpt_invalidate'), want['hwpt_inv'], want['vsvad_hwpt_inv'])
	if base7:
	    check("vIOMMU allocations (ok) = the workload's and vsvad's",
	          ok('iommufd_viommu', 'viommu_alloc'), want['viommu'], want['vsvad_viommu'])
	    check("vDEVICE allocations (ok) = the workload's and vsvad's",
	          ok('iommufd_viommu', 'vdevice_alloc'), want['vdevice'], want['vsvad_vdevice'])
	    check("vIOMMU invalidations, entries requested, handled = the workload's and vsvad's",
	          inv('iommufd_viommu', 'viommu_invalidate'), want['viommu_inv'], want['vsvad_viommu_inv'])
	check("no lost event, none undecodable, every enter paired with its exit",
	      (j['lost_events'], j['undecodable'], sum(v['unpaired'] for v in j['vms'])), (0, 0, 0))
	PY
	}

	# the KUnit irqbypass suite's recording: kernel/0, as many connects and
	# disconnects as the guest's trace buffer saw succeed
	perf_report_irqbypass() {
		local json want
		json=$(perf_json irqbypass) || return
		want=$(sed -n 's/^VSVA kunit-expect connects=\([0-9]*\) disconnects=\([0-9]*\)$/\1,\2/p' \
			"$TMP/console.txt")
		python3 - "$json" "$want" <<-'PY'
	import json, sys
	j = json.loads(sys.argv[1])
	want = tuple(int(x) for x in sys.argv[2].split(',')) if sys.argv[2] else None
	k = [v for v in j['vms'] if v['vm'] == 'kernel/0']
	m = k[0]['measurements'].get('irq_bypass_connect', {}) if k else {}
	# successful ones, as vsvad counts them (the suite also tries a
	# connect that fails on purpose)
	got = tuple(m.get(x, {}).get('count', 0) - m.get(x, {}).get('errors', 0)
	            for x in ('connect', 'disconnect'))
	good = want is not None and got == want and got[0] > 0
	print(f"{'ok' if good else 'not ok'} - host report of the KUnit irqbypass "
	      f"recording: kernel/0 connects, disconnects that succeeded {got}" +
	      ("" if good else f", the trace buffer's {want}; vms: {[v['vm'] for v in j['vms']]}"))
	err = m.get('connect', {}).get('errors')
	print(f"{'ok' if err and err > 0 else 'not ok'} - ... and the suite's failing "
	      f"connect counted as an error ({err})")
	PY
	}

	if grep -q '^VSVA-PERFDATA-BEGIN' "$TMP/console.txt"; then
		perf_report all_fast all_fast $N_ALL
		perf_report memslot memslot $N_MEMSLOT
		perf_report_irqbypass
		perf_report_iommufd
		perf_report_pasid
	else
		echo "not ok - the guest printed no recording"
	fi

	# vsva-bench runs made in the guest, compared here
	bench_compare() {
		local f
		for f in on off; do
			sed -n "/^VSVA-BENCH-BEGIN $f\$/,/^VSVA-BENCH-END $f\$/p" \
				"$TMP/console.txt" | sed '1d;$d' | base64 -d >"$TMP/bench-$f.json" 2>/dev/null
		done
		# kept for the matrix tier, which compares Debian's stock 6.12 with it
		mkdir -p /var/cache/vsva/bench &&
			cp "$TMP/bench-on.json" /var/cache/vsva/bench/patched-$ver.json
		if ! "$B/vsva-bench" compare --json "$TMP/bench-off.json" "$TMP/bench-on.json" \
			>"$TMP/bench-cmp.json" 2>"$TMP/bench-cmp.err"; then
			echo "not ok - host compare of the guest's vsva-bench runs: $(head -2 "$TMP/bench-cmp.err")"
			return
		fi
		python3 - "$TMP/bench-on.json" "$TMP/bench-off.json" "$TMP/bench-cmp.json" <<-'PY'
	import json, sys
	on, off, cmp = (json.load(open(p)) for p in sys.argv[1:4])
	def check(what, got, want):
	    print(f"{'ok' if got == want else 'not ok'} - guest vsva-bench: {what} ({got})" +
	          ("" if got == want else f", expected {want}"))
	check("runs with the series' tracepoints: vsva attached, on the tracepoint rung",
	      (on['context']['vsva_attached'], on['context']['rungs'].get('kvm_memslot_zap')),
	      (True, 'tracepoint'))
	check("runs without vsva: not attached", off['context']['vsva_attached'], False)
	check("recorded on the guest's kernel", 'vsva' in on['context']['kernel'], True)
	check("each run's all_fast deletions, from vsva", [r['figures'].get(
	      'vsva_kvm_memslot_zap_total{mode=all_fast}') for r in on['runs']], [3.0] * 6)
	w = next(m for m in cmp['metrics'] if m['name'] == 'wall_seconds')
	check("compared on the host: wall time, 6 runs a side", (w['a']['n'], w['b']['n']), (6, 6))
	print(f"# TCG guest, vsva off -> on: wall {w['delta_pct']:+.1f}% "
	      f"{w['delta_ci_pct']}, p {w['p_value']:.3g}, {w['verdict']}")
	PY
	}
	# the IOMMU dashboard's queries on the guest's vsvad scrape (served as a
	# file to a real Prometheus): they must name series the guest exported
	iommu_panels() {
		local port prom pids=()
		mkdir -p "$TMP/scrape"
		sed -n '/^VSVA-METRICS-BEGIN iommufd$/,/^VSVA-METRICS-END iommufd$/p' \
			"$TMP/console.txt" | sed '1d;$d' | base64 -d >"$TMP/scrape/metrics" 2>/dev/null
		if ! command -v prometheus >/dev/null || [ ! -s "$TMP/scrape/metrics" ]; then
			echo "not ok - IOMMU panels: no prometheus, or no scrape from the guest"
			return
		fi
		port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
		port=$(port)
		prom=127.0.0.1:$(port)
		(cd "$TMP/scrape" && exec python3 -m http.server --bind 127.0.0.1 "$port") \
			>/dev/null 2>&1 &
		pids+=($!)
		cat >"$TMP/prom.yml" <<-YML
	global:
	  scrape_interval: 1s
	scrape_configs:
	  - job_name: vsva
	    static_configs:
	      - targets: ['127.0.0.1:$port']
	YML
		prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/tsdb" \
			--web.listen-address="$prom" >"$TMP/prom.log" 2>&1 &
		pids+=($!)
		for _ in $(seq 60); do	# a few scrapes: rates need two points
			[ "$(curl -sf "http://$prom/api/v1/query?query=count_over_time(up%5B1m%5D)" |
				sed -nE 's/.*"value":\[[0-9.]+,"([0-9]+)"\].*/\1/p')" -ge 4 ] 2>/dev/null && break
			sleep 0.5
		done
		local old=()
		[ "$ver" = 6.12 ] && old=(
			--may-be-empty "PASID replace p99 by device=the 6.12 backport's kernel has no PASID replace"
			--may-be-empty "vIOMMU and vDEVICE allocations=6.12 has no vIOMMU objects"
			--may-be-empty "vIOMMU invalidation p99=6.12 has no vIOMMU objects"
			--may-be-empty "Invalidation entries not handled/B=6.12 has no vIOMMU objects")
		python3 "$TOP/tests/panel-queries.py" "$prom" "$TOP/dashboards/vsva-iommu.json" \
			"${old[@]}" \
			--may-be-empty "SVA bind latency=no SVA-capable device in the guest" \
			--may-be-empty "SVA bind p99 by device=no SVA-capable device in the guest" \
			--may-be-empty "Errors by result/B=no SVA-capable device in the guest" \
			--may-be-empty "Domain attaches and I/O page faults/B=no driver reported an I/O page fault in the run" \
			| sed 's/^\(not \)\{0,1\}ok - /&guest scrape: /'
		kill "${pids[@]}" 2>/dev/null
		wait "${pids[@]}" 2>/dev/null
	}
	if grep -q '^VSVA-METRICS-BEGIN iommufd' "$TMP/console.txt"; then
		iommu_panels
	else
		echo "not ok - the guest printed no vsvad scrape of the iommufd run"
	fi

	if grep -q '^VSVA-BENCH-BEGIN' "$TMP/console.txt"; then
		bench_compare
	else
		echo "not ok - the guest printed no vsva-bench runs"
	fi

	if ! grep -q '^VSVA-DONE' "$TMP/console.txt"; then
		echo "not ok - the guest did not finish (qemu exit $rc); console:"
		tail -60 "$TMP/console.txt" | sed 's/^/#   /'
	fi
}

for ver in "${!kout[@]}"; do
	report "$ver" | sed "s/^\(not \)\{0,1\}ok - /&$ver: /; s/^# /# $ver: /"
done
