/* test_rules5.c - the rules of #5: a planted case and a near miss each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ledger_fixture.h"
#include "audit_asserts.h"

static void test_noncompetitive_share(void **state)
{
	char id[16];
	(void)state;
	char tid[16];
	/* 3 direct worth 300 of 500: 60%, 5 procedures. */
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "C%d", i);
		snprintf(tid, sizeof(tid), "T%d", i);
		tender(tid, i < 3 ? "direct" : "open", "x", NULL, PB_INT_NONE);
		contract(id, tid, "S", 10000, "EUR", "2024-03-01", NULL);
	}
	assert_string_equal(fired("competition.noncompetitive-share"), "MOD");
}

/* Five lots of two procedures are two procedures, below the minimum of
 * five: not judged. */
static void test_noncompetitive_share_lots(void **state)
{
	char id[16];
	(void)state;
	tender("TD", "direct", "x", NULL, PB_INT_NONE);
	tender("TO", "open", NULL, NULL, PB_INT_NONE);
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "C%d", i);
		contract(id, i < 3 ? "TD" : "TO", "S", 10000, "EUR", "2024-03-01", NULL);
	}
	assert_string_equal(fired("competition.noncompetitive-share"), "");
}

static void test_noncompetitive_share_near_miss(void **state)
{
	char id[16];
	(void)state;
	tender("TD", "direct", "x", NULL, PB_INT_NONE);
	tender("TO", "open", NULL, NULL, PB_INT_NONE);
	/* 2 direct of 5 by count and 40% by value. */
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "C%d", i);
		contract(id, i < 2 ? "TD" : "TO", "S", 10000, "EUR", "2024-03-01", NULL);
	}
	assert_string_equal(fired("competition.noncompetitive-share"), "");
}

static void test_concentration(void **state)
{
	(void)state;
	contract("C1", NULL, "BIG", 500000, "EUR", "2024-01-01", NULL);
	contract("C2", NULL, "A", 100000, "EUR", "2024-02-01", NULL);
	contract("C3", NULL, "B", 100000, "EUR", "2024-03-01", NULL);
	contract("C4", NULL, "C", 100000, "EUR", "2024-04-01", NULL);
	contract("C5", NULL, "D", 200000, "EUR", "2024-05-01", NULL);
	/* BIG holds exactly 50%: fires; next year only 1 contract. */
	contract("C6", NULL, "BIG", 900000, "EUR", "2025-01-01", NULL);
	assert_string_equal(fired("competition.supplier-concentration"), "MOD");
}

static void test_repeat_direct(void **state)
{
	(void)state;
	const char *ids[] = {"A1", "A2", "A3", "B1", "B2", "B3", "TL"};
	for (size_t i = 0; i < 7; i++)
		tender(ids[i], "direct", "x", NULL, PB_INT_NONE);
	contract("A1", "A1", "SA", 100, "EUR", "2024-01-01", NULL);
	contract("A2", "A2", "SA", 100, "EUR", "2024-06-01", NULL);
	contract("A3", "A3", "SA", 100, "EUR", "2024-12-31", NULL); /* day 365 */
	contract("B1", "B1", "SB", 100, "EUR", "2024-01-01", NULL);
	contract("B2", "B2", "SB", 100, "EUR", "2024-06-01", NULL);
	contract("B3", "B3", "SB", 100, "EUR", "2025-01-02", NULL); /* day 367 */
	/* Three lots of one direct procedure are one award decision. */
	contract("L1", "TL", "SL", 100, "EUR", "2024-01-01", NULL);
	contract("L2", "TL", "SL", 100, "EUR", "2024-01-01", NULL);
	contract("L3", "TL", "SL", 100, "EUR", "2024-01-01", NULL);
	assert_string_equal(fired("competition.repeat-direct-awards"), "A1!");
}

static void test_threshold_hugging(void **state)
{
	char id[16];
	(void)state;
	/* T = 100000.00: three at 90000.00..99999.99, one at 100000.00, six small. */
	contract("H1", NULL, "S", 9000000, "EUR", NULL, NULL);
	contract("H2", NULL, "S", 9500000, "EUR", NULL, NULL);
	contract("H3", NULL, "S", 9999999, "EUR", NULL, NULL);
	contract("H4", NULL, "S", 9800000, "EUR", NULL, NULL);
	contract("ABOVE", NULL, "S", 10000000, "EUR", NULL, NULL);
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "L%d", i);
		contract(id, NULL, "S", 100000, "EUR", NULL, NULL);
	}
	/* 4 below vs 1 above: ratio 4 >= 3. */
	assert_string_equal(fired("splitting.threshold-hugging"), "MOD");
}

