/* test_ocds.c - the OCDS importer: packages, records, jsonl, bad lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include "../../engine/procedure.h"
#include "../../importers/importers.h"

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

#define TENDER(l, id) ((const pb_tender *)find((l), PB_T_TENDERS, (id)))

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
	assert_string_equal(pb_str(t->method), "limited");
	assert_string_equal(pb_str(t->method_rationale), "urgency");
	assert_string_equal(pb_str(t->title), "Boots");
	/* free text is kept as written, not interned; ids are */
	assert_null(pb_ledger_lookup(l, "Boots", 5));
	assert_null(pb_ledger_lookup(l, "urgency", 7));
	assert_non_null(pb_ledger_lookup(l, "ocds-1", 6));
	assert_int_equal(t->estimated_value, 123456);
	assert_string_equal(pb_str(t->currency), "UAH");
	assert_int_equal(t->submission_deadline, pb_date_from_ymd(2024, 1, 20));
	assert_int_equal(t->number_of_tenderers, 1);
	assert_string_equal(pb_str(t->buyer_id), "UA-EDR:00034022");
	assert_string_equal(pb_row_path(&t->row), "/releases/0/tender");
	const pb_party *s = find(l, PB_T_PARTIES, "ocds-1/S");
	assert_non_null(s);
	assert_string_equal(pb_str(s->roles), "supplier;tenderer");
	assert_string_equal(pb_str(s->address), "1 Main St, Kyiv, Ukraine");
	const pb_bid *bid = find(l, PB_T_BIDS, "ocds-1/bid/b1");
	assert_non_null(bid);
	assert_int_equal(bid->value, 120000);
	assert_string_equal(pb_str(bid->bidder_id), "ocds-1/S");
	/* The award is completed by its contract: signature, period, value. */
	const pb_contract *c = find(l, PB_T_CONTRACTS, "ocds-1/a1");
	assert_non_null(c);
	assert_int_equal(c->value, 120050);
	assert_int_equal(c->awarded_on, pb_date_from_ymd(2024, 1, 25));
	assert_int_equal(c->signed_on, pb_date_from_ymd(2024, 1, 26));
	assert_string_equal(pb_str(c->supplier_id), "ocds-1/S");
	const pb_payment *p = find(l, PB_T_PAYMENTS, "ocds-1/a1/tx/tx1");
	assert_non_null(p);
	assert_int_equal(p->amount, 60025);
	assert_string_equal(pb_str(p->payer_id), "UA-EDR:00034022");
	assert_string_equal(pb_row_path(&p->row), "/releases/0/contracts/0/implementation/transactions/0");
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
	assert_non_null(strstr(r[0].reason, "invalid JSON at line 2, column"));
	assert_int_equal(r[1].line, 3);
	assert_non_null(strstr(r[1].reason, "unable to decode byte 0xff"));
	assert_int_equal(r[2].line, 4);
	assert_string_equal(r[2].reason, "line is not a JSON object");
	assert_int_equal(r[3].line, 5);
	assert_string_equal(r[3].reason, "release has no ocid");
	/* A method outside the code list is kept as details, not guessed. */
	const pb_tender *t = find(l, PB_T_TENDERS, "ocds-2");
	assert_null(pb_str(t->method));
	assert_string_equal(pb_str(t->method_details), "Licitacion");
	assert_int_equal(t->row.line, 7);
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
	assert_int_equal(t->row.line, 2);
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
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, PB_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "other.json: not OCDS: a JSON object with none of releases"));
	pb_ledger_free(l);

	l = IMPORT("merge.json", "{\"releases\":[{\"ocid\":\"o\",\"tender\":{\"title\":\"first\",\"description\":\"kept\"}},"
				 "{\"ocid\":\"o\",\"tender\":{\"title\":\"second\",\"numberOfTenderers\":3}}]}",
		   &rc, &err);
	const pb_tender *t = find(l, PB_T_TENDERS, "o");
	assert_string_equal(pb_str(t->title), "second");         /* the later release updates */
	assert_int_equal(t->number_of_tenderers, 3);
	assert_string_equal(pb_str(t->description), "kept");       /* what it omits stays */
	assert_string_equal(pb_row_path(&t->row), "/releases/1/tender");
	pb_ledger_free(l);
}

/* The reason tender_value's amount was not read, or "" if it was. */
static char value_unread[256];

static int64_t tender_value(const char *amount, const char *currency)
{
	int rc;
	pb_error err;
	pb_buf b;

	pb_buf_init(&b);
	pb_buf_addf(&b, "{\"ocid\":\"v\",\"tender\":{\"value\":{\"amount\":%s%s%s%s}}}", amount,
		    currency ? ",\"currency\":\"" : "", currency ? currency : "", currency ? "\"" : "");
	pb_ledger *l = import("value.json", b.data, b.len, &rc, &err);
	pb_buf_release(&b);
	assert_int_equal(rc, 0);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 1);
	int64_t v = ((const pb_tender *)find(l, PB_T_TENDERS, "v"))->estimated_value;
	/* a value read is not listed as not read */
	assert_true(pb_ledger_nunread(l) <= (v == PB_AMOUNT_NONE));
	assert_int_equal(pb_ledger_inputs(l)[0].values_unread, pb_ledger_nunread(l));
	snprintf(value_unread, sizeof(value_unread), "%s",
		 pb_ledger_nunread(l) ? pb_ledger_unread_values(l)[0].reason : "");
	pb_ledger_free(l);
	return v;
}

static void test_amounts(void **state)
{
	(void)state;
	assert_int_equal(tender_value("1234.56", "EUR"), 123456);
	assert_int_equal(tender_value("0.1", "EUR"), 10);
	assert_int_equal(tender_value("0.3", "EUR"), 30);
	assert_int_equal(tender_value("100", "EUR"), 10000);
	assert_int_equal(tender_value("100.0", "EUR"), 10000);
	assert_int_equal(tender_value("-25.5", "EUR"), -2550);
	assert_int_equal(tender_value("9007199254740993", "JPY"), 9007199254740993LL); /* exact integer */
	assert_int_equal(tender_value("1500", "JPY"), 1500);
	assert_int_equal(tender_value("12345678.9", "mdl"), 1234567890); /* lower-case code */
	/* Not representable: unknown, never rounded; the release still imports. */
	/* Each is listed with its pointer, its value as written and why. */
	assert_int_equal(tender_value("1234.567", "EUR"), PB_AMOUNT_NONE);
	assert_string_equal(value_unread, "/tender/value/amount: '1234.567' has more decimal places "
			    "than its currency allows; kept as unknown");
	assert_int_equal(tender_value("1500.5", "JPY"), PB_AMOUNT_NONE);
	assert_int_equal(tender_value("0.30000000000000004", "EUR"), PB_AMOUNT_NONE);
	assert_string_equal(value_unread, "/tender/value/amount: '0.30000000000000004' has more decimal "
			    "places than its currency allows; kept as unknown");
	assert_int_equal(tender_value("1e21", "EUR"), PB_AMOUNT_NONE);
	assert_string_equal(value_unread, "/tender/value/amount: '1e+21' is too large or too small to be "
			    "money; kept as unknown");
	assert_int_equal(tender_value("1000", NULL), PB_AMOUNT_NONE);    /* no currency */
	assert_string_equal(value_unread, "/tender/value/amount: '1000' has no currency; kept as unknown");
	assert_int_equal(tender_value("1000", ""), PB_AMOUNT_NONE);      /* Moldova's "" */
	assert_string_equal(value_unread, "/tender/value/amount: '1000' has no currency; kept as unknown");
	assert_int_equal(tender_value("1000", "MNX"), PB_AMOUNT_NONE);   /* not ISO 4217 */
	assert_string_equal(value_unread, "/tender/value/currency: 'MNX' is not an ISO 4217 currency; "
			    "kept as unknown");
	assert_int_equal(tender_value("\"1000.50\"", "EUR"), 100050);    /* text amounts */
	assert_int_equal(tender_value("true", "EUR"), PB_AMOUNT_NONE);
	assert_string_equal(value_unread, "/tender/value/amount: 'true' is not a number; kept as unknown");
	assert_int_equal(tender_value("null", "EUR"), PB_AMOUNT_NONE);   /* absent: not listed */
	assert_string_equal(value_unread, "");
}

/* Dates that are no dates: the release imports, each field is unknown,
 * and each value is listed with its JSON pointer; "" and null are no
 * value, and are not. */
static void test_unread_dates(void **state)
{
	static const char text[] =
		"{\"releases\":[{\"ocid\":\"d1\",\"date\":\"2024-01-05\",\"tender\":{\"datePublished\":\"\","
		"\"tenderPeriod\":{\"startDate\":null,\"endDate\":\"soon\"},\"numberOfTenderers\":\"3\"},"
		"\"awards\":[{\"id\":\"a\",\"date\":20240101}],"
		"\"contracts\":[{\"id\":\"c\",\"awardID\":\"a\",\"dateSigned\":\"2024-02-30\","
		"\"period\":{\"startDate\":\"2024-03-01\",\"endDate\":\"2024-13-01\"}}]}]}";
	int rc;
	pb_error err;
	pb_ledger *l = IMPORT("dates.json", text, &rc, &err);
	(void)state;

	assert_int_equal(rc, 0);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 1);
	const pb_tender *t = TENDER(l, "d1");
	assert_int_equal(t->published_on, PB_DATE_NONE);
	assert_int_equal(t->submission_deadline, PB_DATE_NONE);
	const pb_contract *c = find(l, PB_T_CONTRACTS, "d1/a");
	assert_non_null(c);
	assert_int_equal(c->awarded_on, PB_DATE_NONE);
	assert_int_equal(c->signed_on, PB_DATE_NONE);
	assert_int_equal(c->start_on, pb_date_from_ymd(2024, 3, 1));
	assert_int_equal(t->number_of_tenderers, PB_INT_NONE);
	assert_int_equal(pb_ledger_nunread(l), 5);
	assert_int_equal(pb_ledger_inputs(l)[0].values_unread, 5);
	const pb_rejection *u = pb_ledger_unread_values(l);
	assert_string_equal(u[0].reason, "/releases/0/tender/tenderPeriod/endDate: 'soon' is not an ISO "
			    "8601 date (YYYY-MM-DD); kept as unknown");
	assert_string_equal(u[1].reason, "/releases/0/tender/numberOfTenderers: '3' is not a whole number; "
			    "kept as unknown");
	u++;
	assert_string_equal(u[1].reason, "/releases/0/awards/0/date: '20240101' is not a date (not a JSON "
			    "string); kept as unknown");
	assert_string_equal(u[2].reason, "/releases/0/contracts/0/dateSigned: '2024-02-30' does not exist; "
			    "kept as unknown");
	assert_string_equal(u[3].reason, "/releases/0/contracts/0/period/endDate: '2024-13-01' does not "
			    "exist; kept as unknown");
	assert_int_equal(u[0].line, 1);
	pb_ledger_free(l);
}

