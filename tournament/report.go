package tournament

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Stat is a mean over a tournament's observations with its 95% confidence
// interval, which counts line-ups rather than observations.
//
// A line-up is a scenario with one assignment of negotiators to its seats.
// Its observations (one per seat and repetition) are not independent of
// one another: they share the line-up, and in a tournament of deterministic
// strategies every repetition plays the same session. So the line-up is the
// interval's unit: the variance of the mean is the cluster (sandwich)
// estimate G/(G−1) · Σ_g (S_g − n_g·Mean)² / N², with S_g and n_g the sum
// and number of line-up g's observations and G the number of line-ups, and
// the quantile is Student's t with G−1 degrees of freedom. With one
// observation per line-up this is the ordinary t interval over the
// observations; when every line-up has as many observations and its
// repetitions played alike, the ordinary t interval over the G line-ups.
type Stat struct {
	N    uint64  `json:"n"`
	Mean float64 `json:"mean"`
	// CI95 is the half-width of the 95% confidence interval of the mean
	// (0 with fewer than two line-ups).
	CI95 float64 `json:"ci95"`
	// SD is the standard deviation of the observations themselves.
	SD float64 `json:"sd"`
	// LineUps is the number of line-ups the observations come from.
	LineUps uint64 `json:"line_ups"`

	m2 float64
	// Line-up sums are kept relative to the first observation, ref, so
	// that their squares do not cancel out what they measure.
	ref         float64
	gN          uint64  // observations of the line-up being read
	gS          float64 // their sum, relative to ref
	sum         float64 // Σ S_g over the line-ups read, relative to ref
	ss, sn, snn float64 // Σ S_g², Σ n_g·S_g, Σ n_g²
}

// add adds an observation to the line-up being read (Welford's update for
// the mean and SD; NaN is skipped).
func (s *Stat) add(x float64) {
	if math.IsNaN(x) {
		return
	}
	if s.N == 0 {
		s.ref = x
	}
	s.N++
	d := x - s.Mean
	s.Mean += d / float64(s.N)
	s.m2 += d * (x - s.Mean)
	s.gN++
	s.gS += x - s.ref
}

// endLineUp closes the line-up being read.
func (s *Stat) endLineUp() {
	if s.gN == 0 {
		return
	}
	n := float64(s.gN)
	s.LineUps++
	s.sum += s.gS
	s.ss += s.gS * s.gS
	s.sn += n * s.gS
	s.snn += n * n
	s.gN, s.gS = 0, 0
}

func (s *Stat) finish() {
	s.endLineUp()
	s.SD, s.CI95 = 0, 0
	if s.N >= 2 {
		s.SD = math.Sqrt(s.m2 / float64(s.N-1))
	}
	if s.LineUps < 2 {
		return
	}
	n, g := float64(s.N), float64(s.LineUps)
	m := s.sum / n // the mean, relative to ref
	e2 := max(s.ss-2*m*s.sn+m*m*s.snn, 0)
	s.CI95 = TQuantile975(s.LineUps-1) * math.Sqrt(g/(g-1)*e2) / n
}

// lineUps groups the observations of a summary by line-up: the Stats that
// received some from the line-up being read, to close when it ends.
type lineUps struct{ open []*Stat }

// add adds observation x to s.
func (l *lineUps) add(s *Stat, x float64) {
	if math.IsNaN(x) {
		return
	}
	if s.gN == 0 {
		l.open = append(l.open, s)
	}
	s.add(x)
}

// end closes the line-up being read in every Stat.
func (l *lineUps) end() {
	for _, s := range l.open {
		s.endLineUp()
	}
	l.open = l.open[:0]
}

// Row is one line of a summary: a negotiator's or a scenario's figures.
type Row struct {
	Name string `json:"name"`
	// Sessions is the number of sessions it took part in.
	Sessions uint64 `json:"sessions"`
	// Utility is the undiscounted utility a negotiator obtained (per seat
	// it held), or for a scenario the utility of every seat of every
	// session; Discounted likewise with time discounting.
	Utility    Stat `json:"utility"`
	Discounted Stat `json:"discounted_utility"`
	// Agreement is the fraction of its sessions that ended in agreement,
	// deals a ratification vote then voided included.
	Agreement float64 `json:"agreement_rate"`
	// Binding is the fraction of its sessions whose deal stands: agreed
	// with no vote needed, or ratified by every required vote.
	Binding float64 `json:"binding_rate"`
	// Welfare is the social welfare (sum of the parties' utilities).
	Welfare Stat `json:"social_welfare"`
	// Pareto and Nash are distances to the Pareto frontier and the Nash
	// point (N = 0 when the analysis is not available).
	Pareto Stat `json:"distance_to_pareto"`
	Nash   Stat `json:"distance_to_nash"`
	// Rounds is the round in which the session ended.
	Rounds Stat `json:"rounds"`
	// Failed counts sessions that failed (status failed: a seat played
	// from outside parley failed): for a negotiator, those in which a seat
	// it held failed; for a scenario or overall, every one.
	Failed uint64 `json:"failed"`

	agreed, binding uint64
}

