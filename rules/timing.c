/*
 * timing.c - dates that contradict the procedure.
 *
 * Risk: a contract signed or awarded before the deadline for bids had
 * passed means the winner was chosen before the competition ended; a
 * payment before signature means money left before any obligation
 * existed.  Both usually mean paperwork was created after the fact.
 * Data: contracts and tenders (submission_deadline); payments when loaded.
 * False positives: data-entry errors in dates (themselves worth a look);
 * framework call-offs recorded against the framework's tender; advance
 * payments lawfully made on a letter of intent.
 * Not judged: contracts that were not awarded (cancelled, unsuccessful,
 * pending awards; void tenders).
 * Thresholds: none; equal dates do not fire (World Bank red flags).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

/*
 * A contract awarded or signed before bids closed: one finding per
 * contract, about the earlier of its two dates when both are early.
 */
static void before_deadline(pb_rule_ctx *ctx, const pb_contract *c, const pb_tender *t)
{
	pb_date signed_on = pb_ctx_signed_on(ctx, c);
	int aw = c->awarded_on != PB_DATE_NONE && c->awarded_on < t->submission_deadline;
	int sg = signed_on != PB_DATE_NONE && signed_on < t->submission_deadline;
	const char *what = aw ? "awarded" : "signed";
	pb_date when = aw ? c->awarded_on : signed_on;
	char d[11], dl[11], d2[11];
	pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, pb_str(c->contract_id), what);
	int early = t->submission_deadline - when;

	pb_finding_evidence(ctx, f, PB_T_CONTRACTS, c, "contract");
	pb_finding_evidence(ctx, f, PB_T_TENDERS, t, "tender");
	pb_finding_detail(ctx, f, what, "%s", pb_date_format(when, d));
	if (aw && sg)
		pb_finding_detail(ctx, f, "signed", "%s", pb_date_format(signed_on, d2));
	pb_finding_detail(ctx, f, "submission_deadline", "%s", pb_date_format(t->submission_deadline, dl));
	pb_finding_detail(ctx, f, "days_early", "%d", early);
	f->score = early >= 30 ? 1.0 : 0.5 + (double)early / 60.0;
	/* Decided before the call for bids was even published: the
	 * stronger fact, and the one a reviewer checks first. */
	if (t->published_on != PB_DATE_NONE && when < t->published_on) {
		char pub[11];
		pb_finding_detail(ctx, f, "published_on", "%s", pb_date_format(t->published_on, pub));
		pb_finding_message(ctx, f, "contract %s was %s on %s%s%s, before tender %s was published (%s) and %d day%s before bids closed (%s)",
				   pb_str(c->contract_id), what, d, aw && sg ? " and signed on " : "", aw && sg ? d2 : "",
				   pb_str(t->tender_id), pub, early, early == 1 ? "" : "s", dl);
		return;
	}
	pb_finding_message(ctx, f, "contract %s was %s on %s%s%s, %d day%s before bids closed for tender %s (%s)",
			   pb_str(c->contract_id), what, d, aw && sg ? " and signed on " : "", aw && sg ? d2 : "",
			   early, early == 1 ? "" : "s", pb_str(t->tender_id), dl);
}

/* Payments of one contract made before it was signed: one finding; a
 * single payment is reported about itself. */
static void paid_before_signature(pb_rule_ctx *ctx, const pb_contract *c, pb_date signed_on,
				  const pb_payment *const *p, size_t n)
{
	char d[11], s[11];
	pb_finding *f;
	int early = signed_on - p[0]->paid_on;

	pb_date_format(signed_on, s);
	pb_date_format(p[0]->paid_on, d);
	if (n == 1)
		f = pb_finding_add(ctx, PB_T_PAYMENTS, pb_str(p[0]->payment_id), NULL);
	else
		f = pb_finding_add(ctx, PB_T_CONTRACTS, pb_str(c->contract_id), "paid");
	for (size_t i = 0; i < n; i++)
		pb_finding_evidence(ctx, f, PB_T_PAYMENTS, p[i], "payment");
	pb_finding_evidence(ctx, f, PB_T_CONTRACTS, c, "contract");
	pb_finding_detail(ctx, f, "paid_on", "%s", d);
	pb_finding_detail(ctx, f, "signed_on", "%s", s);
	pb_finding_detail(ctx, f, "days_early", "%d", early);
	pb_finding_detail(ctx, f, "payments", "%zu", n);
	f->score = early >= 30 ? 1.0 : 0.5 + (double)early / 60.0;
	if (n == 1)
		pb_finding_message(ctx, f, "payment %s of %s was made on %s, %d day%s before contract %s was signed (%s)",
				   pb_str(p[0]->payment_id), pb_ctx_money(ctx, p[0]->amount, pb_str(p[0]->currency)), d,
				   early, early == 1 ? "" : "s", pb_str(c->contract_id), s);
	else
		pb_finding_message(ctx, f, "%zu payments on contract %s were made before it was signed (%s), the first on %s, %d day%s before",
				   n, pb_str(c->contract_id), s, d, early, early == 1 ? "" : "s");
}

/* Dates further apart than max_days_early are taken for inconsistent
 * data (a period recorded in the wrong field), not for backdating. */
static int plausible(pb_rule_ctx *ctx, int early, size_t *implausible)
{
	if (early <= pb_param_int(ctx, "max_days_early"))
		return 1;
	(*implausible)++;
	return 0;
}

