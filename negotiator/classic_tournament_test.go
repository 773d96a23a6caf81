package negotiator_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/tournament"
	"github.com/parleyhq/parley/tournament/store"
)

// TestClassicTournament runs examples/tournament-classic.yaml (the
// tournament docs/agents.md reports) and checks that the classic agents
// play sensibly: no session fails, every agent agrees in most of its
// sessions, utilities are utilities, and the tough agents get more than
// the Conceder: HardHeaded and CUHKAgent take more from it than it takes
// from them, and more on average than it does.
func TestClassicTournament(t *testing.T) {
	shared.Dir(t, "domains")
	spec, err := tournament.LoadSpec(filepath.Join("..", "examples", "tournament-classic.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := tournament.NewPlan(spec)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Create(filepath.Join(t.TempDir(), "classic.db"), plan, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := tournament.Run(context.Background(), plan, st, tournament.Options{}); err != nil {
		t.Fatal(err)
	}
	sum, err := tournament.Summarize(st.Canonical, st.Scan)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sessions != plan.Total || sum.Overall.Failed != 0 || len(sum.Failures) > 0 {
		t.Fatalf("%d of %d sessions, %d failed: %+v", sum.Sessions, plan.Total, sum.Overall.Failed, sum.Failures)
	}
	if sum.Overall.Agreement < 0.9 {
		t.Errorf("overall agreement rate %.3f, want at least 0.9", sum.Overall.Agreement)
	}
	mean := map[string]float64{}
	for _, r := range sum.Negotiators {
		mean[r.Name] = r.Utility.Mean
		if r.Agreement < 0.8 {
			t.Errorf("%s agrees in %.1f%% of its sessions, want at least 80%%", r.Name, 100*r.Agreement)
		}
		if r.Utility.Mean <= 0 || r.Utility.Mean > 1 {
			t.Errorf("%s: mean utility %v", r.Name, r.Utility.Mean)
		}
	}
	h2h := map[[2]string]float64{}
	for _, p := range sum.Pairs {
		h2h[[2]string{p.Negotiator, p.Opponent}] = p.Utility.Mean
	}
	for _, tough := range []string{"hardheaded", "cuhkagent"} {
		if mean[tough] <= mean["conceder"] {
			t.Errorf("%s's mean utility %.3f is not above the Conceder's %.3f", tough, mean[tough], mean["conceder"])
		}
		if a, b := h2h[[2]string{tough, "conceder"}], h2h[[2]string{"conceder", tough}]; a <= b {
			t.Errorf("head to head, %s gets %.3f and the Conceder %.3f: it should concede less", tough, a, b)
		}
	}
}
