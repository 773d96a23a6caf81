package tournament

import (
	"math"
	"strings"
	"testing"

	"github.com/parleyhq/parley/session"
)

// TestPairs checks head to head on hand-made records: two seats and
// three, self-play, a negotiator holding two seats against one opponent.
func TestPairs(t *testing.T) {
	c := &Canonical{Name: "t", Negotiators: []string{"a", "b", "c"}, Rotation: RotationAll,
		Scenarios: []CanonicalScenario{{Parties: []string{"x", "y"}}, {Parties: []string{"x", "y", "z"}}}}
	recs := []Record{
		{Number: 0, Scenario: 0, Assignment: 1, Agreed: true, Status: session.StatusAgreed, Utility: []float64{0.8, 0.3}},            // a, b
		{Number: 1, Scenario: 0, Assignment: 4, Agreed: true, Status: session.StatusRatified, Utility: []float64{0.5, 0.6}},          // b, b
		{Number: 2, Scenario: 1, Assignment: 5, Agreed: false, Status: session.StatusNoAgreement, Utility: []float64{0.2, 0.4, 0.6}}, // a, b, c
		{Number: 3, Scenario: 1, Assignment: 1, Agreed: true, Status: session.StatusNotRatified, Utility: []float64{0.1, 0.2, 0.9}},  // a, a, b: voided
	}
	for i := range recs {
		recs[i].Discounted = recs[i].Utility
	}
	sum, err := Summarize(c, func(fn func(*Record) error) error {
		for i := range recs {
			if err := fn(&recs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	type cell struct {
		sessions, n          uint64
		mean, agree, binding float64
	}
	want := map[[2]string]cell{
		{"a", "b"}: {3, 4, (0.8 + 0.2 + 0.1 + 0.2) / 4, 2.0 / 3, 1.0 / 3},
		{"b", "a"}: {3, 3, (0.3 + 0.4 + 0.9) / 3, 2.0 / 3, 1.0 / 3},
		{"b", "b"}: {1, 2, 0.55, 1, 1},
		{"a", "a"}: {1, 2, 0.15, 1, 0},
		{"a", "c"}: {1, 1, 0.2, 0, 0},
		{"c", "a"}: {1, 1, 0.6, 0, 0},
		{"b", "c"}: {1, 1, 0.4, 0, 0},
		{"c", "b"}: {1, 1, 0.6, 0, 0},
	}
	if len(sum.Pairs) != len(want) {
		t.Errorf("%d pairs, want %d: %+v", len(sum.Pairs), len(want), sum.Pairs)
	}
	for i, p := range sum.Pairs {
		w, ok := want[[2]string{p.Negotiator, p.Opponent}]
		if !ok {
			t.Errorf("unexpected pair %s against %s", p.Negotiator, p.Opponent)
			continue
		}
		if p.Sessions != w.sessions || p.Utility.N != w.n || math.Abs(p.Utility.Mean-w.mean) > 1e-12 || math.Abs(p.Agreement-w.agree) > 1e-12 ||
			math.Abs(p.Binding-w.binding) > 1e-12 {
			t.Errorf("%s against %s: %d sessions, %d utilities, mean %v, agreement %v, binding %v; want %+v", p.Negotiator, p.Opponent,
				p.Sessions, p.Utility.N, p.Utility.Mean, p.Agreement, p.Binding, w)
		}
		// Spec order: negotiator first, then opponent.
		if i > 0 {
			prev := sum.Pairs[i-1]
			if idx(c, prev.Negotiator)*3+idx(c, prev.Opponent) >= idx(c, p.Negotiator)*3+idx(c, p.Opponent) {
				t.Errorf("pairs out of order: %s/%s before %s/%s", prev.Negotiator, prev.Opponent, p.Negotiator, p.Opponent)
			}
		}
	}
}

func idx(c *Canonical, name string) int {
	for i, n := range c.Negotiators {
		if n == name {
			return i
		}
	}
	return -1
}

// TestPairsBounded: past MaxPairNegotiators the table, which grows with
// their square, is left out.
func TestPairsBounded(t *testing.T) {
	names := make([]string, MaxPairNegotiators+1)
	for i := range names {
		names[i] = string(rune('a' + i%26))
	}
	if newPairTable(names) != nil || newPairTable(names[:MaxPairNegotiators]) == nil {
		t.Errorf("pair tables: kept above %d negotiators, or dropped at it", MaxPairNegotiators)
	}
}

// summarize runs Summarize over recs, in the order given.
func summarize(t *testing.T, c *Canonical, recs []Record) (*Summary, error) {
	t.Helper()
	for i := range recs {
		if recs[i].Discounted == nil {
			recs[i].Discounted = recs[i].Utility
		}
	}
	return Summarize(c, func(fn func(*Record) error) error {
		for i := range recs {
			if err := fn(&recs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// lineUpRecords makes reps repetitions of each given line-up of a two-seat
// scenario (negotiators a and b, rotation all: assignment 0 is a,a, 1 a,b,
// 2 b,a, 3 b,b), with seat utilities u(line-up, repetition).
func lineUpRecords(assignments []uint64, reps int, u func(a uint64, rep int) [2]float64) []Record {
	var recs []Record
	for _, a := range assignments {
		for k := range reps {
			x := u(a, k)
			recs = append(recs, Record{Number: a*uint64(reps) + uint64(k), Assignment: a, Repetition: k, Round: int(10 * x[0]),
				Agreed: true, Status: session.StatusAgreed, Utility: []float64{x[0], x[1]}})
		}
	}
	return recs
}

// tInterval is the ordinary t interval's half-width over xs.
func tInterval(xs []float64) float64 {
	n := float64(len(xs))
	m := 0.0
	for _, x := range xs {
		m += x / n
	}
	ss := 0.0
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return TQuantile975(uint64(len(xs)-1)) * math.Sqrt(ss/(n-1)/n)
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

// TestIdenticalRepetitions: when every repetition of a line-up plays the
// same session, each line-up counts once: the interval is the ordinary one
// over the line-ups, the same as with one repetition, and the summary says
// that the repetitions were copies.
func TestIdenticalRepetitions(t *testing.T) {
	c := &Canonical{Name: "t", Negotiators: []string{"a", "b"}, Rotation: RotationAll, Repetitions: 5,
		Scenarios: []CanonicalScenario{{Path: "s", Parties: []string{"x", "y"}}}}
	vals := map[uint64][2]float64{0: {0.9, 0.2}, 1: {0.6, 0.5}, 2: {0.3, 0.7}, 3: {0.4, 0.45}}
	fixed := func(a uint64, _ int) [2]float64 { return vals[a] }
	all := []uint64{0, 1, 2, 3}
	five, err := summarize(t, c, lineUpRecords(all, 5, fixed))
	if err != nil {
		t.Fatal(err)
	}
	c1 := *c
	c1.Repetitions = 1
	one, err := summarize(t, &c1, lineUpRecords(all, 1, fixed))
	if err != nil {
		t.Fatal(err)
	}
	if five.LineUps != 4 || five.Repeated != 4 || !five.IdenticalRepetitions || one.Repeated != 0 || one.IdenticalRepetitions {
		t.Errorf("5 repetitions: %d line-ups, %d repeated, identical %v; 1 repetition: %d repeated, identical %v",
			five.LineUps, five.Repeated, five.IdenticalRepetitions, one.Repeated, one.IdenticalRepetitions)
	}
	// The overall utility: each line-up's mean seat utility is one
	// observation.
	var means []float64
	for _, a := range all {
		means = append(means, (vals[a][0]+vals[a][1])/2)
	}
	if got, want := five.Overall.Utility, tInterval(means); got.LineUps != 4 || got.N != 40 || !near(got.CI95, want) {
		t.Errorf("overall utility %+v, want the interval %v over 4 line-ups", got, want)
	}
	// Welfare: one value per session.
	var welfare []float64
	for _, a := range all {
		welfare = append(welfare, vals[a][0]+vals[a][1])
	}
	if got, want := five.Overall.Welfare.CI95, tInterval(welfare); !near(got, want) {
		t.Errorf("welfare interval %v, want %v", got, want)
	}
	// Every figure is the same with one repetition.
	rows := func(s *Summary) []Row { return append(append([]Row{s.Overall}, s.Negotiators...), s.Scenarios...) }
	for i, r := range rows(five) {
		o := rows(one)[i]
		for k, pair := range [][2]Stat{{r.Utility, o.Utility}, {r.Welfare, o.Welfare}, {r.Rounds, o.Rounds}, {r.Discounted, o.Discounted}} {
			if !near(pair[0].Mean, pair[1].Mean) || !near(pair[0].CI95, pair[1].CI95) || pair[0].LineUps != pair[1].LineUps {
				t.Errorf("%s, figure %d: %+v with 5 repetitions, %+v with 1", r.Name, k, pair[0], pair[1])
			}
		}
	}
	for i, p := range five.Pairs {
		if o := one.Pairs[i]; !near(p.Utility.CI95, o.Utility.CI95) || !near(p.Utility.Mean, o.Utility.Mean) {
			t.Errorf("%s against %s: %+v with 5 repetitions, %+v with 1", p.Negotiator, p.Opponent, p.Utility, o.Utility)
		}
	}
	// Negotiator a: line-up 0 (a holds both seats: 0.9 and 0.2), 1 (seat
	// 1: 0.6) and 2 (seat 2: 0.7): clusters of 10, 5 and 5 observations.
	a := five.Negotiators[0]
	sums, sizes := []float64{5 * 1.1, 5 * 0.6, 5 * 0.7}, []float64{10, 5, 5}
	m := (sums[0] + sums[1] + sums[2]) / 20
	e2 := 0.0
	for g := range sums {
		e2 += (sums[g] - sizes[g]*m) * (sums[g] - sizes[g]*m)
	}
	if want := TQuantile975(2) * math.Sqrt(1.5*e2) / 20; a.Utility.LineUps != 3 || !near(a.Utility.Mean, m) || !near(a.Utility.CI95, want) {
		t.Errorf("negotiator a: %+v, want mean %v and interval %v over 3 line-ups", a.Utility, m, want)
	}
	var b strings.Builder
	if err := five.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"An interval counts each line-up (a scenario with one seating of negotiators) once: 4 line-ups.\n",
		"Every repetition of a line-up played the same session: 20 sessions, 4 distinct.\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, b.String())
		}
	}
}

// TestDifferingRepetitions: repetitions that play differently still count
// as one line-up; the interval is the cluster estimate, here checked
// against its formula, and the report does not call them copies.
func TestDifferingRepetitions(t *testing.T) {
	c := &Canonical{Name: "t", Negotiators: []string{"a", "b"}, Rotation: RotationAll, Repetitions: 3,
		Scenarios: []CanonicalScenario{{Path: "s", Parties: []string{"x", "y"}}}}
	u := func(a uint64, k int) [2]float64 {
		return [2]float64{0.1*float64(a) + 0.05*float64(k), 0.5 - 0.02*float64(k*k)}
	}
	recs := lineUpRecords([]uint64{0, 1, 2, 3}, 3, u)
	sum, err := summarize(t, c, recs)
	if err != nil {
		t.Fatal(err)
	}
	if sum.IdenticalRepetitions || sum.Repeated != 4 || sum.LineUps != 4 {
		t.Errorf("identical %v, %d repeated of %d line-ups", sum.IdenticalRepetitions, sum.Repeated, sum.LineUps)
	}
	var sums, sizes []float64
	total, n := 0.0, 0.0
	for a := range uint64(4) {
		s := 0.0
		for k := range 3 {
			x := u(a, k)
			s += x[0] + x[1]
		}
		sums, sizes = append(sums, s), append(sizes, 6)
		total, n = total+s, n+6
	}
	m := total / n
	e2 := 0.0
	for g := range sums {
		e2 += (sums[g] - sizes[g]*m) * (sums[g] - sizes[g]*m)
	}
	if got, want := sum.Overall.Utility, TQuantile975(3)*math.Sqrt(4.0/3*e2)/n; !near(got.Mean, m) || !near(got.CI95, want) {
		t.Errorf("overall utility %+v, want mean %v and interval %v", got, m, want)
	}
	var b strings.Builder
	if err := sum.WriteText(&b); err != nil || strings.Contains(b.String(), "same session") {
		t.Errorf("the report calls differing repetitions copies (%v):\n%s", err, b.String())
	}
}

// TestSummarizeOrder: a summary needs the sessions in order, since it reads
// each line-up's repetitions together.
func TestSummarizeOrder(t *testing.T) {
	c := &Canonical{Name: "t", Negotiators: []string{"a", "b"}, Rotation: RotationAll, Repetitions: 2,
		Scenarios: []CanonicalScenario{{Path: "s", Parties: []string{"x", "y"}}}}
	recs := lineUpRecords([]uint64{0, 1}, 2, func(uint64, int) [2]float64 { return [2]float64{0.5, 0.5} })
	recs[1], recs[2] = recs[2], recs[1]
	if _, err := summarize(t, c, recs); err == nil || !strings.Contains(err.Error(), "session 1 read after session 2") {
		t.Errorf("out of order: %v", err)
	}
	recs = lineUpRecords([]uint64{0}, 2, func(uint64, int) [2]float64 { return [2]float64{0.5, 0.5} })
	recs[1].Discounted = []float64{0.5}
	if _, err := summarize(t, c, recs); err == nil || !strings.Contains(err.Error(), "2 utilities and 1 discounted ones for 2 seats") {
		t.Errorf("short discounted utilities: %v", err)
	}
}
