#!/usr/bin/env bash
# Live: basic auth under a flood of wrong passwords from many addresses.
# A reload (SIGHUP) is applied at once however many bcrypts run; scrapes
# with a remembered password get 200 throughout, across the reload too;
# SIGTERM stops vsvad during the flood.  Then, in a network namespace of
# its own: an IPv6 /64 is one client however many addresses it rotates
# through, an IPv4 client of a dual-stack socket is its own address, and
# all clients together get a bounded number of failures (bcrypts).
# VSVAD=path runs another binary (to measure an older build).
. "$(dirname "$0")/lib.sh"
VSVAD=${VSVAD:-$B/vsvad}
require_live
for cmd in htpasswd curl ip nsenter; do
	command -v "$cmd" >/dev/null || { not_ok "$cmd not installed (make deps)"; exit 0; }
done
cd "$TMP" || exit 1

FLOOD_S=10		# how long the flood runs
LOOPS=8			# curl loops flooding at once

hashof() { htpasswd -nbB -C "$1" x "$2" | cut -d: -f2; }
good=$(hashof 6 right) old_rot=$(hashof 6 first) new_rot=$(hashof 6 second)
# alice's, what the flood guesses at: a costly one (~0.2 s), so that
# holding a lock across a bcrypt shows
slow=$(hashof 12 right)
conf() { # HEADER ROTATED_HASH: the web config, replaced at once
	printf 'basic_auth_users:\n  scraper: %s\n  alice: %s\n  rotated: %s\nhttp_server_config:\n  headers:\n    X-Frame-Options: %s\n' \
		"$good" "$slow" "$2" "$1" >web.yml.new
	mv web.yml.new web.yml
}
conf deny "$old_rot"
ADDR=127.0.0.1:$(free_port)
"$VSVAD" --listen "$ADDR" --web-config web.yml >vsvad.log 2>&1 &
VSVAD_PID=$!
PIDS+=("$VSVAD_PID")
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "http://$ADDR/metrics"; }
wait_http "http://$ADDR/metrics" >/dev/null
check "the scraper's password: 200 (remembered from here on)" 200 "$(code -u scraper:right)"
check "rotated's password: 200 (remembered too)" 200 "$(code -u rotated:first)"
mval() { # NAME: its value, scraped with the remembered password
	curl -s --max-time 5 -u scraper:right "http://$ADDR/metrics" |
		awk -v n="$1" '$1 == n { print $2 }'
}
fail0=$(mval vsva_http_auth_failures_total)

# the flood: each loop guesses alice's password, 50 requests of one curl
# at a time, 16 of them at once, each from a loopback address of its own
# (127.N.x.y, a new one every time), so that no per-client bucket stops
# them; the 8 loops keep more requests waiting than the 2 bcrypt workers
# can serve
flood_loop() { # N END_US
	local j=0 k us args
	while us=${EPOCHREALTIME/./}; ((us < $2)); do
		args=(-Z --parallel-max 16)
		for ((k = 0; k < 50; k++, j++)); do
			args+=(-s -o /dev/null -w '%{http_code}\n' --max-time 3
			       --interface "127.$((100 + $1)).$((j / 250 % 250)).$((j % 250 + 1))"
			       -u alice:wrong "http://$ADDR/metrics" --next)
		done
		curl "${args[@]:0:${#args[@]}-1}" 2>/dev/null
	done >"flood.$1"
}
# good scrapes every 0.2 s until the file stop exists: code, time, and
# the X-Frame-Options header (which the reload changes)
scrape_loop() {
	while [ ! -e stop ]; do
		curl -s -o /dev/null -D - -w 'code=%{http_code} t=%{time_total}\n' \
			--max-time 5 -u scraper:right "http://$ADDR/metrics" |
			tr -d '\r' | awk '/^X-Frame-Options:/ { h = $2 }
				/^code=/ { print $0, "xfo=" h }'
		sleep 0.2
	done >scrapes
}
t0=${EPOCHREALTIME/./}
end=$((t0 + FLOOD_S * 1000000))
flood=()
for n in $(seq "$LOOPS"); do
	flood_loop "$n" "$end" &
	flood+=($!)
	PIDS+=($!)
