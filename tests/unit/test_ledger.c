/* test_ledger.c - arena, interning, keys, duplicates, groups, counts. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../engine/audit.h"
#include "../../engine/ledger.h"
#include "../../engine/parallel.h"

static pb_payment payment(pb_ledger *l, const char *id, const char *contract,
			  int64_t amount, uint32_t line)
{
	pb_payment p;

	memset(&p, 0, sizeof(p));
	pb_row_set(l, &p.row, pb_ledger_intern(l, "payments.csv", 12), line, NULL);
	p.payment_id = pb_text_of(pb_ledger_intern(l, id, strlen(id)));
	p.contract_id = pb_text_of(contract ? pb_ledger_intern(l, contract, strlen(contract)) : NULL);
	p.amount = amount;
	p.currency = pb_text_of(pb_ledger_base_currency(l));
	p.paid_on = PB_DATE_NONE;
	return p;
}

static void test_interning(void **state)
{
	pb_arena *a = pb_arena_new();
	pb_strtab *t = pb_strtab_new(a);
	char buf[32];
	(void)state;

	const char *x = pb_intern(t, "C-1", 3);
	assert_ptr_equal(x, pb_intern_str(t, "C-1"));
	assert_ptr_not_equal(x, pb_intern_str(t, "C-2"));
	assert_null(pb_intern(t, "", 0));
	/* Enough strings to force several rehashes. */
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "id-%d", i);
		pb_intern_str(t, buf);
	}
	assert_ptr_equal(x, pb_intern_str(t, "C-1"));
	assert_string_equal(pb_intern_str(t, "id-4999"), "id-4999");
	pb_strtab_free(t);
	pb_arena_free(a);
}

/* Texts of every size the table stores differently (a one-byte length
 * below 255, a five-byte one above; in a shared block or one of its
 * own), each a prefix of the next, interned twice and found again. */
static void test_interning_lengths(void **state)
{
	static const size_t lengths[] = {1, 2, 254, 255, 256, 2047, 2048, 2049, 4096,
					 70000, 600000, (1u << 20) + 3, 3};
	size_t max = (1u << 20) + 3, n = sizeof(lengths) / sizeof(lengths[0]);
	char *text = pb_xmalloc(max);
	const char *first[sizeof(lengths) / sizeof(lengths[0])];
	(void)state;

	for (size_t i = 0; i < max; i++)
		text[i] = (char)('a' + i % 26);
	for (int shared = 0; shared < 2; shared++) {
		pb_arena *a = pb_arena_new();
		pb_strtab *t = shared ? pb_strtab_new_shared(2) : pb_strtab_new(a);
		for (size_t i = 0; i < n; i++) {
			first[i] = pb_intern(t, text, lengths[i]);
			assert_int_equal(strlen(first[i]), lengths[i]);
			assert_memory_equal(first[i], text, lengths[i]);
		}
		for (size_t i = 0; i < n; i++) {
			assert_ptr_equal(pb_intern(t, text, lengths[i]), first[i]);
			assert_ptr_equal(pb_strtab_find(t, text, lengths[i]), first[i]);
			/* A ledger's table is in the text space: records hold
			 * its texts as pb_texts. */
			if (shared)
				assert_ptr_equal(pb_str(pb_text_of(first[i])), first[i]);
		}
		assert_null(pb_strtab_find(t, text, 5));
		pb_strtab_free(t);
		pb_arena_free(a);
	}
	free(text);
}

/* Awards are judged once at seal, and fields' fill counts taken, on
 * `jobs` threads alike; a contract outside the ledger (a copy) is judged
 * on the spot, the same way. */
static void awards_judged_at_seal(int jobs)
{
	static const struct {
		const char *id, *award_status, *status, *tender_status, *why;
	} cases[] = {
		{"C-MADE", "active", "active", "complete", NULL},
		{"C-PENDING", "pending", NULL, NULL, "pending"},
		{"C-STALE", "pending", "active", NULL, NULL},
		{"C-VOID", NULL, "cancelled", NULL, "cancelled"},
		{"C-TENDER", NULL, NULL, "unsuccessful", "unsuccessful"},
	};
	size_t ncases = sizeof(cases) / sizeof(cases[0]);
	pb_ledger *l = pb_ledger_new("EUR");
	size_t tin = pb_ledger_add_input(l, "tenders.csv", "tenders", "csv");
	size_t cin = pb_ledger_add_input(l, "contracts.csv", "contracts", "csv");

#define I(s) ((s) ? pb_ledger_intern(l, (s), strlen(s)) : NULL)
	for (size_t i = 0; i < ncases; i++) {
		pb_tender t;
		pb_contract c;
		pb_record_blank(PB_T_TENDERS, &t);
		pb_record_blank(PB_T_CONTRACTS, &c);
		pb_row_set(l, &t.row, I("tenders.csv"), i + 2, NULL);
		pb_row_set(l, &c.row, I("contracts.csv"), i + 2, NULL);
		t.tender_id = pb_text_of(I(cases[i].id));
		c.tender_id = t.tender_id;
		t.status = pb_text_of(I(cases[i].tender_status));
		c.contract_id = pb_text_of(I(cases[i].id));
		c.award_status = pb_text_of(I(cases[i].award_status));
		c.status = pb_text_of(I(cases[i].status));
		assert_int_equal(pb_ledger_add(l, tin, PB_T_TENDERS, &t), 0);
		assert_int_equal(pb_ledger_add(l, cin, PB_T_CONTRACTS, &c), 0);
	}
#undef I
	pb_ledger_seal_jobs(l, jobs);
	const pb_table_def *td = pb_table_get(PB_T_TENDERS), *cd = pb_table_get(PB_T_CONTRACTS);
	assert_int_equal(pb_ledger_filled(l, PB_T_TENDERS, pb_table_column(td, "status")), 2);
	assert_int_equal(pb_ledger_filled(l, PB_T_TENDERS, pb_table_column(td, "tender_id")), ncases);
	assert_int_equal(pb_ledger_filled(l, PB_T_CONTRACTS, pb_table_column(cd, "award_status")), 3);
	assert_int_equal(pb_ledger_filled(l, PB_T_CONTRACTS, pb_table_column(cd, "status")), 3);
	assert_int_equal(pb_ledger_filled(l, PB_T_CONTRACTS, pb_table_column(cd, "value")), 0);
	size_t n;
	const pb_contract *c = pb_ledger_contracts(l, &n);
	assert_int_equal(n, ncases);
	for (size_t i = 0; i < n; i++) {
		pb_contract copy = c[i];
		const char *why = "unset", *copy_why = "unset";
		int made = pb_contract_is_award(l, &c[i], &why);
		assert_int_equal(made, cases[i].why == NULL);
		if (cases[i].why)
			assert_string_equal(why, cases[i].why);
		else
			assert_null(why);
		assert_int_equal(pb_contract_is_award(l, &copy, &copy_why), made);
		assert_ptr_equal(copy_why, why);
	}
	/* A row added after seal unseals: verdicts are judged on the spot
	 * again, here a tender cancelled after its contract was judged. */
	pb_tender t;
	const char *why = NULL;
	assert_true(pb_contract_is_award(l, &c[0], NULL));
	pb_record_blank(PB_T_TENDERS, &t);
	pb_row_set(l, &t.row, pb_ledger_intern(l, "tenders.csv", 11), 99, NULL);
	t.tender_id = pb_text_of(pb_ledger_intern(l, "T-LATE", 6));
	t.status = pb_text_of(pb_ledger_intern(l, "cancelled", 9));
	/* C-MADE now names the new tender (a test may write its ledger). */
	((pb_contract *)c)[0].tender_id = t.tender_id;
	assert_int_equal(pb_ledger_add(l, tin, PB_T_TENDERS, &t), 0);
	assert_false(pb_contract_is_award(l, &c[0], &why));
	assert_string_equal(why, "cancelled");
	pb_ledger_seal_jobs(l, jobs);
	assert_false(pb_contract_is_award(l, &c[0], NULL));
	pb_ledger_free(l);
}

static void test_awards_judged_at_seal(void **state)
{
	(void)state;
	awards_judged_at_seal(1);
}

/* The passes of seal side by side (-j): the same verdicts and counts. */
static void test_awards_judged_at_seal_jobs(void **state)
{
	(void)state;
	awards_judged_at_seal(3);
}

/* Texts of a text arena start at multiples of PB_TEXT_ALIGN and come
 * back from their pb_text; 0 is no text; once the last text arena is
 * freed, the space is filled again from its start. */
static void test_text_space(void **state)
{
	static const char *const words[] = {"a", "bc", "def", "ghij", "klmno", "", "pq"};
	pb_arena *a = pb_arena_new_text();
	const char *first = NULL;
	(void)state;

	assert_int_equal(pb_text_of(NULL), 0);
	assert_null(pb_str(0));
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *p = pb_arena_strdup(a, words[i]);
		pb_text t = pb_text_of(p);
		assert_int_equal((uintptr_t)p % PB_TEXT_ALIGN, 0);
		assert_int_not_equal(t, 0);
		assert_ptr_equal(pb_str(t), p);
		assert_string_equal(pb_str(t), words[i]);
		if (!first)
			first = p;
	}
	pb_ledger *l = pb_ledger_new("EUR");
	const char *kept = pb_ledger_keep(l, "a title", 7);
	assert_string_equal(pb_str(pb_text_of(kept)), "a title");
	pb_ledger_free(l);
	pb_arena_free(a);
	a = pb_arena_new_text();
	assert_ptr_equal(pb_arena_strdup(a, "a"), first);
	pb_arena_free(a);
}

/* Trimming gives back the room blocks keep, never a text: what was
 * stored reads the same after, and more can be stored and found. */