/* A record's compiledRelease restates its releases: a value they listed
 * as not read is listed once, from the release; one that only the
 * compiled release holds (the publisher compiled it differently) is
 * listed from there.  Two awards of one bad amount in one release are
 * both listed. */
static void test_unread_record_once(void **state)
{
	static const char text[] =
		"{\"records\":[{\"ocid\":\"r1\",\"releases\":["
		"{\"ocid\":\"r1\",\"id\":\"1\",\"date\":\"2024-01-05\","
		"\"tender\":{\"value\":{\"amount\":7}},"
		"\"awards\":[{\"id\":\"a\",\"value\":{\"amount\":5,\"currency\":\"XYZ\"}},"
		"{\"id\":\"b\",\"value\":{\"amount\":5,\"currency\":\"XYZ\"}}]}],"
		"\"compiledRelease\":{\"ocid\":\"r1\",\"id\":\"c\",\"date\":\"2024-01-05\","
		"\"tender\":{\"value\":{\"amount\":7},\"tenderPeriod\":{\"endDate\":\"soon\"}},"
		"\"awards\":[{\"id\":\"b\",\"value\":{\"amount\":5,\"currency\":\"XYZ\"}},"
		"{\"id\":\"a\",\"value\":{\"amount\":5,\"currency\":\"XYZ\"}}]}}]}";
	int rc;
	pb_error err;
	pb_ledger *l = IMPORT("record.json", text, &rc, &err);
	(void)state;

	assert_int_equal(rc, 0);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 1);
	assert_int_equal(pb_ledger_nunread(l), 4);
	assert_int_equal(pb_ledger_inputs(l)[0].values_unread, 4);
	const pb_rejection *u = pb_ledger_unread_values(l);
	assert_string_equal(u[0].reason, "/records/0/releases/0/tender/value/amount: '7' has no currency; "
			    "kept as unknown");
	assert_non_null(strstr(u[1].reason, "/records/0/releases/0/awards/0/value/currency: 'XYZ'"));
	assert_non_null(strstr(u[2].reason, "/records/0/releases/0/awards/1/value/currency: 'XYZ'"));
	assert_string_equal(u[3].reason, "/records/0/compiledRelease/tender/tenderPeriod/endDate: 'soon' is "
			    "not an ISO 8601 date (YYYY-MM-DD); kept as unknown");
	pb_ledger_free(l);
}

/* 150 concatenated documents, the 51st broken: the other 149 are read,
 * and the one rejection says which lines were skipped.  A release of a
 * broken package printed without indentation is a piece of it, not a
 * document: it is skipped with the package (near miss). */
static void test_concatenated_resume(void **state)
{
	int rc;
	pb_error err;
	pb_buf b;
	(void)state;

	pb_buf_init(&b);
	for (int i = 1; i <= 150; i++) {
		if (i == 51)
			pb_buf_addf(&b, "{\"releases\":[\n{\"ocid\":\"p-%d\",\"tender\":{\"title\":\"broken\"}\n", i);
		else
			pb_buf_addf(&b, "{\"releases\":[\n{\"ocid\":\"p-%d\",\n \"tender\":{\"title\":\"ok\"}}\n]}\n", i);
	}
	pb_ledger *l = import("many.json", b.data, b.len, &rc, &err);
	assert_int_equal(rc, 0);
	const pb_input *in = pb_ledger_inputs(l);
	assert_int_equal(in[0].rows_imported, 149);
	assert_int_equal(in[0].rows_rejected, 1);
	assert_int_equal(in[0].rows_read, 150);
	const pb_rejection *r = pb_ledger_rejections(l);
	assert_int_equal(r[0].line, 203);
	assert_non_null(strstr(r[0].reason, "document 51 skipped (lines 201 to 202), reading resumed at line 203"));
	assert_null(find(l, PB_T_TENDERS, "p-51"));
	const pb_tender *t = find(l, PB_T_TENDERS, "p-52");
	assert_non_null(t);
	assert_int_equal(t->row.line, 203);
	assert_non_null(find(l, PB_T_TENDERS, "p-150"));
	pb_ledger_free(l);
	pb_buf_release(&b);

	/* A broken package whose releases are printed at column 0: none of
	 * them is read alone; the next real document is. */
	l = IMPORT("flat.json",
		   "{\"releases\":[\n"
		   "{\"ocid\":\"x1\"},\n"
		   "{\"ocid\":\"x2\" BROKEN},\n"
		   "{\"ocid\":\"x3\"},\n"
		   "{\"ocid\":\"x4\"}\n"
		   "]}\n"
		   "{\"ocid\":\"y\"}\n",
		   &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 1);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_rejected, 1);
	assert_null(find(l, PB_T_TENDERS, "x3"));
	assert_null(find(l, PB_T_TENDERS, "x4"));
	assert_non_null(find(l, PB_T_TENDERS, "y"));
	assert_non_null(strstr(pb_ledger_rejections(l)[0].reason, "reading resumed at line 7"));
	pb_ledger_free(l);

	/* Nothing to resume at: the rejection says how much was not read. */
	l = IMPORT("tail.json", "{\"ocid\":\"a\"}\n{\"ocid\":\n\"b\" \"c\"}\n  {\"ocid\":\"d\"}\n", &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 1);
	assert_non_null(strstr(pb_ledger_rejections(l)[0].reason,
			       "the rest of the file from line 2 (33 bytes, from document 2 on) was not read"));
	pb_ledger_free(l);
}

/* A \u0000 inside a string would cut it where C reads it: two processes
 * "ocds-abc-1\u0000-ALPHA" and "-BRAVO" would merge and an award vanish.
 * Each such release is rejected, named, in .json as in .jsonl; a release
 * without one (a near miss: the text "\\u0000" escaped) is imported. */
static void test_nul_in_strings(void **state)
{
	static const char pkg[] =
		"{\"releases\":["
		"{\"ocid\":\"ocds-abc-1\\u0000-ALPHA\",\"awards\":[{\"id\":\"a\",\"value\":{\"amount\":500000,\"currency\":\"EUR\"}}]},"
		"{\"ocid\":\"ocds-abc-1\\u0000-BRAVO\",\"awards\":[{\"id\":\"a\",\"value\":{\"amount\":7,\"currency\":\"EUR\"}}]},"
		"{\"ocid\":\"ok\",\"tender\":{\"title\":\"x\\\\u0000y\"}},"
		"{\"ocid\":\"deep\",\"parties\":[{\"id\":\"P\",\"name\":\"A\\u0000B\"}]}]}\n";
	static const char *const names[] = {"nul.json", "nul.jsonl"};
	(void)state;

	for (int k = 0; k < 2; k++) {
		int rc;
		pb_error err;
		pb_ledger *l = import(names[k], pkg, sizeof(pkg) - 1, &rc, &err);
		assert_int_equal(rc, 0);
		const pb_input *in = pb_ledger_inputs(l);
		assert_int_equal(in[0].rows_read, 4);
		assert_int_equal(in[0].rows_imported, 1);
		assert_int_equal(in[0].rows_rejected, 3);
		const pb_rejection *r = pb_ledger_rejections(l);
		assert_non_null(strstr(r[0].reason, "string at /ocid holds \\u0000"));
		assert_non_null(strstr(r[0].reason, "at /releases/0"));
		assert_non_null(strstr(r[1].reason, "at /releases/1"));
		assert_non_null(strstr(r[2].reason, "string at /parties/0/name holds"));
		assert_null(find(l, PB_T_TENDERS, "ocds-abc-1"));
		assert_int_equal(pb_ledger_count(l, PB_T_CONTRACTS), 0);
		const pb_tender *t = find(l, PB_T_TENDERS, "ok");
		assert_non_null(t);
		assert_string_equal(pb_str(t->title), "x\\u0000y");
		pb_ledger_free(l);
	}
	/* In a record, the whole record is one unit. */
	int rc;
	pb_error err;
	pb_ledger *l = IMPORT("rec.json", "{\"ocid\":\"r\",\"compiledRelease\":{\"ocid\":\"r\","
			      "\"tender\":{\"id\":\"t\\u0000\"}}}", &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_rejected, 1);
	assert_non_null(strstr(pb_ledger_rejections(l)[0].reason, "/compiledRelease/tender/id holds"));
	pb_ledger_free(l);
}

/* A second document that does not parse is rejected at its own line of
 * the file; the first one's releases stay imported. */
