/*
 * test_reports.c - every reporter over one small audit built by hand, so
 * these tests depend on the reporters' contract, not on what the rules
 * happen to find: a ledger with one input (two rows imported, one
 * rejected), three findings with hostile text, and three coverage lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <csv.h>
#include <jansson.h>

#include "../../engine/config.h"
#include "../../engine/entities.h"
#include "../../engine/history.h"
#include "../../reports/reports.h"
#include "../../engine/catalog.h"
#include "../../rules/rules.h"

#define XSS1 "<script>alert(1)</script>"
#define XSS2 "\"><img src=x onerror=alert(1)>"

static pb_ledger *L;
static pb_config CFG;
static pb_audit A;
static pb_finding F[3];
static pb_finding *FP[3];
static pb_evidence EV[3][2];
static pb_detail DT[3][2];
static pb_coverage COV[3];

static const char *S(pb_ledger *l, const char *s)
{
	return pb_ledger_intern(l, s, strlen(s));
}

static void add_contract(pb_ledger *l, size_t in, const char *id, uint32_t line)
{
	pb_contract c;

	pb_record_blank(PB_T_CONTRACTS, &c);
	pb_row_set(l, &c.row, S(l, "ledger/contracts.csv"), line, NULL);
	c.contract_id = pb_text_of(S(l, id));
	c.value = 1200000;
	c.currency = pb_text_of(S(l, "EUR"));
	assert_int_equal(pb_ledger_add(l, in, PB_T_CONTRACTS, &c), 0);
}

static void finding(int i, const char *rule, pb_severity sev, double score,
		    const char *subject, const char *message)
{
	pb_finding *f = &F[i];

	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%016llx", 0xabc0ULL + (unsigned long long)i);
	f->rule = pb_rule_find(rule);
	assert_non_null(f->rule);
	f->severity = sev;
	f->score = score;
	f->subject_table = "contracts";
	f->subject_id = subject;
	f->message = message;
	f->evidence = EV[i];
	f->details = DT[i];
	FP[i] = f;
}

static void evidence(int i, size_t k, const char *id, const char *source, const char *role)
{
	EV[i][k] = (pb_evidence){.table = "contracts", .id = id, .source = source, .role = role};
	F[i].nevidence = k + 1;
}

static void detail(int i, size_t k, const char *key, const char *value)
{
	DT[i][k] = (pb_detail){.key = key, .value = value};
	F[i].ndetails = k + 1;
}

static int setup(void **state)
{
	(void)state;
	L = pb_ledger_new("EUR");
	size_t in = pb_ledger_add_input(L, "ledger/contracts.csv", "contracts", "csv");
	add_contract(L, in, "C-17", 2);
	add_contract(L, in, XSS1, 3);
	pb_ledger_reject(L, in, 4, "amount '1e3' is not a number");
	/* a value kept as unknown, hostile to a terminal and to HTML */
	pb_ledger_unread(L, in, 3, "/contracts/0/dateSigned", "2024-02-30\033[2J<b>x</b>", "does not exist");
	pb_ledger_seal(L);
	pb_config_init(&CFG);

	/* In the order the engine would hand them over: by rule. */
	finding(0, "competition.single-source", PB_SEV_HIGH, 0.75, "C-17",
		"contract \"C-17\", awarded\nwithout competition: 12000.00 EUR");
	evidence(0, 0, "C-17", "ledger/contracts.csv:2", "contract");
	evidence(0, 1, "T-9", "ledger/tenders.csv:7", "tender");
	detail(0, 0, "value", "12000.00 EUR");
	detail(0, 1, "method", "direct");
	F[0].supplier_id = "SUP-1";
	finding(1, "conflicts.shared-bank-account", PB_SEV_CRITICAL, 1.0,
		"=cmd|' /C calc'!A0", "-5 days before " XSS1);
	evidence(1, 0, "@SUM(A1)", "ledger/contracts.csv:3", "contract");
	detail(1, 0, "account", XSS2);
	finding(2, "timing.weekend-award", PB_SEV_LOW, 0.3333333, XSS1 XSS2,
		"awarded on a Sunday \033[2J\x7f\xc2\x9b" "31m" XSS2);
	evidence(2, 0, XSS1, "ledger/contracts.csv:3", "contract");

	COV[0] = (pb_coverage){pb_rule_find("competition.single-source"), PB_COV_RAN, NULL, 1};
	COV[1] = (pb_coverage){pb_rule_find("payments.duplicate"), PB_COV_NOT_RUN,
			       "needs payments", 0};
	COV[2] = (pb_coverage){pb_rule_find("payments.benford"), PB_COV_DISABLED, NULL, 0};

	A = (pb_audit){.config = &CFG, .ledger = L, .as_of = pb_date_from_ymd(2024, 6, 30),
		       .findings = FP, .nfindings = 3, .coverage = COV, .ncoverage = 3};
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pb_ledger_free(L);
	pb_config_release(&CFG);
	return 0;
}

static char *render_audit(const pb_audit *a, const char *format)
{
	char *buf = NULL;
	size_t len = 0;
	pb_error err;
	FILE *f = open_memstream(&buf, &len);
	const pb_reporter *r = pb_reporter_find(format);

	assert_non_null(r);
	assert_int_equal(r->write(a, f, &err), 0);
	fclose(f);
	assert_int_equal(strlen(buf), len); /* no NUL inside */
	return buf;
}

static char *render(const char *format)
{
	return render_audit(&A, format);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* --- registry --- */

static void test_registry(void **state)
{
	static const char *const wanted[] = {"json", "csv", "html", "text", "entities"};
	(void)state;

	assert_string_equal(pb_report_tool(), "probity " PB_VERSION);
	for (size_t i = 0; i < pb_nreporters; i++) {
		const pb_reporter *r = pb_reporters[i];
		assert_non_null(r->name);
		assert_non_null(r->help);
		assert_non_null(r->write);
		/* Only text goes to standard output; every other writes a file. */
		if (strcmp(r->name, "text"))
			assert_non_null(r->filename);
		else
			assert_null(r->filename);
		assert_ptr_equal(pb_reporter_find(r->name), r);
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(r->name, pb_reporters[j]->name);
			if (r->filename && pb_reporters[j]->filename)
				assert_string_not_equal(r->filename, pb_reporters[j]->filename);
		}
	}
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		assert_non_null(pb_reporter_find(wanted[i]));
	assert_null(pb_reporter_find("pdf"));
	assert_null(pb_reporter_find("JSON"));
	assert_null(pb_reporter_find(""));
}

