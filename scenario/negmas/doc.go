// Package negmas reads and writes NegMAS scenario folders, the format in
// which the Automated Negotiation League (ANL) ships its scenarios, with
// NegMAS's semantics: a party's utility is its weighted sum as written
// (bias + Σ w_i·v_i in issue order, value functions evaluated as NegMAS
// evaluates them, no cap at 1), its reserved value as written (negative,
// −inf or null allowed; for an ExpDiscountedUFun the outer function's),
// and discounting by NegMAS's mechanism state. Stats computes the figures
// of NegMAS's calc_scenario_stats (its _stats.yaml) with NegMAS's own
// definitions. docs/negmas.md lists every rule and where it differs from
// Genius's; scenario/open picks this reader for a folder with a NegMAS
// domain.
package negmas
