#!/usr/bin/env bash
# Live: vsvad under many, slow, malformed and impatient clients keeps
# answering, and a normal scrape stays fast.
. "$(dirname "$0")/lib.sh"
require_live

start_vsvad || exit 1
URL=http://$ADDR/metrics
PORT=${ADDR##*:}

# 1,000 concurrent scrapes, one curl process
for i in $(seq 1000); do
	printf 'url = "%s"\noutput = /dev/null\n' "$URL"
done >"$TMP/many.cfg"
curl -s --parallel --parallel-immediate --parallel-max 1000 -K "$TMP/many.cfg" \
	-w '%{http_code}\n' >"$TMP/codes" 2>/dev/null
check "1000 concurrent scrapes: all answered 200" 1000 "$(grep -c '^200$' "$TMP/codes")"

# 200 slow clients trickling a header each half second
slow() {
	exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return
	printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n' >&3
	for _ in $(seq 16); do
		printf 'X-Slow: a\r\n' >&3 2>/dev/null || return
		sleep 0.5
	done
}
for i in $(seq 200); do
	slow &
	SLOW+=($!)
done
sleep 2
t=$(curl -s -o /dev/null -w '%{time_total}' "$URL")
check_match "a normal scrape during 200 slow clients answers" '^[0-9.]+$' "$t"
if awk -v t="$t" 'BEGIN { exit !(t < 1.0) }'; then
	ok "... in under 1 s (${t} s)"
else
	not_ok "a normal scrape during 200 slow clients took ${t} s"
fi
kill "${SLOW[@]}" 2>/dev/null
wait "${SLOW[@]}" 2>/dev/null

# malformed requests: a 4xx or a closed connection, never a crash
raw() { # REQUEST -> the status line, or "closed"
	local line
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf '%b' "$1" >&3
	IFS= read -r -t 5 line <&3 || line=closed
	exec 3<&-
	echo "${line%$'\r'}"
}
for req in 'GARBAGE\r\n\r\n' 'GET\r\n\r\n' 'GET /metrics HTTP/9.9\r\n\r\n' \
	   'GET /metrics HTTP/1.1\r\nBroken header line\r\n\r\n' '\x00\x01\x02\r\n\r\n'; do
	line=$(raw "$req")
	check_match "malformed '${req:0:24}': 4xx, 505 or closed" '^(HTTP/1\.[01] (4[0-9][0-9]|505)|closed)' "$line"
done
code=$(curl -s -o /dev/null -w '%{http_code}' "http://$ADDR/$(head -c 70000 /dev/zero | tr '\0' a)")
check "70 KB URL: 414" 414 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 100000 /dev/zero | tr '\0' a)" "$URL")
check "100 KB header: 431" 431 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL")
check "DELETE: 405" 405 "$code"
check "HEAD /metrics: 200 without a body" "200 0" \
	"$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' "$URL")"

# gzip when asked (Prometheus asks), the same exposition
curl -s "$URL" | grep -v '^vsva_scrape_duration' >"$TMP/plain"
enc=$(curl -s -o "$TMP/gz" -w '%{content_type}|' -D - -H 'Accept-Encoding: gzip' "$URL" |
	tr -d '\r' | awk -F': ' 'tolower($1) == "content-encoding" { print $2 }')
check "Accept-Encoding: gzip gets Content-Encoding: gzip" gzip "$enc"
zcat "$TMP/gz" | grep -v '^vsva_scrape_duration' | grep -v '^vsva_bpf_prog_run' >"$TMP/unzipped"
grep -v '^vsva_bpf_prog_run' "$TMP/plain" >"$TMP/plain2"
check "the gzipped exposition is the same text" "" \
	"$(diff <(cut -d' ' -f1 "$TMP/plain2") <(cut -d' ' -f1 "$TMP/unzipped") | head -3)"
check_gt "and smaller" "$(stat -c %s "$TMP/gz")" "$(stat -c %s "$TMP/plain")"

# clients that go away in the middle of a response
for i in $(seq 50); do
	curl -s -N "$URL" 2>/dev/null | head -c 64 >/dev/null
	curl -s --max-time 0.001 -o /dev/null "$URL" 2>/dev/null
done
check "after 100 aborted responses: still 200" 200 \
	"$(curl -s -o /dev/null -w '%{http_code}' "$URL")"
check "vsvad still running" 0 "$(kill -0 "$VSVAD_PID"; echo $?)"
fds=$(ls "/proc/$VSVAD_PID/fd" | wc -l)
if [ "$fds" -lt 100 ]; then
	ok "no connection left open ($fds descriptors)"
else
	not_ok "$fds descriptors open after the clients left"
fi
# vsvad counts what it answered, by status, and the connections it took
hm() { curl -s "$URL" | awk -v n="$1" '$1 == n { print $2 }'; }
c200=$(hm 'vsva_http_requests_total{code="200"}') c404=$(hm 'vsva_http_requests_total{code="404"}')
c405=$(hm 'vsva_http_requests_total{code="405"}') conns=$(hm vsva_http_connections_total)
base=${URL%/metrics}
for i in 1 2 3; do curl -s -o /dev/null "$base/nosuch$i"; done
curl -s -o /dev/null -X DELETE "$URL"
curl -s -o /dev/null "$base/$(head -c 40000 /dev/zero | tr '\0' a)"	# 414, by the library
check "vsva_http_requests_total: 3 more 404s" 3 "$(( $(hm 'vsva_http_requests_total{code="404"}') - ${c404:-0} ))"
check "... 1 more 405" 1 "$(( $(hm 'vsva_http_requests_total{code="405"}') - ${c405:-0} ))"
# a request counts once answered: the scrape that read c200, the 3 that
# read the other baselines and the 2 checks above, not this one
check "... 6 more 200s: the 6 scrapes since c200 was read" 6 \
	"$(( $(hm 'vsva_http_requests_total{code="200"}') - ${c200:-0} ))"
# a connection counts once accepted: 5 requests and 4 scrapes since
check "vsva_http_connections_total: 9 connections since, the 414's too" 9 \
	"$(( $(hm vsva_http_connections_total) - conns ))"
stop_vsvad
check "vsvad exits 0 after all that" 0 $?
