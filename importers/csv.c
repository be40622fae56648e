/*
 * csv.c - the canonical CSV importer (libcsv, streaming).
 *
 * Risks handled here, because ledgers exported by ministries are often
 * broken in exactly these ways:
 * - Line numbers.  libcsv does not know them, so the file is fed to it one
 *   physical line (or 64 KiB piece of a line) at a time; a record's line is
 *   the line where it starts, even when a quoted field spans lines.  A
 *   line of only blanks starts no record (libcsv skips it), and a file
 *   whose header ends in a lone CR (classic Mac) counts CRs as lines.
 * - Resynchronisation.  A quoting error rejects its record and parsing
 *   resumes at the next line.  An unterminated quote reaching the end of
 *   the file, or a record longer than the limit, rejects the record and
 *   parsing resumes at the line after the one where it started; each
 *   resync moves forward, and the size limit bounds the re-reading.
 * - Limits.  A field longer than max_field_bytes (or a record four times
 *   that) is rejected without ever being held whole in memory.  Only the
 *   first MAX_EXTRAS unknown columns are kept as a row's extras.
 * - Encodings.  A profile's single-byte encoding is converted line by
 *   line with iconv; UTF-16/32 (by BOM or profile) is converted whole
 *   first, since its line ends are not the byte '\n'.  A header that is
 *   not UTF-8, or a workbook saved as .csv, fails with advice.
 * - Streams.  A pipe cannot seek back for a resync: it is copied to a
 *   temporary file first.
 * - Every data row ends as exactly one pb_ledger_add or pb_ledger_reject.
 * - The ECB's reference-rate CSV is read as published: one line holds a
 *   day's rates for many currencies and becomes many fx records, but it
 *   is still one row read, imported or rejected whole.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <csv.h>
#include <pcre2.h>
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <utf8proc.h>

#include "../engine/fx.h"
#include "../engine/normalize.h"
#include "../engine/importer.h"

#define PIECE_BYTES 65536
#define MAX_EXTRAS 256 /* unknown columns kept per row, the first ones */
#define PB_STR_(x) #x
#define PB_STR(x) PB_STR_(x)

/* --- buffered reading in pieces that never cross a line end --- */

struct reader {
	FILE *f;
	char buf[PIECE_BYTES + 1]; /* +1: room to look past a CR */
	size_t len, pos;
	off_t buf_offset; /* file offset of buf[0] */
	off_t limit;      /* a part of the file: nothing read from here on */
	int eof;
	int cr_lines;     /* a lone CR ends a line (classic Mac files) */
};

static void reader_seek(struct reader *r, off_t offset)
{
	fseeko(r->f, offset, SEEK_SET);
	r->len = r->pos = 0;
	r->buf_offset = offset;
	r->eof = 0;
}

/* Moves the unread bytes to the front and reads behind them. */
static void reader_fill(struct reader *r)
{
	size_t k;

	if (r->eof || r->len - r->pos == sizeof(r->buf))
		return;
	memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->buf_offset += (off_t)r->pos;
	r->len -= r->pos;
	r->pos = 0;
	size_t want = sizeof(r->buf) - r->len;
	off_t at = r->buf_offset + (off_t)r->len;
	if (r->limit && (off_t)want > r->limit - at)
		want = at < r->limit ? (size_t)(r->limit - at) : 0;
	k = want ? fread(r->buf + r->len, 1, want, r->f) : 0;
	r->len += k;
	if (k == 0 || feof(r->f) || ferror(r->f) || (r->limit && at + (off_t)k >= r->limit))
		r->eof = 1;
}

/* Length of the line at s (terminator included) within avail bytes, or 0
 * if no terminator is there yet.  *more: a CR is last and the byte after
 * it, which may be its LF, is not buffered. */
static size_t line_length(const struct reader *r, const char *s, size_t avail,
			  size_t lim, int *more)
{
	*more = 0;
	if (!r->cr_lines) {
		const char *nl = memchr(s, '\n', lim);
		return nl ? (size_t)(nl - s) + 1 : 0;
	}
	for (size_t i = 0; i < lim; i++) {
		if (s[i] == '\n')
			return i + 1;
		if (s[i] == '\r') {
			if (i + 1 == avail && !r->eof)
				*more = 1;
			return i + 1 + (i + 1 < avail && s[i + 1] == '\n');
		}
	}
	return 0;
}

/* Next piece: one line with its terminator, or at most PIECE_BYTES of a
 * longer line.  Returns 0 at end of file. */
static int reader_next(struct reader *r, const char **p, size_t *n,
		       int *ends_line, off_t *offset)
{
	for (int tries = 0;; tries++) {
		if (r->pos == r->len)
			reader_fill(r);
		size_t avail = r->len - r->pos;
		if (avail == 0)
			return 0;
		const char *start = r->buf + r->pos;
		size_t lim = avail < PIECE_BYTES ? avail : PIECE_BYTES;
		int more;
		size_t take = line_length(r, start, avail, lim, &more);
		/* A line cut by the end of the buffer: read on once, so that
		 * short lines are never split into pieces. */
		if (tries == 0 && !r->eof && (more || (!take && avail < PIECE_BYTES))) {
			reader_fill(r);
			continue;
		}
		*ends_line = take != 0;
		*n = take ? take : lim;
		*p = start;
		*offset = r->buf_offset + (off_t)r->pos;
		r->pos += *n;
		return 1;
	}
}

/* --- importer state --- */

enum colmap { COL_IGNORE = -1, COL_EXTRA = -2 };
enum { PARTY_CONST = -3 }; /* party_name_col: a quoted name in the profile */

/* How a profile fills one canonical column. */
enum fill_kind { FILL_NONE, FILL_CELL, FILL_CONST, FILL_TEMPLATE, FILL_SPLIT };
struct fill {
	enum fill_kind kind;
	int col;                   /* CELL: header index */
	const char *text;          /* CONST, TEMPLATE */
	size_t split, group;       /* SPLIT */
	const pb_field_opts *opts; /* map. and date. of the column, or NULL */
	const pb_party_spec *party;
};

/* Texts a state remembers having interned, by the low bits of their
 * hash: buyers, payees, approvers and budget lines come back row after
 * row in other columns' company, and each look-up of the string table
 * takes a shard's lock. */
#define SEEN_TEXTS 4096

struct csv_state {
	pb_ledger *l;
	int *limit_hits;         /* profile patterns that hit PCRE2's limits on
				  * this row (a counter, also read through const) */
	const pb_config *cfg;
	const pb_profile *profile;
	const char *path;        /* interned */
	const char *forced;      /* --table, or NULL */
	const pb_table_def *def;
	size_t input;
	int have_input;
	pb_error *err;
	int failed;              /* a file-level error was set */

	struct csv_parser parser;
	iconv_t conv;
	int utf8;                /* the file was converted whole already */

	/* the record being assembled */
	pb_buf row;              /* field bytes, each NUL-terminated */
	size_t *off, *flen;
	size_t nfields, capfields;
	int field_too_long;
	size_t long_field;       /* index of the first field too long */
	uint64_t record_line;
	off_t record_offset;
	size_t record_bytes;
	int in_record, row_ended;
	uint64_t nrows;          /* records seen, header included */

	/* header */
	char **names;
	int *map;                /* per header column: column index or COL_* */
	const char **extra_name; /* per column: a profile's extra.NAME, or NULL */
	unsigned char *typed;    /* per column: an extra a rule reads as more
				  * than text (pb_extra_typed); NULL: none */
	size_t ncols;
	unsigned char *rec;      /* scratch record */

	/* the profile's mapping (map_profile): how each canonical column of
	 * def is filled, and the header columns its rules look at */
	struct fill *fills;      /* def->ncolumns */
	int header_found;
	unsigned header_tries;   /* records looked at for the header */
	char **best_names;       /* the record most like the header, for errors */
	size_t nbest;
	int best_score;
	uint64_t best_line;
	char **folded;           /* header names folded, for header_index */
	size_t nfolded;
	char **folded_for;       /* the names they were folded from */
	int *split_col, *filter_col, *party_name_col, *party_reg_col;
	pb_buf vals;             /* this row's values, each NUL-terminated */
	size_t *voff, *vlen;     /* per canonical column; voff SIZE_MAX = none */
	const char **vcell;      /* per canonical column: the cell itself, when
				  * the value is one (not copied to vals) */
	pb_buf scratch;

	/* the ECB's reference-rate file: one fx record per currency cell */
	int ecb;
	const char **ecb_codes;  /* per header column: known ISO code or NULL */
	pb_fx_rate *ecb_recs;    /* scratch records of one row */
	int *ecb_new;            /* per scratch record: not loaded before */
	int unstaged;            /* read into a stage, but it needs the ledger */
	struct last_text {       /* per column of the table: the last text */
		const char *s;   /* interned */
		size_t n;
		uint32_t hash;   /* the cell's hash, its slot prefetched, */
		uint64_t hash_line; /* for the record at this line (0: none) */
	} *last;
	struct seen_text {       /* texts interned lately, by hash */
		const char *s;
		uint32_t hash, n;
	} *seen;
	int currency_col;        /* of the amounts, in the table, or -1 */
	uint32_t *texts;         /* this row's text cells, interned last */
	size_t ntexts;
	/* Guessing how many rows the file holds (guess_rows) */
	off_t data_end;          /* where the rows this state reads end; 0: unknown */
	off_t first_offset;      /* where the first row added began */
	size_t added;            /* rows added so far, up to GUESS_AFTER */
	char last_code[3];       /* the last currency cell, as written */
	const char *last_currency; /* and its code, interned */
};

static void fail(struct csv_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct csv_state *st, const char *fmt, ...)
{
	va_list ap;
	pb_buf b;

	if (st->failed)
		return;
	st->failed = 1;
	pb_buf_init(&b);
	va_start(ap, fmt);
	pb_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	pb_error_set(st->err, PB_EXIT_INPUT, "%s: %s", st->path, b.data);
	pb_buf_release(&b);
}

static void reject(struct csv_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reject(struct csv_state *st, const char *fmt, ...)
{
	va_list ap;
	pb_buf b;

	pb_buf_init(&b);
	va_start(ap, fmt);
	pb_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	/* Before the header is understood there is no table to count rows
	 * against: a broken header is a broken file. */
	if (st->have_input)
		pb_ledger_reject(st->l, st->input, st->record_line, "%s", b.data);
	else
		fail(st, "header (line %llu): %s", (unsigned long long)st->record_line, b.data);
	pb_buf_release(&b);
}

static void reject_value(struct csv_state *st, const char *column,
			 const char *s, size_t n, const char *why)
{
	pb_buf b;

	pb_buf_init(&b);
	pb_buf_addf(&b, "%s ", column);
	pb_buf_add_quoted(&b, s, n);
	pb_buf_addf(&b, " %s", why);
	reject(st, "%s", b.data);
	pb_buf_release(&b);
}

/* The row comes from this line of the file; a line a row cannot hold
 * rejects it rather than let it name another. */
static int row_source(struct csv_state *st, pb_row *row)
{
	if (pb_row_set(st->l, row, st->path, st->record_line, NULL) == 0)
		return 0;
	reject(st, "line %" PRIu64 " is beyond the last line a record can name (%" PRIu32 ")",
	       st->record_line, (uint32_t)PB_ROW_LINE_MAX);
	return -1;
}

/* --- libcsv callbacks: collect fields, act at the end of a record --- */

static void on_field(void *field, size_t len, void *data)
{
	struct csv_state *st = data;

	if (st->nfields + 1 > st->capfields) {
		size_t cap = st->capfields;
		PB_GROW(st->off, st->nfields + 1, cap);
		st->flen = pb_xreallocarray(st->flen, cap, sizeof(*st->flen));
		st->capfields = cap;
	}
	if (len > st->cfg->max_field_bytes) {
		if (!st->field_too_long)
			st->long_field = st->nfields;
		st->field_too_long = 1;
		len = 0;
	}
	st->off[st->nfields] = st->row.len;
	st->flen[st->nfields] = len;
	/* libcsv ends every field with a NUL (CSV_APPEND_NULL): one copy
	 * takes that byte along, where a second call added one (1.5% of an
	 * import); it is written again, for libcsv before 3.0.3 put its NUL
	 * a byte too far. */
	pb_buf_add(&st->row, field && len ? field : "", len + 1);
	st->row.data[st->row.len - 1] = '\0';
	st->nfields++;
}

static const char *field(const struct csv_state *st, size_t i, size_t *n)
{
	*n = st->flen[i];
	return st->row.data + st->off[i];
}

static void row_reset(struct csv_state *st)
{
	pb_buf_reset(&st->row);
	st->nfields = 0;
	st->field_too_long = 0;
}

static void process_header(struct csv_state *st);
static void header_accept(struct csv_state *st);
static const char *intern_cell(struct csv_state *st, const pb_column *c, const char *s,
			       size_t n);
static int first_currency_column(const pb_table_def *def);
static void process_row(struct csv_state *st);
static int valid_utf8(const char *s, size_t n);

static void on_row(int c, void *data)
{
	struct csv_state *st = data;

	(void)c;
	st->row_ended = 1;
	if (!st->failed) {
		st->nrows++;
		if (!st->header_found)
			process_header(st);
		else
			process_row(st);
	}
	row_reset(st);
}

/* --- the header --- */

static int stem_matches(const char *path, const char *table)
{
	const char *base = strrchr(path, '/');
	size_t n = strlen(table);

	base = base ? base + 1 : path;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)base[i]) != table[i])
			return 0;
	return !isalpha((unsigned char)base[n]);
}

