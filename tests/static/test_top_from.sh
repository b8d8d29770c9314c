#!/usr/bin/env bash
# vsva-top --from against a made-up server (no BPF, no root): what a
# hostile or broken /metrics can send. Histogram bucket ranges that shift
# between scrapes (quantiles against hand-computed values), compressed and
# oversized bodies (refused with a reason, never asked for), a series with
# one label too many, missing labels, strings with a quote, comma, newline
# and a byte that is no UTF-8 (valid JSON and CSV), a 353-character label
# value (kept), a protocol other than HTTP(S), a decimal-comma locale.
. "$(dirname "$0")/../live/lib.sh"
[ -x "$B/vsva-top" ] || { not_ok "build/vsva-top not built (make)"; exit 0; }
PY=/usr/bin/python3

cat >"$TMP/server.py" <<'PY'
import gzip, http.server, socketserver, sys

ZAP = 'vsva_kvm_memslot_zap_seconds'
HEAD = ('# TYPE vsva_probe_info gauge\n'
        'vsva_probe_info{measurement="kvm_memslot_zap",rung="tracepoint"} 1\n')
INFO = ('# TYPE vsva_kvm_vm_info gauge\n'
        'vsva_kvm_vm_info{vm="v/1",pid="1",comm="v",state="running"} 1\n')

def hist(vm, buckets, count):
    out = ''.join('%s_bucket{vm="%s",mode="all_fast",le="%s"} %d\n'
                  % (ZAP, vm, le, c) for le, c in buckets)
    return out + ('%s_bucket{vm="%s",mode="all_fast",le="+Inf"} %d\n'
                  '%s_count{vm="%s",mode="all_fast"} %d\n'
                  % (ZAP, vm, count, ZAP, vm, count))

# vsvad's trimmed ranges: in A another VM (w/2, gone by B) reached 128 us,
# so A's buckets run 4..128 us; B's run 2..64 us (tests/unit/test_parse.c)
A = (HEAD + INFO + '# TYPE %s histogram\n' % ZAP +
     hist('v/1', [('4e-06', 0), ('8e-06', 1), ('1.6e-05', 1), ('3.2e-05', 1),
                  ('6.4e-05', 1), ('0.000128', 1)], 1) +
     hist('w/2', [('4e-06', 0), ('0.000128', 1)], 1))
B = (HEAD + INFO + '# TYPE %s histogram\n' % ZAP +
     hist('v/1', [('2e-06', 0), ('4e-06', 3), ('8e-06', 4), ('1.6e-05', 4),
                  ('3.2e-05', 5), ('6.4e-05', 6)], 6))
BODIES = {
    '/five': HEAD + 'm{a="1",b="2",c="3",d="4",e="5"} 2\n',
    '/missing': (HEAD + 'vsva_probe_info 1\n# TYPE vsva_kvm_vm_info gauge\n'
                 'vsva_kvm_vm_info 1\nvsva_kvm_vm_info{vm="x/9"} 1\n'
                 '# TYPE %s histogram\n%s_bucket{le="1e-06"} 1\n' % (ZAP, ZAP)),
    '/hostile': (HEAD + '# TYPE vsva_kvm_vm_info gauge\n'
                 'vsva_kvm_vm_info{vm="q/7",pid="7",comm="a\\"b,c\\nd\xff",'
                 'state="running"} 1\n'),
    '/long': ('vsva_probe_info{measurement="iommu_sva",rung="none",reason="'
              + 'r' * 353 + '"} 1\n'),
}
seen = {}

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *a):
        pass

    def send(self, body, headers=()):
        self.send_response(200)
        for k, v in headers:
            self.send_header(k, v)
        if not any(k == 'Content-Length' for k, _ in headers):
            self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        p = self.path
        with open(sys.argv[2], 'a') as log:
            log.write('%s accept-encoding=%s\n'
                      % (p, self.headers.get('Accept-Encoding', 'none')))
        n = seen[p] = seen.get(p, 0) + 1
        if p.startswith('/shift'):
            self.send((A if n == 1 else B).encode())
        elif p in BODIES:
            self.send(BODIES[p].encode('latin-1'))
        elif p == '/gzip':
            self.send(gzip.compress(B.encode()), [('Content-Encoding', 'gzip')])
        elif p == '/gzipraw':
            self.send(gzip.compress(B.encode()))
        elif p == '/biglen':
            self.send(B.encode(), [('Content-Length', str(200 << 20))])
            self.close_connection = True
        elif p == '/bigstream':		# no length: 129 MiB until closed
            self.send_response(200)
            self.send_header('Connection', 'close')
            self.end_headers()
            chunk = b'# padding\n' * 104858
            try:
                for _ in range(129):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        else:
            self.send_error(404)

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

