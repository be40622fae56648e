/* test_pb.c - the growable buffer and the small text helpers of pb.c. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "../../engine/pb.h"

/*
 * pb_buf_addf formats into the room the buffer has and again only when
 * the piece did not fit: every length around the buffer's capacities
 * (64, 128, ...) must come out whole, terminated, and appended to what
 * was there, the same as snprintf would write it.
 */
/* Small and huge-page sizes alike come zeroed, aligned as asked (at 2 MiB
 * from 2 MiB up), and whole: every byte may be written; pb_free_random
 * gives each back (ASan and Valgrind see a leak or a bad free). */
static void test_alloc_random(void **state)
{
	static const size_t sizes[] = {1, 63, 64, 4096, (2u << 20) - 1, 2u << 20, (5u << 20) + 7};
	(void)state;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t align = i % 2 ? 64 : 8;
		unsigned char *p = pb_xalloc_random(sizes[i], align);
		size_t want = sizes[i] >= (2u << 20) ? (2u << 20) : align;
		assert_int_equal((uintptr_t)p % want, 0);
		unsigned char any = 0;
		for (size_t k = 0; k < sizes[i]; k++)
			any |= p[k];
		assert_int_equal(any, 0);
		memset(p, 0xff, sizes[i]);
		pb_free_random(p);
	}
}

/* A stable counting sort: elements by key, equal keys in their order,
 * PB_NO_BUCKET left out; the starts bound each key's run and end at the
 * count sorted.  pb_bucket_sorted gives the same order in an array of
 * its own, also when nothing has a key. */
static void test_bucket_sort(void **state)
{
	static const uint32_t key[] = {2, PB_NO_BUCKET, 0, 2, 1, PB_NO_BUCKET, 0, 2};
	static const uint32_t want[] = {2, 6, 4, 0, 3, 7};
	static const uint32_t want_start[] = {0, 2, 3, 6, 6};
	const size_t n = sizeof(key) / sizeof(key[0]);
	uint32_t order[8], start[5];
	(void)state;

	pb_bucket_sort(key, n, 4, order, start);
	assert_memory_equal(order, want, sizeof(want));
	assert_memory_equal(start, want_start, sizeof(want_start));
	memset(start, 0xff, sizeof(start));
	uint32_t *own = pb_bucket_sorted(key, n, 4, start);
	assert_memory_equal(own, want, sizeof(want));
	assert_memory_equal(start, want_start, sizeof(want_start));
	free(own);

	static const uint32_t none[] = {PB_NO_BUCKET, PB_NO_BUCKET};
	own = pb_bucket_sorted(none, 2, 3, start);
	assert_non_null(own);
	assert_int_equal(start[0], 0);
	assert_int_equal(start[3], 0);
	free(own);
}

/* A value and its place before sorting, to sort stably with qsort. */
struct placed_u64 {
	uint64_t v;
	uint32_t at;
};