/* Canonical name of a header cell after the profile's renames. */
static int header_index(const struct csv_state *st, const char *name);
static void names_free(char **names, size_t n);

static const char *canonical_name(const struct csv_state *st, const char *h)
{
	for (size_t i = 0; st->profile && i < st->profile->nrenames; i++) {
		const pb_rename *r = &st->profile->renames[i];
		/* only the first alternative the header holds */
		for (size_t k = 0; r->kind == PB_SRC_COLUMN && k < r->nalts; k++) {
			int at = header_index(st, r->alts[k]);
			if (at >= 0) {
				if (st->names[at] == h)
					return r->canonical;
				break;
			}
		}
	}
	return h;
}

static int header_has(const struct csv_state *st, const char *name)
{
	for (size_t i = 0; i < st->ncols; i++)
		if (pb_strcaseeq(canonical_name(st, st->names[i]), name))
			return 1;
	return 0;
}

/* The table whose key columns are all present and which shares the most
 * columns with the header; NULL (and an error) if none or a tie. */
static const pb_table_def *table_from_header(struct csv_state *st)
{
	const pb_table_def *best = NULL;
	size_t best_hits = 0;
	int tie = 0;

	for (int t = 0; t < PB_T_COUNT; t++) {
		const pb_table_def *def = pb_table_get(t);
		size_t hits = 0;
		int keys = 1;
		for (size_t c = 0; c < def->ncolumns; c++) {
			int has = header_has(st, def->columns[c].name);
			hits += (size_t)has;
			if ((def->columns[c].flags & PB_COL_KEY) &&
			    !(def->columns[c].flags & PB_COL_DEFAULT) && !has)
				keys = 0;
		}
		if (!keys || hits == 0)
			continue;
		if (hits > best_hits) {
			best = def;
			best_hits = hits;
			tie = 0;
		} else if (hits == best_hits) {
			tie = 1;
		}
	}
	return tie ? NULL : best;
}

static void fail_unknown_table(struct csv_state *st)
{
	pb_buf b;

	pb_buf_init(&b);
	for (int t = 0; t < PB_T_COUNT; t++)
		pb_buf_addf(&b, "%s%s", t ? ", " : "", pb_table_get(t)->name);
	fail(st, "cannot tell which table this is (name the file after one, "
		 "or use --table NAME=FILE; candidates: %s); an export in columns of its own "
		 "is read through a mapping profile: -p NAME for a shipped one (config/profiles), "
		 "'probity init --profile FILE' drafts one", b.data);
	pb_buf_release(&b);
}

static const pb_table_def *choose_table(struct csv_state *st)
{
	const char *name = st->forced ? st->forced
			   : st->profile && st->profile->table ? st->profile->table : NULL;

	if (name) {
		const pb_table_def *def = pb_table_find(name);
		if (!def)
			fail(st, "table '%s' is not a canonical table", name);
		return def;
	}
	for (int t = 0; t < PB_T_COUNT; t++)
		if (stem_matches(st->path, pb_table_get(t)->name))
			return pb_table_get(t);
	return table_from_header(st);
}

/* Does the profile fill canonical column `name` by a rule of its own? */
static int profile_fills(const struct csv_state *st, const char *name)
{
	const pb_profile *p = st->profile;

	for (size_t i = 0; p && i < p->nrenames; i++)
		if (pb_strcaseeq(p->renames[i].canonical, name))
			return 1;
	for (size_t i = 0; p && i < p->nsplits; i++)
		for (size_t g = 0; g < p->splits[i].ngroups; g++)
			if (p->splits[i].groups[g] && pb_strcaseeq(p->splits[i].groups[g], name))
				return 1;
	return 0;
}

static void map_columns(struct csv_state *st)
{
	size_t extras = 0;

	st->map = pb_xcalloc(st->ncols + 1, sizeof(*st->map));
	for (size_t i = 0; i < st->ncols; i++) {
		const char *name = canonical_name(st, st->names[i]);
		st->map[i] = COL_IGNORE;
		/* A column named like a canonical one that the profile fills
		 * otherwise is only evidence. */
		int own = name != st->names[i] || !profile_fills(st, name);
		for (size_t c = 0; own && c < st->def->ncolumns; c++)
			if (pb_strcaseeq(st->def->columns[c].name, name))
				st->map[i] = (int)c;
		/* Evidence keeps unknown columns, but a header of 100 000 of
		 * them must not cost 100 000 attributes for every row. */
		if (st->map[i] == COL_IGNORE && *st->names[i] && extras < MAX_EXTRAS) {
			st->map[i] = COL_EXTRA;
			extras++;
		}
	}
	/* Two header cells renamed to one canonical column. */
	int *seen = pb_xcalloc(st->def->ncolumns, sizeof(*seen));
	for (size_t i = 0; i < st->ncols; i++)
		if (st->map[i] >= 0 && seen[st->map[i]]++)
			fail(st, "header names column '%s' twice",
			     st->def->columns[st->map[i]].name);
	free(seen);
}

/* --- the profile's rules over this header --- */

/* Levenshtein distance over ASCII-lower-cased bytes, capped rows. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	size_t *row = pb_xcalloc(nb + 1, sizeof(*row));

	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
			size_t best = diag + !same;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[nb];
	free(row);
	return d;
}

/* The three header names nearest to `want`, quoted, for an error. */
static void nearest_names(char **names, size_t n, const char *want, pb_buf *out)
{
	size_t best[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX}, idx[3] = {0, 0, 0};

	for (size_t i = 0; i < n; i++) {
		if (!*names[i])
			continue;
		size_t d = edit_distance(want, names[i]);
		for (int k = 0; k < 3; k++)
			if (d < best[k]) {
				for (int m = 2; m > k; m--)
					best[m] = best[m - 1], idx[m] = idx[m - 1];
				best[k] = d;
				idx[k] = i;
				break;
			}
	}
	for (int k = 0; k < 3 && best[k] != SIZE_MAX; k++) {
		pb_buf_addstr(out, k ? ", " : "");
		pb_buf_add_quoted(out, names[idx[k]], strlen(names[idx[k]]));
	}
	if (!out->len)
		pb_buf_addstr(out, "(no named column)");
}

/* The header's names folded (case, accents, punctuation, blanks), made
 * once per candidate header. */
static char **folded_names(struct csv_state *st)
{
	if (st->folded_for == st->names && st->folded)
		return st->folded;
	names_free(st->folded, st->nfolded);
	st->folded = pb_xcalloc(st->ncols + 1, sizeof(*st->folded));
	st->nfolded = st->ncols;
	for (size_t i = 0; i < st->ncols; i++)
		st->folded[i] = pb_fold_text(st->names[i]);
	st->folded_for = st->names;
	return st->folded;
}

/* A profile's column name in the header: as written (any case), else
 * folded, so that "Supplier_Name", "Amount (£)" and "Supplier name "
 * find "Supplier Name", "Amount £".  Two folded matches are ambiguous:
 * none. */
static int header_index(const struct csv_state *st_, const char *name)
{
	struct csv_state *st = (struct csv_state *)st_; /* the folded cache */

	for (size_t i = 0; i < st->ncols; i++)
		if (pb_strcaseeq(st->names[i], name))
			return (int)i;
	if (!st->profile)
		return -1;
	char *want = pb_fold_text(name), **folded = folded_names(st);
	int hit = -1, n = 0;
	for (size_t i = 0; want && *want && i < st->ncols; i++)
		if (folded[i] && !strcmp(folded[i], want))
			hit = (int)i, n++;
	free(want);
	return n == 1 ? hit : -1;
}

/* First present alternative, else -1 and (unless optional) a loud
 * error naming the column, the profile rule and the nearest names. */
static int find_alt(struct csv_state *st, char **alts, size_t n, int optional,
		    const char *rule)
{
	for (size_t k = 0; k < n; k++) {
		int i = header_index(st, alts[k]);
		if (i >= 0)
			return i;
	}
	if (optional)
		return -1;
	pb_buf near, want;
	pb_buf_init(&near);
	pb_buf_init(&want);
	for (size_t k = 0; k < n; k++)
		pb_buf_addf(&want, "%s'%s'", k ? " or " : "", alts[k]);
	nearest_names(st->names, st->ncols, n ? alts[0] : "", &near);
	fail(st, "header (line %llu) lacks column %s that [profile %s] %s names; "
		 "nearest header names: %s",
	     (unsigned long long)st->record_line, want.data, st->profile->name, rule, near.data);
	pb_buf_release(&near);
	pb_buf_release(&want);
	return -1;
}

static struct fill *fill_of(struct csv_state *st, const char *field, const char *rule)
{
	int c = pb_table_column(st->def, field);

	if (c < 0) {
		fail(st, "[profile %s] %s%s: '%s' is not a column of table %s", st->profile->name,
		     rule, field, field, st->def->name);
		return NULL;
	}
	return &st->fills[c];
}

static void template_check(struct csv_state *st, const pb_rename *r)
{
	for (const char *q = strchr(r->source, '{'); q && !st->failed; q = strchr(q + 1, '{')) {
		const char *close = strchr(q, '}');
		char *name = pb_xstrndup(q + 1, (size_t)(close - q - 1));
		if (strcmp(name, "@file") && strcmp(name, "@line") && header_index(st, name) < 0) {
			char *alts[1] = {name};
			pb_buf rule;
			pb_buf_init(&rule);
			pb_buf_addf(&rule, "key.%s", r->canonical);
			find_alt(st, alts, 1, 0, rule.data);
			pb_buf_release(&rule);
		}
		free(name);
	}
}

static void map_renames(struct csv_state *st)
{
	const pb_profile *p = st->profile;

	for (size_t i = 0; i < p->nrenames && !st->failed; i++) {
		const pb_rename *r = &p->renames[i];
		pb_buf rule;
		pb_buf_init(&rule);
		pb_buf_addf(&rule, "%s.%s", r->kind == PB_SRC_COPY ? "copy" : r->kind == PB_SRC_CONST ? "const"
					   : r->kind == PB_SRC_TEMPLATE ? "key" : "col", r->canonical);
		struct fill *f = fill_of(st, r->canonical, "");
		if (f && (r->kind == PB_SRC_COLUMN || r->kind == PB_SRC_COPY)) {
			int col = find_alt(st, r->alts, r->nalts, r->optional, rule.data);
			if (col >= 0)
				f->kind = FILL_CELL, f->col = col;
		} else if (f) {
			f->kind = r->kind == PB_SRC_CONST ? FILL_CONST : FILL_TEMPLATE;
			f->text = r->source;
			if (r->kind == PB_SRC_TEMPLATE)
				template_check(st, r);
		}
		pb_buf_release(&rule);
	}
}

static void map_rules(struct csv_state *st)
{
	const pb_profile *p = st->profile;
	size_t n = p->nsplits + p->nfilters + p->nparties + 1;

	st->split_col = pb_xcalloc(n, sizeof(int));
	st->filter_col = pb_xcalloc(n, sizeof(int));
	st->party_name_col = pb_xcalloc(n, sizeof(int));
	st->party_reg_col = pb_xcalloc(n, sizeof(int));
	for (size_t i = 0; i < p->nsplits && !st->failed; i++) {
		char *alts[1] = {p->splits[i].header};
		st->split_col[i] = find_alt(st, alts, 1, 0, "split.");
		for (size_t g = 0; g < p->splits[i].ngroups && !st->failed; g++) {
			struct fill *f = p->splits[i].groups[g] ? fill_of(st, p->splits[i].groups[g], "split group ") : NULL;
			if (f)
				f->kind = FILL_SPLIT, f->split = i, f->group = g;
		}
	}
	for (size_t i = 0; i < p->nfilters && !st->failed; i++) {
		char *alts[1] = {p->filters[i].header};
		st->filter_col[i] = p->filters[i].header ? find_alt(st, alts, 1, 0, "filter.") : -1;
	}
	for (size_t i = 0; i < p->nparties && !st->failed; i++) {
		const pb_party_spec *ps = &p->parties[i];
		/* party.F = "Ministry of Finance": one party, named in the profile */
		size_t len = ps->nnames == 1 ? strlen(ps->names[0]) : 0;
		st->party_name_col[i] = len >= 2 && ps->names[0][0] == '"' && ps->names[0][len - 1] == '"'
			? PARTY_CONST : find_alt(st, ps->names, ps->nnames, ps->names_optional, "party.");
		st->party_reg_col[i] = ps->nregistry ? find_alt(st, ps->registry, ps->nregistry,
								ps->registry_optional, "party_registry.") : -1;
		struct fill *f = fill_of(st, ps->field, "party.");
		if (f)
			f->party = ps;
	}
}

/* The profile's extra.NAME columns: kept as the extra NAME, whatever
 * the limit on unknown columns.  A column that fills a field is not. */
static void map_extras(struct csv_state *st)
{
	const pb_profile *p = st->profile;

	for (size_t i = 0; i < p->nextras && !st->failed; i++) {
		const pb_rename *r = &p->extras[i];
		pb_buf rule;
		pb_buf_init(&rule);
		pb_buf_addf(&rule, "extra.%s", r->canonical);
		int col = find_alt(st, r->alts, r->nalts, r->optional, rule.data);
		pb_buf_release(&rule);
		if (col < 0)
			continue;
		if (st->map[col] >= 0) {
			fail(st, "[profile %s] extra.%s names column '%s', which fills %s: a column is "
			     "kept once", p->name, r->canonical, st->names[col],
			     st->def->columns[st->map[col]].name);
			return;
		}
		if (!st->extra_name)
			st->extra_name = pb_xcalloc(st->ncols + 1, sizeof(*st->extra_name));
		st->map[col] = COL_EXTRA;
		st->extra_name[col] = r->canonical;
	}
}