static void test_text_trim(void **state)
{
	pb_arena *a = pb_arena_new_text();
	pb_strtab *t = pb_strtab_new_shared(2);
	const char *kept[2000], *was[2000];
	char buf[32];
	(void)state;

	for (int i = 0; i < 2000; i++) {
		int n = snprintf(buf, sizeof(buf), "text %d", i);
		kept[i] = pb_arena_strndup(a, buf, (size_t)n);
		was[i] = pb_intern(t, buf, (size_t)n);
	}
	pb_arena_trim(a);
	pb_strtab_trim(t);
	for (int i = 0; i < 2000; i++) {
		snprintf(buf, sizeof(buf), "text %d", i);
		assert_string_equal(kept[i], buf);
		assert_ptr_equal(pb_strtab_find(t, buf, strlen(buf)), was[i]);
	}
	for (int i = 2000; i < 4000; i++) {
		int n = snprintf(buf, sizeof(buf), "text %d", i);
		assert_string_equal(pb_arena_strndup(a, buf, (size_t)n), buf);
		assert_string_equal(pb_intern(t, buf, (size_t)n), buf);
	}
	pb_strtab_drop_buckets(t); /* the rebuild walks blocks trimmed, then filled */
	for (int i = 0; i < 4000; i++) {
		snprintf(buf, sizeof(buf), "text %d", i);
		assert_string_equal(pb_strtab_find(t, buf, strlen(buf)), buf);
	}
	pb_strtab_free(t);
	pb_arena_free(a);
	pb_arena *m = pb_arena_new(); /* not text: nothing to do */
	assert_string_equal(pb_arena_strdup(m, "x"), "x");
	pb_arena_trim(m);
	pb_arena_free(m);
}

/* A pointer that is not one of a ledger's texts (a literal, or the
 * middle of a text) has no pb_text: the run stops rather than store a
 * wrong one. */
static void test_text_of_refuses_foreign(void **state)
{
	static const char literal[] = "not in the text space";
	pb_arena *a = pb_arena_new_text();
	const char *inside = pb_arena_strdup(a, "abcdef");
	(void)state;

	for (int k = 0; k < 2; k++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (!freopen("/dev/null", "w", stderr))
				_exit(2);
			(void)pb_text_of(k ? inside + 1 : literal);
			_exit(0);
		}
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGABRT);
	}
	pb_arena_free(a);
}

/* Many long texts and no short one: more than a shard's 4095 blocks
 * would hold at one text a block. */
static void test_interning_many_long(void **state)
{
	pb_arena *a = pb_arena_new();
	pb_strtab *t = pb_strtab_new(a);
	char *text = pb_xmalloc(3000);
	const char *first = NULL;
	(void)state;

	memset(text, 'x', 3000);
	for (int i = 0; i < 5000; i++) {
		snprintf(text, 16, "%015d", i);
		text[15] = 'x';
		const char *p = pb_intern(t, text, 3000);
		assert_memory_equal(p, text, 3000);
		if (!first)
			first = p;
	}
	snprintf(text, 16, "%015d", 0);
	text[15] = 'x';
	assert_ptr_equal(pb_strtab_find(t, text, 3000), first);
	free(text);
	pb_strtab_free(t);
	pb_arena_free(a);
}

/* A text interned with a hash computed beforehand and its slot
 * prefetched (as the CSV importer does for a row) is the same text as
 * one interned plainly, through rehashes and full buckets alike. */
static void test_interning_hashed(void **state)
{
	char buf[32];
	(void)state;

	for (int shared = 0; shared < 2; shared++) {
		pb_arena *a = pb_arena_new();
		pb_strtab *t = shared ? pb_strtab_new_shared(3) : pb_strtab_new(a);
		const char **first = pb_xcalloc(20000, sizeof(*first));
		for (int i = 0; i < 20000; i++) {
			size_t n = (size_t)snprintf(buf, sizeof(buf), "SUP-%d", i);
			uint32_t h = pb_intern_hash(buf, n);
			pb_strtab_prefetch(t, h);
			first[i] = i % 2 ? pb_intern(t, buf, n) : pb_intern_hashed(t, buf, n, h);
			assert_string_equal(first[i], buf);
		}
		for (int i = 0; i < 20000; i++) {
			size_t n = (size_t)snprintf(buf, sizeof(buf), "SUP-%d", i);
			uint32_t h = pb_intern_hash(buf, n);
			assert_ptr_equal(i % 2 ? pb_intern_hashed(t, buf, n, h) : pb_intern(t, buf, n),
					 first[i]);
			assert_ptr_equal(pb_strtab_find(t, buf, n), first[i]);
		}
		assert_null(pb_intern_hashed(t, "", 0, pb_intern_hash("", 0)));
		free(first);
		pb_strtab_free(t);
		pb_arena_free(a);
	}
}

/* A table made room for keeps the texts it held, takes the texts it made
 * room for without growing again, and never shrinks or grows without
 * bound on a guess. */
static void test_interning_reserved(void **state)
{
	char buf[32];
	(void)state;

	pb_strtab *t = pb_strtab_new_shared(3);
	const char *early = pb_intern_str(t, "EUR");
	size_t before = pb_strtab_bucket_bytes(t);
	pb_strtab_reserve(t, 100);
	assert_int_equal(pb_strtab_bucket_bytes(t), before); /* room enough already */
	pb_strtab_reserve(t, 50000);
	size_t reserved = pb_strtab_bucket_bytes(t);
	assert_true(reserved > before);
	/* 8 shards of 12-slot buckets, 7/8 full at most: 50 000 texts need
	 * 2^10 buckets a shard (2^9 hold 43 008), 2^13 in all */
	assert_int_equal(reserved, (size_t)8192 * 64);
	assert_ptr_equal(pb_strtab_find(t, "EUR", 3), early);
	for (int i = 0; i < 40000; i++) {
		size_t n = (size_t)snprintf(buf, sizeof(buf), "SUP-%d", i);
		assert_string_equal(pb_intern(t, buf, n), buf);
	}
	assert_int_equal(pb_strtab_bucket_bytes(t), reserved);
	assert_ptr_equal(pb_intern_str(t, "EUR"), early);
	assert_string_equal(pb_strtab_find(t, "SUP-39999", 9), "SUP-39999");
	pb_strtab_reserve(t, 10); /* never shrinks */
	assert_int_equal(pb_strtab_bucket_bytes(t), reserved);
	pb_strtab_free(t);

	t = pb_strtab_new_shared(3);
	pb_strtab_reserve(t, (size_t)1 << 40); /* capped: 2^23 buckets */
	assert_int_equal(pb_strtab_bucket_bytes(t), ((size_t)64) << 23);
	pb_strtab_free(t);
}

#ifdef __SANITIZE_ADDRESS__
/* AddressSanitizer's allocator aborts when memory runs out; the test
 * below needs malloc's NULL, as without it. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}
#endif
#ifdef __SANITIZE_THREAD__
/* ThreadSanitizer's too (a build for data races, not part of make check). */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "allocator_may_return_null=1";
}
#endif

/* Limits the process's address space to what it has mapped and 64 MiB
 * more (in a forked child: the limit stays with it); -1 if it cannot. */
static int limit_to_64mib_more(void)
{
	long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	int read = fscanf(f, "%ld", &pages);
	fclose(f);
	if (read != 1)
		return -1;
	struct rlimit lim;
	lim.rlim_cur = lim.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)64 << 20);
	return setrlimit(RLIMIT_AS, &lim);
}

/* Room the memory limit does not allow is not made, and the run goes on:
 * a guess from a huge file must not stop what reading it would not. */
