/* test_cardinal_rules.c - the Cardinal indicators as rules of the audit:
 * a planted case and a near miss each; their findings in Cardinal's JSON
 * (`probity audit -f cardinal`); mode cardinal reads only the OCDS
 * importer's raw fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../reports/reports.h"
#include "ledger_fixture.h"

static void tender_dates(const char *id, const char *published, const char *deadline)
{
	tender(id, "open", NULL, deadline, PB_INT_NONE);
	pb_tender *t = (pb_tender *)pb_ledger_find(L, PB_T_TENDERS, S(id));
	t->published_on = D(published);
}

static void bid_at(const char *id, const char *tender_id, const char *bidder, const char *st,
		   int64_t cents, const char *date)
{
	bid(id, tender_id, bidder, st);
	pb_bid *b = (pb_bid *)pb_ledger_find(L, PB_T_BIDS, S(id));
	b->value = cents;
	b->submitted_on = D(date);
}

static void award(const char *id, const char *tender_id, const char *supplier)
{
	contract(id, tender_id, supplier, 100, "EUR", "2024-05-01", NULL);
}

static void test_short_period(void **state)
{
	(void)state;
	tender_dates("SHORT", "2024-01-01", "2024-01-15"); /* 14 days */
	tender_dates("EXACT", "2024-01-01", "2024-01-16"); /* 15 days */
	assert_string_equal(fired("bidding.short-submission-period"), "SHORT");
}

static void test_identical_and_late(void **state)
{
	(void)state;
	tender("T1", "open", NULL, "2024-03-15", PB_INT_NONE);
	bid_at("B1", "T1", "A", "valid", 1000, "2024-03-01");
	bid_at("B2", "T1", "B", "disqualified", 1000, "2024-03-02");
	bid_at("B3", "T1", "C", "valid", 1001, "2024-03-03");
	tender("T2", "open", NULL, "2024-03-15", PB_INT_NONE);
	bid_at("B4", "T2", "W", "valid", 500, "2024-03-20");  /* late, and won */
	bid_at("B5", "T2", "L", "valid", 600, "2024-03-21");  /* late, lost */
	award("C2", "T2", "W");
	assert_string_equal(fired("bidding.identical-bids"), "T1!");
	assert_string_equal(fired("bidding.late-bid-won"), "B4!");
}

static void test_disqualifications(void **state)
{
	(void)state;
	/* All but the winner disqualified. */
	tender("T1", "open", NULL, NULL, PB_INT_NONE);
	bid_at("B1", "T1", "W", "valid", 900, NULL);
	bid_at("B2", "T1", "X", "disqualified", 800, NULL);
	award("C1", "T1", "W");
	/* Near miss: another valid bid. */
	tender("T2", "open", NULL, NULL, PB_INT_NONE);
	bid_at("B3", "T2", "W", "valid", 900, NULL);
	bid_at("B4", "T2", "Y", "valid", 950, NULL);
	bid_at("B5", "T2", "X", "disqualified", 990, NULL);
	award("C2", "T2", "W");
	assert_string_equal(fired("bidding.all-but-winner-disqualified"), "T1!");
	/* T1's lowest bid (X, 800) was disqualified; T2's lowest is valid. */
	assert_string_equal(fired("bidding.lowest-bid-disqualified"), "T1");
}

/* Ten tenders whose runner-up is 100% above the winner, and one where the
 * two bids are 1 cent apart: R024 flags that one. */
static void test_price_ratios(void **state)
{
	char t[16], b[16], c[16];
	(void)state;
	for (int i = 0; i < 11; i++) {
		snprintf(t, sizeof(t), "T%02d", i);
		tender(t, "open", NULL, NULL, PB_INT_NONE);
		snprintf(b, sizeof(b), "W%02d", i);
		bid_at(b, t, "W", "valid", 10000, NULL);
		snprintf(b, sizeof(b), "L%02d", i);
		bid_at(b, t, "L", "valid", i == 0 ? 10001 : 20000 + i, NULL);
		snprintf(c, sizeof(c), "C%02d", i);
		award(c, t, "W");
	}
	assert_string_equal(fired("bidding.price-close-to-winner"), "T00");
	assert_string_equal(fired("bidding.heavily-discounted"), "");
}

