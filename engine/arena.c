/*
 * arena.c - bump allocator, string interning and the pointer map.
 *
 * Blocks grow geometrically up to 1 MiB; a request bigger than a block
 * gets a block of its own, so a 50 MB field costs one allocation, not a
 * pathological chain.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "pb.h"

#define ARENA_ALIGN 16
#define ARENA_MAX_BLOCK (1u << 20)

struct block {
	struct block *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

struct pb_arena {
	struct block *head;
	size_t next_size;
	size_t total;
};

pb_arena *pb_arena_new(void)
{
	pb_arena *a = pb_xcalloc(1, sizeof(*a));

	a->next_size = 4096;
	return a;
}

void pb_arena_free(pb_arena *a)
{
	if (!a)
		return;
	for (struct block *b = a->head, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

static struct block *arena_grow(pb_arena *a, size_t n)
{
	size_t size = a->next_size;

	if (size < n)
		size = n;
	struct block *b = pb_xmalloc(sizeof(*b) + size);
	b->size = size;
	b->used = 0;
	/* A large one-off block goes behind the head so the head's free
	 * space is not wasted. */
	if (a->head && size > a->next_size) {
		b->next = a->head->next;
		a->head->next = b;
	} else {
		b->next = a->head;
		a->head = b;
		if (a->next_size < ARENA_MAX_BLOCK)
			a->next_size *= 2;
	}
	a->total += size;
	return b;
}

/* n bytes at the next multiple of align in the head block (or a new
 * one).  Text is packed byte to byte: interned ids are most of a
 * ledger's strings, and rounding each up to 16 bytes wasted a third. */
static void *arena_take(pb_arena *a, size_t n, size_t align)
{
	struct block *b = a->head;
	size_t start = b ? (b->used + align - 1) & ~(align - 1) : 0;

	if (!b || start > b->size || b->size - start < n) {
		b = arena_grow(a, n);
		start = 0;
	}
	b->used = start + n;
	return b->data + start;
}

void *pb_arena_alloc(pb_arena *a, size_t n)
{
	void *p = arena_take(a, n ? n : 1, ARENA_ALIGN);

	memset(p, 0, n ? n : 1);
	return p;
}

char *pb_arena_strndup(pb_arena *a, const char *s, size_t n)
{
	char *p = arena_take(a, n + 1, 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pb_arena_strdup(pb_arena *a, const char *s)
{
	return pb_arena_strndup(a, s, strlen(s));
}

char *pb_arena_vprintf(pb_arena *a, const char *fmt, va_list ap)
{
	pb_buf b;

	pb_buf_init(&b);
	pb_buf_vaddf(&b, fmt, ap);
	char *p = pb_arena_strndup(a, b.data, b.len);
	pb_buf_release(&b);
	return p;
}

char *pb_arena_printf(pb_arena *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *p = pb_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t pb_arena_bytes(const pb_arena *a)
{
	return a->total;
}

/* --- interning: open addressing over (hash, pointer) --- */

/* 16 bytes: a 32-bit hash and length are enough (fields are capped far
 * below 4 GiB, and the table far below 2^32 slots). */
struct strslot {
	const char *str;
	uint32_t hash, len;
};

static uint32_t hash32(const char *s, size_t n)
{
	uint64_t h = pb_hash(s, n);

	return (uint32_t)(h ^ (h >> 32));
}

struct pb_strtab {
	pb_arena *arena;
	struct strslot *slots;
	size_t cap, count;
};

pb_strtab *pb_strtab_new(pb_arena *a)
{
	pb_strtab *t = pb_xcalloc(1, sizeof(*t));

	t->arena = a;
	t->cap = 1024;
	t->slots = pb_xcalloc(t->cap, sizeof(*t->slots));
	return t;
}

void pb_strtab_free(pb_strtab *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

static void strtab_rehash(pb_strtab *t)
{
	size_t cap = t->cap * 2;
	struct strslot *slots = pb_xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; i < t->cap; i++) {
		if (!t->slots[i].str)
			continue;
		size_t j = t->slots[i].hash & (cap - 1);
		while (slots[j].str)
			j = (j + 1) & (cap - 1);
		slots[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
}

const char *pb_intern(pb_strtab *t, const char *s, size_t n)
{
	if (!s || !n)
		return NULL;
	if (n > UINT32_MAX)
		pb_fatal("internal error: interning %zu bytes", n);
	uint32_t h = hash32(s, n);
	size_t i = h & (t->cap - 1);
	for (; t->slots[i].str; i = (i + 1) & (t->cap - 1)) {
		struct strslot *e = &t->slots[i];
		if (e->hash == h && e->len == n && !memcmp(e->str, s, n))
			return e->str;
	}
	t->slots[i] = (struct strslot){pb_arena_strndup(t->arena, s, n), h, (uint32_t)n};
	const char *p = t->slots[i].str;
	if (++t->count * 4 > t->cap * 3)
		strtab_rehash(t);
	return p;
}

const char *pb_strtab_find(const pb_strtab *t, const char *s, size_t n)
{
	if (!s || !n || n > UINT32_MAX)
		return NULL;
	uint32_t h = hash32(s, n);
	for (size_t i = h & (t->cap - 1); t->slots[i].str; i = (i + 1) & (t->cap - 1)) {
		const struct strslot *e = &t->slots[i];
		if (e->hash == h && e->len == n && !memcmp(e->str, s, n))
			return e->str;
	}
	return NULL;
}

const char *pb_intern_str(pb_strtab *t, const char *s)
{
	return s ? pb_intern(t, s, strlen(s)) : NULL;
}

/* --- pointer map --- */

/* Keys and values in two arrays: 12 bytes a slot instead of a padded 16. */
struct pb_ptrmap {
	const void **keys;
	uint32_t *vals;
	size_t cap, count;
};

pb_ptrmap *pb_ptrmap_new(void)
{
	pb_ptrmap *m = pb_xcalloc(1, sizeof(*m));

	m->cap = 64;
	m->keys = pb_xcalloc(m->cap, sizeof(*m->keys));
	m->vals = pb_xcalloc(m->cap, sizeof(*m->vals));
	return m;
}

void pb_ptrmap_free(pb_ptrmap *m)
{
	if (!m)
		return;
	free(m->keys);
	free(m->vals);
	free(m);
}

static size_t ptr_slot(const void *key, size_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)key;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

int pb_ptrmap_get(const pb_ptrmap *m, const void *key, uint32_t *val)
{
	for (size_t i = ptr_slot(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key) {
			*val = m->vals[i];
			return 1;
		}
	}
	return 0;
}

static void ptrmap_rehash(pb_ptrmap *m)
{
	size_t cap = m->cap * 2;
	const void **keys = pb_xcalloc(cap, sizeof(*keys));
	uint32_t *vals = pb_xcalloc(cap, sizeof(*vals));

	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = ptr_slot(m->keys[i], cap);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
}

void pb_ptrmap_put(pb_ptrmap *m, const void *key, uint32_t val)
{
	size_t i = ptr_slot(key, m->cap);

	for (; m->keys[i]; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return;
		}
	}
	m->keys[i] = key;
	m->vals[i] = val;
	if (++m->count * 4 > m->cap * 3)
		ptrmap_rehash(m);
}

size_t pb_ptrmap_count(const pb_ptrmap *m)
{
	return m->count;
}
