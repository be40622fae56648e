/*
 * import.c - importing files and folders: the importer for each file is
 * picked from the catalogue by the file's extension.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "catalog.h"

/* Lower-case extension of a path ("csv"), or "" if none. */
static void extension_of(const char *path, char ext[16])
{
	const char *base = strrchr(path, '/');
	const char *dot;
	size_t i = 0;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	ext[0] = '\0';
	if (!dot || dot == base)
		return;
	for (dot++; *dot && i < 15; dot++)
		ext[i++] = (char)tolower((unsigned char)*dot);
	ext[i] = '\0';
}

const pb_importer *pb_importer_for(const char *path)
{
	char ext[16];

	extension_of(path, ext);
	/* Compressed OCDS is read through zlib by its importer. */
	if (!strcmp(ext, "gz")) {
		size_t n = strlen(path);
		char *inner = pb_xstrndup(path, n - 3);
		extension_of(inner, ext);
		free(inner);
		const pb_importer *imp = NULL;
		for (size_t i = 0; i < pb_nimporters && !imp; i++)
			for (const char *const *e = pb_importers[i]->extensions; *e && !imp; e++)
				if (!strcmp(*e, ext) && (pb_importers[i]->flags & PB_IMPORT_GZIP))
					imp = pb_importers[i];
		return imp;
	}
	for (size_t i = 0; i < pb_nimporters; i++)
		for (const char *const *e = pb_importers[i]->extensions; *e; e++)
			if (!strcmp(*e, ext))
				return pb_importers[i];
	return NULL;
}

/*
 * A file that cannot be read: the end of the run, or with keep_going a
 * line in every report (pb_ledger_fail) and on to the next file.  Only
 * input errors are passed over; a usage or configuration error still
 * stops the run.
 */
static int failed(pb_ledger *l, const char *path, const pb_config *cfg, pb_error *err)
{
	if (!cfg->keep_going || err->code != PB_EXIT_INPUT)
		return -1;
	pb_ledger_fail(l, path, err->msg);
	return 0;
}

/* Folders nested deeper are an error: a tree that deep is a mistake. */
#define PB_MAX_FOLDER_DEPTH 32

struct entry {
	char *path;
	struct stat st;
};

/*
 * The plan of a folder: its files in the order they are read, and the
 * problems met on the way (a folder that cannot be opened...) at the
 * place they were met.  Files whose importer can read them on a worker
 * thread (PB_IMPORT_STAGED) are read ahead into stages while the plan is
 * carried out in order; everything reaches the ledger in plan order, so
 * the ledger is the same as if every file had been read in turn.
 */
struct step {
	char *path;
	const char *table; /* the table named for it (-t), or NULL */
	off_t size;
	int in_turn; /* a stream: read on the main thread in its turn */
	const pb_importer *imp; /* NULL: a problem, in err */
	pb_import_part part; /* part.count > 1: one of the parts of a file */
	pb_error err;
	/* a worker's result, under the plan's lock */
	pb_ledger *stage;
	int rc, done;
};

struct plan {
	pb_ledger *l;
	const char *table; /* the table of the files being added */
	const pb_config *cfg;
	struct step *steps;
	size_t n, cap;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Workers take the largest file left first, so that two threads
	 * finish near together rather than one reading the biggest last. */
	size_t *order, norder, next;
	int stop;
};

/* The next step of the plan, its path copied. */
static struct step *plan_add(struct plan *p, const char *path)
{
	PB_GROW(p->steps, p->n + 1, p->cap);
	p->steps[p->n] = (struct step){.path = pb_xstrdup(path)};
	return &p->steps[p->n++];
}

static struct step *plan_file(struct plan *p, const char *path, off_t size,
			      const pb_importer *imp)
{
	struct step *st = plan_add(p, path);

	st->table = p->table;
	st->size = size;
	st->imp = imp;
	return st;
}

/* A problem met while walking: kept for its turn; the walk goes on only
 * when it will be passed over (failed). */
static int plan_problem(struct plan *p, const char *path, const pb_error *err)
{
	plan_add(p, path)->err = *err;
	return p->cfg->keep_going && err->code == PB_EXIT_INPUT ? 0 : -1;
}

