package tournament

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/negotiator"
)

// FuzzParseSpec: any input gives a spec or an error, never a panic; a spec
// it accepts is normalised (defaults filled, names canonical, sizes in
// range).
//
//	go test ./tournament -run '^$' -fuzz ParseSpec -fuzztime 60s
func FuzzParseSpec(f *testing.F) {
	examples, _ := filepath.Glob("../examples/tournament-*.yaml")
	for _, e := range examples {
		if b, err := os.ReadFile(e); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"seed: 1\nscenarios: [a]\nnegotiators: [boulware]\n",
		"scenarios: [a, b]\nnegotiators: [boulware, conceder]\nprotocol: mediated\nmediator: hillclimb\ndeadline: {rounds: 10, time: 2s}\nrotation: distinct\nrepetitions: 3\n",
		"scenarios: []\nnegotiators: [veto]\nrepetitions: -1\ndeadline: {time: soon}\n",
		"scenarios: [a]\nnegotiators: ['timedependent:e=0.5']\nanticipate_ratification: true\n",
		"", "{}", "[1, 2]", "scenarios: {a: 1}\n", "seed: -1\n", "negotiators: [boulware, boulware]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpec(data, "f.yaml")
		if err != nil {
			if err.Error() == "" {
				t.Error("an error without a message")
			}
			return
		}
		if len(s.Scenarios) == 0 || len(s.Negotiators) == 0 {
			t.Fatalf("accepted without scenarios or negotiators: %+v", s)
		}
		for _, n := range s.Negotiators {
			sp, err := negotiator.Parse(n)
			if err != nil || sp.String() != n || sp.Info.Role != negotiator.RoleParty {
				t.Fatalf("accepted negotiator %q: %v", n, err)
			}
		}
		if s.Repetitions < 1 || (s.Rotation != RotationAll && s.Rotation != RotationDistinct) || s.Protocol == "" ||
			s.Deadline.Rounds < 0 || s.Deadline.Rounds > MaxRounds || (s.Deadline.Rounds == 0 && s.Deadline.Time == "") {
			t.Fatalf("accepted an unnormalised spec: %+v", s)
		}
	})
}
