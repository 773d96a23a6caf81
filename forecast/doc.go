// Package forecast implements collective-decision forecast models on spatial
// issues: each issue (Dimension) is a 0–100 scale with labelled anchors, and
// each Actor has a capability c_i > 0 and, per dimension d, a position
// x_id ∈ [0,100] and a salience s_id ∈ [0,100] (an actor's saliences sum to
// at most 100). Problems are read from KTAB CSV (ReadKTABCSV, with or without
// final commas), KTAB XML (ReadKTABXML, smpSchema.xsd) or a plain actor table
// (ReadTable); LoadFile picks by extension. Every reader reports all problems
// at once, positioned as file:line, and never panics.
//
// # Models
//
// Every model returns a *Result; Run dispatches by key.
//
//   - "compromise" (Compromise): the compromise model, O_d = Σ c_i s_id x_id /
//     Σ c_i s_id, "a computationally simple variant of the Nash Bargaining
//     Solution" (Leinaweaver & Thomson 2014; decide/model's
//     nash_bargaining_solution).
//   - "mean" (WeightedMean): capability-weighted mean Σ c_i x_id / Σ c_i
//     over the actors that take part in dimension d.
//   - "median" (WeightedMedian): the weighted median voter position with
//     weights c_i s_id (midpoint when the cumulative weight hits exactly half).
//   - "smp" (SMP): KTAB's Spatial Model of Politics (KAPSARC Toolkit for
//     Behavioral Analysis, 2015; smp.cpp, smpbcn.cpp, kmodel.cpp), with the
//     parameters of SMPParams (zero value = KTAB defaults: Linear victory
//     probability, Conditional PCE, Deterministic transitions, Proportional
//     voting, OneThird risk adjustment, Mid risk range, SemiCommit third
//     parties, S2P2 interpolation, InitOnlyInterp bargains). Per turn, with
//     positions and saliences on [0,1]: distance d_ij = sqrt(Σ_d s_id²(x̂_id −
//     x_jd)² / Σ_d s_id²) from i's ideal x̂_i; utility U(d,r) = (1−d)(1+d·r);
//     risk attitudes r_i from a probabilistic Condorcet election over the
//     actors' positions (votes c_k(u_ki − u_kj), P[i>j] = C_ij/(C_ij+C_ji),
//     p_i ∝ Π_j P[i>j], r_i = (3p_i − p_max − 2p_min)/(2(p_max − p_min)));
//     each actor challenges the actor with the largest expected gain
//     (principals weighted S_i c_i, third parties by SemiCommit votes); the
//     pair's bargain is the salience²·probability²-weighted point, rounded to
//     1e-4; each actor adopts the bargain in its queue (status quo included)
//     that wins a Condorcet election of all actors' average utilities. Stop
//     after turn t ≥ 2 when Σ_i‖x_i(t)−x_i(t−1)‖ / (Σ_i‖x_i(1)−x_i(0)‖ + 1e-4)
//     < 0.02, or at 100 turns. Winning probabilities: a Condorcet election
//     over the distinct positions (within 1e-3), each actor using its own
//     utilities. The forecast is the most probable position; Result.Expected
//     is the probability-weighted mean. With default parameters SMP
//     reproduces KTAB's reference runs dummyData_3Dim and SOE-Pol-Comp
//     (20170530_ref-*.txt) exactly to the printed precision.
//   - "eum" (EUM): Bueno de Mesquita's (1994) expected-utility model in the
//     formulation of Scholz, Calbert & Smith (2011), one dimension at a time,
//     with R = range of the initial positions, d_ij = |x_i − x_j|/R, and
//     actor p's risk exponent r_p: U_s = 2 − 4(½ − ½d_ij)^r, U_f = 2 −
//     4(½ + ½d_ij)^r, U_sq = 2 − 4·½^r; P_ij = Σ_k max(0, c_k s_k(|x_k−x_j|^r_k
//     − |x_k−x_i|^r_k)/R^r_k) / Σ_k Σ_a Σ_b |c_k s_k(…)| (Scholz's normaliser);
//     E^p(U_ij) = s_j(P_ij U_s + (1−P_ij)U_f) + (1−s_j)U_s − [Q U_sq + (1−Q)(T
//     U_b + (1−T)U_w)]; risk from danger D_a = Σ_j E^a(U_ja) at r = 1:
//     R_a = (2D_a − D_max − D_min)/(D_max − D_min), r_a = (1 − R_a/3)/(1 +
//     R_a/3). Receiver i with a = E^i(U_ij), b = E^i(U_ji): conflict if b > a >
//     0 (move to x_j), compromise if a < 0 < b, |a| < b (move by |a/b| of the
//     way), capitulation if a < 0 < b, |a| > b (only with
//     EUMParams.Capitulation). Choice: the nearest conflict, else the
//     compromise with the smallest |EU|-weighted point, else the nearest
//     capitulation. Forecast: Σ c s x / Σ c s. With zero EUMParams it
//     reproduces the 10-round emission-standards trajectory of
//     jmckib/bdm-scholz-expected-utility-model exactly.
//
// # Zero salience
//
// An actor with zero salience on an issue takes no part in it
// (Actor.TakesPart): it exerts no pull, in every model. Compromise and
// median weigh positions by c·s, so its weight is 0; the mean leaves it
// out; EUM runs each dimension among the actors that take part (the others
// make and receive no offers, count in no vote nor in the range R, and
// keep their positions); SMP, whose dynamics run over all dimensions at
// once, runs among the actors with positive salience on some dimension,
// exactly as if the others were absent (they keep their positions, with
// win probability and risk attitude 0; Result.Inactive names them), and
// needs three of them. KTAB itself refuses such actors: its distance
// sqrt(Σ s²Δ² / Σ s²) divides by zero (SMPModel::bvDiff throws "ssSqr must
// be positive"). An actor with zero salience on some dimensions only is
// KTAB's own case: its bargains there carry no weight of its own.
//
// # Packages and bands
//
// On a scenario (FromScenario), Assemble maps each scaled issue's forecast
// to its nearest value (Dimension.Nearest: the option whose scale point is
// nearest, the first of equals; for a numeric issue the nearest of its
// values, with the position in the issue's own units) and judges the
// package by the scenario's rules as the analysis judges an outcome: red
// lines, reservation values (analysis.Acceptable), the decision rule and
// ratification. Issues without a scale stay open, and every verdict is
// counted over the ways of settling them. SampleBands draws the assumed
// numbers the models use (capabilities, positions, saliences, scale
// points) by the sensitivity analysis's rule (analysis.DrawAssumed) and
// reports per issue the 5%–95% band of the forecast and how often the
// package's value changes. Compare runs every model at once.
//
// # Deliberate differences from the references
//
// SMP: if every position is equally likely (KTAB divides by zero and aborts)
// all actors are risk neutral; if every Condorcet product underflows, it is
// computed in logarithms; Stochastic transitions use math/rand/v2's PCG
// seeded by SMPParams.Seed, not KTAB's PRNG.
// EUM: the (1−Q)(T U_b + (1−T)U_w) term that the replication omits is
// included (identical at the default Q = 1; μ is the weighted mean); the run
// stops early once no actor receives an offer (the state is then fixed);
// D_max = D_min gives r = 1 instead of dividing by zero; capitulation is
// available as an option (the replication's test never fires).
//
// # JSON
//
// Result, Round and Offer marshal with encoding/json as:
//
//	{"model": "smp", "label": "...", "dimensions": ["Pstn1", ...], "actors": ["A", ...],
//	 "forecast": [78.6, ...], "expected": [...], "converged": true, "stop": "...",
//	 "rounds": [{"round": 0, "positions": [[75.79, ...], ...], "forecast": [...],
//	             "stopping": 0.9999, "win_prob": [...], "risk_attitude": [...],
//	             "risk_exponent": [[...]], "offers": [{"dimension": 0, "from": 4, "to": 1,
//	             "type": "compromise", "eu_receiver": -0.11, "eu_proposer": 0.24,
//	             "position": 8.41, "accepted": true}]}]}
//
// positions are [actor][dimension]; absent fields are omitted. Report adds
// "package" (Package) and "bands" (Bands) to a Result's fields; Comparison
// is {"dimensions", "models": [{"model", "label", "forecast", "nearest",
// "converged", "stop", "error", "package"}], "bands"}. BacktestReport
// marshals as {"issues": n, "models": [{"model", "mae", "median_ae",
// "given", "scored", "skipped"}], "by_issue": [{"issue", "outcome",
// "forecast": {model: value}}]}.
//
// Everything is deterministic: no goroutines, clock or global randomness;
// bands draw from a PCG seeded by the caller.
package forecast
