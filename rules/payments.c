/*
 * payments.c - ledger forensics on payments.
 *
 * Risk: the same invoice paid twice, or the same amount paid to the same
 * payee days apart, is the commonest way money leaks from a payment
 * system, by error or by design (ACFE duplicate-payment tests); amounts
 * that are mostly round, that break Benford's law, or invoices numbered
 * as if the supplier had no other client point at invented bills.
 * Data: payments (payer_id, payee_id, contract_id, invoice_id, amount,
 * currency, paid_on); parties, contracts and amendments when present.
 * Parties: payees and payers are grouped by entity (registry twins are
 * one, engine/parties.h); redaction and null markers ("REDACTED PERSONAL
 * DATA", "N/A", "-") name no one and are never grouped.
 * False positives handled: line items of one transaction, instalments of
 * one contract (adding up to its value, or equal parts of it), fixed
 * amounts recurring at a regular interval (rent, placements), invoice ids
 * that are payer references, bills of one payment run, batches of
 * consecutive invoices, day rates counted as one round amount, Benford on
 * data that spans too few orders of magnitude or starts at a reporting
 * floor ("over £500").  Known ones left: separate bills of one fare days
 * apart; sole-client suppliers that are simply small.
 * Thresholds: a 3-day window for same-amount payments without a shared
 * invoice (ACFE practice); exact repeats of an invoice id fire at any
 * distance, folded ones within 30 days (Nigrini's same-same-different
 * tests); Benford's judgement is the MAD against its expected value for
 * the sample size (Barney & Schulzke 2016), see docs/rules/.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/normalize.h"
#include "../engine/parties.h"
#include "rules.h"

/* --- who a payee or payer is --- */

/* Does a payee or payer id stand for no one?  Empty once punctuation is
 * dropped ("-", "----------"), all zeros, a redaction anywhere in it, or,
 * when it holds no digit (digits make an id; the markers are words), a
 * placeholder the engine knows for every rule (pb_is_placeholder: "N/A",
 * "NOT KNOWN", "PRIVATE INDIVIDUAL", "neznámo"). */
static int is_marker(const char *id)
{
	char folded[64];
	size_t n = 0, zeros = 0;

	for (const char *s = id; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		if (!(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c < 0x80)
			continue;
		if (n + 1 >= sizeof(folded))
			return 0; /* long enough to be a name */
		zeros += c == '0';
		folded[n++] = (char)c;
	}
	folded[n] = '\0';
	if (n == zeros)
		return 1;
	if (strstr(folded, "REDACTED") || !strncmp(folded, "WITHHELD", 8))
		return 1;
	if (strpbrk(folded, "0123456789"))
		return 0;
	return pb_is_placeholder(id);
}

/* The entity a payee or payer id belongs to, or NULL for a marker or a
 * catch-all record, by its id or by the name of its party record (vendor
 * 20000000, "GENERAL EXPENSES").  A redacted name is still one payee: its
 * id says so. */
static const char *entity_of(pb_rule_ctx *ctx, const char *id)
{
	const pb_parties *pp = pb_ctx_parties(ctx);

	if (!id || is_marker(id) || pb_parties_catch_all(pp, id))
		return NULL;
	return pb_parties_entity(pp, id);
}

/* No entity: the payment names no one (empty, a redaction or a marker);
 * pb_bucket_sort leaves it out. */
#define NO_RANK PB_NO_BUCKET
/* No such member of a group. */
#define NO_MEMBER UINT32_MAX

/*
 * The payee (or payer) entity of every payment as a rank: its place among
 * the entities sorted by strcmp.  Each distinct id is judged (marker or
 * not) and resolved once, not once per payment, and payments then group
 * and sort comparing integers, in the order the entity ids would give.
 */
typedef struct {
	uint32_t *rank;       /* by payment index: entity rank, or NO_RANK */
	const char **least;   /* by rank: the smallest id naming the entity */
	size_t nentities, unnamed;
} entity_ranks;

static const char *field_of(const pb_payment *p, size_t field)
{
	return pb_str(*(const pb_text *)((const char *)p + field));
}

/* An entity as it is first met: its name's sort key (pb_text_key_of,
 * the index its order of appearance) and the smallest of the ids naming
 * it. */
typedef struct {
	pb_text_key key;
	const char *least;
} named;

static void entity_ranks_build(pb_rule_ctx *ctx, size_t field, entity_ranks *er)
{
	size_t n, ne = 0;
	const pb_payment *p = pb_ledger_payments(pb_ctx_ledger(ctx), &n);
	pb_ptrmap *by_id = pb_ptrmap_new(), *by_entity = pb_ptrmap_new();
	/* Room for a name a payment, of which only the entities' are
	 * touched: grown as they came, the copies' fresh pages were a third
	 * of the page faults of payments.duplicate, the 8-rule bench's
	 * longest rule. */
	named *names = pb_xcalloc(n + 1, sizeof(*names));

	er->rank = pb_xcalloc(n + 1, sizeof(*er->rank));
	er->unnamed = 0;
	for (size_t i = 0; i < n; i++) {
		const char *id = field_of(&p[i], field), *e;
		/* payees come in no order: the slot of the one 16 on is
		 * fetched while this one is looked up */
		const char *ahead = i + 16 < n ? field_of(&p[i + 16], field) : NULL;
		if (ahead) {
			pb_ptrmap_prefetch(by_id, ahead);
			__builtin_prefetch(ahead); /* its text, read if it is new */
		}
		uint32_t r = NO_RANK;
		if (id && !pb_ptrmap_get(by_id, id, &r)) {
			if ((e = entity_of(ctx, id)) && !pb_ptrmap_get(by_entity, e, &r)) {
				names[ne] = (named){pb_text_key_of(0, e, (uint32_t)ne), id};
				r = (uint32_t)ne++;
				pb_ptrmap_put(by_entity, e, r);
			}
			if (e && strcmp(id, names[r].least) < 0)
				names[r].least = id;
			pb_ptrmap_put(by_id, id, r);
		}
		er->rank[i] = r;
		er->unnamed += r == NO_RANK;
	}
	/* sorted by name (a name is one entity's: the index never decides),
	 * in arrays of the entities' size from the heap, not fresh pages */
	pb_text_key *keys = pb_xmalloc((ne + 1) * sizeof(*keys));
	pb_text_key *room = pb_xmalloc((ne + 1) * sizeof(*room));
	for (size_t j = 0; j < ne; j++)
		keys[j] = names[j].key;
	pb_sort_text_keys(keys, ne, room);
	free(room);
	uint32_t *final = pb_xcalloc(ne + 1, sizeof(*final));
	er->least = pb_xcalloc(ne + 1, sizeof(*er->least));
	for (size_t j = 0; j < ne; j++) {
		final[keys[j].index] = (uint32_t)j;
		er->least[j] = names[keys[j].index].least;
	}
	for (size_t i = 0; i < n; i++)
		if (er->rank[i] != NO_RANK)
			er->rank[i] = final[er->rank[i]];
	er->nentities = ne;
	free(final);
	free(keys);
	free(names);
	pb_ptrmap_free(by_id);
	pb_ptrmap_free(by_entity);
}

/* pb_shared_build_fn of the ranks of the entities a payment field names
 * (*arg: the field's offset). */
static void *entity_ranks_make(pb_rule_ctx *ctx, const void *arg)
{
	entity_ranks *er = pb_xcalloc(1, sizeof(*er));

	entity_ranks_build(ctx, *(const size_t *)arg, er);
	return er;
}

static void entity_ranks_free(void *made)
{
	entity_ranks *er = made;

	free(er->rank);
	free(er->least);
	free(er);
}

/* The payees' (or payers') ranks, made once for all the rules that group
 * payments by them: five of them did each at 10M rows, 0.3 s a time. */
static const entity_ranks *entity_ranks_of(pb_rule_ctx *ctx, size_t field)
{
	static const size_t payee = offsetof(pb_payment, payee_id), payer = offsetof(pb_payment, payer_id);

	if (field != payee && field != payer)
		pb_fatal("internal error: payments grouped by the field at offset %zu", field);
	return pb_ctx_shared(ctx, field == payee ? "payments.payee-ranks" : "payments.payer-ranks",
			     entity_ranks_make, field == payee ? &payee : &payer, entity_ranks_free);
}

/* Payments keyed for sorting: qsort needs no context when the keys sit
 * beside the index.  32 bytes: there is one per payment. */
typedef struct {
	int64_t amount;
	const char *id;       /* payment_id: ties broken by it, not file order */
	pb_date paid_on;
	uint32_t ix;
	uint32_t rank;        /* of the payee entity (entity_ranks) */
	uint32_t currency;    /* rank of the currency code, by strcmp */
} pay_key;
_Static_assert(sizeof(pay_key) <= 32, "a payment key is 32 bytes on 64-bit");

static int cmp_key(const void *pa, const void *pb)
{
	const pay_key *a = pa, *b = pb;
	int c;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->currency != b->currency)
		return a->currency < b->currency ? -1 : 1;
	if (a->amount != b->amount)
		return a->amount < b->amount ? -1 : 1;
	if (a->paid_on != b->paid_on)
		return a->paid_on < b->paid_on ? -1 : 1;
	if ((c = pb_intern_cmp(a->id, b->id)))
		return c;
	return a->ix < b->ix ? -1 : a->ix > b->ix;
}

typedef void (*party_fn)(pb_rule_ctx *ctx, const pb_payment *p, const uint32_t *ix,
			 size_t n, const char *entity, void *data);

/* Calls fn for each payee (or payer) entity with its payments in file
 * order, and the smallest of the ids its payments name it by (not the
 * entity's id, which is whichever twin the parties table lists first: the
 * subject must not depend on the order of rows).  Returns how many
 * payments name no one there (empty, a redaction or null marker, or a
 * catch-all vendor record). */
static size_t for_each_entity(pb_rule_ctx *ctx, size_t field, party_fn fn, void *data)
{
	size_t n;
	const pb_payment *p = pb_ledger_payments(pb_ctx_ledger(ctx), &n);
	const entity_ranks *er = entity_ranks_of(ctx, field);
	uint32_t *ix = pb_xcalloc(n + 1, sizeof(*ix));
	uint32_t *start = pb_xcalloc(er->nentities + 1, sizeof(*start));

	pb_bucket_sort(er->rank, n, er->nentities, ix, start);
	for (size_t r = 0; r < er->nentities; r++)
		fn(ctx, p, ix + start[r], start[r + 1] - start[r], er->least[r], data);
	free(start);
	free(ix);
	return er->unnamed;
}

/* Says in coverage how many payments name no party the rule groups by. */
static void note_unnamed(pb_rule_ctx *ctx, size_t n, const char *role)
{
	if (n)
		pb_ctx_note(ctx, "%zu payments without a %s (empty, a redaction or null marker, or a catch-all vendor record) not judged", n, role);
}

/* --- schedules: what repeats by design --- */

/*
 * Distinct dates (sorted) of a fixed amount on a payment schedule:
 * - three to five, every gap a week (5-9 days), a fortnight (12-16), a
 *   month (25-35), a quarter (80-100) or a half-year (170-195) the same;
 * - six or more at the rate of one per month, quarter, half-year or year,
 *   as real payment runs keep it (a date drifts, a bill is paid late next
 *   to the following one): their number is at most the periods the dates
 *   span, plus one, and at least two thirds of that, so a payment too
 *   many breaks the schedule;
 * - two a year apart (335-395 days): an annual fee recurs only once in a
 *   two-year ledger.
 */
static int regular_series(const pb_date *d, size_t n)
{
	static const double periods[] = {30.44, 91.31, 182.62, 365.25};
	static const int64_t lo[] = {5, 12, 25, 80, 170}, hi[] = {9, 16, 35, 100, 195};
	int64_t min_gap = INT64_MAX, max_gap = 0;

	for (size_t i = 0; i < n; i++)
		if (d[i] == PB_DATE_NONE)
			return 0;
	for (size_t i = 1; i < n; i++) {
		int64_t gap = (int64_t)d[i] - d[i - 1];
		min_gap = gap < min_gap ? gap : min_gap;
		max_gap = gap > max_gap ? gap : max_gap;
	}
	if (n == 2)
		return min_gap >= 335 && min_gap <= 395;
	if (n < 3)
		return 0;
	if (n < 6) {
		for (size_t i = 0; i < sizeof(lo) / sizeof(*lo); i++)
			if (min_gap >= lo[i] && max_gap <= hi[i])
				return 1;
		return 0;
	}
	if ((min_gap >= 5 && max_gap <= 9) || (min_gap >= 12 && max_gap <= 16))
		return 1;
	double span = (double)d[n - 1] - (double)d[0];
	for (size_t i = 0; i < sizeof(periods) / sizeof(*periods); i++) {
		double expected = floor(span / periods[i] + 0.5) + 1;
		if ((double)n <= expected && 3.0 * (double)n >= 2.0 * expected)
			return 1;
	}
	return 0;
}

