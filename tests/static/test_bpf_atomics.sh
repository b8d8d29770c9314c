#!/usr/bin/env bash
# The BPF objects use no atomic instruction but a plain add: Linux before
# 5.12 refuses the others ("BPF_STX uses reserved fields"), and clang
# turns an add of a constant 0 into an atomic OR.
cd "$(dirname "$0")/../.." || exit 1
for o in build/*.bpf.o; do
	bad=$(llvm-objdump -d "$o" | grep -E '\block\b' | grep -v '+=')
	[ -z "$bad" ] && echo "ok - $(basename "$o"): atomics are plain adds" ||
		{ echo "not ok - $(basename "$o"): atomics 5.10 refuses:"; echo "$bad" | head -5 | sed 's/^/#   /'; }
done