/* The name header column i is kept under as an extra. */
static const char *extra_named(const struct csv_state *st, size_t i)
{
	return st->extra_name && st->extra_name[i] ? st->extra_name[i] : st->names[i];
}

/* Every canonical column's source: the header (map), then the profile. */
static void map_profile(struct csv_state *st)
{
	st->fills = pb_xcalloc(st->def->ncolumns + 1, sizeof(*st->fills));
	for (size_t i = 0; i < st->ncols; i++)
		if (st->map[i] >= 0)
			st->fills[st->map[i]].kind = FILL_CELL, st->fills[st->map[i]].col = (int)i;
	if (st->profile) {
		map_renames(st);
		if (!st->failed)
			map_extras(st);
		if (!st->failed)
			map_rules(st);
		for (size_t c = 0; c < st->def->ncolumns; c++)
			st->fills[c].opts = pb_profile_opts(st->profile, st->def->columns[c].name);
	}
	for (size_t c = 0; c < st->def->ncolumns && !st->failed; c++)
		if (st->fills[c].kind == FILL_NONE && !st->fills[c].party &&
		    (st->def->columns[c].flags & PB_COL_KEY) &&
		    !(st->def->columns[c].flags & PB_COL_DEFAULT))
			fail(st, "header lacks key column '%s' of table %s%s",
			     st->def->columns[c].name, st->def->name,
			     st->profile ? " (map it in the profile: col., key., const. or split.)" : "");
}

static int name_cmp(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, so that a header of 100 000 columns is checked in n log n. */
static void check_duplicate_names(struct csv_state *st)
{
	char **sorted = pb_xcalloc(st->ncols + 1, sizeof(*sorted));

	memcpy(sorted, st->names, st->ncols * sizeof(*sorted));
	qsort(sorted, st->ncols, sizeof(*sorted), name_cmp);
	for (size_t i = 1; i < st->ncols; i++)
		if (*sorted[i] && !strcasecmp(sorted[i], sorted[i - 1]))
			fail(st, "header names column '%s' twice", sorted[i]);
	free(sorted);
}

/* --- the ECB's reference-rate CSV, as published ---
 *
 * eurofxref-hist.csv:  Date,USD,JPY,BGN,CYP,...,ZAR,
 *                      2024-03-28,1.0811,163.45,1.9558,N/A,...,
 * eurofxref.csv:       Date, USD, JPY, ..., ZAR,
 *                      28 March 2024, 1.0811, 163.45, ...,
 * Rates are units of the currency for one euro; N/A where there is none
 * (a currency not yet or no longer quoted).  One line of the file is one
 * row read, imported as one fx record per rate. */

/* Is the n bytes at s a column of the ECB's header, three upper-case
 * letters?  *known is set when they are a currency probity knows. */
static int ecb_code(const char *s, size_t n, int *known)
{
	char code[4];

	if (n != 3 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]) ||
	    !isupper((unsigned char)s[2]))
		return 0;
	memcpy(code, s, 3);
	code[3] = '\0';
	*known |= pb_currency_exponent(code) >= 0;
	return 1;
}

/* "Date" followed by three-letter upper-case codes (and the empty cell a
 * trailing comma leaves), at least one of them a currency probity knows. */
static int ecb_header(const struct csv_state *st)
{
	const char *table = st->forced ? st->forced
			    : st->profile && st->profile->table ? st->profile->table : NULL;
	int known = 0;

	if ((table && strcmp(table, "fx")) || st->ncols < 2 || strcmp(st->names[0], "Date"))
		return 0;
	for (int t = 0; !table && t < PB_T_COUNT; t++) /* payments.csv stays payments */
		if (t != PB_T_FX && stem_matches(st->path, pb_table_get(t)->name))
			return 0;
	for (size_t i = 1; i < st->ncols; i++)
		if (*st->names[i] && !ecb_code(st->names[i], strlen(st->names[i]), &known))
			return 0;
	return known;
}

/* The same test on a file's first line as read, before any profile's
 * delimiter splits it: "Date" and three-letter codes between commas. */
static int ecb_first_line(const char *s, size_t n)
{
	const char *nl = memchr(s, '\n', n);
	size_t len = nl ? (size_t)(nl - s) : n;
	int known = 0;

	if (len < 4 || memcmp(s, "Date", 4))
		return 0;
	for (size_t i = 4; i < len;) {
		if (s[i++] != ',')
			return 0;
		size_t a = i, b;
		while (i < len && s[i] != ',')
			i++;
		for (b = i; b > a && (s[b - 1] == ' ' || s[b - 1] == '\r'); b--)
			;
		while (a < b && s[a] == ' ')
			a++;
		if (a == b && i == len)
			break; /* the trailing comma's empty cell */
		if (!ecb_code(s + a, b - a, &known))
			return 0;
	}
	return known;
}

static void ecb_start(struct csv_state *st)
{
	st->ecb = 1;
	st->def = pb_table_get(PB_T_FX);
	st->currency_col = first_currency_column(st->def);
	st->map = pb_xcalloc(st->ncols + 1, sizeof(*st->map));
	st->ecb_codes = pb_xcalloc(st->ncols + 1, sizeof(*st->ecb_codes));
	/* Currencies the euro replaced (CYP, EEK, ...) are not ISO 4217
	 * any more: no amount can be in them, so their rates are left out. */
	for (size_t i = 0; i < st->ncols; i++) {
		st->map[i] = COL_IGNORE;
		if (i > 0 && pb_currency_exponent(st->names[i]) >= 0)
			st->ecb_codes[i] = pb_ledger_intern(st->l, st->names[i], 3);
	}
	st->ecb_recs = pb_xcalloc(st->ncols + 1, sizeof(*st->ecb_recs));
	st->ecb_new = pb_xcalloc(st->ncols + 1, sizeof(*st->ecb_new));
	st->input = pb_ledger_add_input(st->l, st->path, "fx", "csv");
	st->have_input = 1;
}

/* "28 March 2024" (the daily file) or ISO 8601 (the history). */
static int ecb_date(const char *s, size_t n, pb_date *out)
{
	static const char *const months[] = {"January", "February", "March", "April",
		"May", "June", "July", "August", "September", "October", "November",
		"December"};
	const char *why;
	char name[16], extra;
	int d, y;

	if (pb_date_parse(s, n, NULL, out, &why) == 0)
		return 0;
	if (n >= 32)
		return -1;
	char text[32];
	memcpy(text, s, n);
	text[n] = '\0';
	if (sscanf(text, "%2d %15[A-Za-z] %4d%c", &d, name, &y, &extra) != 3 || y < 1000)
		return -1;
	for (int m = 0; m < 12; m++)
		if (!strcasecmp(name, months[m])) {
			int yy, mm, dd;
			*out = pb_date_from_ymd(y, m + 1, d);
			pb_date_to_ymd(*out, &yy, &mm, &dd);
			return yy == y && mm == m + 1 && dd == d ? 0 : -1; /* 30 February */
		}
	return -1;
}

/* Is every rate of the row loaded already, with the same value?  Then
 * the row repeats a file read before (the daily file after the history)
 * and adds nothing.  A different rate for a loaded key rejects the row. */
static int ecb_check_loaded(struct csv_state *st, size_t nrecs)
{
	for (size_t k = 0; k < nrecs; k++) {
		const char *key = pb_ledger_key(st->l, PB_T_FX, &st->ecb_recs[k]);
		const pb_fx_rate *old = pb_ledger_find(st->l, PB_T_FX, key);
		st->ecb_new[k] = old == NULL;
		if (old && old->rate != st->ecb_recs[k].rate) {
			char a[32], b[32];
			reject(st, "%s rate %s differs from %s loaded for '%s' (at %s:%" PRIu32 ")",
			       pb_str(st->ecb_recs[k].currency),
			       pb_fx_rate_format(st->ecb_recs[k].rate, a),
			       pb_fx_rate_format(old->rate, b), key, pb_row_file(&old->row),
			       old->row.line);
			return -1;
		}
	}
	return 0;
}

static void ecb_row(struct csv_state *st)
{
	const pb_numfmt fmt = st->profile ? st->profile->numfmt : pb_numfmt_default;
	const char *base = pb_ledger_intern(st->l, "EUR", 3), *why;
	size_t n, nrecs = 0;
	const char *s = field(st, 0, &n);
	pb_date date;

	pb_trim(&s, &n);
	if (ecb_date(s, n, &date) < 0) {
		reject_value(st, "Date", s, n, n ? "is not a date" : "is empty");
		return;
	}
	for (size_t i = 1; i < st->ncols; i++) {
		s = field(st, i, &n);
		pb_trim(&s, &n);
		if (!st->ecb_codes[i] || !n || (n == 3 && !strncasecmp(s, "N/A", 3)))
			continue;
		pb_fx_rate *r = &st->ecb_recs[nrecs];
		pb_record_blank(PB_T_FX, r);
		if (row_source(st, &r->row) < 0)
			return;
		r->rate_date = date;
		r->currency = pb_text_of(st->ecb_codes[i]);
		r->base = pb_text_of(base);
		if (pb_amount_parse(s, n, PB_FX_RATE_DIGITS, fmt, &r->rate, &why) < 0) {
			reject_value(st, st->names[i], s, n, why);
			return;
		}
		if (r->rate <= 0) {
			reject_value(st, st->names[i], s, n, "is not a positive rate");
			return;
		}
		nrecs++;
	}
	if (ecb_check_loaded(st, nrecs) < 0)
		return;
	for (size_t k = 0; k < nrecs; k++) {
		const void *old;
		if (st->ecb_new[k])
			pb_ledger_insert(st->l, PB_T_FX, &st->ecb_recs[k], &old);
	}
	pb_ledger_count_imported(st->l, st->input);
}

#define HEADER_TRIES 30 /* title lines a report export puts above its header */

/* How many of the profile's required columns this record holds, and how
 * many it requires. */
static int header_score(const struct csv_state *st, int *required)
{
	const pb_profile *p = st->profile;
	int score = 0;

	*required = 0;
	for (size_t i = 0; p && i < p->nrenames; i++) {
		const pb_rename *r = &p->renames[i];
		if (r->kind != PB_SRC_COLUMN || r->optional)
			continue;
		(*required)++;
		for (size_t k = 0; k < r->nalts; k++)
			if (header_index(st, r->alts[k]) >= 0) {
				score++;
				break;
			}
	}
	return score;
}

static void names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The header is the first record that holds every column the profile
 * maps; records above it (a report's title lines) are skipped.  After
 * HEADER_TRIES records the one most like a header is taken, so that the
 * error names what is missing from it. */
static int preamble(struct csv_state *st)
{
	int required, score = header_score(st, &required);

	if (score == required)
		return 0;
	if (!st->best_names || score > st->best_score) {
		names_free(st->best_names, st->nbest);
		st->best_names = st->names;
		st->nbest = st->ncols;
		st->best_score = score;
		st->best_line = st->record_line;
	} else {
		names_free(st->names, st->ncols);
	}
	st->names = NULL;
	st->ncols = 0;
	if (++st->header_tries < HEADER_TRIES)
		return 1;
	st->names = st->best_names;
	st->ncols = st->nbest;
	st->record_line = st->best_line;
	st->best_names = NULL;
	st->nbest = 0;
	return 0;
}

static void process_header(struct csv_state *st)
{
	if (st->field_too_long) {
		fail(st, "header column %zu is longer than %zu bytes", st->long_field + 1,
		     st->cfg->max_field_bytes);
		return;
	}
	st->ncols = st->nfields;
	st->names = pb_xcalloc(st->ncols + 1, sizeof(*st->names));
	for (size_t i = 0; i < st->ncols; i++) {
		size_t n;
		const char *s = field(st, i, &n);
		if (i == 0 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
			s += 3;
			n -= 3;
		}
		pb_trim(&s, &n);
		if (memchr(s, '\0', n) || !valid_utf8(s, n)) {
			pb_buf b;
			pb_buf_init(&b);
			pb_buf_add_quoted(&b, s, n);
			fail(st, "header column %zu %s %s", i + 1, b.data,
			     memchr(s, '\0', n)
				     ? "contains a NUL byte (a binary file, or UTF-16 "
				       "without a byte-order mark?)"
				     : "is not valid UTF-8 (is the file in another "
				       "encoding? name it in a profile: encoding = ...)");
			pb_buf_release(&b);
			return;
		}
		st->names[i] = pb_xstrndup(s, n);
	}
	if (!preamble(st))
		header_accept(st);
}

/* The header is found: its table, its mapping, the input's counters. */
static void header_accept(struct csv_state *st)
{
	st->header_found = 1;
	check_duplicate_names(st);
	if (st->failed)
		return;
	if (ecb_header(st)) {
		/* rates are checked against those loaded from other files */
		if (pb_ledger_is_stage(st->l)) {
			st->unstaged = st->failed = 1;
			return;
		}
		ecb_start(st);
		return;
	}
	st->def = choose_table(st);
	if (!st->def) {
		fail_unknown_table(st);
		return;
	}
	map_columns(st);
	if (!st->failed)
		map_profile(st);
	if (st->failed)
		return;
	for (size_t i = 0; i < st->ncols; i++)
		if (st->map[i] == COL_EXTRA && pb_extra_typed(st->def->id, extra_named(st, i))) {
			if (!st->typed)
				st->typed = pb_xcalloc(st->ncols + 1, 1);
			st->typed[i] = 1;
		}
	st->rec = pb_xcalloc(1, st->def->record_size);
	st->currency_col = first_currency_column(st->def);
	st->last = pb_xcalloc(st->def->ncolumns, sizeof(*st->last));
	st->seen = pb_xcalloc(SEEN_TEXTS, sizeof(*st->seen));
	st->input = pb_ledger_add_input(st->l, st->path, st->def->name, "csv");
	if (st->profile)
		pb_ledger_input(st->l, st->input)->profile =
			pb_ledger_intern(st->l, st->profile->name, strlen(st->profile->name));
	st->have_input = 1;
}

/* --- one data row --- */

static int valid_utf8(const char *s, size_t n)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;

	while (n > 0) {
		if (*p < 0x80) { /* ASCII, most bytes of most ledgers */
			p++;
			n--;
			continue;
		}
		utf8proc_ssize_t k = utf8proc_iterate(p, (utf8proc_ssize_t)n, &cp);
		if (k < 0)
			return 0;
		p += k;
		n -= (size_t)k;
	}
	return 1;
}