static void test_concatenated(void **state)
{
	int rc;
	pb_error err;
	(void)state;

	pb_ledger *l = IMPORT("stream.json",
			      "{\"releases\":[{\"ocid\":\"a\"},{\"ocid\":\"b\"}]}"
			      "{\"releases\":[{\"ocid\":\"c\"}]}\n"
			      "\n"
			      "{\"ocid\":\"d\",\n"
			      " \"tender\":{\"title\":\"bare release\"}}\n"
			      "[{\"ocid\":\"e\"}]\n"
			      "{\"releases\":[\n"
			      "  {\"ocid\":\"f\",}\n"
			      "]}\n",
			      &rc, &err);
	assert_int_equal(rc, 0);
	const pb_input *in = pb_ledger_inputs(l);
	assert_int_equal(in[0].rows_read, 6);
	assert_int_equal(in[0].rows_imported, 5);
	assert_int_equal(in[0].rows_rejected, 1);
	const pb_rejection *r = pb_ledger_rejections(l);
	assert_int_equal(r[0].line, 7);
	assert_non_null(strstr(r[0].reason, "invalid JSON at line 7, column 15: "));
	assert_int_equal(((const pb_tender *)find(l, PB_T_TENDERS, "c"))->row.line, 1);
	const pb_tender *d = find(l, PB_T_TENDERS, "d");
	assert_int_equal(d->row.line, 3);
	assert_string_equal(pb_row_path(&d->row), "/tender");
	const pb_tender *e = find(l, PB_T_TENDERS, "e");
	assert_int_equal(e->row.line, 5);
	assert_string_equal(pb_row_path(&e->row), "/0/tender");
	assert_null(find(l, PB_T_TENDERS, "f"));
	pb_ledger_free(l);

	/* A later document that is JSON but not OCDS is one named rejection. */
	l = IMPORT("mixed.json", "{\"ocid\":\"a\"}\n{\"hello\":1}\n", &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 1);
	assert_int_equal(pb_ledger_rejections(l)[0].line, 2);
	assert_non_null(strstr(pb_ledger_rejections(l)[0].reason, "document is not OCDS"));
	pb_ledger_free(l);

	/* A UTF-8 byte order mark is not JSON, but is dropped. */
	l = IMPORT("bom.json", "\xEF\xBB\xBF{\"ocid\":\"a\"}", &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 1);
	pb_ledger_free(l);
}

static const char versioned[] =
	"{\"ocid\":\"ocds-v\",\"initiationType\":[{\"releaseID\":\"1\",\"releaseDate\":\"2020-01-01\","
	"\"releaseTag\":[\"tender\"],\"value\":\"tender\"}],"
	"\"tender\":{\"procurementMethod\":[{\"releaseID\":\"1\",\"releaseDate\":\"2020-01-01\",\"releaseTag\":[\"tender\"],"
	"\"value\":\"open\"},{\"releaseID\":\"2\",\"releaseDate\":\"2020-02-01\",\"releaseTag\":[\"tenderUpdate\"],"
	"\"value\":\"Direct\"}],\"title\":[{\"releaseID\":\"1\",\"releaseDate\":\"2020-01-01\",\"releaseTag\":[\"tender\"],"
	"\"value\":\"Pens\"}]},"
	"\"awards\":[{\"id\":\"1\",\"status\":[{\"releaseID\":\"3\",\"releaseDate\":\"2020-03-01\",\"releaseTag\":[\"award\"],"
	"\"value\":\"active\"}],\"value\":{\"amount\":[{\"releaseID\":\"3\",\"releaseDate\":\"2020-03-01\",\"releaseTag\":[\"award\"],"
	"\"value\":250000}],\"currency\":[{\"releaseID\":\"3\",\"releaseDate\":\"2020-03-01\",\"releaseTag\":[\"award\"],"
	"\"value\":\"EUR\"}]}}]}";

static void test_records_versioned(void **state)
{
	int rc;
	pb_error err;
	pb_buf b;
	(void)state;

	/* A record with only its versioned release, a bare record with
	 * embedded releases, and a bare versioned release. */
	pb_buf_init(&b);
	pb_buf_addf(&b, "{\"records\":[{\"ocid\":\"ocds-v\",\"versionedRelease\":%s},"
		    "\"not a record\"]}\n"
		    "{\"ocid\":\"ocds-e\",\"releases\":[{\"ocid\":\"ocds-e\",\"tender\":{\"title\":\"one\",\"description\":\"d\"}},"
		    "{\"ocid\":\"ocds-e\",\"tender\":{\"title\":\"two\"}}]}\n%s",
		    versioned, versioned);
	pb_ledger *l = import("records2.json", b.data, b.len, &rc, &err);
	pb_buf_release(&b);
	assert_int_equal(rc, 0);
	const pb_input *in = pb_ledger_inputs(l);
	assert_int_equal(in[0].rows_read, 4);
	assert_int_equal(in[0].rows_imported, 3);
	assert_non_null(strstr(pb_ledger_rejections(l)[0].reason, "record is not a JSON object at /records/1"));
	const pb_tender *t = find(l, PB_T_TENDERS, "ocds-v");
	assert_string_equal(pb_str(t->method), "direct"); /* the latest version */
	assert_string_equal(pb_str(t->title), "Pens");
	const pb_contract *c = find(l, PB_T_CONTRACTS, "ocds-v/1");
	assert_int_equal(c->value, 25000000);
	assert_string_equal(pb_str(c->award_status), "active"); /* an award without a contract */
	assert_null(pb_str(c->status));
	const pb_tender *e = find(l, PB_T_TENDERS, "ocds-e");
	assert_string_equal(pb_str(e->title), "two");
	assert_string_equal(pb_str(e->description), "d");
	assert_string_equal(pb_row_path(&e->row), "/releases/1/tender");
	assert_int_equal(e->row.line, 2);
	pb_ledger_free(l);
}

/* OCDS 1.0: organisations inline (identifier, address), no parties;
 * transactions name provider and receiver by identifier and `amount`. */
static void test_ocds_10(void **state)
{
	int rc;
	pb_error err;
	(void)state;

	pb_ledger *l = IMPORT("v10.json",
		"{\"version\":\"1.0\",\"releases\":[{\"ocid\":\"ocds-10\",\"tag\":[\"contract\"],"
		"\"buyer\":{\"identifier\":{\"scheme\":\"MX-RFC\",\"id\":\"SFI\",\"legalName\":\"Secretaria\"},"
		"\"name\":\"Secretaria de Finanzas\",\"address\":{\"locality\":\"CDMX\",\"countryName\":\"Mexico\"}},"
		"\"tender\":{\"procurementMethod\":\"limited\",\"tenderers\":[]},"
		"\"awards\":[{\"id\":\"A\",\"suppliers\":[{\"name\":\"Acme SA\"}],\"value\":{\"amount\":10,\"currency\":\"MXN\"},"
		"\"amendment\":{\"date\":\"2016-05-01T00:00:00Z\",\"rationale\":\"price\"}}],"
		"\"contracts\":[{\"id\":\"C\",\"awardID\":\"A\",\"implementation\":{\"transactions\":[{\"id\":\"T1\","
		"\"amount\":{\"amount\":5.5,\"currency\":\"MXN\"},\"date\":\"2016-06-01T00:00:00-06:00\","
		"\"providerOrganization\":{\"scheme\":\"MX-RFC\",\"id\":\"SFI\",\"legalName\":\"Secretaria\"},"
		"\"receiverOrganization\":{\"scheme\":\"MX-RFC\",\"id\":\"ACME\",\"legalName\":\"Acme SA\"}}]}}]}]}",
		&rc, &err);
	assert_int_equal(rc, 0);
	const pb_tender *t = find(l, PB_T_TENDERS, "ocds-10");
	assert_string_equal(pb_str(t->buyer_id), "MX-RFC:SFI");
	const pb_party *buyer = find(l, PB_T_PARTIES, "MX-RFC:SFI");
	assert_non_null(buyer);
	assert_string_equal(pb_str(buyer->name), "Secretaria de Finanzas");
	assert_string_equal(pb_str(buyer->registry_id), "MX-RFC:SFI");
	assert_string_equal(pb_str(buyer->address), "CDMX, Mexico");
	assert_string_equal(pb_str(buyer->country), "Mexico");
	/* Paying adds the payer role to the buyer: roles are a union. */
	assert_string_equal(pb_str(buyer->roles), "buyer;payer");
	const pb_contract *c = find(l, PB_T_CONTRACTS, "ocds-10/A");
	assert_string_equal(pb_str(c->supplier_id), "ocds-10/Acme SA"); /* a name only */
	const pb_payment *p = find(l, PB_T_PAYMENTS, "ocds-10/A/tx/T1");
	assert_non_null(p);
	assert_string_equal(pb_str(p->payer_id), "MX-RFC:SFI");
	assert_string_equal(pb_str(p->payee_id), "MX-RFC:ACME");
	assert_int_equal(p->amount, 550);
	assert_int_equal(p->paid_on, pb_date_from_ymd(2016, 6, 1));
	const pb_amendment *a = find(l, PB_T_AMENDMENTS, "ocds-10/A/amendment#0");
	assert_non_null(a);
	assert_string_equal(pb_str(a->rationale), "price");
	assert_string_equal(pb_row_path(&a->row), "/releases/0/awards/0/amendment");
	pb_ledger_free(l);
}

/* Field mapping details of OCDS 1.1 beyond the main release. */
/* A tender period that ends with the award period is a copy: no
 * deadline is trusted from it; a real deadline is kept. */
static void test_doubtful_deadline(void **state)
{
	int rc;
	pb_error err;
	(void)state;

	pb_ledger *l = IMPORT("dl.json",
		"{\"ocid\":\"copy\",\"tender\":{\"tenderPeriod\":{\"endDate\":\"2016-06-29T05:00:00Z\"},"
		"\"awardPeriod\":{\"endDate\":\"2016-06-29T05:00:00Z\"}}}\n"
		"{\"ocid\":\"real\",\"tender\":{\"tenderPeriod\":{\"endDate\":\"2016-06-29T05:00:00Z\"},"
		"\"awardPeriod\":{\"endDate\":\"2016-07-29T05:00:00Z\"}}}",
		&rc, &err);
	assert_int_equal(rc, 0);
	const pb_tender *t = find(l, PB_T_TENDERS, "copy");
	assert_int_equal(t->submission_deadline, PB_DATE_NONE);
	assert_non_null(pb_row_extra(&t->row, "deadline_doubtful"));
	assert_int_equal(((const pb_tender *)find(l, PB_T_TENDERS, "real"))->submission_deadline,
			 pb_date_from_ymd(2016, 6, 29));
	pb_ledger_free(l);
}

/* An award dated exactly as its release may carry only the day the
 * release was published (Montreal): the importer says so in an extra,
 * its value the date, and leaves the date alone. */
