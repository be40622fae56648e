#!/bin/sh
# tests/e2e/run.sh - runs the real binary over samples/ and small ledger
# directories, and compares findings, exit codes and reports with what is
# expected.  Usage: PROBITY=build/probity sh tests/e2e/run.sh
set -u
PROBITY=${PROBITY:-build/probity}
case $PROBITY in /*) ;; *) PROBITY=$(pwd)/$PROBITY ;; esac
export LC_ALL=C TZ=UTC
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

ok() { echo "ok   e2e: $1"; }
bad() { echo "FAIL e2e: $1"; fails=$((fails + 1)); }

findings_tsv() {
	jq -r '.findings[] | [.rule, .subject.table, .subject.id, .severity] | @tsv' "$1" | sort
}

# 1. The sample ministry: exactly the planted findings, exit 1 (high ones).
"$PROBITY" audit -c samples/valdoria/probity.ini -o "$T/a" --format html,json,csv samples/valdoria >"$T/a.out" 2>"$T/a.err"
rc=$?
[ $rc -eq 1 ] && ok "samples/valdoria exit 1 (high findings)" || bad "samples/valdoria exit $rc, want 1: $(cat "$T/a.err")"
findings_tsv "$T/a/findings.json" >"$T/got.tsv"
sort tests/e2e/samples.expected.tsv >"$T/want.tsv"
if diff -u "$T/want.tsv" "$T/got.tsv" >"$T/diff"; then
	ok "samples/valdoria findings match tests/e2e/samples.expected.tsv"
else
	bad "samples/valdoria findings differ:"; cat "$T/diff"
fi

# 2. Reconciliation in every input, and the planted rejection.
jq -e '[.inputs[] | select(.rows_read != .rows_imported + .rows_rejected)] | length == 0' \
	"$T/a/findings.json" >/dev/null && ok "inputs reconcile" || bad "inputs do not reconcile"
jq -e '.rejections | length == 1 and .[0].line == 19 and (.[0].reason | test("paid_on .2024-02-30. does not exist"))' \
	"$T/a/findings.json" >/dev/null && ok "PAY-0018 rejected at payments.csv:19" || bad "rejection of payments.csv:19 missing"
jq -e '.totals.rows_read == (.inputs | map(.rows_read) | add) and
	all(.inputs[]; .rows_read == .rows_imported + .rows_filtered + .rows_rejected and has("profile"))' \
	"$T/a/findings.json" >/dev/null &&
	ok "totals add up" || bad "totals do not add up"

# 3. Determinism: same input, byte-identical JSON and CSV, same ids.
"$PROBITY" audit -c samples/valdoria/probity.ini -o "$T/b" --format json,csv samples/valdoria >/dev/null 2>&1
cmp -s "$T/a/findings.json" "$T/b/findings.json" && cmp -s "$T/a/findings.csv" "$T/b/findings.csv" &&
	ok "byte-identical output on a second run" || bad "output differs between runs"
# Files read, rules run and reports written on 1, 2 and 8 threads: the
# same reports, byte for byte; -j values outside 0..256 are usage errors.
for j in 1 2 8; do
	"$PROBITY" audit -j $j -c samples/valdoria/probity.ini -o "$T/j$j" --format json,csv,html samples/valdoria >/dev/null 2>&1
done
same=1
for j in 2 8; do
	for f in findings.json findings.csv entities.csv report.html; do
		cmp -s "$T/j1/$f" "$T/j$j/$f" || same=0
	done
done
[ $same -eq 1 ] && cmp -s "$T/a/findings.json" "$T/j1/findings.json" &&
	ok "byte-identical reports with -j 1, -j 2 and -j 8" || bad "reports depend on -j"
# The folder's files named one by one are read side by side as the
# folder's are: the folder's reports, byte for byte, at -j 1 and -j 8.
named=$(ls samples/valdoria/* | grep -v 'probity\.ini$')
same=1
for j in 1 8; do
	# shellcheck disable=SC2086
	"$PROBITY" audit -j $j -c samples/valdoria/probity.ini -o "$T/n$j" --format json,csv,html $named >/dev/null 2>&1
	for f in findings.json findings.csv entities.csv report.html; do
		cmp -s "$T/j1/$f" "$T/n$j/$f" || same=0
	done
done
[ $same -eq 1 ] && ok "files named one by one: the folder's reports at -j 1 and -j 8" ||
	bad "files named one by one give other reports than their folder"
# CSV files cut into parts of a few hundred bytes (part_bytes; on 8
# threads parties.csv and payments.csv are more than their share, and are
# cut in 3 and 2), read side by side: the folder's reports, byte for byte.
{ cat samples/valdoria/probity.ini; printf '\n[audit]\npart_bytes = 300\n'; } >"$T/parts.ini"
"$PROBITY" audit -j 8 -c "$T/parts.ini" -o "$T/p8" --format json,csv,html samples/valdoria >/dev/null 2>&1
same=1
for f in findings.json findings.csv entities.csv report.html; do
	cmp -s "$T/j1/$f" "$T/p8/$f" || same=0
done
[ $same -eq 1 ] && ok "CSV files read in parts: the folder's reports at -j 8" ||
	bad "reports differ when CSV files are read in parts"
# A .jsonl file's lines are parsed on -j threads and mapped in order: 500
# releases (1.5 MB, some two dozen batches) give the same reports at -j 1
# and -j 8.
sh bench/gen-ocds.sh "$T/rel.jsonl" 3 480 500
same=1
for j in 1 8; do
	"$PROBITY" audit -j $j -o "$T/o$j" --format json,csv,html "$T/rel.jsonl" >/dev/null 2>&1
done
for f in findings.json findings.csv entities.csv report.html; do
	cmp -s "$T/o1/$f" "$T/o8/$f" || same=0
done
[ $same -eq 1 ] && [ -s "$T/o1/findings.json" ] && ok ".jsonl parsed on threads: the same reports at -j 1 and -j 8" ||
	bad ".jsonl reports depend on -j"
"$PROBITY" audit -j 257 -o "$T/jx" samples/valdoria >/dev/null 2>"$T/jx.err"
[ $? -eq 2 ] && grep -q "is not a number of threads" "$T/jx.err" && ok "-j 257 is a usage error" ||
	bad "-j 257 not refused: $(cat "$T/jx.err")"
"$PROBITY" audit --timings -c samples/valdoria/probity.ini -o "$T/tm" --format json samples/valdoria >/dev/null 2>"$T/tm.err"
grep -q '^probity: timing rule competition.single-source [0-9.]*$' "$T/tm.err" &&
	grep -q '^probity: timing rules [0-9.]* (jobs [0-9]*)$' "$T/tm.err" &&
	grep -q '^probity: timing peak_rss_kib [0-9]*$' "$T/tm.err" &&
	grep -q '^probity: timing text_rebuilds 0$' "$T/tm.err" &&
	grep -q '^probity: timing key_rebuilds 0$' "$T/tm.err" &&
	cmp -s "$T/a/findings.json" "$T/tm/findings.json" &&
	ok "--timings prints phase and rule times on stderr, reports unchanged; nothing looked a text or a dropped key up after seal" ||
	bad "--timings: $(head -5 "$T/tm.err")"
# --keep-going: an empty file and a folder without ledgers are listed as
# failed in the JSON and text reports, the rest is audited, exit 3.
mkdir -p "$T/kg/in/sub-none"
cp samples/valdoria/*.csv "$T/kg/in/"
: >"$T/kg/in/empty.csv"
"$PROBITY" audit -c samples/valdoria/probity.ini -o "$T/kg/o" -f json "$T/kg/in" >/dev/null 2>"$T/kg/err1"
[ $? -eq 3 ] && [ ! -e "$T/kg/o/findings.json" ] && grep -q 'empty.csv: file is empty' "$T/kg/err1" &&
	ok "an empty file stops a run without --keep-going" || bad "empty file without --keep-going: $(cat "$T/kg/err1")"
"$PROBITY" audit --keep-going -c samples/valdoria/probity.ini -o "$T/kg/o" -f json,text,html "$T/kg/in" "$T/kg/in/sub-none" \
	>"$T/kg/out" 2>"$T/kg/err"
rc=$?
[ $rc -eq 3 ] &&
	jq -e '(.failed_inputs | map(.path | sub(".*/"; "")) == ["empty.csv", "sub-none"]) and (.failed_inputs | map(.rows_read) == [0, 0]) and (.findings | length > 40)' \
		"$T/kg/o/findings.json" >/dev/null &&
	grep -q 'FAILED, not audited: .*empty.csv: file is empty' "$T/kg/out" &&
	grep -q 'Files not read in full: this audit is incomplete' "$T/kg/o/report.html" &&
	grep -q 'empty.csv: file is empty' "$T/kg/o/report.html" &&
	! grep -q 'Files not read' "$T/a/report.html" &&
	grep -q '^probity: summary exit=3 .* low=[0-9]* failed=2$' "$T/kg/err" &&
	! jq -e 'has("failed_inputs")' "$T/a/findings.json" >/dev/null &&
	ok "--keep-going lists failed files in every report, audits the rest, exits 3" ||
	bad "--keep-going: exit $rc: $(cat "$T/kg/err")"
