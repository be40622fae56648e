/*
 * pattern.h - PCRE2 patterns from the configuration.
 */
#ifndef PB_PATTERN_H
#define PB_PATTERN_H

#include <stdint.h>

#include "pb.h"

/*
 * Every match of a pattern from the configuration runs under these
 * limits (pcre2_set_match_limit, pcre2_set_depth_limit), so that one
 * pattern costs at most a few milliseconds a text.  A match that hits
 * one returns PCRE2_ERROR_MATCHLIMIT or PCRE2_ERROR_DEPTHLIMIT: the
 * caller must report it, never read it as "no match".  A pattern that
 * backtracks catastrophically on a crafted text ("(a+)+$") is refused
 * when the configuration loads.
 */
#define PB_PATTERN_MATCH_LIMIT 1000000u
#define PB_PATTERN_DEPTH_LIMIT 100000u
struct pcre2_real_match_context_8;
/* The match context holding those limits; one for the process, never
 * freed. */
struct pcre2_real_match_context_8 *pb_pattern_limits(void);

/* Compiled PATTERNS parameter (pcre2_code is struct pcre2_real_code_8). */
typedef struct {
	struct pcre2_real_code_8 **codes;
	size_t n;
} pb_pattern_list;

/*
 * Compiles one pattern (pcre2_compile with opts) and refuses it when it
 * backtracks catastrophically on a crafted text: NULL with why filled,
 * naming the pattern.
 */
struct pcre2_real_code_8 *pb_pattern_compile(const char *text, size_t len,
					     uint32_t opts, pb_buf *why);
/* One pattern per line, caseless and UTF; blank lines and lines starting
 * with '#' skipped.  0, or -1 with why filled. */
int pb_patterns_compile(const char *text, pb_pattern_list **out, pb_buf *why);
/*
 * JIT-compiles a list, for the shipped defaults only: the JIT applies
 * the match limit differently and ignores the depth limit, so a
 * configured pattern that scans a long text from every position would
 * no longer be stopped (test_pattern_limits).  Ours are alternations of
 * phrases, linear in the text.  Without a JIT, matching interprets.
 */
void pb_patterns_jit(pb_pattern_list *pl);
void pb_patterns_free(pb_pattern_list *pl);

/*
 * Calls each(from, to, data) for every match of re in text[0..len), left
 * to right, under the limits above; md needs one pair.  The text is
 * checked as UTF-8 once, by the first match (a check per match made a
 * long text quadratic: 400 KB of "urgent urgent ..." took 20 s), so
 * `each` may overwrite a match only with whole characters.  After an
 * empty match the next one starts at the next character.  Returns -1
 * when a limit stopped the scan (what the rest holds is unknown), else 0,
 * also when the text is not UTF-8 (no match).
 */
struct pcre2_real_match_data_8;
int pb_pattern_scan(struct pcre2_real_code_8 *re, struct pcre2_real_match_data_8 *md,
		    const char *text, size_t len,
		    void (*each)(size_t from, size_t to, void *data), void *data);

#endif
