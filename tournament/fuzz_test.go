package tournament

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/seat"
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
		"scenarios: [a]\nnegotiators: [boulware, 'cmd:python3 agent.py --e 0.3']\nagents: {concurrency: 4, action_timeout: 2s, seat_budget: 1m, max_errors: 0}\n",
		"scenarios: [a]\nnegotiators: ['cmd:\"unclosed', 'cmd: ']\nagents: {concurrency: -1, action_timeout: soon, max_errors: 1.5}\n",
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
			if IsAgent(n) {
				if _, err := seat.CheckSpec(n); err != nil || n != strings.TrimSpace(n) {
					t.Fatalf("accepted agent %q: %v", n, err)
				}
				continue
			}
			sp, err := negotiator.Parse(n)
			if err != nil || sp.String() != n || sp.Info.Role != negotiator.RoleParty {
				t.Fatalf("accepted negotiator %q: %v", n, err)
			}
		}
		if o := s.SeatOptions(); s.Agents.Concurrency < 0 || o.ActionTimeout < 0 || o.Budget < 0 {
			t.Fatalf("accepted agents settings %+v", s.Agents)
		}
		if s.Repetitions < 1 || (s.Rotation != RotationAll && s.Rotation != RotationDistinct) || s.Protocol == "" ||
			s.Deadline.Rounds < 0 || s.Deadline.Rounds > MaxRounds || (s.Deadline.Rounds == 0 && s.Deadline.Time == "") {
			t.Fatalf("accepted an unnormalised spec: %+v", s)
		}
	})
}
