/* registry.c - the table of rules, built from PB_RULE_LIST. */
#include <string.h>

#include "rules.h"

const pb_rule *const pb_rules[] = {
#define X(sym) &sym,
	PB_RULE_LIST(X)
#undef X
};

const size_t pb_nrules = sizeof(pb_rules) / sizeof(pb_rules[0]);

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
