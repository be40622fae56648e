#!/bin/sh
# tests/real/ocds.sh - every real OCDS file in ../shared/data/ocds imports
# without a crash and with reconciled counts; the only failures allowed are
# genuine problems of the file itself (empty), named; .json.gz is read.
# Usage: PROBITY=build/probity sh tests/real/ocds.sh
set -u
PROBITY=${PROBITY:-build/probity}
case $PROBITY in /*) ;; *) PROBITY=$(pwd)/$PROBITY ;; esac
DATA=$(cd "$(dirname "$0")/../.." && pwd)/../shared/data/ocds
if [ ! -d "$DATA" ]; then
	echo "skip real-ocds: ../shared/data/ocds is absent"
	exit 0
fi
export LC_ALL=C TZ=UTC
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0 files=0 empty=0 read=0 imported=0 rejected=0
find "$DATA" -type f | sort >"$T/all"
files=$(wc -l <"$T/all")
# Files that are genuinely unusable must be refused with a named reason.
while IFS= read -r f; do
	[ -s "$f" ] && { echo "$f" >>"$T/list"; continue; }
	want="file is empty"
	empty=$((empty + 1))
	timeout 60 "$PROBITY" check "$f" >/dev/null 2>"$T/err"
	rc=$?
	[ $rc -eq 3 ] && grep -q "$want" "$T/err" ||
		{ echo "FAIL real-ocds: $f: exit $rc, want 3 '$want': $(cat "$T/err")"; fails=$((fails + 1)); }
done <"$T/all"
# The rest in batches of 100 per run (one audit per file takes minutes
# under the sanitizers).
split -l 100 "$T/list" "$T/batch."
for b in "$T"/batch.*; do
	rm -rf "$T/o"
	# shellcheck disable=SC2046
	timeout 300 "$PROBITY" audit --fail-on none -o "$T/o" --format json $(cat "$b") >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL real-ocds: batch $(head -1 "$b")...: exit $rc: $(head -c 300 "$T/err")"
		fails=$((fails + 1))
		continue
	fi
	jq -e '[.inputs[] | select(.rows_read != .rows_imported + .rows_rejected)] | length == 0' \
		"$T/o/findings.json" >/dev/null || { echo "FAIL real-ocds: counts do not reconcile in $b"; fails=$((fails + 1)); }
	jq -r '"\(.totals.rows_read) \(.totals.rows_imported) \(.totals.rows_rejected)"' "$T/o/findings.json" >"$T/c"
	read -r a c1 c2 <"$T/c"
	read=$((read + a)) imported=$((imported + c1)) rejected=$((rejected + c2))
	jq -r '.rejections[].reason | sub(" at /.*"; "") | sub("column [0-9]+"; "column N")' "$T/o/findings.json" >>"$T/reasons"
done
echo "real-ocds: $files files ($empty empty), releases read $read = imported $imported + rejected $rejected"
[ -s "$T/reasons" ] && sort "$T/reasons" | uniq -c | sed 's/^/real-ocds:   rejected /'
[ $fails -eq 0 ] || { echo "real-ocds: $fails failure(s)"; exit 1; }
echo "real-ocds: all files imported or refused for a named reason"