static void test_interning_reserved_beyond_limit(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pb_strtab *t = pb_strtab_new_shared(3);
		size_t before = pb_strtab_bucket_bytes(t);
		/* not the 512 MiB the reservation asks for */
		if (limit_to_64mib_more() < 0)
			_exit(4);
		pb_strtab_reserve(t, (size_t)1 << 40);
		if (pb_strtab_bucket_bytes(t) != before)
			_exit(5);
		if (strcmp(pb_intern_str(t, "still interning"), "still interning"))
			_exit(6);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * Threads interning the same texts, each in an order of its own, into a
 * shared table that grows while they do (with every shard's lock), get
 * one copy of each text between them.  Orders j -> (j(2k + 1) + 7919k)
 * mod n are permutations for a prime n.  Two in three texts are hashed
 * and their slot fetched first, as the CSV importer does.
 */
#define RACE_THREADS 4

struct intern_race {
	pb_strtab *t;
	char (*text)[16];
	size_t n;
	const char **got[RACE_THREADS];
};

static void intern_race_work(void *ctx, size_t k)
{
	struct intern_race *r = ctx;

	for (size_t j = 0; j < r->n; j++) {
		size_t i = (j * (2 * k + 1) + k * 7919) % r->n; /* k's own order */
		size_t n = strlen(r->text[i]);
		uint32_t h = pb_intern_hash(r->text[i], n);
		pb_strtab_prefetch(r->t, h);
		r->got[k][i] = j % 3 ? pb_intern_hashed(r->t, r->text[i], n, h)
				     : pb_intern(r->t, r->text[i], n);
	}
}

/* Has `threads` threads intern the n texts into t and checks that each
 * got the same copy of each text, which pb_strtab_find gives back too. */
static void intern_race_run(pb_strtab *t, char (*text)[16], size_t n, size_t threads)
{
	struct intern_race r = {t, text, n, {NULL}};

	for (size_t k = 0; k < threads; k++)
		r.got[k] = pb_xcalloc(n, sizeof(*r.got[k]));
	pb_strtab_set_locking(t, 1);
	pb_parallel_for(threads, (int)threads, intern_race_work, &r);
	pb_strtab_set_locking(t, 0);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(r.got[0][i], text[i]);
		for (size_t k = 1; k < threads; k++)
			assert_ptr_equal(r.got[k][i], r.got[0][i]);
		assert_ptr_equal(pb_strtab_find(t, text[i], strlen(text[i])), r.got[0][i]);
	}
	for (size_t k = 0; k < threads; k++)
		free(r.got[k]);
}

#define RACE_TEXTS 30011 /* prime */

/* Four threads, 30 011 texts in four shards: eight doublings. */
static void test_interning_threads(void **state)
{
	pb_strtab *t = pb_strtab_new_shared(2);
	char (*text)[16] = pb_xcalloc(RACE_TEXTS, sizeof(*text));
	(void)state;

	for (size_t i = 0; i < RACE_TEXTS; i++)
		snprintf(text[i], sizeof(text[i]), "SUP-%zu", i);
	intern_race_run(t, text, RACE_TEXTS, RACE_THREADS);
	free(text);
	pb_strtab_free(t);
}

/*
 * Seal drops the ledger's buckets.  The first look-up after rebuilds
 * them from the texts, once, whichever thread asks (four at once here),
 * and every text is where it was: short, with a 5-byte length, and long
 * enough for a block of its own.  The table grows on as before.
 */
static void test_interning_dropped(void **state)
{
	pb_strtab *t = pb_strtab_new_shared(2);
	char (*text)[16] = pb_xcalloc(RACE_TEXTS, sizeof(*text));
	const char **was = pb_xcalloc(RACE_TEXTS, sizeof(*was));
	char *big = pb_xcalloc(600001, 1), more[24];
	(void)state;

	for (size_t i = 0; i < RACE_TEXTS; i++) {
		snprintf(text[i], sizeof(text[i]), "SUP-%zu", i);
		was[i] = pb_intern_str(t, text[i]);
	}
	memset(big, 'x', 600000);
	const char *long1 = pb_intern(t, big, 300), *huge = pb_intern(t, big, 600000);
	pb_strtab_drop_buckets(t);
	assert_int_equal(pb_strtab_bucket_bytes(t), 0);
	pb_strtab_prefetch(t, pb_intern_hash("SUP-1", 5)); /* only a hint: no rebuild */
	assert_int_equal(pb_strtab_rebuilds(t), 0);
	intern_race_run(t, text, RACE_TEXTS, RACE_THREADS);
	assert_int_equal(pb_strtab_rebuilds(t), 1);
	assert_true(pb_strtab_bucket_bytes(t) > 0);
	for (size_t i = 0; i < RACE_TEXTS; i++)
		assert_ptr_equal(pb_strtab_find(t, text[i], strlen(text[i])), was[i]);
	assert_ptr_equal(pb_strtab_find(t, big, 300), long1);
	assert_ptr_equal(pb_strtab_find(t, big, 600000), huge);
	assert_null(pb_strtab_find(t, big, 299));
	for (size_t i = 0; i < RACE_TEXTS; i++) {
		size_t n = (size_t)snprintf(more, sizeof(more), "MORE-%zu", i);
		assert_string_equal(pb_intern(t, more, n), more);
	}
	for (size_t i = 0; i < RACE_TEXTS; i++)
		assert_ptr_equal(pb_intern_str(t, text[i]), was[i]);
	assert_int_equal(pb_strtab_rebuilds(t), 1);
	pb_strtab_drop_buckets(t);
	assert_ptr_equal(pb_strtab_find(t, "SUP-7", 5), was[7]);
	assert_string_equal(pb_strtab_find(t, "MORE-30010", 10), "MORE-30010");
	assert_int_equal(pb_strtab_rebuilds(t), 2);
	pb_strtab_free(t);
	free(big);
	free(was);
	free(text);
}

/* A one-thread table's blocks come from malloc, not zeroed: the padding
 * a rebuild skips is zeroed as texts are stored.  An empty table is
 * rebuilt empty. */
static void test_interning_dropped_malloc(void **state)
{
	pb_arena *a = pb_arena_new();
	pb_strtab *t = pb_strtab_new(a);
	const char *was[3000];
	char buf[32];
	(void)state;

	for (size_t i = 0; i < 3000; i++) {
		size_t n = (size_t)snprintf(buf, sizeof(buf), "%zu%.*s", i, (int)(i % 7), "abcdefg");
		was[i] = pb_intern(t, buf, n);
	}
	pb_strtab_drop_buckets(t);
	for (size_t i = 0; i < 3000; i++) {
		size_t n = (size_t)snprintf(buf, sizeof(buf), "%zu%.*s", i, (int)(i % 7), "abcdefg");
		assert_ptr_equal(pb_strtab_find(t, buf, n), was[i]);
	}
	assert_int_equal(pb_strtab_rebuilds(t), 1);
	pb_strtab_free(t);
	pb_arena_free(a);

	t = pb_strtab_new_shared(3);
	pb_strtab_drop_buckets(t);
	assert_null(pb_strtab_find(t, "x", 1));
	assert_string_equal(pb_intern_str(t, "x"), "x");
	assert_int_equal(pb_strtab_rebuilds(t), 1);
	pb_strtab_free(t);
}

/* Texts that all fall in one shard of 64 (their hashes share the top six
 * bits, as a hostile file's ids could be made to) give that shard
 * buckets of its own once the table is past its first few doublings: it
 * stays about the size its texts need, where doubling every shard with
 * that one would be 64 times that.  Two threads intern them. */
#define SKEW_TEXTS 100003 /* prime */

static void test_interning_one_shard(void **state)
{
	pb_strtab *t = pb_strtab_new_shared(6);
	char (*text)[16] = pb_xcalloc(SKEW_TEXTS, sizeof(*text));
	(void)state;

	for (size_t n = 0, i = 0; n < SKEW_TEXTS; i++) {
		int len = snprintf(text[n], sizeof(text[n]), "ID-%zu", i);
		if (pb_intern_hash(text[n], (size_t)len) >> 26 == 0)
			n++;
	}
	intern_race_run(t, text, SKEW_TEXTS, 2);
	/* 100 003 texts need 16 384 buckets (1 MiB), beside the 64 slices of
	 * 256 buckets the table doubles to before it judges a shard alone
	 * (1 MiB); every shard doubled with this one would hold 64 x 16 384
	 * (64 MiB). */
	assert_true(pb_strtab_bucket_bytes(t) < (4u << 20));
	free(text);
	pb_strtab_free(t);
}

static void test_arena_large(void **state)
{
	pb_arena *a = pb_arena_new();
	(void)state;

	char *small = pb_arena_alloc(a, 10);
	char *big = pb_arena_alloc(a, 5u << 20);
	char *after = pb_arena_alloc(a, 10);
	big[(5u << 20) - 1] = 'x';
	small[9] = 'y';
	after[0] = 'z';
	assert_true(pb_arena_bytes(a) >= (5u << 20));
	pb_arena_free(a);
}

/* Distinct procedures: the lots of one tender count once, a contract
 * without a tender is its own procedure, and many contracts (past the
 * sort's first byte) are counted as the map counted them. */
static void test_contracts_procedures(void **state)
{
	enum { LOTS = 3, TENDERS = 700, LONE = 40 };
	static pb_contract c[TENDERS * LOTS + LONE];
	static const pb_contract *ptr[TENDERS * LOTS + LONE];
	pb_ledger *l = pb_ledger_new("EUR");
	char id[32];
	size_t n = 0;
	(void)state;

	for (size_t t = 0; t < TENDERS; t++)
		for (size_t lot = 0; lot < LOTS; lot++, n++) {
			pb_record_blank(PB_T_CONTRACTS, &c[n]);
			snprintf(id, sizeof(id), "C-%zu-%zu", t, lot);
			c[n].contract_id = pb_text_of(pb_ledger_intern(l, id, strlen(id)));
			snprintf(id, sizeof(id), "T-%zu", (t * 7919) % TENDERS); /* lots apart */
			c[n].tender_id = pb_text_of(pb_ledger_intern(l, id, strlen(id)));
		}
	for (size_t k = 0; k < LONE; k++, n++) {
		pb_record_blank(PB_T_CONTRACTS, &c[n]);
		snprintf(id, sizeof(id), "LONE-%zu", k);
		c[n].contract_id = pb_text_of(pb_ledger_intern(l, id, strlen(id)));
	}
	for (size_t i = 0; i < n; i++)
		ptr[i] = &c[(i * 13) % n]; /* in no order */
	assert_int_equal(pb_contracts_procedures(ptr, n), TENDERS + LONE);
	assert_int_equal(pb_contracts_procedures(ptr, 0), 0);
	/* few, compared pairwise: six tenders' three lots, two of a
	 * seventh's; and one past that, sorted: a seventh's third lot */
	for (size_t i = 0; i < 33; i++)
		ptr[i] = &c[i];
	assert_int_equal(pb_contracts_procedures(ptr, 20), 7);
	assert_int_equal(pb_contracts_procedures(ptr, 32), 11);
	assert_int_equal(pb_contracts_procedures(ptr, 33), 11);
	ptr[31] = &c[n - 1]; /* a lone contract, a procedure of its own, for a lot */
	assert_int_equal(pb_contracts_procedures(ptr, 32), 12);
	ptr[0] = ptr[1] = &c[n - 1];
	assert_int_equal(pb_contracts_procedures(ptr, 2), 1);
	pb_ledger_free(l);
}

/* pb_row_add_extra: one more extra, or a new value for one of that
 * name; the row's file and line stay. */
static void test_row_add_extra(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	pb_contract c;
	uint32_t n;
	(void)state;

	pb_record_blank(PB_T_CONTRACTS, &c);
	assert_int_equal(pb_row_set(l, &c.row, pb_ledger_intern(l, "a.csv", 5), 7, NULL), 0);
	pb_row_add_extra(l, &c.row, "x", "1");
	pb_row_add_extra(l, &c.row, "y", "2");
	pb_row_add_extra(l, &c.row, "x", "3");
	assert_non_null(pb_row_extras(&c.row, &n));
	assert_int_equal(n, 2);
	assert_string_equal(pb_row_extra(&c.row, "x"), "3");
	assert_string_equal(pb_row_extra(&c.row, "y"), "2");
	assert_string_equal(pb_row_file(&c.row), "a.csv");
	assert_int_equal(c.row.line, 7);
	pb_ledger_free(l);
}

/* pb_idmap_key_fn of test_sort_by_text: element i's key. */
static const char *key_in(const void *keys, uint32_t i)
{
	return ((const char *const *)keys)[i];
}

/* pb_sort_by_text: elements without a key left out, each text's together
 * in element order, the groups in the order of the texts' addresses. */
static void test_sort_by_text(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	const char *a = pb_ledger_intern(l, "INV-1", 5), *b = pb_ledger_intern(l, "INV-2", 5);
	const char *keys[] = {b, NULL, a, b, a, NULL, b};
	uint64_t out[2 * 7];
	(void)state;

	assert_int_equal(pb_sort_by_text(7, key_in, keys, out), 5);
	const char *lo = a < b ? a : b, *hi = a < b ? b : a;
	const uint32_t want_lo[] = {lo == a ? 2 : 0, lo == a ? 4 : 3, lo == a ? 4 : 6};
	size_t nlo = lo == a ? 2 : 3;
	for (size_t i = 0; i < 5; i++) {
		const char *text = pb_str((pb_text)(out[i] >> 32));
		assert_ptr_equal(text, i < nlo ? lo : hi);
		assert_ptr_equal(keys[(uint32_t)out[i]], text);
		if (i < nlo)
			assert_int_equal((uint32_t)out[i], want_lo[i]);
		if (i && i != nlo) /* within a group, in element order */
			assert_true((uint32_t)out[i] > (uint32_t)out[i - 1]);
	}
	assert_int_equal(pb_sort_by_text(0, key_in, keys, out), 0);
	pb_ledger_free(l);
}

static void test_ptrmap(void **state)
{
	pb_ptrmap *m = pb_ptrmap_new();
	static char keys[1000];
	uint32_t v;
	(void)state;

	for (uint32_t i = 0; i < 1000; i++)
		pb_ptrmap_put(m, &keys[i], i * 2);
	assert_int_equal(pb_ptrmap_count(m), 1000);
	assert_true(pb_ptrmap_get(m, &keys[777], &v));
	assert_int_equal(v, 1554);
	pb_ptrmap_put(m, &keys[777], 1);
	assert_true(pb_ptrmap_get(m, &keys[777], &v));
	assert_int_equal(v, 1);
	assert_int_equal(pb_ptrmap_count(m), 1000);
	assert_false(pb_ptrmap_get(m, "elsewhere", &v));
	pb_ptrmap_clear(m);
	assert_int_equal(pb_ptrmap_count(m), 0);
	for (uint32_t i = 0; i < 1000; i++)
		assert_false(pb_ptrmap_get(m, &keys[i], &v));
	/* filled again, as it was grown to be */
	for (uint32_t i = 0; i < 1000; i += 3)
		pb_ptrmap_put(m, &keys[i], i + 1);
	assert_int_equal(pb_ptrmap_count(m), 334);
	assert_true(pb_ptrmap_get(m, &keys[999], &v));
	assert_int_equal(v, 1000);
	assert_false(pb_ptrmap_get(m, &keys[998], &v));
	/* filled with few after many: the room is given back, the map works */
	pb_ptrmap_clear(m);
	pb_ptrmap_put(m, &keys[5], 6);
	pb_ptrmap_clear(m);
	assert_int_equal(pb_ptrmap_count(m), 0);
	assert_false(pb_ptrmap_get(m, &keys[5], &v));
	for (uint32_t i = 0; i < 1000; i += 2)
		pb_ptrmap_put(m, &keys[i], i);
	assert_int_equal(pb_ptrmap_count(m), 500);
	assert_true(pb_ptrmap_get(m, &keys[998], &v));
	assert_int_equal(v, 998);
	assert_false(pb_ptrmap_get(m, &keys[999], &v));
	pb_ptrmap_free(m);
}

/* The test's keys are the addresses &idmap_keys[i]; a value's key is read
 * back through idmap_key_of_value, as the ledger reads a record's. */
enum { NKEYS = 100000 };
static char idmap_keys[NKEYS];
static uint32_t idmap_key_of_value[NKEYS + 1]; /* value -> key index */

static const char *idmap_test_key(const void *owner, uint32_t v)
{
	(void)owner;
	if (v == PB_IDMAP_VALUE_MAX)
		return &idmap_keys[0];
	return &idmap_keys[idmap_key_of_value[v]];
}

/*
 * A map whose slots hold only values and a few bits of hash: many keys
 * (so tags collide, 16 to a bit pattern, and the map grows many times),
 * each found with its value, keys never put not found, and the largest
 * value a slot can hold.
 */
static void test_idmap(void **state)
{
	pb_idmap m = {0};
	uint32_t v;
	(void)state;

	assert_false(pb_idmap_get(&m, &idmap_keys[1], idmap_test_key, NULL, &v));
	assert_int_equal(pb_idmap_peek(&m, &idmap_keys[1]), PB_IDMAP_NONE);
	/* Keys 1..NKEYS-1 get values in reverse order; key 0 the largest. */
	for (uint32_t i = 1; i < NKEYS; i++) {
		uint32_t value = NKEYS - i;
		idmap_key_of_value[value] = i;
		pb_idmap_put(&m, &idmap_keys[i], value, idmap_test_key, NULL);
	}
	pb_idmap_put(&m, &idmap_keys[0], PB_IDMAP_VALUE_MAX, idmap_test_key, NULL);
	assert_int_equal(m.count, NKEYS);
	assert_true(m.count * 4 <= m.cap * 3);
	size_t peeked_right = 0;
	for (uint32_t i = 1; i < NKEYS; i++) {
		assert_true(pb_idmap_get(&m, &idmap_keys[i], idmap_test_key, NULL, &v));
		assert_int_equal(v, NKEYS - i);
		/* A key's probe meets its own slot before an empty one: the
		 * peek is a value of the map, mostly the key's own (a slot of
		 * another key with the same tag can come first). */
		uint32_t p = pb_idmap_peek(&m, &idmap_keys[i]);
		assert_true(p < NKEYS);
		peeked_right += p == v;
	}
	assert_true(peeked_right * 10 >= (NKEYS - 1) * 9);
	assert_true(pb_idmap_get(&m, &idmap_keys[0], idmap_test_key, NULL, &v));
	assert_int_equal(v, PB_IDMAP_VALUE_MAX);
	assert_false(pb_idmap_get(&m, "never put", idmap_test_key, NULL, &v));
	pb_idmap_release(&m);
	assert_null(m.slots);
	assert_int_equal(m.cap, 0);
}

/* Room made ahead: the keys already in stay found, the map does not
 * move while it fills up to what was reserved, then grows as before; a
 * smaller reservation than the map has is nothing. */
static void test_idmap_reserve(void **state)
{
	pb_idmap m = {0};
	uint32_t v;
	(void)state;

	for (uint32_t i = 0; i < 10; i++) {
		idmap_key_of_value[i] = i;
		pb_idmap_put(&m, &idmap_keys[i], i, idmap_test_key, NULL);
	}
	pb_idmap_reserve(&m, 3000, idmap_test_key, NULL);
	size_t cap = m.cap;
	uint32_t *slots = m.slots;
	assert_true(3000 * 4 <= cap * 3);
	assert_true(cap <= 4096);
	for (uint32_t i = 0; i < 10; i++) {
		assert_true(pb_idmap_get(&m, &idmap_keys[i], idmap_test_key, NULL, &v));
		assert_int_equal(v, i);
	}
	for (uint32_t i = 10; i < 3000; i++) {
		idmap_key_of_value[i] = i;
		pb_idmap_put(&m, &idmap_keys[i], i, idmap_test_key, NULL);
	}
	assert_ptr_equal(m.slots, slots);
	assert_int_equal(m.cap, cap);
	pb_idmap_reserve(&m, 100, idmap_test_key, NULL);
	assert_ptr_equal(m.slots, slots);
	for (uint32_t i = 3000; i < 5000; i++) {
		idmap_key_of_value[i] = i;
		pb_idmap_put(&m, &idmap_keys[i], i, idmap_test_key, NULL);
	}
	assert_true(m.cap > cap);
	for (uint32_t i = 0; i < 5000; i++) {
		assert_true(pb_idmap_get(&m, &idmap_keys[i], idmap_test_key, NULL, &v));
		assert_int_equal(v, i);
	}
	pb_idmap_release(&m);
}

static const char *idmap_sparse_key(const void *owner, uint32_t v)
{
	(void)owner;
	return &idmap_keys[v / 1000];
}

/* Pairs of pointers as keys: (x, y) and (y, x) are two keys, a pair
 * sharing either half with another is its own, and NULL is a half like
 * any other; numbered in the order added, through many growths. */
static void test_idmap_pairs(void **state)
{
	pb_pairs p = {0};
	uint32_t v, n = 0;
	(void)state;

	for (uint32_t i = 0; i < 1000; i++) {
		const void *x = &idmap_keys[i], *y = &idmap_keys[(i * 7 + 1) % 1000];
		const void *keys[3][2] = {{x, y}, {y, x}, {x, i % 10 ? y : NULL}};
		for (int k = 0; k < 3; k++) {
			int known = pb_pairs_find(&p, keys[k][0], keys[k][1], &v);
			uint32_t at = pb_pairs_add(&p, keys[k][0], keys[k][1]);
			if (known) {
				assert_int_equal(at, v);
				continue;
			}
			assert_int_equal(at, n);
			n++;
		}
	}
	assert_int_equal(p.n, n);
	assert_int_equal(p.map.count, n);
	for (uint32_t i = 0; i < n; i++) {
		assert_true(pb_pairs_find(&p, p.a[i], p.b[i], &v));
		assert_int_equal(v, i);
	}
	assert_false(pb_pairs_find(&p, &idmap_keys[0], &idmap_keys[0], &v));
	pb_pairs_release(&p);
	assert_null(p.a);
}

/* Values far apart (a growth reads the keys back in slot order, not
 * through a bitmap of the values) are found as well as dense ones. */
static void test_idmap_sparse_values(void **state)
{
	pb_idmap m = {0};
	uint32_t v;
	(void)state;

	for (uint32_t i = 0; i < 5000; i++)
		pb_idmap_put(&m, &idmap_keys[i], i * 1000, idmap_sparse_key, NULL);
	for (uint32_t i = 0; i < 5000; i++) {
		assert_true(pb_idmap_get(&m, &idmap_keys[i], idmap_sparse_key, NULL, &v));
		assert_int_equal(v, i * 1000);
	}
	assert_false(pb_idmap_get(&m, &idmap_keys[5000], idmap_sparse_key, NULL, &v));
	pb_idmap_release(&m);
}

static const char *grouping_test_key(const void *owner, uint32_t i)
{
	return ((const char *const *)owner)[i];
}

/* Groups in order of their first element, elements in theirs, NULL keys
 * in no group; and texts ranked by strcmp, each once. */
static void test_grouping_and_ranks(void **state)
{
	pb_strtab *t = pb_strtab_new_shared(2);
	const char *b = pb_intern_str(t, "b"), *a = pb_intern_str(t, "a"), *c = pb_intern_str(t, "c");
	const char *keys[] = {b, NULL, a, b, c, NULL, a, b};
	pb_grouping g;
	size_t n;
	(void)state;

	pb_grouping_build(&g, 8, grouping_test_key, keys);
	assert_int_equal(g.ngroups, 3);
	const uint32_t *in = pb_grouping_find(&g, b, &n);
	assert_int_equal(n, 3);
	assert_int_equal(in[0], 0);
	assert_int_equal(in[1], 3);
	assert_int_equal(in[2], 7);
	in = pb_grouping_find(&g, a, &n);
	assert_int_equal(n, 2);
	assert_int_equal(in[0], 2);
	assert_int_equal(in[1], 6);
	assert_int_equal(g.start[1], 3); /* b's group first, then a's, then c's */
	assert_int_equal(g.start[2], 5);
	assert_null(pb_grouping_find(&g, NULL, &n));
	assert_null(pb_grouping_find(&g, pb_intern_str(t, "d"), &n));
	assert_int_equal(n, 0);
	pb_grouping_release(&g);

	pb_ptrmap *rank;
	uint32_t r;
	pb_text ids[8];
	for (size_t i = 0; i < 8; i++)
		ids[i] = pb_text_of(keys[i]);
	const char **sorted = pb_rank_texts(ids, 8, sizeof(*ids), 0, &n, &rank);
	assert_int_equal(n, 3);
	assert_ptr_equal(sorted[0], a);
	assert_ptr_equal(sorted[1], b);
	assert_ptr_equal(sorted[2], c);
	assert_true(pb_ptrmap_get(rank, c, &r));
	assert_int_equal(r, 2);
	free(sorted);
	pb_ptrmap_free(rank);
	pb_strtab_free(t);
}

static void test_add_and_duplicates(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t in = pb_ledger_add_input(l, "payments.csv", "payments", "csv");
	(void)state;

	pb_payment p1 = payment(l, "P-1", "C-1", 100, 2);
	pb_payment p2 = payment(l, "P-2", "C-1", 200, 3);
	pb_payment dup = payment(l, "P-1", "C-9", 300, 4);
	assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &p1), 0);
	assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &p2), 0);
	assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &dup), -1);
	pb_ledger_reject(l, in, 5, "amount '%s' is not a number", "x");
	pb_ledger_seal(l);

	const pb_input *inp = pb_ledger_inputs(l);
	assert_int_equal(inp[0].rows_read, 4);
	assert_int_equal(inp[0].rows_imported, 2);
	assert_int_equal(inp[0].rows_rejected, 2);
	assert_int_equal(pb_ledger_nrejections(l), 2);
	const pb_rejection *r = pb_ledger_rejections(l);
	assert_int_equal(r[0].line, 4);
	assert_string_equal(r[0].reason,
			    "duplicate payments key 'P-1' (first at payments.csv:2)");
	assert_string_equal(r[1].reason, "amount 'x' is not a number");

	const pb_payment *found = pb_ledger_find(l, PB_T_PAYMENTS,
						 pb_ledger_intern(l, "P-2", 3));
	assert_non_null(found);
	assert_int_equal(found->amount, 200);
	assert_null(pb_ledger_find(l, PB_T_PAYMENTS, pb_ledger_intern(l, "P-9", 3)));

	size_t n;
	const uint32_t *g = pb_ledger_group(l, PB_T_PAYMENTS,
					    offsetof(pb_payment, contract_id),
					    pb_ledger_intern(l, "C-1", 3), &n);
	assert_int_equal(n, 2);
	assert_int_equal(g[0], 0);
	assert_int_equal(g[1], 1);
	g = pb_ledger_group(l, PB_T_PAYMENTS, offsetof(pb_payment, contract_id),
			    pb_ledger_intern(l, "C-9", 3), &n);
	assert_null(g);
	assert_int_equal(n, 0);
	assert_string_equal(pb_row_source_in(pb_ledger_arena(l), &found->row), "payments.csv:3");
	pb_ledger_free(l);
}