static const char *col_name(const struct csv_state *st, size_t i)
{
	return st->map[i] >= 0 ? st->def->columns[st->map[i]].name : st->names[i];
}

/* Is every byte of the row ASCII, and the only NULs the one ending each
 * field?  Most rows of most ledgers: one pass over the row instead of a
 * NUL search and a UTF-8 walk per field. */
static int row_plain(const struct csv_state *st)
{
	const unsigned char *p = (const unsigned char *)st->row.data;
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
	size_t nul = 0, i = 0, n = st->row.len;
	uint64_t high = 0;

	/* Eight bytes a step: a byte of w is zero exactly when adding 0x7f
	 * to its low seven bits sets no top bit and it had none (Hacker's
	 * Delight, 6-1), and a multiply sums those bits in the top byte; the
	 * byte loop was 4% of an import's instructions. */
	for (; i + 8 <= n; i += 8) {
		uint64_t w, zero;
		memcpy(&w, p + i, sizeof(w));
		high |= w;
		zero = ~(((w & low7) + low7) | w | low7) >> 7;
		nul += (size_t)((zero * 0x0101010101010101ULL) >> 56);
	}
	for (; i < n; i++) {
		nul += p[i] == 0;
		high |= p[i];
	}
	return nul == st->nfields && !(high & ~low7);
}

/* NUL bytes, invalid UTF-8 and over-long fields reject the row. */
static int check_fields(struct csv_state *st)
{
	if (st->field_too_long) {
		if (st->long_field < st->ncols && *col_name(st, st->long_field))
			reject(st, "field '%s' is longer than %zu bytes",
			       col_name(st, st->long_field), st->cfg->max_field_bytes);
		else
			reject(st, "field %zu is longer than %zu bytes", st->long_field + 1,
			       st->cfg->max_field_bytes);
		return -1;
	}
	if (st->nfields != st->ncols) {
		reject(st, "expected %zu fields, found %zu", st->ncols, st->nfields);
		return -1;
	}
	if (row_plain(st))
		return 0;
	for (size_t i = 0; i < st->nfields; i++) {
		size_t n;
		const char *s = field(st, i, &n);
		if (memchr(s, '\0', n)) {
			reject(st, "field '%s' contains a NUL byte", col_name(st, i));
			return -1;
		}
		if (!valid_utf8(s, n)) {
			pb_buf b;
			pb_buf_init(&b);
			pb_buf_add_quoted(&b, s, n);
			reject(st, "field '%s' is not valid UTF-8: %s", col_name(st, i), b.data);
			pb_buf_release(&b);
			return -1;
		}
	}
	return 0;
}

/* Lower-cases an enum cell and checks it against the allowed values. */
static const char *enum_value(struct csv_state *st, const pb_column *c,
			      const char *s, size_t n)
{
	char low[64];

	if (n >= sizeof(low))
		return NULL;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[n] = '\0';
	for (const char *const *v = c->values; *v; v++)
		if (!strcmp(*v, low))
			return intern_cell(st, c, low, n);
	return NULL;
}

static void list_values(pb_buf *b, const pb_column *c)
{
	for (const char *const *v = c->values; *v; v++)
		pb_buf_addf(b, "%s%s", v == c->values ? "" : ", ", *v);
}

static int reject_enum(struct csv_state *st, const pb_column *c, const char *s,
		       size_t n)
{
	pb_buf allowed;

	pb_buf_init(&allowed);
	list_values(&allowed, c);
	pb_buf why;
	pb_buf_init(&why);
	pb_buf_addf(&why, "is not one of %s", allowed.data);
	reject_value(st, c->name, s, n, why.data);
	pb_buf_release(&why);
	pb_buf_release(&allowed);
	return -1;
}

/* ';'-separated enum values, normalised to "a;b". */
static int parse_list(struct csv_state *st, const pb_column *c, const char *s,
		      size_t n, const char **out)
{
	pb_buf b;

	pb_buf_init(&b);
	while (n > 0) {
		const char *sep = memchr(s, ';', n);
		size_t k = sep ? (size_t)(sep - s) : n;
		const char *item = s;
		size_t len = k;
		pb_trim(&item, &len);
		if (len) {
			const char *v = enum_value(st, c, item, len);
			if (!v) {
				pb_buf_release(&b);
				return reject_enum(st, c, item, len);
			}
			if (b.len)
				pb_buf_addch(&b, ';');
			pb_buf_addstr(&b, v);
		}
		s += k + (sep != NULL);
		n -= k + (sep != NULL);
	}
	*out = pb_ledger_intern(st->l, b.data, b.len);
	pb_buf_release(&b);
	return 0;
}

/* The currency of a row's amounts is its first currency column (every
 * table's `currency`); a later one (fx.base) is a value of its own. */
static int first_currency_column(const pb_table_def *def)
{
	for (size_t k = 0; k < def->ncolumns; k++)
		if (def->columns[k].type == PB_COL_CURRENCY)
			return (int)k;
	return -1;
}

static int amounts_currency(const struct csv_state *st, const pb_column *c)
{
	return st->currency_col >= 0 && &st->def->columns[st->currency_col] == c;
}

/* An ISO 4217 code in any case, interned upper-case; -1 if it is none. */
static int currency_code(struct csv_state *st, const char *column, const char *s,
			 size_t n, const char **out)
{
	char code[4] = {0};

	/* Most ledgers are in one currency, row after row. */
	if (n == 3 && st->last_currency && !memcmp(s, st->last_code, 3)) {
		*out = st->last_currency;
		return 0;
	}
	for (size_t k = 0; k < n && k < 3; k++)
		code[k] = (char)toupper((unsigned char)s[k]);
	if (n != 3 || pb_currency_exponent(code) < 0) {
		reject_value(st, column, s, n, "is not an ISO 4217 code");
		return -1;
	}
	*out = pb_ledger_intern(st->l, code, 3);
	memcpy(st->last_code, s, 3);
	st->last_currency = *out;
	return 0;
}

/* The row's currency: its currency cell, else the base currency. */
static const char *value(const struct csv_state *st, size_t c, size_t *n)
{
	if (st->voff[c] == SIZE_MAX) {
		*n = 0;
		return "";
	}
	*n = st->vlen[c];
	return st->vcell[c] ? st->vcell[c] : st->vals.data + st->voff[c];
}

/* The row's currency: its currency cell, else the base currency. */
static int row_currency(struct csv_state *st, const char **out)
{
	size_t n;

	*out = pb_ledger_base_currency(st->l);
	if (st->currency_col < 0)
		return 0;
	const char *s = value(st, (size_t)st->currency_col, &n);
	return n ? currency_code(st, "currency", s, n, out) : 0;
}

/* --- profile values: dates --- */

static int days_in(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : days[m - 1];
}

static int digits_at(const char **p, const char *end, int min, int max, int *out)
{
	int v = 0, k = 0;

	while (*p < end && k < max && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		k++;
	}
	*out = v;
	return k >= min ? 0 : -1;
}

/* A month name: English (full, three letters, "sept") or the profile's
 * `months`, compared after folding case and accents. */
static int month_at(const struct csv_state *st, const char **p, const char *end, int *m)
{
	static const char *const en[] = {"january", "february", "march", "april", "may",
		"june", "july", "august", "september", "october", "november", "december"};
	const char *q = *p;

	while (q < end && (isalpha((unsigned char)*q) || (unsigned char)*q >= 0x80))
		q++;
	if (q == *p || q - *p > 40)
		return -1;
	char word[48];
	memcpy(word, *p, (size_t)(q - *p));
	word[q - *p] = '\0';
	char *f = pb_fold_text(word);
	int found = -1;
	for (int k = 0; f && k < 12 && found < 0; k++) {
		if (!strcmp(f, en[k]) || (strlen(f) == 3 && !strncmp(f, en[k], 3)) ||
		    (k == 8 && !strcmp(f, "sept")))
			found = k;
		const char *alts = st->profile && st->profile->months ? st->profile->months[k] : NULL;
		for (const char *a = alts; a && found < 0;) {
			size_t len = strcspn(a, "|");
			if (strlen(f) == len && !strncmp(f, a, len))
				found = k;
			a += len + (a[len] == '|');
			if (!a[0])
				break;
		}
	}
	free(f);
	if (found < 0)
		return -1;
	*m = found + 1;
	*p = q;
	return 0;
}

/* Matches fmt at p; *rest is where the date ends.  A blank in fmt
 * matches any run of blanks. */
static int date_match(const struct csv_state *st, const char *p, const char *end,
		      const char *fmt, int *y, int *m, int *d, const char **rest)
{
	int yy = -1;

	*y = *m = *d = -1;
	while (*fmt) {
		int ok;
		if (!strncmp(fmt, "YYYY", 4))
			ok = digits_at(&p, end, 4, 4, y) == 0, fmt += 4;
		else if (!strncmp(fmt, "YY", 2))
			ok = digits_at(&p, end, 2, 2, &yy) == 0, fmt += 2;
		else if (!strncmp(fmt, "MON", 3))
			ok = month_at(st, &p, end, m) == 0, fmt += 3;
		else if (!strncmp(fmt, "MM", 2))
			ok = digits_at(&p, end, 2, 2, m) == 0, fmt += 2;
		else if (!strncmp(fmt, "DD", 2))
			ok = digits_at(&p, end, 2, 2, d) == 0, fmt += 2;
		else if (*fmt == 'M')
			ok = digits_at(&p, end, 1, 2, m) == 0, fmt++;
		else if (*fmt == 'D')
			ok = digits_at(&p, end, 1, 2, d) == 0, fmt++;
		else if (*fmt == ' ') {
			ok = p < end && (*p == ' ' || *p == '\t');
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			fmt++;
		} else
			ok = p < end && *p++ == *fmt++;
		if (!ok)
			return -1;
	}
	if (yy >= 0) {
		int pivot = st->profile ? st->profile->year_pivot : 50;
		*y = yy < pivot ? 2000 + yy : 1900 + yy;
	}
	*rest = p;
	return 0;
}

/* " 00:00:00 GMT", "T10:00:00+02:00", " 0:00": a time and zone after a
 * date are checked and dropped; dates are compared as written. */
static int time_suffix(const char *p, const char *end)
{
	int h, mi, sec;

	if (p == end)
		return 0;
	if (*p != ' ' && *p != 'T')
		return -1;
	p++;
	if (digits_at(&p, end, 1, 2, &h) < 0 || p >= end || *p++ != ':' ||
	    digits_at(&p, end, 2, 2, &mi) < 0 || h > 24 || mi > 59)
		return -1;
	if (p < end && *p == ':') {
		p++;
		if (digits_at(&p, end, 2, 2, &sec) < 0 || sec > 60)
			return -1;
		if (p < end && (*p == '.' || *p == ',')) {
			p++;
			if (digits_at(&p, end, 1, 9, &sec) < 0)
				return -1;
		}
	}
	while (p < end && *p == ' ')
		p++;
	while (p < end && isalpha((unsigned char)*p)) /* Z, GMT, UTC, CET, AM */
		p++;
	if (p < end && (*p == '+' || *p == '-')) {
		p++;
		if (digits_at(&p, end, 1, 2, &h) < 0)
			return -1;
		if (p < end && *p == ':')
			p++;
		digits_at(&p, end, 0, 2, &mi);
	}
	return p == end ? 0 : -1;
}

static int date_valid(int y, int m, int d)
{
	return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days_in(y, m);
}

/* A date cell under a profile: its column's date.F pattern, else the
 * profile's date_format, else ISO 8601; "first"/"last" take a date found
 * anywhere in the cell (a range "З 2019.06.01 по 2019.06.15"). */
