#!/usr/bin/env bash
# Live: client certificates are checked as Go's crypto/tls checks them.
# client_allowed_sans needs RequireAndVerifyClientCert (with
# RequireAnyClientCert nothing verifies the certificate, so a self-signed
# one naming an allowed SAN would get in): refused at start and at a
# reload, which keeps the old config.  A verified certificate must be for
# TLS clients: a server certificate of the client CA (extended key usage
# serverAuth only) is refused, and so is a client certificate under a CA
# that is only for servers; one without extended key usage is good for
# any purpose, as in Go.
. "$(dirname "$0")/lib.sh"
require_live
command -v openssl >/dev/null || { not_ok "openssl not installed (make deps)"; exit 0; }
cd "$TMP" || exit 1

ec() { printf '%s' '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'; }
# shellcheck disable=SC2046
openssl req -x509 $(ec) -keyout ca.key -out ca.crt -days 2 -subj /CN=vsva-test-ca 2>/dev/null
# cert NAME ISSUER EXTENSIONS: NAME.crt and NAME.key, signed by ISSUER
cert() {
	# shellcheck disable=SC2046
	openssl req $(ec) -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
		-days 2 -out "$1.crt" -extfile <(printf '%b' "$3") 2>/dev/null
}
cert server ca 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'
cert client ca 'subjectAltName=DNS:prom.example\nextendedKeyUsage=clientAuth'
cert noeku ca 'subjectAltName=DNS:prom.example'
cert srvonly ca 'subjectAltName=DNS:prom.example\nextendedKeyUsage=serverAuth'
cert any ca 'subjectAltName=DNS:prom.example\nextendedKeyUsage=anyExtendedKeyUsage'
# an intermediate CA for servers only, and a client certificate under it
cert servca ca 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign\nextendedKeyUsage=serverAuth'
cert under servca 'subjectAltName=DNS:prom.example\nextendedKeyUsage=clientAuth'
cat under.crt servca.crt >under.chain
# shellcheck disable=SC2046
openssl req -x509 $(ec) -keyout self.key -out self.crt -days 2 -subj /CN=self \
	-addext subjectAltName=DNS:prom.example -addext extendedKeyUsage=clientAuth 2>/dev/null
vsvad_reads server.key	# read again on reload
check "the server certificate's purpose is serverAuth only" \
	"TLS Web Server Authentication" \
	"$(openssl x509 -in srvonly.crt -noout -ext extendedKeyUsage | sed -n '2s/^ *//p')"

tls='tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n'
check_web_config anysans "$tls"'  client_auth_type: RequireAnyClientCert\n  client_allowed_sans: [prom.example]\n'
check "RequireAnyClientCert with client_allowed_sans: refused (exit 2)" 2 "$RC"
check_match "... and says why" \
	'client_allowed_sans needs client_auth_type RequireAndVerifyClientCert .*self-signed' "$OUT"
check_web_config ifgiven "$tls"'  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n  client_allowed_sans: [prom.example]\n'
check "VerifyClientCertIfGiven with client_allowed_sans: refused (exit 2)" 2 "$RC"
check_match "... a client may send none" 'may send no certificate' "$OUT"
out=$(timeout 10 "$B/vsvad" --listen "127.0.0.1:$(free_port)" --web-config "$TMP/anysans.yml" 2>&1)
check "vsvad with it does not start (exit 2)" "2" "$?"
check_match "... and says why" 'client_allowed_sans needs client_auth_type' "$out"

# as CERT [CURL_ARGS]: the status code of a scrape with NAME.crt (or
# "none"), 000 when the handshake fails
as() {
	local who=$1
	shift
	if [ "$who" = none ]; then
		curl -s -o /dev/null -w '%{http_code}' --cacert ca.crt "$@" "https://$SADDR/metrics"
	else
		curl -s -o /dev/null -w '%{http_code}' --cacert ca.crt \
			--cert "$who" --key "${who%.*}.key" "$@" "https://$SADDR/metrics"
	fi
}
smetric() { # NAME: its value, scraped with the client certificate
	curl -s --cacert ca.crt --cert client.crt --key client.key \
		"https://$SADDR/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

# RequireAndVerifyClientCert with client_allowed_sans
printf "$tls"'  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [prom.example]\n' >verify.yml
serve_web verify.yml verify.log https --cacert ca.crt --cert client.crt --key client.key
check "RequireAndVerifyClientCert: the CA's client certificate: 200" 200 "$(as client.crt)"
check "... one without extended key usage (any purpose, as in Go): 200" 200 "$(as noeku.crt)"
check "... one for any extended key usage: 200" 200 "$(as any.crt)"
check "... the CA's server certificate (serverAuth only), naming the SAN: no answer" 000 "$(as srvonly.crt)"
check "... a client certificate under a CA for servers only: no answer" 000 "$(as under.chain)"
check "... a self-signed certificate naming the SAN: no answer" 000 "$(as self.crt)"
check "... no certificate: no answer" 000 "$(as none)"
check "vsva_tls_client_purpose_refusals_total: the two not for clients" 2 \
	"$(smetric vsva_tls_client_purpose_refusals_total)"
check "vsva_tls_client_san_refusals_total: none (they failed before)" 0 \
	"$(smetric vsva_tls_client_san_refusals_total)"
kill "$SPID"
wait "$SPID" 2>/dev/null

# VerifyClientCertIfGiven: none is fine, a bad one is not
printf "$tls"'  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n' >ifgiven-ok.yml
serve_web ifgiven-ok.yml ifgiven.log https --cacert ca.crt
check "VerifyClientCertIfGiven: no certificate: 200" 200 "$(as none)"
check "... the CA's client certificate: 200" 200 "$(as client.crt)"
check "... the CA's server certificate: no answer" 000 "$(as srvonly.crt)"
check "... a self-signed one: no answer" 000 "$(as self.crt)"
kill "$SPID"
wait "$SPID" 2>/dev/null

# RequireAnyClientCert verifies nothing (as in Go): a reload that adds
# client_allowed_sans is refused, and the old config serves on
printf "$tls"'  client_auth_type: RequireAnyClientCert\n' >any.yml
serve_web any.yml any.log https --cacert ca.crt --cert self.crt --key self.key
check "RequireAnyClientCert: a self-signed certificate: 200" 200 "$(as self.crt)"
printf '  client_allowed_sans: [other.example]\n' >>any.yml
kill -HUP "$SPID"
for _ in $(seq 30); do
	grep -q 'not reloaded' any.log && break
	sleep 0.1
done
check_match "a reload adding client_allowed_sans is refused, and logged" \
	'SIGHUP: web config not reloaded, the old one stays: .*client_allowed_sans needs client_auth_type RequireAndVerifyClientCert' \
	"$(cat any.log)"
check "... the old config serves on" 200 "$(as self.crt)"
check "... vsva_web_config_last_reload_successful 0" 0 \
	"$(curl -s --cacert ca.crt --cert self.crt --key self.key "https://$SADDR/metrics" |
		awk '$1 == "vsva_web_config_last_reload_successful" { print $2 }')"
kill "$SPID"
wait "$SPID" 2>/dev/null
