/* test_bidding.c - bidding.linked-bidders: planted links and near misses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fixture_core.h"


static void party(const char *id, const char *address, const char *account)
{
	pb_party p;

	memset(&p, 0, sizeof(p));
	p.row.src.file = S("parties.csv");
	p.row.src.line = LINE++;
	p.party_id = S(id);
	p.address = S(address);
	p.bank_account = S(account);
	p.registered_on = PB_DATE_NONE;
	assert_int_equal(pb_ledger_add(L, IN, PB_T_PARTIES, &p), 0);
}

static void tender(const char *id, const char *deadline)
{
	pb_tender t;

	memset(&t, 0, sizeof(t));
	t.row.src.file = S("tenders.csv");
	t.row.src.line = LINE++;
	t.tender_id = S(id);
	t.method = S("open");
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
	b.row.src.file = S("bids.csv");
	b.row.src.line = LINE++;
	b.bid_id = S(id);
	b.tender_id = S(tender_id);
	b.bidder_id = S(bidder);
	b.value = 100;
	b.currency = S("EUR");
	b.submitted_on = PB_DATE_NONE;
	b.status = S("valid");
	assert_int_equal(pb_ledger_add(L, IN, PB_T_BIDS, &b), 0);
}

static void link(const char *from, const char *to, const char *kind,
		 const char *start, const char *end)
{
	pb_relationship r;

	memset(&r, 0, sizeof(r));
	r.row.src.file = S("relationships.csv");
	r.row.src.line = LINE++;
	r.from_id = S(from);
	r.to_id = S(to);
	r.kind = S(kind);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linked_bidders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