static void test_threshold_hugging_near_miss(void **state)
{
	char id[16];
	(void)state;
	/* 3 below vs 2 above: ratio 1.5. */
	contract("H1", NULL, "S", 9000000, "EUR", NULL, NULL);
	contract("H2", NULL, "S", 9500000, "EUR", NULL, NULL);
	contract("H3", NULL, "S", 9999999, "EUR", NULL, NULL);
	contract("A1", NULL, "S", 10000000, "EUR", NULL, NULL);
	contract("A2", NULL, "S", 10999999, "EUR", NULL, NULL);
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "L%d", i);
		contract(id, NULL, "S", 100000, "EUR", NULL, NULL);
	}
	assert_string_equal(fired("splitting.threshold-hugging"), "");
}

static void buyer_in(const char *id, const char *country)
{
	pb_party p;

	pb_record_blank(PB_T_PARTIES, &p);
	src(&p.row);
	p.party_id = pb_text_of(S(id));
	p.country = pb_text_of(S(country));
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PARTIES, &p), 0);
}

static void test_weekend(void **state)
{
	pb_error err;
	(void)state;
	buyer_in("MOD", "gb");
	contract("XMAS", NULL, "S", 100, "EUR", "2023-12-25", NULL); /* alone in 2023 */
	contract("SAT", NULL, "S", 100, "EUR", "2024-03-09", NULL);
	contract("EASTER", NULL, "S", 100, "EUR", NULL, "2024-04-01"); /* Easter Monday */
	contract("MON", NULL, "S", 100, "EUR", "2024-03-11", "2024-03-12");
	payment("PSUN", NULL, "S", NULL, 100, "2024-03-10");
	/* 2024: three odd days of four, one finding about the buyer and
	 * year; 2023: a single event, reported about itself. */
	assert_string_equal(fired("timing.weekend-award"), "XMAS MOD");
	/* A Friday-Saturday weekend, no holidays. */
	assert_int_equal(pb_config_set_param(&CFG, "timing.weekend-award", "weekend", "fri sat", &err), 0);
	assert_int_equal(pb_config_set_param(&CFG, "timing.weekend-award", "holidays", "", &err), 0);
	assert_string_equal(fired("timing.weekend-award"), "SAT");
}

/* Holidays follow the buyer's country: Whit Monday is a holiday in
 * France, not in Britain; a buyer with no calendar is judged on weekends
 * only, and coverage says so. */
static void test_weekend_calendars(void **state)
{
	(void)state;
	buyer_in("MOD", "FR");
	buyer_in("UK", "GB");
	buyer_in("CA-DND", "CA");
	contract("FR-WHIT", NULL, "S", 100, "EUR", "2024-05-20", NULL);
	contract("GB-WHIT", NULL, "S", 100, "EUR", "2024-05-20", NULL);
	contract("GB-MAY", NULL, "S", 100, "EUR", "2024-05-06", NULL); /* early May bank holiday */
	contract("CA-VIC", NULL, "S", 100, "EUR", "2024-05-20", NULL); /* Victoria Day */
	contract("CA-25", NULL, "S", 100, "EUR", "2024-05-27", NULL);  /* not Victoria Day */
	contract("NOWHERE", NULL, "S", 100, "EUR", "2024-12-25", NULL);
	pb_contract *c = (pb_contract *)pb_ledger_at(L, PB_T_CONTRACTS, 1);
	c[0].buyer_id = pb_text_of(S("UK"));
	c[1].buyer_id = pb_text_of(S("UK"));
	c[2].buyer_id = pb_text_of(S("CA-DND"));
	c[3].buyer_id = pb_text_of(S("CA-DND"));
	c[4].buyer_id = pb_text_of(S("ZZ"));
	pb_ledger_seal(L);
	pb_audit *a = pb_audit_run(L, &CFG, D("2024-12-31"));
	const char *want[] = {"CA-VIC", "FR-WHIT", "GB-MAY"};
	size_t k = 0;
	for (size_t i = 0; i < a->nfindings; i++)
		if (!strcmp(a->findings[i]->rule->id, "timing.weekend-award")) {
			assert_true(k < 3);
			assert_string_equal(a->findings[i]->subject_id, want[k++]);
		}
	assert_int_equal(k, 3);
	for (size_t i = 0; i < a->ncoverage; i++)
		if (!strcmp(a->coverage[i].rule->id, "timing.weekend-award"))
			assert_non_null(strstr(a->coverage[i].reason, "1 dates of buyers or payers with no holiday calendar"));
	pb_audit_free(a);
}