done
scrape_loop &
scraper=$!
PIDS+=($!)
sleep_until() { # SECONDS after the flood began
	local us=$((t0 + $1 * 1000000 - ${EPOCHREALTIME/./}))
	((us > 0)) && sleep "$(awk -v u="$us" 'BEGIN { print u / 1e6 }')"
}
sleep_until 3

# a reload during the flood: rotated's password and the header change,
# the scraper's hash stays; measured from the signal to vsvad's log line
conf sameorigin "$new_rot"
sig=${EPOCHREALTIME/./}
kill -HUP "$VSVAD_PID"
reload_ms="more than 3000"
for ((i = 0; i < 300; i++)); do
	if grep -q 'SIGHUP: web config reloaded' vsvad.log; then
		reload_ms=$(((${EPOCHREALTIME/./} - sig) / 1000))
		break
	fi
	sleep 0.01
done
[[ $reload_ms =~ ^[0-9]+$ ]] && ((reload_ms < 1000)) &&
	ok "SIGHUP during the flood: the reload was applied in $reload_ms ms (< 1000)" ||
	not_ok "SIGHUP during the flood: the reload was applied after $reload_ms ms (>= 1000)"
check "... and counted in vsva_web_config_reloads_total{result=\"ok\"}" 1 \
	"$(mval 'vsva_web_config_reloads_total{result="ok"}')"
# the old password of the user whose hash changed is not remembered any
# more (it costs a bcrypt, against the new hash, if it gets one at all)
check_match "... and rotated's old password, whose hash changed, no longer passes" \
	'^(000|401|429|503)$' "$(code -u rotated:first --max-time 2)"
sleep_until 7
touch stop
wait "$scraper"
fails=$(($(mval vsva_http_auth_failures_total) - fail0))

# SIGTERM during the flood (it ends at 10 s)
sig=${EPOCHREALTIME/./}
kill -TERM "$VSVAD_PID"
for ((i = 0; i < 1000; i++)); do
	kill -0 "$VSVAD_PID" 2>/dev/null || break
	sleep 0.01
done
term_ms=$(((${EPOCHREALTIME/./} - sig) / 1000))
((term_ms < 3000)) &&
	ok "SIGTERM during the flood: vsvad exited in $term_ms ms (< 3000: the bcrypts running finish)" ||
	not_ok "SIGTERM during the flood: vsvad still ran after $term_ms ms"
kill -KILL "$VSVAD_PID" 2>/dev/null
wait "${flood[@]}"
wait "$VSVAD_PID" 2>/dev/null

total=$(cat flood.* | wc -l)
c401=$(cat flood.* | grep -c '^401$') c429=$(cat flood.* | grep -c '^429$')
c503=$(cat flood.* | grep -c '^503$')
echo "# flood: $total wrong passwords from $LOOPS loops in $FLOOD_S s: 401 $c401, 429 $c429, 503 $c503, 000 $((total - c401 - c429 - c503)) (gave up waiting after 3 s, or after the SIGTERM); $fails bcrypts"
# a remembered password takes no bcrypt, so no wait behind the flood's:
# each good scrape answered within a second, after the reload too
slowest=$(awk '{ sub("t=", "", $2); if ($2 > m) m = $2 } END { print m + 0 }' scrapes)
before=$(grep -c 'code=200 .*xfo=deny' scrapes) after=$(grep -c 'code=200 .*xfo=sameorigin' scrapes)
bad=$(grep -vc 'code=200' scrapes)
((bad == 0 && before >= 5 && after >= 5)) && awk -v t="$slowest" 'BEGIN { exit !(t < 1) }' &&
	ok "good scrapes during the flood: all 200, $before before the reload and $after after it (remembered across it), the slowest in $slowest s (< 1)" ||
	not_ok "good scrapes during the flood: $bad not 200 ($(grep -v 'code=200' scrapes | cut -d' ' -f1 | sort | uniq -c | tr '\n' ' ')), $before before the reload, $after after it, the slowest in $slowest s"

