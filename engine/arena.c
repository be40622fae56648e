/*
 * arena.c - bump allocator, string interning and the pointer map.
 *
 * Blocks grow geometrically up to 1 MiB; a request bigger than a block
 * gets a block of its own, so a 50 MB field costs one allocation, not a
 * pathological chain.
 */
#define _DEFAULT_SOURCE /* mmap's MAP_ANONYMOUS and MAP_NORESERVE, madvise */
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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
	size_t text_align; /* where texts start: 1, or PB_TEXT_ALIGN in the text space */
};

/* --- the text space (arena.h) --- */

#define SPACE_MAX ((size_t)1 << (32 + PB_TEXT_SHIFT))
#define SPACE_MIN ((size_t)64 << 20)
#define SPACE_STEP ((size_t)64 << 20) /* made writable this much at a time */
#define SPACE_FIRST 16 /* offset 0 is pb_text 0: no text starts there */

const char *pb_text_base;

static struct {
	pthread_mutex_t lock;
	unsigned char *base;
	size_t size, writable, used;
	size_t arenas; /* text arenas alive */
} space = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Address space only: nothing is committed until made writable, so the
 * reservation costs no memory, whatever the overcommit policy.  A
 * process limited to less address space (ulimit -v) gets less. */
static void space_reserve(void)
{
	for (size_t size = SPACE_MAX; size >= SPACE_MIN; size /= 2) {
		void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);
		if (p != MAP_FAILED) {
			space.base = p;
			space.size = size;
			space.used = SPACE_FIRST;
			pb_text_base = p;
			return;
		}
	}
	pb_fatal("out of memory: cannot reserve %zu MiB of address space for text",
		 SPACE_MIN >> 20);
}

/* n bytes at a multiple of 16 in the region. */
static void *space_take(size_t n)
{
	pthread_mutex_lock(&space.lock);
	if (!space.base)
		space_reserve();
	size_t start = (space.used + 15) & ~(size_t)15;
	if (start > space.size || n > space.size - start)
		pb_fatal("out of memory: the text space (%zu MiB) is full", space.size >> 20);
	if (start + n > space.writable) {
		size_t end = (start + n + SPACE_STEP - 1) / SPACE_STEP * SPACE_STEP;
		if (end > space.size)
			end = space.size;
		if (mprotect(space.base + space.writable, end - space.writable,
			     PROT_READ | PROT_WRITE) != 0)
			pb_fatal("out of memory: cannot extend the text space to %zu MiB", end >> 20);
#ifdef MADV_HUGEPAGE
		/* Texts are read at random (every probe of the string table
		 * compares one; rules compare ids): in huge pages a 10M-row
		 * import took a fifth less time.  The room blocks keep for
		 * texts to come would then be resident too: space_trim gives
		 * it back once a table is complete.  Only advice: a kernel
		 * without transparent huge pages says no. */
		(void)madvise(space.base + space.writable, end - space.writable, MADV_HUGEPAGE);
#endif
		space.writable = end;
	}
	space.used = start + n;
	pthread_mutex_unlock(&space.lock);
	return space.base + start;
}

/* Hands back the whole pages of [from, to) in the text space: room
 * nothing was written to (zero when touched again, as it was). */
static void space_trim(const unsigned char *from, const unsigned char *to)
{
	if (to > from)
		pb_advise_pages(from, (size_t)(to - from), MADV_DONTNEED);
}

static void space_arena_born(void)
{
	pthread_mutex_lock(&space.lock);
	space.arenas++;
	pthread_mutex_unlock(&space.lock);
}

/* The last text arena gone, nobody holds a pb_text: the region is
 * emptied, its pages handed back, and filled again from the start. */
static void space_arena_died(void)
{
	pthread_mutex_lock(&space.lock);
	if (--space.arenas == 0 && space.base) {
		(void)madvise(space.base, space.writable, MADV_DONTNEED);
		space.used = SPACE_FIRST;
	}
	pthread_mutex_unlock(&space.lock);
}

pb_text pb_text_of(const char *s)
{
	if (!s)
		return 0;
	size_t off = (size_t)((uintptr_t)s - (uintptr_t)pb_text_base);
	if (!pb_text_base || off < SPACE_FIRST || off >= space.size || off % PB_TEXT_ALIGN)
		pb_fatal("internal error: a record's text is not in the text space");
	return (pb_text)(off >> PB_TEXT_SHIFT);
}

pb_arena *pb_arena_new(void)
{
	pb_arena *a = pb_xcalloc(1, sizeof(*a));

	a->next_size = 4096;
	a->text_align = 1;
	return a;
}

pb_arena *pb_arena_new_text(void)
{
	pb_arena *a = pb_arena_new();

	a->text_align = PB_TEXT_ALIGN;
	space_arena_born();
	return a;
}

void pb_arena_free(pb_arena *a)
{
	if (!a)
		return;
	if (a->text_align > 1) {
		space_arena_died();
	} else {
		for (struct block *b = a->head, *next; b; b = next) {
			next = b->next;
			free(b);
		}
	}
	free(a);
}

static struct block *arena_grow(pb_arena *a, size_t n)
{
	size_t size = a->next_size;

	if (size < n)
		size = n;
	struct block *b = a->text_align > 1 ? space_take(sizeof(*b) + size)
					    : pb_xmalloc(sizeof(*b) + size);
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
 * one).  Text is packed byte to byte (align 1; PB_TEXT_ALIGN in the text
 * space): rounding each string up to 16 bytes wasted a third of it. */
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
	char *p = arena_take(a, n + 1, a->text_align);

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

/* The huge page a block's first text was written to came whole, past
 * the last block too: the region beyond what blocks took is given back. */
static void space_trim_tail(void)
{
	pthread_mutex_lock(&space.lock);
	if (space.base)
		space_trim(space.base + space.used, space.base + space.writable);
	pthread_mutex_unlock(&space.lock);
}

/* The room in a text arena's blocks; the space's tail is the caller's. */
static void arena_trim_blocks(pb_arena *a)
{
	if (a->text_align == 1)
		return; /* malloc'd blocks: the pages nobody wrote are not resident */
	for (struct block *b = a->head; b; b = b->next)
		space_trim(b->data + b->used, b->data + b->size);
}

