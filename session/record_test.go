package session

import (
	"testing"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// offerLog is what a test records itself from OnEvent, to check a Recorder.
type offerLog struct {
	round  int
	t      float64
	to     int
	utils  []float64
	agreed bool
}

// recordSession plays cfg with seed 0, feeding a Recorder and logging, per
// proposing seat, every offer and text with r.SeatUtility of it (agreements
// under seat -1).
func recordSession(t *testing.T, cfg Config) (*Runner, *Recorder, map[int][]offerLog) {
	t.Helper()
	var r *Runner
	rec := &Recorder{}
	logs := map[int][]offerLog{}
	cfg.OnEvent = func(ev protocol.Event) {
		rec.Observe(r, ev)
		seat := int(ev.Seat)
		switch ev.Type {
		case protocol.EventOffer, protocol.EventPropose:
		case protocol.EventAgreement:
			seat = -1
		default:
			return
		}
		l := offerLog{round: int(ev.Round), t: ev.T, to: -1, agreed: seat < 0}
		if ev.Private {
			l.to = int(ev.With)
		}
		for s := range r.Prepared().Seats {
			l.utils = append(l.utils, r.SeatUtility(s, ev.Outcome))
		}
		logs[seat] = append(logs[seat], l)
	}
	var err error
	if r, err = NewRunner(cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(cfg.Seed); err != nil {
		t.Fatal(err)
	}
	return r, rec, logs
}

// checkSeries checks that the recorder holds exactly the logged offers.
func checkSeries(t *testing.T, rec *Recorder, logs map[int][]offerLog) {
	t.Helper()
	total := 0
	for seat, ls := range logs {
		if seat < 0 {
			continue
		}
		total += len(ls)
		if seat >= len(rec.Series) {
			t.Fatalf("seat %d made %d offers; the recorder has %d series", seat, len(ls), len(rec.Series))
		}
		s := &rec.Series[seat]
		if s.Count != len(ls) || len(s.Points) != len(ls) || s.Stride != 1 {
			t.Fatalf("seat %d: %d offers, recorder counts %d and keeps %d (stride %d)", seat, len(ls), s.Count, len(s.Points), s.Stride)
		}
		for i, l := range ls {
			pt := s.Points[i]
			if pt.Round != l.round || pt.T != l.t || pt.To != l.to {
				t.Errorf("seat %d offer %d: round %d t %v to %d, want %d %v %d", seat, i, pt.Round, pt.T, pt.To, l.round, l.t, l.to)
			}
			for k, u := range l.utils {
				if pt.Utilities[k] != u {
					t.Errorf("seat %d offer %d: utility to seat %d %v, SeatUtility %v", seat, i, k, pt.Utilities[k], u)
				}
			}
		}
	}
	if total == 0 {
		t.Fatal("the session made no offers")
	}
	if got := len(logs[-1]); len(rec.Agreements) != got {
		t.Errorf("%d agreements recorded, %d agreement events", len(rec.Agreements), got)
	}
}

// TestRecorderLaptop records Boulware against Conceder on Laptop (agreement
// in round 9, TestBoulwareConceder).
func TestRecorderLaptop(t *testing.T) {
	cfg := Config{Scenario: loadDomain(t, "ANAC2011_Laptop"), Negotiators: []string{"boulware", "conceder"}, Deadline: protocol.Deadline{Rounds: 100}}
	r, rec, logs := recordSession(t, cfg)
	checkSeries(t, rec, logs)
	res := r.Result()
	if !res.Agreed || len(rec.Agreements) != 1 {
		t.Fatalf("agreed %v, %d agreements recorded", res.Agreed, len(rec.Agreements))
	}
	a := rec.Agreements[0]
	if a.Round != res.Round || a.T != res.Time {
		t.Errorf("agreement at round %d t %v, result %d %v", a.Round, a.T, res.Round, res.Time)
	}
	for s, pr := range res.Parties {
		if a.Utilities[s] != pr.Utility {
			t.Errorf("agreement utility of %s %v, result %v", pr.ID, a.Utilities[s], pr.Utility)
		}
	}

	// The frontier a figure draws is the one the result measures its
	// distance to.
	f := r.Prepared().Frontier()
	us := []float64{res.Parties[0].Utility, res.Parties[1].Utility}
	if f == nil || res.DistanceToPareto == nil || analysis.DistanceToFrontier(us, f) != *res.DistanceToPareto {
		t.Errorf("Frontier() %v does not give the result's distance %v", f != nil, res.DistanceToPareto)
	}
	// The same session records the same offers.
	_, rec2, _ := recordSession(t, cfg)
	if !sameRecording(rec, rec2) {
		t.Error("two recordings of the same session differ")
	}
}

// sameRecording compares two recordings field by field.
func sameRecording(a, b *Recorder) bool {
	same := func(p, q OfferPoint) bool {
		if p.Round != q.Round || p.T != q.T || p.Phase != q.Phase || p.To != q.To || len(p.Utilities) != len(q.Utilities) {
			return false
		}
		for i := range p.Utilities {
			if p.Utilities[i] != q.Utilities[i] {
				return false
			}
		}
		return true
	}
	if len(a.Series) != len(b.Series) || len(a.Agreements) != len(b.Agreements) || len(a.PhaseStarts) != len(b.PhaseStarts) {
		return false
	}
	for i := range a.Series {
		x, y := &a.Series[i], &b.Series[i]
		if x.Seat != y.Seat || x.Count != y.Count || x.Stride != y.Stride || len(x.Points) != len(y.Points) || (x.Count > 0 && !same(x.Last, y.Last)) {
			return false
		}
		for k := range x.Points {
			if !same(x.Points[k], y.Points[k]) {
				return false
			}
		}
	}
	for i := range a.Agreements {
		if !same(a.Agreements[i], b.Agreements[i]) {
			return false
		}
	}
	for i := range a.PhaseStarts {
		if a.PhaseStarts[i] != b.PhaseStarts[i] {
			return false
		}
	}
	return true
}

// TestRecorderFlagshipShuttle records the flagship under shuttle
// diplomacy: two agenda phases agreed, texts across Russia's red line, and
// a deal voided by Ukraine's referendum.
func TestRecorderFlagshipShuttle(t *testing.T) {
	flagship, err := scenario.LoadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Scenario: flagship, Protocol: "shuttle", Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 100}}
	r, rec, logs := recordSession(t, cfg)
	checkSeries(t, rec, logs)
	res := r.Result()
	if res.Status != StatusNotRatified {
		t.Fatalf("status %s, want not_ratified (the golden flagship-run-shuttle.txt)", res.Status)
	}
	if len(rec.Agreements) != 2 || len(rec.PhaseStarts) != 2 || rec.PhaseStarts[0].ID != "truce" || rec.PhaseStarts[1].ID != "settlement" {
		t.Fatalf("agreements %d, phase starts %+v", len(rec.Agreements), rec.PhaseStarts)
	}
	// The last phase's agreement, with every other issue settled, is worth
	// the whole deal by each party's preferences at the end.
	deal := make([]int, r.prep.Space.Issues())
	r.prep.Space.Decode(*res.OutcomeIndex, deal)
	final := rec.Agreements[1]
	for s := range r.prep.Seats {
		if got, want := final.Utilities[s], r.st.cur[s].u.Utility(deal); !near(got, want) {
			t.Errorf("seat %d: agreement drawn at %v, the deal is worth %v", s, got, want)
		}
	}
	// The mediator's texts put to Russia that cross its red line are the
	// crossings the result counts.
	ru := flagship.PartyIndex("ru")
	crossed := 0
	for _, pt := range rec.Series[len(r.prep.Seats)].Points {
		if pt.To == ru && pt.Utilities[ru] == utility.Unacceptable {
			crossed++
		}
	}
	if want := res.RedLines.Crossings["ru"]; crossed != want || want == 0 {
		t.Errorf("%d texts to ru cross its red line; the result counts %d", crossed, want)
	}

}

