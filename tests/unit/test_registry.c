/* test_registry.c - every registered rule is complete and documented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../engine/catalog.h"
#include "../../rules/rules.h"

static void test_rules_complete(void **state)
{
	(void)state;
	assert_true(pb_nrules >= 9);
	for (size_t i = 0; i < pb_nrules; i++) {
		const pb_rule *r = pb_rules[i];
		assert_non_null(r->id);
		assert_non_null(r->family);
		assert_non_null(r->title);
		assert_non_null(r->source);
		assert_non_null(r->run);
		assert_true(r->needs != 0);
		assert_true(r->severity < PB_SEV_COUNT);
		/* The id's family prefix is the family. */
		size_t fl = strlen(r->family);
		assert_memory_equal(r->id, r->family, fl);
		assert_int_equal(r->id[fl], '.');
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(r->id, pb_rules[j]->id);
		for (int p = 0; r->params && r->params[p].name; p++) {
			assert_non_null(r->params[p].def);
			assert_non_null(r->params[p].help);
			assert_int_equal(pb_rule_param_index(r, r->params[p].name), p);
		}
		assert_ptr_equal(pb_rule_find(r->id), r);
		assert_int_equal(pb_rule_index(r), (int)i);
	}
	assert_null(pb_rule_find("no.such-rule"));
}

static void test_rules_documented(void **state)
{
	char path[256];
	(void)state;

	for (size_t i = 0; i < pb_nrules; i++) {
		const pb_rule *r = pb_rules[i];
		snprintf(path, sizeof(path), "docs/rules/%s.md", r->id);
		FILE *f = fopen(path, "r");
		if (!f)
			fail_msg("%s has no %s", r->id, path);
		char *text = NULL;
		size_t cap = 0;
		ssize_t len = getdelim(&text, &cap, '\0', f);
		fclose(f);
		assert_true(len > 0);
		/* Every parameter is in the page's Parameters table. */
		for (int p = 0; r->params && r->params[p].name; p++) {
			char cell[96];
			snprintf(cell, sizeof(cell), "| `%s` |", r->params[p].name);
			if (!strstr(text, cell))
				fail_msg("%s: parameter %s is not in %s", r->id, r->params[p].name, path);
		}
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_complete),
		cmocka_unit_test(test_rules_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
