/* bench/memlat.c - how long this machine takes to reach memory at random,
 * for `make bench` (issue #13).  The import and many rules look texts,
 * keys and rows up at random over working sets of hundreds of MB to GB:
 * their time per row follows this latency, and a bare parse (streaming)
 * does not.  Printed beside the figures so that runs on different
 * machines can be compared (a VM whose page walks are slow pays more as
 * the working set grows).  Bench tooling, not part of probity.
 *
 * Usage: memlat MIB...   one line per size:
 *   "memlat MIB MiB: NS ns per dependent load (P% of it in huge pages)"
 *
 * Each size is one cyclic chain through every cache line of a block in
 * random order (a pointer per line), advised into huge pages as probity
 * advises its large tables; the chain is walked, each load waiting on
 * the one before, and the mean time of a load printed.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define LINE 64
#define HUGE_PAGE ((size_t)2 << 20)
#define STEPS 10000000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: a fixed sequence, so every run walks the same chain */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

/* A block of `bytes` aligned to a huge page, advised into huge pages;
 * *mapped is what to unmap (a huge page more). */
static char *block_new(size_t bytes, char **mapped)
{
	char *m = mmap(NULL, bytes + HUGE_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	char *b = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	madvise(b, bytes, MADV_HUGEPAGE);
	*mapped = m;
	return b;
}

/* Links every line of b into one cycle in random order (Sattolo's
 * shuffle of the line numbers); returns the first line. */
static char *chain(char *b, size_t lines)
{
	uint32_t *order = malloc(lines * sizeof(*order));
	uint64_t seed = 0x9e3779b97f4a7c15u;

	if (!order)
		return NULL;
	for (size_t i = 0; i < lines; i++)
		order[i] = (uint32_t)i;
	for (size_t i = lines - 1; i > 0; i--) {
		size_t j = (size_t)(next_random(&seed) % i);
		uint32_t t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < lines; i++)
		*(char **)(b + (size_t)order[i] * LINE) = b + (size_t)order[(i + 1) % lines] * LINE;
	char *first = b + (size_t)order[0] * LINE;
	free(order);
	return first;
}

/* The process's anonymous memory in huge pages, in KiB (0 if unknown):
 * advice is not a promise, and a fragmented machine grants fewer. */
static unsigned long huge_kib(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	unsigned long kib = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %lu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static int measure(size_t mib)
{
	size_t bytes = mib << 20, lines = bytes / LINE;
	char *mapped = NULL;
	char *b = lines > 1 && lines <= UINT32_MAX ? block_new(bytes, &mapped) : NULL;
	char *p = b ? chain(b, lines) : NULL;

	if (!p) {
		fprintf(stderr, "memlat: %zu MiB: cannot allocate or chain it\n", mib);
		return 1;
	}
	unsigned long huge = huge_kib();
	double t0 = now();
	for (size_t i = 0; i < STEPS; i++)
		p = *(char **)p;
	double t = now() - t0;
	/* p printed so that the walk is not optimised away */
	printf("memlat %zu MiB: %.0f ns per dependent load (%.0f%% of it in huge pages; end %p)\n",
	       mib, t / STEPS * 1e9, huge > (bytes >> 10) ? 100.0 : 100.0 * (double)huge / (double)(bytes >> 10),
	       (void *)p);
	munmap(mapped, bytes + HUGE_PAGE);
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: memlat MIB...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		failed |= measure((size_t)strtoul(argv[i], NULL, 10));
	return failed;
}
