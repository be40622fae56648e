/*
 * normalize.h - text folding for party resolution (issue #4), and
 * ledger values quoted for messages.
 *
 * Two spellings of one company must compare equal: "ТОВ «Альфа-Сервіс»"
 * and "Alfa-Servis LLC", "Société Générale S.A." and "SOCIETE GENERALE".
 * Folding is: Unicode NFKC and case folding (utf8proc), Cyrillic
 * transliterated by the Ukrainian national standard of 2010 (Cabinet of
 * Ministers resolution no. 55), accents stripped, '.' and apostrophes
 * dropped, other punctuation and blanks folded to one space.
 * All functions return malloc'd strings (caller frees), or NULL when the
 * input is not valid UTF-8.
 */
#ifndef PB_NORMALIZE_H
#define PB_NORMALIZE_H

#include "arena.h"
#include "pattern.h"

char *pb_fold_text(const char *s);

/*
 * s[0..n) quoted for a message ('...'): at most PB_QUOTE_MAX bytes, cut
 * on a character boundary (then "..." before the closing quote); bytes
 * of control and format characters, backslashes and invalid UTF-8 as
 * \xNN, so that a reason is safe to print on a terminal.
 */
#define PB_QUOTE_MAX 60
void pb_buf_add_quoted(pb_buf *b, const char *s, size_t n);

/*
 * A rejection reason (or a value not read) with its quoted values, file
 * references ("(first at ...)") and the indexes of JSON pointers
 * (/releases/3) blanked: rows rejected for one reason, values not read
 * for one reason, group together.  malloc'd.
 */
char *pb_reason_kind(const char *reason);

/*
 * A folded name without legal-form words.  `legal_forms` are PCRE2
 * patterns matched against the folded text (NULL = the built-in list,
 * pb_legal_forms_default).
 */
char *pb_norm_name(const char *s, const pb_pattern_list *legal_forms);
/* The same, or NULL for a placeholder (pb_is_placeholder): the name is
 * folded once for both. */
char *pb_norm_real_name(const char *s, const pb_pattern_list *legal_forms);
extern const char pb_legal_forms_default[];

/* IBAN / account number: letters upper-cased, everything else but
 * letters and digits dropped ("de89 3704-0044" -> "DE8937040044");
 * NULL for placeholders and for fewer than 4 letters and digits. */
char *pb_norm_account(const char *s);

/*
 * A folded address with common street words abbreviated alike; NULL when
 * it cannot identify a place: a placeholder, or no number (house,
 * building, postcode) with a street and a town: country-only, town-only
 * ("London, GB") and postcode-only addresses never link parties.
 */
char *pb_norm_address(const char *s);

/*
 * Does the text stand for "no value": empty, a null marker ("NA", "N/A",
 * "-", "0", "unknown") or a redaction ("REDACTED PERSONAL DATA")?  Such
 * values never name, link or group parties.  NULL counts as one.
 */
int pb_is_placeholder(const char *s);
/* The same, remembered per interned string in memo (a map the caller
 * owns, e.g. for one rule run): folding costs utf8proc and a malloc, and
 * rules ask about the same payee or registry id row after row. */
int pb_is_placeholder_memo(pb_ptrmap *memo, const char *s);

/*
 * Is the text the name (or id) of a catch-all record, one payee that
 * stands for many recipients: "GENERAL EXPENSES", "GRANT PAYMENTS",
 * "SUNDRY CREDITORS", "PETTY CASH"?  Such a record names no one party.
 */
int pb_is_catch_all(const char *s);

/* Jaro-Winkler similarity of two UTF-8 strings, by code point, in [0,1]. */
double pb_jaro_winkler(const char *a, const char *b);
/* The same over decoded code points, for comparing many names without
 * decoding them again; pb_utf8_decode returns a malloc'd array. */
size_t pb_utf8_decode(const char *s, int32_t **out);
double pb_jaro_winkler_cp(const int32_t *x, size_t nx, const int32_t *y, size_t ny);

#endif
