package analysis

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/internal/printable"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// GeniusEnumerationCutoff is how many bids Genius's MultilateralAnalysis
// enumerates (ENUMERATION_CUTOFF).
const GeniusEnumerationCutoff uint64 = 100_000

// MaxReportPoints bounds the frontier points a report lists
// (pareto.points): a larger frontier is listed by evenly spaced points,
// its first and last among them, and Report.Truncated gives the full
// count. A 250-byte scenario can have a frontier of 10^6 points, whose
// listing took gigabytes; the frontier itself stays whole in
// Report.Frontier.
const MaxReportPoints = 10_000

// MaxReportTies bounds the tied points a report lists per solution
// concept (the first ones, in frontier order); Report.Truncated gives the
// full count.
const MaxReportTies = 100

// Report is the analysis of a scenario: the JSON of `parley analyze --json`.
// Utilities are listed one per party, in the order of Parties.
type Report struct {
	Scenario    string      `json:"scenario"`
	Outcomes    uint64      `json:"outcomes"` // size of the outcome space
	Parties     []string    `json:"parties"`  // ids of the negotiating parties (mediators excluded)
	Issues      []IssueInfo `json:"issues"`
	Reservation []float64   `json:"reservation"`
	MinUtility  []float64   `json:"min_utility"`
	MaxUtility  []float64   `json:"max_utility"`

	Pareto ParetoSummary `json:"pareto"`
	// Solution points: every tied point, each with its criterion value.
	Nash             []PointReport `json:"nash"`
	KalaiSmorodinsky []PointReport `json:"kalai_smorodinsky"`
	Kalai            []PointReport `json:"kalai"` // Genius's "Kalai": least Σ|u_i − u_j|
	MaxWelfare       []PointReport `json:"max_welfare"`
	Egalitarian      []PointReport `json:"egalitarian"`
	GeniusNash       []PointReport `json:"genius_nash_on_frontier"`

	Zopa       ZopaSummary `json:"zopa"`
	Opposition *float64    `json:"opposition"` // null for an empty frontier

	// Agreement is the zone of agreement under the scenario's decision
	// rule, present when the rule is not unanimity (agreement.go).
	Agreement *Agreement `json:"agreement,omitempty"`

	// GeniusCutoff reproduces Genius's MultilateralAnalysis, which looks at
	// the first 100,000 outcomes only; present for larger spaces.
	GeniusCutoff *CutoffSummary `json:"genius_multilateral_analysis_cutoff,omitempty"`

	Notes []string `json:"notes,omitempty"`

	// Truncated gives, for each list cut at MaxReportPoints or
	// MaxReportTies ("pareto.points", "nash", "max_welfare", ...), how
	// many points it would have held.
	Truncated map[string]int `json:"truncated,omitempty"`

	// WhatIf is the what-if analysis (Report.WhatIfAnalysis, `parley
	// analyze --what-if`); absent unless asked for.
	WhatIf *WhatIf `json:"what_if,omitempty"`

	// Evaluated is an outcome the caller asked about (Report.Evaluate,
	// `parley analyze --outcome`); absent unless asked for.
	Evaluated *Evaluation `json:"evaluated,omitempty"`

	// For Go callers: the frontier and solutions behind the JSON.
	Frontier  *Pareto   `json:"-"`
	NashPoint *Solution `json:"-"`
	scen      *scenario.Scenario
	us        []*utility.Additive
	meetLines []utility.RedLine // the last red lines of every us (TermLines)
}

// IssueInfo describes an issue in a report.
type IssueInfo struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Values int    `json:"values"`
}

// ParetoSummary is the frontier in a report.
type ParetoSummary struct {
	Count    int           `json:"count"`    // distinct utility vectors on the frontier
	Outcomes uint64        `json:"outcomes"` // outcomes on the frontier
	Rational int           `json:"rational"` // points with every u_i ≥ rv_i
	Points   []PointReport `json:"points"`   // by party 0's utility ascending, then party 1, ...
}

// PointReport is one utility vector in a report.
type PointReport struct {
	Utilities []float64 `json:"utilities"`
	NOutcomes uint64    `json:"n_outcomes"`
	// Value is the criterion of the solution concept (solution points only).
	Value *float64 `json:"value,omitempty"`
	// Outcome is the first outcome with these utilities in enumeration
	// order (issue id → value label); Outcomes lists the first few.
	Outcome           map[string]string   `json:"outcome"`
	Outcomes          []map[string]string `json:"outcomes"`
	OutcomesTruncated bool                `json:"outcomes_truncated"`
	// Rational: every party gets at least its reservation value (within
	// Tolerance); BelowReservation names the parties that do not.
	Rational         bool     `json:"rational"`
	BelowReservation []string `json:"below_reservation,omitempty"`
}