void pb_arena_trim(pb_arena *a)
{
	arena_trim_blocks(a);
	if (a->text_align > 1)
		space_trim_tail();
}

size_t pb_arena_bytes(const pb_arena *a)
{
	return a->total;
}

/* --- interning: open addressing over buckets of (tag, reference) --- */

/*
 * A slot is a 32-bit reference to the text in the shard's own blocks and
 * an 8-bit tag from the text's hash.  A ledger's strings are mostly short
 * ids, and the 16-byte slot of a pointer, hash and length cost more than
 * the text itself (then an 8-byte slot of a reference and the whole hash
 * was still an eighth of a 1M-row audit's memory).  Slots come twelve to
 * a bucket of one cache line, tags first: a probe of a large table costs
 * one cache miss for the bucket and one for the text it finds, where
 * separate arrays of tags and references cost a miss each.  The tag
 * spares reading the text of all but one in 256 of the slots a probe
 * passes; a rehash, which needs the full hash, hashes the text again.
 * A reference is the block's number + 1 in its top bits and the offset
 * in the block in the low REF_OFFSET_BITS, so shared blocks are at most
 * 1 MiB (a text longer than half of that gets a block of its own, at
 * offset 0) and a shard holds at most 4095 blocks: at least 2 GiB of
 * text.
 *
 * The length a slot no longer holds is written before the text: one
 * byte below 255, else 255 and four bytes.  Comparing lengths first
 * keeps memcmp inside the stored text.
 */

#define REF_OFFSET_BITS 20
#define REF_MAX_BLOCKS ((1u << (32 - REF_OFFSET_BITS)) - 1)
#define STR_BLOCK_MAX (1u << REF_OFFSET_BITS)
#define BUCKET_SLOTS 12

/* Slots fill a bucket in order and are never emptied: a probe reads
 * `used` tags, and a bucket with room ends it. */
struct bucket {
	unsigned char tags[BUCKET_SLOTS];
	uint32_t used;
	uint32_t refs[BUCKET_SLOTS];
};
_Static_assert(sizeof(struct bucket) == 64, "a bucket is one cache line");

static uint32_t hash32(const char *s, size_t n)
{
	uint64_t h = pb_hash(s, n);

	return (uint32_t)(h ^ (h >> 32));
}

/*
 * A table is one or more shards, picked by the top bits of the hash (the
 * slot within a shard by the low bits).  One shard serves a single
 * thread; the ledger's table has many so that files imported in parallel
 * rarely wait for each other: with locking on, each shard has its own
 * lock, count and text blocks.  The shards' buckets are slices of one
 * array (below), so that a large table is one allocation in huge pages.
 */
struct shard {
	/* the shard's lock, when the table's locking is on; a shard has
	 * cache lines of its own, for two threads take locks and counts of
	 * shards side by side as often as of the same one */
	_Alignas(128) atomic_int busy;
	pb_arena *arena; /* where the text blocks are allocated */
	size_t count; /* texts held */
	unsigned char **blocks;
	size_t *block_used; /* bytes of each block written: a rebuild walks them */
	uint32_t nblocks, capblocks;
	uint32_t head;           /* the block being filled (number + 1; 0: none) */
	size_t head_used, head_size, next_size;
	/* Buckets of its own (2^own_bits), once the shard outgrew its slice
	 * while the others stayed small: texts whose hashes share their top
	 * bits, by chance or made to, would otherwise double every shard's
	 * slice with it, a table hundreds of times its texts.  The shard
	 * then doubles alone.  Set with every lock held; read as the
	 * table's buckets are. */
	_Atomic(struct bucket *) own;
	atomic_uint own_bits;
};

struct pb_strtab {
	struct shard *shards;
	unsigned bits;    /* 2^bits shards */
	int own_arenas;   /* shards > 1: each shard's arena is the table's */
	int locking;
	/* Every shard's buckets: shard i's are the 2^slice_bits from
	 * i << slice_bits.  Replaced (doubled) only with every shard's lock
	 * held; read without a lock by pb_strtab_prefetch, where a stale
	 * pair only prefetches in vain. */
	_Atomic(struct bucket *) buckets;
	atomic_uint slice_bits;
	/* Buckets dropped (pb_strtab_drop_buckets): the next look-up gives
	 * every shard buckets of its own again, from its blocks, under
	 * `rebuilding`. */
	atomic_int dropped;
	pthread_mutex_t rebuilding;
	atomic_size_t rebuilds;
};

static struct bucket *buckets_new(size_t n)
{
	return pb_xalloc_random(n * sizeof(struct bucket), sizeof(struct bucket));
}

static void shard_init(struct shard *sh, pb_arena *a)
{
	atomic_init(&sh->busy, 0);
	atomic_init(&sh->own, NULL);
	atomic_init(&sh->own_bits, 0);
	sh->arena = a;
	sh->next_size = 4096;
}

static pb_strtab *strtab_new(unsigned bits, unsigned slice_bits)
{
	pb_strtab *t = pb_xcalloc(1, sizeof(*t));

	t->bits = bits;
	pthread_mutex_init(&t->rebuilding, NULL);
	t->shards = pb_xalloc_random(((size_t)1 << bits) * sizeof(*t->shards), _Alignof(struct shard));
	atomic_init(&t->slice_bits, slice_bits);
	atomic_init(&t->buckets, buckets_new((size_t)1 << (bits + slice_bits)));
	return t;
}

pb_strtab *pb_strtab_new(pb_arena *a)
{
	pb_strtab *t = strtab_new(0, 6);

	shard_init(&t->shards[0], a);
	return t;
}

pb_strtab *pb_strtab_new_shared(unsigned bits)
{
	pb_strtab *t = strtab_new(bits, 2);

	t->own_arenas = 1;
	for (size_t i = 0; i < (size_t)1 << bits; i++)
		shard_init(&t->shards[i], pb_arena_new_text());
	return t;
}

void pb_strtab_set_locking(pb_strtab *t, int on)
{
	t->locking = on;
}