// Voided reports whether some deal of the row's sessions was voided by a
// ratification vote: then its binding rate differs from its agreement
// rate (the rates, not the counts, so that a summary read back from JSON
// says the same).
func (r *Row) Voided() bool { return r.Binding != r.Agreement }

func (r *Row) session(l *lineUps, rec *Record) {
	r.Sessions++
	if rec.Agreed {
		r.agreed++
	}
	if rec.Status.Binding() {
		r.binding++
	}
	l.add(&r.Welfare, rec.Welfare())
	l.add(&r.Pareto, rec.Pareto)
	l.add(&r.Nash, rec.Nash)
	l.add(&r.Rounds, float64(rec.Round))
}

func (r *Row) finish() {
	if r.Sessions > 0 {
		r.Agreement = float64(r.agreed) / float64(r.Sessions)
		r.Binding = float64(r.binding) / float64(r.Sessions)
	}
	for _, s := range []*Stat{&r.Utility, &r.Discounted, &r.Welfare, &r.Pareto, &r.Nash, &r.Rounds} {
		s.finish()
	}
}

// Summary is the report of a tournament: per negotiator, per scenario and
// overall.
type Summary struct {
	Name        string `json:"name"`
	Sessions    uint64 `json:"sessions"`    // recorded
	Total       uint64 `json:"total"`       // in the plan
	Overall     Row    `json:"overall"`     // all sessions
	Negotiators []Row  `json:"negotiators"` // in spec order
	Scenarios   []Row  `json:"scenarios"`   // in plan order
	// Pairs is head to head: for every negotiator and every opponent it
	// met, in spec order, its results against that opponent. Left out
	// for more than MaxPairNegotiators negotiators.
	Pairs []Pair `json:"pairs,omitempty"`
	// LineUps is the number of line-ups (a scenario with one assignment
	// of negotiators to its seats) with recorded sessions: the
	// observations the intervals count (see Stat).
	LineUps uint64 `json:"line_ups"`
	// Repeated is the number of line-ups with more than one recorded
	// repetition; IdenticalRepetitions says that each of them played the
	// same session every time (the same record, seed aside), so that its
	// repetitions added nothing but copies.
	Repeated             uint64 `json:"repeated_line_ups"`
	IdenticalRepetitions bool   `json:"identical_repetitions"`
	// Failures counts the failed sessions per negotiator whose seat
	// failed and cause, in spec order then by cause (the mediator's last).
	Failures []FailureCount `json:"failures,omitempty"`
	// Times are the answer times of the negotiators played from outside
	// parley, in spec order (AddTimes).
	Times []AnswerTimes `json:"answer_times,omitempty"`
	// FailedShards are the shards of a distributed run that no worker
	// could play, with why: their sessions are not recorded.
	FailedShards []ShardFailure `json:"failed_shards,omitempty"`
}

// FailureCount is how many sessions failed because a seat of one
// negotiator failed for one cause.
type FailureCount struct {
	Negotiator string `json:"negotiator"`
	Cause      string `json:"cause"`
	Sessions   uint64 `json:"sessions"`
	// Example is the message of the first of them (in session order).
	Example string `json:"example"`
	// First is that session's number, to replay or look it up.
	First uint64 `json:"first_session"`

	index int // the negotiator's, for the order
}

// AnswerTimes are a negotiator's answer times as an outside seat: the
// time from asking its seat for an action to its legal answer (errors and
// retries included), over every action of every recorded session.
type AnswerTimes struct {
	Negotiator string `json:"negotiator"`
	Actions    uint64 `json:"actions"`
	// MeanMS is the mean time per action in milliseconds; P99MS an upper
	// bound of the 99th percentile (the top of the power-of-two bucket of
	// microseconds it falls in).
	MeanMS float64 `json:"mean_ms"`
	P99MS  float64 `json:"p99_ms"`
}

// AddTimes sets the summary's answer times from the times a store kept
// per negotiator (Times.Negotiator indexes c's negotiators, the mediator
// after them).
func (s *Summary) AddTimes(c *Canonical, ts []Times) {
	s.Times = nil
	for i := range ts {
		t := &ts[i]
		if t.Actions == 0 {
			continue
		}
		s.Times = append(s.Times, AnswerTimes{Negotiator: c.agentName(t.Negotiator), Actions: t.Actions,
			MeanMS: float64(t.Mean()) / 1e6, P99MS: float64(t.Quantile(0.99)) / 1e6})
	}
}

