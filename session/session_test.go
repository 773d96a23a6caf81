package session

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/protocol"
)

// TestBoulwareConceder documents the agreements of Boulware (party 0)
// against Conceder (party 1) under SAOP with a 100-round deadline.
func TestBoulwareConceder(t *testing.T) {
	for _, c := range []struct {
		domain   string
		round    int
		values   []string
		utils    []float64
		discount []float64
	}{
		// The Nash and maximum-welfare outcome of Laptop; the buyer's
		// utility sums to 1.0000518 and is clamped to 1 (Genius's rule).
		// Both parties discount by 0.42441038^t, t = 9/101.
		{"ANAC2011_Laptop", 9, []string{"HP", "60 Gb", "19'' LCD"}, []float64{1, 0.8151053951696905},
			[]float64{1 * math.Pow(0.42441038, 9.0/101), 0.8151053951696905 * math.Pow(0.42441038, 9.0/101)}},
		// Car: Conceder gives way early; no discounting.
		{"ANAC2011_Car", 35, []string{"fairly good", "good", "fairly good", "good", "good", "good"}, []float64{0.9951, 0.466},
			[]float64{0.9951, 0.466}},
	} {
		t.Run(c.domain, func(t *testing.T) {
			res, err := Run(Config{Scenario: loadDomain(t, c.domain), Negotiators: []string{"boulware", "conceder"},
				Deadline: protocol.Deadline{Rounds: 100}})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Agreed || res.End != "agreement" {
				t.Fatalf("no agreement: %+v", res)
			}
			if got, want := res.Round, c.round; got != want {
				t.Errorf("round %d, want %d", got, want)
			}
			if got, want := res.Time, float64(c.round)/101; got != want {
				t.Errorf("time %v, want %v", got, want)
			}
			for i, v := range res.Outcome {
				if v.Value != c.values[i] {
					t.Errorf("issue %s = %q, want %q", v.Issue, v.Value, c.values[i])
				}
			}
			welfare := 0.0
			for i, p := range res.Parties {
				if math.Abs(p.Utility-c.utils[i]) > 1e-12 {
					t.Errorf("%s utility %v, want %v", p.ID, p.Utility, c.utils[i])
				}
				if math.Abs(p.Discounted-c.discount[i]) > 1e-12 {
					t.Errorf("%s discounted utility %v, want %v", p.ID, p.Discounted, c.discount[i])
				}
				welfare += c.utils[i]
			}
			if math.Abs(res.SocialWelfare-welfare) > 1e-12 {
				t.Errorf("welfare %v, want %v", res.SocialWelfare, welfare)
			}
		})
	}
}

// TestThreeParties runs three-party sessions on Politics and Tram under
// every protocol.
func TestThreeParties(t *testing.T) {
	for _, d := range []string{"ANAC2015_Politics", "ANAC2015_Tram"} {
		prep, err := Prepare(loadDomain(t, d))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ proto, med string }{{"saop", ""}, {"amop", ""}, {"amop-majority", ""}, {"mediated", "hillclimb"}, {"mediated", "veto"}} {
			res, err := Run(Config{Prepared: prep, Protocol: c.proto, Mediator: c.med,
				Negotiators: []string{"boulware", "conceder", "linear"}, Deadline: protocol.Deadline{Rounds: 100}, Seed: 1})
			if err != nil {
				t.Fatalf("%s %s %s: %v", d, c.proto, c.med, err)
			}
			if len(res.Parties) != 3 || res.Steps == 0 {
				t.Fatalf("%s %s: %+v", d, c.proto, res)
			}
			for _, p := range res.Parties {
				if p.Utility < p.Reservation-1e-12 {
					t.Errorf("%s %s %s: %s gets %v below its reservation value %v", d, c.proto, c.med, p.ID, p.Utility, p.Reservation)
				}
			}
			t.Logf("%s %-13s %-9s agreed=%v end=%s round=%d utilities=%.4f %.4f %.4f", d, c.proto, c.med, res.Agreed, res.End, res.Round,
				res.Parties[0].Utility, res.Parties[1].Utility, res.Parties[2].Utility)
		}
	}
}

