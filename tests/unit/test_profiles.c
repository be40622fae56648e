/* test_profiles.c - mapping profiles: every feature of docs/config.md's
 * [profile] section, the loud mapping errors, and the shipped profiles on
 * real excerpts (samples/csv-real) and, when present, the full
 * publications in ../shared/data/csv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../importers/importers.h"

static char dir[] = "/tmp/probity-prof-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[2][256];
	static int k;

	k = !k;
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir, name);
	FILE *f = fopen(path[k], "wb");
	fputs(text, f);
	fclose(f);
	return path[k];
}

struct run {
	pb_ledger *l;
	pb_config cfg;
	pb_error err;
	int rc;
};

/* Loads ini as a config, imports csv as file `name`. */
static void run(struct run *r, const char *ini, const char *name, const char *csv)
{
	pb_config_init(&r->cfg);
	memset(&r->err, 0, sizeof(r->err));
	r->l = NULL;
	r->rc = pb_config_load(&r->cfg, write_file("p.ini", ini), &r->err);
	if (r->rc < 0)
		return;
	r->l = pb_ledger_new(r->cfg.base_currency);
	r->rc = pb_import_path(r->l, write_file(name, csv), NULL, &r->cfg, &r->err);
	pb_ledger_seal(r->l);
}

static void done(struct run *r)
{
	if (r->l)
		pb_ledger_free(r->l);
	pb_config_release(&r->cfg);
}

static void reconciles(pb_ledger *l)
{
	const pb_input *in = pb_ledger_inputs(l);

	for (size_t i = 0; i < pb_ledger_ninputs(l); i++)
		assert_int_equal(in[i].rows_read,
				 in[i].rows_imported + in[i].rows_filtered + in[i].rows_rejected);
}

static void expect_rejection(pb_ledger *l, uint64_t line, const char *text)
{
	const pb_rejection *rj = pb_ledger_rejections(l);

	for (size_t i = 0; i < pb_ledger_nrejections(l); i++)
		if (rj[i].line == line && strstr(rj[i].reason, text))
			return;
	fail_msg("no rejection at line %llu containing '%s'", (unsigned long long)line, text);
}

static const pb_payment *payment(pb_ledger *l, const char *id)
{
	return pb_ledger_find(l, PB_T_PAYMENTS, pb_ledger_intern(l, id, strlen(id)));
}

#define PAY "[audit]\nbase_currency = GBP\n[profile p]\nfiles = *.csv\ntable = payments\n"

/* map.F: folded text, "exact", /PCRE2/ and * in order; no line leaves
 * the value, which the code list then rejects naming it. */
static void test_value_map(void **state)
{
	struct run r;
	(void)state;

	run(&r, "[profile c]\nfiles = *.csv\ntable = tenders\ncol.tender_id = ID\n"
		"col.method = Tipo\ncol.category = Clase\n"
		"map.method = Adjudicación Directa Federal => direct\n"
		"    \"Licitación Pública\" => open\n"
		"    /^invitaci[oó]n/i => selective\n"
		"map.category = Obra Pública => works\n"
		"    Servicios => services\n",
	    "t.csv",
	    "ID,Tipo,Clase\n"
	    "T1,ADJUDICACION DIRECTA FEDERAL,Obra Pública\n"
	    "T2,Licitación Pública,servicios\n"
	    "T3,Invitación a Cuando Menos 3 Personas,Servicios\n"
	    "T4,licitación pública,Servicios\n"
	    "T5,Proyecto,Servicios\n");
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	const pb_tender *t = pb_ledger_find(r.l, PB_T_TENDERS, pb_ledger_intern(r.l, "T1", 2));
	assert_string_equal(pb_str(t->method), "direct");
	assert_string_equal(pb_str(t->category), "works");
	t = pb_ledger_find(r.l, PB_T_TENDERS, pb_ledger_intern(r.l, "T2", 2));
	assert_string_equal(pb_str(t->method), "open");
	assert_string_equal(pb_str(t->category), "services");
	t = pb_ledger_find(r.l, PB_T_TENDERS, pb_ledger_intern(r.l, "T3", 2));
	assert_string_equal(pb_str(t->method), "selective");
	/* "exact" is case-sensitive: the lower-case spelling is not mapped */
	expect_rejection(r.l, 5, "method 'licitación pública' is not one of");
	expect_rejection(r.l, 6, "method 'Proyecto' is not one of");
	done(&r);

	/* a default maps what no other line does */
	run(&r, "[profile c]\nfiles = *.csv\ntable = tenders\ncol.tender_id = ID\n"
		"col.method = Tipo\nmap.method = Licitación Pública => open\n    * => limited\n",
	    "t.csv", "ID,Tipo\nT1,Proyecto\nT2,\n");
	assert_int_equal(r.rc, 0);
	const pb_tender *t1 = pb_ledger_find(r.l, PB_T_TENDERS, pb_ledger_intern(r.l, "T1", 2));
	const pb_tender *t2 = pb_ledger_find(r.l, PB_T_TENDERS, pb_ledger_intern(r.l, "T2", 2));
	assert_string_equal(pb_str(t1->method), "limited");
	assert_null(pb_str(t2->method)); /* an empty cell stays unknown */
	done(&r);
}

/* const.F, key.F from columns and from the row's position. */
static void test_const_and_keys(void **state)
{
	struct run r;
	(void)state;

	run(&r, PAY "key.payment_id = {Doc}/{Line}\nconst.payer_id = MFCR\ncol.amount = Castka\n",
	    "k.csv", "Doc,Line,Castka\n100,1,5\n100,2,6\n,,7\n");
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	const pb_payment *p = payment(r.l, "100/2");
	assert_non_null(p);
	assert_string_equal(pb_str(p->payer_id), "MFCR");
	assert_non_null(payment(r.l, "100/1"));
	expect_rejection(r.l, 4, "payment_id is empty"); /* every part empty */
	done(&r);

	/* {@file}:{@line} names the row; the same file gives the same ids */
	for (int k = 0; k < 2; k++) {
		run(&r, PAY "key.payment_id = {@file}:{@line}\ncol.amount = Amount\n",
		    "council.csv", "Amount\n5\n5\n");
		assert_int_equal(r.rc, 0);
		assert_non_null(payment(r.l, "council.csv:2"));
		assert_non_null(payment(r.l, "council.csv:3"));
		done(&r);
	}
}