static void run_backdated(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n, implausible = 0, no_call = 0, at_end = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);

	const uint32_t *tender_row = pb_ledger_refs(l, PB_T_CONTRACTS, offsetof(pb_contract, tender_id),
						    PB_T_TENDERS);

	for (size_t i = 0; i < n; i++) {
		const pb_tender *t = pb_ledger_at(l, PB_T_TENDERS, tender_row[i]);
		at_end += pb_ctx_signed_is_end(ctx, &c[i]) != 0;
		if (!t || t->submission_deadline == PB_DATE_NONE || !pb_contract_is_award(l, &c[i], NULL))
			continue;
		pb_date first = pb_contract_award_date(&c[i]);
		pb_date signed_on = pb_ctx_signed_on(ctx, &c[i]);
		if (signed_on != PB_DATE_NONE && signed_on < first)
			first = signed_on;
		if (first == PB_DATE_NONE || first >= t->submission_deadline)
			continue;
		/* A procedure without a call for competition has no bids to
		 * close: its "tender period" is a registration stamp. */
		if (pb_ctx_competition(ctx, t) != PB_COMPETITION_YES) {
			no_call++;
			continue;
		}
		if (plausible(ctx, t->submission_deadline - first, &implausible))
			before_deadline(ctx, &c[i], t);
	}
	const pb_payment *p = pb_ledger_payments(l, &n);
	const pb_payment **early = pb_xcalloc(n + 1, sizeof(*early));
	const uint32_t *contract_row = pb_ledger_refs(l, PB_T_PAYMENTS, offsetof(pb_payment, contract_id),
						      PB_T_CONTRACTS);
	for (size_t i = 0; i < n; i++) {
		const pb_contract *pc = pb_ledger_at(l, PB_T_CONTRACTS, contract_row[i]);
		pb_date signed_on = pc ? pb_ctx_signed_on(ctx, pc) : PB_DATE_NONE;
		size_t np, k = 0;
		if (!pc || !pb_contract_is_award(l, pc, NULL) || signed_on == PB_DATE_NONE ||
		    p[i].paid_on == PB_DATE_NONE || p[i].paid_on >= signed_on)
			continue;
		/* Judge the contract once, at its first early payment. */
		const uint32_t *pi = pb_contract_payments(l, pc, &np);
		for (size_t j = 0; j < np; j++) {
			const pb_payment *q = pb_ledger_at(l, PB_T_PAYMENTS, pi[j]);
			if (q->paid_on != PB_DATE_NONE && q->paid_on < signed_on)
				early[k++] = q;
		}
		if (early[0] != &p[i])
			continue;
		const pb_payment *firstp = early[0];
		for (size_t j = 1; j < k; j++)
			if (early[j]->paid_on < firstp->paid_on)
				firstp = early[j];
		if (plausible(ctx, signed_on - firstp->paid_on, &implausible)) {
			/* the earliest first, so the message and days_early agree */
			for (size_t j = 0; j < k; j++)
				if (early[j] == firstp) {
					early[j] = early[0];
					early[0] = firstp;
					break;
				}
			paid_before_signature(ctx, pc, signed_on, early, k);
		}
	}
	free(early);
	if (at_end)
		pb_ctx_note(ctx, "%zu contracts whose publisher dates every signature on the contract's end date: their signature dates not used",
			    at_end);
	if (no_call)
		pb_ctx_note(ctx, "%zu contracts of procedures without a call for competition (or unknown) are dated before their tender period's end: not judged",
			    no_call);
	if (implausible)
		pb_ctx_note(ctx, "%zu dates more than %lld days apart taken for inconsistent data: not judged",
			    implausible, (long long)pb_param_int(ctx, "max_days_early"));
}

const pb_rule pb_rule_backdated = {
	.id = "timing.backdated",
	.family = "timing",
	.title = "Signed or awarded before bids closed, or paid before signature",
	.source = "WB",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_CONTRACTS),
	.params = (const pb_param_def[]){
		{"max_days_early", PB_P_DAYS, "180", "dates further apart are inconsistent data (a mistyped year), not backdating"},
		{NULL, 0, NULL, NULL}},
	.run = run_backdated,
	.fields = (const char *const[]){"contracts.awarded_on|contracts.signed_on", "tenders.submission_deadline|payments.paid_on", NULL},
};

/* --- timing.weekend-award --- */

static const char default_holidays[] =
#include "holidays.inc"
	;

static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* One holiday rule of a calendar: see config/holidays.txt. */
struct holiday {
	char country[3]; /* "" for an entry that holds in every country */
	enum { H_DATE, H_YEARLY, H_EASTER, H_NTH, H_LAST, H_BEFORE } kind;
	int year, month, day; /* day: the offset for H_EASTER, n for H_NTH,
			       * the limit for H_BEFORE */
	int weekday;
};

/* Western Easter Sunday (Meeus/Jones/Butcher Gregorian computus). */
static pb_date easter_sunday(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;

	return pb_date_from_ymd(y, month, day);
}

static int weekday_index(const char *name)
{
	for (int i = 0; i < 7; i++)
		if (!strcmp(name, day_names[i]))
			return i;
	return -1;
}

#define CAL_SLOTS (26 * 26 + 1)

/* The slot of a country code ("GB"), 0 for none or anything else. */
static size_t calendar_slot(const char *country)
{
	if (!country || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' ||
	    country[1] > 'Z' || country[2])
		return 0;
	return 1 + (size_t)(country[0] - 'A') * 26 + (size_t)(country[1] - 'A');
}

