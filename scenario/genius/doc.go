// Package genius imports Genius XML negotiation scenarios: a domain file
// (root <negotiation_template>) and one additive profile (root
// <utility_space>) per party, with the semantics of Genius 10.4
// (package genius.core), not those of NegMAS's importer:
//
//   - Discrete evaluations are normalised as EvaluatorDiscrete does:
//     evaluation / (largest evaluation among the profile issue's items), and 0
//     when that largest is below 0.00001. NegMAS keeps raw evaluations.
//   - Integer evaluators are offset + slope·(v − lowerbound), lowerbound taken
//     from the profile's <issue>, clamped to [0, 1] (EvaluatorInteger); a
//     missing <evaluator> means slope = offset = 0. NegMAS does not clamp.
//     They map to utility.Linear with Origin = lowerbound.
//   - Real evaluators are parameter1·v + parameter0 on the raw value, clamped
//     (EvaluatorReal, ftype linear); a real issue has 21 grid values.
//   - Weights are used exactly as written, never normalised; utility is
//     min(Σ w·e, 1) (utility.Additive).
//   - The reservation value defaults to 0. The discount factor defaults to 1,
//     and d ≤ 0 or d > 1 becomes 1 (validateDiscount). Discounting is by
//     normalised time u·d^t, not per round as in NegMAS.
//   - Profiles refer to domain issues by index, never by name; an evaluator
//     exists only where the <issue> has a sibling <weight> with its index.
//     The type attribute picks the evaluator; missing or unknown types (such
//     as "price") mean discrete, case is ignored.
//
// Genius's refusals (AdditiveUtilitySpace.isComplete) are errors naming the
// file, line, column and issue: a domain issue without evaluator, a discrete
// value without evaluation, a discrete evaluator on a numeric issue. So is the
// Genius_2nd_hand_car template, whose dealer profile declares its real Price
// issue type="price". Non-linear profiles (type="nonlinear") are refused as
// not supported.
//
// Where Genius silently goes on, this package is stricter: numbers that do
// not parse (Genius prints a message and skips them), NaN and infinities,
// duplicate issue indices, names or values in the domain, discrete issues
// without items, and integer issues with more than MaxIssueValues values are
// errors. Every error carries file:line:column and all are reported at once
// (diag.List).
package genius