/* Contracts C-1..C-3, then payments P-0..P-6 citing C-2, C-1, C-1, C-9
 * (unknown), none, C-2 and C-2. */
static pb_ledger *ledger_with_payments(void)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t in = pb_ledger_add_input(l, "mixed.csv", "mixed", "csv");
	static const char *const contract_of[] = {"C-2", "C-1", "C-1", "C-9", NULL, "C-2", "C-2"};
	char id[8];

	for (int i = 1; i <= 3; i++) {
		pb_contract c;
		pb_record_blank(PB_T_CONTRACTS, &c);
		snprintf(id, sizeof(id), "C-%d", i);
		c.contract_id = pb_text_of(pb_ledger_intern(l, id, strlen(id)));
		assert_int_equal(pb_ledger_add(l, in, PB_T_CONTRACTS, &c), 0);
	}
	for (size_t i = 0; i < 7; i++) {
		snprintf(id, sizeof(id), "P-%zu", i);
		pb_payment p = payment(l, id, contract_of[i], 100, (uint32_t)i + 2);
		assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &p), 0);
	}
	pb_ledger_seal(l);
	return l;
}

static void assert_payment_refs(pb_ledger *l)
{
	static const uint32_t want[] = {1, 0, 0, PB_NO_ROW, PB_NO_ROW, 1, 1};
	const uint32_t *row = pb_ledger_refs(l, PB_T_PAYMENTS, offsetof(pb_payment, contract_id),
					     PB_T_CONTRACTS);

	for (size_t i = 0; i < 7; i++)
		assert_int_equal(row[i], want[i]);
	assert_ptr_equal(pb_ledger_refs(l, PB_T_PAYMENTS, offsetof(pb_payment, contract_id),
					PB_T_CONTRACTS), row); /* built once */
}

