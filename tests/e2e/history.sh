#!/bin/sh
# tests/e2e/history.sh - scheduled audits that remember (docs/history.md):
# two runs over a copy of samples/ with the ledger changed between them
# and decisions recorded in between (by command and from decisions.json),
# a run killed midway, a second run while one holds the history, and a
# decision log edited by hand.
# Usage: PROBITY=build/probity sh tests/e2e/history.sh
set -u
PROBITY=${PROBITY:-build/probity}
case $PROBITY in /*) ;; *) PROBITY=$(pwd)/$PROBITY ;; esac
export LC_ALL=C TZ=UTC
T=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   history: $1"; }
bad() { echo "FAIL history: $1"; fails=$((fails + 1)); }

cp -r samples/valdoria "$T/s"
H="$T/h.db"
audit() { "$PROBITY" audit -c "$T/s/probity.ini" --history "$H" "$@"; }
runs() { "$PROBITY" history --history "$H" -f json | jq length; }
fid() { jq -r --arg r "$2" --arg s "$3" '.findings[] | select(.rule == $r and .subject.id == $s) | .id' "$1"; }

# 1. First run: every finding new, no previous run, a one-line summary.
audit -o "$T/o1" -f json "$T/s" >/dev/null 2>"$T/1.err"; rc=$?
[ $rc -eq 1 ] && ok "first run exits 1" || bad "first run exit $rc: $(cat "$T/1.err")"
J="$T/o1/findings.json"
jq -e '.since_last_run.run == 1 and .since_last_run.previous_run == null and
	.since_last_run.counts.new == (.findings | length) and all(.findings[]; .state == "new" and .decision == null)' \
	"$J" >/dev/null && ok "first run: every finding new" || bad "first run states"
grep -Eq '^probity: summary exit=1 findings=[0-9]+ critical=[0-9]+ high=[0-9]+ medium=[0-9]+ low=[0-9]+ run=1 new=[0-9]+ unchanged=0 updated=0 absent=0 reopened=0 dismissed=0 settings_changed=0$' "$T/1.err" &&
	[ "$(wc -l <"$T/1.err")" -eq 1 ] && ok "one-line summary on stderr" || bad "summary line: $(cat "$T/1.err")"

C002=$(fid "$J" competition.single-source C-002)
C003=$(fid "$J" competition.single-source C-003)
DUP20=$(fid "$J" payments.duplicate PAY-0020)
CRIT=$(jq -r '.findings[] | select(.severity == "critical") | .id' "$J")
[ -n "$C002" ] && [ -n "$C003" ] && [ -n "$DUP20" ] && [ -n "$CRIT" ] || bad "sample findings not found"

# 2. Decisions: by command, and from a decisions.json; bad ones record nothing.
"$PROBITY" triage "$C002" --status false-positive --note "framework call-off, see file 17" \
	--by alice --history "$H" 2>/dev/null && ok "triage by command" || bad "triage by command failed"
"$PROBITY" triage 00000000deadbeef --status confirmed --note x --by alice --history "$H" 2>"$T/t.err"; rc=$?
[ $rc -eq 2 ] && grep -q "is in no run" "$T/t.err" && ok "triage of an unknown id: exit 2" || bad "unknown id: exit $rc"
"$PROBITY" triage "$C003" --status maybe --note x --history "$H" 2>/dev/null; rc=$?
[ $rc -eq 2 ] && ok "triage with a bad status: exit 2" || bad "bad status: exit $rc"
{
	printf '{"format": "probity-decisions/1", "decisions": [\n'
	printf '{"finding": "%s", "status": "accepted-risk", "note": "sole maker of the Mk IV modules"}' "$C003"
	for c in $CRIT; do printf ',\n{"finding": "%s", "status": "false-positive", "note": "test account"}' "$c"; done
	printf '\n]}\n'
} >"$T/decisions.json"
jq '.decisions += [{"finding": "0000000000000000", "status": "confirmed", "note": "x"}]' \
	"$T/decisions.json" >"$T/bad-decisions.json"
"$PROBITY" triage --import "$T/bad-decisions.json" --by bob --history "$H" 2>"$T/i.err"; rc=$?
n=$("$PROBITY" history log --history "$H" -f json | jq length)
[ $rc -eq 2 ] && [ "$n" -eq 1 ] && grep -q 'decisions\[' "$T/i.err" &&
	ok "an import with one bad entry records none" || bad "bad import: exit $rc, $n decisions"
jq '.decisions[0] |= {id: .finding, status, note}' "$T/decisions.json" >"$T/id-decisions.json"
"$PROBITY" triage --import "$T/id-decisions.json" --by bob --history "$H" 2>"$T/i.err"; rc=$?
[ $rc -eq 2 ] && grep -q 'decisions\[0\]: .*finding.* (a decision is {"finding": ID, "status": STATUS, "note": TEXT}' "$T/i.err" &&
	ok "an entry without 'finding' names the shape a decision takes" || bad "entry without finding: exit $rc, $(cat "$T/i.err")"
"$PROBITY" triage --import "$T/decisions.json" --by bob --history "$H" 2>/dev/null &&
	ok "decisions.json imported" || bad "import failed"

# 3. The ledger changes: C-003's value (updated), PAY-0020 removed (its
# duplicate absent), a duplicate of PAY-0010 added (new), and a row
# inserted at the top of payments.csv (moves every line; not a change).
# PAY-0097 and PAY-0098 pay one invoice twice: a new duplicate.
sed -i 's/^C-003,T-2024-003,MOD-NAVY,SUP-BALTRON,2350000.00/C-003,T-2024-003,MOD-NAVY,SUP-BALTRON,2450000.00/' "$T/s/contracts.csv"
sed -i '/^PAY-0020,/d' "$T/s/payments.csv"
sed -i '1a PAY-0000,MOD-HQ,SUP-ARMATEC,C-001,INV-AR-100,1000.00,EUR,2024-03-01,02-311,Test row,OFF-0042' "$T/s/payments.csv"
printf '%s\n' 'PAY-0097,MOD-HQ,SUP-MERIDIAN,,INV-ME-900,7300.00,EUR,2024-07-01,02-311,Interpretation,OFF-0042' \
	'PAY-0098,MOD-HQ,SUP-MERIDIAN,,INV-ME-900,7300.00,EUR,2024-07-15,02-311,Interpretation,OFF-0042' >>"$T/s/payments.csv"

audit -o "$T/o2" -f json,text,html,csv "$T/s" >"$T/2.out" 2>"$T/2.err"; rc=$?
J="$T/o2/findings.json"
[ $rc -eq 1 ] && ok "second run exits 1" || bad "second run exit $rc: $(cat "$T/2.err")"
# findings.csv made with a history: state and decision columns, and the
# absent findings as rows of their own.
CSV="$T/o2/findings.csv"
head -1 "$CSV" | grep -q '"supplier","state","decision","decided_by","decision_note"' &&
	grep -q "^\"$C003\",.*,\"updated\",\"open\"," "$CSV" &&
	grep -q "^\"$C002\",.*,\"unchanged\",\"false-positive\",\"alice\",\"framework call-off, see file 17\"" "$CSV" &&
	grep -q "^\"$DUP20\",\"payments.duplicate\",\"payments\",.*,\"absent\"," "$CSV" &&
	[ "$(($(wc -l <"$CSV") - 1))" -eq "$(jq '(.findings | length) + (.since_last_run.absent | length)' "$J")" ] &&
	ok "findings.csv: state and decision columns, absent findings as rows" ||
	bad "findings.csv with a history: $(head -2 "$CSV")"
jq -e --arg c3 "$C003" --arg c2 "$C002" --arg d "$DUP20" '
	(.findings[] | select(.id == $c3) | .state == "updated" and .decision.status == "open" and .decision.reopened) and
	(.findings[] | select(.id == $c2) | .state == "unchanged" and .decision.status == "false-positive" and .decision.by == "alice") and
	(.since_last_run.absent | map(.id) | index($d) != null) and
	(.since_last_run.counts.absent == (.since_last_run.absent | length)) and
	(.since_last_run.reopened == 1) and (.since_last_run.settings_changed == false) and
	([.findings[] | select(.rule == "payments.duplicate" and .subject.id == "PAY-0098" and .state == "new")] | length == 1) and
	([.findings[] | select(.rule == "payments.duplicate" and .subject.id == "PAY-0011")][0].state == "unchanged")' \
	"$J" >/dev/null && ok "states: updated+reopened, unchanged+decided, absent, new; moved rows unchanged" ||
	bad "second run states: $(jq -c '.since_last_run | del(.absent)' "$J")"
head -1 "$T/2.out" | grep -q '^since the last run (run 1 of ' && ok "text summary starts with the changes" ||
	bad "text summary starts: $(head -1 "$T/2.out")"
awk '/^new findings:/ { n = NR } /^probity [0-9.]* audit as of/ { t = NR } END { exit !(n && t && n < t) }' "$T/2.out" &&
	grep -q "PAY-0098" "$T/2.out" && ok "new findings listed before anything else" || bad "new findings not first"
grep -q "set apart by reviewers" "$T/2.out" && ok "dismissed findings shown apart" || bad "no 'set apart' section"
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' "$J" docs/findings.schema.json &&
		ok "findings.json with history matches the schema" || bad "findings.json with history breaks the schema"
fi

# 3a. The HTML page made with the history: states and decisions on each
# row (text and data- attributes), "since the last run" first with the
# absent finding, filters by state and decision, the export function; a
# decisions.json made by that function (under node, when there is one)
# or written by hand in the same format imports with triage --import.
P="$T/o2/report.html"
row() { grep -o "<tr class=\"finding [^>]*data-finding-id=\"$1\"[^>]*>" "$P"; }
row "$C003" | grep -q 'data-state="updated".*data-decision="open".*data-decision-reopened="true"' &&
	row "$C002" | grep -q 'data-state="unchanged".*data-decision="false-positive" data-decision-by="alice"' &&
	row "$C002" | grep -q 'data-decision-note="framework call-off, see file 17"' &&
	[ "$(grep -c 'data-decision="none"' "$P")" -gt 0 ] &&
	grep -q '<span class="state state-updated">updated</span>' "$P" &&
	grep -q '<span class="dec">false-positive</span><span class="muted"> by alice, ' "$P" &&
	ok "report.html: state and decision on each finding row" || bad "report.html rows: $(row "$C003")"
awk '/<section id="since-last-run">/ { s = NR } /<section id="entities">/ { e = NR } END { exit !(s && e && s < e) }' "$P" &&
	grep -q "<tr class=\"absent\" data-finding-id=\"$DUP20\" data-state=\"absent\">" "$P" &&
	grep -q '<td class="num" data-count="absent">1</td>' "$P" &&
	ok "report.html: since the last run first, with the absent finding and counts" || bad "report.html: since the last run"
grep -q '<select id="f-state">' "$P" && grep -q '<select id="f-decision">' "$P" &&
	grep -q '<option value="false-positive">' "$P" && grep -q 'id="d-export"' "$P" &&
	grep -q '<script id="probity-decisions">function probityDecisionsJSON(' "$P" &&
	grep -q 'new Blob(' "$P" && ! grep -q 'innerHTML' "$P" &&
	grep -q '@media print{.filters,.export,.decide,button,select,textarea{display:none!important}' "$P" &&
	grep -q 'tr.finding,tr.ev,tr.ev>td,tr.ev table,tr.ev dl{break-inside:avoid' "$P" &&
	ok "report.html: filters by state and decision, export, print sheet" || bad "report.html: controls"
grep -qi 'src="http\|href="http\|@import\|fetch(\|XMLHttpRequest' "$P" && bad "report.html with history uses the network" ||
	ok "report.html with history needs no network"
H98=$(fid "$J" payments.duplicate PAY-0098)
EV98=$(row "$H98" | sed -n 's/.*data-evidence-hash="\([0-9a-f]\{64\}\)".*/\1/p')
EV3=$(row "$C003" | sed -n 's/.*data-evidence-hash="\([0-9a-f]\{64\}\)".*/\1/p')
[ "$EV98" = "$(jq -r --arg i "$H98" '.findings[] | select(.id == $i) | .evidence_hash' "$J")" ] &&
	ok "report.html: evidence hash as in findings.json" || bad "evidence hash on the row: '$EV98'"
