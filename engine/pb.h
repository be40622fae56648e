/*
 * pb.h - the few things every probity module shares: exit codes, the error
 * value handed up instead of printed, allocation that cannot fail, the one
 * string buffer type, and a stable hash.
 *
 * Ownership rule, stated once: memory returned by a function named *_new or
 * *_dup is the caller's; everything a ledger hands out (interned strings,
 * records, rows) belongs to that ledger's arena and lives until
 * pb_ledger_free().  Nothing in engine/, importers/, rules/ or reports/
 * prints or exits (pb_fatal aside); only cli/ talks to the terminal and
 * exits (tests/layering/run.sh checks).
 */
#ifndef PB_PB_H
#define PB_PB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PB_VERSION "0.1.0"
/* "probity 0.1.0", as reports name their maker. */
const char *pb_report_tool(void);

/* Exit codes, the scheduler's contract (README "Exit status"). */
typedef enum {
	PB_EXIT_CLEAN = 0,    /* no finding at or above --fail-on */
	PB_EXIT_FINDINGS = 1, /* findings at or above --fail-on */
	PB_EXIT_USAGE = 2,    /* bad command line or configuration */
	PB_EXIT_INPUT = 3,    /* unreadable, empty or unusable input; I/O */
	PB_EXIT_INTERNAL = 4, /* a bug in probity */
	PB_EXIT_HISTORY_BUSY = 5 /* another run holds the --history file */
} pb_exit;

/*
 * An error is a value: the failing function fills it and returns -1, and
 * the caller decides whether to print it (main.c) or turn it into a row
 * rejection (importers).  Messages are lowercase and name the file, line
 * and field: "payments.csv:17: amount '12,34,56' is not a number".
 */
typedef struct {
	int code;       /* a pb_exit value saying which kind of failure */
	char msg[1024];
} pb_error;

