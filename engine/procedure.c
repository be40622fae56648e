/*
 * procedure.c - the procedure table: names folded once when the table is
 * built, looked up by exact match, then by the longest matching prefix
 * for names written with a trailing '*'.
 */
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "procedure.h"

/* config/procedures.txt, one string per line (pedantic C caps one
 * string literal at 4095 bytes). */
static const char *const builtin_lines[] = {
#include "procedures.inc"
	NULL};

struct entry {
	pb_procedure proc;
	char *key;  /* folded name, without the '*' */
	size_t len; /* of key */
	int prefix; /* written with a trailing '*' */
};

struct pb_procedures {
	struct entry *e;
	size_t n, cap;
};

static const char *const methods[] = {"open", "selective", "limited", "direct", NULL};

static const char *canonical_method(const char *m)
{
	for (size_t i = 0; methods[i]; i++)
		if (pb_strcaseeq(m, methods[i]))
			return methods[i];
	return NULL;
}

/* The folded key of a name; *prefix says whether it ended in '*'. */
static char *fold_key(const char *name, int *prefix)
{
	size_t n = strlen(name);
	char *copy, *key;

	while (n && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	*prefix = n && name[n - 1] == '*';
	if (!name[n] && !*prefix)
		return pb_fold_text(name); /* nothing to cut: no copy to make */
	copy = pb_xstrndup(name, n - (size_t)*prefix);
	key = pb_fold_text(copy);
	free(copy);
	return key;
}

/* The entry with this folded key, written with a trailing '*' or not,
 * or NULL. */
static struct entry *entry_keyed(pb_procedures *p, const char *key, int prefix)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->e[i].prefix == prefix && !strcmp(p->e[i].key, key))
			return &p->e[i];
	return NULL;
}

int pb_procedures_set(pb_procedures *p, const char *name, const char *method,
		      const char *competitive, pb_error *err)
{
	const char *m = canonical_method(method);
	pb_competition c;
	int prefix;
	char *key;

	if (!m) {
		pb_error_set(err, PB_EXIT_USAGE, "procedure '%s': method '%s' is not open, selective, limited or direct",
			     name, method);
		return -1;
	}
	if (pb_strcaseeq(competitive, "yes"))
		c = PB_COMPETITION_YES;
	else if (pb_strcaseeq(competitive, "no"))
		c = PB_COMPETITION_NO;
	else {
		pb_error_set(err, PB_EXIT_USAGE, "procedure '%s': competitive must be yes or no, not '%s'",
			     name, competitive);
		return -1;
	}
	key = fold_key(name, &prefix);
	if (!key || !*key) {
		free(key);
		pb_error_set(err, PB_EXIT_USAGE, "procedure name '%s' is empty or not UTF-8", name);
		return -1;
	}
	struct entry *e = entry_keyed(p, key, prefix);
	if (e) {
		free(key);
		e->proc.method = m;
		e->proc.competitive = c;
		return 0;
	}
	PB_GROW(p->e, p->n + 1, p->cap);
	p->e[p->n++] = (struct entry){{pb_xstrdup(name), m, c, 0, 0}, key, strlen(key), prefix};
	return 0;
}

int pb_procedures_mark(pb_procedures *p, const char *name, const char *flags, pb_error *err)
{
	int prefix;
	char *key = fold_key(name, &prefix);
	struct entry *e = key ? entry_keyed(p, key, prefix) : NULL;

	free(key);
	if (!e) {
		pb_error_set(err, PB_EXIT_USAGE, "procedure '%s' is not in the table", name);
		return -1;
	}
	for (const char *s = flags; *s;) {
		size_t n = strcspn(s, " \t");
		if (n == 5 && !memcmp(s, "small", 5))
			e->proc.small = 1;
		else if (n == 5 && !memcmp(s, "cites", 5))
			e->proc.cites = 1;
		else if (n) {
			pb_error_set(err, PB_EXIT_USAGE, "procedure '%s': flag '%.*s' is not small or cites",
				     name, (int)n, s);
			return -1;
		}
		s += n;
		s += strspn(s, " \t");
	}
	return 0;
}

