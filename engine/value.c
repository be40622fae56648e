/*
 * value.c - strict scalar parsing.  Nothing here guesses: a value either
 * means exactly one thing or is rejected with a short reason.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pb.h"
#include "value.h"

const pb_numfmt pb_numfmt_default = {'.', 0};

/*
 * Active ISO 4217 alphabetic codes whose minor unit is not 2 (ISO 4217
 * amendment 176 list), then every other active code.  Unknown codes are
 * rejected rather than assumed to have cents.
 */
static const char *const currencies_0[] = {
	"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
	"RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF", NULL};
static const char *const currencies_3[] = {
	"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND", NULL};
static const char *const currencies_4[] = {"CLF", "UYW", NULL};
static const char *const currencies_2[] = {
	"AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN",
	"BAM", "BBD", "BDT", "BGN", "BMD", "BND", "BOB", "BOV", "BRL", "BSD",
	"BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CNY",
	"COP", "COU", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP",
	"ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD",
	"GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR",
	"JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR",
	"LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU",
	"MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO",
	"NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR",
	"RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP",
	"SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS",
	"TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "USN", "UYU",
	"UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG",
	NULL};

static int in_list(const char *const *list, const char *word)
{
	for (; *list; list++)
		if (!strcmp(*list, word))
			return 1;
	return 0;
}

/* Every code's exponent by its three letters (AAA = 0): -1 for none.
 * Amounts are parsed by the million, so this is a lookup, not a scan. */
#define CODE_SLOTS (26 * 26 * 26)
static signed char exponents[CODE_SLOTS];
static pthread_once_t exponents_once = PTHREAD_ONCE_INIT;

static int code_slot(const char *code)
{
	int slot = 0;

	for (int i = 0; i < 3; i++) {
		if (code[i] < 'A' || code[i] > 'Z')
			return -1;
		slot = slot * 26 + (code[i] - 'A');
	}
	return code[3] ? -1 : slot;
}

static void exponents_fill(const char *const *list, int exponent)
{
	for (; *list; list++)
		exponents[code_slot(*list)] = (signed char)exponent;
}

static void exponents_make(void)
{
	memset(exponents, -1, sizeof(exponents));
	exponents_fill(currencies_2, 2);
	exponents_fill(currencies_0, 0);
	exponents_fill(currencies_3, 3);
	exponents_fill(currencies_4, 4);
}

int pb_currency_exponent(const char *code)
{
	int slot = code ? code_slot(code) : -1;

	if (slot < 0)
		return -1;
	pthread_once(&exponents_once, exponents_make);
	return exponents[slot];
}

static int is_grouping_char(char c)
{
	return c == ',' || c == '.' || c == ' ' || c == '\'';
}

/* Checks that grouping separators, if any, split the integer part into
 * groups of three: "1.234.567" yes, "12.34.56" no. */
static int grouping_ok(const char *s, size_t n, char sep)
{
	size_t since = 0, groups = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == sep) {
			if ((groups == 0 && (since == 0 || since > 3)) ||
			    (groups > 0 && since != 3))
				return 0;
			groups++;
			since = 0;
		} else {
			since++;
		}
	}
	return groups == 0 || since == 3;
}

int pb_amount_parse(const char *s, size_t n, int exponent, pb_numfmt fmt,
		    int64_t *out, const char **why)
{
	int neg = 0;
	const char *dot;
	size_t ilen, flen;

	pb_trim(&s, &n);
	if (n == 0)
		return *why = "is empty", -1;
	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
		n--;
	}
	if (n == 0)
		return *why = "is not a number", -1;
	dot = memchr(s, fmt.decimal, n);
	ilen = dot ? (size_t)(dot - s) : n;
	flen = dot ? n - ilen - 1 : 0;
	if (ilen == 0 || (dot && flen == 0))
		return *why = "is not a number", -1;
	for (size_t i = 0; i < ilen; i++) {
		if (isdigit((unsigned char)s[i]))
			continue;
		if (!fmt.thousands || s[i] != fmt.thousands)
			return *why = "is not a number", -1;
	}
	for (size_t i = 0; i < flen; i++)
		if (!isdigit((unsigned char)dot[1 + i]))
			return *why = "is not a number", -1;
	if (fmt.thousands && is_grouping_char(fmt.thousands) &&
	    !grouping_ok(s, ilen, fmt.thousands))
		return *why = "has misplaced digit grouping", -1;

	/* Decimals beyond the currency's minor unit must be zeros. */
	for (size_t i = (size_t)exponent; i < flen; i++)
		if (dot[1 + i] != '0')
			return *why = "has more decimal places than its currency allows", -1;

	uint64_t v = 0;
	const uint64_t limit = (uint64_t)INT64_MAX + (neg ? 1u : 0u);
	for (size_t i = 0; i < ilen + (size_t)exponent; i++) {
		int d;
		if (i < ilen) {
			if (s[i] == fmt.thousands)
				continue;
			d = s[i] - '0';
		} else {
			size_t k = i - ilen;
			d = k < flen ? dot[1 + k] - '0' : 0;
		}
		if (v > (limit - (uint64_t)d) / 10)
			return *why = "is too large", -1;
		v = v * 10 + (uint64_t)d;
	}
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	if (*out == PB_AMOUNT_NONE)
		return *why = "is too large", -1;
	return 0;
}

