#!/bin/sh
# tests/cardinal/run.sh - `probity cardinal` against OCP Cardinal's own data.
#
# 1. Every fixtures/indicators/NAME.jsonl of ../shared/conformance/cardinal
#    must give NAME.expected, compared as parsed JSON (jq -S; numbers as
#    floats).  The settings come from NAME as the conformance README says:
#    CODE alone (or with one more part, as Cardinal's own test generator
#    reads it) is the indicator's defaults; CODE-FIELD-VALUE one setting;
#    CODE-FIELD-K1-V1-K2-V2 a sub-table; '+' stands for '|'.  Every fixture
#    also gets no_price_comparison_procurement_methods = NPC and
#    [exclusions] procurement_method_details = EXC.
# 2. The documentation examples (docs/examples/R/*.jsonl) with the settings
#    Cardinal's documentation uses (R/NNN.ini, else settings.ini) must give
#    the outputs its indicator pages print.
#
# Usage: PROBITY=build/probity sh tests/cardinal/run.sh
set -u
PROBITY=${PROBITY:-build/probity}
case $PROBITY in /*) ;; *) PROBITY=$(pwd)/$PROBITY ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CARDINAL=$ROOT/../shared/conformance/cardinal
if [ ! -d "$CARDINAL/fixtures/indicators" ]; then
	echo "skip: ../shared/conformance absent"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0 total=0

# compare NAME EXPECTED-FILE GOT-FILE
compare() {
	total=$((total + 1))
	if jq -S . "$3" >"$T/got.s" 2>/dev/null && jq -S . "$2" >"$T/want.s" &&
		cmp -s "$T/got.s" "$T/want.s"; then
		echo "ok   cardinal: $1"
	else
		echo "FAIL cardinal: $1"
		diff "$T/want.s" "$T/got.s" | head -20
		sed 's/^/     stderr: /' "$T/err" | head -5
		fails=$((fails + 1))
	fi
}

# settings NAME: the INI a fixture's name stands for.
settings() {
	code=${1%%-*}
	rest=${1#"$code"}
	rest=${rest#-}
	echo "no_price_comparison_procurement_methods = NPC"
	echo "[exclusions]"
	echo "procurement_method_details = EXC"
	echo "[$code]"
	case $rest in
	*-*-*)
		field=${rest%%-*}
		echo "[$code.$field]"
		echo "${rest#"$field"-}" | tr '-' '\n' | paste - - | while read -r k v; do
			echo "$k = $(echo "$v" | tr '+' '|')"
		done
		;;
	*-*)
		echo "${rest%%-*} = $(echo "${rest#*-}" | tr '+' '|')"
		;;
	esac
}

for input in "$CARDINAL"/fixtures/indicators/*.jsonl; do
	name=$(basename "$input" .jsonl)
	settings "$name" >"$T/settings.ini"
	"$PROBITY" cardinal --settings "$T/settings.ini" --no-meta "$input" >"$T/got.json" 2>"$T/err"
	compare "$name" "${input%.jsonl}.expected" "$T/got.json"
done

# Outputs printed on Cardinal's indicator pages (docs/cli/indicators/R/).
EX=$CARDINAL/docs/examples
while read -r n want; do
	[ -f "$EX/R/$n.jsonl" ] || continue
	ini=$EX/settings.ini
	[ -f "$EX/R/$n.ini" ] && ini=$EX/R/$n.ini
	echo "$want" >"$T/want.json"
	"$PROBITY" cardinal --settings "$ini" --no-meta "$EX/R/$n.jsonl" >"$T/got.json" 2>"$T/err"
	compare "docs R$n" "$T/want.json" "$T/got.json"
done <<'EOF'
003 {"OCID":{"F":{"R003":1.0}}}
018 {"OCID":{"F":{"R018":1.0}}}
024 {"OCID":{"F":{"R024":1.0}},"Tenderer":{"W":{"R024":0.0},"L":{"R024":0.0}}}
025 {"Tenderer":{"F":{"R025":0.16666666666666666}}}
028 {"OCID":{"F":{"R028":1.0}},"Tenderer":{"V":{"R028":1.0},"D":{"R028":1.0}}}
030 {"OCID":{"F":{"R030":1.0}},"Tenderer":{"W":{"R030":1.0}}}
035 {"OCID":{"F":{"R035":1.0}},"Tenderer":{"V":{"R035":0.0}}}
036 {"OCID":{"F":{"R036":1.0}}}
038 {"Buyer":{"B":{"R038":0.5}}}
048 {"Tenderer":{"F":{"R048":2.0}}}
058 {"OCID":{"F":{"R058":99.0}},"Tenderer":{"W":{"R058":0.0}}}
EOF

echo "cardinal: $((total - fails)) of $total match"
[ $fails -eq 0 ]
