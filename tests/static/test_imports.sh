#!/usr/bin/env bash
# Who calls whom between .c files, from the symbols each object defines
# (nm: T, D, B, R...) and the ones it uses (U): an object imports the
# file that defines a symbol it uses.  A circle among the library's files
# (src/lib), vsvad's (src/daemon) or a program's in tools/ fails.  The
# library comes from build/lib/*.o (make); the others are compiled here.
# --graph prints every edge ("a.c -> b.c: sym,sym") and nothing else.
cd "$(dirname "$0")/../.." || exit 1
pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }

ls build/lib/*.o >/dev/null 2>&1 || { fail "build/lib/*.o: run make"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One object per file outside the library, in its own folder's name.
inc="-Iinclude -Ibuild -Isrc/lib -Isrc/daemon -Itools/common"
inc="$inc $(pkg-config --cflags json-c 2>/dev/null)"
for c in src/daemon/*.c tools/*/*.c; do
	o=$tmp/${c//\//__}
	o=${o%.c}.o
	if ! gcc -std=gnu11 -O0 -w $inc -I"$(dirname "$c")" -c "$c" \
	     -o "$o" 2>"$tmp/err"; then
		fail "cannot compile $c: $(head -3 "$tmp/err")"
		exit 0
	fi
done
# the library's objects of the sources there are (not a removed file's)
for c in src/lib/*.c; do
	o=build/lib/$(basename "$c" .c).o
	[ -f "$o" ] || { fail "$o: run make"; exit 0; }
	cp "$o" "$tmp/src__lib__$(basename "$o")"
done
# a planted circle the check must find: selftest/a.c <-> selftest/b.c
printf 'int b(void);\nint a(void) { return b(); }\n' >"$tmp/a.c"
printf 'int a(void);\nint b(void) { return a() + 1; }\n' >"$tmp/b.c"
gcc -c "$tmp/a.c" -o "$tmp/selftest__a.o" &&
	gcc -c "$tmp/b.c" -o "$tmp/selftest__b.o" ||
	{ fail "cannot compile the planted circle"; exit 0; }

# "file kind symbol" lines: kind D (defined) or U (used)
for o in "$tmp"/*.o; do
	f=$(basename "$o" .o)
	f=${f//__//}.c
	nm "$o" | awk -v f="$f" '
		$1 == "U" { print f, "U", $2; next }
		NF == 3 && $2 ~ /^[TDBRGSVWC]$/ { print f, "D", $3 }'
done >"$tmp/syms"

python3 - "$tmp/syms" "${1:-}" <<'EOF'
import collections, sys

defs, uses = collections.defaultdict(set), collections.defaultdict(set)
for line in open(sys.argv[1]):
    f, kind, sym = line.split()
    (defs if kind == "D" else uses)[f].add(sym)

def group(f):
    """Files a file may import: its folder's, the library, tools/common."""
    d = f.rsplit("/", 1)[0]
    return {d, "src/lib"} | ({"tools/common"} if d.startswith("tools/") else set())

files = sorted(set(defs) | set(uses))
edges = collections.defaultdict(set)
for a in files:
    scope = group(a)
    for b in files:
        if a != b and b.rsplit("/", 1)[0] in scope:
            common = uses[a] & defs[b]
            if common:
                edges[a, b] = common

if sys.argv[2] == "--graph":
    for (a, b), syms in sorted(edges.items()):
        if not a.startswith("selftest/"):
            print(f"{a} -> {b}: {','.join(sorted(syms))}")
    sys.exit(0)

# strongly connected components (Tarjan): any of two files or more is
# a circle
out = collections.defaultdict(list)
for a, b in edges:
    out[a].append(b)
index, low, stack, on, sccs = {}, {}, [], set(), []
def visit(v):
    index[v] = low[v] = len(index)
    stack.append(v); on.add(v)
    for w in out[v]:
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        scc = []
        while True:
            w = stack.pop(); on.discard(w); scc.append(w)
            if w == v:
                break
        sccs.append(sorted(scc))
sys.setrecursionlimit(10000)
for f in files:
    if f not in index:
        visit(f)
circles = [s for s in sccs if len(s) > 1]
planted = [s for s in circles if s[0].startswith("selftest/")]
print(f"{'ok' if planted == [['selftest/a.c', 'selftest/b.c']] else 'not ok'}"
      f" - the check finds a planted circle (selftest/a.c <-> selftest/b.c)")
for top in ["src/lib", "src/daemon", "tools"]:
    mine = [s for s in circles if s[0].startswith(top + "/")]
    n = sum(1 for f in files if f.startswith(top + "/"))
    if not mine:
        print(f"ok - no import circle among {top}'s {n} files "
              f"({sum(1 for a, b in edges if a.startswith(top + '/'))} imports)")
    for s in mine:
        why = "; ".join(f"{a} -> {b} ({','.join(sorted(edges[a, b])[:3])})"
                        for a in s for b in s if (a, b) in edges)
        print(f"not ok - import circle in {top}: {' <-> '.join(s)}: {why}")
EOF