// TestOfferSeriesThinning: past MaxPlotPoints a series keeps every
// Stride-th offer, evenly spread, and the last.
func TestOfferSeriesThinning(t *testing.T) {
	for _, n := range []int{1, MaxPlotPoints, MaxPlotPoints + 1, 3*MaxPlotPoints + 7, 100_000} {
		var s OfferSeries
		for i := range n {
			s.add(OfferPoint{Round: i, Utilities: []float64{float64(i)}})
		}
		if s.Count != n || len(s.Points) > MaxPlotPoints || len(s.Points) < min(n, MaxPlotPoints/2) {
			t.Fatalf("%d offers: count %d, %d kept", n, s.Count, len(s.Points))
		}
		for k, pt := range s.Points {
			if pt.Round != k*s.Stride || pt.Utilities[0] != float64(pt.Round) {
				t.Fatalf("%d offers: point %d is offer %d (%v), want offer %d", n, k, pt.Round, pt.Utilities[0], k*s.Stride)
			}
		}
		d := s.Drawn()
		if last := d[len(d)-1]; last.Round != n-1 || last.Utilities[0] != float64(n-1) {
			t.Errorf("%d offers: the last drawn is offer %d", n, last.Round)
		}
		if n <= MaxPlotPoints && (s.Stride != 1 || len(d) != n) {
			t.Errorf("%d offers: stride %d, %d drawn; nothing should be thinned", n, s.Stride, len(d))
		}
	}
}