# --keep-going: a file that fails part way (a .jsonl.gz cut short) is
# listed with the rows read before the failure, which are audited, never
# as "not audited".
mkdir -p "$T/kg/cut"
awk 'BEGIN { for (i = 0; i < 5000; i++)
	printf "{\"ocid\":\"ocds-x-%d\",\"id\":\"r%d\",\"date\":\"2024-01-01T00:00:00Z\",\"tender\":{\"id\":\"t%d\"}}\n", i, i, i }' |
	gzip -c | head -c 20000 >"$T/kg/cut/releases.jsonl.gz"
"$PROBITY" audit --keep-going -o "$T/kg/oc" -f json,text,html "$T/kg/cut" >"$T/kg/outc" 2>"$T/kg/errc"
rc=$?
n=$(jq '.inputs[0].rows_read' "$T/kg/oc/findings.json" 2>/dev/null)
[ $rc -eq 3 ] && [ "${n:-0}" -gt 0 ] &&
	jq -e --argjson n "$n" '.failed_inputs[0].rows_read == $n and (.failed_inputs[0].reason | endswith("(the compressed file is cut short)"))' \
		"$T/kg/oc/findings.json" >/dev/null &&
	grep -q "FAILED after $n rows (those are audited, the rest is not): .*releases.jsonl.gz: cannot read" "$T/kg/outc" &&
	! grep -q 'not audited' "$T/kg/outc" &&
	grep -q "read in part: its $n rows before the failure are audited" "$T/kg/errc" &&
	grep -q 'Files not read in full' "$T/kg/oc/report.html" &&
	"$PROBITY" check --keep-going "$T/kg/cut" 2>/dev/null | grep -q "FAILED after $n rows (those are read, the rest is not)" &&
	"$PROBITY" check -f json --keep-going "$T/kg/cut" 2>/dev/null | jq -e --argjson n "$n" '.failed_inputs[0].rows_read == $n' >/dev/null &&
	ok "--keep-going: a file cut short is listed with the rows read before the cut, audited" ||
	bad "--keep-going, file cut short: exit $rc, rows ${n:-none}: $(head -c 300 "$T/kg/errc")"