static int by_name(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/*
 * Reading a folder tree.  Files an importer claims are read, subfolders
 * are walked, each level in name order; names starting with '.' are
 * left out.  A folder is read once: a symbolic link back to a folder on
 * the way (a loop) or to one read before is an error naming both, as is
 * nesting deeper than PB_MAX_FOLDER_DEPTH.
 */
struct walk {
	struct plan *plan;
	pb_error *err;
	struct seen_dir {
		dev_t dev;
		ino_t ino;
		char *path;
	} *seen;
	size_t nseen, capseen;
	size_t files; /* ledger files found anywhere below */
};

static const char *seen_before(const struct walk *w, const struct stat *st)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return w->seen[i].path;
	return NULL;
}

static void remember(struct walk *w, const struct stat *st, const char *path)
{
	PB_GROW(w->seen, w->nseen + 1, w->capseen);
	w->seen[w->nseen++] = (struct seen_dir){st->st_dev, st->st_ino, pb_xstrdup(path)};
}

/* The ledger files and subfolders of one folder, sorted; -1 when a name
 * claimed by an importer cannot be read as a file (and the run stops). */
static int list_dir(struct walk *w, const char *dir, struct entry **out, size_t *nout)
{
	DIR *d = opendir(dir);
	struct entry *list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (!d) {
		pb_error_set(w->err, PB_EXIT_INPUT, "%s: cannot open folder: %s", dir, strerror(errno));
		return plan_problem(w->plan, dir, w->err);
	}
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		pb_buf path;
		struct stat st;
		int claimed = pb_importer_for(e->d_name) != NULL;
		pb_buf_init(&path);
		pb_buf_addf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
		if (stat(path.data, &st) < 0) {
			/* A ledger file that cannot be reached (a dangling or
			 * looping symlink) is an error, never a silent skip. */
			if (claimed) {
				pb_error_set(w->err, PB_EXIT_INPUT, "%s: cannot open: %s", path.data,
					     strerror(errno));
				rc = plan_problem(w->plan, path.data, w->err);
			}
		} else if (S_ISDIR(st.st_mode) || (claimed && S_ISREG(st.st_mode))) {
			PB_GROW(list, n + 1, cap);
			list[n++] = (struct entry){pb_buf_detach(&path), st};
		} else if (claimed) {
			/* A device or FIFO named like a ledger: never read
			 * without limit, never skipped in silence. */
			pb_error_set(w->err, PB_EXIT_INPUT,
				     "%s: not a regular file; name a stream directly to read it "
				     "(up to [audit] max_stream_bytes)", path.data);
			rc = plan_problem(w->plan, path.data, w->err);
		}
		pb_buf_release(&path);
	}
	closedir(d);
	if (n)
		qsort(list, n, sizeof(*list), by_name);
	*out = list;
	*nout = n;
	return rc;
}

static int walk_dir(struct walk *w, const char *dir, int depth);

static int walk_subdir(struct walk *w, const struct entry *e, int depth)
{
	const char *before = seen_before(w, &e->st);

	if (before) {
		pb_error_set(w->err, PB_EXIT_INPUT, "%s: the same folder as %s, already read "
			     "(a symbolic link back to a folder above it, or to one read before)",
			     e->path, before);
		return plan_problem(w->plan, e->path, w->err);
	}
	if (depth + 1 > PB_MAX_FOLDER_DEPTH) {
		pb_error_set(w->err, PB_EXIT_INPUT, "%s: folders nested deeper than %d levels are not read",
			     e->path, PB_MAX_FOLDER_DEPTH);
		return plan_problem(w->plan, e->path, w->err);
	}
	remember(w, &e->st, e->path);
	return walk_dir(w, e->path, depth + 1);
}

static int walk_dir(struct walk *w, const char *dir, int depth)
{
	struct entry *list;
	size_t n;
	int rc = list_dir(w, dir, &list, &n);

	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && S_ISDIR(list[i].st.st_mode)) {
			rc = walk_subdir(w, &list[i], depth);
		} else if (rc == 0) {
			w->files++;
			plan_file(w->plan, list[i].path, list[i].st.st_size, pb_importer_for(list[i].path));
		}
		free(list[i].path);
	}
	free(list);
	return rc;
}

/* --- carrying the plan out --- */

static int stageable(const struct step *st)
{
	return st->imp && !st->in_turn && (st->imp->flags & PB_IMPORT_STAGED);
}

/* Reads the next stageable file of the plan into a stage, until none is
 * left or the plan stops. */
