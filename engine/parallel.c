/* parallel.c - independent pieces of work shared among threads. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "parallel.h"
#include "pb.h"

struct share {
	void (*work)(void *ctx, size_t i);
	void *ctx;
	size_t n;
	_Atomic size_t next;
};

static void *take_next(void *arg)
{
	struct share *s = arg;

	for (size_t i; (i = atomic_fetch_add(&s->next, 1)) < s->n;)
		s->work(s->ctx, i);
	return NULL;
}

void pb_parallel_for(size_t n, int jobs, void (*work)(void *ctx, size_t i), void *ctx)
{
	struct share s = {work, ctx, n, 0};
	size_t others = jobs > 1 ? (size_t)jobs - 1 : 0, started = 0;

	if (others >= n)
		others = n ? n - 1 : 0;
	pthread_t *threads = pb_xcalloc(others + 1, sizeof(*threads));
	while (started < others && pthread_create(&threads[started], NULL, take_next, &s) == 0)
		started++;
	take_next(&s);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
}