NOTE3='Mk IV, see "file 18" <script>alert(1)</script>'
if command -v node >/dev/null 2>&1; then
	sed -n 's/.*<script id="probity-decisions">\(.*\)<\/script><script>if(typeof document.*/\1/p' "$P" >"$T/export.js"
	sed -n 's/.*<\/script><script>\(if(typeof document.*\)<\/script>.*/\1/p' "$P" >"$T/page.js"
	node -e 'const fs = require("fs"); new Function(fs.readFileSync(process.argv[1], "utf8"));' "$T/page.js" &&
		ok "the page's script parses under node" || bad "the page's script does not parse"
	node -e 'const fs = require("fs");
eval(fs.readFileSync(process.argv[1], "utf8"));
try { probityDecisionsJSON([{finding: process.argv[2], status: "confirmed", note: " "}]); process.exit(3); } catch (e) {}
try { probityDecisionsJSON([{finding: process.argv[2], status: "", note: "x"}]); process.exit(3); } catch (e) {}
process.stdout.write(probityDecisionsJSON([
  {finding: process.argv[2], status: "confirmed", note: "paid twice, recovery asked", evidence_hash: process.argv[3]},
  {finding: process.argv[4], status: "accepted-risk", note: process.argv[6], evidence_hash: process.argv[5]}]));' \
		"$T/export.js" "$H98" "$EV98" "$C003" "$EV3" "$NOTE3" >"$T/page-decisions.json" &&
		ok "the page's export function, run under node, refuses an empty note or status" || bad "export function under node"
