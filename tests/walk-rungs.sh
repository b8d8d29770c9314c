#!/bin/sh
# Walk every measurement and every rung the table gives it (as `vsvad
# --probe` lists them): start vsvad with --rung M=RUNG and check that it
# uses that rung when the probe says the kernel has it, and otherwise
# reports none with "forced rung RUNG is not available".  POSIX sh, so the
# QEMU guests' busybox runs it too.
#
#   walk-rungs.sh VSVAD PORT FETCH     FETCH: a command that prints a URL
# Prints "ok - ..." / "not ok - ..." lines.
vsvad=$1 port=$2 fetch=$3
url=http://127.0.0.1:$port/metrics
probe=$("$vsvad" --probe 2>/dev/null)

# "M RUNG available|missing" for every rung of every measurement
pairs=$(echo "$probe" | awk '
	function flush() { if (r != "") print m, r, st; r = "" }
	/^[a-z_]+ \(/ { flush(); m = $1; next }
	/^    [a-z_]+/ { flush(); r = $1; st = "available"; next }
	/^      (missing|refused):/ { st = "missing" }
	END { flush() }')
[ -n "$pairs" ] || { echo "not ok - vsvad --probe listed no rungs"; exit 0; }

echo "$pairs" | while read -r m rung st; do
	"$vsvad" --listen 127.0.0.1:$port --rung "$m=$rung" >/tmp/walk.log 2>&1 &
	pid=$!
	i=0
	until $fetch "$url" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 150 ] || ! kill -0 $pid 2>/dev/null; then
			echo "not ok - --rung $m=$rung: vsvad did not serve: $(tail -3 /tmp/walk.log)"
			kill $pid 2>/dev/null
			wait $pid 2>/dev/null
			continue 2
		fi
		sleep 0.2
	done
	line=$($fetch "$url" | grep "^vsva_probe_info{measurement=\"$m\",")
	case $st:$line in
	available:*"rung=\"$rung\""*)
		echo "ok - --rung $m=$rung: used" ;;
	missing:*'rung="none"'*"forced rung $rung is not available"*)
		echo "ok - --rung $m=$rung: unavailable here, says why" ;;
	*)
		echo "not ok - --rung $m=$rung (probe: $st): $line" ;;
	esac
	kill $pid
	wait $pid
	rc=$?
	[ $rc -eq 0 ] || echo "not ok - --rung $m=$rung: vsvad exited $rc"
done