static int profile_date(const struct csv_state *st, const struct fill *f, const char *s,
			size_t n, pb_date *out, const char **why)
{
	const char *fmts = f->opts && f->opts->date_format ? f->opts->date_format
			   : st->profile->date_format ? st->profile->date_format : "YYYY-MM-DD";
	int pick = f->opts && f->opts->date_format ? f->opts->pick : 0;
	const char *end = s + n, *rest;
	int y, m, d, found = 0, fy = 0, fm = 0, fd = 0;

	/* "DD/MM/YYYY | D-MON-YY": the first alternative that reads it */
	for (const char *alt = fmts; *alt && !found;) {
		size_t len = strcspn(alt, "|");
		const char *a = alt;
		size_t an = len;
		pb_trim(&a, &an);
		char *fmt = pb_xstrndup(a, an);
		alt += len + (alt[len] == '|');
		for (const char *p = s; p < end && !(found && pick == 1); p++) {
			if (pick == 0 && p > s)
				break;
			if (p > s && isalnum((unsigned char)p[-1]))
				continue;
			if (date_match(st, p, end, fmt, &y, &m, &d, &rest) < 0)
				continue;
			if (pick ? rest < end && isdigit((unsigned char)*rest) : time_suffix(rest, end) < 0)
				continue;
			found = 1, fy = y, fm = m, fd = d;
		}
		free(fmt);
	}
	if (!found) {
		/* name the pattern tried, so the fix is plain */
		pb_buf_reset((pb_buf *)&st->scratch);
		pb_buf_addf((pb_buf *)&st->scratch, "%s %s (set date_format, or date.%s)",
			    pick ? "holds no date of the pattern" : "does not match the date pattern",
			    fmts, st->def->columns[f - st->fills].name);
		*why = st->scratch.data;
		return -1;
	}
	if (!date_valid(fy, fm, fd))
		return *why = "does not exist", -1;
	*out = pb_date_from_ymd(fy, fm, fd);
	return 0;
}

/* --- profile values: amounts --- */

/* Currency signs written around amounts; stripped, not interpreted
 * ('$' is the peso's sign too). */
static const char *const money_signs[] = {"US$", "R$", "£", "€", "$", "¥", "₴", "₽", "₹",
					  "Kč", "zł", "kr", "Ft", "лв", "грн", NULL};

static int strip_sign(const char **s, size_t *n)
{
	for (const char *const *m = money_signs; *m; m++) {
		size_t k = strlen(*m);
		if (*n >= k && !memcmp(*s, *m, k)) {
			*s += k, *n -= k;
			return 1;
		}
		if (*n >= k && !memcmp(*s + *n - k, *m, k)) {
			*n -= k;
			return 1;
		}
	}
	return 0;
}

/* A three-letter ISO 4217 code before or after the number. */
static int strip_code(const char **s, size_t *n, char code[4])
{
	const char *t = *s;

	if (*n > 3 && isupper((unsigned char)t[0]) && isupper((unsigned char)t[1]) &&
	    isupper((unsigned char)t[2]) && !isalpha((unsigned char)t[3])) {
		memcpy(code, t, 3);
		*s += 3, *n -= 3;
	} else if (*n > 3 && isupper((unsigned char)t[*n - 1]) && isupper((unsigned char)t[*n - 2]) &&
		   isupper((unsigned char)t[*n - 3]) && !isalpha((unsigned char)t[*n - 4])) {
		memcpy(code, t + *n - 3, 3);
		*n -= 3;
	} else {
		return 0;
	}
	code[3] = '\0';
	return pb_currency_exponent(code) >= 0;
}

/* "£2,909,121.01", "(1,234.00)", "1 234,00 Kč", "500.00-", "EUR 12": the
 * number with its sign, into out; *code the ISO code written, or "". */
static void clean_amount(const char *s, size_t n, pb_buf *out, char code[4])
{
	int neg = 0;

	code[0] = '\0';
	pb_buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		/* no-break and thin spaces are grouping blanks */
		if (i + 1 < n && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xA0) {
			pb_buf_addch(out, ' ');
			i++;
		} else if (i + 2 < n && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
			   ((unsigned char)s[i + 2] == 0xAF || (unsigned char)s[i + 2] == 0x89)) {
			pb_buf_addch(out, ' ');
			i += 2;
		} else {
			pb_buf_addch(out, s[i]);
		}
	}
	const char *t = out->data;
	size_t k = out->len;
	for (int round = 0; round < 3; round++) {
		pb_trim(&t, &k);
		if (k >= 2 && t[0] == '(' && t[k - 1] == ')')
			neg = !neg, t++, k -= 2;
		else if (k >= 2 && t[k - 1] == '-' && isdigit((unsigned char)t[k - 2]))
			neg = !neg, k--;
		else if (!strip_sign(&t, &k) && !(code[0] == '\0' && strip_code(&t, &k, code)))
			break;
	}
	pb_trim(&t, &k);
	if (code[0] && pb_currency_exponent(code) < 0)
		code[0] = '\0';
	char *copy = pb_xstrndup(t, k);
	pb_buf_reset(out);
	if (neg)
		pb_buf_addch(out, '-');
	pb_buf_addstr(out, copy);
	free(copy);
}

static int same_as_last(const struct last_text *last, const char *s, size_t n)
{
	return last->s && last->n == n && !memcmp(last->s, s, n);
}

/* Ids repeat row after row (a tender's bids, a contract's payments):
 * the column's text in the row before is tried before the string table,
 * whose slots are a cache miss each on a large ledger, and then the
 * texts this state interned lately (st->seen), which take no lock. */
static const char *intern_cell(struct csv_state *st, const pb_column *c, const char *s, size_t n)
{
	struct last_text *last = &st->last[c - st->def->columns];

	if (!same_as_last(last, s, n)) {
		/* prefetch_texts hashed this row's cell (value(), the
		 * text parse_cell is given) */
		uint32_t h = last->hash_line == st->record_line ? last->hash : pb_intern_hash(s, n);
		struct seen_text *e = &st->seen[h & (SEEN_TEXTS - 1)];
		if (e->s && e->hash == h && e->n == n && !memcmp(e->s, s, n)) {
			last->s = e->s;
		} else {
			last->s = pb_ledger_intern_hashed(st->l, s, n, h);
			*e = (struct seen_text){last->s, h, (uint32_t)n};
		}
		last->n = n;
	}
	return last->s;
}

/* Free text is copied, not interned (pb_ledger_keep); a run of rows
 * with the same text (one rationale down a column) shares a copy. */
static const char *keep_cell(struct csv_state *st, const pb_column *c, const char *s, size_t n)
{
	struct last_text *last = &st->last[c - st->def->columns];

	if (!same_as_last(last, s, n)) {
		last->s = pb_ledger_keep(st->l, s, n);
		last->n = n;
	}
	return last->s;
}

/* The row's new texts are hashed and their string-table slots fetched
 * before any is interned: a row's three or four cache misses then
 * overlap, where one after another they were a third of the import. */
static void prefetch_texts(struct csv_state *st)
{
	for (size_t c = 0; c < st->def->ncolumns; c++) {
		const pb_column *col = &st->def->columns[c];
		struct last_text *last = &st->last[c];
		size_t n;
		if (col->type != PB_COL_TEXT && col->type != PB_COL_ID)
			continue;
		const char *s = value(st, c, &n);
		if (!n || same_as_last(last, s, n))
			continue;
		last->hash = pb_intern_hash(s, n);
		last->hash_line = st->record_line;
		pb_ledger_prefetch(st->l, last->hash);
	}
}

static int parse_cell(struct csv_state *st, const pb_column *c, const char *s,
		      size_t n, const char *currency)
{
	unsigned char *p = st->rec + c->offset;
	const pb_numfmt fmt = st->profile ? st->profile->numfmt : pb_numfmt_default;
	const char *date_fmt = st->profile ? st->profile->date_format : NULL;
	const char *why = NULL;
	int rc = 0;

	switch (c->type) {
	case PB_COL_TEXT:
	case PB_COL_ID: {
		const char *v = intern_cell(st, c, s, n);
		pb_field_set_text(c, st->rec, v);
		/* the row's other cells are parsed while the key's slot comes */
		if (c->flags & PB_COL_KEY)
			pb_ledger_prefetch_key(st->l, st->def->id, v);
		return 0;
	}
	case PB_COL_PROSE:
		pb_field_set_text(c, st->rec, keep_cell(st, c, s, n));
		return 0;
	case PB_COL_CURRENCY:
		if (!amounts_currency(st, c) && (rc = currency_code(st, c->name, s, n, &currency)))
			return rc;
		pb_field_set_text(c, st->rec, currency);
		return 0;
	case PB_COL_ENUM: {
		const char *v = enum_value(st, c, s, n);
		if (!v)
			return reject_enum(st, c, s, n);
		pb_field_set_text(c, st->rec, v);
		return 0;
	}
	case PB_COL_LIST: {
		const char *v = NULL;
		if ((rc = parse_list(st, c, s, n, &v)))
			return rc;
		pb_field_set_text(c, st->rec, v);
		return 0;
	}
	case PB_COL_DATE:
		if (st->profile)
			rc = profile_date(st, &st->fills[c - st->def->columns], s, n, (pb_date *)p, &why);
		else
			rc = pb_date_parse(s, n, date_fmt, (pb_date *)p, &why);
		break;
	case PB_COL_AMOUNT:
		if (!st->profile) {
			rc = pb_amount_parse(s, n, pb_currency_exponent(currency), fmt,
					     (int64_t *)p, &why);
			break;
		}
		char code[4];
		clean_amount(s, n, &st->scratch, code);
		if (code[0] && strcmp(code, currency)) {
			pb_buf b;
			pb_buf_init(&b);
			pb_buf_addf(&b, "is in %s but the row's currency is %s (map the currency: "
				    "col.currency or const.currency)", code, currency);
			reject_value(st, c->name, s, n, b.data);
			pb_buf_release(&b);
			return -1;
		}
		rc = pb_amount_parse(st->scratch.data, st->scratch.len, pb_currency_exponent(currency),
				     fmt, (int64_t *)p, &why);
		/* what a profile author most likely has to set */
		if (rc < 0 && !fmt.thousands && memchr(s, ',', n) && fmt.decimal != ',')
			why = "is not a number (a decimal comma? set decimal = , in the profile; "
			      "a grouping comma? thousands = ,)";
		else if (rc < 0 && fmt.thousands != ' ' && memchr(st->scratch.data, ' ', st->scratch.len))
			why = "is not a number (grouping blanks? set thousands = space in the profile)";
		else if (rc < 0 && !fmt.thousands && memchr(s, '.', n) && fmt.decimal == ',')
			why = "is not a number (a grouping point? set thousands = . in the profile)";
		break;
	case PB_COL_INT:
		rc = pb_int_parse(s, n, (int64_t *)p, &why);
		break;
	case PB_COL_DECIMAL:
		rc = pb_decimal_parse(s, n, fmt, (int64_t *)p, &why);
		break;
	case PB_COL_BOOL:
		rc = pb_bool_parse(s, n, (int *)p, &why);
		break;
	case PB_COL_RATE:
		rc = pb_amount_parse(s, n, PB_FX_RATE_DIGITS, fmt, (int64_t *)p, &why);
		if (rc < 0 && strstr(why, "decimal places"))
			why = "has more than " PB_STR(PB_FX_RATE_DIGITS) " decimal places";
		else if (rc == 0 && *(int64_t *)p <= 0)
			rc = -1, why = "is not a positive rate";
		break;
	}
	if (rc < 0)
		reject_value(st, c->name, s, n, why);
	return rc;
}

/* An imported row's extras that a rule reads as a date and that are
 * none: kept as written, listed as not read (pb_extra_unreadable). */
static void list_unread_extras(struct csv_state *st)
{
	if (!st->typed)
		return;
	for (size_t i = 0; i < st->ncols; i++) {
		size_t n;
		const char *s = field(st, i, &n), *why;
		pb_trim(&s, &n);
		if (!st->typed[i] || n == 0)
			continue;
		char *value = pb_xstrndup(s, n);
		if ((why = pb_extra_unreadable(st->def->id, extra_named(st, i), value))) {
			pb_buf where;
			pb_buf_init(&where);
			pb_buf_addstr(&where, st->names[i]);
			if (strcmp(st->names[i], extra_named(st, i)))
				pb_buf_addf(&where, " (extra %s)", extra_named(st, i));
			pb_ledger_unread(st->l, st->input, st->record_line, where.data, value, why);
			pb_buf_release(&where);
		}
		free(value);
	}
}

static void keep_extras(struct csv_state *st, pb_row *row)
{
	size_t count = 0;

	for (size_t i = 0; i < st->ncols; i++)
		count += st->map[i] == COL_EXTRA && st->flen[i] > 0;
	if (!count)
		return;
	pb_attr *a = pb_arena_alloc(pb_ledger_arena(st->l), count * sizeof(*a));
	size_t k = 0;
	for (size_t i = 0; i < st->ncols; i++) {
		size_t n;
		const char *s = field(st, i, &n);
		pb_trim(&s, &n);
		if (st->map[i] != COL_EXTRA || n == 0)
			continue;
		const char *name = extra_named(st, i);
		a[k].name = pb_ledger_intern(st->l, name, strlen(name));
		a[k].value = pb_ledger_intern(st->l, s, n);
		k++;
	}
	pb_row_set_extras(st->l, row, a, (uint32_t)k);
}

/* --- one row's values under the profile --- */

static void set_value(struct csv_state *st, size_t c, const char *s, size_t n)
{
	st->voff[c] = st->vals.len;
	st->vlen[c] = n;
	st->vcell[c] = NULL;
	pb_buf_add(&st->vals, s, n);
	pb_buf_addch(&st->vals, '\0');
}

/* A cell, trimmed; a null marker of the profile makes it empty. */
static const char *cell(const struct csv_state *st, int i, size_t *n)
{
	const char *s = field(st, (size_t)i, n);

	pb_trim(&s, n);
	for (size_t k = 0; st->profile && *n && k < st->profile->nnulls; k++) {
		int hit = pb_match_one(&st->profile->nulls[k], s, *n);
		if (hit < 0)
			(*st->limit_hits)++;
		else if (hit)
			*n = 0;
	}
	return s;
}

