/* test_csv.c - the CSV importer: values, line numbers, resync, profiles. */
#include <iconv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../importers/importers.h"

static char dir[] = "/tmp/probity-csv-XXXXXX";

static const char *write_file(const char *name, const char *text, size_t n)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	fwrite(text, 1, n, f);
	fclose(f);
	return path;
}

struct run {
	pb_ledger *l;
	pb_config cfg;
	pb_error err;
	int rc;
};

static void import(struct run *r, const char *name, const char *text, size_t n,
		   const char *table)
{
	const char *path = write_file(name, text, n);

	r->l = pb_ledger_new(r->cfg.base_currency);
	r->rc = pb_import_path(r->l, path, table, &r->cfg, &r->err);
	pb_ledger_seal(r->l);
}

static void done(struct run *r)
{
	pb_ledger_free(r->l);
	pb_config_release(&r->cfg);
}

static void expect_rejection(pb_ledger *l, uint64_t line, const char *text)
{
	const pb_rejection *rj = pb_ledger_rejections(l);

	for (size_t i = 0; i < pb_ledger_nrejections(l); i++)
		if (rj[i].line == line && strstr(rj[i].reason, text))
			return;
	fail_msg("no rejection at line %llu containing '%s'", (unsigned long long)line, text);
}

static void reconciles(pb_ledger *l)
{
	const pb_input *in = pb_ledger_inputs(l);

	for (size_t i = 0; i < pb_ledger_ninputs(l); i++)
		assert_int_equal(in[i].rows_read, in[i].rows_imported + in[i].rows_rejected);
}

#define IMPORT(r, name, lit, table) import(r, name, lit, sizeof(lit) - 1, table)

static void test_values_and_extras(void **state)
{
	struct run r;
	size_t n;
	(void)state;

	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv",
	       "payment_id,payer_id,payee_id,amount,currency,paid_on,Cost Centre\n"
	       "P1,MOD,S1,1234.56,,2024-03-31,CC-7\n"
	       "P2,MOD,S1,100,JPY,2024-04-01T09:00:00+03:00,\n", NULL);
	assert_int_equal(r.rc, 0);
	const pb_payment *p = pb_ledger_payments(r.l, &n);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].amount, 123456);
	assert_string_equal(pb_str(p[0].currency), "EUR");
	assert_int_equal(p[0].paid_on, pb_date_from_ymd(2024, 3, 31));
	assert_null(pb_str(p[0].contract_id));
	uint32_t nx;
	const pb_attr *x = pb_row_extras(&p[0].row, &nx);
	assert_int_equal(nx, 1);
	assert_string_equal(x[0].name, "Cost Centre");
	assert_string_equal(x[0].value, "CC-7");
	assert_ptr_equal(pb_row_file(&p[0].row), pb_ledger_inputs(r.l)[0].path);
	assert_int_equal(p[0].row.line, 2);
	assert_int_equal(p[1].amount, 100);
	assert_string_equal(pb_str(p[1].currency), "JPY");
	assert_int_equal(p[1].row.line, 3);
	assert_null(pb_row_extras(&p[1].row, &nx));
	assert_int_equal(nx, 0);
	/* A row with nothing but its file and line holds no more. */
	assert_int_equal(p[1].row.origin & PB_ROW_MORE, 0);
	assert_ptr_equal(pb_row_file(&p[1].row), pb_ledger_inputs(r.l)[0].path);
	assert_null(pb_row_path(&p[1].row));
	/* Interned: the same id is the same pointer across rows. */
	assert_ptr_equal(pb_str(p[0].payee_id), pb_str(p[1].payee_id));
	done(&r);

	/* Unknown columns: the first 256 are kept, not 300 per row. */
	pb_buf text;
	pb_buf_init(&text);
	pb_buf_addstr(&text, "payment_id");
	for (int i = 0; i < 300; i++)
		pb_buf_addf(&text, ",x%d", i);
	pb_buf_addstr(&text, "\nP1");
	for (int i = 0; i < 300; i++)
		pb_buf_addf(&text, ",v%d", i);
	pb_buf_addch(&text, '\n');
	pb_config_init(&r.cfg);
	import(&r, "payments.csv", text.data, text.len, NULL);
	pb_buf_release(&text);
	assert_int_equal(r.rc, 0);
	p = pb_ledger_payments(r.l, &n);
	assert_int_equal(n, 1);
	x = pb_row_extras(&p[0].row, &nx);
	assert_int_equal(nx, 256);
	assert_string_equal(x[255].name, "x255");
	assert_string_equal(x[255].value, "v255");
	done(&r);

	/* A column invoice_date is the extra payments.duplicate reads as a
	 * date: one that is none is listed as not read, named as the
	 * header names it; the same column of another table is only text. */
	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv", "payment_id,amount,invoice_date\nP1,10,2024-03-31\nP2,10,31/03/2024\n",
	       NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(pb_ledger_nunread(r.l), 1);
	assert_string_equal(pb_ledger_unread_values(r.l)[0].reason,
			    "invoice_date: '31/03/2024' is not an ISO 8601 date (YYYY-MM-DD); kept as unknown");
	assert_int_equal(pb_ledger_unread_values(r.l)[0].line, 3);
	done(&r);
	pb_config_init(&r.cfg);
	IMPORT(&r, "amendments.csv", "amendment_id,invoice_date\nA1,31/03/2024\n", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(pb_ledger_nunread(r.l), 0);
	done(&r);
}

/* Free text (titles, descriptions, rationales) is kept as written, not
 * interned: ids are, and a run of rows with one rationale shares a copy. */
static void test_free_text_kept(void **state)
{
	struct run r;
	size_t n;
	(void)state;

	pb_config_init(&r.cfg);
	IMPORT(&r, "tenders.csv",
	       "tender_id,buyer_id,title,method_rationale\n"
	       "T1,MOD,Boots for the infantry,urgency\n"
	       "T2,MOD,  Tents ,urgency\n"
	       "T3,MOD,Boots for the infantry,\n", NULL);
	assert_int_equal(r.rc, 0);
	const pb_tender *t = pb_ledger_tenders(r.l, &n);
	assert_int_equal(n, 3);
	assert_string_equal(pb_str(t[0].title), "Boots for the infantry");
	assert_string_equal(pb_str(t[1].title), "Tents");
	assert_string_equal(pb_str(t[2].title), "Boots for the infantry");
	assert_ptr_not_equal(pb_str(t[0].title), pb_str(t[2].title)); /* copies: compared by bytes */
	/* one run, one copy */
	assert_ptr_equal(pb_str(t[0].method_rationale), pb_str(t[1].method_rationale));
	assert_null(pb_str(t[2].method_rationale));
	assert_null(pb_ledger_lookup(r.l, "Boots for the infantry", 22));
	assert_null(pb_ledger_lookup(r.l, "urgency", 7));
	assert_ptr_equal(pb_ledger_lookup(r.l, "T2", 2), pb_str(t[1].tender_id));
	assert_ptr_equal(pb_str(t[0].buyer_id), pb_str(t[2].buyer_id));
	done(&r);
}

struct hashed_id {
	uint32_t hash, k;
};

static int by_hash(const void *pa, const void *pb)
{
	const struct hashed_id *a = pa, *b = pb;

	return a->hash != b->hash ? (a->hash < b->hash ? -1 : 1) : (a->k > b->k) - (a->k < b->k);
}

