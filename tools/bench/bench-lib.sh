# shellcheck shell=bash
# Shared by tools/vsva-bench-http.sh and tools/vsva-bench-scale.sh.

# each vsvad a bench starts is fresh: no pins to adopt (an older vsvad
# ignores it)
export VSVA_PIN_ROOT=

# bench_need_root NAME WHY: exit 3 unless root
bench_need_root() {
	[ "$(id -u)" -eq 0 ] && return
	echo "$1: needs root ($2)" >&2
	exit 3
}

# bench_measure URL N DIR: N sequential scrapes of URL from one curl
# process (files in DIR) -> "p50_ms p99_ms series bytes"
bench_measure() {
	local url=$1 n=$2 dir=$3 i
	for ((i = 0; i < n; i++)); do
		printf 'url = "%s"\noutput = /dev/null\n' "$url"
	done >"$dir/cfg"
	curl -s -K "$dir/cfg" -w '%{time_total}\n' | sort -n >"$dir/t"
	awk -v n="$(wc -l <"$dir/t")" 'NR == int(n * 0.50 + 0.5) { p50 = $1 }
		NR == int(n * 0.99 + 0.5) { p99 = $1 }
		END { printf "%.3f %.3f", p50 * 1000, p99 * 1000 }' "$dir/t"
	curl -s "$url" >"$dir/body"
	printf ' %d %d\n' "$(grep -vc '^#' "$dir/body")" "$(stat -c %s "$dir/body")"
}

# bench_rss PID: resident memory in MiB
bench_rss() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