// TestRecorderLongSession: a session of about 10^5 rounds keeps at most
// MaxPlotPoints offers per party (package plot draws it into a bounded
// SVG).
func TestRecorderLongSession(t *testing.T) {
	if testing.Short() {
		t.Skip("long session")
	}
	cfg := Config{Scenario: loadDomain(t, "ANAC2011_Laptop"), Negotiators: []string{"boulware", "boulware"}, Deadline: protocol.Deadline{Rounds: 100_000}}
	var r *Runner
	rec := &Recorder{}
	offers := map[int]int{}
	cfg.OnEvent = func(ev protocol.Event) {
		rec.Observe(r, ev)
		if ev.Type == protocol.EventOffer {
			offers[int(ev.Seat)]++
		}
	}
	var err error
	if r, err = NewRunner(cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(0); err != nil {
		t.Fatal(err)
	}
	for s, n := range offers {
		ser := &rec.Series[s]
		if n < 10*MaxPlotPoints || ser.Count != n || len(ser.Points) > MaxPlotPoints || ser.Stride == 1 {
			t.Errorf("seat %d: %d offers, counted %d, %d kept, stride %d", s, n, ser.Count, len(ser.Points), ser.Stride)
		}
	}
}

// TestRecorderReset: Reset forgets a recording, and Played says when a
// runner has a session to report.
func TestRecorderReset(t *testing.T) {
	cfg := Config{Scenario: loadTestdata(t, "agenda.yaml"), Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}}
	var r *Runner
	rec := &Recorder{}
	cfg.OnEvent = func(ev protocol.Event) { rec.Observe(r, ev) }
	r, err := NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Played() {
		t.Error("Played before Play")
	}
	if _, err := r.Play(0); err != nil {
		t.Fatal(err)
	}
	if !r.Played() || len(rec.Series) == 0 || len(rec.PhaseStarts) == 0 {
		t.Fatalf("played %v, %d series, %d phase starts", r.Played(), len(rec.Series), len(rec.PhaseStarts))
	}
	rec.Reset()
	if len(rec.Series) != 0 || len(rec.Agreements) != 0 || len(rec.PhaseStarts) != 0 {
		t.Error("Reset kept offers")
	}
}
