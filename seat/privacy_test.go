package seat_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/session"
)

// trio is a 3-party scenario whose numbers are easy to spot: b's and c's
// are found nowhere in a's preferences.
const trio = `parley: 1
name: Trio
issues:
  - id: x
    options: [{id: x1}, {id: x2}, {id: x3}]
  - id: y
    options: [{id: y1}, {id: y2}]
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
      - {id: no_x3_y1, forbid: {x: [x3], y: [y1]}}
  - id: c
    reservation: 0.2718281
    weights: {x: 0.4142, y: 0.5858}
    values:
      x: {x1: 0.7321, x2: 0.2361, x3: 0.6458}
      y: {y1: 0.5772, y2: 0.3989}
`

// capture is a seat whose every received byte is kept.
type capture struct {
	mu  sync.Mutex
	got bytes.Buffer
}

// TestSeatSeesOnlyItsOwn: every byte sent to seat a in 3-party sessions,
// under every protocol, holds none of b's and c's weights, values, their
// products or reservation values, and no red line of theirs.
func TestSeatSeesOnlyItsOwn(t *testing.T) {
	sc, err := scenario.Parse([]byte(trio), "trio.yaml")
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
				secrets = append(secrets, ftoa(u.Evals[i][v]), ftoa(u.Table[i][v]))
			}
		}
	}
	secrets = append(secrets, "no_x3_y1")
	for _, proto := range []struct{ name, mediator string }{{"saop", ""}, {"amop", ""}, {"mediated", "hillclimb"}, {"shuttle", "veto"}} {
		cp := &capture{}
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
				(&client.Player{New: sp.New, OnMessage: func(_ string, m []byte) {
					cp.mu.Lock()
					cp.got.Write(m)
					cp.got.WriteByte('\n')
					cp.mu.Unlock()
				}}).Play(pipeLink{end})
			}()
			return seat.NewRemote(conn, seat.Options{}), true, nil
		}
		r, err := session.NewRunner(session.Config{Scenario: sc, Protocol: proto.name, Mediator: proto.mediator,
			Negotiators: []string{"watched", "boulware", "linear"}, Deadline: protocol.Deadline{Rounds: 30}, Outside: outside})
		if err != nil {
			t.Fatal(err)
		}
		for seed := range uint64(5) {
			if _, err := r.Play(seed); err != nil {
				t.Fatal(err)
			}
		}
		r.Close()
		wg.Wait()
		got := cp.got.String()
		if !strings.Contains(got, `"type":"finished"`) || !strings.Contains(got, `"reservation":0.25`) {
			t.Fatalf("%s: the capture lacks the session or a's own preferences:\n%.500s", proto.name, got)
		}
		for _, s := range secrets {
			if strings.Contains(got, s) {
				i := strings.Index(got, s)
				t.Errorf("%s: seat a was sent %s, a number of another party: …%s…", proto.name, s, got[max(0, i-80):min(len(got), i+40)])
			}
		}
		// The result a sees is its own payoff, not the others'.
		for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
			var m map[string]any
			json.Unmarshal([]byte(line), &m)
			if m["type"] == seat.TypeFinished {
				for k := range m {
					if k == "parties" || k == "social_welfare" || k == "mediator_party" {
						t.Errorf("%s: finished carries %s", proto.name, k)
					}
				}
			}
		}
	}
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// scripted is a seat driven by a test: it answers each your_turn (and
// each error) with the next line of answers.
func scripted(t *testing.T, answers []string) (func(string, int) (session.Outside, bool, error), *[]string, *sync.WaitGroup) {
	var got []string
	var wg sync.WaitGroup
	return func(spec string, _ int) (session.Outside, bool, error) {
		if spec != "scripted" {
			return nil, false, nil
		}
		conn, end := seat.Pipe()
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := 0
			for m := range end.In {
				got = append(got, string(m))
				var head struct{ Type string }
				json.Unmarshal(m, &head)
				if (head.Type == seat.TypeYourTurn || head.Type == seat.TypeError) && k < len(answers) {
					end.Write([]byte(answers[k]))
					k++
				}
			}
		}()
		return seat.NewRemote(conn, seat.Options{MaxErrors: 3, ActionTimeout: 2 * time.Second}), true, nil
	}, &got, &wg
}

// TestErrorsNameTheFieldAndGoOn: illegal actions get errors that name the
// field and the legal choices, with the errors left; a corrected action
// then counts, and the session goes on.
func TestErrorsNameTheFieldAndGoOn(t *testing.T) {
	sc, err := scenario.Parse([]byte(trio), "trio.yaml")
	if err != nil {
		t.Fatal(err)
	}
	outside, got, wg := scripted(t, []string{
		`{"type":"offer","outcome":{"x":"x9","y":"y1"}}`,
		`{"type":"offer","outcome":{"x":"x1"}}`,
		`{"type":"offre","outcome":{"x":"x1","y":"y2"}}`,
		`{"type":"offer","outcome":{"x":"x1","y":"y2"},"text":"my best, take it"}`,
		`{"type":"end"}`,
	})
	var trace bytes.Buffer
	r, err := session.NewRunner(session.Config{Scenario: sc, Negotiators: []string{"scripted", "hardliner", "hardliner"},
		Deadline: protocol.Deadline{Rounds: 10}, Outside: outside, Trace: &trace})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(1); err != nil {
		t.Fatal(err)
	}
	res := r.Result()
	r.Close()
	wg.Wait()
	if res.Failure != nil || res.End != "walked out" || res.WalkedOut != "a" {
		t.Fatalf("result %s %s %v", res.End, res.WalkedOut, res.Failure)
	}
	var errs []seat.Error
	for _, m := range *got {
		var e seat.Error
		if json.Unmarshal([]byte(m), &e); e.Type == seat.TypeError {
			errs = append(errs, e)
		}
	}
	want := []seat.Error{
		{Field: "outcome.x", Legal: []string{"x1", "x2", "x3"}, ErrorsLeft: 2},
		{Field: "outcome.y", Legal: []string{"y1", "y2"}, ErrorsLeft: 1},
		{Field: "type", Legal: []string{"offer", "end"}, ErrorsLeft: 0},
	}
	if len(errs) != len(want) {
		t.Fatalf("errors %+v", errs)
	}
	for k, w := range want {
		if errs[k].Field != w.Field || strings.Join(errs[k].Legal, ",") != strings.Join(w.Legal, ",") || errs[k].ErrorsLeft != w.ErrorsLeft {
			t.Errorf("error %d: %+v, want %+v", k, errs[k], w)
		}
	}
	if !strings.Contains(trace.String(), `{"type":"offer","round":1,"t":0.09090909090909091,"party":"a","outcome":3,"values":["x1","y2"],"text":"my best, take it"}`) {
		t.Errorf("the trace lacks the free text:\n%s", trace.String())
	}
}
