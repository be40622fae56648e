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
#include <stdlib.h>
#include <string.h>

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

/* --- timing.weekend-award --- */

static const char default_holidays[] =
#include "holidays.inc"
	;

static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* Does the space-separated list hold this date, as YYYY-MM-DD or MM-DD? */
static int in_date_list(const char *list, pb_date d)
{
	char full[11], *md;

	pb_date_format(d, full);
	md = full + 5;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " \t\n,;");
		if ((n == 10 && !strncmp(p, full, 10)) || (n == 5 && !strncmp(p, md, 5)))
			return 1;
		p += n;
		p += strspn(p, " \t\n,;");
	}
	return 0;
}

static int is_weekend(const char *weekend, pb_date d)
{
	const char *day = day_names[pb_date_weekday(d)];

	return strstr(weekend, day) != NULL;
}

static void odd_day(pb_rule_ctx *ctx, pb_table t, const void *rec, const char *id,
		    const char *what, pb_date d, const char *weekend, const char *holidays)
{
	char buf[11];
	int holiday = in_date_list(holidays, d);

	if (!holiday && !is_weekend(weekend, d))
		return;
	pb_finding *f = pb_finding_add(ctx, t, id, what);
	pb_finding_evidence(ctx, f, t, rec, t == PB_T_PAYMENTS ? "payment" : "contract");
	pb_finding_detail(ctx, f, "date", "%s", pb_date_format(d, buf));
	pb_finding_detail(ctx, f, "day", "%s", holiday ? "holiday" : day_names[pb_date_weekday(d)]);
	f->score = 0.5;
	pb_finding_message(ctx, f, "%s %s was %s on %s, a %s", t == PB_T_PAYMENTS ? "payment" : "contract",
			   id, what, buf, holiday ? "public holiday" : "weekend day");
}

static void run_weekend(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const char *weekend = pb_param_text(ctx, "weekend");
	const char *holidays = pb_param_text(ctx, "holidays");
	size_t n;
	const pb_contract *c = pb_ledger_contracts(l, &n);

	for (size_t i = 0; i < n; i++) {
		if (c[i].awarded_on != PB_DATE_NONE)
			odd_day(ctx, PB_T_CONTRACTS, &c[i], c[i].contract_id, "awarded", c[i].awarded_on, weekend, holidays);
		if (c[i].signed_on != PB_DATE_NONE)
			odd_day(ctx, PB_T_CONTRACTS, &c[i], c[i].contract_id, "signed", c[i].signed_on, weekend, holidays);
	}
	const pb_payment *p = pb_ledger_payments(l, &n);
	for (size_t i = 0; i < n; i++)
		if (p[i].paid_on != PB_DATE_NONE)
			odd_day(ctx, PB_T_PAYMENTS, &p[i], p[i].payment_id, "paid", p[i].paid_on, weekend, holidays);
}

const pb_rule pb_rule_weekend_award = {
	.id = "timing.weekend-award",
	.family = "timing",
	.title = "Award, signature or payment on a weekend or public holiday",
	.source = "ACFE",
	.severity = PB_SEV_LOW,
	.needs = PB_NEEDS(PB_T_CONTRACTS),
	.params = (const pb_param_def[]){
		{"weekend", PB_P_TEXT, "sat sun", "weekend days (mon..sun), space-separated"},
		{"holidays", PB_P_TEXT, default_holidays, "MM-DD or YYYY-MM-DD dates (default: config/holidays.txt)"},
		{NULL, 0, NULL, NULL}},
	.run = run_weekend,
};

/* --- timing.year-end-spike --- */

struct month_total {
	const char *payer;
	int64_t fy;
	pb_i128 sum[12];
	unsigned char seen[12];
};

static int fy_month(pb_date d, int start, int64_t *fy)
{
	int y, m, day;

	pb_date_to_ymd(d, &y, &m, &day);
	*fy = m >= start ? y : y - 1;
	return (m - start + 12) % 12;
}