/* --- JSON --- */

static json_t *parse(const char *s)
{
	json_error_t jerr;
	json_t *root = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);

	if (!root)
		fail_msg("findings.json does not parse: %s at line %d", jerr.text, jerr.line);
	return root;
}

static json_int_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

/* Money never travels as a JSON real: the only reals are scores. */
static void assert_reals_are_scores(json_t *j, const char *key)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_real(j))
		assert_string_equal(key, "score");
	if (json_is_object(j))
		json_object_foreach (j, k, v)
			assert_reals_are_scores(v, k);
	if (json_is_array(j))
		json_array_foreach (j, i, v)
			assert_reals_are_scores(v, key);
}

static void test_json_deterministic(void **state)
{
	char *a = render("json"), *b = render("json");
	(void)state;

	assert_string_equal(a, b);
	assert_true(strlen(a) > 2 && a[strlen(a) - 2] == '}' && a[strlen(a) - 1] == '\n');
	assert_non_null(strstr(a, "\n  \"tool\": ")); /* JSON_INDENT(2) */
	free(a);
	free(b);
}

static void test_json_top_level(void **state)
{
	static const char *const order[] = {
		"tool", "as_of", "base_currency", "inputs", "totals", "rejections",
		"unread_values", "coverage", "summary", "entities", "possible_links", "findings"};
	char *s = render("json");
	json_t *root = parse(s), *v;
	const char *k;
	size_t i = 0;
	(void)state;

	json_object_foreach (root, k, v) {
		assert_true(i < sizeof(order) / sizeof(order[0]));
		assert_string_equal(k, order[i++]);
	}
	assert_int_equal(i, sizeof(order) / sizeof(order[0]));
	assert_string_equal(jstr(root, "tool"), pb_report_tool());
	assert_string_equal(jstr(root, "as_of"), "2024-06-30");
	assert_string_equal(jstr(root, "base_currency"), "EUR");
	assert_int_equal(json_array_size(json_object_get(root, "entities")), 0);
	assert_int_equal(json_array_size(json_object_get(root, "possible_links")), 0);
	assert_reals_are_scores(root, "");
	json_decref(root);
	free(s);
}

static void test_json_reconciliation(void **state)
{
	char *s = render("json");
	json_t *root = parse(s);
	(void)state;

	json_t *in = json_array_get(json_object_get(root, "inputs"), 0);
	assert_string_equal(jstr(in, "path"), "ledger/contracts.csv");
	assert_string_equal(jstr(in, "table"), "contracts");
	assert_string_equal(jstr(in, "format"), "csv");
	assert_int_equal(jint(in, "rows_read"), 3);
	assert_int_equal(jint(in, "rows_imported"), 2);
	assert_int_equal(jint(in, "rows_rejected"), 1);
	json_t *t = json_object_get(root, "totals");
	assert_int_equal(jint(t, "rows_read"), jint(t, "rows_imported") + jint(t, "rows_rejected"));
	assert_int_equal(jint(t, "rows_read"), 3);
	json_t *rej = json_object_get(root, "rejections");
	assert_int_equal(json_array_size(rej), 1);
	assert_string_equal(jstr(json_array_get(rej, 0), "path"), "ledger/contracts.csv");
	assert_int_equal(jint(json_array_get(rej, 0), "line"), 4);
	assert_string_equal(jstr(json_array_get(rej, 0), "reason"), "amount '1e3' is not a number");
	json_decref(root);
	free(s);
}

/* A value kept as unknown is no row: the counts reconcile as before, and
 * every report says what was not read, where, and why. */
static void test_unread_values(void **state)
{
	static const char reason[] =
		"/contracts/0/dateSigned: '2024-02-30\\x1b[2J<b>x</b>' does not exist; kept as unknown";
	char *s = render("json");
	json_t *root = parse(s);
	(void)state;

	json_t *in = json_array_get(json_object_get(root, "inputs"), 0);
	assert_int_equal(jint(in, "rows_read"), 3);
	assert_int_equal(jint(in, "values_unread"), 1);
	assert_int_equal(jint(json_object_get(root, "totals"), "values_unread"), 1);
	json_t *u = json_object_get(root, "unread_values");
	assert_int_equal(json_array_size(u), 1);
	assert_string_equal(jstr(json_array_get(u, 0), "path"), "ledger/contracts.csv");
	assert_int_equal(jint(json_array_get(u, 0), "line"), 3);
	assert_string_equal(jstr(json_array_get(u, 0), "reason"), reason);
	json_decref(root);
	free(s);

	s = render("text");
	assert_non_null(strstr(s, "ledger/contracts.csv [contracts] 3 = 2 + 1; 1 values unread"));
	assert_non_null(strstr(s, "1 values of imported rows could not be read and are unknown"));
	assert_null(strchr(s, '\033'));
	free(s);

	s = render("html");
	assert_non_null(strstr(s, "Values not read"));
	/* the summary by kind: the value and the index blanked */
	assert_non_null(strstr(s, "value not read"));
	assert_non_null(strstr(s, "/contracts/&hellip;/dateSigned: '&hellip;' does not exist"));
	assert_non_null(strstr(s, "ledger/contracts.csv:3"));
	assert_non_null(strstr(s, "&lt;b&gt;x&lt;/b&gt;"));
	assert_null(strstr(s, "<b>x"));
	free(s);
}