/*
 * The importer remembers texts it interned lately by their hash: two ids
 * of one length and one 32-bit hash (found among 300 000) are still each
 * their own text, and a text met again, in any column and after others,
 * is the string table's one copy.
 */
static void test_seen_texts(void **state)
{
	enum { IDS = 300000 };
	struct run r;
	char ids[2][16];
	size_t n;
	int found = 0;
	pb_buf csv;
	struct hashed_id *h = calloc(IDS, sizeof(*h));
	(void)state;

	assert_non_null(h);
	for (uint32_t k = 0; k < IDS; k++) {
		snprintf(ids[0], sizeof(ids[0]), "ID-%06u", k);
		h[k] = (struct hashed_id){pb_intern_hash(ids[0], 9), k};
	}
	qsort(h, IDS, sizeof(*h), by_hash);
	for (size_t i = 1; i < IDS && !found; i++)
		if (h[i].hash == h[i - 1].hash) {
			snprintf(ids[0], sizeof(ids[0]), "ID-%06u", h[i - 1].k);
			snprintf(ids[1], sizeof(ids[1]), "ID-%06u", h[i].k);
			found = 1;
		}
	free(h);
	assert_true(found);
	assert_int_equal(pb_intern_hash(ids[0], 9), pb_intern_hash(ids[1], 9));
	pb_config_init(&r.cfg);
	pb_buf_init(&csv);
	pb_buf_addstr(&csv, "payment_id,payer_id,payee_id,approver_id,amount,currency\n");
	for (int i = 0; i < 40; i++)
		pb_buf_addf(&csv, "P-%d,MOD,%s,%s,100.00,EUR\n", i, ids[i % 3 == 0], ids[i % 2]);
	import(&r, "seen_payments.csv", csv.data, csv.len, NULL);
	pb_buf_release(&csv);
	assert_int_equal(r.rc, 0);
	const pb_payment *p = pb_ledger_payments(r.l, &n);
	assert_int_equal(n, 40);
	const char *copy[2] = {pb_ledger_lookup(r.l, ids[0], 9), pb_ledger_lookup(r.l, ids[1], 9)};
	assert_non_null(copy[0]);
	assert_non_null(copy[1]);
	assert_ptr_not_equal(copy[0], copy[1]);
	for (int i = 0; i < 40; i++) {
		assert_ptr_equal(pb_str(p[i].payee_id), copy[i % 3 == 0]);
		assert_ptr_equal(pb_str(p[i].approver_id), copy[i % 2]);
	}
	done(&r);
}

static void test_lines_after_multiline_field(void **state)
{
	struct run r;
	(void)state;

	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv",
	       "payment_id,amount,description\n"
	       "P1,1,\"two\nlines\"\n"
	       "P2,x,ok\n"
	       "\n"
	       "P3,3,\"a,\"\"quoted\"\", b\"\n"
	       "P4,4,\"never closed\n"
	       "P5,5,ok\n", NULL);
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	expect_rejection(r.l, 4, "amount 'x' is not a number");
	expect_rejection(r.l, 7, "unterminated quoted field");
	assert_int_equal(pb_ledger_count(r.l, PB_T_PAYMENTS), 3);
	const pb_payment *p5 = pb_ledger_find(r.l, PB_T_PAYMENTS, pb_ledger_intern(r.l, "P5", 2));
	assert_non_null(p5);
	assert_int_equal(p5->row.line, 8);
	const pb_payment *p3 = pb_ledger_find(r.l, PB_T_PAYMENTS, pb_ledger_intern(r.l, "P3", 2));
	assert_string_equal(pb_str(p3->description), "a,\"quoted\", b");
	done(&r);
}

static void test_delimiters_bom_crlf(void **state)
{
	struct run r;
	(void)state;

	pb_config_init(&r.cfg);
	IMPORT(&r, "bids.csv", "\xEF\xBB\xBF" "bid_id;tender_id;value\r\nB1;T1;5\r\nB2;T1;6\r\n", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(pb_ledger_count(r.l, PB_T_BIDS), 2);
	done(&r);
	pb_config_init(&r.cfg);
	/* Excel's "sep=" line names the delimiter and is not the header. */
	IMPORT(&r, "bids.csv", "sep=|\r\nbid_id|value\r\nB1|1,5\r\nB2|2\r\n", NULL);
	assert_int_equal(r.rc, 0);
	expect_rejection(r.l, 3, "value '1,5' is not a number");
	assert_int_equal(((const pb_bid *)pb_ledger_at(r.l, PB_T_BIDS, 0))->row.line, 4);
	done(&r);
	pb_config_init(&r.cfg);
	/* A BOM before a quoted header cell is not text before a quote. */
	IMPORT(&r, "bids.csv", "\xEF\xBB\xBF\"bid_id\",\"value\"\n\"B1\",\"7\"\n", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(((const pb_bid *)pb_ledger_at(r.l, PB_T_BIDS, 0))->value, 700);
	done(&r);
	pb_config_init(&r.cfg);
	IMPORT(&r, "bids.tsv", "bid_id\ttender_id\tvalue\nB1\tT1\t5.5\n", NULL);
	assert_int_equal(r.rc, 0);
	const pb_bid *b = pb_ledger_at(r.l, PB_T_BIDS, 0);
	assert_int_equal(b->value, 550);
	done(&r);
}

static void test_profile(void **state)
{
	struct run r;
	size_t n;
	(void)state;

	pb_config_init(&r.cfg);
	pb_profile prof;
	memset(&prof, 0, sizeof(prof));
	prof.name = (char *)"bank";
	prof.files = (char *)"export_*.csv";
	prof.table = (char *)"payments";
	prof.numfmt.decimal = ',';
	prof.numfmt.thousands = '.';
	prof.date_format = (char *)"DD.MM.YYYY";
	prof.encoding = (char *)"windows-1251";
	char *alts[] = {(char *)"Номер", (char *)"Сума", (char *)"Дата"};
	pb_rename ren[] = {
		{.canonical = (char *)"payment_id", .source = alts[0], .alts = &alts[0], .nalts = 1},
		{.canonical = (char *)"amount", .source = alts[1], .alts = &alts[1], .nalts = 1},
		{.canonical = (char *)"paid_on", .source = alts[2], .alts = &alts[2], .nalts = 1}};
	prof.renames = ren;
	prof.nrenames = 3;
	r.cfg.profiles = &prof;
	r.cfg.nprofiles = 1;
	/* "Номер;Сума;Дата" and a row, in Windows-1251. */
	static const char cp1251[] =
		"\xcd\xee\xec\xe5\xf0;\xd1\xf3\xec\xe0;\xc4\xe0\xf2\xe0\n"
		"P-1;1.234.567,89;31.12.2024\n"
		"P-2;12,5;30.02.2024\n";
	import(&r, "export_1.csv", cp1251, sizeof(cp1251) - 1, NULL);
	assert_int_equal(r.rc, 0);
	const pb_payment *p = pb_ledger_payments(r.l, &n);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].amount, 123456789);
	assert_int_equal(p[0].paid_on, pb_date_from_ymd(2024, 12, 31));
	expect_rejection(r.l, 3, "paid_on '30.02.2024' does not exist");
	r.cfg.profiles = NULL;
	r.cfg.nprofiles = 0;
	done(&r);

	/* Latin-1 under its everyday name; an encoding iconv does not know
	 * is a file error. */
	pb_config_init(&r.cfg);
	memset(&prof, 0, sizeof(prof));
	prof.name = (char *)"legacy";
	prof.files = (char *)"*.csv";
	prof.encoding = (char *)"latin-1";
	prof.delimiter = ';';
	r.cfg.profiles = &prof;
	r.cfg.nprofiles = 1;
	IMPORT(&r, "parties.csv", "party_id;name\nA;Soci\xe9t\xe9 G\xe9n\xe9rale, Paris\n", NULL);
	assert_int_equal(r.rc, 0);
	const pb_party *a = pb_ledger_at(r.l, PB_T_PARTIES, 0);
	assert_string_equal(pb_str(a->name), "Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale, Paris");
	pb_ledger_free(r.l);
	prof.encoding = (char *)"klingon-8";
	IMPORT(&r, "parties.csv", "party_id;name\nA;x\n", NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.code, PB_EXIT_INPUT);
	assert_non_null(strstr(r.err.msg, "encoding 'klingon-8'"));
	r.cfg.profiles = NULL;
	r.cfg.nprofiles = 0;
	done(&r);
}