/* A filter rule of the profile that this row matches, or NULL; a row of
 * only blank cells is filtered by the built-in rule "blank-row". */
static const char *row_filter(const struct csv_state *st)
{
	const pb_profile *p = st->profile;
	int blank = 1;

	for (size_t i = 0; i < st->nfields && blank; i++) {
		size_t n;
		const char *s = field(st, i, &n);
		pb_trim(&s, &n);
		blank = n == 0;
	}
	if (blank)
		return "blank-row";
	for (size_t k = 0; k < p->nfilters; k++) {
		pb_match m = {.mode = PB_MATCH_REGEX, .re = p->filters[k].re};
		for (size_t i = 0; i < st->nfields; i++) {
			if (st->filter_col[k] >= 0 && (int)i != st->filter_col[k])
				continue;
			size_t n;
			const char *s = field(st, i, &n);
			pb_trim(&s, &n);
			int hit = valid_utf8(s, n) ? pb_match_one(&m, s, n) : 0;
			if (hit < 0)
				(*st->limit_hits)++;
			else if (hit)
				return p->filters[k].name;
		}
	}
	return NULL;
}

static void expand_template(struct csv_state *st, const char *t, pb_buf *out)
{
	int any = 0;

	pb_buf_reset(out);
	for (const char *q = t; *q;) {
		if (*q != '{') {
			pb_buf_addch(out, *q++);
			continue;
		}
		const char *close = strchr(q, '}');
		size_t len = (size_t)(close - q - 1);
		if (len == 5 && !strncmp(q + 1, "@file", 5)) {
			const char *base = strrchr(st->path, '/');
			pb_buf_addstr(out, base ? base + 1 : st->path);
			any = 1;
		} else if (len == 5 && !strncmp(q + 1, "@line", 5)) {
			pb_buf_addf(out, "%llu", (unsigned long long)st->record_line);
			any = 1;
		} else {
			char *name = pb_xstrndup(q + 1, len);
			size_t n;
			const char *s = cell(st, header_index(st, name), &n);
			free(name);
			pb_buf_add(out, s, n);
			any |= n > 0;
		}
		q = close + 1;
	}
	if (!any)
		pb_buf_reset(out); /* every part empty: the value is unknown */
}

/* Runs each split pattern over its cell; -1 (row rejected) when a cell
 * does not match.  ovec[k] holds split k's match, or NULL when empty. */
static int run_splits(struct csv_state *st, pcre2_match_data **md, int *matched)
{
	const pb_profile *p = st->profile;

	for (size_t k = 0; k < p->nsplits; k++) {
		size_t n;
		const char *s = cell(st, st->split_col[k], &n);
		matched[k] = 0;
		if (!n)
			continue;
		md[k] = pcre2_match_data_create_from_pattern(p->splits[k].re, NULL);
		int rc = pcre2_match(p->splits[k].re, (PCRE2_SPTR)s, n, 0, 0, md[k], pb_pattern_limits());
		if (rc < 0) {
			pb_buf why;
			pb_buf_init(&why);
			if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
				pb_buf_addf(&why, "split.%s hit PCRE2's match or depth limit", p->splits[k].header);
			else
				pb_buf_addf(&why, "does not match split.%s", p->splits[k].header);
			reject_value(st, p->splits[k].header, s, n, why.data);
			pb_buf_release(&why);
			return -1;
		}
		matched[k] = 1;
	}
	return 0;
}

static void split_value(struct csv_state *st, const struct fill *f, pcre2_match_data **md,
			const int *matched, size_t c)
{
	if (!matched[f->split])
		return;
	size_t n;
	const char *s = cell(st, st->split_col[f->split], &n);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md[f->split]);
	if (f->group >= pcre2_get_ovector_count(md[f->split]) || ov[2 * f->group] == PCRE2_UNSET)
		return;
	set_value(st, c, s + ov[2 * f->group], ov[2 * f->group + 1] - ov[2 * f->group]);
}

/* map.F: the first line that matches replaces the value; none leaves it. */
static void apply_map(struct csv_state *st, const struct fill *f, size_t c)
{
	size_t n;
	const char *s = value(st, c, &n);

	if (!n || !f->opts)
		return;
	for (size_t k = 0; k < f->opts->nitems; k++) {
		int hit = pb_match_one(&f->opts->items[k], s, n);
		if (hit < 0) {
			(*st->limit_hits)++;
			continue;
		}
		if (hit) {
			const char *to = f->opts->items[k].to;
			set_value(st, c, to, strlen(to));
			return;
		}
	}
}

/* The party's name: its cell, or the quoted constant of the profile. */
static const char *party_name(const struct csv_state *st, size_t k, size_t *n)
{
	if (st->party_name_col[k] == PARTY_CONST) {
		const char *q = st->profile->parties[k].names[0];
		*n = strlen(q) - 2;
		return q + 1;
	}
	if (st->party_name_col[k] < 0) { /* "? A | B" and none of them here */
		*n = 0;
		return "";
	}
	return cell(st, st->party_name_col[k], n);
}

/* party.F: the id is the mapped cell, else the registry id, else one
 * derived from the folded name ("name:acme ltd"), so that rows naming a
 * party only by its name still name one party. */
static void party_value(struct csv_state *st, const struct fill *f, size_t c)
{
	size_t k = (size_t)(f->party - st->profile->parties), n, rn;
	const char *reg = st->party_reg_col[k] >= 0 ? cell(st, st->party_reg_col[k], &rn) : "";

	if (st->party_reg_col[k] < 0)
		rn = 0;
	value(st, c, &n);
	if (n)
		return;
	if (rn) {
		set_value(st, c, reg, rn);
		return;
	}
	const char *name = party_name(st, k, &n);
	if (!n)
		return;
	char *raw = pb_xstrndup(name, n), *folded = pb_fold_text(raw);
	free(raw);
	if (!folded || !*folded) {
		free(folded);
		return;
	}
	pb_buf_reset(&st->scratch);
	pb_buf_addf(&st->scratch, "name:%s", folded);
	free(folded);
	set_value(st, c, st->scratch.data, st->scratch.len);
}

static int row_values(struct csv_state *st)
{
	size_t nc = st->def->ncolumns;
	const pb_profile *p = st->profile;
	size_t ns = p ? p->nsplits : 0;
	/* per split rule of the profile; none without one (most rows) */
	pcre2_match_data **md = ns ? pb_xcalloc(ns, sizeof(*md)) : NULL;
	int *matched = ns ? pb_xcalloc(ns, sizeof(*matched)) : NULL;
	pb_buf t;
	int rc = 0;

	pb_buf_reset(&st->vals);
	pb_buf_init(&t);
	for (size_t c = 0; c < nc; c++)
		st->voff[c] = SIZE_MAX;
	if (p)
		rc = run_splits(st, md, matched);
	for (size_t c = 0; c < nc && rc == 0; c++) {
		const struct fill *f = &st->fills[c];
		size_t n;
		const char *s;
		switch (f->kind) {
		case FILL_NONE:
			break;
		case FILL_CELL:
			/* The row's cells stay put while it is processed: a
			 * value that is a cell points at it, uncopied. */
			s = cell(st, f->col, &n);
			if (n) {
				st->voff[c] = 0;
				st->vlen[c] = n;
				st->vcell[c] = s;
			}
			break;
		case FILL_CONST:
			set_value(st, c, f->text, strlen(f->text));
			break;
		case FILL_TEMPLATE:
			expand_template(st, f->text, &t);
			if (t.len)
				set_value(st, c, t.data, t.len);
			break;
		case FILL_SPLIT:
			split_value(st, f, md, matched, c);
			break;
		}
		if (!p)
			continue;
		apply_map(st, f, c);
		if (f->party)
			party_value(st, f, c);
	}
	for (size_t k = 0; k < ns; k++)
		pcre2_match_data_free(md[k]);
	free(md);
	free(matched);
	pb_buf_release(&t);
	return rc;
}

/* One party row per distinct id a party.F rule names, after its row is
 * imported; the first row naming an id gives its name. */
static void add_parties(struct csv_state *st)
{
	for (size_t c = 0; c < st->def->ncolumns; c++) {
		const struct fill *f = &st->fills[c];
		if (!f->party)
			continue;
		size_t n, k = (size_t)(f->party - st->profile->parties), nn, rn = 0;
		const char *id = value(st, c, &n);
		const char *name = party_name(st, k, &nn);
		const char *reg = st->party_reg_col[k] >= 0 ? cell(st, st->party_reg_col[k], &rn) : "";
		if (!n)
			continue;
		const char *key = pb_ledger_intern(st->l, id, n);
		const pb_party *known = pb_ledger_find(st->l, PB_T_PARTIES, key);
		/* A vendor number first seen without a name takes the first
		 * name a later row gives it (the ledger is not sealed yet). */
		if (known && !known->name && nn && pb_row_file(&known->row) == st->path)
			((pb_party *)known)->name = pb_text_of(pb_ledger_intern(st->l, name, nn));
		if (known)
			continue;
		pb_party party;
		pb_record_blank(PB_T_PARTIES, &party);
		/* Cannot fail: the row naming the party had this line. */
		if (pb_row_set(st->l, &party.row, st->path, st->record_line, NULL) < 0)
			continue;
		party.party_id = pb_text_of(key);
		party.name = pb_text_of(nn ? pb_ledger_intern(st->l, name, nn) : NULL);
		party.registry_id = pb_text_of(rn ? pb_ledger_intern(st->l, reg, rn) : NULL);
		const char *country = st->profile->parties[k].country;
		party.country = pb_text_of(*country ? pb_ledger_intern(st->l, country, 2) : NULL);
		/* payee_id -> payee, supplier_id -> supplier: the role the
		 * column gives the party, when it is one of the roles */
		const char *col = st->def->columns[c].name;
		size_t cl = strlen(col) > 3 ? strlen(col) - 3 : 0;
		static const char *const roles[] = {"buyer", "supplier", "payer", "payee", "obligor",
						    "beneficiary", NULL};
		for (const char *const *r = roles; *r; r++)
			if (strlen(*r) == cl && !strncmp(col, *r, cl))
				party.roles = pb_text_of(pb_ledger_intern(st->l, *r, cl));
		if (!strcmp(col, "bidder_id"))
			party.roles = pb_text_of(pb_ledger_intern(st->l, "tenderer", 8));
		const void *old;
		pb_ledger_insert(st->l, PB_T_PARTIES, &party, &old);
	}
}

static int parse_value(struct csv_state *st, size_t c, const char *currency)
{
	const pb_column *col = &st->def->columns[c];
	size_t n;
	const char *s = value(st, c, &n);

	if (!n) {
		if ((col->flags & (PB_COL_KEY | PB_COL_REQUIRED)) && !(col->flags & PB_COL_DEFAULT) &&
		    (st->fills[c].kind != FILL_NONE || st->fills[c].party)) {
			reject(st, "%s is empty", col->name);
			return -1;
		}
		return 0;
	}
	return parse_cell(st, col, s, n, currency);
}

/*
 * A text cell that is not empty cannot be rejected: it is interned after
 * the row's other cells are parsed, so that the string-table slots that
 * prefetch_texts asked for have time to come (interned in column order,
 * a row's first id waited for its slot right after asking).  An empty
 * one is judged in its place, so the leftmost bad cell still names the
 * rejection.
 */
static int parse_or_defer(struct csv_state *st, size_t c, const char *currency)
{
	pb_coltype type = st->def->columns[c].type;
	size_t n;

	if ((type == PB_COL_TEXT || type == PB_COL_ID) && (value(st, c, &n), n)) {
		st->texts[st->ntexts++] = (uint32_t)c;
		return 0;
	}
	return parse_value(st, c, currency);
}

/* Header order first (rejections name the leftmost bad cell, as the
 * file reads), then values the profile makes from elsewhere. */
static int parse_values(struct csv_state *st, const char *currency)
{
	if (!st->texts)
		st->texts = pb_xcalloc(st->def->ncolumns + 1, sizeof(*st->texts));
	st->ntexts = 0;
	for (size_t i = 0; i < st->ncols; i++) {
		int c = st->map[i];
		if (c >= 0 && st->fills[c].kind == FILL_CELL && st->fills[c].col == (int)i &&
		    parse_or_defer(st, (size_t)c, currency) < 0)
			return -1;
	}
	for (size_t c = 0; c < st->def->ncolumns; c++) {
		const struct fill *f = &st->fills[c];
		int done = f->kind == FILL_CELL && st->map[f->col] == (int)c;
		if (!done && parse_or_defer(st, c, currency) < 0)
			return -1;
	}
	for (size_t k = 0; k < st->ntexts; k++)
		if (parse_value(st, st->texts[k], currency) < 0)
			return -1; /* cannot happen: not empty */
	return 0;
}

/*
 * Once GUESS_AFTER rows are in, the rows still to come are guessed from
 * the bytes left and the length of those rows, and the table makes room
 * for them at once: a 480 000-row table otherwise doubles its rows and
 * its key map eleven times, reading every key again each time.  A guess
 * too small costs only the doublings it did not spare; one too large
 * (short rows first, long ones after) costs key-map slots, 5 bytes a
 * row guessed, as long as the file.
 */
#define GUESS_AFTER 4096