static void test_json_coverage_summary(void **state)
{
	char *s = render("json");
	json_t *root = parse(s), *v;
	const char *k;
	(void)state;

	json_t *cov = json_object_get(root, "coverage");
	assert_int_equal(json_array_size(cov), 3);
	assert_string_equal(jstr(json_array_get(cov, 0), "status"), "ran");
	assert_true(json_is_null(json_object_get(json_array_get(cov, 0), "reason")));
	assert_int_equal(jint(json_array_get(cov, 0), "findings"), 1);
	assert_string_equal(jstr(json_array_get(cov, 1), "rule"), "payments.duplicate");
	assert_string_equal(jstr(json_array_get(cov, 1), "status"), "not run");
	assert_string_equal(jstr(json_array_get(cov, 1), "reason"), "needs payments");
	assert_string_equal(jstr(json_array_get(cov, 2), "status"), "disabled");

	json_t *sum = json_object_get(root, "summary");
	assert_int_equal(jint(sum, "findings"), 3);
	json_t *sev = json_object_get(sum, "by_severity");
	assert_int_equal(json_object_size(sev), 4);
	assert_int_equal(jint(sev, "critical"), 1);
	assert_int_equal(jint(sev, "high"), 1);
	assert_int_equal(jint(sev, "medium"), 0);
	assert_int_equal(jint(sev, "low"), 1);
	/* Families in registry order of first appearance, zeros included. */
	json_t *fam = json_object_get(sum, "by_family");
	size_t r = 0;
	json_int_t total = 0;
	json_object_foreach (fam, k, v) {
		while (r < pb_nrules && strcmp(pb_rules[r]->family, k))
			r++;
		assert_true(r < pb_nrules); /* found, and after the previous one */
		total += json_integer_value(v);
	}
	assert_int_equal(total, 3);
	assert_int_equal(jint(fam, "competition"), 1);
	assert_int_equal(jint(fam, "conflicts"), 1);
	assert_int_equal(jint(fam, "timing"), 1);
	assert_int_equal(jint(fam, "payments"), 0);
	json_decref(root);
	free(s);
}

static void test_json_findings(void **state)
{
	char *s = render("json");
	json_t *root = parse(s);
	(void)state;

	json_t *fs = json_object_get(root, "findings");
	assert_int_equal(json_array_size(fs), 3);
	for (size_t i = 0; i < 3; i++) /* the given order, not re-sorted */
		assert_string_equal(jstr(json_array_get(fs, i), "id"), F[i].id);
	json_t *f = json_array_get(fs, 0);
	assert_string_equal(jstr(f, "rule"), "competition.single-source");
	assert_string_equal(jstr(f, "family"), "competition");
	assert_string_equal(jstr(f, "severity"), "high");
	assert_true(json_is_real(json_object_get(f, "score")));
	assert_true(json_real_value(json_object_get(f, "score")) == 0.75);
	assert_string_equal(jstr(json_object_get(f, "subject"), "table"), "contracts");
	assert_string_equal(jstr(json_object_get(f, "subject"), "id"), "C-17");
	assert_string_equal(jstr(f, "message"), F[0].message);
	assert_true(json_is_null(json_object_get(f, "buyer")));
	assert_string_equal(jstr(f, "supplier"), "SUP-1");
	json_t *ev = json_object_get(f, "evidence");
	assert_int_equal(json_array_size(ev), 2);
	assert_string_equal(jstr(json_array_get(ev, 1), "id"), "T-9");
	assert_string_equal(jstr(json_array_get(ev, 1), "source"), "ledger/tenders.csv:7");
	assert_string_equal(jstr(json_array_get(ev, 1), "role"), "tender");
	assert_null(json_object_get(json_array_get(ev, 0), "extra")); /* only when any */
	json_t *d = json_object_get(f, "details");
	assert_string_equal(jstr(d, "value"), "12000.00 EUR");
	assert_string_equal(jstr(d, "method"), "direct");
	assert_null(json_object_get(f, "path")); /* only for chains */
	assert_string_equal(jstr(json_array_get(fs, 1), "severity"), "critical");
	assert_string_equal(jstr(json_array_get(fs, 2), "severity"), "low");
	/* Hostile text is data: it comes back exactly. */
	assert_string_equal(jstr(json_object_get(json_array_get(fs, 2), "subject"), "id"),
			    XSS1 XSS2);
	/* Four decimals at most. */
	assert_non_null(strstr(s, "\"score\": 0.3333,"));
	json_decref(root);
	free(s);
}

static void test_json_odd_values(void **state)
{
	pb_finding f = F[0];
	pb_finding *one[] = {&f};
	pb_audit a = A;
	(void)state;

	f.message = "bad \xff byte";  /* not UTF-8: must not drop the key */
	f.subject_id = NULL;          /* unknown: still a string */
	f.score = 2.0;                /* out of contract: clamped */
	a.findings = one;
	a.nfindings = 1;
	a.as_of = PB_DATE_NONE;
	char *s = render_audit(&a, "json");
	json_t *root = parse(s);
	json_t *j = json_array_get(json_object_get(root, "findings"), 0);
	assert_string_equal(jstr(j, "message"), "(invalid UTF-8)");
	assert_string_equal(jstr(json_object_get(j, "subject"), "id"), "");
	assert_true(json_real_value(json_object_get(j, "score")) == 1.0);
	assert_true(json_is_null(json_object_get(root, "as_of")));
	json_decref(root);
	free(s);
}

/*
 * The long arrays are written as they are walked, not dumped from a
 * jansson tree (reports/json.c): the text must still be exactly what
 * jansson gives the whole document, and a detail key given twice must
 * come out once, where it first stood, with the value given last.
 */