static void test_table_choice(void **state)
{
	struct run r;
	(void)state;

	pb_config_init(&r.cfg);
	IMPORT(&r, "payments_2024-q1.csv", "payment_id,amount\nP1,1\n", NULL);
	assert_string_equal(pb_ledger_inputs(r.l)[0].table, "payments");
	done(&r);
	pb_config_init(&r.cfg);
	IMPORT(&r, "export.csv", "contract_id,supplier_id,value\nC1,S,1\n", NULL);
	assert_string_equal(pb_ledger_inputs(r.l)[0].table, "contracts");
	done(&r);
	pb_config_init(&r.cfg);
	IMPORT(&r, "export.csv", "payment_id,amount\nP1,1\n", "payments");
	assert_string_equal(pb_ledger_inputs(r.l)[0].table, "payments");
	done(&r);
	pb_config_init(&r.cfg);
	IMPORT(&r, "mystery.csv", "foo,bar\n1,2\n", NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.code, PB_EXIT_INPUT);
	assert_non_null(strstr(r.err.msg, "mystery.csv: cannot tell which table"));
	assert_non_null(strstr(r.err.msg, "relationships"));
	done(&r);
}

static void test_file_errors(void **state)
{
	struct run r;
	(void)state;

	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv", "", NULL);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err.msg, "file is empty"));
	done(&r);
	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv", "amount\n1\n", NULL);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err.msg, "lacks key column 'payment_id'"));
	done(&r);
	pb_config_init(&r.cfg);
	r.l = pb_ledger_new("EUR");
	assert_int_equal(pb_import_path(r.l, "/nonexistent/payments.csv", NULL, &r.cfg, &r.err), -1);
	assert_non_null(strstr(r.err.msg, "/nonexistent/payments.csv: cannot open"));
	done(&r);
}

static void test_bad_rows(void **state)
{
	struct run r;
	static const char text[] =
		"party_id,name,kind,roles,registered_on\n"
		"A,ok,organisation,buyer;supplier,2020-01-01\n"
		"B,nul\0byte,organisation,,\n"
		"C,bad \xff,organisation,,\n"
		"D,x,company,,\n"
		"E,x,person,buyer;king,\n"
		"A,dup,person,,\n"
		"F,x,person,,2023-02-29\n"
		",nokey,person,,\n";
	(void)state;

	pb_config_init(&r.cfg);
	import(&r, "parties.csv", text, sizeof(text) - 1, NULL);
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	assert_int_equal(pb_ledger_count(r.l, PB_T_PARTIES), 1);
	const pb_party *a = pb_ledger_at(r.l, PB_T_PARTIES, 0);
	assert_string_equal(pb_str(a->roles), "buyer;supplier");
	expect_rejection(r.l, 3, "contains a NUL byte");
	expect_rejection(r.l, 4, "is not valid UTF-8: 'bad \\xff'");
	expect_rejection(r.l, 5, "kind 'company' is not one of organisation, person");
	expect_rejection(r.l, 6, "roles 'king' is not one of");
	expect_rejection(r.l, 7, "duplicate parties key 'A' (first at");
	expect_rejection(r.l, 8, "registered_on '2023-02-29' does not exist");
	expect_rejection(r.l, 9, "party_id is empty");
	done(&r);
}

/*
 * A row is first checked eight bytes a step for NULs and bytes above
 * ASCII (row_plain): a NUL or a bad byte at any place in a long row, in
 * a whole word or in the tail, still rejects it, and valid non-ASCII
 * text there still imports.
 */
static void test_bad_bytes_anywhere(void **state)
{
	struct run r;
	pb_buf text;
	(void)state;

	pb_buf_init(&text);
	pb_buf_addstr(&text, "party_id,name,kind\n");
	for (int k = 0; k < 40; k++) {
		/* Line 2 + 3k: a NUL at offset k of the name; then a lone 0xff;
		 * then a valid "\xc3\xa9" (é). */
		for (int bad = 0; bad < 3; bad++) {
			pb_buf_addf(&text, "P%d-%d,", k, bad);
			for (int i = 0; i < 40; i++) {
				if (i != k)
					pb_buf_addch(&text, 'a' + i % 26);
				else if (bad == 0)
					pb_buf_addch(&text, '\0');
				else if (bad == 1)
					pb_buf_addch(&text, '\xff');
				else
					pb_buf_addstr(&text, "\xc3\xa9");
			}
			pb_buf_addstr(&text, ",organisation\n");
		}
	}
	pb_config_init(&r.cfg);
	import(&r, "parties.csv", text.data, text.len, NULL);
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	assert_int_equal(pb_ledger_count(r.l, PB_T_PARTIES), 40);
	for (uint64_t k = 0; k < 40; k++) {
		expect_rejection(r.l, 2 + 3 * k, "contains a NUL byte");
		expect_rejection(r.l, 3 + 3 * k, "is not valid UTF-8");
	}
	pb_buf_release(&text);
	done(&r);
}

static void test_limits(void **state)
{
	struct run r;
	size_t big = 3u << 20;
	char *text = malloc(big + 100);
	(void)state;

	int k = snprintf(text, 100, "payment_id,description\nP1,");
	memset(text + k, 'x', big);
	memcpy(text + k + big, "\nP2,ok\n", 7);
	pb_config_init(&r.cfg);
	import(&r, "payments.csv", text, (size_t)k + big + 7, NULL);
	free(text);
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	expect_rejection(r.l, 2, "field 'description' is longer than 1048576 bytes");
	assert_int_equal(pb_ledger_count(r.l, PB_T_PAYMENTS), 1);
	done(&r);

	/* Near miss at the limit: exactly max_field_bytes is fine, one more
	 * is not; a header cell over the limit fails the file. */
	pb_config_init(&r.cfg);
	r.cfg.max_field_bytes = 8;
	IMPORT(&r, "parties.csv", "party_id,name\nP1,12345678\nP2,123456789\n", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(pb_ledger_count(r.l, PB_T_PARTIES), 1);
	expect_rejection(r.l, 3, "field 'name' is longer than 8 bytes");
	done(&r);
	pb_config_init(&r.cfg);
	r.cfg.max_field_bytes = 8;
	IMPORT(&r, "parties.csv", "party_id,name_of_it\nP1,x\n", NULL);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err.msg, "header column 2 is longer than 8 bytes"));
	done(&r);
}

