#!/usr/bin/env bash
# Live: --web-config gives TLS and basic auth; a real Prometheus scrapes
# through both; a broken web-config is refused before anything loads.
. "$(dirname "$0")/lib.sh"
require_live
for cmd in openssl htpasswd prometheus; do
	command -v "$cmd" >/dev/null || { not_ok "$cmd not installed (make deps)"; exit 0; }
done

cd "$TMP" || exit 1
openssl req -x509 -newkey rsa:2048 -nodes -keyout server.key -out server.crt \
	-days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
hash=$(htpasswd -nbB -C 6 scraper 's3cret pass' | cut -d: -f2)
cat >web.yml <<YML
tls_server_config:
  cert_file: server.crt
  key_file: server.key
basic_auth_users:
  scraper: $hash
YML

serve_web web.yml vsvad.log https --cacert server.crt
ADDR=$SADDR VSVAD_PID=$SPID
code() { curl -s -o /dev/null -w '%{http_code}' --cacert server.crt "$@"; }
check "TLS without credentials: 401" 401 "$(code "https://$ADDR/metrics")"
check "TLS, wrong password: 401" 401 "$(code -u 'scraper:wrong' "https://$ADDR/metrics")"
check "TLS, unknown user: 401" 401 "$(code -u 'nobody:s3cret pass' "https://$ADDR/metrics")"
check "TLS, right password: 200" 200 "$(code -u 'scraper:s3cret pass' "https://$ADDR/metrics")"
check_match "401 asks for Basic auth" 'WWW-Authenticate: Basic realm="vsvad"' \
	"$(curl -s -D - -o /dev/null --cacert server.crt "https://$ADDR/metrics" | tr -d '\r')"
check "plain HTTP to the TLS port gets no answer" 000 \
	"$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$ADDR/metrics")"

# A real Prometheus scraping TARGET over https with JOB (YAML lines of the
# job: tls_config, basic_auth); UP is up{job="vsva"} once it is 1, or what
# it last was (Prometheus starts slowly on a loaded 2-vCPU machine: up to
# 60 s)
prom_up() { # NAME TARGET JOB
	local prom=127.0.0.1:$(free_port)

	printf 'global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: vsva\n    scheme: https\n%s    static_configs:\n      - targets: [%s]\n' \
		"$3" "'$2'" >"$1.yml"
	prometheus --config.file="$1.yml" --storage.tsdb.path="$1.tsdb" \
		--web.listen-address="$prom" >"$1.log" 2>&1 &
	PIDS+=($!)
	UP=none
	for _ in $(seq 120); do
		UP=$(curl -sf --data-urlencode 'query=up{job="vsva"}' "http://$prom/api/v1/query" |
			sed -nE 's/.*"value":\[[0-9.]+,"([^"]+)"\].*/\1/p')
		[ "$UP" = 1 ] && return
		sleep 0.5
	done
	echo "#   targets: $(curl -sf "http://$prom/api/v1/targets" | head -c 600)"
	tail -5 "$1.log" | sed 's/^/#   /'
}
prom_up prom-auth "$ADDR" "    tls_config:
      ca_file: $TMP/server.crt
    basic_auth:
      username: scraper
      password: 's3cret pass'
"
check "Prometheus scrapes through TLS and basic auth (up)" 1 "$UP"

# TLS 1.0 and 1.1 refused (RFC 8996; exporter-toolkit's default minimum is
# 1.2), 1.2 and 1.3 accepted; the client is allowed every version
proto() { # -tls1 ...: the protocol a handshake settled on, or "refused"
	echo | timeout 10 openssl s_client -connect "$ADDR" "$1" \
		-cipher 'DEFAULT:@SECLEVEL=0' 2>/dev/null |
		sed -nE 's/^New, (TLSv[0-9.]+), Cipher is .*/\1/p; s/^New, \(NONE\).*/refused/p'
}
check "TLS 1.0 refused" refused "$(proto -tls1)"
check "TLS 1.1 refused" refused "$(proto -tls1_1)"
check "TLS 1.2 accepted" TLSv1.2 "$(proto -tls1_2)"
check "TLS 1.3 accepted" TLSv1.3 "$(proto -tls1_3)"
check_match "the start-up line says what is enforced" \
	'vsvad: web: TLS 1.2 to 1.3, ciphers: ECDHE with AES-GCM, ChaCha20 \(TLS 1.3: 3\), client certificates: NoClientCert; basic auth, 1 user' "$(cat vsvad.log)"