// ZopaSummary is the zone of possible agreement in a report.
type ZopaSummary struct {
	Count     uint64  `json:"count"`
	Estimated bool    `json:"estimated"`
	Samples   int     `json:"samples,omitempty"`
	StdErr    float64 `json:"std_err,omitempty"`
}

// CutoffSummary is Genius's MultilateralAnalysis over the first 100,000
// outcomes in enumeration order.
type CutoffSummary struct {
	Enumerated     uint64      `json:"n_enumerated"`
	ParetoPoints   int         `json:"pareto_n_points"`
	ParetoOutcomes uint64      `json:"pareto_n_outcomes"`
	NashValue      *float64    `json:"nash_value"`
	NashUtilities  [][]float64 `json:"nash_utilities"`
}

// Analyze analyses s: the Pareto frontier, the solution points, the zone of
// possible agreement and Genius's figures, for every party but mediators.
func Analyze(s *scenario.Scenario, opts Options) (*Report, error) {
	sp := s.Space()
	size, ok := sp.Size()
	if !ok {
		return nil, fmt.Errorf("analysis: scenario %s has %.4g outcomes, more than 2^64", s.Name, sp.SizeFloat())
	}
	r := &Report{Scenario: s.Name, Outcomes: size, scen: s}
	var us []*utility.Additive
	redLines := false
	if err := s.CheckParties(); err != nil {
		return nil, fmt.Errorf("analysis: scenario %s: %w", s.Name, err)
	}
	compiled, meetLines := utilities(s)
	r.meetLines = meetLines
	for q, p := range s.Negotiators() {
		u := compiled[q]
		us = append(us, u)
		redLines = redLines || len(u.RedLines) > 0
		r.Parties = append(r.Parties, s.Parties[p].ID)
		r.Reservation = append(r.Reservation, u.Reservation)
		if st := s.Parties[p].StatedReservation; st != nil {
			r.Notes = append(r.Notes, fmt.Sprintf("%s's reservation value is its utility of the status quo, %.4g; the %.4g the file states is not used", s.Parties[p].ID, u.Reservation, *st))
		}
	}
	r.us = us
	for i := range s.Issues {
		is := &s.Issues[i]
		r.Issues = append(r.Issues, IssueInfo{ID: is.ID, Name: is.Name, Values: is.Size()})
	}
	f, err := Frontier(us, sp, opts)
	if err != nil {
		return nil, fmt.Errorf("analysis: scenario %s: %w", s.Name, err)
	}
	r.Frontier = f
	best := f.Best()
	terms := hasTerms(us)
	for p, u := range us {
		lo, _, lerr := u.Extreme(false, utility.DefaultSearchNodes)
		hi, _, herr := u.Extreme(true, utility.DefaultSearchNodes)
		if (redLines || terms || vetoes(us)) && len(f.Points) > 0 && f.Sampled == 0 {
			hi, herr = best[p], nil // the exact frontier holds every party's best
		}
		for _, c := range []struct {
			err  error
			what string
		}{{lerr, "min_utility is the lowest"}, {herr, "max_utility is the highest"}} {
			if c.err != nil {
				r.Notes = append(r.Notes, fmt.Sprintf("%s: %s utility found by a search that passed its limit (%s nodes), not proven", r.Parties[p], c.what, budget.Count(utility.DefaultSearchNodes)))
			}
		}
		r.MinUtility = append(r.MinUtility, lo)
		r.MaxUtility = append(r.MaxUtility, hi)
	}
	if !vetoes(us) {
		// With vetoes the frontier is found over every outcome, not over
		// cells; vetoNotes says so.
		r.Notes = append(r.Notes, termNotes(us, f)...)
	}
	r.Notes = append(r.Notes, vetoNotes(s, us, f)...)
	if n := len(s.Constraints); n > 0 {
		r.Notes = append(r.Notes, constraintNote(s))
	}
	if redLines {
		r.Notes = append(r.Notes, "outcomes that cross a red line are excluded; min_utility ignores red lines")
		if len(f.Points) == 0 {
			r.Notes = append(r.Notes, "every outcome crosses a red line: there is nothing to agree on; max_utility ignores red lines")
		}
	}
	k := opts.listed()
	r.Pareto = ParetoSummary{Count: len(f.Points), Outcomes: f.N, Rational: f.RationalPoints(r.Reservation)}
	n := len(f.Points)
	listed := min(n, MaxReportPoints)
	if listed < n {
		r.truncate("pareto.points", n)
	}
	r.Pareto.Points = make([]PointReport, listed)
	for j := range listed {
		r.Pareto.Points[j] = r.point(&f.Points[spread(j, listed, n)], nil, k)
	}
	r.NashPoint = f.Nash(r.Reservation)
	r.Nash = r.solution("nash", r.NashPoint, k)
	r.KalaiSmorodinsky = r.solution("kalai_smorodinsky", f.KalaiSmorodinsky(r.Reservation, r.MaxUtility), k)
	r.Kalai = r.solution("kalai", f.GeniusKalai(), k)
	r.MaxWelfare = r.solution("max_welfare", f.MaxWelfare(), k)
	r.Egalitarian = r.solution("egalitarian", f.Egalitarian(r.Reservation), k)
	r.GeniusNash = r.solution("genius_nash_on_frontier", f.GeniusNash(r.Reservation), k)
	if o := f.Opposition(); !math.IsNaN(o) {
		r.Opposition = &o
	}
	z, err := CountZopa(us, sp, opts)
	if err != nil {
		return nil, fmt.Errorf("analysis: scenario %s: %w", s.Name, err)
	}
	r.Zopa = ZopaSummary(z)
	r.agreement(opts)
	if size > GeniusEnumerationCutoff {
		g, err := prefixFrontier(us, sp, GeniusEnumerationCutoff, opts)
		if err != nil {
			return nil, fmt.Errorf("analysis: scenario %s: %w", s.Name, err)
		}
		c := &CutoffSummary{Enumerated: GeniusEnumerationCutoff, ParetoPoints: len(g.Points), ParetoOutcomes: g.N}
		if gn := g.GeniusNash(r.Reservation); gn != nil {
			c.NashValue = &gn.Value
			for _, p := range gn.Points {
				c.NashUtilities = append(c.NashUtilities, p.Utilities)
			}
		}
		r.GeniusCutoff = c
	}
	return r, nil
}

