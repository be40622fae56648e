/*
 * fx.c - the rate index: one series of dated rates per (base, currency),
 * sorted by date, and exact conversion through it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"

struct point {
	pb_date date;
	int64_t rate;
	const pb_fx_rate *rec;
};

struct series {
	uint32_t base, cur; /* the codes packed, for cheap comparison */
	struct point *pts;  /* by date, ascending; one per date (the key) */
	size_t n, cap;
};

struct pb_fx {
	struct series *series;
	size_t nseries, capseries, nrates;
	int lookback;
};

/* "EUR" -> 0x455552; 0 for anything that is not three characters. */
static uint32_t pack(const char *code)
{
	if (!code || !code[0] || !code[1] || !code[2] || code[3])
		return 0;
	return (uint32_t)(unsigned char)code[0] << 16 |
	       (uint32_t)(unsigned char)code[1] << 8 | (unsigned char)code[2];
}

static struct series *series_get(pb_fx *fx, uint32_t base, uint32_t cur)
{
	for (size_t i = 0; i < fx->nseries; i++)
		if (fx->series[i].base == base && fx->series[i].cur == cur)
			return &fx->series[i];
	PB_GROW(fx->series, fx->nseries + 1, fx->capseries);
	struct series *s = &fx->series[fx->nseries++];
	memset(s, 0, sizeof(*s));
	s->base = base;
	s->cur = cur;
	return s;
}

static const struct series *series_find(const pb_fx *fx, uint32_t base, uint32_t cur)
{
	for (size_t i = 0; i < fx->nseries; i++)
		if (fx->series[i].base == base && fx->series[i].cur == cur)
			return &fx->series[i];
	return NULL;
}

static int point_cmp(const void *pa, const void *pb)
{
	const struct point *a = pa, *b = pb;

	return (a->date > b->date) - (a->date < b->date);
}

pb_fx *pb_fx_build(pb_ledger *l)
{
	pb_fx *fx = pb_xcalloc(1, sizeof(*fx));
	size_t n;
	const pb_fx_rate *r = pb_ledger_fx(l, &n);

	fx->lookback = PB_FX_LOOKBACK_DAYS;
	for (size_t i = 0; i < n; i++) {
		uint32_t b = pack(pb_str(r[i].base)), c = pack(pb_str(r[i].currency));
		/* The importer guarantees all of these; a hand-built ledger
		 * might not, and a half-known rate must not be used. */
		if (!b || !c || b == c || r[i].rate <= 0 || r[i].rate == PB_INT_NONE ||
		    r[i].rate_date == PB_DATE_NONE)
			continue;
		struct series *s = series_get(fx, b, c);
		PB_GROW(s->pts, s->n + 1, s->cap);
		s->pts[s->n++] = (struct point){r[i].rate_date, r[i].rate, &r[i]};
		fx->nrates++;
	}
	for (size_t i = 0; i < fx->nseries; i++)
		qsort(fx->series[i].pts, fx->series[i].n, sizeof(struct point), point_cmp);
	return fx;
}

void pb_fx_free(pb_fx *fx)
{
	if (!fx)
		return;
	for (size_t i = 0; i < fx->nseries; i++)
		free(fx->series[i].pts);
	free(fx->series);
	free(fx);
}

void pb_fx_set_lookback(pb_fx *fx, int days)
{
	fx->lookback = days < 0 ? 0 : days;
}

int pb_fx_lookback(const pb_fx *fx)
{
	return fx->lookback;
}

size_t pb_fx_count(const pb_fx *fx)
{
	return fx ? fx->nrates : 0;
}