char *pb_amount_format(int64_t v, int exponent, char buf[32])
{
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char digits[24];
	int nd = 0;
	char *p = buf;

	do {
		digits[nd++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (nd <= exponent)
		digits[nd++] = '0';
	if (v < 0)
		*p++ = '-';
	for (int i = nd - 1; i >= 0; i--) {
		*p++ = digits[i];
		if (i == exponent && exponent > 0)
			*p++ = '.';
	}
	*p = '\0';
	return buf;
}

int pb_decimal_parse(const char *s, size_t n, pb_numfmt fmt, int64_t *out,
		     const char **why)
{
	if (pb_amount_parse(s, n, PB_DECIMAL_DIGITS, fmt, out, why) < 0) {
		if (!strcmp(*why, "has more decimal places than its currency allows"))
			*why = "has more than six decimal places";
		return -1;
	}
	return 0;
}

char *pb_decimal_format(int64_t millionths, char buf[32])
{
	return pb_fixed_format(millionths, PB_DECIMAL_DIGITS, buf);
}

char *pb_fixed_format(int64_t v, int digits, char buf[32])
{
	pb_amount_format(v, digits, buf);
	char *dot = strchr(buf, '.');
	if (dot) {
		char *end = buf + strlen(buf);
		while (end > dot + 1 && end[-1] == '0')
			*--end = '\0';
		if (end == dot + 1)
			*dot = '\0';
	}
	return buf;
}

int pb_int_parse(const char *s, size_t n, int64_t *out, const char **why)
{
	if (pb_amount_parse(s, n, 0, pb_numfmt_default, out, why) < 0)
		return -1;
	if (memchr(s, '.', n))
		return *why = "is not a whole number", -1;
	return 0;
}

int pb_bool_parse(const char *s, size_t n, int *out, const char **why)
{
	static const char *const yes[] = {"true", "yes", "1", "y", NULL};
	static const char *const no[] = {"false", "no", "0", "n", NULL};
	char low[8];

	pb_trim(&s, &n);
	if (n == 0 || n >= sizeof(low))
		return *why = "is not true/false, yes/no or 1/0", -1;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[n] = '\0';
	if (in_list(yes, low))
		return *out = 1, 0;
	if (in_list(no, low))
		return *out = 0, 0;
	return *why = "is not true/false, yes/no or 1/0", -1;
}

/* --- dates --- */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Howard Hinnant's days_from_civil. */
pb_date pb_date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (pb_date)(era * 146097 + doe - 719468);
}

void pb_date_to_ymd(pb_date z, int *y, int *m, int *d)
{
	int zz = z + 719468;
	int era = (zz >= 0 ? zz : zz - 146096) / 146097;
	int doe = zz - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

char *pb_date_format(pb_date d, char buf[11])
{
	int y, m, day;

	if (d == PB_DATE_NONE) {
		buf[0] = '\0';
		return buf;
	}
	pb_date_to_ymd(d, &y, &m, &day);
	y = ((y % 10000) + 10000) % 10000;
	const int parts[] = {y / 1000, y / 100 % 10, y / 10 % 10, y % 10, -1,
			     m / 10, m % 10, -1, day / 10, day % 10};
	for (int i = 0; i < 10; i++)
		buf[i] = parts[i] < 0 ? '-' : (char)('0' + parts[i]);
	buf[10] = '\0';
	return buf;
}

int pb_date_year(pb_date d)
{
	int y, m, day;

	pb_date_to_ymd(d, &y, &m, &day);
	return y;
}

int pb_date_fiscal(pb_date d, int start_month, int64_t *fy)
{
	int y, m, day;

	pb_date_to_ymd(d, &y, &m, &day);
	*fy = m >= start_month ? y : y - 1;
	return (m - start_month + 12) % 12;
}

int pb_date_weekday(pb_date d)
{
	/* 1970-01-01 was a Thursday (3 with Monday = 0). */
	int w = (int)((d % 7 + 7) % 7);
	return (w + 3) % 7;
}

/* Reads exactly `min`..`max` digits at *p. */
static int read_digits(const char **p, const char *end, int min, int max,
		       int *out)
{
	int n = 0, v = 0;

	while (*p < end && n < max && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n < min)
		return -1;
	*out = v;
	return 0;
}

/* hh:mm[:ss[.fff]] then optional Z or +hh:mm / -hh:mm (or +hhmm). */
static int parse_time_suffix(const char *p, const char *end)
{
	int hh, mm, ss = 0;

	if (read_digits(&p, end, 2, 2, &hh) < 0 || p == end || *p++ != ':' ||
	    read_digits(&p, end, 2, 2, &mm) < 0)
		return -1;
	if (p < end && *p == ':') {
		p++;
		if (read_digits(&p, end, 2, 2, &ss) < 0)
			return -1;
		if (p < end && (*p == '.' || *p == ',')) {
			int frac;
			p++;
			if (read_digits(&p, end, 1, 9, &frac) < 0)
				return -1;
		}
	}
	if (hh > 24 || mm > 59 || ss > 60 || (hh == 24 && (mm || ss)))
		return -1;
	if (p < end && *p == 'Z')
		p++;
	else if (p < end && (*p == '+' || *p == '-')) {
		int oh, om = 0;
		p++;
		if (read_digits(&p, end, 2, 2, &oh) < 0)
			return -1;
		if (p < end && *p == ':')
			p++;
		if (p < end && read_digits(&p, end, 2, 2, &om) < 0)
			return -1;
		if (oh > 14 || om > 59)
			return -1;
	}
	return p == end ? 0 : -1;
}

static int match_pattern(const char *p, const char *end, const char *fmt,
			 int *y, int *m, int *d, const char **rest)
{
	*y = *m = *d = -1;
	while (*fmt) {
		int ok = 0;
		if (!strncmp(fmt, "YYYY", 4)) {
			ok = read_digits(&p, end, 4, 4, y) == 0;
			fmt += 4;
		} else if (!strncmp(fmt, "MM", 2)) {
			ok = read_digits(&p, end, 2, 2, m) == 0;
			fmt += 2;
		} else if (!strncmp(fmt, "DD", 2)) {
			ok = read_digits(&p, end, 2, 2, d) == 0;
			fmt += 2;
		} else if (*fmt == 'M') {
			ok = read_digits(&p, end, 1, 2, m) == 0;
			fmt++;
		} else if (*fmt == 'D') {
			ok = read_digits(&p, end, 1, 2, d) == 0;
			fmt++;
		} else {
			ok = p < end && *p == *fmt;
			p++;
			fmt++;
		}
		if (!ok)
			return -1;
	}
	*rest = p;
	return *y < 0 || *m < 0 || *d < 0 ? -1 : 0;
}

int pb_date_format_valid(const char *format)
{
	int y = 0, m = 0, d = 0;

	if (!format)
		return 0;
	/* alternatives: "DD/MM/YYYY | D-MON-YY", each complete */
	const char *bar = strchr(format, '|');
	if (bar) {
		char *first = pb_xstrndup(format, (size_t)(bar - format));
		int rc = pb_date_format_valid(first) < 0 ? -1 : pb_date_format_valid(bar + 1);
		free(first);
		return rc;
	}
	for (const char *f = format; *f;) {
		if (!strncmp(f, "YYYY", 4))
			y++, f += 4;
		else if (!strncmp(f, "YY", 2))
			y++, f += 2;
		else if (!strncmp(f, "MON", 3))
			m++, f += 3;
		else if (!strncmp(f, "MM", 2))
			m++, f += 2;
		else if (!strncmp(f, "DD", 2))
			d++, f += 2;
		else if (*f == 'M')
			m++, f++;
		else if (*f == 'D')
			d++, f++;
		else if (isupper((unsigned char)*f) || isdigit((unsigned char)*f))
			return -1; /* a mistyped token; lower-case words are literal */
		else
			f++;
	}
	return y == 1 && m == 1 && d == 1 ? 0 : -1;
}

/* "YYYY-MM-DD" exactly, as nearly every ledger writes its dates: read
 * without the pattern machinery (what match_pattern makes of it too). */
static int plain_iso_date(const char *s, size_t n, int *y, int *m, int *d)
{
	static const char shape[] = "9999-99-99";

	if (n != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == '-' ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return 0;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	return 1;
}

int pb_date_parse(const char *s, size_t n, const char *format, pb_date *out,
		  const char **why)
{
	const char *end, *rest;
	int y, m, d;

	pb_trim(&s, &n);
	if (n == 0)
		return *why = "is empty", -1;
	end = s + n;
	if (!format && plain_iso_date(s, n, &y, &m, &d))
		rest = end;
	else if (match_pattern(s, end, format ? format : "YYYY-MM-DD", &y, &m, &d,
			       &rest) < 0)
		return *why = format ? "does not match the profile's date format"
				     : "is not an ISO 8601 date (YYYY-MM-DD)",
		       -1;
	if (rest != end) {
		if (format || (*rest != 'T' && *rest != ' ') ||
		    parse_time_suffix(rest + 1, end) < 0)
			return *why = "is not an ISO 8601 date (YYYY-MM-DD)", -1;
	}
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m) || y < 1)
		return *why = "does not exist", -1;
	*out = pb_date_from_ymd(y, m, d);
	return 0;
}

/* --- exact ratios --- */


int pb_ratio_exceeds_pct(int64_t num, int64_t den, int64_t pct_millionths)
{
	/* num/den > pct/100  <=>  num * 100 * 10^6 > pct * den  (den > 0) */
	if (den <= 0)
		return num > 0;
	pb_i128 lhs = (pb_i128)num * 100 * PB_DECIMAL_SCALE;
	pb_i128 rhs = (pb_i128)pct_millionths * den;
	return lhs > rhs;
}

double pb_ratio(int64_t num, int64_t den)
{
	return den ? (double)num / (double)den : 0.0;
}
