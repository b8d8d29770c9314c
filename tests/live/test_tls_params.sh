#!/usr/bin/env bash
# Live: the web config's cipher_suites, curve_preferences and
# client_allowed_sans, checked with openssl s_client, curl and testssl.sh
# (programs we did not write): what is configured is what is offered.
. "$(dirname "$0")/lib.sh"
require_live
for cmd in openssl testssl; do
	command -v "$cmd" >/dev/null || { not_ok "$cmd not installed (make deps)"; exit 0; }
done

cd "$TMP" || exit 1
openssl req -x509 -newkey rsa:2048 -nodes -keyout server.key -out server.crt \
	-days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
vsvad_reads server.key
tls='tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n'

# s12 CIPHER / s13 SUITE: what a TLS 1.2 / 1.3 handshake offering only
# that settled on, or "refused" (s_client's "New, TLSv1.0" is the
# suite's first version, not the protocol's)
s12() {
	echo | timeout 10 openssl s_client -connect "$ADDR" -tls1_2 -cipher "$1" 2>/dev/null |
		sed -nE 's/^New, TLSv[0-9.]+, Cipher is (.*)/\1/p; s/^New, \(NONE\).*/refused/p'
}
s13() {
	echo | timeout 10 openssl s_client -connect "$ADDR" -tls1_3 -ciphersuites "$1" 2>/dev/null |
		sed -nE 's/^New, TLSv1.3, Cipher is (.*)/\1/p; s/^New, \(NONE\).*/refused/p'
}
group() { # GROUP VERSION: the key exchange group settled on, or "refused"
	echo | timeout 10 openssl s_client -connect "$ADDR" "$2" -groups "$1" 2>/dev/null |
		sed -nE 's/^(Server|Peer) Temp Key: ECDH, ([^,]+),.*/\2/p; s/^New, \(NONE\).*/refused/p'
}

# Two suites (one GCM, one CBC: a list GnuTLS can offer exactly) and
# one curve
printf "$tls"'  cipher_suites:\n    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n    - TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA\n  curve_preferences: [CurveP384]\n' >two.yml
serve_web two.yml two.log https -k
ADDR=$SADDR
check_match "the start-up line counts the suites and names the curve" \
	'ciphers: 2 listed \(TLS 1.3: 1\), curves: CurveP384' "$(cat two.log)"
for c in ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-SHA; do
	check "listed, TLS 1.2 $c: accepted" "$c" "$(s12 "$c")"
done
for c in ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-AES128-SHA ECDHE-RSA-CHACHA20-POLY1305 \
	AES128-GCM-SHA256 AES256-SHA DHE-RSA-AES128-GCM-SHA256; do
	check "not listed, TLS 1.2 $c: refused" refused "$(s12 "$c")"
done
check "TLS 1.3 offers the list's AEAD cipher: TLS_AES_128_GCM_SHA256" \
	TLS_AES_128_GCM_SHA256 "$(s13 TLS_AES_128_GCM_SHA256)"
check "... and not TLS_AES_256_GCM_SHA384" refused "$(s13 TLS_AES_256_GCM_SHA384)"
check "curve_preferences [CurveP384]: P-384 over TLS 1.3" secp384r1 "$(group P-384 -tls1_3)"
check "... and over TLS 1.2" secp384r1 "$(group P-384 -tls1_2)"
for g in P-256 X25519; do
	check "... $g refused" refused "$(group "$g" -tls1_3)"
done

# testssl.sh, each cipher of each protocol: exactly the two listed
testssl --quiet --color 0 --warnings off -E --jsonfile two.json "$ADDR" >two.testssl 2>&1
offered=$(/usr/bin/python3 -c '
import json, sys
for f in json.load(open(sys.argv[1])):
	if f["id"].startswith("cipher-tls1_2_"):
		print(f["finding"].split()[-1])' two.json | sort | tr '\n' ' ')
check "testssl.sh finds TLS 1.2 offering exactly the listed suites" \
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA " "$offered"
kill "$SPID"
wait "$SPID" 2>/dev/null

# min_version TLS10 without a list: TLS 1.0 gets Go's ECDHE AES-CBC
# suites (the default AEAD ones need TLS 1.2)
printf "$tls"'  min_version: TLS10\n' >old.yml
serve_web old.yml old.log https -k
ADDR=$SADDR
check "min_version TLS10: a TLS 1.0 client gets ECDHE with AES-CBC" ECDHE-RSA-AES256-SHA \
	"$(echo | timeout 10 openssl s_client -connect "$ADDR" -tls1 -cipher 'DEFAULT:@SECLEVEL=0' 2>/dev/null |
		sed -nE 's/^New, TLSv1(\.0)?, Cipher is (.*)/\2/p')"
