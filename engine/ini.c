/*
 * ini.c - INI files parsed by libinih, a line at a time (ini.h says why).
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"

#define SECTION_MAX 49 /* libinih's MAX_SECTION, less its NUL */

_Static_assert(PB_INI_LINE_MAX == INI_MAX_LINE - 1, "PB_INI_LINE_MAX is libinih's INI_MAX_LINE less its NUL");

struct ini_read {
	const pb_ini_hooks *hooks;
	void *user;
	pb_error *err;
	int failed;
	const char *text;   /* the whole file */
	size_t len, off;    /* its length; where the next line starts */
	uint64_t line;      /* the line being handed over */
	pb_buf section;     /* the last [name], for hooks->section */
	pb_buf key;         /* its last key, "" after [section] */
	int key_takes_list; /* ... and whether indented lines add to it */
	int indented;       /* the line handed over continues that key */
};

static int fail(struct ini_read *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct ini_read *r, const char *fmt, ...)
{
	va_list ap;

	r->failed = 1;
	va_start(ap, fmt);
	vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap);
	va_end(ap);
	return 0;
}

/* libinih passes a continuation line whole: its inline comment (';'
 * after a blank, as libinih's isspace() tells one) and trailing blanks
 * are cut here. */
static void cut_inline_comment(char *s)
{
	int was_blank = 0;
	char *p = s;

	while (*p && !(was_blank && *p == ';')) {
		was_blank = isspace((unsigned char)*p);
		p++;
	}
	while (p > s && isspace((unsigned char)p[-1]))
		p--;
	*p = '\0';
}

/* libinih's handler.  A continuation line comes under libinih's copy of
 * the key, cut at 49 bytes, so the key is the one kept here. */
static int on_setting(void *user, const char *section, const char *key, const char *value)
{
	struct ini_read *r = user;

	if (r->failed)
		return 0;
	if (!r->indented) {
		pb_buf_reset(&r->key);
		pb_buf_addstr(&r->key, key);
		r->key_takes_list = !r->hooks->takes_list || r->hooks->takes_list(r->user, section, key);
		r->failed = !r->hooks->setting(r->user, section, key, value, 0, r->line);
		return !r->failed;
	}
	char *item = pb_xstrdup(value);
	cut_inline_comment(item);
	if (!r->key_takes_list)
		fail(r, "[%s] %s takes one value: this indented line would continue it ('%s'); "
		     "continuation lines are only for keys that take a list", section, r->key.data, item);
	else
		r->failed = !r->hooks->setting(r->user, section, r->key.data, item, 1, r->line);
	free(item);
	return !r->failed;
}

/* A "[name]" line (p at its '[', end at the line's end): the section's
 * name kept, the hook told; 0 on failure. */
static int on_section_line(struct ini_read *r, const char *p, const char *end)
{
	const char *close = memchr(p, ']', (size_t)(end - p));

	pb_buf_reset(&r->key);
	if (!close)
		return 1; /* libinih says the line is not INI */
	if (close - p - 1 > SECTION_MAX)
		return fail(r, "section name longer than %d bytes, the most libinih keeps", SECTION_MAX);
	pb_buf_reset(&r->section);
	pb_buf_add(&r->section, p + 1, (size_t)(close - p - 1));
	if (r->hooks->section && !r->hooks->section(r->user, r->section.data, r->line))
		r->failed = 1;
	return !r->failed;
}

/* libinih's reader: the next line of r->text into str (num bytes), or
 * NULL at the end or once reading has failed. */
static char *next_line(char *str, int num, void *stream)
{
	struct ini_read *r = stream;
	const char *line = r->text + r->off, *end = r->text + r->len;

	if (r->failed || line >= end)
		return NULL;
	const char *nl = memchr(line, '\n', (size_t)(end - line));
	end = nl ? nl : end;
	size_t n = (size_t)(end - line);
	r->off += n + (nl != NULL);
	r->line++;
	if (memchr(line, '\0', n)) {
		fail(r, "line holds a NUL byte");
		return NULL;
	}
	const char *from = line, *p = line;
	if (r->line == 1 && n >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3))
		p += 3;
	size_t len = (size_t)(end - p);
	pb_trim(&p, &len); /* libinih strips blanks too: they make no line too long */
	end = p + len;
	r->indented = 0;
	if (p == end || *p == ';' || *p == '#') {
		/* blank, or a comment of any length */
		snprintf(str, (size_t)num, "%s", p == end ? "" : ";");
		return str;
	}
	if (p > line && r->key.len) {
		/* libinih continues the key before with any indented line;
		 * after a one-value key an indented "key = value" line is a
		 * key of its own, handed over without its indent. */
		size_t rest = (size_t)(end - p);
		if (!r->key_takes_list && (memchr(p, '=', rest) || memchr(p, ':', rest)))
			from = p;
		else
			r->indented = 1;
	} else if (*p == '[' && !on_section_line(r, p, end)) {
		return NULL;
	}
	if ((size_t)(end - from) >= (size_t)num) {
		fail(r, "line of %zu bytes, longer than the %d libinih reads in a line; "
		     "a list continues on indented lines", n, num - 1);
		return NULL;
	}
	memcpy(str, from, (size_t)(end - from));
	str[end - from] = '\0';
	return str;
}

/* The whole file, within PB_INI_MAX_BYTES; 0 or -1 with err set. */
static int slurp(const char *path, const char *what, pb_buf *text, pb_error *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f) {
		pb_error_set(err, PB_EXIT_USAGE, "%s: cannot open %s: %s", path, what, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (text->len + n > PB_INI_MAX_BYTES) {
			pb_error_set(err, PB_EXIT_USAGE, "%s: larger than the 16 MiB limit for a %s file", path, what);
			fclose(f);
			return -1;
		}
		pb_buf_add(text, chunk, n);
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		pb_error_set(err, PB_EXIT_USAGE, "%s: cannot read %s: %s", path, what, strerror(errno));
		return -1;
	}
	return 0;
}

int pb_ini_read(const char *path, const char *what, const pb_ini_hooks *hooks, void *user,
		pb_error *err)
{
	struct ini_read r;
	pb_buf text;

	pb_buf_init(&text);
	if (slurp(path, what, &text, err) < 0) {
		pb_buf_release(&text);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.hooks = hooks;
	r.user = user;
	r.err = err;
	r.text = text.data;
	r.len = text.len;
	pb_buf_init(&r.section);
	pb_buf_init(&r.key);
	int bad = ini_parse_stream(next_line, &r, on_setting, &r);
	uint64_t line = r.failed ? r.line : 0;
	if (bad > 0 && (!r.failed || (uint64_t)bad < line)) {
		/* libinih found no '=' or ']' there, and read on. */
		fail(&r, "not a valid INI line: neither [section] nor key = value");
		line = (uint64_t)bad;
	}
	pb_buf_release(&r.section);
	pb_buf_release(&r.key);
	pb_buf_release(&text);
	if (!r.failed)
		return 0;
	char msg[sizeof(err->msg)];
	snprintf(msg, sizeof(msg), "%s", err->msg);
	pb_error_set(err, PB_EXIT_USAGE, "%s:%" PRIu64 ": %s", path, line, msg);
	return -1;
}