static void spike_finding(pb_rule_ctx *ctx, const struct month_total *mt, int months,
			  pb_i128 total, int start)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const char *cur = pb_ctx_currency(ctx);
	const char *disc = pb_arena_printf(pb_ledger_arena(l), "%lld", (long long)mt->fy);
	const pb_party *payer = pb_ledger_find(l, PB_T_PARTIES, mt->payer);
	double mean = (double)total / months, last = (double)mt->sum[11];
	pb_buf series;

	pb_finding *f = pb_finding_add(ctx, PB_T_PARTIES, mt->payer, disc);
	if (payer)
		pb_finding_evidence(ctx, f, PB_T_PARTIES, payer, "payer");
	size_t n;
	const pb_payment *p = pb_ledger_payments(l, &n);
	for (size_t i = 0; i < n && f->nevidence < 25; i++) {
		int64_t fy;
		if (p[i].payer_id == mt->payer && p[i].currency == cur && p[i].paid_on != PB_DATE_NONE &&
		    fy_month(p[i].paid_on, start, &fy) == 11 && fy == mt->fy)
			pb_finding_evidence(ctx, f, PB_T_PAYMENTS, &p[i], "year-end payment");
	}
	pb_buf_init(&series);
	for (int m = 0; m < 12; m++) {
		char buf[32];
		int64_t v = mt->sum[m] > INT64_MAX ? INT64_MAX : (int64_t)mt->sum[m];
		pb_buf_addf(&series, "%s%s", m ? "," : "", mt->seen[m] ? pb_amount_format(v, pb_currency_exponent(cur), buf) : "");
	}
	pb_finding_detail(ctx, f, "fiscal_year", "%lld", (long long)mt->fy);
	pb_finding_detail(ctx, f, "monthly", "%s", series.data);
	pb_finding_detail(ctx, f, "ratio", "%.2f", last / mean);
	pb_buf_release(&series);
	f->score = last / mean >= 6.0 ? 1.0 : last / mean / 6.0;
	int64_t last64 = mt->sum[11] > INT64_MAX ? INT64_MAX : (int64_t)mt->sum[11];
	pb_finding_message(ctx, f, "%s spent %s in the last month of fiscal year %lld, %.1f times its monthly mean over %d months",
			   mt->payer, pb_ctx_money(ctx, last64, cur), (long long)mt->fy, last / mean, months);
}

static void run_year_end(pb_rule_ctx *ctx)
{
	pb_ledger *l = pb_ctx_ledger(ctx);
	const char *cur = pb_ctx_currency(ctx);
	int start = (int)pb_param_int(ctx, "fiscal_year_start_month");
	int64_t ratio = pb_param_millionths(ctx, "min_ratio");
	int64_t min_months = pb_param_int(ctx, "min_months");
	size_t n, count = 0, cap = 0;
	const pb_payment *p = pb_ledger_payments(l, &n);
	struct month_total *mt = NULL;
	pb_ptrmap *index = pb_ptrmap_new();

	if (start < 1 || start > 12)
		start = 1;
	for (size_t i = 0; i < n; i++) {
		if (!p[i].payer_id || p[i].paid_on == PB_DATE_NONE || p[i].amount == PB_AMOUNT_NONE ||
		    p[i].currency != cur)
			continue;
		int64_t fy;
		int m = fy_month(p[i].paid_on, start, &fy);
		const char *key = pb_arena_printf(pb_ledger_arena(l), "%s|%lld", p[i].payer_id, (long long)fy);
		key = pb_ledger_intern(l, key, strlen(key));
		uint32_t k;
		if (!pb_ptrmap_get(index, key, &k)) {
			PB_GROW(mt, count + 1, cap);
			memset(&mt[count], 0, sizeof(*mt));
			mt[count].payer = p[i].payer_id;
			mt[count].fy = fy;
			k = (uint32_t)count++;
			pb_ptrmap_put(index, key, k);
		}
		mt[k].sum[m] += p[i].amount;
		mt[k].seen[m] = 1;
	}
	for (size_t k = 0; k < count; k++) {
		int months = 0;
		pb_i128 total = 0;
		for (int m = 0; m < 12; m++) {
			months += mt[k].seen[m];
			total += mt[k].sum[m];
		}
		/* last >= ratio x mean  <=>  last x months x 10^6 >= ratio x total */
		if (months < min_months || !mt[k].seen[11] || total <= 0 ||
		    mt[k].sum[11] * months * PB_DECIMAL_SCALE < (pb_i128)ratio * total)
			continue;
		spike_finding(ctx, &mt[k], months, total, start);
	}
	free(mt);
	pb_ptrmap_free(index);
}

const pb_rule pb_rule_year_end_spike = {
	.id = "timing.year-end-spike",
	.family = "timing",
	.title = "Spending in the last month of the fiscal year far above the monthly mean",
	.source = "OCP, ACFE",
	.severity = PB_SEV_MEDIUM,
	.needs = PB_NEEDS(PB_T_PAYMENTS),
	.params = (const pb_param_def[]){
		{"fiscal_year_start_month", PB_P_INT, "1", "month (1-12) in which the fiscal year starts"},
		{"min_ratio", PB_P_DECIMAL, "2.0", "last month's spending over the monthly mean that fires"},
		{"min_months", PB_P_INT, "6", "months with spending needed in the fiscal year"},
		{NULL, 0, NULL, NULL}},
	.run = run_year_end,
};