static void test_json_layout_as_jansson(void **state)
{
	pb_finding f = F[0];
	pb_finding *two[] = {&f, FP[2]};
	pb_evidence ev[2] = {EV[0][0], EV[0][1]};
	pb_attr extra[] = {{"n\u00e9 \"q\"", "caf\u00e9\ttab"}, {"plain", ""}};
	pb_detail dt[] = {{"value", "1"}, {"line\nbreak", "x"}, {"value", "2"}, {"k", "\\"}};
	pb_path_step path[] = {{"OFF-1", "spouse", "P-2", "people.csv:3"},
			       {"P-2", "director", "SUP-\"9\"", "rel.csv:4"}};
	pb_entity_score ent[] = {
		{.id = "SUP-1", .name = "Acme \u00c5B", .role = "supplier", .nfindings = 2,
		 .weight = 7, .napplicable = 12, .nfired = 2, .score = 0.123456, .rank = 1},
		{.id = "MOD-0", .name = NULL, .role = "buyer", .score = 0, .rank = 2},
		/* the score before's text is kept (js_score): again, then another */
		{.id = "MOD-1", .name = "B", .role = "buyer", .score = 0, .rank = 3},
		{.id = "SUP-2", .name = "C", .role = "supplier", .score = 0.5, .rank = 4},
	};
	pb_audit a = A;
	json_error_t jerr;
	(void)state;

	ev[1].status = "active";
	ev[1].extra = extra;
	ev[1].nextra = 2;
	f.evidence = ev;
	f.details = dt;
	f.ndetails = 4;
	f.path = path;
	f.npath = 2;
	a.findings = two;
	a.nfindings = 2;
	a.entities = ent;
	a.nentities = 4;
	char *s = render_audit(&a, "json");
	json_t *root = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		fail_msg("findings.json does not parse: %s at line %d", jerr.text, jerr.line);
	char *again = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(4));
	size_t n = strlen(again);
	assert_int_equal(strlen(s), n + 1);
	assert_memory_equal(s, again, n);
	assert_string_equal(s + n, "\n");

	json_t *d = json_object_get(json_array_get(json_object_get(root, "findings"), 0), "details");
	assert_int_equal(json_object_size(d), 3);
	assert_string_equal(json_object_iter_key(json_object_iter(d)), "value");
	assert_string_equal(jstr(d, "value"), "2");
	assert_string_equal(jstr(d, "line\nbreak"), "x");
	assert_string_equal(jstr(d, "k"), "\\");
	json_t *e = json_array_get(json_object_get(json_array_get(json_object_get(root, "findings"), 0),
						 "evidence"), 1);
	assert_string_equal(jstr(json_object_get(e, "extra"), "n\u00e9 \"q\""), "caf\u00e9\ttab");
	assert_string_equal(jstr(e, "status"), "active");
	json_t *es = json_object_get(root, "entities");
	assert_int_equal(json_array_size(es), 4);
	assert_true(json_is_null(json_object_get(json_array_get(es, 1), "name")));
	assert_true(json_real_value(json_object_get(json_array_get(es, 2), "score")) == 0.0);
	assert_true(json_real_value(json_object_get(json_array_get(es, 3), "score")) == 0.5);
	assert_int_equal(jint(json_array_get(es, 0), "rules_applicable"), 12);
	json_decref(root);
	free(again);
	free(s);
}

/* --- CSV --- */

struct csv_read {
	char *cells[16][16];
	size_t row, col, ncols[16];
};

static void on_field(void *s, size_t n, void *data)
{
	struct csv_read *r = data;

	if (r->row < 16 && r->col < 16)
		r->cells[r->row][r->col] = pb_xstrndup(s, n);
	r->col++;
}

static void on_row(int c, void *data)
{
	struct csv_read *r = data;
	(void)c;

	if (r->row < 16)
		r->ncols[r->row] = r->col;
	r->row++;
	r->col = 0;
}

/* Parses CSV text back with libcsv (strict), as a spreadsheet would. */
static void read_csv(const char *s, struct csv_read *r)
{
	struct csv_parser p;

	memset(r, 0, sizeof(*r));
	assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
	assert_int_equal(csv_parse(&p, s, strlen(s), on_field, on_row, r), strlen(s));
	assert_int_equal(csv_fini(&p, on_field, on_row, r), 0);
	csv_free(&p);
}

static void free_csv(struct csv_read *r)
{
	for (size_t i = 0; i < 16; i++)
		for (size_t j = 0; j < 16; j++)
			free(r->cells[i][j]);
}

static void test_csv_layout(void **state)
{
	char *s = render("csv");
	struct csv_read r;
	(void)state;

	assert_memory_equal(s, "\"id\",\"rule\",\"family\",\"severity\",\"score\","
			    "\"subject_table\",\"subject_id\",\"message\",\"evidence\","
			    "\"buyer\",\"supplier\"\r\n", 102);
	/* Every record ends in CRLF; the only bare LF is inside a quoted message. */
	assert_int_equal(count(s, "\r\n"), 4);
	assert_int_equal(count(s, "\n"), 5);
	assert_memory_equal(s + strlen(s) - 2, "\r\n", 2);
	read_csv(s, &r);
	assert_int_equal(r.row, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(r.ncols[i], 11);
	assert_string_equal(r.cells[1][0], F[0].id);
	assert_string_equal(r.cells[1][1], "competition.single-source");
	assert_string_equal(r.cells[1][3], "high");
	assert_string_equal(r.cells[1][4], "0.7500");
	assert_string_equal(r.cells[3][4], "0.3333");
	assert_string_equal(r.cells[1][6], "C-17");
	/* Comma, quotes and newline survive quoting exactly. */
	assert_string_equal(r.cells[1][7], F[0].message);
	assert_non_null(strstr(s, "\"contract \"\"C-17\"\", awarded\nwithout"));
	assert_string_equal(r.cells[1][8], "contracts:C-17@ledger/contracts.csv:2; "
					   "contracts:T-9@ledger/tenders.csv:7");
	assert_string_equal(r.cells[1][9], "");
	assert_string_equal(r.cells[1][10], "SUP-1");
	free_csv(&r);
	free(s);
}

static void test_csv_formula_defused(void **state)
{
	char *s = render("csv");
	struct csv_read r;
	(void)state;

	read_csv(s, &r);
	assert_string_equal(r.cells[2][6], "'=cmd|' /C calc'!A0");
	assert_string_equal(r.cells[2][7], "'-5 days before " XSS1);
	/* Near miss: '@' inside a cell, not first, is left alone. */
	assert_string_equal(r.cells[2][8], "contracts:@SUM(A1)@ledger/contracts.csv:3");
	assert_string_equal(r.cells[1][6], "C-17");
	free_csv(&r);
	free(s);
}

static void test_csv_formula_table(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"=1+1", "'=1+1"},   {"+1", "'+1"},       {"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"}, {"\tx", "'\tx"}, {"\rx", "'\rx"},
		{"a=1", "a=1"},     {" =1", " =1"},      {"1-2", "1-2"},
		{"", ""},           {"'=x", "'=x"},
	};
	pb_finding f = F[0];
	pb_finding *one[] = {&f};
	pb_audit a = A;
	(void)state;

	a.findings = one;
	a.nfindings = 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct csv_read r;
		f.subject_id = cases[i].in;
		f.message = cases[i].in;
		char *s = render_audit(&a, "csv");
		read_csv(s, &r);
		assert_int_equal(r.row, 2);
		assert_string_equal(r.cells[1][6], cases[i].out);
		assert_string_equal(r.cells[1][7], cases[i].out);
		free_csv(&r);
		free(s);
	}
}

/* --- HTML --- */

