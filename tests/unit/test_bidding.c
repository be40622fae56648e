/* test_bidding.c - bidding.linked-bidders: planted links and near misses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixture_core.h"
#include "../../engine/catalog.h"
#include "../../importers/importers.h"


static void party_reg(const char *id, const char *address, const char *account,
		      const char *registry)
{
	pb_party p;

	memset(&p, 0, sizeof(p));
	p.registry_id = pb_text_of(S(registry));
	pb_row_set(L, &p.row, S("parties.csv"), LINE++, NULL);
	p.party_id = pb_text_of(S(id));
	p.address = pb_text_of(S(address));
	p.bank_account = pb_text_of(S(account));
	p.registered_on = PB_DATE_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PARTIES, &p), 0);
}

static void party(const char *id, const char *address, const char *account)
{
	party_reg(id, address, account, NULL);
}

static void party_phone(const char *id, const char *phone)
{
	pb_party p;
	pb_attr *x = pb_arena_alloc(pb_ledger_arena(L), sizeof(*x));

	memset(&p, 0, sizeof(p));
	pb_row_set(L, &p.row, S("parties.csv"), LINE++, NULL);
	p.party_id = pb_text_of(S(id));
	p.registered_on = PB_DATE_NONE;
	x->name = S("phone");
	x->value = S(phone);
	pb_row_set_extras(L, &p.row, x, 1);
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PARTIES, &p), 0);
}

static void tender(const char *id, const char *deadline)
{
	pb_tender t;

	memset(&t, 0, sizeof(t));
	pb_row_set(L, &t.row, S("tenders.csv"), LINE++, NULL);
	t.tender_id = pb_text_of(S(id));
	t.method = pb_text_of(S("open"));
	t.estimated_value = PB_AMOUNT_NONE;
	t.published_on = PB_DATE_NONE;
	t.submission_deadline = D(deadline);
	t.number_of_tenderers = PB_INT_NONE;
	t.classified = t.framework = PB_BOOL_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_TENDERS, &t), 0);
}

static void bid(const char *id, const char *tender_id, const char *bidder)
{
	pb_bid b;

	memset(&b, 0, sizeof(b));
	pb_row_set(L, &b.row, S("bids.csv"), LINE++, NULL);
	b.bid_id = pb_text_of(S(id));
	b.tender_id = pb_text_of(S(tender_id));
	b.bidder_id = pb_text_of(S(bidder));
	b.value = 100;
	b.currency = pb_text_of(S("EUR"));
	b.submitted_on = PB_DATE_NONE;
	b.status = pb_text_of(S("valid"));
	assert_int_equal(pb_ledger_add(L, IN, PB_T_BIDS, &b), 0);
}

static void link(const char *from, const char *to, const char *kind,
		 const char *start, const char *end)
{
	pb_relationship r;

	memset(&r, 0, sizeof(r));
	pb_row_set(L, &r.row, S("relationships.csv"), LINE++, NULL);
	r.from_id = pb_text_of(S(from));
	r.to_id = pb_text_of(S(to));
	r.kind = pb_text_of(S(kind));
	r.share_pct = PB_INT_NONE;
	r.start_on = D(start);
	r.end_on = D(end);
	assert_int_equal(pb_ledger_add(L, IN, PB_T_RELATIONSHIPS, &r), 0);
}

static void test_linked_bidders(void **state)
{
	pb_config cfg;
	(void)state;

	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
	party("A", "1 Quay St", "ACC-1");
	party("B", "2 Quay St", "ACC-2");
	party("C", "3 Quay St", "ACC-3");
	party("D", "4 Quay Street", "ACC-4");
	party("E", "4, Quay St.", "ACC-5");
	party("F", "6 Quay St", "acc 3");
	party("G", "7 Quay St", "ACC-7");
	party("H", "8 Quay St", "ACC-8");
	/* A and B share a director (two hops): fires.  G and H shared one
	 * until 2023: near miss for a 2024 tender. */
	link("X", "A", "director", NULL, NULL);
	link("X", "B", "director", NULL, NULL);
	link("Y", "G", "owner", NULL, "2023-01-01");
	link("Y", "H", "owner", NULL, NULL);
	tender("T-1", "2024-05-01");
	bid("B1", "T-1", "A");
	bid("B2", "T-1", "B");
	tender("T-2", "2024-05-01");
	bid("B3", "T-2", "D"); /* same address as E */
	bid("B4", "T-2", "E");
	tender("T-3", "2024-05-01");
	bid("B5", "T-3", "C"); /* same account as F */
	bid("B6", "T-3", "F");
	tender("T-4", "2024-05-01");
	bid("B7", "T-4", "G");
	bid("B8", "T-4", "H");
	bid("B9", "T-4", "A");
	pb_ledger_seal(L);
	pb_config_init(&cfg);
	pb_audit *a = pb_audit_run(L, &cfg, D("2024-06-30"));

	const char *want[][2] = {{"T-1", "common party"}, {"T-2", "same address"},
				 {"T-3", "same bank account"}};
	size_t n = 0;
	for (size_t i = 0; i < a->nfindings; i++) {
		const pb_finding *f = a->findings[i];
		if (strcmp(f->rule->id, "bidding.linked-bidders"))
			continue;
		assert_true(n < 3);
		assert_string_equal(f->subject_id, want[n][0]);
		if (!strstr(f->message, want[n][1]))
			fail_msg("%s: '%s' lacks '%s'", f->subject_id, f->message, want[n][1]);
		n++;
	}
	assert_int_equal(n, 3);
	pb_audit_free(a);
	pb_config_release(&cfg);
	pb_ledger_free(L);
}