static int cmp_high32_then_place(const void *pa, const void *pb)
{
	const struct placed_u64 *a = pa, *b = pb;

	if (a->v >> 32 != b->v >> 32)
		return a->v >> 32 < b->v >> 32 ? -1 : 1;
	return a->at < b->at ? -1 : a->at > b->at;
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

/* pb_sort_u64 orders by the bits from low_bit up and keeps equal keys in
 * their order (the bits below are random, so only stability keeps
 * them), whatever bytes the keys share; from bit 0 it is a plain
 * ascending sort. */
static void test_sort_u64(void **state)
{
	enum { N = 5000 };
	static uint64_t a[N], want[N], tmp[N];
	static struct placed_u64 placed[N];
	uint64_t x = 88172645463325252ULL;
	(void)state;

	for (int layout = 0; layout < 4; layout++) {
		for (size_t i = 0; i < N; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
			/* few keys and many ties; keys sharing their high bytes;
			 * keys differing only in their top byte; all bits random */
			uint64_t key = layout == 0 ? x % 37 : layout == 1 ? 0x00ab0000u | (x % 4096)
				   : layout == 2 ? (x % 200) << 24 : x >> 32;
			a[i] = key << 32 | (x & 0xffffffffu);
			placed[i] = (struct placed_u64){a[i], (uint32_t)i};
		}
		qsort(placed, N, sizeof(*placed), cmp_high32_then_place);
		for (size_t i = 0; i < N; i++)
			want[i] = placed[i].v;
		pb_sort_u64(a, N, 32, tmp);
		assert_memory_equal(a, want, sizeof(a));
		for (size_t i = 0; i < N; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			a[i] = layout == 0 ? x % 5 : x;
		}
		memcpy(want, a, sizeof(a));
		qsort(want, N, sizeof(*want), cmp_u64);
		pb_sort_u64(a, N, 0, tmp);
		assert_memory_equal(a, want, sizeof(a));
	}
	pb_sort_u64(a, 0, 0, tmp); /* nothing to sort */
	a[0] = 7;
	pb_sort_u64(a, 1, 0, tmp);
	assert_int_equal(a[0], 7);
}

/* The order pb_sort_text_keys must give: group, strcmp, index. */
static int cmp_text_key(const void *pa, const void *pb)
{
	const pb_text_key *a = pa, *b = pb;
	int c;

	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if ((c = strcmp(a->text, b->text)))
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/*
 * pb_sort_text_keys orders as group, strcmp, index would: texts that
 * share their first 8 or 16 bytes or more, end inside them, differ only
 * past them, repeat (their indexes decide), carry bytes above 0x7f, or
 * are empty; groups above one byte; every key with the same group (no
 * pass for it); no keys and one key.
 */
static void test_sort_text_keys(void **state)
{
	enum { N = 3000 };
	static char text[N][40];
	static pb_text_key keys[N], want[N], tmp[N];
	static const char *const stems[] = {"", "S", "SUP-", "SUP-1234", "SUP-12345678",
					    "SUP-1234567890ABCD", "\xc3\xa9t\xc3\xa9", "zz"};
	uint64_t x = 88172645463325252ULL;
	(void)state;

	for (int layout = 0; layout < 3; layout++) {
		for (size_t i = 0; i < N; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
			const char *stem = stems[x % (sizeof(stems) / sizeof(*stems))];
			/* a short tail from few values: repeats and shared prefixes */
			if ((x >> 8) % 4)
				snprintf(text[i], sizeof(text[i]), "%s%u", stem, (unsigned)((x >> 16) % 50));
			else
				snprintf(text[i], sizeof(text[i]), "%s", stem);
			uint32_t group = layout == 0 ? (uint32_t)((x >> 40) % 2)
				       : layout == 1 ? 7 : (uint32_t)((x >> 40) % 3) << 12;
			keys[i] = pb_text_key_of(group, text[i], (uint32_t)i);
		}
		memcpy(want, keys, sizeof(keys));
		qsort(want, N, sizeof(*want), cmp_text_key);
		pb_sort_text_keys(keys, N, tmp);
		for (size_t i = 0; i < N; i++) {
			assert_int_equal(keys[i].index, want[i].index);
			assert_ptr_equal(keys[i].text, want[i].text);
			assert_int_equal(keys[i].group, want[i].group);
		}
	}
	pb_sort_text_keys(keys, 0, tmp); /* nothing to sort */
	keys[0] = pb_text_key_of(3, "one", 9);
	pb_sort_text_keys(keys, 1, tmp);
	assert_int_equal(keys[0].index, 9);
	assert_string_equal(keys[0].text, "one");
}

/* Populating ahead walks a block in steps that end exactly at its size,
 * small blocks (not populated) and large alike, never past the end, and
 * leaves what the block holds as it was. */
static void test_populate_ahead(void **state)
{
	static const size_t sizes[] = {1, 4096, (64u << 10) - 1, (256u << 10) + 5, (3u << 20) + 7};
	(void)state;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = pb_xmalloc(sizes[i]);
		size_t ready = 0, steps = 0;
		memset(p, 0xa5, sizes[i]);
		while (ready < sizes[i]) {
			size_t next = pb_populate_ahead(p, ready, sizes[i]);
			assert_true(next > ready);
			assert_true(next <= sizes[i]);
			assert_true(next - ready <= (64u << 10));
			ready = next;
			steps++;
		}
		assert_int_equal(ready, sizes[i]);
		assert_int_equal(steps, (sizes[i] + (64u << 10) - 1) / (64u << 10));
		assert_int_equal(pb_populate_ahead(p, ready, sizes[i]), sizes[i]);
		for (size_t k = 0; k < sizes[i]; k++)
			if (p[k] != 0xa5)
				fail_msg("byte %zu of %zu changed", k, sizes[i]);
		free(p);
	}
}

/* The transparent huge page mode in force ("always", "madvise",
 * "never"), or "" where the kernel has none. */
static const char *thp_mode(char *buf, size_t size)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char line[128];

	buf[0] = 0;
	if (f && fgets(line, sizeof(line), f)) {
		char *open = strchr(line, '['), *close = open ? strchr(open, ']') : NULL;
		if (close && (size_t)(close - open) <= size) {
			memcpy(buf, open + 1, (size_t)(close - open - 1));
			buf[close - open - 1] = 0;
		}
	}
	if (f)
		fclose(f);
	return buf;
}