static void test_award_dated_by_release(void **state)
{
	int rc;
	pb_error err;
	(void)state;

	pb_ledger *l = IMPORT("stamp.json",
		"{\"ocid\":\"stamp\",\"date\":\"2017-05-27T00:00:00-04:00\",\"buyer\":{\"id\":\"B\"},"
		"\"awards\":[{\"id\":\"a1\",\"date\":\"2017-05-27T00:00:00-04:00\"}]}\n"
		"{\"ocid\":\"real\",\"date\":\"2017-05-27T00:00:00-04:00\",\"buyer\":{\"id\":\"B\"},"
		"\"awards\":[{\"id\":\"a1\",\"date\":\"2017-05-27T10:30:00-04:00\"}]}",
		&rc, &err);
	assert_int_equal(rc, 0);
	const pb_contract *c = find(l, PB_T_CONTRACTS, "stamp/a1");
	assert_non_null(c);
	assert_int_equal(c->awarded_on, pb_date_from_ymd(2017, 5, 27));
	assert_string_equal(pb_row_extra(&c->row, "award_dated_by_release"), "2017-05-27T00:00:00-04:00");
	c = find(l, PB_T_CONTRACTS, "real/a1");
	assert_non_null(c);
	assert_int_equal(c->awarded_on, pb_date_from_ymd(2017, 5, 27));
	assert_null(pb_row_extra(&c->row, "award_dated_by_release"));
	pb_ledger_free(l);
}

/* Colombia's SECOP I names the procedure in a release field of its own,
 * procurement_type: the details when procurementMethodDetails is absent,
 * which the procedure table then reads (minimum-value contracting is a
 * low-value procedure; the U+FFFD some files carry for lost accents
 * matches as published). */
static void test_procurement_type(void **state)
{
	int rc;
	pb_error err;
	(void)state;

	pb_ledger *l = IMPORT("co.json",
		"{\"ocid\":\"co-1\",\"procurement_type\":\"Contrataci\u00f3n M\u00ednima Cuant\u00eda\","
		"\"tender\":{\"procurementMethod\":\"open\"}}\n"
		"{\"ocid\":\"co-2\",\"procurement_type\":\"Selecci\ufffdn Abreviada de Menor Cuant\ufffda (Ley 1150 de 2007)\","
		"\"tender\":{\"procurementMethod\":\"open\"}}\n"
		"{\"ocid\":\"co-3\",\"procurement_type\":\"Contrataci\u00f3n Directa (Ley 1150 de 2007)\","
		"\"tender\":{\"procurementMethod\":\"limited\",\"procurementMethodDetails\":\"negotiated\"}}",
		&rc, &err);
	assert_int_equal(rc, 0);
	assert_string_equal(pb_str(TENDER(l, "co-1")->method_details), "Contratación Mínima Cuantía");
	assert_string_equal(pb_str(TENDER(l, "co-3")->method_details), "negotiated");
	pb_procedures *pt = pb_procedures_new();
	const pb_procedure *p = pb_procedures_find(pt, pb_str(TENDER(l, "co-1")->method_details));
	assert_non_null(p);
	assert_true(p->small);
	assert_int_equal(p->competitive, PB_COMPETITION_YES);
	p = pb_procedures_find(pt, pb_str(TENDER(l, "co-2")->method_details));
	assert_non_null(p);
	assert_string_equal(p->method, "selective");
	pb_procedures_free(pt);
	pb_ledger_free(l);
}

static void test_mapping(void **state)
{
	int rc;
	pb_error err;
	(void)state;

	pb_ledger *l = IMPORT("map.json",
		"{\"ocid\":\"m\",\"parties\":[{\"id\":\"P1\",\"name\":\"Buyer\",\"roles\":[\"procuringEntity\",\"reviewBody\"]},"
		"{\"id\":\"T1\",\"name\":\"One\",\"roles\":[\"tenderer\"]}],"
		"\"tender\":{\"procuringEntity\":{\"id\":\"P1\"},\"procurementMethod\":\"Open\","
		"\"tenderPeriod\":{\"startDate\":\"2023-04-01T09:00:00+03:00\",\"endDate\":\"not a date\"},"
		"\"numberOfTenderers\":2,\"mainProcurementCategory\":\"consultingServices\","
		"\"items\":[{\"classification\":{\"scheme\":\"CPV\",\"id\":\"301\"}},{\"classification\":{\"scheme\":\"CPV\",\"id\":\"302\"}},"
		"{\"classification\":{\"scheme\":\"CPV\",\"id\":\"301\"}}]},"
		"\"bids\":{\"details\":[{\"id\":1,\"status\":\"invited\",\"tenderers\":[{\"id\":\"T1\"},{\"id\":\"T2\",\"name\":\"Two\"}]},"
		"{\"status\":\"Disqualified\",\"tenderers\":[{\"id\":\"T2\"}]},{\"id\":\"x\",\"status\":\"awarded\"}]},"
		"\"contracts\":[{\"id\":\"K\",\"dateSigned\":\"2023-06-01T00:00:00Z\",\"status\":\"active\","
		"\"value\":{\"amount\":99.99,\"currency\":\"USD\"},\"amendments\":[{\"id\":\"a1\",\"date\":\"2023-07-01\","
		"\"description\":\"extended\"}]}]}",
		&rc, &err);
	assert_int_equal(rc, 0);
	const pb_tender *t = find(l, PB_T_TENDERS, "m");
	assert_string_equal(pb_str(t->buyer_id), "m/P1");
	assert_string_equal(pb_str(t->method), "open");
	assert_null(pb_str(t->method_details));
	assert_null(pb_str(t->category)); /* not goods, works or services */
	assert_int_equal(t->published_on, pb_date_from_ymd(2023, 4, 1));
	assert_int_equal(t->submission_deadline, PB_DATE_NONE);
	assert_int_equal(t->number_of_tenderers, 2);
	uint32_t nx;
	const pb_attr *x = pb_row_extras(&t->row, &nx);
	assert_int_equal(nx, 3);
	assert_string_equal(x[0].name, "ocid");
	assert_string_equal(x[1].name, "classifications");
	assert_string_equal(x[1].value, "CPV:301;CPV:302");
	/* The period's own start, for bidding.short-submission-period. */
	assert_string_equal(x[2].name, "tender_period_start");
	assert_string_equal(pb_str(((const pb_party *)find(l, PB_T_PARTIES, "m/P1"))->roles), "buyer");
	const pb_bid *b1 = find(l, PB_T_BIDS, "m/bid/1");
	assert_string_equal(pb_str(b1->status), "pending");
	assert_string_equal(pb_str(b1->bidder_id), "m/T1");
	x = pb_row_extras(&b1->row, &nx);
	assert_int_equal(nx, 1);
	assert_string_equal(x[0].name, "tenderers");
	assert_string_equal(x[0].value, "m/T1;m/T2");
	const pb_party *two = find(l, PB_T_PARTIES, "m/T2");
	assert_string_equal(pb_str(two->name), "Two");
	assert_string_equal(pb_str(two->roles), "tenderer");
	assert_string_equal(pb_row_path(&b1->row), "/bids/details/0");
	const pb_bid *b2 = find(l, PB_T_BIDS, "m/bid#1"); /* no id: its index */
	assert_non_null(b2);
	assert_string_equal(pb_str(b2->status), "disqualified");
	assert_string_equal(pb_str(b2->bidder_id), "m/T2");
	assert_int_equal(((const pb_bid *)find(l, PB_T_BIDS, "m/bid/x"))->status, 0);
	const pb_contract *k = find(l, PB_T_CONTRACTS, "m/contract/K");
	assert_non_null(k);
	assert_int_equal(k->signed_on, pb_date_from_ymd(2023, 6, 1));
	assert_int_equal(k->value, 9999);
	assert_string_equal(pb_str(k->currency), "USD");
	assert_string_equal(pb_row_path(&k->row), "/contracts/0");
	const pb_amendment *a = find(l, PB_T_AMENDMENTS, "m/contract/K/amendment/a1");
	assert_string_equal(pb_str(a->rationale), "extended");
	assert_int_equal(a->value_before, PB_AMOUNT_NONE);
	pb_ledger_free(l);
}

/* jsonl: packages on a line, CRLF, NUL bytes, a last line without a
 * newline, an over-long line, deep nesting; compressed. */
static void test_jsonl_more(void **state)
{
	int rc;
	pb_error err;
	(void)state;

	pb_ledger *l = IMPORT("more.ndjson",
			      "{\"releases\":[{\"ocid\":\"p1\"},{\"ocid\":\"p2\"}]}\r\n"
			      "{\"ocid\":\"n\0\"}\n"
			      "{\"ocid\":\"after-nul\"}\r\n"
			      "{\"releases\":7}\n"
			      "{\"ocid\":\"last\"}",
			      &rc, &err);
	assert_int_equal(rc, 0);
	const pb_input *in = pb_ledger_inputs(l);
	assert_int_equal(in[0].rows_read, 6);
	assert_int_equal(in[0].rows_imported, 4);
	const pb_rejection *r = pb_ledger_rejections(l);
	assert_int_equal(r[0].line, 2);
	assert_int_equal(r[1].line, 4);
	assert_string_equal(r[1].reason, "line is not an OCDS release, record or package");
	assert_int_equal(((const pb_tender *)find(l, PB_T_TENDERS, "after-nul"))->row.line, 3);
	assert_int_equal(((const pb_tender *)find(l, PB_T_TENDERS, "last"))->row.line, 5);
	const pb_tender *p2 = find(l, PB_T_TENDERS, "p2");
	assert_int_equal(p2->row.line, 1);
	assert_string_equal(pb_row_path(&p2->row), "/releases/1/tender");
	pb_ledger_free(l);

	/* An over-long line and a deep one are named; the rest imports. */
	size_t big = (64u << 20) + 10, depth = 5000;
	char *text = malloc(big + depth * 2 + 64);
	size_t n = 0;
	n += (size_t)sprintf(text + n, "{\"ocid\":\"a\"}\n{\"ocid\":\"");
	memset(text + n, 'x', big);
	n += big;
	n += (size_t)sprintf(text + n, "\"}\n");
	memset(text + n, '[', depth);
	n += depth;
	memset(text + n, ']', depth);
	n += depth;
	n += (size_t)sprintf(text + n, "\n{\"ocid\":\"b\"}\n");
	l = import("long.jsonl", text, n, &rc, &err);
	free(text);
	assert_int_equal(rc, 0);
	in = pb_ledger_inputs(l);
	assert_int_equal(in[0].rows_read, 4);
	assert_int_equal(in[0].rows_imported, 2);
	r = pb_ledger_rejections(l);
	assert_int_equal(r[0].line, 2);
	assert_string_equal(r[0].reason, "line longer than the 64 MiB limit");
	assert_int_equal(r[1].line, 3);
	assert_non_null(strstr(r[1].reason, "limit: 2048 levels of nesting"));
	assert_int_equal(((const pb_tender *)find(l, PB_T_TENDERS, "b"))->row.line, 4);
	pb_ledger_free(l);

	/* Blank lines only: the file is empty. */
	l = IMPORT("blank.jsonl", "\n \r\n\n", &rc, &err);
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, PB_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "blank.jsonl: file is empty"));
	pb_ledger_free(l);
}