static void test_directory(void **state)
{
	struct run r;
	char sub[300];
	(void)state;

	snprintf(sub, sizeof(sub), "%s/ledgers", dir);
	mkdir(sub, 0700);
	pb_config_init(&r.cfg);
	r.l = pb_ledger_new("EUR");
	assert_int_equal(pb_import_path(r.l, sub, NULL, &r.cfg, &r.err), -1);
	assert_non_null(strstr(r.err.msg, "no ledger files"));
	pb_ledger_free(r.l);
	write_file("ledgers/b_payments.csv", "payment_id\nP1\n", 14);
	write_file("ledgers/a_notes.md", "# notes\n", 8);
	write_file("ledgers/tenders.csv", "tender_id\nT1\n", 13);
	r.l = pb_ledger_new("EUR");
	/* Sorted by name; the .md file is not a ledger and is skipped; the
	 * payments file is recognised by its header. */
	assert_int_equal(pb_import_path(r.l, sub, NULL, &r.cfg, &r.err), 0);
	assert_int_equal(pb_ledger_ninputs(r.l), 2);
	assert_string_equal(pb_ledger_inputs(r.l)[0].table, "payments");
	assert_string_equal(pb_ledger_inputs(r.l)[1].table, "tenders");
	done(&r);
}

/* Everything a folder import leaves in the ledger, as text, in order:
 * inputs and their counts, each table's rows (key, file, line),
 * rejections, values not read and failed files. */
static char *ledger_text(pb_ledger *l)
{
	pb_buf b;

	pb_buf_init(&b);
	for (size_t i = 0; i < pb_ledger_ninputs(l); i++) {
		const pb_input *in = &pb_ledger_inputs(l)[i];
		pb_buf_addf(&b, "input %s %s %s read=%llu imported=%llu rejected=%llu filtered=%llu\n",
			    in->path, in->table, in->format, (unsigned long long)in->rows_read,
			    (unsigned long long)in->rows_imported, (unsigned long long)in->rows_rejected,
			    (unsigned long long)in->rows_filtered);
	}
	for (int t = 0; t < PB_T_COUNT; t++)
		for (size_t i = 0; i < pb_ledger_count(l, (pb_table)t); i++) {
			const pb_row *row = pb_ledger_at(l, (pb_table)t, i);
			pb_buf_addf(&b, "%s %s %s:%llu\n", pb_table_get((pb_table)t)->name,
				    pb_ledger_key(l, (pb_table)t, row), pb_row_file(row),
				    (unsigned long long)row->line);
		}
	for (size_t i = 0; i < pb_ledger_nrejections(l); i++) {
		const pb_rejection *r = &pb_ledger_rejections(l)[i];
		pb_buf_addf(&b, "rejected %s:%llu %s\n", r->path, (unsigned long long)r->line, r->reason);
	}
	for (size_t i = 0; i < pb_ledger_nunread(l); i++) {
		const pb_rejection *r = &pb_ledger_unread_values(l)[i];
		pb_buf_addf(&b, "unread %s:%llu %s\n", r->path, (unsigned long long)r->line, r->reason);
	}
	for (size_t i = 0; i < pb_ledger_nfailed(l); i++)
		pb_buf_addf(&b, "failed %s\n", pb_ledger_failed(l)[i].reason);
	return pb_buf_detach(&b);
}

/* The paths named one by one, each imported in turn (what the command
 * line did before pb_import_paths), or all at once, under cfg (released
 * here). */
static char *import_with(const pb_import_arg *args, size_t n, pb_config *cfg, int one_by_one,
			 int *rc)
{
	pb_error err;
	pb_ledger *l = pb_ledger_new("EUR");

	*rc = 0;
	if (!one_by_one)
		*rc = pb_import_paths(l, args, n, cfg, &err);
	for (size_t i = 0; one_by_one && i < n && *rc == 0; i++)
		*rc = pb_import_path(l, args[i].path, args[i].table, cfg, &err);
	pb_ledger_seal(l);
	char *text = ledger_text(l);
	pb_ledger_free(l);
	pb_config_release(cfg);
	return text;
}

/* The same on `jobs` threads, a file that cannot be read listed. */
static char *import_named(const pb_import_arg *args, size_t n, int jobs, int one_by_one, int *rc)
{
	pb_config cfg;

	pb_config_init(&cfg);
	cfg.jobs = jobs;
	cfg.keep_going = 1;
	return import_with(args, n, &cfg, one_by_one, rc);
}

static char *import_folder(const char *folder, int jobs, int *rc)
{
	pb_import_arg arg = {folder, NULL};

	return import_named(&arg, 1, jobs, 1, rc);
}

/*
 * Files read ahead on worker threads (-j) make the very ledger that
 * reading them in turn makes: the same rows in the same order, a key
 * met in an earlier file still a duplicate naming where it was first
 * seen, rejections in file and line order, the same counts; an ECB
 * rates file (checked against rates of other files) is read in its
 * turn, and a file that cannot be read is listed where it fell.
 */
static void test_parallel_folder_same_as_serial(void **state)
{
	char sub[300];
	(void)state;

	snprintf(sub, sizeof(sub), "%s/par", dir);
	mkdir(sub, 0700);
#define PAR_FILE(name, lit) write_file("par/" name, lit, sizeof(lit) - 1)
	PAR_FILE("a_tenders.csv", "tender_id,buyer_id,title\nT1,B1,boots\nT2,B1,tents\n"
				  "T1,B1,again\n,B1,no key\nT3,B2,\"radios\"\n");
	PAR_FILE("b_payments.csv", "payment_id,contract_id,amount,currency,paid_on\n"
				   "P1,C1,10.00,EUR,2024-01-02\nP2,C1,ten,EUR,2024-01-03\n"
				   "P3,C2,5.00,EUR,2024-02-30\nP4,C2,7.50,EUR,2024-03-01\n");
	PAR_FILE("c_more_tenders.csv", "tender_id,buyer_id,title\nT2,B9,dup of a file before\n"
				       "T4,B9,new\nT4,B9,dup in this file\nT2,B9,twice here (first in a)\n");
	PAR_FILE("d_fx.csv", "Date,USD,GBP\n2024-01-02,1.0956,0.8614\n");
	PAR_FILE("e_broken.csv", "no,such,table\n1,2,3\n");
	PAR_FILE("f_contracts.csv", "contract_id,tender_id,supplier_id,value,currency,signed_on\n"
				    "C1,T1,S1,100.00,EUR,2024-01-01\nC2,T2,S2,bad,EUR,2024-01-01\n"
				    "C3,T3,S1,30.00,EUR,2024-01-05\n");
#undef PAR_FILE
	int rc1, rc4;
	char *serial = import_folder(sub, 1, &rc1);
	char *parallel = import_folder(sub, 4, &rc4);
	assert_int_equal(rc1, 0);
	assert_int_equal(rc4, 0);
	assert_string_equal(parallel, serial);
	/* the cases the comparison is about are really there */
	assert_non_null(strstr(serial, "duplicate tenders key 'T2' (first at"));
	assert_non_null(strstr(serial, "duplicate tenders key 'T4'"));
	/* T2 twice in c_more_tenders.csv: both name a_tenders.csv */
	assert_non_null(strstr(serial, "c_more_tenders.csv:5 duplicate tenders key 'T2' (first at "));
	assert_non_null(strstr(strstr(serial, "c_more_tenders.csv:5 duplicate"), "a_tenders.csv:3)"));
	assert_non_null(strstr(serial, "input " ));
	assert_non_null(strstr(serial, "d_fx.csv fx csv read=1 imported=1"));
	assert_non_null(strstr(serial, "failed "));
	free(serial);
	free(parallel);
}