kill "$SPID"
wait "$SPID" 2>/dev/null

# Lists GnuTLS cannot offer exactly are refused, with what it would add
cfg() { check_web_config "$1" "$tls$2"; }	# NAME TEXT: with TLS
cfg mixed '  cipher_suites:\n    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n    - TLS_RSA_WITH_AES_256_GCM_SHA384\n'
check "ECDHE with AES-128-GCM and RSA with AES-256-GCM: exit 2" 2 "$RC"
check_match "... names the two suites GnuTLS would add" \
	'would also offer (TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_RSA_WITH_AES_128_GCM_SHA256|TLS_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384):' "$OUT"
cfg gcmcbc '  cipher_suites:\n    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n    - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n    - TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA\n'
check "GCM 128 + 256 and CBC 128 (GnuTLS pairs CBC with SHA-1 only): usable" 0 "$RC"
cfg cbc '  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]\n'
check "CBC only, with TLS 1.3 allowed: exit 2" 2 "$RC"
check_match "... TLS 1.3 would have no suite" 'TLS 1.3 would have none' "$OUT"
cfg cbc12 '  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]\n  max_version: TLS12\n'
check "CBC only up to TLS 1.2: usable" 0 "$RC"
cfg ecdsa '  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n'
check_match "ECDSA suites with an RSA certificate: refused" \
	'none of cipher_suites can be used with an RSA certificate' "$OUT"
cfg unknown '  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n'
check_match "a suite crypto/tls does not offer: refused by name" \
	"unknown cipher 'TLS_RSA_WITH_RC4_128_SHA'" "$OUT"
cfg curve '  curve_preferences: [CurveP224]\n'
check_match "an unknown curve: refused by name" "unknown curve 'CurveP224'" "$OUT"
cfg alias '  cipher_suites: [TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305, TLS_CHACHA20_POLY1305_SHA256]\n'
check "crypto/tls's old ChaCha20 name and a TLS 1.3 name: usable" 0 "$RC"
check_match "... the TLS 1.3 name adds no TLS 1.2 suite" 'ciphers: 1 listed \(TLS 1.3: 1\)' "$OUT"

# The default: testssl.sh rates no protocol, cipher or known
# vulnerability as weak, deprecated or vulnerable
printf "$tls" >web.yml
serve_web web.yml default.log https -k
ADDR=$SADDR
testssl --quiet --color 0 --warnings off -p -s -f -U --jsonfile default.json \
	"https://$ADDR/metrics" >default.testssl 2>&1
rated() { # the findings of ids matching the regex $1 rated LOW or worse
	/usr/bin/python3 -c '
import json, re, sys
bad = ("LOW", "MEDIUM", "HIGH", "CRITICAL", "WARN")
for f in json.load(open(sys.argv[1])):
	if re.match(sys.argv[2], f["id"]) and f["severity"] in bad:
		print(f["id"] + ": " + f["finding"])' default.json "$1"
}
n=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' default.json)
check_gt "testssl.sh reported findings" 20 "$n"
check "protocols: none offered that is deprecated or weak" "" \
	"$(rated '^(SSLv2|SSLv3|TLS1|TLS1_1|TLS1_2|TLS1_3)$')"
check "protocols: 1.0 and 1.1 not offered, 1.2 and 1.3 offered" \
	"TLS1:not offered TLS1_1:not offered TLS1_2:offered TLS1_3:offered with final" \
	"$(/usr/bin/python3 -c '
import json, sys
d = {f["id"]: f["finding"] for f in json.load(open(sys.argv[1]))}
print(" ".join(k + ":" + d.get(k, "?") for k in ("TLS1", "TLS1_1", "TLS1_2", "TLS1_3")))' default.json)"
check "cipher categories and forward secrecy: none rated weak" "" \
	"$(rated '^(cipherlist_|PFS|DH_groups|cipher_order)')"