/* Mexico's days of rest (LFT art. 74): Juárez's day on the third Monday
 * of March since 2007, not on the 21st; Labour Day; 2012's inauguration
 * fell on a Saturday, 2024's on 1 October.  One contract a buyer, each
 * alone in its year.  Near misses: the Tuesday after, the 21st. */
/* Contracts id[i] awarded on day[i], each by a buyer of its own in
 * `country`: each date is judged alone against that calendar. */
static void awards_in(const char *country, const char *currency, const char *const *id,
		      const char *const *day, size_t n)
{
	char buyer[16];

	for (size_t i = 0; i < n; i++) {
		snprintf(buyer, sizeof(buyer), "%s-%zu", country, i);
		buyer_in(buyer, country);
		contract(id[i], NULL, "S", 100, currency, day[i], NULL);
		((pb_contract *)(uintptr_t)pb_ledger_at(L, PB_T_CONTRACTS, i))->buyer_id = pb_text_of(S(buyer));
	}
}

static void test_weekend_mexico(void **state)
{
	static const char *const id[] = {"JUAREZ", "TUESDAY", "21ST", "MAYO", "TOMA"};
	static const char *const day[] = {"2013-03-18", "2013-03-19", "2014-03-21", "2015-05-01",
					  "2024-10-01"};
	(void)state;
	awards_in("MX", "MXN", id, day, 5);
	assert_string_equal(fired("timing.weekend-award"), "JUAREZ MAYO TOMA");
}

/* The Czech calendar: Good Friday counts from 2016 (2016-03-25 fires,
 * Good Friday 2015, 2015-04-03, a working day then, does not), and the
 * fixed days such as 17 November and 24 December. */
static void test_weekend_czech(void **state)
{
	static const char *const id[] = {"GOOD-2016", "GOOD-2015", "NOV17", "XMAS-EVE", "WEDNESDAY"};
	static const char *const day[] = {"2016-03-25", "2015-04-03", "2015-11-17", "2014-12-24",
					  "2014-12-17"};
	(void)state;
	awards_in("CZ", "CZK", id, day, 5);
	assert_string_equal(fired("timing.weekend-award"), "GOOD-2016 NOV17 XMAS-EVE");
}

/* A buyer that routinely dates records on weekends (here one in four
 * over its other years) does not stand out with the same share; and a
 * year of 24 events of which one in four falls on a Saturday, with no
 * other year to compare, looks like random dates: not judged either. */
static void test_weekend_usual_share(void **state)
{
	char id[16];
	(void)state;
	for (int i = 0; i < 24; i++) {
		snprintf(id, sizeof(id), "O%02d", i);
		/* 2023-01-07 is a Saturday; every fourth is on a Saturday. */
		contract(id, NULL, "S", 100, "EUR", NULL, NULL);
		((pb_contract *)pb_ledger_at(L, PB_T_CONTRACTS, (size_t)i))->awarded_on =
			D("2023-01-02") + (i % 4 == 0 ? 5 : 1) + 7 * i;
	}
	contract("Y1", NULL, "S", 100, "EUR", "2024-03-09", NULL); /* Saturday */
	contract("Y2", NULL, "S", 100, "EUR", "2024-03-11", NULL);
	contract("Y3", NULL, "S", 100, "EUR", "2024-03-12", NULL);
	contract("Y4", NULL, "S", 100, "EUR", "2024-03-13", NULL);
	assert_string_equal(fired("timing.weekend-award"), "");
}