func (r *Report) solution(name string, s *Solution, k int) []PointReport {
	out := []PointReport{}
	if s == nil {
		return out
	}
	n := len(s.Points)
	if n > MaxReportTies {
		r.truncate(name, n)
		n = MaxReportTies
	}
	for q := range n {
		out = append(out, r.point(&s.Points[q], &s.Value, k))
	}
	return out
}

// spread is the index of the j-th of m points listed evenly from n, the
// first and the last among them.
func spread(j, m, n int) int {
	if m >= n || m < 2 {
		return j
	}
	return int(uint64(j) * uint64(n-1) / uint64(m-1))
}

func (r *Report) truncate(name string, n int) {
	if r.Truncated == nil {
		r.Truncated = map[string]int{}
	}
	r.Truncated[name] = n
}

func (r *Report) point(p *Point, value *float64, k int) PointReport {
	pr := PointReport{Utilities: p.Utilities, NOutcomes: p.N, Value: value,
		OutcomesTruncated: p.N > uint64(len(p.Outcomes))}
	pr.BelowReservation = belowReservation(p.Utilities, r.Reservation, r.Parties)
	pr.Rational = len(pr.BelowReservation) == 0
	sp := r.scen.Space()
	o := make([]int, sp.Issues())
	for q, idx := range p.Outcomes {
		if q >= k {
			break
		}
		sp.Decode(idx, o)
		l := r.scen.Labels(o)
		if q == 0 {
			pr.Outcome = l
		}
		pr.Outcomes = append(pr.Outcomes, l)
	}
	return pr
}