/* Each contract's payments by its row, in file order, as pb_ledger_group
 * gives them by the contract's key. */
static void assert_payment_children(pb_ledger *l)
{
	size_t n;

	for (size_t c = 0; c < 4; c++) {
		const pb_contract *rec = pb_ledger_at(l, PB_T_CONTRACTS, c);
		size_t ng = 0;
		const uint32_t *kids = pb_ledger_children(l, PB_T_PAYMENTS, offsetof(pb_payment, contract_id),
							  PB_T_CONTRACTS, c, &n);
		const uint32_t *group = rec ? pb_ledger_group(l, PB_T_PAYMENTS,
							      offsetof(pb_payment, contract_id),
							      pb_str(rec->contract_id), &ng) : NULL;
		assert_int_equal(n, ng);
		for (size_t k = 0; k < n; k++)
			assert_int_equal(kids[k], group[k]);
		if (rec) {
			assert_int_equal(pb_ledger_index_of(l, PB_T_CONTRACTS, rec), c);
			assert_ptr_equal(pb_contract_payments(l, rec, &ng), kids);
			assert_int_equal(ng, n);
		}
	}
	pb_ledger_children(l, PB_T_PAYMENTS, offsetof(pb_payment, contract_id), PB_T_CONTRACTS, 1, &n);
	assert_int_equal(n, 3); /* P-0, P-5, P-6 */
	pb_ledger_children(l, PB_T_PAYMENTS, offsetof(pb_payment, contract_id), PB_T_CONTRACTS, 2, &n);
	assert_int_equal(n, 0);
}

/*
 * References resolved once: each payment's contract row (PB_NO_ROW for
 * an unknown or missing id, and a key repeated row after row resolved
 * like any other), and the children, whether the references were asked
 * for first or the children were (built from references resolved for
 * them alone).
 */
static void test_refs_and_children(void **state)
{
	(void)state;
	pb_ledger *l = ledger_with_payments();
	assert_payment_refs(l);
	assert_payment_children(l);
	assert_null(pb_ledger_at(l, PB_T_CONTRACTS, PB_NO_ROW));
	pb_ledger_free(l);

	l = ledger_with_payments();
	assert_payment_children(l);
	assert_payment_refs(l);
	pb_ledger_free(l);
}

/*
 * Rows name their origin by a number in a table the process keeps for
 * all its ledgers: two ledgers setting rows in turn, past a block of
 * numbers and a chunk of the table, each row reads back its own file and
 * path; when the last ledger is gone the table starts again.
 */
static void test_row_origins(void **state)
{
	enum { N = 70000 };
	pb_ledger *l[2] = {pb_ledger_new("EUR"), pb_ledger_new("EUR")};
	pb_row *r = calloc(N, sizeof(*r));
	const char *file[2][2];
	char buf[32];
	(void)state;

	assert_non_null(r);
	for (int k = 0; k < 2; k++) {
		file[k][0] = pb_ledger_intern(l[k], "a.csv", 5);
		file[k][1] = pb_ledger_intern(l[k], "b.json", 6);
	}
	for (size_t i = 0; i < N; i++) {
		pb_ledger *x = l[i % 2];
		int json = (i / 3) % 2;
		int n = snprintf(buf, sizeof(buf), "/releases/%zu", i);
		assert_int_equal(pb_row_set(x, &r[i], file[i % 2][json], i + 1,
					    json ? pb_ledger_intern(x, buf, (size_t)n) : NULL), 0);
	}
	for (size_t i = 0; i < N; i++) {
		int json = (i / 3) % 2;
		assert_ptr_equal(pb_row_file(&r[i]), file[i % 2][json]);
		assert_int_equal(r[i].line, i + 1);
		if (json) {
			snprintf(buf, sizeof(buf), "/releases/%zu", i);
			assert_string_equal(pb_row_path(&r[i]), buf);
		} else {
			assert_null(pb_row_path(&r[i]));
		}
	}
	pb_ledger_free(l[0]);
	assert_ptr_equal(pb_row_file(&r[1]), file[1][0]); /* l[1]'s rows live on */
	pb_ledger_free(l[1]);
	pb_ledger *again = pb_ledger_new("EUR");
	const char *f = pb_ledger_intern(again, "c.csv", 5);
	pb_row one = {0, 0}; /* blank: pb_row_set keeps a row's extras */
	assert_int_equal(pb_row_set(again, &one, f, 9, NULL), 0);
	assert_int_equal(one.origin, 1); /* the table was emptied */
	assert_ptr_equal(pb_row_file(&one), f);
	pb_ledger_free(again);
	free(r);
}