/* Marks contract `row`'s award date as its OCDS release's own date. */
static void dated_by_release(size_t row, const char *date)
{
	pb_contract *c = (pb_contract *)(uintptr_t)pb_ledger_at(L, PB_T_CONTRACTS, row);
	pb_attr *a = pb_arena_alloc(pb_ledger_arena(L), sizeof(*a));

	a->name = S("award_dated_by_release");
	a->value = S(date);
	pb_row_set_extras(L, &c->row, a, 1);
}

/* An award date that is only its release's date (Montreal publishes
 * every award so) is not judged, and coverage counts it; the contract's
 * signature date still is; an award a later release dated otherwise is
 * judged as usual. */
static void test_weekend_release_date(void **state)
{
	(void)state;
	contract("STAMP", NULL, "S", 100, "EUR", "2024-03-09", NULL);             /* Saturday */
	contract("SIGNED", NULL, "S", 100, "EUR", "2023-03-11", "2023-03-12");    /* Sat, Sun */
	contract("REDATED", NULL, "S", 100, "EUR", "2022-03-12", NULL);           /* Saturday */
	dated_by_release(0, "2024-03-09T00:00:00-04:00");
	dated_by_release(1, "2023-03-11");
	dated_by_release(2, "2022-03-01");
	pb_audit *a = audit();
	assert_int_equal(count(a, "timing.weekend-award"), 2);
	assert_null(finding(a, "timing.weekend-award", "STAMP", 0));
	const pb_finding *f = finding(a, "timing.weekend-award", "SIGNED", 0);
	assert_non_null(f);
	assert_string_equal(detail(f, "date"), "2023-03-12");
	assert_non_null(finding(a, "timing.weekend-award", "REDATED", 0));
	assert_contains(coverage(a, "timing.weekend-award")->reason,
			"2 award dates that are their OCDS release's own date");
	pb_audit_free(a);
}

/* An award dated more than max_days_early before its tender's bid
 * deadline is inconsistent data, not a day anyone worked: not judged,
 * counted; one 11 days before is judged. */
static void test_weekend_implausible_award(void **state)
{
	(void)state;
	tender("T1", "open", NULL, "2024-06-01", 3);
	tender("T2", "open", NULL, "2024-03-20", 3);
	contract("YEAR-EARLY", "T1", "S", 100, "EUR", "2023-06-03", NULL); /* Saturday */
	contract("DAYS-EARLY", "T2", "S", 100, "EUR", "2024-03-09", NULL); /* Saturday */
	pb_audit *a = audit();
	assert_int_equal(count(a, "timing.weekend-award"), 1);
	assert_non_null(finding(a, "timing.weekend-award", "DAYS-EARLY", 0));
	assert_contains(coverage(a, "timing.weekend-award")->reason,
			"1 award dates more than 180 days before their tender's bid deadline");
	pb_audit_free(a);
}

/* A signature after the contract's end is inconsistent data (CompraNet's
 * 71058, "signed" on a Sunday five months after it ended): not judged,
 * counted; one on its last day is judged. */
static void test_weekend_signed_after_end(void **state)
{
	(void)state;
	contract("AFTER", NULL, "S", 100, "EUR", "2023-03-08", "2023-03-12"); /* Wed, Sun */
	contract("LAST", NULL, "S", 100, "EUR", "2023-05-10", "2023-05-14");  /* Wed, Sun */
	((pb_contract *)(uintptr_t)pb_ledger_at(L, PB_T_CONTRACTS, 0))->end_on = D("2023-03-11");
	((pb_contract *)(uintptr_t)pb_ledger_at(L, PB_T_CONTRACTS, 1))->end_on = D("2023-05-14");
	pb_audit *a = audit();
	assert_int_equal(count(a, "timing.weekend-award"), 1);
	assert_non_null(finding(a, "timing.weekend-award", "LAST", 0));
	assert_contains(coverage(a, "timing.weekend-award")->reason,
			"1 signature dates after their contract's end date taken for inconsistent data");
	pb_audit_free(a);
}

/* A signature or award date that is the contract's start on the first or
 * the fifteenth of a month is the start of a period (CompraNet: 17 of 48
 * such signatures on weekends, as random dates are; Mexico City's leases
 * awarded on 2016-01-01, their start, a day after they were signed): not
 * judged, counted.  Near misses: the start on the 16th, the 1st that is
 * not the start, an award on the 1st that is not the start. */