/* Parses "GB:05-mon1" and the other forms; 0 or -1. */
static int holiday_parse(const char *w, size_t n, struct holiday *h)
{
	char buf[24], day[4], tail[4];
	const char *when = buf;
	int a, b, c, used = 0;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, w, n);
	buf[n] = '\0';
	memset(h, 0, sizeof(*h));
	if (n > 3 && buf[2] == ':') {
		h->country[0] = (char)toupper((unsigned char)buf[0]);
		h->country[1] = (char)toupper((unsigned char)buf[1]);
		if (!calendar_slot(h->country))
			return -1; /* not a country code */
		when = buf + 3;
	}
	if (sscanf(when, "%4d-%2d-%2d%n", &a, &b, &c, &used) == 3 && !when[used]) {
		*h = (struct holiday){{h->country[0], h->country[1], 0}, H_DATE, a, b, c, 0};
		return 0;
	}
	if (sscanf(when, "%2d-%2d%n", &b, &c, &used) == 2 && !when[used]) {
		*h = (struct holiday){{h->country[0], h->country[1], 0}, H_YEARLY, 0, b, c, 0};
		return 0;
	}
	if (!strncmp(when, "easter", 6) && sscanf(when + 6, "%d%n", &c, &used) == 1 && !when[6 + used]) {
		*h = (struct holiday){{h->country[0], h->country[1], 0}, H_EASTER, 0, 0, c, 0};
		return 0;
	}
	if (sscanf(when, "%2d-%3[a-z]%3s%n", &b, day, tail, &used) == 3 && !when[used] &&
	    (h->weekday = weekday_index(day)) >= 0) {
		h->month = b;
		if (!strcmp(tail, "L"))
			h->kind = H_LAST;
		else if (tail[0] == '<' && (h->day = atoi(tail + 1)) > 0)
			h->kind = H_BEFORE;
		else if ((h->day = atoi(tail)) >= 1 && h->day <= 5)
			h->kind = H_NTH;
		else
			return -1;
		return 0;
	}
	return -1;
}

static int holiday_on(const struct holiday *h, pb_date d)
{
	int y, m, day, y7, m7, d7;

	pb_date_to_ymd(d, &y, &m, &day);
	switch (h->kind) {
	case H_DATE:
		return h->year == y && h->month == m && h->day == day;
	case H_YEARLY:
		return h->month == m && h->day == day;
	case H_EASTER:
		return d == easter_sunday(y) + h->day;
	default:
		break;
	}
	if (h->month != m || pb_date_weekday(d) != h->weekday)
		return 0;
	pb_date_to_ymd(d + 7, &y7, &m7, &d7);
	if (h->kind == H_LAST)
		return m7 != m;
	if (h->kind == H_BEFORE)
		return day < h->day && day + 7 >= h->day;
	return (day - 1) / 7 + 1 == h->day;
}

/* The holiday list of the parameter; entries that do not parse are
 * counted so the coverage line can say so.  Entries are indexed by
 * country (slot 0 holds those of every country), so an event is checked
 * against its own country's dozen entries, not the whole list. */
struct calendar {
	struct holiday *h;
	size_t n, cap, bad;
	uint32_t *first; /* per slot: its entries are order[first[s] .. first[s + 1]) */
	uint32_t *order;
};

static void calendar_index(struct calendar *cal)
{
	cal->first = pb_xcalloc(CAL_SLOTS + 1, sizeof(*cal->first));
	cal->order = pb_xcalloc(cal->n + 1, sizeof(*cal->order));
	for (size_t i = 0; i < cal->n; i++)
		cal->first[calendar_slot(cal->h[i].country) + 1]++;
	for (size_t s = 1; s <= CAL_SLOTS; s++)
		cal->first[s] += cal->first[s - 1];
	uint32_t *fill = pb_xcalloc(CAL_SLOTS, sizeof(*fill));
	for (size_t i = 0; i < cal->n; i++) {
		size_t s = calendar_slot(cal->h[i].country);
		cal->order[cal->first[s] + fill[s]++] = (uint32_t)i;
	}
	free(fill);
}

static void calendar_load(struct calendar *cal, const char *list)
{
	memset(cal, 0, sizeof(*cal));
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " \t\n,;");
		struct holiday h;
		if (n && holiday_parse(p, n, &h) == 0) {
			PB_GROW(cal->h, cal->n + 1, cal->cap);
			cal->h[cal->n++] = h;
		} else if (n) {
			cal->bad++;
		}
		p += n;
		p += strspn(p, " \t\n,;");
	}
	calendar_index(cal);
}

static void calendar_release(struct calendar *cal)
{
	free(cal->h);
	free(cal->first);
	free(cal->order);
}

/* Has the calendar any entry for this country (or for every country)? */
static int calendar_covers(const struct calendar *cal, const char *country)
{
	size_t s = calendar_slot(country);

	return cal->first[1] > 0 || (s && cal->first[s + 1] > cal->first[s]);
}

static int slot_holiday(const struct calendar *cal, size_t s, pb_date d)
{
	for (uint32_t k = cal->first[s]; k < cal->first[s + 1]; k++)
		if (holiday_on(&cal->h[cal->order[k]], d))
			return 1;
	return 0;
}

static int calendar_holiday(const struct calendar *cal, const char *country, pb_date d)
{
	size_t s = calendar_slot(country);

	return slot_holiday(cal, 0, d) || (s && slot_holiday(cal, s, d));
}

/*
 * An award, signature or payment of a buyer (or payer) entity: 16
 * bytes, one per award and payment (3.6M at 10M rows), so the record is
 * named by its row and its id and the verb of its date are looked up
 * when written.  An event names its entity until rank_who has ranked
 * them all; from then on it holds the entity's rank, which grouping
 * compares with the year (the entity is then the run's who[rank]).
 */
struct event {
	uint32_t row; /* in contracts, or in payments */
	union {
		pb_text who;   /* before rank_who */
		uint32_t rank; /* after: of the entity among the events', by strcmp */
	} u;
	pb_date date;
	int16_t year;             /* of date (pb_date years are 1 to 9999) */
	uint8_t payment : 1;      /* a payment, else a contract */
	uint8_t which : 1;        /* the record's first date (0) or second (1) */
	uint8_t odd : 2;          /* 0 a working day, 1 a weekend day, 2 a public holiday */
};
_Static_assert(sizeof(struct event) == 16, "an event is 16 bytes");

