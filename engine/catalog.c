/* catalog.c - the installed plug-in tables, and finding entries in them. */
#include <string.h>

#include "catalog.h"

const pb_rule *const *pb_rules;
size_t pb_nrules;
const pb_importer *const *pb_importers;
size_t pb_nimporters;
const pb_reporter *const *pb_reporters;
size_t pb_nreporters;

void pb_catalog_install(const pb_catalog *c)
{
	pb_rules = c->rules;
	pb_nrules = c->nrules;
	pb_importers = c->importers;
	pb_nimporters = c->nimporters;
	pb_reporters = c->reporters;
	pb_nreporters = c->nreporters;
}

const pb_rule *pb_rule_find(const char *id)
{
	for (size_t i = 0; i < pb_nrules; i++)
		if (!strcmp(pb_rules[i]->id, id))
			return pb_rules[i];
	return NULL;
}

int pb_rule_index(const pb_rule *r)
{
	for (size_t i = 0; i < pb_nrules; i++)
		if (pb_rules[i] == r)
			return (int)i;
	return -1;
}

int pb_rule_param_index(const pb_rule *r, const char *name)
{
	for (int i = 0; r->params && r->params[i].name; i++)
		if (!strcmp(r->params[i].name, name))
			return i;
	return -1;
}

const pb_reporter *pb_reporter_find(const char *name)
{
	for (size_t i = 0; i < pb_nreporters; i++)
		if (!strcmp(pb_reporters[i]->name, name))
			return pb_reporters[i];
	return NULL;
}
