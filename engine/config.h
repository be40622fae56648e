/*
 * config.h - the audit configuration, read from an INI file (libinih).
 *
 *   [audit]        base_currency, as_of, fail_on, max_field_bytes,
 *                  max_stream_bytes, part_bytes
 *   [rule ID]      enabled, severity, and that rule's parameters; a money
 *                  parameter is an amount and optionally its currency,
 *                  "100000 EUR" (without one: the base currency)
 *   [parties]      legal_forms (PCRE2 patterns stripped from names)
 *   [procedures]   NAME = METHOD yes|no (extends config/procedures.txt)
 *   [profile NAME] files, table, delimiter, decimal, thousands,
 *                  date_format, encoding, skip_lines, year_pivot, months,
 *                  null, col./copy./const./key./map./date./party./
 *                  party_registry.<canonical>, party_country.<canonical>,
 *                  split.<header>, filter.<name>
 *
 * Unknown sections and keys are errors that name them: a typo in a
 * threshold must never silently fall back to the default.
 */
#ifndef PB_CONFIG_H
#define PB_CONFIG_H

#include <stdio.h>

#include "audit.h"
#include "pb.h"
#include "pattern.h"
#include "procedure.h"
#include "value.h"

/* How a canonical field is filled (docs/config.md, profiles). */
typedef enum {
	PB_SRC_COLUMN,   /* col.F = Header | Other header     (a cell)       */
	PB_SRC_COPY,     /* copy.F = Header  (a column already used by col.) */
	PB_SRC_CONST,    /* const.F = TEXT                                   */
	PB_SRC_TEMPLATE, /* key.F = {Header}-{Other}, {@file}, {@line}       */
} pb_src_kind;

typedef struct {
	char *canonical; /* canonical column name, or "TABLE.column" */
	char *source;    /* the value as written in the profile */
	pb_src_kind kind;
	char **alts;     /* COLUMN/COPY: header alternatives, first present wins */
	size_t nalts;
	int optional;    /* COLUMN written "? A | B": may be absent */
} pb_rename;

/* One line of a value map, a null-marker list or a filter. */
struct pcre2_real_code_8;
typedef enum { PB_MATCH_NOCASE, PB_MATCH_EXACT, PB_MATCH_REGEX, PB_MATCH_ANY } pb_match_mode;
typedef struct {
	pb_match_mode mode;
	char *text;                   /* NOCASE/EXACT: the text */
	struct pcre2_real_code_8 *re; /* REGEX */
	char *to;                     /* maps: the replacement */
} pb_match;

typedef struct {
	char *field;       /* map.F, date.F */
	pb_match *items;   /* map.F: the lines, in order */
	size_t nitems;
	char *date_format; /* date.F: pattern, NULL for none */
	int pick;          /* date.F: 0 whole cell, 1 first date in it, 2 last */
} pb_field_opts;

typedef struct {
	char *header;                 /* split.HEADER */
	struct pcre2_real_code_8 *re; /* named groups = canonical fields */
	char **groups;                /* the group names, in number order */
	size_t ngroups;
} pb_split;

typedef struct {
	char *name;                   /* filter.NAME */
	char *header;                 /* the column it looks at; NULL = any */
	struct pcre2_real_code_8 *re;
} pb_filter;

typedef struct {
	char *field;    /* party.F: the id field (payee_id, supplier_id...) */
	char **names;   /* header alternatives holding the party's name */
	size_t nnames;
	int names_optional; /* written "? A | B": the column may be absent */
	char **registry; /* party_registry.F: header alternatives, or none */
	size_t nregistry;
	int registry_optional; /* written "? A | B": the column may be absent */
	char country[3]; /* party_country.F: ISO 3166-1 alpha-2, or "" */
} pb_party_spec;

typedef struct {
	char *name;
	char *files;       /* fnmatch patterns on the base name, space-separated */
	char *table;       /* table these files hold, or NULL */
	char delimiter;    /* 0 = sniff */
	pb_numfmt numfmt;
	char *date_format; /* NULL = ISO 8601 */
	char *encoding;    /* NULL = UTF-8; "windows-1251", "latin-1", ...;
			    * "auto": UTF-8 if the start is, else Windows-1252 */
	pb_rename *renames; /* col., copy., const., key. */
	size_t nrenames;
	pb_rename *extras;  /* extra.NAME = Header: kept as the row's extra NAME */
	size_t nextras;
	pb_field_opts *opts;  /* map.F and date.F */
	size_t nopts;
	pb_split *splits;
	size_t nsplits;
	pb_filter *filters;
	size_t nfilters;
	pb_match *nulls;      /* null: cells that mean "empty" */
	size_t nnulls;
	pb_party_spec *parties;
	size_t nparties;
	char **months;        /* months: 12 entries, folded alternatives split by '|' */
	char *months_text;    /* months as written (continuation lines joined) */
	int year_pivot;       /* YY below it is 20YY, else 19YY (default 50) */
	unsigned skip_lines;  /* physical lines before the header */
	int named;            /* loaded by name (-p, [audit] profile): applies
			       * to every CSV input when `files` is not set */
	char *origin;         /* file it was read from */
	char *also;           /* also: profiles that read the same file again
			       * into their own tables, blank-separated */
	int repeats_filtered; /* repeated_keys = filter: a row repeating the
			       * key of an earlier row of its file is filtered
			       * (rule repeated-key), not rejected */
} pb_profile;