/* Is `max`, the most payments on one of the dates (sorted), also the
 * commonest number of payments on a date (the larger on a tie)? */
static int commonest_is_max(const pb_date *d, size_t n, size_t max)
{
	size_t *freq = pb_xcalloc(max + 1, sizeof(*freq)), most = 0;

	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && d[j] == d[i]; j++)
			;
		freq[j - i]++;
	}
	for (size_t c = 1; c <= max; c++)
		if (freq[c] >= freq[most])
			most = c;
	free(freq);
	return most == max;
}

/*
 * Dates (sorted) of a fixed amount paid on a schedule, some dates
 * possibly more than once (two sites' monthly fees of one amount from one
 * contractor): the distinct dates form a regular series and no date holds
 * more payments than most dates do.  A repeat paid on a date of the
 * schedule breaks it: one date with one payment more than the others.
 * Leaves the distinct dates at the start of d.
 */
static int regular_calendar(pb_date *d, size_t n)
{
	size_t nslots = 0, max = 0;

	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && d[j] == d[i]; j++)
			;
		max = j - i > max ? j - i : max;
	}
	/* Dates of one payment each, the usual case, need no count. */
	if (max > 1 && !commonest_is_max(d, n, max))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!i || d[i] != d[i - 1])
			d[nslots++] = d[i];
	return regular_series(d, nslots);
}

/* --- payments.duplicate --- */

/* How a payment repeats an earlier one, weakest first. */
enum dup_kind { K_NONE, K_SAME_DAY, K_NEAR, K_NORMALISED, K_INVOICE };

/* An invoice id with case, blanks, punctuation and leading zeros of
 * numbers folded away: "INV-0042" and "inv 42" are the same invoice.
 * Writes it to out, which has room for 2 * strlen(id) + 1 bytes, and
 * returns its length. */
static size_t invoice_key(const char *id, char *out)
{
	size_t len = 0;
	int in_number = 0;

	for (const char *s = id; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		int digit = c >= '0' && c <= '9';
		if (!digit && !(c >= 'A' && c <= 'Z') && c < 0x80) {
			in_number = 0;
			continue;
		}
		if (digit && c == '0' && !in_number && s[1] >= '0' && s[1] <= '9')
			continue;
		if (digit && !in_number && len)
			out[len++] = '#'; /* keep "A1-2" apart from "A12" */
		in_number = digit;
		out[len++] = (char)c;
	}
	out[len] = '\0';
	return len;
}

/* Length of a payment id without its line suffix ("46294528 - 2",
 * "TX-77/3": a separator and one to three digits after a reference that
 * holds a number), or 0 when it has none. */
static size_t line_base(const char *id)
{
	size_t n = strlen(id), k = n, j;

	while (k > 0 && id[k - 1] >= '0' && id[k - 1] <= '9' && n - k < 4)
		k--;
	if (k == n || n - k > 3 || (k > 0 && id[k - 1] >= '0' && id[k - 1] <= '9'))
		return 0;
	for (j = k; j > 0 && strchr(" -/._#", id[j - 1]); j--)
		;
	if (j == k || j == 0)
		return 0;
	for (size_t i = 0; i < j; i++)
		if (id[i] >= '0' && id[i] <= '9')
			return j;
	return 0;
}

/* Are two payments of one group (same payee entity, amount, currency)
 * lines of one transaction?  Same date and either one payment reference
 * with different line suffixes, or one invoice on consecutive rows of one
 * file (rows between them, other lines, carry the same invoice). */
static int line_items(const pb_payment *a, const pb_payment *b)
{
	if (a->paid_on == PB_DATE_NONE || a->paid_on != b->paid_on || a->invoice_id != b->invoice_id)
		return 0;
	const char *ia = pb_str(a->payment_id), *ib = pb_str(b->payment_id);
	size_t la = line_base(ia);
	if (la && la == line_base(ib) && !memcmp(ia, ib, la))
		return 1;
	const char *file = pb_row_file(&a->row);
	if (!a->invoice_id || file != pb_row_file(&b->row))
		return 0;
	const pb_payment *lo = a < b ? a : b, *hi = a < b ? b : a;
	if (hi - lo > 1000)
		return 0;
	for (const pb_payment *x = lo + 1; x < hi; x++)
		if (x->invoice_id != a->invoice_id || pb_row_file(&x->row) != file)
			return 0;
	return 1;
}

/* A payment citing an invoice id: its payee entity, the amount paid. */
typedef struct {
	uint32_t rank;
	uint32_t ix;
	int64_t amount;
} cited;

static int cmp_cited(const void *pa, const void *pb)
{
	const cited *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->amount < b->amount ? -1 : a->amount > b->amount;
}

/* Letters and digits in an id: short ids ("1", "1/2013") are how many
 * suppliers number their first invoice, and collide by chance. */
static size_t id_length(const char *id)
{
	size_t n = 0;

	for (; *id; id++)
		n += (*id >= '0' && *id <= '9') || (*id >= 'A' && *id <= 'Z') ||
		     (*id >= 'a' && *id <= 'z') || (unsigned char)*id >= 0x80;
	return n;
}

typedef struct {
	size_t shared, parts;
} reference_counts;

/*
 * A payment of money: at least one whole unit of its currency.  Credit
 * notes, reversals and rounding lines (the Czech ministry's invoices
 * carry a second line of -0.02 or 0.03 CZK) are not money one could pay
 * twice, and a rounding line would make its invoice's number look paid
 * in two amounts.  No currency has more than 4 decimals (ISO 4217), so
 * 10000 minor units is a unit of any: the usual answer without a lookup.
 */
static int money_paid(const pb_payment *x)
{
	if (x->amount >= 10000)
		return 1;
	int64_t unit = 1;
	for (int e = pb_currency_exponent(pb_str(x->currency)); e > 0; e--)
		unit *= 10;
	return x->amount >= unit;
}

/* Payment i has what grouping needs: an amount of money, a currency, a
 * payee. */
static int keyed(const pb_payment *p, const entity_ranks *er, size_t i)
{
	return p[i].amount != PB_AMOUNT_NONE && p[i].currency && er->rank[i] != NO_RANK &&
	       money_paid(&p[i]);
}

/* The payments and their payees' ranks: the invoice id payment i cites,
 * if it has what grouping needs. */
struct citations {
	const pb_payment *p;
	const entity_ranks *er;
};

static const char *cited_id(const void *owner, uint32_t i)
{
	const struct citations *c = owner;

	return keyed(c->p, c->er, i) ? pb_str(c->p[i].invoice_id) : NULL;
}

/*
 * Marks (by ledger index) the payments whose invoice id does not name one
 * bill, so that repeating it is no evidence of a second payment of one
 * bill:
 * - an id of at least 7 letters and digits cited for three or more payee
 *   entities: a supplier numbers its own invoices, so this is the payer's
 *   reference (a grant scheme, a budget code);
 * - an id paid to one payee in more than one amount: a standing reference
 *   (a customer account for quarterly advances) or a bill paid in parts.
 */
static unsigned char *invoice_references(const pb_payment *p, size_t n, const entity_ranks *er,
					 reference_counts *rc, uint64_t *cites)
{
	unsigned char *ref = pb_xcalloc(n + 1, 1);
	/* the citations by invoice id (only the groups count, not their order) */
	size_t m = pb_sort_by_text(n, cited_id, &(struct citations){p, er}, cites);
	cited *c = pb_xcalloc(m + 1, sizeof(*c));

	for (size_t s = 0, e; s < m; s = e) {
		pb_text id = (pb_text)(cites[s] >> 32);
		for (e = s + 1; e < m && (pb_text)(cites[e] >> 32) == id; e++)
			;
		size_t k = e - s, payees = 1;
		if (k < 2)
			continue; /* cited once: neither shared nor in parts */
		for (size_t i = 0; i < k; i++) {
			uint32_t ix = (uint32_t)cites[s + i];
			c[i] = (cited){er->rank[ix], ix, p[ix].amount};
		}
		qsort(c, k, sizeof(*c), cmp_cited);
		for (size_t i = 1; i < k; i++)
			payees += c[i].rank != c[i - 1].rank;
		if (payees >= 3 && id_length(pb_str(id)) >= 7) {
			rc->shared++;
			for (size_t i = 0; i < k; i++)
				ref[c[i].ix] = 1;
			continue;
		}
		for (size_t i = 0, j; i < k; i = j) {
			for (j = i + 1; j < k && c[j].rank == c[i].rank; j++)
				;
			if (c[j - 1].amount == c[i].amount)
				continue;
			rc->parts++;
			for (size_t x = i; x < j; x++)
				ref[c[x].ix] = 1;
		}
	}
	free(c);
	return ref;
}

/* A member of a group and a key of it, to find the members before it
 * with the same key. */
typedef struct {
	const char *key;
	uint32_t k;
} keyed_member;

/* One (payee entity, currency, amount) group, sorted by date then id. */
typedef struct {
	pb_rule_ctx *ctx;
	const pb_payment *p;
	const pay_key *key;
	size_t n;
	const pb_date *days;   /* of every payment with a payee, by entity and date */
	const uint32_t *start; /* of each entity's, by rank, in days */
	const unsigned char *reference; /* by ledger index: invoice id names no one bill */
	int64_t window, norm_window;    /* the rule's parameters */
	size_t price_repeats;
	size_t line_pairs, bills, schedules, instalments, runs, apart, prices, unbilled_prices;
	size_t issued_apart; /* payments not linked: their invoices were issued
			      * on another day than the earlier one's */
	/* By member, grown to the largest group (dup_reserve) and reused. */
	size_t cap;
	uint32_t *parent;    /* union-find; a cluster's root is its first member */
	unsigned char *kind; /* how each member repeats an earlier one */
	pb_date *dates;      /* scratch: regular_calendar and is_schedule reorder it */
	const char **invoice, **folded; /* invoice_of, and its invoice_key */
	uint32_t *first_invoice;        /* first member with its invoice */
	uint32_t *prev_folded;          /* last member before it with its invoice_key */
	uint32_t *next, *tail, *cluster; /* report_group's lists */
	keyed_member *by_key;
	char *fold;          /* the folded invoice ids */
	size_t foldcap;
} dup_group;

#define GROW_TO(ptr, n) ((ptr) = pb_xreallocarray((ptr), (n), sizeof(*(ptr))))

static void dup_reserve(dup_group *g, size_t n)
{
	if (n <= g->cap)
		return;
	g->cap = 2 * n;
	GROW_TO(g->parent, g->cap);
	GROW_TO(g->kind, g->cap);
	GROW_TO(g->dates, g->cap);
	GROW_TO(g->invoice, g->cap);
	GROW_TO(g->folded, g->cap);
	GROW_TO(g->first_invoice, g->cap);
	GROW_TO(g->prev_folded, g->cap);
	GROW_TO(g->next, g->cap);
	GROW_TO(g->tail, g->cap);
	GROW_TO(g->cluster, g->cap);
	GROW_TO(g->by_key, g->cap);
}

static void dup_release(dup_group *g)
{
	free(g->parent);
	free(g->kind);
	free(g->dates);
	free(g->invoice);
	free(g->folded);
	free(g->first_invoice);
	free(g->prev_folded);
	free(g->next);
	free(g->tail);
	free(g->cluster);
	free(g->by_key);
	free(g->fold);
}

static uint32_t find_root(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x)
		x = parent[x] = parent[parent[x]];
	return x;
}

static void unite(dup_group *g, uint32_t a, uint32_t b, enum dup_kind kind)
{
	uint32_t ra = find_root(g->parent, a), rb = find_root(g->parent, b);

	if (ra != rb) {
		if (ra < rb)
			g->parent[rb] = ra;
		else
			g->parent[ra] = rb;
	}
	if (kind > g->kind[b])
		g->kind[b] = (unsigned char)kind;
}