kill "$VSVAD_PID"
wait "$VSVAD_PID" 2>/dev/null

# min_version: TLS13 refuses 1.2
sed 's/^  key_file: server.key$/&\n  min_version: TLS13/' web.yml >web13.yml
out=$("$B/vsvad" --check-web-config "$TMP/web13.yml")
check "--check-web-config: a usable file, exit 0" 0 $?
check_match "... and what it enforces" 'web13.yml: usable: TLS 1.3 to 1.3' "$out"
serve_web web13.yml vsvad13.log https --cacert server.crt
ADDR=$SADDR VSVAD_PID=$SPID
check "min_version TLS13: TLS 1.2 refused" refused "$(proto -tls1_2)"
check "min_version TLS13: TLS 1.3 accepted" TLSv1.3 "$(proto -tls1_3)"
kill "$VSVAD_PID"
wait "$VSVAD_PID" 2>/dev/null
check_web_config inverted 'tls_server_config:\n  min_version: TLS13\n  max_version: TLS12\n'
check "--check-web-config: min above max, exit 2" 2 "$RC"
check_match "... and says so" 'min_version TLS13 is above max_version TLS12' "$OUT"

# A refusal takes as long for an unknown user as for a real user's wrong
# password: both cost a bcrypt (at the costliest user's cost, 10 here;
# before, an unknown user was refused at once: 0.2 ms against 51 ms).
# Plain HTTP, so that the handshake adds no noise.
slow=$(htpasswd -nbB -C 10 alice 'right' | cut -d: -f2)
printf 'basic_auth_users:\n  scraper: %s\n  alice: %s\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n    X-Content-Type-Options: nosniff\n' \
	"$hash" "$slow" >timing.yml
serve_web timing.yml timing.log http
TADDR=$SADDR TPID=$SPID
median() { # USER:PASS NET: the median time of 20 refused requests, in
	# ms, each from its own loopback address (NET.1 ... NET.20), so that
	# none of them meets the limit on failed attempts per address
	for i in $(seq 20); do
		curl -s -o /dev/null -w '%{time_total}\n' --interface "$2.$i" \
			-u "$1" "http://$TADDR/metrics"
	done | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "%.1f", (t[10] + t[11]) / 2 }'
}
tmetric() { # NAME: its value in a scrape with alice's right password
	curl -s -u alice:right "http://$TADDR/metrics" |
		awk -v n="$1" '$1 == n { print $2 }'
}
tmetric vsva_up >/dev/null	# alice's password is remembered from here on
fail0=$(tmetric vsva_http_auth_failures_total)
r401_0=$(tmetric 'vsva_http_requests_total{code="401"}')
real_ms=$(median 'alice:wrong' 127.0.1)
unknown_ms=$(median 'mallory:wrong' 127.0.2)
ratio=$(awk -v a="$real_ms" -v b="$unknown_ms" 'BEGIN { r = a > b ? a / b : b / a; printf "%.2f", r }')
awk -v r="$ratio" 'BEGIN { exit !(r < 2) }' &&
	ok "refusal times: real user $real_ms ms, unknown user $unknown_ms ms (median of 20; ratio $ratio < 2)" ||
	not_ok "refusal times differ: real user $real_ms ms, unknown user $unknown_ms ms (ratio $ratio)"
check "... and both were refused" "401 401" \
	"$(curl -s -o /dev/null -w '%{http_code}' -u alice:wrong "http://$TADDR/metrics") $(curl -s -o /dev/null -w '%{http_code}' -u mallory:wrong "http://$TADDR/metrics")"
check "the right password still works" 200 \
	"$(curl -s -o /dev/null -w '%{http_code}' -u alice:right "http://$TADDR/metrics")"
check "vsva_http_auth_failures_total counted the 42 refusals" 42 \
	"$(( $(tmetric vsva_http_auth_failures_total) - fail0 ))"
check 'vsva_http_requests_total{code="401"} counted them too' 42 \
	"$(( $(tmetric 'vsva_http_requests_total{code="401"}') - ${r401_0:-0} ))"

# 60 wrong passwords at once from one address: bcrypt runs off the HTTP
# thread, so a scrape with a remembered password answers at once, and the
# address gets 429 once it spent its failed attempts (10, then 1 a second)
mkdir -p flood
flood=()
for i in $(seq 60); do
	curl -s -o /dev/null -D "flood/$i.h" -w '%{http_code}\n' --interface 127.0.3.1 \
		-u alice:wrong "http://$TADDR/metrics" >"flood/$i.code" &
	flood+=($!)
