#!/bin/sh
# tests/browser/run.sh - the HTML report in a real browser (headless
# Chromium driven by playwright-core).  Not part of make test: it needs
# Debian's chromium and `npm install playwright-core` in tests/browser, and
# skips, saying so, when either is missing.
# Usage: PROBITY=build/probity sh tests/browser/run.sh
set -u
PROBITY=${PROBITY:-build/probity}
HERE=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null && [ -x /usr/bin/chromium ] && [ -d "$HERE/node_modules/playwright-core" ] || {
	echo "skip browser: needs node, /usr/bin/chromium and (cd tests/browser && npm install playwright-core)"
	exit 0
}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$PROBITY" audit -c samples/probity.ini -o "$T" --format html samples >/dev/null
node "$HERE/report.js" "$T/report.html"