// agentName is negotiator i's spec; the mediator's for the number of
// negotiators.
func (c *Canonical) agentName(i int) string {
	if i >= 0 && i < len(c.Negotiators) {
		return c.Negotiators[i]
	}
	if c.Mediator != "" {
		return c.Mediator
	}
	return fmt.Sprintf("negotiator %d", i)
}

// failures counts failed sessions per negotiator and cause.
type failures struct {
	counts []FailureCount
}

// add counts a failed session whose seat held negotiator i.
func (f *failures) add(c *Canonical, i int, r *Record) {
	cause := string(r.Failure.Cause)
	for k := range f.counts {
		if f.counts[k].index == i && f.counts[k].Cause == cause {
			f.counts[k].Sessions++
			return
		}
	}
	f.counts = append(f.counts, FailureCount{Negotiator: c.agentName(i), Cause: cause, Sessions: 1, Example: r.Failure.Message, First: r.Number, index: i})
}

// sorted are the counts in negotiator order, then by cause.
func (f *failures) sorted() []FailureCount {
	slices.SortStableFunc(f.counts, func(a, b FailureCount) int {
		if a.index != b.index {
			return a.index - b.index
		}
		return strings.Compare(a.Cause, b.Cause)
	})
	return f.counts
}

// MaxPairNegotiators bounds the head-to-head table, which grows with the
// square of the negotiators.
const MaxPairNegotiators = 256

// Pair is a negotiator's results against one opponent, over the sessions
// in which the opponent held another seat (one utility per seat the
// negotiator held, as in its row). A negotiator meets itself when the
// rotation lets it hold two seats of a session.
type Pair struct {
	Negotiator string  `json:"negotiator"`
	Opponent   string  `json:"opponent"`
	Sessions   uint64  `json:"sessions"`
	Utility    Stat    `json:"utility"`
	Agreement  float64 `json:"agreement_rate"`
	Binding    float64 `json:"binding_rate"`

	agreed, binding uint64
}

// pairTable accumulates the pairs of n negotiators: cell a*n+b is a
// against b.
type pairTable struct {
	n     int
	cells []Pair
	// touched lists the cells a session has counted, so that a session
	// counts once in each.
	touched []int
}

func newPairTable(names []string) *pairTable {
	n := len(names)
	if n > MaxPairNegotiators {
		return nil
	}
	t := &pairTable{n: n, cells: make([]Pair, n*n)}
	for a := range n {
		for b := range n {
			t.cells[a*n+b].Negotiator, t.cells[a*n+b].Opponent = names[a], names[b]
		}
	}
	return t
}

// session adds a session whose seats were held by assign: each seat's
// utility once against each opponent held another seat (however many
// seats that opponent held), the session once per pair.
func (t *pairTable) session(l *lineUps, r *Record, assign []int) {
	t.touched = t.touched[:0]
	for s, a := range assign {
		for o, b := range assign {
			if o == s || heldElsewhere(assign[:o], b, s) { // b met at an earlier seat
				continue
			}
			i := a*t.n + b
			l.add(&t.cells[i].Utility, r.Utility[s])
			if !slices.Contains(t.touched, i) {
				t.touched = append(t.touched, i)
				t.cells[i].Sessions++
				if r.Agreed {
					t.cells[i].agreed++
				}
				if r.Status.Binding() {
					t.cells[i].binding++
				}
			}
		}
	}
}

// heldElsewhere reports whether negotiator b holds one of the seats
// (indices into seats) other than s.
func heldElsewhere(seats []int, b, s int) bool {
	for o, x := range seats {
		if x == b && o != s {
			return true
		}
	}
	return false
}

// pairs are the cells with sessions, finished.
func (t *pairTable) pairs() []Pair {
	var ps []Pair
	for _, c := range t.cells {
		if c.Sessions == 0 {
			continue
		}
		c.Agreement = float64(c.agreed) / float64(c.Sessions)
		c.Binding = float64(c.binding) / float64(c.Sessions)
		c.Utility.finish()
		ps = append(ps, c)
	}
	return ps
}