int pb_procedures_add(pb_procedures *p, const char *name, const char *spec, pb_error *err)
{
	char *words = pb_xstrdup(spec), *method, *competitive, *flags;
	int rc = -1;

	for (char *s = words; *s; s++)
		if (*s == '|' || *s == ',' || *s == '\t')
			*s = ' ';
	method = words + strspn(words, " ");
	competitive = method + strcspn(method, " ");
	if (*competitive)
		*competitive++ = '\0';
	competitive += strspn(competitive, " ");
	flags = competitive + strcspn(competitive, " ");
	if (*flags)
		*flags++ = '\0';
	if (!*method || !*competitive)
		pb_error_set(err, PB_EXIT_USAGE, "%s: write 'METHOD yes' or 'METHOD no', then 'small' or "
			     "'cites' if they apply, not '%s'", name, spec);
	else if (pb_procedures_set(p, name, method, competitive, err) == 0 &&
		 pb_procedures_mark(p, name, flags, err) == 0)
		rc = 0;
	free(words);
	return rc;
}

pb_procedures *pb_procedures_new(void)
{
	pb_procedures *p = pb_xcalloc(1, sizeof(*p));
	pb_error err;

	for (size_t i = 0; builtin_lines[i]; i++) {
		const char *line = builtin_lines[i], *bar = strchr(line, '|');
		if (*line == '#' || strspn(line, " \t") == strlen(line))
			continue;
		/* NAME | METHOD | YES [| FLAGS]: the name, then the words of a
		 * [procedures] value.  The built-in table is ours: a bad line is
		 * a bug, caught by the tests. */
		const char *name = line;
		size_t n = bar ? (size_t)(bar - line) : 0;
		pb_trim(&name, &n);
		char *key = pb_xstrndup(name, n);
		if (!bar || !n || pb_procedures_add(p, key, bar + 1, &err) < 0)
			pb_fatal("internal error: built-in procedure table: '%s'", line);
		free(key);
	}
	return p;
}

void pb_procedures_free(pb_procedures *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free((char *)p->e[i].proc.name);
		free(p->e[i].key);
	}
	free(p->e);
	free(p);
}

const pb_procedure *pb_procedures_find(const pb_procedures *p, const char *name)
{
	const struct entry *best = NULL;
	int prefix;
	char *key;

	if (!p || !name || !(key = fold_key(name, &prefix)))
		return NULL;
	size_t n = strlen(key);
	/* Called for the rationale of every tender whose details the table
	 * does not know: an entry whose first byte or length rules it out
	 * is passed over before any compare. */
	for (size_t i = 0; i < p->n; i++) {
		const struct entry *e = &p->e[i];
		if (e->key[0] != key[0] || e->len > n)
			continue;
		if (!e->prefix && e->len == n && !memcmp(e->key, key, n)) {
			best = e;
			break;
		}
		if (e->prefix && !memcmp(e->key, key, e->len) && (!best || best->len < e->len))
			best = e;
	}
	free(key);
	return best ? &best->proc : NULL;
}

/* A rationale that is a procedure's name, as some publishers fill it
 * ("36 ADJUDICACION DIRECTA ART.41"): its leading code number dropped. */
static const pb_procedure *named_in_rationale(const pb_procedures *p, const char *rationale)
{
	if (!rationale)
		return NULL;
	while (*rationale >= '0' && *rationale <= '9')
		rationale++;
	while (*rationale == ' ' || *rationale == '-' || *rationale == '.')
		rationale++;
	return *rationale ? pb_procedures_find(p, rationale) : NULL;
}

const pb_procedure *pb_procedure_of(const pb_procedures *p, const char *method,
				    const char *method_details, const char *rationale)
{
	const pb_procedure *proc = pb_procedures_find(p, method_details);

	if (!proc)
		proc = named_in_rationale(p, rationale);
	return proc ? proc : pb_procedures_find(p, method);
}

int pb_procedure_is_rationale(const pb_procedures *p, const char *rationale)
{
	const pb_procedure *named = named_in_rationale(p, rationale);

	return named && !named->cites;
}