static const pb_payment *member(const dup_group *g, size_t k)
{
	return &g->p[g->key[k].ix];
}

/* Is b a plain a with one edit: a character changed, added or dropped,
 * or two side by side swapped? */
static int one_edit(const char *a, size_t la, const char *b, size_t lb)
{
	size_t i = 0;

	if (la > lb)
		return one_edit(b, lb, a, la);
	if (lb - la > 1)
		return 0;
	while (i < la && a[i] == b[i])
		i++;
	if (i == lb)
		return 1; /* the same */
	if (la == lb)
		return !strcmp(a + i + 1, b + i + 1) ||
		       (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && !strcmp(a + i + 2, b + i + 2));
	return !strcmp(a + i, b + i + 1);
}

/* The number of up to 18 digits at *s (past it after), or -1. */
static int64_t folded_number(const char **s)
{
	int64_t v = 0;
	int n = 0;

	for (; **s >= '0' && **s <= '9'; (*s)++, n++)
		v = n < 18 ? v * 10 + (**s - '0') : -1;
	return n <= 18 ? v : -1;
}

/* Are a and b alike but for one number, which is one more in one of
 * them ("INV#9", "INV#10")? */
static int next_number_apart(const char *a, const char *b)
{
	int apart = 0;

	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			int64_t x = folded_number(&a), y = folded_number(&b);
			if (x < 0 || y < 0 || (x != y && (apart++ || (x - y != 1 && y - x != 1))))
				return 0;
		} else if (*a++ != *b++) {
			return 0;
		}
	}
	return !*a && !*b && apart == 1;
}

/*
 * Are two folded invoice ids two bills?  A bill keyed twice is keyed
 * alike or nearly: a digit mistyped, two swapped, one dropped or added,
 * or a prefix or suffix more ("4711", "4711A", "INV#4711").  The next
 * number of a series is as near ("INV#9", "INV#10"): two bills, or one
 * keyed a digit wrong, and a reviewer can tell which.  Ids further apart
 * are numbers the payee gave two documents: the Czech finance ministry's
 * travel agent billed two air tickets at one fare as 20133656 and
 * 20133664, a day apart.
 */
static int two_bills(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (!la || !lb || strstr(a, b) || strstr(b, a))
		return 0;
	return !one_edit(a, la, b, lb) && !next_number_apart(a, b);
}

/* The issue date of the invoice a payment pays: its extra attribute
 * invoice_date (a payments.csv column of that name, or a profile's
 * extra.invoice_date) in ISO 8601, else none. */
static pb_date invoice_date(const pb_payment *p)
{
	const char *s = pb_row_extra(&p->row, "invoice_date"), *why;
	pb_date d;

	return s && pb_date_parse(s, strlen(s), NULL, &d, &why) == 0 ? d : PB_DATE_NONE;
}

/* Two payments whose invoices were issued on different days pay two
 * documents: a number one keystroke or one step from the other is then
 * the next bill, not one bill keyed twice, whose issue date would be
 * the same.  The same number issued on two days is another matter: a
 * bill submitted again, a standing reference billed each year, a
 * policy's instalments (reissued_number). */
static int issued_apart_from(pb_date issued, const pb_payment *b)
{
	pb_date other = issued == PB_DATE_NONE ? issued : invoice_date(b);

	return other != PB_DATE_NONE && issued != other;
}

static int issued_apart(const pb_payment *a, const pb_payment *b)
{
	return issued_apart_from(invoice_date(a), b);
}

/* The invoice id of a member, or NULL when it has none or it is a payer
 * reference shared by many payees. */
static const char *invoice_of(const dup_group *g, size_t k)
{
	return g->reference[g->key[k].ix] ? NULL : pb_str(member(g, k)->invoice_id);
}

/* The nearest earlier payment of the group within `window` days that
 * could repeat payment k: not a line of the same transaction, not a
 * payment under another contract (that settles another obligation), and
 * not a second bill (two invoice numbers on the same day, or days apart
 * two that are not one keyed twice, or two issued on different days).
 * Sets *line when a line of the same transaction was passed over, *bills
 * when a second bill was, *issued_apart_days when one issued on another
 * day was. */
static int near_earlier(dup_group *g, size_t k, int64_t window, enum dup_kind *kind, int *line,
			int *bills, int *issued_apart_days)
{
	const pb_payment *cur = member(g, k);
	const char *inv = g->invoice[k];
	pb_date issued = invoice_date(cur); /* once, not for each earlier one */

	if (cur->paid_on == PB_DATE_NONE)
		return -1;
	for (size_t i = k, steps = 0; i-- > 0 && steps < 64; steps++) {
		const pb_payment *prev = member(g, i);
		const char *pinv = g->invoice[i];
		if (prev->paid_on == PB_DATE_NONE || cur->paid_on - prev->paid_on > window)
			return -1;
		if (line_items(prev, cur)) {
			*line = 1;
			continue;
		}
		if ((prev->contract_id && cur->contract_id && prev->contract_id != cur->contract_id) ||
		    (inv && inv == pinv))
			continue;
		if (issued_apart_from(issued, prev)) {
			*issued_apart_days = 1;
			continue;
		}
		/* Days apart, two invoice numbers not keyed from one are two
		 * bills; on one day, any two invoice numbers are. */
		if (cur->paid_on != prev->paid_on) {
			if (inv && pinv && two_bills(g->folded[k], g->folded[i])) {
				*bills = 1;
				continue;
			}
			*kind = K_NEAR;
			return (int)i;
		}
		if (!cur->invoice_id || !prev->invoice_id || cur->invoice_id == prev->invoice_id) {
			*kind = K_SAME_DAY;
			return (int)i;
		}
	}
	return -1;
}

static int cmp_keyed(const void *pa, const void *pb)
{
	const keyed_member *a = pa, *b = pb;
	int c = pb_intern_cmp(a->key, b->key);

	return c ? c : a->k < b->k ? -1 : a->k > b->k;
}

/* For each member whose key is not NULL: in first[], the first
 * member with that key, and in prev[], the last member before it with
 * that key; NO_MEMBER when there is none.  Either may be NULL.  Most
 * groups are pairs: a few members are compared pairwise, more sorted. */
static void same_keys(dup_group *g, const char *const *key, uint32_t *first, uint32_t *prev)
{
	size_t m = 0;

	for (uint32_t k = 0; k < g->n; k++) {
		if (first)
			first[k] = NO_MEMBER;
		if (prev)
			prev[k] = NO_MEMBER;
	}
	if (g->n <= 8) {
		for (uint32_t k = 1; k < g->n; k++)
			for (uint32_t j = 0; key[k] && j < k; j++) {
				if (!key[j] || pb_intern_cmp(key[j], key[k]))
					continue;
				if (first && first[k] == NO_MEMBER)
					first[k] = j;
				if (prev)
					prev[k] = j;
			}
		return;
	}
	for (uint32_t k = 0; k < g->n; k++)
		if (key[k])
			g->by_key[m++] = (keyed_member){key[k], k};
	qsort(g->by_key, m, sizeof(*g->by_key), cmp_keyed);
	for (size_t i = 1, lead = 0; i < m; i++) {
		if (pb_intern_cmp(g->by_key[i].key, g->by_key[i - 1].key)) {
			lead = i;
			continue;
		}
		if (first)
			first[g->by_key[i].k] = g->by_key[lead].k;
		if (prev)
			prev[g->by_key[i].k] = g->by_key[i - 1].k;
	}
}

/*
 * A price: the payee billed this amount at least price_repeats times,
 * each under an invoice number of its own (a journal's fee per notice
 * published, a weekly delivery of potatoes at one price, one air fare).
 * Two of them days apart are two bills: only an invoice number repeated,
 * however spelt, is a repeat.  Needs link_group's invoice ids and
 * first_invoice.
 */
static int priced(const dup_group *g)
{
	if (g->n < g->price_repeats)
		return 0;
	for (size_t k = 0; k < g->n; k++)
		if (!g->invoice[k] || g->first_invoice[k] != NO_MEMBER)
			return 0;
	return 1;
}

/*
 * A price paid without invoice numbers: the amount was paid on at least
 * price_repeats separate days, more than once on two days or more, and
 * those days are no schedule (a security firm's 566 GBP per event shift,
 * 24 times on 15 days; a skip hire's 460 GBP per skip).  A payee whose
 * quantity varies from day to day is paid its price several times on one
 * day as a matter of course, and with no invoice numbers nothing tells a
 * second bill from a second payment: those days cannot be judged.  A
 * single doubled day among single ones, or doubled days of a monthly fee
 * (a rent paid twice), are still compared.  Needs link_group's invoice
 * ids; overwrites the scratch g->dates.
 */
static int priced_unbilled(dup_group *g)
{
	size_t days = 0, doubled = 0;
	int counted = 0; /* the day of member k-1 is a doubled day counted */

	for (size_t k = 0; k < g->n; k++) {
		if (g->invoice[k])
			return 0;
		pb_date day = g->key[k].paid_on;
		if (day == PB_DATE_NONE)
			continue;
		if (!days || day != g->dates[days - 1]) {
			g->dates[days++] = day;
			counted = 0;
		} else if (!counted && !line_items(member(g, k - 1), member(g, k))) {
			doubled++;
			counted = 1;
		}
	}
	return days >= g->price_repeats && doubled >= 2 && !regular_series(g->dates, days);
}

/* Two dated payments of the group within `window` days of each other.
 * Reads the keys' dates: g->dates is scratch once the calendar is judged. */
static int any_near(const dup_group *g)
{
	for (size_t k = 1; k < g->n; k++)
		if (g->key[k].paid_on != PB_DATE_NONE && g->key[k - 1].paid_on != PB_DATE_NONE &&
		    g->key[k].paid_on - g->key[k - 1].paid_on <= g->window)
			return 1;
	return 0;
}

/* Links each payment to the earlier one it repeats: a repeated invoice
 * anywhere in the group, the same invoice spelt differently within
 * norm_window days, else (unless the amount is a price) a neighbour
 * within the window. */
static void link_group(dup_group *g)
{
	size_t need = 1, at = 0;

	for (size_t k = 0; k < g->n; k++) {
		g->invoice[k] = invoice_of(g, k);
		need += g->invoice[k] ? 2 * strlen(g->invoice[k]) + 1 : 0;
	}
	PB_GROW(g->fold, need, g->foldcap);
	for (size_t k = 0; k < g->n; k++) {
		g->folded[k] = g->invoice[k] ? g->fold + at : NULL;
		if (g->invoice[k])
			at += invoice_key(g->invoice[k], g->fold + at) + 1;
	}
	same_keys(g, g->invoice, g->first_invoice, NULL);
	same_keys(g, g->folded, NULL, g->prev_folded);
	int price = priced(g), unbilled = !price && priced_unbilled(g);
	g->prices += price && any_near(g);
	g->unbilled_prices += unbilled && any_near(g);
	price |= unbilled;
	for (size_t k = 0; k < g->n; k++) {
		const pb_payment *cur = member(g, k);
		uint32_t j = g->first_invoice[k];
		enum dup_kind kind = K_NONE;
		int earlier = -1, line = 0, bills = 0, issued = 0, seen = j != NO_MEMBER;
		if (seen) {
			/* one number issued on two days is still reported: a
			 * bill submitted again under its number is the classic
			 * duplicate (report_cluster says so) */
			if (line_items(member(g, j), cur))
				line = 1;
			else
				earlier = (int)j, kind = K_INVOICE;
		} else if ((j = g->prev_folded[k]) != NO_MEMBER &&
			   cur->paid_on != PB_DATE_NONE && member(g, j)->paid_on != PB_DATE_NONE &&
			   cur->paid_on - member(g, j)->paid_on <= g->norm_window) {
			if (issued_apart(member(g, j), cur))
				issued = 1;
			else
				earlier = (int)j, kind = K_NORMALISED;
		}
		if (earlier < 0 && !seen && !price)
			earlier = near_earlier(g, k, g->window, &kind, &line, &bills, &issued);
		if (earlier >= 0) {
			unite(g, (uint32_t)earlier, (uint32_t)k, kind);
		} else {
			g->line_pairs += line != 0;
			g->bills += bills != 0;
			g->issued_apart += issued != 0;
		}
	}
}