/* The point of the latest date on or before `on`, within the lookback. */
static const struct point *rate_on(const pb_fx *fx, const struct series *s, pb_date on)
{
	size_t lo = 0, hi = s ? s->n : 0;

	while (lo < hi) { /* first point after `on` */
		size_t mid = lo + (hi - lo) / 2;
		if (s->pts[mid].date <= on)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct point *p = &s->pts[lo - 1];
	return (int64_t)on - p->date <= fx->lookback ? p : NULL;
}

static const struct point *lookup(const pb_fx *fx, uint32_t base, uint32_t cur, pb_date on)
{
	return rate_on(fx, series_find(fx, base, cur), on);
}

static pb_i128 pow10_i128(int k)
{
	pb_i128 v = 1;

	while (k-- > 0)
		v *= 10;
	return v;
}

/*
 * amount * num / den, scaled from exponent ef to et, rounded half away
 * from zero.  num and den are positive; -1 on overflow.
 */
static int scale_exact(int64_t amount, int64_t num, int64_t den, int ef, int et,
		       int64_t *out)
{
	pb_i128 n, d = (pb_i128)den * pow10_i128(ef > et ? ef - et : 0);

	if (__builtin_mul_overflow((pb_i128)amount, (pb_i128)num, &n) ||
	    __builtin_mul_overflow(n, pow10_i128(et > ef ? et - ef : 0), &n))
		return -1;
	int neg = n < 0;
	pb_i128 mag = neg ? -n : n; /* |n| < 2^127: amount is never INT64_MIN */
	pb_i128 q = mag / d, rem = mag % d;
	if (rem >= d - rem)
		q++;
	if (q > INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)q : (int64_t)q;
	return 0;
}

char *pb_fx_rate_format(int64_t rate, char buf[32])
{
	return pb_fixed_format(rate, PB_FX_RATE_DIGITS, buf);
}

static void set_leg(pb_fx_leg *leg, const struct point *p)
{
	leg->base = pb_str(p->rec->base);
	leg->currency = pb_str(p->rec->currency);
	leg->rate = p->rate;
	leg->rate_date = p->date;
	leg->record = p->rec;
}

static void describe_leg(char *buf, size_t size, const pb_fx_leg *leg)
{
	char r[32], d[11];

	snprintf(buf, size, "1 %s = %s %s on %s (%s:%" PRIu32 ")", leg->base,
		 pb_fx_rate_format(leg->rate, r), leg->currency,
		 pb_date_format(leg->rate_date, d), pb_row_file(&leg->record->row),
		 leg->record->row.line);
}

static void describe(pb_fx_used *u)
{
	char a[200], b[200];

	if (u->nlegs == 0) {
		snprintf(u->text, sizeof(u->text), "same currency, no rate needed");
		return;
	}
	describe_leg(a, sizeof(a), &u->legs[0]);
	if (u->nlegs == 1) {
		snprintf(u->text, sizeof(u->text), "%s", a);
		return;
	}
	describe_leg(b, sizeof(b), &u->legs[1]);
	snprintf(u->text, sizeof(u->text), "%s and %s (cross rate through %s)", a, b,
		 u->legs[0].base);
}

static int fail(pb_fx_used *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(pb_fx_used *u, const char *fmt, ...)
{
	va_list ap;

	if (u) {
		u->nlegs = 0;
		va_start(ap, fmt);
		vsnprintf(u->text, sizeof(u->text), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Finds the rates from -> to on `on`: the direct series either way round,
 * else a cross through a base quoting both.  Sets the legs and the
 * fraction num/den (in rate units) that turns `from` into `to`.
 */
static int find_rates(const pb_fx *fx, uint32_t f, uint32_t t, pb_date on,
		      pb_fx_used *u, int64_t *num, int64_t *den)
{
	const int64_t unit = (int64_t)pow10_i128(PB_FX_RATE_DIGITS);
	const struct point *p, *q;

	if ((p = lookup(fx, f, t, on))) { /* 1 from = rate to */
		set_leg(&u->legs[0], p);
		u->nlegs = 1;
		*num = p->rate, *den = unit;
		return 0;
	}
	if ((p = lookup(fx, t, f, on))) { /* 1 to = rate from */
		set_leg(&u->legs[0], p);
		u->nlegs = 1;
		*num = unit, *den = p->rate;
		return 0;
	}
	for (size_t i = 0; fx && i < fx->nseries; i++) {
		const struct series *s = &fx->series[i];
		if (s->cur != f || !(p = rate_on(fx, s, on)) || !(q = lookup(fx, s->base, t, on)))
			continue;
		set_leg(&u->legs[0], p);
		set_leg(&u->legs[1], q);
		u->nlegs = 2;
		*num = q->rate, *den = p->rate;
		return 0;
	}
	return -1;
}

/* The conversion from -> to on `on` as the fraction num/den of rate
 * units, with the two exponents; num = den = 1 for the same currency. */
struct plan {
	int64_t num, den;
	int ef, et;
};

static int plan_for(const pb_fx *fx, int64_t amount, const char *from, const char *to,
		    pb_date on, pb_fx_used *u, struct plan *p)
{
	char d[11];

	/* legs are read only up to nlegs: no need to clear 600 bytes a call */
	u->nlegs = 0;
	u->text[0] = '\0';
	p->ef = pb_currency_exponent(from);
	p->et = pb_currency_exponent(to);
	if (p->ef < 0 || p->et < 0)
		return fail(u, "'%s' is not an ISO 4217 currency",
			    p->ef < 0 ? (from ? from : "") : (to ? to : ""));
	if (amount == PB_AMOUNT_NONE)
		return fail(u, "no amount to convert");
	p->num = p->den = 1;
	if (pack(from) == pack(to)) {
		describe(u);
		return 0;
	}
	if (on == PB_DATE_NONE)
		return fail(u, "no date to take a %s/%s rate for", from, to);
	if (!fx || find_rates(fx, pack(from), pack(to), on, u, &p->num, &p->den) < 0)
		return fail(u, "no %s/%s rate on %s or the %d days before", from, to,
			    pb_date_format(on, d), fx ? fx->lookback : PB_FX_LOOKBACK_DAYS);
	describe(u);
	return 0;
}

int pb_fx_convert(const pb_fx *fx, int64_t amount, const char *from,
		  const char *to, pb_date on, int64_t *out, pb_fx_used *used)
{
	pb_fx_used scratch;
	pb_fx_used *u = used ? used : &scratch;
	struct plan p;

	if (plan_for(fx, amount, from, to, on, u, &p) < 0)
		return -1;
	if (scale_exact(amount, p.num, p.den, p.ef, p.et, out) < 0)
		return fail(u, "the %s amount in %s is beyond the range of an amount",
			    from, to);
	return 0;
}

int pb_fx_compare(const pb_fx *fx, int64_t amount, const char *from,
		  int64_t threshold, const char *to, pb_date on, int *cmp,
		  pb_fx_used *used)
{
	pb_fx_used scratch;
	pb_fx_used *u = used ? used : &scratch;
	struct plan p;
	pb_i128 lhs, rhs;

	if (plan_for(fx, amount, from, to, on, u, &p) < 0)
		return -1;
	if (threshold == PB_AMOUNT_NONE)
		return fail(u, "no threshold to compare with");
	/* amount * num / den / 10^ef  against  threshold / 10^et, cleared
	 * of fractions: no rounding at all. */
	if (__builtin_mul_overflow((pb_i128)amount, (pb_i128)p.num, &lhs) ||
	    __builtin_mul_overflow(lhs, pow10_i128(p.et > p.ef ? p.et - p.ef : 0), &lhs) ||
	    __builtin_mul_overflow((pb_i128)threshold, (pb_i128)p.den, &rhs) ||
	    __builtin_mul_overflow(rhs, pow10_i128(p.ef > p.et ? p.ef - p.et : 0), &rhs))
		return fail(u, "the %s amount in %s is beyond the range of an amount",
			    from, to);
	*cmp = (lhs > rhs) - (lhs < rhs);
	return 0;
}
