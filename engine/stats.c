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

double pb_quantile(const double *x, size_t n, double p)
{
	if (!(p >= 0.0 && p <= 1.0) || n == 0)
		return NAN;
	/* statrs: no fused operations here, so none in C either (-std=c11
	 * keeps the compiler from contracting them). */
	double h = ((double)n + 1.0 / 3.0) * p + 1.0 / 3.0;
	int64_t hf = (int64_t)h;

	if (hf <= 0 || p == 0.0)
		return x[0];
	if (hf >= (int64_t)n || near_one(p))
		return x[n - 1];
	double a = x[hf - 1], b = x[hf];
	return a + (h - (double)hf) * (b - a);
}

pb_fences pb_fences_of(const double *v, size_t n)
{
	pb_fences f;
	double *s = pb_xcalloc(n + 1, sizeof(*s));

	if (n)
		memcpy(s, v, n * sizeof(*s));
	pb_sort_doubles(s, n);
	f.q1 = pb_quantile(s, n, 0.25);
	f.q3 = pb_quantile(s, n, 0.75);
	/* Rust's (q3 - q1).mul_add(-1.5, q1): one rounding. */
	f.lower = fma(f.q3 - f.q1, -1.5, f.q1);
	f.upper = fma(f.q3 - f.q1, 1.5, f.q3);
	free(s);
	return f;
}