void pb_strtab_free(pb_strtab *t)
{
	if (!t)
		return;
	pb_free_random(atomic_load(&t->buckets));
	for (size_t i = 0; i < (size_t)1 << t->bits; i++) {
		pb_free_random(atomic_load(&t->shards[i].own));
		free(t->shards[i].blocks);
		free(t->shards[i].block_used);
		if (t->own_arenas)
			pb_arena_free(t->shards[i].arena);
	}
	pb_free_random(t->shards);
	pthread_mutex_destroy(&t->rebuilding);
	free(t);
}

/*
 * Held for a probe and at most one copy (rarely, with every other
 * shard's, while the table grows), so a thread that finds it taken
 * spins, yielding only after a while in case the holder lost its CPU.
 * A mutex went to the kernel for 33 000 of the 1M-row ledger's
 * collisions between two importing threads.
 */
static void shard_lock(struct shard *sh)
{
	for (unsigned spins = 0; atomic_exchange_explicit(&sh->busy, 1, memory_order_acquire); spins++)
		if (spins >= 100)
			sched_yield();
}

static void shard_unlock(struct shard *sh)
{
	atomic_store_explicit(&sh->busy, 0, memory_order_release);
}

static struct shard *shard_of(const pb_strtab *t, uint32_t h)
{
	return &t->shards[t->bits ? h >> (32 - t->bits) : 0];
}

/* The stored bytes (length, text, NUL) a reference points at. */
static const unsigned char *shard_at(const struct shard *sh, uint32_t ref)
{
	return sh->blocks[(ref >> REF_OFFSET_BITS) - 1] + (ref & (STR_BLOCK_MAX - 1));
}

static size_t stored_len(const unsigned char *p, const unsigned char **text)
{
	uint32_t n = p[0];

	if (n < 255) {
		*text = p + 1;
		return n;
	}
	memcpy(&n, p + 1, sizeof(n));
	*text = p + 5;
	return n;
}

/* A new block of `size` bytes; returns its number + 1. */
static uint32_t shard_add_block(struct shard *sh, size_t size)
{
	if (sh->nblocks == REF_MAX_BLOCKS)
		pb_fatal("out of memory: more than %u blocks of distinct text in one string table",
			 REF_MAX_BLOCKS);
	if (sh->nblocks == sh->capblocks) {
		sh->capblocks = sh->capblocks ? 2 * sh->capblocks : 16;
		sh->blocks = pb_xreallocarray(sh->blocks, sh->capblocks, sizeof(*sh->blocks));
		sh->block_used = pb_xreallocarray(sh->block_used, sh->capblocks,
						  sizeof(*sh->block_used));
	}
	sh->blocks[sh->nblocks] = arena_take(sh->arena, size, PB_TEXT_ALIGN);
	sh->block_used[sh->nblocks] = 0;
	return ++sh->nblocks;
}

/*
 * Room for `size` bytes whose first `prefix` bytes are the length, so
 * that the text after them starts at a multiple of PB_TEXT_ALIGN (a
 * ledger's texts are pb_texts); returns its reference and sets *p.
 */
static uint32_t shard_reserve(struct shard *sh, size_t prefix, size_t size, unsigned char **p)
{
	size_t room = size + PB_TEXT_ALIGN - 1; /* with the most padding can take */
	size_t used = 0;
	uint32_t block;

	if (room > STR_BLOCK_MAX / 2) {
		block = shard_add_block(sh, room); /* a block of its own */
	} else {
		if (!sh->head || sh->head_size - sh->head_used < room) {
			/* Room for two such texts at least, so that long
			 * texts do not each take one of the 4095 blocks. */
			while (sh->next_size < 2 * room)
				sh->next_size *= 2;
			sh->head = shard_add_block(sh, sh->next_size);
			sh->head_size = sh->next_size;
			sh->head_used = 0;
			if (sh->next_size < STR_BLOCK_MAX)
				sh->next_size *= 2;
		}
		block = sh->head;
		used = sh->head_used;
	}
	/* Blocks start at a multiple of PB_TEXT_ALIGN. */
	size_t offset = (used + prefix + PB_TEXT_ALIGN - 1) / PB_TEXT_ALIGN * PB_TEXT_ALIGN - prefix;
	if (block == sh->head)
		sh->head_used = offset + size;
	/* Padding is zero, which no stored length is: a rebuild skips it. */
	memset(sh->blocks[block - 1] + used, 0, offset - used);
	sh->block_used[block - 1] = offset + size;
	*p = sh->blocks[block - 1] + offset;
	return block << REF_OFFSET_BITS | (uint32_t)offset;
}

static uint32_t shard_store(struct shard *sh, const char *s, size_t n)
{
	uint32_t len = (uint32_t)n;
	size_t prefix = n < 255 ? 1 : 5;
	unsigned char *p;
	uint32_t ref = shard_reserve(sh, prefix, prefix + n + 1, &p);

	p[0] = n < 255 ? (unsigned char)n : 255;
	if (prefix == 5)
		memcpy(p + 1, &len, sizeof(len));
	memcpy(p + prefix, s, n);
	p[prefix + n] = '\0';
	return ref;
}

/* Eight bits for the tag: the hash's top bits picked the shard and its
 * low bits the bucket, so a multiply mixes all of them into the top byte. */
static unsigned char hash_tag(uint32_t h)
{
	return (unsigned char)((h * 0x9E3779B1u) >> 24);
}

static void bucket_put(struct bucket *bk, uint32_t ref, unsigned char tag)
{
	bk->tags[bk->used] = tag;
	bk->refs[bk->used++] = ref;
}

/* How many buckets shard sh has (a power of two): its own, or a slice. */
static unsigned shard_bits(const pb_strtab *t, const struct shard *sh)
{
	if (atomic_load_explicit(&sh->own, memory_order_relaxed))
		return atomic_load_explicit(&sh->own_bits, memory_order_relaxed);
	return atomic_load_explicit(&t->slice_bits, memory_order_relaxed);
}

