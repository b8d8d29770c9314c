#!/usr/bin/env bash
# vsva-bench's statistics against scipy (Debian's python3-scipy, the
# oracle): Mann-Whitney U and Wilcoxon signed-rank p-values (exact and
# asymptotic, with ties and zeros), Hodges-Lehmann estimates, order-
# statistic median CIs, Holm; and the small-sample rules (n < 4: no test,
# n < 6: no CI).
cd "$(dirname "$0")/../.." || exit 1
PY=/usr/bin/python3
if ! $PY -c 'import scipy' 2>/dev/null; then
	echo "skip - python3-scipy not installed (make deps): no oracle"
	exit 0
fi
[ -x build/stats_check ] || { echo "not ok - build/stats_check not built"; exit 0; }
data=$(mktemp)
trap 'rm -f "$data"' EXIT
$PY - >"$data" <<'PY'
import random
r = random.Random(14)
sets = [
    "1 2 3 4 5 6 7 ; 3 4 5 6 7 8 9.5",              # ties in the pairs
    "0.089117 0.0912 0.0885 0.0903 0.0899 0.0921 ; 0.084768 0.0861 0.0852 0.0849 0.0870 0.0858",
    "5 5 5 5 5 5 ; 5 5 5 5 5 6",                    # mostly ties, zeros
    "1 2 3 ; 4 5 6",                                # n < 4: no test
    "1 2 3 4 5 ; 2 3 4 5 6",                        # n < 6: no CI
]
for n1, n2, shift in ((6, 6, 0.3), (8, 8, 0.0), (10, 12, 1.0), (20, 20, 0.2),
                      (50, 50, 0.1), (60, 60, 0.05), (200, 200, 0.0)):
    a = [round(r.gauss(10, 1), 6) for _ in range(n1)]
    b = [round(r.gauss(10 + shift, 1), 6) for _ in range(n2)]
    sets.append(" ".join(map(str, a)) + " ; " + " ".join(map(str, b)))
for n in (7, 25, 51):                               # paired, no ties
    a = [round(r.uniform(1, 2), 9) for _ in range(n)]
    sets.append(" ".join(map(str, a)) + " ; " +
                " ".join(str(round(x * r.uniform(0.97, 1.05), 9)) for x in a))
print("\n".join(sets))
PY
build/stats_check <"$data" | $PY tests/static/stats_oracle.py "$data"