void pb_error_set(pb_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Allocation failure is not recoverable here: these print and abort. */
/*
 * The one way out below the command line: out of memory, or a bug in
 * probity itself (a rule asking for a parameter it never declared).
 * Says so on standard error and aborts; the command line's SIGABRT
 * handler names the report being written and exits 4.
 */
void pb_fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/*
 * Blocks of 4 MiB and more, from these and from pb_xrealloc, are asked
 * for in huge pages, the whole 2 MiB pages inside them
 * (pb_advise_huge).  A 10M-row audit faulted in 680 000 pages one at a
 * time, and its rules read rows at random, where in 4 KiB pages a read
 * of a large array also costs a page-table walk (two walks in a VM).
 * In huge pages it took about a seventh less time (faults: 364 000),
 * for 7 MiB more peak; 1M rows, a twentieth less for 2.5 MiB more.
 */
void *pb_xmalloc(size_t n);
void *pb_xcalloc(size_t n, size_t size);
/*
 * pb_xcalloc for an array whose every page will be written soon: a
 * table read before it is written (hash slots, counters), or an index
 * filled whole (a bucket sort's order and starts).  Its pages are made
 * writable at once, in one call: a page fault costs about 10 us on the
 * VMs the bench runs on, and a read of a fresh page maps the shared
 * zero page, the first write to it then taking a second fault and,
 * with other threads running, a TLB shootdown on each of them.  Not for
 * an array sized for the worst case and mostly left untouched: its
 * pages would all count.
 */
void *pb_xcalloc_slots(size_t n, size_t size);
/* The same, NULL when the memory is not there: for room made on a guess. */
void *pb_calloc_slots(size_t n, size_t size);
/* madvise(advice) on the whole pages inside [p, p + bytes), none of a
 * page the block only partly holds; the kernel's answer is ignored. */
void pb_advise_pages(const void *p, size_t bytes, int advice);
/* Asks for the whole huge pages inside [p, p + n) when n is 4 MiB or
 * more; returns p (NULL stays NULL). */
void *pb_advise_huge(void *p, size_t n);
/* realloc(p, n) of a block advised as pb_advise_huge whose first `keep`
 * bytes matter: when they are 4 MiB or more, the new block is advised
 * before they are copied in.  NULL (p left as it was) when the memory
 * is not there. */
void *pb_realloc_huge(void *p, size_t keep, size_t n);
/*
 * Where the C library puts large blocks (glibc's allocator; elsewhere
 * nothing changes).  Returns the policy it replaces.
 *
 * PB_HEAP_GROWING, from the start: blocks of 256 KiB and more get
 * mappings of their own, grown by mremap (below 4 MiB: the huge-page
 * advice splits a larger one, which realloc copies, pb_realloc_huge)
 * and handed back whole when freed.  The import's tables double as
 * they fill, and in the heap every outgrown copy left a hole that
 * stayed resident: 25-30 MiB of a 1M-row audit's peak.
 *
 * PB_HEAP_REUSED, while rules run: blocks below 2 MiB come from the
 * heap and go back to it.  Each rule builds its working set and drops
 * it; handed back to the kernel, the next rule's blocks came as fresh
 * pages, each zeroed and faulted in again (121 MiB of them at 1M rows,
 * where the rules hold a tenth of that at a time).
 */
typedef enum { PB_HEAP_GROWING, PB_HEAP_REUSED } pb_heap_policy;
pb_heap_policy pb_heap_policy_set(pb_heap_policy policy);
/*
 * For a block of `size` bytes written front to back (a table's rows),
 * whose first `ready` bytes are writable already: makes the next 64 KiB
 * writable in one call, as pb_xcalloc_slots does a whole array, and
 * returns the new `ready` (at most size).  A 1M-row import took 15 000
 * page faults for its rows alone.
 */
size_t pb_populate_ahead(void *p, size_t ready, size_t size);
void *pb_xrealloc(void *p, size_t n);
/*
 * Zeroed memory for a large table read at random (a string table's
 * buckets), aligned to `align` (a power of two, at most 2 MiB).  From
 * 2 MiB up it is asked for in huge pages: each look-up of a table larger
 * than the TLB reaches then costs one cache miss, where in 4 KiB pages it
 * also cost a page-table walk.  Freed with pb_free_random, never free().
 */
void *pb_xalloc_random(size_t n, size_t align);
/* The same, or NULL when the memory is not there: for room taken on a
 * guess, which the program can do without. */
void *pb_alloc_random(size_t n, size_t align);
void pb_free_random(void *p);
void *pb_xreallocarray(void *p, size_t n, size_t size);
char *pb_xstrdup(const char *s);
char *pb_xstrndup(const char *s, size_t n);

/* Grow an array so that index `need - 1` is valid; `*cap` tracks capacity. */
#define PB_GROW(ptr, need, cap)                                                \
	do {                                                                   \
		if ((size_t)(need) > (cap)) {                                  \
			size_t pb_grow_new = (cap) ? (cap) * 2 : 16;           \
			while (pb_grow_new < (size_t)(need))                   \
				pb_grow_new *= 2;                              \
			(ptr) = pb_xreallocarray((ptr), pb_grow_new,           \
						 sizeof(*(ptr)));              \
			(cap) = pb_grow_new;                                   \
		}                                                              \
	} while (0)

/*
 * pb_buf: a growable byte string.  Invariant: after pb_buf_init, `data` is
 * never NULL and data[len] == '\0', so it can always be used as a C string.
 */
typedef struct {
	char *data;
	size_t len;
	size_t cap;
} pb_buf;

void pb_buf_init(pb_buf *b);
void pb_buf_add(pb_buf *b, const void *p, size_t n);
void pb_buf_addstr(pb_buf *b, const char *s);
void pb_buf_addch(pb_buf *b, char c);
void pb_buf_addf(pb_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pb_buf_vaddf(pb_buf *b, const char *fmt, va_list ap);
void pb_buf_reset(pb_buf *b);            /* len = 0, keeps memory */
void pb_buf_truncate(pb_buf *b, size_t len); /* drops what is past len */
char *pb_buf_detach(pb_buf *b);          /* caller frees; b is re-inited */
void pb_buf_release(pb_buf *b);          /* frees; b is re-inited */

/*
 * A stable counting sort: order gets the i < n whose key[i] (below nkeys)
 * is not PB_NO_BUCKET, by key, then by i; key k's run starts at start[k]
 * (nkeys + 1 of them, the last the count sorted).
 */
#define PB_NO_BUCKET UINT32_MAX
void pb_bucket_sort(const uint32_t *key, size_t n, size_t nkeys, uint32_t *order,
		    uint32_t *start);
/* pb_bucket_sort into an order array of its own, sized for what is
 * sorted (its pages taken at once, pb_xcalloc_slots); free it. */
uint32_t *pb_bucket_sorted(const uint32_t *key, size_t n, size_t nkeys, uint32_t *start);
/* Sorts a[0..n) by their bits from low_bit up (the bits below ride
 * along), stable: a radix sort a byte a pass through tmp (room for n),
 * bytes every value shares taking no pass.  For large arrays of integer
 * keys, where qsort's comparisons or a hash map's look-ups miss. */
void pb_sort_u64(uint64_t *a, size_t n, unsigned low_bit, uint64_t *tmp);
/* Puts the n elements of `size` bytes at base in order[]'s order where
 * they are (element i becomes the one that was at order[i]), following
 * each cycle once; order is spent. */
void pb_permute(void *base, size_t n, size_t size, uint32_t *order);

/* 64-bit FNV-1a: stable across runs and machines, used for finding ids. */
uint64_t pb_hash(const void *p, size_t n);
uint64_t pb_hash_continue(uint64_t h, const void *p, size_t n);
/* The first 8 bytes of s, big-endian, zeros past its end: two texts'
 * prefixes compare as strcmp orders them, so a sort by text compares
 * integers and calls strcmp only when the prefixes are equal. */
uint64_t pb_prefix8(const char *s);
/*
 * An item sorted by pb_sort_text_keys: a small group first, then a text
 * (never NULL), then the item's index.  pb_text_key_of fills it.
 */
typedef struct {
	uint64_t prefix, prefix2; /* the text's first 16 bytes, big-endian */
	const char *text;
	uint32_t group, index;
} pb_text_key;
pb_text_key pb_text_key_of(uint32_t group, const char *text, uint32_t index);
/* Sorts keys[0..n) by group, then text as strcmp orders it, then index:
 * a radix sort on the group and the texts' first 16 bytes through tmp
 * (room for n), bytes every key shares taking no pass, and strcmp only
 * between texts whose first 16 bytes are equal.  For the tens of
 * thousands of ids a ranking orders, where qsort's calls were most of
 * the time. */
void pb_sort_text_keys(pb_text_key *keys, size_t n, pb_text_key *tmp);

/* ASCII helpers that ignore the locale. */
int pb_strcaseeq(const char *a, const char *b);
/* Is `word` one of the pieces of a '|'-separated list ("open|selective"),
 * split as Rust's split_terminator (a trailing '|' adds no empty piece)? */
int pb_list_has(const char *list, const char *word);
void pb_trim(const char **s, size_t *n);
/* What a file starting with head[0..n) is when it is a spreadsheet
 * workbook saved under a CSV name, said with advice ("is a ZIP archive
 * (an .xlsx or .ods workbook?), not CSV: ..."); NULL when it is not. */
const char *pb_workbook_says(const char *head, size_t n);
/* The delimiter Excel's "sep=X" line names when s[0..n) starts with one
 * (a line of those five bytes alone), else 0. */
int pb_csv_sep_line(const char *s, size_t n);
/* The delimiter of the CSV header line starting at line[0..n): whichever
 * of ',', ';' and a tab it holds most outside quotes, ',' on a tie. */
char pb_csv_sniff_delimiter(const char *line, size_t n);
/* How many '\n' s[0..n) holds: the lines it ends. */
uint64_t pb_count_newlines(const char *s, size_t n);
/* Is tok[0..n) one of the ';'-separated tokens of list (NULL: none),
 * as lists of ids and codes are kept ("a;b;c")? */
int pb_tokens_has(const char *list, const char *tok, size_t n);
/* Adds tok[0..n) to the ';'-separated tokens in list unless it holds it. */
void pb_tokens_add(pb_buf *list, const char *tok, size_t n);

/* How grave a finding is; config and history speak of it too. */
typedef enum {
	PB_SEV_LOW,
	PB_SEV_MEDIUM,
	PB_SEV_HIGH,
	PB_SEV_CRITICAL,
	PB_SEV_COUNT
} pb_severity;

const char *pb_severity_name(pb_severity s);
int pb_severity_parse(const char *s, pb_severity *out); /* 0 or -1 */

#endif
