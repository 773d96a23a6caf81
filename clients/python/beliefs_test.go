package python_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server"
)

// TestServeSendsBeliefs: against parley serve, a Python seat (the buyer of
// session/testdata/bluff-agenda.yaml) reads what it believes of the seller
// from State.beliefs at each phase: the seller's stated red line with the
// probability it is real, and the believed
// type with its reservation value; the line on the extra cannot bind in
// the first phase (it forbids nothing there) and binds in the second.
func TestServeSendsBeliefs(t *testing.T) {
	needPython(t)
	text, err := os.ReadFile("../../session/testdata/bluff-agenda.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := startServe(t)
	c := s.create(t, server.Request{Scenario: string(text), Seats: []string{"linear", "remote"}, Deadline: &server.Deadline{Rounds: 100}, Seed: 1})
	if len(c.Seats) != 1 {
		t.Fatalf("%d open seats, want 1", len(c.Seats))
	}
	cmd := exec.Command("python3", "testdata/beliefs.py", wsLink(c.Seats[0]))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the agent exited with %v: %s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("the agent did not exit: %s", stderr.String())
	}
	st := s.finished(t, c.ID)
	if st.Result == nil || !st.Result.Agreed {
		t.Fatalf("result %+v", st.Result)
	}
	type typ struct {
		ID          string
		Prior       float64
		Reservation *float64
		Real        []float64
		Top         *float64
	}
	type told struct {
		Phase   string
		Beliefs map[string]struct {
			Types       []typ
			RedLines    []string  `json:"red_lines"`
			Real        []float64 `json:"real"`
			CrossesLast []bool    `json:"crosses_last"`
		}
	}
	var phases []told
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var m told
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%v: %q", err, line)
		}
		phases = append(phases, m)
	}
	if len(phases) != 2 || phases[0].Phase != "date" || phases[1].Phase != "deal" {
		t.Fatalf("told %+v, want the phases date and deal", phases)
	}
	for _, p := range phases {
		b, ok := p.Beliefs["seller"]
		if !ok || len(p.Beliefs) != 1 {
			t.Fatalf("phase %s: beliefs %+v, want the seller only", p.Phase, p.Beliefs)
		}
		if len(b.Types) != 1 || b.Types[0].Prior != 1 || b.Types[0].Reservation == nil || *b.Types[0].Reservation != 0.3 || b.Types[0].Top == nil {
			t.Errorf("phase %s: types %+v", p.Phase, b.Types)
		}
		if len(b.RedLines) != 1 || b.RedLines[0] != "no_extra" || len(b.Real) != 1 || b.Real[0] != 1 {
			t.Errorf("phase %s: red lines %v real %v", p.Phase, b.RedLines, b.Real)
		}
	}
	// The last value of every issue: a late date crosses nothing (the
	// line cannot bind in the first phase); a high price with the extra
	// crosses the line.
	if phases[0].Beliefs["seller"].CrossesLast[0] || !phases[1].Beliefs["seller"].CrossesLast[0] {
		t.Errorf("crossing the line with the last values: %v in phase date, %v in phase deal, want false, true",
			phases[0].Beliefs["seller"].CrossesLast, phases[1].Beliefs["seller"].CrossesLast)
	}
}
