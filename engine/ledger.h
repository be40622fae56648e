/*
 * ledger.h - the canonical tables of docs/formats.md in memory.
 *
 * Importers fill a pb_ledger; rules read it.  Every record begins with a
 * pb_row saying where it came from, so a finding's evidence always leads
 * back to "file:line" (and, for JSON/XML, the element's path).  Text
 * fields are interned (NULL = unknown), but for free text (PB_COL_PROSE:
 * titles, descriptions, rationales), which is copied as written and
 * compared by its bytes.  Text fields are pb_texts (arena.h: 4 bytes
 * where a pointer takes 8, 0 = unknown, read with pb_str and written
 * with pb_text_of); equal interned texts have equal pb_texts, so ids
 * still compare with ==.  Amounts are int64 minor units of
 * the record's `currency`; dates are pb_date; unknown numbers are the
 * *_NONE markers of value.h.
 *
 * Records live in one growable array per table: pointers are stable only
 * once importing is finished (pb_ledger_seal), which is also when
 * indexes may be asked for.  Indexes are built on first use and kept.
 */
#ifndef PB_LEDGER_H
#define PB_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "pb.h"
#include "value.h"

/* X(ENUM, name, struct): the only list of tables. */
#define PB_TABLES(X)                                                           \
	X(PARTIES, parties, pb_party)                                          \
	X(TENDERS, tenders, pb_tender)                                         \
	X(BIDS, bids, pb_bid)                                                  \
	X(CONTRACTS, contracts, pb_contract)                                   \
	X(AMENDMENTS, amendments, pb_amendment)                                \
	X(PAYMENTS, payments, pb_payment)                                      \
	X(BUDGET, budget, pb_budget_line)                                      \
	X(OFFSETS, offsets, pb_offset)                                         \
	X(RELATIONSHIPS, relationships, pb_relationship)                       \
	X(FX, fx, pb_fx_rate)

typedef enum {
#define X(e, name, type) PB_T_##e,
	PB_TABLES(X)
#undef X
	PB_T_COUNT
} pb_table;

#define PB_NEEDS(t) (1u << (t))

/* A column the canonical table does not know, kept for evidence. */
typedef struct {
	const char *name;
	const char *value;
} pb_attr;

/*
 * Where a record came from, in 8 bytes (a big ledger has millions of
 * rows): its line and an origin, a number in a table of origins the
 * process keeps for all its ledgers (engine/ledger.c).  A CSV row without
 * unknown columns, the bulk of any big ledger, names its file (interned):
 * all the rows of a file share one number.  A row with a JSON pointer or
 * XML path, or with extra columns, names instead a pb_row_more in the
 * arena of the ledger that read it (an absorbed stage's arena is kept by
 * main), with PB_ROW_MORE set.  A pb_row_more is never changed once a row
 * names it, so rows copied from one another may share it.  Importers
 * write a row with pb_row_set and pb_row_set_extras, readers use
 * pb_row_file, pb_row_path, pb_row_extras and `line`; nobody else reads
 * `origin`.  A row is read only while a ledger that holds it lives (a
 * stage's rows are read by the main ledger that absorbed them after the
 * stage is freed): the table of origins is emptied when the last ledger
 * of the process is freed.
 */
struct pb_row_more;

#define PB_ROW_MORE 0x80000000u      /* origin names a struct pb_row_more */
#define PB_ROW_LINE_MAX UINT32_MAX   /* a later line cannot be held */

typedef struct {
	uint32_t origin; /* 0: never set */
	uint32_t line;   /* 1-based line where the record starts */
} pb_row;

typedef struct {
	pb_row row;
	pb_text party_id, name, kind, roles, country, registry_id;
	pb_date registered_on;
	pb_text address, bank_account, position, employer_id;
} pb_party;

typedef struct {
	pb_row row;
	pb_text tender_id, buyer_id, title, description, method, method_details,
		method_rationale, category;
	int64_t estimated_value;
	pb_text currency;
	pb_date published_on, submission_deadline;
	int classified, framework; /* PB_BOOL_NONE, 0, 1 */
	pb_text status; /* planned, active, cancelled, unsuccessful, complete */
	int64_t number_of_tenderers;
} pb_tender;

typedef struct {
	pb_row row;
	pb_text bid_id, tender_id, bidder_id;
	pb_date submitted_on;
	int64_t value;
	pb_text currency, status;
} pb_bid;

