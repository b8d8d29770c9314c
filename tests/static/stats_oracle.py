#!/usr/bin/python3
# The oracle of tests/static/test_stats.sh: scipy's figures for the data
# sets in argv[1], held against build/stats_check's lines on stdin.
import sys, math
import numpy as np
from scipy import stats
data = open(sys.argv[1]).read().splitlines()
ok = fail = 0
def check(what, got, want, rel=1e-9):
    global ok, fail
    good = (got == want) if isinstance(want, str) else \
        (math.isnan(want) and math.isnan(got)) or abs(got - want) <= rel * max(1e-300, abs(want)) + 1e-15
    verdict = "ok" if good else "not ok"
    print(f"{verdict} - {what}: {got}" + ("" if good else f", scipy: {want}"))
    ok += good; fail += not good
for i, (line, out) in enumerate(zip(data, sys.stdin)):
    a, b = ([float(x) for x in s.split()] for s in line.split(";"))
    g = dict(kv.split("=") for kv in out.split())
    tag = f"set {i} (n={len(a)},{len(b)})"
    if len(a) < 4 or len(b) < 4:
        check(f"{tag}: no Mann-Whitney test below 4 samples", g["mwu_method"], "none")
    else:
        m = g["mwu_method"]
        res = stats.mannwhitneyu(a, b, alternative="two-sided", method=m)
        check(f"{tag}: Mann-Whitney U ({m})", float(g["mwu_u"]), float(res.statistic))
        check(f"{tag}: Mann-Whitney p ({m})", float(g["mwu_p"]), float(res.pvalue))
    check(f"{tag}: Hodges-Lehmann shift", float(g["hl"]),
          float(np.median(np.subtract.outer(b, a))))
    check(f"{tag}: median", float(g["median"]), float(np.median(a)))
    n = len(a)
    k = 0                       # largest k with P(B <= k - 1) <= 0.025
    while stats.binom.cdf(k, n, 0.5) <= 0.025 * (1 + 1e-12):
        k += 1
    if n < 6 or k < 1:
        check(f"{tag}: no median CI below 6 samples", g.get("med_ci", ""), "none")
    else:
        s = sorted(a)
        check(f"{tag}: median CI low (order statistic {k})", float(g["med_lo"]), s[k - 1])
        check(f"{tag}: median CI high", float(g["med_hi"]), s[n - k])
    if len(a) == len(b) and "wil_method" in g:
        d = [y - x for x, y in zip(a, b)]
        nz = [x for x in d if x != 0]
        if len(nz) < 4:
            check(f"{tag}: no Wilcoxon test below 4 non-zero differences", g["wil_method"], "none")
        else:
            m = "approx" if g["wil_method"] == "asymptotic" else "exact"
            res = stats.wilcoxon(d, alternative="two-sided", mode=m, correction=False)
            check(f"{tag}: Wilcoxon T ({m})", float(g["wil_t"]), float(res.statistic))
            check(f"{tag}: Wilcoxon p ({m})", float(g["wil_p"]), float(res.pvalue))
            walsh = [(d[i] + d[j]) / 2 for i in range(len(d)) for j in range(i, len(d))]
            check(f"{tag}: paired Hodges-Lehmann (pseudo-median)", float(g["hl_paired"]),
                  float(np.median(walsh)))
            p = [float(g["mwu_p"]), float(g["wil_p"])]
            if not any(map(math.isnan, p)):
                o = sorted(range(2), key=lambda i: p[i])
                adj = [0, 0]; run = 0
                for r_, i_ in enumerate(o):
                    run = max(run, min(1, (2 - r_) * p[i_])); adj[i_] = run
                check(f"{tag}: Holm", float(g["holm0"]), adj[0])
print(f"# {ok} checks against scipy {stats.__name__} passed, {fail} failed")