done
sleep 0.2
scrape_s=$(curl -s -o /dev/null -w '%{time_total}' -u alice:right "http://$TADDR/metrics")
wait "${flood[@]}"
awk -v t="$scrape_s" 'BEGIN { exit !(t < 0.2) }' &&
	ok "a scrape during 60 concurrent bad guesses answered in ${scrape_s} s (< 0.2)" ||
	not_ok "a scrape during 60 concurrent bad guesses took ${scrape_s} s"
n401=$(cat flood/*.code | grep -c '^401$') n429=$(cat flood/*.code | grep -c '^429$')
[ "$n401" -ge 10 ] && [ "$n401" -le 12 ] && [ $((n401 + n429)) -eq 60 ] &&
	ok "the flooding address: $n401 refused after a bcrypt, $n429 got 429 (budget 10, then 1/s)" ||
	not_ok "the flooding address: $n401 401s and $n429 429s of 60"
check_match "429 says when to retry" 'Retry-After: [0-9]+' "$(grep -h -A9 '^HTTP/1.1 429' flood/*.h | head -10 | tr -d '\r')"
for what in "200:-u alice:right" "401:-u alice:wrong --interface 127.0.4.1" "404:-u alice:right"; do
	code=${what%%:*} args=${what#*:}
	url=http://$TADDR/metrics
	[ "$code" = 404 ] && url=http://$TADDR/nosuch
	# shellcheck disable=SC2086
	check_match "http_server_config headers on a $code" \
		'X-Frame-Options: deny.*X-Content-Type-Options: nosniff|X-Content-Type-Options: nosniff.*X-Frame-Options: deny' \
		"$(curl -s -o /dev/null -D - $args "$url" | tr -d '\r' | tr '\n' ' ')"
done
check_match "... and on a 429" 'X-Frame-Options: deny' \
	"$(grep -h -A9 '^HTTP/1.1 429' flood/*.h | head -10 | tr -d '\r' | tr '\n' ' ')"
check "another address is not limited" 401 \
	"$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.3.2 -u alice:wrong "http://$TADDR/metrics")"
kill "$TPID"
wait "$TPID" 2>/dev/null

# Rotation: replace the certificate files, SIGHUP, and the next handshake
# presents the new certificate, while a scrape loop across the reload sees
# no error; a file that cannot be used keeps the old config
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
	-subj /CN=vsva-test-ca 2>/dev/null
for n in a b c; do
	openssl req -newkey rsa:2048 -nodes -keyout "$n.key" -out "$n.csr" \
		-subj /CN=127.0.0.1 2>/dev/null
	openssl x509 -req -in "$n.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
		-days 2 -out "$n.crt" -extfile <(printf 'subjectAltName=IP:127.0.0.1') 2>/dev/null
done
fp() { openssl x509 -noout -fingerprint -sha256 -in "$1" | cut -d= -f2; }
served_fp() {
	echo | openssl s_client -connect "$RADDR" 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256 2>/dev/null | cut -d= -f2
}
cp a.crt rot.crt && cp a.key rot.key && vsvad_reads rot.key
printf 'tls_server_config:\n  cert_file: rot.crt\n  key_file: rot.key\nbasic_auth_users:\n  scraper: %s\n' \
	"$hash" >rot.yml
serve_web rot.yml rot.log https --cacert ca.crt
RADDR=$SADDR RPID=$SPID
check "the first certificate is served" "$(fp a.crt)" "$(served_fp)"
(for _ in $(seq 60); do
	curl -s -o /dev/null -w '%{http_code}\n' --cacert ca.crt \
		-u 'scraper:s3cret pass' "https://$RADDR/metrics"
	sleep 0.05
done) >rot.codes &
LOOP=$!
sleep 0.5
cp b.crt rot.crt && cp b.key rot.key
kill -HUP "$RPID"
sleep 1.5
check "after SIGHUP the new certificate is served" "$(fp b.crt)" "$(served_fp)"
check_match "... and the log says so" 'web config reloaded: TLS 1.2 to 1.3' "$(cat rot.log)"
cp a.key rot.key	# another certificate's key
kill -HUP "$RPID"
sleep 1.5
check "a key that is not the certificate's: the certificate stays" "$(fp b.crt)" "$(served_fp)"
check_match "... the log says why" 'web config not reloaded, the old one stays: .*key_file is not the key of cert_file' "$(cat rot.log)"
rmetric() {
	curl -s --cacert ca.crt -u 'scraper:s3cret pass' "https://$RADDR/metrics" |
		awk -v n="$1" '$1 == n { print $2 }'
}
check "... and the metrics say so" "1 1 0" \
	"$(rmetric 'vsva_web_config_reloads_total{result="ok"}') $(rmetric 'vsva_web_config_reloads_total{result="error"}') $(rmetric vsva_web_config_last_reload_successful)"
wait "$LOOP"
check "the scrape loop across both reloads: every scrape 200" "60 of 60" \
	"$(grep -c '^200$' rot.codes) of $(grep -c . rot.codes)"

# No signal: the files change (the certificate, then its key 0.3 s
# later), and once they have settled for a second vsvad reads them, once
cp c.crt rot.crt
sleep 0.3
cp c.key rot.key
t0=$(date +%s.%N)
for _ in $(seq 50); do
	[ "$(served_fp)" = "$(fp c.crt)" ] && break
	sleep 0.1
done
check "files replaced without a signal: the new certificate is served" "$(fp c.crt)" "$(served_fp)"
echo "# ... $(echo "$(date +%s.%N) - $t0" | bc) s after the key was written"
check "... one reload for the two writes, logged as a file change" "1 2 1" \
	"$(grep -c 'files changed: web config reloaded' rot.log) $(rmetric 'vsva_web_config_reloads_total{result="ok"}') $(rmetric vsva_web_config_last_reload_successful)"
printf 'basic_auth_users:\n  scraper: plaintext\n' >>rot.yml
sleep 2.5
check_match "a config edited into a broken one is refused, and logged" \
	'files changed: web config not reloaded, the old one stays: .*must be a bcrypt hash' "$(cat rot.log)"
check "... once, and the old config serves on" "1 200" \
	"$(grep -c 'files changed: web config not reloaded' rot.log) $(curl -s -o /dev/null -w '%{http_code}' --cacert ca.crt -u 'scraper:s3cret pass' "https://$RADDR/metrics")"
kill "$RPID"
wait "$RPID" 2>/dev/null

# Mutual TLS: client_auth_type RequireAndVerifyClientCert with
# client_ca_file; a real Prometheus scrapes with its client certificate
openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr \
	-subj /CN=prometheus 2>/dev/null
openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
	-days 2 -out client.crt 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout rogue.key -out rogue.crt \
	-days 2 -subj /CN=rogue 2>/dev/null
printf 'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n' >mtls.yml
serve_web mtls.yml mtls.log https --cacert ca.crt --cert client.crt --key client.key
MADDR=$SADDR MPID=$SPID
mcode() { curl -s -o /dev/null -w '%{http_code}' --cacert ca.crt "$@" "https://$MADDR/metrics"; }
check_match "the start-up line names the client certificate policy" \
	'client certificates: RequireAndVerifyClientCert' "$(cat mtls.log)"
check "mTLS: no client certificate, no answer" 000 "$(mcode)"
check "mTLS: a certificate the CA did not sign, no answer" 000 \
	"$(mcode --cert rogue.crt --key rogue.key)"
check "mTLS: the CA's client certificate, 200" 200 "$(mcode --cert client.crt --key client.key)"
curl -s -o /dev/null --tlsv1.2 --tls-max 1.2 --cacert ca.crt "https://$MADDR/metrics"
check "mTLS over TLS 1.2 without a certificate: the handshake fails (curl 35)" 35 $?
prom_up prom-mtls "$MADDR" "    tls_config:
      ca_file: $TMP/ca.crt
      cert_file: $TMP/client.crt
      key_file: $TMP/client.key
"
check "Prometheus scrapes with its client certificate (up)" 1 "$UP"
kill "$MPID"
wait "$MPID" 2>/dev/null
check_web_config noca 'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: RequireAndVerifyClientCert\n'
check "RequireAndVerifyClientCert without client_ca_file: exit 2" 2 "$RC"
check_match "... and says so" 'needs client_ca_file' "$OUT"

printf 'basic_auth_users:\n  scraper: plaintext\n' >bad.yml
out=$("$B/vsvad" --listen "127.0.0.1:$(free_port)" --web-config "$TMP/bad.yml" 2>&1)
check "a plaintext password in web-config: exit status 2" 2 $?
check_match "... and says it must be bcrypt" "bcrypt hash" "$out"
out=$("$B/vsvad" --web-config /nonexistent.yml 2>&1)
check "a missing web-config: exit status 2" 2 $?
