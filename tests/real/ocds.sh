#!/bin/sh
# tests/real/ocds.sh - every real OCDS file in ../shared/data/ocds imports
# without a crash and with reconciled counts (releases read = imported +
# rejected, per input); the only files refused are listed below, each for
# a genuine problem of the file itself, and every rejection is named.
# Usage: PROBITY=build/probity sh tests/real/ocds.sh
set -u
PROBITY=${PROBITY:-build/probity}
case $PROBITY in /*) ;; *) PROBITY=$(pwd)/$PROBITY ;; esac
DATA=$(cd "$(dirname "$0")/../.." && pwd)/../shared/data/ocds
if [ ! -d "$DATA" ]; then
	echo "skip: ../shared/data absent"
	exit 0
fi
export LC_ALL=C TZ=UTC
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

# Files refused as a whole (exit 3), with the reason they must give: three
# Paraguay records published as 0-byte files.
refused() {
	case $1 in
	*/paraguay/sample/records/283826.json | */paraguay/sample/records/284456.json | \
	*/paraguay/sample/records/283906.json) echo "file is empty" ;;
	*) echo "" ;;
	esac
}
# Rejections that are genuine problems of the data (reason prefix).
expected_reason() {
	case $1 in
	"invalid JSON at line 1, column 592: unable to decode byte 0xd3"*) ;; # ISO-8859-1 file
	"record has no compiledRelease (only linked releases)"*) ;;          # Paraguay, 2 records
	*) return 1 ;;
	esac
}

find "$DATA" -type f | sort >"$T/all"
nfiles=$(wc -l <"$T/all")
: >"$T/ok"
# 1. probity check on every file: exit 0, or 3 with the listed reason.
while IFS= read -r f; do
	timeout 60 "$PROBITY" check "$f" >/dev/null 2>"$T/err"
	rc=$?
	want=$(refused "$f")
	if [ -n "$want" ]; then
		[ $rc -eq 3 ] && grep -q "$want" "$T/err" ||
			{ echo "FAIL real-ocds: $f: exit $rc, want 3 '$want': $(head -c 300 "$T/err")"; fails=$((fails + 1)); }
	elif [ $rc -ne 0 ]; then
		echo "FAIL real-ocds: $f: probity check exit $rc: $(head -c 300 "$T/err")"
		fails=$((fails + 1))
	else
		echo "$f" >>"$T/ok"
	fi
done <"$T/all"

# 2. probity audit in batches (one process per file is slow under the
# sanitizers); reconciliation is checked per input.
split -l 100 "$T/ok" "$T/batch."
: >"$T/inputs"
: >"$T/reasons"
for b in "$T"/batch.*; do
	[ -s "$b" ] || continue
	rm -rf "$T/o"
	# shellcheck disable=SC2046
	timeout 300 "$PROBITY" audit --fail-on none -o "$T/o" --format json $(cat "$b") >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL real-ocds: audit of $(head -1 "$b")...: exit $rc: $(head -c 300 "$T/err")"
		fails=$((fails + 1))
		continue
	fi
	jq -r '.inputs[] | "\(.path) \(.rows_read) \(.rows_imported) \(.rows_rejected)"' \
		"$T/o/findings.json" >>"$T/inputs"
	jq -r '.rejections[] | "\(.path)\t\(.line)\t\(.reason)"' "$T/o/findings.json" >>"$T/reasons"
done
while read -r p r i j; do
	[ "$r" -eq $((i + j)) ] ||
		{ echo "FAIL real-ocds: $p: read $r != imported $i + rejected $j"; fails=$((fails + 1)); }
	[ "$r" -gt 0 ] || { echo "FAIL real-ocds: $p: no release read"; fails=$((fails + 1)); }
done <"$T/inputs"
[ "$(wc -l <"$T/inputs")" -eq "$(wc -l <"$T/ok")" ] ||
	{ echo "FAIL real-ocds: $(wc -l <"$T/ok") files audited, $(wc -l <"$T/inputs") inputs reported"; fails=$((fails + 1)); }
while IFS="$(printf '\t')" read -r p line reason; do
	expected_reason "$reason" ||
		{ echo "FAIL real-ocds: unexpected rejection $p:$line: $reason"; fails=$((fails + 1)); }
done <"$T/reasons"

# 3. Summary: per folder, files and releases read = imported + rejected.
echo "real-ocds: $nfiles files"
printf 'real-ocds:   %-66s %5s %6s %8s %8s\n' folder files read imported rejected
sed "s|^$DATA/||" "$T/inputs" | awk '{
	d = $1; sub(/\/[^\/]*$/, "", d); if (d == $1) d = ".";
	f[d]++; r[d] += $2; i[d] += $3; j[d] += $4; tr += $2; ti += $3; tj += $4; n++ }
	END { for (d in f) printf "real-ocds:   %-66s %5d %6d %8d %8d\n", d, f[d], r[d], i[d], j[d] | "sort";
	      close("sort");
	      printf "real-ocds:   %-66s %5d %6d %8d %8d\n", "total", n, tr, ti, tj }'
while IFS= read -r f; do
	[ -n "$(refused "$f")" ] && echo "real-ocds:   refused ${f#"$DATA"/}: $(refused "$f")"
done <"$T/all"
cut -f3 "$T/reasons" | sed 's/ at \/.*//; s/column [0-9]*/column N/' | sort | uniq -c |
	sed 's/^ */real-ocds:   rejected /'
# 4. Processes compiled per ocid (#8): Paraguay publishes each award and
# each contract as its own release (28 rows before, 18 without a supplier);
# one row per award and per further contract is 18.  Mexico City's records
# change six contract values between releases: six amendments.  Moldova's
# empty {"changes": []} on every contract is no amendment.
table_count() { # folder table
	# shellcheck disable=SC2046
	"$PROBITY" check $(find "$DATA/real-examples/$1" -type f -size +0 | sort) 2>/dev/null |
		sed -n "s/^  $2 (\([0-9]*\))\$/\1/p"
}
for want in "paraguay/sample contracts 18" "mexico/cdmx/sample amendments 6" \
	"mexico/cdmx/sample contracts 8" "moldova/sample amendments " "ukraine/sample contracts 13"; do
	# shellcheck disable=SC2086 # split on purpose: folder, table, count
	set -- $want
	got=$(table_count "$1" "$2")
	[ "$got" = "${3:-}" ] ||
		{ echo "FAIL real-ocds: $1: $2 rows '$got', want '${3:-}'"; fails=$((fails + 1)); }
done

[ $fails -eq 0 ] || { echo "real-ocds: $fails failure(s)"; exit 1; }
echo "real-ocds: all files imported or refused for a named reason"