typedef struct {
	pb_row row;
	pb_text contract_id, tender_id, buyer_id, supplier_id;
	int64_t value;
	pb_text currency;
	pb_date awarded_on, signed_on, start_on, end_on;
	pb_text status;       /* the contract's: pending, active, cancelled,
			       * terminated, complete */
	pb_text award_status; /* the award's: pending, active, cancelled,
			       * unsuccessful */
	pb_text co_supplier_ids; /* a joint award's other suppliers, ';'-separated */
} pb_contract;

typedef struct {
	pb_row row;
	pb_text amendment_id, contract_id;
	pb_date amended_on;
	int64_t value_before, value_after;
	pb_text currency; /* extension: defaults to the base currency */
	pb_date end_before, end_after;
	pb_text rationale;
} pb_amendment;

typedef struct {
	pb_row row;
	pb_text payment_id, payer_id, payee_id, contract_id, invoice_id;
	pb_date paid_on;
	int64_t amount;
	pb_text currency, budget_line, description, approver_id;
} pb_payment;

typedef struct {
	pb_row row;
	pb_text budget_line;
	int64_t fiscal_year;
	pb_text org_id, description;
	int classified;
	pb_text currency;
	int64_t appropriated, revised, committed, spent;
} pb_budget_line;

typedef struct {
	pb_row row;
	pb_text offset_id, contract_id, obligor_id, beneficiary_id, kind;
	pb_text currency;
	int64_t obligation_value, credited_value;
	int64_t multiplier; /* millionths */
	pb_date due_on, fulfilled_on;
	pb_text status;
	int64_t penalty, penalty_collected;
} pb_offset;

typedef struct {
	pb_row row;
	pb_text from_id, to_id, kind;
	pb_date start_on, end_on;
	pb_text source;
	int64_t share_pct; /* millionths of a percent point: 51.5 -> 51500000 */
} pb_relationship;

/*
 * A dated exchange rate: one unit of `base` is worth `rate` units of
 * `currency` (the ECB's reference rates: base EUR, 1 EUR = 1.0811 USD).
 * The rate is exact: an int64 count of 10^-PB_FX_RATE_DIGITS.
 */
#define PB_FX_RATE_DIGITS 12

typedef struct {
	pb_row row;
	pb_date rate_date;
	pb_text currency, base; /* interned ISO 4217 codes */
	int64_t rate;
} pb_fx_rate;

/* Column kinds; the importer parses a cell according to its kind. */
typedef enum {
	PB_COL_TEXT,     /* interned text */
	PB_COL_ID,       /* interned text, a key or a reference */
	PB_COL_PROSE,    /* free text (a title, a description), kept as
			  * written and not interned: compared by its bytes,
			  * never by pointer (pb_ledger_keep) */
	PB_COL_ENUM,     /* lowercased, must be one of `values` */
	PB_COL_LIST,     /* ';'-separated enum values (parties.roles) */
	PB_COL_DATE,
	PB_COL_AMOUNT,   /* needs the row's currency */
	PB_COL_CURRENCY, /* ISO 4217; empty means the base currency */
	PB_COL_INT,
	PB_COL_DECIMAL,
	PB_COL_BOOL,
	PB_COL_RATE      /* positive, PB_FX_RATE_DIGITS decimals (fx.rate) */
} pb_coltype;

#define PB_COL_KEY 1u      /* part of the primary key: required */
#define PB_COL_REQUIRED 2u /* must not be empty */
/* A key column that may be absent or empty: a currency column then holds
 * the base currency (fx.base). */
#define PB_COL_DEFAULT 4u

typedef struct {
	const char *name;
	pb_coltype type;
	size_t offset;
	size_t size; /* the field's bytes (a text column's is a pb_text) */
	unsigned flags;
	const char *const *values; /* ENUM/LIST: NULL-terminated */
} pb_column;

/* Whether column c holds text (TEXT, ID, PROSE, ENUM, LIST, CURRENCY). */
static inline int pb_column_is_text(const pb_column *c)
{
	switch (c->type) {
	case PB_COL_TEXT:
	case PB_COL_ID:
	case PB_COL_PROSE:
	case PB_COL_ENUM:
	case PB_COL_LIST:
	case PB_COL_CURRENCY:
		return 1;
	default:
		return 0;
	}
}

