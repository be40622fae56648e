/*
 * config.c - defaults, the INI loader and `probity init`.
 *
 * Parameters are kept as text and parsed after the whole file is read,
 * because a money threshold's minor units depend on base_currency, which
 * may come later in the file.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <iconv.h>
#include <inttypes.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "ini.h"
#include "normalize.h"

#define DEFAULT_MAX_FIELD_BYTES (1u << 20)
#define DEFAULT_MAX_STREAM_BYTES ((size_t)1 << 30)
#define DEFAULT_PART_BYTES ((size_t)8 << 20)

/*
 * "100000 EUR" or "100000": an amount in minor units of the currency
 * written after it (any case), else of the base currency.  A trailing
 * word of letters is taken for a currency, so "100000 EURO" is an error
 * naming it rather than "not a number".
 */
static int money_parse(const pb_config *cfg, const char *text, int64_t *v,
		       char code[4], pb_buf *why)
{
	const char *reason = NULL, *end = text + strlen(text);
	const char *word = end;
	size_t n;

	while (word > text && ((word[-1] >= 'A' && word[-1] <= 'Z') ||
			       (word[-1] >= 'a' && word[-1] <= 'z')))
		word--;
	code[0] = '\0';
	if (word < end) {
		if (word == text || (word[-1] != ' ' && word[-1] != '\t') || end - word != 3) {
			pb_buf_addf(why, "'%s' is not an amount followed by an ISO 4217 "
				    "currency code (write e.g. '100000 EUR')", text);
			return -1;
		}
		for (int k = 0; k < 3; k++)
			code[k] = (char)(word[k] & ~0x20); /* ASCII upper case */
		code[3] = '\0';
		if (pb_currency_exponent(code) < 0) {
			pb_buf_addf(why, "'%s': '%.3s' is not an ISO 4217 currency code",
				    text, word);
			code[0] = '\0';
			return -1;
		}
	}
	n = (size_t)(word - text);
	if (pb_amount_parse(text, n, pb_currency_exponent(code[0] ? code : cfg->base_currency),
			    pb_numfmt_default, v, &reason) == 0 && *v < 0)
		reason = "is negative";
	if (reason) {
		pb_buf_addf(why, "'%s' %s", text, reason);
		code[0] = '\0';
		return -1;
	}
	return 0;
}

/* Parses one parameter's text into cfg's number/pattern slots. */
static int param_parse(const pb_config *cfg, const pb_param_def *pd,
		       pb_rule_config *rc, int pi, const char *text, pb_buf *why)
{
	const char *reason = NULL;
	size_t n = strlen(text);
	int64_t v = 0;
	char code[4];

	switch (pd->type) {
	case PB_P_MONEY:
		if (money_parse(cfg, text, &v, code, why) < 0)
			return -1;
		memcpy(rc->currencies[pi], code, sizeof(code));
		break;
	case PB_P_INT:
	case PB_P_DAYS:
		if (pb_int_parse(text, n, &v, &reason) == 0 && v < 0)
			reason = "is negative";
		break;
	case PB_P_PERCENT:
		if (n && text[n - 1] == '%')
			n--;
		/* fall through */
	case PB_P_DECIMAL:
		if (pb_decimal_parse(text, n, pb_numfmt_default, &v, &reason) == 0 &&
		    v < 0)
			reason = "is negative";
		break;
	case PB_P_PATTERNS: {
		pb_pattern_list *pl = NULL;
		if (pb_patterns_compile(text, &pl, why) < 0)
			return -1;
		if (pd->def && !strcmp(text, pd->def))
			pb_patterns_jit(pl);
		pb_patterns_free(rc->compiled[pi]);
		rc->compiled[pi] = pl;
		return 0;
	}
	case PB_P_TEXT:
		return 0;
	}
	if (reason) {
		pb_buf_addf(why, "'%s' %s", text, reason);
		return -1;
	}
	rc->numbers[pi] = v;
	return 0;
}

static size_t param_count(const pb_rule *r)
{
	size_t n = 0;

	while (r->params && r->params[n].name)
		n++;
	return n;
}

/* (Re)parses every parameter of every rule; defaults must always parse. */
static int config_finalize(pb_config *cfg, pb_error *err)
{
	pb_buf why;

	pb_buf_init(&why);
	for (size_t ri = 0; ri < pb_nrules; ri++) {
		const pb_rule *r = pb_rules[ri];
		pb_rule_config *rc = &cfg->rules[ri];
		for (size_t pi = 0; pi < param_count(r); pi++) {
			const pb_param_def *pd = &r->params[pi];
			const char *text = rc->values[pi] ? rc->values[pi] : pd->def;
			if (param_parse(cfg, pd, rc, (int)pi, text, &why) < 0) {
				char at[32] = "";
				if (rc->lines[pi])
					snprintf(at, sizeof(at), ":%" PRIu64, rc->lines[pi]);
				pb_error_set(err, PB_EXIT_USAGE,
					     "%s%s: [rule %s] %s: %s",
					     cfg->path ? cfg->path : "config", at,
					     r->id, pd->name, why.data);
				pb_buf_release(&why);
				return -1;
			}
		}
	}
	pb_buf_release(&why);
	return 0;
}

void pb_config_init(pb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->base_currency, "EUR");
	cfg->as_of = PB_DATE_NONE;
	cfg->fail_on = PB_SEV_HIGH;
	cfg->max_field_bytes = DEFAULT_MAX_FIELD_BYTES;
	cfg->max_stream_bytes = DEFAULT_MAX_STREAM_BYTES;
	cfg->max_rejected_pct = 50;
	cfg->part_bytes = DEFAULT_PART_BYTES;
	cfg->procedures = pb_procedures_new();
	cfg->rules = pb_xcalloc(pb_nrules, sizeof(*cfg->rules));
	for (size_t ri = 0; ri < pb_nrules; ri++) {
		size_t np = param_count(pb_rules[ri]) + 1;
		cfg->rules[ri].enabled = 1;
		cfg->rules[ri].severity = -1;
		cfg->rules[ri].values = pb_xcalloc(np, sizeof(char *));
		cfg->rules[ri].compiled = pb_xcalloc(np, sizeof(pb_pattern_list *));
		cfg->rules[ri].numbers = pb_xcalloc(np, sizeof(int64_t));
		cfg->rules[ri].currencies = pb_xcalloc(np, sizeof(*cfg->rules[ri].currencies));
		cfg->rules[ri].lines = pb_xcalloc(np, sizeof(*cfg->rules[ri].lines));
	}
	pb_error err;
	if (config_finalize(cfg, &err) < 0) {
		pb_fatal("internal error: default %s", err.msg);
	}
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void matches_free(pb_match *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].text);
		free(m[i].to);
		pcre2_code_free(m[i].re);
	}
	free(m);
}

static void renames_free(pb_rename *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].canonical);
		free(v[i].source);
		strv_free(v[i].alts, v[i].nalts);
	}
	free(v);
}

static void profile_release(pb_profile *p)
{
	free(p->name);
	free(p->files);
	free(p->table);
	free(p->date_format);
	free(p->encoding);
	free(p->origin);
	free(p->also);
	renames_free(p->renames, p->nrenames);
	renames_free(p->extras, p->nextras);
	for (size_t i = 0; i < p->nopts; i++) {
		free(p->opts[i].field);
		free(p->opts[i].date_format);
		matches_free(p->opts[i].items, p->opts[i].nitems);
	}
	free(p->opts);
	for (size_t i = 0; i < p->nsplits; i++) {
		free(p->splits[i].header);
		pcre2_code_free(p->splits[i].re);
		strv_free(p->splits[i].groups, p->splits[i].ngroups);
	}
	free(p->splits);
	for (size_t i = 0; i < p->nfilters; i++) {
		free(p->filters[i].name);
		free(p->filters[i].header);
		pcre2_code_free(p->filters[i].re);
	}
	free(p->filters);
	matches_free(p->nulls, p->nnulls);
	for (size_t i = 0; i < p->nparties; i++) {
		free(p->parties[i].field);
		strv_free(p->parties[i].names, p->parties[i].nnames);
		strv_free(p->parties[i].registry, p->parties[i].nregistry);
	}
	free(p->parties);
	strv_free(p->months, p->months ? 12 : 0);
	free(p->months_text);
}