static int id_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* No finding id appears twice in an audit. */
static void assert_ids_unique(const pb_audit *a)
{
	const char **ids = calloc(a->nfindings + 1, sizeof(*ids));

	for (size_t i = 0; i < a->nfindings; i++)
		ids[i] = a->findings[i]->id;
	qsort(ids, a->nfindings, sizeof(*ids), id_cmp);
	for (size_t i = 1; i < a->nfindings; i++)
		if (!strcmp(ids[i - 1], ids[i]))
			fail_msg("finding id %s appears twice", ids[i]);
	free(ids);
}

static size_t linked(const pb_audit *a, const char *tender, const pb_finding **last)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nfindings; i++)
		if (!strcmp(a->findings[i]->rule->id, "bidding.linked-bidders") &&
		    !strcmp(a->findings[i]->subject_id, tender)) {
			*last = a->findings[i];
			n++;
		}
	return n;
}

/* Many bidders in one tender (past the few compared by pointer): the two
 * that share a director are found however far apart they sort, and
 * only they.  A second tender of the same two reads S02's remembered
 * search, path and all. */
static void test_linked_among_many(void **state)
{
	char id[16];
	pb_config cfg;
	(void)state;

	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
	tender("BIG", "2024-05-01");
	for (int k = 0; k < 20; k++) {
		snprintf(id, sizeof(id), "S%02d", k);
		snprintf(id + 8, 8, "B%02d", k);
		party(id, NULL, NULL);
		bid(id + 8, "BIG", id);
	}
	link("X", "S02", "director", NULL, NULL);
	link("X", "S17", "director", NULL, NULL);
	link("Y", "S18", "director", NULL, NULL);
	link("Y", "S19", "owner", "2025-01-01", NULL); /* not yet on the deadline */
	tender("AGAIN", "2024-05-02");
	bid("A1", "AGAIN", "S17");
	bid("A2", "AGAIN", "S02");
	/* more bids than may_link pairs up: the full way, the same answer */
	tender("HUGE", "2024-05-03");
	for (int k = 0; k < 80; k++) {
		snprintf(id, sizeof(id), "S%02d", k);
		snprintf(id + 8, 8, "H%02d", k);
		if (k >= 20)
			party(id, NULL, NULL);
		bid(id + 8, "HUGE", id);
	}
	pb_ledger_seal(L);
	pb_config_init(&cfg);
	pb_audit *a = pb_audit_run(L, &cfg, D("2024-06-30"));
	const pb_finding *f = NULL;
	assert_int_equal(linked(a, "BIG", &f), 1);
	assert_non_null(strstr(f->message, "bidders S02 and S17"));
	assert_int_equal(linked(a, "AGAIN", &f), 1);
	assert_non_null(strstr(f->message, "bidders S02 and S17 in tender AGAIN"));
	assert_non_null(strstr(f->message, "S02 <-[director]- X -[director]-> S17"));
	assert_int_equal(linked(a, "HUGE", &f), 1);
	assert_non_null(strstr(f->message, "bidders S02 and S17 in tender HUGE"));
	pb_audit_free(a);
	pb_config_release(&cfg);
	pb_ledger_free(L);
}

