/*
 * cardinal.h - what the rules of OCP Cardinal's indicators share for
 * `probity cardinal` (mode cardinal, docs/cardinal.md): their settings'
 * parameter rows, spelt once (its '|' lists: pb_list_has).
 */
#ifndef PB_RULES_CARDINAL_H
#define PB_RULES_CARDINAL_H

#define PB_CARDINAL_MODE {"mode", PB_P_TEXT, "probity", "probity, or cardinal: Cardinal 0.0.8 over raw OCDS, as `probity cardinal` sets it (docs/cardinal.md)"}
#define PB_CARDINAL_EXCLUSIONS {"exclusions", PB_P_TEXT, "", "mode cardinal: procurementMethodDetails skipped (Cardinal's [exclusions], a|b)"}
#define PB_CARDINAL_PRICE_COMPARISON {"price_comparison", PB_P_TEXT, "", "mode cardinal: if set, the only procurementMethodDetails compared on price (a|b)"}
#define PB_CARDINAL_NO_PRICE_COMPARISON {"no_price_comparison", PB_P_TEXT, "", "mode cardinal: procurementMethodDetails not compared on price (a|b)"}
#define PB_CARDINAL_CURRENCY {"currency", PB_P_TEXT, "", "mode cardinal: the main currency; empty: the first one met"}
#define PB_CARDINAL_THRESHOLD {"threshold", PB_P_TEXT, "", "mode cardinal: a number replacing the computed fence"}

#endif
