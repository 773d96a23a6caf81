package tournament

import (
	"strings"
	"testing"
)

// TestRepetitionsNote: the note appears exactly when nothing in the
// tournament reads the seed.
func TestRepetitionsNote(t *testing.T) {
	const ok = "../scenario/testdata/ok.yaml" // no ratification vote
	for _, c := range []struct {
		spec string
		note bool
	}{
		{"scenarios: [" + ok + "]\nnegotiators: [boulware, conceder, frequency]\nrepetitions: 5\n", true},
		// A referendum with the default uncertainty: its vote is drawn.
		{"scenarios: [" + ok + ", ../session/testdata/referendum.yaml]\nnegotiators: [boulware, conceder]\nrepetitions: 5\n", false},
		{"scenarios: [" + ok + "]\nnegotiators: [boulware, conceder]\nrepetitions: 1\n", false},
		{"scenarios: [" + ok + "]\nnegotiators: [boulware, random]\nrepetitions: 5\n", false},
		{"scenarios: [" + ok + "]\nnegotiators: [boulware, micro]\nrepetitions: 5\n", false},
		{"scenarios: [" + ok + "]\nnegotiators: [linear]\nprotocol: mediated\nmediator: hillclimb\nrepetitions: 5\n", false},
		{"scenarios: [" + ok + "]\nnegotiators: [boulware]\ndeadline: {rounds: 50, time: 1s}\nrepetitions: 5\n", false},
		{"scenarios: [../examples/ukraine-2025.yaml]\nnegotiators: [boulware, conceder]\nrepetitions: 5\n", false},
	} {
		s, err := ParseSpec([]byte(c.spec), "t.yaml")
		if err != nil {
			t.Fatal(err)
		}
		p, err := NewPlan(s)
		if err != nil {
			t.Fatal(err)
		}
		note := p.RepetitionsNote()
		if (note != "") != c.note {
			t.Errorf("%s: note %q, want one: %v", c.spec, note, c.note)
		}
		if c.note && !strings.Contains(note, "the 5 repetitions of each line-up will play the same session") {
			t.Errorf("note %q", note)
		}
	}
}