/* One finding per pair per tender, whatever the number and order of the
 * bids; registry twins are one bidder; a country code is not an address. */
static void test_linked_once(void **state)
{
	char first_id[17] = "";
	(void)state;

	for (int order = 0; order < 2; order++) {
		const pb_finding *f = NULL;
		pb_config cfg;
		L = pb_ledger_new("EUR");
		IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
		party("A", NULL, NULL);
		party("B", NULL, NULL);
		link("X", "A", "director", NULL, NULL);
		link("X", "B", "director", NULL, NULL);
		tender("T-5", "2024-05-01");
		bid("B1", "T-5", order ? "B" : "A");
		bid("B2", "T-5", order ? "A" : "B");
		bid("B3", "T-5", "A");
		bid("B4", "T-5", "B");
		/* Two records of one company (same registry id). */
		party_reg("R1", "9 Mill Road, Yerevan 0010", NULL, "AM-REG:77");
		party_reg("R2", "9 Mill Road, Yerevan 0010", NULL, "AM-REG:77");
		tender("T-6", "2024-05-01");
		bid("B5", "T-6", "R1");
		bid("B6", "T-6", "R2");
		/* Armenia's published addresses: a country code only. */
		party("P", "AM", NULL);
		party("Q", "AM", NULL);
		tender("T-7", "2024-05-01");
		bid("B7", "T-7", "P");
		bid("B8", "T-7", "Q");
		/* One phone written two ways links; a placeholder does not. */
		party_phone("PH-1", "+380 44 555-1234");
		party_phone("PH-2", "+380445551234");
		party_phone("PH-3", "-");
		party_phone("PH-4", "-");
		tender("T-8", "2024-05-01");
		bid("B9", "T-8", "PH-1");
		bid("B10", "T-8", "PH-2");
		tender("T-9", "2024-05-01");
		bid("B11", "T-9", "PH-3");
		bid("B12", "T-9", "PH-4");
		pb_ledger_seal(L);
		pb_config_init(&cfg);
		pb_audit *a = pb_audit_run(L, &cfg, D("2024-06-30"));
		assert_int_equal(linked(a, "T-5", &f), 1);
		assert_non_null(strstr(f->message, "bidders A and B"));
		assert_int_equal(linked(a, "T-6", &f), 0);
		assert_int_equal(linked(a, "T-7", &f), 0);
		assert_int_equal(linked(a, "T-8", &f), 1);
		assert_non_null(strstr(f->message, "same phone"));
		assert_int_equal(linked(a, "T-9", &f), 0);
		assert_ids_unique(a);
		linked(a, "T-5", &f);
		if (order)
			assert_string_equal(f->id, first_id);
		else
			memcpy(first_id, f->id, sizeof(first_id));
		pb_audit_free(a);
		pb_config_release(&cfg);
		pb_ledger_free(L);
	}
}