// TestConfigErrors checks that a bad configuration is refused with a
// message that names what is wrong and what would be right.
func TestConfigErrors(t *testing.T) {
	sc := loadDomain(t, "ANAC2011_Laptop")
	d := protocol.Deadline{Rounds: 10}
	for _, c := range []struct {
		cfg  Config
		want []string
	}{
		{Config{Negotiators: []string{"bolware", "conceder"}, Deadline: d}, []string{`unknown negotiator "bolware"`, `did you mean "boulware"`, "boulware, conceder"}},
		{Config{Negotiators: []string{"boulware", "conceder", "linear"}, Deadline: d}, []string{"2 negotiating parties (laptop_buyer_utility, laptop_seller_utility)", "got 3"}},
		{Config{Negotiators: []string{"boulware", "conceder"}, Protocol: "mediated", Deadline: d}, []string{"protocol mediated needs a mediator", "broker, hillclimb or veto"}},
		{Config{Negotiators: []string{"boulware", "conceder"}, Protocol: "saop", Mediator: "veto", Deadline: d}, []string{"protocol saop has no mediator"}},
		{Config{Negotiators: []string{"boulware", "conceder"}, Protocol: "mediated", Mediator: "conceder", Deadline: d}, []string{"conceder negotiates for a party and cannot mediate", "mediators: broker, hillclimb, veto"}},
		{Config{Negotiators: []string{"hillclimb", "conceder"}, Deadline: d}, []string{"hillclimb is a mediator, not a negotiator"}},
		{Config{Negotiators: []string{"boulware"}, Protocol: "alternating", Deadline: d}, []string{`unknown protocol "alternating"`, "saop, amop, amop-majority, mediated, shuttle"}},
		{Config{Negotiators: []string{"timedependent:f=2"}, Deadline: d}, []string{`has no parameter "f"`, "e (default 1)"}},
		{Config{Negotiators: []string{"boulware"}}, []string{"no deadline"}},
	} {
		c.cfg.Scenario = sc
		_, err := Run(c.cfg)
		if err == nil {
			t.Errorf("%+v: no error", c.cfg)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
	}
}

// TestProtocolPartyCount: a one-party scenario cannot be negotiated, and
// says so by the scenario's rule before any protocol is asked.
func TestProtocolPartyCount(t *testing.T) {
	sc := loadDomain(t, "ANAC2011_Laptop")
	sc.Parties = sc.Parties[:1]
	_, err := Run(Config{Scenario: sc, Negotiators: []string{"boulware"}, Deadline: protocol.Deadline{Rounds: 10}})
	if err == nil || !strings.Contains(err.Error(), "a negotiation needs at least 2 negotiating parties; found 1") {
		t.Fatalf("error %v", err)
	}
}

// TestZeroAllocations: a reused runner plays whole sessions without
// allocating, under every protocol and with every negotiator.
func TestZeroAllocations(t *testing.T) {
	prep, err := Prepare(loadDomain(t, "ANAC2011_Car"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		proto, med string
		negs       []string
	}{
		{"saop", "", []string{"boulware", "conceder"}},
		{"saop", "", []string{"micro", "frequency"}},
		{"saop", "", []string{"random", "titfortat"}},
		{"amop", "", []string{"hardliner", "linear"}},
		{"amop-majority", "", []string{"frequency", "micro"}},
		{"mediated", "hillclimb", []string{"boulware", "conceder"}},
		{"mediated", "veto", []string{"random", "linear"}},
	} {
		allocs := allocsPerSession(t, Config{Prepared: prep, Protocol: c.proto, Mediator: c.med, Negotiators: c.negs, Deadline: protocol.Deadline{Rounds: 100}})
		if allocs != 0 {
			t.Errorf("%s %s %v: %v allocations per session, want 0", c.proto, c.med, c.negs, allocs)
		}
	}
}

// TestTimeDeadline uses an injected clock: each step costs one second of a
// ten-second deadline, so the session is deterministic.
func TestTimeDeadline(t *testing.T) {
	var now int64
	res, err := Run(Config{Scenario: loadDomain(t, "ANAC2011_Laptop"), Negotiators: []string{"hardliner"},
		Deadline: protocol.Deadline{Time: 10e9}, Clock: func() (d time.Duration) { now += 1e9; return time.Duration(now) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Agreed || res.End != "deadline" || res.Steps != 9 || res.Time != 1 {
		t.Fatalf("got %+v", res)
	}
}
