/*
 * pattern.c - PCRE2 patterns from the configuration, compiled only when
 * they cannot backtrack catastrophically, and matched under limits.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"

void pb_patterns_free(pb_pattern_list *pl)
{
	if (!pl)
		return;
	for (size_t i = 0; i < pl->n; i++)
		pcre2_code_free(pl->codes[i]);
	free(pl->codes);
	free(pl);
}

/* One context for the process, made once whichever thread asks first. */
static pcre2_match_context *limits;
static pthread_once_t limits_once = PTHREAD_ONCE_INIT;

static void limits_make(void)
{
	limits = pcre2_match_context_create(NULL);
	if (!limits)
		pb_fatal("out of memory creating a PCRE2 match context");
	pcre2_set_match_limit(limits, PB_PATTERN_MATCH_LIMIT);
	pcre2_set_depth_limit(limits, PB_PATTERN_DEPTH_LIMIT);
}

pcre2_match_context *pb_pattern_limits(void)
{
	pthread_once(&limits_once, limits_make);
	return limits;
}

#define PROBE_LEN 32           /* characters of a crafted test text */
#define PROBE_LIMIT 1000000u   /* steps a test match may take */

/*
 * Refuses a pattern that backtracks catastrophically, as far as a test
 * can tell: it is matched against texts of one character repeated
 * (each letter or digit the pattern names, 'a', '1' and a blank),
 * then '!' and those characters once each, under PROBE_LIMIT steps.  A pattern that is linear,
 * or polynomial of low degree, needs a few thousand steps on 33
 * characters; "(a+)+$" needs 2^32.  Returns 0, or -1 with why filled.
 */
static int pattern_probe(pcre2_code *re, const char *text, size_t len, pb_buf *why)
{
	static pcre2_match_context *mc;
	char chars[16] = "a1 ", subject[PROBE_LEN + 2 + sizeof(chars)];
	size_t nc = 3;
	int rc = 0;

	if (!mc) {
		mc = pcre2_match_context_create(NULL);
		if (!mc)
			pb_fatal("out of memory creating a PCRE2 match context");
		pcre2_set_match_limit(mc, PROBE_LIMIT);
		pcre2_set_depth_limit(mc, PROBE_LIMIT);
	}
	for (size_t i = 0; i < len && nc < sizeof(chars) - 1; i++)
		if (isalnum((unsigned char)text[i]) && !memchr(chars, text[i], nc))
			chars[nc++] = text[i];
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	for (size_t c = 0; c < nc && rc == 0; c++) {
		/* The characters again after the '!': PCRE2 skips a match at
		 * once when a character it requires is absent. */
		memset(subject, chars[c], PROBE_LEN);
		subject[PROBE_LEN] = '!';
		memcpy(subject + PROBE_LEN + 1, chars, nc);
		int m = pcre2_match(re, (PCRE2_SPTR)subject, PROBE_LEN + 1 + nc, 0, 0, md, mc);
		if (m == PCRE2_ERROR_MATCHLIMIT || m == PCRE2_ERROR_DEPTHLIMIT || m == PCRE2_ERROR_HEAPLIMIT) {
			pb_buf_addf(why, "pattern '%.*s' backtracks catastrophically: on %d '%c' then '!%.*s' "
				    "it needs more than %u steps; rewrite it without nested or adjacent "
				    "repeats of the same text (such as (a+)+ or \\w*\\w*)", (int)len, text,
				    PROBE_LEN, chars[c], (int)nc, chars, PROBE_LIMIT);
			rc = -1;
		}
	}
	pcre2_match_data_free(md);
	return rc;
}

pcre2_code *pb_pattern_compile(const char *text, size_t len, uint32_t opts, pb_buf *why)
{
	int ec;
	PCRE2_SIZE off;
	/* \C matches one byte of a UTF-8 character: a match could end inside
	 * one, and the loops that blank or cover matches check the text's
	 * UTF-8 only once (engine/normalize.c, engine/audit.c). */
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)text, len, opts | PCRE2_NEVER_BACKSLASH_C, &ec, &off,
				       NULL);

	if (!re) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		pb_buf_addf(why, "pattern '%.*s' at offset %zu: %s", (int)len, text, (size_t)off,
			    (char *)msg);
		return NULL;
	}
	if (pattern_probe(re, text, len, why) < 0) {
		pcre2_code_free(re);
		return NULL;
	}
	return re;
}

int pb_pattern_scan(pcre2_code *re, pcre2_match_data *md, const char *text, size_t len,
		    void (*each)(size_t from, size_t to, void *data), void *data)
{
	uint32_t opts = 0;

	for (size_t start = 0; start <= len;) {
		int m = pcre2_match(re, (PCRE2_SPTR)text, len, start, opts, md, pb_pattern_limits());
		if (m == PCRE2_ERROR_MATCHLIMIT || m == PCRE2_ERROR_DEPTHLIMIT ||
		    m == PCRE2_ERROR_HEAPLIMIT || m == PCRE2_ERROR_JIT_STACKLIMIT)
			return -1;
		if (m < 0)
			return 0;
		opts = PCRE2_NO_UTF_CHECK;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		each(ov[0], ov[1], data);
		start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		/* Not inside a UTF-8 sequence (\C is refused, so only an
		 * empty match can leave one). */
		while (start < len && ((unsigned char)text[start] & 0xC0) == 0x80)
			start++;
	}
	return 0;
}

void pb_patterns_jit(pb_pattern_list *pl)
{
	for (size_t i = 0; pl && i < pl->n; i++)
		(void)pcre2_jit_compile(pl->codes[i], PCRE2_JIT_COMPLETE);
}

int pb_patterns_compile(const char *text, pb_pattern_list **out,
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
		pcre2_code *re = pb_pattern_compile(line, len, PCRE2_CASELESS | PCRE2_UTF | PCRE2_UCP, why);
		if (!re) {
			pb_patterns_free(pl);
			return -1;
		}
		pl->codes = pb_xreallocarray(pl->codes, pl->n + 1, sizeof(*pl->codes));
		pl->codes[pl->n++] = re;
	}
	*out = pl;
	return 0;
}
