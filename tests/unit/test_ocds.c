/* test_ocds.c - the OCDS importer: packages, records, jsonl, bad lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../importers/importer.h"

static char dir[] = "/tmp/probity-ocds-XXXXXX";

static pb_ledger *import(const char *name, const char *text, size_t n, int *rc, pb_error *err)
{
	char path[256];
	pb_config cfg;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	fwrite(text, 1, n, f);
	fclose(f);
	pb_config_init(&cfg);
	pb_ledger *l = pb_ledger_new("EUR");
	*rc = pb_import_path(l, path, NULL, &cfg, err);
	pb_ledger_seal(l);
	pb_config_release(&cfg);
	return l;
}

#define IMPORT(name, lit, rc, err) import(name, lit, sizeof(lit) - 1, rc, err)

static const void *find(pb_ledger *l, pb_table t, const char *id)
{
	return pb_ledger_find(l, t, pb_ledger_intern(l, id, strlen(id)));
}

static const char release[] =
	"{\"ocid\":\"ocds-1\",\"date\":\"2024-01-01T00:00:00Z\","
	"\"parties\":[{\"id\":\"B\",\"name\":\"Ministry\",\"roles\":[\"buyer\",\"procuringEntity\"],"
	"\"identifier\":{\"scheme\":\"UA-EDR\",\"id\":\"00034022\"}},"
	"{\"id\":\"S\",\"name\":\"Supplier LLC\",\"roles\":[\"supplier\",\"tenderer\"],"
	"\"address\":{\"streetAddress\":\"1 Main St\",\"locality\":\"Kyiv\",\"countryName\":\"Ukraine\"}}],"
	"\"buyer\":{\"id\":\"B\",\"name\":\"Ministry\"},"
	"\"tender\":{\"id\":\"t\",\"title\":\"Boots\",\"procurementMethod\":\"limited\","
	"\"procurementMethodDetails\":\"negotiated\",\"procurementMethodRationale\":\"urgency\","
	"\"mainProcurementCategory\":\"goods\",\"value\":{\"amount\":1234.56,\"currency\":\"UAH\"},"
	"\"tenderPeriod\":{\"startDate\":\"2024-01-01T10:00:00+02:00\",\"endDate\":\"2024-01-20T18:00:00+02:00\"},"
	"\"numberOfTenderers\":1,\"items\":[{\"id\":\"1\",\"classification\":{\"scheme\":\"CPV\",\"id\":\"18800000\"}}]},"
	"\"bids\":{\"details\":[{\"id\":\"b1\",\"date\":\"2024-01-19\",\"status\":\"valid\","
	"\"tenderers\":[{\"id\":\"S\"}],\"value\":{\"amount\":1200,\"currency\":\"UAH\"}}]},"
	"\"awards\":[{\"id\":\"a1\",\"status\":\"active\",\"date\":\"2024-01-25\","
	"\"value\":{\"amount\":0.1,\"currency\":\"UAH\"},\"suppliers\":[{\"id\":\"S\",\"name\":\"Supplier LLC\"}]}],"
	"\"contracts\":[{\"id\":\"c1\",\"awardID\":\"a1\",\"dateSigned\":\"2024-01-26T09:00:00Z\","
	"\"value\":{\"amount\":1200.5,\"currency\":\"UAH\"},\"period\":{\"startDate\":\"2024-02-01\",\"endDate\":\"2024-12-31\"},"
	"\"implementation\":{\"transactions\":[{\"id\":\"tx1\",\"date\":\"2024-03-01\","
	"\"value\":{\"amount\":600.25,\"currency\":\"UAH\"},\"payer\":{\"id\":\"B\"},\"payee\":{\"id\":\"S\"}}]},"
	"\"amendments\":[{\"id\":\"am1\",\"date\":\"2024-05-01\",\"rationale\":\"more boots\"}]}]}";

static void test_release_package(void **state)
{
	int rc;
	pb_error err;
	(void)state;

	pb_buf b;
	pb_buf_init(&b);
	pb_buf_addf(&b, "{\"uri\":\"x\",\"releases\":[%s]}", release);
	pb_ledger *l = import("package.json", b.data, b.len, &rc, &err);
	pb_buf_release(&b);
	assert_int_equal(rc, 0);
	const pb_input *in = pb_ledger_inputs(l);
	assert_string_equal(in[0].format, "ocds");
	assert_int_equal(in[0].rows_read, 1);
	assert_int_equal(in[0].rows_imported, 1);
	const pb_tender *t = find(l, PB_T_TENDERS, "ocds-1");
	assert_non_null(t);
	assert_string_equal(t->method, "limited");
	assert_string_equal(t->method_rationale, "urgency");
	assert_int_equal(t->estimated_value, 123456);
	assert_string_equal(t->currency, "UAH");
	assert_int_equal(t->submission_deadline, pb_date_from_ymd(2024, 1, 20));
	assert_int_equal(t->number_of_tenderers, 1);
	assert_string_equal(t->buyer_id, "UA-EDR:00034022");
	assert_string_equal(t->row.src.path, "/releases/0/tender");
	const pb_party *s = find(l, PB_T_PARTIES, "ocds-1/S");
	assert_non_null(s);
	assert_string_equal(s->roles, "supplier;tenderer");
	assert_string_equal(s->address, "1 Main St, Kyiv, Ukraine");
	const pb_bid *bid = find(l, PB_T_BIDS, "ocds-1/bid/b1");
	assert_non_null(bid);
	assert_int_equal(bid->value, 120000);
	assert_string_equal(bid->bidder_id, "ocds-1/S");
	/* The award is completed by its contract: signature, period, value. */
	const pb_contract *c = find(l, PB_T_CONTRACTS, "ocds-1/a1");
	assert_non_null(c);
	assert_int_equal(c->value, 120050);
	assert_int_equal(c->awarded_on, pb_date_from_ymd(2024, 1, 25));
	assert_int_equal(c->signed_on, pb_date_from_ymd(2024, 1, 26));
	assert_string_equal(c->supplier_id, "ocds-1/S");
	const pb_payment *p = find(l, PB_T_PAYMENTS, "ocds-1/a1/tx/tx1");
	assert_non_null(p);
	assert_int_equal(p->amount, 60025);
	assert_string_equal(p->payer_id, "UA-EDR:00034022");
	assert_string_equal(p->row.src.path, "/releases/0/contracts/0/implementation/transactions/0");
	assert_non_null(find(l, PB_T_AMENDMENTS, "ocds-1/a1/amendment/am1"));
	pb_ledger_free(l);
}

