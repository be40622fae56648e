#!/bin/sh
# tests/cardinal/run.sh - every Cardinal indicator fixture in
# ../shared/conformance/cardinal/fixtures/indicators must match, compared as
# parsed JSON (jq -S; numbers as floats).  Settings come from the fixture's
# name as the conformance README says.
# Usage: PROBITY=build/probity sh tests/cardinal/run.sh
set -u
PROBITY=${PROBITY:-build/probity}
case $PROBITY in /*) ;; *) PROBITY=$(pwd)/$PROBITY ;; esac
DIR=$(cd "$(dirname "$0")/../.." && pwd)/../shared/conformance/cardinal/fixtures/indicators
if [ ! -d "$DIR" ]; then
	echo "skip cardinal: ../shared/conformance is absent"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0 total=0
for input in "$DIR"/*.jsonl; do
	name=$(basename "$input" .jsonl)
	total=$((total + 1))
	# NAME = CODE[-FIELD-VALUE | -FIELD-K1-V1-K2-V2...]; '+' stands for '|'.
	code=${name%%-*}
	rest=${name#"$code"}
	rest=${rest#-}
	{
		echo "no_price_comparison_procurement_methods = NPC"
		echo "[exclusions]"
		echo "procurement_method_details = EXC"
		echo "[$code]"
		if [ -n "$rest" ]; then
			field=${rest%%-*}
			pairs=${rest#"$field"-}
			if [ "$pairs" = "${pairs#*-}" ]; then
				echo "$field = $(echo "$pairs" | tr '+' '|')"
			else
				echo "[$code.$field]"
				echo "$pairs" | tr '-' '\n' | paste - - | while read -r k v; do
					echo "$k = $(echo "$v" | tr '+' '|')"
				done
			fi
		fi
	} >"$T/settings.ini"
	"$PROBITY" cardinal --settings "$T/settings.ini" --no-meta "$input" >"$T/got.json" 2>"$T/err"
	if jq -S . "$T/got.json" >"$T/got.s" 2>/dev/null && jq -S . "${input%.jsonl}.expected" >"$T/want.s" &&
		cmp -s "$T/got.s" "$T/want.s"; then
		echo "ok   cardinal: $name"
	else
		echo "FAIL cardinal: $name"
		diff "$T/want.s" "$T/got.s" | head -20
		fails=$((fails + 1))
	fi
done
echo "cardinal: $((total - fails)) of $total fixtures match"
[ $fails -eq 0 ]
