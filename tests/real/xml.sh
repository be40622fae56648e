#!/bin/sh
# tests/real/xml.sh - every eForms and TED notice in ../shared/data is
# audited on its own: exit 0 or 1 (never a crash or a timeout), counts
# reconcile, and only the deliberately invalid examples (INVALID_*) and
# the business registration notices (X0*) may be refused, for a named
# reason.  Notices that award nothing (contract and prior information
# notices, eForms cn/pin/change-cn, TED F01 F02 F04 F05 F07 F08 F12 F14
# F24) yield no contracts; each eForms modification notice yields an
# amendment.  Then all notices of a folder together: finding ids are
# unique and no finding is about a lot (one procedure, one tender row).
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
		"$PROBITY" check "$f" >"$T/check" 2>/dev/null
		case $d/${f##*/} in
		eforms/cn* | eforms/pin-* | eforms/change-cn*) awards=0 ;;
		ted/*) if grep -Eq '<F(01|02|04|05|07|08|12|14|24)_2014' "$f"; then awards=0; else awards=1; fi ;;
		*) awards=1 ;;
		esac
		if [ $awards = 0 ] && grep -q '^  contracts (' "$T/check"; then
			fail "$d/${f##*/}: a notice without an award yields contracts"
		fi
		case ${f##*/} in
		can-modif_*) grep -q '^  amendments (1)' "$T/check" || fail "$d/${f##*/}: no amendment" ;;
		esac
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
	jq -e '[.findings[].id] | length == (unique | length)' "$T/$d/findings.json" >/dev/null ||
		fail "$d: a finding id appears twice"
	jq -e '[.findings[] | select(.subject.id | test("/LOT-"))] | length == 0' "$T/$d/findings.json" >/dev/null ||
		fail "$d: a finding is about a lot, not its procedure"
	jq -r --arg d "$d" --arg n "$files" '"real-xml: \($d): \($n) files, \(.totals.rows_read) notices = \(.totals.rows_imported) imported + \(.totals.rows_rejected) rejected; \(.findings | length) findings"' \
		"$T/$d/findings.json"
	sort "$T/$d.reasons" | uniq -c | sed 's/^/real-xml:   rejected /'
done
[ $fails -eq 0 ] || { echo "real-xml: $fails failure(s)"; exit 1; }
echo "real-xml: every notice imported or refused for a named reason"
