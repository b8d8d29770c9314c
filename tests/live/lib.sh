# Helpers for live tests: TAP-style lines that tests/run.sh counts.
# shellcheck shell=bash
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=$TOP/build
TMP=$(mktemp -d)
# vsvad, started as root, runs as user vsva (or nobody) once attached:
# what it reads again later (a web config on reload) must be readable by
# it, as in a deployment: the directory, and keys given to its group
chmod 0755 "$TMP"
VSVAD_USER=$(id -u vsva >/dev/null 2>&1 && echo vsva || echo nobody)
# vsvad_reads FILE...: FILE readable by vsvad's group
vsvad_reads() { chgrp "$(id -gn "$VSVAD_USER")" "$@" && chmod g+r "$@"; }
PIDS=()
# vsvad pins nothing in tests (each start is fresh) unless a test sets a
# root of its own (test_pin.sh)
export VSVA_PIN_ROOT=

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }

# check NAME EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then
		ok "$1 ($3)"
	else
		not_ok "$1: expected '$2', got '$3'"
	fi
}

# check_gt NAME MIN ACTUAL: ACTUAL is a number greater than MIN
check_gt() {
	if [[ $3 =~ ^[0-9.e+-]+$ ]] && awk -v a="$3" -v m="$2" 'BEGIN { exit !(a > m) }'; then
		ok "$1 ($3 > $2)"
	else
		not_ok "$1: expected a value > $2, got '$3'"
	fi
}

# check_match NAME REGEX TEXT
check_match() {
	if [[ $3 =~ $2 ]]; then
		ok "$1"
	else
		not_ok "$1: '$3' does not match /$2/"
	fi
}

# Skip the whole file unless the machine can run live tests.
require_live() {
	local why=""
	[ "$(id -u)" -eq 0 ] || why="not root"
	[ -z "$why" ] && [ ! -c /dev/kvm ] && why="no /dev/kvm"
	[ -z "$why" ] && [ ! -e /sys/kernel/btf/vmlinux ] && why="no kernel BTF"
	[ -z "$why" ] && [ ! -x "$B/vsvad" ] && why="build/vsvad not built (run make)"
	if [ -n "$why" ]; then
		skip "$(basename "$0"): $why"
		exit 0
	fi
}

free_port() {
	local p lo
	# below the ephemeral range: a client's socket in TIME_WAIT (the
	# scrapes of earlier tests) holds its port, and a listener would
	# find it in use
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
	for p in $(shuf -i 10000-$((lo > 12000 ? lo - 1 : 40000)) -n 50); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	echo 29477
}

# wait_http URL [SECONDS]: until it answers
wait_http() {
	local i
	for ((i = 0; i < ${2:-15} * 10; i++)); do
		curl -sf -o /dev/null "$1" && return 0
		sleep 0.1
	done
	return 1
}

# start_vsvad [ARGS...]: sets VSVAD_PID, ADDR, VSVAD_LOG
start_vsvad() {
	ADDR=127.0.0.1:$(free_port)
	VSVAD_LOG=$TMP/vsvad.$RANDOM.log
	"$B/vsvad" --listen "$ADDR" "$@" >"$VSVAD_LOG" 2>&1 &
	VSVAD_PID=$!
	PIDS+=("$VSVAD_PID")
	if ! wait_http "http://$ADDR/metrics"; then
		not_ok "vsvad did not start: $(cat "$VSVAD_LOG")"
		return 1
	fi
}

# serve_web CONF LOG SCHEME CURL_ARGS...: vsvad on a free port with the
# web config $TMP/CONF (its log in LOG), once a curl with CURL_ARGS gets
# any answer from SCHEME://ADDR/; sets SADDR and SPID
serve_web() {
	local conf=$1 log=$2 scheme=$3 i

	shift 3
	SADDR=127.0.0.1:$(free_port)
	"$B/vsvad" --listen "$SADDR" --web-config "$TMP/$conf" >"$log" 2>&1 &
	SPID=$!
	PIDS+=("$SPID")
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null "$@" "$scheme://$SADDR/" && return
		sleep 0.1
	done
}

# check_web_config NAME TEXT: TEXT (printf format) as $TMP/NAME.yml, and
# vsvad --check-web-config's exit status in RC, its words in OUT
check_web_config() {
	# shellcheck disable=SC2059
	printf "$2" >"$TMP/$1.yml"
	OUT=$("$B/vsvad" --check-web-config "$TMP/$1.yml" 2>&1)
	RC=$?
}

# stop_vsvad: SIGTERM, and the exit status
stop_vsvad() {
	kill -TERM "$VSVAD_PID"
	wait "$VSVAD_PID"
}

scrape() { curl -sf "http://$ADDR/metrics"; }

# metric NAME LABELS: value of the series NAME{...LABELS...}, or "absent"
metric() {
	scrape | awk -v n="$1" -v l="$2" '
		(index($0, n "{") == 1 || index($0, n " ") == 1) && index($0, l) {
			print $NF; f = 1; exit
		}
		END { if (!f) print "absent" }'
}

# json_field JSON KEY: a top-level number or string from flat JSON
json_field() {
	LC_ALL=C sed -E "s/.*\"$2\":\"?([^,\"}]*).*/\1/" <<<"$1"
}

# start_prometheus: a real Prometheus scraping vsvad ($ADDR) every second
# as job "vsva", at $PROM; "not ok" and 1 if it does not start
start_prometheus() {
	PROM=127.0.0.1:$(free_port)
	cat >"$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: vsva
    static_configs:
      - targets: ['$ADDR']
YML
	prometheus --config.file="$TMP/prometheus.yml" \
		--storage.tsdb.path="$TMP/tsdb" --web.listen-address="$PROM" \
		>"$TMP/prometheus.log" 2>&1 &
	PIDS+=($!)
	wait_http "http://$PROM/-/ready" 30 && return 0
	not_ok "prometheus did not start: $(tail -5 "$TMP/prometheus.log")"
	return 1
}

# prom_query EXPR: the single value the Prometheus at $PROM has for EXPR
# now, or "none"
prom_query() {
	curl -sf --data-urlencode "query=$1" "http://$PROM/api/v1/query" |
		sed -nE 's/.*"value":\[[0-9.]+,"([^"]+)"\].*/\1/p' | grep . || echo none
}

# prom_wait EXPR WANT: until Prometheus has scraped WANT (at most 30 s);
# the last value
prom_wait() {
	local i v
	for ((i = 0; i < 60; i++)); do
		v=$(prom_query "$1")
		[ "$v" = "$2" ] && break
		sleep 0.5
	done
	echo "$v"
}

# bpf_ids KIND [PID]: the ids of the BPF objects of KIND (prog, map,
# link) that process PID (default: this test's vsvad) holds, one a line:
# a test looks at its own vsvad's objects, never at every object of a
# name on the machine (a vsva service may run beside it)
bpf_ids() {
	local f pid=${2:-$VSVAD_PID}
	for f in /proc/"$pid"/fdinfo/*; do
		sed -n "s/^$1_id:[[:space:]]*//p" "$f" 2>/dev/null
	done | sort -un
}

# vsvad_map_id NAME [PID]: the id of the map named NAME that PID holds
vsvad_map_id() {
	bpftool -j map show | python3 -c '
import json, sys
mine = set(int(i) for i in sys.argv[2:])
ids = [m["id"] for m in json.load(sys.stdin)
       if m["id"] in mine and m.get("name") == sys.argv[1]]
print(max(ids) if ids else "")' "$1" $(bpf_ids map "${2:-$VSVAD_PID}")
}