/* Every record of every table, each field as text, then the inputs and
 * rejections: all an import leaves in the ledger. */
static char *ledger_fields(pb_ledger *l)
{
	pb_buf b;

	pb_buf_init(&b);
	for (int t = 0; t < PB_T_COUNT; t++) {
		const pb_table_def *def = pb_table_get((pb_table)t);
		for (size_t i = 0; i < pb_ledger_count(l, (pb_table)t); i++) {
			const unsigned char *rec = pb_ledger_at(l, (pb_table)t, i);
			const pb_row *row = (const pb_row *)rec;
			pb_buf_addf(&b, "%s %s:%u %s", def->name, pb_row_file(row), (unsigned)row->line,
				    pb_row_path(row) ? pb_row_path(row) : "-");
			for (size_t c = 0; c < def->ncolumns; c++) {
				const unsigned char *p = rec + def->columns[c].offset;
				switch (def->columns[c].type) {
				case PB_COL_DATE:
					pb_buf_addf(&b, " %ld", (long)*(const pb_date *)p);
					break;
				case PB_COL_AMOUNT:
				case PB_COL_INT:
				case PB_COL_DECIMAL:
				case PB_COL_RATE:
					pb_buf_addf(&b, " %lld", (long long)*(const int64_t *)p);
					break;
				case PB_COL_BOOL:
					pb_buf_addf(&b, " %d", *(const int *)p);
					break;
				default: {
					const char *text = pb_field_text(&def->columns[c], rec);
					pb_buf_addf(&b, " [%s]", text ? text : "-");
				}
				}
			}
			pb_buf_addch(&b, '\n');
		}
	}
	for (size_t i = 0; i < pb_ledger_ninputs(l); i++) {
		const pb_input *in = &pb_ledger_inputs(l)[i];
		pb_buf_addf(&b, "input %s read=%llu imported=%llu rejected=%llu\n", in->path,
			    (unsigned long long)in->rows_read, (unsigned long long)in->rows_imported,
			    (unsigned long long)in->rows_rejected);
	}
	for (size_t i = 0; i < pb_ledger_nrejections(l); i++)
		pb_buf_addf(&b, "rejected %llu %s\n", (unsigned long long)pb_ledger_rejections(l)[i].line,
			    pb_ledger_rejections(l)[i].reason);
	return pb_buf_detach(&b);
}

static char *import_jobs(const char *path, int jobs, int *rc)
{
	pb_config cfg;
	pb_error err;

	pb_config_init(&cfg);
	cfg.jobs = jobs;
	pb_ledger *l = pb_ledger_new("EUR");
	*rc = pb_import_path(l, path, NULL, &cfg, &err);
	pb_ledger_seal(l);
	char *text = ledger_fields(l);
	pb_ledger_free(l);
	pb_config_release(&cfg);
	return text;
}

/*
 * A .jsonl file is parsed on -j threads, batch by batch, and mapped in
 * the file's order: the ledger is the one a single thread makes, field
 * by field, with the same rejections at the same lines.  The file is
 * many batches long (more than are ever in flight), and holds what
 * changes the mapping of later lines: releases of one process in turn
 * (the later one amends the contract), a package on a line, bad JSON, a
 * NUL, blank and CRLF lines, a BOM, no final newline.
 */
static void test_jsonl_parallel_same_as_serial(void **state)
{
	char path[256];
	pb_buf b;
	(void)state;

	pb_buf_init(&b);
	pb_buf_add(&b, "\xEF\xBB\xBF", 3);
	for (int i = 0; i < 6000; i++) {
		int ocid = i / 2; /* two releases per process */
		if (i % 97 == 5)
			pb_buf_addf(&b, "{\"ocid\":\"ocds-%d\",\"tender\":{\"id\":\"t\"\n", i);
		else if (i % 89 == 7)
			pb_buf_addstr(&b, "   \r\n");
		else if (i == 1234)
			pb_buf_addstr(&b, "{\"ocid\":\"nul\",\"tender\":{\"title\":\"a\\u0000b\"}}\n");
		else if (i == 2345)
			pb_buf_addstr(&b, "[1,2,3]\n");
		else if (i % 500 == 9)
			pb_buf_addf(&b, "{\"releases\":[{\"ocid\":\"pk-%d\",\"tender\":{\"id\":\"t\"}},"
				    "{\"ocid\":\"pk-%d-b\"}]}\n", i, i);
		else
			pb_buf_addf(&b, "{\"ocid\":\"ocds-%d\",\"id\":\"r%d\",\"date\":\"2024-%02d-%02dT00:00:00Z\","
				    "\"tag\":[\"award\"],\"parties\":[{\"id\":\"B%d\",\"name\":\"Buyer %d\",\"roles\":[\"buyer\"]},"
				    "{\"id\":\"S%d\",\"name\":\"Supplier %d LLC\",\"roles\":[\"supplier\"],"
				    "\"address\":{\"streetAddress\":\"%d Main St\",\"locality\":\"Kyiv\"}}],"
				    "\"buyer\":{\"id\":\"B%d\"},\"tender\":{\"id\":\"t\",\"title\":\"Item %d\","
				    "\"procurementMethod\":\"%s\",\"value\":{\"amount\":%d.50,\"currency\":\"EUR\"}},"
				    "\"awards\":[{\"id\":\"a1\",\"status\":\"active\",\"date\":\"2024-03-01\","
				    "\"suppliers\":[{\"id\":\"S%d\"}],\"value\":{\"amount\":%d,\"currency\":\"EUR\"}}],"
				    "\"contracts\":[{\"id\":\"c1\",\"awardID\":\"a1\",\"value\":{\"amount\":%d,\"currency\":\"EUR\"}}]}%s\n",
				    ocid, i, 1 + i % 2, 1 + ocid % 28, ocid % 7, ocid % 7, ocid % 300, ocid % 300,
				    ocid, ocid % 7, i, i % 3 ? "open" : "direct", 1000 + ocid, ocid % 300,
				    5000 + i, 5000 + i, i % 3 ? "" : "\r");
	}
	pb_buf_addstr(&b, "{\"ocid\":\"the-last\"}");
	assert_true(b.len > 16 * (64u << 10)); /* more batches than in flight at -j 4 */
	snprintf(path, sizeof(path), "%s/many.jsonl", dir);
	FILE *f = fopen(path, "wb");
	fwrite(b.data, 1, b.len, f);
	fclose(f);
	pb_buf_release(&b);

	int rc1, rc2, rc4;
	char *serial = import_jobs(path, 1, &rc1);
	char *two = import_jobs(path, 2, &rc2);
	char *four = import_jobs(path, 4, &rc4);
	assert_int_equal(rc1, 0);
	assert_int_equal(rc2, 0);
	assert_int_equal(rc4, 0);
	assert_string_equal(two, serial);
	assert_string_equal(four, serial);
	/* the cases the comparison is about are really there */
	assert_non_null(strstr(serial, "rejected 6 invalid JSON at line 6"));
	assert_non_null(strstr(serial, "rejected 1235 string at /tender/title holds \\u0000"));
	assert_non_null(strstr(serial, "rejected 2346 line is not a JSON object"));
	assert_non_null(strstr(serial, " [ocds-2999] "));
	assert_non_null(strstr(serial, " [pk-5509-b] "));
	assert_non_null(strstr(serial, "\namendments "));
	assert_non_null(strstr(serial, ":6001 "));
	free(serial);
	free(two);
	free(four);
}

static void test_gzip(void **state)
{
	char path[256];
	pb_config cfg;
	pb_error err;
	(void)state;

	snprintf(path, sizeof(path), "%s/c.jsonl.gz", dir);
	gzFile f = gzopen(path, "wb");
	assert_non_null(f);
	gzputs(f, "{\"ocid\":\"z1\"}\nnot json\n{\"ocid\":\"z2\",\"tender\":{\"value\":{\"amount\":1.5,\"currency\":\"EUR\"}}}\n");
	gzclose(f);
	pb_config_init(&cfg);
	pb_ledger *l = pb_ledger_new("EUR");
	assert_ptr_equal(pb_importer_for(path), &pb_importer_ocds);
	assert_int_equal(pb_import_path(l, path, NULL, &cfg, &err), 0);
	pb_ledger_seal(l);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 2);
	assert_int_equal(pb_ledger_rejections(l)[0].line, 2);
	assert_int_equal(((const pb_tender *)find(l, PB_T_TENDERS, "z2"))->estimated_value, 150);
	pb_ledger_free(l);
	pb_config_release(&cfg);
}

/* Several files into one ledger, as one run reads them. */
static pb_ledger *import_run(const char *const *names, const char *const *texts, size_t n)
{
	char path[256];
	pb_config cfg;
	pb_error err;

	pb_config_init(&cfg);
	pb_ledger *l = pb_ledger_new("EUR");
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		FILE *f = fopen(path, "wb");
		fputs(texts[i], f);
		fclose(f);
		assert_int_equal(pb_import_path(l, path, NULL, &cfg, &err), 0);
	}
	pb_ledger_seal(l);
	pb_config_release(&cfg);
	return l;
}

