#!/usr/bin/env bash
# Static: the Prometheus rules in dashboards/ load and compute what they claim.
set -u
cd "$(dirname "$0")" || exit 1
if ! command -v promtool >/dev/null; then
	echo "not ok - promtool not installed (make deps installs prometheus)"
	exit 0
fi
if out=$(promtool check rules ../../dashboards/vsva-rules.yml 2>&1); then
	echo "ok - promtool check rules dashboards/vsva-rules.yml"
else
	echo "not ok - promtool check rules: $out"
fi
if out=$(promtool test rules rules.test.yml 2>&1); then
	echo "ok - promtool test rules: rates, p99, rebuild per zap, bypass ratio; every alert firing and silent"
else
	echo "not ok - promtool test rules:"
	echo "$out" | sed 's/^/#   /'
fi