/* A tender for short-submission-period; `ocds` adds the OCDS importer's
 * extras (NULL values are left out). */
static void tender_st(const char *id, const char *method, const char *details,
		      const char *published, const char *deadline, int ocds,
		      const char *tp_start, const char *ep_start, const char *st)
{
	pb_tender t;
	pb_attr *x = pb_arena_alloc(pb_ledger_arena(L), 3 * sizeof(*x));
	uint32_t nx = 0;

	memset(&t, 0, sizeof(t));
	pb_row_set(L, &t.row, S("tenders.csv"), LINE++, NULL);
	t.tender_id = pb_text_of(S(id));
	t.method = pb_text_of(S(method));
	t.method_details = pb_text_of(S(details));
	t.estimated_value = PB_AMOUNT_NONE;
	t.published_on = D(published);
	t.submission_deadline = D(deadline);
	t.number_of_tenderers = PB_INT_NONE;
	t.classified = t.framework = PB_BOOL_NONE;
	t.status = pb_text_of(S(st));
	if (ocds)
		x[nx++] = (pb_attr){S("ocid"), S(id)};
	if (tp_start)
		x[nx++] = (pb_attr){S("tender_period_start"), S(tp_start)};
	if (ep_start)
		x[nx++] = (pb_attr){S("enquiry_period_start"), S(ep_start)};
	pb_row_set_extras(L, &t.row, x, nx);
	assert_int_equal(pb_ledger_add(L, IN, PB_T_TENDERS, &t), 0);
}

static void tender_sp(const char *id, const char *method, const char *details,
		      const char *published, const char *deadline, int ocds,
		      const char *tp_start, const char *ep_start)
{
	tender_st(id, method, details, published, deadline, ocds, tp_start, ep_start, NULL);
}

static size_t short_fired(const pb_audit *a, const char **ids)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nfindings; i++)
		if (!strcmp(a->findings[i]->rule->id, "bidding.short-submission-period") && n < 16)
			ids[n++] = a->findings[i]->subject_id;
	return n;
}

/* Per-procedure thresholds as Cardinal configures them; no call, unknown
 * procedures, negative periods and OCDS periods that cannot be trusted
 * are not judged. */