/*
 * Files named one by one (the command line's paths and -t NAME=FILE) are
 * read ahead side by side like a folder's, and make the ledger that
 * importing each in turn makes: the same rows in the order named (a
 * folder among them, a file named twice, once with -t), a duplicate key
 * naming the earlier file, and a path that cannot be read listed where
 * it was named.  Without keep_going the first such path stops the run.
 */
static void test_named_paths_same_as_one_by_one(void **state)
{
	char sub[300], paths[6][340];
	(void)state;

	snprintf(sub, sizeof(sub), "%s/named", dir);
	mkdir(sub, 0700);
	snprintf(paths[0], sizeof(paths[0]), "%s/sub", sub);
	mkdir(paths[0], 0700);
#define NAMED_FILE(name, lit) write_file("named/" name, lit, sizeof(lit) - 1)
	NAMED_FILE("z_tenders.csv", "tender_id,buyer_id,title\nT1,B1,boots\nT2,B1,tents\n");
	NAMED_FILE("payments.csv", "payment_id,contract_id,amount,currency,paid_on\n"
				   "P1,C1,10.00,EUR,2024-01-02\nP2,C1,ten,EUR,2024-01-03\n");
	NAMED_FILE("more.csv", "tender_id,buyer_id,title\nT2,B9,dup of the first file\nT3,B9,new\n");
	NAMED_FILE("sub/contracts.csv", "contract_id,tender_id,supplier_id,value,currency\n"
					"C1,T1,S1,100.00,EUR\nC2,T2,S2,bad,EUR\n");
#undef NAMED_FILE
	const char *names[] = {"z_tenders.csv", "payments.csv", "missing.csv", "more.csv", "sub", "more.csv"};
	for (size_t i = 0; i < 6; i++)
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", sub, names[i]);
	pb_import_arg args[] = {{paths[0], NULL}, {paths[1], NULL}, {paths[2], NULL},
				{paths[3], "tenders"}, {paths[4], NULL}, {paths[5], NULL}};
	int rc_serial, rc_parallel;
	char *serial = import_named(args, 6, 1, 1, &rc_serial);
	char *parallel = import_named(args, 6, 4, 0, &rc_parallel);
	assert_int_equal(rc_serial, 0);
	assert_int_equal(rc_parallel, 0);
	assert_string_equal(parallel, serial);
	/* the cases the comparison is about are really there */
	assert_non_null(strstr(serial, "missing.csv: cannot open"));
	assert_non_null(strstr(serial, "more.csv tenders csv read=2 imported=1 rejected=1"));
	assert_non_null(strstr(serial, "duplicate tenders key 'T2' (first at "));
	assert_non_null(strstr(serial, "sub/contracts.csv contracts csv read=2 imported=1"));
	/* more.csv named again, without -t: tenders by its header, and
	 * every row now a duplicate */
	assert_non_null(strstr(serial, "more.csv tenders csv read=2 imported=0 rejected=2"));
	assert_non_null(strstr(serial, "duplicate tenders key 'T3' (first at "));
	free(serial);
	free(parallel);

	/* without keep_going, the run stops at the missing file; the files
	 * named before it are still read */
	pb_config cfg;
	pb_error err;
	pb_config_init(&cfg);
	cfg.jobs = 4;
	pb_ledger *l = pb_ledger_new("EUR");
	assert_int_equal(pb_import_paths(l, args, 6, &cfg, &err), -1);
	assert_int_equal(err.code, PB_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "missing.csv: cannot open"));
	assert_int_equal(pb_ledger_count(l, PB_T_TENDERS), 2);
	assert_int_equal(pb_ledger_count(l, PB_T_PAYMENTS), 1);
	assert_int_equal(pb_ledger_count(l, PB_T_CONTRACTS), 0);
	pb_ledger_free(l);
	pb_config_release(&cfg);
}

/* One file imported with the given jobs and part size, as text. */
static char *import_parts(const char *path, int jobs, size_t part_bytes, int *rc)
{
	pb_import_arg arg = {path, NULL};
	pb_config cfg;

	pb_config_init(&cfg);
	cfg.jobs = jobs;
	cfg.part_bytes = part_bytes;
	return import_with(&arg, 1, &cfg, 0, rc);
}

/* The file read in parts on 2, 4, ... up to max_jobs threads makes the
 * ledger `whole` describes. */
static void same_in_parts(const char *path, const char *whole, int max_jobs, size_t part_bytes)
{
	int rc;

	for (int j = 2; j <= max_jobs; j *= 2) {
		char *parts = import_parts(path, j, part_bytes, &rc);
		assert_int_equal(rc, 0);
		assert_string_equal(parts, whole);
		free(parts);
	}
}

/*
 * A large file is read in parts side by side, and makes the ledger that
 * reading it whole makes: the same rows in order, line numbers, extras,
 * rejections (a duplicate key in a later part naming its first line in
 * an earlier one), whichever bytes the parts are cut at.  A cut that
 * falls inside a quoted field running over several lines, or after a
 * stray quote that swallowed lines, is a part that cannot be read on
 * its own: the file is then read whole.  Cut every few dozen bytes here,
 * on 2 to 8 threads.
 */
static void test_parts_same_as_whole(void **state)
{
	pb_buf b;
	(void)state;

	pb_buf_init(&b);
	pb_buf_addstr(&b, "payment_id,payee_id,amount,currency,paid_on,description,invoice_date\n");
	for (int i = 0; i < 400; i++) {
		const char *end = i % 7 == 3 ? "\r\n" : "\n";
		if (i % 53 == 10)
			pb_buf_addf(&b, "P%d,S%d,12.50,EUR,2024-01-%02d,\"two\nlines, and \"\"quotes\"\"\",2024-01-1%d%s",
				    i, i % 9, 1 + i % 28, i % 3, end);
		else if (i % 61 == 20)
			pb_buf_addf(&b, "P%d,S%d,ten,EUR,2024-01-%02d,bad amount,2024-01-1%d%s", i, i % 9, 1 + i % 28,
				    i % 3, end);
		else if (i % 67 == 30)
			pb_buf_addf(&b, "P%d,S%d,1.00,EUR,2024-01-01,a \"stray\" quote,2024-01-1%d%s", i, i % 9, i % 3, end);
		else if (i % 71 == 40)
			pb_buf_addstr(&b, "   \n");
		else if (i % 59 == 25 && i > 200)
			pb_buf_addf(&b, "P%d,S1,2.00,EUR,2024-01-01,a key seen before,CC1%s", i - 200, end);
		else if (i == 333)
			pb_buf_addf(&b, "P%d,S1,1.00,EUR,2024-01-01,\"opens%sand runs on\n\n,to here\",CC1\n", i, end);
		else
			pb_buf_addf(&b, "P%d,S%d,%d.%02d,EUR,2024-02-%02d,item %d,2024-01-1%d%s", i, i % 9, 100 + i, i % 100,
				    1 + i % 28, i, i % 3, end);
	}
	pb_buf_addstr(&b, "P-last,S1,1.00,EUR,2024-03-01,no newline at the end,CC1");
	const char *path = write_file("parts_payments.csv", b.data, b.len);
	char copy[256];
	snprintf(copy, sizeof(copy), "%s", path);
	pb_buf_release(&b);

	int rc;
	char *whole = import_parts(copy, 1, 64, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(whole, "duplicate payments key 'P"));
	assert_non_null(strstr(whole, "amount 'ten'"));
	assert_non_null(strstr(whole, "malformed quoting"));
	/* invoice dates that are none ("CC1"), listed in file order */
	assert_non_null(strstr(whole, "invoice_date: 'CC1' is not an ISO 8601 date"));
	static const size_t sizes[] = {48, 100, 257, 1000, 4000};
	static const int jobs[] = {2, 3, 4, 8};
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (size_t j = 0; j < sizeof(jobs) / sizeof(jobs[0]); j++) {
			char *parts = import_parts(copy, jobs[j], sizes[s], &rc);
			assert_int_equal(rc, 0);
			assert_string_equal(parts, whole);
			free(parts);
		}
	free(whole);

	/* Cut in the middle of a field of a hundred lines: read whole. */
	pb_buf_init(&b);
	pb_buf_addstr(&b, "payment_id,amount,description\nP1,1.00,short\nP2,2.00,\"");
	for (int i = 0; i < 100; i++)
		pb_buf_addf(&b, "line %d of a long note\n", i);
	pb_buf_addstr(&b, "\"\nP3,3.00,after\nP1,4.00,a duplicate\n");
	path = write_file("parts_long_field.csv", b.data, b.len);
	snprintf(copy, sizeof(copy), "%s", path);
	pb_buf_release(&b);
	whole = import_parts(copy, 1, 64, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(whole, "payments P3 "));
	assert_non_null(strstr(whole, ":105 duplicate payments key 'P1' (first at "));
	same_in_parts(copy, whole, 8, 64);
	free(whole);
}