/* split.HEADER: named groups fill fields; a cell that does not match
 * rejects its row, naming the column and the rule. */
static void test_split(void **state)
{
	struct run r;
	(void)state;

	run(&r, PAY "col.payment_id = Trans No\ncol.amount = Amount\n"
		"split.Trans No = ^(?<invoice_id>\\d+)\\s*-\\s*(?<budget_line>\\d+)$\n",
	    "s.csv", "Trans No,Amount\n1038750 - 2,5\n1038751-0,5\nX-1,5\n");
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	const pb_payment *p = payment(r.l, "1038750 - 2");
	assert_string_equal(pb_str(p->invoice_id), "1038750");
	assert_string_equal(pb_str(p->budget_line), "2");
	assert_string_equal(pb_str(payment(r.l, "1038751-0")->invoice_id), "1038751");
	expect_rejection(r.l, 4, "Trans No 'X-1' does not match split.Trans No");
	done(&r);
}

static pb_date date_of(pb_ledger *l, const char *id)
{
	const pb_payment *p = payment(l, id);
	assert_non_null(p);
	return p->paid_on;
}

/* date.F and date_format: month names, two-digit years and their pivot,
 * date-times with zones, a range's first or last date. */
static void test_dates(void **state)
{
	struct run r;
	(void)state;

	run(&r, PAY "year_pivot = 30\ncol.payment_id = ID\ncol.amount = A\ncol.paid_on = D\n"
		"date_format = D-MON-YY | DD-MON-YYYY | YYYY-MM-DD\n",
	    "d.csv",
	    "ID,A,D\nP1,1,20-Dec-13\nP2,1,09-Mar-2011\nP3,1,2012-11-06 00:00:00 GMT\n"
	    "P4,1,1-jan-45\nP5,1,31-Feb-13\nP6,1,20-Dez-13\nP7,1,2012-11-06 25:00\n"
	    "P8,1,2013-02-28T10:00:00+02:00\n");
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	assert_int_equal(date_of(r.l, "P1"), pb_date_from_ymd(2013, 12, 20));
	assert_int_equal(date_of(r.l, "P2"), pb_date_from_ymd(2011, 3, 9));
	assert_int_equal(date_of(r.l, "P3"), pb_date_from_ymd(2012, 11, 6));
	assert_int_equal(date_of(r.l, "P4"), pb_date_from_ymd(1945, 1, 1)); /* 45 >= pivot 30 */
	assert_int_equal(date_of(r.l, "P8"), pb_date_from_ymd(2013, 2, 28));
	expect_rejection(r.l, 6, "paid_on '31-Feb-13' does not exist");
	expect_rejection(r.l, 7, "paid_on '20-Dez-13' does not match");
	expect_rejection(r.l, 8, "does not match"); /* hour 25 is no time */
	done(&r);

	/* the publisher's language, and a range's start or end */
	run(&r, PAY "col.payment_id = ID\ncol.amount = A\ncol.paid_on = D\ncopy.budget_line = D\n"
		"months = enero|ene febrero|feb marzo|mar abril|abr mayo|may junio|jun julio|jul\n"
		"    agosto|ago septiembre|sep octubre|oct noviembre|nov diciembre|dic\n"
		"date.paid_on = D de MON de YYYY\n",
	    "m.csv", "ID,A,D\nP1,1,5 de Diciembre de 2013\nP2,1,5 de Dic de 2013\nP3,1,5 de Dec de 2013\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(date_of(r.l, "P1"), pb_date_from_ymd(2013, 12, 5));
	assert_int_equal(date_of(r.l, "P2"), pb_date_from_ymd(2013, 12, 5));
	assert_int_equal(date_of(r.l, "P3"), pb_date_from_ymd(2013, 12, 5)); /* English too */
	done(&r);

	run(&r, "[profile p]\nfiles = *.csv\ntable = contracts\ncol.contract_id = ID\n"
		"col.start_on = Період\ncopy.end_on = Період\n"
		"date.start_on = first YYYY.MM.DD\ndate.end_on = last YYYY.MM.DD\n",
	    "r.csv", "ID,Період\nC1,З 2019.06.01 по 2019.06.15\nC2,без дати\n");
	assert_int_equal(r.rc, 0);
	const pb_contract *c = pb_ledger_find(r.l, PB_T_CONTRACTS, pb_ledger_intern(r.l, "C1", 2));
	assert_int_equal(c->start_on, pb_date_from_ymd(2019, 6, 1));
	assert_int_equal(c->end_on, pb_date_from_ymd(2019, 6, 15));
	expect_rejection(r.l, 3, "holds no date");
	done(&r);
}

/* A report export: title lines, a header found by its columns, null
 * markers, a Total footer and reversals filtered by named rules. */
static void test_report_export(void **state)
{
	struct run r;
	(void)state;

	run(&r, PAY "col.payment_id = Ref\ncol.payee_id = Supplier\ncol.amount = Amount\n"
		"null = REDACTED PERSONAL DATA\n    /^-+$/\n"
		"filter.total = * ~ ^total$\nfilter.reversal = Type ~ ^REV\n",
	    "rep.csv",
	    "Spend over 500 - Q3 2017\n"
	    "Printed 2017-10-01,,\n"
	    "Ref,Supplier,Amount,Type\n"
	    "P1,ACME LTD,5,INV\n"
	    "P2,REDACTED PERSONAL DATA,6,INV\n"
	    "P3,----------,7,INV\n"
	    "P4,ACME LTD,-5,REVERSAL\n"
	    "P5,Total Gas & Power,7,INV\n"
	    ",,,\n"
	    "Total,,23,\n");
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	const pb_input *in = pb_ledger_inputs(r.l);
	assert_int_equal(in[0].rows_read, 7);
	assert_int_equal(in[0].rows_imported, 4);
	assert_int_equal(in[0].rows_filtered, 3);
	assert_int_equal(in[0].rows_rejected, 0);
	assert_string_equal(in[0].profile, "p");
	assert_null(pb_str(payment(r.l, "P2")->payee_id));
	assert_null(pb_str(payment(r.l, "P3")->payee_id));
	assert_non_null(payment(r.l, "P5")); /* a supplier called Total... is no total */
	const pb_rejection *f = pb_ledger_filtered(r.l);
	assert_int_equal(pb_ledger_nfiltered(r.l), 3);
	assert_int_equal(f[0].line, 7);
	assert_string_equal(f[0].reason, "reversal");
	assert_string_equal(f[1].reason, "blank-row");
	assert_int_equal(f[2].line, 10);
	assert_string_equal(f[2].reason, "total");
	done(&r);

	/* skip_lines: the lines above the header are not read */
	run(&r, PAY "skip_lines = 2\ncol.payment_id = Ref\ncol.amount = Amount\n", "sk.csv",
	    "title;\n\"a;b\";c\nRef,Amount\nP1,5\n");
	assert_int_equal(r.rc, 0);
	assert_non_null(payment(r.l, "P1"));
	assert_int_equal(pb_ledger_inputs(r.l)[0].rows_read, 1);
	done(&r);
}

static int64_t amount_of(pb_ledger *l, const char *id)
{
	const pb_payment *p = payment(l, id);
	assert_non_null(p);
	return p->amount;
}

/* Amounts as exports write them; the near misses are still rejected. */
static void test_amounts(void **state)
{
	struct run r;
	(void)state;

	run(&r, PAY "thousands = ,\ncol.payment_id = ID\ncol.amount = A\n", "a.csv",
	    "ID,A\nP1,\"£2,909,121.01\"\nP2,\"(1,234.00)\"\nP3,500.00-\nP4,GBP 12\n"
	    "P5,EUR 12\nP6,12abc\nP7,\"£(5)\"\nP8,\"2,90,121.01\"\n");
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	assert_int_equal(amount_of(r.l, "P1"), 290912101);
	assert_int_equal(amount_of(r.l, "P2"), -123400);
	assert_int_equal(amount_of(r.l, "P3"), -50000);
	assert_int_equal(amount_of(r.l, "P4"), 1200);
	assert_int_equal(amount_of(r.l, "P7"), -500);
	expect_rejection(r.l, 6, "is in EUR but the row's currency is GBP");
	expect_rejection(r.l, 7, "amount '12abc'");
	expect_rejection(r.l, 9, "amount '2,90,121.01'");
	done(&r);

	run(&r, "[audit]\nbase_currency = CZK\n[profile p]\nfiles = *.csv\ntable = payments\n"
		"decimal = ,\nthousands = space\ncol.payment_id = ID\ncol.amount = A\n", "cz.csv",
	    "ID;A\nP1;1 234,00 Kč\nP2;1\xc2\xa0" "234,50 Kč\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(amount_of(r.l, "P1"), 123400);
	assert_int_equal(amount_of(r.l, "P2"), 123450);
	done(&r);

	/* without a profile, amounts stay strict */
	pb_config_init(&r.cfg);
	r.l = pb_ledger_new("GBP");
	assert_int_equal(pb_import_path(r.l, write_file("payments.csv", "payment_id,amount\nP1,£5\n"),
					NULL, &r.cfg, &r.err), 0);
	pb_ledger_seal(r.l);
	expect_rejection(r.l, 2, "amount '£5'");
	done(&r);
}

static const pb_party *party(pb_ledger *l, const char *id)
{
	return pb_ledger_find(l, PB_T_PARTIES, pb_ledger_intern(l, id, strlen(id)));
}

/* party.F: one parties row per distinct payee, named; the id is the
 * mapped cell, else the registry id, else one made from the name. */
static void test_parties(void **state)
{
	struct run r;
	(void)state;

	run(&r, PAY "col.payment_id = Ref\ncol.payee_id = ? Vendor\ncol.amount = Amount\n"
		"party.payee_id = Supplier Name\nparty_registry.payee_id = Company No\n"
		"null = REDACTED\n",
	    "pp.csv",
	    "Ref,Vendor,Supplier Name,Company No,Amount\n"
	    "P1,V9,Acme Ltd,,5\n"
	    "P2,,ACME LTD.,,5\n"
	    "P3,,Beta plc,01234567,5\n"
	    "P4,,REDACTED,,5\n"
	    "P5,V9,Acme Limited,,5\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(pb_str(payment(r.l, "P1")->payee_id), "V9");
	assert_string_equal(pb_str(payment(r.l, "P2")->payee_id), "name:acme ltd");
	assert_string_equal(pb_str(payment(r.l, "P3")->payee_id), "01234567");
	assert_null(pb_str(payment(r.l, "P4")->payee_id));
	assert_string_equal(pb_str(party(r.l, "V9")->name), "Acme Ltd"); /* the first name given */
	assert_string_equal(pb_str(party(r.l, "V9")->roles), "payee");
	assert_string_equal(pb_str(party(r.l, "name:acme ltd")->name), "ACME LTD.");
	assert_string_equal(pb_str(party(r.l, "01234567")->registry_id), "01234567");
	assert_int_equal(pb_ledger_count(r.l, PB_T_PARTIES), 3);
	/* parties rows are derived, not read: the file's counts are its rows */
	assert_int_equal(pb_ledger_inputs(r.l)[0].rows_read, 5);
	done(&r);

	/* a constant payer named in the profile */
	run(&r, PAY "col.payment_id = Ref\ncol.amount = Amount\nconst.payer_id = MFCR\n"
		"party.payer_id = \"Ministerstvo financí\"\n",
	    "pc.csv", "Ref,Amount\nP1,5\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(pb_str(party(r.l, "MFCR")->name), "Ministerstvo financí");
	assert_string_equal(pb_str(party(r.l, "MFCR")->roles), "payer");
	done(&r);

	/* party_country.F: a national register's parties of one country
	 * (CompraNet's buying units), for their holidays; the payee's none */
	run(&r, PAY "col.payment_id = Ref\ncol.amount = Amount\ncol.payer_id = Unit\n"
		"party.payer_id = Unit Name\nparty_country.payer_id = MX\nparty.payee_id = Supplier\n",
	    "pm.csv", "Ref,Unit,Unit Name,Supplier,Amount\nP1,009J2R001,API-Ensenada,Acme,5\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(pb_str(party(r.l, "009J2R001")->country), "MX");
	assert_null(pb_str(party(r.l, "name:acme")->country));
	done(&r);

	/* "party.F = ? A": a file without the name column still reads, and
	 * its payer is a party of the profile's country, named by its id */
	run(&r, PAY "col.payment_id = Ref\ncol.amount = Amount\ncol.payer_id = ? Body Name | Client\n"
		"party.payer_id = ? Body Name\nparty_country.payer_id = GB\n",
	    "po.csv", "Ref,Client,Amount\nP1,OCC,5\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(pb_str(party(r.l, "OCC")->country), "GB");
	assert_null(pb_str(party(r.l, "OCC")->name));
	done(&r);
}

static void expect_error(const char *ini, const char *name, const char *csv, const char *text)
{
	struct run r;

	run(&r, ini, name, csv);
	assert_int_equal(r.rc, -1);
	if (!strstr(r.err.msg, text))
		fail_msg("error '%s' lacks '%s'", r.err.msg, text);
	done(&r);
}

/* extra.NAME: a column kept as the extra NAME whatever the export calls
 * it (payments.duplicate reads invoice_date); the other unknown columns
 * keep their own names; written "? A", an absent column is no error. */
static void test_extra_names(void **state)
{
	struct run r;
	(void)state;

	run(&r, PAY "col.payment_id = Ref\ncol.amount = Amount\nextra.invoice_date = Datum vystaveni\n"
		"extra.order_ref = ? Objednavka\n",
	    "x.csv", "Ref,Amount,Datum vystaveni,Note\nP1,10,2014-04-15,ok\n");
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	const pb_payment *p = payment(r.l, "P1");
	assert_string_equal(pb_row_extra(&p->row, "invoice_date"), "2014-04-15");
	assert_null(pb_row_extra(&p->row, "Datum vystaveni"));
	assert_string_equal(pb_row_extra(&p->row, "Note"), "ok");
	assert_null(pb_row_extra(&p->row, "order_ref"));
	assert_int_equal(pb_ledger_nunread(r.l), 0);
	done(&r);

	/* An issue date that is no date: the row is imported, the value
	 * kept for the evidence and listed as not read under its header;
	 * a duplicate row (rejected) lists nothing. */
	run(&r, PAY "col.payment_id = Ref\ncol.amount = Amount\nextra.invoice_date = Datum vystaveni\n",
	    "x.csv", "Ref,Amount,Datum vystaveni,Note\nP1,10,15.4.2014,2014-13-01\nP1,10,x,\n"
		     "P2,10,2014-04-31,\n");
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	assert_string_equal(pb_row_extra(&payment(r.l, "P1")->row, "invoice_date"), "15.4.2014");
	assert_int_equal(pb_ledger_nunread(r.l), 2);
	assert_int_equal(pb_ledger_inputs(r.l)[0].values_unread, 2);
	const pb_rejection *u = pb_ledger_unread_values(r.l);
	assert_string_equal(u[0].reason, "Datum vystaveni (extra invoice_date): '15.4.2014' is not an ISO "
			    "8601 date (YYYY-MM-DD); kept as unknown");
	assert_int_equal(u[0].line, 2);
	assert_string_equal(u[1].reason, "Datum vystaveni (extra invoice_date): '2014-04-31' does not "
			    "exist; kept as unknown");
	assert_int_equal(u[1].line, 4);
	done(&r);

	expect_error(PAY "col.payment_id = Ref\nextra.Issue = Issued\n", "e.csv", "Ref,Issued\n",
		     "extra.Issue: write the name in lower-case letters, digits and '_'");
	expect_error(PAY "col.payment_id = Ref\nextra.paid_on = Issued\n", "e.csv", "Ref,Issued\n",
		     "extra.paid_on: paid_on is a column of table payments: write col.paid_on");
	expect_error(PAY "col.payment_id = Ref\nextra.x = A\nextra.x = B\n", "e.csv", "Ref,A,B\n",
		     "extra.x is given twice");
	expect_error(PAY "col.payment_id = Ref\nextra.issued = Ref\n", "e.csv", "Ref\nP1\n",
		     "extra.issued names column 'Ref', which fills payment_id");
	expect_error(PAY "col.payment_id = Ref\nextra.issued = Issud\n", "e.csv", "Ref,Issued\nP1,x\n",
		     "lacks column 'Issud' that [profile p] extra.issued names; nearest header names: 'Issued'");
}

/* also: one file read into a second table; repeated_keys = filter
 * counts a repeated procedure as filtered, and only in that profile. */
static void test_also_and_repeats(void **state)
{
	struct run r;
	(void)state;

	run(&r, "[profile c]\nfiles = *.csv\ntable = contracts\nalso = t\n"
		"col.contract_id = Contract\ncol.tender_id = Proc\n"
		"[profile t]\ntable = tenders\nrepeated_keys = filter\ncol.tender_id = Proc\n"
		"col.method = Kind\nmap.method = Adjudicación Directa => direct\n",
	    "reg.csv", "Contract,Proc,Kind\nC1,P1,Adjudicación Directa\nC2,P1,Adjudicación Directa\nC2,P2,x\n");
	assert_int_equal(r.rc, 0);
	reconciles(r.l);
	const pb_input *in = pb_ledger_inputs(r.l);
	assert_int_equal(pb_ledger_ninputs(r.l), 2);
	/* contracts: the repeated contract key is still an error */
	assert_int_equal(in[0].rows_imported, 2);
	assert_int_equal(in[0].rows_rejected, 1);
	/* tenders: P1 once, its repeat filtered, P2's method rejected */
	assert_int_equal(in[1].rows_imported, 1);
	assert_int_equal(in[1].rows_filtered, 1);
	assert_int_equal(in[1].rows_rejected, 1);
	assert_string_equal(pb_ledger_filtered(r.l)[0].reason, "repeated-key");
	done(&r);

	expect_error("[profile c]\nfiles = *.csv\ntable = contracts\nalso = nope\n"
		     "col.contract_id = Contract\n", "reg.csv", "Contract\nC1\n",
		     "also = nope: no such profile");
}

/* Mapping failures are errors that say what to fix. */
static void test_loud_errors(void **state)
{
	(void)state;

	expect_error(PAY "col.payment_id = Ref\ncol.payee_id = Suplier Name\n", "e.csv",
		     "Ref,Supplier Name,Supplier ID,Amount\nP1,A,1,5\n",
		     "lacks column 'Suplier Name' that [profile p] col.payee_id names; "
		     "nearest header names: 'Supplier Name', 'Supplier ID'");
	expect_error(PAY "col.payment_id = Ref\ncol.payee_id = Supplier\ncol.description = Supplier\n",
		     "e.csv", "Ref,Supplier\nP1,A\n",
		     "col.payee_id and col.description both name column 'Supplier'; "
		     "to fill a second field from one column write copy.description = Supplier");
	expect_error(PAY "col.amout = Amount\n", "e.csv", "Ref\n",
		     "col.amout: 'amout' is not a column of table payments");
	expect_error(PAY "col.payment_id = Ref\nsplit.Ref = ^\\d+$\n", "e.csv", "Ref\n",
		     "names no group");
	expect_error(PAY "col.payment_id = Ref\n[profile q]\nfiles = e*.csv\ntable = payments\n",
		     "e.csv", "Ref\nP1\n", "two profiles match this file: [profile p]");
	expect_error(PAY "map.method = direct\n", "e.csv", "Ref\n", "is not 'VALUE => CANONICAL'");
	expect_error(PAY "date.paid_on = DD/MM\n", "e.csv", "Ref\n", "date.paid_on 'DD/MM' needs");
	expect_error(PAY "party_country.payer_id = Mexico\n", "e.csv", "Ref\n",
		     "party_country.payer_id 'Mexico' is not an ISO 3166-1 alpha-2 code");
	expect_error(PAY "party_country.payer_id = mx\n", "e.csv", "Ref\n", "is not an ISO 3166-1");
	expect_error(PAY "col.payment_id = Ref\nparty_country.payer_id = MX\n", "e.csv", "Ref\n",
		     "party_country.payer_id needs party.payer_id = the column of the party's name");

	/* header names are found after folding case, punctuation and blanks;
	 * two headers folding alike are ambiguous, so neither is taken */
	struct run h;
	run(&h, PAY "col.payment_id = Ref\nparty.payee_id = Supplier Name\ncol.amount = Amount £\n",
	    "h.csv", "REF,Supplier_Name,Amount (£)\nP1,Acme,\"1,5\"\nP2,Acme,12.5.0\n");
	assert_int_equal(h.rc, 0);
	expect_rejection(h.l, 2, "a decimal comma? set decimal = ,");
	done(&h);
	expect_error(PAY "col.payment_id = Ref\ncol.payee_id = Supplier Name\n", "h.csv",
		     "Ref,Supplier-Name,Supplier_Name\nP1,1,2\n", "lacks column 'Supplier Name'");
	run(&h, PAY "col.payment_id = Ref\ncol.amount = A\ncol.paid_on = D\n", "h.csv",
	    "Ref,A,D\nP1,1,28.01.2013\n");
	expect_rejection(h.l, 2, "does not match the date pattern YYYY-MM-DD (set date_format, or date.paid_on)");
	done(&h);

	/* the near miss: a copy. of a column already mapped is fine */
	struct run r;
	run(&r, PAY "col.payment_id = Ref\ncol.payee_id = Supplier\ncopy.description = Supplier\n",
	    "e.csv", "Ref,Supplier\nP1,A\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(pb_str(payment(r.l, "P1")->description), "A");
	/* a profile no input used is an error; this one was used */
	pb_error err;
	assert_int_equal(pb_config_check_profiles_used(&r.cfg, r.l, &err), 0);
	done(&r);
	run(&r, PAY "col.payment_id = Ref\n[profile unused]\nfiles = nothing-*.csv\n", "e.csv",
	    "Ref\nP1\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(pb_config_check_profiles_used(&r.cfg, r.l, &err), -1);
	assert_non_null(strstr(err.msg, "[profile unused]: files = nothing-*.csv matches none"));
	done(&r);
}

/* A shipped profile over a file: all rows imported, by name. */
static pb_ledger *shipped(const char *profile, const char *path, pb_config *cfg)
{
	pb_error err;

	pb_config_init(cfg);
	if (pb_config_load_profile(cfg, profile, "build/x/probity", &err) < 0)
		fail_msg("%s", err.msg);
	pb_ledger *l = pb_ledger_new(cfg->base_currency);
	if (pb_import_path(l, path, NULL, cfg, &err) < 0)
		fail_msg("%s", err.msg);
	pb_ledger_seal(l);
	reconciles(l);
	return l;
}

static void test_shipped_on_excerpts(void **state)
{
	pb_config cfg;
	(void)state;

	pb_ledger *l = shipped("uk-oxford-spend-over-500",
			       "samples/published/csv/expenditure-over-500-oct-dec-2017.csv", &cfg);
	const pb_input *in = pb_ledger_inputs(l);
	assert_int_equal(in[0].rows_imported, 30);
	const pb_payment *p = payment(l, "1040187 - 2");
	assert_null(p->invoice_id); /* Trans No is the council's reference, no invoice */
	assert_string_equal(pb_str(p->currency), "GBP");
	assert_int_equal(p->amount, 83429);
	assert_string_equal(pb_str(party(l, pb_str(p->payee_id))->name), "UK GAS CONNECTION LTD");
	pb_ledger_free(l);
	pb_config_release(&cfg);

	l = shipped("uk-spend-over-500", "samples/published/csv/expenditure-over-500-oct-dec-2017.csv", &cfg);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 30);
	p = payment(l, "expenditure-over-500-oct-dec-2017.csv:2");
	assert_string_equal(pb_str(p->invoice_id), "1040187 - 2");
	assert_int_equal(p->paid_on, pb_date_from_ymd(2017, 10, 10));
	pb_ledger_free(l);
	pb_config_release(&cfg);

	l = shipped("cz-mfcr-paid-invoices", "samples/published/csv/spending-mfcr-data-2013.csv", &cfg);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 31);
	p = payment(l, "1306200049/1"); /* the JPY loan: its amounts are CZK */
	assert_string_equal(pb_str(p->currency), "CZK");
	assert_int_equal(p->amount, 8970191116);
	assert_string_equal(pb_str(party(l, pb_str(p->payee_id))->name),
			    "JAPAN BANK FOR INTERNATIONAL COOPERATION");
	assert_int_equal(payment(l, "1200004773/1")->amount, -39530); /* a credit note */
	pb_ledger_free(l);
	pb_config_release(&cfg);

	l = shipped("mx-compranet-contracts", "samples/published/csv/sample_Contratos2013_150514080004.csv", &cfg);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 40);
	const pb_contract *c = pb_ledger_find(l, PB_T_CONTRACTS, pb_ledger_intern(l, "720179", 6));
	assert_non_null(c);
	assert_int_equal(c->signed_on, pb_date_from_ymd(2013, 12, 30));
	assert_string_equal(pb_str(c->status), "active");
	assert_string_equal(pb_str(party(l, pb_str(c->supplier_id))->name),
			    "Teléfonos de México S.A.B de C.V.");
	/* the same file again as its procedures (also = mx-compranet-tenders) */
	const pb_tender *t = pb_ledger_find(l, PB_T_TENDERS, pb_str(c->tender_id));
	assert_non_null(t);
	assert_string_equal(pb_str(t->method), "direct");
	assert_string_equal(pb_str(t->category), "services");
	assert_int_equal(pb_ledger_ninputs(l), 2);
	assert_string_equal(pb_ledger_inputs(l)[1].table, "tenders");
	assert_string_equal(pb_ledger_inputs(l)[1].profile, "mx-compranet-tenders");
	pb_ledger_free(l);
	pb_config_release(&cfg);
}

/* The draft profile of the CSV file at path, with `extra` lines after
 * it, written beside it; its path in draft. */
static void write_draft(const char *path, const char *extra, char *draft, size_t size)
{
	pb_error err;
	const char *base = strrchr(path, '/');

	snprintf(draft, size, "%s/draft-%s.ini", dir, base ? base + 1 : path);
	FILE *out = fopen(draft, "w");
	assert_int_equal(pb_config_draft_profile(out, path, &err), 0);
	fputs(extra, out);
	fclose(out);
}

/* init --profile: the draft of a real file loads and imports it; a
 * field with no matching header is left commented, never guessed. */
static void test_draft(void **state)
{
	pb_config cfg;
	pb_error err;
	char draft[300];
	(void)state;

	write_draft("samples/published/csv/expenditure-over-500-oct-dec-2017.csv", "", draft, sizeof(draft));
	pb_config_init(&cfg);
	assert_int_equal(pb_config_load(&cfg, draft, &err), 0);
	const pb_profile *p = &cfg.profiles[0];
	assert_string_equal(p->table, "payments");
	const pb_field_opts *o = pb_profile_opts(p, "paid_on");
	assert_string_equal(o->date_format, "DD/MM/YYYY");
	int has_currency = 0;
	for (size_t i = 0; i < p->nrenames; i++)
		has_currency |= !strcmp(p->renames[i].canonical, "currency");
	assert_false(has_currency);
	pb_ledger *l = pb_ledger_new("GBP");
	assert_int_equal(pb_import_path(l, "samples/published/csv/expenditure-over-500-oct-dec-2017.csv", NULL,
					&cfg, &err), 0);
	pb_ledger_seal(l);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 30);
	pb_ledger_free(l);
	pb_config_release(&cfg);
	assert_int_equal(pb_config_draft_profile(stdout, "/nonexistent.csv", &err), -1);
}

/* init --profile reads the header with libcsv, as the importer does: a
 * quoted header cell with a line break, blank lines and a BOM before
 * it, a header of thousands of columns; a workbook under a CSV name is
 * refused with the importer's advice. */
static void test_draft_header(void **state)
{
	pb_config cfg;
	pb_error err;
	char draft[300];
	(void)state;

	const char *path = write_file("ml.csv", "\xEF\xBB\xBF\n  \n\"Payment\nRef\";\"Supplier Name\";Betrag;Datum\n"
				      "\"P1\";\"Acme; Ltd\";1.234,50;01.03.2024\n");
	write_draft(path, "", draft, sizeof(draft));
	pb_config_init(&cfg);
	assert_int_equal(pb_config_load(&cfg, draft, &err), 0);
	const pb_profile *p = &cfg.profiles[0];
	assert_int_equal(p->delimiter, ';');
	assert_string_equal(pb_profile_opts(p, "paid_on")->date_format, "DD.MM.YYYY");
	pb_config_release(&cfg);

	/* 3 000 columns (the old reader stopped at 8 KiB); the last is found */
	pb_buf wide;
	pb_buf_init(&wide);
	for (int i = 0; i < 3000; i++)
		pb_buf_addf(&wide, "Column number %d,", i);
	pb_buf_addstr(&wide, "Amount\n");
	for (int i = 0; i < 3000; i++)
		pb_buf_addstr(&wide, "x,");
	pb_buf_addstr(&wide, "12.50\n");
	path = write_file("wide.csv", wide.data);
	pb_buf_release(&wide);
	write_draft(path, "", draft, sizeof(draft));
	pb_config_init(&cfg);
	assert_int_equal(pb_config_load(&cfg, draft, &err), 0);
	int has_amount = 0;
	for (size_t i = 0; i < cfg.profiles[0].nrenames; i++)
		has_amount |= !strcmp(cfg.profiles[0].renames[i].canonical, "amount");
	assert_true(has_amount);
	pb_config_release(&cfg);

	path = write_file("book.csv", "PK\x03\x04\x14\x00\x06\x00rest");
	assert_int_equal(pb_config_draft_profile(stdout, path, &err), -1);
	assert_non_null(strstr(err.msg, "is a ZIP archive (an .xlsx or .ods workbook?)"));
	path = write_file("blank.csv", "\n \n\n");
	assert_int_equal(pb_config_draft_profile(stdout, path, &err), -1);
	assert_non_null(strstr(err.msg, "file is empty"));
}

/* The ledger of the file at path, imported through the draft (which
 * must load, and import the file); the caller frees it and releases cfg. */
static pb_ledger *import_drafted(pb_config *cfg, const char *draft, const char *path)
{
	pb_error err;

	pb_config_init(cfg);
	assert_int_equal(pb_config_load(cfg, draft, &err), 0);
	pb_ledger *l = pb_ledger_new("EUR");
	assert_int_equal(pb_import_path(l, path, NULL, cfg, &err), 0);
	pb_ledger_seal(l);
	return l;
}

/* Excel's "sep=;" line names the delimiter and is no header: the draft
 * maps the header below it, writes no delimiter key (the importer reads
 * the line), and its rows import. */
static void test_draft_sep_line(void **state)
{
	pb_config cfg;
	char draft[300];
	(void)state;

	const char *path = write_file("sep.csv", "sep=;\r\nDate;Supplier;Amount;Payment ID\r\n"
						 "2024-01-02;Acme Ltd;1200.50;P1\r\n");
	write_draft(path, "const.currency = EUR\n", draft, sizeof(draft)); /* the draft says to add it */
	pb_ledger *l = import_drafted(&cfg, draft, path);
	const pb_profile *p = &cfg.profiles[0];
	assert_int_equal(p->delimiter, 0);
	int has_date = 0;
	for (size_t i = 0; i < p->nrenames; i++)
		has_date |= !strcmp(p->renames[i].canonical, "paid_on") && !strcmp(p->renames[i].alts[0], "Date");
	assert_true(has_date);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 1);
	pb_ledger_free(l);
	pb_config_release(&cfg);
}

/* Header names a profile line cannot hold as they are ('|' between
 * alternatives, ';' a comment, a leading '?' optional) are written with
 * blanks, which the header match folds alike; the rows import.  One that
 * folds like another cell, or too long for a line, is a comment saying
 * why, and the draft still loads. */
static void test_draft_odd_header_names(void **state)
{
	pb_config cfg;
	pb_error err;
	char draft[300];
	(void)state;

	const char *path = write_file("odd.csv", "Date,Supplier | Name,Amount ; gross,Payment ID\n"
						 "2024-01-02,Acme,12.50,P1\n");
	write_draft(path, "const.currency = EUR\n", draft, sizeof(draft));
	pb_ledger *l = import_drafted(&cfg, draft, path);
	assert_int_equal(pb_ledger_inputs(l)[0].rows_imported, 1);
	const pb_payment *pay = payment(l, "P1");
	assert_non_null(pay);
	assert_int_equal(pay->amount, 1250);
	assert_true(pay->payee_id != 0);
	pb_ledger_free(l);
	pb_config_release(&cfg);

	pb_buf odd;
	pb_buf_init(&odd);
	pb_buf_addstr(&odd, "Date,Amount | Net,Amount Net,Supplier ");
	for (int i = 0; i < 200; i++)
		pb_buf_addch(&odd, 'n');
	pb_buf_addstr(&odd, "\n2024-01-02,1,2,Acme\n");
	path = write_file("twins.csv", odd.data);
	pb_buf_release(&odd);
	write_draft(path, "", draft, sizeof(draft));
	FILE *in = fopen(draft, "r");
	char text[8192];
	size_t got = fread(text, 1, sizeof(text) - 1, in);
	fclose(in);
	text[got] = '\0';
	assert_non_null(strstr(text, "; col.amount = Amount | Net\n;   (the header name holds '|'"));
	assert_non_null(strstr(text, "makes a line longer than a profile line may be"));
	pb_config_init(&cfg);
	assert_int_equal(pb_config_load(&cfg, draft, &err), 0);
	pb_config_release(&cfg);
}

/* Profiles by name: found in config/profiles, else a clear error; a
 * profile file holds nothing but profiles; [audit] profile is kept for
 * the caller to load. */
static void test_by_name(void **state)
{
	pb_config cfg;
	pb_error err;
	(void)state;

	pb_config_init(&cfg);
	assert_int_equal(pb_config_load_profile(&cfg, "uk-spend-over-500", NULL, &err), 0);
	assert_int_equal(cfg.nprofiles, 1);
	assert_true(cfg.profiles[0].named);
	const pb_profile *p = pb_config_profile_for(&cfg, "/any/where/council-2024.csv");
	assert_non_null(p); /* named without files: every CSV input */
	assert_int_equal(pb_config_load_profile(&cfg, "no-such-profile", NULL, &err), -1);
	assert_non_null(strstr(err.msg, "profile 'no-such-profile' not found (tried"));
	pb_config_release(&cfg);

	pb_config_init(&cfg);
	assert_int_equal(pb_config_load_profile(&cfg, write_file("x.ini", "[audit]\nfail_on = low\n"),
						NULL, &err), -1);
	assert_non_null(strstr(err.msg, "holds only [profile NAME] sections"));
	pb_config_release(&cfg);

	pb_config_init(&cfg);
	assert_int_equal(pb_config_load(&cfg, write_file("a.ini", "[audit]\nprofile = uk-spend-over-500\n"),
					&err), 0);
	assert_string_equal(cfg.profile_name, "uk-spend-over-500");
	/* two profiles named without files would each claim every file */
	assert_int_equal(pb_config_load_profile(&cfg, "uk-spend-over-500", NULL, &err), 0);
	assert_int_equal(pb_config_load_profile(&cfg, "cz-mfcr-paid-invoices", NULL, &err), 0);
	const pb_profile *out;
	assert_int_equal(pb_config_profile_pick(&cfg, "x.csv", &out, &err), -1);
	assert_non_null(strstr(err.msg, "2 profiles were named without a files pattern"));
	pb_config_release(&cfg);
}

/* A profile named without files claims every CSV input but the ECB's
 * rates file, told by its first line: a Czech (semicolons) or Mexican
 * (with also =) export audits beside eurofxref-hist.csv as published.
 * A profile whose files pattern names the rates file still maps it. */
static void test_ecb_beside_named_profile(void **state)
{
	static const char *const names[] = {"cz-mfcr-paid-invoices", "mx-compranet-contracts"};
	const char *ecb = "Date,USD,CZK,MXN,\n2014-03-03,1.3759,27.393,18.2548,\n"
			  "2014-02-28,1.3813,27.344,18.2828,\n";
	(void)state;

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		pb_config cfg;
		pb_error err;
		pb_config_init(&cfg);
		assert_int_equal(pb_config_load_profile(&cfg, names[k], NULL, &err), 0);
		pb_ledger *l = pb_ledger_new(cfg.base_currency);
		assert_int_equal(pb_import_path(l, write_file("rates.csv", ecb), NULL, &cfg, &err), 0);
		pb_ledger_seal(l);
		assert_int_equal(pb_ledger_ninputs(l), 1); /* no also = input */
		const pb_input *in = pb_ledger_inputs(l);
		assert_string_equal(in[0].table, "fx");
		assert_null(in[0].profile);
		assert_int_equal(in[0].rows_imported, 2);
		assert_int_equal(pb_ledger_count(l, PB_T_FX), 6);
		pb_ledger_free(l);
		pb_config_release(&cfg);
	}

	/* the same first line in a file the profile was written for */
	expect_error("[profile p]\nfiles = *.csv\ntable = payments\ncol.payment_id = Id\n",
		     "rates.csv", ecb, "lacks column 'Id' that [profile p]");
}

/* The full publications, when the shared data is there: at least 98% of
 * the rows of each file imported (or, for a table read again from the
 * same file, filtered as repeats of a row already imported). */
static void test_shipped_on_publications(void **state)
{
	static const char *const cases[][2] = {
		{"uk-oxford-spend-over-500", "../shared/data/csv/uk-oxford-spend-over-500"},
		{"uk-spend-over-500", "../shared/data/csv/uk-oxford-spend-over-500"},
		{"cz-mfcr-paid-invoices", "../shared/data/csv/cz-mfcr-paid-invoices"},
		{"mx-compranet-contracts", "../shared/data/csv/mx-compranet-contracts"},
	};
	struct stat sb;
	(void)state;

	if (stat("../shared/data/csv", &sb) != 0) {
		print_message("skipped: ../shared/data/csv is not here\n");
		return;
	}
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		pb_config cfg;
		pb_ledger *l = shipped(cases[k][0], cases[k][1], &cfg);
		const pb_input *in = pb_ledger_inputs(l);
		for (size_t i = 0; i < pb_ledger_ninputs(l); i++)
			if ((in[i].rows_imported + in[i].rows_filtered) * 100 < in[i].rows_read * 98)
				fail_msg("%s: %s imported %llu of %llu", cases[k][0], in[i].path,
					 (unsigned long long)in[i].rows_imported,
					 (unsigned long long)in[i].rows_read);
		pb_ledger_free(l);
		pb_config_release(&cfg);
	}
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_map),
		cmocka_unit_test(test_const_and_keys),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_report_export),
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_parties),
		cmocka_unit_test(test_also_and_repeats),
		cmocka_unit_test(test_loud_errors),
		cmocka_unit_test(test_extra_names),
		cmocka_unit_test(test_shipped_on_excerpts),
		cmocka_unit_test(test_shipped_on_publications),
		cmocka_unit_test(test_draft),
		cmocka_unit_test(test_draft_header),
		cmocka_unit_test(test_draft_sep_line),
		cmocka_unit_test(test_draft_odd_header_names),
		cmocka_unit_test(test_by_name),
		cmocka_unit_test(test_ecb_beside_named_profile),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
