#!/usr/bin/env bash
# Live: slow clients.  One client (an IPv4 address, an IPv6 /64) holds at
# most --max-per-ip connections (default 8 here), so clients trickling
# bytes from one address, or from many of one /64, cannot take every slot:
# a scrape from another address gets 200 at once.  A connection that has
# not sent its request headers 5 s after its accept is closed, however it
# trickles bytes; a TLS handshake too.  In a network namespace of its own,
# where clients have addresses that are not loopback (loopback clients
# count only against --max-connections); each address in 198.51.100.0/24,
# 2001:db8:2::/64 and 2001:db8:3::/64 can be a client's (local routes for
# the prefixes; IPv6 binds to them as nonlocal addresses).
. "$(dirname "$0")/lib.sh"
require_live
for cmd in python3 nsenter ip openssl; do
	command -v "$cmd" >/dev/null || { not_ok "$cmd not installed (make deps)"; exit 0; }
done
SLOW=$TOP/tests/helpers/slow_clients.py

NS=vsva-slow-$$
if ! ip netns add "$NS" 2>"$TMP/netns.err"; then
	skip "test_slow_clients: no network namespace: $(cat "$TMP/netns.err")"
	exit 0
fi
trap 'cleanup; ip netns del "$NS" 2>/dev/null' EXIT
in_ns() { nsenter --net="/run/netns/$NS" "$@"; }
in_ns ip link set lo up
in_ns ip addr add 192.0.2.1/32 dev lo
in_ns ip route add local 198.51.100.0/24 dev lo
in_ns ip -6 addr add 2001:db8:1::1/128 dev lo nodad
in_ns ip -6 route add local 2001:db8:2::/64 dev lo
in_ns ip -6 route add local 2001:db8:3::/64 dev lo
in_ns sysctl -qw net.ipv6.ip_nonlocal_bind=1

# serve NAME [ARGS...]: vsvad on [::]:PORT in the namespace (IPv4 clients
# as mapped addresses), up once a scrape from 198.51.100.250 answers
serve() {
	local name=$1 i
	shift
	# nsenter itself, not the in_ns function: a function in the
	# background is a subshell, and $! would be it, not vsvad
	nsenter --net="/run/netns/$NS" "$B/vsvad" --listen "[::]:$PORT" \
		--max-connections 64 "$@" >"$TMP/$name.log" 2>&1 &
	PIDS+=($!)
	SPID=$!
	for ((i = 0; i < 150; i++)); do
		in_ns curl -sk -o /dev/null --interface 198.51.100.250 \
			"$SCHEME://192.0.2.1:$PORT/metrics" && return
		sleep 0.1
	done
	not_ok "vsvad ($name) did not start: $(tail -3 "$TMP/$name.log")"
}
nsmetric() { # NAME: its value, scraped from 198.51.100.251
	in_ns curl -sk --interface 198.51.100.251 "$SCHEME://192.0.2.1:$PORT/metrics" |
		awk -v n="$1" '$1 == n { print $2 }'
}
field() { sed -nE "s/.*$1=([^ ]*).*/\1/p" <<<"$2"; }
# within LIST LO HI: every number of the comma list in [LO, HI]
within() {
	[ "$1" != none ] && tr , '\n' <<<"$1" |
		awk -v lo="$2" -v hi="$3" '$1 < lo || $1 > hi { bad = 1 } END { exit bad }'
}

PORT=9477 SCHEME=http
serve plain
# two addresses, 40 connections each, one byte a second for 8 s; a
# scrape from a third address 1.5 s in
in_ns python3 "$SLOW" 192.0.2.1 $PORT 8 40 198.51.100.1 198.51.100.2 >"$TMP/v4.out" &
ATTACK=$!
sleep 1.5
good=$(in_ns curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 \
	--interface 198.51.100.3 "http://192.0.2.1:$PORT/metrics")
wait "$ATTACK"
v4=$(cat "$TMP/v4.out")
echo "# two IPv4 clients: $v4"
check "two IPv4 clients trickling 40 connections each: 8 each held (the rest refused)" 16 \
	"$(field open_at_1s "$v4")"
read -r code secs <<<"$good"
check "... a scrape from a third address meanwhile: 200" 200 "$code"
awk -v t="$secs" 'BEGIN { exit !(t < 1) }' &&
	ok "... in $secs s (< 1)" || not_ok "... took $secs s"
closed=$(field closed_after "$v4")
within "$closed" 4.5 6 &&
	ok "the 16 trickling headers were closed at the 5 s deadline ($(tr , '\n' <<<"$closed" | sort -n | sed -n '1p;$p' | paste -sd- ) s)" ||
	not_ok "trickling connections closed after: $closed"
check "... none left open" 0 "$(field open_at_end "$v4")"
check "vsva_http_client_limit_refusals_total: the 64 refused" 64 \
	"$(nsmetric vsva_http_client_limit_refusals_total)"
check 'vsva_http_deadline_closes_total{phase="headers"}: the 16' 16 \
	"$(nsmetric 'vsva_http_deadline_closes_total{phase="headers"}')"

# one IPv6 /64: 40 addresses of it, a connection each, counted as one
srcs=$(for i in $(seq 40); do printf '2001:db8:2::%x ' "$i"; done)
# shellcheck disable=SC2086
v6=$(in_ns python3 "$SLOW" 2001:db8:1::1 $PORT 2 1 $srcs)
echo "# 40 addresses of one IPv6 /64: $v6"
check "40 addresses of one IPv6 /64: 8 connections held" 8 "$(field open_at_1s "$v6")"
check "... while another /64 is a client of its own: 200" 200 \
	"$(in_ns curl -s -o /dev/null -w '%{http_code}' --interface 2001:db8:3::1 \
		"http://[2001:db8:1::1]:$PORT/metrics")"

# loopback clients count only against --max-connections
lo=$(in_ns python3 "$SLOW" 127.0.0.1 $PORT 2 20 127.0.0.1)
check "20 connections from 127.0.0.1: all held (loopback is not limited per client)" 20 \
	"$(field open_at_1s "$lo")"

# a TLS handshake trickled a byte a second: closed at the deadline too
cd "$TMP" || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout tls.key -out tls.crt -days 2 -subj /CN=vsva 2>/dev/null
printf 'tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n' >tls.yml
kill "$SPID"
wait "$SPID" 2>/dev/null
PORT=9478 SCHEME=https
serve tls --web-config "$TMP/tls.yml"
t=$(in_ns python3 "$SLOW" --tls 192.0.2.1 $PORT 9 1 198.51.100.4)
echo "# a trickled TLS handshake: $t"
within "$(field closed_after "$t")" 4.5 6 &&
	ok "a TLS handshake trickled a byte a second: closed after $(field closed_after "$t") s (deadline 5 s)" ||
	not_ok "a trickled TLS handshake: $t"
check "... and a scrape over TLS from elsewhere: 200" 200 \
	"$(in_ns curl -sk -o /dev/null -w '%{http_code}' --interface 198.51.100.5 \
		"https://192.0.2.1:$PORT/metrics")"
kill "$SPID"
wait "$SPID" 2>/dev/null	# its status is the SIGTERM's, not the test's
exit 0