else
	echo "skip history: no node; decisions.json written by hand in the page's format"
	jq -n --arg a "$H98" --arg ea "$EV98" --arg b "$C003" --arg eb "$EV3" --arg n "$NOTE3" \
		'{format: "probity-decisions/1", decisions: [
		  {finding: $a, status: "confirmed", note: "paid twice, recovery asked", evidence_hash: $ea},
		  {finding: $b, status: "accepted-risk", note: $n, evidence_hash: $eb}]}' >"$T/page-decisions.json"
fi
jq -e '.format == "probity-decisions/1" and (.decisions | length) == 2 and
	all(.decisions[]; keys == ["evidence_hash", "finding", "note", "status"])' "$T/page-decisions.json" >/dev/null &&
	"$PROBITY" triage --import "$T/page-decisions.json" --by carol --history "$H" 2>"$T/pi.err" &&
	"$PROBITY" history log --history "$H" -f json | jq -e --arg a "$H98" --arg b "$C003" --arg n "$NOTE3" \
		'.[-2:] | .[0].finding == $a and .[0].status == "confirmed" and .[0].by == "carol" and
		 .[1].finding == $b and .[1].status == "accepted-risk" and .[1].note == $n' >/dev/null &&
	ok "decisions.json as the page makes it imports with triage --import" ||
	bad "page decisions.json import: $(cat "$T/pi.err")"