void pb_config_release(pb_config *cfg)
{
	for (size_t ri = 0; cfg->rules && ri < pb_nrules; ri++) {
		size_t np = param_count(pb_rules[ri]);
		for (size_t pi = 0; pi < np; pi++) {
			free(cfg->rules[ri].values[pi]);
			pb_patterns_free(cfg->rules[ri].compiled[pi]);
		}
		free(cfg->rules[ri].values);
		free(cfg->rules[ri].compiled);
		free(cfg->rules[ri].numbers);
		free(cfg->rules[ri].currencies);
		free(cfg->rules[ri].lines);
	}
	free(cfg->rules);
	pb_patterns_free(cfg->legal_forms);
	pb_procedures_free(cfg->procedures);
	for (size_t i = 0; i < cfg->nprofiles; i++)
		profile_release(&cfg->profiles[i]);
	free(cfg->profiles);
	free(cfg->profile_name);
	free(cfg->history);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

int pb_config_set_param(pb_config *cfg, const char *rule_id, const char *key,
			const char *value, pb_error *err)
{
	const pb_rule *r = pb_rule_find(rule_id);
	pb_buf why;

	if (!r) {
		pb_error_set(err, PB_EXIT_USAGE, "unknown rule '%s'", rule_id);
		return -1;
	}
	int ri = pb_rule_index(r), pi = pb_rule_param_index(r, key);
	if (pi < 0) {
		pb_error_set(err, PB_EXIT_USAGE,
			     "[rule %s]: unknown key '%s'", rule_id, key);
		return -1;
	}
	pb_rule_config *rc = &cfg->rules[ri];
	pb_buf_init(&why);
	if (param_parse(cfg, &r->params[pi], rc, pi, value, &why) < 0) {
		pb_error_set(err, PB_EXIT_USAGE, "[rule %s] %s: %s", rule_id,
			     key, why.data);
		pb_buf_release(&why);
		return -1;
	}
	pb_buf_release(&why);
	free(rc->values[pi]);
	rc->values[pi] = pb_xstrdup(value);
	return 0;
}

/* --- the INI loader --- */

struct loader {
	pb_config *cfg;
	pb_error *err;
	int failed;
	/* The line being handed over is an indented continuation of the
	 * previous key, which takes a list: its value is appended. */
	int continued;
	pb_buf legal_forms;
	int named;          /* reading a profile file given by name */
	const char *origin; /* the file being read */
	uint64_t line;      /* the line being handed over */
};

static int fail(struct loader *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct loader *ld, const char *fmt, ...)
{
	va_list ap;

	if (ld->failed)
		return 0;
	ld->failed = 1;
	ld->err->code = PB_EXIT_USAGE;
	va_start(ap, fmt);
	vsnprintf(ld->err->msg, sizeof(ld->err->msg), fmt, ap);
	va_end(ap);
	return 0;
}

static int audit_key(struct loader *ld, const char *key, const char *value)
{
	pb_config *cfg = ld->cfg;
	const char *why;

	if (!strcmp(key, "base_currency")) {
		if (pb_currency_exponent(value) < 0)
			return fail(ld, "[audit] base_currency '%s' is not an ISO 4217 code", value);
		strcpy(cfg->base_currency, value);
	} else if (!strcmp(key, "as_of")) {
		if (pb_date_parse(value, strlen(value), NULL, &cfg->as_of, &why) < 0)
			return fail(ld, "[audit] as_of '%s' %s", value, why);
	} else if (!strcmp(key, "fail_on")) {
		pb_severity s;
		if (!strcmp(value, "none"))
			cfg->fail_on = PB_SEV_COUNT;
		else if (pb_severity_parse(value, &s) == 0)
			cfg->fail_on = (int)s;
		else
			return fail(ld, "[audit] fail_on '%s' is not low, medium, high, critical or none", value);
	} else if (!strcmp(key, "profile")) {
		free(cfg->profile_name);
		cfg->profile_name = pb_xstrdup(value);
	} else if (!strcmp(key, "history")) {
		free(cfg->history);
		cfg->history = pb_xstrdup(value);
	} else if (!strcmp(key, "history_wait")) {
		int64_t v;
		if (pb_int_parse(value, strlen(value), &v, &why) < 0 || v < 0 || v > 86400)
			return fail(ld, "[audit] history_wait '%s' must be whole seconds from 0 to 86400", value);
		cfg->history_wait_ms = (long)v * 1000;
	} else if (!strcmp(key, "keep_going")) {
		if (pb_bool_parse(value, strlen(value), &cfg->keep_going, &why) < 0)
			return fail(ld, "[audit] keep_going '%s' %s", value, why);
	} else if (!strcmp(key, "max_rejected_pct")) {
		int64_t v;
		if (pb_int_parse(value, strlen(value), &v, &why) < 0 || v < 0 || v > 100)
			return fail(ld, "[audit] max_rejected_pct '%s' must be a whole number from 0 to 100 "
				    "(100: never)", value);
		cfg->max_rejected_pct = (int)v;
	} else if (!strcmp(key, "jobs")) {
		int64_t v;
		if (pb_int_parse(value, strlen(value), &v, &why) < 0 || v < 0 || v > PB_MAX_JOBS)
			return fail(ld, "[audit] jobs '%s' must be a whole number from 0 (one per core) to %d",
				    value, PB_MAX_JOBS);
		cfg->jobs = (int)v;
	} else if (!strcmp(key, "max_field_bytes")) {
		int64_t v;
		if (pb_int_parse(value, strlen(value), &v, &why) < 0 || v < 1024)
			return fail(ld, "[audit] max_field_bytes '%s' must be a whole number >= 1024", value);
		cfg->max_field_bytes = (size_t)v;
	} else if (!strcmp(key, "max_stream_bytes")) {
		int64_t v;
		if (pb_int_parse(value, strlen(value), &v, &why) < 0 || v < 65536 || (uint64_t)v > SIZE_MAX / 2)
			return fail(ld, "[audit] max_stream_bytes '%s' must be a whole number >= 65536", value);
		cfg->max_stream_bytes = (size_t)v;
	} else if (!strcmp(key, "part_bytes")) {
		int64_t v;
		if (pb_int_parse(value, strlen(value), &v, &why) < 0 || v < 0 || (uint64_t)v > SIZE_MAX / 4)
			return fail(ld, "[audit] part_bytes '%s' must be a whole number of bytes (0: never)", value);
		cfg->part_bytes = (size_t)v;
	} else {
		return fail(ld, "[audit]: unknown key '%s'", key);
	}
	return 1;
}

static int rule_key(struct loader *ld, const char *id, const char *key,
		    const char *value)
{
	const pb_rule *r = pb_rule_find(id);
	pb_rule_config *rc;

	if (!r)
		return fail(ld, "unknown rule '%s' in section [rule %s]", id, id);
	rc = &ld->cfg->rules[pb_rule_index(r)];
	if (!strcmp(key, "enabled")) {
		const char *why;
		if (pb_bool_parse(value, strlen(value), &rc->enabled, &why) < 0)
			return fail(ld, "[rule %s] enabled '%s' %s", id, value, why);
		return 1;
	}
	if (!strcmp(key, "severity")) {
		pb_severity s;
		if (pb_severity_parse(value, &s) < 0)
			return fail(ld, "[rule %s] severity '%s' is not low, medium, high or critical", id, value);
		rc->severity = (int)s;
		return 1;
	}
	int pi = pb_rule_param_index(r, key);
	if (pi < 0)
		return fail(ld, "[rule %s]: unknown key '%s'", id, key);
	/* A long list may go on continuation lines: patterns one a line,
	 * text words joined. */
	pb_param_type type = r->params[pi].type;
	if (ld->continued && (type == PB_P_PATTERNS || type == PB_P_TEXT) && rc->values[pi]) {
		pb_buf b;
		pb_buf_init(&b);
		pb_buf_addf(&b, "%s%c%s", rc->values[pi], type == PB_P_TEXT ? ' ' : '\n', value);
		free(rc->values[pi]);
		rc->values[pi] = pb_buf_detach(&b);
		return 1;
	}
	free(rc->values[pi]);
	rc->values[pi] = pb_xstrdup(value);
	rc->lines[pi] = ld->line; /* parsed once [audit] is known: errors name it */
	return 1;
}

static pb_profile *profile_get(pb_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nprofiles; i++)
		if (!strcmp(cfg->profiles[i].name, name))
			return &cfg->profiles[i];
	cfg->profiles = pb_xreallocarray(cfg->profiles, cfg->nprofiles + 1,
					 sizeof(*cfg->profiles));
	pb_profile *p = &cfg->profiles[cfg->nprofiles++];
	memset(p, 0, sizeof(*p));
	p->name = pb_xstrdup(name);
	p->numfmt = pb_numfmt_default;
	p->year_pivot = 50;
	return p;
}

static int separator_value(const char *v, char *out)
{
	if (!strcmp(v, "none") || !*v)
		*out = 0;
	else if (!strcmp(v, "tab") || !strcmp(v, "\\t"))
		*out = '\t';
	else if (!strcmp(v, "semicolon"))
		*out = ';';
	else if (!strcmp(v, "comma"))
		*out = ',';
	else if (!strcmp(v, "space"))
		*out = ' ';
	else if (strlen(v) == 1 && strchr(",.;'|", *v))
		*out = *v;
	else
		return -1;
	return 0;
}

/* "A | B | C" -> trimmed alternatives; a leading '?' sets *optional. */
static char **split_alts(const char *value, size_t *n, int *optional)
{
	char **v = NULL;
	const char *p = value;

	*n = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (optional)
		*optional = *p == '?';
	if (optional && *optional)
		p++;
	for (;;) {
		size_t k = strcspn(p, "|");
		const char *t = p;
		size_t len = k;
		pb_trim(&t, &len);
		if (len) {
			v = pb_xreallocarray(v, *n + 1, sizeof(*v));
			v[(*n)++] = pb_xstrndup(t, len);
		}
		if (!p[k])
			break;
		p += k + 1;
	}
	return v;
}

