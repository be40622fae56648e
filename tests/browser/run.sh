#!/bin/sh
# tests/browser/run.sh - report.html in a real browser: headless Chromium
# (Debian's /usr/bin/chromium) driven by playwright-core.
#   0. without a browser (jq only): a grouped page of 3 300 findings holds
#      each finding once in its JSON data, markup escaped;
#   a. the samples' page: every finding, filters, sorting, markup as text
#      (report.js);
#   a2. findings with more evidence rows than the page shows at first
#      (50), on the page of rows and on the grouped page: the rest added
#      on request, in order, markup as text (evidence.js);
#   b. pages made with --history, one row per finding and grouped: two
#      decisions set in the page, decisions.json downloaded, imported with
#      probity triage --import, shown in the next run's page and in
#      probity history log (history.js);
#   c. a ledger of over 100 000 findings: the grouped page loads within
#      BROWSER_BOUND_MS (10 000 ms on a 2-core machine), every group shows
#      its first page, the pager reaches the last finding (large.js); the
#      figures are printed.
# Skips a to c, saying why, when node, chromium, playwright-core or jq is
# missing (apt-get install chromium; cd tests/browser && npm ci).
# Usage: PROBITY=build/probity sh tests/browser/run.sh
set -u
PROBITY=${PROBITY:-build/probity}
case $PROBITY in /*) ;; *) PROBITY=$(pwd)/$PROBITY ;; esac
export LC_ALL=C TZ=UTC
HERE=$(cd "$(dirname "$0")" && pwd)
BOUND_MS=${BROWSER_BOUND_MS:-10000}
PAIRS=${BROWSER_PAIRS:-40000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   browser: $1"; }
bad() { echo "FAIL browser: $1"; fails=$((fails + 1)); }
# An audit exits 1 when it finds something at or above fail_on: not a failure here.
audit() {
	"$PROBITY" audit "$@" >/dev/null 2>"$T/audit.err"
	rc=$?
	[ $rc -le 1 ] || bad "probity audit $* exited $rc: $(cat "$T/audit.err")"
}

# 0. Without a browser: the grouped page (3 300 findings) holds every
# finding once in its JSON data islands, one group per rule, and ledger
# markup escaped both in the rows served and in the JSON.
mkdir "$T/g"
awk -v dir="$T/g" -v pairs=1100 -f "$HERE/gen-large.awk"
if command -v jq >/dev/null 2>&1; then
	audit -o "$T/g0" -f html,csv "$T/g"
	P="$T/g0/report.html"
	sed -n 's/^<script type="application\/json" id="g-data-[0-9]*">\([^<]*\)<\/script>.*/\1/p' "$P" >"$T/islands"
	n=$(($(wc -l <"$T/g0/findings.csv") - 1))
	rules=$(cut -d, -f2 "$T/g0/findings.csv" | sed 1d | sort -u | wc -l)
	[ "$(jq -s 'map(length) | add' "$T/islands")" = "$n" ] &&
		[ "$(jq -r '.[].id' "$T/islands" | sort -u | wc -l)" -eq "$n" ] &&
		[ "$(wc -l <"$T/islands")" -eq "$rules" ] && [ "$(grep -c '<div class="group"' "$P")" -eq "$rules" ] &&
		[ "$(grep -o '<tr class="finding ' "$P" | wc -l)" -le $((rules * 50)) ] && grep -q 'id="f-paged"' "$P" &&
		ok "grouped page: $n findings in $rules groups' JSON, each once; at most 50 rows a group served" ||
		bad "grouped page: the JSON data does not hold the $n findings in $rules groups"
	! grep -q '<script>window.pwned' "$P" && grep -q '&lt;script&gt;window.pwned' "$P" &&
		grep -q '\\u003cscript\\u003ewindow.pwned' "$T/islands" &&
		ok "grouped page: ledger markup escaped in rows and JSON" || bad "grouped page: ledger markup not escaped"
else
	echo "skip browser: the grouped page's JSON check needs jq"
fi

why=""
command -v node >/dev/null 2>&1 || why="node is not installed"
[ -x /usr/bin/chromium ] || why="${why:+$why; }/usr/bin/chromium is absent (apt-get install chromium)"
[ -d "$HERE/node_modules/playwright-core" ] ||
	why="${why:+$why; }playwright-core is absent (cd tests/browser && npm ci)"
command -v jq >/dev/null 2>&1 || why="${why:+$why; }jq is not installed"
if [ -n "$why" ]; then
	echo "skip browser: the checks in Chromium: $why"
	[ $fails -eq 0 ] || { echo "browser: $fails failed"; exit 1; }
	exit 0
fi

# a. The samples, with a party named in markup.
cp -r samples/valdoria "$T/s"
sed -i 's/^SUP-ORION,Orion Catering,/SUP-ORION,Orion <script>window.pwned=1<\/script> Catering,/' "$T/s/parties.csv"
audit -c "$T/s/probity.ini" -o "$T/a" -f html,json "$T/s"
node "$HERE/report.js" "$T/a/report.html" "$T/a/findings.json" || fails=$((fails + 1))

# a2. Long evidence: 1 100 suppliers at one address on the samples' page
# of rows; 60 addresses of 60 on the grouped page of 3 300 findings.
cp -r samples/valdoria "$T/c"
awk -v addresses=1 -v per=1100 -v bad=1000 -f "$HERE/gen-crowd.awk" >>"$T/c/parties.csv"
audit -c "$T/c/probity.ini" -o "$T/c-out" -f html "$T/c"
node "$HERE/evidence.js" rows "$T/c-out/report.html" supplier.mass-address 1100 || fails=$((fails + 1))
cp -r "$T/g" "$T/gc"
awk -v addresses=60 -v per=60 -v bad=58 -f "$HERE/gen-crowd.awk" >>"$T/gc/parties.csv"
audit -o "$T/gc-out" -f html "$T/gc"
node "$HERE/evidence.js" grouped "$T/gc-out/report.html" supplier.mass-address 60 || fails=$((fails + 1))

# b. Deciding in the page, then triage --import, then the next run.
decide_round() { # NAME LEDGER [audit options]
	name=$1 ledger=$2
	shift 2
	H="$T/$name.db"
	audit "$@" --history "$H" -o "$T/$name-1" -f html "$ledger"
	node "$HERE/history.js" decide "$T/$name-1/report.html" "$T/$name-decisions.json" || fails=$((fails + 1))
	[ -s "$T/$name-decisions.json" ] || { bad "$name: no decisions.json saved from the page"; return; }
	"$PROBITY" triage --import "$T/$name-decisions.json" --by browser-test --history "$H" 2>"$T/t.err" &&
		ok "$name: decisions.json from the page imported" || bad "$name: import failed: $(cat "$T/t.err")"
	audit "$@" --history "$H" -o "$T/$name-2" -f html "$ledger"
	node "$HERE/history.js" check "$T/$name-2/report.html" "$T/$name-decisions.json" browser-test ||
		fails=$((fails + 1))
	"$PROBITY" history log --history "$H" -f json >"$T/$name-log.json"
	jq -e --slurpfile d "$T/$name-decisions.json" '. as $log | length == 2 and
		all($d[0].decisions[]; . as $x | any($log[]; .finding == $x.finding and
			.status == $x.status and .note == $x.note and .by == "browser-test" and
			.evidence_hash == $x.evidence_hash))' "$T/$name-log.json" >/dev/null &&
		ok "$name: probity history log holds both decisions as made in the page" ||
		bad "$name: history log: $(cat "$T/$name-log.json")"
}
cp -r "$T/s" "$T/hs"
decide_round history-rows "$T/hs" -c "$T/hs/probity.ini"
decide_round history-grouped "$T/g"

# c. Over 100 000 findings.
mkdir "$T/L"
awk -v dir="$T/L" -v pairs="$PAIRS" -f "$HERE/gen-large.awk"
start=$(date +%s)
audit -o "$T/big" -f html,csv "$T/L"
secs=$(($(date +%s) - start))
awk -F'","' 'NR > 1 { n[$2]++; last[$2] = substr($1, 2); total++; low += $4 == "low" }
	END {
		printf "{\"total\": %d, \"low\": %d, \"rules\": {", total, low
		for (r in n) printf "%s\"%s\": {\"n\": %d, \"last\": \"%s\"}", sep++ ? ", " : "", r, n[r], last[r]
		print "}}"
	}' "$T/big/findings.csv" >"$T/expect.json"
total=$(jq .total "$T/expect.json")
[ "$total" -ge 100000 ] && ok "the generated ledger yields $total findings (audit with html and csv: ${secs}s)" ||
	bad "the generated ledger yields only $total findings"
echo "browser: report.html at $total findings: $(wc -c <"$T/big/report.html") bytes"
! grep -q '<script>window.pwned' "$T/big/report.html" && grep -q '&lt;script&gt;window.pwned' "$T/big/report.html" &&
	grep -q '\\u003cscript\\u003ewindow.pwned' "$T/big/report.html" && ! grep -q 'innerHTML' "$T/big/report.html" &&
	ok "ledger markup escaped in the rows served and in the JSON data; no innerHTML" ||
	bad "ledger markup not escaped in the large page, or innerHTML used"
node "$HERE/large.js" "$T/big/report.html" "$T/expect.json" "$BOUND_MS" "payments/P$PAIRS-" ||
	fails=$((fails + 1))

if [ $fails -ne 0 ]; then
	echo "browser: $fails failed"
	exit 1
fi
echo "browser: all passed"
