/* rules.c - `probity rules`: the rule catalogue, as text or JSON. */
#include <jansson.h>
#include <string.h>

#include "../engine/catalog.h"
#include "cli.h"

static const char *param_type_word(pb_param_type t)
{
	static const char *const words[] = {"money", "int", "days", "percent",
					    "decimal", "patterns", "text"};
	return words[t];
}

static json_t *rules_json(void)
{
	json_t *arr = json_array();

	for (size_t ri = 0; ri < pb_nrules; ri++) {
		const pb_rule *r = pb_rules[ri];
		json_t *params = json_array();
		for (int pi = 0; r->params && r->params[pi].name; pi++) {
			const pb_param_def *pd = &r->params[pi];
			json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:s}",
				"name", pd->name, "type", param_type_word(pd->type),
				"default", pd->def, "help", pd->help));
		}
		json_t *needs = json_array();
		for (int t = 0; t < PB_T_COUNT; t++)
			if (r->needs & PB_NEEDS(t))
				json_array_append_new(needs, json_string(pb_table_get(t)->name));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
			"id", r->id, "family", r->family, "title", r->title,
			"severity", pb_severity_name(r->severity), "source", r->source,
			"needs", needs, "params", params));
	}
	return arr;
}

int cmd_rules(int argc, char **argv)
{
	int as_json = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format=json") ||
		    (!strcmp(argv[i], "--format") && i + 1 < argc && !strcmp(argv[++i], "json")))
			as_json = 1;
		else if (!strcmp(argv[i], "--format=text") || !strcmp(argv[i], "text"))
			as_json = 0;
		else
			cli_die(PB_EXIT_USAGE, "rules: unknown argument '%s' (try --format json)", argv[i]);
	}
	if (as_json) {
		json_t *arr = rules_json();
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(arr);
		return 0;
	}
	for (size_t ri = 0; ri < pb_nrules; ri++) {
		const pb_rule *r = pb_rules[ri];
		printf("%-36s %-8s %s\n", r->id, pb_severity_name(r->severity), r->title);
		for (int pi = 0; r->params && r->params[pi].name; pi++) {
			const pb_param_def *pd = &r->params[pi];
			const char *def = strchr(pd->def, '\n') ? "(list, see probity init)" : pd->def;
			printf("    %-20s = %-12s %s\n", pd->name, def, pd->help);
		}
	}
	return 0;
}

