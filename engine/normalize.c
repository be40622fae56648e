/*
 * normalize.c - folding names, addresses and accounts so that the same
 * party spelt two ways compares equal.  Unicode work is utf8proc's; the
 * only table here is the transliteration standard, which no library
 * packaged for Debian implements.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "normalize.h"

/*
 * Ukrainian national transliteration (KMU resolution no. 55, 2010), plus
 * the Russian letters it lacks.  `initial` is used at the start of a
 * word, `other` elsewhere.  Lower case only: input is case-folded first.
 */
static const struct {
	int32_t cp;
	const char *initial, *other;
} translit[] = {
	{0x0430, "a", "a"},    {0x0431, "b", "b"},     {0x0432, "v", "v"},
	{0x0433, "h", "h"},    {0x0491, "g", "g"},     {0x0434, "d", "d"},
	{0x0435, "e", "e"},    {0x0454, "ye", "ie"},   {0x0436, "zh", "zh"},
	{0x0437, "z", "z"},    {0x0438, "y", "y"},     {0x0456, "i", "i"},
	{0x0457, "yi", "i"},   {0x0439, "y", "i"},     {0x043a, "k", "k"},
	{0x043b, "l", "l"},    {0x043c, "m", "m"},     {0x043d, "n", "n"},
	{0x043e, "o", "o"},    {0x043f, "p", "p"},     {0x0440, "r", "r"},
	{0x0441, "s", "s"},    {0x0442, "t", "t"},     {0x0443, "u", "u"},
	{0x0444, "f", "f"},    {0x0445, "kh", "kh"},   {0x0446, "ts", "ts"},
	{0x0447, "ch", "ch"},  {0x0448, "sh", "sh"},   {0x0449, "shch", "shch"},
	{0x044c, "", ""},      {0x044e, "yu", "iu"},   {0x044f, "ya", "ia"},
	/* Russian and Belarusian letters outside the Ukrainian alphabet. */
	{0x044b, "y", "y"},    {0x044d, "e", "e"},     {0x0451, "yo", "io"},
	{0x044a, "", ""},      {0x045e, "u", "u"},
};

static const char *translit_of(int32_t cp, int initial)
{
	for (size_t i = 0; i < sizeof(translit) / sizeof(translit[0]); i++)
		if (translit[i].cp == cp)
			return initial ? translit[i].initial : translit[i].other;
	return NULL;
}

static int is_alnum_cp(int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
	       (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO) ||
	       (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME);
}

static void add_cp(pb_buf *b, int32_t cp)
{
	utf8proc_uint8_t enc[4];
	utf8proc_ssize_t n = utf8proc_encode_char(cp, enc);

	pb_buf_add(b, enc, (size_t)n);
}

static int is_dropped_cp(int32_t cp)
{
	/* Joined rather than split: "S.A." is "sa", "O'Brien" is "obrien". */
	return cp == '.' || cp == '\'' || cp == 0x2019 || cp == 0x02bc ||
	       cp == 0x2018 || cp == 0x0060;
}

/* Cyrillic to Latin; "зг" becomes "zgh" so it does not read as "ж". */
static void transliterate(const char *s, pb_buf *out)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	int32_t cp, prev = 0;
	utf8proc_ssize_t n;

	while (*p && (n = utf8proc_iterate(p, -1, &cp)) > 0) {
		/* An apostrophe does not start a word: "Знам'янка" is "znamianka". */
		int initial = !is_alnum_cp(prev) && !is_dropped_cp(prev);
		const char *t = translit_of(cp, initial);
		if (cp == 0x0433 && prev == 0x0437)
			t = "gh";
		if (t)
			pb_buf_addstr(out, t);
		else
			add_cp(out, cp);
		prev = cp;
		p += n;
	}
}

