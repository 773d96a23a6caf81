// Package analysis computes the standard figures of a negotiation's outcome
// space, for any number of parties with linear additive preferences (and,
// by searching cells, preferences with terms): the
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
// kept, never broken (Genius keeps the first maximum of its frontier list);
// a Report lists the first MaxReportTies of them and the count of the rest.
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
//   - Rational: every party gets at least its reservation value
//     (u_i ≥ rv_i − Tolerance), so none would rather have no agreement.
//     Every point of the report (frontier and solution points) and every
//     what-if deal says whether it is (JSON rational) and names the parties
//     it leaves below (below_reservation); the text marks such a point
//     "NOT acceptable to ...". Nash is rational by construction; maximum
//     welfare, Kalai, Genius's Nash, and Kalai–Smorodinsky and egalitarian
//     when no outcome is rational, need not be.
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
// ignores them). A scenario's constraints (combinations no deal may hold,
// for any party) are the last red lines of every party's utility, so the
// same holds for them; the what-if grid leaves their outcomes out of every
// figure, the unconstrained deals and the blocking sets included, and
// lists them in no red_lines[] entry: no relaxation makes them deals. Mediators are not parties to an agreement and are left out
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
// # Utilities that are not additive
//
// A utility with terms (utility.Term: a non-linear Genius profile's
// hyper-rectangles, a conditional clause) adds each term's value to the
// outcomes it matches, so no issue-by-issue pruning holds. The frontier, the
// zone count and the extremes then work on cells (utility.Cells): on each
// issue, values that no table, term or red line of any party tells apart are
// one class, and every outcome of a cell has the same utilities. A
// depth-first branch and bound walks the cells, in an order that decides
// terms early, and prunes a subtree once the best utilities its outcomes
// could reach (utility.Walker's bounds, widened by their rounding margin)
// are dominated, with the tie rule's margins, by an outcome already found;
// each kept cell counts its outcomes and lists its first. The result is the
// exact frontier: ANAC 2014's 10issues domain, 10^10 outcomes in 2.5·10^7
// cells, takes 15–25 ms (BenchmarkFrontierNonlinear) and gives the
// pareto.xml Genius shipped with it. Search nodes and the terms they look at
// count against Options.MaxChecks; past it the frontier is the frontier of
// Options.FrontierSamples seeded uniform samples, Pareto.Sampled says so and
// a Report's notes call it estimated. Genius's cut-off lists its 100,000
// outcomes one by one.
//
// # Budgets
//
// The frontier's work grows with the frontier, which an adversary can make
// as large as the space (fifty parties, or issues every party ranks in
// opposite orders). Options.Budget bounds it: before each issue the
// frontier checks its estimate of the memory the states need
// against the budget and the dominance checks it foresees (its states
// against the share that survived the issue before, pairwise) against
// Options.MaxChecks, refusing with the estimate; it counts its checks as it
// goes, and looks at the budget's context every 2^16 of them. Each stop is a
// *budget.Exceeded error that says where it got; the limit on checks is a
// count, so it stops at the same place on every machine. The zone count,
// the Genius cut-off, the what-if grid and the sensitivity run poll the
// context too; the grid checks its memory (24 bytes an outcome per party).
//
// # What if
//
// Report.WhatIfAnalysis (`parley analyze --what-if`) adds the JSON object
// what_if. It enumerates the space (at most WhatIfLimit outcomes), for the
// negotiating parties (mediators left out; their credibility still counts
// for guarantees). "Acceptable to all" means u_i ≥ rv_i − Tolerance for
// every party, u_i ignoring red lines; "the zone" is the acceptable
// outcomes that cross no red line (CountZopa's). Nash over a set is the
// maximum of Π_i max(u_i − rv_i, 0); a Deal lists the first outcome in
// enumeration order within Tolerance of the best and the number of ties,
// its ratification, ratifiable (every required vote passes: a deal's
// votes only, not its parties' reservation values) and rational and
// below_reservation (as for points, above). Fields (only ever added to,
// never renamed):
//
//   - min_ratification: a deal is ratifiable when every ratification it
//     requires passes with probability ≥ this (--min-ratification, default
//     0.5). Probabilities are utility.Ratification.Prob with the party's
//     utility of the deal.
//   - unconstrained_nash, unconstrained_max_welfare: the Nash deal over the
//     acceptable outcomes and the max-welfare deal over all outcomes, with
//     every red line ignored; nash: the Nash deal over the zone.
//   - red_lines[]: party, id, description; removes = acceptable outcomes
//     that cross this red line and no other (what dropping it alone adds to
//     the zone); crossed = acceptable outcomes that cross it; binds =
//     removes > 0; crosses_unconstrained_nash / _max_welfare.
//   - ratification: rules[] (one per ratifying body: party, body,
//     threshold, uncertainty, conditional, consent when it votes in
//     communities, required_in_zone, passes_in_zone); solutions[] (nash,
//     kalai_smorodinsky, kalai, max_welfare, egalitarian: the report's
//     point, first outcome, as a deal with its ratification per ruled party:
//     required, share, probability (the product of its bodies'), bodies[]
//     when it has several or votes in communities (body, required, share,
//     probability, communities[] {id, share, passes}), and ratifiable);
//     zone, ratifiable_zone
//     (outcomes of the zone that are ratifiable) and ratifiable_nash (Nash
//     over the ratifiable zone, null when empty).
//   - guarantees[]: per guarantee issue (issue, beneficiary, rule,
//     baseline), per option: guarantors, their credibility,
//     honour_probability (utility.HonourProb), stated_value (the
//     beneficiary's evaluation as written) and effective_value (baseline +
//     (stated − baseline)·honour, what the utilities use).
//   - agenda (with an agenda only): phases, package (= nash), agenda (the
//     backward-induction result: complete, blocked_at, outcome, utilities,
//     steps[] with each phase's settled values, fallback, Nash value and
//     ties), same_deal, agenda_blocks_package_deal,
//     package_blocks_agenda_deal; with a Predictor, orderings (model,
//     parties, agenda and package predictions: status, end, round, deal,
//     binding, phases, standing, payoffs; prefers[] {party, prefers:
//     agenda|package|either, gain}).
//   - blocking (only when the ratifiable zone is empty): smallest_size,
//     sets[] of constraints {kind: red_line|reservation|ratification,
//     party, id}, n_sets, truncated (at most 20 listed), and
//     reservation_shifts[] {party, reservation, shift, reachable, deal}.
//   - sensitivity (Report.SensitivityAnalysis, with --samples > 0 on a
//     parley file with assumed ranges): samples, seed, assumptions[] {path, value, range}, valid,
//     invalid, first_error, zone_share, ratifiable_share, nash_deals[] and
//     ratifiable_nash_deals[] {outcome, count, share}, at most 5 each;
//     with a Predictor and an agenda, orderings {parties, samples, agenda,
//     package, either (shares per party), mean_gain}.
//   - notes[].
//
// Agenda versus package. Phases are settled one after another in the
// agenda's order (a topological order of after). Backward induction: for
// each value of the earlier phases, the last phase picks the Nash deal
// over its values given them; each earlier phase then picks the Nash deal
// over its values judged by the continuations they lead to; a phase
// where no value leads to a continuation every party weakly prefers to its
// fallback has no acceptable deal and blocks the later phases (talks end
// with the phases agreed so far). The fallback (disagreement point) of a
// phase is what each party gets if talks fail there, the agreed phases
// standing: rv_p + Σ over settled issues i of (w_pi·e_pi(o_i) − w_pi·rv_p),
// i.e. an issue not agreed is worth the party's reservation value on its
// own scale, so the first phase's fallback is rv; a utility's terms (its
// conditional values) count once every issue they name is settled, if the
// settled values match them. With a status quo it is
// the party's utility of the status quo with the clauses of the standing
// phases agreed so far in place (provisional ones are void when a later
// phase fails). The Nash products in a
// phase are taken over gains above that phase's fallback. The agreed
// phases standing is what makes an agenda matter: were the fallback rv at
// every phase (a failure anywhere voiding everything), the induction would
// maximise the same product at every stage and end at the package's Nash
// product. Since the first phase needs every party's continuation to reach
// its rv, a complete agenda deal always lies in the zone: the agenda can
// block a deal the package allows, never the reverse
// (package_blocks_agenda_deal is a check). Red lines are checked as soon
// as the issues they name are settled.
//
// Blocking. The constraints are every red line, every party's reservation
// value and every party's ratification. Relaxing a red line or a
// ratification drops it; relaxing a reservation value lowers it to the
// party's smallest utility, so it accepts every outcome. Relaxing a set S
// opens a ratifiable zone iff some outcome violates only constraints in S,
// so the smallest sets are the distinct violation sets of least size over
// the outcomes: an exact search by increasing size, done in one pass. A
// party's reservation shift is rv minus its largest utility over the
// outcomes that satisfy every other constraint (its own red lines
// included); no such outcome means no shift suffices.
//
// Orderings. Backward induction has no time: a truce that stops the war's
// costs is worth nothing in it. With WhatIfOptions.Predictor the agenda
// and the package (Scenario.Package: every issue at once) are also
// predicted, each party's expected payoff compared (Orderings), and the
// sensitivity analysis counts how often each party prefers each.
//
// Sensitivity (Sensitivity). The numbers sampled are those with an
// assumption range among the parties' reservation values, weights, value
// functions, credibility and ratification rules (others, such as
// capability, positions, time costs, drift and events, do not enter these
// figures and keep their values). Each is drawn uniformly and
// independently from its range by a math/rand/v2 PCG seeded with --seed,
// in a fixed order (parties in file order, fields in declaration order,
// map keys sorted); a party whose weights were sampled then has all its
// weights divided by their sum. The sample is validated again
// (scenario.FromFile, no YAML parsing, no source documents) and the zone,
// the ratifiable zone and their Nash deals computed; samples that fail
// validation are counted as invalid and left out of the shares. Samples
// are drawn into a deep copy of the file: the caller's file is only read,
// so runs may share it. A party's sampled weights are summed in issue-id
// order, the same on every run.
//
// Outcomes are identified by their mixed-radix index (outcome.Space.Index);
// spaces with more than 2^64 outcomes are rejected.
package analysis
