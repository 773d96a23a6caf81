package negotiator_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/genius"
	"github.com/parleyhq/parley/session"
)

// classics are the classic ANAC agents and a few BOA compositions.
var classics = []string{"agentk", "hardheaded", "gahboninho", "cuhkagent", "nicetitfortat", "atlas3", "agentgg",
	"boa:bid=timedependent/e=0.2:model=frequency:accept=combi",
	"boa:model=bayesian:accept=prev/a=1.02",
	"boa:bid=timedependent/e=2:accept=const/c=0.8",
	"boa:accept=time/t=0.9"}

func domain(tb testing.TB, name string) *scenario.Scenario {
	tb.Helper()
	sc, err := genius.LoadDir(filepath.Join(shared.Dir(tb, "domains"), name))
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

// TestClassicZeroAllocations: a reused runner plays whole sessions of the
// classic agents and BOA compositions without allocating, bilateral on
// Car (15,625 outcomes) and with three parties on Tram, as session's
// TestZeroAllocations holds the other built-ins.
func TestClassicZeroAllocations(t *testing.T) {
	car, err := session.Prepare(domain(t, "ANAC2011_Car"))
	if err != nil {
		t.Fatal(err)
	}
	tram, err := session.Prepare(domain(t, "ANAC2015_Tram"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range classics {
		for _, c := range []struct {
			prep  *session.Prepared
			proto string
			negs  []string
		}{
			{car, "saop", []string{n, "boulware"}},
			{car, "saop", []string{"conceder", n}},
			{tram, "saop", []string{n, "linear", n}},
			{car, "amop", []string{n, n}},
		} {
			r, err := session.NewRunner(session.Config{Prepared: c.prep, Protocol: c.proto, Negotiators: c.negs, Deadline: protocol.Deadline{Rounds: 100}})
			if err != nil {
				t.Fatal(err)
			}
			seed := uint64(0)
			if _, err := r.Play(seed); err != nil {
				t.Fatal(err)
			}
			allocs := testing.AllocsPerRun(5, func() {
				seed++
				if _, err := r.Play(seed); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%s %v: %v allocations per session, want 0", c.proto, c.negs, allocs)
			}
		}
	}
}

// TestClassicEveryProtocol: the classic agents and BOA compositions play
// every protocol that seats parties alone, and the mediated ones, without
// an error (an action that does not fit the turn stops a session with
// one), bilateral and with three parties.
func TestClassicEveryProtocol(t *testing.T) {
	grocery, tram := domain(t, "ANAC2011_Grocery"), domain(t, "ANAC2015_Tram")
	for _, n := range classics {
		for _, c := range []struct {
			sc        *scenario.Scenario
			proto, md string
			negs      []string
		}{
			{grocery, "saop", "", []string{n, n}},
			{grocery, "amop", "", []string{n, "conceder"}},
			{grocery, "amop-majority", "", []string{"boulware", n}},
			{grocery, "mediated", "hillclimb", []string{n, n}},
			{grocery, "shuttle", "veto", []string{n, "linear"}},
			{tram, "saop", "", []string{n, "conceder", "boulware"}},
			{tram, "amop", "", []string{n, n, n}},
		} {
			for seed := range uint64(3) {
				res, err := session.Run(session.Config{Scenario: c.sc, Protocol: c.proto, Mediator: c.md, Negotiators: c.negs,
					Deadline: protocol.Deadline{Rounds: 60}, Seed: seed})
				if err != nil {
					t.Fatalf("%s %v seed %d: %v", c.proto, c.negs, seed, err)
				}
				if res.Status == session.StatusFailed || strings.Contains(res.End, "fail") {
					t.Errorf("%s %v seed %d: %+v", c.proto, c.negs, seed, res)
				}
			}
		}
	}
}

// TestClassicRandom: the classic agents that declare Random (they draw
// from the seeded source) play differently under some seed, on Car or
// Camera against a Linear or a Boulware agent, and the others play the
// same session whatever the seed.
func TestClassicRandom(t *testing.T) {
	var preps []*session.Prepared
	for _, d := range []string{"ANAC2011_Car", "ANAC2011_Camera"} {
		p, err := session.Prepare(domain(t, d))
		if err != nil {
			t.Fatal(err)
		}
		preps = append(preps, p)
	}
	for _, n := range classics {
		sp, err := negotiator.Parse(n)
		if err != nil {
			t.Fatal(err)
		}
		differs := false
		for _, p := range preps {
			for _, opp := range []string{"linear", "boulware"} {
				r, err := session.NewRunner(session.Config{Prepared: p, Negotiators: []string{n, opp}, Deadline: protocol.Deadline{Rounds: 200}})
				if err != nil {
					t.Fatal(err)
				}
				play := func(seed uint64) string {
					if _, err := r.Play(seed); err != nil {
						t.Fatal(err)
					}
					res := r.Result()
					res.Seed = 0
					b, err := json.Marshal(res)
					if err != nil {
						t.Fatal(err)
					}
					return string(b)
				}
				base := play(0)
				for seed := uint64(1); seed <= 8 && !differs; seed++ {
					differs = play(seed) != base
				}
			}
		}
		if differs != sp.Info.Random {
			t.Errorf("%s: Random is %v, but under 9 seeds it played differently: %v", n, sp.Info.Random, differs)
		}
	}
}
