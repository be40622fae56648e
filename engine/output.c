/* output.c - atomic report files: temp file, fsync, rename. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

int pb_mkdirs(const char *dir, pb_error *err)
{
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

struct pending {
	char *tmp;
	char *final;
};

static int write_temp(const pb_audit *a, const pb_reporter *r, const char *dir,
		      struct pending *p, pb_error *err)
{
	pb_buf path;
	int fd;
	FILE *f;

	pb_buf_init(&path);
	pb_buf_addf(&path, "%s/.%s.tmp.XXXXXX", dir, r->filename);
	fd = mkstemp(path.data);
	if (fd < 0) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot create temporary file: %s",
			     dir, strerror(errno));
		pb_buf_release(&path);
		return -1;
	}
	fchmod(fd, 0644);
	p->tmp = pb_buf_detach(&path);
	pb_buf_addf(&path, "%s/%s", dir, r->filename);
	p->final = pb_buf_detach(&path);
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		pb_error_set(err, PB_EXIT_INPUT, "%s: %s", p->tmp, strerror(errno));
		return -1;
	}
	int rc = r->write(a, f, err);
	if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0 || ferror(f))) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: write failed: %s", p->final,
			     strerror(errno));
		rc = -1;
	}
	if (fclose(f) != 0 && rc == 0) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: write failed: %s", p->final,
			     strerror(errno));
		rc = -1;
	}
	return rc;
}

int pb_output_write(const pb_audit *a, const pb_reporter *const *reps,
		    size_t nreps, const char *dir, pb_error *err)
{
	struct pending *p = pb_xcalloc(nreps + 1, sizeof(*p));
	int rc = 0, need_dir = 0;

	for (size_t i = 0; i < nreps; i++)
		need_dir |= reps[i]->filename != NULL;
	if (need_dir && pb_mkdirs(dir, err) < 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < nreps; i++)
		if (reps[i]->filename)
			rc = write_temp(a, reps[i], dir, &p[i], err);
	for (size_t i = 0; rc == 0 && i < nreps; i++) {
		if (p[i].tmp && rename(p[i].tmp, p[i].final) < 0) {
			pb_error_set(err, PB_EXIT_INPUT, "%s: cannot rename into place: %s",
				     p[i].final, strerror(errno));
			rc = -1;
		}
		if (rc == 0 && p[i].tmp) {
			free(p[i].tmp);
			p[i].tmp = NULL;
		}
	}
	for (size_t i = 0; i < nreps; i++) {
		if (p[i].tmp)
			unlink(p[i].tmp);
		free(p[i].tmp);
		free(p[i].final);
	}
	free(p);
	/* Standard output last: files are in place even if stdout is closed. */
	for (size_t i = 0; rc == 0 && i < nreps; i++) {
		if (reps[i]->filename)
			continue;
		rc = reps[i]->write(a, stdout, err);
		if (rc == 0 && fflush(stdout) != 0) {
			pb_error_set(err, PB_EXIT_INPUT, "standard output: %s", strerror(errno));
			rc = -1;
		}
	}
	return rc;
}