/* The text in text column c's field of record (NULL: unknown). */
static inline const char *pb_field_text(const pb_column *c, const void *record)
{
	return pb_str(*(const pb_text *)((const unsigned char *)record + c->offset));
}

/* Sets text column c's field of record to s (NULL, or interned in or
 * kept by the record's ledger). */
static inline void pb_field_set_text(const pb_column *c, void *record, const char *s)
{
	*(pb_text *)((unsigned char *)record + c->offset) = pb_text_of(s);
}

typedef struct {
	pb_table id;
	const char *name;
	size_t record_size;
	const pb_column *columns;
	size_t ncolumns;
} pb_table_def;

/* Is table t's key one id column (then a record's key is that interned
 * field), rather than composed of several ("line|year")? */
int pb_table_keyed_by_column(pb_table t);

const pb_table_def *pb_table_get(pb_table t);
/* Looks a table up by name; NULL if none. */
const pb_table_def *pb_table_find(const char *name);
/* Index of column `name` in def, or -1. */
int pb_table_column(const pb_table_def *def, const char *name);

/* Sets every field of a record of table t to "unknown" (NULL text,
 * PB_*_NONE numbers and dates): how importers start each row. */
void pb_record_blank(pb_table t, void *record);
/* Does the field of column c hold a value?  (Its bytes at c->offset.) */
int pb_field_known(const pb_column *c, const void *record);

/* Per-input reconciliation: read = imported + filtered + rejected,
 * always.  Filtered rows are those a profile's named filter rule left out
 * on purpose (a "Total" footer, reversals); they are not errors. */
typedef struct {
	const char *path;
	const char *table;  /* canonical table name, or "mixed" for OCDS */
	const char *format; /* "csv", "ocds", "eforms", "ted" */
	const char *profile; /* mapping profile used (interned), or NULL */
	const char *publisher; /* pb_ledger_publisher of its rows (from seal) */
	uint64_t rows_read, rows_imported, rows_rejected, rows_filtered;
	uint64_t values_unread; /* pb_ledger_unread: not rows, not reconciled */
} pb_input;

typedef struct {
	const char *path;
	uint64_t line;
	const char *reason;
} pb_rejection;

typedef struct pb_ledger pb_ledger;

/* base_currency: the default for empty currency cells, e.g. "EUR". */
pb_ledger *pb_ledger_new(const char *base_currency);
void pb_ledger_free(pb_ledger *l);

/*
 * Reading files in parallel (engine/import.c).  A stage is a ledger for
 * one file, read on a worker thread: it shares main's string table
 * (locked while pb_ledger_set_parallel(main, 1)) and keeps every row, a
 * duplicate key too, so it never looks at other files.  pb_ledger_absorb
 * then adds its input, its rows, its rejections and filtered rows to
 * main, in the file's order: a table main has no rows of and the stage
 * has no duplicate in is taken over whole; otherwise each row goes
 * through pb_ledger_add, so that a duplicate names its first row as when
 * the files are read in turn.  The stage is freed after by its owner.
 */
pb_ledger *pb_ledger_new_stage(pb_ledger *main);
int pb_ledger_is_stage(const pb_ledger *l);
void pb_ledger_set_parallel(pb_ledger *main, int on);
/* About n distinct texts are coming (a guess from the files' sizes):
 * the string table makes room for them before the first is read. */
void pb_ledger_expect_texts(pb_ledger *l, size_t n);
void pb_ledger_absorb(pb_ledger *main, pb_ledger *stage);
/* A stage that read a later part of a file (pb_importer.import_part):
 * its rows, rejections and filtered rows join main's input `in`, the
 * file's, as if read on after the parts before it. */
void pb_ledger_absorb_more(pb_ledger *main, pb_ledger *stage, size_t in);

pb_arena *pb_ledger_arena(pb_ledger *l);
const char *pb_ledger_intern(pb_ledger *l, const char *s, size_t n);
/*
 * A copy of free text (a PB_COL_PROSE field: a title, a description, a
 * rationale) in the ledger's arena, NUL-terminated; NULL when empty.  It
 * is not interned: such text seldom repeats, and interning it cost a
 * look-up in the string table (a cache miss) and a slot in it for each
 * cell, for nothing, since nobody compares it by pointer.
 */
const char *pb_ledger_keep(pb_ledger *l, const char *s, size_t n);
/* pb_strtab_prefetch and pb_intern_hashed on the ledger's strings. */
void pb_ledger_prefetch(const pb_ledger *l, uint32_t hash);
/* Fetches the slot of table t's key map where key would be into the
 * cache, for a record about to be added (a table keyed by one column). */