static const char *const contract_what[2] = {"awarded", "signed"};

static pb_table event_table(const struct event *e)
{
	return e->payment ? PB_T_PAYMENTS : PB_T_CONTRACTS;
}

static const void *event_record(pb_ledger *l, const struct event *e)
{
	return pb_ledger_at(l, event_table(e), e->row);
}

static const char *event_id(pb_ledger *l, const struct event *e)
{
	const void *rec = event_record(l, e);

	return e->payment ? pb_str(((const pb_payment *)rec)->payment_id)
			  : pb_str(((const pb_contract *)rec)->contract_id);
}

static const char *event_what(const struct event *e)
{
	return e->payment ? "paid" : contract_what[e->which];
}

/* Ranks the events' distinct entities by strcmp and gives every event
 * its entity's rank; returns the entities by rank. */
static const char **rank_who(struct event *ev, size_t n)
{
	pb_ptrmap *rank;
	size_t k;
	uint32_t r;
	const char **who = pb_rank_texts(ev, n, sizeof(*ev), offsetof(struct event, u.who), &k, &rank);

	for (size_t i = 0; i < n; i++) {
		pb_ptrmap_get(rank, pb_str(ev[i].u.who), &r);
		ev[i].u.rank = r;
	}
	pb_ptrmap_free(rank);
	return who;
}

/*
 * The order of the events by (entity rank, year), each group in the
 * order the events were added: two stable counting sorts (by year,
 * whose span a 16-bit year bounds, then by rank) give it in linear time
 * (qsort of 3.6M events was half the rule at 10M rows).  Entity rank r's
 * events are order[who_start[r] .. who_start[r + 1]).  The events stay
 * where they are: moving them along the order, one cache miss waiting on
 * the one before, was half the rule at 10M rows; run_weekend gathers
 * each entity's instead, whose reads do not wait on each other.
 */
static uint32_t *order_who_year(const struct event *ev, size_t n, uint32_t **who_start,
				size_t *nwho)
{
	int lo = INT16_MAX, hi = INT16_MIN;
	uint32_t ranks = 0;

	for (size_t i = 0; i < n; i++) {
		lo = ev[i].year < lo ? ev[i].year : lo;
		hi = ev[i].year > hi ? ev[i].year : hi;
		ranks = ev[i].u.rank + 1 > ranks ? ev[i].u.rank + 1 : ranks;
	}
	size_t span = n ? (size_t)(hi - lo + 1) : 0;
	uint32_t *key = pb_xcalloc(n + 1, sizeof(*key)), *by_year = pb_xcalloc(n + 1, sizeof(*by_year));
	uint32_t *order = pb_xcalloc(n + 1, sizeof(*order));
	uint32_t *start = pb_xcalloc((span > ranks ? span : ranks) + 1, sizeof(*start));
	for (size_t i = 0; i < n; i++)
		key[i] = (uint32_t)(ev[i].year - lo);
	pb_bucket_sort(key, n, span, by_year, start);
	for (size_t j = 0; j < n; j++)
		key[j] = ev[by_year[j]].u.rank;
	pb_bucket_sort(key, n, ranks, order, start);
	for (size_t j = 0; j < n; j++)
		order[j] = by_year[order[j]];
	free(by_year);
	free(key);
	*who_start = start;
	*nwho = ranks;
	return order;
}

struct weekend_run {
	pb_rule_ctx *ctx;
	unsigned weekend; /* bit d: day_names[d] is named in the parameter */
	struct calendar cal;
	struct event *ev;   /* room for every contract and payment */
	const char **who;   /* the events' entities by rank (rank_who) */
	size_t n;
	size_t no_calendar; /* events judged on weekends only */
};

static void country_of(pb_ledger *l, const char *party_id, char out[3])
{
	const pb_party *p = party_id ? pb_ledger_find(l, PB_T_PARTIES, party_id) : NULL;

	out[0] = '\0';
	if (p && p->country && strlen(pb_str(p->country)) == 2) {
		out[0] = (char)toupper((unsigned char)pb_str(p->country)[0]);
		out[1] = (char)toupper((unsigned char)pb_str(p->country)[1]);
		out[2] = '\0';
	}
}

/* Adds the event of record `row` of contracts or payments: its first
 * date that falls on an odd day, else its first date. */
static void add_event(struct weekend_run *w, const char *party_id, int payment, size_t row,
		      const pb_date d[2])
{
	pb_ledger *l = pb_ctx_ledger(w->ctx);
	char cc[3];
	int k = d[0] != PB_DATE_NONE ? 0 : 1, odd = 0, year, month, day;

	if (!party_id || d[k] == PB_DATE_NONE)
		return;
	country_of(l, party_id, cc);
	int has_calendar = calendar_covers(&w->cal, cc[0] ? cc : NULL);
	w->no_calendar += !has_calendar;
	for (int i = 0; i < 2 && !odd; i++) {
		if (d[i] == PB_DATE_NONE)
			continue;
		if (has_calendar && calendar_holiday(&w->cal, cc[0] ? cc : NULL, d[i]))
			odd = 2;
		else if ((w->weekend >> pb_date_weekday(d[i])) & 1)
			odd = 1;
		if (odd)
			k = i;
	}
	pb_date_to_ymd(d[k], &year, &month, &day);
	if (year < INT16_MIN || year > INT16_MAX)
		return; /* no date a ledger holds: 4-digit years, a contract's end at most a century on */
	struct event *e = &w->ev[w->n++];
	*e = (struct event){(uint32_t)row, {.who = pb_text_of(pb_ctx_entity(w->ctx, party_id))}, d[k],
			    (int16_t)year, 0, 0, 0};
	e->payment = payment ? 1 : 0;
	e->which = k ? 1 : 0;
	e->odd = odd == 2 ? 2 : odd ? 1 : 0;
}

