/*
 * output.c - the report set, replaced as a whole (layout in output.h).
 *
 * Why a generation folder and a symlink: renaming four files one by one
 * cannot be atomic, and a crash between two renames would leave a new
 * report.html beside an old entities.csv.  One rename(2) of a symlink is
 * atomic, so readers see either the old set or the new one.
 */
#define _GNU_SOURCE /* fopencookie, sync_file_range */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "catalog.h"
#include "output.h"
#include "parallel.h"

#define GEN_PREFIX ".gen-"
#define CURRENT ".current"
#define MAX_FILES 16

/* Characters a terminal obeys or that reorder the line around them. */
static int shown_as_escape(utf8proc_int32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x2028 || cp == 0x2029;
}

void pb_output_escape(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");

	while (*s) {
		utf8proc_int32_t cp = -1;
		utf8proc_ssize_t n = *s < 0x80 ? 1 : utf8proc_iterate(s, -1, &cp);
		if (*s < 0x80) {
			if (*s == '\n')
				fputs("\\n", out);
			else if (*s == '\t')
				fputs("\\t", out);
			else if (*s == '\r')
				fputs("\\r", out);
			else if (*s < 0x20 || *s == 0x7f)
				fprintf(out, "\\x%02x", *s);
			else
				fputc(*s, out);
			s++;
		} else if (n <= 0) {
			fprintf(out, "\\x%02x", *s++);
		} else if (shown_as_escape(cp)) {
			fprintf(out, "\\u%04x", (unsigned)cp);
			s += n;
		} else {
			fwrite(s, 1, (size_t)n, out);
			s += n;
		}
	}
}

int pb_mkdirs(const char *dir, pb_error *err)
{
	if (!dir || !*dir) {
		pb_error_set(err, PB_EXIT_USAGE, "output directory name is empty");
		return -1;
	}
	char *p = pb_xstrdup(dir);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			pb_error_set(err, PB_EXIT_INPUT, "%s: cannot create directory: %s",
				     p, strerror(errno));
			rc = -1;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	if (rc == 0) {
		struct stat st;
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			pb_error_set(err, PB_EXIT_INPUT, "%s: not a directory", dir);
			rc = -1;
		}
	}
	return rc;
}

/*
 * What a signal handler may remove: fixed arrays filled before `armed`
 * is set, so the handler never reads a half-built string.
 */
static struct {
	char gen[PATH_MAX];
	char files[MAX_FILES][PATH_MAX];
	size_t nfiles;
} cleanup;
static volatile sig_atomic_t armed;
/* What this thread writes (reports are written side by side): an abort
 * is raised in the thread that failed, whose report it names. */
static _Thread_local const char *volatile current; /* a reporter's filename */
static _Thread_local volatile sig_atomic_t writing;

void pb_output_abandon(void)
{
	if (!armed)
		return;
	armed = 0;
	for (size_t i = 0; i < cleanup.nfiles; i++)
		unlink(cleanup.files[i]);
	rmdir(cleanup.gen);
}

const char *pb_output_current(void)
{
	return writing ? current : NULL;
}

static int path_fits(char *dst, const char *a, const char *b)
{
	int n = snprintf(dst, PATH_MAX, "%s/%s", a, b);

	return n >= 0 && n < PATH_MAX;
}

/*
 * Removes a generation folder (its files are plain, one level deep).
 * The reports' own names first, without opendir, which allocates and so
 * could fail when memory is short.
 */
static void remove_gen(const char *path)
{
	DIR *d;
	struct dirent *e;
	char f[PATH_MAX];
	struct stat st;

	/* A symlink named like a generation is removed, never followed. */
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	for (size_t i = 0; i < pb_nreporters; i++)
		if (pb_reporters[i]->filename && path_fits(f, path, pb_reporters[i]->filename))
			unlink(f);
	if (rmdir(path) == 0 || errno == ENOENT)
		return;
	if ((d = opendir(path))) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
			    path_fits(f, path, e->d_name))
				unlink(f);
		closedir(d);
	}
	rmdir(path);
}