static void guess_rows(struct csv_state *st)
{
	if (st->added >= GUESS_AFTER)
		return; /* guessed already */
	if (st->added++ == 0)
		st->first_offset = st->record_offset;
	if (st->added < GUESS_AFTER)
		return;
	if (st->record_offset <= st->first_offset || st->data_end <= st->record_offset)
		return;
	uint64_t span = (uint64_t)(st->record_offset - st->first_offset);
	uint64_t rest = (uint64_t)(st->data_end - st->record_offset) * (st->added - 1) / span;
	(void)pb_ledger_reserve(st->l, st->def->id, (size_t)(rest + rest / 16));
}

static void process_row(struct csv_state *st)
{
	const char *currency, *rule;

	if (!st->def)
		return;
	*st->limit_hits = 0;
	if (st->profile && !st->ecb && (rule = row_filter(st))) {
		pb_ledger_filter(st->l, st->input, st->record_line, rule);
		return;
	}
	if (check_fields(st) < 0)
		return;
	if (st->ecb) {
		ecb_row(st);
		return;
	}
	if (!st->voff) {
		st->voff = pb_xcalloc(st->def->ncolumns + 1, sizeof(*st->voff));
		st->vlen = pb_xcalloc(st->def->ncolumns + 1, sizeof(*st->vlen));
		st->vcell = pb_xcalloc(st->def->ncolumns + 1, sizeof(*st->vcell));
	}
	if (row_values(st) < 0 || row_currency(st, &currency) < 0)
		return;
	pb_record_blank(st->def->id, st->rec);
	for (size_t c = 0; c < st->def->ncolumns; c++)
		if (st->def->columns[c].type == PB_COL_CURRENCY)
			pb_field_set_text(&st->def->columns[c], st->rec,
					  amounts_currency(st, &st->def->columns[c])
						  ? currency : pb_ledger_base_currency(st->l));
	prefetch_texts(st);
	if (parse_values(st, currency) < 0)
		return;
	/* A pattern that gave up is no "no match": the row is not judged. */
	if (*st->limit_hits) {
		reject(st, "a profile pattern hit PCRE2's match or depth limit on this row");
		return;
	}
	if (st->def->id == PB_T_FX) {
		const pb_fx_rate *fx = (const pb_fx_rate *)st->rec;
		if (fx->currency == fx->base) {
			reject(st, "currency and base are both %s", pb_str(fx->base));
			return;
		}
	}
	pb_row *row = (pb_row *)st->rec;
	if (row_source(st, row) < 0)
		return;
	keep_extras(st, row);
	if (st->profile && st->profile->repeats_filtered) {
		const pb_row *old = pb_ledger_find(st->l, st->def->id,
						   pb_ledger_key(st->l, st->def->id, st->rec));
		if (old && pb_row_file(old) == st->path) {
			pb_ledger_filter(st->l, st->input, st->record_line, "repeated-key");
			return;
		}
	}
	if (pb_ledger_add(st->l, st->input, st->def->id, st->rec) < 0)
		return;
	list_unread_extras(st);
	guess_rows(st);
	if (st->profile)
		add_parties(st);
}

/* --- driving the parser --- */

static void parser_start(struct csv_state *st, char delim)
{
	csv_init(&st->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	csv_set_delim(&st->parser, (unsigned char)delim);
	/* libcsv grows its field buffer by this much at a time; its default
	 * of 128 bytes makes a long field cost quadratic time. */
	csv_set_blk_size(&st->parser, 1u << 18);
	row_reset(st);
	st->in_record = 0;
	st->record_bytes = 0;
}

/* Converts a piece to UTF-8 when the profile names another encoding. */
static int convert(struct csv_state *st, const char **p, size_t *n, pb_buf *out)
{
	if (st->conv == (iconv_t)-1)
		return 0;
	pb_buf_reset(out);
	char *in = (char *)*p;
	size_t left = *n;
	while (left > 0) {
		char tmp[4096], *o = tmp;
		size_t room = sizeof(tmp);
		size_t rc = iconv(st->conv, &in, &left, &o, &room);
		pb_buf_add(out, tmp, sizeof(tmp) - room);
		if (rc == (size_t)-1 && errno != E2BIG) {
			/* An unmappable byte: keep it as U+FFFD, the row stays
			 * and the value shows where the damage is. */
			pb_buf_addstr(out, "\xEF\xBF\xBD");
			in++;
			left--;
		}
	}
	*p = out->data;
	*n = out->len;
	return 0;
}

/* Reading state shared by the loop and its recovery steps. */
struct feed {
	struct reader rd;
	uint64_t line;   /* number of the line the next piece belongs to */
	int line_start;  /* the next piece starts a line */
	int skipping;    /* discard the rest of the current line */
	int line_blank;  /* the current line so far holds only blanks */
	char delim;
	unsigned skip_left; /* skip_lines of the profile still to skip */
	/* A later part of the file (pb_import_part): after the header,
	 * reading jumps to part_start, the start of line part_line. */
	int jump;
	off_t part_start;
	uint64_t part_line;
	int part_end;    /* the part ends before the file does */
	int whole;       /* the part cannot be read on its own */
};

/* Resume at the line after the one where the current record started. */
static void resync_after_record(struct csv_state *st, struct feed *fd)
{
	csv_free(&st->parser);
	reader_seek(&fd->rd, st->record_offset);
	fd->line = st->record_line;
	fd->line_start = 1;
	fd->skipping = 1; /* skip the record's first line */
	parser_start(st, fd->delim);
}

/* libcsv skips a line of only spaces and tabs without starting a record,
 * so such a line must not make the next record's line number its own. */
static int blank_line(const char *p, size_t n, char delim)
{
	for (size_t i = 0; i < n; i++)
		if (!(p[i] == ' ' || (p[i] == '\t' && delim != '\t') || p[i] == '\r' ||
		      p[i] == '\n'))
			return 0;
	return 1;
}

/* Returns 1 when it moved the reader back (the caller must not advance
 * its line count), else 0. */
static int feed_piece(struct csv_state *st, struct feed *fd, const char *p,
		      size_t n, int ends_line, off_t offset)
{
	size_t max_record = st->cfg->max_field_bytes * 4;

	if (fd->line_start)
		fd->line_blank = 1;
	if (fd->line_start && !st->in_record) {
		st->record_line = fd->line;
		st->record_offset = offset;
		st->record_bytes = 0;
	}
	st->record_bytes += n;
	if (st->record_bytes > max_record + PIECE_BYTES) {
		reject(st, "record longer than %zu bytes", max_record);
		if (st->record_line == fd->line) {
			csv_free(&st->parser);
			parser_start(st, fd->delim);
			fd->skipping = !ends_line;
			return 0;
		}
		resync_after_record(st, fd);
		return 1;
	}
	fd->line_blank &= blank_line(p, n, fd->delim);
	st->row_ended = 0;
	if (csv_parse(&st->parser, p, n, on_field, on_row, st) != n) {
		reject(st, "malformed quoting (a quote inside an unquoted field, "
			   "or text after a closing quote)");
		/* A record that began on an earlier line may have swallowed
		 * good rows through a stray quote: read them again. */
		if (st->record_line != fd->line) {
			resync_after_record(st, fd);
			return 1;
		}
		csv_free(&st->parser);
		parser_start(st, fd->delim);
		fd->skipping = !ends_line;
		return 0;
	}
	/* A record is under way when this piece did not end one and either
	 * one was already open or the line held more than blanks. */
	st->in_record = st->row_ended ? 0 : (st->in_record || !fd->line_blank);
	return 0;
}

/* End of file: flush the last record; an open quote is a rejection and
 * a resync, after which reading goes on. Returns 1 if reading resumes. */
static int finish(struct csv_state *st, struct feed *fd)
{
	if (csv_fini(&st->parser, on_field, on_row, st) == 0)
		return 0;
	if (st->nrows == 0) {
		fail(st, "header has an unterminated quoted field");
		return 0;
	}
	reject(st, "unterminated quoted field (the rest of the file was read as "
		   "one field; parsing resumed at the next line)");
	resync_after_record(st, fd);
	return 1;
}

/*
 * In a later part of the file, once the header is read, reading goes on
 * at the part's first row.  Only a header that is the file's first
 * record, ended on a line before the part and leaving nothing counted
 * in the stage, can be left behind so; anything else reads the file
 * whole (fd->whole).
 */
static void jump_to_part(struct csv_state *st, struct feed *fd, off_t next)
{
	if (!st->header_found || st->in_record || !fd->line_start)
		return;
	fd->jump = 0;
	if (st->nrows != 1 || next > fd->part_start || st->ecb || st->unstaged ||
	    pb_ledger_nrejections(st->l) || pb_ledger_nfiltered(st->l)) {
		fd->whole = 1;
		return;
	}
	reader_seek(&fd->rd, fd->part_start);
	fd->line = fd->part_line;
	csv_free(&st->parser);
	parser_start(st, fd->delim);
}

static int run_feed(struct csv_state *st, struct feed *fd)
{
	const char *p;
	size_t n;
	int ends_line;
	off_t offset;
	pb_buf conv;

	pb_buf_init(&conv);
	for (;;) {
		while (!st->failed && reader_next(&fd->rd, &p, &n, &ends_line, &offset)) {
			if (fd->skipping || fd->skip_left) {
				if (!fd->skipping && ends_line)
					fd->skip_left--;
				fd->skipping = fd->skipping && !ends_line;
				if (ends_line) {
					fd->line++;
					fd->line_start = 1;
				}
				continue;
			}
			/* libcsv would take a BOM for text before an opening quote. */
			if (offset == 0 && n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
				p += 3;
				n -= 3;
			}
			convert(st, &p, &n, &conv);
			if (feed_piece(st, fd, p, n, ends_line, offset))
				continue;
			if (ends_line)
				fd->line++;
			fd->line_start = ends_line;
			if (fd->jump)
				jump_to_part(st, fd, offset + (off_t)n);
			if (fd->whole)
				break;
		}
		/* A part that ends inside a record (a quoted field running on
		 * into the next part) was not cut where a record ends. */
		if (fd->whole || (fd->part_end && (st->in_record || fd->jump))) {
			fd->whole = 1;
			break;
		}
		if (st->failed || !finish(st, fd))
			break;
	}
	pb_buf_release(&conv);
	return st->failed ? -1 : 0;
}

/* A workbook named or exported by mistake fails with advice, instead of
 * as a header of binary noise. */
static int spreadsheet(struct csv_state *st, const char *head, size_t n)
{
	const char *says = pb_workbook_says(head, n);

	if (says)
		fail(st, "%s", says);
	return says != NULL;
}

/* Finds the header to sniff the delimiter and the line ends from;
 * fails on a file of nothing but whitespace. */
static int first_line(struct csv_state *st, struct reader *rd, char *delim,
		      int *sep_line)
{
	char head[PIECE_BYTES];
	size_t n, i = 0, bom = 0;

	for (int chunk = 0;; chunk++) {
		n = fread(head, 1, sizeof(head), rd->f);
		if (chunk == 0 && spreadsheet(st, head, n))
			return -1;
		i = bom = chunk == 0 && n >= 3 && !memcmp(head, "\xEF\xBB\xBF", 3) ? 3 : 0;
		while (i < n && isspace((unsigned char)head[i]))
			i++;
		if (i < n)
			break;
		if (n < sizeof(head)) {
			fail(st, "file is empty");
			return -1;
		}
	}
	/* A profile named with -p and no files pattern applies to every CSV
	 * input (docs/config.md); the ECB's rates file, told by its first
	 * line, is no export it was written for, and an auditor gives it
	 * beside the ledgers it converts. */
	if (st->profile && !st->profile->files && ecb_first_line(head + i, n - i))
		st->profile = NULL;
	/* Title lines a profile skips say nothing about the delimiter. */
	for (unsigned k = st->profile ? st->profile->skip_lines : 0; k > 0 && i < n; k--) {
		const char *nl = memchr(head + i, '\n', n - i);
		i = nl ? (size_t)(nl - head) + 1 : n;
	}
	/* Excel's "sep=;" line names the delimiter and precedes the header. */
	int sep = i == bom ? pb_csv_sep_line(head + i, n - i) : 0;
	*sep_line = sep != 0;
	*delim = st->profile && st->profile->delimiter ? st->profile->delimiter
		 : sep ? (char)sep
		       : pb_csv_sniff_delimiter(head + i, n - i);
	/* Line ends are those of the header: a lone CR there means a classic
	 * Mac file; elsewhere a CR is data (or half of a CRLF). */
	const char *end = memchr(head + i, '\n', n - i);
	const char *cr = memchr(head + i, '\r', (end ? (size_t)(end - head) : n) - i);
	rd->cr_lines = cr && cr + 1 < head + n && cr[1] != '\n';
	rewind(rd->f);
	return 0;
}

/* glibc's iconv spells it latin1 or ISO-8859-1, people latin-1. */
static const char *iconv_name(const char *enc)
{
	return pb_strcaseeq(enc, "latin-1") || pb_strcaseeq(enc, "latin_1") ? "ISO-8859-1"
									      : enc;
}

/* Encodings in which a line end is not the byte '\n' cannot be cut into
 * lines before conversion: such a file is converted whole, first. */
static size_t wide_unit(const char *enc)
{
	if (!enc)
		return 0;
	if (!strncasecmp(enc, "utf-16", 6) || !strncasecmp(enc, "utf16", 5) ||
	    !strncasecmp(enc, "ucs-2", 5) || !strncasecmp(enc, "ucs2", 4))
		return 2;
	if (!strncasecmp(enc, "utf-32", 6) || !strncasecmp(enc, "utf32", 5) ||
	    !strncasecmp(enc, "ucs-4", 5) || !strncasecmp(enc, "ucs4", 4))
		return 4;
	return 0;
}

/* The encoding a byte-order mark announces (Excel's "Unicode Text" is
 * UTF-16LE with one), or NULL.  A UTF-8 BOM is stripped later. */
static const char *bom_encoding(FILE *f)
{
	unsigned char b[4] = {1, 1, 1, 1};
	size_t n = fread(b, 1, sizeof(b), f);

	rewind(f);
	if (n >= 4 && b[0] == 0xFF && b[1] == 0xFE && !b[2] && !b[3])
		return "UTF-32";
	if (n >= 4 && !b[0] && !b[1] && b[2] == 0xFE && b[3] == 0xFF)
		return "UTF-32";
	if (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
		return "UTF-16";
	return NULL;
}

/* Converts all of f to UTF-8 in an unnamed temporary file.  A sequence
 * that is not valid in `enc` becomes U+FFFD, so the damage shows in the
 * value rather than shifting every later character. */
static FILE *transcode(struct csv_state *st, FILE *f, const char *enc, size_t unit)
{
	iconv_t cd = iconv_open("UTF-8", iconv_name(enc));
	if (cd == (iconv_t)-1) {
		fail(st, "encoding '%s' is not known to iconv", enc);
		return NULL;
	}
	FILE *t = tmpfile();
	char *in = pb_xmalloc(PIECE_BYTES), *out = pb_xmalloc(4 * PIECE_BYTES);
	size_t keep = 0;
	for (int eof = 0; t && !eof;) {
		size_t n = fread(in + keep, 1, PIECE_BYTES - keep, f);
		size_t left = keep + n;
		char *ip = in;
		eof = n == 0;
		while (left > 0) {
			char *op = out;
			size_t room = 4 * PIECE_BYTES;
			size_t rc = iconv(cd, &ip, &left, &op, &room);
			fwrite(out, 1, 4 * PIECE_BYTES - room, t);
			if (rc != (size_t)-1 || errno == E2BIG)
				continue;
			if (errno == EINVAL && !eof)
				break; /* a character cut by the read: finish it next time */
			fputs("\xEF\xBF\xBD", t);
			size_t skip = left < unit ? left : unit;
			ip += skip;
			left -= skip;
		}
		memmove(in, ip, left);
		keep = left;
	}
	free(in);
	free(out);
	iconv_close(cd);
	if (!t || ferror(f) || fflush(t) != 0 || ferror(t)) {
		fail(st, "cannot convert from %s: %s", enc, strerror(errno));
		if (t)
			fclose(t);
		return NULL;
	}
	rewind(t);
	return t;
}

/* Replaces *f by its UTF-8 conversion when the file is UTF-16/32 (by its
 * BOM or its profile). */
static int widen(struct csv_state *st, FILE **f)
{
	const char *enc = bom_encoding(*f);

	if (!enc && st->profile && wide_unit(st->profile->encoding))
		enc = st->profile->encoding;
	if (!enc)
		return 0;
	FILE *t = transcode(st, *f, enc, wide_unit(enc));
	if (!t)
		return -1;
	fclose(*f);
	*f = t;
	st->utf8 = 1;
	return 0;
}

/* encoding = auto: the first MiB decides (a character cut at its end
 * does not count against UTF-8). */
static const char *auto_encoding(FILE *f)
{
	size_t cap = 1u << 20;
	char *buf = pb_xmalloc(cap);
	size_t n = fread(buf, 1, cap, f);
	int ok = 1;

	rewind(f);
	for (size_t i = 0; i < n && ok;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)buf + i,
						      (utf8proc_ssize_t)(n - i), &cp);
		if (k < 0 && n - i < 4 && n == cap)
			break;
		ok = k > 0;
		i += k > 0 ? (size_t)k : 0;
	}
	free(buf);
	return ok ? NULL : "WINDOWS-1252";
}

