// Package analysis computes the standard figures of a negotiation's outcome
// space, for any number of parties with linear additive preferences: the
// Pareto frontier, the Nash, Kalai–Smorodinsky, Genius "Kalai", maximum
// welfare and egalitarian points, the zone of possible agreement, Genius's
// opposition, and distances from a result to the frontier and the Nash
// point. The figures reproduce shared/domains/README.md (Genius 10.4
// semantics) on its 32 reference domains.
//
// # Utilities and ties
//
// Party i's utility of outcome o is u_i(o) = min(Σ_k Table[k][o_k], 1), the
// sum taken in issue order, exactly as Genius computes it (utility.Additive).
// Figures are undiscounted (time 0). Tie rule: for each party, the distinct
// utility values are sorted and neighbours that differ by at most
// Tolerance (1e-12) are merged, each class represented by its smallest value;
// every comparison below uses the merged values, so sums that differ only by
// rounding (0.9403 and 0.9403000000000001) are equal. A solution lists every
// point whose criterion is within Tolerance of the best: ties are all
// reported, never broken (Genius keeps the first maximum of its frontier
// list).
//
// # Figures
//
//   - Pareto frontier: the merged utility vectors that no outcome strictly
//     dominates (≥ for every party, > for one), over all outcomes, rational
//     or not, as Genius does. Each point carries the number of outcomes with
//     that vector and the first of them in enumeration order (first issue
//     fastest). Points are sorted by party 0's utility ascending, then party
//     1's, and so on. Rational points have u_i ≥ rv_i − Tolerance for all i.
//   - Nash: over rational outcomes, the maximum of Π_i (u_i − rv_i); none
//     when no outcome is rational. It lies on the frontier: a rational
//     outcome's dominator is rational with a product at least as large, and
//     strictly larger when the product is positive, so every maximiser with a
//     positive product is a frontier point. When the best product is 0 (every
//     rational outcome leaves some party exactly at its reservation value)
//     every rational outcome ties; parley then lists the rational frontier
//     points only.
//     Genius (MultilateralAnalysis.getNashPoint) instead maximises the
//     product over the whole frontier without excluding irrational points,
//     so two parties both below their reservation values give a positive
//     product; that figure is GeniusNash (JSON genius_nash_on_frontier). The
//     two differ when the frontier has irrational points that win, as in
//     ANAC2013_Lunch, where no outcome is rational.
//   - Kalai–Smorodinsky: on the frontier, the maximum of
//     min_i (u_i − rv_i)/(max_i − rv_i), max_i being party i's largest
//     utility; none if some max_i − rv_i ≤ Tolerance. Genius has no such
//     function.
//   - Kalai (Genius's getKalaiPoint): the frontier point minimising
//     Σ_{i<j} |u_i − u_j|, reservation values ignored; none when every point
//     has asymmetry ≥ 2 (Genius starts from 2 with a strict <).
//   - Maximum welfare: the maximum of Σ_i u_i, attained on the frontier.
//   - Egalitarian: on the frontier, the maximum of min_i (u_i − rv_i), the
//     smallest gain over the reservation value (Kalai's egalitarian
//     solution; a negative value means no rational outcome).
//   - Opposition (Genius's getOpposition): the smallest Euclidean distance
//     from an outcome's utility vector to (1, …, 1). Since utilities are at
//     most 1, a dominating vector is at least as close, so the minimum is on
//     the frontier.
//   - Zone of possible agreement: the outcomes with u_i ≥ rv_i − Tolerance
//     for every party, counted exactly (see CountZopa), or estimated by
//     seeded sampling when the exact count would take too long.
//   - Min and max utility: party i's extremes over all outcomes.
//   - Distances (DistanceToFrontier, DistanceToNash): Euclidean in the
//     parties' undiscounted utility space, to the nearest frontier point, or
//     to the nearest tied Nash point. Points, not the segments between them:
//     only outcomes can be agreed.
//   - Genius cut-off: Genius's MultilateralAnalysis (session and tournament
//     logs) looks at the first 100,000 outcomes only; for larger spaces the
//     report gives the frontier size and Genius-style Nash over that prefix.
//     Genius's BidSpace has no cut-off, and neither have the other figures.
//
// Red lines are hard constraints: outcomes that cross any party's red line
// are left out of the frontier, the solutions and the zone (min_utility
// ignores them). Mediators are not parties to an agreement and are left out
// of Analyze, as they are out of a session's seats.
//
// # The frontier without enumeration
//
// Frontier builds partial outcomes issue by issue in issue order, so every
// partial sum is the one Genius computes, bit for bit. After each issue the
// partial states (one per distinct vector of partial sums, with its number
// of outcomes and its first outcome indices) are sorted; states with
// identical vectors are merged; then a state B is pruned when another state
// A is at least as good in every party up to Tolerance/(2n) and better by
// more than Tolerance in some party k in which B's best completion stays
// below the clamp (B_k + max remaining_k < 1 − 1e-9). Floating-point addition
// is monotone, so A's completion by the same later values keeps up with B's;
// the margin keeps a strict advantage strict after rounding; the clamp
// condition matters because min(·, 1) can turn a strict advantage into a tie
// (A at 1.02 and B at 1.01 both become 1). Requiring the strict margin to
// exceed n−1 weak margins makes the relation acyclic (the sum of utilities
// grows along it), so every pruned state is dominated by a surviving one.
// Two parties are pruned in one sweep with prefix maxima after a sort by
// party 0; more parties by a sort on the sum and a check against the
// survivors so far. At the end the values are clamped, merged by the tie
// rule and the exactly non-dominated vectors kept. Time and memory follow
// the frontier (times the largest issue), not the space: 10^10 outcomes take
// about a millisecond for two parties.
//
// The pruning relies on the domains' utilities being separated: two values
// of a party are either within a few ulps (rounding) or further apart than
// about 1e-11 (the reference domains' smallest gap is 8.2e-11). Without that,
// the tie rule's chains (a ≈ b ≈ c with a and c more than 1e-12 apart) could
// merge values differently than over the whole space. A class's
// representative is its smallest surviving value, which can exceed the
// smallest over the whole space by a few ulps.
//
// Outcomes are identified by their mixed-radix index (outcome.Space.Index);
// spaces with more than 2^64 outcomes are rejected.
package analysis
