/* test_reports.c - every reporter over one small hand-made audit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "../../engine/config.h"
#include "../../reports/report.h"
#include "../../rules/rules.h"

static const char hostile[] = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>";

static pb_ledger *L;
static pb_config CFG;
static pb_audit *A;

static const char *S(const char *s)
{
	return pb_ledger_intern(L, s, strlen(s));
}

/* A direct award to a supplier with a hostile id, and a rejected row. */
static int setup(void **state)
{
	pb_tender t;
	pb_contract c;
	(void)state;

	L = pb_ledger_new("EUR");
	size_t in = pb_ledger_add_input(L, "ledger/contracts.csv", "contracts", "csv");
	memset(&t, 0, sizeof(t));
	t.row.src.file = S("ledger/contracts.csv");
	t.row.src.line = 2;
	t.tender_id = S("T-1");
	t.method = S("direct");
	t.method_rationale = S("=HYPERLINK(\"http://x\")");
	t.estimated_value = PB_AMOUNT_NONE;
	t.published_on = t.submission_deadline = PB_DATE_NONE;
	t.number_of_tenderers = PB_INT_NONE;
	t.classified = t.framework = PB_BOOL_NONE;
	pb_ledger_add(L, in, PB_T_TENDERS, &t);
	memset(&c, 0, sizeof(c));
	c.row.src.file = S("ledger/contracts.csv");
	c.row.src.line = 3;
	c.contract_id = S("C-1");
	c.tender_id = S("T-1");
	c.buyer_id = S("MOD");
	c.supplier_id = S(hostile);
	c.value = 50000000;
	c.currency = S("EUR");
	c.awarded_on = pb_date_from_ymd(2024, 5, 1);
	c.signed_on = c.start_on = c.end_on = PB_DATE_NONE;
	pb_ledger_add(L, in, PB_T_CONTRACTS, &c);
	pb_ledger_reject(L, in, 4, "amount '1e3' is not a number");
	pb_ledger_seal(L);
	pb_config_init(&CFG);
	A = pb_audit_run(L, &CFG, pb_date_from_ymd(2024, 6, 30));
	return A->nfindings > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	pb_audit_free(A);
	pb_ledger_free(L);
	pb_config_release(&CFG);
	return 0;
}

static char *render(const char *format)
{
	char *buf = NULL;
	size_t len = 0;
	pb_error err;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(pb_reporter_find(format)->write(A, f, &err), 0);
	fclose(f);
	return buf;
}

static void test_registry(void **state)
{
	(void)state;
	for (size_t i = 0; i < pb_nreporters; i++) {
		assert_non_null(pb_reporters[i]->name);
		assert_non_null(pb_reporters[i]->write);
		assert_ptr_equal(pb_reporter_find(pb_reporters[i]->name), pb_reporters[i]);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(pb_reporters[i]->name, pb_reporters[j]->name);
	}
	assert_null(pb_reporter_find("pdf"));
}

static void test_json(void **state)
{
	char *a = render("json"), *b = render("json");
	json_error_t jerr;
	(void)state;

	assert_string_equal(a, b); /* byte-identical */
	json_t *root = json_loads(a, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "as_of")), "2024-06-30");
	json_t *in = json_array_get(json_object_get(root, "inputs"), 0);
	assert_int_equal(json_integer_value(json_object_get(in, "rows_read")), 3);
	assert_int_equal(json_integer_value(json_object_get(in, "rows_imported")), 2);
	assert_int_equal(json_integer_value(json_object_get(in, "rows_rejected")), 1);
	json_t *rej = json_array_get(json_object_get(root, "rejections"), 0);
	assert_int_equal(json_integer_value(json_object_get(rej, "line")), 4);
	json_t *f = json_array_get(json_object_get(root, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "rule")), "competition.single-source");
	assert_string_equal(json_string_value(json_object_get(f, "severity")), "high");
	assert_int_equal(strlen(json_string_value(json_object_get(f, "id"))), 16);
	json_t *ev = json_array_get(json_object_get(f, "evidence"), 0);
	assert_string_equal(json_string_value(json_object_get(ev, "source")), "ledger/contracts.csv:3");
	assert_string_equal(json_string_value(json_object_get(f, "supplier")), hostile);
	json_decref(root);
	free(a);
	free(b);
}

static void test_csv(void **state)
{
	char *csv = render("csv");
	(void)state;

	assert_non_null(strstr(csv, "\"id\",\"rule\",\"family\""));
	assert_non_null(strstr(csv, "\r\n"));
	/* Quotes inside cells are doubled by libcsv. */
	assert_non_null(strstr(csv, "\"\"><img"));
	free(csv);
}

static void test_csv_formula_defused(void **state)
{
	(void)state;
	/* A subject id that a spreadsheet would run. */
	pb_finding *f = A->findings[0];
	const char *saved = f->subject_id;
	f->subject_id = "=HYPERLINK(\"http://evil\")";
	char *csv = render("csv");
	f->subject_id = saved;
	assert_non_null(strstr(csv, "\"'=HYPERLINK("));
	assert_null(strstr(csv, ",\"=HYPERLINK("));
	free(csv);
}

static void test_html(void **state)
{
	char *html = render("html");
	(void)state;

	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "data-finding-id=\""));
	assert_non_null(strstr(html, A->findings[0]->id));
	assert_null(strstr(html, "<script>alert(1)"));
	assert_null(strstr(html, "<img src=x"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_non_null(strstr(html, "Content-Security-Policy"));
	free(html);
}

static void test_text(void **state)
{
	pb_finding *f = A->findings[0];
	const char *saved = f->message;
	(void)state;

	f->message = "evil \033[2J terminal";
	char *text = render("text");
	f->message = saved;
	assert_null(strchr(text, '\033'));
	assert_non_null(strstr(text, "evil ?[2J terminal"));
	assert_non_null(strstr(text, "critical 0, high 1,"));
	assert_non_null(strstr(text, "3 = 2 + 1"));
	free(text);
}

#define T(fn) cmocka_unit_test(fn)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_registry), T(test_json), T(test_csv), T(test_csv_formula_defused),
		T(test_html), T(test_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