/* Statuses as published: codelist values lower-cased, other words kept. */
static void test_status(void **state)
{
	int rc;
	pb_error err;
	(void)state;

	pb_ledger *l = IMPORT("status.json",
		"{\"releases\":[{\"ocid\":\"s\",\"date\":\"2024-01-01T00:00:00Z\",\"tender\":{\"status\":\"Complete\"},"
		"\"awards\":[{\"id\":\"a1\",\"status\":\"CANCELLED\",\"suppliers\":[{\"id\":\"S\",\"name\":\"S\"}]},"
		"{\"id\":\"a2\",\"status\":\"active\",\"suppliers\":[{\"id\":\"S\",\"name\":\"S\"}]},"
		"{\"id\":\"a3\",\"status\":\"pending\",\"suppliers\":[{\"id\":\"S\",\"name\":\"S\"}]}],"
		"\"contracts\":[{\"id\":\"c2\",\"awardID\":\"a2\",\"status\":\"Terminated\"},"
		"{\"id\":\"c9\",\"status\":\"Semnat\"}]},"
		"{\"ocid\":\"md\",\"date\":\"2024-01-01T00:00:00Z\",\"tender\":{\"status\":\"Executarea contractului\"}}]}",
		&rc, &err);
	assert_int_equal(rc, 0);
	assert_string_equal(pb_str(TENDER(l, "s")->status), "complete");
	assert_string_equal(pb_str(TENDER(l, "md")->status), "Executarea contractului");
	const pb_contract *a1 = find(l, PB_T_CONTRACTS, "s/a1");
	assert_string_equal(pb_str(a1->award_status), "cancelled"); /* kept, so rules can skip it */
	assert_null(pb_str(a1->status));
	const pb_contract *a2 = find(l, PB_T_CONTRACTS, "s/a2");
	assert_string_equal(pb_str(a2->award_status), "active");
	assert_string_equal(pb_str(a2->status), "terminated");
	const pb_contract *a3 = find(l, PB_T_CONTRACTS, "s/a3");
	assert_string_equal(pb_str(a3->award_status), "pending");
	assert_null(pb_str(a3->status)); /* an award without a contract */
	const pb_contract *c9 = find(l, PB_T_CONTRACTS, "s/contract/c9");
	assert_string_equal(pb_str(c9->status), "Semnat");
	assert_null(pb_str(c9->award_status));
	assert_false(pb_contract_is_award(l, a1, NULL));
	assert_false(pb_contract_is_award(l, a3, NULL));
	assert_true(pb_contract_is_award(l, a2, NULL));
	pb_ledger_free(l);
}

/* The procedure in the publisher's words: OCDS codes, national names,
 * Prozorro's procurementMethodType and cause. */
static void test_procedure(void **state)
{
	int rc;
	pb_error err;
	(void)state;

	pb_ledger *l = IMPORT("procedure.json",
		"{\"releases\":["
		"{\"ocid\":\"ua\",\"tender\":{\"procurementMethod\":\"limited\",\"procurementMethodType\":\"negotiation.quick\","
		"\"cause\":\"noCompetition\",\"causeDescription\":\"natural monopoly\"}},"
		"{\"ocid\":\"ua2\",\"tender\":{\"procurementMethod\":\"limited\",\"procurementMethodType\":\"reporting\","
		"\"procurementMethodDetails\":\"ignored\",\"cause\":\"artContractManagement\"}},"
		"{\"ocid\":\"ua3\",\"tender\":{\"procurementMethod\":\"open\",\"procurementMethodType\":\"belowThreshold\","
		"\"procurementMethodRationale\":\"stated\",\"cause\":\"c\",\"causeDescription\":\"d\"}},"
		"{\"ocid\":\"md\",\"tender\":{\"procurementMethod\":\"Licita\\u0163ie public\\u0103\"}},"
		"{\"ocid\":\"mx\",\"tender\":{\"procurementMethod\":\"open\",\"procurementMethodDetails\":\"Licitaci\\u00f3n P\\u00fablica\"}},"
		"{\"ocid\":\"tw\",\"tender\":{\"procurementMethod\":\"odd\",\"procurementMethodDetails\":\"details\"}},"
		"{\"ocid\":\"ug\",\"tender\":{\"procurementMethod\":\"Direct\",\"procurementMethodDetails\":\"single supplier\"}}]}",
		&rc, &err);
	assert_int_equal(rc, 0);
	const pb_tender *t = find(l, PB_T_TENDERS, "ua");
	assert_string_equal(pb_str(t->method), "limited");
	assert_string_equal(pb_str(t->method_details), "negotiation.quick");
	assert_string_equal(pb_str(t->method_rationale), "noCompetition: natural monopoly");
	t = find(l, PB_T_TENDERS, "ua2");
	assert_string_equal(pb_str(t->method_details), "reporting"); /* more precise than the details */
	assert_string_equal(pb_str(t->method_rationale), "artContractManagement");
	t = find(l, PB_T_TENDERS, "ua3");
	assert_string_equal(pb_str(t->method), "open");
	assert_string_equal(pb_str(t->method_rationale), "stated");
	t = find(l, PB_T_TENDERS, "md");
	assert_null(pb_str(t->method));
	assert_string_equal(pb_str(t->method_details), "Licita\xc5\xa3ie public\xc4\x83");
	assert_null(pb_str(t->method_rationale));
	t = find(l, PB_T_TENDERS, "mx");
	assert_string_equal(pb_str(t->method), "open");
	assert_string_equal(pb_str(t->method_details), "Licitaci\xc3\xb3n P\xc3\xba" "blica");
	t = find(l, PB_T_TENDERS, "tw");
	assert_null(pb_str(t->method));
	/* details are not overwritten by an odd method */
	assert_string_equal(pb_str(t->method_details), "details");
	t = find(l, PB_T_TENDERS, "ug");
	assert_string_equal(pb_str(t->method), "direct");
	assert_string_equal(pb_str(t->method_details), "single supplier");
	pb_ledger_free(l);
}

#define AWARD_R1 \
	"{\"ocid\":\"x\",\"id\":\"r1\",\"date\":\"2024-01-10T00:00:00Z\"," \
	"\"parties\":[{\"id\":\"S1\",\"name\":\"One\",\"roles\":[\"supplier\"]},{\"id\":\"S2\",\"name\":\"Two\",\"roles\":[\"supplier\"]}]," \
	"\"awards\":[{\"id\":\"a1\",\"status\":\"active\",\"date\":\"2024-01-10\",\"value\":{\"amount\":100,\"currency\":\"EUR\"}," \
	"\"suppliers\":[{\"id\":\"S1\",\"name\":\"One\"},{\"id\":\"S2\",\"name\":\"Two\"},{\"id\":\"S1\",\"name\":\"One\"}]}]}"
#define CONTRACT_R2 \
	"{\"ocid\":\"x\",\"id\":\"r2\",\"date\":\"2024-02-01T00:00:00Z\"," \
	"\"contracts\":[{\"id\":\"c1\",\"awardID\":\"a1\",\"status\":\"active\",\"dateSigned\":\"2024-02-01\"," \
	"\"value\":{\"amount\":100,\"currency\":\"EUR\"},\"period\":{\"endDate\":\"2024-12-31\"}}]}"

static void assert_one_row(pb_ledger *l)
{
	size_t n;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	assert_int_equal(n, 1);
	assert_string_equal(pb_str(c->contract_id), "x/a1");
	assert_string_equal(pb_str(c->supplier_id), "x/S1");
	assert_string_equal(pb_str(c->co_supplier_ids), "x/S2");
	assert_int_equal(c->value, 10000);
	assert_int_equal(c->signed_on, pb_date_from_ymd(2024, 2, 1));
	assert_int_equal(c->awarded_on, pb_date_from_ymd(2024, 1, 10));
	assert_string_equal(pb_str(c->award_status), "active");
	assert_string_equal(pb_str(c->status), "active");
	assert_string_equal(pb_row_extra(&c->row, "contract"), "c1");
	const char *ids[4];
	assert_int_equal(pb_contract_suppliers(l, c, ids, 4), 2);
	assert_string_equal(ids[1], "x/S2");
	assert_int_equal(pb_ledger_count(l, PB_T_AMENDMENTS), 0);
}

/* An award and its contract in separate releases are one row, whatever
 * the order of the releases and whether they share a file. */
static void test_compiled_per_ocid(void **state)
{
	(void)state;
	const char *names[] = {"award.json", "contract.json"};
	const char *one[] = {"{\"releases\":[" AWARD_R1 "," CONTRACT_R2 "]}"};
	const char *reversed[] = {"{\"releases\":[" CONTRACT_R2 "," AWARD_R1 "]}"};
	const char *two[] = {"{\"releases\":[" AWARD_R1 "]}", "{\"releases\":[" CONTRACT_R2 "]}"};
	const char *two_rev[] = {"{\"releases\":[" CONTRACT_R2 "]}", "{\"releases\":[" AWARD_R1 "]}"};
	const char *lines[] = {AWARD_R1 "\n" CONTRACT_R2 "\n"};
	const char *jsonl[] = {"x.jsonl"};

	pb_ledger *l = import_run(names, one, 1);
	assert_one_row(l);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_read, 2);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 2);
	pb_ledger_free(l);
	assert_one_row(l = import_run(names, reversed, 1));
	pb_ledger_free(l);
	assert_one_row(l = import_run(names, two, 2));
	pb_ledger_free(l);
	assert_one_row(l = import_run(names, two_rev, 2));
	pb_ledger_free(l);
	assert_one_row(l = import_run(jsonl, lines, 1));
	pb_ledger_free(l);
}

/* Near misses: two awards of one ocid stay two rows; an award split
 * into two contracts is two rows, the second naming the award's
 * suppliers; a later release without suppliers keeps them. */
