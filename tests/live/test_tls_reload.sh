#!/usr/bin/env bash
# Live: a certificate and key a reload replaced are freed once no
# connection uses them (vsva_tls_credentials counts the pairs in memory):
# a connection that presented the old one keeps it until it closes, and
# ten rotations leave one pair, not eleven.
. "$(dirname "$0")/lib.sh"
require_live
command -v openssl >/dev/null || { not_ok "openssl not installed (make deps)"; exit 0; }
cd "$TMP" || exit 1

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout ca.key -out ca.crt -days 2 -subj /CN=vsva-test-ca 2>/dev/null
for n in a b; do
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$n.key" -out "$n.csr" -subj /CN=127.0.0.1 2>/dev/null
	openssl x509 -req -in "$n.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
		-days 2 -out "$n.crt" -extfile <(printf 'subjectAltName=IP:127.0.0.1') 2>/dev/null
done
cp a.crt rot.crt && cp a.key rot.key && vsvad_reads rot.key
printf 'tls_server_config:\n  cert_file: rot.crt\n  key_file: rot.key\n' >rot.yml
serve_web rot.yml rot.log https --cacert ca.crt
ADDR=$SADDR PID=$SPID
gauge() {
	curl -s --cacert ca.crt "https://$ADDR/metrics" |
		awk -v n="${1:-vsva_tls_credentials}" '$1 == n { print $2 }'
}
# reload FILE: rot.* from FILE.*, SIGHUP, and wait for the Nth reload
reloads=0
reload() {
	cp "$1.crt" rot.crt && cp "$1.key" rot.key
	reloads=$((reloads + 1))
	kill -HUP "$PID"
	for _ in $(seq 40); do
		[ "$(grep -c 'SIGHUP: web config reloaded' rot.log)" -ge "$reloads" ] && return
		sleep 0.1
	done
}
check "one pair in memory at start" 1 "$(gauge)"

# a connection's session holds the pair it presented (s_client's input
# is a FIFO held open: it waits, quiet, within the 5 s for headers)
mkfifo held.in
openssl s_client -connect "$ADDR" -CAfile ca.crt <held.in >held.out 2>&1 &
HELD=$!
exec 3>held.in
PIDS+=("$HELD")
for _ in $(seq 30); do
	grep -q '^New, TLS' held.out && break
	sleep 0.1
done
reload b
check "a reload while a connection holds the old pair: two in memory" 2 "$(gauge)"
kill "$HELD"
wait "$HELD" 2>/dev/null
exec 3>&-
v=
for _ in $(seq 20); do
	v=$(gauge)
	[ "$v" = 1 ] && break
	sleep 0.1
done
check "... one once that connection closed (the old pair freed)" 1 "$v"

# ten rotations, a scrape on each certificate: one pair left
for i in $(seq 10); do
	reload "$( [ $((i % 2)) = 1 ] && echo a || echo b)"
	curl -s -o /dev/null --cacert ca.crt "https://$ADDR/metrics"
done
check "after ten more rotations, each served: one pair in memory" 1 "$(gauge)"
check "... and eleven reloads counted" 11 \
	"$(gauge 'vsva_web_config_reloads_total{result="ok"}')"
echo "# RSS after the rotations: $(awk '/^VmRSS/ { print $2, $3 }' "/proc/$PID/status")"
kill "$PID"
wait "$PID" 2>/dev/null