static pcre2_code *regex_compile(const char *re, size_t len, int caseless, pb_buf *why)
{
	return pb_pattern_compile(re, len, PCRE2_UTF | PCRE2_UCP | (caseless ? PCRE2_CASELESS : 0), why);
}

/* One matcher: '*' any value, /PCRE2/ (/.../i caseless), "exact", else
 * text compared after folding case, accents and blanks. */
static int match_parse(const char *text, pb_match *m, pb_buf *why)
{
	size_t n = strlen(text);

	memset(m, 0, sizeof(*m));
	pb_trim(&text, &n);
	if (n == 1 && *text == '*') {
		m->mode = PB_MATCH_ANY;
	} else if (n >= 2 && *text == '/' && (text[n - 1] == '/' ||
					      (n >= 3 && text[n - 2] == '/' && text[n - 1] == 'i'))) {
		int ci = text[n - 1] == 'i';
		m->mode = PB_MATCH_REGEX;
		m->re = regex_compile(text + 1, n - 2 - (size_t)ci, ci, why);
		if (!m->re)
			return -1;
	} else if (n >= 2 && *text == '"' && text[n - 1] == '"') {
		m->mode = PB_MATCH_EXACT;
		m->text = pb_xstrndup(text + 1, n - 2);
	} else {
		char *raw = pb_xstrndup(text, n);
		m->mode = PB_MATCH_NOCASE;
		m->text = pb_fold_text(raw);
		free(raw);
		if (!m->text) {
			pb_buf_addf(why, "'%s' is not valid UTF-8", text);
			return -1;
		}
	}
	return 0;
}

int pb_match_one(const pb_match *m, const char *s, size_t n)
{
	switch (m->mode) {
	case PB_MATCH_ANY:
		return 1;
	case PB_MATCH_EXACT:
		return strlen(m->text) == n && !memcmp(m->text, s, n);
	case PB_MATCH_REGEX: {
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(m->re, NULL);
		int rc = pcre2_match(m->re, (PCRE2_SPTR)s, n, 0, 0, md, pb_pattern_limits());
		pcre2_match_data_free(md);
		if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
			return -1;
		return rc >= 0;
	}
	case PB_MATCH_NOCASE: {
		char *raw = pb_xstrndup(s, n), *f = pb_fold_text(raw);
		int hit = f && !strcmp(f, m->text);
		free(raw);
		free(f);
		return hit;
	}
	}
	return 0;
}

static pb_field_opts *opts_get(pb_profile *p, const char *field)
{
	for (size_t i = 0; i < p->nopts; i++)
		if (!strcmp(p->opts[i].field, field))
			return &p->opts[i];
	p->opts = pb_xreallocarray(p->opts, p->nopts + 1, sizeof(*p->opts));
	pb_field_opts *o = &p->opts[p->nopts++];
	memset(o, 0, sizeof(*o));
	o->field = pb_xstrdup(field);
	return o;
}

const pb_field_opts *pb_profile_opts(const pb_profile *p, const char *field)
{
	for (size_t i = 0; p && i < p->nopts; i++)
		if (!strcmp(p->opts[i].field, field))
			return &p->opts[i];
	return NULL;
}


static int add_map_line(struct loader *ld, pb_profile *p, const char *field,
			const char *value)
{
	const char *arrow = NULL;
	pb_buf why;

	for (const char *q = strstr(value, "=>"); q; q = strstr(q + 2, "=>"))
		arrow = q;
	if (!arrow)
		return fail(ld, "[profile %s] map.%s: '%s' is not 'VALUE => CANONICAL' "
			    "(VALUE: text, \"exact text\", /PCRE2/ or *)", p->name, field, value);
	pb_field_opts *o = opts_get(p, field);
	char *from = pb_xstrndup(value, (size_t)(arrow - value));
	const char *to = arrow + 2;
	size_t tn = strlen(to);
	pb_match m;
	pb_buf_init(&why);
	int rc = match_parse(from, &m, &why);
	free(from);
	if (rc < 0) {
		fail(ld, "[profile %s] map.%s: %s", p->name, field, why.data);
		pb_buf_release(&why);
		return 0;
	}
	pb_buf_release(&why);
	pb_trim(&to, &tn);
	m.to = pb_xstrndup(to, tn);
	o->items = pb_xreallocarray(o->items, o->nitems + 1, sizeof(*o->items));
	o->items[o->nitems++] = m;
	return 1;
}

static int add_null(struct loader *ld, pb_profile *p, const char *value)
{
	pb_match m;
	pb_buf why;

	pb_buf_init(&why);
	if (match_parse(value, &m, &why) < 0) {
		fail(ld, "[profile %s] null: %s", p->name, why.data);
		pb_buf_release(&why);
		return 0;
	}
	pb_buf_release(&why);
	if (m.mode == PB_MATCH_ANY)
		return fail(ld, "[profile %s] null: '*' would empty every cell", p->name);
	p->nulls = pb_xreallocarray(p->nulls, p->nnulls + 1, sizeof(*p->nulls));
	p->nulls[p->nnulls++] = m;
	return 1;
}

static int add_split(struct loader *ld, pb_profile *p, const char *header,
		     const char *value)
{
	pb_buf why;
	uint32_t count = 0, size = 0;
	PCRE2_SPTR table;

	pb_buf_init(&why);
	pcre2_code *re = regex_compile(value, strlen(value), 1, &why);
	if (!re) {
		fail(ld, "[profile %s] split.%s: %s", p->name, header, why.data);
		pb_buf_release(&why);
		return 0;
	}
	pb_buf_release(&why);
	pcre2_pattern_info(re, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(re, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(re, PCRE2_INFO_NAMETABLE, &table);
	if (!count) {
		pcre2_code_free(re);
		return fail(ld, "[profile %s] split.%s: the pattern names no group "
			    "(write (?<invoice_id>...) for each field)", p->name, header);
	}
	p->splits = pb_xreallocarray(p->splits, p->nsplits + 1, sizeof(*p->splits));
	pb_split *sp = &p->splits[p->nsplits++];
	sp->header = pb_xstrdup(header);
	sp->re = re;
	sp->ngroups = 0;
	uint32_t ncap = 0;
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &ncap);
	sp->groups = pb_xcalloc(ncap + 1, sizeof(*sp->groups));
	sp->ngroups = ncap + 1;
	for (uint32_t i = 0; i < count; i++) {
		PCRE2_SPTR e = table + (size_t)i * size;
		int num = (e[0] << 8) | e[1];
		sp->groups[num] = pb_xstrdup((const char *)e + 2);
	}
	return 1;
}

static int add_filter(struct loader *ld, pb_profile *p, const char *name,
		      const char *value)
{
	const char *tilde = strstr(value, " ~ ");
	pb_buf why;

	if (!tilde)
		return fail(ld, "[profile %s] filter.%s: '%s' is not 'COLUMN ~ PCRE2' "
			    "(COLUMN * for any cell)", p->name, name, value);
	const char *h = value, *re = tilde + 3;
	size_t hn = (size_t)(tilde - value), rn = strlen(re);
	pb_trim(&h, &hn);
	pb_trim(&re, &rn);
	pb_buf_init(&why);
	pcre2_code *code = regex_compile(re, rn, 1, &why);
	if (!code) {
		fail(ld, "[profile %s] filter.%s: %s", p->name, name, why.data);
		pb_buf_release(&why);
		return 0;
	}
	pb_buf_release(&why);
	p->filters = pb_xreallocarray(p->filters, p->nfilters + 1, sizeof(*p->filters));
	pb_filter *f = &p->filters[p->nfilters++];
	f->name = pb_xstrdup(name);
	f->header = hn == 1 && *h == '*' ? NULL : pb_xstrndup(h, hn);
	f->re = code;
	return 1;
}

static pb_party_spec *party_get(pb_profile *p, const char *field)
{
	for (size_t i = 0; i < p->nparties; i++)
		if (!strcmp(p->parties[i].field, field))
			return &p->parties[i];
	p->parties = pb_xreallocarray(p->parties, p->nparties + 1, sizeof(*p->parties));
	pb_party_spec *ps = &p->parties[p->nparties++];
	memset(ps, 0, sizeof(*ps));
	ps->field = pb_xstrdup(field);
	return ps;
}

/* {Header}, {@file} and {@line}; braces must pair. */
static int template_valid(const char *t)
{
	for (const char *q = t; *q; q++) {
		if (*q == '}')
			return -1;
		if (*q != '{')
			continue;
		const char *close = strchr(q, '}');
		if (!close || close == q + 1 || memchr(q + 1, '{', (size_t)(close - q - 1)))
			return -1;
		q = close;
	}
	return strchr(t, '{') ? 0 : -1;
}

/* A continuation line of a list of header alternatives: more of them. */
static void alts_append(char ***alts, size_t *n, const char *value)
{
	size_t k;
	char **more = split_alts(value, &k, NULL);

	*alts = pb_xreallocarray(*alts, *n + k + 1, sizeof(**alts));
	memcpy(*alts + *n, more, k * sizeof(*more));
	*n += k;
	free(more);
}

/* An indented line after a key naming columns: one more alternative for
 * the last entry of v, when it is `field`'s. */
static int rename_continues(const struct loader *ld, pb_rename *v, size_t n, const char *field,
			    const char *value)
{
	if (!ld->continued || !n || strcmp(v[n - 1].canonical, field))
		return 0;
	alts_append(&v[n - 1].alts, &v[n - 1].nalts, value);
	return 1;
}

static int rename_given(const pb_rename *v, size_t n, const char *field)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].canonical, field))
			return 1;
	return 0;
}

