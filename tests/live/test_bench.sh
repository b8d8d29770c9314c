#!/usr/bin/env bash
# Live: vsva-bench run / compare / ab on real commands.
#   - run with vsva attached: each run's vsva figures are exactly what the
#     workload did (deletions per run), beside the workload's own JSON;
#   - ab of sleep 0.05 against sleep 0.06: a significant regression whose
#     CI holds the 10 ms the commands differ by; the same command on both
#     sides: no significant change; A/A over 20 repetitions: false alarms
#     within what alpha promises;
#   - bad input: failing runs reported, excluded and counted; a command
#     that does not exist; files of another version or scenario, or with
#     no figure in common; no file; not JSON: one message, non-zero exit.
. "$(dirname "$0")/lib.sh"
require_live
PY=/usr/bin/python3
jq_() { $PY -c "
import json, sys
j = json.load(open(sys.argv[1]))
try:
    print($2)
except (KeyError, IndexError, TypeError, StopIteration):
    print('absent')" "$1"; }
VB=$B/vsva-bench

# run, with vsva attached: the figures of each run are that run's
"$VB" run --runs 3 --warmup 0 --label all_fast -o "$TMP/a.json" -- \
	"$B/vsva-kvmload" -n 4 >"$TMP/run.out" 2>&1
check "run: exit status" 0 $?
check "run: vsva attached" True "$(jq_ "$TMP/a.json" "j['context']['vsva_attached']")"
check "run: 3 runs recorded" 3 "$(jq_ "$TMP/a.json" "len(j['runs'])")"
check "run: each run's all_fast deletions, from vsva (4 each)" "[4.0, 4.0, 4.0]" \
	"$(jq_ "$TMP/a.json" "[r['figures']['vsva_kvm_memslot_zap_total{mode=all_fast}'] for r in j['runs']]")"
check "run: ... and from the workload's own JSON" "[4.0, 4.0, 4.0]" \
	"$(jq_ "$TMP/a.json" "[r['figures']['cmd.deletions'] for r in j['runs']]")"
check "run: the context names the memslot rung" True \
	"$(jq_ "$TMP/a.json" "j['context']['rungs']['kvm_memslot_zap'] in ('tracepoint', 'fentry', 'kprobe', 'syscall_tracepoint')")"
check "run: the context holds the kernel and KVM's parameters" True \
	"$(jq_ "$TMP/a.json" "j['context']['kernel'] != '' and 'kvm.halt_poll_ns' in j['context']['kvm_parameters']")"
"$VB" run --runs 3 --warmup 0 --label memslot -o "$TMP/b.json" -- \
	"$B/vsva-kvmload" -n 4 --mode memslot >/dev/null 2>&1
"$VB" compare --json "$TMP/a.json" "$TMP/b.json" >"$TMP/cmp.json" 2>"$TMP/cmp.err"
check "compare: exit status" 0 $?
M="next(m for m in j['metrics'] if m['name'] == 'vsva_kvm_memslot_zap_total{mode=memslot}')"
check "compare: memslot deletions 0 -> 4 in every run: a certain change" "0.0 4.0 True" \
	"$(jq_ "$TMP/cmp.json" "f\"{$M['a']['median']} {$M['b']['median']} {$M['significant']}\"")"
check "compare: 3 runs a side: no CI for the medians (fewer than 6)" None \
	"$(jq_ "$TMP/cmp.json" "next(m for m in j['metrics'] if m['name'] == 'wall_seconds')['a']['ci']")"
check "compare: 3 runs a side: no test for wall time" "too few runs" \
	"$(jq_ "$TMP/cmp.json" "next(m for m in j['metrics'] if m['name'] == 'wall_seconds')['verdict']")"
