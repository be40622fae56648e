/*
 * audit_asserts.h - looking into an audit from a rule test: the nth
 * finding of a rule about a subject, counts, details, evidence roles,
 * coverage notes; and the records every payments or rules test adds.
 * Include after ledger_fixture.h.
 */
#ifndef PB_AUDIT_ASSERTS_H
#define PB_AUDIT_ASSERTS_H

static inline pb_payment blank_payment(const char *id, const char *payer, const char *payee,
				int64_t cents, const char *currency, const char *paid)
{
	pb_payment p;

	pb_record_blank(PB_T_PAYMENTS, &p);
	src(&p.row);
	p.payment_id = pb_text_of(S(id));
	p.payer_id = pb_text_of(S(payer));
	p.payee_id = pb_text_of(S(payee));
	p.amount = cents;
	p.currency = pb_text_of(S(currency));
	p.paid_on = D(paid);
	return p;
}

static inline void add(pb_table t, const void *record)
{
	assert_int_equal(pb_ledger_add(L, IN, t, record), 0);
}

static inline pb_audit *audit(void)
{
	return sealed_audit(&CFG, D("2024-12-31"));
}

/* The nth finding (from 0) of a rule about a subject, or NULL. */
static inline const pb_finding *finding(const pb_audit *a, const char *rule, const char *subject,
				 size_t nth)
{
	for (size_t i = 0; i < a->nfindings; i++) {
		const pb_finding *f = a->findings[i];
		if (!strcmp(f->rule->id, rule) && !strcmp(f->subject_id, subject) && !nth--)
			return f;
	}
	return NULL;
}

static inline size_t count(const pb_audit *a, const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nfindings; i++)
		n += !strcmp(a->findings[i]->rule->id, rule);
	return n;
}

static inline const char *detail(const pb_finding *f, const char *key)
{
	for (size_t i = 0; i < f->ndetails; i++)
		if (!strcmp(f->details[i].key, key))
			return f->details[i].value;
	return NULL;
}

/* The role of a record in the finding's evidence, or NULL. */
static inline const char *role(const pb_finding *f, const char *table, const char *id)
{
	for (size_t i = 0; i < f->nevidence; i++)
		if (!strcmp(f->evidence[i].table, table) && !strcmp(f->evidence[i].id, id))
			return f->evidence[i].role;
	return NULL;
}

static inline const pb_coverage *coverage(const pb_audit *a, const char *rule)
{
	for (size_t i = 0; i < a->ncoverage; i++)
		if (!strcmp(a->coverage[i].rule->id, rule))
			return &a->coverage[i];
	fail_msg("no coverage line for %s", rule);
	return NULL;
}

static inline void assert_contains(const char *haystack, const char *needle)
{
	if (!haystack || !strstr(haystack, needle))
		fail_msg("'%s' does not contain '%s'", haystack ? haystack : "(null)", needle);
}

static inline void set_param(const char *rule, const char *key, const char *value)
{
	pb_error err;

	if (pb_config_set_param(&CFG, rule, key, value, &err))
		fail_msg("%s.%s = %s: %s", rule, key, value, err.msg);
}

#endif
