/*
 * cardinal.h - OCP Cardinal's red-flag indicators over OCDS compiled
 * releases, reproduced as ../shared/conformance/cardinal/README.md states
 * them for Cardinal 0.0.8, behind `probity cardinal`.
 */
#ifndef PB_CARDINAL_H
#define PB_CARDINAL_H

#include <stdio.h>

/* `probity cardinal [--settings FILE.ini] [--no-meta] FILE.jsonl`: writes
 * Cardinal's JSON to out and per-line warnings to err; returns an exit
 * code (0, 2 usage or settings, 3 input). */
int pb_cardinal_main(int argc, char **argv, FILE *out, FILE *err);

/* Hyndman-Fan type 8 quantile of sorted values. */
double pb_cardinal_quantile(const double *sorted, size_t n, double p);

/* Quartiles and Tukey fences (1.5 IQR) of unsorted values, as Cardinal
 * computes them; also used by the bidding.* rules of `probity audit`. */
typedef struct {
	double q1, q3, lower, upper;
} pb_fences;

pb_fences pb_cardinal_fences(const double *values, size_t n);

#endif