/* The THPeligible line of the mapping holding `at` in /proc/self/smaps:
 * 1 when the kernel may back it with huge pages, 0 when not, -1 when
 * the line is missing. */
static int thp_eligible(const void *at)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0, eligible = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long from, to;
		if (sscanf(line, "%lx-%lx ", &from, &to) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)at >= from && (uintptr_t)at < to;
		else if (in && sscanf(line, "THPeligible: %d", &eligible) == 1)
			break;
	}
	fclose(f);
	return in ? eligible : -1;
}

/* A block of 4 MiB or more is advised into huge pages, the whole 2 MiB
 * pages inside it and no more; a smaller one is left in small pages.
 * The blocks judged are mappings of their own, 4 KiB past a 2 MiB
 * boundary, so that no other block's advice is seen; a block from
 * pb_xmalloc is seen advised too.  Where the kernel has no transparent
 * huge pages, or uses them for all memory, the advice cannot be seen
 * and the test says so. */
static void test_advise_huge(void **state)
{
	char mode[32];
	const size_t huge = 2u << 20, big = (8u << 20) + 5, small = (4u << 20) - 1;
	(void)state;

	assert_null(pb_advise_huge(NULL, big));
	unsigned char *map = mmap(NULL, 16 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	uintptr_t first = ((uintptr_t)map + huge - 1) & ~(uintptr_t)(huge - 1);
	unsigned char *p = (unsigned char *)first + 4096, *q = p + 6 * huge;
	unsigned char *m = pb_xmalloc(big);
	assert_ptr_equal(pb_advise_huge(p, big), p);
	assert_ptr_equal(pb_advise_huge(q, small), q);
	memset(p, 0x5a, big);
	memset(m, 0x5a, big);
	if (strcmp(thp_mode(mode, sizeof(mode)), "madvise") || thp_eligible(p) < 0) {
		print_message("skipped: transparent huge pages are '%s', not 'madvise', or smaps has no THPeligible\n", mode);
	} else {
		assert_int_equal(thp_eligible(p), 0); /* the partial page before */
		assert_int_equal(thp_eligible((const void *)(first + huge)), 1);
		assert_int_equal(thp_eligible((const void *)(first + 4 * huge - 1)), 1);
		assert_int_equal(thp_eligible((const void *)(first + 4 * huge)), 0); /* partial, after */
		assert_int_equal(thp_eligible(q + small / 2), 0);
		uintptr_t inside = ((uintptr_t)m + huge - 1) & ~(uintptr_t)(huge - 1);
		assert_int_equal(thp_eligible((const void *)(inside + huge / 2)), 1);
	}
	for (size_t k = 0; k < big; k++)
		if (p[k] != 0x5a || m[k] != 0x5a)
			fail_msg("byte %zu of %zu changed", k, big);
	free(m);
	munmap(map, 16 * huge);
}

/*
 * pb_realloc_huge keeps the bytes asked for, small blocks and large;
 * a large block's new room is advised before they are copied in, so
 * that, where the kernel gives huge pages on advice, the copy of an
 * 8 MiB block faults in far fewer than its 2 049 small pages (realloc
 * of a block split by its advice copied into small ones).
 */
static void test_realloc_huge(void **state)
{
	static const size_t sizes[] = {100, (1u << 20) + 3, (8u << 20) + 5};
	char mode[32];
	(void)state;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		unsigned char *p = pb_xmalloc(n);
		memset(p, 0x6b, n);
		struct rusage before, after;
		getrusage(RUSAGE_SELF, &before);
		unsigned char *q = pb_realloc_huge(p, n, 2 * n);
		getrusage(RUSAGE_SELF, &after);
		assert_non_null(q);
		for (size_t k = 0; k < n; k++)
			if (q[k] != 0x6b)
				fail_msg("byte %zu of %zu changed", k, n);
		memset(q + n, 0x6c, n);
#if !defined(__SANITIZE_ADDRESS__) /* ASan writes the new block's shadow too */
		if (n >= (4u << 20) && !strcmp(thp_mode(mode, sizeof(mode)), "madvise"))
			assert_true(after.ru_minflt - before.ru_minflt < 1500);
#else
		(void)mode;
		(void)before;
		(void)after;
#endif
		free(q);
	}
	/* NULL grows like realloc(NULL, n) */
	unsigned char *r = pb_realloc_huge(NULL, 0, 64);
	assert_non_null(r);
	memset(r, 1, 64);
	free(r);
}