/* |x - y| <= tol. */
static int near_value(pb_i128 x, pb_i128 y, pb_i128 tol)
{
	return (x > y ? x - y : y - x) <= tol;
}

/*
 * Are the payments citing a contract its instalments, judged against one
 * value of it (original or amended)?  Either all its payments (in its
 * currency) add up to the value, or the cluster's amount divides the value
 * into N equal parts and no more than N payments of that amount cite it
 * (a schedule still running); within a unit of currency per payment.
 */
static int instalments_of(const pb_payment *p, const uint32_t *ix, size_t n,
			  const char *currency, int64_t amount, int64_t value, pb_i128 unit)
{
	pb_i128 sum = 0, tol = 0;
	size_t same = 0;

	for (size_t i = 0; i < n; i++) {
		if (pb_str(p[ix[i]].currency) != currency || p[ix[i]].amount == PB_AMOUNT_NONE)
			continue;
		sum += p[ix[i]].amount;
		tol += unit;
		same += p[ix[i]].amount == amount;
	}
	if (near_value(sum, value, tol))
		return 1;
	if (amount <= 0 || value <= amount)
		return 0;
	pb_i128 parts = ((pb_i128)value + amount / 2) / amount;
	return parts >= 2 && near_value(parts * amount, value, parts * unit) && (pb_i128)same <= parts;
}

/* Do the payments (all citing one contract, `amount` each) look like its
 * instalments, against its value or an amended one? */
static int contract_schedule(pb_rule_ctx *ctx, const char *contract_id, int64_t amount)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const pb_contract *c = pb_ledger_find(l, PB_T_CONTRACTS, contract_id);
	size_t n, na;

	if (!c || c->value == PB_AMOUNT_NONE || !c->currency)
		return 0;
	const uint32_t *ix = pb_contract_payments(l, c, &n);
	const pb_payment *p = pb_ledger_payments(l, &(size_t){0});
	pb_i128 unit = 1;
	for (int e = pb_currency_exponent(pb_str(c->currency)); e > 0; e--)
		unit *= 10;
	if (instalments_of(p, ix, n, pb_str(c->currency), amount, c->value, unit))
		return 1;
	const uint32_t *ax = pb_contract_amendments(l, c, &na);
	const pb_amendment *a = pb_ledger_amendments(l, &(size_t){0});
	for (size_t i = 0; i < na; i++) {
		const pb_amendment *x = &a[ax[i]];
		if (x->value_after != PB_AMOUNT_NONE &&
		    (x->currency ? pb_str(x->currency) : pb_ctx_currency(ctx)) == pb_str(c->currency) &&
		    instalments_of(p, ix, n, pb_str(c->currency), amount, x->value_after, unit))
			return 1;
	}
	return 0;
}

/* Is a cluster of repeats a schedule by design: instalments of one
 * contract that add up to its value, or a fixed amount recurring at a
 * regular interval? */
static int is_schedule(dup_group *g, const uint32_t *m, size_t c)
{
	pb_text contract = member(g, m[0])->contract_id;
	pb_date *d = g->dates; /* free once the group's calendar is judged */
	int yes = 0;

	for (size_t i = 0; i < c; i++) {
		d[i] = member(g, m[i])->paid_on;
		if (member(g, m[i])->contract_id != contract)
			contract = 0;
	}
	if (contract && contract_schedule(g->ctx, pb_str(contract), member(g, m[0])->amount)) {
		g->instalments++;
		yes = 1;
	} else if (regular_series(d, c)) {
		g->schedules++;
		yes = 1;
	}
	return yes;
}

static const char *kind_name(enum dup_kind k)
{
	return k == K_INVOICE ? "same invoice" : k == K_NORMALISED ? "same invoice, spelt differently"
	       : k == K_NEAR ? "same amount, days apart" : "same amount, same day";
}

/* The message of a pair, as a reader would say it. */
static void pair_message(pb_rule_ctx *ctx, pb_finding *f, const pb_payment *earlier,
			 const pb_payment *later, enum dup_kind kind)
{
	char d0[11], d1[11], gap[32];
	const char *money = pb_ctx_money(ctx, later->amount, pb_str(later->currency));
	int days = later->paid_on - earlier->paid_on;

	pb_date_format(earlier->paid_on, d0);
	pb_date_format(later->paid_on, d1);
	if (kind == K_NORMALISED) {
		pb_finding_message(ctx, f, "payment %s pays invoice %s to %s for %s, the same invoice as %s paid by %s (%s, %s)",
				   pb_str(later->payment_id), pb_str(later->invoice_id),
				   pb_str(later->payee_id), money, pb_str(earlier->invoice_id),
				   pb_str(earlier->payment_id), d0, d1);
	} else if (kind == K_INVOICE) {
		pb_finding_message(ctx, f, "payment %s repeats invoice %s to %s for %s, already paid by %s (%s, %s)",
				   pb_str(later->payment_id), pb_str(later->invoice_id),
				   pb_str(later->payee_id), money, pb_str(earlier->payment_id), d0, d1);
	} else {
		if (days)
			snprintf(gap, sizeof(gap), "%d day%s earlier", days, days == 1 ? "" : "s");
		else
			snprintf(gap, sizeof(gap), "on the same day");
		pb_finding_detail(ctx, f, "days_apart", "%d", days);
		pb_finding_message(ctx, f, "payment %s pays %s the same %s as %s %s (%s, %s)%s",
				   pb_str(later->payment_id), pb_str(later->payee_id), money,
				   pb_str(earlier->payment_id), gap, d0, d1,
				   kind == K_SAME_DAY ? "; no invoice number tells them apart" : "");
	}
}

/* The message of three or more repeats: one pattern, one finding. */
static void group_message(pb_rule_ctx *ctx, pb_finding *f, const pb_payment *first,
			  const pb_payment *last, size_t c, enum dup_kind kind, const char *total)
{
	char d0[11], d1[11];
	const char *money = pb_ctx_money(ctx, first->amount, pb_str(first->currency));

	pb_date_format(first->paid_on, d0);
	pb_date_format(last->paid_on, d1);
	if (kind >= K_NORMALISED)
		pb_finding_message(ctx, f, "%zu payments to %s of %s each pay invoice %s%s, first paid by %s (%s to %s; %s in all)",
				   c, pb_str(first->payee_id), money, pb_str(first->invoice_id),
				   kind == K_NORMALISED ? " or a spelling of it" : "",
				   pb_str(first->payment_id), d0, d1, total);
	else if (first->paid_on == last->paid_on)
		pb_finding_message(ctx, f, "%zu payments to %s of the same %s on one day, first %s (%s; %s in all)%s",
				   c, pb_str(first->payee_id), money, pb_str(first->payment_id), d0,
				   total,
				   kind == K_SAME_DAY ? "; no invoice number tells them apart" : "");
	else
		pb_finding_message(ctx, f, "%zu payments to %s of the same %s follow one another within days, first %s (%s to %s; %s in all)%s",
				   c, pb_str(first->payee_id), money, pb_str(first->payment_id), d0, d1,
				   total,
				   kind == K_SAME_DAY ? "; no invoice number tells them apart" : "");
}

/* The same invoice number issued on two days or more: a bill submitted
 * again under its number, or a number that is a standing reference (a
 * lease billed each year, a policy's instalments).  Reported, one level
 * lower, with the issue dates. */
static void reissued_number(pb_rule_ctx *ctx, pb_finding *f, const dup_group *g, const uint32_t *m,
			    size_t c)
{
	pb_buf dates;
	char d[11];

	pb_buf_init(&dates);
	for (size_t i = 0; i < c; i++) {
		pb_date on = invoice_date(member(g, m[i]));
		pb_date_format(on, d);
		pb_buf_addf(&dates, "%s%s", i ? ", " : "", on == PB_DATE_NONE ? "unknown" : d);
	}
	pb_finding_detail(ctx, f, "issued_on", "%s", dates.data);
	pb_finding_message(ctx, f, "%s; the invoices were issued on different days (%s): a bill submitted again under its number, or a standing reference",
			   f->message, dates.data);
	pb_buf_release(&dates);
	f->severity = PB_SEV_MEDIUM;
	f->score = 0.7;
}

/* One finding for a cluster of repeats: subject the first repeat, every
 * payment as evidence. */
static void report_cluster(dup_group *g, const uint32_t *m, size_t c)
{
	pb_rule_ctx *ctx = g->ctx;
	const pb_payment *first = member(g, m[0]), *second = member(g, m[1]);
	enum dup_kind kind = K_NONE;
	const char *other_payee = NULL;
	pb_i128 total = 0;

	for (size_t i = 1; i < c; i++)
		if (g->kind[m[i]] > kind)
			kind = (enum dup_kind)g->kind[m[i]];
	const char *second_id = pb_str(second->payment_id);
	pb_finding *f = pb_finding_add(ctx, PB_T_PAYMENTS, second_id, pb_str(first->payment_id));
	int reissued = 0;
	for (size_t i = 0; i < c; i++) {
		const pb_payment *x = member(g, m[i]);
		pb_finding_evidence(ctx, f, PB_T_PAYMENTS, x, i ? "payment" : "duplicate of");
		total += x->amount;
		if (x->payee_id != first->payee_id && !other_payee)
			other_payee = pb_str(x->payee_id);
		reissued |= i && issued_apart(first, x);
	}
	const char *sum = total > INT64_MAX ? "more than can be shown"
			  : pb_ctx_money(ctx, (int64_t)total, pb_str(first->currency));
	pb_finding_detail(ctx, f, "amount", "%s", pb_ctx_money(ctx, first->amount, pb_str(first->currency)));
	pb_finding_detail(ctx, f, "payments", "%zu", c);
	pb_finding_detail(ctx, f, "total", "%s", sum);
	pb_finding_detail(ctx, f, "kind", "%s", kind_name(kind));
	pb_finding_detail(ctx, f, "invoice_id", "%s",
			  second->invoice_id ? pb_str(second->invoice_id) : "");
	pb_finding_detail(ctx, f, "earlier_invoice_id", "%s",
			  first->invoice_id ? pb_str(first->invoice_id) : "");
	if (other_payee)
		pb_finding_detail(ctx, f, "payee_entity", "%s (also recorded as %s)",
				  pb_str(first->payee_id), other_payee);
	f->severity = kind >= K_NORMALISED ? PB_SEV_HIGH : kind == K_NEAR ? PB_SEV_MEDIUM : PB_SEV_LOW;
	f->score = kind == K_INVOICE ? 1.0 : kind == K_NORMALISED ? 0.9 : kind == K_NEAR ? 0.6 : 0.3;
	if (c == 2)
		pair_message(ctx, f, first, second, kind);
	else
		group_message(ctx, f, first, member(g, m[c - 1]), c, kind, sum);
	if (reissued && kind == K_INVOICE)
		reissued_number(ctx, f, g, m, c);
}

static int cmp_date(const void *pa, const void *pb)
{
	pb_date a = *(const pb_date *)pa, b = *(const pb_date *)pb;

	return a < b ? -1 : a > b;
}

