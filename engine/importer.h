/*
 * importer.h - the importer contract, and importing files and folders.
 *
 * An importer reads one file into the ledger.  Each row it reads is
 * either added (pb_ledger_add) or rejected (pb_ledger_reject) with the
 * line and a reason, so that rows read = imported + rejected.  A problem
 * with the file as a whole (unreadable, empty, no recognisable header)
 * returns -1 with err naming the file (code PB_EXIT_INPUT).  Importers
 * are named in one table, importers/importers.h; engine/import.c picks
 * one for each file by its extension.
 */
#ifndef PB_IMPORTER_H
#define PB_IMPORTER_H

#include "config.h"
#include "ledger.h"

/*
 * A part of a large file, read on a worker thread while the other parts
 * are (engine/import.c cuts a file of at least twice [config] part_bytes
 * into parts beginning just after a '\n').  Bytes [start, end) are the
 * part's rows; a part after the first reads the file's header first and
 * numbers its lines from `first_line` on, the line at `start`.
 */
typedef struct {
	long long start, end;
	size_t index, count;
} pb_import_part;

typedef struct {
	const char *name;               /* "csv" */
	const char *const *extensions;  /* NULL-terminated, lowercase, no dot */
	const char *help;
	/* table: forced by --table, or NULL to guess */
	int (*import)(pb_ledger *l, const char *path, const char *table,
		      const pb_config *cfg, pb_error *err);
	/*
	 * Optional: reads one part of a file into a stage, as `import`
	 * would read those rows of the whole file.  Returns 0 only when the
	 * part was read exactly so: its rows begin and end at record
	 * boundaries (a part ending inside a quoted field that runs on into
	 * the next does not), and nothing before its first row was counted.
	 * Anything else (a profile, an encoding to convert, a header that
	 * is not the first record, an error) returns non-zero, and the file
	 * is read whole in its turn instead, its parts thrown away.
	 */
	int (*import_part)(pb_ledger *stage, const char *path, const char *table,
			   const pb_config *cfg, const pb_import_part *part, pb_error *err);
	unsigned flags;                 /* PB_IMPORT_... */
	/* Optional: bytes of input per distinct text (an id, a name), a low
	 * guess, from which the string table is sized before reading (0: no
	 * guess).  Too low a guess costs buckets that stay empty. */
	unsigned bytes_per_text;
} pb_importer;

/* It reads its files gzip-compressed too ("x.jsonl.gz"). */
#define PB_IMPORT_GZIP 1u
/* It reads a file named explicitly that no importer claims. */
#define PB_IMPORT_FALLBACK 2u
/*
 * It may read a file into a stage (pb_ledger_new_stage) on a worker
 * thread while other files are read; it then adds one input to the stage
 * (pb_ledger_add_input), and writes nothing but the stage.  A file that
 * needs other files' records (pb_ledger_find) cannot be read that way:
 * import then returns PB_IMPORT_UNSTAGED, and the file is read again into
 * the ledger itself in its turn (the stage is thrown away).
 */
#define PB_IMPORT_STAGED 4u
#define PB_IMPORT_UNSTAGED 1
/* import_part: read the file whole instead. */
#define PB_IMPORT_WHOLE 2

/* The importer whose extensions match path, or NULL. */
const pb_importer *pb_importer_for(const char *path);

/*
 * Imports a file, or every ledger file of a folder and its subfolders
 * (each level in name order; names starting with '.' left out).  A folder
 * with no ledger file anywhere below it, a symbolic link back to a folder
 * already read (a loop) and folders nested deeper than 32 levels are
 * errors; with [audit] keep_going they are listed as failed instead.
 */
int pb_import_path(pb_ledger *l, const char *path, const char *table,
		   const pb_config *cfg, pb_error *err);

/*
 * Imports each path in turn, as pb_import_path would, with the table
 * named for it (NULL: the importer decides).  Files are read ahead on
 * cfg->jobs threads across all the paths, and reach the ledger in the
 * order named; a stream (not a regular file) is read in its turn.
 */
typedef struct {
	const char *path;
	const char *table;
} pb_import_arg;

int pb_import_paths(pb_ledger *l, const pb_import_arg *args, size_t n, const pb_config *cfg,
		    pb_error *err);

#endif