# An IPv6 /64 is one client: wrong passwords from 8 of its addresses in
# turn share one bucket (10 failures, then 429); another /64 is not
# limited.  In a network namespace of this test's, with addresses on lo.
NS=vsva-authflood-$$
if ! ip netns add "$NS" 2>/dev/null; then
	skip "IPv6 /64 buckets: cannot create a network namespace"
	exit 0
fi
trap 'cleanup; ip netns del "$NS" 2>/dev/null' EXIT
nsx() { nsenter --net="/run/netns/$NS" "$@"; }
nsx ip link set lo up
for a in fd00:1::1 fd00:1::2 fd00:1::3 fd00:1::4 fd00:1::5 fd00:1::6 fd00:1::7 \
	fd00:1::8 fd00:1::9 fd00:2::2; do
	nsx ip -6 addr add "$a/128" dev lo nodad
done
printf 'basic_auth_users:\n  alice: %s\n' "$(hashof 4 right)" >web6.yml
# nsenter execs vsvad: $! is vsvad's
nsenter --net="/run/netns/$NS" "$VSVAD" --listen '[::]:9100' \
	--web-config web6.yml >vsvad6.log 2>&1 &
PIDS+=($!)
code6() { # FROM TO USER:PASS
	nsx curl -s -o /dev/null -w '%{http_code}' --max-time 5 --interface "$1" \
		-u "$3" "http://$2:9100/metrics"
}
for ((i = 0; i < 100; i++)); do
	[ "$(code6 fd00:1::1 '[fd00:1::1]' alice:right)" = 200 ] && break
	sleep 0.1
done
# CODES: 10 (11 if a second passed: the bucket refills) 401s, then 429s
one_bucket() {
	[[ $2 =~ ^(401 ){10}(401 )?(429 )+$ ]] && ok "$1 ($2)" ||
		not_ok "$1: got $2"
}
codes=""
for _ in 1 2; do
	for h in 2 3 4 5 6 7 8 9; do
		codes+="$(code6 "fd00:1::$h" '[fd00:1::1]' alice:wrong) "
	done
done
one_bucket "16 wrong passwords from 8 addresses of one /64: one bucket (10 refused after a bcrypt, then 429)" "$codes"
check "... another /64 is not limited" 401 "$(code6 fd00:2::2 '[fd00:1::1]' alice:wrong)"
codes=""
for i in $(seq 13); do
	codes+="$(code6 127.0.0.2 127.0.0.1 alice:wrong) "
done
one_bucket "IPv4 through the dual-stack socket: the address is the client (10, then 429)" "$codes"
check "... and the next IPv4 address is another" 401 "$(code6 127.0.0.3 127.0.0.1 alice:wrong)"

# 100 wrong passwords at once, each from an address of its own: all
# clients together may fail 64 times, then 8 times a second; the rest
# get 503 at once, without a bcrypt
args=(-Z --parallel-max 16)
for ((j = 0; j < 100; j++)); do
	args+=(-s -o /dev/null -w '%{http_code}\n' --max-time 5
	       --interface "127.1.$((j / 200)).$((j % 200 + 1))" -u alice:wrong
	       'http://127.0.0.1:9100/metrics' --next)
done
t=${EPOCHREALTIME/./}
codes=$(nsx curl "${args[@]:0:${#args[@]}-1}" 2>/dev/null)
n401=$(grep -c '^401$' <<<"$codes") n503=$(grep -c '^503$' <<<"$codes")
burst_s=$(awk -v a="$t" -v b="${EPOCHREALTIME/./}" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')
max=$(awk -v s="$burst_s" 'BEGIN { printf "%d", 64 + 8 * s + 1 }')
((n401 <= max && n503 > 0 && n401 + n503 == 100)) &&
	ok "100 wrong passwords from 100 addresses at once, in $burst_s s: $n401 bcrypts (<= $max: 64 in all, then 8 a second), $n503 got 503" ||
	not_ok "100 wrong passwords from 100 addresses at once: $n401 401s (> $max), $n503 503s"