static void *stage_worker(void *arg)
{
	struct plan *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (p->stop || p->next >= p->norder)
			break;
		struct step *st = &p->steps[p->order[p->next++]];
		pthread_mutex_unlock(&p->lock);
		pb_error err = {0};
		pb_ledger *stage = pb_ledger_new_stage(p->l);
		int rc = st->part.count
				 ? st->imp->import_part(stage, st->path, st->table, p->cfg, &st->part, &err)
				 : st->imp->import(stage, st->path, st->table, p->cfg, &err);
		pthread_mutex_lock(&p->lock);
		st->stage = stage;
		st->rc = rc;
		st->err = err;
		st->done = 1;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static int import_file(pb_ledger *l, const pb_importer *imp, const char *path,
		       const char *table, const pb_config *cfg, pb_error *err)
{
	return imp->import(l, path, table, cfg, err) < 0 ? failed(l, path, cfg, err) : 0;
}

static int read_now(struct plan *p, struct step *st, pb_error *err)
{
	return import_file(p->l, st->imp, st->path, st->table, p->cfg, err);
}

static void wait_done(struct plan *p, struct step *st)
{
	pthread_mutex_lock(&p->lock);
	while (!st->done)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

/* A file a worker read: its stage joins the ledger in the file's turn. */
static int take_stage(struct plan *p, struct step *st, pb_error *err)
{
	wait_done(p, st);
	pb_ledger *stage = st->stage;
	st->stage = NULL;
	if (st->rc == PB_IMPORT_UNSTAGED) {
		pb_ledger_free(stage);
		return read_now(p, st, err);
	}
	/* Rows read before a file failed are kept, as when read in turn. */
	pb_ledger_absorb(p->l, stage);
	pb_ledger_free(stage);
	if (st->rc < 0) {
		*err = st->err;
		return failed(p->l, st->path, p->cfg, err);
	}
	return 0;
}

/*
 * The parts of a file, read side by side: they join the ledger one after
 * another as the file's one input, as if it had been read in turn.  When
 * any part could not be read on its own (it returned non-zero: a record
 * runs across its end, a profile, an error), the parts are thrown away
 * and the file is read whole, so that what it gives is what it always
 * gave.
 */
static int take_parts(struct plan *p, struct step *parts, pb_error *err)
{
	size_t n = parts[0].part.count;
	int whole = 0;

	for (size_t k = 0; k < n; k++) {
		wait_done(p, &parts[k]);
		whole |= parts[k].rc != 0;
	}
	if (whole) {
		for (size_t k = 0; k < n; k++) {
			pb_ledger_free(parts[k].stage);
			parts[k].stage = NULL;
		}
		return read_now(p, &parts[0], err);
	}
	size_t in = pb_ledger_ninputs(p->l);
	for (size_t k = 0; k < n; k++) {
		if (k == 0)
			pb_ledger_absorb(p->l, parts[k].stage);
		else
			pb_ledger_absorb_more(p->l, parts[k].stage, in);
		pb_ledger_free(parts[k].stage);
		parts[k].stage = NULL;
	}
	return 0;
}

static int run_steps(struct plan *p, int staged, pb_error *err)
{
	int rc = 0;

	for (size_t i = 0; i < p->n && rc == 0; i++) {
		struct step *st = &p->steps[i];
		if (!st->imp) {
			*err = st->err;
			rc = failed(p->l, st->path, p->cfg, err);
		} else if (st->part.count) {
			rc = staged ? take_parts(p, st, err) : read_now(p, st, err);
			i += st->part.count - 1;
		} else if (staged && stageable(st)) {
			rc = take_stage(p, st, err);
		} else {
			rc = read_now(p, st, err);
		}
	}
	return rc;
}

struct sized {
	off_t size;
	size_t step;
};

static int larger_first(const void *a, const void *b)
{
	const struct sized *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->step < y->step ? -1 : x->step > y->step;
}

/* The files workers may read ahead, largest first. */
static void order_stageable(struct plan *p)
{
	struct sized *by_size = pb_xcalloc(p->n + 1, sizeof(*by_size));

	for (size_t i = 0; i < p->n; i++)
		if (stageable(&p->steps[i]))
			by_size[p->norder++] = (struct sized){p->steps[i].size, i};
	qsort(by_size, p->norder, sizeof(*by_size), larger_first);
	p->order = pb_xcalloc(p->norder + 1, sizeof(*p->order));
	for (size_t k = 0; k < p->norder; k++)
		p->order[k] = by_size[k].step;
	free(by_size);
}

/* Where a part after the first begins: just after the first '\n' at or
 * after `at`, looked for within a MiB; -1 when there is none. */
static off_t part_boundary(FILE *f, off_t at)
{
	char buf[1 << 16];

	if (fseeko(f, at, SEEK_SET) != 0)
		return -1;
	for (off_t seen = 0; seen < (1 << 20);) {
		size_t n = fread(buf, 1, sizeof(buf), f);
		if (!n)
			return -1;
		const char *nl = memchr(buf, '\n', n);
		if (nl)
			return at + seen + (off_t)(nl - buf) + 1;
		seen += (off_t)n;
	}
	return -1;
}

#define PB_MAX_PARTS 64

/* Cuts a file half again larger than a thread's fair share of the plan's
 * bytes into parts no larger than that share and no smaller than `bytes`
 * (at most one per job), each a step of its own; 0 when it stays whole. */
static int cut_file(struct plan *p, struct step *st, size_t jobs, size_t bytes, off_t share)
{
	off_t start[PB_MAX_PARTS + 1] = {0};
	size_t k, n = 1;

	if (!st->imp || !st->imp->import_part || !stageable(st) || st->size <= share + share / 2 ||
	    st->size / 2 < (off_t)bytes)
		return 0;
	k = (size_t)((st->size + share - 1) / share);
	k = k < (size_t)(st->size / (off_t)bytes) ? k : (size_t)(st->size / (off_t)bytes);
	k = k < jobs ? k : jobs;
	k = k < PB_MAX_PARTS ? k : PB_MAX_PARTS;
	FILE *f = fopen(st->path, "rb");
	if (!f)
		return 0; /* read whole, which says why it cannot be */
	for (size_t j = 1; j < k; j++) {
		off_t b = part_boundary(f, st->size * (off_t)j / (off_t)k);
		if (b > start[n - 1] && b < st->size)
			start[n++] = b;
	}
	fclose(f);
	if (n < 2)
		return 0;
	start[n] = st->size;
	for (size_t j = 0; j < n; j++) {
		PB_GROW(p->steps, p->n + 1, p->cap);
		struct step *part = &p->steps[p->n++];
		*part = *st;
		part->path = j ? pb_xstrdup(st->path) : st->path;
		part->size = start[j + 1] - start[j];
		part->part = (pb_import_part){start[j], start[j + 1], j, n};
	}
	return 1;
}

/*
 * A file much larger than a thread's share of all the bytes to read is
 * read in parts side by side (pb_import_part), so that one big payments
 * file does not keep one thread busy while the others wait: it becomes
 * one step per part, cut where a line ends (the 1M bench's payments.csv
 * alone at -j 2: 0.50 -> 0.35 s).  Files that share the threads well
 * already stay whole: a part after the first joins the ledger row by row
 * on one thread (its keys checked against the file's rows before it),
 * which cost more than it won when every file was cut (10M-row bench
 * folder at -j 2: 12.2 -> 12.9 s, and 165 MB more).
 */
static void plan_parts(struct plan *p)
{
	size_t jobs = p->cfg->jobs > 0 ? (size_t)p->cfg->jobs : 1, n = p->n;
	struct step *whole = p->steps;
	off_t total = 0;

	if (jobs < 2 || !p->cfg->part_bytes)
		return;
	for (size_t i = 0; i < n; i++)
		if (whole[i].imp && stageable(&whole[i]))
			total += whole[i].size;
	p->steps = NULL;
	p->n = p->cap = 0;
	for (size_t i = 0; i < n; i++) {
		if (cut_file(p, &whole[i], jobs, p->cfg->part_bytes, total / (off_t)jobs + 1))
			continue;
		PB_GROW(p->steps, p->n + 1, p->cap);
		p->steps[p->n++] = whole[i];
	}
	free(whole);
}

/* Workers for files read ahead: one per job, no more than there are
 * such files; none when there are fewer than two of them. */
static size_t workers_for(const struct plan *p)
{
	size_t jobs = p->cfg->jobs > 0 ? (size_t)p->cfg->jobs : 1;

	return p->norder < 2 || jobs < 2 ? 0 : p->norder < jobs ? p->norder : jobs;
}

/* The ledger's string table sized for the plan's files, as far as their
 * importers guess: at 10M rows it doubled eleven times as it filled, the
 * last few with every import thread waiting for it. */
static void plan_expect_texts(struct plan *p)
{
	size_t texts = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct step *st = &p->steps[i];
		if (st->imp && st->imp->bytes_per_text && st->size > 0)
			texts += (size_t)st->size / st->imp->bytes_per_text;
	}
	pb_ledger_expect_texts(p->l, texts);
}

static int plan_run(struct plan *p, pb_error *err)
{
	plan_expect_texts(p);
	plan_parts(p);
	order_stageable(p);
	size_t want = workers_for(p), started = 0;
	pthread_t *threads = want ? pb_xcalloc(want, sizeof(*threads)) : NULL;

	if (want)
		pb_ledger_set_parallel(p->l, 1);
	while (started < want && pthread_create(&threads[started], NULL, stage_worker, p) == 0)
		started++;
	int rc = run_steps(p, started > 0, err);
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (want)
		pb_ledger_set_parallel(p->l, 0);
	free(threads);
	return rc;
}

static void plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->steps[i].path);
		pb_ledger_free(p->steps[i].stage); /* read ahead, not needed */
	}
	free(p->steps);
	free(p->order);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
}