/* Slots made writable at once come zeroed and whole, below the size
 * from which their pages are populated and above it, including a block
 * that starts and ends inside a page; a block freed and taken again
 * (glibc may hand back heap memory already written) is zeroed too. */
static void test_calloc_slots(void **state)
{
	static const size_t counts[] = {1, 1000, 65536, 65537, (1u << 20) + 3};
	(void)state;

	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
			uint32_t *p = pb_xcalloc_slots(counts[i], sizeof(*p));
			uint32_t any = 0;
			for (size_t k = 0; k < counts[i]; k++)
				any |= p[k];
			assert_int_equal(any, 0);
			memset(p, 0xff, counts[i] * sizeof(*p));
			free(p);
		}
}

/* '|' lists (config values) and ';' lists (ids, codes) are cut alike:
 * whole pieces only, an empty piece between two separators but none
 * after a trailing one. */
static void test_list_pieces(void **state)
{
	(void)state;
	assert_true(pb_list_has("open|selective", "selective"));
	assert_false(pb_list_has("open|selective", "sel"));
	assert_false(pb_list_has("open|", ""));
	assert_true(pb_list_has("a||b", ""));
	assert_false(pb_list_has("open", NULL));
	assert_false(pb_list_has(NULL, "open"));
	assert_true(pb_tokens_has("CPV:1;CPV:2", "CPV:2", 5));
	assert_false(pb_tokens_has("CPV:1;CPV:22", "CPV:2", 5));
	assert_true(pb_tokens_has("CPV:1;CPV:2", "CPV:2x", 5)); /* n bytes of tok */
	assert_false(pb_tokens_has("a;", "", 0));
	assert_true(pb_tokens_has("a;;b", "", 0));
	assert_false(pb_tokens_has(NULL, "a", 1));

	pb_buf b;
	pb_buf_init(&b);
	pb_tokens_add(&b, "CPV:1", 5);
	pb_tokens_add(&b, "CPV:22", 6);
	pb_tokens_add(&b, "CPV:1", 5);
	pb_tokens_add(&b, "CPV:2x", 5);
	assert_string_equal(b.data, "CPV:1;CPV:22;CPV:2");
	pb_buf_release(&b);
}

static void test_addf_every_length(void **state)
{
	char piece[1100], want[4200];
	(void)state;

	for (size_t before = 0; before < 70; before += 7) {
		for (size_t n = 0; n < sizeof(piece) - 1; n++) {
			pb_buf b;
			pb_buf_init(&b);
			memset(piece, 'x', n);
			piece[n] = '\0';
			for (size_t i = 0; i < before; i++)
				pb_buf_addch(&b, 'a');
			pb_buf_addf(&b, "<%s|%zu>", piece, n);
			int w = snprintf(want, sizeof(want), "%.*s<%s|%zu>", (int)before,
					 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
					 piece, n);
			assert_int_equal(b.len, (size_t)w);
			assert_int_equal(strlen(b.data), b.len);
			assert_string_equal(b.data, want);
			pb_buf_release(&b);
		}
	}
}

/* Many short pieces in a row, then a reset: the buffer is reused. */
static void test_addf_appends(void **state)
{
	pb_buf b;
	char want[16];
	(void)state;

	pb_buf_init(&b);
	for (int i = 0; i < 5000; i++)
		pb_buf_addf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 10000);
	assert_memory_equal(b.data, "0,1,2,3,4,", 10);
	pb_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	pb_buf_addf(&b, "%s-%03d", "id", 7);
	snprintf(want, sizeof(want), "%s-%03d", "id", 7);
	assert_string_equal(b.data, want);
	pb_buf_release(&b);
}

