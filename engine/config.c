/*
 * config.c - defaults, the INI loader (libinih) and `probity init`.
 *
 * Parameters are kept as text and parsed after the whole file is read,
 * because a money threshold's minor units depend on base_currency, which
 * may come later in the file.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <fnmatch.h>
#include <iconv.h>
#include <ini.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "../rules/rules.h"
#include "config.h"
#include "normalize.h"

#define DEFAULT_MAX_FIELD_BYTES (1u << 20)

static void patterns_free(pb_pattern_list *pl)
{
	if (!pl)
		return;
	for (size_t i = 0; i < pl->n; i++)
		pcre2_code_free(pl->codes[i]);
	free(pl->codes);
	free(pl);
}

/* One pattern per line; blank lines and lines starting with '#' skipped. */
static int patterns_compile(const char *text, pb_pattern_list **out,
			    pb_buf *why)
{
	pb_pattern_list *pl = pb_xcalloc(1, sizeof(*pl));
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");
		const char *line = p;
		size_t len = n;
		p += n + (p[n] == '\n');
		pb_trim(&line, &len);
		if (!len || *line == '#')
			continue;
		int ec;
		PCRE2_SIZE off;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)line, len,
					       PCRE2_CASELESS | PCRE2_UTF | PCRE2_UCP,
					       &ec, &off, NULL);
		if (!re) {
			PCRE2_UCHAR msg[160];
			pcre2_get_error_message(ec, msg, sizeof(msg));
			pb_buf_addf(why, "pattern '%.*s' at offset %zu: %s",
				    (int)len, line, (size_t)off, (char *)msg);
			patterns_free(pl);
			return -1;
		}
		pl->codes = pb_xreallocarray(pl->codes, pl->n + 1, sizeof(*pl->codes));
		pl->codes[pl->n++] = re;
	}
	*out = pl;
	return 0;
}

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
		if (patterns_compile(text, &pl, why) < 0)
			return -1;
		patterns_free(rc->compiled[pi]);
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
				pb_error_set(err, PB_EXIT_USAGE,
					     "%s: [rule %s] %s: %s",
					     cfg->path ? cfg->path : "config",
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
	}
	pb_error err;
	if (config_finalize(cfg, &err) < 0) {
		fprintf(stderr, "probity: internal error: default %s\n", err.msg);
		abort();
	}
}

static void profile_release(pb_profile *p)
{
	free(p->name);
	free(p->files);
	free(p->table);
	free(p->date_format);
	free(p->encoding);
	for (size_t i = 0; i < p->nrenames; i++) {
		free(p->renames[i].canonical);
		free(p->renames[i].source);
	}
	free(p->renames);
}

void pb_config_release(pb_config *cfg)
{
	for (size_t ri = 0; cfg->rules && ri < pb_nrules; ri++) {
		size_t np = param_count(pb_rules[ri]);
		for (size_t pi = 0; pi < np; pi++) {
			free(cfg->rules[ri].values[pi]);
			patterns_free(cfg->rules[ri].compiled[pi]);
		}
		free(cfg->rules[ri].values);
		free(cfg->rules[ri].compiled);
		free(cfg->rules[ri].numbers);
		free(cfg->rules[ri].currencies);
	}
	free(cfg->rules);
	patterns_free(cfg->legal_forms);
	pb_procedures_free(cfg->procedures);
	for (size_t i = 0; i < cfg->nprofiles; i++)
		profile_release(&cfg->profiles[i]);
	free(cfg->profiles);
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
	/* libinih passes each continuation line of a multi-line value as a
	 * call with the same section and key: those are appended. */
	char last_section[128], last_key[128];
	int continued;
	pb_buf legal_forms;
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
	} else if (!strcmp(key, "max_field_bytes")) {
		int64_t v;
		if (pb_int_parse(value, strlen(value), &v, &why) < 0 || v < 1024)
			return fail(ld, "[audit] max_field_bytes '%s' must be a whole number >= 1024", value);
		cfg->max_field_bytes = (size_t)v;
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
	/* A long list goes on continuation lines (libinih reads at most 200
	 * characters a line): patterns one a line, text words joined. */
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

static int profile_key(struct loader *ld, const char *name, const char *key,
		       const char *value)
{
	pb_profile *p = profile_get(ld->cfg, name);
	char c;

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
			return fail(ld, "[profile %s] date_format '%s' needs YYYY, MM or M, and DD or D", name, value);
		free(p->date_format);
		p->date_format = pb_xstrdup(value);
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
	} else if (!strncmp(key, "col.", 4) && key[4]) {
		p->renames = pb_xreallocarray(p->renames, p->nrenames + 1,
					      sizeof(*p->renames));
		p->renames[p->nrenames].canonical = pb_xstrdup(key + 4);
		p->renames[p->nrenames].source = pb_xstrdup(value);
		p->nrenames++;
	} else {
		return fail(ld, "[profile %s]: unknown key '%s'", name, key);
	}
	return 1;
}

/* [procedures] NAME = METHOD yes|no [small]: one entry of the procedure
 * table. */