static void test_compiled_near_misses(void **state)
{
	(void)state;
	const char *names[] = {"near.json"};
	const char *text[] = {"{\"releases\":["
		"{\"ocid\":\"y\",\"id\":\"r1\",\"date\":\"2024-01-01T00:00:00Z\","
		"\"awards\":[{\"id\":\"a1\",\"value\":{\"amount\":10,\"currency\":\"EUR\"},\"suppliers\":[{\"id\":\"S1\",\"name\":\"One\"}]},"
		"{\"id\":\"a2\",\"value\":{\"amount\":10,\"currency\":\"EUR\"},\"suppliers\":[{\"id\":\"S2\",\"name\":\"Two\"}]}]},"
		"{\"ocid\":\"y\",\"id\":\"r2\",\"date\":\"2024-02-01T00:00:00Z\","
		"\"awards\":[{\"id\":\"a1\",\"status\":\"active\",\"suppliers\":[]}],"
		"\"contracts\":[{\"id\":\"c1\",\"awardID\":\"a1\",\"value\":{\"amount\":6,\"currency\":\"EUR\"}},"
		"{\"id\":\"c2\",\"awardID\":\"a1\",\"value\":{\"amount\":4,\"currency\":\"EUR\"}}]}]}"};

	pb_ledger *l = import_run(names, text, 1);
	size_t n;
	pb_ledger_contracts(l, &n);
	assert_int_equal(n, 3);
	const pb_contract *a1 = find(l, PB_T_CONTRACTS, "y/a1");
	assert_string_equal(pb_str(a1->supplier_id), "y/S1");
	assert_null(pb_str(a1->co_supplier_ids));
	assert_int_equal(a1->value, 600); /* the signed contract's value */
	assert_string_equal(pb_str(a1->award_status), "active");
	const pb_contract *a2 = find(l, PB_T_CONTRACTS, "y/a2");
	assert_string_equal(pb_str(a2->supplier_id), "y/S2");
	assert_int_equal(a2->value, 1000);
	const pb_contract *c2 = find(l, PB_T_CONTRACTS, "y/contract/c2");
	assert_non_null(c2);
	assert_string_equal(pb_str(c2->supplier_id), "y/S1");
	assert_int_equal(c2->value, 400);
	assert_int_equal(pb_ledger_count(l, PB_T_AMENDMENTS), 0);
	pb_ledger_free(l);
}

/* Paraguay: an award to several suppliers, one contract each naming its
 * own supplier (an object); a further contract naming none stands for
 * all of the award's suppliers, not the first contract's. */
static void test_contract_suppliers(void **state)
{
	(void)state;
	const char *names[] = {"py-award.json", "py-contracts.json"};
	const char *text[] = {"{\"releases\":[{\"ocid\":\"p\",\"id\":\"award\",\"date\":\"2024-01-01T00:00:00Z\","
		"\"awards\":[{\"id\":\"a\",\"value\":{\"amount\":30,\"currency\":\"PYG\"},"
		"\"suppliers\":[{\"name\":\"DATA LAB SA\",\"identifier\":{\"scheme\":\"RUC\",\"id\":\"1\"}},"
		"{\"name\":\"PARASUR SA\",\"identifier\":{\"scheme\":\"RUC\",\"id\":\"2\"}}]}]}]}",
		"{\"releases\":[{\"ocid\":\"p\",\"id\":\"c5\",\"date\":\"2024-02-01T00:00:00Z\","
		"\"contracts\":[{\"id\":\"c5\",\"awardID\":\"a\",\"value\":{\"amount\":20,\"currency\":\"PYG\"},"
		"\"suppliers\":{\"name\":\"DATA LAB SA\",\"identifier\":{\"scheme\":\"RUC\",\"id\":\"1\"}}}]},"
		"{\"ocid\":\"p\",\"id\":\"c6\",\"date\":\"2024-02-02T00:00:00Z\","
		"\"contracts\":[{\"id\":\"c6\",\"awardID\":\"a\",\"value\":{\"amount\":10,\"currency\":\"PYG\"},"
		"\"suppliers\":{\"name\":\"PARASUR SA\",\"identifier\":{\"scheme\":\"RUC\",\"id\":\"2\"}}}]},"
		"{\"ocid\":\"p\",\"id\":\"c7\",\"date\":\"2024-03-01T00:00:00Z\","
		"\"contracts\":[{\"id\":\"c5-ampliacion\",\"awardID\":\"a\"}]}]}"};

	pb_ledger *l = import_run(names, text, 2);
	assert_int_equal(pb_ledger_count(l, PB_T_CONTRACTS), 3);
	const pb_contract *c = find(l, PB_T_CONTRACTS, "p/a");
	assert_string_equal(pb_str(c->supplier_id), "RUC:1");
	assert_null(pb_str(c->co_supplier_ids));
	assert_int_equal(c->value, 20);
	c = find(l, PB_T_CONTRACTS, "p/contract/c6");
	assert_string_equal(pb_str(c->supplier_id), "RUC:2");
	assert_null(pb_str(c->co_supplier_ids));
	assert_int_equal(c->value, 10);
	c = find(l, PB_T_CONTRACTS, "p/contract/c5-ampliacion");
	assert_string_equal(pb_str(c->supplier_id), "RUC:1");
	assert_string_equal(pb_str(c->co_supplier_ids), "RUC:2");
	assert_int_equal(c->value, PB_AMOUNT_NONE);
	pb_ledger_free(l);
}

/* Mexico's GACM publishes an award without an id and a contract citing
 * no award in one release: they are one award and its contract, one row.
 * With two such awards the contract cannot be placed: three rows. */
static void test_unlinked_award_and_contract(void **state)
{
	(void)state;
	const char *one[] = {"{\"releases\":[{\"ocid\":\"370\",\"id\":\"r\",\"date\":\"2017-02-09T06:00:00Z\","
		"\"tender\":{\"procurementMethod\":\"limited\"},"
		"\"awards\":[{\"status\":\"active\",\"date\":\"2016-07-15\",\"value\":{\"amount\":100,\"currency\":\"MXN\"},"
		"\"suppliers\":[{\"name\":\"JEFATURA DE POLICIA\"}]}],"
		"\"contracts\":[{\"id\":\"AD-08/16\",\"status\":\"active\",\"dateSigned\":\"2016-07-15\","
		"\"value\":{\"amount\":100,\"currency\":\"MXN\"}}]}]}"};
	const char *name[] = {"gacm.json"};

	pb_ledger *l = import_run(name, one, 1);
	assert_int_equal(pb_ledger_count(l, PB_T_CONTRACTS), 1);
	const pb_contract *c = find(l, PB_T_CONTRACTS, "370/award#0");
	assert_non_null(c);
	assert_string_equal(pb_row_extra(&c->row, "contract"), "AD-08/16");
	assert_non_null(c->supplier_id);
	pb_ledger_free(l);

	const char *two[] = {"{\"releases\":[{\"ocid\":\"371\",\"id\":\"r\",\"date\":\"2017-02-09T06:00:00Z\","
		"\"awards\":[{\"status\":\"active\",\"value\":{\"amount\":100,\"currency\":\"MXN\"}},"
		"{\"status\":\"active\",\"value\":{\"amount\":50,\"currency\":\"MXN\"}}],"
		"\"contracts\":[{\"id\":\"C\",\"value\":{\"amount\":100,\"currency\":\"MXN\"}}]}]}"};
	l = import_run(name, two, 1);
	assert_int_equal(pb_ledger_count(l, PB_T_CONTRACTS), 3);
	assert_non_null(find(l, PB_T_CONTRACTS, "371/contract/C"));
	pb_ledger_free(l);
}

/* The newest release by date wins each field, whatever the file order;
 * an older release read later only fills gaps. */
static void test_newest_wins(void **state)
{
	(void)state;
	const char *names[] = {"new.json", "old.json", "award-only.json"};
	const char *text[] = {
		"{\"releases\":[{\"ocid\":\"z\",\"id\":\"r3\",\"date\":\"2024-03-01T00:00:00Z\","
		"\"tender\":{\"status\":\"cancelled\"},"
		"\"awards\":[{\"id\":\"a1\",\"status\":\"cancelled\",\"value\":{\"amount\":5,\"currency\":\"EUR\"}}]}]}",
		"{\"releases\":[{\"ocid\":\"z\",\"id\":\"r1\",\"date\":\"2024-01-01T00:00:00Z\","
		"\"tender\":{\"status\":\"active\",\"title\":\"Old title\"},"
		"\"awards\":[{\"id\":\"a1\",\"status\":\"pending\",\"value\":{\"amount\":9,\"currency\":\"EUR\"},"
		"\"suppliers\":[{\"id\":\"S\",\"name\":\"S\"}]}]}]}",
		"{\"releases\":[{\"ocid\":\"z\",\"id\":\"r4\",\"date\":\"2024-04-01T00:00:00Z\","
		"\"awards\":[{\"id\":\"a1\",\"status\":\"cancelled\"}]}]}"};

	pb_ledger *l = import_run(names, text, 3);
	const pb_tender *t = find(l, PB_T_TENDERS, "z");
	assert_string_equal(pb_str(t->status), "cancelled");
	assert_string_equal(pb_str(t->title), "Old title"); /* a gap the older release fills */
	/* r4 says nothing of the tender: the row still points at r3's. */
	assert_string_equal(pb_row_extra(&t->row, "release_id"), "r3");
	assert_non_null(strstr(pb_row_file(&t->row), "new.json"));
	const pb_contract *c = find(l, PB_T_CONTRACTS, "z/a1");
	assert_string_equal(pb_str(c->award_status), "cancelled");
	assert_int_equal(c->value, 500);
	assert_string_equal(pb_str(c->supplier_id), "z/S");
	assert_int_equal(pb_ledger_count(l, PB_T_AMENDMENTS), 0); /* an older value is no amendment */
	pb_ledger_free(l);
}

#define CHANGE_R(id, date, amount, end, more) \
	"{\"ocid\":\"v\",\"id\":\"" id "\",\"date\":\"" date "\"," \
	"\"awards\":[{\"id\":\"a1\",\"value\":{\"amount\":100,\"currency\":\"EUR\"},\"suppliers\":[{\"id\":\"S\",\"name\":\"S\"}]}]," \
	"\"contracts\":[{\"id\":\"c1\",\"awardID\":\"a1\",\"value\":{\"amount\":" amount ",\"currency\":\"EUR\"}," \
	"\"period\":{\"startDate\":\"2024-01-01\",\"endDate\":\"" end "\"}" more "}]}"