# An export whose date format changed rejects every row: the audit of
# what is left finds nothing, and must not exit 0.  An input, or a
# table's small inputs together, over [audit] max_rejected_pct is an
# error after the reports are written; 100 turns it off.
mkdir -p "$T/mr/one" "$T/mr/months"
cp samples/valdoria/contracts.csv samples/valdoria/tenders.csv "$T/mr/one/"
sed '2,$s/\([0-9]\{4\}\)-\([0-9]\{2\}\)-\([0-9]\{2\}\)/\3\/\2\/\1/g' samples/valdoria/payments.csv >"$T/mr/one/payments.csv"
for m in 01 02 03; do
	printf 'payment_id,payee_id,amount,currency,paid_on\nP%s1,S,1.00,EUR,05/%s/2024\nP%s2,S,1.00,EUR,06/%s/2024\nP%s3,S,1.00,EUR,07/%s/2024\nP%s4,S,1.00,EUR,2024-%s-08\n' \
		$m $m $m $m $m $m $m $m >"$T/mr/months/payments-2024-$m.csv"
done
"$PROBITY" audit --fail-on none -o "$T/mr/o1" -f json,html,text "$T/mr/one" >"$T/mr/out1" 2>"$T/mr/err1"; rc1=$?
"$PROBITY" audit --fail-on none -o "$T/mr/o2" -f json "$T/mr/months" >/dev/null 2>"$T/mr/err2"; rc2=$?
printf '[audit]\nmax_rejected_pct = 100\n' >"$T/mr/off.ini"
"$PROBITY" audit --fail-on none -c "$T/mr/off.ini" -o "$T/mr/o3" -f json "$T/mr/one" >/dev/null 2>"$T/mr/err3"; rc3=$?
[ $rc1 -eq 3 ] && [ -s "$T/mr/o1/findings.json" ] &&
	grep -q 'one/payments.csv: 27 of its 27 rows rejected, more than \[audit\] max_rejected_pct (50%): has its export.s format changed?' "$T/mr/err1" &&
	grep -q '^probity: summary exit=3 .* low=[0-9]* mostly_rejected=1$' "$T/mr/err1" &&
	jq -e '.mostly_rejected == [{"what": (.inputs[] | select(.table == "payments") | .path), "inputs": 1, "rows_read": 27, "rows_rejected": 27}]' \
		"$T/mr/o1/findings.json" >/dev/null &&
	grep -q 'MOSTLY REJECTED (has the export.s format changed?): .*one/payments.csv: 27 of 27 rows rejected' "$T/mr/out1" &&
	grep -q 'Inputs mostly rejected: has an export.s format changed?' "$T/mr/o1/report.html" &&
	! jq -e 'has("mostly_rejected")' "$T/mr/o3/findings.json" >/dev/null &&
	[ $rc2 -eq 3 ] && grep -q 'error: payments: 9 of the 12 rows of its 3 inputs rejected' "$T/mr/err2" &&
	! grep -q 'payments-2024-01.csv: .* rows rejected' "$T/mr/err2" &&
	[ $rc3 -eq 0 ] && ! grep -q 'rejected' "$T/mr/err3" &&
	{ "$PROBITY" check "$T/mr/one" >"$T/mr/check.out" 2>"$T/mr/check.err"; [ $? -eq 3 ]; } &&
	grep -q 'MOSTLY REJECTED (has the export.s format changed?): .*one/payments.csv: 27 of 27 rows rejected' "$T/mr/check.out" &&
	grep -q 'one/payments.csv: 27 of its 27 rows rejected' "$T/mr/check.err" &&
	{ "$PROBITY" check -f json "$T/mr/months" 2>/dev/null | jq -e '.mostly_rejected == [{"what": "payments", "inputs": 3, "rows_read": 12, "rows_rejected": 9}]' >/dev/null; } &&
	ok "an input mostly rejected (its format changed) exits 3 after writing the reports, and check says so too; max_rejected_pct = 100 turns it off" ||
	bad "mostly rejected: exit $rc1 $rc2 $rc3: $(cat "$T/mr/err1" "$T/mr/err2" | head -c 600)"
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 -c 'import json, sys, jsonschema
for f in sys.argv[2:]:
    jsonschema.validate(json.load(open(f)), json.load(open(sys.argv[1])))' \
		docs/findings.schema.json "$T/mr/o1/findings.json" "$T/kg/oc/findings.json" &&
		ok "findings.json with mostly_rejected, and with a file failed part way, matches the schema" ||
		bad "findings.json with mostly_rejected or failed_inputs.rows_read does not match docs/findings.schema.json"