void pb_ledger_prefetch_key(const pb_ledger *l, pb_table t, const char *key);
/* Fetches the key field of the record of table t that key most likely
 * names, as far as its key map's slot tells without reading a key back:
 * for a caller finding many keys in turn, which fetched this one's slot
 * (pb_ledger_prefetch_key) some look-ups before.  NULL: nothing. */
void pb_ledger_prefetch_record(const pb_ledger *l, pb_table t, const char *key);
const char *pb_ledger_intern_hashed(pb_ledger *l, const char *s, size_t n, uint32_t hash);
/* The interned copy of s[0..n) if the ledger holds that text, else NULL;
 * never adds a text, so rules may call it on a sealed ledger they share.
 * Seal drops the string table's buckets, and the first look-up after it
 * rebuilds them (once, under a lock): tens of MB and a pass over every
 * text of a large ledger.  The engine and the rules look nothing up
 * after seal; pb_ledger_text_rebuilds counts the rebuilds, so that a
 * test can hold them to that. */
const char *pb_ledger_lookup(const pb_ledger *l, const char *s, size_t n);
size_t pb_ledger_text_rebuilds(const pb_ledger *l);
/* Seal also drops the key maps of the tables no other table refers to
 * (bids, payments, amendments, offsets, relationships, fx): they only
 * turned duplicate keys away.  pb_ledger_find on such a table, or a row
 * added after seal, rebuilds its map once, under a lock; this counts
 * the rebuilds, which an audit holds to 0. */