/* The live generation's name (".gen-XXXXXX"), or "" when there is none. */
static void live_gen(const char *dir, char *name)
{
	char link[PATH_MAX];
	ssize_t n;

	name[0] = '\0';
	if (!path_fits(link, dir, CURRENT))
		return;
	n = readlink(link, name, NAME_MAX);
	name[n > 0 ? n : 0] = '\0';
	/* Only a generation of this folder is ever removed as the old one. */
	if (strncmp(name, GEN_PREFIX, strlen(GEN_PREFIX)) || strchr(name, '/'))
		name[0] = '\0';
}

/*
 * Under the lock nobody else is writing, so any generation that is not
 * live, and any temporary (ours or the single-file ".X.tmp.*" of older
 * versions), was left by a run that was killed.
 */
static void sweep(const char *dir, const char *live)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		if (n[0] != '.' || !path_fits(p, dir, n))
			continue;
		if (!strncmp(n, GEN_PREFIX, strlen(GEN_PREFIX)) && strcmp(n, live))
			remove_gen(p);
		else if (strstr(n, ".tmp.") || !strcmp(n, CURRENT ".tmp") ||
			 (strlen(n) > 4 && !strcmp(n + strlen(n) - 4, ".lnk")))
			unlink(p);
	}
	closedir(d);
}

static int lock_dir(const char *dir, pb_error *err)
{
	char p[PATH_MAX];
	int fd;

	if (!path_fits(p, dir, ".lock")) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: path too long", dir);
		return -1;
	}
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot lock: %s", p, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static mode_t caller_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

/* Rewrites err as "FILE: what; previous reports left in place". */
static void blame(pb_error *err, const char *file)
{
	char what[sizeof(err->msg)];

	memcpy(what, err->msg, sizeof(what));
	pb_error_set(err, err->code ? err->code : PB_EXIT_INTERNAL,
		     "%s: %s; previous reports left in place", file, what);
}

/*
 * A report's file as reporters write it, through stdio.  Every
 * WRITEBACK_STEP bytes the kernel is asked to start writing them to disk
 * (sync_file_range), so that the disk works while the report is still
 * being made: asked only by the fsync at the end, it took 30 ms after
 * the 1M-row bench's findings.json and report.html were made, with
 * nothing left to do beside it.
 */
#define WRITEBACK_STEP (1 << 20)
#define REPORT_BUFFER (1 << 16)

struct report_file {
	int fd;
	off_t written, started; /* bytes written; of those, sent on their way */
};