/* How many payments the payee entity received on that day. */
static size_t paid_that_day(const dup_group *g, const pay_key *who, pb_date day)
{
	size_t lo = g->start[who->rank], hi = g->start[who->rank + 1], end = hi;

	while (lo < hi) { /* the first not before the day */
		size_t mid = lo + (hi - lo) / 2;
		if (g->days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t n = 0;
	while (lo + n < end && g->days[lo + n] == day)
		n++;
	return n;
}

/*
 * Same-day repeats that no invoice number tells apart are reported only
 * when they are all the payee was paid that day: among several bills of
 * one payment run, equal amounts are a coincidence that grows with the
 * run (the birthday problem), and without invoice numbers nothing can
 * tell a second bill from a second payment.
 */
static int same_day_run(const dup_group *g, const uint32_t *m, size_t c)
{
	for (size_t i = 1; i < c; i++)
		if (g->kind[m[i]] != K_SAME_DAY)
			return 0;
	const pb_payment *first = member(g, m[0]);
	return paid_that_day(g, &g->key[m[0]], first->paid_on) > c;
}

/* The next run of digits at or after *s, leading zeros dropped ("0311"
 * -> "311"): 1 and *num, *len; 0 at the end. */
static int next_number(const char **s, const char **num, size_t *len)
{
	const char *p = *s;

	while (p && *p && (*p < '0' || *p > '9'))
		p++;
	if (!p || !*p)
		return 0;
	while (*p == '0' && p[1] >= '0' && p[1] <= '9')
		p++;
	*num = p;
	while (*p >= '0' && *p <= '9')
		p++;
	*len = (size_t)(p - *num);
	*s = p;
	return 1;
}

/* Does text hold the number num[0..len) as a run of digits? */
static int holds_number(const char *text, const char *num, size_t len)
{
	const char *x;
	size_t n;

	while (next_number(&text, &x, &n))
		if (n == len && !memcmp(x, num, len))
			return 1;
	return 0;
}

/* The numbers a description holds, leading zeros dropped, in numeric
 * order, comma-separated ("za 12/2013" -> "12,2013"); "" when none.  The
 * numbers of three digits or more of the payment's own id are left out: a
 * description that repeats its voucher number ("payment 4711 of invoice
 * 123") would make every payment different. */
static void number_signature(const char *text, const char *own_id, pb_buf *out)
{
	const char *num[64], *x;
	size_t len[64], n = 0, m;

	pb_buf_reset(out);
	while (n < 64 && next_number(&text, &x, &m)) {
		if (m >= 3 && own_id && holds_number(own_id, x, m))
			continue; /* not a line number "/1", which a period "1/2014" may share */
		size_t k = n++;
		for (; k > 0 && (len[k - 1] > m || (len[k - 1] == m && memcmp(num[k - 1], x, m) > 0)); k--) {
			num[k] = num[k - 1];
			len[k] = len[k - 1];
		}
		num[k] = x;
		len[k] = m;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			pb_buf_addch(out, ',');
		pb_buf_add(out, num[i], len[i]);
	}
}

static int cmp_text(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/*
 * Do the cluster's payments name different periods or items?  Every one
 * has a description that holds numbers, and no two hold the same numbers
 * (in any order): the Czech finance ministry's "services for 11/2013" and
 * "for 12/2013", paid two days apart, or an electricity supplier's
 * advances "for the 1st quarter of 2014" and "for 2.Q/2014" under one
 * advance schedule number.  A clerk who keys one bill twice keys its
 * numbers twice.
 */
static int named_apart(const dup_group *g, const uint32_t *m, size_t c)
{
	pb_buf sig;
	char **sigs = pb_xcalloc(c + 1, sizeof(*sigs));
	int apart = 1;

	pb_buf_init(&sig);
	for (size_t i = 0; i < c && apart; i++) {
		const pb_payment *x = member(g, m[i]);
		number_signature(pb_str(x->description), pb_str(x->payment_id), &sig);
		apart = sig.len > 0;
		sigs[i] = pb_xstrdup(sig.data);
	}
	if (apart) {
		qsort(sigs, c, sizeof(*sigs), cmp_text);
		for (size_t i = 1; i < c && apart; i++)
			apart = strcmp(sigs[i - 1], sigs[i]) != 0;
	}
	for (size_t i = 0; i < c; i++)
		free(sigs[i]);
	free(sigs);
	pb_buf_release(&sig);
	return apart;
}

/* Reports each cluster of linked payments once, unless it is innocent by
 * design: bills of one payment run, a schedule, or repeats whose
 * descriptions name different numbers. */
static void report_group(dup_group *g)
{
	uint32_t *next = g->next, *tail = g->tail, *m = g->cluster;

	for (uint32_t k = 0; k < g->n; k++) {
		uint32_t r = find_root(g->parent, k);
		next[k] = UINT32_MAX;
		tail[k] = k;
		if (r != k) {
			next[tail[r]] = k;
			tail[r] = k;
		}
	}
	for (uint32_t k = 0; k < g->n; k++) {
		if (g->parent[k] != k || next[k] == UINT32_MAX)
			continue;
		size_t c = 0;
		for (uint32_t x = k; x != UINT32_MAX; x = next[x])
			m[c++] = x;
		if (same_day_run(g, m, c))
			g->runs++;
		else if (is_schedule(g, m, c))
			continue;
		else if (named_apart(g, m, c))
			g->apart++;
		else
			report_cluster(g, m, c);
	}
}

/*
 * A payee's payments are a handful in most ledgers (five in the bench's):
 * sorted in place by insertion, they cost a few comparisons inline where
 * a qsort call each was a tenth of the rule.  cmp_key and cmp_date order
 * totally (keys end on the ledger index), so any sort gives one result.
 */
#define SMALL_SORT 16

static void keys_insertion_sort(pay_key *k, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		pay_key x = k[i];
		size_t j = i;
		for (; j > 0 && cmp_key(&k[j - 1], &x) > 0; j--)
			k[j] = k[j - 1];
		k[j] = x;
	}
}

static void dates_insertion_sort(pb_date *d, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		pb_date x = d[i];
		size_t j = i;
		for (; j > 0 && d[j - 1] > x; j--)
			d[j] = d[j - 1];
		d[j] = x;
	}
}

/*
 * The keys of the payments that have what grouping needs, by payee
 * entity, each entity's sorted by cmp_key; *days their dates, each
 * entity's sorted; entity r's start at start[r] in both (nentities + 1
 * of them).  Each key is written straight to its entity's place: keys
 * made in file order and then permuted in place (a copy was a tenth of a
 * 1M-row audit's peak) cost a chain of cache misses, one key after
 * another, an eighth of the rule at 10M rows.  Returns how many keys.
 */
static size_t keys_by_entity(const pb_payment *p, size_t n, const entity_ranks *er,
			     const pb_ptrmap *currencies, pay_key *k, uint32_t *start,
			     pb_date **days)
{
	size_t ne = er->nentities;
	uint32_t *fill = pb_xcalloc(ne + 1, sizeof(*fill));
	const char *last_code = NULL;
	uint32_t code = 0;

	for (size_t i = 0; i < n; i++)
		if (keyed(p, er, i))
			start[er->rank[i] + 1]++;
	for (size_t r = 0; r < ne; r++)
		start[r + 1] += start[r];
	memcpy(fill, start, ne * sizeof(*fill));
	for (size_t i = 0; i < n; i++) {
		if (!keyed(p, er, i))
			continue;
		if (pb_str(p[i].currency) != last_code)
			pb_ptrmap_get(currencies, last_code = pb_str(p[i].currency), &code);
		k[fill[er->rank[i]]++] = (pay_key){p[i].amount, pb_str(p[i].payment_id), p[i].paid_on,
						   (uint32_t)i, er->rank[i], code};
	}
	free(fill);
	size_t m = start[ne];
	pb_date *d = pb_xcalloc_slots(m + 1, sizeof(*d));
	for (size_t i = 0; i < m; i++)
		d[i] = k[i].paid_on;
	for (size_t r = 0; r < ne; r++) {
		size_t at = start[r], count = start[r + 1] - start[r];
		if (count < 2)
			continue;
		if (count <= SMALL_SORT) {
			keys_insertion_sort(k + at, count);
			dates_insertion_sort(d + at, count);
			continue;
		}
		qsort(k + at, count, sizeof(*k), cmp_key);
		qsort(d + at, count, sizeof(*d), cmp_date);
	}
	*days = d;
	return m;
}

/*
 * Sorted by payee, a group's payments lie anywhere in the table, and
 * judging one reads its record and then its invoice id's text: two cache
 * misses one after the other, for nearly every payment of a large ledger
 * (most amounts recur).  The records PREFETCH_AHEAD keys ahead are
 * fetched, and the invoice texts of those half as far ahead, whose
 * records have come by then.
 */
#define PREFETCH_AHEAD 16

struct member_prefetch {
	const pb_payment *p;
	const pay_key *k;
	size_t m, record, text; /* the next key whose record, text to fetch */
};

static void prefetch_members(struct member_prefetch *pf, size_t upto)
{
	size_t records = upto + PREFETCH_AHEAD < pf->m ? upto + PREFETCH_AHEAD : pf->m;
	size_t texts = upto + PREFETCH_AHEAD / 2 < pf->m ? upto + PREFETCH_AHEAD / 2 : pf->m;

	for (; pf->record < records; pf->record++) {
		const pb_payment *x = &pf->p[pf->k[pf->record].ix];
		__builtin_prefetch(x);
		__builtin_prefetch((const char *)x + sizeof(*x) - 1);
	}
	for (; pf->text < texts; pf->text++) {
		const char *inv = pb_str(pf->p[pf->k[pf->text].ix].invoice_id);
		if (inv)
			__builtin_prefetch(inv);
	}
}

static void run_duplicate(pb_rule_ctx *ctx)
{
	size_t n, markers_skipped = 0, not_money = 0;
	const pb_payment *p = pb_ledger_payments(pb_ctx_ledger(ctx), &n);
	pay_key *k = pb_xcalloc_slots(n + 1, sizeof(*k));
	dup_group g = {.ctx = ctx, .p = p, .window = pb_param_int(ctx, "window_days"),
		       .norm_window = pb_param_int(ctx, "normalised_window_days"),
		       .price_repeats = (size_t)pb_param_int(ctx, "price_repeats")};

	/* Each currency code's rank by strcmp: keys compare them as integers. */
	pb_ptrmap *currencies;
	size_t ncodes;
	free(pb_rank_texts(p, n, sizeof(*p), offsetof(pb_payment, currency), &ncodes, &currencies));

	const entity_ranks *er = entity_ranks_of(ctx, offsetof(pb_payment, payee_id));
	for (size_t i = 0; i < n; i++) {
		if (p[i].amount == PB_AMOUNT_NONE || !p[i].currency)
			continue;
		markers_skipped += er->rank[i] == NO_RANK;
		not_money += er->rank[i] != NO_RANK && !money_paid(&p[i]);
	}
	reference_counts rc = {0, 0};
	/* The keys' room (32 bytes a payment, its pages taken already) holds
	 * the citations and their sort's buffer (16) until the keys are
	 * made: two arrays of fresh pages fewer. */
	_Static_assert(sizeof(pay_key) >= 2 * sizeof(uint64_t), "citations fit in the keys' room");
	unsigned char *refs = invoice_references(p, n, er, &rc, (uint64_t *)(void *)k);
	g.reference = refs;
	uint32_t *start_of = pb_xcalloc(er->nentities + 1, sizeof(*start_of));
	pb_date *days;
	size_t m = keys_by_entity(p, n, er, currencies, k, start_of, &days);
	pb_ptrmap_free(currencies);
	const pay_key *sorted = k;
	g.days = days;
	g.start = start_of;
	struct member_prefetch pf = {p, sorted, m, 0, 0};
	for (size_t start = 0, end; start < m; start = end) {
		for (end = start + 1; end < m && sorted[end].rank == sorted[start].rank &&
		     sorted[end].currency == sorted[start].currency &&
		     sorted[end].amount == sorted[start].amount; end++)
			;
		if (end - start < 2)
			continue;
		prefetch_members(&pf, end);
		g.key = sorted + start;
		g.n = end - start;
		dup_reserve(&g, g.n);
		for (uint32_t i = 0; i < g.n; i++) {
			g.parent[i] = i;
			g.kind[i] = K_NONE;
			g.dates[i] = sorted[start + i].paid_on;
		}
		if (regular_calendar(g.dates, g.n)) {
			g.schedules++;
			continue;
		}
		link_group(&g);
		report_group(&g);
	}
	if (markers_skipped)
		pb_ctx_note(ctx, "%zu payments without a payee (empty, a redaction or null marker, or a catch-all vendor record) not grouped", markers_skipped);
	if (not_money)
		pb_ctx_note(ctx, "%zu payments of less than one unit of their currency (credit notes, reversals, rounding lines) not grouped", not_money);
	if (g.line_pairs)
		pb_ctx_note(ctx, "%zu payments equal to another line of their transaction not counted as repeats", g.line_pairs);
	if (g.issued_apart)
		pb_ctx_note(ctx, "%zu payments of an amount paid to the payee before under an invoice number one keystroke or one step from the earlier's, or with none, set aside: the two invoices were issued on different days (invoice_date), so they are two documents", g.issued_apart);
	if (g.bills)
		pb_ctx_note(ctx, "%zu payments of an amount paid to the payee days before under an invoice number neither equal, nor one keystroke, nor one number from theirs taken as different bills", g.bills);
	if (g.instalments)
		pb_ctx_note(ctx, "%zu groups of equal payments that add up to their contract's value, or divide it into equal parts, taken as instalments", g.instalments);
	if (g.schedules)
		pb_ctx_note(ctx, "%zu groups of a fixed amount recurring at a regular interval taken as a schedule", g.schedules);
	if (g.apart)
		pb_ctx_note(ctx, "%zu groups of repeats whose descriptions name different numbers (periods or items: \"for 11/2013\", \"for 12/2013\") taken as different bills", g.apart);
	if (g.prices)
		pb_ctx_note(ctx, "%zu groups of an amount billed %zu or more times, each under an invoice number of its own, taken as the payee's price: those days apart not compared", g.prices, g.price_repeats);
	if (g.unbilled_prices)
		pb_ctx_note(ctx, "%zu groups of an amount paid without invoice numbers on %zu or more days, more than once on two of them or more and on no schedule, taken as the payee's price: its payments on one day could not be judged", g.unbilled_prices, g.price_repeats);
	if (g.runs)
		pb_ctx_note(ctx, "%zu same-day repeats without invoice numbers among other payments to the payee that day taken as bills of one payment run", g.runs);
	if (rc.shared)
		pb_ctx_note(ctx, "%zu invoice ids of 7 or more characters cited for three or more payees taken as the payer's references, not invoice numbers", rc.shared);
	if (rc.parts)
		pb_ctx_note(ctx, "%zu invoice ids paid to one payee in several amounts taken as standing references or bills paid in parts", rc.parts);
	free(refs);
	free(days);
	free(start_of);
	free(k);
	dup_release(&g);
}

const pb_rule pb_rule_payment_duplicate = {
	.id = "payments.duplicate",
	.family = "payments",
	.title = "Duplicate payment: same payee and amount, same invoice or days apart",
	.source = "ACFE",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_PAYMENTS),
	.row_working_set = 1,
	.params = (const pb_param_def[]){
		{"window_days", PB_P_DAYS, "3", "same payee and amount within this many days fires"},
		{"normalised_window_days", PB_P_DAYS, "30", "invoice ids equal after folding case, punctuation and leading zeros fire within this many days"},
		{"price_repeats", PB_P_INT, "5", "an amount paid this many times, each under an invoice number of its own, or without invoice numbers on this many days (twice on two, no schedule), is the payee's price"},
		{NULL, 0, NULL, NULL}},
	.run = run_duplicate,
};

