/* usage.c - `probity --help`; docs/probity.1 says the same (tests/e2e/manpage.sh). */
#include <stdio.h>

#include "cli.h"

static const char usage_text[] =
	"usage: probity <command> [options]\n"
	"\n"
	"Procurement integrity audit: reads ledgers exported by ministries and reports\n"
	"red flags (single-source awards, split purchases, backdating, overpayment,\n"
	"duplicate payments, budget overspend...) with evidence that leads back to the\n"
	"source rows.\n"
	"\n"
	"commands:\n"
	"  audit [options] PATH...   import ledgers (files or directories) and run the rules\n"
	"  check [options] PATH...   import only: row counts, rejections, field fill rates,\n"
	"                            which rules can judge (or which fields they lack)\n"
	"  rules [--format json]     list the rule catalogue with parameters and defaults\n"
	"  cardinal [--settings FILE.ini] [--no-meta] FILE.jsonl\n"
	"                            OCP Cardinal's indicators (R003..R058) over OCDS\n"
	"                            compiled releases, in Cardinal's JSON shape\n"
	"  history [list|diff [RUN] [RUN]|show [RUN]|log|verify] --history FILE [-f json]\n"
	"                            runs recorded in a history, what changed between two\n"
	"                            runs, what one run read (inputs and their SHA-256),\n"
	"                            the decision log, and its hash-chain check\n"
	"  triage ID... --status STATUS --note TEXT [--by NAME] --history FILE\n"
	"  triage --import decisions.json --by NAME --history FILE\n"
	"                            record reviewer decisions (open, confirmed,\n"
	"                            false-positive, accepted-risk, referred); docs/history.md\n"
	"  init [FILE]               write a commented default config (default probity.ini;\n"
	"                            '-' for standard output; never overwrites)\n"
	"  init --profile FILE.csv   print a draft mapping profile guessed from the file's\n"
	"                            header, commented, for you to check\n"
	"  help, --help              this text\n"
	"  version, --version        the version\n"
	"\n";

/* In two parts: pedantic C caps one string literal at 4095 bytes. */
static const char usage_options[] =
	"audit and check options:\n"
	"  -c, --config FILE         INI configuration (see `probity init`)\n"
	"  -t, --table NAME=FILE     import FILE as canonical table NAME (repeatable)\n"
	"  -p, --profile NAME|FILE   map CSV exports with a profile: a shipped one by\n"
	"                            name (uk-spend-over-500, cz-mfcr-paid-invoices,\n"
	"                            mx-compranet-contracts, uk-oxford-spend-over-500;\n"
	"                            searched in $PROBITY_PROFILES and config/profiles)\n"
	"                            or an INI file of [profile] sections (repeatable;\n"
	"                            docs/config.md)\n"
	"      --as-of DATE          reference date (default: config, else the latest\n"
	"                            event date in the data)\n"
	"  -f, --format LIST         comma-separated: html,json,csv,text (default all);\n"
	"                            csv writes findings.csv and entities.csv; text\n"
	"                            goes to standard output\n"
	"  -o, --output DIR          where report.html, findings.json and the CSV files\n"
	"                            are written (default out); the set is replaced as\n"
	"                            a whole; '-o -' writes one report (-f json or\n"
	"                            -f html) to standard output\n"
	"      --fail-on SEVERITY    low, medium, high (default), critical or none;\n"
	"                            findings decided false-positive or accepted-risk\n"
	"                            do not count\n"
	"      --history FILE        remember this run in FILE (SQLite): states new,\n"
	"                            unchanged, updated, absent against the last run,\n"
	"                            reviewer decisions (docs/history.md)\n"
	"      --history-wait SECS   wait up to SECS for another run holding the history\n"
	"                            (default 0: stop at once with exit status 5)\n"
	"  -q, --quiet               nothing on standard output; errors and the one-line\n"
	"                            summary on standard error (docs/scheduling.md)\n"
	"\n"
	"Tables: parties tenders bids contracts amendments payments budget offsets\n"
	"relationships; a file's table comes from --table, a profile, its\n"
	"name (payments_2024.csv) or its header.  Published OCDS JSON (.json, .jsonl)\n"
	"and EU eForms/TED XML notices (.xml) are read as they are.\n"
	"\n"
	"exit status:\n"
	"  0  no finding at or above --fail-on     1  findings at or above --fail-on\n"
	"  2  usage or configuration error         3  input or I/O error\n"
	"  4  internal error                       5  another run holds the --history\n";

void cli_usage(FILE *out)
{
	fputs(usage_text, out);
	fputs(usage_options, out);
}
