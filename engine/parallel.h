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
/*
 * The same, each thread taking `block` consecutive i at a time (the last
 * block may be shorter): for work on neighbouring elements of an array,
 * which threads taking one i at a time write in the same cache lines.
 */
void pb_parallel_blocks(size_t n, size_t block, int jobs, void (*work)(void *ctx, size_t i),
			void *ctx);

/*
 * Work on a stream, results in its order: the caller puts items one by
 * one, threads run work(ctx, item) on each, and pb_pipe_take gives them
 * back in the order they were put, worked on.  At most `depth` items are
 * in the pipe at once (pb_pipe_full), which bounds the memory a stream
 * holds.  The caller's own thread counts among the `jobs`: a take whose
 * item no thread has started works on it there, so with jobs <= 1 no
 * thread is started and every item is worked on in the caller, in turn.
 * Items are worked on in the order they were put, by any thread; work
 * must not depend on which (an importer parses text there and maps it
 * onto the ledger in the caller, in the file's order).
 */
typedef struct pb_pipe pb_pipe;

pb_pipe *pb_pipe_new(int jobs, size_t depth, void (*work)(void *ctx, void *item), void *ctx);
/* How many items are in the pipe; whether another may be put. */
size_t pb_pipe_count(const pb_pipe *p);
int pb_pipe_full(const pb_pipe *p);
/* Adds an item (the pipe must not be full). */
void pb_pipe_put(pb_pipe *p, void *item);
/* The oldest item once worked on (the pipe must not be empty). */
void *pb_pipe_take(pb_pipe *p);
/* Stops the threads; items still in the pipe are the caller's. */
void pb_pipe_free(pb_pipe *p);

#endif
