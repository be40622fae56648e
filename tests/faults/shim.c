/*
 * shim.c - fault injection for the report writers, as an LD_PRELOAD
 * library.  It does nothing until the process first calls flock(2),
 * which probity does only when it starts writing reports
 * (engine/output.c), so import and rules run untouched.  From then on:
 *   PB_FAULT_ALLOC=N   the Nth malloc/calloc/realloc fails (ENOMEM)
 *   PB_FAULT_CALL=N    the Nth of open, fsync, rename, symlink, linkat,
 *                      mkdtemp, chmod fails (EIO; ENOSPC for open)
 *   PB_FAULT_FSIZE=B   RLIMIT_FSIZE is set to B bytes: a write that would
 *                      make a file longer fails (EFBIG), as on a full disk
 *   PB_FAULT_COUNT=F   at exit, "ALLOCS CALLS" since arming go to file F
 * glibc's own allocator is reached through __libc_malloc and friends, so
 * the shim needs no dlsym before the first allocation.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static int armed;
static long allocs, calls, fail_alloc = -1, fail_call = -1;

static void report(void)
{
	const char *path = getenv("PB_FAULT_COUNT");
	int fd;
	char buf[64];

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	int n = snprintf(buf, sizeof(buf), "%ld %ld\n", allocs, calls);
	if (write(fd, buf, (size_t)n) < 0)
		n = 0;
	close(fd);
}

static long env_long(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 10) : -1;
}

static void arm(void)
{
	long fsize = env_long("PB_FAULT_FSIZE");

	fail_alloc = env_long("PB_FAULT_ALLOC");
	fail_call = env_long("PB_FAULT_CALL");
	if (fsize >= 0) {
		struct rlimit r = {(rlim_t)fsize, (rlim_t)fsize};
		setrlimit(RLIMIT_FSIZE, &r);
	}
	atexit(report);
	armed = 1;
}

/* 1 when this allocation is the one to fail. */
static int alloc_fails(void)
{
	if (!armed)
		return 0;
	if (++allocs == fail_alloc) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

static int call_fails(int err)
{
	if (!armed)
		return 0;
	if (++calls == fail_call) {
		errno = err;
		return 1;
	}
	return 0;
}

void *malloc(size_t n)
{
	return alloc_fails() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : __libc_realloc(p, n);
}

#define NEXT(ret, name, ...) \
	static ret (*next)(__VA_ARGS__); \
	if (!next) \
		next = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, name)

int flock(int fd, int op)
{
	NEXT(int, "flock", int, int);
	if (!armed)
		arm();
	return next(fd, op);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode = 0;

	NEXT(int, "open", const char *, int, ...);
	va_start(ap, flags);
	if (flags & O_CREAT)
		mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	if (call_fails(ENOSPC))
		return -1;
	return next(path, flags, mode);
}

int fsync(int fd)
{
	NEXT(int, "fsync", int);
	return call_fails(EIO) ? -1 : next(fd);
}

int rename(const char *a, const char *b)
{
	NEXT(int, "rename", const char *, const char *);
	return call_fails(EIO) ? -1 : next(a, b);
}

int symlink(const char *a, const char *b)
{
	NEXT(int, "symlink", const char *, const char *);
	return call_fails(EIO) ? -1 : next(a, b);
}

int linkat(int fd1, const char *a, int fd2, const char *b, int flags)
{
	NEXT(int, "linkat", int, const char *, int, const char *, int);
	return call_fails(EIO) ? -1 : next(fd1, a, fd2, b, flags);
}

char *mkdtemp(char *tmpl)
{
	NEXT(char *, "mkdtemp", char *);
	return call_fails(EIO) ? NULL : next(tmpl);
}

int chmod(const char *path, mode_t mode)
{
	NEXT(int, "chmod", const char *, mode_t);
	return call_fails(EIO) ? -1 : next(path, mode);
}
