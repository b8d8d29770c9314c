#!/usr/bin/env bash
# Fuzz routing and the exposition writer for a bounded time (ASan+UBSan).
cd "$(dirname "$0")/../.." || exit 1
secs=${VSVA_FUZZ_SECONDS:-30}
if [ ! -x build/fuzz_http ]; then
	echo "not ok - build/fuzz_http not built (make; needs libclang-rt-14-dev)"
	exit 0
fi
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
printf 'GET\n/metrics' >"$corpus/get"
printf 'HEAD\n/' >"$corpus/head"
printf 'POST\n/metrics\\"\n' >"$corpus/post"
if out=$(build/fuzz_http -max_total_time="$secs" -rss_limit_mb=1024 \
	 -print_final_stats=1 "$corpus" 2>&1); then
	runs=$(echo "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
	echo "ok - fuzz_http: no crash, leak or assertion in $secs s ($runs inputs)"
else
	echo "not ok - fuzz_http found a problem:"
	echo "$out" | grep -E 'ERROR|SUMMARY|assert|==' | head -20 | sed 's/^/#   /'
fi