static void test_short_period(void **state)
{
	static const char rfq[] = "Cerere a ofertelor de pre\xc5\xa3uri";
	pb_config cfg;
	pb_error err;
	const char *ids[16];
	(void)state;

	L = pb_ledger_new("EUR");
	IN = pb_ledger_add_input(L, "t.csv", "mixed", "csv");
	tender_sp("S-01", "open", NULL, "2024-01-01", "2024-01-15", 0, NULL, NULL);  /* 14 < 15 */
	tender_sp("S-02", "open", NULL, "2024-01-01", "2024-01-16", 0, NULL, NULL);  /* 15 */
	tender_sp("S-03", NULL, rfq, "2024-01-01", "2024-01-09", 0, NULL, NULL);     /* 8 >= 6 */
	tender_sp("S-04", NULL, rfq, "2024-01-01", "2024-01-06", 0, NULL, NULL);     /* 5 < 6 */
	tender_sp("S-05", "direct", NULL, "2024-01-01", "2024-01-02", 0, NULL, NULL); /* no call */
	tender_sp("S-06", NULL, "Some local name", "2024-01-01", "2024-01-02", 0, NULL, NULL);
	tender_sp("S-07", "open", NULL, "2024-03-17", "2024-01-20", 0, NULL, NULL);  /* negative */
	/* OCDS: published_on without a tenderPeriod start ... */
	tender_sp("S-08", "open", NULL, "2024-01-01", "2024-01-03", 1, NULL, NULL);
	/* ... with one ... */
	tender_sp("S-09", "open", NULL, "2024-01-01", "2024-01-03", 1, "2024-01-01T09:00:00Z", NULL);
	/* ... and after an enquiry period (Prozorro belowThreshold). */
	tender_sp("S-10", "open", NULL, "2024-01-07", "2024-01-09", 1, "2024-01-07T15:00:00+03:00",
		  "2024-01-02T14:54:40+03:00");
	tender_sp("S-11", "selective", "Accelerated restricted", "2024-01-01", "2024-01-11", 0, NULL, NULL);
	/* Cancelled and planned tenders: the period never ran. */
	tender_st("S-12", "open", NULL, "2024-01-01", "2024-01-03", 0, NULL, NULL, "cancelled");
	tender_st("S-13", "open", NULL, "2024-01-01", "2024-01-01", 0, NULL, NULL, "planned");
	pb_ledger_seal(L);
	pb_config_init(&cfg);
	char table[128];
	snprintf(table, sizeof(table), "%s = 6 | Accelerated restricted=10", rfq);
	assert_int_equal(pb_config_set_param(&cfg, "bidding.short-submission-period",
					     "details_min_days", table, &err), 0);
	pb_audit *a = pb_audit_run(L, &cfg, D("2024-06-30"));
	size_t n = short_fired(a, ids);
	assert_int_equal(n, 3);
	assert_string_equal(ids[0], "S-01");
	assert_string_equal(ids[1], "S-04");
	assert_string_equal(ids[2], "S-09");
	pb_audit_free(a);
	pb_config_release(&cfg);

	/* A methods filter keeps only the methods it names, exactly. */
	pb_config_init(&cfg);
	assert_int_equal(pb_config_set_param(&cfg, "bidding.short-submission-period",
					     "methods", "selective|limited", &err), 0);
	a = pb_audit_run(L, &cfg, D("2024-06-30"));
	n = short_fired(a, ids);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], "S-11");
	pb_audit_free(a);
	pb_config_release(&cfg);
	pb_ledger_free(L);
}

/* Writes a file of a temporary folder. */
static void put(const char *dir, const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Writes the CSV files (name, text pairs) into a folder of their own,
 * imports it as an export would be, seals and audits the ledger (*lp and
 * cfg are the caller's to free); the folder is removed. */
static pb_audit *audit_csv(const char *const files[][2], size_t n, pb_ledger **lp, pb_config *cfg)
{
	char dir[] = "/tmp/pb-bidding-XXXXXX", path[512];
	pb_error err;

	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < n; i++)
		put(dir, files[i][0], files[i][1]);
	pb_config_init(cfg);
	*lp = pb_ledger_new("EUR");
	assert_int_equal(pb_import_path(*lp, dir, NULL, cfg, &err), 0);
	pb_ledger_seal(*lp);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i][0]);
		remove(path);
	}
	remove(dir);
	return pb_audit_run(*lp, cfg, D("2024-12-31"));
}

static size_t fired(const pb_audit *a, const char *rule, const char **ids, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nfindings; i++)
		if (!strcmp(a->findings[i]->rule->id, rule) && n < max)
			ids[n++] = a->findings[i]->subject_id;
	return n;
}

/*
 * Five tenders whose runner-up is 30% above the winner, and a sixth at
 * `last` percent: the fences sit on 30%, and only a ratio strictly beyond
 * one is an outlier (at the fence, every tender would be).  Bids are in
 * `cur`, the sixth's runner-up in `cur6`.
 */