size_t pb_ledger_key_rebuilds(const pb_ledger *l);
/* Formatted text, interned; NULL when it is empty. */
const char *pb_ledger_internf(pb_ledger *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *pb_ledger_base_currency(const pb_ledger *l); /* interned */

/*
 * Adds one input file's counts; returns its index for
 * pb_ledger_input_get / the counters.  path is copied.
 */
size_t pb_ledger_add_input(pb_ledger *l, const char *path, const char *table,
			   const char *format);
pb_input *pb_ledger_input(pb_ledger *l, size_t i);
size_t pb_ledger_ninputs(const pb_ledger *l);
const pb_input *pb_ledger_inputs(const pb_ledger *l);

/*
 * Counts a row of input `in` as read and rejected, remembering why.
 * The reason is copied.
 */
void pb_ledger_reject(pb_ledger *l, size_t in, uint64_t line,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * A file that could not be read (empty, unreadable, not a ledger), or not
 * to its end (a compressed file cut short, a line over a limit), kept
 * when the run goes on without it ([audit] keep_going): every report
 * lists it and the run exits 3 after writing them.  The rows read before
 * the failure stay in the ledger and are audited: rows_read says how
 * many, so that no report calls such a file "not audited".
 */
typedef struct {
	const char *path;
	const char *reason; /* the error, naming the file */
	uint64_t rows_read; /* read before it failed: 0 when nothing was */
} pb_failed_input;

void pb_ledger_fail(pb_ledger *l, const char *path, const char *reason);
size_t pb_ledger_nfailed(const pb_ledger *l);
const pb_failed_input *pb_ledger_failed(const pb_ledger *l);

size_t pb_ledger_nrejections(const pb_ledger *l);
const pb_rejection *pb_ledger_rejections(const pb_ledger *l);

/*
 * A value the row holds that its reader could not take: a date that is
 * no date, an amount without an ISO 4217 currency or finer than its
 * currency's minor unit.  The row is imported with the value unknown
 * (never a guess), and the value is listed with its line and why, so
 * that nothing is dropped unseen.  `where` names the field in the
 * input's own terms (a JSON pointer, an XML path); `value` is quoted
 * as pb_buf_add_quoted does.  The reason reads
 * `WHERE: 'VALUE' WHY; kept as unknown`.
 */
void pb_ledger_unread(pb_ledger *l, size_t in, uint64_t line, const char *where,
		      const char *value, const char *why);
size_t pb_ledger_nunread(const pb_ledger *l);
const pb_rejection *pb_ledger_unread_values(const pb_ledger *l);

/*
 * Rejected rows, filtered rows or values not read grouped by
 * pb_reason_kind, in the order kinds first occur: those of file `path`,
 * or all when path is NULL.  At most max_kinds groups; the reasons of
 * further kinds are counted in *other.  A group has its kind (malloc'd),
 * its count and the indexes in rj of its first three reasons.  Kinds are
 * found by hashing, so a file of a million kinds costs a million steps.
 */
typedef struct {
	char *kind;
	size_t count;
	size_t first[3];
} pb_reason_group;

size_t pb_reason_groups(const pb_rejection *rj, size_t n, const char *path, size_t max_kinds,
			pb_reason_group **out, size_t *other);
void pb_reason_groups_free(pb_reason_group *g, size_t ng);

/*
 * Counts a row of input `in` as read and filtered by the profile rule
 * `rule` (copied), remembered with its line like a rejection; the list
 * is pb_ledger_filtered (reason = the rule's name).
 */
void pb_ledger_filter(pb_ledger *l, size_t in, uint64_t line, const char *rule);
size_t pb_ledger_nfiltered(const pb_ledger *l);
const pb_rejection *pb_ledger_filtered(const pb_ledger *l);

/*
 * Adds a record (copied; its text must already be interned in this
 * ledger) to table t and counts a row of input `in` as read and
 * imported.  A duplicate primary key is not added: the row is counted
 * as rejected, naming where the key was first seen, and -1 is returned.
 */
int pb_ledger_add(pb_ledger *l, size_t in, pb_table t, const void *record);
/* Room for `more` rows of table t beyond those it holds, and for their
 * keys, made at once: an importer that can guess how many rows a file
 * holds spares the table and its key map doubling as they fill (each
 * doubling of the key map reads every key again).  A guess too small
 * only means the table grows as before; -1 when the memory for the
 * guess is not there (a limit on the process), and the table grows as
 * rows come, as far as the memory goes. */
int pb_ledger_reserve(pb_ledger *l, pb_table t, size_t more);

/*
 * For formats whose unit of input is a document holding many records
 * (an OCDS release, an eForms notice): adds a record without counting an
 * input row.  Returns 0 when added, 1 when a record with the same key is
 * already there (nothing added; *existing points at it, so the importer
 * can merge or report), and the caller counts the document itself with
 * pb_ledger_count_imported or pb_ledger_reject.
 */
int pb_ledger_insert(pb_ledger *l, pb_table t, const void *record,
		     const void **existing);
void pb_ledger_count_imported(pb_ledger *l, size_t in);

/*
 * Sets where row r came from: its file (interned), line and, for JSON
 * or XML, its path (interned, or NULL); its extras are kept.  r must be
 * blank (pb_record_blank) or set before.  A row that needs a pb_row_more
 * gets a new one in l's arena.  Returns -1, changing nothing, when line
 * is beyond PB_ROW_LINE_MAX: the importer rejects the record rather
 * than give it a wrong line.
 */
int pb_row_set(pb_ledger *l, pb_row *r, const char *file, uint64_t line, const char *path);
/* Gives r the n extras at a (which must live as long as l's arena);
 * its file, line and path are kept. */
void pb_row_set_extras(pb_ledger *l, pb_row *r, const pb_attr *a, uint32_t n);

/* The row's file (interned; NULL if never set) and its JSON pointer or
 * XML path (NULL for CSV). */
const char *pb_row_file(const pb_row *r);
const char *pb_row_path(const pb_row *r);
/* The row's unknown columns, *n of them (NULL when there are none). */
const pb_attr *pb_row_extras(const pb_row *r, uint32_t *n);
/* The value of the row's extra column `name`, or NULL. */
const char *pb_row_extra(const pb_row *r, const char *name);
/*
 * Extra attributes that rules read as more than text (payments'
 * invoice_date, an ISO 8601 date, read by payments.duplicate).
 * pb_extra_typed: is extra `name` of table t one of them?
 * pb_extra_unreadable: why its `value` cannot be read, or NULL when it
 * can or the extra is not typed.  Importers list such a value as not
 * read (pb_ledger_unread); the rule then treats it as absent.
 */
int pb_extra_typed(pb_table t, const char *name);
const char *pb_extra_unreadable(pb_table t, const char *name, const char *value);
/* Gives r the extra `name` (in place of one it has of that name); name
 * and value must live as long as l's arena. */
void pb_row_add_extra(pb_ledger *l, pb_row *r, const char *name, const char *value);

/*
 * For importers that meet one record in several documents (OCDS
 * releases, a contract notice and its award notice): copies into dst
 * each field src knows, or with gaps_only only those dst lacks.
 */
void pb_ledger_merge_fields(pb_table t, void *dst, const void *src, int gaps_only);
/* dst gets the extras of `first` and those of `second` that `first`
 * does not name (dst may be either). */
void pb_ledger_merge_extras(pb_ledger *l, pb_row *dst, const pb_row *first,
			    const pb_row *second);

/* Ends importing: from now on records and indexes may be read, and
 * texts are no longer looked up (pb_ledger_lookup). */
void pb_ledger_seal(pb_ledger *l);
/* The same on up to `jobs` threads (the passes over every record). */
void pb_ledger_seal_jobs(pb_ledger *l, int jobs);

size_t pb_ledger_count(const pb_ledger *l, pb_table t);
const void *pb_ledger_at(const pb_ledger *l, pb_table t, size_t i);
/* The record whose primary key is `key` (interned), or NULL. */
const void *pb_ledger_find(pb_ledger *l, pb_table t, const char *key);

/*
 * Records of table t whose text field at `field_offset` equals `key`
 * (interned), as indexes into the table in file order.  Built once per
 * (table, field) and cached.  *n is 0 and the result NULL if none.
 */
const uint32_t *pb_ledger_group(pb_ledger *l, pb_table t, size_t field_offset,
				const char *key, size_t *n);

/*
 * References resolved once.  For each record of table t, the row of table
 * `target` whose primary key (one column) its text field at field_offset
 * names, or PB_NO_ROW: built on first use per (t, field, target) and
 * cached, so that rules which follow the same reference (a bid's bidder,
 * a contract's supplier) share one pass over the table instead of a key
 * look-up each, per record, per rule.
 */
#define PB_NO_ROW UINT32_MAX /* pb_ledger_at(l, t, PB_NO_ROW) is NULL */
const uint32_t *pb_ledger_refs(pb_ledger *l, pb_table t, size_t field_offset, pb_table target);

/*
 * The records of table t that name row `row` of `target` in their field
 * at field_offset (indexes into t, in file order), *n of them, or NULL:
 * pb_ledger_group by a row's number instead of its key, an array read
 * where a group's look-up is a hash probe.  Built on first use from the
 * references pb_ledger_refs gives (resolved for it alone, and dropped,
 * when no rule asked for those).
 */
const uint32_t *pb_ledger_children(pb_ledger *l, pb_table t, size_t field_offset,
				   pb_table target, size_t row, size_t *n);

/* The index of record rec, which must be one of table t's (any other
 * pointer is an internal error, not a wrong answer). */
size_t pb_ledger_index_of(const pb_ledger *l, pb_table t, const void *rec);
/* Is rec one of table t's records (not a copy of one)? */
int pb_ledger_holds(const pb_ledger *l, pb_table t, const void *rec);

/* The children rules ask for most, by a record of the ledger's own. */
const uint32_t *pb_tender_bids(pb_ledger *l, const pb_tender *t, size_t *n);
const uint32_t *pb_tender_contracts(pb_ledger *l, const pb_tender *t, size_t *n);
const uint32_t *pb_contract_payments(pb_ledger *l, const pb_contract *c, size_t *n);
const uint32_t *pb_contract_amendments(pb_ledger *l, const pb_contract *c, size_t *n);

/* Typed conveniences: pb_ledger_parties(l, &n) etc. */
#define X(e, name, type)                                                       \
	static inline const type *pb_ledger_##name(const pb_ledger *l,         \
						   size_t *n)                  \
	{                                                                      \
		*n = pb_ledger_count(l, PB_T_##e);                             \
		return *n ? (const type *)pb_ledger_at(l, PB_T_##e, 0) : NULL; \
	}
PB_TABLES(X)
#undef X

/* How many records of table t carry a value in column `col` (def index). */
size_t pb_ledger_filled(const pb_ledger *l, pb_table t, size_t col);

/* Event dates the default reference date leaves out, and the record
 * that holds the latest of them. */
typedef struct {
	size_t n;               /* 0: none was left out */
	pb_date earliest, latest;
	const char *table;      /* "contracts" */
	const char *field;      /* "awarded_on" */
	const pb_row *row;      /* the record dated `latest` */
} pb_dates_aside;

/*
 * The latest date on which something happened in the ledger (the default
 * --as-of), or NONE.  A few dates more than a year after every other
 * event are typing errors, not the extract's date (GACM's OCDS dates an
 * award 2105-10-09 in releases of 2017): with PB_ASIDE_MIN_EVENTS event
 * dates or more, the latest dates are left out while they are over
 * PB_ASIDE_GAP_DAYS after every other and no more than one in
 * PB_ASIDE_SHARE of them (one at least).  Which ones, in *aside when not
 * NULL.
 */
#define PB_ASIDE_MIN_EVENTS 50
#define PB_ASIDE_SHARE 100
#define PB_ASIDE_GAP_DAYS 366
pb_date pb_ledger_latest_date(const pb_ledger *l, pb_dates_aside *aside);

/* "file:line" (or "file:line#path") of a row, added to b, or allocated
 * in a (rules use their scratch): never in the ledger, which rules and
 * reporters read from several threads at once. */
void pb_row_source_add(pb_buf *b, const pb_row *row);
const char *pb_row_source_in(pb_arena *a, const pb_row *row);

/*
 * Process state.  Does a contracts row stand for an award that was
 * actually made?  Not when the award is pending (unless its contract is
 * active, terminated or complete: a stale award status), cancelled or
 * unsuccessful, the contract cancelled, or its tender cancelled,
 * unsuccessful or withdrawn (a "planned" tender with a contract is a
 * stale tender status).  Unknown statuses count as made: a publisher's
 * own words (Moldova's "Înregistrat(ă)") do not undo an award.  *why
 * (may be NULL) is set to the reason when it is not.
 */
int pb_contract_is_award(pb_ledger *l, const pb_contract *c, const char **why);
/* Did the tender end without an award, or not start: cancelled,
 * unsuccessful, withdrawn, planning or planned?  NULL is not void. */
int pb_tender_is_void(const pb_tender *t);

/*
 * The suppliers of a contract: supplier_id, then co_supplier_ids (a joint
 * award).  Fills at most max interned ids and returns how many there are
 * in all (0 when the supplier is unknown).
 */
size_t pb_contract_suppliers(pb_ledger *l, const pb_contract *c,
			     const char **ids, size_t max);

/*
 * Who published a record, for rules that judge a publisher's habits
 * once rather than each record: the file for CSV exports and XML notices
 * (each notice is filled in by one buyer); for OCDS, the registered ocid
 * prefix its file's ocids share ("the publisher of ocds-87sd3t", which
 * spans a publisher's folders of records and of releases), else the
 * file's folder.  Interned: one publisher, one pointer.
 */
const char *pb_ledger_publisher(const pb_ledger *l, const pb_row *row);

/* The format of the input a record came from ("csv", "ocds", "eforms",
 * "ted"; see pb_input), for rules that judge what a kind of export
 * carries: interned, or "" for a record of no input. */
const char *pb_ledger_format(const pb_ledger *l, const pb_row *row);

/* The day a contract was awarded: awarded_on, else signed_on. */
static inline pb_date pb_contract_award_date(const pb_contract *c)
{
	return c->awarded_on != PB_DATE_NONE ? c->awarded_on : c->signed_on;
}

/* The day a contract's value is converted at, when a threshold is in
 * another currency: the award date, else its start (CompraNet's 2010-12
 * register dates most direct awards only by their start).  A rate is
 * a level, not an event: a day near the award is as good as it. */
static inline pb_date pb_contract_value_date(const pb_contract *c)
{
	pb_date d = pb_contract_award_date(c);

	return d != PB_DATE_NONE ? d : c->start_on;
}

/* Distinct procedures among contracts: the lots of one tender count
 * once (a contract without a tender is its own procedure). */
size_t pb_contracts_procedures(const pb_contract *const *c, size_t n);

/* Method helpers shared by rules and importers. */
int pb_method_is_competitive(const char *method);    /* open, selective */
int pb_method_is_noncompetitive(const char *method); /* limited, direct */

/* The primary key of a record as text ("L-1|2024" for composite keys).
 * A key the sealed ledger does not hold (a record made by a rule) is
 * copied into `a` by pb_ledger_key_in (rules pass their scratch: the
 * ledger is not written while rules run), into the ledger's arena by
 * pb_ledger_key (importing). */
const char *pb_ledger_key(pb_ledger *l, pb_table t, const void *record);
const char *pb_ledger_key_in(pb_ledger *l, pb_table t, const void *record, pb_arena *a);

#endif