/*
 * ASCII folds without utf8proc: NFKC, transliteration and accent
 * stripping leave it as it is, and case folding is A-Z to a-z, so only
 * the punctuation step is left (fold_punctuation's, for letters and
 * digits are the only ASCII utf8proc puts in the letter, number and mark
 * categories), with the case folded too when fold_case.  Most ids, names
 * and addresses of a ledger are ASCII, and this runs for every party.
 * out has room for s: characters are dropped, runs joined.
 */
static void fold_ascii_into(const char *s, char *out, int fold_case)
{
	size_t len = 0;
	int space = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		int upper = c >= 'A' && c <= 'Z';
		if (is_dropped_cp(c))
			continue;
		if (!upper && !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9')) {
			space = len > 0;
			continue;
		}
		if (space)
			out[len++] = ' ';
		space = 0;
		out[len++] = (char)(upper && fold_case ? c - 'A' + 'a' : c);
	}
	out[len] = '\0';
}

static char *fold_ascii(const char *s, int fold_case)
{
	char *out = pb_xmalloc(strlen(s) + 1);

	fold_ascii_into(s, out, fold_case);
	return out;
}

/* Is s ASCII, and shorter than `below` bytes? */
static int is_ascii(const char *s, size_t below)
{
	size_t i = 0;

	for (; s[i] && i < below; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return i < below;
}

/* Keeps letters and digits, one space between words: a new string. */
static char *fold_punctuation(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	int32_t cp;
	utf8proc_ssize_t n;
	int space = 0;
	pb_buf out;

	/* a name folded from ASCII is ASCII still: most of a ledger's */
	if (is_ascii(s, SIZE_MAX))
		return fold_ascii(s, 0);
	pb_buf_init(&out);
	while (*p && (n = utf8proc_iterate(p, -1, &cp)) > 0) {
		p += n;
		if (is_dropped_cp(cp))
			continue;
		if (!is_alnum_cp(cp)) {
			space = out.len > 0;
			continue;
		}
		if (space)
			pb_buf_addch(&out, ' ');
		space = 0;
		add_cp(&out, cp);
	}
	return pb_buf_detach(&out);
}

char *pb_fold_text(const char *s)
{
	utf8proc_uint8_t *nfkc = NULL, *plain = NULL;
	pb_buf lat;

	if (!s)
		return NULL;
	if (is_ascii(s, SIZE_MAX))
		return fold_ascii(s, 1);
	if (utf8proc_map((const utf8proc_uint8_t *)s, 0, &nfkc,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
			 UTF8PROC_COMPAT | UTF8PROC_CASEFOLD) < 0)
		return NULL;
	pb_buf_init(&lat);
	transliterate((const char *)nfkc, &lat);
	free(nfkc);
	/* Accents go only now: "й" and "ї" needed theirs to transliterate. */
	if (utf8proc_map((const utf8proc_uint8_t *)lat.data, 0, &plain,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
			 UTF8PROC_STRIPMARK) < 0) {
		pb_buf_release(&lat);
		return NULL;
	}
	pb_buf_release(&lat);
	char *out = fold_punctuation((const char *)plain);
	free(plain);
	return out;
}

/*
 * Legal forms as they look after folding (so "S.A." is "sa", "ТОВ" is
 * "tov", "Sp. z o.o." is "sp z oo").  One pattern per line, like every
 * PATTERNS setting.
 */
const char pb_legal_forms_default[] =
	"\\b(llc|ltd|limited|plc|inc|incorporated|corp|corporation|co|company)\\b\n"
	"\\b(gmbh|ag|kg|ohg|ug|mbh|e ?v)\\b\n"
	"\\b(sa|sas|sarl|sasu|snc|sca|srl|spa|sapa|sl|sau)\\b\n"
	"\\b(bv|nv|vof|cv|bvba|sprl|asbl)\\b\n"
	"\\b(ab|as|asa|aps|oy|oyj|hf|ehf)\\b\n"
	"\\b(sro|spol s ro|as|sp z oo|spzoo|sa|kft|zrt|nyrt|doo|dd|ad|ood|eood)\\b\n"
	"\\b(tov|pat|prat|at|pp|dp|kp|fop|tdv|vat|zat)\\b\n"
	"\\b(ooo|oao|zao|pao|ao|ip|jsc|ojsc|cjsc|pjsc|llp|lp)\\b\n"
	"\\b(tovarystvo z obmezhenoiu vidpovidalnistiu|pryvatne pidpryiemstvo)\\b\n";

/* Compiled once for the process, whichever thread asks first. */
static pcre2_code *legal_code;
static pthread_once_t legal_once = PTHREAD_ONCE_INIT;

/*
 * The default lines as one pattern, "(line 1)|(line 2)|...", its groups
 * not capturing: one scan of a name where there were nine, each of which
 * checked the name's UTF-8 again.  It blanks what the lines one after
 * another would: every line is whole words between \b, and no word of
 * one line's match is a word another line matches (a form of several
 * words, "sp z oo", holds none that stands alone in any line), so the
 * matches never overlap and blanking one never makes or breaks another.
 * test_normalize compares the two on names of every line.
 */
static pcre2_code *legal_combined(void)
{
	pb_buf b;
	int ec;
	PCRE2_SIZE off;

	pb_buf_init(&b);
	for (const char *p = pb_legal_forms_default; *p;) {
		size_t len = strcspn(p, "\n");
		pb_buf_addf(&b, "%s(%.*s)", b.len ? "|" : "", (int)len, p);
		p += len + (p[len] == '\n');
	}
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)b.data, b.len,
				       PCRE2_UTF | PCRE2_UCP | PCRE2_NO_AUTO_CAPTURE, &ec, &off, NULL);
	pb_buf_release(&b);
	return re;
}