s = S(('127.0.0.1', 0), H)
with open(sys.argv[1], 'w') as f:
    f.write(str(s.server_address[1]))
s.serve_forever()
PY
$PY "$TMP/server.py" "$TMP/port" "$TMP/requests" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
U=http://127.0.0.1:$(cat "$TMP/port")

# top PATH ARGS...: vsva-top --from U/PATH; its output in OUT, status in RC
top() {
	local path=$1
	shift
	OUT=$("$B/vsva-top" --from "$U$path" --once -d 0.2 "$@" 2>&1)
	RC=$?
}

# jq-free: python3 EXPR (a tuple: space-separated) on the JSON object j
# read from stdin
jget() { $PY -c "
import json, sys
j = json.load(sys.stdin)
r = $1
print(*r) if isinstance(r, tuple) else print(r)"; }

top /shift --json
check "shifted bucket ranges: exit status" 0 "$RC"
row="[v for v in j['vms'] if v['vm'] == 'v/1'][0]"
check "shifted bucket ranges: p50 = 4 us, p99 = 64 us (hand-computed)" \
	"4e-06 6.4e-05" "$(jget "$row['ZAP_P50'], $row['ZAP_P99']" <<<"$OUT")"
check "plain text is asked for: no Accept-Encoding" \
	"/shift accept-encoding=none" "$(grep -m1 '^/shift' "$TMP/requests")"

top /gzip
check "a gzip Content-Encoding: exit 1" 1 "$RC"
check_match "... and says why" "compressed \(Content-Encoding\)" "$OUT"
top /gzipraw
check "a gzip body without the header: exit 1" 1 "$RC"
check_match "... and says why" "gzip-compressed" "$OUT"
top /biglen
check "a Content-Length over 128 MiB: exit 1" 1 "$RC"
check_match "... and says why" "larger than 128 MiB" "$OUT"
t0=$(date +%s%N)
top /bigstream
t1=$(date +%s%N)
check "129 MiB without a length: exit 1" 1 "$RC"
check_match "... and says why" "larger than 128 MiB" "$OUT"
echo "# 129 MiB refused in $(((t1 - t0) / 1000000)) ms"

top /five --json
check "a series with 5 labels: exit 1, no crash" 1 "$RC"
check_match "... and says which line" "not vsvad's metrics: line 3: m: more than 4 labels" "$OUT"

top /missing --json
check "samples without their labels: exit 0" 0 "$RC"
check "... the VM that has a name is a row, valid JSON" \
	"['x/9'] 0 ''" "$(jget "[v['vm'] for v in j['vms']], j['vms'][0]['pid'], repr(j['vms'][0]['comm'])" <<<"$OUT")"

top /hostile --json
check "a comm with a quote, comma, newline, 0xff: exit 0" 0 "$RC"
check "... JSON valid, the comm as sent (0xff as the text \\xff)" \
	"'a\"b,c\\nd\\\\xff'" "$(jget "repr(j['vms'][0]['comm'])" <<<"$OUT")"
top /hostile --csv
check "... CSV valid (RFC 4180): 2 rows of 10 fields, the comm as sent" \
	"2 10 'a\"b,c\\nd\\\\xff'" "$($PY -c "
import csv, sys
rows = list(csv.reader(sys.stdin))
print(len(rows), len(set(len(r) for r in rows)) == 1 and len(rows[0]), repr(rows[1][1]))" <<<"$OUT")"

top /long
check "a 353-character label value is kept (issue 33): exit 0" 0 "$RC"

OUT=$("$B/vsva-top" --from "file:///etc/passwd" --once -d 0.2 2>&1)
check "--from file://: exit 1" 1 $?
check_match "... only HTTP(S)" "not supported|[Uu]nsupported" "$OUT"

# a decimal-comma locale: numbers in JSON and CSV, and read back, with '.'
if localedef -i de_DE -f UTF-8 "$TMP/de_DE.UTF-8" 2>/dev/null; then
	OUT=$(LOCPATH=$TMP LC_ALL=de_DE.UTF-8 "$B/vsva-top" --from "$U/shift-de" \
		--once -d 0.2 --json 2>&1)
	check "de_DE.UTF-8: p50 and p99 read and written with '.'" \
		"4e-06 6.4e-05" "$(jget "$row['ZAP_P50'], $row['ZAP_P99']" <<<"$OUT")"
else
	skip "de_DE.UTF-8: localedef cannot build it here"
fi