static pb_audit *ratios_audit_in(const char *last, const char *cur, const char *cur6,
				 pb_ledger **lp, pb_config *cfg)
{
	char line[256];
	pb_buf t, b, c;

	pb_buf_init(&t);
	pb_buf_init(&b);
	pb_buf_init(&c);
	pb_buf_addstr(&t, "tender_id,buyer_id,method,published_on,submission_deadline\n");
	pb_buf_addstr(&b, "bid_id,tender_id,bidder_id,value,currency,submitted_on,status\n");
	pb_buf_addstr(&c, "contract_id,tender_id,buyer_id,supplier_id,value,currency,awarded_on,status\n");
	for (int i = 1; i <= 6; i++) {
		snprintf(line, sizeof(line), "T-%d,MOD,open,2024-0%d-01,2024-0%d-20\n", i, i, i);
		pb_buf_addstr(&t, line);
		snprintf(line, sizeof(line), "W-%d,T-%d,SUP-W%d,100000.00,%s,2024-0%d-15,valid\n"
			 "R-%d,T-%d,SUP-R%d,%s.00,%s,2024-0%d-16,valid\n", i, i, i, cur, i, i, i, i,
			 i < 6 ? "130000" : last, i < 6 ? cur : cur6, i);
		pb_buf_addstr(&b, line);
		snprintf(line, sizeof(line), "C-%d,T-%d,MOD,SUP-W%d,100000.00,EUR,2024-0%d-25,active\n",
			 i, i, i, i);
		pb_buf_addstr(&c, line);
	}
	const char *const files[][2] = {
		{"tenders.csv", t.data}, {"bids.csv", b.data}, {"contracts.csv", c.data}};
	pb_audit *a = audit_csv(files, 3, lp, cfg);
	pb_buf_release(&t);
	pb_buf_release(&b);
	pb_buf_release(&c);
	return a;
}

static pb_audit *ratios_audit(const char *last, pb_ledger **lp, pb_config *cfg)
{
	return ratios_audit_in(last, "EUR", "EUR", lp, cfg);
}

static void test_fence_ties(void **state)
{
	const char *ids[8];
	pb_ledger *l;
	pb_config cfg;
	(void)state;

	/* Six equal ratios: no outlier either way. */
	pb_audit *a = ratios_audit("130000", &l, &cfg);
	assert_int_equal(fired(a, "bidding.price-close-to-winner", ids, 8), 0);
	assert_int_equal(fired(a, "bidding.heavily-discounted", ids, 8), 0);
	assert_int_equal(a->coverage[pb_rule_index(pb_rule_find("bidding.price-close-to-winner"))].status,
			 PB_COV_RAN);
	pb_audit_free(a);
	pb_ledger_free(l);
	pb_config_release(&cfg);

	/* One runner-up 0.1% above its winner among five at 30%: only T-6. */
	a = ratios_audit("100100", &l, &cfg);
	assert_int_equal(fired(a, "bidding.price-close-to-winner", ids, 8), 1);
	assert_string_equal(ids[0], "T-6");
	assert_int_equal(fired(a, "bidding.heavily-discounted", ids, 8), 0);
	pb_audit_free(a);
	pb_ledger_free(l);
	pb_config_release(&cfg);

	/* One at 90% above: heavily discounted, and nothing is close. */
	a = ratios_audit("190000", &l, &cfg);
	assert_int_equal(fired(a, "bidding.heavily-discounted", ids, 8), 1);
	assert_string_equal(ids[0], "T-6");
	assert_int_equal(fired(a, "bidding.price-close-to-winner", ids, 8), 0);
	pb_audit_free(a);
	pb_ledger_free(l);
	pb_config_release(&cfg);
}

/* Bids are compared within their tender, in their own currency: UAH
 * tenders under base EUR are judged as EUR ones; a tender whose bids mix
 * currencies is not, and the coverage says so. */
static void test_ratios_in_any_currency(void **state)
{
	const char *ids[8];
	pb_ledger *l;
	pb_config cfg;
	(void)state;

	pb_audit *a = ratios_audit_in("100100", "UAH", "UAH", &l, &cfg);
	assert_int_equal(fired(a, "bidding.price-close-to-winner", ids, 8), 1);
	assert_string_equal(ids[0], "T-6");
	pb_audit_free(a);
	pb_ledger_free(l);
	pb_config_release(&cfg);

	a = ratios_audit_in("100100", "UAH", "USD", &l, &cfg);
	assert_int_equal(fired(a, "bidding.price-close-to-winner", ids, 8), 0);
	const char *why = a->coverage[pb_rule_index(pb_rule_find("bidding.price-close-to-winner"))].reason;
	assert_non_null(why);
	assert_non_null(strstr(why, "1 tender whose bids are in more than one currency: not judged"));
	pb_audit_free(a);
	pb_ledger_free(l);
	pb_config_release(&cfg);
}

