#!/usr/bin/env bash
# Scrape latency (p50/p99) and steady RSS of vsvad next to Debian's
# prometheus-node-exporter, in one run on this machine; then a scrape on a
# fresh TLS connection during a flood of TLS connections with a wrong
# password (the handshakes are the server's work).
# Goals: vsvad p99 under 1 ms with about 1,000 series; RSS under 8 MiB.
# VSVA_BENCH_BASELINE=DIR: also run the flood against DIR/vsvad (an older
# build), one after the other in this run.  VSVA_BENCH_PARTS: "scrape",
# "tls-flood" or both (the default).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tools/bench/bench-lib.sh"
B=$TOP/build
N=${VSVA_BENCH_SCRAPES:-2000}
PARTS=${VSVA_BENCH_PARTS:-scrape tls-flood}
ROUNDS=${VSVA_BENCH_FLOOD_ROUNDS:-20}
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT

bench_need_root vsva-bench-http "vsvad loads BPF"
for cmd in curl prometheus-node-exporter openssl htpasswd; do
	command -v "$cmd" >/dev/null ||
		{ echo "vsva-bench-http: $cmd missing (make deps)" >&2; exit 1; }
done

# tls_flood NAME VSVAD: ROUNDS times, 60 TLS connections at once (one
# curl, each connection fresh) with a wrong password, and 0.1 s later a
# scrape on a fresh connection with a password vsvad remembers; prints
# the scrape's p50, p90 and max time in ms, and the floods' median
# duration
tls_flood() {
	local dir=$TMP/flood-$1 port=29478 pid r i flood
	mkdir -p "$dir"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key" \
		-out "$dir/crt" -days 1 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 2>/dev/null
	printf 'tls_server_config:\n  cert_file: crt\n  key_file: key\nbasic_auth_users:\n  scraper: %s\n' \
		"$(htpasswd -nbB -C 10 scraper right | cut -d: -f2)" >"$dir/web.yml"
	"$2" --listen 127.0.0.1:$port --web-config "$dir/web.yml" 2>"$dir/log" &
	pid=$!
	for _ in $(seq 100); do
		curl -sf -o /dev/null --cacert "$dir/crt" -u scraper:right \
			"https://127.0.0.1:$port/metrics" && break
		sleep 0.1
	done
	for i in $(seq 60); do
		printf 'url = "https://127.0.0.1:%d/metrics"\noutput = /dev/null\n' $port
	done >"$dir/cfg"
	for r in $(seq "$ROUNDS"); do
		# each round from its own address: its failures budget is
		# fresh (and vsvad counts loopback clients only in total)
		curl -s -Z --parallel-max 60 --cacert "$dir/crt" \
			-u scraper:wrong --interface "127.0.7.$r" -K "$dir/cfg" \
			-w '%{time_total}\n' >"$dir/flood.$r" 2>/dev/null &
		flood=$!
		sleep 0.1
		curl -s -o /dev/null --cacert "$dir/crt" -u scraper:right \
			-w '%{time_total}\n' "https://127.0.0.1:$port/metrics" \
			>>"$dir/scrape"
		wait "$flood"
		sort -n "$dir/flood.$r" | tail -1 >>"$dir/floods"
		sleep 1		# the failures budget of all clients refills
	done
	kill "$pid"
	wait "$pid" 2>/dev/null
	sort -n "$dir/scrape" | awk -v name="$1" -v f="$(sort -n "$dir/floods" |
		awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] * 1000 }')" '
		{ t[NR] = $1 * 1000 }
		END { printf "%-26s %9.1f %9.1f %9.1f %9.0f\n", name,
			t[int(NR * 0.5 + 0.5)], t[int(NR * 0.9 + 0.5)], t[NR], f }'
}

scrape_part() {
	"$B/vsvad" --listen 127.0.0.1:29477 2>"$TMP/vsvad.log" &
	VSVAD=$!
	prometheus-node-exporter --web.listen-address=127.0.0.1:29100 \
		2>"$TMP/ne.log" &
	NE=$!
	for url in http://127.0.0.1:29477/metrics http://127.0.0.1:29100/metrics; do
		for _ in $(seq 100); do curl -sf -o /dev/null "$url" && break; sleep 0.1; done
	done
	# about 1,000 vsva series: VMs kept for the retention window
	"$B/vsva-kvmload" --lifetimes 16 -n 2 -m 1 --irqfd 3 >/dev/null

	measure() { bench_measure "$1" "$N" "$TMP"; }
	rss() { bench_rss "$1"; }

	v=$(measure http://127.0.0.1:29477/metrics)
	n=$(measure http://127.0.0.1:29100/metrics)
	printf 'vsva-bench-http: %d sequential scrapes each over loopback (curl), one run\n\n' "$N"
	printf '%-26s %9s %9s %8s %9s %9s\n' exporter "p50 ms" "p99 ms" series bytes "RSS MiB"
	printf '%-26s %9s %9s %8s %9s %9s\n' vsvad $v "$(rss $VSVAD)"
	printf '%-26s %9s %9s %8s %9s %9s\n' prometheus-node-exporter $n "$(rss $NE)"
	read -r _ p99 series _ <<<"$v"
	echo
	awk -v p="$p99" -v s="$series" -v r="$(rss $VSVAD)" 'BEGIN {
		printf "goal p99 < 1 ms with ~1,000 series: %s (%s ms, %d series)\n",
			p < 1 ? "met" : "MISSED", p, s
		printf "goal RSS < 8 MiB: %s (%s MiB)\n", r < 8 ? "met" : "MISSED", r }'
	kill "$VSVAD" "$NE"
	wait "$VSVAD" "$NE" 2>/dev/null
}

case " $PARTS " in *" scrape "*) scrape_part ;; esac
case " $PARTS " in *" tls-flood "*)
	echo
	printf 'vsva-bench-http: a scrape on a fresh TLS connection (RSA 2048) 0.1 s into\n'
	printf 'a flood of 60 TLS connections with a wrong password, %d rounds\n\n' "$ROUNDS"
	printf '%-26s %9s %9s %9s %9s\n' vsvad "p50 ms" "p90 ms" "max ms" "flood ms"
	tls_flood "this build" "$B/vsvad"
	[ -n "${VSVA_BENCH_BASELINE:-}" ] &&
		tls_flood "baseline" "$VSVA_BENCH_BASELINE/vsvad"
	;;
esac