/* A payment in the base currency of at least `min` minor units. */
static int judged(pb_rule_ctx *ctx, const pb_payment *x, int64_t min)
{
	return x->amount != PB_AMOUNT_NONE && pb_str(x->currency) == pb_ctx_currency(ctx) && x->amount >= min;
}

/* --- payments.round-amount --- */

static int cmp_amount_date(const void *pa, const void *pb)
{
	const pay_key *a = pa, *b = pb;

	if (a->amount != b->amount)
		return a->amount < b->amount ? -1 : 1;
	if (a->paid_on != b->paid_on)
		return a->paid_on < b->paid_on ? -1 : 1;
	return a->ix < b->ix ? -1 : a->ix > b->ix;
}

/* Marks (in `repeat`) the payments that repeat a fixed amount after its
 * first: a monthly fee of 1000.00, or a day rate paid on twenty days, is
 * one round amount agreed once, not twelve or twenty invented ones.  A
 * fixed amount is one paid on a schedule, or on three or more days. */
/* The rule's parameters, its count for coverage, and arrays reused from
 * payee to payee. */
typedef struct {
	int64_t unit, min_payments, min_pct;
	size_t scheduled;
	size_t cap;
	pay_key *k;
	pb_date *d;
	unsigned char *repeat; /* by payment of the payee: repeats a fixed amount */
} round_state;

static void round_reserve(round_state *st, size_t n)
{
	if (n <= st->cap)
		return;
	st->cap = 2 * n;
	GROW_TO(st->k, st->cap);
	GROW_TO(st->d, st->cap);
	GROW_TO(st->repeat, st->cap);
}

static void mark_schedules(const pb_payment *p, const uint32_t *ix, size_t n, round_state *st)
{
	pay_key *k = st->k;
	pb_date *d = st->d;
	unsigned char *repeat = st->repeat;

	memset(repeat, 0, n);
	for (size_t i = 0; i < n; i++)
		k[i] = (pay_key){.amount = p[ix[i]].amount, .paid_on = p[ix[i]].paid_on, .ix = (uint32_t)i};
	qsort(k, n, sizeof(*k), cmp_amount_date);
	for (size_t start = 0, end; start < n; start = end) {
		size_t days = 0;
		for (end = start; end < n && k[end].amount == k[start].amount; end++) {
			d[end - start] = k[end].paid_on;
			days += k[end].paid_on != PB_DATE_NONE &&
				(end == start || k[end].paid_on != k[end - 1].paid_on);
		}
		if (days >= 3 || regular_calendar(d, end - start))
			for (size_t i = start + 1; i < end; i++)
				repeat[k[i].ix] = 1;
	}
}

static void round_party(pb_rule_ctx *ctx, const pb_payment *p, const uint32_t *ix,
			size_t n, const char *payee, void *data)
{
	round_state *st = data;
	int64_t unit = st->unit;
	size_t njudged = 0, round = 0;

	round_reserve(st, n);
	mark_schedules(p, ix, n, st);
	const unsigned char *repeat = st->repeat;
	for (size_t k = 0; k < n; k++) {
		const pb_payment *x = &p[ix[k]];
		if (!judged(ctx, x, unit))
			continue;
		if (repeat[k]) {
			st->scheduled++;
			continue;
		}
		njudged++;
		round += unit > 0 && x->amount % unit == 0;
	}
	if ((int64_t)njudged < st->min_payments ||
	    (pb_i128)round * 100 * PB_DECIMAL_SCALE < (pb_i128)st->min_pct * njudged)
		return;
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, payee, NULL);
	const pb_party *party = pb_ledger_find(pb_ctx_ledger(ctx), PB_T_PARTIES, payee);
	if (party)
		pb_finding_evidence(ctx, f, PB_T_PARTIES, party, "payee");
	for (size_t k = 0; k < n && f->nevidence < 26; k++) {
		const pb_payment *x = &p[ix[k]];
		if (judged(ctx, x, unit) && !repeat[k] && x->amount % unit == 0)
			pb_finding_evidence(ctx, f, PB_T_PAYMENTS, x, "round payment");
	}
	pb_finding_detail(ctx, f, "round", "%zu of %zu", round, njudged);
	pb_finding_detail(ctx, f, "unit", "%s", pb_ctx_money(ctx, unit, pb_ctx_currency(ctx)));
	f->score = (double)round / (double)njudged;
	pb_finding_message(ctx, f, "%zu of %s's %zu payments of at least %s are exact multiples of it",
			   round, payee, njudged, pb_ctx_money(ctx, unit, pb_ctx_currency(ctx)));
}

static void run_round_amount(pb_rule_ctx *ctx)
{
	round_state st = {.unit = pb_param_money(ctx, "round_unit"),
			  .min_payments = pb_param_int(ctx, "min_payments"),
			  .min_pct = pb_param_millionths(ctx, "min_share_pct")};

	note_unnamed(ctx, for_each_entity(ctx, offsetof(pb_payment, payee_id), round_party, &st), "payee");
	if (st.scheduled)
		pb_ctx_note(ctx, "%zu payments repeating a fixed amount (on a schedule, or on three or more days) counted once per amount", st.scheduled);
	free(st.k);
	free(st.d);
	free(st.repeat);
}

const pb_rule pb_rule_round_amount = {
	.id = "payments.round-amount",
	.family = "payments",
	.title = "A payee's payments are mostly round numbers",
	.source = "ACFE/Nigrini",
	.severity = PB_SEV_LOW,
	.needs = PB_NEEDS(PB_T_PAYMENTS),
	.params = (const pb_param_def[]){
		{"round_unit", PB_P_MONEY, "1000", "a payment is round when it is a multiple of this (and at least this); raise it for small units (CZK)"},
		{"min_payments", PB_P_INT, "5", "payments of at least round_unit needed"},
		{"min_share_pct", PB_P_PERCENT, "50", "share of round payments that fires"},
		{NULL, 0, NULL, NULL}},
	.run = run_round_amount,
};

/* --- payments.benford --- */

/* First two significant digits (10..99) of a positive amount. */
static int first_two(int64_t v)
{
	if (v < 0)
		v = -v;
	while (v >= 100)
		v /= 10;
	return (int)v;
}

static double benford_p(int d)
{
	return log10(1.0 + 1.0 / d);
}

/* Nigrini's conformity bands for the first-two-digits test (shown, not
 * used alone: they do not depend on the sample size). */
static const char *conformity(double mad)
{
	return mad <= 0.0012 ? "close conformity" : mad <= 0.0018 ? "acceptable conformity"
	       : mad <= 0.0022 ? "marginally acceptable conformity" : "nonconformity";
}

/* E|X - np| for X ~ Binomial(n, p): de Moivre's closed form,
 * 2 v C(n, v) p^v q^(n-v+1) with v = floor(np) + 1. */
static double binomial_mean_abs_dev(double n, double p)
{
	double v = floor(n * p) + 1;

	if (v > n)
		return 0.0;
	return 2.0 * v * exp(lgamma(n + 1) - lgamma(v + 1) - lgamma(n - v + 1) +
			     v * log(p) + (n - v + 1) * log1p(-p));
}

/* The expected MAD of a true Benford sample of n amounts and its standard
 * deviation: exact per digit pair, the pairs taken as independent (their
 * multinomial correlation, of the order of p, moves the spread by far less
 * than 1%). */
static void benford_null(size_t n, double *mean, double *sd)
{
	double e = 0.0, var = 0.0, dn = (double)n;

	for (int d = 10; d < 100; d++) {
		double p = benford_p(d), m = binomial_mean_abs_dev(dn, p);
		e += m;
		var += dn * p * (1 - p) - m * m;
	}
	*mean = e / (90.0 * dn);
	*sd = sqrt(var > 0 ? var : 0) / (90.0 * dn);
}

/* Sorts amounts in ascending order through tmp (room for n): a radix
 * sort, as a payer may have a million of them. */
static void sort_amounts(int64_t *a, size_t n, int64_t *tmp)
{
	uint64_t *x = (uint64_t *)a;
	const uint64_t sign = (uint64_t)1 << 63;

	for (size_t i = 0; i < n; i++)
		x[i] ^= sign; /* negative amounts first, as unsigned */
	pb_sort_u64(x, n, 0, (uint64_t *)tmp);
	for (size_t i = 0; i < n; i++)
		x[i] ^= sign;
}