fi
# A payment dated 2105 (a typing error) is left out of the default as_of:
# the audit date, and the offsets judged overdue, stay those of the
# samples; every report says which date was left out and where.
mkdir -p "$T/late"
cp samples/valdoria/*.csv "$T/late/"
echo 'PAY-LATE,MOD-HQ,SUP-ARMATEC,C-001,INV-AR-999,1000.00,EUR,2105-03-15,02-311,Typing error,OFF-0042' >>"$T/late/payments.csv"
"$PROBITY" audit -c samples/valdoria/probity.ini -o "$T/late/o" -f json,text,html "$T/late" >"$T/late/out" 2>&1
asof=$(jq -r .as_of "$T/a/findings.json")
[ "$(jq -r .as_of "$T/late/o/findings.json")" = "$asof" ] &&
	jq -e '.as_of_set_aside == {"dates": 1, "earliest": "2105-03-15", "latest": "2105-03-15",
		"table": "payments", "field": "paid_on", "source": .as_of_set_aside.source} and
		(.as_of_set_aside.source | endswith("payments.csv:29"))' "$T/late/o/findings.json" >/dev/null &&
	[ "$(jq -c '[.findings[] | select(.rule == "offsets.overdue-unfulfilled") | .subject.id]' "$T/late/o/findings.json")" = \
		"$(jq -c '[.findings[] | select(.rule == "offsets.overdue-unfulfilled") | .subject.id]' "$T/a/findings.json")" ] &&
	grep -q "^as of: 1 later event date set aside as a typing error (2105-03-15, payments.paid_on at .*payments.csv:29)" "$T/late/out" &&
	grep -q "As of: 1 later event date set aside as a typing error" "$T/late/o/report.html" &&
	! jq -e 'has("as_of_set_aside")' "$T/a/findings.json" >/dev/null &&
	ok "a date of 2105 is left out of the default as_of, and every report says so" ||
	bad "a date of 2105: as_of $(jq -r .as_of "$T/late/o/findings.json"), $(head -3 "$T/late/out")"
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
		"$T/late/o/findings.json" docs/findings.schema.json && ok "findings.json with as_of_set_aside matches the schema" ||
		bad "findings.json with as_of_set_aside does not match docs/findings.schema.json"
fi
# Ids do not depend on file order: audit the files named one by one, reversed.
# shellcheck disable=SC2046
"$PROBITY" audit -c samples/valdoria/probity.ini -o "$T/c" --format json \
	$(ls samples/valdoria/*.csv samples/valdoria/*.json samples/valdoria/*.xml | sort -r) >/dev/null 2>&1
jq -r '.findings[].id' "$T/a/findings.json" | sort >"$T/ids.a"
jq -r '.findings[].id' "$T/c/findings.json" | sort >"$T/ids.c"
cmp -s "$T/ids.a" "$T/ids.c" && ok "finding ids stable across input order" || bad "finding ids depend on input order"

# 4. Every finding has evidence that leads to a source row.
jq -e '[.findings[] | select((.evidence | length) == 0 or any(.evidence[]; (.source | test(":[0-9]+(#.*)?$")) | not))] | length == 0' \
	"$T/a/findings.json" >/dev/null && ok "every finding has file:line evidence" || bad "finding without file:line evidence"

# 4a. Unknown columns are kept and shown with the evidence.
jq -e 'any(.findings[].evidence[]; .extra.contract_title == "Marine diesel Q2")' "$T/a/findings.json" >/dev/null &&
	ok "extra columns shown in evidence" || bad "extra column contract_title missing from evidence"

# 4b. The JSON report follows its published schema (when a validator is here).
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
		"$T/a/findings.json" docs/findings.schema.json && ok "findings.json matches docs/findings.schema.json" ||
		bad "findings.json does not match docs/findings.schema.json"
else
	echo "skip e2e: schema validation (python3-jsonschema not installed)"
fi

# 4c. Look-alike parties are listed, never merged.
jq -e '.possible_links | length == 1 and .[0].a == "SUP-ORION" and .[0].b == "ORION-NAVY-EXPORT"' \
	"$T/a/findings.json" >/dev/null && ok "possible link SUP-ORION / ORION-NAVY-EXPORT listed" ||
	bad "possible link between SUP-ORION and ORION-NAVY-EXPORT missing"

# 5. The HTML report: one self-contained file with a row per finding.
n=$(jq '.findings | length' "$T/a/findings.json")
h=$(grep -o 'data-finding-id="[0-9a-f]\{16\}"' "$T/a/report.html" | sort -u | wc -l)
[ "$n" -eq "$h" ] && ok "report.html has $h finding rows" || bad "report.html has $h finding rows, json $n"
grep -qi 'src="http\|href="http\|@import' "$T/a/report.html" && bad "report.html references the network" ||
	ok "report.html needs no network"

# 6. CSV: a header and one row per finding (libcsv quoting checked in unit tests).
head -1 "$T/a/findings.csv" | tr -d '"' | grep -q '^id,rule,family,severity' && ok "findings.csv header" || bad "findings.csv header"

# 6b. entities.csv ranks buyers and suppliers; the riskiest is a buyer here.
head -2 "$T/a/entities.csv" | tr -d '"' | grep -q '^1,MOD-' && ok "entities.csv ranks entities" || bad "entities.csv"

# 7. Missing tables: rules say why they did not run; fail-on none exits 0.
mkdir -p "$T/only"; cp samples/valdoria/contracts.csv samples/valdoria/tenders.csv "$T/only/"
"$PROBITY" audit -o "$T/o" --format json --fail-on none "$T/only" >/dev/null 2>&1
rc=$?
[ $rc -eq 0 ] && ok "--fail-on none exits 0" || bad "--fail-on none exit $rc"
jq -e '.coverage[] | select(.rule == "payments.duplicate") | .status == "not run" and (.reason | test("needs payments"))' \
	"$T/o/findings.json" >/dev/null && ok "coverage: payments.duplicate not run, needs payments" || bad "coverage of missing table"
jq -e '.coverage[] | select(.rule == "competition.single-source") | .status == "ran"' \
	"$T/o/findings.json" >/dev/null && ok "coverage: single-source ran" || bad "coverage: single-source did not run"

# 8. --fail-on critical: high findings no longer fail the run...
"$PROBITY" audit -o "$T/d" --format json --fail-on critical "$T/only" >/dev/null 2>&1
[ $? -eq 0 ] && ok "--fail-on critical exits 0 on high findings" || bad "--fail-on critical should exit 0"
# ...but critical ones do (the sample ministry plants two).
"$PROBITY" audit -c samples/valdoria/probity.ini -o "$T/d" --format json --fail-on critical samples/valdoria >/dev/null 2>&1
[ $? -eq 1 ] && ok "--fail-on critical exits 1 on critical findings" || bad "--fail-on critical should exit 1"

# 9. --table overrides the file name.
cp samples/valdoria/payments.csv "$T/ledger-export.csv"
"$PROBITY" audit -o "$T/t" --format json --fail-on none --table payments="$T/ledger-export.csv" >/dev/null 2>&1
jq -e '.inputs[0].table == "payments" and .inputs[0].rows_imported == 26' "$T/t/findings.json" >/dev/null &&
	ok "--table payments=FILE" || bad "--table did not import as payments"

# 10. Errors: exit codes and messages that name the culprit.
"$PROBITY" audit -o "$T/e" "$T/does-not-exist.csv" >/dev/null 2>"$T/e.err"; rc=$?
[ $rc -eq 3 ] && grep -q "does-not-exist.csv" "$T/e.err" && ok "missing file: exit 3, named" || bad "missing file exit $rc"
"$PROBITY" audit --bogus samples/valdoria >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "unknown option: exit 2" || bad "unknown option exit $rc"
printf '[audit]\nbase_curency = EUR\n' >"$T/bad.ini"
"$PROBITY" audit -c "$T/bad.ini" samples/valdoria >/dev/null 2>"$T/c.err"; rc=$?
[ $rc -eq 2 ] && grep -q "unknown key 'base_curency'" "$T/c.err" && ok "config typo: exit 2, key named" || bad "config typo exit $rc"
"$PROBITY" audit --format pdf samples/valdoria >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "unknown format: exit 2" || bad "unknown format exit $rc"

# 11. A failed run leaves the previous report untouched.
cp "$T/a/findings.json" "$T/before.json"
"$PROBITY" audit -o "$T/a" --format json "$T/does-not-exist.csv" >/dev/null 2>&1
cmp -s "$T/before.json" "$T/a/findings.json" && ok "failed run keeps previous findings.json" || bad "failed run changed findings.json"
ls -a "$T/a" | grep -q '\.tmp\.' && bad "temporary file left behind" || ok "no temporary files left"

# 12. check, rules, init, help, version.
"$PROBITY" check samples/valdoria >"$T/check.out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "payments.csv:19" "$T/check.out" && grep -q "competition.single-source" "$T/check.out" &&
	ok "check lists rejections and rules" || bad "check output (exit $rc)"
# -o - writes one report to standard output; an option-like folder is refused.
"$PROBITY" audit -f json -o - --fail-on none samples/valdoria 2>/dev/null | jq -e '.findings | length > 0' >/dev/null &&
	ok "-f json -o - writes findings.json to standard output" || bad "-o - does not write JSON to standard output"
"$PROBITY" audit -f json,csv -o - samples/valdoria >/dev/null 2>&1; [ $? -eq 2 ] &&
	ok "-o - with two formats is a usage error" || bad "-o - with two formats should exit 2"
(cd "$T" && "$PROBITY" audit -o -x "$OLDPWD/samples/valdoria" >/dev/null 2>&1; [ $? -eq 2 ] && [ ! -e "$T/-x" ]) &&
	ok "an output folder named like an option is refused" || bad "-o -x was not refused"
# Values kept as unknown and rejections, grouped by kind in check (a
# kind of one row shows its reason whole), each in check -f json.
# (bad-amounts is mostly rejected: check exits 3)
"$PROBITY" check tests/bad/cases/unreadable-values tests/bad/cases/bad-amounts >"$T/check-unread.out" 2>&1
[ $? -eq 3 ] &&
	grep -qF "unread        1  /awards/0/value/amount: '5000' has no currency; kept as unknown  (tests/bad/cases/unreadable-values/releases.jsonl:3)" "$T/check-unread.out" &&
	grep -qF "rejected      5  amount '…' is not a number  (tests/bad/cases/bad-amounts/payments.csv:2, " "$T/check-unread.out" &&
	"$PROBITY" check -f json tests/bad/cases/unreadable-values |
	jq -e '[.inputs[].values_unread] == [2, 5, 2] and (.inputs[0].unread[0].reason | startswith("invoice_date: ")) and (.inputs[2].unread[1].reason | startswith("/TED_EXPORT/FORM_SECTION/F02_2014/PROCEDURE/DATE_RECEIPT_TENDERS"))' >/dev/null &&
	ok "check lists values not read" || bad "check does not list values not read"
# A rule whose fields are empty in every record says so instead of "can judge".
"$PROBITY" check samples/valdoria/eforms-veat.xml 2>&1 | grep -q "supplier.newly-registered *could not judge: empty in every record: parties.registered_on" &&
	ok "check names the empty fields a rule lacks" || bad "check does not say which fields a rule lacks"
"$PROBITY" rules --format json | jq -e 'length >= 9 and all(.[]; .id and .family and .source)' >/dev/null &&
	ok "rules --format json" || bad "rules --format json"
(cd "$T" && "$PROBITY" init >/dev/null 2>&1 && "$PROBITY" init >/dev/null 2>&1; [ $? -eq 2 ]) &&
	ok "init writes probity.ini and refuses to overwrite" || bad "init"
"$PROBITY" audit -c "$T/probity.ini" -o "$T/i" --format json samples/valdoria >/dev/null 2>&1; rc=$?
[ $rc -le 1 ] && ok "the init config loads" || bad "the init config does not load (exit $rc)"
"$PROBITY" --help | grep -q "probity audit\|audit \[options\]" && ok "--help" || bad "--help"
"$PROBITY" --version | grep -q "^probity [0-9]" && ok "--version" || bad "--version"

# 13. Text summary on standard output.
"$PROBITY" audit -c samples/valdoria/probity.ini -o "$T/s" --format text samples/valdoria >"$T/s.out" 2>&1
grep -qi "high" "$T/s.out" && grep -q "payments.csv" "$T/s.out" && ok "text summary" || bad "text summary"

if [ $fails -ne 0 ]; then
	echo "e2e: $fails failure(s)"
	exit 1
fi
echo "e2e: all passed"
