/*
 * stats.c - quantiles and Tukey fences, computed exactly as OCP
 * Cardinal's Rust code computes them (statrs), so that the bidding.*
 * rules (and so `probity cardinal`) give Cardinal's numbers.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pb.h"
#include "stats.h"

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	return x < y ? -1 : x > y;
}

void pb_sort_doubles(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), dcmp);
}

/* approx's ulps_eq!(a, 1.0) with its defaults, as statrs tests tau. */
static int near_one(double a)
{
	int64_t x, y;
	double one = 1.0;

	if (fabs(a - one) <= DBL_EPSILON)
		return 1;
	if (!(a > 0))
		return 0;
	memcpy(&x, &a, sizeof(x));
	memcpy(&y, &one, sizeof(y));
	return (x > y ? x - y : y - x) <= 4;
}

/* The order statistics a quantile reads: x(k, ctx) is the value of rank
 * k (0-based); it is asked for ranks in ascending order. */
typedef double rank_fn(void *ctx, size_t k);

static double quantile_with(size_t n, double p, rank_fn *x, void *ctx)
{
	if (!(p >= 0.0 && p <= 1.0) || n == 0)
		return NAN;
	/* statrs: no fused operations here, so none in C either (-std=c11
	 * keeps the compiler from contracting them). */
	double h = ((double)n + 1.0 / 3.0) * p + 1.0 / 3.0;
	int64_t hf = (int64_t)h;

	if (hf <= 0 || p == 0.0)
		return x(ctx, 0);
	if (hf >= (int64_t)n || near_one(p))
		return x(ctx, n - 1);
	double a = x(ctx, (size_t)hf - 1), b = x(ctx, (size_t)hf);
	return a + (h - (double)hf) * (b - a);
}

static double sorted_at(void *ctx, size_t k)
{
	return ((const double *)ctx)[k];
}

double pb_quantile(const double *x, size_t n, double p)
{
	return quantile_with(n, p, sorted_at, (void *)x);
}

/*
 * Order statistics without a sort: a fence needs four of them, and
 * sorting a million ratios for those was most of some bidding rules.
 * w, a copy of the values, is partly ordered as ranks are asked for
 * (quickselect): w[0 .. done) hold ranks 0 to done - 1, in some order
 * but for w[done - 1], which holds its own.
 */
struct ranks {
	const double *v; /* the values, in their order */
	double *w;
	size_t n, done;
};

/* dcmp's order: NaN after every number; -0 and 0 alike. */
static int dless(double x, double y)
{
	return isnan(y) ? !isnan(x) : x < y;
}

static void dswap(double *w, size_t i, size_t j)
{
	double t = w[i];

	w[i] = w[j];
	w[j] = t;
}

static double median3(double a, double b, double c)
{
	if (dless(a, b))
		return dless(b, c) ? b : dless(a, c) ? c : a;
	return dless(a, c) ? a : dless(b, c) ? c : b;
}

/* Orders w[lo .. hi), which holds ranks lo to hi - 1, so that w[k] holds
 * rank k, those before it no greater and those after no less.  Three-way
 * partitions keep runs of equal ratios (many are 0 or 1) linear; past
 * 8 + 2 log2 n rounds (values laid out against the pivots) the rest is
 * sorted, so the worst case is n log n. */
static void select_rank(double *w, size_t lo, size_t hi, size_t k)
{
	size_t rounds = 0, limit = 8;

	for (size_t m = hi - lo; m > 1; m >>= 1)
		limit += 2;
	while (hi - lo > 1) {
		if (rounds++ == limit) {
			pb_sort_doubles(w + lo, hi - lo);
			return;
		}
		double pivot = median3(w[lo], w[lo + (hi - lo) / 2], w[hi - 1]);
		size_t lt = lo, i = lo, gt = hi;
		while (i < gt) {
			if (dless(w[i], pivot))
				dswap(w, lt++, i++);
			else if (dless(pivot, w[i]))
				dswap(w, i, --gt);
			else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return; /* w[k] is alike to the pivot, as every rank in [lt, gt) */
	}
}

/* The value of rank k as the stable sort gives it: values alike under
 * dless are one bit pattern, but for 0 and -0, and NaNs, which the sort
 * leaves in the order they were given. */
static double stable_value(const struct ranks *r, double like, size_t k)
{
	size_t less = 0;

	if (like != 0.0 && !isnan(like))
		return like;
	for (size_t i = 0; i < r->n; i++)
		less += dless(r->v[i], like) ? 1 : 0;
	for (size_t i = 0; i < r->n; i++)
		if (!dless(r->v[i], like) && !dless(like, r->v[i]) && less++ == k)
			return r->v[i];
	return like; /* not reached: rank k is among them */
}

static double rank_value(void *ctx, size_t k)
{
	struct ranks *r = ctx;

	if (k >= r->done) {
		select_rank(r->w, r->done, r->n, k);
		r->done = k + 1;
	} else if (k + 1 < r->done) {
		select_rank(r->w, 0, r->done, k); /* w[done - 1] may move: */
		select_rank(r->w, k + 1, r->done, r->done - 1); /* put back */
	}
	return stable_value(r, r->w[k], k);
}

pb_fences pb_fences_of(const double *v, size_t n)
{
	pb_fences f;
	struct ranks r = {v, pb_xcalloc(n + 1, sizeof(*r.w)), n, 0};

	if (n)
		memcpy(r.w, v, n * sizeof(*r.w));
	f.q1 = quantile_with(n, 0.25, rank_value, &r);
	f.q3 = quantile_with(n, 0.75, rank_value, &r);
	/* Rust's (q3 - q1).mul_add(-1.5, q1): one rounding. */
	f.lower = fma(f.q3 - f.q1, -1.5, f.q1);
	f.upper = fma(f.q3 - f.q1, 1.5, f.q3);
	free(r.w);
	return f;
}