static size_t lower_bound(const int64_t *a, size_t n, int64_t v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * A reporting floor ("payments over £500"): a round value F (1, 2, 2.5 or
 * 5 times a power of ten) with at least 5% of the amounts in [F, 2F),
 * three times as many there as in [F/2, F), and a quarter of those packed
 * just above the floor, in [F, 1.25F).  Benford data has as many in
 * [F/2, F) as in [F, 2F) (the ranges are equally wide on a log scale);
 * amounts invented around a few values have gaps, not a floor.  Returns F
 * or 0.
 */
static int64_t reporting_floor(const int64_t *a, size_t n, int64_t ten, size_t *above, size_t *below)
{
	int64_t best = 0;
	double best_ratio = 0.0;

	for (int64_t scale = ten; scale <= a[n - 1] / 2 && scale <= INT64_MAX / 10; scale *= 10) {
		const int64_t floors[] = {scale, 2 * scale, scale * 5 / 2, 5 * scale};
		for (size_t i = 0; i < 4; i++) {
			int64_t f = floors[i];
			if (f / 2 < ten)
				continue; /* nothing below ten units is tested at all */
			size_t lo = lower_bound(a, n, f / 2), mid = lower_bound(a, n, f),
			       hi = lower_bound(a, n, 2 * f);
			size_t up = hi - mid, down = mid - lo;
			size_t just = lower_bound(a, n, f + f / 4) - mid;
			double ratio = (double)up / (double)(down + 1);
			if (up * 20 >= n && up >= 3 * (down + 1) && just * 4 >= up &&
			    ratio > best_ratio) {
				best = f;
				best_ratio = ratio;
				*above = up;
				*below = down;
			}
		}
	}
	return best;
}

/* What the payers have in common: counts for the notes, and the two
 * buffers of amounts, grown to the largest payer and kept (a payer's
 * own took fresh pages every time). */
typedef struct {
	size_t few, unjudged;
	int64_t *a, *tmp;
	size_t cap;
} benford_stats;

/* Can Benford's law be expected of these amounts (sorted)?  If not, says
 * why in coverage and returns 0. */
static int benford_applies(pb_rule_ctx *ctx, const int64_t *a, size_t n, int64_t ten,
			   const char *payer, benford_stats *st)
{
	double min_orders = (double)pb_param_millionths(ctx, "min_orders") / PB_DECIMAL_SCALE;
	int64_t p1 = a[(n - 1) / 100], p99 = a[(n - 1) * 99 / 100];
	double orders = log10((double)p99 / (double)p1);
	size_t above = 0, below = 0;
	const char *cur = pb_ctx_currency(ctx);

	if (orders < min_orders) {
		if (st->unjudged++ < 10)
			pb_ctx_note(ctx, "%s not judged: its amounts span %.1f orders of magnitude between the 1st and 99th percentile (%s to %s), fewer than %g",
				    payer, orders, pb_ctx_money(ctx, p1, cur), pb_ctx_money(ctx, p99, cur), min_orders);
		return 0;
	}
	int64_t floor_at = reporting_floor(a, n, ten, &above, &below);
	if (floor_at) {
		if (st->unjudged++ < 10)
			pb_ctx_note(ctx, "%s not judged: its amounts start at a reporting floor of %s (%zu of %zu in [%s, %s), %zu in the half below)",
				    payer, pb_ctx_money(ctx, floor_at, cur), above, n,
				    pb_ctx_money(ctx, floor_at, cur), pb_ctx_money(ctx, 2 * floor_at, cur), below);
		return 0;
	}
	return 1;
}

static void benford_finding(pb_rule_ctx *ctx, const pb_payment *p, const uint32_t *ix, size_t n,
			    const char *payer, const size_t *count, size_t total, int64_t ten,
			    double mad, double mean, double sd)
{
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, payer, NULL);
	const pb_party *party = pb_ledger_find(pb_ctx_ledger(ctx), PB_T_PARTIES, payer);
	if (party)
		pb_finding_evidence(ctx, f, PB_T_PARTIES, party, "payer");
	/* The payments in the most over-represented digit pair. */
	int worst = 10;
	for (int d = 10; d < 100; d++)
		if ((double)count[d] / (double)total - benford_p(d) >
		    (double)count[worst] / (double)total - benford_p(worst))
			worst = d;
	for (size_t k = 0; k < n && f->nevidence < 26; k++) {
		const pb_payment *x = &p[ix[k]];
		if (judged(ctx, x, ten) && first_two(x->amount) == worst)
			pb_finding_evidence(ctx, f, PB_T_PAYMENTS, x, "payment in the most excessive digit pair");
	}
	pb_buf obs, expd;
	pb_buf_init(&obs);
	pb_buf_init(&expd);
	for (int d = 10; d < 100; d++) {
		pb_buf_addf(&obs, "%s%.4f", d > 10 ? "," : "", (double)count[d] / (double)total);
		pb_buf_addf(&expd, "%s%.4f", d > 10 ? "," : "", benford_p(d));
	}
	double z = (mad - mean) / sd;
	pb_finding_detail(ctx, f, "n", "%zu", total);
	pb_finding_detail(ctx, f, "mad", "%.5f", mad);
	pb_finding_detail(ctx, f, "expected_mad", "%.5f", mean);
	pb_finding_detail(ctx, f, "mad_sd", "%.5f", sd);
	pb_finding_detail(ctx, f, "excess_sd", "%.1f", z);
	pb_finding_detail(ctx, f, "conformity", "%s", conformity(mad));
	pb_finding_detail(ctx, f, "most_excessive", "%d", worst);
	pb_finding_detail(ctx, f, "observed_10_99", "%s", obs.data);
	pb_finding_detail(ctx, f, "expected_10_99", "%s", expd.data);
	pb_buf_release(&obs);
	pb_buf_release(&expd);
	f->score = z >= 20 ? 1.0 : z / 20;
	pb_finding_message(ctx, f, "%s's %zu payment amounts fail the first-two-digits Benford test: MAD %.5f against %.5f expected of a Benford sample of that size (%.1f standard deviations above; %s); %d is the most over-represented",
			   payer, total, mad, mean, z, conformity(mad), worst);
}

static void benford_reserve(benford_stats *st, size_t n)
{
	if (n <= st->cap)
		return;
	st->cap = n;
	GROW_TO(st->a, st->cap);
	GROW_TO(st->tmp, st->cap);
}

static void benford_party(pb_rule_ctx *ctx, const pb_payment *p, const uint32_t *ix,
			  size_t n, const char *payer, void *data)
{
	benford_stats *st = data;
	int64_t min_n = pb_param_int(ctx, "min_payments");
	double max_mad = (double)pb_param_millionths(ctx, "max_mad") / PB_DECIMAL_SCALE;
	double max_z = (double)pb_param_millionths(ctx, "max_excess_sd") / PB_DECIMAL_SCALE;
	size_t count[100] = {0}, total = 0;
	int64_t ten = 10, *a;

	benford_reserve(st, n);
	a = st->a;
	for (int e = pb_currency_exponent(pb_ctx_currency(ctx)); e > 0; e--)
		ten *= 10; /* 10.00 in minor units: smaller amounts have no two digits */
	for (size_t k = 0; k < n; k++) {
		const pb_payment *x = &p[ix[k]];
		if (!judged(ctx, x, ten))
			continue;
		count[first_two(x->amount)]++;
		a[total++] = x->amount;
	}
	if ((int64_t)total < min_n || total == 0) {
		st->few++;
		return;
	}
	sort_amounts(a, total, st->tmp);
	if (!benford_applies(ctx, a, total, ten, payer, st))
		return;
	double mad = 0.0, mean, sd;
	for (int d = 10; d < 100; d++)
		mad += fabs((double)count[d] / (double)total - benford_p(d));
	mad /= 90.0;
	benford_null(total, &mean, &sd);
	/* Both a deviation no honest sample of this size shows and one large
	 * enough to matter (Nigrini's band). */
	if (mad > max_mad && mad > mean + max_z * sd)
		benford_finding(ctx, p, ix, n, payer, count, total, ten, mad, mean, sd);
}

static void run_benford(pb_rule_ctx *ctx)
{
	benford_stats st = {0};

	note_unnamed(ctx, for_each_entity(ctx, offsetof(pb_payment, payer_id), benford_party, &st), "payer");
	free(st.a);
	free(st.tmp);
	if (st.unjudged > 10)
		pb_ctx_note(ctx, "%zu more payers not judged for the same reasons", st.unjudged - 10);
	if (st.few)
		pb_ctx_note(ctx, "%zu payers with fewer than %lld payments of at least 10 units not judged",
			    st.few, (long long)pb_param_int(ctx, "min_payments"));
}

const pb_rule pb_rule_benford = {
	.id = "payments.benford",
	.family = "payments",
	.title = "A payer's amounts fail the first-two-digits Benford test",
	.source = "Nigrini",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_PAYMENTS),
	.params = (const pb_param_def[]){
		{"min_payments", PB_P_INT, "300", "payments of at least 10 units needed for the test"},
		{"min_orders", PB_P_DECIMAL, "3", "orders of magnitude the amounts must span between their 1st and 99th percentile"},
		{"max_mad", PB_P_DECIMAL, "0.0022", "mean absolute deviation must exceed this (Nigrini: nonconformity)"},
		{"max_excess_sd", PB_P_DECIMAL, "6", "and exceed the MAD expected of a Benford sample of that size by this many standard deviations"},
		{NULL, 0, NULL, NULL}},
	.run = run_benford,
};

/* --- payments.sequential-invoices --- */

/* The number an invoice id ends with ("INV-Q-1003" -> 1003, its last 15
 * digits at most), or -1; *prefix is the length of what comes before it,
 * the series the supplier numbers ("INV-Q-"). */
static int64_t trailing_number(const char *s, size_t *prefix)
{
	size_t n = s ? strlen(s) : 0, k = n;
	int64_t v = 0, scale = 1;

	while (k > 0 && s[k - 1] >= '0' && s[k - 1] <= '9' && n - k < 15)
		k--;
	*prefix = k;
	if (k == n)
		return -1;
	for (size_t i = n; i > k; i--) {
		v += (s[i - 1] - '0') * scale;
		scale *= 10;
	}
	return v;
}

/* What the per-payee step needs: the payer entity of every payment, and
 * a count for coverage. */
typedef struct {
	const entity_ranks *payers;
	size_t batches, renumbered, ranges, gaps;
} sequential_state;

/* The payee's only payer entity, named by the smallest id its payments
 * give it, or NULL when it has none or several. */
static const char *only_payer(const entity_ranks *payers, const pb_payment *p, const uint32_t *ix,
			      size_t n)
{
	const char *name = NULL;
	uint32_t payer = NO_RANK;

	for (size_t k = 0; k < n; k++) {
		uint32_t e = payers->rank[ix[k]];
		if (e == NO_RANK)
			continue;
		if (payer != NO_RANK && e != payer)
			return NULL; /* it bills someone else too */
		payer = e;
		if (!name || strcmp(pb_str(p[ix[k]].payer_id), name) < 0)
			name = pb_str(p[ix[k]].payer_id);
	}
	return name;
}

/* An invoice number, the series it is numbered in (the id's first
 * `prefix` bytes) and the day it was paid. */
typedef struct {
	int64_t num;
	const char *id;
	size_t prefix;
	pb_date paid_on;
} numbered;

/* Numbers count in one series only: "1040187 - 2" and "1040190 - 3" (a
 * council's transaction numbers and their lines) are no run of 2, 3. */
static int cmp_series(const numbered *a, const numbered *b)
{
	size_t n = a->prefix < b->prefix ? a->prefix : b->prefix;
	int c = memcmp(a->id, b->id, n);

	if (c)
		return c;
	return a->prefix < b->prefix ? -1 : a->prefix > b->prefix;
}

static int cmp_numbered(const void *pa, const void *pb)
{
	const numbered *a = pa, *b = pb;
	int c = cmp_series(a, b);

	if (c)
		return c;
	if (a->num != b->num)
		return a->num < b->num ? -1 : 1;
	return a->paid_on < b->paid_on ? -1 : a->paid_on > b->paid_on;
}

/* A run of consecutive invoice numbers of one series: its length, last
 * number, series (an invoice of it), the calendar year it was looked
 * for in (0: all), and its first and last payment days. */
typedef struct {
	size_t len;
	int64_t hi;
	numbered series;
	int year;
	pb_date first, last;
} invoice_run;

static const invoice_run no_run = {0, 0, {0, NULL, 0, PB_DATE_NONE}, 0, PB_DATE_NONE, PB_DATE_NONE};

/* The run's first number. */
static int64_t run_lo(const invoice_run *run)
{
	return run->hi - (int64_t)run->len + 1;
}

/* Were half the run's invoices or more paid on one day?  x[from, to) is
 * the run, sorted by number; an invoice counts on the day of its first
 * dated line. */
static int mostly_one_day(const numbered *x, size_t from, size_t to, size_t len)
{
	pb_date *d = pb_xcalloc(len + 1, sizeof(*d));
	size_t n = 0, most = 0;

	for (size_t k = from; k < to; k++)
		if (x[k].paid_on != PB_DATE_NONE && n < len &&
		    (k == from || x[k].num != x[k - 1].num || x[k - 1].paid_on == PB_DATE_NONE))
			d[n++] = x[k].paid_on;
	qsort(d, n, sizeof(*d), cmp_date);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && d[j] == d[i]; j++)
			;
		most = j - i > most ? j - i : most;
	}
	free(d);
	return 2 * most >= len;
}

/*
 * The longest run of consecutive numbers (sorted) paid over at least
 * min_days: invoices issued in one batch, paid together, say nothing of
 * the supplier's other clients.  So, with min_days, neither does a run
 * half of whose invoices were paid on one day (a travel agent's 23
 * hotel bills, issued together, 22 paid on one day and one three months
 * later).
 */