# 4. --fail-on: critical findings decided false-positive do not count.
audit -o "$T/o3" -f json --fail-on critical "$T/s" 2>/dev/null; rc=$?
"$PROBITY" audit -c "$T/s/probity.ini" -o "$T/o4" -f json --fail-on critical "$T/s" 2>/dev/null; rc0=$?
[ $rc -eq 0 ] && [ $rc0 -eq 1 ] && ok "--fail-on ignores false-positive findings (0; 1 without the history)" ||
	bad "--fail-on critical: $rc with history, $rc0 without"
jq -e '.since_last_run.settings_changed == true and .since_last_run.counts.unchanged == (.findings | length)' \
	"$T/o3/findings.json" >/dev/null && ok "another --fail-on: settings_changed" || bad "settings_changed not set"

# 5. Looking back.
[ "$(runs)" -eq 3 ] && ok "history lists 3 runs" || bad "history lists $(runs) runs"
"$PROBITY" history diff 1 2 --history "$H" >"$T/diff.txt"
grep -q "^+ .*PAY-0098" "$T/diff.txt" && grep -q "^- $DUP20 " "$T/diff.txt" && grep -q "^~ $C003 " "$T/diff.txt" &&
	grep -q "^    was: contract C-003 (2350000.00 EUR)" "$T/diff.txt" &&
	ok "history diff 1 2: appeared, disappeared, changed" || bad "history diff: $(cat "$T/diff.txt")"