static void test_weekend_period_start(void **state)
{
	static const char *const id[] = {"FIRST", "FIFTEENTH", "SIXTEENTH", "NOT-START", "AWARD-FIRST",
					 "AWARD-NOT-START"};
	static const char *const day[] = {"2014-11-01", "2015-03-15", "2014-11-16", "2015-03-01",
					  "2016-05-01", "2016-10-01"};
	static const char *const start[] = {"2014-11-01", "2015-03-15", "2014-11-16", "2015-03-03",
					    "2016-05-01", "2016-10-03"};
	(void)state;
	for (size_t i = 0; i < 6; i++) { /* every date on a weekend; the last two award dates */
		contract(id[i], NULL, "S", 100, "EUR", i < 4 ? NULL : day[i], i < 4 ? day[i] : NULL);
		((pb_contract *)(uintptr_t)pb_ledger_at(L, PB_T_CONTRACTS, i))->start_on = D(start[i]);
	}
	pb_audit *a = audit();
	assert_int_equal(count(a, "timing.weekend-award"), 3);
	assert_non_null(finding(a, "timing.weekend-award", "SIXTEENTH", 0));
	assert_non_null(finding(a, "timing.weekend-award", "NOT-START", 0));
	assert_non_null(finding(a, "timing.weekend-award", "AWARD-NOT-START", 0));
	assert_contains(coverage(a, "timing.weekend-award")->reason,
			"3 award or signature dates that are their contract's start on the first or the fifteenth of a month");
	pb_audit_free(a);
}

static void test_year_end_spike(void **state)
{
	char id[16], date[16];
	(void)state;
	/* Jan..Nov 1000 each, Dec 2400: mean 1116.7, ratio 2.15. */
	for (int m = 1; m <= 12; m++) {
		snprintf(id, sizeof(id), "P%d", m);
		snprintf(date, sizeof(date), "2024-%02d-15", m);
		payment(id, NULL, "S", NULL, m == 12 ? 240000 : 100000, date);
	}
	PAYER = "NAVY";
	/* Dec 1900 over 1000 a month: ratio 1.74, near miss. */
	for (int m = 1; m <= 12; m++) {
		snprintf(id, sizeof(id), "N%d", m);
		snprintf(date, sizeof(date), "2024-%02d-15", m);
		payment(id, NULL, "S", NULL, m == 12 ? 190000 : 100000, date);
	}
	PAYER = "ARMY";
	/* Five months of data only. */
	for (int m = 8; m <= 12; m++) {
		snprintf(id, sizeof(id), "A%d", m);
		snprintf(date, sizeof(date), "2024-%02d-15", m);
		payment(id, NULL, "S", NULL, m == 12 ? 900000 : 100000, date);
	}
	PAYER = "MOD";
	assert_string_equal(fired("timing.year-end-spike"), "MOD");
}

/* Each payer's year is judged and cited on its own: 2024's finding cites
 * its first 25 December payments in file order, 2023's its two, and
 * NAVY's December payments, between them, neither. */
static void test_year_end_spike_evidence(void **state)
{
	char id[16], date[16];
	(void)state;
	for (int y = 2023; y <= 2024; y++)
		for (int m = 1; m <= 11; m++) {
			snprintf(id, sizeof(id), "P%d-%d", y, m);
			snprintf(date, sizeof(date), "%d-%02d-15", y, m);
			payment(id, NULL, "S", NULL, 100000, date);
		}
	payment("E1", NULL, "S", NULL, 120000, "2023-12-01");
	payment("E2", NULL, "S", NULL, 120000, "2023-12-02");
	for (int k = 1; k <= 30; k++) {
		snprintf(id, sizeof(id), "D%02d", k);
		payment(id, NULL, "S", NULL, 8000, "2024-12-10");
		PAYER = "NAVY";
		snprintf(id, sizeof(id), "N%02d", k);
		payment(id, NULL, "S", NULL, 100000, k <= 12 ? "2024-12-10" : "2024-06-10");
		PAYER = "MOD";
	}
	pb_audit *a = audit();
	assert_int_equal(count(a, "timing.year-end-spike"), 2);
	for (size_t nth = 0; nth < 2; nth++) {
		const pb_finding *f = finding(a, "timing.year-end-spike", "MOD", nth);
		assert_non_null(f);
		if (f->nevidence == 2) {
			assert_string_equal(f->evidence[0].id, "E1");
			assert_string_equal(f->evidence[1].id, "E2");
		} else {
			assert_int_equal(f->nevidence, 25);
			assert_string_equal(f->evidence[0].id, "D01");
			assert_string_equal(f->evidence[24].id, "D25");
		}
	}
	pb_audit_free(a);
}

