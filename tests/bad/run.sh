#!/bin/sh
# tests/bad/run.sh - hostile inputs.  Each case is a folder of ledgers in
# cases/ (or generated below) with an `expect` file:
#   exit N            the exit status (0, 1 or 3; never a crash or 4)
#   read N / imported N   totals over all inputs (and read = imported + rejected)
#   reject LINE TEXT  a rejection at that line whose reason contains TEXT
#   unread LINE TEXT  a value kept as unknown (unread_values) at that line
#                     whose reason contains TEXT
#   unread-count N    values kept as unknown over all inputs
#   stderr TEXT       standard error contains TEXT
#   stderr-absent TEXT  standard error does not contain TEXT
#   html-absent TEXT / html-present TEXT   raw text in report.html
#   csv-absent TEXT / csv-present TEXT     raw text in findings.csv
# Every run has a time limit (20 s): a hostile file must not hang probity.
# Exit 3 must name the input in standard error.
# Usage: PROBITY=build/probity sh tests/bad/run.sh
set -u
PROBITY=${PROBITY:-build/probity}
case $PROBITY in /*) ;; *) PROBITY=$(pwd)/$PROBITY ;; esac
export LC_ALL=C TZ=UTC
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

bad() { echo "FAIL bad: $1"; fails=$((fails + 1)); }

# listed ARRAY WHAT OUT "LINE TEXT": findings.json's ARRAY holds an entry
# at LINE whose reason contains TEXT.
listed() {
	ln=${4%% *} text=${4#* }
	jq -e --arg a "$1" --argjson l "$ln" --arg t "$text" \
		'any(.[$a][]; .line == $l and (.reason | contains($t)))' \
		"$3/findings.json" >/dev/null 2>&1 && return 0
	bad "$name: no $2 at line $ln containing '$text'"
	return 1
}
ok() { echo "ok   bad: $1"; }

# Cases too big or too binary to commit.
gen() {
	mkdir -p "$T/gen/nul-byte" "$T/gen/huge-field" "$T/gen/many-columns" \
		"$T/gen/endless-line" "$T/gen/many-bad-quotes"
	printf 'party_id,name\nA,ok\nB,has\000nul\nC,ok\n' >"$T/gen/nul-byte/parties.csv"
	printf 'exit 0\nread 3\nimported 2\nreject 3 contains a NUL byte\n' >"$T/gen/nul-byte/expect"
	{ printf 'payment_id,amount,description\nP1,1,'; head -c 20000000 /dev/zero | tr '\0' x;
	  printf '\nP2,2,ok\n'; } >"$T/gen/huge-field/payments.csv"
	printf 'exit 0\nread 2\nimported 1\nreject 2 longer than\n' >"$T/gen/huge-field/expect"
	awk 'BEGIN { printf "payment_id"; for (i = 0; i < 100000; i++) printf ",c%d", i; printf "\nP1";
		for (i = 0; i < 100000; i++) printf ",v"; printf "\nP2,short\n" }' >"$T/gen/many-columns/payments.csv"
	printf 'exit 0\nread 2\nimported 1\nreject 3 expected 100001 fields, found 2\n' >"$T/gen/many-columns/expect"
	{ printf 'payment_id,amount\nP1,1\nP2,'; head -c 30000000 /dev/zero | tr '\0' 9; } >"$T/gen/endless-line/payments.csv"
	printf 'exit 0\nread 2\nimported 1\nreject 3 longer than\n' >"$T/gen/endless-line/expect"
	awk 'BEGIN { print "payment_id,amount,description"; for (i = 1; i <= 20000; i++)
		printf "P%d,1,\"%s\n", i, (i % 2 ? "open" : "x\"y") }' >"$T/gen/many-bad-quotes/payments.csv"
	printf 'exit 3\nread 20000\nstderr payments.csv: 20000 of its 20000 rows rejected\n' >"$T/gen/many-bad-quotes/expect"
	# Classic Mac line ends (CR only) and lines of blanks keep line numbers.
	mkdir -p "$T/gen/mac-line-ends" "$T/gen/blank-lines"
	printf 'payment_id,amount\rP1,x\rP2,1\r\rP3,1e3\r' >"$T/gen/mac-line-ends/payments.csv"
	printf 'exit 0\nread 3\nimported 1\nreject 2 amount '"'x'"' is not a number\nreject 5 amount '"'1e3'"' is not a number\n' \
		>"$T/gen/mac-line-ends/expect"
	printf '\n  \npayment_id;amount\n \t \nP1;NaN\n\nP2;1\n' >"$T/gen/blank-lines/payments.csv"
	printf 'exit 0\nread 2\nimported 1\nreject 5 amount '"'NaN'"' is not a number\n' >"$T/gen/blank-lines/expect"
	# A workbook saved under a .csv name, and a header in another encoding.
	mkdir -p "$T/gen/workbook-as-csv" "$T/gen/cp1251-header"
	printf 'PK\003\004\024\000\006\000\010\000' >"$T/gen/workbook-as-csv/payments.csv"
	printf 'exit 3\nstderr payments.csv: is a ZIP archive\n' >"$T/gen/workbook-as-csv/expect"
	printf 'party_id,\315\340\347\342\340\nA,x\n' >"$T/gen/cp1251-header/parties.csv"
	printf 'exit 3\nstderr is not valid UTF-8\n' >"$T/gen/cp1251-header/expect"
	mkdir -p "$T/gen/xml-deep"
	{ printf '<?xml version="1.0"?>'; awk 'BEGIN { for (i = 0; i < 100000; i++) printf "<a>";
		for (i = 0; i < 100000; i++) printf "</a>" }'; } >"$T/gen/xml-deep/notice.xml"
	printf 'exit 0\nread 1\nimported 0\nreject 1 Excessive depth\n' >"$T/gen/xml-deep/expect"
	# 20 000 awards, each amount without a currency: every one listed, in
	# time linear in the notice.
	mkdir -p "$T/gen/xml-many-unread"
	{ printf '<?xml version="1.0"?>\n<TED_EXPORT xmlns="http://publications.europa.eu/resource/schema/ted/R2.0.9/publication">'
	  printf '<CODED_DATA_SECTION><REF_OJS><DATE_PUB>20210305</DATE_PUB></REF_OJS><NOTICE_DATA><NO_DOC_OJS>2021/S 001-1'
	  printf '</NO_DOC_OJS></NOTICE_DATA></CODED_DATA_SECTION><FORM_SECTION><F03_2014><PROCEDURE><PT_OPEN/></PROCEDURE>\n'
	  awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "<AWARD_CONTRACT ITEM=\"%d\"><AWARDED_CONTRACT><CONTRACTORS>" \
		"<CONTRACTOR><ADDRESS_CONTRACTOR><OFFICIALNAME>Acme %d</OFFICIALNAME></ADDRESS_CONTRACTOR></CONTRACTOR>" \
		"</CONTRACTORS><VALUES><VAL_TOTAL>%d</VAL_TOTAL></VALUES></AWARDED_CONTRACT></AWARD_CONTRACT>\n", i, i, i }'
	  printf '</F03_2014></FORM_SECTION></TED_EXPORT>\n'; } >"$T/gen/xml-many-unread/notice.xml"
	printf 'exit 0\nread 1\nimported 1\nunread-count 20000\nunread 20002 /VAL_TOTAL: '"'"'20000'"'"' has no currency\n' \
		>"$T/gen/xml-many-unread/expect"
	# A ledger in a folder that is a dangling symlink: named, never skipped.
	mkdir -p "$T/gen/dangling-symlink"
	printf 'party_id,name\nA,ok\n' >"$T/gen/dangling-symlink/parties.csv"
	ln -s "$T/nowhere.csv" "$T/gen/dangling-symlink/payments.csv"
	printf 'exit 3\nstderr payments.csv: cannot open\n' >"$T/gen/dangling-symlink/expect"
	# A NUL inside an OCDS id would cut it and merge two processes.
	mkdir -p "$T/gen/json-nul"
	printf '{"releases":[{"ocid":"ocds-abc-1\\u0000-ALPHA","tender":{}},{"ocid":"ocds-abc-1\\u0000-BRAVO","tender":{}}]}\n' \
		>"$T/gen/json-nul/package.json"
	printf 'exit 0\nread 2\nimported 0\nreject 1 NUL\n' >"$T/gen/json-nul/expect"
	# Bytes the declared encoding cannot convert: libxml2 reports them
	# with no parser, on standard error by default; they are the
	# notice's rejection, and standard error says nothing of them.
	mkdir -p "$T/gen/xml-bad-encoding"
	printf '<?xml version="1.0" encoding="windows-1252"?>\n<TED_EXPORT><A>caf\351 \201\202</A></TED_EXPORT>\n' \
		>"$T/gen/xml-bad-encoding/notice.xml"
	printf 'exit 0\nread 1\nimported 0\nreject 1 input conversion failed due to input error, bytes 0x81 0x82\nstderr-absent encoding error\nstderr-absent encoder error\n' \
		>"$T/gen/xml-bad-encoding/expect"
	# A compressed file cut short (a download interrupted) is an input
	# error naming the cut: zlib alone reads it as if it ended there.
	mkdir -p "$T/gen/gz-cut-short-jsonl" "$T/gen/gz-cut-short-json"
	awk 'BEGIN { for (i = 0; i < 5000; i++)
		printf "{\"ocid\":\"ocds-x-%d\",\"id\":\"r%d\",\"date\":\"2024-01-01T00:00:00Z\",\"tender\":{\"id\":\"t%d\"}}\n", i, i, i }' |
		gzip -c | head -c 20000 >"$T/gen/gz-cut-short-jsonl/releases.jsonl.gz"
	printf 'exit 3\nstderr releases.jsonl.gz: cannot read: unexpected end of file (the compressed file is cut short)\n' \
		>"$T/gen/gz-cut-short-jsonl/expect"
	gzip -c "$HERE/../../samples/valdoria/ocds-fictional-record.json" | head -c 300 >"$T/gen/gz-cut-short-json/record.json.gz"
	printf 'exit 3\nstderr record.json.gz: cannot read: unexpected end of file (the compressed file is cut short)\n' \
		>"$T/gen/gz-cut-short-json/expect"
	# An endless stream as a CSV is refused at the named limit.
	mkdir -p "$T/gen/dev-zero"
	ln -s /dev/zero "$T/gen/dev-zero/payments.csv"
	printf 'exit 3\nstderr max_stream_bytes\n' >"$T/gen/dev-zero/expect"
}

check_case() {
	dir=$1 name=$(basename "$1") out="$T/out/$name"
	mkdir -p "$out"
	timeout 20 "$PROBITY" audit -o "$out" --format json,html,csv "$dir" >"$out/stdout" 2>"$out/stderr"
	rc=$?
	ok=1
	want=$(sed -n 's/^exit //p' "$dir/expect")
	if [ "$rc" -ge 124 ]; then bad "$name: timed out or crashed (status $rc)"; return; fi
	[ "$rc" = "$want" ] || { bad "$name: exit $rc, want $want: $(head -c 300 "$out/stderr")"; ok=0; }
	# An input error must say which file (or folder) it is about.
	if [ "$rc" = 3 ]; then
		named=0
		for f in "$dir" "$dir"/*; do
			[ "$(basename "$f")" = expect ] && continue
			grep -qF -- "$(basename "$f")" "$out/stderr" && named=1
		done
		[ $named -eq 1 ] || { bad "$name: stderr names no input: $(head -c 300 "$out/stderr")"; ok=0; }
	fi
	if [ -f "$out/findings.json" ]; then
		jq -e '[.inputs[] | select(.rows_read != .rows_imported + .rows_rejected)] | length == 0' \
			"$out/findings.json" >/dev/null || { bad "$name: counts do not reconcile"; ok=0; }
	fi
	while IFS= read -r line; do
		key=${line%% *} rest=${line#* }
		case $key in
		exit) ;;
		read|imported)
			got=$(jq ".totals.rows_$key" "$out/findings.json" 2>/dev/null)
			[ "$got" = "$rest" ] || { bad "$name: rows $key $got, want $rest"; ok=0; } ;;
		reject)
			listed rejections rejection "$out" "$rest" || ok=0 ;;
		unread)
			listed unread_values "unread value" "$out" "$rest" || ok=0 ;;
		unread-count)
			got=$(jq '.totals.values_unread' "$out/findings.json" 2>/dev/null)
			[ "$got" = "$rest" ] || { bad "$name: values unread $got, want $rest"; ok=0; } ;;
		stderr)
			grep -qF -- "$rest" "$out/stderr" || { bad "$name: stderr lacks '$rest'"; ok=0; } ;;
		stderr-absent)
			! grep -qF -- "$rest" "$out/stderr" || { bad "$name: stderr contains '$rest'"; ok=0; } ;;
		html-absent)
			! grep -qF -- "$rest" "$out/report.html" || { bad "$name: report.html contains '$rest'"; ok=0; } ;;
		html-present)
			grep -qF -- "$rest" "$out/report.html" || { bad "$name: report.html lacks '$rest'"; ok=0; } ;;
		csv-absent)
			! grep -qF -- "$rest" "$out/findings.csv" || { bad "$name: findings.csv contains '$rest'"; ok=0; } ;;
		csv-present)
			grep -qF -- "$rest" "$out/findings.csv" || { bad "$name: findings.csv lacks '$rest'"; ok=0; } ;;
		*) bad "$name: unknown expectation '$key'"; ok=0 ;;
		esac
	done <"$dir/expect"
	[ $ok -eq 1 ] && echo "ok   bad: $name"
}

gen
for dir in "$HERE"/cases/*/ "$T"/gen/*/; do
	check_case "${dir%/}"
done

# A terminal must not receive raw escape sequences from ledger text.
"$PROBITY" audit -o "$T/out/tty" --format text "$HERE/cases/control-chars" 2>&1 | grep -q "$(printf '\033')" &&
	bad "control-chars: escape byte reached the terminal" || echo "ok   bad: text summary defuses control characters"

# File names and ledger text reach the terminal escaped (check, errors).
mkdir -p "$T/esc"
cp "$HERE/cases/control-chars/parties.csv" "$T/esc/parties$(printf '\033]0;x\007\342\200\256').csv"
"$PROBITY" check "$T/esc" >"$T/esc.out" 2>&1
"$PROBITY" audit -o "$T/out/esc" "$T/esc/missing$(printf '\033[2J\302\233').csv" >>"$T/esc.out" 2>&1
if grep -q "$(printf '\033')\|$(printf '\342\200\256')\|$(printf '\302\233')" "$T/esc.out"; then
	bad "raw control, C1 or bidi bytes reached the terminal from check or an error"
elif ! grep -qF 'parties\x1b]0;x\x07\u202e.csv' "$T/esc.out" || ! grep -qF 'missing\x1b[2J\u009b.csv' "$T/esc.out"; then
	bad "escaped file names missing: $(head -c 400 "$T/esc.out")"
else
	echo "ok   bad: file names escaped in check and in errors"
fi

# -o '' is a usage error, not a read past a buffer.
"$PROBITY" audit -o "" --format json "$HERE/cases/bad-amounts" >/dev/null 2>"$T/o.err"; rc=$?
[ $rc -eq 2 ] && grep -q 'output directory' "$T/o.err" && echo "ok   bad: -o '' is a usage error" ||
	bad "-o '': exit $rc: $(head -c 200 "$T/o.err")"

# Concurrent audits into one folder: each set is one run's, whole.
mkdir -p "$T/conc-a" "$T/conc-b"
cp "$HERE/../../samples/valdoria/contracts.csv" "$HERE/../../samples/valdoria/tenders.csv" "$T/conc-a/"
cp "$HERE/../../samples/valdoria/payments.csv" "$T/conc-b/"
mixed=0
for i in 1 2 3 4 5 6 7 8; do
	"$PROBITY" audit -o "$T/conc" --format json,csv "$T/conc-a" >/dev/null 2>&1 &
	"$PROBITY" audit -o "$T/conc" --format json,csv "$T/conc-b" >/dev/null 2>&1 &
	wait
	j=$(jq -r '.findings[].id' "$T/conc/findings.json" | sort | tr '\n' ' ')
	c=$(tail -n +2 "$T/conc/findings.csv" | cut -d, -f1 | tr -d '"' | sort | tr '\n' ' ')
	[ "$j" = "$c" ] || mixed=$((mixed + 1))
done
gens=$(ls -a "$T/conc" | grep -c '^\.gen-')
[ $mixed -eq 0 ] && [ "$gens" -eq 1 ] && echo "ok   bad: concurrent audits never mix their reports" ||
	bad "concurrent audits: $mixed mixed sets, $gens generations"

# A run killed while writing leaves the previous set or the new one whole,
# never a mix, and no generation but the live one; a run killed with
# SIGKILL leaves its generation, which the next run removes.
awk 'BEGIN { print "tender_id,buyer_id,title,method,estimated_value,currency,published_on";
	for (i = 1; i <= 20000; i++) printf "T%d,B%d,Item %d,direct,900000.00,EUR,2024-01-10\n", i, i % 7, i }' \
	>"$T/kill-tenders.csv"
mkdir -p "$T/kill" "$T/kill-small"; head -100 "$T/kill-tenders.csv" >"$T/kill-small/tenders.csv"
mv "$T/kill-tenders.csv" "$T/kill/tenders.csv"
"$PROBITY" audit -o "$T/kill-new" --format json,csv "$T/kill" >/dev/null 2>&1
whole_set() { # DIR: findings.json and findings.csv both previous or both new
	for v in "$T/kill-small-out" "$T/kill-new"; do
		cmp -s "$1/findings.json" "$v/findings.json" && cmp -s "$1/findings.csv" "$v/findings.csv" && return 0
	done
	return 1
}
"$PROBITY" audit -o "$T/kill-small-out" --format json,csv "$T/kill-small" >/dev/null 2>&1
before=$fails
for sig in TERM INT HUP KILL; do
	rm -rf "$T/killed"; cp -a "$T/kill-small-out" "$T/killed"
	"$PROBITY" audit -o "$T/killed" --format json,csv "$T/kill" >/dev/null 2>&1 &
	pid=$!
	while [ "$(ls -a "$T/killed" | grep -c '^\.gen-')" -lt 2 ] && kill -0 $pid 2>/dev/null; do :; done
	kill -$sig $pid 2>/dev/null; { wait $pid; } 2>/dev/null
	whole_set "$T/killed" || bad "SIG$sig: the reports are neither the previous set nor the new one"
	[ $sig = KILL ] && "$PROBITY" audit -o "$T/killed" --format json "$T/kill-small" >/dev/null 2>&1
	[ "$(ls -a "$T/killed" | grep -c '^\.gen-')" -eq 1 ] || bad "SIG$sig: a generation left behind"
done
[ $fails -eq $before ] && echo "ok   bad: killed runs leave one whole set; leftovers swept"

# Folder trees: read recursively, in name order; hidden folders left out;
# a symbolic link back up (a loop) or to a folder read before, and nesting
# deeper than 32 levels, are errors naming the folder (exit 3), or with
# --keep-going listed as failed while the rest is audited.
V=$HERE/../../samples/valdoria
mkdir -p "$T/tree/2024/q1" "$T/tree/2024/q2" "$T/tree/.cache" "$T/tree/docs"
cp "$V/contracts.csv" "$V/tenders.csv" "$T/tree/2024/q1/"
cp "$V/payments.csv" "$T/tree/2024/q2/"
cp "$V/parties.csv" "$T/tree/"
printf 'not,a,ledger\n' >"$T/tree/.cache/junk.csv"
echo "notes" >"$T/tree/docs/README"
"$PROBITY" audit --fail-on none -f json -o - "$T/tree" >"$T/tree.json" 2>"$T/tree.err"
[ $? -eq 0 ] && [ "$(jq -r '[.inputs[].path | sub(".*/tree/"; "")] | join(" ")' "$T/tree.json")" = \
	"2024/q1/contracts.csv 2024/q1/tenders.csv 2024/q2/payments.csv parties.csv" ] &&
	ok "a folder tree is read recursively, in name order, hidden folders left out" ||
	bad "folder tree: $(head -c 300 "$T/tree.err") $(jq -c '[.inputs[].path]' "$T/tree.json" 2>/dev/null)"
