package league

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
)

func row(t *testing.T, tb *Table, name string) Row {
	t.Helper()
	i := slices.IndexFunc(tb.Rows, func(r Row) bool { return r.Negotiator == name })
	if i < 0 {
		t.Fatalf("no row for %s", name)
	}
	return tb.Rows[i]
}

// TestLeagueTable plays a small league and checks its table against the
// sessions played again one by one, then that a second run resumes from
// the stores without playing anything and gives the same table.
func TestLeagueTable(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{League: "anl2024", Dir: dir, Scenarios: 2, Repetitions: 2, Seed: 5, Workers: 2}
	tb, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Sessions != 2*36*2 || tb.Played != tb.Sessions || len(tb.Rows) != 6 {
		t.Fatalf("sessions %d, played %d, rows %d", tb.Sessions, tb.Played, len(tb.Rows))
	}
	// Each negotiator holds 12 of the 72 seats of a scenario's 36
	// pairings, in each repetition.
	for _, r := range tb.Rows {
		if r.Seats != 2*12*2 {
			t.Errorf("%s held %d seats, want 48", r.Negotiator, r.Seats)
		}
	}
	// The same sessions, played one at a time with session.Run.
	type sums struct{ n, adv, u float64 }
	want := map[string]*sums{}
	for k := range cfg.Scenarios {
		g := Generate(cfg.Seed, k)
		spec, err := tournament.LoadSpec(filepath.Join(dir, "specs", g.Scenario.Name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		plan, err := tournament.NewPlan(spec)
		if err != nil {
			t.Fatal(err)
		}
		prep, err := plan.Scenarios[0].Prepared()
		if err != nil {
			t.Fatal(err)
		}
		for i := range plan.Total {
			ss := plan.Session(i)
			assign := plan.Assignment(0, ss.Assignment, nil)
			names := make([]string, len(assign))
			for s, a := range assign {
				names[s] = plan.Spec.Negotiators[a]
			}
			res, err := session.Run(session.Config{Prepared: prep, Negotiators: names, Deadline: protocol.Deadline{Rounds: g.Steps}, Seed: ss.Seed})
			if err != nil {
				t.Fatal(err)
			}
			for s, name := range names {
				u := res.Parties[s].Utility
				rv := g.Scenario.Parties[s].Prefs.Reservation
				top, _ := prep.Utilities[s].Max()
				if want[name] == nil {
					want[name] = &sums{}
				}
				want[name].n++
				want[name].adv += (u - rv) / (top - rv)
				want[name].u += u
			}
		}
	}
	for name, w := range want {
		r := row(t, tb, name)
		if math.Abs(r.Advantage-w.adv/w.n) > 1e-12 || math.Abs(r.Utility-w.u/w.n) > 1e-12 {
			t.Errorf("%s: advantage %v, utility %v; played alone %v, %v", name, r.Advantage, r.Utility, w.adv/w.n, w.u/w.n)
		}
	}
	again, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.Played != 0 || !slices.Equal(again.Rows, tb.Rows) {
		t.Errorf("the second run played %d sessions; rows %v, then %v", again.Played, tb.Rows, again.Rows)
	}
	// Another seed in the same folder is refused: its scenarios differ.
	cfg.Seed = 6
	if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "holds another league (league: anl2024 seed: 5") {
		t.Errorf("another seed in the same folder: %v", err)
	}
	var b strings.Builder
	if err := tb.WriteText(&b); err != nil || !strings.Contains(b.String(), "ANL 2024 league, seed 5: 2 scenarios") {
		t.Errorf("text: %v\n%s", err, b.String())
	}
}

// TestANL2026Concealment: the strategies that know their opponent's
// utility function (public in ANL) score concealment 1, those without a
// model 0.5, and the frequency model more than a uniform one.
func TestANL2026Concealment(t *testing.T) {
	negs := []string{"rvfitter", "nashseeker", "boulware", "frequency"}
	tb, err := Run(context.Background(), Config{League: "anl2026", Dir: t.TempDir(), Scenarios: 2, Repetitions: 1, Seed: 1, Workers: 2, Negotiators: negs})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"rvfitter", "nashseeker"} {
		if r := row(t, tb, name); r.Concealment == nil || *r.Concealment != 1 || r.Modelled != r.Seats || r.Score != r.Advantage+1 {
			t.Errorf("%s: concealment %v over %d of %d seats, score %v", name, r.Concealment, r.Modelled, r.Seats, r.Score)
		}
	}
	if r := row(t, tb, "boulware"); *r.Concealment != 0.5 || r.Modelled != 0 {
		t.Errorf("boulware, without a model: concealment %v, modelled %d", *r.Concealment, r.Modelled)
	}
	if r := row(t, tb, "frequency"); *r.Concealment <= 0.55 || *r.Concealment >= 1 {
		t.Errorf("frequency model: concealment %v, want between a uniform model's 0.5 and 1", *r.Concealment)
	}
}

