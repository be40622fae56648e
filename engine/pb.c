/* pb.c - errors, allocation, pb_buf and hashing shared by every module. */
#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE, where the system has it */
#include <ctype.h>
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pb.h"

void pb_error_set(pb_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void pb_fatal(const char *fmt, ...)
{
	va_list ap;

	fputs("probity: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define HUGE_PAGE ((size_t)2 << 20)

/* Below this a block holds at most one whole huge page, and sparing
 * its TLB entries is worth less than the RSS a half-used one costs. */
#define HUGE_FROM ((size_t)4 << 20)

/* madvise(advice) on the whole units (a power of two) inside
 * [p, p + bytes); the kernel's answer is ignored. */
static void advise_inside(const void *p, size_t bytes, uintptr_t unit, int advice)
{
	uintptr_t mask = unit - 1;
	uintptr_t from = ((uintptr_t)p + mask) & ~mask;
	uintptr_t to = ((uintptr_t)p + bytes) & ~mask;

	if (to > from)
		(void)madvise((void *)from, to - from, advice);
}

/* The whole huge pages inside [p, p + bytes) asked for. */
static void huge_inside(const void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	/* only advice: a kernel without transparent huge pages says no,
	 * and the memory is as good in small pages */
	advise_inside(p, bytes, HUGE_PAGE, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
}

void *pb_advise_huge(void *p, size_t n)
{
	if (p && n >= HUGE_FROM)
		huge_inside(p, n);
	return p;
}

/*
 * A block advised into huge pages is three mappings (before, inside and
 * after its whole 2 MiB pages), which glibc's realloc cannot move with
 * mremap: it copies the block into a new one, whose pages are then
 * small ones, faulted in one by one (about 11 us each on our VM) before
 * the new block can be advised.  Here the new block is advised first.
 */
void *pb_realloc_huge(void *p, size_t keep, size_t n)
{
	if (!p || keep < HUGE_FROM)
		return pb_advise_huge(realloc(p, n ? n : 1), n);
	void *q = pb_advise_huge(malloc(n), n);
	if (!q)
		return NULL;
	memcpy(q, p, keep < n ? keep : n);
	free(p);
	return q;
}

static void out_of_memory(size_t n)
{
	pb_fatal("out of memory allocating %zu bytes", n);
}

void *pb_xmalloc(size_t n)
{
	void *p = pb_advise_huge(malloc(n ? n : 1), n);

	if (!p)
		out_of_memory(n);
	return p;
}

void *pb_xcalloc(size_t n, size_t size)
{
	void *p = pb_advise_huge(calloc(n ? n : 1, size ? size : 1), n * size);

	if (!p)
		out_of_memory(n * size);
	return p;
}

/* Below this a table's pages are few, and faulting them in one by one
 * costs less than the call. */
#define POPULATE_FROM ((size_t)256 << 10)

void pb_advise_pages(const void *p, size_t bytes, int advice)
{
	long page = sysconf(_SC_PAGESIZE);

	if (page > 0)
		advise_inside(p, bytes, (uintptr_t)page, advice);
}

/* Faults in the pages of [p, p + bytes) for writing, in one call. */
static void populate(void *p, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
	/* only advice: a kernel before 5.14 says no, and the pages then
	 * come one fault at a time */
	pb_advise_pages(p, bytes, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)bytes;
#endif
}

void *pb_calloc_slots(size_t n, size_t size)
{
	void *p = pb_advise_huge(calloc(n ? n : 1, size ? size : 1), n * size);

	if (p && n * size >= POPULATE_FROM)
		populate(p, n * size);
	return p;
}

void *pb_xcalloc_slots(size_t n, size_t size)
{
	void *p = pb_calloc_slots(n, size);

	if (!p)
		out_of_memory(n * size);
	return p;
}

static pb_heap_policy heap_policy = PB_HEAP_GROWING;

pb_heap_policy pb_heap_policy_set(pb_heap_policy policy)
{
	pb_heap_policy was = heap_policy;

#ifdef __GLIBC__
	/* A fixed threshold: glibc's own would rise to the size of each
	 * large block freed (up to 32 MiB), the growing tables with it.
	 * Trimmed from 4 MiB: room a rule may take again stays. */
	mallopt(M_MMAP_THRESHOLD, policy == PB_HEAP_REUSED ? 2 << 20 : 256 << 10);
	mallopt(M_TRIM_THRESHOLD, policy == PB_HEAP_REUSED ? 4 << 20 : 128 << 10);
#endif
	heap_policy = policy;
	return was;
}

#define POPULATE_AHEAD ((size_t)64 << 10)

size_t pb_populate_ahead(void *p, size_t ready, size_t size)
{
	size_t to = ready + POPULATE_AHEAD < size ? ready + POPULATE_AHEAD : size;

	if (size >= POPULATE_FROM && to > ready)
		populate((char *)p + ready, to - ready);
	return to;
}

/*
 * What pb_free_random needs, just before the block: where the memory
 * began, and its length when it is a mapping of its own (else 0).
 */
struct random_head {
	void *raw;
	size_t mapped;
};

#define RANDOM_HEAD sizeof(struct random_head)

static void *head_before(unsigned char *raw, size_t align, size_t mapped)
{
	uintptr_t at = ((uintptr_t)raw + RANDOM_HEAD + align - 1) & ~(uintptr_t)(align - 1);
	struct random_head *h = (struct random_head *)at - 1;

	h->raw = raw;
	h->mapped = mapped;
	return (void *)at;
}

/*
 * From 2 MiB up the block is a mapping of its own: zero already, so it
 * is not written here, and its huge pages are faulted in by whichever
 * thread first writes them, not all at once by the caller (the string
 * table made room for the 10M-row bench's texts for 0.2 s before any
 * import thread could start).
 */
void *pb_alloc_random(size_t n, size_t align)
{
	size_t size = n ? n : 1;

	if (size > SIZE_MAX / 2)
		return NULL;
	if (align < RANDOM_HEAD)
		align = RANDOM_HEAD;
	if (size >= HUGE_PAGE) {
		size = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		size_t len = size + HUGE_PAGE; /* room to start on a huge page */
		void *raw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (raw == MAP_FAILED)
			return NULL;
		void *p = head_before(raw, HUGE_PAGE, len);
		huge_inside(p, size); /* aligned and rounded: all of it */
		return p;
	}
	unsigned char *raw = malloc(size + align + RANDOM_HEAD);
	if (!raw)
		return NULL;
	void *p = head_before(raw, align, 0);
	memset(p, 0, size);
	return p;
}

void pb_free_random(void *p)
{
	if (!p)
		return;
	const struct random_head *h = (const struct random_head *)p - 1;
	if (h->mapped)
		(void)munmap(h->raw, h->mapped);
	else
		free(h->raw);
}

void *pb_xalloc_random(size_t n, size_t align)
{
	void *p = pb_alloc_random(n, align);

	if (!p)
		out_of_memory(n);
	return p;
}

void *pb_xrealloc(void *p, size_t n)
{
	void *q = pb_advise_huge(realloc(p, n ? n : 1), n);

	if (!q)
		out_of_memory(n);
	return q;
}

void *pb_xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	return pb_xrealloc(p, n * size);
}

char *pb_xstrdup(const char *s)
{
	return pb_xstrndup(s, strlen(s));
}

char *pb_xstrndup(const char *s, size_t n)
{
	char *p = pb_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* An empty pb_buf points here, so data is never NULL. */
static char empty_buf[1];

void pb_buf_init(pb_buf *b)
{
	b->data = empty_buf;
	b->len = 0;
	b->cap = 0;
}

static void buf_reserve(pb_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if (b->cap == 0) {
		b->data = pb_xmalloc(cap);
		b->data[0] = '\0';
	} else {
		b->data = pb_xrealloc(b->data, cap);
	}
	b->cap = cap;
}

void pb_buf_add(pb_buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void pb_buf_addstr(pb_buf *b, const char *s)
{
	pb_buf_add(b, s, strlen(s));
}

void pb_buf_addch(pb_buf *b, char c)
{
	pb_buf_add(b, &c, 1);
}

/* Formats into the room the buffer has, and again only when it did not
 * fit: most pieces are short, and measuring first doubled every call. */
void pb_buf_vaddf(pb_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	buf_reserve(b, 63);
	va_copy(cp, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void pb_buf_addf(pb_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pb_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void pb_buf_reset(pb_buf *b)
{
	pb_buf_truncate(b, 0);
}

void pb_buf_truncate(pb_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

char *pb_buf_detach(pb_buf *b)
{
	char *p = b->cap ? b->data : pb_xstrdup("");

	pb_buf_init(b);
	return p;
}

void pb_buf_release(pb_buf *b)
{
	if (b->cap)
		free(b->data);
	pb_buf_init(b);
}

/* start[k]: where key k's run begins, start[nkeys] the count sorted. */
static void bucket_count(const uint32_t *key, size_t n, size_t nkeys, uint32_t *start)
{
	memset(start, 0, (nkeys + 1) * sizeof(*start));
	for (size_t i = 0; i < n; i++)
		if (key[i] != PB_NO_BUCKET)
			start[key[i] + 1]++;
	for (size_t k = 0; k < nkeys; k++)
		start[k + 1] += start[k];
}

static void bucket_place(const uint32_t *key, size_t n, size_t nkeys, uint32_t *order,
			 const uint32_t *start)
{
	uint32_t *fill = pb_xcalloc_slots(nkeys + 1, sizeof(*fill));

	for (size_t i = 0; i < n; i++)
		if (key[i] != PB_NO_BUCKET)
			order[start[key[i]] + fill[key[i]]++] = (uint32_t)i;
	free(fill);
}

void pb_bucket_sort(const uint32_t *key, size_t n, size_t nkeys, uint32_t *order,
		    uint32_t *start)
{
	bucket_count(key, n, nkeys, start);
	bucket_place(key, n, nkeys, order, start);
}

uint32_t *pb_bucket_sorted(const uint32_t *key, size_t n, size_t nkeys, uint32_t *start)
{
	bucket_count(key, n, nkeys, start);
	uint32_t *order = pb_xcalloc_slots((size_t)start[nkeys] + 1, sizeof(*order));
	bucket_place(key, n, nkeys, order, start);
	return order;
}

void pb_sort_u64(uint64_t *a, size_t n, unsigned low_bit, uint64_t *tmp)
{
	uint64_t *from = a, *to = tmp;

	for (unsigned shift = low_bit; shift < 64; shift += 8) {
		size_t start[257] = {0};
		for (size_t i = 0; i < n; i++)
			start[((from[i] >> shift) & 0xff) + 1]++;
		if (n && start[((from[0] >> shift) & 0xff) + 1] == n)
			continue;
		for (size_t b = 0; b < 256; b++)
			start[b + 1] += start[b];
		for (size_t i = 0; i < n; i++)
			to[start[(from[i] >> shift) & 0xff]++] = from[i];
		uint64_t *t = from;
		from = to;
		to = t;
	}
	if (from != a)
		memcpy(a, from, n * sizeof(*a));
}

void pb_permute(void *base, size_t n, size_t size, uint32_t *order)
{
	unsigned char *e = base, *first = pb_xmalloc(size ? size : 1);

	for (size_t i = 0; i < n; i++) {
		if (order[i] == i)
			continue;
		memcpy(first, e + i * size, size);
		size_t j = i;
		for (;;) {
			size_t from = order[j];
			order[j] = (uint32_t)j; /* placed */
			if (from == i) {
				memcpy(e + j * size, first, size);
				break;
			}
			memcpy(e + j * size, e + from * size, size);
			j = from;
		}
	}
	free(first);
}

uint64_t pb_hash_continue(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t pb_prefix8(const char *s)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++) {
		v = v << 8 | (unsigned char)*s;
		s += *s != '\0';
	}
	return v;
}

pb_text_key pb_text_key_of(uint32_t group, const char *text, uint32_t index)
{
	return (pb_text_key){pb_prefix8(text), pb_prefix8(text + strnlen(text, 8)), text, group,
			     index};
}

/* Byte b of a key's sort value, least significant first: the 16 bytes of
 * the text, then the 4 of the group. */
#define TEXT_KEY_BYTES 20

static unsigned text_key_byte(const pb_text_key *k, unsigned b)
{
	if (b < 8)
		return (unsigned)(k->prefix2 >> (8 * b)) & 0xff;
	if (b < 16)
		return (unsigned)(k->prefix >> (8 * (b - 8))) & 0xff;
	return (k->group >> (8 * (b - 16))) & 0xff;
}

/* Does a sort in strcmp order of the texts, then by index, put a first? */
static int text_key_before(const pb_text_key *a, const pb_text_key *b)
{
	int c = strcmp(a->text, b->text);

	return c ? c < 0 : a->index < b->index;
}

/* Keys whose group and first 16 bytes are equal lie together once the
 * radix passes are done: each such run is put in order by strcmp. */
static void text_key_runs(pb_text_key *keys, size_t n)
{
	for (size_t s = 0, e; s < n; s = e) {
		for (e = s + 1; e < n && keys[e].group == keys[s].group &&
				keys[e].prefix == keys[s].prefix && keys[e].prefix2 == keys[s].prefix2;
		     e++)
			;
		for (size_t i = s + 1; i < e; i++) {
			pb_text_key x = keys[i];
			size_t j = i;
			for (; j > s && text_key_before(&x, &keys[j - 1]); j--)
				keys[j] = keys[j - 1];
			keys[j] = x;
		}
	}
}

void pb_sort_text_keys(pb_text_key *keys, size_t n, pb_text_key *tmp)
{
	size_t (*count)[257] = pb_xcalloc(TEXT_KEY_BYTES, sizeof(*count));
	pb_text_key *from = keys, *to = tmp;

	for (size_t i = 0; i < n; i++)
		for (unsigned b = 0; b < TEXT_KEY_BYTES; b++)
			count[b][text_key_byte(&keys[i], b) + 1]++;
	/* stable passes from the least significant byte: equal keys keep
	 * their order, which no pass depends on (text_key_runs decides) */
	for (unsigned b = 0; b < TEXT_KEY_BYTES; b++) {
		size_t *start = count[b];
		if (!n || start[text_key_byte(&from[0], b) + 1] == n)
			continue; /* every key has this byte */
		for (size_t v = 0; v < 256; v++)
			start[v + 1] += start[v];
		for (size_t i = 0; i < n; i++)
			to[start[text_key_byte(&from[i], b)]++] = from[i];
		pb_text_key *t = from;
		from = to;
		to = t;
	}
	free(count);
	if (from != keys)
		memcpy(keys, from, n * sizeof(*keys));
	text_key_runs(keys, n);
}

uint64_t pb_hash(const void *p, size_t n)
{
	return pb_hash_continue(0xcbf29ce484222325ULL, p, n);
}

int pb_strcaseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

uint64_t pb_count_newlines(const char *s, size_t n)
{
	uint64_t lines = 0;

	for (const char *p = s; (p = memchr(p, '\n', n - (size_t)(p - s))); p++)
		lines++;
	return lines;
}

/* isspace() in the C locale, which probity never leaves, without its
 * call and table for each of millions of cells. */
static int blank(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

const char *pb_workbook_says(const char *head, size_t n)
{
	if (n >= 4 && !memcmp(head, "PK\x03\x04", 4))
		return "is a ZIP archive (an .xlsx or .ods workbook?), not CSV: "
		       "save the sheet as CSV UTF-8 first";
	if (n >= 8 && !memcmp(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return "is an old Excel (.xls) workbook, not CSV: save the sheet as CSV UTF-8 first";
	return NULL;
}

int pb_csv_sep_line(const char *s, size_t n)
{
	if (n >= 5 && !memcmp(s, "sep=", 4) && s[4] && !strchr("\"\r\n ", s[4]) &&
	    (n == 5 || s[5] == '\r' || s[5] == '\n'))
		return (unsigned char)s[4];
	return 0;
}

char pb_csv_sniff_delimiter(const char *line, size_t n)
{
	size_t count[3] = {0};
	static const char cand[3] = {',', ';', '\t'};
	int quoted = 0;

	for (size_t i = 0; i < n; i++) {
		if (!quoted && (line[i] == '\n' || line[i] == '\r'))
			break;
		if (line[i] == '"')
			quoted = !quoted;
		for (int k = 0; !quoted && k < 3; k++)
			count[k] += line[i] == cand[k];
	}
	int best = 0;
	for (int k = 1; k < 3; k++)
		if (count[k] > count[best])
			best = k;
	return cand[best];
}

void pb_trim(const char **s, size_t *n)
{
	/* Most cells have nothing to trim: two tests, not two loops. */
	if (!*n || (!blank(**s) && !blank((*s)[*n - 1])))
		return;
	while (*n && blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && blank((*s)[*n - 1]))
		(*n)--;
}

static const char *const severity_names[PB_SEV_COUNT] = {
	"low", "medium", "high", "critical"};

const char *pb_severity_name(pb_severity s)
{
	return s < PB_SEV_COUNT ? severity_names[s] : "unknown";
}

int pb_severity_parse(const char *s, pb_severity *out)
{
	for (int i = 0; i < PB_SEV_COUNT; i++) {
		if (pb_strcaseeq(s, severity_names[i])) {
			*out = (pb_severity)i;
			return 0;
		}
	}
	return -1;
}

const char *pb_report_tool(void)
{
	return "probity " PB_VERSION;
}

/* Is tok[0..n) one of the pieces of list, cut at each sep?  A trailing
 * sep adds no empty piece. */
static int list_holds(const char *list, char sep, const char *tok, size_t n)
{
	const char seps[2] = {sep, '\0'};

	for (const char *p = list; p && *p;) {
		size_t k = strcspn(p, seps);
		if (k == n && !memcmp(p, tok, n))
			return 1;
		p += k;
		if (*p == sep)
			p++;
	}
	return 0;
}

int pb_list_has(const char *list, const char *word)
{
	return word && list_holds(list, '|', word, strlen(word));
}

int pb_tokens_has(const char *list, const char *tok, size_t n)
{
	return list_holds(list, ';', tok, n);
}

void pb_tokens_add(pb_buf *list, const char *tok, size_t n)
{
	if (pb_tokens_has(list->data, tok, n))
		return;
	if (list->len)
		pb_buf_addch(list, ';');
	pb_buf_add(list, tok, n);
}