/* Twelve months of 1000 from `first` (YYYY-MM), the `spike` month at
 * 3000, paid by PAYER. */
static void year_of_payments(const char *prefix, int year, int first, int spike)
{
	char id[24], date[16];

	for (int k = 0; k < 12; k++) {
		int m = (first - 1 + k) % 12 + 1, y = year + (first - 1 + k) / 12;
		snprintf(id, sizeof(id), "%s%d", prefix, k);
		snprintf(date, sizeof(date), "%d-%02d-15", y, m);
		payment(id, NULL, "S", NULL, m == spike ? 300000 : 100000, date);
	}
}

static void test_fiscal_year_start(void **state)
{
	pb_error err;
	(void)state;
	/* A fiscal year starting in April: March is its last month. */
	year_of_payments("P", 2024, 4, 3);
	assert_int_equal(pb_config_set_param(&CFG, "timing.year-end-spike", "fiscal_year_start_month", "4", &err), 0);
	assert_string_equal(fired("timing.year-end-spike"), "MOD");
}

/* With fiscal_year_start_month at 0, the payer's country gives its
 * fiscal year: a British council's from April (its March spike fires,
 * its December one does not), a US agency's from October.  Set to 1, the
 * parameter holds for every payer.  Payments in another currency and a
 * payer-year without its last month are coverage notes. */
static void test_fiscal_year_by_country(void **state)
{
	(void)state;
	buyer_in("COUNCIL", "GB");
	buyer_in("AGENCY", "US");
	buyer_in("XMAS", "GB");
	PAYER = "COUNCIL";
	year_of_payments("C", 2024, 4, 3);
	PAYER = "AGENCY";
	year_of_payments("A", 2024, 10, 9);
	PAYER = "XMAS";
	year_of_payments("X", 2024, 4, 12);
	PAYER = "LONE"; /* one month of a year: not judged */
	payment("L0", NULL, "S", NULL, 900000, "2024-12-15");
	PAYER = "MOD";
	assert_string_equal(fired("timing.year-end-spike"), "AGENCY COUNCIL");
	set_param("timing.year-end-spike", "fiscal_year_start_month", "1");
	/* January years: each payer's 2024 and 2025 parts; only XMAS's
	 * December 2024 stands out, in a year of nine months */
	assert_string_equal(fired("timing.year-end-spike"), "XMAS");
	set_param("timing.year-end-spike", "fiscal_year_start_month", "0");
	pb_payment *p = (pb_payment *)(uintptr_t)pb_ledger_at(L, PB_T_PAYMENTS, 0);
	p->currency = pb_text_of(S("GBP"));
	pb_audit *a = audit();
	assert_contains(coverage(a, "timing.year-end-spike")->reason,
			"1 payment in other currencies with no exchange rate to EUR for the day paid: not judged");
	assert_contains(coverage(a, "timing.year-end-spike")->reason,
			"1 payer-years with payments in fewer than 6 of their months, or none in their last month");
	pb_audit_free(a);
}

/* One council known by two ids that share a registry id: the country
 * one of its records gives is the entity's, so the payments made under
 * the other id keep the council's April year, and its March spike
 * fires (under a January year, March is no year-end). */
static void test_fiscal_year_entity(void **state)
{
	pb_party p;
	(void)state;
	for (int k = 0; k < 2; k++) {
		pb_record_blank(PB_T_PARTIES, &p);
		src(&p.row);
		p.party_id = pb_text_of(S(k ? "CITY-2" : "CITY"));
		p.registry_id = pb_text_of(S("GB-COH:00123456"));
		p.country = k ? pb_text_of(NULL) : pb_text_of(S("GB"));
		assert_int_equal(pb_ledger_add(L, IN, PB_T_PARTIES, &p), 0);
	}
	PAYER = "CITY-2";
	year_of_payments("C", 2024, 4, 3);
	PAYER = "MOD";
	assert_string_equal(fired("timing.year-end-spike"), "CITY");
}