// TestPublicUtilitiesOnly: the strategies that use the others' utility
// functions are refused where the scenario keeps them private, and a seat
// sees the others' functions without their reservation values.
func TestPublicUtilitiesOnly(t *testing.T) {
	g := Generate(2, 0)
	s := g.Scenario
	var seen *negotiator.Setup
	spy := func() negotiator.Negotiator {
		return &spyNeg{Negotiator: negotiator.NewTimeDependent(1, 0), setup: &seen}
	}
	_, err := session.Run(session.Config{Scenario: s, Negotiators: []string{"spy", "boulware"}, Custom: map[string]func() negotiator.Negotiator{"spy": spy}, Deadline: protocol.Deadline{Rounds: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if seen == nil || len(seen.Others) != 2 || seen.Others[0] != nil || seen.Others[1] == nil {
		t.Fatalf("public scenario: Others %v", seen.Others)
	}
	if rv := seen.Others[1].Func().Reservation; rv != 0 || s.Parties[1].Prefs.Reservation == 0 {
		t.Errorf("the other's reservation value shows through: %v", rv)
	}
	if !slices.EqualFunc(seen.Others[1].Func().Table, s.Utility(1).Table, slices.Equal) {
		t.Error("the public utility function is not the other party's")
	}
	s.PublicUtilities = false
	if _, err := session.Run(session.Config{Scenario: s, Negotiators: []string{"spy", "boulware"}, Custom: map[string]func() negotiator.Negotiator{"spy": spy}, Deadline: protocol.Deadline{Rounds: 10}}); err != nil || seen.Others != nil {
		t.Errorf("private scenario: %v, Others %v", err, seen.Others)
	}
	_, err = session.Run(session.Config{Scenario: s, Negotiators: []string{"rvfitter", "nashseeker"}, Deadline: protocol.Deadline{Rounds: 10}})
	for _, want := range []string{"rvfitter uses the other parties' utility functions", "nashseeker uses"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("private scenario: %v, want %q", err, want)
		}
	}
}

type spyNeg struct {
	negotiator.Negotiator
	setup **negotiator.Setup
}

func (s *spyNeg) Reset(st *negotiator.Setup) {
	*s.setup = st
	s.Negotiator.Reset(st)
}

// TestANLStrategiesRandom: RVFitter and NashSeeker declare Random, so
// sessions that differ only in their seed must be able to differ (the
// session package checks the other strategies on a private scenario).
func TestANLStrategiesRandom(t *testing.T) {
	s := Generate(4, 0).Scenario
	for _, name := range []string{"rvfitter", "nashseeker"} {
		sp, err := negotiator.Parse(name)
		if err != nil || !sp.Info.Random || !sp.Info.Public {
			t.Fatalf("%s: %v, %+v", name, err, sp.Info)
		}
		var offers []uint64
		r, err := session.NewRunner(session.Config{Scenario: s, Negotiators: []string{name, "boulware"}, Deadline: protocol.Deadline{Rounds: 200},
			OnEvent: func(e protocol.Event) {
				if e.Type == protocol.EventOffer && e.Seat == 0 {
					offers = append(offers, e.Outcome)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		plays := map[string]bool{}
		for seed := range uint64(9) {
			offers = offers[:0]
			if _, err := r.Play(seed); err != nil {
				t.Fatal(err)
			}
			plays[fmt.Sprint(offers)] = true
		}
		if len(plays) < 2 {
			t.Errorf("%s played the same session under 9 seeds", name)
		}
	}
}