/* A row's header: the file alone for a plain CSV row, a pb_row_more
 * for a path or extras, never shared by a copy that changes. */
static void test_row_header(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	const char *file = pb_ledger_intern(l, "n.json", 6), *path = pb_ledger_intern(l, "/tender", 7);
	pb_attr x[2] = {{"a", "1"}, {"b", "2"}};
	pb_row r, copy;
	uint32_t n;
	(void)state;

	assert_int_equal(sizeof(pb_row), 8);
	memset(&r, 0, sizeof(r));
	assert_null(pb_row_file(&r));
	assert_int_equal(pb_row_set(l, &r, file, 3, NULL), 0);
	assert_int_equal(r.origin & PB_ROW_MORE, 0);
	assert_ptr_equal(pb_row_file(&r), file);
	assert_null(pb_row_path(&r));
	assert_null(pb_row_extras(&r, &n));
	assert_int_equal(n, 0);

	pb_row_set_extras(l, &r, x, 2);
	assert_int_equal(r.origin & PB_ROW_MORE, PB_ROW_MORE);
	assert_ptr_equal(pb_row_file(&r), file);
	assert_int_equal(r.line, 3);
	assert_ptr_equal(pb_row_extras(&r, &n), x);
	assert_int_equal(n, 2);
	assert_string_equal(pb_row_extra(&r, "b"), "2");
	assert_null(pb_row_extra(&r, "c"));
	/* Setting the source keeps the extras. */
	assert_int_equal(pb_row_set(l, &r, file, 5, path), 0);
	assert_ptr_equal(pb_row_path(&r), path);
	assert_ptr_equal(pb_row_extras(&r, &n), x);
	assert_string_equal(pb_row_source_in(pb_ledger_arena(l), &r), "n.json:5#/tender");

	/* A copy's change leaves the original as it was. */
	copy = r;
	pb_row_set_extras(l, &copy, x, 1);
	assert_int_equal(pb_row_set(l, &copy, file, 6, NULL), 0);
	pb_row_extras(&r, &n);
	assert_int_equal(n, 2);
	assert_ptr_equal(pb_row_path(&r), path);
	pb_row_extras(&copy, &n);
	assert_int_equal(n, 1);
	assert_null(pb_row_path(&copy));
	/* No extras and no path: back to the file alone. */
	pb_row_set_extras(l, &copy, NULL, 0);
	assert_int_equal(copy.origin & PB_ROW_MORE, 0);
	assert_ptr_equal(pb_row_file(&copy), file);
	assert_int_equal(copy.line, 6);

	/* The extras of the first, then those of the second it lacks. */
	pb_attr y[2] = {{"b", "9"}, {"c", "3"}};
	pb_row second = copy;
	pb_row_set_extras(l, &second, y, 2);
	pb_ledger_merge_extras(l, &copy, &r, &second);
	const pb_attr *m = pb_row_extras(&copy, &n);
	assert_int_equal(n, 3);
	assert_string_equal(m[0].name, "a");
	assert_string_equal(m[1].value, "2");
	assert_string_equal(m[2].name, "c");
	assert_int_equal(copy.line, 6);
	pb_ledger_free(l);
}

/* A line the 32-bit header cannot hold is refused, not cut short; the
 * last line it can hold is kept whole. */
static void test_row_line_limit(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t in = pb_ledger_add_input(l, "payments.csv", "payments", "csv");
	const char *file = pb_ledger_intern(l, "payments.csv", 12);
	pb_payment p = payment(l, "P-1", NULL, 100, 2);
	(void)state;

	assert_int_equal(pb_row_set(l, &p.row, file, (uint64_t)PB_ROW_LINE_MAX + 1, NULL), -1);
	assert_int_equal(p.row.line, 2); /* unchanged */
	assert_int_equal(pb_row_set(l, &p.row, file, UINT64_MAX, NULL), -1);
	assert_int_equal(pb_row_set(l, &p.row, file, PB_ROW_LINE_MAX, NULL), 0);
	assert_int_equal(p.row.line, UINT32_MAX);
	assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &p), 0);
	p.amount = 200;
	assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &p), -1);
	assert_int_equal(pb_ledger_rejections(l)[0].line, 4294967295u);
	assert_string_equal(pb_ledger_rejections(l)[0].reason,
			    "duplicate payments key 'P-1' (first at payments.csv:4294967295)");
	pb_ledger_seal(l);
	assert_string_equal(pb_row_source_in(pb_ledger_arena(l), pb_ledger_at(l, PB_T_PAYMENTS, 0)),
			    "payments.csv:4294967295");
	pb_ledger_free(l);
}

/* Seal drops the key maps of the tables nothing refers to; a look-up by
 * key, or a row added after seal, gets the map back, once, the same. */
static void test_keys_dropped_at_seal(void **state)
{
	pb_ledger *l = ledger_with_payments();
	size_t n;
	const pb_payment *p = pb_ledger_payments(l, &n);
	const pb_contract *c = pb_ledger_contracts(l, &n);
	(void)state;

	pb_ledger_seal(l);
	assert_int_equal(pb_ledger_key_rebuilds(l), 0);
	/* contracts are referred to (a payment's contract): kept */
	assert_ptr_equal(pb_ledger_find(l, PB_T_CONTRACTS, pb_str(c[1].contract_id)), &c[1]);
	assert_non_null(pb_ledger_refs(l, PB_T_PAYMENTS, offsetof(pb_payment, contract_id),
				       PB_T_CONTRACTS));
	assert_int_equal(pb_ledger_key_rebuilds(l), 0);
	/* payments are not: found all the same, after one rebuild */
	for (size_t i = 0; i < 7; i++)
		assert_ptr_equal(pb_ledger_find(l, PB_T_PAYMENTS, pb_str(p[i].payment_id)), &p[i]);
	assert_null(pb_ledger_find(l, PB_T_PAYMENTS, pb_ledger_intern(l, "P-7", 3)));
	assert_int_equal(pb_ledger_key_rebuilds(l), 1);
	/* sealed again, dropped again: a row added is checked against the
	 * keys there are */
	pb_ledger_seal(l);
	size_t in = pb_ledger_add_input(l, "more.csv", "payments", "csv");
	pb_payment again = payment(l, "P-3", "C-1", 100, 9);
	assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &again), -1);
	assert_int_equal(pb_ledger_key_rebuilds(l), 2);
	pb_payment fresh = payment(l, "P-8", "C-1", 100, 10);
	assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &fresh), 0);
	pb_ledger_seal(l);
	p = pb_ledger_payments(l, &n);
	assert_int_equal(n, 8);
	assert_ptr_equal(pb_ledger_find(l, PB_T_PAYMENTS, pb_str(p[7].payment_id)), &p[7]);
	assert_int_equal(pb_ledger_key_rebuilds(l), 3);
	pb_ledger_free(l);
}

static void test_composite_key(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t in = pb_ledger_add_input(l, "budget.csv", "budget", "csv");
	pb_budget_line b;
	(void)state;

	memset(&b, 0, sizeof(b));
	pb_row_set(l, &b.row, pb_ledger_intern(l, "budget.csv", 10), 2, NULL);
	b.budget_line = pb_text_of(pb_ledger_intern(l, "L-1", 3));
	b.fiscal_year = 2024;
	assert_int_equal(pb_ledger_add(l, in, PB_T_BUDGET, &b), 0);
	b.fiscal_year = 2025;
	assert_int_equal(pb_ledger_add(l, in, PB_T_BUDGET, &b), 0);
	b.row.line = 4;
	assert_int_equal(pb_ledger_add(l, in, PB_T_BUDGET, &b), -1);
	pb_ledger_seal(l);
	/* A record of the table has the key it was added under, looked up
	 * nowhere; a copy, its key composed again. */
	size_t n;
	const pb_budget_line *rec = pb_ledger_budget(l, &n);
	pb_arena *scratch = pb_arena_new();
	const char *key = pb_ledger_key_in(l, PB_T_BUDGET, &rec[0], scratch);
	assert_string_equal(key, "L-1|2024");
	assert_ptr_equal(pb_ledger_key_in(l, PB_T_BUDGET, &rec[0], scratch), key);
	assert_string_equal(pb_ledger_key_in(l, PB_T_BUDGET, &b, scratch), "L-1|2025");
	assert_true(pb_ledger_holds(l, PB_T_BUDGET, &rec[1]));
	assert_false(pb_ledger_holds(l, PB_T_BUDGET, &b));
	assert_false(pb_table_keyed_by_column(PB_T_BUDGET));
	assert_true(pb_table_keyed_by_column(PB_T_PAYMENTS));
	assert_int_equal(pb_ledger_text_rebuilds(l), 0);
	/* looking a text up after seal rebuilds the buckets, and finds it */
	assert_ptr_equal(pb_ledger_lookup(l, "L-1|2024", 8), key);
	assert_int_equal(pb_ledger_text_rebuilds(l), 1);
	assert_ptr_equal(pb_ledger_find(l, PB_T_BUDGET, key), &rec[0]);
	assert_string_equal(pb_ledger_key(l, PB_T_BUDGET, &b), "L-1|2025");
	pb_arena_free(scratch);
	pb_ledger_free(l);
}

