/*
 * value.h - strict parsing of the scalar values ledgers carry: exact money,
 * calendar dates, fixed-point decimals, booleans, ISO 4217 currencies.
 *
 * Money is never a float.  An amount is an int64 count of the currency's
 * minor units (cents for EUR, whole yen for JPY, fils/1000 for KWD).  A
 * value that cannot be represented exactly is rejected, not rounded.
 * Every parser returns 0 on success, or -1 with *why set to a static
 * phrase ("is not a number", "does not exist") that the caller puts after
 * the quoted value in its message.
 */
#ifndef PB_VALUE_H
#define PB_VALUE_H

#include <stddef.h>
#include <stdint.h>

/* "Unknown" markers: an empty cell is unknown, never zero. */
#define PB_AMOUNT_NONE INT64_MIN
#define PB_INT_NONE INT64_MIN
#define PB_DATE_NONE INT32_MIN
#define PB_BOOL_NONE (-1)

/* Decimals (share_pct, multiplier, rule percentages) are int64 millionths. */
#define PB_DECIMAL_SCALE 1000000
#define PB_DECIMAL_DIGITS 6

/* Days since 1970-01-01 (proleptic Gregorian), or PB_DATE_NONE. */
typedef int32_t pb_date;

/* Number format of amounts: docs/formats.md's default is '.' and no grouping. */
typedef struct {
	char decimal;   /* '.' or ',' */
	char thousands; /* 0 (none), ',', '.', ' ', '\'' */
} pb_numfmt;

extern const pb_numfmt pb_numfmt_default;

/*
 * Minor-unit exponent of an ISO 4217 code (2 for EUR, 0 for JPY, 3 for
 * KWD), or -1 if `code` is not an active ISO 4217 alphabetic code.
 */
int pb_currency_exponent(const char *code);

/*
 * Parses decimal text into an integer count of 10^-exponent units.
 * Accepts an optional sign, digits, grouping per fmt (groups of three,
 * checked), and at most `exponent` significant decimals (trailing zeros
 * beyond are fine).  Rejects exponents ("1e3"), NaN, Inf, blanks inside,
 * and anything that would overflow int64.
 */
int pb_amount_parse(const char *s, size_t n, int exponent, pb_numfmt fmt,
		    int64_t *out, const char **why);
/* Writes "-1234.50" style text (no grouping); buf needs 32 bytes. */
char *pb_amount_format(int64_t v, int exponent, char buf[32]);

/* Decimal with up to six places, as millionths; same rules as amounts. */
int pb_decimal_parse(const char *s, size_t n, pb_numfmt fmt, int64_t *out,
		     const char **why);
char *pb_decimal_format(int64_t millionths, char buf[32]); /* "2.5" */
/* v with `digits` decimals, trailing zeros (and a bare point) dropped. */
char *pb_fixed_format(int64_t v, int digits, char buf[32]);

/* Plain integer (counts such as number_of_tenderers, fiscal_year). */
int pb_int_parse(const char *s, size_t n, int64_t *out, const char **why);

/* true/false, yes/no, 1/0, any ASCII case. */
int pb_bool_parse(const char *s, size_t n, int *out, const char **why);

/*
 * Dates.  A format is a pattern of YYYY, MM, DD (exactly two digits),
 * M, D (one or two digits) and literal characters, e.g. "DD/MM/YYYY";
 * NULL means ISO 8601: YYYY-MM-DD, optionally followed by 'T' or ' ' and
 * a time hh:mm[:ss[.fff]] with an optional 'Z' or +hh:mm / -hh:mm offset.
 * The time is validated and then dropped: comparisons are by the calendar
 * date as written.  Impossible dates (2023-02-30) are rejected.
 */
int pb_date_parse(const char *s, size_t n, const char *format, pb_date *out,
		  const char **why);
/* Returns 0 if format is a usable pattern, else -1: YYYY, YY, MM, M, DD,
 * D, MON (a month name) and punctuation, blanks or lower-case literal
 * words; each of year, month and day exactly once; alternatives split
 * by '|', each complete. */
int pb_date_format_valid(const char *format);
pb_date pb_date_from_ymd(int y, int m, int d); /* no validation */
void pb_date_to_ymd(pb_date d, int *y, int *m, int *day);
char *pb_date_format(pb_date d, char buf[11]); /* "YYYY-MM-DD" or "" */
int pb_date_weekday(pb_date d); /* 0 = Monday .. 6 = Sunday */
int pb_date_year(pb_date d);    /* the calendar year of a date that is not NONE */
/* The fiscal year (starting in start_month, 1-12) of a date that is not
 * NONE, named by the calendar year in which it starts, in *fy; returns the
 * month's place in that year, 0 for start_month .. 11. */
int pb_date_fiscal(pb_date d, int start_month, int64_t *fy);

/* 128-bit integers for exact sums of many int64 amounts. */
__extension__ typedef __int128 pb_i128;

/*
 * Exact comparison helpers for rules: is num/den > pct/100, with pct in
 * millionths?  Works for any int64 inputs (128-bit intermediate).
 */
int pb_ratio_exceeds_pct(int64_t num, int64_t den, int64_t pct_millionths);
/* num/den as a double for display and scores only, never for money. */
double pb_ratio(int64_t num, int64_t den);

#endif