"$PROBITY" history diff --history "$H" -f json >"$T/diff.json" && [ -s "$T/diff.json" ] &&
	jq -e '.from == 2 and .to == 3 and (.changes | length) == 0' "$T/diff.json" >/dev/null &&
	ok "history diff (last two runs) in JSON" || bad "history diff json"

# 5a. What a run ran on: every input with its size and SHA-256.
want=$(sha256sum "$T/s/contracts.csv" | cut -d' ' -f1)
"$PROBITY" history show 2 --history "$H" -f json >"$T/show.json"
jq -e --arg w "$want" --arg p "$T/s/contracts.csv" \
	'.run == 2 and (.inputs | length) == 12 and any(.inputs[]; .path == $p and .sha256 == $w and .rows_read == .rows_imported + .rows_rejected + .rows_filtered)' \
	"$T/show.json" >/dev/null && ok "history show: inputs with SHA-256" || bad "history show: $(head -c 300 "$T/show.json")"

# 6. --quiet: nothing on stdout, one line on stderr.
audit -q -o "$T/o5" "$T/s" >"$T/q.out" 2>"$T/q.err"
[ ! -s "$T/q.out" ] && [ "$(wc -l <"$T/q.err")" -eq 1 ] && grep -q '^probity: summary ' "$T/q.err" &&
	ok "--quiet" || bad "--quiet: $(head -c 300 "$T/q.out" "$T/q.err")"

# 7. A second run while one holds the history: refused with status 5, or
# waits.  The first holds it while it waits to read a FIFO.
n=$(runs)
mkdir "$T/late"
mkfifo "$T/late/payments_late.csv"
"$PROBITY" audit -c "$T/s/probity.ini" --history "$H" -o "$T/o6" -f json "$T/s" "$T/late/payments_late.csv" >/dev/null 2>&1 &
first=$!
PIDS="$PIDS $first"
sleep 1
audit -o "$T/o7" -f json "$T/s" >/dev/null 2>"$T/busy.err"; rc=$?
[ $rc -eq 5 ] && grep -q "another run holds the history" "$T/busy.err" && ok "second run refused: exit 5" ||
	bad "second run: exit $rc: $(cat "$T/busy.err")"
audit -o "$T/o7" -f json --history-wait 1 "$T/s" >/dev/null 2>"$T/busy.err"; rc=$?
[ $rc -eq 5 ] && grep -q "waited 1 s" "$T/busy.err" && ok "--history-wait 1: waits, then exit 5" || bad "wait: exit $rc"
kill -9 $first 2>/dev/null
wait $first 2>/dev/null
rm -rf "$T/late"
[ "$(runs)" -eq "$n" ] && ok "killed waiting run left the history as it was" || bad "runs now $(runs), were $n"