static void legal_compile(void)
{
	legal_code = legal_combined();
	if (!legal_code)
		pb_fatal("internal error: the default legal forms do not compile");
	/* Ours, not the configuration's: fixed alternations of words that
	 * scan a name once, so the JIT cannot run away where the
	 * interpreter's limits would have stopped it.  Matching every
	 * party's name with them was most of the index phase; without a
	 * JIT (an error here), pcre2_match interprets as before. */
	(void)pcre2_jit_compile(legal_code, PCRE2_JIT_COMPLETE);
}

/* The default as a list of patterns, like a configured one: of one. */
static pcre2_code **legal_default_codes(size_t *n)
{
	pthread_once(&legal_once, legal_compile);
	*n = 1;
	return &legal_code;
}

/* A match blanked: the rest of the name stays UTF-8. */
static void blank(size_t from, size_t to, void *text)
{
	memset((char *)text + from, ' ', to - from);
}

static int folded_is_placeholder(const char *folded);

/* pb_norm_name of a folded name (freed here). */
static char *norm_folded_name(char *folded, const pb_pattern_list *legal_forms)
{
	pcre2_code **codes;
	size_t n;
	pb_buf b;

	if (!folded)
		return NULL;
	if (legal_forms) {
		codes = legal_forms->codes;
		n = legal_forms->n;
	} else {
		codes = legal_default_codes(&n);
	}
	pb_buf_init(&b);
	pb_buf_addstr(&b, folded);
	free(folded);
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	if (!md)
		pb_fatal("out of memory creating PCRE2 match data");
	/* At PCRE2's limits the rest of the name stays as it is: a legal
	 * form left in can only keep two names apart. */
	for (size_t i = 0; i < n; i++)
		(void)pb_pattern_scan(codes[i], md, b.data, b.len, blank, b.data);
	pcre2_match_data_free(md);
	char *out = fold_punctuation(b.data);
	pb_buf_release(&b);
	return out;
}

char *pb_norm_name(const char *s, const pb_pattern_list *legal_forms)
{
	return norm_folded_name(pb_fold_text(s), legal_forms);
}

char *pb_norm_real_name(const char *s, const pb_pattern_list *legal_forms)
{
	char *folded = pb_fold_text(s);

	if (!folded || folded_is_placeholder(folded)) {
		free(folded);
		return NULL;
	}
	return norm_folded_name(folded, legal_forms);
}