static void test_trim(void **state)
{
	const char *s = "  \t a b \r\n";
	size_t n = strlen(s);
	(void)state;

	pb_trim(&s, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(s, "a b", 3);
	s = "   ";
	n = 3;
	pb_trim(&s, &n);
	assert_int_equal(n, 0);
	/* Every byte trims as isspace() in the C locale says, at either end. */
	for (int c = 1; c < 256; c++) {
		char cell[4] = {(char)c, 'x', (char)c, '\0'};
		s = cell;
		n = 3;
		pb_trim(&s, &n);
		assert_int_equal(n, isspace(c) ? 1 : 3);
		assert_ptr_equal(s, isspace(c) ? cell + 1 : cell);
	}
}

/* pb_prefix8 orders as strcmp wherever two prefixes differ, and two
 * texts alike in their first 8 bytes (or shorter and equal) have equal
 * prefixes: short texts, a text and its extension, bytes above 0x7f. */
/* A buffer cut short is still a C string of what is left. */
static void test_buf_truncate(void **state)
{
	pb_buf b;
	(void)state;

	pb_buf_init(&b);
	pb_buf_truncate(&b, 3); /* nothing to cut */
	assert_string_equal(b.data, "");
	pb_buf_addstr(&b, "header\npartial");
	pb_buf_truncate(&b, 7);
	assert_int_equal(b.len, 7);
	assert_string_equal(b.data, "header\n");
	pb_buf_truncate(&b, 9); /* longer than it is: unchanged */
	assert_string_equal(b.data, "header\n");
	pb_buf_reset(&b);
	assert_string_equal(b.data, "");
	pb_buf_release(&b);
}

/* Newlines counted in a range, whatever else it holds (CR, NUL). */
static void test_count_newlines(void **state)
{
	static const char text[] = "a\r\nb\n\n\0c\nno end";
	(void)state;

	assert_int_equal(pb_count_newlines(text, 0), 0);
	assert_int_equal(pb_count_newlines(text, 3), 1);
	assert_int_equal(pb_count_newlines(text, sizeof(text) - 1), 4);
	assert_int_equal(pb_count_newlines(text + 9, sizeof(text) - 10), 0);
}

static void test_prefix8_orders_as_strcmp(void **state)
{
	static const char alphabet[] = "0129AZaz-\x7f\x80\xff";
	char a[16], b[16];
	uint32_t x = 7;
	(void)state;

	for (int round = 0; round < 200000; round++) {
		size_t na, nb;
		x = x * 1103515245u + 12345u;
		na = (x >> 16) % 12;
		x = x * 1103515245u + 12345u;
		nb = (x >> 16) % 12;
		for (size_t i = 0; i < na; i++) {
			x = x * 1103515245u + 12345u;
			a[i] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
		}
		a[na] = '\0';
		/* b shares a's beginning half of the time */
		memcpy(b, a, na + 1);
		for (size_t i = round % 2 ? 0 : na / 2; i < nb; i++) {
			x = x * 1103515245u + 12345u;
			b[i] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
		}
		b[nb] = '\0';
		uint64_t pa = pb_prefix8(a), pb = pb_prefix8(b);
		int c = strcmp(a, b);
		if (pa != pb)
			assert_int_equal(pa < pb ? -1 : 1, c < 0 ? -1 : 1);
		else
			assert_int_equal(strncmp(a, b, 8), 0);
	}
	assert_true(pb_prefix8("") == 0);
	assert_true(pb_prefix8("C-1") < pb_prefix8("C-1A"));
	assert_true(pb_prefix8("C-12345678") == pb_prefix8("C-12345679"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_random),
		cmocka_unit_test(test_calloc_slots),
		cmocka_unit_test(test_advise_huge),
		cmocka_unit_test(test_realloc_huge),
		cmocka_unit_test(test_populate_ahead),
		cmocka_unit_test(test_bucket_sort),
		cmocka_unit_test(test_sort_u64),
		cmocka_unit_test(test_sort_text_keys),
		cmocka_unit_test(test_list_pieces),
		cmocka_unit_test(test_addf_every_length),
		cmocka_unit_test(test_addf_appends),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_prefix8_orders_as_strcmp),
		cmocka_unit_test(test_count_newlines),
		cmocka_unit_test(test_buf_truncate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