ln -s .. "$T/tree/2024/q2/up"
"$PROBITY" audit --fail-on none -f json -o "$T/loop-out" "$T/tree" >/dev/null 2>"$T/loop.err"
[ $? -eq 3 ] && grep -q 'q2/up: the same folder as .*tree/2024, already read' "$T/loop.err" && [ ! -e "$T/loop-out/findings.json" ] &&
	ok "a symbolic link loop is an error naming it" || bad "symlink loop: $(head -c 300 "$T/loop.err")"
"$PROBITY" audit --keep-going --fail-on none -f json -o "$T/loop-out" "$T/tree" >/dev/null 2>"$T/loop.err"
[ $? -eq 3 ] && jq -e '(.failed_inputs | length) == 1 and (.failed_inputs[0].path | endswith("q2/up")) and (.inputs | length) == 4' \
	"$T/loop-out/findings.json" >/dev/null &&
	ok "--keep-going: a symbolic link loop is listed as failed, the rest audited" ||
	bad "symlink loop with --keep-going: $(head -c 300 "$T/loop.err")"
rm "$T/tree/2024/q2/up"
ln -s ../2024/q1 "$T/tree/docs/again"
"$PROBITY" audit --fail-on none -f json -o "$T/again-out" "$T/tree" >/dev/null 2>"$T/again.err"
[ $? -eq 3 ] && grep -q 'docs/again: the same folder as .*2024/q1, already read' "$T/again.err" &&
	ok "a folder reached twice through a symbolic link is not read twice" || bad "folder twice: $(head -c 300 "$T/again.err")"
rm "$T/tree/docs/again"
deep=$T/deep
for i in $(seq 1 33); do deep=$deep/d$i; done
mkdir -p "$deep" && cp "$V/tenders.csv" "$deep/"
cp "$V/contracts.csv" "$T/deep/"
"$PROBITY" audit --fail-on none -f json -o "$T/deep-out" "$T/deep" >/dev/null 2>"$T/deep.err"
[ $? -eq 3 ] && grep -q 'nested deeper than 32 levels' "$T/deep.err" &&
	ok "folders nested deeper than 32 levels are an error" || bad "deep tree: $(head -c 300 "$T/deep.err")"
mkdir -p "$T/empty-tree/a/b"; echo x >"$T/empty-tree/a/b/README"
"$PROBITY" audit -o "$T/empty-out" "$T/empty-tree" >/dev/null 2>"$T/empty.err"
[ $? -eq 3 ] && grep -q 'no ledger files in it or its subfolders' "$T/empty.err" &&
	ok "a tree without ledger files is an error" || bad "empty tree: $(head -c 300 "$T/empty.err")"

if [ $fails -ne 0 ]; then
	echo "bad: $fails failure(s)"
	exit 1
fi
echo "bad: all hostile inputs handled"