/* The lowest bid, disqualified, in a UAH tender under base EUR fires; in
 * a tender whose bids are in UAH and USD no bid is the lowest. */
static void test_lowest_disqualified_currency(void **state)
{
	const char *ids[8];
	(void)state;

	for (int mixed = 0; mixed <= 1; mixed++) {
		char bids[512];
		pb_ledger *l;
		pb_config cfg;
		snprintf(bids, sizeof(bids),
			 "bid_id,tender_id,bidder_id,value,currency,submitted_on,status\n"
			 "W,T-1,SUP-W,100000.00,UAH,2024-01-15,valid\n"
			 "R,T-1,SUP-R,90000.00,%s,2024-01-16,disqualified\n", mixed ? "USD" : "UAH");
		const char *const files[][2] = {
			{"tenders.csv", "tender_id,buyer_id,method,published_on,submission_deadline\n"
					"T-1,MOD,open,2024-01-01,2024-01-20\n"},
			{"bids.csv", bids},
			{"contracts.csv", "contract_id,tender_id,buyer_id,supplier_id,value,currency,awarded_on,status\n"
					  "C-1,T-1,MOD,SUP-W,100000.00,UAH,2024-01-25,active\n"}};
		pb_audit *a = audit_csv(files, 3, &l, &cfg);
		assert_int_equal(fired(a, "bidding.lowest-bid-disqualified", ids, 8), mixed ? 0 : 1);
		const char *why = a->coverage[pb_rule_index(pb_rule_find("bidding.lowest-bid-disqualified"))].reason;
		if (mixed)
			assert_true(why && strstr(why, "1 tender whose bids are in more than one currency: not judged"));
		pb_audit_free(a);
		pb_ledger_free(l);
		pb_config_release(&cfg);
	}
}

/* A tender of more bids and awards than a process keeps in itself
 * (twelve bids, five lots awarded): the lowest, disqualified, is the
 * eleventh, and still the one found. */
static void test_lowest_disqualified_many_bids(void **state)
{
	const char *ids[8];
	pb_buf bids, contracts;
	pb_ledger *l;
	pb_config cfg;
	(void)state;

	pb_buf_init(&bids);
	pb_buf_init(&contracts);
	pb_buf_addstr(&bids, "bid_id,tender_id,bidder_id,value,currency,submitted_on,status\n");
	for (int i = 1; i <= 12; i++)
		pb_buf_addf(&bids, "B-%d,T-1,SUP-%d,%d.00,EUR,2024-01-15,%s\n", i, i,
			    i == 11 ? 50000 : 100000 + i, i == 11 ? "disqualified" : "valid");
	pb_buf_addstr(&contracts, "contract_id,tender_id,buyer_id,supplier_id,value,currency,awarded_on,status\n");
	for (int i = 1; i <= 5; i++)
		pb_buf_addf(&contracts, "C-%d,T-1,MOD,SUP-1,%d.00,EUR,2024-01-25,%s\n", i, 100001,
			    i == 1 ? "active" : "cancelled");
	const char *const files[][2] = {
		{"tenders.csv", "tender_id,buyer_id,method,published_on,submission_deadline\n"
				"T-1,MOD,open,2024-01-01,2024-01-20\n"},
		{"bids.csv", bids.data},
		{"contracts.csv", contracts.data}};
	pb_audit *a = audit_csv(files, 3, &l, &cfg);
	assert_int_equal(fired(a, "bidding.lowest-bid-disqualified", ids, 8), 1);
	assert_string_equal(ids[0], "T-1");
	pb_audit_free(a);
	pb_ledger_free(l);
	pb_config_release(&cfg);
	pb_buf_release(&bids);
	pb_buf_release(&contracts);
}

