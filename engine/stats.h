/* stats.h - quantiles and fences (engine/stats.c). */
#ifndef PB_STATS_H
#define PB_STATS_H

#include <stddef.h>

/* Sorts ascending, NaNs last. */
void pb_sort_doubles(double *v, size_t n);

/* Hyndman-Fan type 8 quantile of n sorted values, computed as Cardinal's
 * statrs does (h = (n + 1/3) p + 1/3, linear between order statistics);
 * NAN when n is 0 or p is outside [0, 1]. */
double pb_quantile(const double *sorted, size_t n, double p);

/* Quartiles and Tukey fences of unsorted values, as Cardinal computes them:
 * lower = q1 - 1.5 IQR and upper = q3 + 1.5 IQR, each one fused
 * multiply-add.  Used by the bidding.* rules in both their modes (mode
 * cardinal is `probity cardinal`). */
typedef struct {
	double q1, q3, lower, upper;
} pb_fences;

pb_fences pb_fences_of(const double *values, size_t n);

#endif