char *pb_norm_account(const char *s)
{
	pb_buf b;

	if (!s || pb_is_placeholder(s))
		return NULL;
	pb_buf_init(&b);
	for (; *s; s++) {
		char c = *s;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			pb_buf_addch(&b, c);
	}
	/* "N/A", "-", "0": no account is that short. */
	if (b.len < 4) {
		pb_buf_release(&b);
		return NULL;
	}
	return pb_buf_detach(&b);
}

/* Street words, folded, to one spelling each. */
static const struct {
	const char *word, *abbr;
} street_words[] = {
	{"street", "st"}, {"str", "st"}, {"strasse", "st"}, {"road", "rd"},
	{"avenue", "ave"}, {"av", "ave"}, {"boulevard", "blvd"}, {"bulvar", "blvd"},
	{"lane", "ln"}, {"square", "sq"}, {"ploshcha", "sq"}, {"pl", "sq"},
	{"vulytsia", "vul"}, {"ulitsa", "vul"}, {"ul", "vul"},
	{"prospekt", "prosp"}, {"pr", "prosp"}, {"building", "bldg"},
	{"budynok", "bud"}, {"apartment", "apt"}, {"kvartyra", "kv"},
	{"office", "off"}, {"suite", "ste"}, {"floor", "fl"},
};

/* Folded texts that stand for "no value": null markers, redactions. */
static const char *const placeholders[] = {
	"", "na", "n a", "none", "null", "nil", "unknown", "not known", "not applicable",
	"not available", "not provided", "not disclosed", "withheld", "redacted",
	"redacted personal data", "personal data", "personal data redacted",
	"sensitive data", "confidential", "private individual", "individual",
	"xxx", "tbc", "tba", "various", "sin dato", "no aplica", "s n", "sn",
	"neznamo", "nevidomo", "ne vkazano", NULL};

/* Folded names of catch-all records (pb_is_catch_all): Oxford City
 * Council pays community grants to "GRANT PAYMENTS" and sundries to
 * "GENERAL EXPENSES", under vendor numbers of their own. */
static const char *const catch_alls[] = {
	"general expenses", "grant payments", "sundry", "sundries", "sundry creditor",
	"sundry creditors", "sundry supplier", "sundry suppliers", "sundry payee", "sundry payees",
	"miscellaneous", "petty cash", "various suppliers", "various payees", "one off supplier",
	"one off payee", "one off payments", NULL};

/* Only zeros (or nothing) once blanks are ignored: "0", "000 000". */
static int only_zeros(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '0')
			return 0;
	return 1;
}

static int folded_is_placeholder(const char *folded)
{
	int hit = 0;

	/* First letters first: a name or an address is checked against
	 * thirty markers for each party. */
	for (size_t i = 0; placeholders[i] && !hit; i++)
		hit = folded[0] == placeholders[i][0] && !strcmp(folded, placeholders[i]);
	/* "REDACTED - PERSONAL DATA", "[withheld]", "0", "----------" */
	return hit || only_zeros(folded) || !strncmp(folded, "redacted", 8) ||
	       !strncmp(folded, "withheld", 8);
}

int pb_is_placeholder(const char *s)
{
	char *folded;
	int hit;

	if (!s)
		return 1;
	/* asked of every party's registry id, account and address: a short
	 * ASCII one is folded on the stack, not in a copy of its own */
	char buf[128];
	if (is_ascii(s, sizeof(buf))) {
		fold_ascii_into(s, buf, 1);
		return folded_is_placeholder(buf);
	}
	if (!(folded = pb_fold_text(s)))
		return 0;
	hit = folded_is_placeholder(folded);
	free(folded);
	return hit;
}

int pb_is_placeholder_memo(pb_ptrmap *memo, const char *s)
{
	uint32_t v;

	if (!s)
		return 1;
	if (!pb_ptrmap_get(memo, s, &v)) {
		v = (uint32_t)pb_is_placeholder(s);
		pb_ptrmap_put(memo, s, v);
	}
	return (int)v;
}