/* A table with room made for its rows takes them as one without: a
 * duplicate key is still refused, naming the first, rows past the room
 * still come in, and a composite-key table is reserved the same way. */
static void test_reserve(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t in = pb_ledger_add_input(l, "payments.csv", "payments", "csv");
	char id[16];
	(void)state;

	pb_payment first = payment(l, "P-0", NULL, 1, 2);
	assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &first), 0);
	pb_ledger_reserve(l, PB_T_PAYMENTS, 1000);
	for (int i = 1; i < 3000; i++) {
		snprintf(id, sizeof(id), "P-%d", i);
		pb_payment p = payment(l, id, NULL, i + 1, (uint32_t)i + 2);
		assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &p), 0);
		if (i == 500) {
			pb_payment dup = payment(l, "P-0", NULL, 7, 9999);
			assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &dup), -1);
		}
	}
	size_t in_b = pb_ledger_add_input(l, "budget.csv", "budget", "csv");
	pb_budget_line b;
	memset(&b, 0, sizeof(b));
	pb_row_set(l, &b.row, pb_ledger_intern(l, "budget.csv", 10), 2, NULL);
	b.budget_line = pb_text_of(pb_ledger_intern(l, "L-1", 3));
	pb_ledger_reserve(l, PB_T_BUDGET, 50);
	for (int y = 2000; y < 2100; y++) {
		b.fiscal_year = y;
		assert_int_equal(pb_ledger_add(l, in_b, PB_T_BUDGET, &b), 0);
	}
	b.fiscal_year = 2050;
	assert_int_equal(pb_ledger_add(l, in_b, PB_T_BUDGET, &b), -1);
	pb_ledger_seal(l);

	size_t n;
	const pb_payment *p = pb_ledger_payments(l, &n);
	assert_int_equal(n, 3000);
	for (int i = 0; i < 3000; i += 7) {
		snprintf(id, sizeof(id), "P-%d", i);
		const pb_payment *found = pb_ledger_find(l, PB_T_PAYMENTS, pb_ledger_lookup(l, id, strlen(id)));
		assert_ptr_equal(found, &p[i]);
		assert_int_equal(found->amount, i + 1);
	}
	assert_int_equal(pb_ledger_nrejections(l), 2);
	assert_string_equal(pb_ledger_rejections(l)[0].reason,
			    "duplicate payments key 'P-0' (first at payments.csv:2)");
	pb_ledger_budget(l, &n);
	assert_int_equal(n, 100);
	pb_ledger_free(l);
}

/* Room for rows the memory limit does not allow is not made, and rows
 * still come in: a guess from a skewed file must not stop the run. */
static void test_reserve_beyond_limit(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pb_ledger *l = pb_ledger_new("EUR");
		size_t in = pb_ledger_add_input(l, "payments.csv", "payments", "csv");
		pb_payment p = payment(l, "P-1", NULL, 1, 2);
		if (pb_ledger_add(l, in, PB_T_PAYMENTS, &p) != 0)
			_exit(3);
		if (limit_to_64mib_more() < 0)
			_exit(5);
		/* 100M rows: gigabytes of records, a 512 MiB key map */
		if (pb_ledger_reserve(l, PB_T_PAYMENTS, (size_t)100 << 20) != -1)
			_exit(6);
		/* rows only: the records are refused, the key map not tried */
		if (pb_ledger_reserve(l, PB_T_BUDGET, (size_t)100 << 20) != -1)
			_exit(7);
		/* a key map alone: refused, left as it was */
		pb_idmap m = {0};
		if (pb_idmap_reserve(&m, (size_t)1 << 30, idmap_test_key, NULL) != -1 || m.cap || m.slots)
			_exit(10);
		pb_payment q = payment(l, "P-2", NULL, 2, 3), dup = payment(l, "P-1", NULL, 3, 4);
		if (pb_ledger_add(l, in, PB_T_PAYMENTS, &q) != 0 ||
		    pb_ledger_add(l, in, PB_T_PAYMENTS, &dup) != -1)
			_exit(8);
		pb_ledger_seal(l);
		size_t n;
		pb_ledger_payments(l, &n);
		_exit(n == 2 ? 0 : 9);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_table_defs(void **state)
{
	(void)state;
	for (int t = 0; t < PB_T_COUNT; t++) {
		const pb_table_def *def = pb_table_get(t);
		assert_non_null(def);
		assert_ptr_equal(pb_table_find(def->name), def);
		assert_true(def->columns[0].flags & PB_COL_KEY);
		for (size_t i = 0; i < def->ncolumns; i++) {
			const pb_column *c = &def->columns[i];
			assert_int_equal(pb_table_column(def, c->name), (int)i);
			assert_true(c->offset + c->size <= def->record_size);
			if (pb_column_is_text(c))
				assert_int_equal(c->size, sizeof(pb_text));
			if (c->type == PB_COL_ENUM || c->type == PB_COL_LIST)
				assert_non_null(c->values);
		}
	}
	assert_null(pb_table_find("ledger"));
	assert_int_equal(pb_table_column(pb_table_get(PB_T_TENDERS), "method"), 4);
}

static void test_latest_date(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t in = pb_ledger_add_input(l, "payments.csv", "payments", "csv");
	(void)state;

	pb_payment p = payment(l, "P-1", NULL, 1, 2);
	p.paid_on = pb_date_from_ymd(2024, 5, 1);
	pb_ledger_add(l, in, PB_T_PAYMENTS, &p);
	p = payment(l, "P-2", NULL, 1, 3);
	p.paid_on = pb_date_from_ymd(2024, 7, 9);
	pb_ledger_add(l, in, PB_T_PAYMENTS, &p);
	pb_ledger_seal(l);
	assert_int_equal(pb_ledger_latest_date(l, NULL), pb_date_from_ymd(2024, 7, 9));
	const pb_table_def *def = pb_table_get(PB_T_PAYMENTS);
	assert_int_equal(pb_ledger_filled(l, PB_T_PAYMENTS, pb_table_column(def, "paid_on")), 2);
	assert_int_equal(pb_ledger_filled(l, PB_T_PAYMENTS, pb_table_column(def, "contract_id")), 0);
	assert_int_equal(pb_ledger_filled(l, PB_T_PAYMENTS, pb_table_column(def, "amount")), 2);
	pb_ledger_free(l);
}

/* The line of the record dated aside->latest, read before its ledger
 * goes (aside->row points into it). */
static uint32_t aside_line;

/* A ledger of `n` payments on consecutive days from 2024-01-01, and
 * `late` more dated by late_on; its default as_of and what was left out. */
static pb_date latest_of(size_t n, const pb_date *late_on, size_t late, pb_dates_aside *aside)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t in = pb_ledger_add_input(l, "payments.csv", "payments", "csv");
	char id[16];

	for (size_t i = 0; i < n + late; i++) {
		snprintf(id, sizeof(id), "P-%zu", i);
		pb_payment p = payment(l, id, NULL, 100, (uint32_t)i + 2);
		p.paid_on = i < n ? pb_date_from_ymd(2024, 1, 1) + (pb_date)i : late_on[i - n];
		assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &p), 0);
	}
	pb_ledger_seal(l);
	pb_date d = pb_ledger_latest_date(l, aside);
	aside_line = aside->n ? aside->row->line : 0;
	aside->row = NULL;
	pb_ledger_free(l);
	return d;
}

/* A date over a year after every other event, one in a hundred or
 * fewer of them, is a typing error the default as_of leaves out (GACM's
 * award of 2105-10-09 in releases of 2017); the near misses are kept. */
static void test_latest_date_typing_error(void **state)
{
	pb_date body_end = pb_date_from_ymd(2024, 1, 1) + 199; /* 2024-07-18 */
	pb_date late[] = {pb_date_from_ymd(2105, 10, 9), pb_date_from_ymd(2029, 8, 20)};
	pb_dates_aside aside;
	(void)state;

	assert_int_equal(latest_of(200, late, 1, &aside), body_end);
	assert_int_equal(aside.n, 1);
	assert_int_equal(aside.latest, late[0]);
	assert_string_equal(aside.table, "payments");
	assert_string_equal(aside.field, "paid_on");
	assert_int_equal(aside_line, 202);

	/* Two, each over a year after the one before: both left out. */
	assert_int_equal(latest_of(200, late, 2, &aside), body_end);
	assert_int_equal(aside.n, 2);
	assert_int_equal(aside.earliest, late[1]);
	assert_int_equal(aside.latest, late[0]);

	/* Near misses: two late dates are more than one in a hundred of
	 * 152 (only the later one, a year after the other, is left out); 49
	 * dates in all are too few to tell (50 are enough); 366 days later
	 * is no more than a year. */
	assert_int_equal(latest_of(150, late, 2, &aside), late[1]);
	assert_int_equal(aside.n, 1);
	assert_int_equal(aside.latest, late[0]);
	assert_int_equal(latest_of(48, late, 1, &aside), late[0]);
	assert_int_equal(aside.n, 0);
	assert_int_equal(latest_of(49, late, 1, &aside), pb_date_from_ymd(2024, 1, 1) + 48);
	assert_int_equal(aside.n, 1);
	pb_date year_on[] = {body_end + 366};
	assert_int_equal(latest_of(200, year_on, 1, &aside), body_end + 366);
	assert_int_equal(aside.n, 0);
	year_on[0] = body_end + 367;
	assert_int_equal(latest_of(200, year_on, 1, &aside), body_end);
	assert_int_equal(aside.n, 1);
}

static void test_methods(void **state)
{
	(void)state;
	assert_true(pb_method_is_competitive("open"));
	assert_true(pb_method_is_competitive("selective"));
	assert_false(pb_method_is_competitive("direct"));
	assert_true(pb_method_is_noncompetitive("limited"));
	assert_true(pb_method_is_noncompetitive("direct"));
	assert_false(pb_method_is_noncompetitive(NULL));
}