static void test_heavily_discounted(void **state)
{
	char t[16], b[16], c[16];
	(void)state;
	for (int i = 0; i < 11; i++) {
		snprintf(t, sizeof(t), "T%02d", i);
		tender(t, "open", NULL, NULL, PB_INT_NONE);
		snprintf(b, sizeof(b), "W%02d", i);
		bid_at(b, t, "W", "valid", 10000, NULL);
		snprintf(b, sizeof(b), "L%02d", i);
		bid_at(b, t, "L", "valid", i == 0 ? 90000 : 10100 + i, NULL);
		snprintf(c, sizeof(c), "C%02d", i);
		award(c, t, "W");
	}
	assert_string_equal(fired("bidding.heavily-discounted"), "T00");
}

static void test_excessive_disqualification(void **state)
{
	char t[16], b[16];
	(void)state;
	/* Tenderers A..G: none or one of ten bids disqualified; BAD: 5 of 10.
	 * The one buyer is not judged: fences need at least five parties. */
	const char *who[] = {"A", "B", "C", "D", "E", "F", "G", "BAD"};
	for (int w = 0; w < 8; w++)
		for (int i = 0; i < 10; i++) {
			snprintf(t, sizeof(t), "T%d", i);
			if (w == 0)
				tender(t, "open", NULL, NULL, PB_INT_NONE);
			snprintf(b, sizeof(b), "%s-%d", who[w], i);
			int dq = w == 7 ? i < 5 : (w % 2 == 1 && i == w);
			bid_at(b, t, who[w], dq ? "disqualified" : "valid", 100, NULL);
		}
	assert_string_equal(fired("bidding.excessive-disqualification"), "BAD");
}

/* The audit's own findings in Cardinal's shape: a tender under OCID, a
 * tenderer under Tenderer with its ratio; no Meta in the rules' own mode. */
static void test_cardinal_format(void **state)
{
	char t[16], b[16], *buf = NULL;
	size_t len = 0;
	pb_error err = {0};
	(void)state;
	tender("T1", "open", NULL, "2024-03-15", PB_INT_NONE);
	bid_at("B1", "T1", "A", "valid", 1000, "2024-03-01");
	bid_at("B2", "T1", "B", "disqualified", 1000, "2024-03-02");
	const char *who[] = {"A", "B", "C", "D", "E", "F", "G", "BAD"};
	for (int w = 0; w < 8; w++)
		for (int i = 0; i < 10; i++) {
			snprintf(t, sizeof(t), "U%d", i);
			if (w == 0)
				tender(t, "open", NULL, NULL, PB_INT_NONE);
			snprintf(b, sizeof(b), "%s-%d", who[w], i);
			int dq = w == 7 ? i < 5 : (w % 2 == 1 && i == w);
			bid_at(b, t, who[w], dq ? "disqualified" : "valid", 100 + i * 7 + w, NULL);
		}
	pb_ledger_seal(L);
	pb_audit *a = pb_audit_run(L, &CFG, D("2024-12-31"));
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(pb_report_cardinal_write(a, 1, out, &err), 0);
	fclose(out);
	pb_audit_free(a);
	assert_non_null(strstr(buf, "\"OCID\":{\"T1\":{\"R028\":1.0}}"));
	assert_non_null(strstr(buf, "\"Tenderer\":{\"BAD\":{\"R038\":0.5}}"));
	assert_non_null(strstr(buf, "\"Meta\":{}"));
	free(buf);
}

/* mode = cardinal judges the release as published (the OCDS importer's
 * ocds_* fields, which `probity cardinal` asks for); canonical rows
 * without them give no flag, where the rules' own mode fires. */
static void test_cardinal_mode_needs_raw_fields(void **state)
{
	pb_error err = {0};
	(void)state;
	tender("T1", "open", NULL, "2024-03-15", PB_INT_NONE);
	bid_at("B1", "T1", "A", "valid", 1000, "2024-03-01");
	bid_at("B2", "T1", "B", "disqualified", 1000, "2024-03-02");
	assert_int_equal(pb_config_set_param(&CFG, "bidding.identical-bids", "mode", "cardinal", &err), 0);
	assert_string_equal(fired("bidding.identical-bids"), "");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_short_period), T(test_identical_and_late), T(test_disqualifications),
		T(test_price_ratios), T(test_heavily_discounted), T(test_excessive_disqualification),
		T(test_cardinal_format), T(test_cardinal_mode_needs_raw_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