/* A value or end date that changes between releases is an amendment;
 * the row keeps the first published ones. */
static void test_changes_between_releases(void **state)
{
	(void)state;
	const char *names[] = {"v1.json", "v2.json"};
	const char *one[] = {"{\"releases\":["
		CHANGE_R("r1", "2024-01-01T00:00:00Z", "100", "2024-12-31", "") ","
		CHANGE_R("r2", "2024-06-01T00:00:00Z", "150", "2025-06-30", "") ","
		CHANGE_R("r3", "2024-07-01T00:00:00Z", "150", "2025-06-30", "") ","
		CHANGE_R("r4", "2024-08-01T00:00:00Z", "180", "2025-06-30", "") "]}"};

	pb_ledger *l = import_run(names, one, 1);
	const pb_contract *c = find(l, PB_T_CONTRACTS, "v/a1");
	assert_int_equal(c->value, 10000);
	assert_int_equal(c->end_on, pb_date_from_ymd(2024, 12, 31));
	assert_int_equal(pb_ledger_count(l, PB_T_AMENDMENTS), 2); /* r3 changed nothing */
	const pb_amendment *a = find(l, PB_T_AMENDMENTS, "v/a1/change/r2");
	assert_non_null(a);
	assert_string_equal(pb_str(a->contract_id), "v/a1");
	assert_int_equal(a->value_before, 10000);
	assert_int_equal(a->value_after, 15000);
	assert_string_equal(pb_str(a->currency), "EUR");
	assert_int_equal(a->end_before, pb_date_from_ymd(2024, 12, 31));
	assert_int_equal(a->end_after, pb_date_from_ymd(2025, 6, 30));
	assert_int_equal(a->amended_on, pb_date_from_ymd(2024, 6, 1));
	assert_string_equal(pb_str(a->rationale),
			    "value and end date changed between releases r1 and r2");
	a = find(l, PB_T_AMENDMENTS, "v/a1/change/r4");
	assert_int_equal(a->value_before, 15000);
	assert_int_equal(a->value_after, 18000);
	assert_int_equal(a->end_before, PB_DATE_NONE);
	assert_string_equal(pb_str(a->rationale), "value changed between releases r3 and r4");
	pb_ledger_free(l);

	/* The same across two files of one run. */
	const char *two[] = {"{\"releases\":[" CHANGE_R("r1", "2024-01-01T00:00:00Z", "100", "2024-12-31", "") "]}",
			     "{\"releases\":[" CHANGE_R("r2", "2024-06-01T00:00:00Z", "150", "2024-12-31", "") ","
			     CHANGE_R("r3", "2024-07-01T00:00:00Z", "150", "2024-12-31", "") "]}"};
	l = import_run(names, two, 2);
	assert_int_equal(pb_ledger_count(l, PB_T_AMENDMENTS), 1);
	a = find(l, PB_T_AMENDMENTS, "v/a1/change/r2");
	assert_int_equal(a->value_after, 15000);
	assert_string_equal(pb_str(a->rationale), "value changed between releases r1 and r2");
	pb_ledger_free(l);

	/* Near misses: two releases of one date have no order; an older
	 * release read last changes nothing; a currency change is not a
	 * value change. */
	const char *same[] = {"{\"releases\":["
		CHANGE_R("r1", "2024-01-01T00:00:00Z", "100", "2024-12-31", "") ","
		CHANGE_R("r2", "2024-01-01T00:00:00Z", "150", "2025-12-31", "") "]}",
		"{\"releases\":[" CHANGE_R("r0", "2023-01-01T00:00:00Z", "90", "2024-06-30", "") "]}"};
	l = import_run(names, same, 2);
	assert_int_equal(pb_ledger_count(l, PB_T_AMENDMENTS), 0);
	pb_ledger_free(l);
}

/* An OCDS amendment is the change of its release (one row, its own
 * rationale); one without values takes them from the releases it cites. */
static void test_amendment_values(void **state)
{
	(void)state;
	const char *names[] = {"am.json"};
	const char *text[] = {"{\"releases\":["
		CHANGE_R("r1", "2024-01-01T00:00:00Z", "100", "2024-12-31", "") ","
		CHANGE_R("r2", "2024-06-01T00:00:00Z", "150", "2024-12-31",
			 ",\"amendments\":[{\"id\":\"m1\",\"date\":\"2024-05-30\",\"rationale\":\"indexation\","
			 "\"amendsReleaseID\":\"r1\",\"releaseID\":\"r2\"}]") ","
		CHANGE_R("r3", "2024-07-01T00:00:00Z", "170", "2024-12-31",
			 ",\"amendments\":[{\"id\":\"m1\",\"date\":\"2024-05-30\",\"rationale\":\"indexation\","
			 "\"amendsReleaseID\":\"r1\",\"releaseID\":\"r2\"},{\"id\":\"m2\",\"rationale\":\"more work\"}]") "]}"};

	pb_ledger *l = import_run(names, text, 1);
	assert_int_equal(pb_ledger_count(l, PB_T_AMENDMENTS), 2);
	const pb_amendment *m1 = find(l, PB_T_AMENDMENTS, "v/a1/amendment/m1");
	assert_int_equal(m1->value_before, 10000);
	assert_int_equal(m1->value_after, 15000);
	assert_int_equal(m1->amended_on, pb_date_from_ymd(2024, 5, 30));
	assert_string_equal(pb_str(m1->rationale), "indexation");
	const pb_amendment *m2 = find(l, PB_T_AMENDMENTS, "v/a1/amendment/m2");
	assert_int_equal(m2->value_before, 15000); /* the change of its release */
	assert_int_equal(m2->value_after, 17000);
	assert_string_equal(pb_str(m2->rationale), "more work");
	assert_null(find(l, PB_T_AMENDMENTS, "v/a1/change/r2"));
	assert_null(find(l, PB_T_AMENDMENTS, "v/a1/change/r3"));
	const pb_contract *c = find(l, PB_T_CONTRACTS, "v/a1");
	assert_int_equal(c->value, 10000);
	assert_string_equal(pb_row_extra(&c->row, "amended_by"), "v/a1/amendment/m2");
	pb_ledger_free(l);
}

/* Moldova's {"changes": []} and Montreal's {} on every contract are no
 * amendments; an amendment with only a date is one. */
static void test_empty_amendments(void **state)
{
	(void)state;
	const char *names[] = {"empty.json"};
	const char *text[] = {"{\"releases\":[{\"ocid\":\"e\",\"contracts\":["
		"{\"id\":\"c1\",\"amendment\":{\"changes\":[]}},"
		"{\"id\":\"c2\",\"amendments\":[{},{\"changes\":{}},{\"rationale\":\"\"}]},"
		"{\"id\":\"c3\",\"amendment\":{\"date\":\"2015-01-02\",\"changes\":[]}},"
		"{\"id\":\"c4\",\"amendment\":{\"changes\":[{\"property\":\"value\",\"former_value\":1}]}}]}]}"};

	pb_ledger *l = import_run(names, text, 1);
	assert_int_equal(pb_ledger_count(l, PB_T_AMENDMENTS), 2);
	assert_non_null(find(l, PB_T_AMENDMENTS, "e/contract/c3/amendment#0"));
	assert_non_null(find(l, PB_T_AMENDMENTS, "e/contract/c4/amendment#0"));
	pb_ledger_free(l);
}

/* Awards and contracts are matched through maps: 16 000 of each in one
 * release are all matched (a nested scan took 27 s; how long the maps
 * take is for a benchmark, not a unit test). */
static void test_many_awards(void **state)
{
	(void)state;
	enum { N = 16000 };
	pb_buf b;
	const char *names[] = {"many.json"};

	pb_buf_init(&b);
	pb_buf_addstr(&b, "{\"releases\":[{\"ocid\":\"big\",\"date\":\"2024-01-01T00:00:00Z\",\"awards\":[");
	for (int i = 0; i < N; i++)
		pb_buf_addf(&b, "%s{\"id\":\"a%d\",\"value\":{\"amount\":%d,\"currency\":\"EUR\"},"
			    "\"suppliers\":[{\"id\":\"S%d\",\"name\":\"S%d\"}]}", i ? "," : "", i, i + 1, i % 97, i % 97);
	pb_buf_addstr(&b, "],\"contracts\":[");
	for (int i = N - 1; i >= 0; i--)
		pb_buf_addf(&b, "%s{\"id\":\"c%d\",\"awardID\":\"a%d\",\"dateSigned\":\"2024-02-01\"}",
			    i < N - 1 ? "," : "", i, i);
	pb_buf_addstr(&b, "]}]}");
	const char *text[] = {b.data};
	pb_ledger *l = import_run(names, text, 1);
	assert_int_equal(pb_ledger_count(l, PB_T_CONTRACTS), N);
	const pb_contract *c = find(l, PB_T_CONTRACTS, "big/a123");
	assert_int_equal(c->value, 12400);
	assert_int_equal(c->signed_on, pb_date_from_ymd(2024, 2, 1));
	pb_ledger_free(l);
	pb_buf_release(&b);
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
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_unread_dates),
		cmocka_unit_test(test_unread_record_once),
		cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_nul_in_strings),
		cmocka_unit_test(test_concatenated_resume),
		cmocka_unit_test(test_records_versioned),
		cmocka_unit_test(test_ocds_10),
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_doubtful_deadline), cmocka_unit_test(test_award_dated_by_release), cmocka_unit_test(test_procurement_type),
		cmocka_unit_test(test_jsonl_more),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_jsonl_parallel_same_as_serial),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_procedure),
		cmocka_unit_test(test_compiled_per_ocid),
		cmocka_unit_test(test_compiled_near_misses),
		cmocka_unit_test(test_contract_suppliers),
		cmocka_unit_test(test_unlinked_award_and_contract),
		cmocka_unit_test(test_newest_wins),
		cmocka_unit_test(test_changes_between_releases),
		cmocka_unit_test(test_amendment_values),
		cmocka_unit_test(test_empty_amendments),
		cmocka_unit_test(test_many_awards),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
