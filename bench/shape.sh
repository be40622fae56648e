#!/bin/sh
# bench/shape.sh - a defence ministry's ledger at realistic shape (issue #13):
# 3 buyers with 7 200 officials each, 48 000 suppliers each with a director,
# 120 000 tenders and contracts, 480 000 bids, 240 000 payments, and people
# drawn from a few hundred given names and surnames, so that namesakes are
# common (as they are).  Fixed seed.  Prints the time and peak memory of
# import alone (probity check) and of the full audit, and findings per rule.
# Usage: sh bench/shape.sh build/probity [SCALE]   (SCALE 1 = the sizes above)
# It never fails on speed: targets live here, not in tests.
set -eu
PROBITY=$1
SCALE=${2:-1}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export LC_ALL=C TZ=UTC

OFF=$((7200 * SCALE)); SUP=$((48000 * SCALE)); CON=$((120000 * SCALE))
awk -v off="$OFF" -v sup="$SUP" 'BEGIN {
	srand(13);
	print "party_id,name,kind,roles,country,registry_id,address,employer_id,position";
	for (b = 0; b < 3; b++) printf "MOD-%d,Ministry unit %d,organisation,buyer,UA,UA-EDR:9%07d,%d Defence Street Kyiv,,\n", b, b, b, b + 1;
	for (i = 0; i < 3 * off; i++)
		printf "OFF-%d,%s %s,person,official,UA,,,MOD-%d,officer\n", i, "G" int(rand() * 200), "S" int(rand() * 300), i % 3;
	for (i = 0; i < sup; i++) {
		printf "SUP-%d,Supplier %d LLC,organisation,supplier,UA,UA-EDR:%08d,%d Industrial Road Lviv,,\n", i, i, i + 100, i + 1;
		printf "DIR-%d,%s %s,person,owner,UA,,,,\n", i, "G" int(rand() * 200), "S" int(rand() * 300);
	}
}' >"$T/parties.csv"
awk -v sup="$SUP" 'BEGIN {
	srand(17);
	print "from_id,to_id,kind,share_pct,start_on,end_on";
	for (i = 0; i < sup; i++) printf "DIR-%d,SUP-%d,director,,2015-01-01,\n", i, i;
}' >"$T/relationships.csv"
# Dates of 2024 by day number; each tender is published on day d, closes
# 30 days later and is awarded 15 days after that; each contract is paid
# in two halves (so that findings are the exception, as in real ledgers).
DATE_FN='function date(n,  m) { split("31 29 31 30 31 30 31 31 30 31 30 31", dim, " ");
	m = 1; while (n >= dim[m]) { n -= dim[m]; m++ } return sprintf("2024-%02d-%02d", m, n + 1) }'
awk -v con="$CON" -v sup="$SUP" -v dir="$T" "$DATE_FN"'
BEGIN {
	srand(19);
	print "tender_id,buyer_id,method,published_on,submission_deadline,number_of_tenderers" >(dir "/tenders.csv");
	print "contract_id,tender_id,buyer_id,supplier_id,value,currency,awarded_on,signed_on" >(dir "/contracts.csv");
	print "bid_id,tender_id,bidder_id,value,currency,submitted_on,status" >(dir "/bids.csv");
	print "payment_id,payer_id,payee_id,contract_id,invoice_id,amount,currency,paid_on" >(dir "/payments.csv");
	for (k = 0; k < con; k++) {
		d = k % 250; m = k % 10 == 0 ? "direct" : "open"; v = 10000 + int(rand() * 900000);
		s = int(rand() * sup);
		printf "T-%d,MOD-%d,%s,%s,%s,4\n", k, k % 3, m, date(d), date(d + 30) >(dir "/tenders.csv");
		printf "C-%d,T-%d,MOD-%d,SUP-%d,%d.00,EUR,%s,%s\n", k, k, k % 3, s, v, date(d + 45), date(d + 46) >(dir "/contracts.csv");
		for (j = 0; j < 4; j++)
			printf "B-%d-%d,T-%d,SUP-%d,%d.00,EUR,%s,valid\n", k, j, k, j ? int(rand() * sup) : s,
				v + int(v * j * 3 / 20), date(d + 10 + j) >(dir "/bids.csv");
		for (j = 0; j < 2; j++)
			printf "P-%d-%d,MOD-%d,SUP-%d,C-%d,INV-%d-%d,%d.00,EUR,%s\n", k, j, k % 3, s, k, k, j,
				v / 2, date(d + 60 + 30 * j) >(dir "/payments.csv");
	}
}'
rows=$(cat "$T"/*.csv | wc -l)
bytes=$(cat "$T"/*.csv | wc -c)
echo "shape: $rows rows, $((bytes / 1048576)) MiB of CSV (scale $SCALE)"

run() { # label, then the command
	label=$1
	shift
	start=$(date +%s.%N)
	/usr/bin/time -f "%M" -o "$T/rss" "$@" >/dev/null 2>"$T/err" || true
	end=$(date +%s.%N)
	echo "shape: $label: $(echo "$end $start" | awk '{ printf "%.2f", $1 - $2 }')s, peak $(( $(tail -1 "$T/rss") / 1024 )) MiB"
}
run "import only (check)" "$PROBITY" check "$T"
run "full audit, json" "$PROBITY" audit --fail-on none -o "$T/out" --format json "$T"
command -v jq >/dev/null && jq -r '.coverage[] | select(.findings > 0) | "shape:   \(.rule): \(.findings)"' "$T/out/findings.json"