typedef struct {
	int enabled;          /* 1 unless the config says otherwise */
	int severity;         /* -1 = the rule's own, else pb_severity */
	char **values;        /* per parameter: the text, or NULL = default */
	pb_pattern_list **compiled; /* per PATTERNS parameter, else NULL */
	int64_t *numbers;     /* per parameter: parsed number; MONEY in minor
			       * units of its currency */
	char (*currencies)[4]; /* per parameter: the ISO 4217 code written
				* after a MONEY amount, or "" (none written) */
	uint64_t *lines;      /* per parameter: the config file's line that
			       * set it, for errors; 0 = not set there */
} pb_rule_config;

/* Fewer rows read than this say nothing of an export's format: a notice
 * file is one row, and one rejected notice is a rejected row. */
#define PB_REJECTED_MIN_ROWS 10

/* The most threads -j or [audit] jobs may ask for. */
#define PB_MAX_JOBS 256

typedef struct pb_config {
	char *path;            /* file it came from, or NULL */
	char *history;         /* [audit] history: the --history default, or NULL */
	long history_wait_ms;  /* [audit] history_wait (seconds in the file) */
	char base_currency[4]; /* default "EUR" */
	pb_date as_of;         /* PB_DATE_NONE = latest date in the data */
	int fail_on;           /* pb_severity, or PB_SEV_COUNT for "none" */
	int keep_going;        /* [audit] keep_going, --keep-going: a file
				* that cannot be read is listed, not fatal */
	int max_rejected_pct;  /* [audit] max_rejected_pct: an input, or a
				* table's inputs together, of PB_REJECTED_MIN_ROWS
				* rows or more with a larger share rejected makes
				* the audit exit 3 (default 50; 100: never) */
	int jobs;              /* [audit] jobs, -j: rule threads; 0 = one per
				* core (the command line decides), 1 = none */
	size_t max_field_bytes;/* a bigger CSV field rejects its row */
	size_t max_stream_bytes;/* a non-regular CSV input copied beyond this
				 * is an error (default 1 GiB) */
	size_t part_bytes;     /* a CSV file of at least twice this is read in
				* parts on -j threads (default 8 MiB; 0 never) */
	pb_rule_config *rules; /* pb_nrules entries, registry order */
	pb_pattern_list *legal_forms; /* [parties] legal_forms, NULL = built in */
	pb_procedures *procedures;    /* config/procedures.txt + [procedures] */
	pb_profile *profiles;
	size_t nprofiles;
	char *profile_name;    /* [audit] profile, loaded by pb_config_load's caller */
	int ocds_raw;          /* not in the INI: set by `probity cardinal` so that
				* the OCDS importer also keeps the raw fields
				* Cardinal's indicators read (ocds_* extras) */
} pb_config;

/* Defaults for every rule and setting; parses every default parameter. */
void pb_config_init(pb_config *cfg);
/* Reads an INI file over the defaults; -1 and err (PB_EXIT_USAGE). */
int pb_config_load(pb_config *cfg, const char *path, pb_error *err);
void pb_config_release(pb_config *cfg);

/* Sets one rule parameter from text (also used by the loader). */
int pb_config_set_param(pb_config *cfg, const char *rule_id, const char *key,
			const char *value, pb_error *err);

/*
 * The currency of a MONEY parameter: the code written after its amount
 * ("100000 EUR"), else the base currency.  rule_index is the rule's
 * registry index, param_index its parameter's.
 */
const char *pb_config_param_currency(const pb_config *cfg, size_t rule_index,
				     size_t param_index);

/*
 * The profile whose `files` patterns match path's base name, else the one
 * profile named with -p / [audit] profile that has no `files`, else NULL.
 * Two profiles whose patterns match one file: NULL and err (PB_EXIT_USAGE)
 * naming both; pb_config_profile_for (no err) returns the first.
 */
const pb_profile *pb_config_profile_for(const pb_config *cfg,
					const char *path);
int pb_config_profile_pick(const pb_config *cfg, const char *path,
			   const pb_profile **out, pb_error *err);

/*
 * Loads a profile by name (config/profiles/NAME.ini, searched in
 * $PROBITY_PROFILES, then next to the executable exe: ../config/profiles,
 * ../../config/profiles, ../share/probity/profiles) or by path (NAME
 * holds a '/' or ends in .ini).  Its [profile] sections are marked named.
 */
int pb_config_load_profile(pb_config *cfg, const char *name, const char *exe,
			   pb_error *err);

/* Value map of field (map.F), or NULL.  Matches s against it: 1 and *to
 * when a line matches, 0 when none does (the value stays as it is). */
const pb_field_opts *pb_profile_opts(const pb_profile *p, const char *field);
/* 1 when s matches m, 0 when it does not, -1 when a pattern hit PCRE2's
 * match or depth limit on it (neither: the caller must not judge s). */
int pb_match_one(const pb_match *m, const char *s, size_t n);

/* Every profile of cfg is used by some input of l (its name in the
 * input's profile): else -1 and err naming the profile and its pattern. */
int pb_config_check_profiles_used(const pb_config *cfg, const pb_ledger *l,
				  pb_error *err);

/*
 * `probity init --profile FILE.csv`: writes a draft [profile draft] for
 * the file, its mappings guessed from the header and commented with the
 * first row's values, for the auditor to check.  -1 and err when the file
 * cannot be read.
 */
int pb_config_draft_profile(FILE *out, const char *path, pb_error *err);

/* Writes the commented default configuration (`probity init`). */
void pb_config_write_default(FILE *out);

#endif
