/*
 * import.c - importing files and folders: the importer for each file is
 * picked from the catalogue by the file's extension.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
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

static int import_file(pb_ledger *l, const pb_importer *imp, const char *path,
		       const char *table, const pb_config *cfg, pb_error *err)
{
	return imp->import(l, path, table, cfg, err) < 0 ? failed(l, path, cfg, err) : 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of a folder that an importer claims, sorted. */
static int import_dir(pb_ledger *l, const char *dir, const char *table,
		      const pb_config *cfg, pb_error *err)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = 0;

	if (!d) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot open folder: %s", dir,
			     strerror(errno));
		return failed(l, dir, cfg, err);
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !pb_importer_for(e->d_name))
			continue;
		pb_buf path;
		struct stat st;
		pb_buf_init(&path);
		pb_buf_addf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
			    e->d_name);
		if (stat(path.data, &st) == 0) {
			if (S_ISREG(st.st_mode)) {
				PB_GROW(names, n + 1, cap);
				names[n++] = pb_buf_detach(&path);
			} else {
				/* A device or FIFO named like a ledger: never read
				 * without limit, never skipped in silence. */
				pb_error_set(err, PB_EXIT_INPUT,
					     "%s: not a regular file; name a stream directly to read it "
					     "(up to [audit] max_stream_bytes)", path.data);
				rc = failed(l, path.data, cfg, err);
				pb_buf_release(&path);
				if (rc < 0)
					break;
			}
		} else {
			/* A ledger file that cannot be reached (a dangling or
			 * looping symlink) is an error, never a silent skip. */
			pb_error_set(err, PB_EXIT_INPUT, "%s: cannot open: %s", path.data, strerror(errno));
			rc = failed(l, path.data, cfg, err);
			pb_buf_release(&path);
			if (rc < 0)
				break;
		}
		pb_buf_release(&path);
	}
	closedir(d);
	if (rc < 0) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return -1;
	}
	if (n == 0) {
		pb_buf exts;
		pb_buf_init(&exts);
		for (size_t i = 0; i < pb_nimporters; i++)
			for (const char *const *x = pb_importers[i]->extensions; *x; x++)
				pb_buf_addf(&exts, "%s.%s", exts.len ? ", " : "", *x);
		pb_error_set(err, PB_EXIT_INPUT, "%s: no ledger files (expected %s)",
			     dir, exts.data);
		pb_buf_release(&exts);
		free(names);
		return failed(l, dir, cfg, err);
	}
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = import_file(l, pb_importer_for(names[i]), names[i], table, cfg, err);
		free(names[i]);
	}
	free(names);
	return rc;
}

int pb_import_path(pb_ledger *l, const char *path, const char *table,
		   const pb_config *cfg, pb_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot open: %s", path,
			     strerror(errno));
		return failed(l, path, cfg, err);
	}
	if (S_ISDIR(st.st_mode))
		return import_dir(l, path, table, cfg, err);
	char ext[16];
	extension_of(path, ext);
	if ((!strcmp(ext, "gz") && !pb_importer_for(path)) || !strcmp(ext, "zip") ||
	    !strcmp(ext, "bz2") || !strcmp(ext, "xz")) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: compressed input is not read directly; "
			     "decompress it first (e.g. gunzip -k)", path);
		return failed(l, path, cfg, err);
	}
	/* A file named explicitly is always attempted, as CSV if nothing
	 * else claims it. */
	const pb_importer *imp = pb_importer_for(path);
	for (size_t i = 0; i < pb_nimporters && !imp; i++)
		if (pb_importers[i]->flags & PB_IMPORT_FALLBACK)
			imp = pb_importers[i];
	if (!imp) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: no importer reads this kind of file", path);
		return failed(l, path, cfg, err);
	}
	return import_file(l, imp, path, table, cfg, err);
}