static invoice_run longest_run(const numbered *x, size_t m, int64_t min_days)
{
	invoice_run best = no_run;
	size_t len = 0, from = 0;
	pb_date first = PB_DATE_NONE, last = PB_DATE_NONE;

	for (size_t k = 0; k <= m; k++) {
		int same = k < m && k > 0 && !cmp_series(&x[k], &x[k - 1]);
		if (same && x[k].num == x[k - 1].num)
			goto widen; /* lines of one invoice */
		if (same && len && x[k].num == x[k - 1].num + 1) {
			len++;
			goto widen;
		}
		if (len && last != PB_DATE_NONE && first != PB_DATE_NONE &&
		    (int64_t)last - first >= min_days && len > best.len &&
		    !(min_days > 0 && mostly_one_day(x, from, k, len)))
			best = (invoice_run){len, x[k - 1].num, x[k - 1], 0, first, last};
		if (k == m)
			break;
		len = 1;
		from = k;
		first = last = x[k].paid_on;
		continue;
widen:
		if (x[k].paid_on != PB_DATE_NONE) {
			if (first == PB_DATE_NONE || x[k].paid_on < first)
				first = x[k].paid_on;
			if (last == PB_DATE_NONE || x[k].paid_on > last)
				last = x[k].paid_on;
		}
	}
	return best;
}

/* Is a number of one series on payments `days` or more apart?  Those
 * are two invoices, not the lines or instalments of one: the payee
 * numbers in series its ids do not tell apart (from 1 again each year,
 * or one series per contract).  x is sorted by cmp_numbered. */
static int renumbered(const numbered *x, size_t m, int64_t days)
{
	size_t first = 0; /* the first dated payment of x[k]'s number */

	for (size_t k = 0; k < m; k++) {
		if (k == 0 || cmp_series(&x[k], &x[k - 1]) || x[k].num != x[k - 1].num)
			first = k;
		if (x[first].paid_on == PB_DATE_NONE)
			first = k;
		else if (x[k].paid_on != PB_DATE_NONE && (int64_t)x[k].paid_on - x[first].paid_on >= days)
			return 1;
	}
	return 0;
}

enum { SET_ASIDE_SERIES = 1, SET_ASIDE_BATCH = 2 };

/*
 * The longest run when numbers recur: looked for within each calendar
 * year of payment, for a payee that numbers from 1 again each year (a
 * lawyer's invoices 1 to 12 of 2013, then 1 to 11 of 2014).  A year in
 * which a number still recurs holds series side by side (a caretaker's
 * one per building): no run there says the payee bills no one else, and
 * the year is not judged.  *skipped tells why runs long enough were set
 * aside: series side by side, or a batch paid at once.
 */
static invoice_run yearly_run(const numbered *x, size_t m, int64_t min_days, int64_t renumber,
			      int64_t min_run, int *skipped)
{
	invoice_run best = no_run;
	numbered *tmp = pb_xcalloc(m + 1, sizeof(*tmp));
	int lo = INT_MAX, hi = INT_MIN;

	for (size_t k = 0; k < m; k++)
		if (x[k].paid_on != PB_DATE_NONE) {
			int y = pb_date_year(x[k].paid_on);
			lo = y < lo ? y : lo;
			hi = y > hi ? y : hi;
		}
	for (int y = lo; y <= hi && lo <= hi; y++) {
		size_t n = 0;
		for (size_t k = 0; k < m; k++)
			if (x[k].paid_on != PB_DATE_NONE && pb_date_year(x[k].paid_on) == y)
				tmp[n++] = x[k];
		if (n && renumbered(tmp, n, renumber)) {
			if ((int64_t)longest_run(tmp, n, min_days).len >= min_run)
				*skipped |= SET_ASIDE_SERIES;
			continue;
		}
		invoice_run r = longest_run(tmp, n, min_days);
		if ((int64_t)r.len < min_run && (int64_t)longest_run(tmp, n, 0).len >= min_run)
			*skipped |= SET_ASIDE_BATCH;
		if (r.len > best.len) {
			best = r;
			best.year = y;
		}
	}
	free(tmp);
	return best;
}

/* Does payment q belong to the run: its number within it, in its series
 * and, for a run of one year, paid that year? */
static int in_run(const invoice_run *run, const pb_payment *q)
{
	numbered y = {0, pb_str(q->invoice_id), 0, q->paid_on};

	y.num = trailing_number(y.id, &y.prefix);
	return y.num >= run_lo(run) && y.num <= run->hi &&
	       !cmp_series(&y, &run->series) &&
	       (!run->year || (q->paid_on != PB_DATE_NONE && pb_date_year(q->paid_on) == run->year));
}

/*
 * Invoices of the run's series paid while the run was being paid, but
 * numbered outside it: distinct numbers, x sorted by cmp_numbered.  One
 * counter numbering a payee's invoices would have put the numbers paid
 * in those months near the run; many from other ranges mean several
 * counters at once (a law firm's numbers per matter: 13010401, 13011603
 * to 13011608, 13011903...), or a batch issued together and paid over
 * months (a software firm's quarterly bills 4300000037 to 4300000046,
 * all issued in April, 42 elsewhere).  Either way the run's months say
 * nothing of the payee's other clients.
 */
static size_t paid_meanwhile(const numbered *x, size_t m, const invoice_run *run)
{
	int64_t lo = run_lo(run);
	size_t n = 0;

	for (size_t k = 0; k < m; k++)
		if ((x[k].num < lo || x[k].num > run->hi) && x[k].paid_on != PB_DATE_NONE &&
		    x[k].paid_on > run->first && x[k].paid_on < run->last &&
		    (!run->year || pb_date_year(x[k].paid_on) == run->year) && !cmp_series(&x[k], &run->series) &&
		    (k == 0 || x[k].num != x[k - 1].num || cmp_series(&x[k], &x[k - 1])))
			n++;
	return n;
}

/*
 * The most numbers of the run's series skipped between the run and the
 * payee's nearest invoices to the payer before and after it, paid the
 * same year as the run's first and last payments (not after the run, or
 * before it: last year's invoice paid late is no neighbour) and in the
 * run's block of a thousand numbers (a series numbered 2012012, 2013001
 * starts again each year).  A payee with no other client skips none but voided
 * invoices; one that skipped 36 numbers in February before its run of 8
 * (a caretaker of state property, 141300003 then 141300040) bills others.
 */
static int64_t numbers_skipped(const numbered *x, size_t m, const invoice_run *run)
{
	int64_t lo = run_lo(run), before = -1, after = -1;

	for (size_t k = 0; k < m; k++) {
		if (cmp_series(&x[k], &run->series) || x[k].paid_on == PB_DATE_NONE)
			continue;
		if (x[k].num < lo && x[k].num / 1000 == lo / 1000 && x[k].paid_on <= run->last &&
		    pb_date_year(x[k].paid_on) == pb_date_year(run->first))
			before = x[k].num;
		if (x[k].num > run->hi && after < 0 && x[k].num / 1000 == run->hi / 1000 &&
		    x[k].paid_on >= run->first && pb_date_year(x[k].paid_on) == pb_date_year(run->last))
			after = x[k].num;
	}
	int64_t gap_before = before >= 0 ? lo - before - 1 : 0, gap_after = after >= 0 ? after - run->hi - 1 : 0;
	return gap_before > gap_after ? gap_before : gap_after;
}

static void sequential_party(pb_rule_ctx *ctx, const pb_payment *p, const uint32_t *ix,
			     size_t n, const char *payee, void *data)
{
	sequential_state *st = data;
	int64_t min_run = pb_param_int(ctx, "min_run");
	int64_t min_days = pb_param_int(ctx, "min_span_days");
	int64_t renumber = pb_param_int(ctx, "renumber_days");
	const char *payer = only_payer(st->payers, p, ix, n);
	size_t m = 0;
	numbered *x;

	if (!payer)
		return;
	x = pb_xcalloc(n + 1, sizeof(*x));
	for (size_t k = 0; k < n; k++) {
		const char *id = pb_str(p[ix[k]].invoice_id);
		size_t prefix = 0;
		int64_t v = st->payers->rank[ix[k]] != NO_RANK ? trailing_number(id, &prefix) : -1;
		if (v >= 0)
			x[m++] = (numbered){v, id, prefix, p[ix[k]].paid_on};
	}
	qsort(x, m, sizeof(*x), cmp_numbered);
	int yearly = renumbered(x, m, renumber), skipped = 0;
	invoice_run best = yearly ? yearly_run(x, m, min_days, renumber, min_run, &skipped)
				  : longest_run(x, m, min_days);
	if ((int64_t)best.len >= min_run && 2 * paid_meanwhile(x, m, &best) >= best.len) {
		st->ranges++;
		goto out;
	}
	if ((int64_t)best.len >= min_run && numbers_skipped(x, m, &best) >= (int64_t)best.len) {
		st->gaps++;
		goto out;
	}
	if ((int64_t)best.len < min_run) {
		/* set aside for what its numbers show: series that share
		 * numbers, else a batch paid at once */
		if (!yearly && (int64_t)longest_run(x, m, 0).len >= min_run)
			skipped = SET_ASIDE_BATCH;
		st->renumbered += (skipped & SET_ASIDE_SERIES) != 0;
		st->batches += skipped == SET_ASIDE_BATCH;
		goto out;
	}
	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, payee, payer);
	int64_t lo = run_lo(&best), hi = best.hi, days = (int64_t)best.last - best.first;
	for (size_t k = 0; k < n && f->nevidence < 25; k++)
		if (in_run(&best, &p[ix[k]]))
			pb_finding_evidence(ctx, f, PB_T_PAYMENTS, &p[ix[k]], "invoice in the run");
	pb_finding_detail(ctx, f, "payer", "%s", payer);
	pb_finding_detail(ctx, f, "run", "%lld-%lld", (long long)lo, (long long)hi);
	pb_finding_detail(ctx, f, "days", "%lld", (long long)days);
	if (best.year)
		pb_finding_detail(ctx, f, "year", "%d", best.year);
	f->score = best.len >= (size_t)(2 * min_run) ? 1.0 : (double)best.len / (double)(2 * min_run);
	if (best.year)
		pb_finding_message(ctx, f, "%s billed only %s, with %zu consecutively numbered invoices (%lld to %lld) paid over %lld days of %d (its numbers start again each year): it appears to invoice no one else",
				   payee, payer, best.len, (long long)lo, (long long)hi, (long long)days, best.year);
	else
		pb_finding_message(ctx, f, "%s billed only %s, with %zu consecutively numbered invoices (%lld to %lld) paid over %lld days: it appears to invoice no one else",
				   payee, payer, best.len, (long long)lo, (long long)hi, (long long)days);
out:
	free(x);
}

static void run_sequential(pb_rule_ctx *ctx)
{
	sequential_state st = {.batches = 0, .renumbered = 0, .ranges = 0, .gaps = 0};

	st.payers = entity_ranks_of(ctx, offsetof(pb_payment, payer_id));
	note_unnamed(ctx, for_each_entity(ctx, offsetof(pb_payment, payee_id), sequential_party, &st), "payee");
	if (st.batches)
		pb_ctx_note(ctx, "%zu payees whose consecutive invoices were all paid within %lld days, or half of them on one day, taken as one batch",
			    st.batches, (long long)pb_param_int(ctx, "min_span_days"));
	if (st.ranges)
		pb_ctx_note(ctx, "%zu payees whose run was paid alongside half as many or more of their invoices numbered outside it (numbers from several counters, or a batch paid over months): not judged",
			    st.ranges);
	if (st.gaps)
		pb_ctx_note(ctx, "%zu payees that skipped as many numbers as their run holds, or more, between it and their nearest invoices of the same year (invoices to other clients): not judged",
			    st.gaps);
	if (st.renumbered)
		pb_ctx_note(ctx, "%zu payees that give one number to invoices paid %lld or more days apart in the same year (a series per contract or per client) not judged",
			    st.renumbered, (long long)pb_param_int(ctx, "renumber_days"));
}

const pb_rule pb_rule_sequential_invoices = {
	.id = "payments.sequential-invoices",
	.family = "payments",
	.title = "A supplier's invoices to its only buyer are numbered consecutively",
	.source = "ACFE",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_PAYMENTS),
	.params = (const pb_param_def[]){
		{"min_run", PB_P_INT, "5", "consecutive invoice numbers that fire"},
		{"min_span_days", PB_P_DAYS, "60", "the run's payments must spread over at least this many days (a batch issued at once is no sign)"},
		{"renumber_days", PB_P_DAYS, "31", "one number on payments this many days apart is two invoices: runs are then looked for within each year of payment, and a year where a number still recurs is not judged"},
		{NULL, 0, NULL, NULL}},
	.run = run_sequential,
};