/* Shard sh's buckets; *mask numbers them. */
static struct bucket *shard_buckets(const pb_strtab *t, const struct shard *sh, size_t *mask)
{
	struct bucket *own = atomic_load_explicit(&sh->own, memory_order_relaxed);
	unsigned bits = shard_bits(t, sh);

	*mask = ((size_t)1 << bits) - 1;
	if (own)
		return own;
	return atomic_load_explicit(&t->buckets, memory_order_relaxed) +
	       ((size_t)(sh - t->shards) << bits);
}

/* Texts a shard of 2^bits buckets holds before it grows: seven eighths
 * full, for buckets overflow into the next one rarely below that. */
static size_t shard_limit(unsigned bits)
{
	return ((size_t)BUCKET_SLOTS << bits) / 8 * 7;
}

/*
 * Scratch for rehashing a shard: its slots' references and tags in the
 * order the old buckets hold them, and each text's hash.  Kept across
 * the shards of one resize.
 */
struct rehash {
	uint32_t *refs, *hashes;
	unsigned char *tags;
	size_t cap;
};

/* How many texts ahead a rehash fetches a text, and then the bucket its
 * hash picks: read in the order of the old buckets, the texts lie
 * anywhere in the shard's blocks, and one after another their misses
 * were a growing table's whole cost (1.2 s of a 10M-row import, with
 * the other thread waiting for the table). */
#define REHASH_AHEAD 16

static void rehash_reserve(struct rehash *r, size_t n)
{
	if (n <= r->cap)
		return;
	r->cap = n;
	r->refs = pb_xreallocarray(r->refs, n, sizeof(*r->refs));
	r->hashes = pb_xreallocarray(r->hashes, n, sizeof(*r->hashes));
	r->tags = pb_xrealloc(r->tags, n);
}

static void rehash_release(struct rehash *r)
{
	free(r->refs);
	free(r->hashes);
	free(r->tags);
}

/* Puts the n texts gathered in r in the empty buckets slice[0..mask]. */
static void rehash_place(const struct rehash *r, size_t n, struct bucket *slice, size_t mask)
{
	for (size_t i = 0; i < n; i++) {
		if (i + REHASH_AHEAD < n)
			__builtin_prefetch(&slice[r->hashes[i + REHASH_AHEAD] & mask]);
		size_t j = r->hashes[i] & mask;
		while (slice[j].used == BUCKET_SLOTS)
			j = (j + 1) & mask;
		bucket_put(&slice[j], r->refs[i], r->tags[i]);
	}
}

static void slice_rehash(const struct shard *sh, const struct bucket *old, size_t old_mask,
			 struct bucket *slice, size_t mask, struct rehash *r)
{
	size_t n = 0;

	for (size_t i = 0; i <= old_mask; i++)
		n += old[i].used;
	rehash_reserve(r, n);
	n = 0;
	for (size_t i = 0; i <= old_mask; i++)
		for (uint32_t k = 0; k < old[i].used; k++) {
			r->refs[n] = old[i].refs[k];
			r->tags[n++] = old[i].tags[k];
		}
	for (size_t i = 0; i < n; i++) {
		if (i + REHASH_AHEAD < n)
			__builtin_prefetch(shard_at(sh, r->refs[i + REHASH_AHEAD]));
		const unsigned char *t;
		size_t len = stored_len(shard_at(sh, r->refs[i]), &t);
		r->hashes[i] = hash32((const char *)t, len);
	}
	rehash_place(r, n, slice, mask);
}

static void shards_lock(pb_strtab *t)
{
	for (size_t i = 0; t->locking && i < (size_t)1 << t->bits; i++)
		shard_lock(&t->shards[i]);
}

static void shards_unlock(pb_strtab *t)
{
	for (size_t i = 0; t->locking && i < (size_t)1 << t->bits; i++)
		shard_unlock(&t->shards[i]);
}

/* Gives sh buckets of its own, twice those it has (its slice's, or its
 * own), and rehashes its texts into them. */
static void shard_grow_alone(pb_strtab *t, struct shard *sh)
{
	size_t old_mask;
	const struct bucket *old = shard_buckets(t, sh, &old_mask);
	unsigned bits = shard_bits(t, sh) + 1;
	struct bucket *own = buckets_new((size_t)1 << bits);
	struct bucket *was = atomic_load_explicit(&sh->own, memory_order_relaxed);

	struct rehash r = {0};
	slice_rehash(sh, old, old_mask, own, ((size_t)1 << bits) - 1, &r);
	rehash_release(&r);
	atomic_store_explicit(&sh->own_bits, bits, memory_order_relaxed);
	atomic_store_explicit(&sh->own, own, memory_order_relaxed);
	pb_free_random(was);
}

/* Gives every slice 2^want buckets, more than it has, from `buckets`
 * (2^want for each shard, empty; the shards with buckets of their own
 * keep them). */
static void strtab_resize(pb_strtab *t, unsigned want, struct bucket *buckets)
{
	unsigned bits = atomic_load_explicit(&t->slice_bits, memory_order_relaxed);
	size_t old_mask = ((size_t)1 << bits) - 1, mask = ((size_t)1 << want) - 1;
	struct bucket *old = atomic_load_explicit(&t->buckets, memory_order_relaxed);
	struct rehash r = {0};

	for (size_t i = 0; i < (size_t)1 << t->bits; i++)
		if (!atomic_load_explicit(&t->shards[i].own, memory_order_relaxed))
			slice_rehash(&t->shards[i], old + (i << bits), old_mask,
				     buckets + (i << want), mask, &r);
	rehash_release(&r);
	atomic_store_explicit(&t->buckets, buckets, memory_order_relaxed);
	atomic_store_explicit(&t->slice_bits, want, memory_order_relaxed);
	pb_free_random(old);
}

/* Slices of fewer buckets than this double with their fullest shard
 * whatever the others hold: a few hundred texts do not spread evenly
 * over 256 shards (in the 10m bench a few shards filled their first
 * slices while the table held under a quarter of its room), and a table
 * this small costs little however it grows (4 MiB for the ledger's). */
#define SKEW_MIN_SLICE_BITS 8

/* Is a full shard far fuller than the shards' slices are on average (a
 * quarter of a slice's limit)?  Then doubling every slice would be for
 * it alone. */
