/*
 * check.c - `probity check`: import only, and say what was read, what was
 * left out and why, how full each field is, and which rules can judge.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/catalog.h"
#include "../engine/output.h"
#include "cli.h"

/* Rejected (or filtered) rows of one input, or its values not read,
 * grouped by reason, in the order reasons first occur.  A kind holds
 * the reason with its values elided; a reason alone of its kind is
 * printed whole, its value being all there is to see. */
static void print_groups(const char *what, const pb_rejection *rj, size_t n, const char *path)
{
	pb_reason_group *g;
	size_t other, ng = pb_reason_groups(rj, n, path, SIZE_MAX, &g, &other);

	for (size_t k = 0; k < ng; k++) {
		printf("  %s %6zu  ", what, g[k].count);
		pb_output_escape(stdout, g[k].count == 1 ? rj[g[k].first[0]].reason : g[k].kind);
		fputs("  (", stdout);
		for (size_t j = 0; j < g[k].count && j < 3; j++) {
			fputs(j ? ", " : "", stdout);
			pb_output_escape(stdout, path);
			printf(":%llu", (unsigned long long)rj[g[k].first[j]].line);
		}
		printf("%s)\n", g[k].count > 3 ? ", ..." : "");
	}
	pb_reason_groups_free(g, ng);
}

/* Per input: the share of its records with a value in each column. */
static void print_fill(pb_ledger *l, const pb_input *in)
{
	const pb_table_def *def = pb_table_find(in->table);
	size_t n = 0;

	if (!def)
		return;
	size_t *filled = pb_xcalloc(def->ncolumns + 1, sizeof(*filled));
	for (size_t i = 0; i < pb_ledger_count(l, def->id); i++) {
		const void *rec = pb_ledger_at(l, def->id, i);
		const char *file = pb_row_file(rec);
		if (!file || strcmp(file, in->path))
			continue;
		n++;
		for (size_t c = 0; c < def->ncolumns; c++)
			filled[c] += pb_field_known(&def->columns[c], rec) != 0;
	}
	printf("  fields of %s filled (of %zu records):", def->name, n);
	for (size_t c = 0; c < def->ncolumns && n; c++)
		printf("%s %s %zu%%", c % 6 ? "," : "\n   ", def->columns[c].name, filled[c] * 100 / n);
	putchar('\n');
	free(filled);
}

static void print_check_json(pb_ledger *l, const pb_rejection_alarm *m, size_t nm)
{
	const pb_input *in = pb_ledger_inputs(l);
	json_t *inputs = json_array();

	for (size_t i = 0; i < pb_ledger_ninputs(l); i++) {
		json_t *rej = json_array(), *fil = json_array(), *unr = json_array();
		for (size_t k = 0; k < pb_ledger_nrejections(l); k++) {
			const pb_rejection *r = &pb_ledger_rejections(l)[k];
			if (!strcmp(r->path, in[i].path))
				json_array_append_new(rej, json_pack("{s:I, s:s}", "line", (json_int_t)r->line,
								     "reason", r->reason));
		}
		for (size_t k = 0; k < pb_ledger_nfiltered(l); k++) {
			const pb_rejection *r = &pb_ledger_filtered(l)[k];
			if (!strcmp(r->path, in[i].path))
				json_array_append_new(fil, json_pack("{s:I, s:s}", "line", (json_int_t)r->line,
								     "rule", r->reason));
		}
		for (size_t k = 0; k < pb_ledger_nunread(l); k++) {
			const pb_rejection *r = &pb_ledger_unread_values(l)[k];
			if (!strcmp(r->path, in[i].path))
				json_array_append_new(unr, json_pack("{s:I, s:s}", "line", (json_int_t)r->line,
								     "reason", r->reason));
		}
		json_array_append_new(inputs, json_pack("{s:s, s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
			"path", in[i].path, "table", in[i].table, "profile", in[i].profile,
			"rows_read", (json_int_t)in[i].rows_read,
			"rows_imported", (json_int_t)in[i].rows_imported,
			"rows_filtered", (json_int_t)in[i].rows_filtered,
			"rows_rejected", (json_int_t)in[i].rows_rejected,
			"values_unread", (json_int_t)in[i].values_unread,
			"filtered", fil, "rejected", rej, "unread", unr));
	}
	json_t *root = json_pack("{s:o}", "inputs", inputs);
	if (pb_ledger_nfailed(l)) {
		json_t *failed = json_array();
		for (size_t i = 0; i < pb_ledger_nfailed(l); i++)
			json_array_append_new(failed, json_pack("{s:s, s:s, s:I}", "path", pb_ledger_failed(l)[i].path,
								"reason", pb_ledger_failed(l)[i].reason, "rows_read",
								(json_int_t)pb_ledger_failed(l)[i].rows_read));
		json_object_set_new(root, "failed_inputs", failed);
	}
	if (nm) {
		json_t *mostly = json_array();
		for (size_t i = 0; i < nm; i++)
			json_array_append_new(mostly, json_pack("{s:s, s:I, s:I, s:I}", "what", m[i].what, "inputs",
								(json_int_t)m[i].inputs, "rows_read", (json_int_t)m[i].read,
								"rows_rejected", (json_int_t)m[i].rejected));
		json_object_set_new(root, "mostly_rejected", mostly);
	}
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(root);
}