/* --- folders --- */

static int walk_folder(struct plan *p, const char *dir, const struct stat *st, pb_error *err)
{
	struct walk w = {p, err, NULL, 0, 0, 0};
	int rc;

	remember(&w, st, dir);
	rc = walk_dir(&w, dir, 0);
	for (size_t i = 0; i < w.nseen; i++)
		free(w.seen[i].path);
	free(w.seen);
	if (rc == 0 && w.files == 0) {
		pb_buf exts;
		pb_buf_init(&exts);
		for (size_t i = 0; i < pb_nimporters; i++)
			for (const char *const *x = pb_importers[i]->extensions; *x; x++)
				pb_buf_addf(&exts, "%s.%s", exts.len ? ", " : "", *x);
		pb_error_set(err, PB_EXIT_INPUT, "%s: no ledger files in it or its subfolders (expected %s)",
			     dir, exts.data);
		pb_buf_release(&exts);
		rc = plan_problem(p, dir, err);
	}
	return rc;
}

/* --- the paths named --- */

/* A file named explicitly is always attempted, as CSV if nothing else
 * claims it. */
static const pb_importer *importer_named(const char *path)
{
	const pb_importer *imp = pb_importer_for(path);

	for (size_t i = 0; i < pb_nimporters && !imp; i++)
		if (pb_importers[i]->flags & PB_IMPORT_FALLBACK)
			imp = pb_importers[i];
	return imp;
}

