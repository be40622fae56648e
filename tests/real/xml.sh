#!/bin/sh
# tests/real/xml.sh - every eForms and TED notice in ../shared/data is
# audited on its own: exit 0 or 1 (never a crash or a timeout), counts
# reconcile, and only the deliberately invalid examples (INVALID_*) and
# the business registration notices (X0*) may be refused, for a named
# reason.  Then all notices of a folder together.
# Usage: PROBITY=build/probity sh tests/real/xml.sh
set -u
PROBITY=${PROBITY:-build/probity}
case $PROBITY in /*) ;; *) PROBITY=$(pwd)/$PROBITY ;; esac
DATA=$(cd "$(dirname "$0")/../.." && pwd)/../shared/data
if [ ! -d "$DATA/eforms" ] || [ ! -d "$DATA/ted" ]; then
	echo "skip: ../shared/data absent"
	exit 0
fi
export LC_ALL=C TZ=UTC
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL real-xml: $*"; fails=$((fails + 1)); }

for d in eforms ted; do
	files=0
	: >"$T/$d.reasons"
	for f in "$DATA/$d"/*.xml; do
		files=$((files + 1))
		timeout 60 "$PROBITY" audit --format json -o "$T/one" --fail-on none "$f" >/dev/null 2>"$T/err"
		rc=$?
		case $rc in
		0 | 1) ;;
		*) fail "$d/${f##*/}: exit $rc: $(head -c 300 "$T/err")"; continue ;;
		esac
		j=$T/one/findings.json
		jq -e '.inputs | length == 1 and (.[0] | .rows_read == 1 and .rows_read == .rows_imported + .rows_rejected)' \
			"$j" >/dev/null || fail "$d/${f##*/}: counts do not reconcile"
		jq -r '.rejections[].reason' "$j" >>"$T/$d.reasons"
		if jq -e '.totals.rows_rejected > 0' "$j" >/dev/null; then
			case ${f##*/} in
			INVALID_* | X0*) ;;
			*) fail "$d/${f##*/}: valid notice refused: $(jq -r '.rejections[0].reason' "$j")" ;;
			esac
		fi
	done
	# shellcheck disable=SC2046
	timeout 300 "$PROBITY" audit --fail-on none -o "$T/$d" --format json "$DATA/$d"/*.xml >/dev/null 2>"$T/err" ||
		fail "$d: all together: exit $?: $(head -c 300 "$T/err")"
	jq -r --arg d "$d" --arg n "$files" '"real-xml: \($d): \($n) files, \(.totals.rows_read) notices = \(.totals.rows_imported) imported + \(.totals.rows_rejected) rejected; \(.findings | length) findings"' \
		"$T/$d/findings.json"
	sort "$T/$d.reasons" | uniq -c | sed 's/^/real-xml:   rejected /'
done
[ $fails -eq 0 ] || { echo "real-xml: $fails failure(s)"; exit 1; }
echo "real-xml: every notice imported or refused for a named reason"
