/*
 * rules.h - the rule table.  Each rules/<family>.c exports const
 * pb_rule descriptors (the contract is engine/rule.h); PB_RULE_LIST
 * below is the only place a rule is named.  The command line installs
 * the table in the engine's catalogue (engine/catalog.h), from which
 * `probity rules`, `probity init`, the config loader and the runner read.
 */
#ifndef PB_RULES_H
#define PB_RULES_H

#include "../engine/rule.h"

#define PB_RULE_LIST(X)                                                        \
	X(pb_rule_single_source)                                               \
	X(pb_rule_weak_rationale)                                              \
	X(pb_rule_single_bid)                                                  \
	X(pb_rule_below_threshold)                                             \
	X(pb_rule_backdated)                                                   \
	X(pb_rule_value_increase)                                              \
	X(pb_rule_overpayment)                                                 \
	X(pb_rule_payment_duplicate)                                           \
	X(pb_rule_budget_overspend)                                            \
	X(pb_rule_offsets_overdue)                                             \
	X(pb_rule_offsets_penalty_waived)                                      \
	X(pb_rule_offsets_high_multiplier)                                     \
	X(pb_rule_offsets_over_credited)                                       \
	X(pb_rule_offsets_excessive_obligation)                                \
	X(pb_rule_offsets_linked_beneficiary)                                  \
	X(pb_rule_official_linked_supplier)                                    \
	X(pb_rule_shared_address)                                              \
	X(pb_rule_shared_bank_account)                                         \
	X(pb_rule_approver_linked)                                             \
	X(pb_rule_name_match)                                                  \
	X(pb_rule_newly_registered)                                            \
	X(pb_rule_secrecy_jurisdiction)                                        \
	X(pb_rule_no_registry_id)                                              \
	X(pb_rule_mass_address)                                                \
	X(pb_rule_single_client)                                               \
	X(pb_rule_linked_bidders)                                              \
	X(pb_rule_short_submission)                                            \
	X(pb_rule_price_close)                                                 \
	X(pb_rule_excessive_unsuccessful)                                      \
	X(pb_rule_identical_bids)                                              \
	X(pb_rule_late_bid_won)                                                \
	X(pb_rule_all_but_winner)                                              \
	X(pb_rule_lowest_disqualified)                                         \
	X(pb_rule_excessive_disqualification)                                  \
	X(pb_rule_heterogeneous_supplier)                                      \
	X(pb_rule_heavily_discounted)                                          \
	X(pb_rule_noncompetitive_share)                                        \
	X(pb_rule_supplier_concentration)                                      \
	X(pb_rule_repeat_direct_awards)                                        \
	X(pb_rule_threshold_hugging)                                           \
	X(pb_rule_weekend_award)                                               \
	X(pb_rule_year_end_spike)                                              \
	X(pb_rule_repeated_amendments)                                         \
	X(pb_rule_duration_extension)                                          \
	X(pb_rule_payment_without_contract)                                    \
	X(pb_rule_round_amount)                                                \
	X(pb_rule_benford)                                                     \
	X(pb_rule_sequential_invoices)                                         \
	X(pb_rule_budget_large_revision)                                       \
	X(pb_rule_budget_unbudgeted)                                           \
	X(pb_rule_budget_classified_share)

#define X(sym) extern const pb_rule sym;
PB_RULE_LIST(X)
#undef X

extern const pb_rule *const pb_rule_registry[];
extern const size_t pb_rule_registry_len;

#endif