/* One named path into the plan: a folder's files, a file, or the
 * problem that keeps it from being read.  -1 when the run stops there. */
static int plan_path(struct plan *p, const char *path, pb_error *err)
{
	struct stat st;
	char ext[16];

	if (stat(path, &st) < 0) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
		return plan_problem(p, path, err);
	}
	if (S_ISDIR(st.st_mode))
		return walk_folder(p, path, &st, err);
	extension_of(path, ext);
	if ((!strcmp(ext, "gz") && !pb_importer_for(path)) || !strcmp(ext, "zip") ||
	    !strcmp(ext, "bz2") || !strcmp(ext, "xz")) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: compressed input is not read directly; "
			     "decompress it first (e.g. gunzip -k)", path);
		return plan_problem(p, path, err);
	}
	const pb_importer *imp = importer_named(path);
	if (!imp) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: no importer reads this kind of file", path);
		return plan_problem(p, path, err);
	}
	plan_file(p, path, st.st_size, imp)->in_turn = !S_ISREG(st.st_mode);
	return 0;
}

/*
 * All the paths go into one plan, so that files named one by one are
 * read side by side as a folder's are (five files named on the command
 * line were read one after another, at -j 2 as slowly as at -j 1).  The
 * plan stops at the first path that stops the run; the paths before it
 * are still read first, as when each was imported in turn.
 */
int pb_import_paths(pb_ledger *l, const pb_import_arg *args, size_t n, const pb_config *cfg,
		    pb_error *err)
{
	struct plan p = {.l = l, .cfg = cfg};
	int rc = 0;

	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	for (size_t i = 0; i < n && rc == 0; i++) {
		p.table = args[i].table;
		rc = plan_path(&p, args[i].path, err);
	}
	rc = plan_run(&p, err);
	plan_release(&p);
	return rc;
}

int pb_import_path(pb_ledger *l, const char *path, const char *table,
		   const pb_config *cfg, pb_error *err)
{
	pb_import_arg arg = {path, table};

	return pb_import_paths(l, &arg, 1, cfg, err);
}