/*
 * Past its first 4 096 rows a table makes room for the rows its file
 * still holds, guessed from their bytes.  The guess is far off either
 * way here (short rows then long ones, long then short), and the ledger
 * is still the one reading without a guess would make: every row, in
 * order, a key repeated after the guess refused naming its first line,
 * read whole or in parts.
 */
static void test_rows_guessed(void **state)
{
	(void)state;

	for (int order = 0; order < 2; order++) {
		pb_buf b;
		pb_buf_init(&b);
		pb_buf_addstr(&b, "payment_id,payee_id,amount,currency,paid_on,description\n");
		for (int i = 0; i < 12000; i++) {
			int is_long = (i < 6000) == (order == 1);
			pb_buf_addf(&b, "P%d,S%d,%d.00,EUR,2024-01-%02d,%s\n", i, i % 13, 1 + i % 500,
				    1 + i % 28,
				    is_long ? "a description long enough to make this row five times the length of a short one"
					    : "x");
		}
		pb_buf_addstr(&b, "P17,S1,1.00,EUR,2024-01-01,again\nP11999,S1,1.00,EUR,2024-01-01,again\n");
		const char *path = write_file("guessed.csv", b.data, b.len);
		char copy[256];
		snprintf(copy, sizeof(copy), "%s", path);

		int rc;
		char *whole = import_parts(copy, 1, 1 << 30, &rc);
		assert_int_equal(rc, 0);
		assert_non_null(strstr(whole, ":12002 duplicate payments key 'P17' (first at "));
		assert_non_null(strstr(whole, ":12003 duplicate payments key 'P11999' (first at "));
		assert_non_null(strstr(whole, "payments P11998 "));
		same_in_parts(copy, whole, 4, 100000);
		free(whole);

		struct run r = {0};
		pb_config_init(&r.cfg);
		import(&r, "guessed.csv", b.data, b.len, NULL);
		pb_buf_release(&b);
		assert_int_equal(r.rc, 0);
		size_t n;
		const pb_payment *p = pb_ledger_payments(r.l, &n);
		assert_int_equal(n, 12000);
		for (size_t i = 0; i < n; i += 997) {
			char id[24];
			snprintf(id, sizeof(id), "P%zu", i);
			assert_string_equal(pb_str(p[i].payment_id), id);
			assert_int_equal(p[i].row.line, i + 2);
		}
		assert_int_equal(pb_ledger_nrejections(r.l), 2);
		reconciles(r.l);
		done(&r);
	}
}

static void test_blank_lines_and_line_ends(void **state)
{
	struct run r;
	(void)state;

	/* Lines of spaces and tabs start no record: the next record keeps
	 * its own line number.  Leading blank lines do not hide the
	 * header's delimiter. */
	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv", "\n \n" "payment_id;amount\n" "   \n" "P1;x\n" " \t \n" "P2;1\n", NULL);
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	expect_rejection(r.l, 5, "amount 'x' is not a number");
	assert_int_equal(((const pb_payment *)pb_ledger_at(r.l, PB_T_PAYMENTS, 0))->row.line, 7);
	done(&r);

	/* Classic Mac line ends (a lone CR) count as lines; in a file with
	 * LF line ends a CR inside a quoted field is data. */
	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv", "payment_id,amount\rP1,x\rP2,1\r\rP3,y\r", NULL);
	assert_int_equal(r.rc, 0);
	expect_rejection(r.l, 2, "amount 'x' is not a number");
	expect_rejection(r.l, 5, "amount 'y' is not a number");
	assert_int_equal(((const pb_payment *)pb_ledger_at(r.l, PB_T_PAYMENTS, 0))->row.line, 3);
	done(&r);
	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv", "payment_id,amount,description\nP1,1,\"a\rb\"\nP2,y,\n", NULL);
	assert_int_equal(r.rc, 0);
	expect_rejection(r.l, 3, "amount 'y' is not a number");
	const pb_payment *p1 = pb_ledger_at(r.l, PB_T_PAYMENTS, 0);
	assert_string_equal(pb_str(p1->description), "a\rb");
	done(&r);
}

static void test_whitespace_line_longer_than_a_piece(void **state)
{
	struct run r;
	size_t pad = 70000;
	char *text = malloc(pad + 64);
	(void)state;

	int k = snprintf(text, 64, "payment_id,amount\n");
	memset(text + k, ' ', pad);
	memcpy(text + k + pad, "\nP1,x\n", 6);
	pb_config_init(&r.cfg);
	import(&r, "payments.csv", text, (size_t)k + pad + 6, NULL);
	free(text);
	assert_int_equal(r.rc, 0);
	expect_rejection(r.l, 3, "amount 'x' is not a number");
	done(&r);
}

static void test_quoting_errors(void **state)
{
	struct run r;
	(void)state;

	/* Text after a closing quote rejects that line only; the next line
	 * parses.  An unclosed quote at the end re-reads the lines after
	 * the record's first line, so no good row is lost to it. */
	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv",
	       "payment_id,amount,description\n"
	       "P1,1,\"abc\"x\n"
	       "P2,2,\"a\"\"b\"\n"
	       "P3,3,\"open\n"
	       "P4,4,ok\n", NULL);
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	expect_rejection(r.l, 2, "malformed quoting");
	expect_rejection(r.l, 4, "unterminated quoted field");
	assert_int_equal(pb_ledger_count(r.l, PB_T_PAYMENTS), 2);
	const pb_payment *p2 = pb_ledger_find(r.l, PB_T_PAYMENTS, pb_ledger_intern(r.l, "P2", 2));
	assert_string_equal(pb_str(p2->description), "a\"b");
	const pb_payment *p4 = pb_ledger_find(r.l, PB_T_PAYMENTS, pb_ledger_intern(r.l, "P4", 2));
	assert_non_null(p4);
	assert_int_equal(p4->row.line, 5);
	done(&r);

	/* A broken header is a broken file. */
	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv", "payment_id,\"amount\nP1,1\n", NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.code, PB_EXIT_INPUT);
	assert_non_null(strstr(r.err.msg, "payments.csv: header has an unterminated quoted field"));
	done(&r);
}