static void test_html_structure(void **state)
{
	char *s = render("html");
	char want[128];
	(void)state;

	assert_memory_equal(s, "<!DOCTYPE html>", 15);
	assert_non_null(strstr(s, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(s, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
				  "'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
				  "img-src data:\">"));
	for (size_t i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "data-finding-id=\"%.16s\"", F[i].id);
		assert_int_equal(count(s, want), 1);
	}
	assert_non_null(strstr(s, "<tr class=\"finding sev-high\" data-finding-id=\""));
	assert_non_null(strstr(s, "data-severity=\"critical\" data-family=\"conflicts\" "
				  "data-rule=\"conflicts.shared-bank-account\""));
	assert_int_equal(count(s, "class=\"ev\""), 3); /* one evidence row each */
	assert_non_null(strstr(s, "ledger/tenders.csv:7"));
	assert_non_null(strstr(s, "id=\"f-severity\""));
	assert_non_null(strstr(s, "id=\"f-family\""));
	assert_non_null(strstr(s, "id=\"f-text\""));
	assert_non_null(strstr(s, "data-sort=\"severity\""));
	assert_non_null(strstr(s, "<td class=\"warn\">not run</td>"));
	assert_non_null(strstr(s, "needs payments"));
	assert_non_null(strstr(s, "amount '1e3' is not a number"));
	assert_non_null(strstr(s, "ledger/contracts.csv:4"));
	assert_null(strstr(s, "more rejected rows")); /* only past 500 */
	assert_non_null(strstr(s, "class=\"num warn\">1<")); /* rejected > 0 */
	/* No network: nothing fetched, nothing linked. */
	assert_null(strstr(s, "http://"));
	assert_null(strstr(s, "https://"));
	assert_null(strstr(s, "<link"));
	assert_null(strstr(s, "src=\""));
	assert_int_equal(count(s, "<script"), 1); /* ours, inline */
	assert_non_null(strstr(s, "</html>"));
	/* No history: no states, decisions or export (the page as before). */
	assert_null(strstr(s, "data-state"));
	assert_null(strstr(s, "data-decision"));
	assert_null(strstr(s, "since-last-run"));
	assert_null(strstr(s, "f-state"));
	assert_null(strstr(s, "probityDecisionsJSON"));
	assert_non_null(strstr(s, "<td colspan=\"5\">"));
	free(s);
}

