#!/bin/sh
# tests/rules/run.sh - every rule's tests as data (docs/architecture.md).
#
# tests/rules/<rule-id>/ holds two cases, each a folder audited on its own:
#   fire/    a small ledger (canonical CSV tables, OCDS or XML) on which the
#            rule must fire
#   quiet/   a close case on which it must not: the rule runs (coverage
#            "ran") and gives no finding on the subject named
#   expect   what to check, one line per expectation, blank-separated:
#              CASE  TABLE:ID  SEVERITY  present|absent
#            CASE is fire or quiet; TABLE:ID the finding's subject;
#            SEVERITY low, medium, high, critical, or '-' for any.  The
#            fire case needs a 'present' line, the quiet case an
#            'absent' line.
# A case may hold probity.ini (its configuration, e.g. [audit] as_of);
# the other files of the folder are its ledger, read as `probity audit
# FOLDER` reads them.  No case may look a text, or a record of a table
# nothing refers to, up by its key after seal (--timings text_rebuilds
# and key_rebuilds: 0).
#
# The registry test: every rule `probity rules --format json` lists has a
# folder with both cases and an expect file naming both, and every folder
# names a rule that exists.
#
# Usage: PROBITY=build/probity sh tests/rules/run.sh [RULE-ID...]
set -u
PROBITY=${PROBITY:-build/probity}
case $PROBITY in /*) ;; *) PROBITY=$(pwd)/$PROBITY ;; esac
DIR=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0 checks=0

fail() {
	echo "FAIL rules: $*"
	fails=$((fails + 1))
}

"$PROBITY" rules --format json | jq -r '.[].id' >"$T/ids" || {
	echo "FAIL rules: 'probity rules --format json' failed"
	exit 1
}

# The registry test.
while read -r id; do
	d=$DIR/$id
	if [ ! -d "$d" ]; then
		fail "$id: no folder tests/rules/$id"
		continue
	fi
	for c in fire quiet; do
		[ -d "$d/$c" ] || fail "$id: no $c/ case"
	done
	[ -f "$d/expect" ] || { fail "$id: no expect file"; continue; }
	grep -q '^fire[[:space:]].*[[:space:]]present[[:space:]]*$' "$d/expect" ||
		fail "$id: expect has no 'fire ... present' line"
	grep -q '^quiet[[:space:]].*[[:space:]]absent[[:space:]]*$' "$d/expect" ||
		fail "$id: expect has no 'quiet ... absent' line"
done <"$T/ids"
for d in "$DIR"/*/; do
	id=$(basename "$d")
	grep -qx "$id" "$T/ids" || fail "tests/rules/$id names no rule"
done

# audit ID CASE: the case's findings.json in $T/ID.CASE.json
audit() {
	dir=$DIR/$1/$2
	cfg=
	[ -f "$dir/probity.ini" ] && cfg="-c $dir/probity.ini"
	# shellcheck disable=SC2086
	"$PROBITY" audit $cfg --timings --fail-on none -f json -o - "$dir" >"$T/$1.$2.json" 2>"$T/err" || {
		fail "$1 $2: probity exited $?: $(head -c 300 "$T/err")"
		return 1
	}
	# seal dropped the string table's buckets and the key maps of the
	# tables nothing refers to: a rule that looked either up rebuilt them
	grep -q '^probity: timing text_rebuilds 0$' "$T/err" &&
		grep -q '^probity: timing key_rebuilds 0$' "$T/err" ||
		fail "$1 $2: looked up after seal: $(grep rebuilds "$T/err" | tr '\n' ' ')"
}

# check ID CASE SUBJECT SEVERITY present|absent
check() {
	checks=$((checks + 1))
	j=$T/$1.$2.json
	table=${3%%:*} sid=${3#*:}
	status=$(jq -r --arg r "$1" '.coverage[] | select(.rule == $r) | .status' "$j")
	if [ "$status" != ran ]; then
		fail "$1 $2: the rule did not run (coverage: $status: $(jq -r --arg r "$1" '.coverage[] | select(.rule == $r) | .reason' "$j"))"
		return
	fi
	n=$(jq --arg r "$1" --arg t "$table" --arg i "$sid" --arg s "$4" \
		'[.findings[] | select(.rule == $r and .subject.table == $t and .subject.id == $i and ($s == "-" or .severity == $s))] | length' "$j")
	case $5 in
	present) [ "$n" -ge 1 ] || fail "$1 $2: no $4 finding on $3; it gave: $(jq -c --arg r "$1" '[.findings[] | select(.rule == $r) | [.subject.table, .subject.id, .severity]]' "$j")" ;;
	absent) [ "$n" -eq 0 ] || fail "$1 $2: a finding on $3, where none is expected: $(jq -c --arg r "$1" '[.findings[] | select(.rule == $r) | .message]' "$j")" ;;
	*) fail "$1 expect: '$5' is neither present nor absent" ;;
	esac
}

ids=$*
[ -n "$ids" ] || ids=$(cat "$T/ids")
for id in $ids; do
	[ -f "$DIR/$id/expect" ] || continue
	for kase in fire quiet; do
		[ -d "$DIR/$id/$kase" ] && audit "$id" "$kase" || continue
		grep -v '^[[:space:]]*#' "$DIR/$id/expect" | while read -r cs subject sev want; do
			[ "$cs" = "$kase" ] && echo "$subject $sev $want"
		done >"$T/lines"
		while read -r subject sev want; do
			check "$id" "$kase" "$subject" "$sev" "$want"
		done <"$T/lines"
	done
done

if [ "$fails" -gt 0 ]; then
	echo "rules: $fails failure(s) in $checks checks"
	exit 1
fi
echo "ok   rules: $(wc -l <"$T/ids") rules, $checks checks, each fires on its fire/ case and not on its quiet/ case"