int pb_is_catch_all(const char *s)
{
	/* The first three letters, against the list's, turn nearly every
	 * name away unfolded: every party of a ledger is asked. */
	char head[4] = {0};
	size_t k;

	if (!s)
		return 0;
	const char *t = s;
	while (*t && !isalnum((unsigned char)*t) && (unsigned char)*t < 0x80)
		t++;
	for (k = 0; k < 3 && t[k]; k++)
		head[k] = (char)tolower((unsigned char)t[k]);
	for (k = 0; catch_alls[k] && memcmp(head, catch_alls[k], 3); k++)
		;
	if (!catch_alls[k])
		return 0;
	char *folded = pb_fold_text(s);
	int hit = 0;
	for (size_t i = 0; folded && catch_alls[i] && !hit; i++)
		hit = !strcmp(folded, catch_alls[i]);
	free(folded);
	return hit;
}

static int is_street_word(const char *w, size_t len)
{
	for (size_t i = 0; i < sizeof(street_words) / sizeof(street_words[0]); i++)
		if ((strlen(street_words[i].word) == len && !strncmp(w, street_words[i].word, len)) ||
		    (strlen(street_words[i].abbr) == len && !strncmp(w, street_words[i].abbr, len)))
			return 1;
	return 0;
}

/*
 * Can a folded address identify a place?  It needs a number (house,
 * building or postcode) and at least two words: words of three or more
 * letters or street words ("St", "vul"), so a street and a town, or a
 * street name and its kind.  "London GB", "Yerevan AM", "SW1A 1AA",
 * "75001 Paris" and a bare country never link parties.  A run of
 * non-Latin letters (Chinese, Japanese) counts as words by length.
 */
static int address_identifies_place(const char *folded)
{
	int digit = 0;
	size_t words = 0;

	for (const char *w = folded; *w;) {
		size_t len = strcspn(w, " "), ascii_letters = 0, other = 0;
		int has_digit = 0;
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)w[i];
			if (c >= '0' && c <= '9')
				has_digit = 1;
			else if (c >= 'a' && c <= 'z')
				ascii_letters++;
			else if (c >= 0xc0) /* the first byte of a non-ASCII letter */
				other++;
		}
		digit |= has_digit;
		if (!has_digit && !other && (ascii_letters >= 3 || is_street_word(w, len)))
			words++;
		words += other / 3;
		w += len;
		while (*w == ' ')
			w++;
	}
	return digit && words >= 2;
}