static int procedure_key(struct loader *ld, const char *name, const char *value)
{
	char method[32], competitive[8], small[8] = "", extra;
	pb_error err;
	int n = sscanf(value, "%31[^ \t|,] %*[|,] %7[^ \t|,] %*[|,] %7s %c", method, competitive, small, &extra);

	if (n < 2)
		n = sscanf(value, "%31[^ \t|,] %7[^ \t|,] %7s %c", method, competitive, small, &extra);
	if (n < 2 || n > 3 || (n == 3 && strcmp(small, "small")))
		return fail(ld, "[procedures] %s: write 'METHOD yes', 'METHOD no' or 'METHOD no small', not '%s'",
			    name, value);
	if (pb_procedures_set(ld->cfg->procedures, name, method, competitive, &err) < 0)
		return fail(ld, "[procedures] %s", err.msg);
	if (n == 3)
		pb_procedures_mark_small(ld->cfg->procedures, name);
	return 1;
}

static int config_handler(void *user, const char *section, const char *key,
		       const char *value)
{
	struct loader *ld = user;

	if (ld->failed)
		return 0;
	ld->continued = !strcmp(ld->last_section, section) && !strcmp(ld->last_key, key);
	snprintf(ld->last_section, sizeof(ld->last_section), "%s", section);
	snprintf(ld->last_key, sizeof(ld->last_key), "%s", key);
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

static int profile_check(const pb_profile *p, pb_error *err, const char *path)
{
	if (p->numfmt.thousands && p->numfmt.thousands == p->numfmt.decimal) {
		pb_error_set(err, PB_EXIT_USAGE,
			     "%s: [profile %s] decimal and thousands separators are both '%c'",
			     path, p->name, p->numfmt.decimal);
		return -1;
	}
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
	if (patterns_compile(ld->legal_forms.data, &pl, &why) < 0) {
		pb_error_set(ld->err, PB_EXIT_USAGE, "%s: [parties] legal_forms: %s", path, why.data);
		pb_buf_release(&why);
		return -1;
	}
	pb_buf_release(&why);
	patterns_free(ld->cfg->legal_forms);
	ld->cfg->legal_forms = pl;
	return 0;
}

int pb_config_load(pb_config *cfg, const char *path, pb_error *err)
{
	struct loader ld;

	memset(&ld, 0, sizeof(ld));
	ld.cfg = cfg;
	ld.err = err;
	pb_buf_init(&ld.legal_forms);
	FILE *f = fopen(path, "r");

	if (!f) {
		pb_error_set(err, PB_EXIT_USAGE, "%s: cannot open config: %s",
			     path, strerror(errno));
		return -1;
	}
	free(cfg->path);
	cfg->path = pb_xstrdup(path);
	int line = ini_parse_file(f, config_handler, &ld);
	fclose(f);
	int lf = ld.failed ? 0 : compile_legal_forms(&ld, path);
	pb_buf_release(&ld.legal_forms);
	if (lf < 0)
		return -1;
	if (ld.failed) {
		pb_buf msg;
		pb_buf_init(&msg);
		pb_buf_addf(&msg, "%s:%d: %s", path, line, err->msg);
		pb_error_set(err, PB_EXIT_USAGE, "%s", msg.data);
		pb_buf_release(&msg);
		return -1;
	}
	if (line != 0) {
		pb_error_set(err, PB_EXIT_USAGE, "%s:%d: not a valid INI line",
			     path, line);
		return -1;
	}
	for (size_t i = 0; i < cfg->nprofiles; i++)
		if (profile_check(&cfg->profiles[i], err, path) < 0)
			return -1;
	return config_finalize(cfg, err);
}

const char *pb_config_param_currency(const pb_config *cfg, size_t rule_index,
				     size_t param_index)
{
	const char *code = cfg->rules[rule_index].currencies[param_index];

	return *code ? code : cfg->base_currency;
}

const pb_profile *pb_config_profile_for(const pb_config *cfg, const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		const pb_profile *p = &cfg->profiles[i];
		if (!p->files)
			continue;
		char *pats = pb_xstrdup(p->files), *save = NULL;
		int hit = 0;
		for (char *tok = strtok_r(pats, " \t,", &save); tok && !hit;
		     tok = strtok_r(NULL, " \t,", &save))
			hit = fnmatch(tok, base, 0) == 0;
		free(pats);
		if (hit)
			return p;
	}
	return NULL;
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

#define WRAP_AT 120 /* well within libinih's 200-character lines */

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
	      "; remove the leading ';' to change one.  Unknown keys are errors.\n\n"
	      "[audit]\n"
	      "; ISO 4217 currency of empty currency cells and of money parameters\n"
	      "; written without one (\"threshold = 100000\"; \"100000 EUR\" names its own)\n"
	      "; base_currency = EUR\n"
	      "; reference date for the audit; default: the latest event date in the data\n"
	      "; as_of = 2024-12-31\n"
	      "; exit with status 1 when a finding is at or above: low, medium, high, critical, none\n"
	      "; fail_on = high\n"
	      "; a CSV field longer than this rejects its row\n"
	      "; max_field_bytes = 1048576\n", out);
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
