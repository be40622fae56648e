/* parallel.c - independent pieces of work shared among threads. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "parallel.h"
#include "pb.h"

struct share {
	void (*work)(void *ctx, size_t i);
	void *ctx;
	size_t n, block;
	_Atomic size_t next; /* the first i of the next block */
};

static void *take_next(void *arg)
{
	struct share *s = arg;

	for (size_t from; (from = atomic_fetch_add(&s->next, s->block)) < s->n;)
		for (size_t i = from; i < s->n && i - from < s->block; i++)
			s->work(s->ctx, i);
	return NULL;
}

void pb_parallel_blocks(size_t n, size_t block, int jobs, void (*work)(void *ctx, size_t i),
			void *ctx)
{
	struct share s = {work, ctx, n, block ? block : 1, 0};
	size_t others = jobs > 1 ? (size_t)jobs - 1 : 0, started = 0;
	size_t blocks = (n + s.block - 1) / s.block;

	if (others >= blocks)
		others = blocks ? blocks - 1 : 0;
	pthread_t *threads = pb_xcalloc(others + 1, sizeof(*threads));
	while (started < others && pthread_create(&threads[started], NULL, take_next, &s) == 0)
		started++;
	take_next(&s);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
}

void pb_parallel_for(size_t n, int jobs, void (*work)(void *ctx, size_t i), void *ctx)
{
	pb_parallel_blocks(n, 1, jobs, work, ctx);
}

/*
 * The pipe is a ring of `depth` items from `head`: the first `started`
 * of them have been handed to a thread (items start in order), of which
 * those with done[] set are finished.  One lock guards it all; an item is
 * a batch of work (an importer's 64 KB of lines), so the lock is taken a
 * few times per item, never per byte.
 */
struct pb_pipe {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* an item put or finished, or stop */
	void (*work)(void *ctx, void *item);
	void *ctx;
	void **items;
	unsigned char *done;
	size_t depth, head, count, started;
	pthread_t *threads;
	size_t nthreads;
	int stop;
};

static size_t ring_at(const pb_pipe *p, size_t k)
{
	return (p->head + k) % p->depth;
}

/* Works on item at ring slot i, which the caller started; lock held on
 * entry and return. */
static void pipe_work(pb_pipe *p, size_t i)
{
	pthread_mutex_unlock(&p->lock);
	p->work(p->ctx, p->items[i]);
	pthread_mutex_lock(&p->lock);
	p->done[i] = 1;
	pthread_cond_broadcast(&p->changed);
}

static void *pipe_thread(void *arg)
{
	pb_pipe *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->started == p->count)
			pthread_cond_wait(&p->changed, &p->lock);
		if (p->stop)
			break;
		pipe_work(p, ring_at(p, p->started++));
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

pb_pipe *pb_pipe_new(int jobs, size_t depth, void (*work)(void *ctx, void *item), void *ctx)
{
	pb_pipe *p = pb_xcalloc(1, sizeof(*p));
	size_t others = jobs > 1 ? (size_t)jobs - 1 : 0;

	if (depth < 1)
		depth = 1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->changed, NULL);
	p->work = work;
	p->ctx = ctx;
	p->depth = depth;
	p->items = pb_xcalloc(depth, sizeof(*p->items));
	p->done = pb_xcalloc(depth, sizeof(*p->done));
	p->threads = pb_xcalloc(others + 1, sizeof(*p->threads));
	while (p->nthreads < others &&
	       pthread_create(&p->threads[p->nthreads], NULL, pipe_thread, p) == 0)
		p->nthreads++;
	return p;
}

size_t pb_pipe_count(const pb_pipe *p)
{
	return p->count; /* only the caller's thread changes it */
}

int pb_pipe_full(const pb_pipe *p)
{
	return p->count == p->depth;
}

void pb_pipe_put(pb_pipe *p, void *item)
{
	pthread_mutex_lock(&p->lock);
	if (p->count == p->depth)
		pb_fatal("internal error: an item put in a full pipe");
	size_t i = ring_at(p, p->count++);
	p->items[i] = item;
	p->done[i] = 0;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
}

void *pb_pipe_take(pb_pipe *p)
{
	pthread_mutex_lock(&p->lock);
	if (!p->count)
		pb_fatal("internal error: an item taken from an empty pipe");
	size_t i = p->head;
	if (!p->started) {
		p->started++;
		pipe_work(p, i);
	}
	while (!p->done[i])
		pthread_cond_wait(&p->changed, &p->lock);
	void *item = p->items[i];
	p->head = (p->head + 1) % p->depth;
	p->count--;
	p->started--;
	pthread_mutex_unlock(&p->lock);
	return item;
}

void pb_pipe_free(pb_pipe *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->changed);
	free(p->threads);
	free(p->items);
	free(p->done);
	free(p);
}
