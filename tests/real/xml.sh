#!/bin/sh
# tests/real/xml.sh - every eForms and TED notice in ../shared/data imports
# or is refused with a named reason; counts reconcile.
# Usage: PROBITY=build/probity sh tests/real/xml.sh
set -u
PROBITY=${PROBITY:-build/probity}
case $PROBITY in /*) ;; *) PROBITY=$(pwd)/$PROBITY ;; esac
DATA=$(cd "$(dirname "$0")/../.." && pwd)/../shared/data
if [ ! -d "$DATA/eforms" ] || [ ! -d "$DATA/ted" ]; then
	echo "skip real-xml: ../shared/data/eforms or ted is absent"
	exit 0
fi
export LC_ALL=C TZ=UTC
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
for d in eforms ted; do
	# shellcheck disable=SC2046
	timeout 300 "$PROBITY" audit --fail-on none -o "$T/$d" --format json $(ls "$DATA/$d"/*.xml) >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL real-xml: $d: exit $rc: $(head -c 300 "$T/err")"; fails=$((fails + 1)); continue
	fi
	jq -e '[.inputs[] | select(.rows_read != .rows_imported + .rows_rejected)] | length == 0' \
		"$T/$d/findings.json" >/dev/null || { echo "FAIL real-xml: $d: counts do not reconcile"; fails=$((fails + 1)); }
	# Only the deliberately invalid examples may be rejected.
	bad=$(jq -r '.rejections[].path' "$T/$d/findings.json" | grep -v '/INVALID_' || true)
	[ -z "$bad" ] || { echo "FAIL real-xml: $d: valid notices rejected: $bad"; fails=$((fails + 1)); }
	jq -r --arg d "$d" '"real-xml: \($d): \(.totals.rows_read) notices = \(.totals.rows_imported) imported + \(.totals.rows_rejected) rejected; \(.findings | length) findings"' "$T/$d/findings.json"
	jq -r '.rejections[].reason' "$T/$d/findings.json" | sort | uniq -c | sed 's/^/real-xml:   rejected /'
done
[ $fails -eq 0 ] || { echo "real-xml: $fails failure(s)"; exit 1; }
echo "real-xml: all notices imported or refused for a named reason"
