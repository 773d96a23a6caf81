package session

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario/deliberation"
)

// TestDecisionRuleSessions plays the LLM-Deliberation base game (5 of 6
// parties must accept, SportCo and DoT among them) under the voting
// protocols: every agreement passes the game's rule, some leave a party
// below its threshold (the rule, not unanimity, decided them), sessions
// allocate nothing, and SAOP and shuttle are refused.
func TestDecisionRuleSessions(t *testing.T) {
	dir := filepath.Join(shared.Dir(t, "llm-deliberation"), "games_descriptions", "base")
	sc, err := deliberation.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := analysis.Analyze(sc, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	prep, err := Prepare(sc)
	if err != nil {
		t.Fatal(err)
	}
	notUnanimous := 0
	for _, c := range []struct {
		proto, mediator string
		negs            []string
	}{
		{"amop", "", []string{"conceder"}},
		{"amop", "", []string{"linear"}},
		{"amop-majority", "", []string{"boulware"}},
		{"mediated", "broker", []string{"conceder"}},
	} {
		cfg := Config{Prepared: prep, Protocol: c.proto, Mediator: c.mediator, Negotiators: c.negs, Deadline: protocol.Deadline{Rounds: 100}}
		r, err := NewRunner(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(0); seed < 3; seed++ {
			res, err := r.Play(seed)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Agreed {
				continue
			}
			o := make([]int, len(sc.Issues))
			prep.Space.Decode(res.Outcome, o)
			v := rep.Judge(o)
			if !v.Passes && c.proto != "amop-majority" {
				t.Errorf("%s %v seed %d: agreement %v fails the rule: %+v", c.proto, c.negs, seed, o, v)
			}
			if !v.Unanimous {
				notUnanimous++
			}
		}
		if allocs := allocsPerSession(t, cfg); allocs != 0 {
			t.Errorf("%s %v: %v allocations per session", c.proto, c.negs, allocs)
		}
	}
	if notUnanimous == 0 {
		t.Error("every agreement was unanimous: the rule never decided one")
	}
	for _, p := range []string{"saop", "shuttle"} {
		_, err := NewRunner(Config{Prepared: prep, Protocol: p, Mediator: "broker", Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 10}})
		if err == nil || !strings.Contains(err.Error(), "protocol "+p+" agrees only unanimously; use amop, amop-majority, mediated") {
			t.Errorf("%s: %v", p, err)
		}
	}
}