static void odd_day_single(pb_rule_ctx *ctx, const struct event *e)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	char buf[11];
	const char *kind = e->payment ? "payment" : "contract", *id = event_id(l, e);
	pb_finding *f = pb_finding_add(ctx, event_table(e), id, event_what(e));

	pb_finding_evidence(ctx, f, event_table(e), event_record(l, e), kind);
	pb_finding_detail(ctx, f, "date", "%s", pb_date_format(e->date, buf));
	pb_finding_detail(ctx, f, "day", "%s", e->odd == 2 ? "holiday" : day_names[pb_date_weekday(e->date)]);
	f->score = 0.5;
	pb_finding_message(ctx, f, "%s %s was %s on %s, a %s", kind, id, event_what(e), buf,
			   e->odd == 2 ? "public holiday" : "weekend day");
}

/* An odd-day event of a group that fires, with its id, for the order
 * its evidence is written in: contracts, then payments, by id. */
struct odd_event {
	const struct event *e;
	const char *id;
};

static int by_table_id(const void *pa, const void *pb)
{
	const struct odd_event *a = pa, *b = pb;

	if (a->e->payment != b->e->payment)
		return a->e->payment < b->e->payment ? -1 : 1;
	return strcmp(a->id, b->id);
}

static void odd_day_pattern(pb_rule_ctx *ctx, const char *who, const struct event *g, size_t n, size_t odd,
			    double base, int has_base)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const char *disc = pb_arena_printf(pb_ctx_scratch(ctx), "%d", g[0].year);
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, who, disc);
	double share = (double)odd / (double)n;
	struct odd_event *e = pb_xcalloc(odd + 1, sizeof(*e));
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (g[i].odd)
			e[k++] = (struct odd_event){&g[i], event_id(l, &g[i])};
	qsort(e, k, sizeof(*e), by_table_id);
	for (size_t i = 0; i < k; i++)
		pb_finding_evidence(ctx, f, event_table(e[i].e), event_record(l, e[i].e),
				    e[i].e->odd == 2 ? (e[i].e->payment ? "holiday payment" : "holiday contract")
						     : (e[i].e->payment ? "weekend payment" : "weekend contract"));
	free(e);
	pb_finding_detail(ctx, f, "year", "%d", g[0].year);
	pb_finding_detail(ctx, f, "odd_days", "%zu of %zu", odd, n);
	pb_finding_detail(ctx, f, "share_pct", "%.1f", share * 100.0);
	if (has_base)
		pb_finding_detail(ctx, f, "usual_share_pct", "%.1f", base * 100.0);
	f->score = share >= 0.5 ? 1.0 : 0.5 + share;
	if (has_base)
		pb_finding_message(ctx, f, "%s awarded, signed or paid on %zu weekend days or public holidays in %d (%zu of %zu, %.1f%%; usually %.1f%%)",
				   who, odd, g[0].year, odd, n, share * 100.0, base * 100.0);
	else
		pb_finding_message(ctx, f, "%s awarded, signed or paid on %zu weekend days or public holidays in %d (%zu of %zu, %.1f%%; too few records in other years to compare with)",
				   who, odd, g[0].year, odd, n, share * 100.0);
}

/*
 * One buyer's events in one year.  A year stands out when its share of
 * odd-day events is more than `min_ratio` times the buyer's usual share
 * (its other years, when those hold at least `min_history` events): a
 * buyer whose records are routinely dated on weekends (publication or
 * system dates) does not stand out.  With no record to compare, any
 * odd-day event stands out, unless the year's own share is what random
 * dates would give (`max_share_pct` of at least `min_history` events):
 * then the dates say nothing about the days work was done, and the year
 * is counted in coverage.  A single event is reported about itself,
 * several as one finding about the buyer and year.  Returns 1 when the
 * group was not judged.
 */
static int weekend_group(pb_rule_ctx *ctx, const char *who, const struct event *g, size_t n, size_t who_odd,
			 size_t who_n)
{
	int64_t max_share = pb_param_millionths(ctx, "max_share_pct");
	int64_t ratio = pb_param_millionths(ctx, "min_ratio");
	size_t history = (size_t)pb_param_int(ctx, "min_history");
	size_t odd = 0, base_odd, base_n;
	int has_base = 1;

	for (size_t i = 0; i < n; i++)
		odd += g[i].odd != 0;
	if (!odd)
		return 0;
	base_odd = who_odd - odd;
	base_n = who_n - n;
	has_base = base_n >= history;
	if (!has_base && n >= history &&
	    (pb_i128)odd * 100 * PB_DECIMAL_SCALE >= (pb_i128)max_share * n)
		return 1;
	double base = has_base ? (double)base_odd / (double)base_n : 0.0;
	/* odd / n > ratio x base, in integers: odd x base_n x 10^6 > ratio x base_odd x n */
	if (has_base && (pb_i128)odd * base_n * PB_DECIMAL_SCALE <= (pb_i128)ratio * base_odd * n)
		return 0;
	if (odd == 1) {
		for (size_t i = 0; i < n; i++)
			if (g[i].odd)
				odd_day_single(ctx, &g[i]);
		return 0;
	}
	odd_day_pattern(ctx, who, g, n, odd, base, has_base);
	return 0;
}

/* An award date the OCDS importer found to be its release's date
 * (extra award_dated_by_release): the day the record was published,
 * perhaps, not the day anyone decided anything. */
static int award_dated_by_release(const pb_contract *c)
{
	const char *s = pb_row_extra(&c->row, "award_dated_by_release");
	const char *why;
	pb_date d;

	return s && pb_date_parse(s, strlen(s), NULL, &d, &why) >= 0 && d == c->awarded_on;
}