static void test_header_errors(void **state)
{
	struct run r;
	(void)state;

	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv", "payment_id,Amount, amount \nP1,1,2\n", NULL);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err.msg, "names column 'amount' twice"));
	done(&r);
	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv", "payment_id\nP1\n", "invoices");
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err.msg, "table 'invoices' is not a canonical table"));
	done(&r);
	/* Not CSV at all, or not UTF-8: the file is refused with advice. */
	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.xlsx", "PK\x03\x04\x14\x00\x06\x00", NULL);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err.msg, "payments.xlsx: is a ZIP archive"));
	done(&r);
	pb_config_init(&r.cfg);
	IMPORT(&r, "parties.csv", "party_id,\xcd\xe0\xe7\xe2\xe0\nA,x\n", NULL);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err.msg, "header column 2 '\\xcd\\xe0\\xe7\\xe2\\xe0' is not valid UTF-8"));
	done(&r);
	pb_config_init(&r.cfg);
	IMPORT(&r, "parties.csv", "party_id,na\0me\nA,x\n", NULL);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err.msg, "header column 2 'na\\x00me' contains a NUL byte"));
	done(&r);
	/* Near miss: names match trimmed and in any case, once each; an
	 * unknown column is kept as an extra. */
	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv", "PAYMENT_ID, Amount ,Note\nP1,2, n \n", NULL);
	assert_int_equal(r.rc, 0);
	const pb_payment *p = pb_ledger_at(r.l, PB_T_PAYMENTS, 0);
	assert_int_equal(p->amount, 200);
	uint32_t nx;
	const pb_attr *x = pb_row_extras(&p->row, &nx);
	assert_int_equal(nx, 1);
	assert_string_equal(x[0].name, "Note");
	assert_string_equal(x[0].value, "n");
	done(&r);
}

static void test_pipe_input(void **state)
{
	struct run r;
	char fifo[300];
	static const char text[] = "payment_id,amount,note\nP1,1,\"open\nP2,x,\nP3,3,\n";
	(void)state;

	/* A stream cannot seek back for a resync: it is copied first, and
	 * the rows after an unterminated quote are still read. */
	snprintf(fifo, sizeof(fifo), "%s/payments-fifo.csv", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *w = fopen(fifo, "wb");
		fwrite(text, 1, sizeof(text) - 1, w);
		fclose(w);
		_exit(0);
	}
	pb_config_init(&r.cfg);
	r.l = pb_ledger_new("EUR");
	r.rc = pb_import_path(r.l, fifo, NULL, &r.cfg, &r.err);
	waitpid(pid, NULL, 0);
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	expect_rejection(r.l, 2, "unterminated quoted field");
	expect_rejection(r.l, 3, "amount 'x' is not a number");
	assert_int_equal(pb_ledger_count(r.l, PB_T_PAYMENTS), 1);
	done(&r);
}

/* Writes `total` bytes of CSV rows to a new FIFO from a child process;
 * returns the child's pid.  The child stops early when the reader goes. */
static pid_t fifo_writer(const char *fifo, size_t total)
{
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		FILE *w = fopen(fifo, "wb");
		static const char head[] = "payment_id,amount\n";
		size_t n = fwrite(head, 1, sizeof(head) - 1, w);
		for (unsigned i = 0; n < total; i++) {
			char row[32];
			int k = snprintf(row, sizeof(row), "P%08u,1\n", i);
			if (fwrite(row, 1, (size_t)k, w) != (size_t)k)
				break;
			n += (size_t)k;
		}
		fclose(w);
		_exit(0);
	}
	return pid;
}

/* A stream longer than max_stream_bytes is refused with the limit named,
 * not copied to /tmp without end; one within it is read whole. */
static void test_stream_limit(void **state)
{
	struct run r;
	char fifo[300];
	(void)state;

	snprintf(fifo, sizeof(fifo), "%s/payments-big.csv", dir);
	pid_t pid = fifo_writer(fifo, 1u << 20);
	pb_config_init(&r.cfg);
	r.cfg.max_stream_bytes = 256u << 10;
	r.l = pb_ledger_new("EUR");
	r.rc = pb_import_path(r.l, fifo, NULL, &r.cfg, &r.err);
	waitpid(pid, NULL, 0);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.code, PB_EXIT_INPUT);
	assert_non_null(strstr(r.err.msg, "payments-big.csv: not a regular file, and longer than the "
			       "262144-byte limit for copying a stream ([audit] max_stream_bytes)"));
	done(&r);

	snprintf(fifo, sizeof(fifo), "%s/payments-small.csv", dir);
	pid = fifo_writer(fifo, 200u << 10);
	pb_config_init(&r.cfg);
	r.cfg.max_stream_bytes = 256u << 10;
	r.l = pb_ledger_new("EUR");
	r.rc = pb_import_path(r.l, fifo, NULL, &r.cfg, &r.err);
	waitpid(pid, NULL, 0);
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	assert_true(pb_ledger_count(r.l, PB_T_PAYMENTS) > 10000);
	done(&r);
}

static void test_amounts_and_currencies(void **state)
{
	struct run r;
	(void)state;

	pb_config_init(&r.cfg);
	IMPORT(&r, "payments.csv",
	       "payment_id,amount,currency,description\n"
	       "P1,-0.50,usd,ok\n"
	       "P2,99999999999999999999,,too big\n"
	       "P3,NaN,,nan\n"
	       "P4,1e3,,exponent\n"
	       "P5,7,XYZ,bad currency\n"
	       "P6,1.005,EUR,too precise\n"
	       "P7,1500,JPY,yen\n"
	       "P8,,,unknown amount\n"
	       "P9,12,\x1b[31m,escape\n", NULL);
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	const pb_payment *p1 = pb_ledger_find(r.l, PB_T_PAYMENTS, pb_ledger_intern(r.l, "P1", 2));
	assert_int_equal(p1->amount, -50);
	assert_string_equal(pb_str(p1->currency), "USD");
	const pb_payment *p7 = pb_ledger_find(r.l, PB_T_PAYMENTS, pb_ledger_intern(r.l, "P7", 2));
	assert_int_equal(p7->amount, 1500);
	const pb_payment *p8 = pb_ledger_find(r.l, PB_T_PAYMENTS, pb_ledger_intern(r.l, "P8", 2));
	assert_int_equal(p8->amount, PB_AMOUNT_NONE);
	assert_string_equal(pb_str(p8->currency), "EUR");
	expect_rejection(r.l, 3, "amount '99999999999999999999'");
	expect_rejection(r.l, 4, "amount 'NaN' is not a number");
	expect_rejection(r.l, 5, "amount '1e3' is not a number");
	expect_rejection(r.l, 6, "currency 'XYZ' is not an ISO 4217 code");
	expect_rejection(r.l, 7, "amount '1.005'");
	/* Control bytes in a quoted value are shown as \xNN, never raw. */
	expect_rejection(r.l, 10, "currency '\\x1b[31m' is not an ISO 4217 code");
	assert_int_equal(pb_ledger_count(r.l, PB_T_PAYMENTS), 3);
	done(&r);
}