static void test_amendment_rules(void **state)
{
	(void)state;
	contract("MANY", NULL, "S", 100, "EUR", NULL, "2024-01-01");
	amendment("M1", "MANY", "2024-02-01", 100, 100);
	amendment("M2", "MANY", "2024-03-01", 100, 100);
	amendment("M3", "MANY", "2024-04-01", 100, 100);
	contract("TWO", NULL, "S", 100, "EUR", NULL, "2024-01-01");
	amendment("T1", "TWO", "2024-02-01", 100, 100);
	amendment("T2", "TWO", "2024-03-01", 100, 100);
	assert_string_equal(fired("execution.repeated-amendments"), "MANY");
}

static void test_duration_extension(void **state)
{
	pb_amendment a;
	(void)state;
	/* 100 days extended by 51 fires; by exactly 50 does not. */
	contract("LONG", NULL, "S", 100, "EUR", NULL, "2024-01-01");
	contract("EDGE", NULL, "S", 100, "EUR", NULL, "2024-01-01");
	memset(&a, 0, sizeof(a));
	src(&a.row);
	a.amendment_id = pb_text_of(S("X1"));
	a.contract_id = pb_text_of(S("LONG"));
	a.amended_on = D("2024-03-01");
	a.value_before = a.value_after = PB_AMOUNT_NONE;
	a.currency = pb_text_of(S("EUR"));
	a.end_before = D("2024-04-10"); /* day 100 */
	a.end_after = D("2024-05-31");  /* +51 */
	pb_ledger_add(L, IN, PB_T_AMENDMENTS, &a);
	src(&a.row);
	a.amendment_id = pb_text_of(S("X2"));
	a.contract_id = pb_text_of(S("EDGE"));
	a.end_after = D("2024-05-30");  /* +50 */
	pb_ledger_add(L, IN, PB_T_AMENDMENTS, &a);
	assert_string_equal(fired("execution.duration-extension"), "LONG");
}

static void test_payment_without_contract(void **state)
{
	(void)state;
	contract("C1", NULL, "HAS", 100, "EUR", NULL, NULL);
	payment("P1", NULL, "NOCON", NULL, 1000000, "2024-01-01");  /* 10000.00: fires */
	payment("P2", NULL, "NOCON", NULL, 999999, "2024-01-02");   /* below */
	payment("P3", NULL, "HAS", NULL, 5000000, "2024-01-03");   /* has a contract */
	payment("P4", "GHOST", "NOCON", NULL, 5000000, "2024-01-04"); /* cites an unknown one */
	payment("P5", NULL, "REDACTED", NULL, 5000000, "2024-01-05"); /* no payee to judge */
	assert_string_equal(fired("execution.payment-without-contract"), "P1 P4");
}

/* A payment with no exchange rate to the threshold's currency is counted
 * in the coverage note whether or not it cites a contract, unless its
 * payee is a placeholder (no one to judge). */
static void test_payment_without_contract_no_rate(void **state)
{
	(void)state;
	contract("C1", NULL, "HAS", 100, "EUR", NULL, NULL);
	pb_payment p = blank_payment("U1", PAYER, "NOCON", 5000000, "USD", "2024-01-06");
	add(PB_T_PAYMENTS, &p);
	p = blank_payment("U2", PAYER, "HAS", 5000000, "USD", "2024-01-07");
	p.contract_id = pb_text_of(S("C1"));
	add(PB_T_PAYMENTS, &p);
	p = blank_payment("U3", PAYER, "REDACTED", 5000000, "USD", "2024-01-08");
	add(PB_T_PAYMENTS, &p);
	payment("P1", NULL, "NOCON", NULL, 1000000, "2024-01-01"); /* fires */
	pb_audit *a = audit();
	assert_int_equal(count(a, "execution.payment-without-contract"), 1);
	assert_contains(coverage(a, "execution.payment-without-contract")->reason,
			"2 payments could not be compared with the EUR threshold: no exchange rate");
	pb_audit_free(a);
}

/* Many payments citing one missing line are one finding about the line;
 * payments of a fiscal year the budget does not cover are not judged. */