/* Tenders with or without a classifications column, a contract each:
 * imported from CSV as an export would be, then audited. */
static pb_audit *classes_audit(int with_classes, pb_ledger **lp, pb_config *cfg)
{
	char line[256];
	pb_buf t, c;

	pb_buf_init(&t);
	pb_buf_init(&c);
	pb_buf_addstr(&t, with_classes ? "tender_id,buyer_id,method,published_on,classifications\n"
				       : "tender_id,buyer_id,method,published_on\n");
	pb_buf_addstr(&c, "contract_id,tender_id,buyer_id,supplier_id,value,currency,awarded_on,status\n");
	for (int i = 1; i <= 6; i++) {
		snprintf(line, sizeof(line), "T-%d,MOD,open,2024-0%d-01%s\n", i, i,
			 with_classes ? ",CPV:09130000" : "");
		pb_buf_addstr(&t, line);
		snprintf(line, sizeof(line), "C-%d,T-%d,MOD,SUP-%d,100000.00,EUR,2024-0%d-25,active\n",
			 i, i, i, i);
		pb_buf_addstr(&c, line);
	}
	const char *const files[][2] = {{"tenders.csv", t.data}, {"contracts.csv", c.data}};
	pb_audit *a = audit_csv(files, 2, lp, cfg);
	pb_buf_release(&t);
	pb_buf_release(&c);
	return a;
}

/* Without a single tender that names its items' classes, heterogeneous-
 * supplier says it could not judge; with them it judges, silently here
 * (six suppliers of one contract each are under min_contracts). */
static void test_heterogeneous_needs_classes(void **state)
{
	pb_ledger *l;
	pb_config cfg;
	(void)state;

	for (int with = 0; with < 2; with++) {
		pb_audit *a = classes_audit(with, &l, &cfg);
		const pb_coverage *cov =
			&a->coverage[pb_rule_index(pb_rule_find("bidding.heterogeneous-supplier"))];
		assert_int_equal(cov->status, PB_COV_RAN);
		const char *said = cov->reason ? strstr(cov->reason, "names its items' classes") : NULL;
		if (with)
			assert_null(said);
		else
			assert_non_null(said);
		pb_audit_free(a);
		pb_ledger_free(l);
		pb_config_release(&cfg);
	}
}

/* The sample ministry (and its OCDS and XML notices): every finding id of
 * every rule appears once. */
static void test_samples_ids_unique(void **state)
{
	pb_config cfg;
	pb_error err;
	(void)state;

	pb_config_init(&cfg);
	assert_int_equal(pb_config_load(&cfg, "samples/valdoria/probity.ini", &err), 0);
	L = pb_ledger_new(cfg.base_currency);
	if (pb_import_path(L, "samples/valdoria", NULL, &cfg, &err))
		fail_msg("samples/valdoria: %s", err.msg);
	pb_ledger_seal(L);
	pb_audit *a = pb_audit_run(L, &cfg, pb_ledger_latest_date(L, NULL));
	assert_true(a->nfindings > 10);
	assert_ids_unique(a);
	pb_audit_free(a);
	pb_config_release(&cfg);
	pb_ledger_free(L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linked_bidders),
		cmocka_unit_test(test_linked_once),
		cmocka_unit_test(test_linked_among_many),
		cmocka_unit_test(test_short_period),
		cmocka_unit_test(test_fence_ties),
		cmocka_unit_test(test_ratios_in_any_currency),
		cmocka_unit_test(test_lowest_disqualified_currency),
		cmocka_unit_test(test_lowest_disqualified_many_bids),
		cmocka_unit_test(test_heterogeneous_needs_classes),
		cmocka_unit_test(test_samples_ids_unique),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
