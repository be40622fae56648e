/*
 * ledger.c - the canonical tables, their column definitions, and the
 * in-memory ledger with its key and group indexes.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ledger.h"
#include "normalize.h"
#include "parallel.h"

/* --- column definitions: docs/formats.md, table by table --- */

static const char *const kinds_party[] = {"organisation", "person", NULL};
static const char *const roles_party[] = {
	"buyer", "supplier", "official", "agent", "owner", "tenderer",
	"beneficiary", "obligor", "payer", "payee", NULL};
static const char *const methods[] = {"open", "selective", "limited",
				      "direct", NULL};
static const char *const categories[] = {"goods", "works", "services", NULL};
static const char *const bid_statuses[] = {"valid", "disqualified",
					   "withdrawn", "pending", NULL};
static const char *const offset_kinds[] = {"direct", "indirect", NULL};
static const char *const offset_statuses[] = {"pending", "fulfilled",
					      "waived", "defaulted", NULL};
static const char *const relationship_kinds[] = {
	"owner", "director", "relative", "spouse", "employee", "agent",
	"declared_interest", NULL};

#define COL(type, field, kind, flags, values)                                  \
	{#field, kind, offsetof(type, field), sizeof(((type *)0)->field), flags, values}

static const pb_column cols_parties[] = {
	COL(pb_party, party_id, PB_COL_ID, PB_COL_KEY, NULL),
	COL(pb_party, name, PB_COL_TEXT, 0, NULL),
	COL(pb_party, kind, PB_COL_ENUM, 0, kinds_party),
	COL(pb_party, roles, PB_COL_LIST, 0, roles_party),
	COL(pb_party, country, PB_COL_TEXT, 0, NULL),
	COL(pb_party, registry_id, PB_COL_ID, 0, NULL),
	COL(pb_party, registered_on, PB_COL_DATE, 0, NULL),
	COL(pb_party, address, PB_COL_TEXT, 0, NULL),
	COL(pb_party, bank_account, PB_COL_ID, 0, NULL),
	COL(pb_party, position, PB_COL_TEXT, 0, NULL),
	COL(pb_party, employer_id, PB_COL_ID, 0, NULL),
};

static const pb_column cols_tenders[] = {
	COL(pb_tender, tender_id, PB_COL_ID, PB_COL_KEY, NULL),
	COL(pb_tender, buyer_id, PB_COL_ID, 0, NULL),
	COL(pb_tender, title, PB_COL_PROSE, 0, NULL),
	COL(pb_tender, description, PB_COL_PROSE, 0, NULL),
	COL(pb_tender, method, PB_COL_ENUM, 0, methods),
	COL(pb_tender, method_details, PB_COL_TEXT, 0, NULL),
	COL(pb_tender, method_rationale, PB_COL_PROSE, 0, NULL),
	COL(pb_tender, category, PB_COL_ENUM, 0, categories),
	COL(pb_tender, estimated_value, PB_COL_AMOUNT, 0, NULL),
	COL(pb_tender, currency, PB_COL_CURRENCY, 0, NULL),
	COL(pb_tender, published_on, PB_COL_DATE, 0, NULL),
	COL(pb_tender, submission_deadline, PB_COL_DATE, 0, NULL),
	COL(pb_tender, number_of_tenderers, PB_COL_INT, 0, NULL),
	COL(pb_tender, classified, PB_COL_BOOL, 0, NULL),
	COL(pb_tender, framework, PB_COL_BOOL, 0, NULL),
	COL(pb_tender, status, PB_COL_TEXT, 0, NULL),
};

static const pb_column cols_bids[] = {
	COL(pb_bid, bid_id, PB_COL_ID, PB_COL_KEY, NULL),
	COL(pb_bid, tender_id, PB_COL_ID, 0, NULL),
	COL(pb_bid, bidder_id, PB_COL_ID, 0, NULL),
	COL(pb_bid, value, PB_COL_AMOUNT, 0, NULL),
	COL(pb_bid, currency, PB_COL_CURRENCY, 0, NULL),
	COL(pb_bid, submitted_on, PB_COL_DATE, 0, NULL),
	COL(pb_bid, status, PB_COL_ENUM, 0, bid_statuses),
};

static const pb_column cols_contracts[] = {
	COL(pb_contract, contract_id, PB_COL_ID, PB_COL_KEY, NULL),
	COL(pb_contract, tender_id, PB_COL_ID, 0, NULL),
	COL(pb_contract, buyer_id, PB_COL_ID, 0, NULL),
	COL(pb_contract, supplier_id, PB_COL_ID, 0, NULL),
	COL(pb_contract, value, PB_COL_AMOUNT, 0, NULL),
	COL(pb_contract, currency, PB_COL_CURRENCY, 0, NULL),
	COL(pb_contract, awarded_on, PB_COL_DATE, 0, NULL),
	COL(pb_contract, signed_on, PB_COL_DATE, 0, NULL),
	COL(pb_contract, start_on, PB_COL_DATE, 0, NULL),
	COL(pb_contract, end_on, PB_COL_DATE, 0, NULL),
	COL(pb_contract, status, PB_COL_TEXT, 0, NULL),
	COL(pb_contract, award_status, PB_COL_TEXT, 0, NULL),
	COL(pb_contract, co_supplier_ids, PB_COL_TEXT, 0, NULL),
};

static const pb_column cols_amendments[] = {
	COL(pb_amendment, amendment_id, PB_COL_ID, PB_COL_KEY, NULL),
	COL(pb_amendment, contract_id, PB_COL_ID, 0, NULL),
	COL(pb_amendment, amended_on, PB_COL_DATE, 0, NULL),
	COL(pb_amendment, value_before, PB_COL_AMOUNT, 0, NULL),
	COL(pb_amendment, value_after, PB_COL_AMOUNT, 0, NULL),
	COL(pb_amendment, currency, PB_COL_CURRENCY, 0, NULL),
	COL(pb_amendment, end_before, PB_COL_DATE, 0, NULL),
	COL(pb_amendment, end_after, PB_COL_DATE, 0, NULL),
	COL(pb_amendment, rationale, PB_COL_PROSE, 0, NULL),
};

static const pb_column cols_payments[] = {
	COL(pb_payment, payment_id, PB_COL_ID, PB_COL_KEY, NULL),
	COL(pb_payment, payer_id, PB_COL_ID, 0, NULL),
	COL(pb_payment, payee_id, PB_COL_ID, 0, NULL),
	COL(pb_payment, contract_id, PB_COL_ID, 0, NULL),
	COL(pb_payment, invoice_id, PB_COL_ID, 0, NULL),
	COL(pb_payment, amount, PB_COL_AMOUNT, 0, NULL),
	COL(pb_payment, currency, PB_COL_CURRENCY, 0, NULL),
	COL(pb_payment, paid_on, PB_COL_DATE, 0, NULL),
	COL(pb_payment, budget_line, PB_COL_ID, 0, NULL),
	COL(pb_payment, description, PB_COL_PROSE, 0, NULL),
	COL(pb_payment, approver_id, PB_COL_ID, 0, NULL),
};

static const pb_column cols_budget[] = {
	COL(pb_budget_line, budget_line, PB_COL_ID, PB_COL_KEY, NULL),
	COL(pb_budget_line, fiscal_year, PB_COL_INT, PB_COL_KEY, NULL),
	COL(pb_budget_line, org_id, PB_COL_ID, 0, NULL),
	COL(pb_budget_line, description, PB_COL_PROSE, 0, NULL),
	COL(pb_budget_line, classified, PB_COL_BOOL, 0, NULL),
	COL(pb_budget_line, appropriated, PB_COL_AMOUNT, 0, NULL),
	COL(pb_budget_line, revised, PB_COL_AMOUNT, 0, NULL),
	COL(pb_budget_line, committed, PB_COL_AMOUNT, 0, NULL),
	COL(pb_budget_line, spent, PB_COL_AMOUNT, 0, NULL),
	COL(pb_budget_line, currency, PB_COL_CURRENCY, 0, NULL),
};

static const pb_column cols_offsets[] = {
	COL(pb_offset, offset_id, PB_COL_ID, PB_COL_KEY, NULL),
	COL(pb_offset, contract_id, PB_COL_ID, 0, NULL),
	COL(pb_offset, obligor_id, PB_COL_ID, 0, NULL),
	COL(pb_offset, beneficiary_id, PB_COL_ID, 0, NULL),
	COL(pb_offset, kind, PB_COL_ENUM, 0, offset_kinds),
	COL(pb_offset, obligation_value, PB_COL_AMOUNT, 0, NULL),
	COL(pb_offset, credited_value, PB_COL_AMOUNT, 0, NULL),
	COL(pb_offset, multiplier, PB_COL_DECIMAL, 0, NULL),
	COL(pb_offset, currency, PB_COL_CURRENCY, 0, NULL),
	COL(pb_offset, due_on, PB_COL_DATE, 0, NULL),
	COL(pb_offset, fulfilled_on, PB_COL_DATE, 0, NULL),
	COL(pb_offset, status, PB_COL_ENUM, 0, offset_statuses),
	COL(pb_offset, penalty, PB_COL_AMOUNT, 0, NULL),
	COL(pb_offset, penalty_collected, PB_COL_AMOUNT, 0, NULL),
};

static const pb_column cols_relationships[] = {
	COL(pb_relationship, from_id, PB_COL_ID, PB_COL_KEY, NULL),
	COL(pb_relationship, to_id, PB_COL_ID, PB_COL_KEY, NULL),
	COL(pb_relationship, kind, PB_COL_ENUM, PB_COL_KEY, relationship_kinds),
	COL(pb_relationship, share_pct, PB_COL_DECIMAL, 0, NULL),
	COL(pb_relationship, start_on, PB_COL_DATE, 0, NULL),
	COL(pb_relationship, end_on, PB_COL_DATE, 0, NULL),
	COL(pb_relationship, source, PB_COL_TEXT, 0, NULL),
};

/* The key is date, currency and base, so that rates against several
 * bases can be loaded side by side. */
static const pb_column cols_fx[] = {
	COL(pb_fx_rate, rate_date, PB_COL_DATE, PB_COL_KEY, NULL),
	COL(pb_fx_rate, currency, PB_COL_CURRENCY, PB_COL_KEY, NULL),
	COL(pb_fx_rate, base, PB_COL_CURRENCY, PB_COL_KEY | PB_COL_DEFAULT, NULL),
	COL(pb_fx_rate, rate, PB_COL_RATE, PB_COL_REQUIRED, NULL),
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

static const pb_table_def table_defs[PB_T_COUNT] = {
#define X(e, nm, type)                                                         \
	[PB_T_##e] = {PB_T_##e, #nm, sizeof(type), cols_##nm, NCOLS(cols_##nm)},
	PB_TABLES(X)
#undef X
};

const pb_table_def *pb_table_get(pb_table t)
{
	return t < PB_T_COUNT ? &table_defs[t] : NULL;
}

const pb_table_def *pb_table_find(const char *name)
{
	for (int t = 0; t < PB_T_COUNT; t++)
		if (!strcmp(table_defs[t].name, name))
			return &table_defs[t];
	return NULL;
}

int pb_table_column(const pb_table_def *def, const char *name)
{
	for (size_t i = 0; i < def->ncolumns; i++)
		if (!strcmp(def->columns[i].name, name))
			return (int)i;
	return -1;
}

/* --- the ledger --- */

/* Distinct (table, column) groupings rules may ask for; 20 or so are used. */
#define PB_MAX_GROUP_INDEXES 64

struct group_index {
	pb_table table;
	const struct table_store *ts;
	const pb_column *column; /* the field grouped by */
	pb_grouping groups; /* record indexes by the field's value, in file order */
};

/* Distinct references rules ask to have resolved (pb_ledger_refs). */
#define PB_MAX_REF_INDEXES 32

/* Each is built on first use and kept: the references when a rule asks
 * for them, the children when one asks for those (from the references,
 * resolved afresh and dropped when nobody asked for them: at 10M rows a
 * payment's payee was 9 MB nobody read). */
struct ref_index {
	pb_table table, target;
	size_t offset;
	uint32_t *_Atomic rows;  /* per record of table: target's row or PB_NO_ROW */
	uint32_t *_Atomic start; /* children: by target row */
	uint32_t *items;         /* children: records of table, by target row */
};

struct table_store {
	unsigned char *data;
	size_t count, cap, size;
	size_t ready;   /* bytes of data writable already (pb_populate_ahead) */
	pb_idmap keys;  /* primary key -> record index */
	/* seal dropped keys (keys_drop_unreferred): the next look-up or
	 * added row rebuilds them (keys_restore) */
	_Atomic int keys_dropped;
	const pb_column *key_col; /* the key's column when it is one, else NULL */
	const char **ckeys; /* composite keys (interned), by record index */
	size_t *filled;  /* per column, counted once at seal */
	size_t unkeyed;  /* a stage's rows with no key or a key seen before */
};

struct pb_ledger {
	pb_arena *arena;
	pb_strtab *strings;
	const char *base_currency;
	struct table_store tables[PB_T_COUNT];
	pb_input *inputs;
	size_t ninputs, capinputs;
	pb_ptrmap *input_of; /* interned path -> index of its first input */
	pb_rejection *rejections;
	size_t nrejections, caprejections;
	pb_failed_input *failed;
	size_t nfailed, capfailed;
	pb_rejection *filtered;
	size_t nfiltered, capfiltered;
	pb_rejection *unread; /* pb_ledger_unread: values, not rows */
	size_t nunread, capunread;
	/* Group indexes are built on first use, possibly by rules running
	 * in parallel: each is published once, complete, in a fixed slot;
	 * readers take no lock, builders take group_lock. */
	struct group_index *_Atomic indexes[PB_MAX_GROUP_INDEXES];
	_Atomic size_t nindexes;
	struct ref_index *_Atomic refs[PB_MAX_REF_INDEXES]; /* the same way */
	_Atomic size_t nrefs;
	pthread_mutex_t group_lock;
	/* taken to rebuild a key map seal dropped: by rules, in parallel */
	pthread_mutex_t keys_lock;
	_Atomic size_t key_rebuilds;
	int sealed;
	/* A stage (pb_ledger_new_stage): one file read on a worker thread,
	 * for `main`, whose string table it shares. */
	pb_ledger *main;
	pb_arena **adopted; /* arenas of absorbed stages: their text lives on */
	size_t nadopted, capadopted;
	/* By contract index, from seal: which status says it is no award
	 * (enum award_verdict).  A score of rules ask for every contract,
	 * and each answer looked its tender up. */
	unsigned char *not_award;
	size_t nnot_award;
	/* Each co_supplier_ids list's ids, interned at seal (rules look
	 * nothing up in the string table, whose buckets seal drops): the
	 * list's text -> its first id in co_ids, whose lists end in NULL. */
	pb_ptrmap *co_lists;
	const char **co_ids;
	size_t nco_ids, capco_ids;
	/* Numbers in the process's table of row origins reserved for this
	 * ledger's rows, and the last file's (pb_row). */
	uint32_t origin_next, origin_end;
	const char *last_file;
	uint32_t last_file_origin;
};

/* Shards of the ledger's string table: enough that two or a few
 * threads importing files rarely want the same one at once. */
#define PB_STRING_SHARD_BITS 8

/* A table's key column when its key is one id column (pb_ledger_key
 * returns that field), else NULL: composed. */
static const pb_column *key_column(const pb_table_def *def)
{
	const pb_column *first = &def->columns[0];

	if (first->type == PB_COL_ID &&
	    (def->ncolumns < 2 || !(def->columns[1].flags & PB_COL_KEY)))
		return first;
	return NULL;
}

int pb_table_keyed_by_column(pb_table t)
{
	return key_column(&table_defs[t]) != NULL;
}

static void origins_ledger_born(void);
static void origins_ledger_died(void);

static pb_ledger *ledger_alloc(void)
{
	pb_ledger *l = pb_xcalloc(1, sizeof(*l));

	origins_ledger_born();
	l->arena = pb_arena_new_text();
	l->input_of = pb_ptrmap_new();
	pthread_mutex_init(&l->group_lock, NULL);
	pthread_mutex_init(&l->keys_lock, NULL);
	for (int t = 0; t < PB_T_COUNT; t++) {
		l->tables[t].size = table_defs[t].record_size;
		l->tables[t].key_col = key_column(&table_defs[t]);
	}
	return l;
}

pb_ledger *pb_ledger_new(const char *base_currency)
{
	pb_ledger *l = ledger_alloc();

	l->strings = pb_strtab_new_shared(PB_STRING_SHARD_BITS);
	l->base_currency = pb_intern_str(l->strings, base_currency);
	return l;
}

pb_ledger *pb_ledger_new_stage(pb_ledger *main)
{
	pb_ledger *l = ledger_alloc();

	l->strings = main->strings;
	l->base_currency = main->base_currency;
	l->main = main;
	return l;
}

int pb_ledger_is_stage(const pb_ledger *l)
{
	return l->main != NULL;
}

void pb_ledger_set_parallel(pb_ledger *l, int on)
{
	pb_strtab_set_locking(l->strings, on);
}

void pb_ledger_expect_texts(pb_ledger *l, size_t n)
{
	pb_strtab_reserve(l->strings, n);
}

void pb_ledger_free(pb_ledger *l)
{
	if (!l)
		return;
	for (int t = 0; t < PB_T_COUNT; t++) {
		free(l->tables[t].data);
		free(l->tables[t].filled);
		pb_idmap_release(&l->tables[t].keys);
		free(l->tables[t].ckeys);
	}
	for (size_t i = 0; i < l->nindexes; i++) {
		struct group_index *g = l->indexes[i];
		pb_grouping_release(&g->groups);
		free(g);
	}
	for (size_t i = 0; i < l->nrefs; i++) {
		struct ref_index *r = l->refs[i];
		free(r->rows);
		free(r->start);
		free(r->items);
		free(r);
	}
	pthread_mutex_destroy(&l->group_lock);
	pthread_mutex_destroy(&l->keys_lock);
	free(l->not_award);
	pb_ptrmap_free(l->co_lists);
	free(l->co_ids);
	free(l->inputs);
	pb_ptrmap_free(l->input_of);
	free(l->rejections);
	free(l->failed);
	free(l->filtered);
	free(l->unread);
	if (!l->main)
		pb_strtab_free(l->strings);
	for (size_t i = 0; i < l->nadopted; i++)
		pb_arena_free(l->adopted[i]);
	free(l->adopted);
	pb_arena_free(l->arena);
	free(l);
	origins_ledger_died();
}

pb_arena *pb_ledger_arena(pb_ledger *l)
{
	return l->arena;
}

const char *pb_ledger_intern(pb_ledger *l, const char *s, size_t n)
{
	return pb_intern(l->strings, s, n);
}

const char *pb_ledger_keep(pb_ledger *l, const char *s, size_t n)
{
	return s && n ? pb_arena_strndup(l->arena, s, n) : NULL;
}

void pb_ledger_prefetch(const pb_ledger *l, uint32_t hash)
{
	pb_strtab_prefetch(l->strings, hash);
}

void pb_ledger_prefetch_key(const pb_ledger *l, pb_table t, const char *key)
{
	if (l->tables[t].key_col)
		pb_idmap_prefetch(&l->tables[t].keys, key);
}

void pb_ledger_prefetch_record(const pb_ledger *l, pb_table t, const char *key)
{
	const struct table_store *ts = &l->tables[t];
	uint32_t v = key && ts->key_col ? pb_idmap_peek(&ts->keys, key) : PB_IDMAP_NONE;

	if (v != PB_IDMAP_NONE && v < ts->count)
		__builtin_prefetch(ts->data + (size_t)v * ts->size + ts->key_col->offset);
}

const char *pb_ledger_intern_hashed(pb_ledger *l, const char *s, size_t n, uint32_t hash)
{
	return pb_intern_hashed(l->strings, s, n, hash);
}

const char *pb_ledger_base_currency(const pb_ledger *l)
{
	return l->base_currency;
}

size_t pb_ledger_add_input(pb_ledger *l, const char *path, const char *table,
			   const char *format)
{
	PB_GROW(l->inputs, l->ninputs + 1, l->capinputs);
	pb_input *in = &l->inputs[l->ninputs];
	memset(in, 0, sizeof(*in));
	in->path = pb_intern_str(l->strings, path);
	in->table = pb_intern_str(l->strings, table);
	in->format = pb_intern_str(l->strings, format);
	uint32_t first;
	if (!pb_ptrmap_get(l->input_of, in->path, &first))
		pb_ptrmap_put(l->input_of, in->path, (uint32_t)l->ninputs);
	return l->ninputs++;
}

pb_input *pb_ledger_input(pb_ledger *l, size_t i)
{
	return i < l->ninputs ? &l->inputs[i] : NULL;
}

size_t pb_ledger_ninputs(const pb_ledger *l)
{
	return l->ninputs;
}

const pb_input *pb_ledger_inputs(const pb_ledger *l)
{
	return l->inputs;
}

/* A row read and not imported, kept with its line and why. */
static void note_row(pb_rejection **list, size_t *n, size_t *cap, const pb_input *in,
		     uint64_t line, const char *reason)
{
	PB_GROW(*list, *n + 1, *cap);
	(*list)[(*n)++] = (pb_rejection){in->path, line, reason};
}

static void add_rejection(pb_ledger *l, size_t in, uint64_t line,
			  const char *reason)
{
	note_row(&l->rejections, &l->nrejections, &l->caprejections, &l->inputs[in], line, reason);
	l->inputs[in].rows_read++;
	l->inputs[in].rows_rejected++;
}

void pb_ledger_reject(pb_ledger *l, size_t in, uint64_t line, const char *fmt,
		      ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_rejection(l, in, line, pb_arena_vprintf(l->arena, fmt, ap));
	va_end(ap);
}

void pb_ledger_fail(pb_ledger *l, const char *path, const char *reason)
{
	/* its first input, when it got as far as one (a file cut in parts
	 * has one; one read into two tables by a profile's `also` counts its
	 * rows in each) */
	const char *interned = pb_strtab_find(l->strings, path, strlen(path));
	uint32_t in;
	uint64_t rows = interned && pb_ptrmap_get(l->input_of, interned, &in) ? l->inputs[in].rows_read : 0;

	PB_GROW(l->failed, l->nfailed + 1, l->capfailed);
	l->failed[l->nfailed].path = pb_arena_strdup(l->arena, path);
	l->failed[l->nfailed].reason = pb_arena_strdup(l->arena, reason);
	l->failed[l->nfailed].rows_read = rows;
	l->nfailed++;
}

size_t pb_ledger_nfailed(const pb_ledger *l)
{
	return l->nfailed;
}

const pb_failed_input *pb_ledger_failed(const pb_ledger *l)
{
	return l->failed;
}

size_t pb_ledger_nrejections(const pb_ledger *l)
{
	return l->nrejections;
}

const pb_rejection *pb_ledger_rejections(const pb_ledger *l)
{
	return l->rejections;
}

static void add_filtered(pb_ledger *l, size_t in, uint64_t line, const char *reason)
{
	note_row(&l->filtered, &l->nfiltered, &l->capfiltered, &l->inputs[in], line, reason);
	l->inputs[in].rows_read++;
	l->inputs[in].rows_filtered++;
}

void pb_ledger_filter(pb_ledger *l, size_t in, uint64_t line, const char *rule)
{
	add_filtered(l, in, line, pb_intern_str(l->strings, rule));
}

size_t pb_ledger_nfiltered(const pb_ledger *l)
{
	return l->nfiltered;
}

const pb_rejection *pb_ledger_filtered(const pb_ledger *l)
{
	return l->filtered;
}

static void add_unread(pb_ledger *l, size_t in, uint64_t line, const char *reason)
{
	note_row(&l->unread, &l->nunread, &l->capunread, &l->inputs[in], line, reason);
	l->inputs[in].values_unread++;
}

void pb_ledger_unread(pb_ledger *l, size_t in, uint64_t line, const char *where,
		      const char *value, const char *why)
{
	pb_buf b;

	pb_buf_init(&b);
	pb_buf_addf(&b, "%s: ", where);
	pb_buf_add_quoted(&b, value, strlen(value));
	pb_buf_addf(&b, " %s; kept as unknown", why);
	add_unread(l, in, line, pb_arena_strdup(l->arena, b.data));
	pb_buf_release(&b);
}

size_t pb_reason_groups(const pb_rejection *rj, size_t n, const char *path, size_t max_kinds,
			pb_reason_group **out, size_t *other)
{
	pb_arena *a = pb_arena_new();
	pb_strtab *kinds = pb_strtab_new(a);
	pb_ptrmap *group_of = pb_ptrmap_new();
	pb_reason_group *g = NULL;
	size_t ng = 0, cap = 0;

	*other = 0;
	for (size_t i = 0; i < n; i++) {
		if (path && strcmp(rj[i].path, path))
			continue;
		char *kind = pb_reason_kind(rj[i].reason);
		const char *key = pb_intern_str(kinds, kind);
		uint32_t k;
		if (pb_ptrmap_get(group_of, key, &k)) {
			if (g[k].count < 3)
				g[k].first[g[k].count] = i;
			g[k].count++;
			free(kind);
		} else if (ng < max_kinds) {
			PB_GROW(g, ng + 1, cap);
			g[ng] = (pb_reason_group){kind, 1, {i, 0, 0}};
			pb_ptrmap_put(group_of, key, (uint32_t)ng++);
		} else {
			(*other)++;
			free(kind);
		}
	}
	pb_ptrmap_free(group_of);
	pb_strtab_free(kinds);
	pb_arena_free(a);
	*out = g;
	return ng;
}

void pb_reason_groups_free(pb_reason_group *g, size_t ng)
{
	for (size_t k = 0; k < ng; k++)
		free(g[k].kind);
	free(g);
}

size_t pb_ledger_nunread(const pb_ledger *l)
{
	return l->nunread;
}

const pb_rejection *pb_ledger_unread_values(const pb_ledger *l)
{
	return l->unread;
}

/* The text column of table t at offset (a program error if none). */
static const pb_column *text_column_at(pb_table t, size_t offset)
{
	const pb_table_def *def = &table_defs[t];

	for (size_t c = 0; c < def->ncolumns; c++)
		if (def->columns[c].offset == offset && pb_column_is_text(&def->columns[c]))
			return &def->columns[c];
	pb_fatal("internal error: no text column at offset %zu of table %s", offset, def->name);
}

/* Renders one key column's value for a composite key. */
static void key_part(pb_buf *b, const void *rec, const pb_column *c)
{
	const unsigned char *p = (const unsigned char *)rec + c->offset;

	if (c->type == PB_COL_INT) {
		int64_t v = *(const int64_t *)p;
		if (v != PB_INT_NONE)
			pb_buf_addf(b, "%lld", (long long)v);
	} else if (c->type == PB_COL_DATE) {
		char d[11];
		pb_buf_addstr(b, pb_date_format(*(const pb_date *)p, d));
	} else {
		const char *s = pb_field_text(c, rec);
		if (s)
			pb_buf_addstr(b, s);
	}
}

const char *pb_ledger_key(pb_ledger *l, pb_table t, const void *rec)
{
	return pb_ledger_key_in(l, t, rec, l->arena);
}

const char *pb_ledger_key_in(pb_ledger *l, pb_table t, const void *rec, pb_arena *a)
{
	const pb_table_def *def = &table_defs[t];
	const struct table_store *ts = &l->tables[t];
	pb_buf b;
	int parts = 0;

	if (ts->key_col)
		return pb_field_text(ts->key_col, rec);
	/* A record of the table: the key it was added under. */
	if (pb_ledger_holds(l, t, rec))
		return ts->ckeys[pb_ledger_index_of(l, t, rec)];
	pb_buf_init(&b);
	for (size_t i = 0; i < def->ncolumns; i++) {
		if (!(def->columns[i].flags & PB_COL_KEY))
			continue;
		if (parts++)
			pb_buf_addch(&b, '|');
		key_part(&b, rec, &def->columns[i]);
	}
	/* A record not in a sealed ledger gets a copy, so that rules running
	 * in parallel never write the string table. */
	const char *k = l->sealed ? NULL : pb_intern(l->strings, b.data, b.len);
	if (!k)
		k = pb_arena_strndup(a, b.data, b.len);
	pb_buf_release(&b);
	return k;
}

void pb_row_source_add(pb_buf *b, const pb_row *row)
{
	const char *path = pb_row_path(row), *file = pb_row_file(row);

	pb_buf_addf(b, "%s:%" PRIu32, file ? file : "(no file)", row->line);
	if (path)
		pb_buf_addf(b, "#%s", path);
}

const char *pb_row_source_in(pb_arena *a, const pb_row *row)
{
	pb_buf b;

	pb_buf_init(&b);
	pb_row_source_add(&b, row);
	const char *s = pb_arena_strndup(a, b.data, b.len);
	pb_buf_release(&b);
	return s;
}

const char *pb_ledger_lookup(const pb_ledger *l, const char *s, size_t n)
{
	return pb_strtab_find(l->strings, s, n);
}

int pb_ledger_add(pb_ledger *l, size_t in, pb_table t, const void *record)
{
	const pb_row *row = record;
	const void *prev;
	int rc = pb_ledger_insert(l, t, record, &prev);

	if (rc == 0) {
		pb_ledger_count_imported(l, in);
		return 0;
	}
	if (rc == 1) {
		const pb_row *first = prev;
		add_rejection(l, in, row->line,
			      pb_arena_printf(l->arena,
					      "duplicate %s key '%s' (first at %s:%" PRIu32 ")",
					      table_defs[t].name,
					      pb_ledger_key(l, t, record),
					      pb_row_file(first), first->line));
	} else {
		add_rejection(l, in, row->line,
			      pb_arena_printf(l->arena, "%s row has no primary key",
					      table_defs[t].name));
	}
	return -1;
}

/* Room for cap rows in all: data, composite keys; -1, the table as it
 * was but for room in its data, when the memory is not there. */
static int table_try_resize(struct table_store *ts, size_t cap)
{
	if (cap > SIZE_MAX / ts->size || cap > SIZE_MAX / sizeof(*ts->ckeys))
		return -1;
	unsigned char *data = pb_realloc_huge(ts->data, ts->count * ts->size, cap * ts->size);
	if (!data)
		return -1;
	ts->data = data;
	if (!ts->key_col) {
		const char **ckeys = realloc(ts->ckeys, cap * sizeof(*ckeys));
		if (!ckeys)
			return -1; /* data is larger, cap is as it was */
		ts->ckeys = ckeys;
	}
	ts->cap = cap;
	ts->ready = ts->count * ts->size; /* what realloc copied or moved */
	return 0;
}

static void table_resize(struct table_store *ts, size_t cap)
{
	if (table_try_resize(ts, cap) < 0)
		pb_fatal("out of memory allocating %zu bytes",
			 cap > SIZE_MAX / ts->size ? SIZE_MAX : cap * ts->size);
}

static void table_append(struct table_store *ts, const void *record, const char *key)
{
	if (ts->count > PB_IDMAP_VALUE_MAX)
		pb_fatal("out of memory: a table holds at most %" PRIu32 " rows", PB_IDMAP_VALUE_MAX + 1);
	if (ts->count + 1 > ts->cap)
		table_resize(ts, ts->cap ? ts->cap * 2 : 256);
	if ((ts->count + 1) * ts->size > ts->ready)
		ts->ready = pb_populate_ahead(ts->data, ts->ready, ts->cap * ts->size);
	memcpy(ts->data + ts->count * ts->size, record, ts->size);
	if (!ts->key_col)
		ts->ckeys[ts->count] = key;
	ts->count++;
}

/* pb_idmap_key_fn of a table's key map: record i's key. */
static const char *stored_key(const void *owner, uint32_t i)
{
	const struct table_store *ts = owner;

	if (!ts->key_col)
		return ts->ckeys[i];
	return pb_field_text(ts->key_col, ts->data + (size_t)i * ts->size);
}

static int key_get(const struct table_store *ts, const char *key, uint32_t *index)
{
	return pb_idmap_get(&ts->keys, key, stored_key, ts, index);
}

/* Indexes record `index`, already stored, under `key`, not yet indexed. */
static void key_put(struct table_store *ts, const char *key, uint32_t index)
{
	pb_idmap_put(&ts->keys, key, index, stored_key, ts);
}

/*
 * Table t's key map again, if seal dropped it (keys_drop_unreferred), for
 * a look-up by key or a row added after seal.  Rules, which may ask in
 * parallel, never need one (pb_ledger_key_rebuilds counts them).  The
 * main ledger holds one record per key, so keying them in order makes
 * the map seal dropped.
 */
static void keys_restore(pb_ledger *l, pb_table t)
{
	struct table_store *ts = &l->tables[t];
	uint32_t first;

	if (!atomic_load(&ts->keys_dropped))
		return;
	pthread_mutex_lock(&l->keys_lock);
	if (atomic_load(&ts->keys_dropped)) {
		(void)pb_idmap_reserve(&ts->keys, ts->count, stored_key, ts);
		for (size_t i = 0; i < ts->count; i++) {
			const char *key = stored_key(ts, (uint32_t)i);
			if (key && !key_get(ts, key, &first))
				key_put(ts, key, (uint32_t)i);
		}
		atomic_fetch_add(&l->key_rebuilds, 1);
		atomic_store(&ts->keys_dropped, 0); /* after the map: readers take it whole */
	}
	pthread_mutex_unlock(&l->keys_lock);
}

size_t pb_ledger_key_rebuilds(const pb_ledger *l)
{
	return atomic_load(&l->key_rebuilds);
}

int pb_ledger_reserve(pb_ledger *l, pb_table t, size_t more)
{
	struct table_store *ts = &l->tables[t];
	size_t want = ts->count + more;

	keys_restore(l, t);
	if (want > (size_t)PB_IDMAP_VALUE_MAX + 1)
		want = (size_t)PB_IDMAP_VALUE_MAX + 1;
	if (want > ts->cap && table_try_resize(ts, want) < 0)
		return -1;
	return pb_idmap_reserve(&ts->keys, want, stored_key, ts);
}

int pb_ledger_insert(pb_ledger *l, pb_table t, const void *record,
		     const void **existing)
{
	struct table_store *ts = &l->tables[t];
	uint32_t first;

	l->sealed = 0; /* a ledger that takes rows must be sealed again */
	l->nnot_award = 0; /* and its awards judged again */
	*existing = NULL;
	keys_restore(l, t);
	const char *key = pb_ledger_key(l, t, record);
	/* A stage keeps every row: which is a duplicate, and of which row,
	 * depends on the files before it, known when it is absorbed.  Its
	 * key map lets the table be taken over whole when it has none. */
	if (l->main) {
		int seen = !key || key_get(ts, key, &first);
		table_append(ts, record, key);
		if (seen)
			ts->unkeyed++;
		else
			key_put(ts, key, (uint32_t)(ts->count - 1));
		return 0;
	}
	if (!key)
		return -1;
	if (key_get(ts, key, &first)) {
		*existing = ts->data + first * ts->size;
		return 1;
	}
	table_append(ts, record, key);
	key_put(ts, key, (uint32_t)(ts->count - 1));
	return 0;
}

void pb_ledger_count_imported(pb_ledger *l, size_t in)
{
	l->inputs[in].rows_read++;
	l->inputs[in].rows_imported++;
}

/*
 * The stage's table t taken over whole, rows and key map, when l has no
 * rows of t yet (one file per table is the rule) and every row of the
 * stage has a key of its own: then adding them one by one would reject
 * nothing, and only copy and key them again.  Returns the rows taken.
 */
static size_t take_table(pb_ledger *l, pb_ledger *stage, pb_table t)
{
	struct table_store *ts = &l->tables[t], *ss = &stage->tables[t];

	if (ts->count || !ss->count || ss->unkeyed)
		return 0;
	keys_restore(l, t); /* none to rebuild, but no longer dropped */
	free(ts->data);
	pb_idmap_release(&ts->keys);
	free(ts->ckeys);
	ts->data = ss->data;
	ts->cap = ss->cap;
	ts->ready = ss->ready;
	ts->count = ss->count;
	ts->keys = ss->keys;
	ts->ckeys = ss->ckeys;
	ss->data = NULL;
	ss->ckeys = NULL;
	ss->cap = ss->count = ss->ready = 0;
	ss->keys = (pb_idmap){NULL, 0, 0}; /* the stage is only freed after this */
	return ts->count;
}

/* A stage's rows, table by table, walked in the order of their lines. */
struct stage_walk {
	const unsigned char *rows[PB_T_COUNT];
	size_t count[PB_T_COUNT], size[PB_T_COUNT], next[PB_T_COUNT];
};

/* The table whose next row comes first in the file, or -1 when none is
 * left; *line is that row's line. */
static int next_row_table(const struct stage_walk *w, uint64_t *line)
{
	int best = -1;

	*line = UINT64_MAX;
	for (int t = 0; t < PB_T_COUNT; t++) {
		if (w->next[t] >= w->count[t])
			continue;
		const pb_row *row = (const pb_row *)(w->rows[t] + w->next[t] * w->size[t]);
		if (row->line < *line)
			*line = row->line, best = t;
	}
	return best;
}

static void adopt_arena(pb_ledger *l, pb_ledger *stage)
{
	PB_GROW(l->adopted, l->nadopted + 1, l->capadopted);
	l->adopted[l->nadopted++] = stage->arena;
	stage->arena = NULL; /* the stage is only freed after this */
}

/*
 * A stage's rows that main already has rows of join one by one, each key
 * looked up in main's key map and added to it: two cache misses a row on
 * a large table, and the thread that joins them is the only one then
 * (the later parts of a big file, pb_ledger_absorb_more).  The slot of
 * the row ABSORB_AHEAD on is fetched first.
 */
#define ABSORB_AHEAD 8

static void prefetch_join(const pb_ledger *l, const struct stage_walk *w, int t)
{
	size_t ahead = w->next[t] + ABSORB_AHEAD;
	const struct table_store *ts = &l->tables[t];

	if (ahead < w->count[t] && ts->key_col && ts->count) {
		const char *key = pb_field_text(ts->key_col, w->rows[t] + ahead * w->size[t]);
		if (key)
			pb_idmap_prefetch(&ts->keys, key);
	}
}

/* The stage's values not read into input `in`, but for those of rows
 * the join rejected (`dropped`, their lines, rising): the values of
 * imported rows are listed, as when the file is read in turn. */
static void absorb_unread(pb_ledger *l, const pb_ledger *stage, size_t in,
			  const uint64_t *dropped, size_t ndropped)
{
	for (size_t i = 0, d = 0; i < stage->nunread; i++) {
		uint64_t line = stage->unread[i].line;
		while (d < ndropped && dropped[d] < line)
			d++;
		if (d < ndropped && dropped[d] == line)
			continue;
		add_unread(l, in, line, stage->unread[i].reason);
	}
}

/* The stage's rows, rejections, filtered rows and unread values into
 * input `in`. */
static void absorb_into(pb_ledger *l, pb_ledger *stage, size_t in)
{
	struct stage_walk w;
	uint64_t line, *dropped = NULL;
	size_t r = 0, ndropped = 0, capdropped = 0;

	memset(&w, 0, sizeof(w));
	for (int t = 0; t < PB_T_COUNT; t++) {
		size_t taken = take_table(l, stage, (pb_table)t);
		l->inputs[in].rows_read += taken;
		l->inputs[in].rows_imported += taken;
		w.count[t] = stage->tables[t].count;
		w.size[t] = stage->tables[t].size;
		w.rows[t] = stage->tables[t].data;
		if (w.count[t])
			(void)pb_ledger_reserve(l, (pb_table)t, w.count[t]);
	}
	/* Rows and rejections interleaved as the file had them, so that the
	 * rejections list reads as if the file had been read here. */
	for (;;) {
		int t = next_row_table(&w, &line);
		if (r < stage->nrejections && (t < 0 || stage->rejections[r].line < line)) {
			add_rejection(l, in, stage->rejections[r].line, stage->rejections[r].reason);
			r++;
			continue;
		}
		if (t < 0)
			break;
		prefetch_join(l, &w, t);
		if (pb_ledger_add(l, in, (pb_table)t, w.rows[t] + w.next[t]++ * w.size[t]) < 0) {
			PB_GROW(dropped, ndropped + 1, capdropped);
			dropped[ndropped++] = line;
		}
	}
	for (size_t i = 0; i < stage->nfiltered; i++)
		add_filtered(l, in, stage->filtered[i].line, stage->filtered[i].reason);
	absorb_unread(l, stage, in, dropped, ndropped);
	free(dropped);
}

/* The stage's one input, or NULL when it read none. */
static const pb_input *stage_input(pb_ledger *l, pb_ledger *stage)
{
	if (stage->ninputs > 1)
		pb_fatal("internal error: a stage read %zu inputs", stage->ninputs);
	adopt_arena(l, stage);
	return stage->ninputs ? &stage->inputs[0] : NULL;
}

void pb_ledger_absorb(pb_ledger *l, pb_ledger *stage)
{
	const pb_input *sin = stage_input(l, stage);

	if (!sin)
		return;
	size_t in = pb_ledger_add_input(l, sin->path, sin->table, sin->format);
	l->inputs[in].profile = sin->profile;
	absorb_into(l, stage, in);
}

void pb_ledger_absorb_more(pb_ledger *l, pb_ledger *stage, size_t in)
{
	if (stage_input(l, stage))
		absorb_into(l, stage, in);
}

static int cell_filled(const void *record, const pb_column *c);

/* How many records of a table carry a value in each column: one pass,
 * at seal, instead of one per rule and field asked about. */
static void count_filled(pb_ledger *l, pb_table t)
{
	struct table_store *ts = &l->tables[t];
	const pb_table_def *def = &table_defs[t];

	free(ts->filled); /* sealed again after more rows (tests do) */
	ts->filled = pb_xcalloc(def->ncolumns + 1, sizeof(*ts->filled));
	for (size_t i = 0; i < ts->count; i++)
		for (size_t c = 0; c < def->ncolumns; c++)
			ts->filled[c] += cell_filled(ts->data + i * ts->size, &def->columns[c]) != 0;
}

static void name_publishers(pb_ledger *l);

static void judge_awards(pb_ledger *l);

static void resolve_co_suppliers(pb_ledger *l);

/* One table's fill counts, or (past the last table) the contracts'
 * award verdicts: each reads the records and writes only its own. */
static void seal_piece(void *ctx, size_t i)
{
	pb_ledger *l = ctx;

	if (i < PB_T_COUNT)
		count_filled(l, (pb_table)i);
	else
		judge_awards(l);
}

/* Is t a table other tables' rows refer to (docs/formats.md: a bid's
 * tender, a payment's contract and budget line, a party's employer)? */
static int referred_to(pb_table t)
{
	return t == PB_T_PARTIES || t == PB_T_TENDERS || t == PB_T_CONTRACTS || t == PB_T_BUDGET;
}

/* Nothing refers to a bid, a payment, an amendment, an offset, a
 * relationship or a rate: their key maps only turned duplicate keys away
 * while the rows came, and are dropped (a twentieth of a 1M-row audit's
 * peak; the bids' alone are 4 MB). */
static void keys_drop_unreferred(pb_ledger *l)
{
	for (int t = 0; t < PB_T_COUNT; t++) {
		if (referred_to((pb_table)t))
			continue;
		pb_idmap_release(&l->tables[t].keys);
		atomic_store(&l->tables[t].keys_dropped, 1);
	}
}

/* After seal nothing is interned or looked up by its text any more: the
 * string table's buckets are dropped (a tenth of a 1M-row audit's
 * memory, docs/architecture.md), and so are the key maps of the tables
 * nothing refers to.  Whatever still looks a text or such a key up gets
 * them back, rebuilt, and pays the time. */
void pb_ledger_seal(pb_ledger *l)
{
	pb_ledger_seal_jobs(l, 1);
}

void pb_ledger_seal_jobs(pb_ledger *l, int jobs)
{
	resolve_co_suppliers(l);
	name_publishers(l);
	pb_parallel_for(PB_T_COUNT + 1, jobs, seal_piece, l);
	l->sealed = 1;
	if (!l->main) {
		pb_strtab_drop_buckets(l->strings);
		keys_drop_unreferred(l);
		/* the room text blocks kept for texts to come */
		pb_strtab_trim(l->strings);
		pb_arena_trim(l->arena);
		for (size_t i = 0; i < l->nadopted; i++)
			pb_arena_trim(l->adopted[i]);
	}
}

size_t pb_ledger_text_rebuilds(const pb_ledger *l)
{
	return pb_strtab_rebuilds(l->strings);
}

size_t pb_ledger_count(const pb_ledger *l, pb_table t)
{
	return l->tables[t].count;
}

const void *pb_ledger_at(const pb_ledger *l, pb_table t, size_t i)
{
	const struct table_store *ts = &l->tables[t];

	return i < ts->count ? ts->data + i * ts->size : NULL;
}

const void *pb_ledger_find(pb_ledger *l, pb_table t, const char *key)
{
	uint32_t i;

	keys_restore(l, t);
	if (!key || !key_get(&l->tables[t], key, &i))
		return NULL;
	return pb_ledger_at(l, t, i);
}

/* pb_idmap_key_fn of a group index's grouping: record i's field. */
static const char *record_key(const void *index, uint32_t i)
{
	const struct group_index *g = index;

	return pb_field_text(g->column, g->ts->data + (size_t)i * g->ts->size);
}

static struct group_index *build_group(const pb_ledger *l, pb_table t, size_t offset)
{
	struct group_index *g = pb_xcalloc(1, sizeof(*g));

	g->table = t;
	g->ts = &l->tables[t];
	g->column = text_column_at(t, offset);
	pb_grouping_build(&g->groups, g->ts->count, record_key, g);
	return g;
}

static struct group_index *find_group(pb_ledger *l, pb_table t, size_t offset)
{
	size_t n = atomic_load(&l->nindexes);

	for (size_t i = 0; i < n; i++) {
		struct group_index *g = atomic_load(&l->indexes[i]);
		if (g->table == t && g->column->offset == offset)
			return g;
	}
	return NULL;
}

const uint32_t *pb_ledger_group(pb_ledger *l, pb_table t, size_t field_offset,
				const char *key, size_t *n)
{
	struct group_index *g = find_group(l, t, field_offset);

	*n = 0;
	if (!g) {
		pthread_mutex_lock(&l->group_lock);
		g = find_group(l, t, field_offset); /* another thread may have built it */
		if (!g) {
			size_t i = atomic_load(&l->nindexes);
			if (i == PB_MAX_GROUP_INDEXES)
				pb_fatal("internal error: more than %d group indexes", PB_MAX_GROUP_INDEXES);
			g = build_group(l, t, field_offset);
			atomic_store(&l->indexes[i], g);
			atomic_store(&l->nindexes, i + 1); /* published whole */
		}
		pthread_mutex_unlock(&l->group_lock);
	}
	return pb_grouping_find(&g->groups, key, n);
}

int pb_ledger_holds(const pb_ledger *l, pb_table t, const void *rec)
{
	const struct table_store *ts = &l->tables[t];
	uintptr_t p = (uintptr_t)rec, base = (uintptr_t)ts->data;

	return ts->count && p >= base && p < base + ts->count * ts->size && (p - base) % ts->size == 0;
}

size_t pb_ledger_index_of(const pb_ledger *l, pb_table t, const void *rec)
{
	const struct table_store *ts = &l->tables[t];

	if (!pb_ledger_holds(l, t, rec))
		pb_fatal("internal error: a record outside table %s", table_defs[t].name);
	return (size_t)((uintptr_t)rec - (uintptr_t)ts->data) / ts->size;
}

const uint32_t *pb_tender_bids(pb_ledger *l, const pb_tender *t, size_t *n)
{
	return pb_ledger_children(l, PB_T_BIDS, offsetof(pb_bid, tender_id), PB_T_TENDERS,
				  pb_ledger_index_of(l, PB_T_TENDERS, t), n);
}

const uint32_t *pb_tender_contracts(pb_ledger *l, const pb_tender *t, size_t *n)
{
	return pb_ledger_children(l, PB_T_CONTRACTS, offsetof(pb_contract, tender_id), PB_T_TENDERS,
				  pb_ledger_index_of(l, PB_T_TENDERS, t), n);
}

const uint32_t *pb_contract_payments(pb_ledger *l, const pb_contract *c, size_t *n)
{
	return pb_ledger_children(l, PB_T_PAYMENTS, offsetof(pb_payment, contract_id), PB_T_CONTRACTS,
				  pb_ledger_index_of(l, PB_T_CONTRACTS, c), n);
}

const uint32_t *pb_contract_amendments(pb_ledger *l, const pb_contract *c, size_t *n)
{
	return pb_ledger_children(l, PB_T_AMENDMENTS, offsetof(pb_amendment, contract_id),
				  PB_T_CONTRACTS, pb_ledger_index_of(l, PB_T_CONTRACTS, c), n);
}

/* How far ahead resolve_refs fetches key-map slots, and then (half as
 * far ahead, the slot by then in the cache) the record a slot's tag
 * points at, whose key the look-up compares: a look-up's two misses then
 * overlap those of the next few. */
#define REF_PREFETCH 16

/* Each record's target row (PB_NO_ROW when its key is unknown or NULL). */
static uint32_t *resolve_refs(pb_ledger *l, pb_table t, size_t offset, pb_table target)
{
	const struct table_store *ts = &l->tables[t], *tt = &l->tables[target];
	uint32_t *rows = pb_xcalloc_slots(ts->count + 1, sizeof(*rows));
	const char *last = NULL;
	uint32_t row = PB_NO_ROW;
	const pb_column *c = text_column_at(t, offset);

	if (!tt->key_col)
		pb_fatal("internal error: references to %s, whose key has several columns",
			 table_defs[target].name);
	keys_restore(l, target);
	for (size_t i = 0; i < ts->count; i++) {
		const char *key = pb_field_text(c, ts->data + i * ts->size);
		if (i + REF_PREFETCH < ts->count) {
			const char *ahead = pb_field_text(c, ts->data + (i + REF_PREFETCH) * ts->size);
			if (ahead)
				pb_idmap_prefetch(&tt->keys, ahead);
		}
		if (i + REF_PREFETCH / 2 < ts->count)
			pb_ledger_prefetch_record(l, target, pb_field_text(c, ts->data +
									(i + REF_PREFETCH / 2) * ts->size));
		/* A tender's bids, a contract's payments: the same key in
		 * row after row is looked up once. */
		if (key != last || i == 0) {
			last = key;
			if (!key || !key_get(tt, key, &row))
				row = PB_NO_ROW;
		}
		rows[i] = row;
	}
	return rows;
}

static struct ref_index *find_refs(pb_ledger *l, pb_table t, size_t offset, pb_table target)
{
	size_t n = atomic_load(&l->nrefs);

	for (size_t i = 0; i < n; i++) {
		struct ref_index *r = atomic_load(&l->refs[i]);
		if (r->table == t && r->offset == offset && r->target == target)
			return r;
	}
	return NULL;
}

/* The entry of (t, offset, target), made empty if there is none; called
 * with group_lock held. */
static struct ref_index *ref_entry(pb_ledger *l, pb_table t, size_t offset, pb_table target)
{
	struct ref_index *r = find_refs(l, t, offset, target);
	size_t i = atomic_load(&l->nrefs);

	if (r)
		return r;
	if (i == PB_MAX_REF_INDEXES)
		pb_fatal("internal error: more than %d resolved references", PB_MAX_REF_INDEXES);
	r = pb_xcalloc(1, sizeof(*r));
	r->table = t;
	r->target = target;
	r->offset = offset;
	atomic_store(&l->refs[i], r);
	atomic_store(&l->nrefs, i + 1); /* published whole */
	return r;
}

const uint32_t *pb_ledger_refs(pb_ledger *l, pb_table t, size_t field_offset, pb_table target)
{
	struct ref_index *r = find_refs(l, t, field_offset, target);
	uint32_t *rows = r ? atomic_load(&r->rows) : NULL;

	if (rows)
		return rows;
	pthread_mutex_lock(&l->group_lock);
	r = ref_entry(l, t, field_offset, target);
	rows = atomic_load(&r->rows); /* another thread may have built them */
	if (!rows) {
		rows = resolve_refs(l, t, field_offset, target);
		atomic_store(&r->rows, rows);
	}
	pthread_mutex_unlock(&l->group_lock);
	return rows;
}

/* a reference that resolved to no row goes in no bucket */
_Static_assert(PB_NO_ROW == PB_NO_BUCKET, "an unresolved reference is bucketed nowhere");

const uint32_t *pb_ledger_children(pb_ledger *l, pb_table t, size_t field_offset,
				   pb_table target, size_t row, size_t *n)
{
	struct ref_index *r = find_refs(l, t, field_offset, target);
	size_t ntarget = l->tables[target].count;
	uint32_t *start = r ? atomic_load(&r->start) : NULL;

	if (!start) {
		pthread_mutex_lock(&l->group_lock);
		r = ref_entry(l, t, field_offset, target);
		start = atomic_load(&r->start);
		if (!start) {
			size_t count = l->tables[t].count;
			uint32_t *rows = atomic_load(&r->rows);
			uint32_t *own = rows ? NULL : resolve_refs(l, t, field_offset, target);
			start = pb_xcalloc_slots(ntarget + 1, sizeof(*start));
			r->items = pb_bucket_sorted(rows ? rows : own, count, ntarget, start);
			free(own);
			atomic_store(&r->start, start); /* after items: published whole */
		}
		pthread_mutex_unlock(&l->group_lock);
	}
	*n = row < ntarget ? start[row + 1] - start[row] : 0;
	return *n ? r->items + start[row] : NULL;
}

void pb_record_blank(pb_table t, void *record)
{
	const pb_table_def *def = &table_defs[t];

	memset(record, 0, def->record_size);
	for (size_t c = 0; c < def->ncolumns; c++) {
		unsigned char *p = (unsigned char *)record + def->columns[c].offset;
		switch (def->columns[c].type) {
		case PB_COL_DATE:
			*(pb_date *)p = PB_DATE_NONE;
			break;
		case PB_COL_AMOUNT:
		case PB_COL_INT:
		case PB_COL_DECIMAL:
		case PB_COL_RATE:
			*(int64_t *)p = PB_INT_NONE;
			break;
		case PB_COL_BOOL:
			*(int *)p = PB_BOOL_NONE;
			break;
		default:
			break;
		}
	}
}

static int cell_filled(const void *record, const pb_column *c)
{
	const unsigned char *p = (const unsigned char *)record + c->offset;

	switch (c->type) {
	case PB_COL_DATE:
		return *(const pb_date *)p != PB_DATE_NONE;
	case PB_COL_AMOUNT:
	case PB_COL_INT:
	case PB_COL_DECIMAL:
	case PB_COL_RATE:
		return *(const int64_t *)p != PB_INT_NONE;
	case PB_COL_BOOL:
		return *(const int *)p != PB_BOOL_NONE;
	default:
		return pb_field_text(c, record) != NULL;
	}
}

int pb_field_known(const pb_column *c, const void *record)
{
	return cell_filled(record, c);
}

size_t pb_ledger_filled(const pb_ledger *l, pb_table t, size_t col)
{
	if (l->sealed && l->tables[t].filled)
		return l->tables[t].filled[col];
	const struct table_store *ts = &l->tables[t];
	const pb_column *c = &table_defs[t].columns[col];
	size_t n = 0;

	for (size_t i = 0; i < ts->count; i++)
		n += cell_filled(ts->data + i * ts->size, c) != 0;
	return n;
}

/* Dates on which something happened; plans (end_on, due_on) are not
 * evidence of how current an extract is. */
static const struct {
	pb_table table;
	size_t offset;
	const char *field;
} event_dates[] = {
	{PB_T_TENDERS, offsetof(pb_tender, published_on), "published_on"},
	{PB_T_BIDS, offsetof(pb_bid, submitted_on), "submitted_on"},
	{PB_T_CONTRACTS, offsetof(pb_contract, awarded_on), "awarded_on"},
	{PB_T_CONTRACTS, offsetof(pb_contract, signed_on), "signed_on"},
	{PB_T_AMENDMENTS, offsetof(pb_amendment, amended_on), "amended_on"},
	{PB_T_PAYMENTS, offsetof(pb_payment, paid_on), "paid_on"},
	{PB_T_OFFSETS, offsetof(pb_offset, fulfilled_on), "fulfilled_on"},
};

#define NEVENT_KINDS (sizeof(event_dates) / sizeof(event_dates[0]))

static pb_date event_date(const struct table_store *ts, size_t kind, size_t i)
{
	return *(const pb_date *)(ts->data + i * ts->size + event_dates[kind].offset);
}

/* Event dates in blocks of 32 days from 0001-01-01 (pb_date_parse takes
 * years 1 to 9999): how many in each, and the first and last. */
#define BLOCK_SHIFT 5
#define DAY_ONE (-719162) /* 0001-01-01 */

struct date_blocks {
	uint32_t *count;
	pb_date *first, *last;
	size_t nblocks, events;
};

static size_t block_of(pb_date d)
{
	return (size_t)((int64_t)d - DAY_ONE) >> BLOCK_SHIFT;
}

static void blocks_fill(const pb_ledger *l, struct date_blocks *b)
{
	b->nblocks = block_of(pb_date_from_ymd(9999, 12, 31)) + 1;
	b->count = pb_xcalloc(b->nblocks, sizeof(*b->count));
	b->first = pb_xmalloc(b->nblocks * sizeof(*b->first));
	b->last = pb_xmalloc(b->nblocks * sizeof(*b->last));
	b->events = 0;
	for (size_t e = 0; e < NEVENT_KINDS; e++) {
		const struct table_store *ts = &l->tables[event_dates[e].table];
		for (size_t i = 0; i < ts->count; i++) {
			pb_date d = event_date(ts, e, i);
			if (d == PB_DATE_NONE || d < DAY_ONE)
				continue;
			size_t k = block_of(d);
			if (k >= b->nblocks)
				continue;
			if (!b->count[k]++)
				b->first[k] = b->last[k] = d;
			else if (d < b->first[k])
				b->first[k] = d;
			else if (d > b->last[k])
				b->last[k] = d;
			b->events++;
		}
	}
}

/* The first block of the tail left out, or nblocks when none is: walking
 * down from the latest block while the tail stays within its share, the
 * lowest block whose first date lies over PB_ASIDE_GAP_DAYS after the
 * last date below it. */
static size_t aside_from(const struct date_blocks *b)
{
	size_t tail = 0, cut = b->nblocks, k = b->nblocks;
	size_t most = b->events / PB_ASIDE_SHARE ? b->events / PB_ASIDE_SHARE : 1;

	if (b->events < PB_ASIDE_MIN_EVENTS)
		return cut;
	while (k > 0) {
		k--;
		if (!b->count[k])
			continue;
		tail += b->count[k];
		if (tail > most)
			break;
		size_t below = k;
		while (below > 0 && !b->count[below - 1])
			below--;
		if (below == 0)
			break;
		if ((int64_t)b->first[k] - b->last[below - 1] > PB_ASIDE_GAP_DAYS)
			cut = k;
	}
	return cut;
}

/* The record dated `latest`, and what else *aside says. */
static void aside_name(const pb_ledger *l, pb_dates_aside *aside)
{
	for (size_t e = 0; e < NEVENT_KINDS; e++) {
		const struct table_store *ts = &l->tables[event_dates[e].table];
		for (size_t i = 0; i < ts->count; i++)
			if (event_date(ts, e, i) == aside->latest) {
				aside->table = table_defs[event_dates[e].table].name;
				aside->field = event_dates[e].field;
				aside->row = (const pb_row *)(const void *)(ts->data + i * ts->size);
				return;
			}
	}
}

pb_date pb_ledger_latest_date(const pb_ledger *l, pb_dates_aside *aside)
{
	struct date_blocks b;
	pb_date best = PB_DATE_NONE;

	if (aside)
		memset(aside, 0, sizeof(*aside));
	blocks_fill(l, &b);
	size_t cut = aside_from(&b);
	for (size_t k = 0; k < b.nblocks; k++) {
		if (!b.count[k])
			continue;
		if (k < cut) {
			best = b.last[k];
		} else if (aside) {
			if (!aside->n)
				aside->earliest = b.first[k];
			aside->n += b.count[k];
			aside->latest = b.last[k];
		}
	}
	if (aside && aside->n)
		aside_name(l, aside);
	free(b.count);
	free(b.first);
	free(b.last);
	return best;
}

int pb_method_is_competitive(const char *method)
{
	return method && (!strcmp(method, "open") || !strcmp(method, "selective"));
}

int pb_method_is_noncompetitive(const char *method)
{
	return method && (!strcmp(method, "limited") || !strcmp(method, "direct"));
}

/* Is status (case-insensitive) one of the words in list? */
static int status_in(const char *status, const char *const *list)
{
	if (!status)
		return 0;
	for (; *list; list++)
		if (!strcasecmp(status, *list))
			return 1;
	return 0;
}

static const char *const tender_void[] = {"cancelled", "canceled", "unsuccessful",
					  "withdrawn", "planning", "planned", NULL};

int pb_tender_is_void(const pb_tender *t)
{
	return t && status_in(pb_str(t->status), tender_void);
}

/* Why a contract is no award: the status that says so, which the
 * reason named to callers is (1 byte a contract where a pointer was 8). */
enum award_verdict {
	AWARD_MADE,
	AWARD_NOT_BY_AWARD_STATUS,
	AWARD_NOT_BY_CONTRACT_STATUS,
	AWARD_NOT_BY_TENDER_STATUS
};

static enum award_verdict award_verdict_of(pb_ledger *l, const pb_contract *c)
{
	static const char *const award_not_made[] = {"pending", "cancelled", "canceled",
						     "unsuccessful", "withdrawn", NULL};
	static const char *const contract_void[] = {"cancelled", "canceled", "unsuccessful",
						    "withdrawn", "void", NULL};
	static const char *const contract_live[] = {"active", "terminated", "complete", NULL};
	/* A planned tender with a live contract is a publisher's stale
	 * tender status, not a void procedure. */
	static const char *const tender_ended[] = {"cancelled", "canceled", "unsuccessful",
						   "withdrawn", NULL};
	enum award_verdict v = AWARD_MADE;
	/* A signed, running contract shows the award was made, whatever a
	 * stale award status still says. */
	int stale_pending = c->award_status && !strcasecmp(pb_str(c->award_status), "pending") &&
			    status_in(pb_str(c->status), contract_live);

	if (status_in(pb_str(c->award_status), award_not_made) && !stale_pending)
		v = AWARD_NOT_BY_AWARD_STATUS;
	else if (status_in(pb_str(c->status), contract_void))
		v = AWARD_NOT_BY_CONTRACT_STATUS;
	else if (c->tender_id) {
		const pb_tender *t = pb_ledger_find(l, PB_T_TENDERS, pb_str(c->tender_id));
		if (t && status_in(pb_str(t->status), tender_ended))
			v = AWARD_NOT_BY_TENDER_STATUS;
	}
	return v;
}

static void judge_awards(pb_ledger *l)
{
	size_t n;
	const pb_contract *c = pb_ledger_contracts(l, &n);

	free(l->not_award);
	l->not_award = pb_xcalloc(n + 1, sizeof(*l->not_award));
	l->nnot_award = n;
	for (size_t i = 0; i < n; i++)
		l->not_award[i] = (unsigned char)award_verdict_of(l, &c[i]);
}

/* The status a verdict names. */
static const char *award_verdict_reason(pb_ledger *l, const pb_contract *c, enum award_verdict v)
{
	switch (v) {
	case AWARD_NOT_BY_AWARD_STATUS:
		return pb_str(c->award_status);
	case AWARD_NOT_BY_CONTRACT_STATUS:
		return pb_str(c->status);
	case AWARD_NOT_BY_TENDER_STATUS: {
		const pb_tender *t = pb_ledger_find(l, PB_T_TENDERS, pb_str(c->tender_id));
		return pb_str(t->status);
	}
	case AWARD_MADE:
		break;
	}
	return NULL;
}

int pb_contract_is_award(pb_ledger *l, const pb_contract *c, const char **why)
{
	const struct table_store *ts = &l->tables[PB_T_CONTRACTS];
	uintptr_t at = (uintptr_t)c, first = (uintptr_t)ts->data;
	enum award_verdict v;

	if (at >= first && at < first + l->nnot_award * ts->size)
		v = (enum award_verdict)l->not_award[(at - first) / ts->size];
	else
		v = award_verdict_of(l, c); /* a record not in the table */
	if (why)
		*why = award_verdict_reason(l, c, v);
	return v == AWARD_MADE;
}

/* The next item of a ';'-separated list, without the spaces around it,
 * and its length (0 for an empty item); NULL past the end. */
static const char *list_next(const char **s, size_t *len)
{
	const char *item = *s;

	if (!item || !*item)
		return NULL;
	const char *end = strchr(item, ';');
	size_t n = end ? (size_t)(end - item) : strlen(item);
	while (n && *item == ' ')
		item++, n--;
	while (n && item[n - 1] == ' ')
		n--;
	*s = end ? end + 1 : NULL;
	*len = n;
	return item;
}

/* Adds id to the first max of ids unless one of them is id; returns the
 * count with it. */
static size_t add_supplier(const char **ids, size_t n, size_t max, const char *id)
{
	for (size_t k = 0; k < n && k < max; k++)
		if (ids[k] == id)
			return n;
	if (n < max)
		ids[n] = id;
	return n + 1;
}

/* The ids of a co_supplier_ids list resolved at seal, NULL-terminated,
 * or NULL when seal has not seen the list. */
static const char *const *co_list(const pb_ledger *l, const char *list)
{
	uint32_t at;

	if (!l->co_lists || !pb_ptrmap_get(l->co_lists, list, &at))
		return NULL;
	return l->co_ids + at;
}

static void co_ids_add(pb_ledger *l, const char *id)
{
	PB_GROW(l->co_ids, l->nco_ids + 1, l->capco_ids);
	l->co_ids[l->nco_ids++] = id;
}

/* Interns the ids of every co_supplier_ids list now, so that
 * pb_contract_suppliers never looks an id up once rules run. */
static void resolve_co_suppliers(pb_ledger *l)
{
	const struct table_store *ts = &l->tables[PB_T_CONTRACTS];

	for (size_t i = 0; i < ts->count; i++) {
		const pb_contract *c = (const pb_contract *)(ts->data + i * ts->size);
		const char *list = pb_str(c->co_supplier_ids), *item, *s = list;
		size_t len;
		if (!list || co_list(l, list))
			continue;
		if (l->nco_ids >= UINT32_MAX)
			pb_fatal("out of memory: more than %" PRIu32 " joint suppliers", UINT32_MAX);
		if (!l->co_lists)
			l->co_lists = pb_ptrmap_new();
		pb_ptrmap_put(l->co_lists, list, (uint32_t)l->nco_ids);
		while ((item = list_next(&s, &len)))
			if (len)
				co_ids_add(l, pb_ledger_intern(l, item, len));
		co_ids_add(l, NULL);
	}
}

/* A list seal did not see (a record not in the ledger) has its ids
 * looked up in the string table. */
size_t pb_contract_suppliers(pb_ledger *l, const pb_contract *c, const char **ids, size_t max)
{
	const char *s = pb_str(c->co_supplier_ids), *item;
	const char *const *co = s ? co_list(l, s) : NULL;
	size_t n = 1, len;

	if (!c->supplier_id)
		return 0;
	if (max)
		ids[0] = pb_str(c->supplier_id);
	if (co) {
		for (; *co; co++)
			n = add_supplier(ids, n, max, *co);
		return n;
	}
	while ((item = list_next(&s, &len)))
		if (len)
			n = add_supplier(ids, n, max, pb_ledger_intern(l, item, len));
	return n;
}

/* Named once per input at seal: rules read it from threads that must
 * never write the ledger's arena or string table. */
static const pb_input *row_input(const pb_ledger *l, const pb_row *row, const char **file);

/* The registered prefix of an OCDS ocid ("ocds-xs1qbl" of
 * "ocds-xs1qbl-02-0070-00-2017"), or 0 when it has none. */
static size_t ocid_prefix(const char *ocid)
{
	const char *dash = ocid && !strncasecmp(ocid, "ocds-", 5) ? strchr(ocid + 5, '-') : NULL;

	return dash ? (size_t)(dash - ocid) : 0;
}

/*
 * Who published each input's rows: for an OCDS file, the registered
 * prefix its ocids share ("the publisher of ocds-87sd3t": a publisher's
 * folders of records and of releases are one publisher), else its
 * folder (the ocids differ, or have no prefix); for any other file, the
 * file.  Messages name it ("the publisher of ocds-k50g02 gives...").
 */
static const char no_prefix[] = "";

/* Notes the ocid prefix of an OCDS row in prefix[its input]: the first
 * one seen, else no_prefix once two differ or an ocid has none (a key
 * without one, `keyed`, says nothing: it need not start with the ocid). */
static void note_prefix(pb_ledger *l, const pb_row *row, const char *ocid, int keyed,
			const char **prefix)
{
	const char *file;
	const pb_input *in = row_input(l, row, &file);
	size_t n = ocid_prefix(ocid), k = in ? (size_t)(in - l->inputs) : 0;

	if (!in || strcmp(in->format, "ocds") || prefix[k] == no_prefix || (keyed && !n))
		return;
	if (!n || (prefix[k] && (strlen(prefix[k]) != n || strncasecmp(prefix[k], ocid, n))))
		prefix[k] = no_prefix;
	else if (!prefix[k])
		prefix[k] = pb_ledger_internf(l, "%.*s", (int)n, ocid);
}

static void name_publishers(pb_ledger *l)
{
	const char **prefix = pb_xcalloc(l->ninputs + 1, sizeof(*prefix));
	int ocds = 0;

	for (size_t i = 0; i < l->ninputs; i++)
		ocds |= !strcmp(l->inputs[i].format, "ocds");
	/* tenders carry their ocid; a contract's id is "ocid/awardID" */
	for (size_t i = 0; ocds && i < pb_ledger_count(l, PB_T_TENDERS); i++) {
		const pb_tender *t = pb_ledger_at(l, PB_T_TENDERS, i);
		note_prefix(l, &t->row, pb_row_extra(&t->row, "ocid"), 0, prefix);
	}
	for (size_t i = 0; ocds && i < pb_ledger_count(l, PB_T_CONTRACTS); i++) {
		const pb_contract *c = pb_ledger_at(l, PB_T_CONTRACTS, i);
		note_prefix(l, &c->row, pb_str(c->contract_id), 1, prefix);
	}
	for (size_t i = 0; i < l->ninputs; i++) {
		pb_input *in = &l->inputs[i];
		const char *slash = strrchr(in->path, '/');
		in->publisher = in->path;
		if (prefix[i] && prefix[i] != no_prefix)
			in->publisher = pb_ledger_internf(l, "the publisher of %s", prefix[i]);
		else if (!strcmp(in->format, "ocds"))
			in->publisher = pb_ledger_internf(l, "%.*s", slash ? (int)(slash - in->path) : 1,
							  slash ? in->path : ".");
	}
	free(prefix);
}

/* The input a row was read from, or NULL.  Rows name their file by the
 * same interned string as its input. */
static const pb_input *row_input(const pb_ledger *l, const pb_row *row, const char **file)
{
	uint32_t in;

	*file = pb_row_file(row);
	return *file && pb_ptrmap_get(l->input_of, *file, &in) ? &l->inputs[in] : NULL;
}

const char *pb_ledger_publisher(const pb_ledger *l, const pb_row *row)
{
	const char *file;
	const pb_input *in = row_input(l, row, &file);

	return in ? in->publisher : file ? file : "";
}

const char *pb_ledger_format(const pb_ledger *l, const pb_row *row)
{
	const char *file;
	const pb_input *in = row_input(l, row, &file);

	return in ? in->format : "";
}

/* Contracts few enough to compare each with those before it: a
 * supplier's, a window of awards (called for each of hundreds of
 * thousands), where setting up a sort would cost more. */
#define PROCEDURES_PAIRWISE 32

static pb_text procedure_id(const pb_contract *c)
{
	return c->tender_id ? c->tender_id : c->contract_id;
}

/*
 * Many contracts: the procedures' ids (pb_texts) sorted and their runs
 * counted.  A map grown from empty for each call (a buyer's year of
 * 20 000 contracts, a few times each) faulted in fresh pages and rehashed
 * at every doubling.  A contract with neither id (none is sealed so)
 * counts on its own, as the map counted it.
 */
size_t pb_contracts_procedures(const pb_contract *const *c, size_t n)
{
	size_t k = 0;

	if (n <= PROCEDURES_PAIRWISE) {
		for (size_t i = 0; i < n; i++) {
			pb_text id = procedure_id(c[i]);
			size_t j = 0;
			while (id && j < i && procedure_id(c[j]) != id)
				j++;
			k += !id || j == i;
		}
		return k;
	}
	uint64_t *id = pb_xmalloc((2 * n + 1) * sizeof(*id));
	for (size_t i = 0; i < n; i++)
		id[i] = (uint64_t)procedure_id(c[i]) << 32;
	pb_sort_u64(id, n, 32, id + n);
	for (size_t i = 0; i < n; i++)
		k += !id[i] || !i || id[i] != id[i - 1];
	free(id);
	return k;
}

void pb_ledger_merge_fields(pb_table t, void *dst, const void *src, int gaps_only)
{
	const pb_table_def *def = pb_table_get(t);
	unsigned char *d = dst;
	const unsigned char *s = src;

	for (size_t c = 0; c < def->ncolumns; c++) {
		const pb_column *col = &def->columns[c];
		if (pb_field_known(col, s) && (!gaps_only || !pb_field_known(col, d)))
			memcpy(d + col->offset, s + col->offset, col->size);
	}
}

/* --- rows: where a record came from --- */

struct pb_row_more {
	const char *file, *path;
	const pb_attr *extra;
	uint32_t nextra;
};

/* 8 bytes: a row header was a sixth of a big ledger at 16. */
_Static_assert(sizeof(pb_row) == 8, "pb_row is two 32-bit words");

/*
 * The origins rows name, for every ledger of the process: entry 0 is
 * none, then files and pb_row_mores.  Entries are added under the lock
 * and read without it: an entry is written before any row names it, in
 * a chunk that never moves.  A ledger reserves numbers ORIGIN_BLOCK at a
 * time, so that files read in parallel take the lock once per block of
 * JSON rows, not per row.  When the last ledger is freed, the table is
 * emptied (a fuzzer or a test suite makes ledgers by the thousand).
 */
#define ORIGIN_CHUNK_BITS 16
#define ORIGIN_CHUNK ((uint32_t)1 << ORIGIN_CHUNK_BITS)
#define ORIGIN_CHUNKS ((PB_ROW_MORE >> ORIGIN_CHUNK_BITS) + 1)
#define ORIGIN_BLOCK 1024u

static struct {
	pthread_mutex_t lock;
	const void **chunk[ORIGIN_CHUNKS];
	uint32_t next;  /* the first number not reserved */
	size_t ledgers; /* alive */
} origins = {PTHREAD_MUTEX_INITIALIZER, {NULL}, 1, 0};

static void origins_ledger_born(void)
{
	pthread_mutex_lock(&origins.lock);
	origins.ledgers++;
	pthread_mutex_unlock(&origins.lock);
}

static void origins_ledger_died(void)
{
	pthread_mutex_lock(&origins.lock);
	if (--origins.ledgers == 0) {
		for (uint32_t c = 0; c < ORIGIN_CHUNKS && origins.chunk[c]; c++) {
			free(origins.chunk[c]);
			origins.chunk[c] = NULL;
		}
		origins.next = 1;
	}
	pthread_mutex_unlock(&origins.lock);
}

static void origins_reserve(pb_ledger *l)
{
	pthread_mutex_lock(&origins.lock);
	uint32_t first = origins.next;
	if (first > PB_ROW_MORE - ORIGIN_BLOCK)
		pb_fatal("out of memory: more than %u row origins (files, and rows with a JSON pointer, an XML path or extra columns)",
			 (unsigned)(PB_ROW_MORE - ORIGIN_BLOCK));
	for (uint32_t c = first >> ORIGIN_CHUNK_BITS; c <= (first + ORIGIN_BLOCK - 1) >> ORIGIN_CHUNK_BITS; c++)
		if (!origins.chunk[c])
			origins.chunk[c] = pb_xcalloc(ORIGIN_CHUNK, sizeof(**origins.chunk));
	origins.next += ORIGIN_BLOCK;
	pthread_mutex_unlock(&origins.lock);
	l->origin_next = first;
	l->origin_end = first + ORIGIN_BLOCK;
}

static uint32_t origin_add(pb_ledger *l, const void *p)
{
	if (l->origin_next == l->origin_end)
		origins_reserve(l);
	uint32_t n = l->origin_next++;
	origins.chunk[n >> ORIGIN_CHUNK_BITS][n & (ORIGIN_CHUNK - 1)] = p;
	return n;
}

static const void *origin_at(uint32_t n)
{
	n &= ~PB_ROW_MORE;
	return n ? origins.chunk[n >> ORIGIN_CHUNK_BITS][n & (ORIGIN_CHUNK - 1)] : NULL;
}

/* A file's number: the one its last row took, which is every row's but
 * when a ledger reads several files at once (OCDS releases, say). */
static uint32_t file_origin(pb_ledger *l, const char *file)
{
	if (!file)
		return 0;
	if (file != l->last_file) {
		l->last_file = file;
		l->last_file_origin = origin_add(l, file);
	}
	return l->last_file_origin;
}

/* Only for a row with PB_ROW_MORE set. */
static const struct pb_row_more *row_more(const pb_row *r)
{
	return origin_at(r->origin);
}

const char *pb_row_file(const pb_row *r)
{
	return r->origin & PB_ROW_MORE ? row_more(r)->file : origin_at(r->origin);
}

const char *pb_row_path(const pb_row *r)
{
	return r->origin & PB_ROW_MORE ? row_more(r)->path : NULL;
}

const pb_attr *pb_row_extras(const pb_row *r, uint32_t *n)
{
	*n = r->origin & PB_ROW_MORE ? row_more(r)->nextra : 0;
	return *n ? row_more(r)->extra : NULL;
}

/* The only place a row's form is chosen: the file alone when that is
 * all it has, else a pb_row_more of its own, since the one it had may be
 * shared by a copy of the row. */
static void row_fill(pb_ledger *l, pb_row *r, const char *file, uint32_t line,
		     const char *path, const pb_attr *extra, uint32_t nextra)
{
	r->line = line;
	if (!path && !nextra) {
		r->origin = file_origin(l, file);
		return;
	}
	struct pb_row_more *m = pb_arena_alloc(l->arena, sizeof(*m));
	*m = (struct pb_row_more){file, path, nextra ? extra : NULL, nextra};
	r->origin = origin_add(l, m) | PB_ROW_MORE;
}

int pb_row_set(pb_ledger *l, pb_row *r, const char *file, uint64_t line, const char *path)
{
	uint32_t n;
	const pb_attr *a = pb_row_extras(r, &n);

	if (line > PB_ROW_LINE_MAX)
		return -1;
	row_fill(l, r, file, (uint32_t)line, path, a, n);
	return 0;
}

void pb_row_set_extras(pb_ledger *l, pb_row *r, const pb_attr *a, uint32_t n)
{
	uint32_t had;

	if (pb_row_extras(r, &had) == a && had == n)
		return; /* merging rows that name the same extras, the usual case */
	row_fill(l, r, pb_row_file(r), r->line, pb_row_path(r), a, n);
}

const char *pb_row_extra(const pb_row *r, const char *name)
{
	uint32_t n;
	const pb_attr *a = pb_row_extras(r, &n);

	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(a[i].name, name))
			return a[i].value;
	return NULL;
}

static const struct {
	pb_table table;
	const char *name;
	pb_coltype type;
} typed_extras[] = {
	{PB_T_PAYMENTS, "invoice_date", PB_COL_DATE}, /* payments.duplicate */
};

static int typed_extra(pb_table t, const char *name)
{
	for (size_t i = 0; i < sizeof(typed_extras) / sizeof(typed_extras[0]); i++)
		if (typed_extras[i].table == t && !strcmp(typed_extras[i].name, name))
			return (int)i;
	return -1;
}

int pb_extra_typed(pb_table t, const char *name)
{
	return typed_extra(t, name) >= 0;
}

const char *pb_extra_unreadable(pb_table t, const char *name, const char *value)
{
	int i = typed_extra(t, name);
	const char *why;
	pb_date d;

	if (i < 0 || typed_extras[i].type != PB_COL_DATE)
		return NULL;
	return pb_date_parse(value, strlen(value), NULL, &d, &why) == 0 ? NULL : why;
}

void pb_row_add_extra(pb_ledger *l, pb_row *r, const char *name, const char *value)
{
	uint32_t n, k;
	const pb_attr *had = pb_row_extras(r, &n);

	for (k = 0; k < n && strcmp(had[k].name, name); k++)
		;
	uint32_t m = n + (k == n);
	pb_attr *a = pb_arena_alloc(l->arena, m * sizeof(*a));
	if (n)
		memcpy(a, had, n * sizeof(*a));
	a[k] = (pb_attr){name, value};
	pb_row_set_extras(l, r, a, m);
}

void pb_ledger_merge_extras(pb_ledger *l, pb_row *dst, const pb_row *first, const pb_row *second)
{
	uint32_t n1, n2, n = 0, missing = 0;
	const pb_attr *a1 = pb_row_extras(first, &n1), *a2 = pb_row_extras(second, &n2);

	for (uint32_t i = 0; i < n2; i++)
		missing += !pb_row_extra(first, a2[i].name);
	if (!missing) { /* the usual case: both name the same extras */
		pb_row_set_extras(l, dst, a1, n1);
		return;
	}
	pb_attr *a = pb_arena_alloc(l->arena, (n1 + missing) * sizeof(*a));

	for (uint32_t i = 0; i < n1; i++)
		a[n++] = a1[i];
	for (uint32_t i = 0; i < n2; i++)
		if (!pb_row_extra(first, a2[i].name))
			a[n++] = a2[i];
	pb_row_set_extras(l, dst, a, n);
}

const char *pb_ledger_internf(pb_ledger *l, const char *fmt, ...)
{
	va_list ap;
	pb_buf b;

	pb_buf_init(&b);
	va_start(ap, fmt);
	pb_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	const char *s = b.len ? pb_ledger_intern(l, b.data, b.len) : NULL;
	pb_buf_release(&b);
	return s;
}