// Summarize computes a summary from the records scan yields: each session
// once, in increasing session order (as Store.Scan gives them), so that
// the repetitions of a line-up, which are numbered consecutively, come
// together.
func Summarize(c *Canonical, scan func(func(*Record) error) error) (*Summary, error) {
	s := &Summary{Name: c.Name, Total: c.Sessions, Overall: Row{Name: "all"}}
	s.Negotiators = make([]Row, len(c.Negotiators))
	for i, n := range c.Negotiators {
		s.Negotiators[i].Name = n
	}
	s.Scenarios = make([]Row, len(c.Scenarios))
	for i, sc := range c.Scenarios {
		s.Scenarios[i].Name = sc.Path
	}
	pairs := newPairTable(c.Negotiators)
	var (
		assign []int
		lu     lineUps
		// first is the first record of the line-up being read, reps how
		// many of its repetitions were read.
		first   Record
		reps    int
		differ  bool
		started bool
		last    uint64
	)
	endLineUp := func() {
		lu.end()
		if reps > 1 {
			s.Repeated++
		}
	}
	// seen marks the negotiators counted for the current session, so that
	// self-play counts one session (and two utilities).
	seen := make([]bool, len(c.Negotiators))
	var fails failures
	err := scan(func(r *Record) error {
		if r.Scenario < 0 || r.Scenario >= len(c.Scenarios) {
			return fmt.Errorf("session %d: scenario %d is not in the spec", r.Number, r.Scenario)
		}
		seats := len(c.Scenarios[r.Scenario].Parties)
		if len(r.Utility) != seats || len(r.Discounted) != seats {
			return fmt.Errorf("session %d: %d utilities and %d discounted ones for %d seats", r.Number, len(r.Utility), len(r.Discounted), seats)
		}
		if started && r.Number <= last {
			return fmt.Errorf("session %d read after session %d: a summary needs the sessions in order", r.Number, last)
		}
		if !started || r.Scenario != first.Scenario || r.Assignment != first.Assignment {
			if started {
				endLineUp()
			}
			s.LineUps++
			first.copyFrom(r)
			reps = 0
		} else if !sameSession(&first, r) {
			differ = true
		}
		started, last = true, r.Number
		reps++
		s.Sessions++
		s.Overall.session(&lu, r)
		sc := &s.Scenarios[r.Scenario]
		sc.session(&lu, r)
		assign = assignment(len(c.Negotiators), seats, c.Rotation, r.Assignment, assign[:0])
		clear(seen)
		// A negotiator's failed count is of the sessions its seat failed:
		// a failed session counts once in its row, as its own failure.
		blamed := -1
		if r.Failure != nil {
			blamed = len(c.Negotiators) // the mediator's
			if r.FailedSeat >= 0 && r.FailedSeat < len(assign) {
				blamed = assign[r.FailedSeat]
			}
			fails.add(c, blamed, r)
			s.Overall.Failed++
			sc.Failed++
			if blamed < len(s.Negotiators) {
				s.Negotiators[blamed].Failed++
			}
		}
		for seat, n := range assign {
			row := &s.Negotiators[n]
			if !seen[n] {
				seen[n] = true
				row.session(&lu, r)
			}
			for _, rw := range []*Row{row, sc, &s.Overall} {
				lu.add(&rw.Utility, r.Utility[seat])
				lu.add(&rw.Discounted, r.Discounted[seat])
			}
		}
		if pairs != nil {
			pairs.session(&lu, r, assign)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if started {
		endLineUp()
	}
	s.IdenticalRepetitions = s.Repeated > 0 && !differ
	s.Overall.finish()
	for i := range s.Negotiators {
		s.Negotiators[i].finish()
	}
	for i := range s.Scenarios {
		s.Scenarios[i].finish()
	}
	if pairs != nil {
		s.Pairs = pairs.pairs()
	}
	s.Failures = fails.sorted()
	return s, nil
}

// copyFrom makes r a copy of o that owns its slices.
func (r *Record) copyFrom(o *Record) {
	u, d := append(r.Utility[:0], o.Utility...), append(r.Discounted[:0], o.Discounted...)
	*r = *o
	r.Utility, r.Discounted = u, d
}

// sameSession reports whether two records of a line-up hold the same
// session: everything but the number, repetition and seed, floats bit for
// bit.
func sameSession(a, b *Record) bool {
	same := func(x, y []float64) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
		return true
	}
	return a.Agreed == b.Agreed && a.Status == b.Status && a.End == b.End && a.WalkedOut == b.WalkedOut &&
		a.Round == b.Round && math.Float64bits(a.Time) == math.Float64bits(b.Time) && a.Steps == b.Steps &&
		a.Outcome == b.Outcome && same(a.Utility, b.Utility) && same(a.Discounted, b.Discounted)
}

// t975 holds the 0.975 quantiles of Student's t for 1 to 30 degrees of
// freedom.
var t975 = [...]float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}

// TQuantile975 is the 0.975 quantile of Student's t with df degrees of
// freedom: from a table up to 30, above that the Cornish-Fisher expansion
// around the normal quantile 1.959964 (error below 1e-4).
func TQuantile975(df uint64) float64 {
	switch {
	case df == 0:
		return math.Inf(1)
	case df <= uint64(len(t975)):
		return t975[df-1]
	}
	z, v := 1.959963984540054, float64(df)
	z3, z5 := z*z*z, z*z*z*z*z
	return z + (z3+z)/(4*v) + (5*z5+16*z3+3*z)/(96*v*v) + (3*z5*z*z+19*z5+17*z3-15*z)/(384*v*v*v)
}