"$VB" compare --markdown "$TMP/a.json" "$TMP/b.json" >"$TMP/cmp.md"
check_match "compare --markdown: a table" '\| `wall_seconds` \|' "$(cat "$TMP/cmp.md")"
"$VB" compare --csv "$TMP/a.json" "$TMP/b.json" >"$TMP/cmp.csv"
check_match "compare --csv: a header and a wall_seconds row" \
	'^figure,a_median.*wall_seconds,' "$(tr '\n' ' ' <"$TMP/cmp.csv")"

# ab: 10 ms more sleep is a regression near +19% (fork and exec included)
"$VB" ab --runs 10 --no-vsva --a 'sleep 0.05' --b 'sleep 0.06' \
	--json "$TMP/sleep.json" --plot "$TMP/plots" >"$TMP/sleep.txt" 2>&1
check "ab sleep: exit status" 0 $?
W="next(m for m in j['metrics'] if m['name'] == 'wall_seconds')"
check "ab sleep: wall time significant, regressed" "True regressed" \
	"$(jq_ "$TMP/sleep.json" "f\"{$W['significant']} {$W['verdict']}\"")"
check "ab sleep: paired (Wilcoxon signed-rank)" "True wilcoxon_signed_rank" \
	"$(jq_ "$TMP/sleep.json" "f\"{j['paired']} {$W['test']}\"")"
check "ab sleep: the change's CI holds 10 ms (within 0.5 ms)" True \
	"$(jq_ "$TMP/sleep.json" "(lambda w: w['delta_ci_pct'][0] / 100 * w['a']['median'] <= 0.0105 and w['delta_ci_pct'][1] / 100 * w['a']['median'] >= 0.0095)($W)")"
check "ab sleep: a change near +20%" True \
	"$(jq_ "$TMP/sleep.json" "15 < $W['delta_pct'] < 22")"
check "ab --plot: charts written (PNG and SVG)" "2 2" \
	"$(ls "$TMP/plots"/wall_seconds-runs.png "$TMP/plots"/changes.png 2>/dev/null | wc -l) $(ls "$TMP/plots"/wall_seconds-cdf.svg "$TMP/plots"/changes.svg 2>/dev/null | wc -l)"

# the same command on both sides: nothing significant
"$VB" ab --runs 10 --no-vsva --a 'sleep 0.02' --b 'sleep 0.02' \
	--json "$TMP/aa.json" >/dev/null 2>&1
check "ab A/A: wall time not significant" "False within noise" \
	"$(jq_ "$TMP/aa.json" "f\"{$W['significant']} {$W['verdict']}\"")"

# false alarms of A/A over 20 repetitions: at most 3 (alpha 0.05 promises
# 1 on average; P(4 or more) is 1.6% for a test that keeps its alpha)
alarms=0
for i in $(seq 20); do
	"$VB" ab --runs 8 --warmup 0 --no-vsva --a 'true' --b 'true' \
		--json "$TMP/aa$i.json" >/dev/null 2>&1
	[ "$(jq_ "$TMP/aa$i.json" "any(m['significant'] for m in j['metrics'])")" = True ] &&
		alarms=$((alarms + 1))
done
if [ $alarms -le 3 ]; then
	ok "A/A: $alarms false alarm(s) in 20 repetitions (at most 3)"
else
	not_ok "A/A: $alarms false alarms in 20 repetitions (more than 3)"
fi

# the seed change's experiment, small: quirk on against off
"$VB" ab --scenario zap-quirk --runs 6 --warmup 0 --json "$TMP/zq.json" \
	--plot "$TMP/zqplot" --scenario-args '-n 4 --vcpus 2 --page-size 4k -m 16' \
	>"$TMP/zq.txt" 2>&1
check "ab --scenario zap-quirk: exit status" 0 $?
check "zap-quirk --plot: the deletion latency histograms of both sides" "2 2" \
	"$(ls "$TMP"/zqplot/hist-vsva_kvm_memslot_zap_seconds_mode_*.png | wc -l) $(ls "$TMP"/zqplot/hist-vsva_kvm_memslot_zap_seconds_mode_*.svg | wc -l)"
