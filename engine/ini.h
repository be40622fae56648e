/*
 * ini.h - INI files parsed by libinih, a line at a time.
 *
 * libinih parses: "[section]", "key = value" or "key: value", ';' and
 * '#' comment lines, an inline comment after a blank and ';', indented
 * continuation lines, a UTF-8 BOM.  Debian builds it to read at most 199
 * bytes of a line (the rest becomes a line of its own) and to keep 49
 * bytes of a section's name or of the key a continuation line belongs
 * to, so pb_ini_read hands it the file a line at a time and refuses, by
 * line, what it would cut; a comment line of any length is handed over as
 * ";".  It also numbers the lines, which Debian's libinih does not tell
 * its handler (docs/config.md, "How the file is read").
 */
#ifndef PB_INI_H
#define PB_INI_H

#include <stdint.h>

#include "pb.h"

#define PB_INI_MAX_BYTES ((size_t)16 << 20) /* a bigger file is refused */
#define PB_INI_LINE_MAX 199 /* bytes of a line, not a comment: INI_MAX_LINE - 1 */

/* What a reader of one kind of INI file does with its lines.  A hook
 * returns 1 to read on, or 0 to stop with err (pb_ini_read's) holding the
 * reason; pb_ini_read then puts "FILE:LINE: " before it. */
typedef struct {
	/* "key = value" on line `line`; or, continued, an indented line that
	 * adds `value` (its inline comment cut) to the key before it. */
	int (*setting)(void *user, const char *section, const char *key, const char *value,
		       int continued, uint64_t line);
	/* "[name]" on line `line`; NULL: not wanted. */
	int (*section)(void *user, const char *name, uint64_t line);
	/* Does `key` take a list, so that indented lines continue it?  NULL:
	 * every key does (libinih's own rule).  Otherwise, after a key that
	 * does not, an indented "key = value" line is a key of its own and any
	 * other indented line is an error naming the key. */
	int (*takes_list)(void *user, const char *section, const char *key);
} pb_ini_hooks;

/* Reads the INI file at path (`what` names it in errors: "config",
 * "profile", "settings"), handing its lines to hooks; 0, or -1 with err
 * set (PB_EXIT_USAGE, naming the file and, where there is one, the line). */
int pb_ini_read(const char *path, const char *what, const pb_ini_hooks *hooks, void *user,
		pb_error *err);

#endif