static void test_reasons_are_terminal_safe(void **state)
{
	struct run r;
	(void)state;

	/* A bidi override (U+202E), a C1 CSI (U+009B) and a tab are shown
	 * as bytes; ordinary non-ASCII text as itself; long values are cut
	 * at 60 bytes on a character boundary. */
	pb_config_init(&r.cfg);
	IMPORT(&r, "parties.csv",
	       "party_id,kind\n"
	       "A,\"\xE2\x80\xAEynapmoc\"\n"
	       "B,\"\xC2\x9B" "31m\tx\"\n"
	       "C,\xD0\xB1\xD0\xB0\xD0\xBD\xD0\xBA\n"
	       "D,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xD0\x96\xD0\x96z\n"
	       "E,person\n", NULL);
	assert_int_equal(r.rc, 0);
	expect_rejection(r.l, 2, "kind '\\xe2\\x80\\xaeynapmoc' is not one of");
	expect_rejection(r.l, 3, "kind '\\xc2\\x9b" "31m\\x09x' is not one of");
	expect_rejection(r.l, 4, "kind '\xD0\xB1\xD0\xB0\xD0\xBD\xD0\xBA' is not one of");
	expect_rejection(r.l, 5, "kind 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xD0\x96...' is not");
	assert_int_equal(pb_ledger_count(r.l, PB_T_PARTIES), 1);
	done(&r);
}

/* text (UTF-8) in encoding `to`, malloc'd. */
static char *encode(const char *text, const char *to, size_t *n)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	size_t left = strlen(text), room = 4 * left + 8;
	char *out = malloc(room), *op = out, *ip = (char *)text;

	assert_true(cd != (iconv_t)-1);
	assert_int_not_equal(iconv(cd, &ip, &left, &op, &room), (size_t)-1);
	iconv_close(cd);
	*n = (size_t)(op - out);
	return out;
}

static void test_utf16(void **state)
{
	struct run r;
	size_t n;
	(void)state;

	/* Excel's "Unicode Text": UTF-16LE with a BOM, tabs, CRLF. */
	char *text = encode("\xEF\xBB\xBF" "payment_id\tamount\tdescription\r\n"
			    "P1\t1,5\tx\r\n" "P2\t2\tcaf\xC3\xA9 \xD0\x96\r\n", "UTF-16LE", &n);
	assert_int_equal((unsigned char)text[0], 0xFF);
	pb_config_init(&r.cfg);
	import(&r, "payments.txt", text, n, NULL);
	free(text);
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	expect_rejection(r.l, 2, "amount '1,5' is not a number");
	const pb_payment *p = pb_ledger_at(r.l, PB_T_PAYMENTS, 0);
	assert_int_equal(p->row.line, 3);
	assert_int_equal(p->amount, 200);
	assert_string_equal(pb_str(p->description), "caf\xC3\xA9 \xD0\x96");
	done(&r);

	/* Without a BOM only the profile can say so. */
	pb_profile prof;
	memset(&prof, 0, sizeof(prof));
	prof.name = (char *)"wide";
	prof.files = (char *)"wide_*";
	prof.encoding = (char *)"UTF-16BE";
	text = encode("payment_id,amount\nP1,3\n", "UTF-16BE", &n);
	pb_config_init(&r.cfg);
	r.cfg.profiles = &prof;
	r.cfg.nprofiles = 1;
	import(&r, "wide_payments.csv", text, n, NULL);
	free(text);
	assert_int_equal(r.rc, 0);
	assert_int_equal(pb_ledger_count(r.l, PB_T_PAYMENTS), 1);
	r.cfg.profiles = NULL;
	r.cfg.nprofiles = 0;
	done(&r);
}

/* A small deterministic generator, so a failure reproduces. */
static uint32_t rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void test_lines_property(void **state)
{
	(void)state;

	/* Random files of records with multi-line quoted fields, blank and
	 * whitespace lines, LF or CRLF: every record, imported or rejected,
	 * must carry the line it starts on. */
	for (uint32_t seed = 1; seed <= 30; seed++) {
		uint32_t x = seed * 2654435761u;
		const char *eol = seed % 2 ? "\n" : "\r\n";
		pb_buf text;
		uint32_t line = 1, want[300], bad[300];
		size_t nrec = 150 + rnd(&x) % 150, nbad = 0;
		struct run r;

		pb_buf_init(&text);
		pb_buf_addf(&text, "payment_id,amount,description%s", eol);
		line++;
		for (size_t i = 0; i < nrec; i++) {
			for (uint32_t b = rnd(&x) % 4; b == 1 || b == 2; b = rnd(&x) % 4, line++)
				pb_buf_addf(&text, "%s%s", b == 1 ? "" : " \t ", eol);
			want[i] = line;
			int invalid = rnd(&x) % 5 == 0;
			if (invalid)
				bad[nbad++] = line;
			pb_buf_addf(&text, "P%zu,%s,", i, invalid ? "1.2.3" : "10.5");
			switch (rnd(&x) % 3) {
			case 0:
				pb_buf_addstr(&text, "plain");
				break;
			case 1: {
				uint32_t k = rnd(&x) % 4;
				pb_buf_addstr(&text, "\"a");
				for (uint32_t j = 0; j < k; j++, line++)
					pb_buf_addf(&text, ",%s\"\"q\"\"", eol);
				pb_buf_addch(&text, '"');
				break;
			}
			default:
				pb_buf_addstr(&text, "\"x,\"\"y\"\"\"");
			}
			pb_buf_addstr(&text, eol);
			line++;
		}
		pb_config_init(&r.cfg);
		import(&r, "payments.csv", text.data, text.len, NULL);
		pb_buf_release(&text);
		assert_int_equal(r.rc, 0);
		reconciles(r.l);
		assert_int_equal(pb_ledger_count(r.l, PB_T_PAYMENTS), nrec - nbad);
		assert_int_equal(pb_ledger_nrejections(r.l), nbad);
		for (size_t i = 0; i < nbad; i++)
			assert_int_equal(pb_ledger_rejections(r.l)[i].line, bad[i]);
		for (size_t i = 0; i < nrec; i++) {
			char id[16];
			int k = snprintf(id, sizeof(id), "P%zu", i);
			const pb_payment *p = pb_ledger_find(r.l, PB_T_PAYMENTS,
							     pb_ledger_intern(r.l, id, (size_t)k));
			if (p)
				assert_int_equal(p->row.line, want[i]);
		}
		done(&r);
	}
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_and_extras),
		cmocka_unit_test(test_free_text_kept),
		cmocka_unit_test(test_seen_texts),
		cmocka_unit_test(test_parts_same_as_whole),
		cmocka_unit_test(test_rows_guessed),
		cmocka_unit_test(test_lines_after_multiline_field),
		cmocka_unit_test(test_delimiters_bom_crlf),
		cmocka_unit_test(test_profile),
		cmocka_unit_test(test_table_choice),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_bad_bytes_anywhere),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_parallel_folder_same_as_serial),
		cmocka_unit_test(test_named_paths_same_as_one_by_one),
		cmocka_unit_test(test_blank_lines_and_line_ends),
		cmocka_unit_test(test_whitespace_line_longer_than_a_piece),
		cmocka_unit_test(test_quoting_errors),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_pipe_input),
		cmocka_unit_test(test_stream_limit),
		cmocka_unit_test(test_amounts_and_currencies),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_reasons_are_terminal_safe),
		cmocka_unit_test(test_lines_property),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
