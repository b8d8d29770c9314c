#!/usr/bin/env bash
# Fuzz, for a bounded time each (ASan+UBSan): HTTP routing and the
# exposition writer (fuzz_http); vsva-perf's tracing-data parser and its
# report engine on arbitrary records (fuzz_perfdata); the --web-config
# parser (fuzz_webconfig); the exposition parser and vsva-top's rows,
# quantiles and output from what it parsed (fuzz_parse).
cd "$(dirname "$0")/../.." || exit 1
secs=${VSVA_FUZZ_SECONDS:-30}
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
mkdir "$corpus/fuzz_http" "$corpus/fuzz_perfdata" "$corpus/fuzz_webconfig" \
	"$corpus/fuzz_parse"
printf 'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  min_version: TLS12\nbasic_auth_users:\n  u: $2y$04$0123456789012345678901uVbXjJSlqjKnnAqvEdsDRTpRafKOPzu\n' \
	>"$corpus/fuzz_webconfig/full"
printf 'basic_auth_users: {}\n' >"$corpus/fuzz_webconfig/empty"
printf 'tls_server_config:\n  cert: x\n  key: y\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n  curve_preferences: [X25519]\n  prefer_server_cipher_suites: false\n  client_auth_type: RequireAnyClientCert\n  client_allowed_sans: [a, 10.0.0.1]\n' \
	>"$corpus/fuzz_webconfig/lists"
printf 'GET\n/metrics' >"$corpus/fuzz_http/get"
printf 'HEAD\n/' >"$corpus/fuzz_http/head"
printf 'POST\n/metrics\\"\n' >"$corpus/fuzz_http/post"
# a tracing-data section's start, and a record stream
printf '\000\027\010Dtracing0.6\000\000\010\000\020\000\000header_page\000' \
	>"$corpus/fuzz_perfdata/tracing"
printf '\001\002\002\000\010\000\000\000\000\003\001\001\001\000\000\001\000\000\000\000\000\000\000' \
	>"$corpus/fuzz_perfdata/records"
[ -f tests/fuzz/perfdata.seed ] && cp tests/fuzz/perfdata.seed "$corpus/fuzz_perfdata/"
# issue 25's cases: one label too many (was free(0x4000000000000000)),
# labels missing, two scrapes (split at a form feed) whose bucket ranges
# differ; issue 33's 353-character label value; odd bytes in a comm
Z=vsva_kvm_memslot_zap_seconds
printf 'm{a="1",b="2",c="3",d="4",e="5"} 2\n' >"$corpus/fuzz_parse/five"
printf '# TYPE vsva_kvm_vm_info gauge\nvsva_kvm_vm_info 1\nvsva_kvm_vm_info{vm="v/1"} 1\n# TYPE %s histogram\n%s_bucket{le="1e-06"} 1\n%s_count 1\n' \
	$Z $Z $Z >"$corpus/fuzz_parse/missing"
printf '# TYPE vsva_kvm_vm_info gauge\nvsva_kvm_vm_info{vm="v/1",pid="1",comm="v",state="running"} 1\n# TYPE %s histogram\n%s_bucket{vm="v/1",mode="all_fast",le="4e-06"} 0\n%s_bucket{vm="v/1",mode="all_fast",le="8e-06"} 2\n%s_count{vm="v/1",mode="all_fast"} 2\n\f# TYPE vsva_kvm_vm_info gauge\nvsva_kvm_vm_info{vm="v/1",pid="1",comm="v",state="running"} 1\n# TYPE %s histogram\n%s_bucket{vm="v/1",mode="all_fast",le="2e-06"} 0\n%s_bucket{vm="v/1",mode="all_fast",le="4e-06"} 1\n%s_bucket{vm="v/1",mode="all_fast",le="8e-06"} 4\n%s_bucket{vm="v/1",mode="all_fast",le="1.6e-05"} 5\n%s_sum{vm="v/1",mode="all_fast"} 3e-05\n%s_count{vm="v/1",mode="all_fast"} 5\n' \
	$Z $Z $Z $Z $Z $Z $Z $Z $Z $Z $Z >"$corpus/fuzz_parse/trimmed"
printf 'vsva_probe_info{measurement="m",rung="none",reason="%353s \\"q\\" \\\\ \\n"} 1\n' r \
	>"$corpus/fuzz_parse/long"
printf 'vsva_kvm_vm_info{vm="a\\"b,c\\nd\377/7",pid="7",comm="a\\"b,c\\nd\377\001",state="exited"} 1\n' \
	>"$corpus/fuzz_parse/hostile"
for f in fuzz_http fuzz_perfdata fuzz_webconfig fuzz_parse; do
	if [ ! -x "build/$f" ]; then
		echo "not ok - build/$f not built (make; needs libclang-rt-14-dev)"
		continue
	fi
	# a crashing input goes beside the corpus, not into the tree
	if out=$("build/$f" -max_total_time="$secs" -rss_limit_mb=1024 \
		 -artifact_prefix="$corpus/" \
		 -print_final_stats=1 "$corpus/$f" 2>&1); then
		runs=$(echo "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
		echo "ok - $f: no crash, leak or assertion in $secs s ($runs inputs)"
	else
		echo "not ok - $f found a problem:"
		echo "$out" | grep -E 'ERROR|SUMMARY|assert|==' | head -20 | sed 's/^/#   /'
	fi
done
