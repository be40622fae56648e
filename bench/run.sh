#!/bin/sh
# bench/run.sh - throughput of import + audit on generated ledgers.
# Usage: sh bench/run.sh build/probity [ROWS]   (default 1000000 payments)
# Prints figures; it never fails on speed (targets live here, not in tests).
set -eu
PROBITY=$1
ROWS=${2:-1000000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export LC_ALL=C TZ=UTC

CONTRACTS=$((ROWS / 5))
# A plausible ministry: 50 buyers, 5000 suppliers; each contract is signed
# on a weekday in the first half of 2024 and paid in five instalments of a
# tenth of its value, four weeks apart (weekdays too), so findings are the
# exception, as in real ledgers.  2024-01-01 was a Monday.
DATE_FN='function date(n,  m, cum) { split("31 29 31 30 31 30 31 31 30 31 30 31", dim, " ");
	m = 1; while (n >= dim[m]) { n -= dim[m]; m++ } return sprintf("2024-%02d-%02d", m, n + 1) }'
awk -v n="$CONTRACTS" "$DATE_FN"'
BEGIN {
	print "contract_id,tender_id,buyer_id,supplier_id,value,currency,awarded_on,signed_on";
	for (k = 1; k <= n; k++) {
		d = 7 * (k % 25) + k % 5; v = 10000 + (k * 7919) % 900000;
		printf "C-%d,,B-%d,S-%d,%d.00,EUR,%s,%s\n", k, k % 50, k % 5000, v, date(d), date(d);
	}
}' >"$T/contracts.csv"
awk -v n="$ROWS" -v c="$CONTRACTS" "$DATE_FN"'
BEGIN {
	print "payment_id,payer_id,payee_id,contract_id,invoice_id,amount,currency,paid_on,budget_line,description";
	for (i = 1; i <= n; i++) {
		k = 1 + i % c; j = int((i - 1) / c); d = 7 * (k % 25) + k % 5 + 28 * (j + 1);
		v = 10000 + (k * 7919) % 900000;
		printf "P-%d,B-%d,S-%d,C-%d,INV-%d-%d,%d.%02d,EUR,%s,L-%d,\"instalment %d, contract C-%d\"\n",
			i, k % 50, k % 5000, k, k, j, int(v / 10), j, date(d), i % 40, j + 1, k;
	}
}' >"$T/payments.csv"
bytes=$(cat "$T"/*.csv | wc -c)
echo "bench: $ROWS payments + $CONTRACTS contracts, $((bytes / 1048576)) MiB of CSV"

start=$(date +%s.%N)
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f "%M" -o "$T/rss" "$PROBITY" audit --fail-on none -o "$T/out" --format json "$T" >/dev/null
else
	"$PROBITY" audit --fail-on none -o "$T/out" --format json "$T" >/dev/null
fi
end=$(date +%s.%N)
secs=$(echo "$end $start" | awk '{ printf "%.2f", $1 - $2 }')
rows=$((ROWS + CONTRACTS))
echo "bench: import + audit + json: ${secs}s, $(echo "$rows $secs" | awk '{ printf "%.0f", $1 / $2 }') rows/s"
[ -f "$T/rss" ] && echo "bench: peak memory $(( $(cat "$T/rss") / 1024 )) MiB"
echo "bench: findings $(grep -c '"rule":' "$T/out/findings.json" || true)"
command -v jq >/dev/null && jq -r '.coverage[] | select(.findings > 0) | "bench:   \(.rule): \(.findings)"' "$T/out/findings.json"

# The party graph at scale: 27k parties (2k officials), 52k relationships and
# the 200k contracts above; conflicts.name-match compares every official
# with every owner or director.
mkdir -p "$T/graph"
cp "$T/contracts.csv" "$T/graph/"
awk 'BEGIN { print "party_id,name,kind,roles,address,bank_account,employer_id,registry_id";
	for (i = 0; i < 5000; i++) printf "S-%d,Supplier %d Ltd,organisation,supplier,%d Industrial Road,ACC%d,,REG:%d\n", i, i, i, i, i;
	for (i = 0; i < 2000; i++) printf "O-%d,Official %d,person,official,%d Elm St,OACC%d,B-%d,\n", i, i, i + 10000, i, i % 50;
	for (i = 0; i < 20000; i++) printf "P-%d,Person %d,person,,%d Oak St,,,\n", i, i, i + 20000 }' >"$T/graph/parties.csv"
awk 'BEGIN { print "from_id,to_id,kind,start_on,end_on"; srand(3);
	for (i = 0; i < 50000; i++) printf "P-%d,S-%d,%s,2010-01-01,\n", i % 20000, int(rand() * 5000), (i % 2 ? "owner" : "director");
	for (i = 0; i < 2000; i++) printf "O-%d,P-%d,relative,,\n", i, int(rand() * 20000) }' >"$T/graph/relationships.csv"
start=$(date +%s.%N)
"$PROBITY" audit --fail-on none -o "$T/graph-out" --format json "$T/graph" >/dev/null
end=$(date +%s.%N)
echo "bench: party graph (27k parties, 52k links, 200k contracts): $(echo "$end $start" | awk '{ printf "%.2f", $1 - $2 }')s"

# A defence ministry at realistic shape: thousands of officials per buyer,
# tens of thousands of directors with common names (bench/shape.sh).
sh "$(dirname "$0")/shape.sh" "$PROBITY"