/* A new entry at the end of *v: the field, the value as written, its
 * kind, and for a column the header alternatives (none: NULL alts). */
static pb_rename *rename_push(pb_rename **v, size_t *n, pb_src_kind kind, const char *field,
			      const char *value)
{
	*v = pb_xreallocarray(*v, *n + 1, sizeof(**v));
	pb_rename *r = &(*v)[(*n)++];
	memset(r, 0, sizeof(*r));
	r->canonical = pb_xstrdup(field);
	r->source = pb_xstrdup(value);
	r->kind = kind;
	if (kind == PB_SRC_COLUMN || kind == PB_SRC_COPY)
		r->alts = split_alts(value, &r->nalts, &r->optional);
	return r;
}

static int add_source(struct loader *ld, pb_profile *p, pb_src_kind kind,
		      const char *field, const char *value)
{
	int column = kind == PB_SRC_COLUMN || kind == PB_SRC_COPY;

	if (column && rename_continues(ld, p->renames, p->nrenames, field, value))
		return 1;
	if (kind == PB_SRC_TEMPLATE && template_valid(value) < 0)
		return fail(ld, "[profile %s] key.%s: '%s' is not a template of "
			    "{Header}, {@file} and {@line} parts", p->name, field, value);
	if (rename_given(p->renames, p->nrenames, field))
		return fail(ld, "[profile %s] %s is given twice (col., copy., const. "
			    "and key. each fill a field)", p->name, field);
	if (!rename_push(&p->renames, &p->nrenames, kind, field, value)->nalts && column)
		return fail(ld, "[profile %s] %s: no column named", p->name, field);
	return 1;
}

/* extra.NAME = Header | Other: the column kept as the row's extra
 * attribute NAME (lower-case letters, digits, '_'), whatever the export
 * calls it, for rules that read one by name (payments.duplicate's
 * invoice_date). */
static int add_extra_key(struct loader *ld, pb_profile *p, const char *name, const char *value)
{
	if (rename_continues(ld, p->extras, p->nextras, name, value))
		return 1;
	if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name))
		return fail(ld, "[profile %s] extra.%s: write the name in lower-case letters, digits "
			    "and '_' (extra.invoice_date)", p->name, name);
	if (rename_given(p->extras, p->nextras, name))
		return fail(ld, "[profile %s] extra.%s is given twice", p->name, name);
	if (!rename_push(&p->extras, &p->nextras, PB_SRC_COLUMN, name, value)->nalts)
		return fail(ld, "[profile %s] extra.%s: no column named", p->name, name);
	return 1;
}

static int int_value(const char *v, int lo, int hi, int *out)
{
	int64_t x;
	const char *why;

	if (pb_int_parse(v, strlen(v), &x, &why) < 0 || x < lo || x > hi)
		return -1;
	*out = (int)x;
	return 0;
}

/* Each alternative folded on its own: folding turns '|' into a blank. */
static char *fold_alts(const char *tok)
{
	pb_buf b;
	size_t n;
	char **alts = split_alts(tok, &n, NULL);

	pb_buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		char *f = pb_fold_text(alts[i]);
		if (f && *f)
			pb_buf_addf(&b, "%s%s", b.len ? "|" : "", f);
		free(f);
	}
	strv_free(alts, n);
	if (!b.len) {
		pb_buf_release(&b);
		return NULL;
	}
	return pb_buf_detach(&b);
}

static int months_value(pb_profile *p, const char *value)
{
	char *copy = pb_xstrdup(value), *save = NULL;
	char **m = pb_xcalloc(13, sizeof(*m));
	size_t n = 0;

	for (char *tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		if (n == 12 || !(m[n] = fold_alts(tok))) {
			n = 13;
			break;
		}
		n++;
	}
	free(copy);
	if (n != 12) {
		strv_free(m, 13);
		return -1;
	}
	strv_free(p->months, p->months ? 12 : 0);
	p->months = m;
	return 0;
}

static int profile_key(struct loader *ld, const char *name, const char *key,
		       const char *value)
{
	pb_profile *p = profile_get(ld->cfg, name);
	char c;
	int v;

	if (!p->origin && ld->origin)
		p->origin = pb_xstrdup(ld->origin);
	p->named |= ld->named;
	if (!strcmp(key, "files")) {
		free(p->files);
		p->files = pb_xstrdup(value);
	} else if (!strcmp(key, "table")) {
		if (!pb_table_find(value))
			return fail(ld, "[profile %s] table '%s' is not a canonical table", name, value);
		free(p->table);
		p->table = pb_xstrdup(value);
	} else if (!strcmp(key, "delimiter")) {
		if (separator_value(value, &c) < 0 || (c != ',' && c != ';' && c != '\t' && c != '|'))
			return fail(ld, "[profile %s] delimiter '%s' is not comma, semicolon, tab or '|' (';' starts a comment in INI)", name, value);
		p->delimiter = c;
	} else if (!strcmp(key, "decimal")) {
		if (strcmp(value, ".") && strcmp(value, ","))
			return fail(ld, "[profile %s] decimal '%s' is not '.' or ','", name, value);
		p->numfmt.decimal = *value;
	} else if (!strcmp(key, "thousands")) {
		if (separator_value(value, &c) < 0 || c == ';' || c == '|' || c == '\t')
			return fail(ld, "[profile %s] thousands '%s' is not none, ',', '.', space or \"'\"", name, value);
		p->numfmt.thousands = c;
	} else if (!strcmp(key, "date_format")) {
		if (pb_date_format_valid(value) < 0)
			return fail(ld, "[profile %s] date_format '%s' needs the year (YYYY or YY), "
				    "the month (MM, M or MON) and the day (DD or D), once each", name, value);
		free(p->date_format);
		p->date_format = pb_xstrdup(value);
	} else if (!strcmp(key, "encoding") && !strcmp(value, "auto")) {
		/* UTF-8 when the file's start is valid UTF-8, else Windows-1252
		 * (what Excel on a UK or US Windows saves as "CSV") */
		free(p->encoding);
		p->encoding = pb_xstrdup("auto");
	} else if (!strcmp(key, "encoding")) {
		/* glibc's iconv knows "latin1" and "ISO-8859-1" but not the
		 * spelling people write most. */
		const char *enc = pb_strcaseeq(value, "latin-1") || pb_strcaseeq(value, "latin_1")
				  ? "ISO-8859-1" : value;
		iconv_t cd = iconv_open("UTF-8", enc);
		if (cd == (iconv_t)-1)
			return fail(ld, "[profile %s] encoding '%s' is not known to iconv", name, value);
		iconv_close(cd);
		free(p->encoding);
		p->encoding = pb_xstrdup(enc);
	} else if (!strcmp(key, "also")) {
		free(p->also);
		p->also = pb_xstrdup(value);
	} else if (!strcmp(key, "repeated_keys")) {
		if (strcmp(value, "filter") && strcmp(value, "reject"))
			return fail(ld, "[profile %s] repeated_keys '%s' is not reject or filter", name, value);
		p->repeats_filtered = !strcmp(value, "filter");
	} else if (!strcmp(key, "skip_lines")) {
		if (int_value(value, 0, 10000, &v) < 0)
			return fail(ld, "[profile %s] skip_lines '%s' is not a whole number from 0 to 10000", name, value);
		p->skip_lines = (unsigned)v;
	} else if (!strcmp(key, "year_pivot")) {
		if (int_value(value, 0, 100, &v) < 0)
			return fail(ld, "[profile %s] year_pivot '%s' is not a whole number from 0 to 100", name, value);
		p->year_pivot = v;
	} else if (!strcmp(key, "months")) {
		/* parsed once the file is read: the list may take several lines */
		pb_buf b;
		pb_buf_init(&b);
		pb_buf_addf(&b, "%s%s%s", ld->continued && p->months_text ? p->months_text : "",
			    ld->continued && p->months_text ? " " : "", value);
		free(p->months_text);
		p->months_text = pb_buf_detach(&b);
	} else if (!strcmp(key, "null")) {
		return add_null(ld, p, value);
	} else if (!strncmp(key, "col.", 4) && key[4]) {
		return add_source(ld, p, PB_SRC_COLUMN, key + 4, value);
	} else if (!strncmp(key, "copy.", 5) && key[5]) {
		return add_source(ld, p, PB_SRC_COPY, key + 5, value);
	} else if (!strncmp(key, "extra.", 6) && key[6]) {
		return add_extra_key(ld, p, key + 6, value);
	} else if (!strncmp(key, "const.", 6) && key[6]) {
		return add_source(ld, p, PB_SRC_CONST, key + 6, value);
	} else if (!strncmp(key, "key.", 4) && key[4]) {
		return add_source(ld, p, PB_SRC_TEMPLATE, key + 4, value);
	} else if (!strncmp(key, "map.", 4) && key[4]) {
		return add_map_line(ld, p, key + 4, value);
	} else if (!strncmp(key, "date.", 5) && key[5]) {
		pb_field_opts *o = opts_get(p, key + 5);
		const char *f = value;
		o->pick = !strncmp(f, "first ", 6) ? 1 : !strncmp(f, "last ", 5) ? 2 : 0;
		f += o->pick == 1 ? 6 : o->pick == 2 ? 5 : 0;
		if (pb_date_format_valid(f) < 0)
			return fail(ld, "[profile %s] date.%s '%s' needs the year (YYYY or YY), the month "
				    "(MM, M or MON) and the day (DD or D), once each, after an optional "
				    "'first' or 'last'", name, key + 5, value);
		free(o->date_format);
		o->date_format = pb_xstrdup(f);
	} else if (!strncmp(key, "split.", 6) && key[6]) {
		return add_split(ld, p, key + 6, value);
	} else if (!strncmp(key, "filter.", 7) && key[7]) {
		return add_filter(ld, p, key + 7, value);
	} else if (!strncmp(key, "party.", 6) && key[6]) {
		pb_party_spec *ps = party_get(p, key + 6);
		if (ld->continued) {
			alts_append(&ps->names, &ps->nnames, value);
			return 1;
		}
		strv_free(ps->names, ps->nnames);
		ps->names = split_alts(value, &ps->nnames, &ps->names_optional);
	} else if (!strncmp(key, "party_registry.", 15) && key[15]) {
		pb_party_spec *ps = party_get(p, key + 15);
		if (ld->continued) {
			alts_append(&ps->registry, &ps->nregistry, value);
			return 1;
		}
		strv_free(ps->registry, ps->nregistry);
		ps->registry = split_alts(value, &ps->nregistry, &ps->registry_optional);
	} else if (!strncmp(key, "party_country.", 14) && key[14]) {
		/* The profile's parties all of one country (a national
		 * register's buyers, a council paying): their holidays
		 * (timing.weekend-award) and fiscal years (pb_ctx_fiscal_start). */
		if (strlen(value) != 2 || !isupper((unsigned char)value[0]) ||
		    !isupper((unsigned char)value[1]))
			return fail(ld, "[profile %s] party_country.%s '%s' is not an ISO 3166-1 "
				    "alpha-2 code (MX, GB)", name, key + 14, value);
		memcpy(party_get(p, key + 14)->country, value, 3);
	} else {
		return fail(ld, "[profile %s]: unknown key '%s'", name, key);
	}
	return 1;
}