static void print_check(pb_ledger *l, const pb_config *cfg, const pb_rejection_alarm *m, size_t nm)
{
	const pb_input *in = pb_ledger_inputs(l);

	printf("%-40s %-13s %8s %8s %8s %8s  %s\n", "input", "table", "read", "imported",
	       "filtered", "rejected", "profile");
	for (size_t i = 0; i < pb_ledger_ninputs(l); i++) {
		cli_print_field(in[i].path, 40);
		putchar(' ');
		cli_print_field(in[i].table, 13);
		printf(" %8llu %8llu %8llu %8llu  ", (unsigned long long)in[i].rows_read,
		       (unsigned long long)in[i].rows_imported,
		       (unsigned long long)in[i].rows_filtered,
		       (unsigned long long)in[i].rows_rejected);
		cli_print_field(in[i].profile ? in[i].profile : "(none)", 0);
		putchar('\n');
	}
	for (size_t i = 0; i < pb_ledger_ninputs(l); i++) {
		putchar('\n');
		cli_print_field(in[i].path, 0);
		putchar('\n');
		if (!strcmp(in[i].format, "csv"))
			print_fill(l, &in[i]);
		/* a file read into two tables (a profile's `also`) lists its
		 * left-out rows once, after its last table */
		int later = 0;
		for (size_t k = i + 1; k < pb_ledger_ninputs(l); k++)
			later |= !strcmp(in[k].path, in[i].path);
		if (later)
			continue;
		print_groups("filtered", pb_ledger_filtered(l), pb_ledger_nfiltered(l), in[i].path);
		print_groups("rejected", pb_ledger_rejections(l), pb_ledger_nrejections(l), in[i].path);
		print_groups("unread  ", pb_ledger_unread_values(l), pb_ledger_nunread(l), in[i].path);
	}
	for (size_t i = 0; i < pb_ledger_nfailed(l); i++) {
		const pb_failed_input *f = &pb_ledger_failed(l)[i];
		if (f->rows_read)
			printf("\nFAILED after %llu rows (those are read, the rest is not): ",
			       (unsigned long long)f->rows_read);
		else
			fputs("\nFAILED, not read: ", stdout);
		cli_print_field(f->reason, 0);
		putchar('\n');
	}
	for (size_t i = 0; i < nm; i++) {
		pb_buf b;
		pb_buf_init(&b);
		pb_rejection_alarm_describe(&m[i], cfg->max_rejected_pct, &b);
		fputs("\nMOSTLY REJECTED (has the export's format changed?): ", stdout);
		cli_print_field(b.data, 0);
		putchar('\n');
		pb_buf_release(&b);
	}
	printf("\nfields (records with a value / records):\n");
	for (int t = 0; t < PB_T_COUNT; t++) {
		const pb_table_def *def = pb_table_get(t);
		size_t n = pb_ledger_count(l, t);
		if (!n)
			continue;
		printf("  %s (%zu)\n", def->name, n);
		for (size_t c = 0; c < def->ncolumns; c++) {
			size_t k = pb_ledger_filled(l, t, c);
			printf("    %-22s %8zu  %3zu%%\n", def->columns[c].name, k, k * 100 / n);
		}
	}
	printf("\nrules:\n");
	for (size_t ri = 0; ri < pb_nrules; ri++) {
		const pb_rule *r = pb_rules[ri];
		/* By the tables and by the fields its judgement rests on. */
		const char *why = pb_rule_cannot_judge(l, r);
		if (!cfg->rules[ri].enabled)
			printf("  %-40s disabled in config\n", r->id);
		else
			printf("  %-40s %s\n", r->id, why ? why : "can judge");
	}
}

int cmd_check(int argc, char **argv)
{
	struct options o;
	pb_config cfg;

	cli_parse_options(argc, argv, &o);
	cli_load_config(&o, &cfg);
	pb_ledger *l = cli_import_all(&o, &cfg);
	pb_rejection_alarm *mostly;
	size_t nmostly = pb_rejection_alarms(l, &cfg, &mostly);
	/* -f json: every rejected and filtered row, for machines */
	if (!strcmp(o.formats, "json"))
		print_check_json(l, mostly, nmostly);
	else
		print_check(l, &cfg, mostly, nmostly);
	/* As the audit: a file left out or an input mostly rejected is an
	 * input error, so a script can test a new export with check */
	cli_say_mostly_rejected(mostly, nmostly, cfg.max_rejected_pct);
	int rc = pb_ledger_nfailed(l) || nmostly ? PB_EXIT_INPUT : PB_EXIT_CLEAN;
	free(mostly);
	pb_ledger_free(l);
	pb_config_release(&cfg);
	free(o.tables);
	free(o.profiles);
	return rc;
}

