package seat_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/session"
)

// duo: a believes b weighs x at 0.8 (it weighs it 0.3719) and that its
// reservation value lies in [0.2, 0.4]; b states a red line it does not
// hold (a bluff) and holds c's stated one real at 0.6 without a belief
// about c's preferences. The agenda settles x, then y.
const duo = `parley: 1
name: Duo
issues:
  - id: x
    options: [{id: x1}, {id: x2}, {id: x3}]
  - id: y
    options: [{id: y1}, {id: y2}]
agenda:
  - {id: first, issues: [x]}
  - {id: second, issues: [y], after: [first]}
parties:
  - id: a
    reservation: 0.25
    weights: {x: 0.75, y: 0.25}
    values:
      x: {x1: 1, x2: 0.5, x3: 0}
      y: {y1: 0, y2: 1}
  - id: b
    reservation: 0.3141592
    weights: {x: 0.3719, y: 0.6281}
    values:
      x: {x1: 0.1357, x2: 0.9753, x3: 0.4681}
      y: {y1: 0.8642, y2: 0.2468}
    red_lines:
      - {id: no_y1, forbid: {y: [y1]}, bluff: true}
  - id: c
    reservation: 0.2718281
    weights: {x: 0.4142, y: 0.5858}
    values:
      x: {x1: 0.7321, x2: 0.2361, x3: 0.6458}
      y: {y1: 0.5772, y2: 0.3989}
    red_lines:
      - {id: no_x3, forbid: {x: [x3]}, credibility: 0.6}
beliefs:
  - holder: a
    about: b
    reservation_range: {low: 0.2, high: 0.4}
    weights: {x: 0.8, y: 0.2}
    red_lines: {no_y1: 0.9}
`

// TestSeatGetsItsBeliefs: a remote seat's settings carry what it believes
// of the others, phase by phase (the types' utilities projected as its
// own are, a line that cannot bind yet forbidding nothing), and nothing
// of their true preferences: not b's weights, values, products of them
// or reservation value, not whether b's red line is a bluff, and nothing
// of c's preferences, of which a states no belief.
func TestSeatGetsItsBeliefs(t *testing.T) {
	sc, err := scenario.Parse([]byte(duo), "duo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, p := range []int{1, 2} {
		u := sc.Utility(p)
		secrets = append(secrets, ftoa(u.Reservation))
		for i := range u.Table {
			secrets = append(secrets, ftoa(u.Weights[i]))
			for v := range u.Table[i] {
				secrets = append(secrets, ftoa(u.Table[i][v]))
			}
		}
	}
	secrets = append(secrets, "bluff", `"real":true`)
	var mu sync.Mutex
	var settings []seat.Settings
	var raw strings.Builder
	var wg sync.WaitGroup
	outside := func(spec string, _ int) (session.Outside, bool, error) {
		if spec != "watched" {
			return nil, false, nil
		}
		conn, end := seat.Pipe()
		sp, _ := negotiator.Parse("conceder")
		wg.Add(1)
		go func() {
			defer wg.Done()
			(&client.Player{New: sp.New, OnMessage: func(typ string, m []byte) {
				mu.Lock()
				defer mu.Unlock()
				raw.Write(m)
				if typ == seat.TypeSettings {
					var s seat.Settings
					if err := json.Unmarshal(m, &s); err != nil {
						t.Error(err)
					}
					settings = append(settings, s)
				}
			}}).Play(pipeLink{end})
		}()
		return seat.NewRemote(conn, seat.Options{}), true, nil
	}
	r, err := session.NewRunner(session.Config{Scenario: sc, Negotiators: []string{"watched", "linear", "linear"},
		Deadline: protocol.Deadline{Rounds: 60}, Outside: outside})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(1); err != nil {
		t.Fatal(err)
	}
	r.Close()
	wg.Wait()
	if len(settings) != 2 {
		t.Fatalf("%d settings messages, want one per phase", len(settings))
	}
	for ph, s := range settings {
		if len(s.Beliefs) != 2 || s.Beliefs[0].About != "b" || s.Beliefs[1].About != "c" {
			t.Fatalf("phase %d: beliefs %+v", ph, s.Beliefs)
		}
		b, c := s.Beliefs[0], s.Beliefs[1]
		if len(b.Types) != 1 || b.Types[0].Prior != 1 || b.Types[0].ReservationRange == nil ||
			*b.Types[0].ReservationRange != (seat.Range{Low: 0.2, High: 0.4}) || len(b.Types[0].Real) != 1 || b.Types[0].Real[0] != 0.9 {
			t.Errorf("phase %d: belief about b %+v", ph, b)
		}
		if len(c.Types) != 1 || c.Types[0].Utility != nil || c.Types[0].Reservation != nil || len(c.Types[0].Real) != 1 || c.Types[0].Real[0] != 0.6 {
			t.Errorf("phase %d: belief about c %+v", ph, c)
		}
		if len(b.RedLines) != 1 || b.RedLines[0].ID != "no_y1" || len(c.RedLines) != 1 || c.RedLines[0].ID != "no_x3" {
			t.Errorf("phase %d: stated red lines %+v, %+v", ph, b.RedLines, c.RedLines)
		}
	}
	// Phase 1 is on x: the believed utility of x is 0.8 × b's values, with
	// y at its mean 0.2 × 0.5555 folded into the first row; b's line on y
	// cannot bind yet (it forbids nothing) and c's on x does.
	first, second := settings[0].Beliefs, settings[1].Beliefs
	if js, err := json.Marshal(second); err == nil {
		t.Logf("phase 2 beliefs: %s", js)
	}
	ux := first[0].Types[0].Utility["x"]
	if len(ux) != 3 || first[0].Types[0].Utility["y"] != nil || !near(ux[1]-ux[0], 0.8*(0.9753-0.1357)) {
		t.Errorf("phase 1: believed utility of b %v", first[0].Types[0].Utility)
	}
	if f := first[0].RedLines[0].Forbid; len(f["x"]) != 0 {
		t.Errorf("phase 1: b's line on y forbids %v, want nothing", f)
	}
	if f := first[1].RedLines[0].Forbid; len(f["x"]) != 1 || f["x"][0] != "x3" {
		t.Errorf("phase 1: c's line forbids %v, want x3", f)
	}
	uy := second[0].Types[0].Utility["y"]
	if len(uy) != 2 || second[0].Types[0].Utility["x"] != nil || !near(uy[0]-uy[1], 0.2*(0.8642-0.2468)) {
		t.Errorf("phase 2: believed utility of b %v", second[0].Types[0].Utility)
	}
	if f := second[0].RedLines[0].Forbid; len(f["y"]) != 1 || f["y"][0] != "y1" {
		t.Errorf("phase 2: b's line forbids %v, want y1", f)
	}
	got := raw.String()
	for _, s := range secrets {
		if strings.Contains(got, s) {
			i := strings.Index(got, s)
			t.Errorf("seat a was sent %s, of another party's truth: …%s…", s, got[max(0, i-80):min(len(got), i+40)])
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }
