/*
 * parallel.h - one way to share independent pieces of work among threads.
 */
#ifndef PB_PARALLEL_H
#define PB_PARALLEL_H

#include <stddef.h>

/*
 * Calls work(ctx, i) once for every i in [0, n), on up to `jobs` threads
 * counting the caller's, each taking the next i not yet taken; returns
 * when all are done.  A thread that cannot start leaves its share to the
 * others.  work must not depend on which thread runs it or in which
 * order: callers keep results by i.
 */
void pb_parallel_for(size_t n, int jobs, void (*work)(void *ctx, size_t i), void *ctx);

#endif