# Two checks are made here instead of by testssl.sh 3.0.8:
# - client renegotiation: testssl tells a server that closes the
#   connection on a renegotiation request from one that renegotiates by
#   a race (its first try, "echo R | s_client", may exit before reading
#   the close);
# - BREACH: testssl reports any gzip; the attack needs a secret and
#   something of the request's in one compressed body
check "vulnerabilities: none rated LOW or worse (renegotiation, BREACH: below)" "" \
	"$(rated '^(heartbleed|CCS|ticketbleed|ROBOT|secure_renego|CRIME_TLS|POODLE_SSL|fallback_SCSV|SWEET32|FREAK|DROWN|LOGJAM|BEAST|LUCKY13|RC4|winshock)$')"
probe=breachprobe$RANDOM
body=$(curl -s -k --compressed -H "X-Probe: $probe" -A "$probe" \
	"https://$ADDR/metrics?$probe=$probe")
check "BREACH: a gzip body reflects nothing of the request" "0" \
	"$(grep -c "$probe" <<<"$body")"
check_gt "... (the body was served: vsva_build_info in it)" 0 "$(grep -c '^vsva_build_info' <<<"$body")"
reneg=$( (sleep 1; echo R; sleep 2; printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'; sleep 1) |
	timeout 10 openssl s_client -tls1_2 -connect "$ADDR" 2>/dev/null |
	sed -n '/^RENEGOTIATING/,$p' | grep -cE '^(New, TLS|HTTP/1.1 200)')
check "a client-initiated renegotiation: no second handshake, no answer after it" 0 "$reneg"
kill "$SPID"
wait "$SPID" 2>/dev/null

# client_allowed_sans (with RequireAndVerifyClientCert): the CA's
# certificate naming an allowed SAN gets in; the CA's naming another, or
# a self-signed one naming the allowed SAN, get no answer
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout ca.key -out ca.crt -days 2 -subj /CN=vsva-test-ca 2>/dev/null
client() { # NAME SAN: a client certificate the CA signed
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
		-days 2 -out "$1.crt" -extfile <(printf 'subjectAltName=%s' "$2") 2>/dev/null
}
client prom 'DNS:prom.example,IP:10.1.2.3'
client other 'DNS:other.example'
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout self.key -out self.crt -days 2 -subj /CN=self \
	-addext subjectAltName=DNS:prom.example 2>/dev/null
printf "$tls"'  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [prom.example]\n' >sans.yml
serve_web sans.yml sans.log https -k --cert prom.crt --key prom.key
ADDR=$SADDR
as() { curl -s -o /dev/null -w '%{http_code}' -k --cert "$1.crt" --key "$1.key" "https://$ADDR/metrics"; }
check_match "the start-up line names the SAN rule" 'RequireAndVerifyClientCert naming one of 1 SAN' "$(cat sans.log)"
check "the CA's certificate naming prom.example: 200" 200 "$(as prom)"
check "the CA's certificate naming other.example: no answer" 000 "$(as other)"
check "a self-signed certificate naming prom.example: no answer" 000 "$(as self)"
sanref() {
	curl -s -k --cert prom.crt --key prom.key "https://$ADDR/metrics" |
		awk '$1 == "vsva_tls_client_san_refusals_total" { print $2 }'
}
check "vsva_tls_client_san_refusals_total counts the SAN refusal only" 1 "$(sanref)"
# the list follows the file, with no signal
sed -i 's/\[prom.example\]/[10.1.2.3, other.example]/' sans.yml
for _ in $(seq 50); do
	grep -q 'files changed: web config reloaded' sans.log && break
	sleep 0.1
done
check "after the file changed: other.example gets in" 200 "$(as other)"
check "... prom.example by its IP SAN" 200 "$(as prom)"
kill "$SPID"
wait "$SPID" 2>/dev/null
cfg optional '  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n  client_allowed_sans: [prom.example]\n'
check "client_allowed_sans with a certificate that may be missing: exit 2" 2 "$RC"
check_match "... and says which policy it needs" \
	'client_allowed_sans needs client_auth_type RequireAndVerifyClientCert .*may send no certificate' "$OUT"
