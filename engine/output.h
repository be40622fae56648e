/*
 * output.h - writing the report set so that it is complete or absent.
 *
 * Layout of an output directory DIR (docs/reports.md, "Files"):
 *   DIR/.lock            flock(2)ed while a run writes; runs queue on it
 *   DIR/.gen-XXXXXX/     one generation: every report file of one run
 *   DIR/.current         symlink to the live generation
 *   DIR/report.html ...  symlinks to .current/report.html and so on
 *
 * A run writes every file into a fresh generation, fsyncs it, then swaps
 * .current with one rename(2), so a failure or a crash at any point leaves
 * the previous set whole.  Formats not asked for this time are carried
 * over from the previous generation by hard link.  Temporaries of killed
 * runs are removed by the next run, under the lock.  Files are created
 * with the caller's umask.
 */
#ifndef PB_OUTPUT_H
#define PB_OUTPUT_H

#include "report.h"

/*
 * Reporters with a NULL filename write to standard output, after the
 * files are in place.  0, or -1 with err: PB_EXIT_INPUT for I/O,
 * PB_EXIT_INTERNAL for out of memory; the message names the file.
 */
int pb_output_write(const pb_audit *a, const pb_reporter *const *reps,
		    size_t nreps, const char *dir, pb_error *err);

/* mkdir -p; 0 or -1 with err (PB_EXIT_INPUT). */
int pb_mkdirs(const char *dir, pb_error *err);

/*
 * For signal handlers (async-signal-safe): removes the generation being
 * written, if any, so an interrupted run leaves nothing behind.
 */
void pb_output_abandon(void);

/*
 * Writes s for a terminal: every byte of ledger text or file names that
 * reaches standard output or standard error passes through here.  C0
 * controls and DEL become \n, \t, \r or \xNN; C1 controls (U+0080..
 * U+009F), bidirectional overrides and isolates (U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069) and line/paragraph separators (U+2028,
 * U+2029) become \uNNNN; a byte that is not UTF-8 becomes \xNN.  Other
 * text, backslashes included, passes unchanged.
 */
void pb_output_escape(FILE *out, const char *s);

/* The name of the report being written now ("findings.json"), or NULL;
 * async-signal-safe, for a message from a fatal-signal handler. */
const char *pb_output_current(void);

#endif