static int shard_skewed(const pb_strtab *t)
{
	size_t n = (size_t)1 << t->bits, total = 0;
	unsigned bits = atomic_load_explicit(&t->slice_bits, memory_order_relaxed);

	if (n == 1 || bits < SKEW_MIN_SLICE_BITS)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!atomic_load_explicit(&t->shards[i].own, memory_order_relaxed))
			total += t->shards[i].count;
	return total < n * shard_limit(bits) / 4;
}

/* Makes room in sh, which has none for one more text, if it still has
 * none once every lock is held (another thread may have grown it
 * meanwhile).  The shards fill evenly, so all are near full when one is,
 * and every slice doubles; a shard that fills alone, or that already
 * has buckets of its own, grows alone. */
static void strtab_grow(pb_strtab *t, struct shard *sh)
{
	shards_lock(t);
	if (sh->count + 1 > shard_limit(shard_bits(t, sh))) {
		if (atomic_load_explicit(&sh->own, memory_order_relaxed) || shard_skewed(t))
			shard_grow_alone(t, sh);
		else {
			unsigned want = atomic_load_explicit(&t->slice_bits, memory_order_relaxed) + 1;
			strtab_resize(t, want, buckets_new((size_t)1 << (t->bits + want)));
		}
	}
	shards_unlock(t);
}

/* The interned copy of s, or NULL and the bucket with room where it
 * would go. */
static const char *shard_probe(const pb_strtab *t, const struct shard *sh, const char *s,
			       size_t n, uint32_t h, struct bucket **room)
{
	unsigned char tag = hash_tag(h);
	size_t mask;
	struct bucket *buckets = shard_buckets(t, sh, &mask);

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct bucket *bk = &buckets[i];
		for (uint32_t k = 0; k < bk->used; k++) {
			const unsigned char *text;
			if (bk->tags[k] == tag && stored_len(shard_at(sh, bk->refs[k]), &text) == n &&
			    !memcmp(text, s, n))
				return (const char *)text;
		}
		if (bk->used < BUCKET_SLOTS) {
			*room = bk;
			return NULL;
		}
	}
}

/* The interned copy of s; NULL when s is new and the shard is full: the
 * table must grow first.  A shard never passes its limit, so a probe
 * always ends at a bucket with room. */
static const char *shard_intern(const pb_strtab *t, struct shard *sh, const char *s, size_t n,
				uint32_t h)
{
	struct bucket *room;
	const char *text = shard_probe(t, sh, s, n, h, &room);

	if (text)
		return text;
	if (sh->count + 1 > shard_limit(shard_bits(t, sh)))
		return NULL;
	uint32_t ref = shard_store(sh, s, n);
	bucket_put(room, ref, hash_tag(h));
	stored_len(shard_at(sh, ref), (const unsigned char **)&text);
	sh->count++;
	return text;
}

/*
 * Buckets again for a shard whose buckets were dropped: its texts, read
 * from its blocks in the order they were stored (lengths are never 0,
 * padding always is), placed in buckets of its own with room to spare.
 */
static void shard_rebuild(struct shard *sh, struct rehash *r)
{
	size_t n = 0;

	rehash_reserve(r, sh->count);
	for (uint32_t b = 0; b < sh->nblocks; b++) {
		const unsigned char *block = sh->blocks[b], *p = block, *end = block + sh->block_used[b];
		while (p < end) {
			const unsigned char *text;
			if (!*p) {
				p++;
				continue;
			}
			size_t len = stored_len(p, &text);
			if (n == sh->count)
				pb_fatal("internal error: a string table's blocks hold more texts than it counted");
			r->refs[n] = (b + 1) << REF_OFFSET_BITS | (uint32_t)(p - block);
			r->hashes[n] = hash32((const char *)text, len);
			r->tags[n] = hash_tag(r->hashes[n]);
			n++;
			p = text + len + 1;
		}
	}
	if (n != sh->count)
		pb_fatal("internal error: a string table's blocks hold %zu texts, not %zu", n, sh->count);
	unsigned bits = 2;
	while (shard_limit(bits) < n + n / 4 + 1)
		bits++;
	size_t mask = ((size_t)1 << bits) - 1;
	struct bucket *own = buckets_new(mask + 1);
	rehash_place(r, n, own, mask);
	atomic_store_explicit(&sh->own_bits, bits, memory_order_relaxed);
	atomic_store_explicit(&sh->own, own, memory_order_relaxed);
}

/* Called before anything reads buckets: rebuilds them once if they were
 * dropped.  Logically const: a look-up finds what it found before. */
static void strtab_ready(const pb_strtab *ct)
{
	pb_strtab *t = (pb_strtab *)ct;

	if (!atomic_load_explicit(&t->dropped, memory_order_acquire))
		return;
	pthread_mutex_lock(&t->rebuilding);
	if (atomic_load_explicit(&t->dropped, memory_order_relaxed)) {
		struct rehash r = {0};
		for (size_t i = 0; i < (size_t)1 << t->bits; i++)
			shard_rebuild(&t->shards[i], &r);
		rehash_release(&r);
		atomic_fetch_add(&t->rebuilds, 1);
		atomic_store_explicit(&t->dropped, 0, memory_order_release);
	}
	pthread_mutex_unlock(&t->rebuilding);
}

void pb_strtab_drop_buckets(pb_strtab *t)
{
	if (atomic_load_explicit(&t->dropped, memory_order_relaxed))
		return; /* dropped already, and not rebuilt since */
	for (size_t i = 0; i < (size_t)1 << t->bits; i++) {
		pb_free_random(atomic_load_explicit(&t->shards[i].own, memory_order_relaxed));
		atomic_store_explicit(&t->shards[i].own, NULL, memory_order_relaxed);
	}
	pb_free_random(atomic_load_explicit(&t->buckets, memory_order_relaxed));
	atomic_store_explicit(&t->buckets, NULL, memory_order_relaxed);
	atomic_store_explicit(&t->dropped, 1, memory_order_release);
}

