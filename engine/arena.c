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

void *pb_arena_alloc(pb_arena *a, size_t n)
{
	struct block *b = a->head;

	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (!n)
		n = ARENA_ALIGN;
	if (!b || b->size - b->used < n)
		b = arena_grow(a, n);
	if (b->size - b->used < n)
		pb_fatal("internal error: arena block too small"); /* arena_grow sized it */
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *pb_arena_strndup(pb_arena *a, const char *s, size_t n)
{
	char *p = pb_arena_alloc(a, n + 1);

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

struct strslot {
	uint64_t hash;
	const char *str;
	size_t len;
};

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
	uint64_t h = pb_hash(s, n);
	size_t i = h & (t->cap - 1);
	for (; t->slots[i].str; i = (i + 1) & (t->cap - 1)) {
		struct strslot *e = &t->slots[i];
		if (e->hash == h && e->len == n && !memcmp(e->str, s, n))
			return e->str;
	}
	t->slots[i] = (struct strslot){h, pb_arena_strndup(t->arena, s, n), n};
	const char *p = t->slots[i].str;
	if (++t->count * 4 > t->cap * 3)
		strtab_rehash(t);
	return p;
}

const char *pb_strtab_find(const pb_strtab *t, const char *s, size_t n)
{
	if (!s || !n)
		return NULL;
	uint64_t h = pb_hash(s, n);
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

struct ptrslot {
	const void *key;
	uint32_t val;
};

struct pb_ptrmap {
	struct ptrslot *slots;
	size_t cap, count;
};

pb_ptrmap *pb_ptrmap_new(void)
{
	pb_ptrmap *m = pb_xcalloc(1, sizeof(*m));

	m->cap = 64;
	m->slots = pb_xcalloc(m->cap, sizeof(*m->slots));
	return m;
}

void pb_ptrmap_free(pb_ptrmap *m)
{
	if (!m)
		return;
	free(m->slots);
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
	for (size_t i = ptr_slot(key, m->cap); m->slots[i].key;
	     i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i].key == key) {
			*val = m->slots[i].val;
			return 1;
		}
	}
	return 0;
}

static void ptrmap_rehash(pb_ptrmap *m)
{
	size_t cap = m->cap * 2;
	struct ptrslot *slots = pb_xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		size_t j = ptr_slot(m->slots[i].key, cap);
		while (slots[j].key)
			j = (j + 1) & (cap - 1);
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

void pb_ptrmap_put(pb_ptrmap *m, const void *key, uint32_t val)
{
	size_t i = ptr_slot(key, m->cap);

	for (; m->slots[i].key; i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i].key == key) {
			m->slots[i].val = val;
			return;
		}
	}
	m->slots[i].key = key;
	m->slots[i].val = val;
	if (++m->count * 4 > m->cap * 3)
		ptrmap_rehash(m);
}

size_t pb_ptrmap_count(const pb_ptrmap *m)
{
	return m->count;
}
