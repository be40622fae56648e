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

/* Hyndman-Fan type 8 quantile of sorted values (exposed for tests). */
double pb_cardinal_quantile(const double *sorted, size_t n, double p);

#endif
