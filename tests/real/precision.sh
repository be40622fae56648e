#!/bin/sh
# tests/real/precision.sh - the precision suite on real published data.
#
# Audits each source of ../shared/data as a reviewer would (one OCDS
# publisher folder, the TED exports, the eForms notices, each CSV export
# with the profile shipped for it), in the currency its auditors work in,
# then:
#  - fails when a finding labelled `wrong` in tests/real/labels.tsv comes
#    back (rule and subject), naming it and the reason it was wrong;
#  - fails when a finding labelled `true` is no longer reported: a change
#    that loses one relabels it, saying why;
#  - fails when a report holds one finding id twice;
#  - fails when anything looked a text up in the sealed ledger (which
#    rebuilds the string table's dropped buckets: --timings text_rebuilds),
#    or a bid, payment... up by its key (key_rebuilds);
#  - prints findings per 1000 rows read, per source, and how many labelled
#    findings of each kind are still reported.
# Every audit is given the ECB's reference rates (tests/real/fx, an
# excerpt), as an auditor with amounts in several currencies would give
# them: thresholds in EUR are then judged against MXN, CZK or GBP amounts.
# Usage: PROBITY=build/probity sh tests/real/precision.sh
set -u
PROBITY=${PROBITY:-build/probity}
case $PROBITY in /*) ;; *) PROBITY=$(pwd)/$PROBITY ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$ROOT/../shared/data
LABELS=$ROOT/tests/real/labels.tsv
FX=$ROOT/tests/real/fx/eurofxref-excerpt.csv
if [ ! -d "$DATA" ]; then
	echo "skip: precision suite: ../shared/data absent"
	exit 0
fi
export LC_ALL=C TZ=UTC
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

# source name -> the currency its auditors work in (base_currency), the
# folder it audits, and the profile its files need (one line each).  A
# ledger audited in another currency without exchange rates leaves its
# money rules unjudged: the suite judges each in its own.
sources() {
	for c in armenia:AMD australia:AUD canada:CAD colombia:COP mexico:MXN moldova:MDL \
		nigeria:NGN paraguay:PYG taiwan:TWD uganda:UGX uk-contracts-finder:GBP ukraine:UAH; do
		echo "ocds_${c%%:*} ${c#*:} $DATA/ocds/real-examples/${c%%:*}"
	done
	echo "ted EUR $DATA/ted"
	echo "eforms EUR $DATA/eforms"
	echo "csv_cz CZK $DATA/csv/cz-mfcr-paid-invoices cz-mfcr-paid-invoices"
	echo "csv_mx MXN $DATA/csv/mx-compranet-contracts mx-compranet-contracts"
	echo "csv_oxford GBP $DATA/csv/uk-oxford-spend-over-500 uk-oxford-spend-over-500"
	echo "csv_uk GBP $DATA/csv/uk-oxford-spend-over-500 uk-spend-over-500"
}

printf '%-20s %8s %9s %9s %6s %6s %6s\n' source rows findings per1000 true n-a-r wrong
sources | while read -r name currency dir profile; do
	[ -d "$dir" ] || continue
	printf '[audit]\nbase_currency = %s\n' "$currency" >"$T/$name.ini"
	if [ -n "$profile" ]; then
		find "$dir" -type f -size +0 -name '*.csv' | sort >"$T/files"
	else
		find "$dir" -type f -size +0 | sort >"$T/files"
	fi
	# shellcheck disable=SC2046
	"$PROBITY" audit -c "$T/$name.ini" --timings -f json --fail-on none ${profile:+-p "$profile"} -o "$T/$name" \
		$(cat "$T/files") "$FX" >/dev/null 2>"$T/$name.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL precision: $name: audit exit $rc: $(head -c 300 "$T/$name.err")"
		echo x >>"$T/failed"
		continue
	fi
	J=$T/$name/findings.json
	if ! grep -q '^probity: timing text_rebuilds 0$' "$T/$name.err"; then
		echo "FAIL precision: $name: a text was looked up after seal ($(grep text_rebuilds "$T/$name.err"))"
		echo x >>"$T/failed"
	fi
	if ! grep -q '^probity: timing key_rebuilds 0$' "$T/$name.err"; then
		echo "FAIL precision: $name: a record nothing refers to was looked up by key after seal ($(grep key_rebuilds "$T/$name.err"))"
		echo x >>"$T/failed"
	fi
	dup=$(jq -r '.findings[].id' "$J" | sort | uniq -d | head -3)
	if [ -n "$dup" ]; then
		echo "FAIL precision: $name: finding ids reported twice: $dup"
		echo x >>"$T/failed"
	fi
	jq -r '.findings[] | [.rule, .subject.id] | @tsv' "$J" | sort -u >"$T/$name.got"
	awk -F'\t' -v s="$name" '$1 == s { print $2 "\t" $3 "\t" $4 "\t" $5 }' "$LABELS" | sort >"$T/$name.lab"
	# rule, subject, label, reason of labelled findings still reported
	awk -F'\t' 'NR == FNR { got[$1 "\t" $2] = 1; next } ($1 "\t" $2) in got' \
		"$T/$name.got" "$T/$name.lab" >"$T/$name.hit"
	while IFS="$(printf '\t')" read -r rule subject label reason; do
		[ "$label" = wrong ] || continue
		echo "FAIL precision: $name: $rule on $subject is back, labelled wrong: $reason"
		echo x >>"$T/failed"
	done <"$T/$name.hit"
	# rule, subject, label, reason of true findings no longer reported:
	# a change that loses one says so in the labels, not silently
	awk -F'\t' 'NR == FNR { got[$1 "\t" $2] = 1; next } $3 == "true" && !(($1 "\t" $2) in got)' \
		"$T/$name.got" "$T/$name.lab" >"$T/$name.lost"
	while IFS="$(printf '\t')" read -r rule subject label reason; do
		echo "FAIL precision: $name: $rule on $subject, labelled true, is no longer reported (relabel it if that is meant): $reason"
		echo x >>"$T/failed"
	done <"$T/$name.lost"
	rows=$(jq '[.inputs[] | select(.table != "fx") | .rows_read] | add // 0' "$J")
	n=$(jq '.findings | length' "$J")
	per=$(awk -v n="$n" -v r="$rows" 'BEGIN { printf "%.2f", r ? 1000 * n / r : 0 }')
	t=$(awk -F'\t' '$3 == "true"' "$T/$name.hit" | wc -l)
	nr=$(awk -F'\t' '$3 == "not-a-risk"' "$T/$name.hit" | wc -l)
	w=$(awk -F'\t' '$3 == "wrong"' "$T/$name.hit" | wc -l)
	printf '%-20s %8s %9s %9s %6s %6s %6s\n' "$name" "$rows" "$n" "$per" "$t" "$nr" "$w"
done
if [ -s "$T/failed" ]; then
	echo "precision: $(wc -l <"$T/failed") failure(s)"
	exit 1
fi
echo "precision: no labelled-wrong finding came back, every labelled-true one is still reported; finding ids unique in every report"
