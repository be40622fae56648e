/*
 * fixture_core.h - the ledger, config and small helpers every rule test
 * shares: S() interns text, D() parses an ISO date, src() stamps a row.
 */
#ifndef PB_FIXTURE_CORE_H
#define PB_FIXTURE_CORE_H

#include <string.h>

#include "../../engine/config.h"
#include "../../engine/catalog.h"
#include "../../rules/rules.h"

static pb_ledger *L __attribute__((unused));
static size_t IN __attribute__((unused));
static uint32_t LINE __attribute__((unused));
static pb_config CFG __attribute__((unused));

static inline const char *S(const char *s)
{
	return s ? pb_ledger_intern(L, s, strlen(s)) : NULL;
}

static inline pb_date D(const char *iso)
{
	pb_date d;
	const char *why;

	if (!iso)
		return PB_DATE_NONE;
	assert_int_equal(pb_date_parse(iso, strlen(iso), NULL, &d, &why), 0);
	return d;
}

static inline void src(pb_row *r)
{
	memset(r, 0, sizeof(*r));
	pb_row_set(L, r, S("t.csv"), ++LINE, NULL);
}

#endif
