/*
 * fx.h - exact currency conversion through the dated rates of the `fx`
 * table (the ECB's reference rates, or any canonical fx.csv).
 *
 * A rule that compares an amount with a threshold in another currency
 * converts one into the other's currency with pb_fx_convert, puts the
 * rate it used (pb_fx_used.text, and the fx row as evidence) into its
 * finding, and counts an amount that cannot be converted in its coverage
 * instead of judging it.
 *
 * The rate of a date is the one of the latest rate_date on or before it,
 * at most `lookback` days before (default PB_FX_LOOKBACK_DAYS: the ECB
 * publishes on TARGET business days only, so a Saturday payment takes
 * Friday's rate and a payment after Easter takes Thursday's).  Nothing
 * later than the date is ever used.
 *
 * Arithmetic is integer only: amounts are minor units, rates exact
 * decimals (PB_FX_RATE_DIGITS places), the product is formed in 128 bits
 * and rounded once, half away from zero, to the minor unit of the target
 * currency.  No float anywhere.
 */
#ifndef PB_FX_H
#define PB_FX_H

#include <stddef.h>
#include <stdint.h>

#include "ledger.h"

#define PB_FX_LOOKBACK_DAYS 7

typedef struct pb_fx pb_fx;

/* One published rate used by a conversion. */
typedef struct {
	const char *base, *currency; /* 1 base = rate currency */
	int64_t rate;                /* PB_FX_RATE_DIGITS decimals */
	pb_date rate_date;
	const pb_fx_rate *record;    /* the fx row: evidence for a finding */
} pb_fx_leg;

/*
 * What a conversion used: nlegs is 0 for the same currency, 1 for a
 * direct rate (either way round), 2 for a cross rate through a common
 * base (1 EUR = 1.0811 USD and 1 EUR = 420.15 AMD).  text reads e.g.
 * "1 EUR = 1.0811 USD on 2024-03-28 (eurofxref-hist.csv:5)"; when the
 * conversion failed it says why ("no rate for AMD on 2024-03-28 or the
 * 7 days before").
 */
typedef struct {
	size_t nlegs;
	pb_fx_leg legs[2];
	char text[512];
} pb_fx_used;

/*
 * Builds the rate index of a sealed ledger (empty when it has no fx
 * rows).  The ledger must outlive it.  Free with pb_fx_free.
 */
pb_fx *pb_fx_build(pb_ledger *l);
void pb_fx_free(pb_fx *fx);

/* Days a rate stays usable after its date (0 = that day only). */
void pb_fx_set_lookback(pb_fx *fx, int days);
int pb_fx_lookback(const pb_fx *fx);

/* Number of rates loaded (all bases and currencies). */
size_t pb_fx_count(const pb_fx *fx);

/*
 * Converts `amount` minor units of `from` into minor units of `to` at
 * the rates of date `on`.  Returns 0 and sets *out, or -1 when it cannot:
 * no rate within the lookback (or `on` unknown), a currency that is not
 * ISO 4217, an unknown amount, or a result beyond int64.  `used` (may be
 * NULL) says which rates were used, or why none could be.  The same
 * currency needs no rate and no date.
 */
int pb_fx_convert(const pb_fx *fx, int64_t amount, const char *from,
		  const char *to, pb_date on, int64_t *out, pb_fx_used *used);

/*
 * Compares `amount` of `from` with `threshold` of `to` at the rates of
 * `on`, exactly (no rounding): *cmp is -1, 0 or 1 as the amount is worth
 * less than, as much as, or more than the threshold.  Returns 0, or -1 as
 * pb_fx_convert does.  A rule that fires "at or above the threshold"
 * fires when *cmp >= 0.
 */
int pb_fx_compare(const pb_fx *fx, int64_t amount, const char *from,
		  int64_t threshold, const char *to, pb_date on, int *cmp,
		  pb_fx_used *used);

/* A rate as text without trailing zeros ("1.0811"); buf needs 32 bytes. */
char *pb_fx_rate_format(int64_t rate, char buf[32]);

#endif