static void test_html_hostile(void **state)
{
	pb_finding f = F[0], g = F[0];
	pb_finding *all[] = {FP[0], FP[1], FP[2], &f, &g};
	pb_audit a = A;
	(void)state;

	f.message = "javascript:alert(1) & " XSS2;
	f.subject_id = "R&amp;D";
	g.subject_id = "a'b" XSS2;           /* both quotes in an attribute */
	g.message = "bad \xff byte " XSS1;  /* not UTF-8 */
	a.findings = all;
	a.nfindings = 5;
	char *s = render_audit(&a, "html");
	assert_null(strstr(s, "<script>alert(1)"));
	assert_null(strstr(s, "<img"));
	assert_null(strstr(s, "\"><img"));
	assert_non_null(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	/* In text and in attributes (data-subject) alike. */
	assert_non_null(strstr(s, "<td>contracts/&lt;script&gt;"));
	assert_non_null(strstr(s, "data-subject='&lt;script&gt;alert(1)&lt;/script&gt;\"&gt;&lt;img"
				  " src=x onerror=alert(1)&gt;' "));
	assert_non_null(strstr(s, "data-subject=\"a'b&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\" "));
	assert_non_null(strstr(s, "data-subject=\"R&amp;amp;D\""));
	assert_non_null(strstr(s, "<td>javascript:alert(1) &amp; \"&gt;&lt;img src=x onerror=alert(1)&gt;</td>"));
	/* An odd byte is replaced; the page is not cut short. */
	assert_non_null(strstr(s, "<td>bad &#65533; byte &lt;script&gt;"));
	assert_memory_equal(s + strlen(s) - 8, "</html>\n", 8);
	free(s);
}

static void test_html_many_rejections(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t in = pb_ledger_add_input(l, "big.csv", "payments", "csv");
	pb_audit a = A;
	(void)state;

	for (uint64_t i = 0; i < 503; i++)
		if (i % 2)
			pb_ledger_reject(l, in, i + 2, "amount '%llu.5.5' is not a number", (unsigned long long)i);
		else
			pb_ledger_reject(l, in, i + 2, "row %llu is bad", (unsigned long long)i);
	pb_ledger_seal(l);
	a.ledger = l;
	char *s = render_audit(&a, "html");
	assert_non_null(strstr(s, "big.csv:501<"));   /* the 500th */
	assert_null(strstr(s, "big.csv:502<"));       /* the 501st is not shown */
	assert_non_null(strstr(s, "3 more rejected rows, listed in findings.json"));
	/* counted by kind first: the quoted values blanked, 64 kinds at most */
	assert_non_null(strstr(s, "why rejected"));
	assert_non_null(strstr(s, "amount '&hellip;' is not a number</td>\n<td class=\"num\">251</td>\n"
				  "<td><code>big.csv:3</code>"));
	assert_non_null(strstr(s, "other kinds</td>\n<td class=\"num\">189</td>"));
	char *j = render_audit(&a, "json");           /* which has them all */
	assert_non_null(strstr(j, "\"row 502 is bad\""));
	free(j);
	free(s);
	pb_ledger_free(l);
}

/* n evidence rows "E-<k>", sourced "ev.csv:<k>". */
static void evidence_rows(size_t n, pb_evidence *ev, char (*ids)[16], char (*src)[24])
{
	for (size_t k = 0; k < n; k++) {
		snprintf(ids[k], 16, "E-%zu", k);
		snprintf(src[k], 24, "ev.csv:%zu", k);
		ev[k] = (pb_evidence){.table = "contracts", .id = ids[k], .source = src[k], .role = "row"};
	}
}

/* Renders F[0] with the n evidence rows ev. */
static char *render_with_evidence(pb_evidence *ev, size_t n)
{
	pb_finding f = F[0];
	pb_finding *all[] = {&f};
	pb_audit a = A;

	f.evidence = ev;
	f.nevidence = n;
	a.findings = all;
	a.nfindings = 1;
	return render_audit(&a, "html");
}

static char *render_evidence_rows(size_t n, pb_evidence *ev, char (*ids)[16], char (*src)[24])
{
	evidence_rows(n, ev, ids, src);
	return render_with_evidence(ev, n);
}

/* A copy of the text of the <script> element that starts at p, parsed
 * as JSON into *root (the test fails when it does not parse); *end is
 * where the element's text ends. */
static char *island_text(const char *p, const char **end, json_t **root)
{
	json_error_t jerr;
	const char *text = strchr(p, '>') + 1;

	*end = strstr(text, "</script>");
	assert_non_null(*end);
	char *island = strndup(text, (size_t)(*end - text));
	*root = json_loads(island, JSON_REJECT_DUPLICATES, &jerr);
	if (!*root)
		fail_msg("the island %.*s does not parse: %s", (int)(text - p), p, jerr.text);
	return island;
}

/* The first island in s that opens with `open` (up to its '>'),
 * parsed; fails the test when there is none or it does not parse. */
static json_t *island_at(const char *s, const char *open)
{
	const char *p = strstr(s, open), *end;
	json_t *root;

	assert_non_null(p);
	char *island = island_text(p, &end, &root);
	assert_null(strchr(island, '<')); /* escaped: no ledger text can end it */
	free(island);
	return root;
}

/* Evidence row k of a JSON island: role, table, id, status, source,
 * other columns. */
static const char *island_cell(json_t *rows, size_t k, size_t cell)
{
	return json_string_value(json_array_get(json_array_get(rows, k), cell));
}

#define EV_REST "<script class=\"ev-rest\" type=\"application/json\">"

/*
 * A finding shows its first 50 evidence rows as markup (reports/html.c:
 * a million elements took Chromium 46 s to open); the page of rows
 * carries the rest as JSON after the finding's line saying so, for the
 * page's button to add.
 */
static void test_html_many_evidence_rows(void **state)
{
	static pb_evidence ev[1400];
	static char ids[1400][16], src[1400][24];
	(void)state;

	char *s = render_evidence_rows(50, ev, ids, src);
	assert_int_equal(count(s, "<code>ev.csv:"), 50);
	assert_null(strstr(s, "class=\"ev-more\""));
	assert_null(strstr(s, "class=\"ev-rest\""));
	assert_null(strstr(s, "probityMore")); /* the page as it was */
	free(s);

	s = render_evidence_rows(51, ev, ids, src);
	assert_int_equal(count(s, "<code>ev.csv:"), 50);
	assert_null(strstr(s, "<code>ev.csv:50<"));
	assert_non_null(strstr(s, "<code>ev.csv:49</code></td>\n<td class=\"muted\"></td>\n</tr>\n</tbody>\n"
				  "</table>\n<p class=\"ev-more\" data-shown=\"50\" data-served=\"50\" "
				  "data-total=\"51\"><span>Rows 1&ndash;50 of 51 shown. </span>"
				  "<button type=\"button\">Show the other 1</button>"
				  "<span class=\"muted\"> findings.json and findings.csv hold every row.</span></p>\n"
				  EV_REST "[[\"row\",\"contracts\",\"E-50\",\"\",\"ev.csv:50\",\"\"]]</script>"));
	assert_int_equal(count(s, "function probityMore("), 1);
	assert_memory_equal(s + strlen(s) - 8, "</html>\n", 8);
	free(s);

	/* Many rows: 50 shown, the other 1 350 in the island, in order;
	 * ledger text escaped in both. */
	evidence_rows(1400, ev, ids, src);
	ev[7].id = "<b>x</b>";
	ev[123].id = "</script><b>y</b>";
	s = render_with_evidence(ev, 1400);
	assert_null(strstr(s, "<b>x"));
	assert_non_null(strstr(s, "<td>&lt;b&gt;x&lt;/b&gt;</td>"));
	assert_int_equal(count(s, "<code>ev.csv:"), 50);
	assert_non_null(strstr(s, "data-total=\"1400\"><span>Rows 1&ndash;50 of 1400 shown. </span>"
				  "<button type=\"button\">Show 1000 more</button>"));
	json_t *rest = island_at(s, EV_REST);
	assert_int_equal(json_array_size(rest), 1350);
	assert_string_equal(island_cell(rest, 0, 2), "E-50");
	assert_string_equal(island_cell(rest, 73, 2), "</script><b>y</b>");
	assert_string_equal(island_cell(rest, 1349, 4), "ev.csv:1399");
	json_decref(rest);
	assert_int_equal(count(s, EV_REST), 1);
	assert_memory_equal(s + strlen(s) - 8, "</html>\n", 8);
	free(s);
}

/*
 * The grouped page (more than 2000 findings) shows the same first 50
 * rows and line, with no island of its own: its group's island holds
 * every row of every finding.
 */
static void test_html_grouped_many_evidence_rows(void **state)
{
	enum { N = 2001 };
	static pb_evidence ev[300];
	static char ids[300][16], src[300][24];
	static pb_finding f[N];
	static pb_finding *all[N];
	pb_audit a = A;
	(void)state;

	evidence_rows(300, ev, ids, src);
	for (size_t i = 0; i < N; i++) {
		f[i] = F[0];
		snprintf(f[i].id, sizeof(f[i].id), "%016zx", i + 1);
		all[i] = &f[i];
	}
	f[0].evidence = ev; /* the first of its rule: on the first page */
	f[0].nevidence = 300;
	a.findings = all;
	a.nfindings = N;
	char *s = render_audit(&a, "html");
	assert_non_null(strstr(s, "id=\"f-paged\""));
	assert_int_equal(count(s, "<code>ev.csv:"), 50);
	assert_non_null(strstr(s, "<code>ev.csv:49</code></td>\n<td class=\"muted\"></td>\n</tr>\n</tbody>"));
	assert_non_null(strstr(s, "data-total=\"300\"><span>Rows 1&ndash;50 of 300 shown. </span>"));
	assert_null(strstr(s, "class=\"ev-rest\""));
	assert_int_equal(count(s, "function probityMore("), 1);
	json_t *group = island_at(s, "<script type=\"application/json\" id=\"g-data-0\"");
	json_t *rows = json_object_get(json_array_get(group, 0), "ev");
	assert_int_equal(json_array_size(rows), 300);
	assert_string_equal(island_cell(rows, 299, 4), "ev.csv:299");
	json_decref(group);
	assert_memory_equal(s + strlen(s) - 8, "</html>\n", 8);
	free(s);
}

/*
 * The grouped page's findings as JSON, written as text, are what
 * jansson's own dump (JSON_COMPACT | JSON_ENSURE_ASCII) of each parsed
 * island writes, with '<', '>' and '&' as \u escapes: hostile text,
 * invalid UTF-8, control characters, a chain, repeated detail keys.
 */
static void test_html_islands_as_jansson(void **state)
{
	enum { N = 2001 };
	static pb_finding f[N];
	static pb_finding *all[N];
	pb_evidence ev[2] = {EV[0][0], EV[0][1]};
	pb_attr extra[] = {{"n\u00e9 \"q\"", "caf\u00e9\ttab \xff bad \x01"}, {"plain", ""}};
	pb_detail dt[] = {{"value", "1"}, {"line\nbreak", "</script><b>&amp;"}, {"value", "2"}, {"k", "\\"},
			  {"del", "a\x7f" "b"}};
	pb_path_step path[] = {{"OFF-1", "spouse", "P-2", "people.csv:3"},
			       {"P-2", "director", "SUP-\"9\"", "rel.csv:4"}};
	pb_audit a = A;
	(void)state;

	ev[1].status = "active";
	ev[1].extra = extra;
	ev[1].nextra = 2;
	for (size_t i = 0; i < N; i++) {
		f[i] = F[i % 2];
		snprintf(f[i].id, sizeof(f[i].id), "%016zx", i + 1);
		all[i] = &f[i];
	}
	f[3].evidence = ev;
	f[3].nevidence = 2;
	f[3].details = dt;
	f[3].ndetails = 5;
	f[3].path = path;
	f[3].npath = 2;
	f[3].message = "a <b>bold</b> & \"quoted\" \\ \u00c5 \xc3( \x7f";
	a.findings = all;
	a.nfindings = N;
	char *s = render_audit(&a, "html");
	static const char open[] = "<script type=\"application/json\" id=\"g-data-";
	size_t islands = 0;
	for (const char *p = strstr(s, open), *end; p; p = strstr(p, open)) {
		json_t *root;
		char *island = island_text(p, &end, &root);
		char *again = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII);
		pb_buf want;
		pb_buf_init(&want);
		for (const char *c = again; *c; c++)
			if (*c == '<' || *c == '>' || *c == '&')
				pb_buf_addf(&want, "\\u%04x", (unsigned)*c);
			else
				pb_buf_addch(&want, *c);
		assert_string_equal(island, want.data);
		pb_buf_release(&want);
		free(again);
		json_decref(root);
		free(island);
		islands++;
		p = end;
	}
	assert_true(islands >= 1);
	assert_non_null(strstr(s, "\\u003c/script\\u003e\\u003cb\\u003e\\u0026amp;"));
	assert_non_null(strstr(s, "\\uFFFD bad \\u0001"));
	assert_non_null(strstr(s, "[\"del\",\"a\x7f" "b\"]")); /* DEL as jansson writes it */
	free(s);
}