Z="{m['name']: m for m in j['metrics']}"
check "zap-quirk: A zaps all 4 times a run, B never (certain)" "4.0 0.0 True" \
	"$(jq_ "$TMP/zq.json" "(lambda m: f\"{m['a']['median']} {m['b']['median']} {m['significant']}\")($Z['vsva_kvm_memslot_zap_total{mode=all_fast}'])")"
check "zap-quirk: B's memslot-only deletions, 4 a run" "0.0 4.0" \
	"$(jq_ "$TMP/zq.json" "(lambda m: f\"{m['a']['median']} {m['b']['median']}\")($Z['vsva_kvm_memslot_zap_total{mode=memslot}'])")"
check "zap-quirk: the guest's retouch time is compared, with a CI" True \
	"$(jq_ "$TMP/zq.json" "$Z['cmd.retouch_ns.p50']['delta_ci_pct'] is not None")"
check "zap-quirk: labels and scenario in the context" "quirk on (all_fast) zap-quirk" \
	"$(jq_ "$TMP/zq.json" "j['side_a']['label'] + ' ' + j['context']['scenario']")"

# bad input
echo 0 >"$TMP/count"
"$VB" run --runs 6 --warmup 0 --no-vsva -o "$TMP/flaky.json" -- sh -c \
	"n=\$(cat $TMP/count); echo \$((n + 1)) >$TMP/count; [ \$((n % 3)) -ne 2 ]" \
	>/dev/null 2>"$TMP/flaky.err"
check "a command failing in 2 of 6 runs: counted" 2 "$(jq_ "$TMP/flaky.json" "j['failed_runs']")"
check_match "... and reported" '2 of 6 runs failed' "$(cat "$TMP/flaky.err")"
"$VB" compare --json "$TMP/flaky.json" "$TMP/flaky.json" >"$TMP/flaky-cmp.json"
check "... and left out of the figures (n = 4)" 4 \
	"$(jq_ "$TMP/flaky-cmp.json" "$W['a']['n']")"

bad() { # NAME STATUS ARGS...: one line of vsva-bench's own (a shell's
	  # "not found" is the command's)
	local name=$1 want=$2 err rc
	shift 2
	err=$("$VB" "$@" 2>&1 >/dev/null)
	rc=$?
	check "$name: exit status $want" "$want" "$rc"
	check "$name: one line" 1 "$(printf '%s\n' "$err" | grep -v '^sh: ' | grep -c .)"
}
bad "a command that does not exist" 5 run --runs 2 --no-vsva -o "$TMP/x.json" -- /nonexistent/cmd
bad "ab: a command that does not exist" 5 ab --runs 2 --no-vsva --a true --b 'no-such-command-vsva'
$PY -c "import json; j = json.load(open('$TMP/a.json')); j['vsva_bench_format'] = 99; json.dump(j, open('$TMP/v99.json', 'w'))"
bad "a file of another version" 4 compare "$TMP/a.json" "$TMP/v99.json"
$PY -c "import json; j = json.load(open('$TMP/a.json')); j['scenario'] = 'zap-quirk'; json.dump(j, open('$TMP/sc.json', 'w'))"
bad "a file of another scenario" 4 compare "$TMP/a.json" "$TMP/sc.json"
$PY -c "
import json; j = json.load(open('$TMP/a.json'))
for r in j['runs']: r['figures'] = {'other_' + k: v for k, v in r['figures'].items()}
json.dump(j, open('$TMP/mis.json', 'w'))"
bad "files with no figure in common" 4 compare "$TMP/a.json" "$TMP/mis.json"
bad "no such file" 4 compare "$TMP/a.json" "$TMP/none.json"
echo 'not json' >"$TMP/bad.json"
bad "not JSON" 4 compare "$TMP/a.json" "$TMP/bad.json"
bad "run without -o" 2 run -- true
bad "an unknown subcommand" 2 frobnicate
bad "an unknown scenario" 2 ab --scenario nope