/*
 * Is a signature or award date the start of the contract's period: its
 * start date, on the first or the fifteenth of a month?  Services run
 * from the first of a month, or its second half, whatever day that is,
 * and a date field filled from the start shows it: in CompraNet's sample
 * 17 of the 48 signatures so dated fall on a weekend (35%; random dates,
 * 29%), against 3 of 242 that are the start on another day and 8 of 415
 * that are not the start.  Mexico City's later releases of its 2016
 * leases date the award 2016-01-01, the period's start and a holiday,
 * a day after the contract was signed (their first release: 2015-12-31).
 */
static int period_start(pb_date on, pb_date start_on)
{
	int y, m, day;

	if (start_on == PB_DATE_NONE || on != start_on)
		return 0;
	pb_date_to_ymd(on, &y, &m, &day);
	return day == 1 || day == 15;
}

static void run_weekend(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	struct weekend_run w = {ctx, 0, {0}, NULL, NULL, 0, 0};
	size_t n, random_years = 0, stamped = 0, implausible = 0, at_end = 0, after_end = 0,
	       month_starts = 0;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	const uint32_t *tender_row = pb_ledger_refs(l, PB_T_CONTRACTS, offsetof(pb_contract, tender_id),
						    PB_T_TENDERS);
	int max_early = (int)pb_param_int(ctx, "max_days_early");

	for (int d = 0; d < 7; d++)
		if (strstr(pb_param_text(ctx, "weekend"), day_names[d]))
			w.weekend |= 1u << d;

	/* At most one event a record: allocated once, not doubled. */
	w.ev = pb_xcalloc(n + pb_ledger_count(l, PB_T_PAYMENTS) + 1, sizeof(*w.ev));
	calendar_load(&w.cal, pb_param_text(ctx, "holidays"));
	for (size_t i = 0; i < n; i++) {
		if (!pb_contract_is_award(l, &c[i], NULL))
			continue;
		pb_date d[2] = {c[i].awarded_on, pb_ctx_signed_on(ctx, &c[i])};
		at_end += pb_ctx_signed_is_end(ctx, &c[i]) != 0;
		if (d[0] != PB_DATE_NONE && award_dated_by_release(&c[i])) {
			d[0] = PB_DATE_NONE;
			stamped++;
		}
		/* An award dated years before its tender's bids closed, or
		 * before it was published (GACM's 2011 award of a procedure of
		 * 2015-2016), is no day anyone worked. */
		const pb_tender *t = pb_ledger_at(l, PB_T_TENDERS, tender_row[i]);
		pb_date call = !t ? PB_DATE_NONE
			       : t->submission_deadline != PB_DATE_NONE ? t->submission_deadline : t->published_on;
		if (d[0] != PB_DATE_NONE && call != PB_DATE_NONE && call - d[0] > max_early) {
			d[0] = PB_DATE_NONE;
			implausible++;
		}
		/* Nor is a signature after the contract ended: CompraNet's
		 * contract 71058, "signed" 2012-12-16, a Sunday, ran from
		 * 2011-12-12 to 2012-07-31 (its year mistyped, most likely). */
		if (d[1] != PB_DATE_NONE && c[i].end_on != PB_DATE_NONE && d[1] > c[i].end_on) {
			d[1] = PB_DATE_NONE;
			after_end++;
		}
		for (int k = 0; k < 2; k++)
			if (d[k] != PB_DATE_NONE && period_start(d[k], c[i].start_on)) {
				d[k] = PB_DATE_NONE;
				month_starts++;
			}
		add_event(&w, pb_str(c[i].buyer_id), 0, i, d);
	}
	const pb_payment *p = pb_ledger_payments(l, &n);
	for (size_t i = 0; i < n; i++) {
		pb_date d[2] = {p[i].paid_on, PB_DATE_NONE};
		add_event(&w, pb_str(p[i].payer_id), 1, i, d);
	}
	w.who = rank_who(w.ev, w.n);
	size_t nwho, most = 0;
	uint32_t *who_start, *order = order_who_year(w.ev, w.n, &who_start, &nwho);
	for (size_t r = 0; r < nwho; r++)
		most = who_start[r + 1] - who_start[r] > most ? who_start[r + 1] - who_start[r] : most;
	struct event *g = pb_xcalloc(most + 1, sizeof(*g)); /* one entity's events */
	for (size_t r = 0; r < nwho; r++) {
		size_t m = who_start[r + 1] - who_start[r], who_odd = 0;
		for (size_t k = 0; k < m; k++) {
			g[k] = w.ev[order[who_start[r] + k]];
			who_odd += g[k].odd != 0;
		}
		for (size_t ys = 0; ys < m;) {
			size_t ye = ys + 1;
			while (ye < m && g[ye].year == g[ys].year)
				ye++;
			random_years += (size_t)weekend_group(ctx, w.who[r], g + ys, ye - ys, who_odd, m);
			ys = ye;
		}
	}
	free(g);
	free(order);
	free(who_start);
	if (w.no_calendar)
		pb_ctx_note(ctx, "%zu dates of buyers or payers with no holiday calendar for their country (or no country): only weekends judged",
			    w.no_calendar);
	if (w.cal.bad)
		pb_ctx_note(ctx, "%zu holiday entries could not be read", w.cal.bad);
	if (random_years)
		pb_ctx_note(ctx, "%zu buyer-years whose dates fall on weekends as often as random dates do: not judged",
			    random_years);
	if (implausible)
		pb_ctx_note(ctx, "%zu award dates more than %d days before their tender's bid deadline (else its publication) taken for inconsistent data: not judged (signature dates still are)",
			    implausible, max_early);
	if (stamped)
		pb_ctx_note(ctx, "%zu award dates that are their OCDS release's own date (perhaps the day it was published): not judged (signature dates still are)",
			    stamped);
	if (at_end)
		pb_ctx_note(ctx, "%zu signature dates that are the contract's end date, as every one of their publisher's is: not judged (award dates still are)",
			    at_end);
	if (after_end)
		pb_ctx_note(ctx, "%zu signature dates after their contract's end date taken for inconsistent data: not judged (award dates still are)",
			    after_end);
	if (month_starts)
		pb_ctx_note(ctx, "%zu award or signature dates that are their contract's start on the first or the fifteenth of a month (the start of a period, not a day anyone decided or signed): not judged",
			    month_starts);
	free(w.who);
	free(w.ev);
	calendar_release(&w.cal);
}