/* [procedures] NAME = METHOD yes|no [small] [cites]: one entry of the
 * procedure table (the words may also be separated by '|' or ','). */
static int procedure_key(struct loader *ld, const char *name, const char *value)
{
	pb_error err;

	if (pb_procedures_add(ld->cfg->procedures, name, value, &err) < 0)
		return fail(ld, "[procedures] %s", err.msg);
	return 1;
}

static int config_handler(void *user, const char *section, const char *key,
		       const char *value)
{
	struct loader *ld = user;

	if (ld->failed)
		return 0;
	if (ld->named && strncmp(section, "profile ", 8))
		return fail(ld, "a profile file holds only [profile NAME] sections, not [%s]", section);
	if (!strcmp(section, "audit"))
		return audit_key(ld, key, value);
	if (!strcmp(section, "parties")) {
		if (strcmp(key, "legal_forms"))
			return fail(ld, "[parties]: unknown key '%s'", key);
		if (!ld->continued)
			pb_buf_reset(&ld->legal_forms);
		pb_buf_addf(&ld->legal_forms, "%s\n", value);
		return 1;
	}
	if (!strcmp(section, "procedures"))
		return procedure_key(ld, key, value);
	if (!strncmp(section, "rule ", 5))
		return rule_key(ld, section + 5, key, value);
	if (!strncmp(section, "profile ", 8) && section[8])
		return profile_key(ld, section + 8, key, value);
	return fail(ld, "unknown section [%s]", section);
}

/* A field a profile fills must be a column of its table ("parties.x"
 * style names are not supported: derived parties come from party.F). */
static int field_check(const pb_profile *p, const char *what, const char *field,
		       pb_error *err, const char *path)
{
	const pb_table_def *def = p->table ? pb_table_find(p->table) : NULL;

	if (!def || pb_table_column(def, field) >= 0)
		return 0;
	pb_buf cols;
	pb_buf_init(&cols);
	for (size_t c = 0; c < def->ncolumns; c++)
		pb_buf_addf(&cols, "%s%s", c ? ", " : "", def->columns[c].name);
	pb_error_set(err, PB_EXIT_USAGE, "%s: [profile %s] %s%s: '%s' is not a column of table %s (%s)",
		     path, p->name, what, field, field, def->name, cols.data);
	pb_buf_release(&cols);
	return -1;
}

/* Two col. fields naming one export column: the second would silently
 * stay empty in older versions; now copy.F must say it is meant. */
static int column_reuse_check(const pb_profile *p, pb_error *err, const char *path)
{
	for (size_t i = 0; i < p->nrenames; i++)
		for (size_t j = i + 1; j < p->nrenames; j++) {
			const pb_rename *a = &p->renames[i], *b = &p->renames[j];
			if (a->kind != PB_SRC_COLUMN || b->kind != PB_SRC_COLUMN)
				continue;
			for (size_t x = 0; x < a->nalts; x++)
				for (size_t y = 0; y < b->nalts; y++)
					if (pb_strcaseeq(a->alts[x], b->alts[y])) {
						pb_error_set(err, PB_EXIT_USAGE,
							     "%s: [profile %s] col.%s and col.%s both name column '%s'; "
							     "to fill a second field from one column write copy.%s = %s",
							     path, p->name, a->canonical, b->canonical,
							     a->alts[x], b->canonical, a->alts[x]);
						return -1;
					}
		}
	return 0;
}

static int profile_check(pb_profile *p, pb_error *err, const char *path)
{
	if (p->months_text && months_value(p, p->months_text) < 0) {
		pb_error_set(err, PB_EXIT_USAGE, "%s: [profile %s] months: write the twelve month "
			     "names in order, blank-separated, alternatives joined by '|' "
			     "(enero|ene febrero|feb ...)", path, p->name);
		return -1;
	}
	if (p->numfmt.thousands && p->numfmt.thousands == p->numfmt.decimal) {
		pb_error_set(err, PB_EXIT_USAGE,
			     "%s: [profile %s] decimal and thousands separators are both '%c'",
			     path, p->name, p->numfmt.decimal);
		return -1;
	}
	if (column_reuse_check(p, err, path) < 0)
		return -1;
	for (size_t i = 0; i < p->nrenames; i++) {
		static const char *const kinds[] = {"col.", "copy.", "const.", "key."};
		if (field_check(p, kinds[p->renames[i].kind], p->renames[i].canonical, err, path) < 0)
			return -1;
	}
	for (size_t i = 0; i < p->nopts; i++)
		if (field_check(p, p->opts[i].date_format ? "date." : "map.", p->opts[i].field,
				err, path) < 0)
			return -1;
	const pb_table_def *def = p->table ? pb_table_find(p->table) : NULL;
	for (size_t i = 0; def && i < p->nextras; i++)
		if (pb_table_column(def, p->extras[i].canonical) >= 0) {
			pb_error_set(err, PB_EXIT_USAGE, "%s: [profile %s] extra.%s: %s is a column of table "
				     "%s: write col.%s", path, p->name, p->extras[i].canonical,
				     p->extras[i].canonical, def->name, p->extras[i].canonical);
			return -1;
		}
	for (size_t i = 0; i < p->nparties; i++) {
		if (field_check(p, "party.", p->parties[i].field, err, path) < 0)
			return -1;
		if (!p->parties[i].nnames) {
			pb_error_set(err, PB_EXIT_USAGE, "%s: [profile %s] %s.%s needs "
				     "party.%s = the column of the party's name", path, p->name,
				     p->parties[i].nregistry ? "party_registry" : "party_country",
				     p->parties[i].field, p->parties[i].field);
			return -1;
		}
	}
	for (size_t i = 0; i < p->nsplits; i++)
		for (size_t g = 0; g < p->splits[i].ngroups; g++)
			if (p->splits[i].groups[g] &&
			    field_check(p, "split group ", p->splits[i].groups[g], err, path) < 0)
				return -1;
	return 0;
}

/* The [parties] legal_forms text, once the whole file is read. */
static int compile_legal_forms(struct loader *ld, const char *path)
{
	pb_pattern_list *pl = NULL;
	pb_buf why;

	if (!ld->legal_forms.len)
		return 0;
	pb_buf_init(&why);
	if (pb_patterns_compile(ld->legal_forms.data, &pl, &why) < 0) {
		pb_error_set(ld->err, PB_EXIT_USAGE, "%s: [parties] legal_forms: %s", path, why.data);
		pb_buf_release(&why);
		return -1;
	}
	pb_buf_release(&why);
	pb_patterns_free(ld->cfg->legal_forms);
	ld->cfg->legal_forms = pl;
	return 0;
}

/* --- reading INI text (engine/ini.c) --- */

/* Does `key` of `section` take a list, so that continuation lines add
 * to it? */