static int open_encoding(struct csv_state *st, FILE *f)
{
	const char *enc = st->profile ? st->profile->encoding : NULL;

	st->conv = (iconv_t)-1;
	if (enc && !strcmp(enc, "auto"))
		enc = st->utf8 ? NULL : auto_encoding(f);
	if (st->utf8 || !enc || pb_strcaseeq(enc, "utf-8") || pb_strcaseeq(enc, "utf8"))
		return 0;
	st->conv = iconv_open("UTF-8", iconv_name(enc));
	if (st->conv == (iconv_t)-1) {
		fail(st, "encoding '%s' is not known to iconv", enc);
		return -1;
	}
	return 0;
}

static void state_release(struct csv_state *st)
{
	for (size_t i = 0; i < st->ncols; i++)
		free(st->names[i]);
	free(st->names);
	free(st->map);
	free(st->extra_name);
	free(st->typed);
	free(st->rec);
	free(st->last);
	free(st->seen);
	free(st->texts);
	free(st->ecb_codes);
	free(st->ecb_recs);
	free(st->ecb_new);
	free(st->off);
	free(st->flen);
	free(st->fills);
	names_free(st->best_names, st->nbest);
	names_free(st->folded, st->nfolded);
	free(st->split_col);
	free(st->filter_col);
	free(st->party_name_col);
	free(st->party_reg_col);
	free(st->voff);
	free(st->vlen);
	free(st->vcell);
	pb_buf_release(&st->vals);
	pb_buf_release(&st->scratch);
	pb_buf_release(&st->row);
	if (st->conv != (iconv_t)-1)
		iconv_close(st->conv);
}

/* Resyncing seeks back, so a pipe (probity audit <(zcat x.csv.gz)) is
 * first copied to an unnamed temporary file, at most `limit` bytes of
 * it: /dev/zero or an endless FIFO would otherwise fill /tmp (9.7 GB in
 * 5 s) before any row is read. */
static FILE *open_seekable(const char *path, size_t limit, pb_error *err)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char buf[PIECE_BYTES];
	size_t n, copied = 0;

	if (!f) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
		return f;
	FILE *t = tmpfile();
	if (!t) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot copy a stream to a temporary file: %s",
			     path, strerror(errno));
		fclose(f);
		return NULL;
	}
	int ok = 1;
	while (ok && copied <= limit && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		ok = fwrite(buf, 1, n, t) == n;
		copied += n;
	}
	if (ok && copied > limit) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: not a regular file, and longer than the %zu-byte "
			     "limit for copying a stream ([audit] max_stream_bytes); nothing was read",
			     path, limit);
		fclose(f);
		fclose(t);
		return NULL;
	}
	if (!ok || ferror(f) || fflush(t) != 0) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: read error: %s", path, strerror(errno));
		fclose(f);
		fclose(t);
		return NULL;
	}
	fclose(f);
	rewind(t);
	return t;
}

/* The number of the line at byte `at` of f (1 + the '\n' before it);
 * f is left at its start. */
static uint64_t line_at(FILE *f, off_t at)
{
	char buf[1 << 16];
	uint64_t lines = 1;

	rewind(f);
	while (at > 0) {
		size_t want = at < (off_t)sizeof(buf) ? (size_t)at : sizeof(buf);
		size_t n = fread(buf, 1, want, f);
		if (!n)
			break;
		lines += pb_count_newlines(buf, n);
		at -= (off_t)n;
	}
	rewind(f);
	return lines;
}

/* Sets fd up to read one part of the file; 0 when it can be read so. */
static int feed_part(struct csv_state *st, struct feed *fd, const pb_import_part *part)
{
	if (st->utf8 || fd->rd.cr_lines)
		return -1; /* transcoded, or lines that are not '\n' */
	fd->part_end = part->index + 1 < part->count;
	fd->rd.limit = fd->part_end ? (off_t)part->end : 0;
	if (part->index > 0) {
		fd->jump = 1;
		fd->part_start = (off_t)part->start;
		fd->part_line = line_at(fd->rd.f, fd->part_start);
	}
	return 0;
}

/* Where the rows fd reads end: its part's end, else the file's. */
static off_t data_end(FILE *f, const struct feed *fd)
{
	struct stat sb;

	if (fd->part_end && !fd->whole)
		return fd->rd.limit;
	return fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) ? sb.st_size : 0;
}

/* *profile is the profile the file is read under: NULL after when it
 * was a catch-all the file's first line showed to be an ECB rates file
 * (first_line). */
static int csv_import_one(pb_ledger *l, const char *path, const char *table,
			  const pb_config *cfg, const pb_profile **profile,
			  const pb_import_part *part, pb_error *err)
{
	struct csv_state st;
	struct feed fd;
	FILE *f;

	int limit_hits = 0;

	memset(&st, 0, sizeof(st));
	st.limit_hits = &limit_hits;
	st.l = l;
	st.cfg = cfg;
	st.err = err;
	st.path = pb_ledger_intern(l, path, strlen(path));
	st.forced = table;
	st.conv = (iconv_t)-1;
	st.profile = *profile;
	pb_buf_init(&st.row);
	pb_buf_init(&st.vals);
	pb_buf_init(&st.scratch);
	f = open_seekable(path, cfg->max_stream_bytes, err);
	if (!f) {
		pb_buf_release(&st.row);
		return -1;
	}
	if (widen(&st, &f) < 0) {
		fclose(f);
		state_release(&st);
		return -1;
	}
	memset(&fd, 0, sizeof(fd));
	fd.rd.f = f;
	fd.line = 1;
	fd.line_start = 1;
	int rc = -1;
	if (first_line(&st, &fd.rd, &fd.delim, &fd.skipping) == 0 && open_encoding(&st, f) == 0) {
		fd.skip_left = st.profile ? st.profile->skip_lines : 0;
		if (part && feed_part(&st, &fd, part) < 0)
			fd.whole = 1;
		st.data_end = data_end(f, &fd);
		parser_start(&st, fd.delim);
		rc = fd.whole ? 0 : run_feed(&st, &fd);
		csv_free(&st.parser);
	}
	/* No record held the profile's columns: the error names what the
	 * most header-like one lacks. */
	if (rc == 0 && !st.header_found && st.best_names) {
		st.names = st.best_names;
		st.ncols = st.nbest;
		st.record_line = st.best_line;
		st.best_names = NULL;
		st.nbest = 0;
		header_accept(&st);
		rc = st.failed ? -1 : 0;
	}
	if (ferror(f) && rc == 0) {
		fail(&st, "read error: %s", strerror(errno));
		rc = -1;
	}
	fclose(f);
	if (st.unstaged)
		rc = PB_IMPORT_UNSTAGED;
	else if (part && (fd.whole || rc != 0))
		rc = PB_IMPORT_WHOLE;
	else if (rc == 0 && st.nrows == 0)
		fail(&st, "file is empty"), rc = -1;
	*profile = st.profile;
	state_release(&st);
	return rc;
}

/* A profile's `also` reads the same file again, each time as its own
 * input, into the tables of the profiles it names (a contracts register
 * that also lists its tenders). */
static int import_also(pb_ledger *l, const char *path, const pb_config *cfg,
		       const pb_profile *p, pb_error *err)
{
	char *names = pb_xstrdup(p->also), *save = NULL;
	int rc = 0;

	for (char *tok = strtok_r(names, " \t", &save); tok && rc == 0;
	     tok = strtok_r(NULL, " \t", &save)) {
		const pb_profile *other = NULL;
		for (size_t i = 0; i < cfg->nprofiles; i++)
			if (!strcmp(cfg->profiles[i].name, tok))
				other = &cfg->profiles[i];
		if (!other || other == p) {
			pb_error_set(err, PB_EXIT_USAGE, "%s: [profile %s] also = %s: %s", path, p->name,
				     tok, other ? "names itself" : "no such profile");
			rc = -1;
		} else {
			rc = csv_import_one(l, path, NULL, cfg, &other, NULL, err);
		}
	}
	free(names);
	return rc;
}

static int csv_import(pb_ledger *l, const char *path, const char *table,
		      const pb_config *cfg, pb_error *err)
{
	const pb_profile *profile;

	if (pb_config_profile_pick(cfg, path, &profile, err) < 0)
		return -1;
	/* A profile may name parties, met in other files too. */
	if (profile && pb_ledger_is_stage(l))
		return PB_IMPORT_UNSTAGED;
	int rc = csv_import_one(l, path, table, cfg, &profile, NULL, err);
	if (rc != 0)
		return rc;
	return profile && profile->also ? import_also(l, path, cfg, profile, err) : 0;
}

/* A part of a large file (pb_import_part): only without a profile, whose
 * header searches and filters look at the file as a whole. */
static int csv_import_part(pb_ledger *l, const char *path, const char *table,
			   const pb_config *cfg, const pb_import_part *part, pb_error *err)
{
	const pb_profile *profile;

	if (pb_config_profile_pick(cfg, path, &profile, err) < 0 || profile)
		return PB_IMPORT_WHOLE;
	return csv_import_one(l, path, table, cfg, &profile, part, err);
}

static const char *const csv_extensions[] = {"csv", "tsv", "txt", NULL};

const pb_importer pb_importer_csv = {
	.name = "csv",
	.extensions = csv_extensions,
	.help = "canonical ledger tables as CSV (RFC 4180; , ; or tab)",
	.import = csv_import,
	.import_part = csv_import_part,
	.flags = PB_IMPORT_FALLBACK | PB_IMPORT_STAGED,
	/* 45-48 in the bench's ledgers, 50-77 in ../shared/data's exports:
	 * 64 was no low guess, and the 1M-row ledger's table doubled once
	 * while both import threads waited */
	.bytes_per_text = 48,
};