const pb_rule pb_rule_weekend_award = {
	.id = "timing.weekend-award",
	.family = "timing",
	.title = "Award, signature or payment on a weekend or public holiday",
	.source = "ACFE",
	.severity = PB_SEV_LOW,
	.needs = PB_NEEDS(PB_T_CONTRACTS),
	.row_working_set = 1,
	.params = (const pb_param_def[]){
		{"weekend", PB_P_TEXT, "sat sun", "weekend days (mon..sun), space-separated"},
		{"holidays", PB_P_TEXT, default_holidays, "CC:MM-DD, CC:YYYY-MM-DD, CC:easter+N, CC:MM-monN entries per country (default: config/holidays.txt)"},
		{"min_ratio", PB_P_DECIMAL, "2", "a year fires when its odd-day share is above this many times the usual share"},
		{"min_history", PB_P_INT, "20", "events in a buyer's other years needed to know its usual share"},
		{"max_share_pct", PB_P_PERCENT, "20", "with no history, a year with this share of odd days (of min_history events or more) is not judged"},
		{"max_days_early", PB_P_DAYS, "180", "an award dated further before its tender's bid deadline (else its publication) is taken for inconsistent data, not judged"},
		{NULL, 0, NULL, NULL}},
	.run = run_weekend,
	.fields = (const char *const[]){"contracts.awarded_on|contracts.signed_on|payments.paid_on", NULL},
};

/* --- timing.year-end-spike --- */

struct month_total {
	const char *payer;
	int start; /* the month its fiscal year starts */
	int64_t fy;
	pb_i128 sum[12];
	unsigned char seen[12];
};

/* A fiscal year as the second half of a (payer, year) pair. */
static const void *year_key(int64_t fy)
{
	return (const void *)(uintptr_t)fy;
}

/* A payment's amount in the base currency: a month's sum has a currency
 * and a spike has none, so a payment in another is counted at its value
 * on the day it was paid (through the fx table), or -1 when no rate
 * serves and it is left out. */
static int base_amount(pb_rule_ctx *ctx, const pb_payment *p, int64_t *v)
{
	if (pb_str(p->currency) == pb_ctx_currency(ctx)) {
		*v = p->amount;
		return 0;
	}
	return pb_ctx_to_base(ctx, p->amount, pb_str(p->currency), p->paid_on, v, NULL);
}

/* Up to 25 year-end payments of each firing payer and year, in file
 * order, from one pass over the payments: a pass for each finding was
 * findings x payments. */
struct spike_evidence {
	int32_t *slot;          /* per payer and year: its row below, or -1 */
	uint32_t (*rows)[25];
	unsigned char *count;
};

static void spike_evidence_gather(pb_rule_ctx *ctx, const pb_pairs *payer_years,
				  struct spike_evidence *ev)
{
	size_t n;
	const pb_payment *p = pb_ledger_payments(pb_ctx_ledger(ctx), &n);

	for (size_t i = 0; i < n; i++) {
		int64_t fy, v;
		uint32_t k;
		/* a payment no rate converted was not summed: converted last,
		 * for the few in a firing year's last month */
		if (!p[i].payer_id || p[i].paid_on == PB_DATE_NONE || p[i].amount == PB_AMOUNT_NONE ||
		    pb_date_fiscal(p[i].paid_on, pb_ctx_fiscal_start(ctx, pb_str(p[i].payer_id)), &fy) != 11 ||
		    !pb_pairs_find(payer_years, pb_ctx_entity(ctx, pb_str(p[i].payer_id)), year_key(fy), &k) ||
		    ev->slot[k] < 0 || ev->count[ev->slot[k]] == 25 || base_amount(ctx, &p[i], &v) < 0)
			continue;
		ev->rows[ev->slot[k]][ev->count[ev->slot[k]]++] = (uint32_t)i;
	}
}

static void spike_finding(pb_rule_ctx *ctx, const struct month_total *mt, int months,
			  pb_i128 total, const uint32_t *rows, size_t nrows)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const char *cur = pb_ctx_currency(ctx);
	const char *disc = pb_arena_printf(pb_ctx_scratch(ctx), "%lld", (long long)mt->fy);
	const pb_party *payer = pb_ledger_find(l, PB_T_PARTIES, mt->payer);
	double mean = (double)total / months, last = (double)mt->sum[11];
	pb_buf series;

	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, mt->payer, disc);
	if (payer)
		pb_finding_evidence(ctx, f, PB_T_PARTIES, payer, "payer");
	size_t n;
	const pb_payment *p = pb_ledger_payments(l, &n);
	for (size_t i = 0; i < nrows && f->nevidence < 25; i++)
		pb_finding_evidence(ctx, f, PB_T_PAYMENTS, &p[rows[i]], "year-end payment");
	pb_buf_init(&series);
	for (int m = 0; m < 12; m++) {
		char buf[32];
		int64_t v = mt->sum[m] > INT64_MAX ? INT64_MAX : (int64_t)mt->sum[m];
		pb_buf_addf(&series, "%s%s", m ? "," : "", mt->seen[m] ? pb_amount_format(v, pb_currency_exponent(cur), buf) : "");
	}
	pb_finding_detail(ctx, f, "fiscal_year", "%lld", (long long)mt->fy);
	if (mt->start != 1) /* the reports of January years stay as they were */
		pb_finding_detail(ctx, f, "fiscal_year_start_month", "%d", mt->start);
	pb_finding_detail(ctx, f, "monthly", "%s", series.data);
	pb_finding_detail(ctx, f, "ratio", "%.2f", last / mean);
	pb_buf_release(&series);
	f->score = last / mean >= 6.0 ? 1.0 : last / mean / 6.0;
	int64_t last64 = mt->sum[11] > INT64_MAX ? INT64_MAX : (int64_t)mt->sum[11];
	pb_finding_message(ctx, f, "%s spent %s in the last month of fiscal year %lld, %.1f times its monthly mean over %d months",
			   mt->payer, pb_ctx_money(ctx, last64, cur), (long long)mt->fy, last / mean, months);
}

