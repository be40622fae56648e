/*
 * cardinal.h - OCP Cardinal's red-flag indicators over OCDS compiled
 * releases, reproduced as ../shared/conformance/cardinal/README.md states
 * them for Cardinal 0.0.8, behind `probity cardinal`.
 *
 * The output is Cardinal's JSON: {"OCID": {ocid: {"R024": 0.0}}, "Buyer":
 * {...}, "ProcuringEntity": {...}, "Tenderer": {...}, "Meta": {...}}; only
 * groups and identifiers with a flag appear, and "Meta" (the quartiles and
 * fences used, rounded to 4 decimals) only when asked for.
 */
#ifndef PB_CARDINAL_H
#define PB_CARDINAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../engine/pb.h"

/* The indicators, in Cardinal's order: the one place a code is named. */
#define PB_CARDINAL_CODES(X)                                                   \
	X(R003) X(R018) X(R024) X(R025) X(R028) X(R030) X(R035) X(R036)      \
	X(R038) X(R048) X(R058)

enum {
#define PB_CARDINAL_ENUM(code) PB_CARDINAL_##code,
	PB_CARDINAL_CODES(PB_CARDINAL_ENUM)
#undef PB_CARDINAL_ENUM
	PB_CARDINAL_N
};

/* A '|'-separated setting split as Cardinal splits it (Rust's
 * split_terminator): "" is the empty list, "a|b|" is {a, b}.  An empty
 * list means "no filter" wherever Cardinal uses one. */
typedef struct {
	char **items;
	size_t n;
} pb_cardinal_list;

/* An optional setting: `set` is 0 until the file gives it. */
typedef struct {
	int set;
	double value;
} pb_cardinal_opt;

/* [R003.procurement_method_details]: a threshold in days per details. */
typedef struct {
	char *details;
	int64_t days;
} pb_cardinal_days;

/*
 * Cardinal's settings file (`ocdscardinal init` writes the full one).  An
 * indicator runs only if its section is present, as in Cardinal: with no
 * settings file, none runs.  Strings are owned by the struct.
 */
typedef struct {
	unsigned enabled; /* bit PB_CARDINAL_Rxxx: section [Rxxx] present */
	char *currency;   /* main currency; NULL: the first one seen */
	pb_cardinal_list no_price_comparison; /* procurementMethodDetails */
	pb_cardinal_list price_comparison;    /* an allow list; wins if set */
	pb_cardinal_list excluded_details;    /* [exclusions] */

	int64_t r003_threshold;      /* days, default 15 */
	pb_cardinal_list r003_methods; /* empty: every procurementMethod */
	pb_cardinal_days *r003_details;
	size_t r003_ndetails;
	pb_cardinal_list r018_methods; /* default open|selective */
	pb_cardinal_opt r024_threshold; /* replaces the lower fence */
	size_t r025_percentile;       /* of bid counts, default 75 */
	pb_cardinal_opt r025_threshold;
	size_t r035_threshold;        /* disqualified tenderers, >= 1 */
	pb_cardinal_opt r038_threshold;
	size_t r038_minimum_submitted_bids;         /* 2 */
	size_t r038_minimum_contracting_processes; /* 2 */
	size_t r048_digits;                        /* 2 */
	pb_cardinal_opt r048_threshold;            /* a natural number */
	size_t r048_minimum_contracting_processes; /* 20 */
	pb_cardinal_opt r058_threshold;
	char *ignored; /* "file:line: ..." per unknown section or key, or NULL */
} pb_cardinal_settings;

/* Defaults, no indicator enabled. */
void pb_cardinal_settings_init(pb_cardinal_settings *s);
/* Initialises *s, then reads Cardinal's INI file at path.  A value of the
 * wrong type is an error (code PB_EXIT_USAGE).  Unknown sections and keys,
 * which Cardinal refuses, are ignored and listed in s->ignored so that the
 * caller can warn.  Release *s either way. */
int pb_cardinal_settings_load(pb_cardinal_settings *s, const char *path, pb_error *err);
void pb_cardinal_settings_release(pb_cardinal_settings *s);

/*
 * Streams jsonl_path ("-": standard input), one compiled release per line,
 * and writes Cardinal's JSON object on one line to out.  Lines that are not
 * JSON objects with a string ocid are skipped with a warning naming the
 * line, written to `warnings`.  Returns 0, or -1 with err set
 * (PB_EXIT_INPUT: unreadable input, failed write).
 */
int pb_cardinal_run(const pb_cardinal_settings *s, const char *jsonl_path, int with_meta,
		    FILE *out, FILE *warnings, pb_error *err);

/* `probity cardinal [--settings FILE.ini] [--no-meta] FILE.jsonl`: writes
 * the result to out and warnings and errors to err_out; returns an exit
 * code (0, PB_EXIT_USAGE for usage or settings, PB_EXIT_INPUT). */
int pb_cardinal_main(int argc, char **argv, FILE *out, FILE *err_out);

#endif
