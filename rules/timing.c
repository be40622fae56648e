/*
 * timing.c - dates that contradict the procedure.
 *
 * Risk: a contract signed or awarded before the deadline for bids had
 * passed means the winner was chosen before the competition ended; a
 * payment before signature means money left before any obligation
 * existed.  Both usually mean paperwork was created after the fact.
 * Data: contracts and tenders (submission_deadline); payments when loaded.
 * False positives: data-entry errors in dates (themselves worth a look);
 * framework call-offs recorded against the framework's tender; advance
 * payments lawfully made on a letter of intent.
 * Thresholds: none; equal dates do not fire (World Bank red flags).
 */
#include "rules.h"

static void before_deadline(pb_rule_ctx *ctx, const pb_contract *c,
			    const pb_tender *t, pb_date when, const char *what)
{
	char d[11], dl[11];
	pb_finding *f = pb_finding_add(ctx, PB_T_CONTRACTS, c->contract_id, what);

	pb_finding_evidence(ctx, f, PB_T_CONTRACTS, c, "contract");
	pb_finding_evidence(ctx, f, PB_T_TENDERS, t, "tender");
	pb_finding_detail(ctx, f, what, "%s", pb_date_format(when, d));
	pb_finding_detail(ctx, f, "submission_deadline", "%s",
			  pb_date_format(t->submission_deadline, dl));
	pb_finding_detail(ctx, f, "days_early", "%d", t->submission_deadline - when);
	f->score = t->submission_deadline - when >= 30 ? 1.0
		   : 0.5 + (double)(t->submission_deadline - when) / 60.0;
	pb_finding_message(ctx, f, "contract %s was %s on %s, %d days before bids closed for tender %s (%s)",
			   c->contract_id, what, d, t->submission_deadline - when,
			   t->tender_id, dl);
}

static void paid_before_signature(pb_rule_ctx *ctx, const pb_payment *p,
				  const pb_contract *c)
{
	char d[11], s[11];
	pb_finding *f = pb_finding_add(ctx, PB_T_PAYMENTS, p->payment_id, NULL);

	pb_finding_evidence(ctx, f, PB_T_PAYMENTS, p, "payment");
	pb_finding_evidence(ctx, f, PB_T_CONTRACTS, c, "contract");
	pb_finding_detail(ctx, f, "paid_on", "%s", pb_date_format(p->paid_on, d));
	pb_finding_detail(ctx, f, "signed_on", "%s", pb_date_format(c->signed_on, s));
	pb_finding_detail(ctx, f, "days_early", "%d", c->signed_on - p->paid_on);
	f->score = c->signed_on - p->paid_on >= 30 ? 1.0
		   : 0.5 + (double)(c->signed_on - p->paid_on) / 60.0;
	pb_finding_message(ctx, f, "payment %s of %s was made on %s, %d days before contract %s was signed (%s)",
			   p->payment_id, pb_ctx_money(ctx, p->amount, p->currency), d,
			   c->signed_on - p->paid_on, c->contract_id, s);
}

static void run_backdated(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	size_t n;
	const pb_contract *c = pb_ledger_contracts(l, &n);

	for (size_t i = 0; i < n; i++) {
		const pb_tender *t = pb_ledger_find(l, PB_T_TENDERS, c[i].tender_id);
		if (!t || t->submission_deadline == PB_DATE_NONE)
			continue;
		if (c[i].awarded_on != PB_DATE_NONE && c[i].awarded_on < t->submission_deadline)
			before_deadline(ctx, &c[i], t, c[i].awarded_on, "awarded");
		if (c[i].signed_on != PB_DATE_NONE && c[i].signed_on < t->submission_deadline)
			before_deadline(ctx, &c[i], t, c[i].signed_on, "signed");
	}
	const pb_payment *p = pb_ledger_payments(l, &n);
	for (size_t i = 0; i < n; i++) {
		const pb_contract *pc = pb_ledger_find(l, PB_T_CONTRACTS, p[i].contract_id);
		if (pc && pc->signed_on != PB_DATE_NONE && p[i].paid_on != PB_DATE_NONE &&
		    p[i].paid_on < pc->signed_on)
			paid_before_signature(ctx, &p[i], pc);
	}
}

const pb_rule pb_rule_backdated = {
	.id = "timing.backdated",
	.family = "timing",
	.title = "Signed or awarded before bids closed, or paid before signature",
	.source = "WB",
	.severity = PB_SEV_HIGH,
	.needs = PB_NEEDS(PB_T_CONTRACTS),
	.params = (const pb_param_def[]){{NULL, 0, NULL, NULL}},
	.run = run_backdated,
};