static int takes_list(void *user, const char *section, const char *key)
{
	static const char *const prefixes[] = {"col.", "copy.", "extra.", "party.", "party_registry.", "map.", NULL};

	(void)user;
	if (!strcmp(section, "parties"))
		return !strcmp(key, "legal_forms");
	if (!strncmp(section, "rule ", 5)) {
		const pb_rule *r = pb_rule_find(section + 5);
		int pi = r ? pb_rule_param_index(r, key) : -1;
		return pi >= 0 && (r->params[pi].type == PB_P_PATTERNS || r->params[pi].type == PB_P_TEXT);
	}
	if (!strncmp(section, "profile ", 8)) {
		if (!strcmp(key, "months") || !strcmp(key, "null"))
			return 1;
		for (size_t i = 0; prefixes[i]; i++)
			if (!strncmp(key, prefixes[i], strlen(prefixes[i])))
				return 1;
	}
	return 0;
}

static int ini_setting(void *user, const char *section, const char *key, const char *value,
		       int continued, uint64_t line)
{
	struct loader *ld = user;

	ld->line = line;
	ld->continued = continued;
	config_handler(ld, section, key, value);
	ld->continued = 0;
	return !ld->failed;
}

static int load_ini(pb_config *cfg, const char *path, int named, pb_error *err)
{
	struct loader ld;

	memset(&ld, 0, sizeof(ld));
	ld.cfg = cfg;
	ld.err = err;
	ld.named = named;
	ld.origin = path;
	static const pb_ini_hooks hooks = {ini_setting, NULL, takes_list};
	pb_buf_init(&ld.legal_forms);
	if (!named) {
		free(cfg->path);
		cfg->path = pb_xstrdup(path);
	}
	int rc = pb_ini_read(path, named ? "profile" : "config", &hooks, &ld, err) < 0 ? -1
		 : compile_legal_forms(&ld, path);
	pb_buf_release(&ld.legal_forms);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < cfg->nprofiles; i++)
		if (profile_check(&cfg->profiles[i], err,
				  cfg->profiles[i].origin ? cfg->profiles[i].origin : path) < 0)
			return -1;
	return named ? 0 : config_finalize(cfg, err);
}

int pb_config_load(pb_config *cfg, const char *path, pb_error *err)
{
	return load_ini(cfg, path, 0, err);
}

static int readable(const char *path)
{
	FILE *f = fopen(path, "r");

	if (f)
		fclose(f);
	return f != NULL;
}

int pb_config_load_profile(pb_config *cfg, const char *name, const char *exe,
			   pb_error *err)
{
	size_t n = strlen(name);
	pb_buf tried, path;
	int rc = -1;

	if (strchr(name, '/') || (n > 4 && !strcmp(name + n - 4, ".ini")))
		return load_ini(cfg, name, 1, err);
	pb_buf_init(&tried);
	pb_buf_init(&path);
	const char *env = getenv("PROBITY_PROFILES");
	const char *slash = exe ? strrchr(exe, '/') : NULL;
	int dirlen = slash ? (int)(slash - exe) : 1;
	const char *dir = slash ? exe : ".";
	static const char *const rel[] = {"../config/profiles", "../../config/profiles",
					  "../share/probity/profiles", "config/profiles"};
	for (int k = -1; k < 4 && rc < 0; k++) {
		pb_buf_reset(&path);
		if (k < 0 && !(env && *env))
			continue;
		if (k < 0)
			pb_buf_addf(&path, "%s/%s.ini", env, name);
		else if (k == 3)
			pb_buf_addf(&path, "%s/%s.ini", rel[k], name);
		else
			pb_buf_addf(&path, "%.*s/%s/%s.ini", dirlen, dir, rel[k], name);
		pb_buf_addf(&tried, "%s%s", tried.len ? ", " : "", path.data);
		if (readable(path.data))
			rc = load_ini(cfg, path.data, 1, err) < 0 ? -2 : 0;
	}
	if (rc == -1)
		pb_error_set(err, PB_EXIT_USAGE, "profile '%s' not found (tried %s; "
			     "set PROBITY_PROFILES or give the file's path)", name, tried.data);
	pb_buf_release(&tried);
	pb_buf_release(&path);
	return rc < 0 ? -1 : 0;
}

const char *pb_config_param_currency(const pb_config *cfg, size_t rule_index,
				     size_t param_index)
{
	const char *code = cfg->rules[rule_index].currencies[param_index];

	return *code ? code : cfg->base_currency;
}

static int files_match(const pb_profile *p, const char *base)
{
	char *pats = pb_xstrdup(p->files), *save = NULL;
	int hit = 0;

	for (char *tok = strtok_r(pats, " \t,", &save); tok && !hit;
	     tok = strtok_r(NULL, " \t,", &save))
		hit = fnmatch(tok, base, 0) == 0;
	free(pats);
	return hit;
}

/* Is p read only through another profile's `also`? */
static int also_target(const pb_config *cfg, const pb_profile *p)
{
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		const char *a = cfg->profiles[i].also;
		size_t n = strlen(p->name);
		for (const char *q = a ? strstr(a, p->name) : NULL; q; q = strstr(q + 1, p->name))
			if ((q == a || q[-1] == ' ' || q[-1] == '\t') &&
			    (q[n] == '\0' || q[n] == ' ' || q[n] == '\t'))
				return 1;
	}
	return 0;
}

int pb_config_profile_pick(const pb_config *cfg, const char *path,
			   const pb_profile **out, pb_error *err)
{
	const char *base = strrchr(path, '/');
	const pb_profile *hit = NULL, *fallback = NULL;
	int nfallback = 0;

	base = base ? base + 1 : path;
	*out = NULL;
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		const pb_profile *p = &cfg->profiles[i];
		if (!p->files) {
			int named = p->named && !also_target(cfg, p);
			fallback = named ? p : fallback;
			nfallback += named;
			continue;
		}
		if (!files_match(p, base))
			continue;
		if (hit) {
			if (err)
				pb_error_set(err, PB_EXIT_USAGE, "%s: two profiles match this file: "
					     "[profile %s] (files = %s) and [profile %s] (files = %s); "
					     "narrow one pattern", path, hit->name, hit->files,
					     p->name, p->files);
			return err ? -1 : 0;
		}
		hit = p;
	}
	if (!hit && nfallback > 1) {
		if (err)
			pb_error_set(err, PB_EXIT_USAGE, "%s: %d profiles were named without a files "
				     "pattern, so each would apply to every file; give them files = ...",
				     path, nfallback);
		return err ? -1 : 0;
	}
	*out = hit ? hit : fallback;
	return 0;
}

const pb_profile *pb_config_profile_for(const pb_config *cfg, const char *path)
{
	const pb_profile *p = NULL;

	pb_config_profile_pick(cfg, path, &p, NULL);
	return p;
}

int pb_config_check_profiles_used(const pb_config *cfg, const pb_ledger *l,
				  pb_error *err)
{
	const pb_input *in = pb_ledger_inputs(l);

	for (size_t i = 0; i < cfg->nprofiles; i++) {
		const pb_profile *p = &cfg->profiles[i];
		int used = 0;
		for (size_t k = 0; k < pb_ledger_ninputs(l) && !used; k++)
			used = in[k].profile && !strcmp(in[k].profile, p->name);
		if (used)
			continue;
		if (p->files)
			pb_error_set(err, PB_EXIT_USAGE, "[profile %s]: files = %s matches none of "
				     "the input files (patterns match the file's name, not its folder)",
				     p->name, p->files);
		else
			pb_error_set(err, PB_EXIT_USAGE, "[profile %s] has no files pattern%s, so it "
				     "applies to no file", p->name,
				     p->named ? " and no CSV input was left for it" : "");
		return -1;
	}
	return 0;
}

static const char *param_type_name(pb_param_type t)
{
	switch (t) {
	case PB_P_MONEY:
		return "amount and its ISO 4217 currency, e.g. 100000 EUR; without one, the base currency";
	case PB_P_INT:
		return "count";
	case PB_P_DAYS:
		return "days";
	case PB_P_PERCENT:
		return "percent";
	case PB_P_DECIMAL:
		return "number";
	case PB_P_PATTERNS:
		return "PCRE2 patterns, one per line, case-insensitive";
	case PB_P_TEXT:
		return "text";
	}
	return "value";
}

#define WRAP_AT 120 /* readable in an 80-120 column editor */

/* A long one-line text (a word list) on continuation lines, cut at
 * blanks; the loader joins them again with a blank. */
static void write_wrapped(FILE *out, const char *name, const char *def)
{
	const char *p = def;
	int first = 1;

	while (*p) {
		size_t n = strlen(p), cut = n;
		if (n > WRAP_AT) {
			cut = WRAP_AT;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = strcspn(p, " ");
		}
		if (first)
			fprintf(out, "; %s = %.*s\n", name, (int)cut, p);
		else
			fprintf(out, ";     %.*s\n", (int)cut, p);
		first = 0;
		p += cut;
		p += strspn(p, " ");
	}
}