/* cookie_write_function_t: all of buf or, on an error, 0 and errno. */
static ssize_t report_file_write(void *cookie, const char *buf, size_t n)
{
	struct report_file *rf = cookie;

	for (size_t done = 0; done < n;) {
		ssize_t w = write(rf->fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		done += (size_t)w;
	}
	rf->written += (off_t)n;
	if (rf->written - rf->started >= WRITEBACK_STEP) {
		/* advice: an error shows again at the fsync */
		(void)sync_file_range(rf->fd, rf->started, rf->written - rf->started,
				      SYNC_FILE_RANGE_WRITE);
		rf->started = rf->written;
	}
	return (ssize_t)n;
}

static int report_file_close(void *cookie)
{
	return close(((struct report_file *)cookie)->fd);
}

static FILE *report_file_open(struct report_file *rf, int fd)
{
	static const cookie_io_functions_t io = {NULL, report_file_write, NULL, report_file_close};
	FILE *f;

	*rf = (struct report_file){fd, 0, 0};
	if ((f = fopencookie(rf, "w", io)))
		(void)setvbuf(f, NULL, _IOFBF, REPORT_BUFFER); /* else stdio's own */
	return f;
}

static int write_one(const pb_audit *a, const pb_reporter *r, const char *gen,
		     const char *dir, pb_error *err)
{
	char path[PATH_MAX], final[PATH_MAX];

	if (!path_fits(path, gen, r->filename) || !path_fits(final, dir, r->filename)) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: path too long", dir);
		return -1;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	struct report_file rf;
	FILE *f;

	if (fd < 0 || !(f = report_file_open(&rf, fd))) {
		pb_error_set(err, errno == ENOMEM ? PB_EXIT_INTERNAL : PB_EXIT_INPUT,
			     "cannot create %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		blame(err, final);
		return -1;
	}
	current = r->filename;
	writing = 1;
	int rc = r->write(a, f, err);
	if (rc == 0 && (fflush(f) != 0 || ferror(f) || fsync(fd) != 0)) {
		pb_error_set(err, PB_EXIT_INPUT, "write failed: %s", strerror(errno));
		rc = -1;
	}
	if (fclose(f) != 0 && rc == 0) {
		pb_error_set(err, PB_EXIT_INPUT, "write failed: %s", strerror(errno));
		rc = -1;
	}
	writing = 0;
	if (rc < 0)
		blame(err, final);
	return rc;
}

static int is_file_reporter(const pb_reporter *const *reps, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (reps[i]->filename && !strcmp(reps[i]->filename, name))
			return 1;
	return 0;
}

/*
 * Formats not asked for this run keep their previous report: a hard link
 * from the old generation (or an old-layout plain file) into the new one.
 */
static int carry_over(const char *dir, const char *gen, const pb_reporter *const *reps,
		      size_t nreps, pb_error *err)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < pb_nreporters; i++) {
		const char *name = pb_reporters[i]->filename;
		if (!name || is_file_reporter(reps, nreps, name))
			continue;
		if (!path_fits(from, dir, name) || !path_fits(to, gen, name) ||
		    stat(from, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (linkat(AT_FDCWD, from, AT_FDCWD, to, AT_SYMLINK_FOLLOW) < 0) {
			pb_error_set(err, PB_EXIT_INPUT,
				     "%s: cannot keep the previous report: %s", from, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd < 0 ? -1 : fsync(fd);

	if (fd >= 0)
		close(fd);
	return rc;
}

/* Atomically points DIR/name at target (a relative symlink). */
static int point(const char *dir, const char *name, const char *target, pb_error *err)
{
	char tmp[PATH_MAX], final[PATH_MAX], tname[NAME_MAX + 1];

	snprintf(tname, sizeof(tname), "%s.tmp", name);
	if (name[0] != '.')
		snprintf(tname, sizeof(tname), ".%s.lnk", name);
	if (!path_fits(tmp, dir, tname) || !path_fits(final, dir, name)) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: path too long", dir);
		return -1;
	}
	unlink(tmp);
	if (symlink(target, tmp) < 0 || rename(tmp, final) < 0) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot point it at %s: %s", final,
			     target, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Each report's documented name links into .current once and for all. */
static int stable_names(const char *dir, const char *gen, pb_error *err)
{
	char want[PATH_MAX], have[PATH_MAX], p[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < pb_nreporters; i++) {
		const char *name = pb_reporters[i]->filename;
		if (!name || !path_fits(p, gen, name) || lstat(p, &st) < 0)
			continue;
		snprintf(want, sizeof(want), CURRENT "/%s", name);
		path_fits(p, dir, name);
		ssize_t n = readlink(p, have, sizeof(have) - 1);
		if (n >= 0 && (size_t)n == strlen(want) && !memcmp(have, want, (size_t)n))
			continue;
		if (point(dir, name, want, err) < 0)
			return -1;
	}
	return 0;
}

/* Fills the list a signal handler removes, then lets it. */
static void arm(const char *gen)
{
	cleanup.nfiles = 0;
	for (size_t i = 0; i < pb_nreporters && cleanup.nfiles < MAX_FILES; i++)
		if (pb_reporters[i]->filename &&
		    path_fits(cleanup.files[cleanup.nfiles], gen, pb_reporters[i]->filename))
			cleanup.nfiles++;
	snprintf(cleanup.gen, sizeof(cleanup.gen), "%s", gen);
	armed = 1;
}

/* The reports of a run, each written by whichever thread takes it. */
struct report_jobs {
	struct report_job {
		const pb_reporter *r;
		pb_error err;
		int rc;
	} *job;
	const pb_audit *a;
	const char *gen, *dir;
};

static void write_job(void *ctx, size_t i)
{
	struct report_jobs *p = ctx;

	p->job[i].rc = write_one(p->a, p->job[i].r, p->gen, p->dir, &p->job[i].err);
}

/* Each report is written from the finished audit into a file of its own,
 * so with -j they are written side by side.  A failure reported is the
 * first in the order the formats were asked for, whichever came first. */
static int write_reports(const pb_audit *a, const pb_reporter *const *reps, size_t nreps,
			 const char *dir, const char *gen, pb_error *err)
{
	struct report_jobs p = {.a = a, .gen = gen, .dir = dir};
	size_t n = 0;
	int rc = 0;

	p.job = pb_xcalloc(nreps + 1, sizeof(*p.job));
	for (size_t i = 0; i < nreps; i++)
		if (reps[i]->filename)
			p.job[n++].r = reps[i];
	pb_parallel_for(n, a->config->jobs, write_job, &p);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (p.job[i].rc < 0) {
			*err = p.job[i].err;
			rc = -1;
		}
	free(p.job);
	return rc;
}

/* Writes every file into gen, then what is carried over; fsyncs gen. */
static int write_gen(const pb_audit *a, const pb_reporter *const *reps, size_t nreps,
		     const char *dir, const char *gen, pb_error *err)
{
	if (write_reports(a, reps, nreps, dir, gen, err) < 0)
		return -1;
	if (carry_over(dir, gen, reps, nreps, err) < 0)
		return -1;
	if (sync_dir(gen) < 0) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot sync: %s", gen, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * SIGINT, SIGTERM and SIGHUP are held back outside the writing itself:
 * while a generation is created, swapped in or the old one removed, a
 * handler could not tell what to remove; held back, the signal arrives
 * once the folder is consistent again.
 */
static void hold_signals(int how)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigprocmask(how, &s, NULL);
}

/* Makes gen live and removes the old generation; signals are held. */
static int swap_in(const char *dir, const char *gen, const char *old, pb_error *err)
{
	char oldpath[PATH_MAX];

	if (point(dir, CURRENT, strrchr(gen, '/') + 1, err) < 0) {
		remove_gen(gen);
		strncat(err->msg, "; previous reports left in place",
			sizeof(err->msg) - strlen(err->msg) - 1);
		return -1;
	}
	sync_dir(dir);
	if (old[0] && path_fits(oldpath, dir, old))
		remove_gen(oldpath);
	return stable_names(dir, gen, err);
}

/* Writes a new generation and makes it live; the caller holds the lock. */
static int replace_set(const pb_audit *a, const pb_reporter *const *reps, size_t nreps,
		       const char *dir, pb_error *err)
{
	char old[NAME_MAX + 1], gen[PATH_MAX];
	int rc;

	hold_signals(SIG_BLOCK);
	live_gen(dir, old);
	sweep(dir, old);
	if (!path_fits(gen, dir, GEN_PREFIX "XXXXXX") || !mkdtemp(gen)) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot create a folder for the reports: %s",
			     dir, strerror(errno));
		rc = -1;
	} else if (chmod(gen, 0777 & ~caller_umask()) < 0) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: %s", gen, strerror(errno));
		rmdir(gen);
		rc = -1;
	} else {
		arm(gen);
		hold_signals(SIG_UNBLOCK);
		rc = write_gen(a, reps, nreps, dir, gen, err);
		hold_signals(SIG_BLOCK);
		if (rc < 0)
			pb_output_abandon();
		/* From here the new generation may become live: never remove it. */
		armed = 0;
		if (rc == 0)
			rc = swap_in(dir, gen, old, err);
	}
	hold_signals(SIG_UNBLOCK);
	return rc;
}

static int write_stdout(const pb_audit *a, const pb_reporter *const *reps, size_t nreps,
			pb_error *err)
{
	for (size_t i = 0; i < nreps; i++) {
		if (reps[i]->filename)
			continue;
		int rc = reps[i]->write(a, stdout, err);
		if (rc == 0 && fflush(stdout) != 0) {
			pb_error_set(err, PB_EXIT_INPUT, "standard output: %s", strerror(errno));
			rc = -1;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

int pb_output_write(const pb_audit *a, const pb_reporter *const *reps,
		    size_t nreps, const char *dir, pb_error *err)
{
	int need_dir = 0, rc = 0, lock;

	err->msg[0] = '\0';
	for (size_t i = 0; i < nreps; i++)
		need_dir |= reps[i]->filename != NULL;
	if (need_dir) {
		if (pb_mkdirs(dir, err) < 0 || (lock = lock_dir(dir, err)) < 0)
			return -1;
		rc = replace_set(a, reps, nreps, dir, err);
		close(lock);
	}
	/* Standard output last: files are in place even if stdout is closed. */
	return rc < 0 ? -1 : write_stdout(a, reps, nreps, err);
}
