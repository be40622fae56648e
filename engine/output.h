/*
 * output.h - writing reports without ever leaving a half-written file.
 *
 * Every report is first written to a temporary file in the output
 * directory; only when all of them succeeded are they renamed into place,
 * so a failed run leaves the previous night's reports untouched.
 */
#ifndef PB_OUTPUT_H
#define PB_OUTPUT_H

#include "../reports/report.h"

/* Reporters with a NULL filename write to standard output. */
int pb_output_write(const pb_audit *a, const pb_reporter *const *reps,
		    size_t nreps, const char *dir, pb_error *err);

/* mkdir -p; 0 or -1 with err (PB_EXIT_INPUT). */
int pb_mkdirs(const char *dir, pb_error *err);

#endif