// WriteText writes the report for people: parties, issues, the size of the
// space and of the frontier, and each solution point as value labels with
// every party's utility.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Scenario %s\n", r.Scenario)
	fmt.Fprintf(&b, "Parties (reservation value, utility range):\n")
	for p, id := range r.Parties {
		fmt.Fprintf(&b, "  %-24s rv %.4f   %.4f – %.4f\n", id, r.Reservation[p], r.MinUtility[p], r.MaxUtility[p])
	}
	fmt.Fprintf(&b, "Issues: %d\n", len(r.Issues))
	for _, is := range r.Issues {
		fmt.Fprintf(&b, "  %-20s %d values\n", is.ID, is.Values)
	}
	fmt.Fprintf(&b, "Outcomes: %d\n", r.Outcomes)
	fmt.Fprintf(&b, "Pareto frontier: %d points, %d outcomes, %d points rational\n", r.Pareto.Count, r.Pareto.Outcomes, r.Pareto.Rational)
	zs := fmt.Sprintf("%d outcomes (%.2f%%)", r.Zopa.Count, 100*float64(r.Zopa.Count)/float64(r.Outcomes))
	if r.Zopa.Estimated {
		zs = fmt.Sprintf("about %s, estimated from %d samples (± %.3g)", zs, r.Zopa.Samples, r.Zopa.StdErr)
	}
	fmt.Fprintf(&b, "Zone of possible agreement: %s\n", zs)
	r.writeAgreement(&b)
	if r.Opposition != nil {
		fmt.Fprintf(&b, "Opposition (distance of the best outcome to all-ones): %.4f\n", *r.Opposition)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "Note: %s\n", n)
	}
	fmt.Fprintf(&b, "\nSolution points (utilities in party order: %s):\n", strings.Join(r.Parties, ", "))
	sols := []struct {
		name, key string
		pts       []PointReport
		what      string
	}{
		{"Nash", "nash", r.Nash, "product of gains over rv, rational outcomes"},
		{"Kalai–Smorodinsky", "kalai_smorodinsky", r.KalaiSmorodinsky, "smallest share of the ideal gain"},
		{"Kalai (Genius)", "kalai", r.Kalai, "sum of |u_i − u_j|, minimised"},
		{"Max welfare", "max_welfare", r.MaxWelfare, "sum of utilities"},
		{"Egalitarian", "egalitarian", r.Egalitarian, "smallest gain over rv"},
		{"Nash (Genius)", "genius_nash_on_frontier", r.GeniusNash, "product on the frontier, irrational points too"},
	}
	for _, s := range sols {
		if len(s.pts) == 0 {
			fmt.Fprintf(&b, "  %-18s none\n", s.name)
			continue
		}
		for q, p := range s.pts {
			name := s.name
			if q > 0 {
				name = "  (tie)"
			}
			if q == maxTextTies {
				fmt.Fprintf(&b, "  %-18s and %s more tied points\n", name, budget.Thousands(uint64(r.ties(s.key, len(s.pts))-q)))
				break
			}
			fmt.Fprintf(&b, "  %-18s %s  %d outcome(s); %s = %.6g%s\n", name, fmtUtils(p.Utilities), p.NOutcomes, s.what, *p.Value, markBelow("; ", p.BelowReservation))
			fmt.Fprintf(&b, "  %-18s %s\n", "", r.fmtOutcome(p.Outcome))
		}
	}
	if r.GeniusCutoff != nil {
		c := r.GeniusCutoff
		fmt.Fprintf(&b, "\nGenius MultilateralAnalysis (first %d outcomes only): frontier %d points, %d outcomes\n", c.Enumerated, c.ParetoPoints, c.ParetoOutcomes)
	}
	r.writeEvaluation(&b)
	if r.WhatIf != nil {
		r.writeWhatIf(&b)
	}
	// Names and labels come from input files: escape what would act on
	// the terminal or hide in it.
	_, err := io.WriteString(w, printable.Text(b.String()))
	return err
}

// maxTextTies is how many tied points of one solution the text report
// prints.
const maxTextTies = 10

// ties is how many points tie for the solution key: the listed ones, or
// the full count when the list was cut.
func (r *Report) ties(key string, listed int) int {
	if n, ok := r.Truncated[key]; ok {
		return n
	}
	return listed
}

// belowReservation lists the parties whose utility in u is below their
// reservation value by more than Tolerance: those who would rather have
// no agreement.
func belowReservation(u, rv []float64, parties []string) []string {
	var out []string
	for p, x := range u {
		if x < rv[p]-Tolerance {
			out = append(out, parties[p])
		}
	}
	return out
}

// markBelow marks a point that some parties value below their reservation
// value, after sep; "" when every party accepts it.
func markBelow(sep string, below []string) string {
	switch len(below) {
	case 0:
		return ""
	case 1:
		return sep + "NOT acceptable to " + below[0] + " (below its reservation value)"
	}
	return sep + "NOT acceptable to " + strings.Join(below, ", ") + " (below their reservation values)"
}

func fmtUtils(u []float64) string {
	s := make([]string, len(u))
	for i, x := range u {
		s[i] = fmt.Sprintf("%.4f", x)
	}
	return "(" + strings.Join(s, ", ") + ")"
}

func (r *Report) fmtOutcome(o map[string]string) string {
	s := make([]string, 0, len(r.Issues))
	for _, is := range r.Issues {
		s = append(s, is.ID+"="+o[is.ID])
	}
	return strings.Join(s, ", ")
}