void pb_strtab_trim(pb_strtab *t)
{
	for (size_t i = 0; i < (size_t)1 << t->bits; i++) {
		struct shard *sh = &t->shards[i];
		if (sh->head && sh->arena->text_align > 1) {
			const unsigned char *block = sh->blocks[sh->head - 1];
			space_trim(block + sh->head_used, block + sh->head_size);
		}
		if (t->own_arenas)
			arena_trim_blocks(sh->arena);
	}
	if (t->own_arenas)
		space_trim_tail(); /* once, not once a shard */
}

size_t pb_strtab_rebuilds(const pb_strtab *t)
{
	return atomic_load(&t->rebuilds);
}

uint32_t pb_intern_hash(const char *s, size_t n)
{
	return hash32(s, n);
}

void pb_strtab_prefetch(const pb_strtab *t, uint32_t h)
{
	if (atomic_load_explicit(&t->dropped, memory_order_relaxed))
		return; /* the look-up that follows rebuilds them */
	const struct shard *sh = shard_of(t, h);
	struct bucket *own = atomic_load_explicit(&sh->own, memory_order_relaxed);
	unsigned bits = shard_bits(t, sh);
	size_t i = h & (((size_t)1 << bits) - 1);
	/* An address, not a pointer: the pair may be stale, and a prefetch
	 * outside the array is harmless where pointer arithmetic is not. */
	uintptr_t at = own ? (uintptr_t)own + i * sizeof(struct bucket)
			   : (uintptr_t)atomic_load_explicit(&t->buckets, memory_order_relaxed) +
				     (((size_t)(sh - t->shards) << bits) + i) * sizeof(struct bucket);

	__builtin_prefetch((const void *)at);
}

const char *pb_intern_hashed(pb_strtab *t, const char *s, size_t n, uint32_t h)
{
	if (!s || !n)
		return NULL;
	if (n > UINT32_MAX - 6)
		pb_fatal("internal error: interning %zu bytes", n);
	strtab_ready(t);
	struct shard *sh = shard_of(t, h);
	for (;;) {
		if (t->locking)
			shard_lock(sh);
		const char *p = shard_intern(t, sh, s, n, h);
		if (t->locking)
			shard_unlock(sh);
		if (p)
			return p;
		strtab_grow(t, sh);
	}
}

/* The most buckets pb_strtab_reserve makes (512 MiB, room for 88M texts):
 * a guess never takes more than that before the texts are there. */
#define RESERVE_MAX_BITS 23

/* Room made on a guess: where the memory is not there (a limit on the
 * process, a huge file of few texts) the table grows as it fills instead,
 * and the run goes on. */
void pb_strtab_reserve(pb_strtab *t, size_t n)
{
	size_t shards = (size_t)1 << t->bits;
	unsigned bits = atomic_load_explicit(&t->slice_bits, memory_order_relaxed), want = bits;

	strtab_ready(t);
	if (!atomic_load_explicit(&t->buckets, memory_order_relaxed))
		return; /* rebuilt: every shard has buckets of its own, and grows alone */

	while (shards * shard_limit(want) < n && t->bits + want < RESERVE_MAX_BITS)
		want++;
	if (want == bits)
		return;
	struct bucket *buckets = pb_alloc_random((shards << want) * sizeof(struct bucket),
						 sizeof(struct bucket));
	if (!buckets)
		return;
	shards_lock(t);
	strtab_resize(t, want, buckets);
	shards_unlock(t);
}

size_t pb_strtab_bucket_bytes(const pb_strtab *t)
{
	size_t n = (size_t)1 << t->bits;
	size_t bytes = atomic_load(&t->buckets) ? (n << atomic_load(&t->slice_bits)) * sizeof(struct bucket) : 0;

	for (size_t i = 0; i < n; i++)
		if (atomic_load(&t->shards[i].own))
			bytes += ((size_t)1 << atomic_load(&t->shards[i].own_bits)) * sizeof(struct bucket);
	return bytes;
}

const char *pb_intern(pb_strtab *t, const char *s, size_t n)
{
	return s && n ? pb_intern_hashed(t, s, n, hash32(s, n)) : NULL;
}