static void run_year_end(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const char *cur = pb_ctx_currency(ctx);
	int64_t ratio = pb_param_millionths(ctx, "min_ratio");
	int64_t min_months = pb_param_int(ctx, "min_months");
	size_t n, count = 0, cap = 0, fired = 0, partial = 0, converted = 0, no_rate = 0;
	const pb_payment *p = pb_ledger_payments(l, &n);
	struct month_total *mt = NULL;
	pb_pairs payer_years = {0}; /* (payer, year_key) -> its place in mt */

	for (size_t i = 0; i < n; i++) {
		if (!p[i].payer_id || p[i].paid_on == PB_DATE_NONE || p[i].amount == PB_AMOUNT_NONE)
			continue;
		int64_t fy, v;
		if (base_amount(ctx, &p[i], &v) < 0) {
			no_rate++;
			continue;
		}
		converted += pb_str(p[i].currency) != cur;
		int start = pb_ctx_fiscal_start(ctx, pb_str(p[i].payer_id));
		int m = pb_date_fiscal(p[i].paid_on, start, &fy);
		const char *payer = pb_ctx_entity(ctx, pb_str(p[i].payer_id));
		uint32_t k = pb_pairs_add(&payer_years, payer, year_key(fy));
		if (k == count) {
			PB_GROW(mt, count + 1, cap);
			memset(&mt[count], 0, sizeof(*mt));
			mt[count].payer = payer;
			mt[count].start = start;
			mt[count++].fy = fy;
		}
		mt[k].sum[m] += v;
		mt[k].seen[m] = 1;
	}
	struct spike_evidence ev = {pb_xcalloc(count + 1, sizeof(*ev.slot)), NULL, NULL};
	int *months = pb_xcalloc(count + 1, sizeof(*months));
	pb_i128 *total = pb_xcalloc(count + 1, sizeof(*total));
	for (size_t k = 0; k < count; k++) {
		for (int m = 0; m < 12; m++) {
			months[k] += mt[k].seen[m];
			total[k] += mt[k].sum[m];
		}
		partial += months[k] < min_months || !mt[k].seen[11];
		/* last >= ratio x mean  <=>  last x months x 10^6 >= ratio x total */
		ev.slot[k] = months[k] < min_months || !mt[k].seen[11] || total[k] <= 0 ||
				     mt[k].sum[11] * months[k] * PB_DECIMAL_SCALE < (pb_i128)ratio * total[k]
			? -1 : (int32_t)fired++;
	}
	ev.rows = pb_xcalloc(fired + 1, sizeof(*ev.rows));
	ev.count = pb_xcalloc(fired + 1, sizeof(*ev.count));
	if (fired)
		spike_evidence_gather(ctx, &payer_years, &ev);
	for (size_t k = 0; k < count; k++)
		if (ev.slot[k] >= 0)
			spike_finding(ctx, &mt[k], months[k], total[k], ev.rows[ev.slot[k]],
				      ev.count[ev.slot[k]]);
	if (converted)
		pb_ctx_note(ctx, "%zu payment%s in other currencies counted at %s %s value on the day paid",
			    converted, converted == 1 ? "" : "s", converted == 1 ? "its" : "their", cur);
	if (no_rate)
		pb_ctx_note(ctx, "%zu payment%s in other currencies with no exchange rate to %s for the day paid: not judged (give the fx rates, or set base_currency)",
			    no_rate, no_rate == 1 ? "" : "s", cur);
	if (partial)
		pb_ctx_note(ctx, "%zu payer-years with payments in fewer than %lld of their months, or none in their last month: not judged",
			    partial, (long long)min_months);
	free(ev.slot);
	free(ev.rows);
	free(ev.count);
	free(months);
	free(total);
	free(mt);
	pb_pairs_release(&payer_years);
}

const pb_rule pb_rule_year_end_spike = {
	.id = "timing.year-end-spike",
	.family = "timing",
	.title = "Spending in the last month of the fiscal year far above the monthly mean",
	.source = "OCP, ACFE",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_PAYMENTS),
	.params = (const pb_param_def[]){
		{"fiscal_year_start_month", PB_P_INT, "0",
		 "month (1-12) in which every payer's fiscal year starts; 0: by the payer's country (GB, CA, IN, JP, ZA April; AU, NZ, KE, UG July; US October), else January"},
		{"min_ratio", PB_P_DECIMAL, "2.0", "last month's spending over the monthly mean that fires"},
		{"min_months", PB_P_INT, "6", "months with spending needed in the fiscal year"},
		{NULL, 0, NULL, NULL}},
	.run = run_year_end,
	.fields = (const char *const[]){"payments.paid_on", "payments.amount", NULL},
};
