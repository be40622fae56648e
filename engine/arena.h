/*
 * arena.h - bump allocation for everything an audit imports.
 *
 * Millions of rows must not mean millions of mallocs: records' text is
 * interned into an arena and freed all at once.  Blocks are never moved,
 * so pointers into an arena stay valid until pb_arena_free().
 */
#ifndef PB_ARENA_H
#define PB_ARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct pb_arena pb_arena;

pb_arena *pb_arena_new(void);
void pb_arena_free(pb_arena *a);
/* Zeroed memory aligned for any type; aborts when memory runs out. */
void *pb_arena_alloc(pb_arena *a, size_t n);
/* A NUL-terminated copy of s[0..n). */
char *pb_arena_strndup(pb_arena *a, const char *s, size_t n);
char *pb_arena_strdup(pb_arena *a, const char *s);
char *pb_arena_printf(pb_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *pb_arena_vprintf(pb_arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
size_t pb_arena_bytes(const pb_arena *a); /* total reserved, for bench */
/* Gives back the pages of a text arena's blocks that hold nothing yet,
 * which huge pages would otherwise keep resident (the text space is in
 * huge pages where the kernel gives them); more may be allocated after,
 * and those pages come back, zero.  Nothing for other arenas. */
void pb_arena_trim(pb_arena *a);

/*
 * The text space: one region of address space the process reserves once
 * (16 GiB, taken in pieces as it fills), where every ledger's texts live,
 * so that a record holds a text in 4 bytes (a pb_text: its offset in the
 * region in units of PB_TEXT_ALIGN) where a pointer takes 8.  At ten
 * million rows, pointers were a fifth of an audit's memory.
 *
 * pb_arena_new_text gives an arena whose blocks come from the region and
 * whose texts (pb_arena_strndup...) start at multiples of PB_TEXT_ALIGN.
 * Its blocks are not handed back one by one: the region is emptied as a
 * whole when the last such arena of the process is freed (a ledger's
 * arena and string table are such arenas, so that is when the last
 * ledger is freed).  A pb_text is read only while its arena lives.
 */
#define PB_TEXT_SHIFT 2
#define PB_TEXT_ALIGN (1u << PB_TEXT_SHIFT)

typedef uint32_t pb_text; /* 0: no text (NULL, "unknown") */

pb_arena *pb_arena_new_text(void);

/* Where the region starts; set once, before the first text exists. */
extern const char *pb_text_base;

/* The text t stands for, or NULL for 0. */
static inline const char *pb_str(pb_text t)
{
	return t ? pb_text_base + ((size_t)t << PB_TEXT_SHIFT) : NULL;
}

/* The pb_text of s: NULL, or a text of a text arena or of a ledger's
 * string table (aborts on any other pointer: a program error). */
pb_text pb_text_of(const char *s);

/*
 * String interning: equal byte strings give the same pointer, so ids are
 * compared with == and hashed by address.  The empty string interns to
 * NULL, which everywhere means "unknown" (docs/formats.md: empty is unknown).
 */
typedef struct pb_strtab pb_strtab;

/* A table for one thread; strings are copied into a. */
pb_strtab *pb_strtab_new(pb_arena *a);
/* A table of 2^bits shards, each with its own lock and arena, which
 * threads may share once pb_strtab_set_locking(t, 1) is called (files
 * imported in parallel).  Locking is off again for readers of a table
 * nobody writes to any more. */
pb_strtab *pb_strtab_new_shared(unsigned bits);
void pb_strtab_set_locking(pb_strtab *t, int on);
void pb_strtab_free(pb_strtab *t);
const char *pb_intern(pb_strtab *t, const char *s, size_t n);
/* Orders texts as strcmp does, NULL first.  For interned texts an equal
 * pointer is an equal text, so sorting ids that repeat (a buyer's
 * contracts) mostly reads no byte of them. */
static inline int pb_intern_cmp(const char *a, const char *b)
{
	return a == b ? 0 : !a ? -1 : !b ? 1 : strcmp(a, b);
}
const char *pb_intern_str(pb_strtab *t, const char *s);
/* Interning a row's texts together: pb_intern_hash for each, then
 * pb_strtab_prefetch for each (it takes no lock), then pb_intern_hashed
 * with the same hash; the cache misses of their slots overlap instead of
 * coming one after another. */
uint32_t pb_intern_hash(const char *s, size_t n);
void pb_strtab_prefetch(const pb_strtab *t, uint32_t h);
const char *pb_intern_hashed(pb_strtab *t, const char *s, size_t n, uint32_t h);
/* The interned copy of s[0..n), or NULL when it was never interned; never
 * writes, so readers may share a table nobody writes to. */
const char *pb_strtab_find(const pb_strtab *t, const char *s, size_t n);
/* Makes room for n texts in all before any is interned, so that a table
 * whose size can be guessed is not rehashed again and again as it fills
 * (doubling a large one locks every shard while it reads every text). */
void pb_strtab_reserve(pb_strtab *t, size_t n);
/* Bytes of buckets the table holds, for tests and the bench. */
size_t pb_strtab_bucket_bytes(const pb_strtab *t);
/*
 * Frees the buckets, keeping the texts: a sealed ledger's table is read
 * through the pointers its records hold, and its buckets were a tenth of
 * a 1M-row audit's memory.  The next pb_intern or pb_strtab_find (from
 * any thread) first rebuilds them from the texts, once; a program that
 * looks nothing up never pays for that.  Call it while no other thread
 * uses the table.  pb_strtab_rebuilds counts the rebuilds, for tests.
 */
void pb_strtab_drop_buckets(pb_strtab *t);
/* pb_arena_trim for the room in the table's text blocks (and the arenas
 * of its shards, when they are its own): a complete table's. */
void pb_strtab_trim(pb_strtab *t);
size_t pb_strtab_rebuilds(const pb_strtab *t);

/*
 * pb_ptrmap: interned pointer -> uint32 value, open addressing.  Used for
 * primary-key and group indexes.  Keys must be non-NULL.
 */
typedef struct pb_ptrmap pb_ptrmap;

pb_ptrmap *pb_ptrmap_new(void);
void pb_ptrmap_free(pb_ptrmap *m);
/* Returns 1 and sets *val if present. */
int pb_ptrmap_get(const pb_ptrmap *m, const void *key, uint32_t *val);
/* Fetches the slot where a look-up of key starts into the cache. */
void pb_ptrmap_prefetch(const pb_ptrmap *m, const void *key);
/* Inserts or overwrites. */
void pb_ptrmap_put(pb_ptrmap *m, const void *key, uint32_t val);
size_t pb_ptrmap_count(const pb_ptrmap *m);
/* Empties m and keeps its room, for a map filled afresh many times (once
 * per group): grown anew each time, it faulted in fresh pages each time.
 * Room far past the last filling is given back instead, so a clearing
 * costs about what the filling before it did. */
void pb_ptrmap_clear(pb_ptrmap *m);

/*
 * The distinct texts found as pb_texts at `offset` in the n elements of
 * `size` bytes from base (0 skipped), sorted by strcmp: returns them,
 * *k of them, and sets *rank to a map from each text to its place, so
 * that callers sort and group by integers.  Free both.
 */
const char **pb_rank_texts(const void *base, size_t n, size_t size, size_t offset, size_t *k,
			   pb_ptrmap **rank);

/*
 * pb_idmap: interned key -> uint32 value, for maps with an entry per
 * record, group or element of an array its owner keeps.  A slot is 4
 * bytes where a pb_ptrmap's is 12: it holds the value + 1 (0: empty) and
 * PB_IDMAP_TAG_BITS of the key's hash, and the key itself is read back
 * from the owner (a record's key field, say) by key_of.  The tag spares
 * that read for all but one in 16 of the keys a probe passes, so the map
 * fills to three quarters.  Values go up to PB_IDMAP_VALUE_MAX.  The
 * fields are the map's: start from {0} and end with pb_idmap_release.
 */
#define PB_IDMAP_TAG_BITS 4
#define PB_IDMAP_VALUE_BITS (32 - PB_IDMAP_TAG_BITS)
#define PB_IDMAP_VALUE_MASK ((UINT32_C(1) << PB_IDMAP_VALUE_BITS) - 1)
#define PB_IDMAP_VALUE_MAX (PB_IDMAP_VALUE_MASK - 1)

typedef struct {
	uint32_t *slots;
	size_t cap, count;
} pb_idmap;

/* The key of value v, read back from where the map's owner keeps it. */
typedef const char *pb_idmap_key_fn(const void *owner, uint32_t v);

/* Returns 1 and sets *v when key is in m. */
int pb_idmap_get(const pb_idmap *m, const char *key, pb_idmap_key_fn *key_of, const void *owner,
		 uint32_t *v);
/* Maps key, which m does not hold, to v, whose key key_of can already
 * read (growing reads every key back). */
void pb_idmap_put(pb_idmap *m, const char *key, uint32_t v, pb_idmap_key_fn *key_of,
		  const void *owner);
/* Room for n keys in all, so that m does not grow (rehashing every key)
 * until it holds more: for an owner that can guess how many will come.
 * -1, m as it was, when the memory is not there. */
int pb_idmap_reserve(pb_idmap *m, size_t n, pb_idmap_key_fn *key_of, const void *owner);
void pb_idmap_release(pb_idmap *m);
/* Fetches the slot where a look-up of key starts into the cache. */
void pb_idmap_prefetch(const pb_idmap *m, const char *key);
/* The value of the first slot whose tag is key's, without reading any
 * key back, or PB_IDMAP_NONE: most likely key's value, for a caller that
 * fetches what key_of will read before it looks key up. */
#define PB_IDMAP_NONE UINT32_MAX
uint32_t pb_idmap_peek(const pb_idmap *m, const char *key);

/*
 * pb_pairs: pairs of interned pointers (a buyer and a supplier, say)
 * numbered from 0 in the order first added, where a keyed text "a\x1fb"
 * would be formatted, interned and kept.  a[i] and b[i] are pair i's
 * halves; a half may be NULL.  Start from {0}; end with pb_pairs_release.
 */
typedef struct {
	const void **a, **b;
	size_t n, cap;
	pb_idmap map;
} pb_pairs;

/* The number of (a, b), added as n (the count before) if it is new. */
uint32_t pb_pairs_add(pb_pairs *p, const void *a, const void *b);
/* Returns 1 and sets *i when (a, b) was added. */
int pb_pairs_find(const pb_pairs *p, const void *a, const void *b, uint32_t *i);
void pb_pairs_release(pb_pairs *p);

/*
 * pb_grouping: elements 0..n-1 of an array its owner keeps (a table's
 * records, say) grouped by an interned key, element i's read by
 * key_of(owner, i) (NULL: in no group).  Groups come in the order of
 * their first element, elements in theirs: group g's are
 * items[start[g] .. start[g + 1]).  The key map holds group numbers and
 * reads a group's key back from its first element; building, key_of
 * reads each element's key some elements ahead of its look-up (keys are
 * interned: they do not change).  The owner, and the
 * pb_grouping itself, must not move while it is used.
 */
typedef struct {
	pb_idmap map;
	uint32_t *start, *items;
	size_t ngroups;
	pb_idmap_key_fn *key_of;
	const void *owner;
	uint32_t *first; /* while building: per group, its first element */
} pb_grouping;

void pb_grouping_build(pb_grouping *g, size_t n, pb_idmap_key_fn *key_of, const void *owner);
/*
 * Elements 0..n-1 of an array its owner keeps, grouped by an interned
 * text, key_of(owner, i) (NULL: left out), as (the text's pb_text << 32 |
 * i) in out, which has room for 2n (the sort's buffer is its second
 * half): the groups in the order of their texts' addresses, each group's
 * elements in theirs.  For callers to whom only the groups matter, not
 * their order: a radix sort, where a map or a qsort missed the cache.
 * Returns how many have a key.
 */
size_t pb_sort_by_text(size_t n, pb_idmap_key_fn *key_of, const void *owner, uint64_t *out);
/* The elements with that key, *n of them, or NULL. */
const uint32_t *pb_grouping_find(const pb_grouping *g, const char *key, size_t *n);
void pb_grouping_release(pb_grouping *g);

#endif