char *pb_norm_address(const char *s)
{
	char *folded, *save = NULL;
	pb_buf out;

	/* Folded once, for the placeholder test and the words. */
	if (!s || !(folded = pb_fold_text(s)))
		return NULL;
	if (folded_is_placeholder(folded) || !address_identifies_place(folded)) {
		free(folded);
		return NULL;
	}
	pb_buf_init(&out);
	for (char *w = strtok_r(folded, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		for (size_t i = 0; i < sizeof(street_words) / sizeof(street_words[0]); i++) {
			if (w[0] == street_words[i].word[0] && !strcmp(w, street_words[i].word)) {
				w = (char *)street_words[i].abbr;
				break;
			}
		}
		if (out.len)
			pb_buf_addch(&out, ' ');
		pb_buf_addstr(&out, w);
	}
	free(folded);
	return pb_buf_detach(&out);
}

size_t pb_utf8_decode(const char *s, int32_t **out)
{
	size_t len = strlen(s), n = 0;
	int32_t *cps = pb_xcalloc(len + 1, sizeof(*cps));
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t k;

	while (*p && (k = utf8proc_iterate(p, -1, &cps[n])) > 0) {
		p += k;
		n++;
	}
	*out = cps;
	return n;
}

double pb_jaro_winkler_cp(const int32_t *x, size_t nx, const int32_t *y, size_t ny)
{
	char fx[256], fy[256];
	char *mx = nx <= sizeof(fx) ? fx : pb_xmalloc(nx);
	char *my = ny <= sizeof(fy) ? fy : pb_xmalloc(ny);
	double sim = 0.0;

	if (nx == 0 && ny == 0)
		sim = 1.0;
	else if (nx && ny) {
		size_t window = (nx > ny ? nx : ny) / 2;
		window = window ? window - 1 : 0;
		size_t m = 0, t = 0;
		memset(mx, 0, nx);
		memset(my, 0, ny);
		for (size_t i = 0; i < nx; i++) {
			size_t lo = i > window ? i - window : 0;
			size_t hi = i + window + 1 < ny ? i + window + 1 : ny;
			for (size_t j = lo; j < hi; j++) {
				if (my[j] || x[i] != y[j])
					continue;
				mx[i] = my[j] = 1;
				m++;
				break;
			}
		}
		for (size_t i = 0, j = 0; m && i < nx; i++) {
			if (!mx[i])
				continue;
			while (!my[j])
				j++;
			t += x[i] != y[j];
			j++;
		}
		if (m) {
			double dm = (double)m;
			double jaro = (dm / (double)nx + dm / (double)ny + (dm - (double)t / 2.0) / dm) / 3.0;
			size_t prefix = 0;
			while (prefix < 4 && prefix < nx && prefix < ny && x[prefix] == y[prefix])
				prefix++;
			sim = jaro + (double)prefix * 0.1 * (1.0 - jaro);
		}
	}
	if (mx != fx)
		free(mx);
	if (my != fy)
		free(my);
	return sim;
}

double pb_jaro_winkler(const char *a, const char *b)
{
	int32_t *x, *y;
	size_t nx = pb_utf8_decode(a, &x), ny = pb_utf8_decode(b, &y);
	double sim = pb_jaro_winkler_cp(x, nx, y, ny);

	free(x);
	free(y);
	return sim;
}

/* Characters a terminal may act on rather than show: C0 and C1 controls,
 * and format characters such as the bidi overrides (U+202E). */
static int unsafe_char(utf8proc_int32_t cp)
{
	utf8proc_category_t cat = utf8proc_category(cp);

	return cp == '\\' || cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF ||
	       cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP;
}

/* Quoted values end up in reasons printed on terminals and in reports:
 * nothing in them may move a cursor or hide text. */
void pb_buf_add_quoted(pb_buf *b, const char *s, size_t n)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t i = 0;

	pb_buf_addch(b, '\'');
	while (i < n && i < PB_QUOTE_MAX) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
		if (k > 0 && i + (size_t)k > PB_QUOTE_MAX)
			break;
		if (k <= 0 || unsafe_char(cp)) {
			size_t m = k > 0 ? (size_t)k : 1;
			for (size_t j = 0; j < m; j++)
				pb_buf_addf(b, "\\x%02x", p[i + j]);
			i += m;
		} else {
			pb_buf_add(b, s + i, (size_t)k);
			i += (size_t)k;
		}
	}
	pb_buf_addstr(b, i < n ? "...'" : "'");
}

char *pb_reason_kind(const char *r)
{
	pb_buf b;
	int quoted = 0;

	pb_buf_init(&b);
	for (const char *p = r; *p; p++) {
		if (*p == '\'') {
			quoted = !quoted;
			pb_buf_addstr(&b, quoted ? "'…" : "'");
		} else if (*p == '(' && !quoted && strstr(p, "(first at ") == p) {
			pb_buf_addstr(&b, "(first at …)");
			const char *close = strchr(p, ')');
			if (!close)
				break;
			p = close;
		} else if (!quoted && p > r && p[-1] == '/' && *p >= '0' && *p <= '9') {
			pb_buf_addstr(&b, "…");
			while (p[1] >= '0' && p[1] <= '9')
				p++;
		} else if (!quoted) {
			pb_buf_addch(&b, *p);
		}
	}
	return pb_buf_detach(&b);
}