/* One OCDS tender row (and its contract, keyed "ocid/1") of a file. */
static void ocds_process(pb_ledger *l, const char *file, const char *ocid)
{
	size_t in = pb_ledger_add_input(l, file, "mixed", "ocds");
	const char *f = pb_ledger_intern(l, file, strlen(file));
	pb_tender t;
	pb_contract c;
	char key[64];

	pb_record_blank(PB_T_TENDERS, &t);
	pb_row_set(l, &t.row, f, 1, NULL);
	pb_row_add_extra(l, &t.row, "ocid", pb_ledger_intern(l, ocid, strlen(ocid)));
	t.tender_id = pb_text_of(pb_ledger_intern(l, ocid, strlen(ocid)));
	assert_int_equal(pb_ledger_add(l, in, PB_T_TENDERS, &t), 0);
	snprintf(key, sizeof(key), "%s/1", ocid);
	pb_record_blank(PB_T_CONTRACTS, &c);
	pb_row_set(l, &c.row, f, 1, NULL);
	c.contract_id = pb_text_of(pb_ledger_intern(l, key, strlen(key)));
	assert_int_equal(pb_ledger_add(l, in, PB_T_CONTRACTS, &c), 0);
}

static const char *publisher_of(pb_ledger *l, const char *ocid)
{
	const pb_tender *t = pb_ledger_find(l, PB_T_TENDERS, pb_ledger_intern(l, ocid, strlen(ocid)));
	assert_non_null(t);
	return pb_ledger_publisher(l, &t->row);
}

/* An OCDS publisher is the registered ocid prefix its files share: its
 * folders of records and of releases are one publisher; a file of two
 * prefixes, or of an ocid without one, is its folder's; a CSV file is
 * itself. */
static void test_publishers(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	(void)state;

	ocds_process(l, "mx/jal/records/a.json", "ocds-xs1qbl-01");
	ocds_process(l, "mx/jal/releases/b.json", "ocds-xs1qbl-02");
	ocds_process(l, "mx/bulk/c.json", "ocds-87sd3t-03");
	ocds_process(l, "mx/bulk/c.json", "ocds-07smqs-04");
	ocds_process(l, "mx/odd/d.json", "BAD-05");
	size_t in = pb_ledger_add_input(l, "reg/contracts.csv", "contracts", "csv");
	pb_contract c;
	pb_record_blank(PB_T_CONTRACTS, &c);
	pb_row_set(l, &c.row, pb_ledger_intern(l, "reg/contracts.csv", 17), 2, NULL);
	c.contract_id = pb_text_of(pb_ledger_intern(l, "C-1", 3));
	assert_int_equal(pb_ledger_add(l, in, PB_T_CONTRACTS, &c), 0);
	pb_ledger_seal(l);
	assert_string_equal(publisher_of(l, "ocds-xs1qbl-01"), "the publisher of ocds-xs1qbl");
	assert_ptr_equal(publisher_of(l, "ocds-xs1qbl-01"), publisher_of(l, "ocds-xs1qbl-02"));
	assert_string_equal(publisher_of(l, "ocds-87sd3t-03"), "mx/bulk");
	assert_string_equal(publisher_of(l, "BAD-05"), "mx/odd");
	assert_string_equal(pb_ledger_publisher(l, pb_ledger_find(l, PB_T_CONTRACTS,
						 pb_ledger_intern(l, "C-1", 3))), "reg/contracts.csv");
	pb_ledger_free(l);
}

/* Reasons grouped by kind (quoted values, "(first at ...)" and pointer
 * indexes blanked), in the order kinds first occur, each with its count
 * and first three members; one file's alone; past max_kinds, counted
 * together. */
static void test_reason_groups(void **state)
{
	static const pb_rejection rj[] = {
		{"a.csv", 2, "paid_on '2024-02-30' does not exist"},
		{"a.csv", 3, "duplicate payments key 'P1' (first at a.csv:2)"},
		{"b.json", 1, "/releases/0/tender/value/amount: '7' has no currency; kept as unknown"},
		{"a.csv", 5, "paid_on 'x' does not exist"},
		{"a.csv", 6, "duplicate payments key 'P2' (first at a.csv:4)"},
		{"b.json", 1, "/releases/12/tender/value/amount: '8' has no currency; kept as unknown"},
		{"a.csv", 7, "paid_on '' does not exist"},
		{"a.csv", 9, "paid_on '1' does not exist"},
	};
	size_t n = sizeof(rj) / sizeof(rj[0]), other;
	pb_reason_group *g;
	(void)state;

	size_t ng = pb_reason_groups(rj, n, NULL, 64, &g, &other);
	assert_int_equal(ng, 3);
	assert_int_equal(other, 0);
	assert_string_equal(g[0].kind, "paid_on '…' does not exist");
	assert_int_equal(g[0].count, 4);
	assert_int_equal(g[0].first[0], 0);
	assert_int_equal(g[0].first[1], 3);
	assert_int_equal(g[0].first[2], 6);
	assert_string_equal(g[1].kind, "duplicate payments key '…' (first at …)");
	assert_int_equal(g[1].count, 2);
	assert_string_equal(g[2].kind, "/releases/…/tender/value/amount: '…' has no currency; kept as unknown");
	assert_int_equal(g[2].count, 2);
	assert_int_equal(g[2].first[1], 5);
	pb_reason_groups_free(g, ng);

	ng = pb_reason_groups(rj, n, "b.json", 64, &g, &other);
	assert_int_equal(ng, 1);
	assert_int_equal(g[0].first[0], 2);
	pb_reason_groups_free(g, ng);

	ng = pb_reason_groups(rj, n, NULL, 1, &g, &other);
	assert_int_equal(ng, 1);
	assert_int_equal(g[0].count, 4);
	assert_int_equal(other, 4);
	pb_reason_groups_free(g, ng);

	ng = pb_reason_groups(rj, 0, NULL, 64, &g, &other);
	assert_int_equal(ng, 0);
	assert_int_equal(other, 0);
	pb_reason_groups_free(g, ng);
}

/* A file that fails part way keeps the rows read before the failure,
 * and its failure says how many: no report may call it "not audited". */
static void test_failed_counts_rows_read(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t in = pb_ledger_add_input(l, "payments.jsonl.gz", "mixed", "ocds");
	(void)state;

	pb_payment p1 = payment(l, "P-1", "C-1", 100, 2);
	assert_int_equal(pb_ledger_add(l, in, PB_T_PAYMENTS, &p1), 0);
	pb_ledger_reject(l, in, 3, "invalid JSON");
	pb_ledger_fail(l, "payments.jsonl.gz", "payments.jsonl.gz: cannot read: cut short");
	pb_ledger_fail(l, "empty.csv", "empty.csv: file is empty");

	assert_int_equal(pb_ledger_nfailed(l), 2);
	assert_int_equal(pb_ledger_failed(l)[0].rows_read, 2);
	assert_string_equal(pb_ledger_failed(l)[0].path, "payments.jsonl.gz");
	assert_int_equal(pb_ledger_failed(l)[1].rows_read, 0);
	pb_ledger_free(l);
}

/* Each i of [0, n) is worked on once, whatever the block, the number of
 * jobs, and whether n is a multiple of the block. */
static void count_visit(void *ctx, size_t i)
{
	unsigned char *seen = ctx;

	seen[i]++;
}

static void test_parallel_blocks(void **state)
{
	static const size_t sizes[] = {0, 1, 255, 256, 257, 10000};
	static const size_t blocks[] = {0, 1, 7, 256, 20000};
	(void)state;

	for (size_t a = 0; a < sizeof(sizes) / sizeof(sizes[0]); a++)
		for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++)
			for (int jobs = 1; jobs <= 4; jobs += 3) {
				size_t n = sizes[a];
				unsigned char *seen = calloc(n + 1, 1);
				pb_parallel_blocks(n, blocks[b], jobs, count_visit, seen);
				for (size_t i = 0; i < n; i++)
					if (seen[i] != 1)
						fail_msg("n %zu, block %zu, jobs %d: element %zu worked on %d times",
							 n, blocks[b], jobs, i, seen[i]);
				assert_int_equal(seen[n], 0);
				free(seen);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_counts_rows_read),
		cmocka_unit_test(test_interning),
		cmocka_unit_test(test_interning_lengths),
		cmocka_unit_test(test_awards_judged_at_seal),
		cmocka_unit_test(test_awards_judged_at_seal_jobs),
		cmocka_unit_test(test_interning_many_long),
		cmocka_unit_test(test_text_space),
		cmocka_unit_test(test_text_trim),
		cmocka_unit_test(test_text_of_refuses_foreign),
		cmocka_unit_test(test_interning_hashed),
		cmocka_unit_test(test_interning_reserved),
		cmocka_unit_test(test_interning_reserved_beyond_limit),
		cmocka_unit_test(test_interning_threads),
		cmocka_unit_test(test_interning_one_shard),
		cmocka_unit_test(test_interning_dropped),
		cmocka_unit_test(test_interning_dropped_malloc),
		cmocka_unit_test(test_arena_large),
		cmocka_unit_test(test_ptrmap),
		cmocka_unit_test(test_row_add_extra),
		cmocka_unit_test(test_sort_by_text),
		cmocka_unit_test(test_contracts_procedures),
		cmocka_unit_test(test_idmap),
		cmocka_unit_test(test_idmap_reserve),
		cmocka_unit_test(test_idmap_sparse_values),
		cmocka_unit_test(test_idmap_pairs),
		cmocka_unit_test(test_grouping_and_ranks),
		cmocka_unit_test(test_add_and_duplicates),
		cmocka_unit_test(test_refs_and_children),
		cmocka_unit_test(test_row_header),
		cmocka_unit_test(test_row_origins),
		cmocka_unit_test(test_row_line_limit),
		cmocka_unit_test(test_composite_key),
		cmocka_unit_test(test_keys_dropped_at_seal),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_reserve_beyond_limit),
		cmocka_unit_test(test_table_defs),
		cmocka_unit_test(test_latest_date),
		cmocka_unit_test(test_latest_date_typing_error),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_publishers),
		cmocka_unit_test(test_reason_groups),
		cmocka_unit_test(test_parallel_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