const char *pb_strtab_find(const pb_strtab *t, const char *s, size_t n)
{
	const char *text;

	if (!s || !n || n > UINT32_MAX - 6)
		return NULL;
	uint32_t h = hash32(s, n);
	struct shard *sh = shard_of(t, h);
	struct bucket *room;
	strtab_ready(t);
	if (!t->locking)
		return shard_probe(t, sh, s, n, h, &room);
	shard_lock(sh);
	text = shard_probe(t, sh, s, n, h, &room);
	shard_unlock(sh);
	return text;
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

/* An interned pointer's hash, for the pointer and index maps. */
static uint64_t ptr_hash(const void *key)
{
	uint64_t x = (uint64_t)(uintptr_t)key;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static size_t ptr_slot(const void *key, size_t cap)
{
	return (size_t)ptr_hash(key) & (cap - 1);
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

void pb_ptrmap_prefetch(const pb_ptrmap *m, const void *key)
{
	size_t i = ptr_slot(key, m->cap);

	__builtin_prefetch(&m->keys[i]);
	__builtin_prefetch(&m->vals[i]);
}

static void ptrmap_rehash(pb_ptrmap *m)
{
	size_t cap = m->cap * 2;
	const void **keys = pb_xcalloc_slots(cap, sizeof(*keys));
	uint32_t *vals = pb_xcalloc_slots(cap, sizeof(*vals));

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

/* Room this far past the last filling is given back, so that a map
 * grown once for a large group is not swept whole for every small one
 * after it (each clearing then costs what its filling did). */
#define PTRMAP_SPARE 8

void pb_ptrmap_clear(pb_ptrmap *m)
{
	if (m->cap > 64 && m->count * PTRMAP_SPARE < m->cap) {
		free(m->keys);
		free(m->vals);
		m->cap = 64;
		m->keys = pb_xcalloc(m->cap, sizeof(*m->keys));
		m->vals = pb_xcalloc(m->cap, sizeof(*m->vals));
	} else if (m->count) {
		memset(m->keys, 0, m->cap * sizeof(*m->keys));
	}
	m->count = 0;
}

static int by_text(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

const char **pb_rank_texts(const void *base, size_t n, size_t size, size_t offset, size_t *k,
			   pb_ptrmap **rank)
{
	const char **texts = pb_xcalloc(n + 1, sizeof(*texts));
	const char *last = NULL; /* runs of one text (a currency, a buyer's rows) skip the map */
	uint32_t r;

	*rank = pb_ptrmap_new();
	*k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *t = pb_str(*(const pb_text *)((const char *)base + i * size + offset));
		if (t == last)
			continue;
		last = t;
		if (t && !pb_ptrmap_get(*rank, t, &r)) {
			pb_ptrmap_put(*rank, t, 0);
			texts[(*k)++] = t;
		}
	}
	if (*k > 1)
		qsort(texts, *k, sizeof(*texts), by_text);
	for (size_t i = 0; i < *k; i++)
		pb_ptrmap_put(*rank, texts[i], (uint32_t)i);
	return texts;
}

/* --- index map --- */

static uint32_t idmap_tag(uint64_t h)
{
	return (uint32_t)(h >> (64 - PB_IDMAP_TAG_BITS)) << PB_IDMAP_VALUE_BITS;
}

int pb_idmap_get(const pb_idmap *m, const char *key, pb_idmap_key_fn *key_of, const void *owner,
		 uint32_t *v)
{
	if (!m->cap)
		return 0;
	uint64_t h = ptr_hash(key);
	uint32_t tag = idmap_tag(h);
	for (size_t i = h & (m->cap - 1); m->slots[i]; i = (i + 1) & (m->cap - 1)) {
		uint32_t s = m->slots[i];
		if ((s & ~PB_IDMAP_VALUE_MASK) == tag &&
		    key_of(owner, (s & PB_IDMAP_VALUE_MASK) - 1) == key) {
			*v = (s & PB_IDMAP_VALUE_MASK) - 1;
			return 1;
		}
	}
	return 0;
}

uint32_t pb_idmap_peek(const pb_idmap *m, const char *key)
{
	if (!m->cap)
		return PB_IDMAP_NONE;
	uint64_t h = ptr_hash(key);
	uint32_t tag = idmap_tag(h);
	for (size_t i = h & (m->cap - 1); m->slots[i]; i = (i + 1) & (m->cap - 1))
		if ((m->slots[i] & ~PB_IDMAP_VALUE_MASK) == tag)
			return (m->slots[i] & PB_IDMAP_VALUE_MASK) - 1;
	return PB_IDMAP_NONE;
}

static void idmap_place(pb_idmap *m, uint64_t h, uint32_t v)
{
	size_t i = h & (m->cap - 1);

	while (m->slots[i])
		i = (i + 1) & (m->cap - 1);
	m->slots[i] = idmap_tag(h) | (v + 1);
}

/* Where a growing map reads its keys back: one key a value (key_of and
 * owner), or a pair (pairs). */
struct idmap_owner {
	pb_idmap_key_fn *key_of;
	const void *owner;
	const pb_pairs *pairs;
};

static uint64_t pair_hash(const void *a, const void *b)
{
	uint64_t x = ptr_hash(a) ^ (uint64_t)(uintptr_t)b * 0x9E3779B97F4A7C15ULL;

	return ptr_hash((const void *)(uintptr_t)x);
}

static uint64_t value_hash(const struct idmap_owner *o, uint32_t v)
{
	if (o->key_of)
		return ptr_hash(o->key_of(o->owner, v));
	return pair_hash(o->pairs->a[v], o->pairs->b[v]);
}

/* The values in m as a bitmap (bit v + 1 for value v), or NULL when
 * the bitmap would be larger than the slots: values far apart. */
static uint64_t *idmap_values(const pb_idmap *m, size_t *words)
{
	uint32_t max = 0;

	for (size_t i = 0; i < m->cap; i++)
		if ((m->slots[i] & PB_IDMAP_VALUE_MASK) > max)
			max = m->slots[i] & PB_IDMAP_VALUE_MASK;
	*words = max / 64 + 1;
	if (*words > m->cap / 2)
		return NULL;
	uint64_t *seen = pb_xcalloc(*words, sizeof(*seen));
	for (size_t i = 0; i < m->cap; i++) {
		uint32_t s = m->slots[i] & PB_IDMAP_VALUE_MASK;
		if (s)
			seen[s / 64] |= UINT64_C(1) << (s % 64);
	}
	return seen;
}

/*
 * m moved to cap slots (a power of two, room for its keys).  Keys are
 * read back in the order of their values, which for a table's key map
 * is the order of its records: the records are then read one after
 * another, where in the order of the slots each was a cache miss on a
 * large table (the new slots are written at random instead, but a slot
 * is 4 bytes where a record is tens).  A map of values far apart is
 * read in slot order.
 */
static void idmap_resize(pb_idmap *m, const struct idmap_owner *o, size_t cap, uint32_t *slots)
{
	pb_idmap grown = {slots, cap, m->count};
	size_t words;
	uint64_t *seen = m->count ? idmap_values(m, &words) : NULL;

	if (seen) {
		for (size_t w = 0; w < words; w++)
			for (uint64_t bits = seen[w]; bits; bits &= bits - 1) {
				uint32_t v = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits)) - 1;
				idmap_place(&grown, value_hash(o, v), v);
			}
	} else {
		for (size_t i = 0; i < m->cap; i++) {
			uint32_t s = m->slots[i] & PB_IDMAP_VALUE_MASK;
			if (s)
				idmap_place(&grown, value_hash(o, s - 1), s - 1);
		}
	}
	free(seen);
	free(m->slots);
	*m = grown;
}

static void idmap_grow(pb_idmap *m, const struct idmap_owner *o)
{
	size_t cap = m->cap ? m->cap * 2 : 64;

	idmap_resize(m, o, cap, pb_xcalloc_slots(cap, sizeof(*m->slots)));
}

int pb_idmap_reserve(pb_idmap *m, size_t n, pb_idmap_key_fn *key_of, const void *owner)
{
	size_t cap = m->cap ? m->cap : 64;

	while (n * 4 > cap * 3)
		cap *= 2;
	if (cap <= m->cap)
		return 0;
	uint32_t *slots = pb_calloc_slots(cap, sizeof(*slots));
	if (!slots)
		return -1;
	idmap_resize(m, &(struct idmap_owner){key_of, owner, NULL}, cap, slots);
	return 0;
}

static void idmap_add(pb_idmap *m, uint64_t h, uint32_t v, const struct idmap_owner *o)
{
	if (v > PB_IDMAP_VALUE_MAX)
		pb_fatal("internal error: map value %" PRIu32 " beyond %" PRIu32, v,
			 (uint32_t)PB_IDMAP_VALUE_MAX);
	if ((m->count + 1) * 4 > m->cap * 3)
		idmap_grow(m, o);
	idmap_place(m, h, v);
	m->count++;
}

void pb_idmap_put(pb_idmap *m, const char *key, uint32_t v, pb_idmap_key_fn *key_of,
		  const void *owner)
{
	idmap_add(m, ptr_hash(key), v, &(struct idmap_owner){key_of, owner, NULL});
}

int pb_pairs_find(const pb_pairs *p, const void *a, const void *b, uint32_t *i)
{
	const pb_idmap *m = &p->map;

	if (!m->cap)
		return 0;
	uint64_t h = pair_hash(a, b);
	uint32_t tag = idmap_tag(h);
	for (size_t k = h & (m->cap - 1); m->slots[k]; k = (k + 1) & (m->cap - 1)) {
		uint32_t s = m->slots[k], v = (s & PB_IDMAP_VALUE_MASK) - 1;
		if ((s & ~PB_IDMAP_VALUE_MASK) == tag && p->a[v] == a && p->b[v] == b) {
			*i = v;
			return 1;
		}
	}
	return 0;
}

uint32_t pb_pairs_add(pb_pairs *p, const void *a, const void *b)
{
	uint32_t i;

	if (pb_pairs_find(p, a, b, &i))
		return i;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->a = pb_xreallocarray(p->a, p->cap, sizeof(*p->a));
		p->b = pb_xreallocarray(p->b, p->cap, sizeof(*p->b));
	}
	p->a[p->n] = a;
	p->b[p->n] = b;
	idmap_add(&p->map, pair_hash(a, b), (uint32_t)p->n, &(struct idmap_owner){NULL, NULL, p});
	return (uint32_t)p->n++;
}

void pb_pairs_release(pb_pairs *p)
{
	free(p->a);
	free(p->b);
	pb_idmap_release(&p->map);
	*p = (pb_pairs){0};
}

void pb_idmap_prefetch(const pb_idmap *m, const char *key)
{
	if (m->cap)
		__builtin_prefetch(&m->slots[ptr_hash(key) & (m->cap - 1)]);
}

void pb_idmap_release(pb_idmap *m)
{
	free(m->slots);
	*m = (pb_idmap){NULL, 0, 0};
}

/* --- grouping --- */

/* pb_idmap_key_fn of a grouping's map: group gi's key, its first element's. */
static const char *grouping_key(const void *grouping, uint32_t gi)
{
	const pb_grouping *g = grouping;

	return g->key_of(g->owner, g->first ? g->first[gi] : g->items[g->start[gi]]);
}

/* How far ahead pb_grouping_build reads keys and fetches their slots:
 * a look-up's miss then overlaps those of the next few. */
#define GROUPING_AHEAD 16

void pb_grouping_build(pb_grouping *g, size_t n, pb_idmap_key_fn *key_of, const void *owner)
{
	uint32_t *gid = pb_xcalloc(n + 1, sizeof(*gid));
	const char *ahead[GROUPING_AHEAD]; /* element i's key at i % GROUPING_AHEAD */
	size_t cap = 0;

	*g = (pb_grouping){.key_of = key_of, .owner = owner};
	for (size_t i = 0; i < n && i < GROUPING_AHEAD; i++)
		ahead[i] = key_of(owner, (uint32_t)i);
	for (size_t i = 0; i < n; i++) {
		const char *k = ahead[i % GROUPING_AHEAD];
		uint32_t gi;
		/* each key is read once, GROUPING_AHEAD elements early */
		if (i + GROUPING_AHEAD < n) {
			const char *next = key_of(owner, (uint32_t)(i + GROUPING_AHEAD));
			ahead[i % GROUPING_AHEAD] = next;
			if (next)
				pb_idmap_prefetch(&g->map, next);
		}
		gid[i] = PB_NO_BUCKET;
		if (!k)
			continue;
		if (!pb_idmap_get(&g->map, k, grouping_key, g, &gi)) {
			gi = (uint32_t)g->ngroups++;
			PB_GROW(g->first, g->ngroups, cap);
			g->first[gi] = (uint32_t)i;
			pb_idmap_put(&g->map, k, gi, grouping_key, g);
		}
		gid[i] = gi;
	}
	g->start = pb_xcalloc_slots(g->ngroups + 1, sizeof(*g->start));
	g->items = pb_bucket_sorted(gid, n, g->ngroups, g->start);
	free(gid);
	free(g->first);
	g->first = NULL; /* from now on a group's first element is its first item */
}

size_t pb_sort_by_text(size_t n, pb_idmap_key_fn *key_of, const void *owner, uint64_t *out)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		const char *key = key_of(owner, (uint32_t)i);
		if (key)
			out[m++] = (uint64_t)pb_text_of(key) << 32 | i;
	}
	pb_sort_u64(out, m, 32, out + n);
	return m;
}

const uint32_t *pb_grouping_find(const pb_grouping *g, const char *key, size_t *n)
{
	uint32_t gi;

	*n = 0;
	if (!key || !pb_idmap_get(&g->map, key, grouping_key, g, &gi))
		return NULL;
	*n = g->start[gi + 1] - g->start[gi];
	return g->items + g->start[gi];
}

void pb_grouping_release(pb_grouping *g)
{
	pb_idmap_release(&g->map);
	free(g->start);
	free(g->items);
	free(g->first);
	*g = (pb_grouping){.map = {NULL, 0, 0}};
}