static void test_jsonl_bad_lines(void **state)
{
	int rc;
	pb_error err;
	pb_buf b;
	(void)state;

	pb_buf_init(&b);
	pb_buf_addf(&b, "%s\n", release);
	pb_buf_addstr(&b, "{\"ocid\": \n");                  /* 2: invalid JSON */
	pb_buf_addstr(&b, "{\"ocid\":\"x\",\"tender\":{\"title\":\"\xff\"}}\n"); /* 3: bad UTF-8 */
	pb_buf_addstr(&b, "[1,2,3]\n");                       /* 4: not an object */
	pb_buf_addstr(&b, "{\"tender\":{}}\n");                /* 5: no ocid */
	pb_buf_addstr(&b, "\n");                              /* 6: blank */
	pb_buf_addstr(&b, "{\"ocid\":\"ocds-2\",\"tender\":{\"procurementMethod\":\"Licitacion\"}}\n");
	pb_ledger *l = import("releases.jsonl", b.data, b.len, &rc, &err);
	pb_buf_release(&b);
	assert_int_equal(rc, 0);
	const pb_input *in = pb_ledger_inputs(l);
	assert_int_equal(in[0].rows_read, 6);
	assert_int_equal(in[0].rows_imported, 2);
	assert_int_equal(in[0].rows_rejected, 4);
	const pb_rejection *r = pb_ledger_rejections(l);
	assert_int_equal(r[0].line, 2);
	assert_int_equal(r[1].line, 3);
	assert_non_null(strstr(r[1].reason, "unable to decode byte 0xff"));
	assert_int_equal(r[2].line, 4);
	assert_non_null(strstr(r[2].reason, "not a JSON object"));
	assert_int_equal(r[3].line, 5);
	assert_non_null(strstr(r[3].reason, "no ocid"));
	/* A method outside the code list is kept as details, not guessed. */
	const pb_tender *t = find(l, PB_T_TENDERS, "ocds-2");
	assert_null(t->method);
	assert_string_equal(t->method_details, "Licitacion");
	assert_int_equal(t->row.src.line, 7);
	pb_ledger_free(l);
}

static void test_records_and_streams(void **state)
{
	int rc;
	pb_error err;
	pb_buf b;
	(void)state;

	pb_buf_init(&b);
	pb_buf_addf(&b, "{\"records\":[{\"ocid\":\"ocds-1\",\"compiledRelease\":%s},"
		    "{\"ocid\":\"ocds-9\",\"releases\":[{\"url\":\"http://x\"}]}]}\n"
		    "{\"releases\":[{\"ocid\":\"ocds-3\"}]}", release);
	pb_ledger *l = import("records.json", b.data, b.len, &rc, &err);
	pb_buf_release(&b);
	assert_int_equal(rc, 0);
	const pb_input *in = pb_ledger_inputs(l);
	assert_int_equal(in[0].rows_read, 3);
	assert_int_equal(in[0].rows_imported, 2);
	assert_non_null(strstr(pb_ledger_rejections(l)[0].reason, "has no compiledRelease"));
	assert_non_null(find(l, PB_T_TENDERS, "ocds-3"));
	const pb_tender *t = find(l, PB_T_TENDERS, "ocds-3");
	assert_int_equal(t->row.src.line, 2);
	pb_ledger_free(l);
}

static void test_limits_and_errors(void **state)
{
	int rc;
	pb_error err;
	size_t depth = 100000;
	char *deep = malloc(depth * 2 + 16);
	(void)state;

	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	pb_ledger *l = import("deep.json", deep, depth * 2, &rc, &err);
	free(deep);
	assert_int_equal(rc, 0);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_rejected, 1);
	assert_non_null(strstr(pb_ledger_rejections(l)[0].reason, "2048"));
	pb_ledger_free(l);

	l = IMPORT("empty.json", "  \n", &rc, &err);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err.msg, "file is empty"));
	pb_ledger_free(l);

	l = IMPORT("other.json", "{\"hello\":\"world\"}", &rc, &err);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(pb_ledger_rejections(l)[0].reason, "not an OCDS release"));
	pb_ledger_free(l);

	l = IMPORT("merge.json", "{\"releases\":[{\"ocid\":\"o\",\"tender\":{\"title\":\"first\"}},"
				 "{\"ocid\":\"o\",\"tender\":{\"title\":\"second\",\"numberOfTenderers\":3}}]}",
		   &rc, &err);
	const pb_tender *t = find(l, PB_T_TENDERS, "o");
	assert_string_equal(t->title, "first");          /* first value wins */
	assert_int_equal(t->number_of_tenderers, 3);     /* gaps are filled */
	pb_ledger_free(l);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_package),
		cmocka_unit_test(test_jsonl_bad_lines),
		cmocka_unit_test(test_records_and_streams),
		cmocka_unit_test(test_limits_and_errors),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
