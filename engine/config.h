/*
 * config.h - the audit configuration, read from an INI file (libinih).
 *
 *   [audit]        base_currency, as_of, fail_on, max_field_bytes
 *   [rule ID]      enabled, severity, and that rule's parameters; a money
 *                  parameter is an amount and optionally its currency,
 *                  "100000 EUR" (without one: the base currency)
 *   [parties]      legal_forms (PCRE2 patterns stripped from names)
 *   [procedures]   NAME = METHOD yes|no (extends config/procedures.txt)
 *   [profile NAME] files, table, delimiter, decimal, thousands,
 *                  date_format, encoding, col.<canonical> = <source>
 *
 * Unknown sections and keys are errors that name them: a typo in a
 * threshold must never silently fall back to the default.
 */
#ifndef PB_CONFIG_H
#define PB_CONFIG_H

#include <stdio.h>

#include "audit.h"
#include "pb.h"
#include "procedure.h"
#include "value.h"

typedef struct {
	char *canonical; /* canonical column name */
	char *source;    /* header text in the export */
} pb_rename;

typedef struct {
	char *name;
	char *files;       /* fnmatch patterns on the base name, space-separated */
	char *table;       /* table these files hold, or NULL */
	char delimiter;    /* 0 = sniff */
	pb_numfmt numfmt;
	char *date_format; /* NULL = ISO 8601 */
	char *encoding;    /* NULL = UTF-8; "windows-1251", "latin-1", ... */
	pb_rename *renames;
	size_t nrenames;
} pb_profile;

/* Compiled PATTERNS parameter (pcre2_code is struct pcre2_real_code_8). */
struct pcre2_real_code_8;
typedef struct {
	struct pcre2_real_code_8 **codes;
	size_t n;
} pb_pattern_list;

typedef struct {
	int enabled;          /* 1 unless the config says otherwise */
	int severity;         /* -1 = the rule's own, else pb_severity */
	char **values;        /* per parameter: the text, or NULL = default */
	pb_pattern_list **compiled; /* per PATTERNS parameter, else NULL */
	int64_t *numbers;     /* per parameter: parsed number; MONEY in minor
			       * units of its currency */
	char (*currencies)[4]; /* per parameter: the ISO 4217 code written
				* after a MONEY amount, or "" (none written) */
} pb_rule_config;

typedef struct pb_config {
	char *path;            /* file it came from, or NULL */
	char base_currency[4]; /* default "EUR" */
	pb_date as_of;         /* PB_DATE_NONE = latest date in the data */
	int fail_on;           /* pb_severity, or PB_SEV_COUNT for "none" */
	size_t max_field_bytes;/* a bigger CSV field rejects its row */
	pb_rule_config *rules; /* pb_nrules entries, registry order */
	pb_pattern_list *legal_forms; /* [parties] legal_forms, NULL = built in */
	pb_procedures *procedures;    /* config/procedures.txt + [procedures] */
	pb_profile *profiles;
	size_t nprofiles;
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

/* The profile whose `files` patterns match path's base name, or NULL. */
const pb_profile *pb_config_profile_for(const pb_config *cfg,
					const char *path);

/* Writes the commented default configuration (`probity init`). */
void pb_config_write_default(FILE *out);

#endif
