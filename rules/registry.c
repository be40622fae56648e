/* registry.c - the table of rules, built from PB_RULE_LIST. */
#include "rules.h"

const pb_rule *const pb_rule_registry[] = {
#define X(sym) &sym,
	PB_RULE_LIST(X)
#undef X
};

const size_t pb_rule_registry_len = sizeof(pb_rule_registry) / sizeof(pb_rule_registry[0]);