/* Writes a multi-line default as INI continuation lines. */
static void write_value(FILE *out, const char *name, const char *def, pb_param_type type)
{
	const char *nl = strchr(def, '\n');

	if (!nl && type == PB_P_TEXT && strlen(def) > WRAP_AT) {
		write_wrapped(out, name, def);
		return;
	}
	if (!nl) {
		fprintf(out, "; %s = %s\n", name, def);
		return;
	}
	fprintf(out, "; %s = %.*s\n", name, (int)(nl - def), def);
	for (const char *p = nl + 1; *p;) {
		size_t n = strcspn(p, "\n");
		fprintf(out, ";     %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

void pb_config_write_default(FILE *out)
{
	fputs("; probity configuration (INI).  Every setting below shows its default;\n"
	      "; remove the leading ';' to change one.  Unknown keys are errors.  A line\n"
	      "; holds at most 199 bytes; a list goes on indented lines, as below.\n\n"
	      "[audit]\n"
	      "; ISO 4217 currency of empty currency cells and of money parameters\n"
	      "; written without one (\"threshold = 100000\"; \"100000 EUR\" names its own)\n"
	      "; base_currency = EUR\n"
	      "; reference date for the audit; default: the latest event date in the data\n"
	      "; as_of = 2024-12-31\n"
	      "; exit with status 1 when a finding is at or above: low, medium, high, critical, none\n"
	      "; fail_on = high\n"
	      "; a CSV field longer than this rejects its row\n"
	      "; max_field_bytes = 1048576\n"
	      "; an input that is not a regular file (a pipe, a FIFO) is copied to a temporary\n"
	      "; file first; a longer one is an error\n"
	      "; max_stream_bytes = 1073741824\n"
	      "; a CSV file of at least twice this many bytes is read in parts on the -j\n"
	      "; threads (its rows reach the ledger in the file's order); 0 never\n"
	      "; part_bytes = 8388608\n"
	      "; SQLite file that remembers runs and reviewers' decisions (--history);\n"
	      "; default none\n"
	      "; history = /var/lib/probity/history.sqlite\n"
	      "; seconds to wait when another run holds the history (--history-wait)\n"
	      "; history_wait = 0\n"
	      "; threads the rules run on (-j); 0 is one per core; the findings are the same\n"
	      "; for any number\n"
	      "; jobs = 0\n"
	      "; a file that cannot be read (empty, unreadable, not a ledger) is listed as\n"
	      "; failed in every report and the rest audited; the run then exits 3\n"
	      "; (--keep-going)\n"
	      "; keep_going = false\n"
	      "; an input of 10 rows or more (or a table's inputs together) with a larger\n"
	      "; share of its rows rejected makes the run exit 3 after writing the reports:\n"
	      "; its export's format may have changed (100: never)\n"
	      "; max_rejected_pct = 50\n", out);
	fputs("\n[parties]\n"
	      "; legal-form words removed before names are compared, as PCRE2 patterns\n"
	      "; over folded text (\"S.A.\" is \"sa\", \"ТОВ\" is \"tov\")\n", out);
	write_value(out, "legal_forms", pb_legal_forms_default, PB_P_PATTERNS);
	for (size_t ri = 0; ri < pb_nrules; ri++) {
		const pb_rule *r = pb_rules[ri];
		fprintf(out, "\n; %s (%s; source: %s)\n[rule %s]\n", r->title,
			pb_severity_name(r->severity), r->source, r->id);
		fputs("; enabled = true\n", out);
		fprintf(out, "; severity = %s\n", pb_severity_name(r->severity));
		for (size_t pi = 0; pi < param_count(r); pi++) {
			const pb_param_def *pd = &r->params[pi];
			fprintf(out, "; %s (%s)\n", pd->help, param_type_name(pd->type));
			write_value(out, pd->name, pd->def, pd->type);
		}
	}
	fputs("\n; A mapping profile for exports that are not in the canonical format.\n"
	      "; [profile bank-export]\n"
	      "; files = payments_*.csv       ; fnmatch patterns on the file name\n"
	      "; table = payments\n"
	      "; delimiter = semicolon         ; comma, semicolon, tab or | (default: sniffed)\n"
	      "; decimal = ,\n"
	      "; thousands = .                 ; none , . space or '\n"
	      "; date_format = DD.MM.YYYY\n"
	      "; encoding = windows-1251       ; default UTF-8; any iconv name\n"
	      "; col.amount = Сума             ; canonical column = header in the export\n", out);
}

/* --- probity init --profile FILE.csv: a draft from a file's header --- */

/* Canonical fields and the folded header words that suggest them, most
 * specific first; NAME marks a party's name column (party.F). */
struct guess {
	const char *table, *field;
	int name;
	const char *words; /* '|'-separated, folded */
};

static const struct guess guesses[] = {
	{"payments", "payee_id", 0, "supplier id|supplier_id|vendor id|supplier number|supplier code|kod partnera|creditor number"},
	{"payments", "payee_id", 1, "supplier name|supplier_name|vendor name|beneficiary|payee|dodavatel|proveedor|supplier|vendor|creditor|postachalnyk|otrymuvach|merchant"},
	{"payments", "payment_id", 0, "transaction number|transaction_number|trans no|transaction no|payment id|payment number|cislo faktury|document number|nomer"},
	{"payments", "invoice_id", 0, "invoice|faktury dodavatele|factura"},
	{"payments", "amount", 0, "amount|castka - radek|castka|importe|monto|suma|sum|value|net|total"},
	{"payments", "currency", 0, "currency|mena|moneda|valiuta"},
	{"payments", "paid_on", 0, "paid date|payment date|date paid|datum uhrady|fecha de pago|data platezhu|transaction date|date|datum|fecha|data"},
	{"payments", "payer_id", 0, "body name|organisation|organization|client|department|payer|platnyk"},
	{"payments", "budget_line", 0, "expense code|expenditure code|account code|cost centre|budget"},
	{"payments", "description", 0, "description|purpose|narrative|expense type|expenditure category|ucel|concepto|pryznachennia"},
	{"contracts", "contract_id", 0, "contract id|codigo_contrato|contract number|contract no|contract"},
	{"contracts", "supplier_id", 1, "supplier name|proveedor_contratista|proveedor|supplier|contractor|vendor|awardee"},
	{"contracts", "buyer_id", 0, "buyer id|claveuc|buyer|entity|dependencia"},
	{"contracts", "tender_id", 0, "tender id|numero_procedimiento|procedure|tender"},
	{"contracts", "value", 0, "importe_contrato|contract value|value|amount|importe"},
	{"contracts", "currency", 0, "currency|moneda"},
	{"contracts", "signed_on", 0, "fecha_celebracion|signed|signature|date signed"},
	{"contracts", "start_on", 0, "fecha_inicio|start"},
	{"contracts", "end_on", 0, "fecha_fin|end"},
	{"contracts", "status", 0, "estatus_contrato|status"},
};

/* The header and first row of a CSV file, as libcsv parses them (quotes,
 * doubled quotes and line breaks in quoted cells, blank lines skipped);
 * cells trimmed. */
struct draft_rows {
	char **cells[2];
	size_t n[2];
	size_t rows;
};

static void draft_cell(void *s, size_t len, void *data)
{
	struct draft_rows *d = data;
	const char *t = s ? s : "";

	if (d->rows >= 2)
		return;
	pb_trim(&t, &len);
	char *cell = pb_xstrndup(t, len);
	/* A profile is read a line at a time: a header cell's line break
	 * becomes a blank, which the header match reads as one */
	for (char *c = cell; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	d->cells[d->rows] = pb_xreallocarray(d->cells[d->rows], d->n[d->rows] + 1, sizeof(char *));
	d->cells[d->rows][d->n[d->rows]++] = cell;
}

static void draft_row(int c, void *data)
{
	struct draft_rows *d = data;

	(void)c;
	d->rows++;
}

/* The delimiter of a file starting at *at (*n bytes), as the CSV
 * importer finds it: Excel's "sep=X" line names it (*sep set, and the
 * line skipped: it is no header), else the header is sniffed, the first
 * line that is not blank. */
static char draft_delimiter(const char **at, size_t *n, int *sep)
{
	size_t i = 0;

	if ((*sep = pb_csv_sep_line(*at, *n))) {
		const char *nl = memchr(*at, '\n', *n);
		i = nl ? (size_t)(nl - *at) + 1 : *n;
		*at += i;
		*n -= i;
		return (char)*sep;
	}
	while (i < *n && isspace((unsigned char)(*at)[i]))
		i++;
	return pb_csv_sniff_delimiter(*at + i, *n - i);
}

#define DRAFT_MAX_BYTES ((size_t)16 << 20)

/* Reads rows until the header and a sample row are in, within
 * DRAFT_MAX_BYTES; 0, or -1 with err set. */
static int draft_read(FILE *f, const char *path, struct draft_rows *d, char *delim, int *sep,
		      pb_error *err)
{
	char chunk[65536];
	size_t got, total = 0;
	struct csv_parser p;
	int rc = 0;

	if (csv_init(&p, 0) != 0) {
		pb_error_set(err, PB_EXIT_INTERNAL, "%s: cannot start the CSV parser", path);
		return -1;
	}
	while (d->rows < 2 && (got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		const char *at = chunk;
		size_t n = got;
		if (!total) {
			const char *says = pb_workbook_says(chunk, got);
			if (says) {
				pb_error_set(err, PB_EXIT_INPUT, "%s: %s", path, says);
				rc = -1;
				break;
			}
			if (n >= 3 && !memcmp(at, "\xEF\xBB\xBF", 3))
				at += 3, n -= 3;
			*delim = draft_delimiter(&at, &n, sep);
			csv_set_delim(&p, (unsigned char)*delim);
		}
		total += got;
		if (csv_parse(&p, at, n, draft_cell, draft_row, d) != n) {
			pb_error_set(err, PB_EXIT_INPUT, "%s: %s", path, csv_strerror(csv_error(&p)));
			rc = -1;
			break;
		}
		if (d->rows < 2 && total > DRAFT_MAX_BYTES) {
			pb_error_set(err, PB_EXIT_INPUT, "%s: no header and first row in its first %zu MiB",
				     path, (size_t)DRAFT_MAX_BYTES >> 20);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && d->rows < 2)
		csv_fini(&p, draft_cell, draft_row, d);
	csv_free(&p);
	if (rc == 0 && !d->rows) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: file is empty", path);
		rc = -1;
	}
	return rc;
}

/* The header cell a guess points at (folded header contains a word, the
 * earlier word winning), not already taken; -1 if none. */
static int guess_column(const struct guess *g, char **folded, size_t n, const int *taken)
{
	char *words = pb_xstrdup(g->words), *save = NULL;
	int hit = -1;

	for (char *w = strtok_r(words, "|", &save); w && hit < 0; w = strtok_r(NULL, "|", &save)) {
		char *fw = pb_fold_text(w);
		for (size_t i = 0; fw && i < n && hit < 0; i++)
			if (!taken[i] && folded[i] && strstr(folded[i], fw))
				hit = (int)i;
		free(fw);
	}
	free(words);
	return hit;
}

/* A date pattern for a sample value, or NULL (ISO, or unknown). */
static const char *guess_date(const char *v)
{
	int a, b, c;
	char s1, s2, mon[16];

	if (sscanf(v, "%4d-%2d-%2d", &a, &b, &c) == 3 && a > 999)
		return NULL;
	if (sscanf(v, "%d%c%d%c%d", &a, &s1, &b, &s2, &c) == 5 && s1 == s2 && strchr("/.-", s1)) {
		static char f[32];
		int yy = c < 100;
		const char *year = yy ? "YY" : "YYYY";
		/* 13/02/2024 is day first; 02/13/2024 month first; both <= 12: UK/EU */
		if (b > 12 && a <= 12)
			snprintf(f, sizeof(f), "MM%cDD%c%s", s1, s1, year);
		else
			snprintf(f, sizeof(f), "DD%cMM%c%s", s1, s1, year);
		return f;
	}
	if (sscanf(v, "%d-%15[A-Za-z]-%d", &a, mon, &c) == 3)
		return c < 100 ? "D-MON-YY" : "D-MON-YYYY";
	if (sscanf(v, "%d %15[A-Za-z] %d", &a, mon, &c) == 3)
		return "D MON YYYY";
	return NULL;
}

/*
 * "KEY.FIELD = NAME" for header cell i, NAME as the header match will
 * find it: '|' (between alternatives), ';' (a comment after a blank) and
 * a leading '?' (an optional column) cannot stand in it, so they become
 * blanks, which the match's folding reads as the punctuation they were.
 * A name that folds to nothing or like another cell, or that makes a
 * line longer than libinih reads, is written as a comment saying so.
 */
static void draft_column_line(FILE *out, const char *key, const char *field, char **names,
			      char **folded, size_t n, size_t i)
{
	char *name = pb_xstrdup(names[i]);
	int changed = 0, twins = 0;

	for (char *c = name; *c; c++)
		if (*c == '|' || *c == ';' || (*c == '?' && c == name)) {
			*c = ' ';
			changed = 1;
		}
	for (size_t j = 0; j < n; j++)
		twins += j != i && folded[i] && folded[j] && !strcmp(folded[i], folded[j]);
	const char *why = NULL;
	if (changed && (!folded[i] || !*folded[i] || twins))
		why = "holds '|', ';' or a leading '?', which a profile line cannot, and its folded "
		      "form is not unique: rename the column in the export";
	else if (strlen(key) + 1 + strlen(field) + 3 + strlen(name) > PB_INI_LINE_MAX)
		why = "makes a line longer than a profile line may be: rename the column in the export";
	if (why)
		fprintf(out, "; %s.%s = %s\n;   (the header name %s)\n", key, field, names[i], why);
	else if (changed)
		fprintf(out, "; the header name '%s' written with blanks for its '|', ';' or '?'; "
			     "the header match folds them alike\n%s.%s = %s\n", names[i], key, field, name);
	else
		fprintf(out, "%s.%s = %s\n", key, field, name);
	free(name);
}

int pb_config_draft_profile(FILE *out, const char *path, pb_error *err)
{
	FILE *f = fopen(path, "rb");
	struct draft_rows d = {{NULL, NULL}, {0, 0}, 0};
	char delim = ',';
	int sep = 0;

	if (!f) {
		pb_error_set(err, PB_EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	int rc = draft_read(f, path, &d, &delim, &sep, err);
	fclose(f);
	char **names = d.cells[0], **sample = d.cells[1];
	size_t n = d.n[0], nsample = d.n[1];
	if (rc < 0) {
		for (size_t r = 0; r < 2; r++) {
			for (size_t i = 0; i < d.n[r]; i++)
				free(d.cells[r][i]);
			free(d.cells[r]);
		}
		return -1;
	}
	char **folded = pb_xcalloc(n + 1, sizeof(*folded));
	int utf8 = 1;
	for (size_t i = 0; i < n; i++)
		utf8 &= (folded[i] = pb_fold_text(names[i])) != NULL;
	/* the table: the one whose guesses find the most columns */
	const char *table = "payments";
	int best = -1;
	for (int t = 0; t < 2; t++) {
		const char *tn = t ? "contracts" : "payments";
		int *taken = pb_xcalloc(n + 1, sizeof(int)), hits = 0;
		for (size_t k = 0; k < sizeof(guesses) / sizeof(guesses[0]); k++)
			if (!strcmp(guesses[k].table, tn) && guess_column(&guesses[k], folded, n, taken) >= 0)
				hits++;
		if (hits > best)
			best = hits, table = tn;
		free(taken);
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	fprintf(out, "; Draft profile for %s, guessed from its header: CHECK EVERY LINE.\n"
		"; Run `probity check -c THIS.ini %s`: a column the header lacks is an error\n"
		"; naming the nearest header names; rejections are grouped by reason.\n"
		"; See docs/config.md for every key.\n", base, base);
	fprintf(out, "[profile draft]\nfiles = %s\ntable = %s\n", base, table);
	if (sep)
		fprintf(out, "; its first line, 'sep=%c', names the delimiter, and is read as such\n", sep);
	else if (delim != ',')
		fprintf(out, "delimiter = %s\n", delim == ';' ? "semicolon" : "tab");
	if (!utf8)
		fputs("; the header is not UTF-8: Windows-1252 guessed (or windows-1251, latin-1 ...)\n"
		      "encoding = auto\n", out);
	int *taken = pb_xcalloc(n + 1, sizeof(int));
	for (size_t k = 0; k < sizeof(guesses) / sizeof(guesses[0]); k++) {
		const struct guess *g = &guesses[k];
		if (strcmp(g->table, table))
			continue;
		int i = guess_column(g, folded, n, taken);
		const char *key = g->name ? "party" : "col";
		if (i < 0) {
			fprintf(out, "; %s.%s = (no column found)%s\n", key, g->field,
				!strcmp(g->field, "currency") ? ": one currency? const.currency = GBP" : "");
			continue;
		}
		taken[i] = 1;
		const char *v = (size_t)i < nsample ? sample[i] : "";
		fprintf(out, "; first row: '%.60s'\n", v);
		draft_column_line(out, key, g->field, names, folded, n, (size_t)i);
		const char *df = strstr(g->field, "_on") ? guess_date(v) : NULL;
		if (df)
			fprintf(out, "date.%s = %s\n", g->field, df);
		if (!strcmp(g->field, "amount") || !strcmp(g->field, "value")) {
			if (strchr(v, ',') && strchr(v, '.'))
				fputs(strchr(v, ',') < strchr(v, '.') ? "thousands = ,\n" : "decimal = ,\nthousands = .\n", out);
			else if (strchr(v, ','))
				fputs("; a comma in the amount: decimal = , (or thousands = ,)\n", out);
		}
	}
	fputs("; columns not mapped stay with each row as evidence:\n", out);
	for (size_t i = 0; i < n; i++)
		if (!taken[i] && *names[i])
			fprintf(out, ";   %s\n", names[i]);
	fputs("; the payer of a ministry's own ledger: const.payer_id = ID and party.payer_id = \"Name\"\n"
	      "; rows that are not data: filter.total = * ~ ^\\s*total\\s*$\n"
	      "; redacted names: null = REDACTED\n", out);
	free(taken);
	for (size_t i = 0; i < n; i++)
		free(names[i]), free(folded[i]);
	for (size_t i = 0; i < nsample; i++)
		free(sample[i]);
	free(names);
	free(folded);
	free(sample);
	return 0;
}