static void test_unbudgeted_grouped(void **state)
{
	pb_budget_line b;
	char id[16];
	(void)state;
	memset(&b, 0, sizeof(b));
	src(&b.row);
	b.budget_line = pb_text_of(S("KNOWN"));
	b.fiscal_year = 2024;
	b.appropriated = b.revised = b.committed = b.spent = PB_AMOUNT_NONE;
	b.currency = pb_text_of(S("EUR"));
	pb_ledger_add(L, IN, PB_T_BUDGET, &b);
	for (int i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "P%02d", i);
		payment(id, NULL, "S", NULL, 100, i < 30 ? "2024-05-01" : "2026-05-01");
		pb_payment *p = (pb_payment *)pb_ledger_at(L, PB_T_PAYMENTS, (size_t)i);
		p->budget_line = pb_text_of(S("GHOST"));
	}
	pb_ledger_seal(L);
	pb_audit *a = pb_audit_run(L, &CFG, D("2026-12-31"));
	size_t n = 0;
	for (size_t i = 0; i < a->nfindings; i++) {
		const pb_finding *f = a->findings[i];
		if (strcmp(f->rule->id, "budget.unbudgeted-spending"))
			continue;
		assert_string_equal(f->subject_id, "GHOST|2024");
		assert_int_equal(f->nevidence, 30);
		assert_non_null(strstr(f->message, "30 payments totalling 30.00 EUR cite budget line GHOST"));
		n++;
	}
	assert_int_equal(n, 1);
	for (size_t i = 0; i < a->ncoverage; i++)
		if (!strcmp(a->coverage[i].rule->id, "budget.unbudgeted-spending"))
			assert_non_null(strstr(a->coverage[i].reason, "10 payments fall in fiscal years the budget does not cover"));
	pb_audit_free(a);
}

static void test_budget_rules(void **state)
{
	pb_budget_line b;
	(void)state;
	/* appropriated 100, revised 126 (+26%) / 125 (+25%) / 70 (-30%). */
	const char *lines[] = {"UP", "EDGE", "DOWN", "NEXT"};
	const int64_t revised[] = {12600, 12500, 7000, 10000};
	for (int i = 0; i < 4; i++) {
		memset(&b, 0, sizeof(b));
		src(&b.row);
		b.budget_line = pb_text_of(S(lines[i]));
		b.fiscal_year = i == 3 ? 2025 : 2024; /* NEXT: the budget covers 2025 */
		b.org_id = pb_text_of(S("MOD"));
		b.classified = i == 0;
		b.appropriated = 10000;
		b.revised = revised[i];
		b.committed = b.spent = PB_AMOUNT_NONE;
		b.currency = pb_text_of(S("EUR"));
		pb_ledger_add(L, IN, PB_T_BUDGET, &b);
	}
	payment("P1", NULL, "S", NULL, 100, "2024-05-01");
	payment("P2", NULL, "S", NULL, 100, "2025-05-01");
	pb_payment *p = (pb_payment *)pb_ledger_at(L, PB_T_PAYMENTS, 0);
	p[0].budget_line = pb_text_of(S("UP"));   /* exists for 2024 */
	p[1].budget_line = pb_text_of(S("UP"));   /* not for 2025 */
	assert_string_equal(fired("budget.large-revision"), "DOWN|2024 UP|2024");
	assert_string_equal(fired("budget.unbudgeted-spending"), "P2!");
	/* UP is classified: 126 of 321 = 39% > 10%. */
	assert_string_equal(fired("budget.classified-share"), "MOD");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_noncompetitive_share), T(test_noncompetitive_share_near_miss),
		T(test_noncompetitive_share_lots),
		T(test_concentration), T(test_repeat_direct), T(test_threshold_hugging),
		T(test_threshold_hugging_near_miss), T(test_weekend), T(test_weekend_calendars), T(test_weekend_mexico), T(test_weekend_czech), T(test_weekend_release_date), T(test_weekend_implausible_award), T(test_weekend_signed_after_end),
		T(test_weekend_period_start),
		T(test_weekend_usual_share), T(test_year_end_spike), T(test_year_end_spike_evidence),
		T(test_fiscal_year_start), T(test_fiscal_year_by_country), T(test_fiscal_year_entity), T(test_amendment_rules), T(test_duration_extension),
		T(test_payment_without_contract), T(test_payment_without_contract_no_rate),
		T(test_budget_rules), T(test_unbudgeted_grouped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