/*
 * With a history: two runs recorded in a temporary history over the
 * hand-built findings; between them a decision with a hostile note,
 * and in the second run finding 1's message changes (updated) and
 * finding 2 is gone (absent).
 */
static void test_html_history(void **state)
{
	char dir[] = "/tmp/pb-reports-XXXXXX", db[64], csv[64], cmd[96];
	pb_history *h;
	pb_error err;
	pb_finding g = F[1];
	pb_finding *second[] = {FP[0], &g};
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/h.db", dir);
	snprintf(csv, sizeof(csv), "%s/contracts.csv", dir);
	FILE *f = fopen(csv, "w");
	assert_non_null(f);
	fputs("contract_id,value\nC-17,100\n", f);
	fclose(f);
	pb_ledger *l = pb_ledger_new("EUR");
	pb_ledger_add_input(l, csv, "contracts", "csv");
	pb_ledger_seal(l);
	pb_audit a = A;
	a.ledger = l;
	setenv("SOURCE_DATE_EPOCH", "1764576000", 1);

	assert_int_equal(pb_history_open(&h, db, PB_HIST_WRITE, 0, &err), 0);
	assert_int_equal(pb_history_begin(h, &err), 0);
	assert_int_equal(pb_history_record(h, &a, "s", &err), 0);
	assert_int_equal(pb_history_decide(h, F[0].id, PB_DEC_FALSE_POSITIVE, "call-off " XSS2,
					   "alice", NULL, &err), 0);
	assert_int_equal(pb_history_commit(h, &err), 0);
	pb_history_close(h);

	g.message = "changed since";
	a.findings = second;
	a.nfindings = 2;
	assert_int_equal(pb_history_open(&h, db, PB_HIST_WRITE, 0, &err), 0);
	assert_int_equal(pb_history_begin(h, &err), 0);
	assert_int_equal(pb_history_record(h, &a, "s", &err), 0);
	const pb_history_view *v = pb_history_view_of(&a);
	assert_non_null(v);
	char *s = render_audit(&a, "html");

	/* States and decisions, as data- attributes and as text. */
	assert_non_null(strstr(s, "data-state=\"unchanged\" data-evidence-hash=\""));
	assert_non_null(strstr(s, "data-state=\"updated\""));
	assert_non_null(strstr(s, v->findings[0].evidence_hash));
	assert_non_null(strstr(s, "data-decision=\"false-positive\" data-decision-by=\"alice\""));
	assert_non_null(strstr(s, "data-decision=\"none\""));
	assert_non_null(strstr(s, "<span class=\"state state-updated\">updated</span>"));
	assert_non_null(strstr(s, "<span class=\"dec\">false-positive</span>"));
	/* The reviewer's note stays text, in the cell and in the attribute. */
	assert_null(strstr(s, "<img"));
	assert_non_null(strstr(s, "<div>call-off \"&gt;&lt;img src=x onerror=alert(1)&gt;</div>"));
	assert_non_null(strstr(s, "data-decision-note='call-off \"&gt;&lt;img"));
	/* Since the last run: first in main, with the absent finding. */
	char *since = strstr(s, "<section id=\"since-last-run\">");
	assert_non_null(since);
	assert_true(since < strstr(s, "<section id=\"entities\">"));
	char want[96];
	snprintf(want, sizeof(want), "<tr class=\"absent\" data-finding-id=\"%s\"", F[2].id);
	assert_non_null(strstr(s, want));
	assert_non_null(strstr(s, "<td class=\"num\" data-count=\"absent\">1</td>"));
	assert_non_null(strstr(s, "<td class=\"num\" data-count=\"updated\">1</td>"));
	/* Filters, export, print sheet; still no network and no innerHTML. */
	assert_non_null(strstr(s, "<select id=\"f-state\">"));
	assert_non_null(strstr(s, "<select id=\"f-decision\">"));
	assert_non_null(strstr(s, "<th data-sort=\"decision\">"));
	assert_non_null(strstr(s, "id=\"d-export\""));
	assert_non_null(strstr(s, "function probityDecisionsJSON("));
	assert_non_null(strstr(s, "'probity-decisions/1'"));
	assert_non_null(strstr(s, "evidence_hash:r.dataset.evidenceHash"));
	assert_non_null(strstr(s, "break-inside:avoid"));
	assert_non_null(strstr(s, "<td colspan=\"7\">"));
	assert_null(strstr(s, "innerHTML"));
	assert_null(strstr(s, "http://"));
	assert_null(strstr(s, "https://"));
	assert_null(strstr(s, "src=\""));
	free(s);

	pb_history_close(h); /* rolls back the second run */
	assert_null(pb_history_view_of(&a));
	pb_ledger_free(l);
	unsetenv("SOURCE_DATE_EPOCH");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* --- text --- */

static void test_text_summary(void **state)
{
	char *s = render("text");
	(void)state;

	assert_memory_equal(s, "probity " PB_VERSION " audit as of 2024-06-30 (EUR)\n",
			    strlen("probity " PB_VERSION " audit as of 2024-06-30 (EUR)\n"));
	assert_non_null(strstr(s, "  ledger/contracts.csv [contracts] 3 = 2 + 1; 1 values unread\n"));
	assert_non_null(strstr(s, "  total 3 = 2 + 1\n"));
	assert_non_null(strstr(s, "findings: 3 (critical 1, high 1, medium 0, low 1)\n"));
	assert_non_null(strstr(s, "  payments.duplicate (not run): needs payments\n"));
	assert_non_null(strstr(s, "  payments.benford (disabled): \n"));
	assert_null(strstr(s, "competition.single-source (ran)"));
	/* Most severe first, whatever the audit's order. */
	char *crit = strstr(s, "CRITICAL  conflicts.shared-bank-account  contracts/=cmd");
	char *high = strstr(s, "HIGH      competition.single-source  contracts/C-17  contract \"C-17\"");
	char *low = strstr(s, "LOW       timing.weekend-award  contracts/<script>");
	assert_non_null(crit);
	assert_non_null(high);
	assert_non_null(low);
	assert_true(crit < high && high < low);
	assert_null(strstr(s, "more in findings.json"));
	free(s);
}

static void test_text_defused(void **state)
{
	char *s = render("text");
	(void)state;

	/* ESC, DEL and the C1 CSI (U+009B) are printed as escapes. */
	assert_null(strchr(s, '\033'));
	assert_null(strchr(s, '\x7f'));
	assert_null(strstr(s, "\xc2\x9b"));
	assert_non_null(strstr(s, "a Sunday \\x1b[2J\\x7f\\u009b31m"));
	/* The newline inside a message does not start a new line. */
	assert_non_null(strstr(s, "awarded\\nwithout competition"));
	/* Near miss: ordinary UTF-8 is left alone. */
	pb_finding f = F[0];
	pb_finding *one[] = {&f};
	pb_audit a = A;
	f.message = "T\xc3\xa9l\xc3\xa9" "com \xe2\x82\xac";
	a.findings = one;
	a.nfindings = 1;
	char *t = render_audit(&a, "text");
	assert_non_null(strstr(t, "T\xc3\xa9l\xc3\xa9" "com \xe2\x82\xac\n"));
	free(t);
	free(s);
}

/* Bidi overrides and isolates could reorder a line to hide a name; a
 * byte that is not UTF-8 could be a C1 control on an 8-bit terminal. */
static void test_text_bidi_and_bytes(void **state)
{
	pb_finding f = F[0];
	pb_finding *one[] = {&f};
	pb_audit a = A;
	(void)state;

	f.message = "pay \xe2\x80\xaeRAB\xe2\x80\xac \xe2\x81\xa6x\xe2\x81\xa9 \xd8\x9c \x9b" "2J \xe2\x80\xa8!";
	f.subject_id = "C-\xe2\x80\x8f" "1";
	a.findings = one;
	a.nfindings = 1;
	char *t = render_audit(&a, "text");
	assert_null(strstr(t, "\xe2\x80\xae"));
	assert_non_null(strstr(t, "contracts/C-\\u200f1  pay \\u202eRAB\\u202c \\u2066x\\u2069"
				  " \\u061c \\x9b2J \\u2028!\n"));
	/* Near miss: other three-byte characters from the same block pass. */
	f.message = "\xe2\x80\x94 dash \xe2\x80\x9c" "quoted\xe2\x80\x9d";
	char *u = render_audit(&a, "text");
	assert_non_null(strstr(u, "\xe2\x80\x94 dash \xe2\x80\x9c" "quoted\xe2\x80\x9d\n"));
	free(u);
	free(t);
}

static void test_text_top_twenty(void **state)
{
	pb_finding *many[25];
	pb_audit a = A;
	(void)state;

	for (size_t i = 0; i < 25; i++)
		many[i] = i == 24 ? FP[1] : FP[0]; /* the critical one comes last */
	a.findings = many;
	a.nfindings = 25;
	char *s = render_audit(&a, "text");
	assert_int_equal(count(s, "  HIGH      "), 19);
	assert_int_equal(count(s, "  CRITICAL  "), 1);
	assert_true(strstr(s, "CRITICAL") < strstr(s, "  HIGH  "));
	assert_non_null(strstr(s, "  ... and 5 more in findings.json\n"));
	free(s);
}

#define T(fn) cmocka_unit_test(fn)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_registry),
		T(test_json_deterministic), T(test_json_top_level), T(test_json_reconciliation), T(test_unread_values),
		T(test_json_coverage_summary), T(test_json_findings), T(test_json_odd_values),
		T(test_json_layout_as_jansson),
		T(test_csv_layout), T(test_csv_formula_defused), T(test_csv_formula_table),
		T(test_html_structure), T(test_html_hostile), T(test_html_many_rejections),
		T(test_html_history), T(test_html_many_evidence_rows),
		T(test_html_grouped_many_evidence_rows), T(test_html_islands_as_jansson),
		T(test_text_summary), T(test_text_defused), T(test_text_bidi_and_bytes),
		T(test_text_top_twenty),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
