/*
 * cmd_history.h - the commands over the history store (engine/history.h):
 * `probity history [list|diff|show|log|verify]` and `probity triage`, and what
 * `probity audit --history` needs from them.  These print and return an
 * exit status (pb_exit, or PB_EXIT_HISTORY_BUSY); they never exit.
 */
#ifndef PB_CMD_HISTORY_H
#define PB_CMD_HISTORY_H

#include <stdio.h>

#include "audit.h"

int pb_cmd_history(int argc, char **argv);
int pb_cmd_triage(int argc, char **argv);

/*
 * The settings of an audit as recorded in the history: the config file's
 * text (when one is given), mapping profiles (a profile file's text),
 * table choices, --as-of and --fail-on; not the paths of inputs or
 * output.  The caller frees.
 */
char *pb_history_settings_text(const char *config_path, int argc, char **argv);

/*
 * The one-line summary for schedulers, on `out` (standard error):
 *   probity: summary exit=1 findings=12 critical=0 high=3 medium=6 low=3
 *   [run=4 new=2 unchanged=9 updated=1 absent=1 reopened=0 dismissed=2
 *    settings_changed=0]
 * Keys are fixed and in this order; the bracketed part only with a history.
 */
void pb_history_summary_line(FILE *out, const pb_audit *a, int rc);

#endif
