// Package genius imports Genius XML negotiation scenarios: a domain file
// (root <negotiation_template>) and one profile (root <utility_space>,
// additive or non-linear) per party, with the semantics of Genius 10.4
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
// issue type="price".
//
// Non-linear profiles (<utility_space type="nonlinear">, any case; ANAC
// 2014) are read as Genius's NonlinearUtilitySpace reads them, into
// preferences made of terms only (utility.Term; every weight and value is
// 0):
//
//   - <reservation> and <discount_factor> count only as children of the root
//     (the additive reader looks at every level); defaults and discount
//     validation as above.
//   - The utility function is the first <ufun> of the first <utility> of the
//     root's first child element (an <objective>); the <issue>s a non-linear
//     profile repeats are not read. <utility maxutility=M> divides it.
//   - A <ufun> sums its <hyperRectangle>s, then its inner <ufun>s, each inner
//     one multiplied by its weight attribute (default 1); the outermost
//     ufun's own weight is never applied. aggregation="sum" in any case, or
//     any word Genius does not know, means sum; "min" and "max" are refused
//     (not sums of rectangles); a ufun without aggregation is refused, as
//     Genius fails on it. The type attribute (PlainUfun) is ignored.
//   - A <hyperRectangle utility=U weight=W> (W defaults to 1) with
//     <INCLUDES index=I min=A max=B> bounds is worth U·W in the outcomes whose
//     integer value of issue I (its Genius index) lies in [A, B] for every
//     bound, 0 elsewhere: a term of value U·W·(ufun weights)/M on those
//     values. With <EXCLUDES> bounds it is worth U·W where at least one bound
//     fails: a term on no issue plus the opposite term inside the box. With
//     no bounds it is worth U·W everywhere. Bounds on one issue intersect.
//   - u(o) = min(Σ rectangles / M, 1), as getUtility: no lower clamp. Term
//     values are divided by M one by one, so a utility can differ from
//     Genius's in the last bit; the 1e-12 tie rule absorbs it.
//
// Where Genius fails at run time, parley refuses with a position: a bound on
// an issue the domain lacks or on a discrete or real issue (Genius casts
// every bounded value to an integer), a missing maxutility, utility, index,
// min or max attribute, maxutility ≤ 0. Where it goes on, parley is stricter:
// a rectangle with both INCLUDES and EXCLUDES (Genius ignores the INCLUDES),
// and rectangles whose bounds would need more than MaxTermFlags value flags.
//
// Where Genius silently goes on, this package is stricter: numbers that do
// not parse (Genius prints a message and skips them), NaN and infinities,
// duplicate issue indices, names or values in the domain, discrete issues
// without items, and integer issues with more than MaxIssueValues values are
// errors. Every error carries file:line:column and all are reported at once
// (diag.List).
package genius