# 8. A run killed midway: after recording its run, while it writes the
# text summary to a pipe nobody reads (filled beforehand), before commit.
mkfifo "$T/pipe"
exec 3<>"$T/pipe"
head -c 65536 /dev/zero >&3
SOURCE_DATE_EPOCH=1 "$PROBITY" audit -c "$T/s/probity.ini" --history "$H" -o "$T/o8" -f json,text "$T/s" >"$T/pipe" 2>/dev/null &
mid=$!
PIDS="$PIDS $mid"
i=0
while [ ! -e "$H-journal" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
if [ -e "$H-journal" ] && kill -0 $mid 2>/dev/null; then
	kill -9 $mid
	wait $mid 2>/dev/null
	[ "$(runs)" -eq "$n" ] && ! "$PROBITY" history --history "$H" | grep -q "1970-01-01" &&
		ok "run killed after recording, before commit: history unchanged" || bad "killed run left $(runs) runs, were $n"
else
	bad "could not catch the run midway (journal $(ls "$H"* 2>&1))"
fi
exec 3>&-
audit -o "$T/o9" -f json "$T/s" >/dev/null 2>&1
[ "$(runs)" -eq $((n + 1)) ] && jq -e ".since_last_run.run == $((n + 1)) and .since_last_run.previous_run == $n" \
	"$T/o9/findings.json" >/dev/null && ok "the next run carries on" || bad "run after the kill"

# 9. The decision log, verified; then edited and cut by hand.
"$PROBITY" history verify --history "$H" >/dev/null && ok "history verify: intact log" || bad "verify of an intact log"
cp "$H" "$T/edit.db"
python3 - "$T/edit.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("DROP TRIGGER decisions_no_update")
c.execute("UPDATE decisions SET status = 'confirmed' WHERE seq = 2")
c.commit()
EOF
"$PROBITY" history verify --history "$T/edit.db" >"$T/v.out"; rc=$?
[ $rc -eq 1 ] && grep -q "decision #2 .*was edited" "$T/v.out" && ok "verify names the edited decision" ||
	bad "edited log: exit $rc: $(cat "$T/v.out")"
cp "$H" "$T/cut.db"
python3 - "$T/cut.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("DROP TRIGGER decisions_no_delete")
c.execute("DELETE FROM decisions WHERE seq = 1")
c.commit()
EOF
"$PROBITY" history verify --history "$T/cut.db" >"$T/v.out"; rc=$?
[ $rc -eq 1 ] && grep -q "decision #1 was deleted" "$T/v.out" && ok "verify names the deleted decision" ||
	bad "cut log: exit $rc: $(cat "$T/v.out")"

cp "$H" "$T/quiet.db"
python3 - "$T/quiet.db" "$C002" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("DROP TRIGGER findings_no_delete")
c.execute("DELETE FROM findings WHERE run_id = 1 AND id = ?", (sys.argv[2],))
c.commit()
EOF
"$PROBITY" history verify --history "$T/quiet.db" >"$T/v.out"; rc=$?
[ $rc -eq 1 ] && grep -q "run #1 was altered" "$T/v.out" && ok "verify names the run a finding was removed from" ||
	bad "finding removed: exit $rc: $(cat "$T/v.out")"
jq -e '.since_last_run.digest | test("^[0-9a-f]{64}$")' "$T/o9/findings.json" >/dev/null &&
	[ "$("$PROBITY" history show --history "$H" -f json | jq -r .digest)" = "$(jq -r .since_last_run.digest "$T/o9/findings.json")" ] &&
	ok "the report carries the run's digest as sealed" || bad "run digest in findings.json"

# 10. Not a history: refused, named, exit 3.
"$PROBITY" history --history "$T/s/contracts.csv" >/dev/null 2>"$T/n.err"; rc=$?
[ $rc -eq 3 ] && grep -q "not a probity history" "$T/n.err" && ok "a CSV is not a history: exit 3" || bad "not a history: exit $rc"

if [ $fails -ne 0 ]; then
	echo "history: $fails failure(s)"
	exit 1
fi
echo "history: all passed"
