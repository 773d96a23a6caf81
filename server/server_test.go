package server

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// TestPlaysAlike: the Go client playing a built-in strategy against
// boulware on Laptop (SAOP) from outside the server, over WebSocket and
// over long-poll, plays the same sessions as the strategy in-process and
// as an agent process on stdio: results identical for each seed (random
// draws its offers from the seat's seeded source).
func TestPlaysAlike(t *testing.T) {
	text := laptop(t)
	ts := serve(t, newDB(t), "", Config{})
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		seed uint64
	}{{"conceder", 0}, {"frequency", 1}, {"random", 0}, {"random", 2}, {"micro", 1}} {
		name, seed := c.name, c.seed
		t.Setenv(agentEnv, name)
		cfg := session.Config{Scenario: parsed(t, text), Negotiators: []string{name, "boulware"}, Deadline: protocol.Deadline{Rounds: 40}, Seed: seed}
		want, err := session.Run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if want.Steps < 5 {
			t.Fatalf("seed %d: only %d steps: a poor comparison", seed, want.Steps)
		}
		// The stdio transport: the same strategy in an agent process.
		l := &seat.Launcher{Options: seat.Options{ActionTimeout: 10 * time.Second}}
		cfg.Negotiators = []string{seat.CmdPrefix + exe, "boulware"}
		cfg.Outside = l.Outside
		stdio, err := session.Run(cfg)
		l.Close()
		if err != nil {
			t.Fatal(err)
		}
		if a, b, ok := same(stdio, want); !ok {
			t.Fatalf("seed %d: stdio\n%s\nin-process\n%s", seed, a, b)
		}
		for _, transport := range []string{"ws", "poll"} {
			c := ts.create(t, Request{Scenario: text, Seats: []string{Remote, "boulware"}, Deadline: &Deadline{Rounds: 40}, Seed: seed})
			s := c.Seats[0]
			if s.Party != "laptop_buyer_utility" || s.Seat != 0 || len(c.Seats) != 1 {
				t.Fatalf("seats %+v", c.Seats)
			}
			var link interface {
				Read() ([]byte, error)
				Write([]byte) error
			}
			if transport == "ws" {
				wl, err := DialWebSocket(context.Background(), s.WS)
				if err != nil {
					t.Fatal(err)
				}
				defer wl.Close()
				link = wl
			} else {
				link = &PollLink{Messages: s.Messages, Action: s.Action, Wait: 5 * time.Second}
			}
			if err := play(name, link); err != nil {
				t.Fatalf("seed %d, %s: %v", seed, transport, err)
			}
			got := ts.result(t, c.ID)
			if a, b, ok := same(got, want); !ok {
				t.Fatalf("seed %d: %s\n%s\nin-process\n%s", seed, transport, a, b)
			}
			if got.Parties[0].Negotiator != Remote || got.Parties[1].Negotiator != "boulware" {
				t.Errorf("negotiators %+v", got.Parties)
			}
		}
	}
}

// TestCreateProblems: a bad request is refused with every problem listed,
// scenario errors with their line and column, and no file the client
// names is read.
func TestCreateProblems(t *testing.T) {
	ts := serve(t, newDB(t), "", Config{})
	text := laptop(t)
	for _, c := range []struct {
		name string
		body any
		code int
		says []string
	}{
		{"not json", "just words", 400, []string{"not a session request"}},
		{"unknown field", map[string]any{"scenario": text, "seats": []string{"remote", "boulware"}, "sets": 1}, 400, []string{`unknown field "sets"`}},
		{"no scenario", Request{Seats: []string{Remote}}, 400, []string{`give "scenario"`}},
		{"both", Request{Scenario: text, Example: "ukraine-2025", Seats: []string{Remote}}, 400, []string{"not both"}},
		{"bad example", Request{Example: "../go.mod", Seats: []string{Remote}}, 400, []string{"not an example's name", "ukraine-2025"}},
		{"missing example", Request{Example: "nowhere", Seats: []string{Remote}}, 400, []string{`no example "nowhere"`}},
		{"scenario errors", Request{Scenario: "parley: 1\nname: x\nissues:\n  - id: a\n    options: [x, x]\nparties: []\nbogus: 3\n", Seats: []string{Remote}}, 400,
			[]string{"scenario:7:1", `unknown field "bogus"`}},
		{"source file", Request{Scenario: strings.Replace(text, "parley: 1\n", "parley: 1\nsources:\n  - id: secret\n    path: /etc/passwd\n", 1), Seats: []string{Remote, "boulware"}}, 400,
			[]string{"scenario:4:11", "cannot name files", "sources[0].path"}},
		{"seats", Request{Scenario: text, Seats: []string{Remote, "nobody", Remote}}, 400, []string{"give 2 negotiators"}},
		{"cmd seat", Request{Scenario: text, Seats: []string{"cmd:rm -rf /", "boulware"}}, 400, []string{"would run a program on the server"}},
		{"unknown strategy", Request{Scenario: text, Seats: []string{Remote, "bulware"}}, 400, []string{"bulware"}},
		{"clock", Request{Scenario: text, Seats: []string{Remote, "boulware"}, Clock: &Clock{BudgetMS: -1}}, 400, []string{"clock"}},
		{"huge", Request{Scenario: huge, Seats: []string{Remote, "boulware"}}, 400, []string{"the scenario has 1000000000000 outcomes; this server plays scenarios of at most 1000000"}},
		{"protocol", Request{Scenario: text, Seats: []string{Remote, "boulware"}, Protocol: "auction"}, 400, []string{"auction"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var e errorBody
			code := post(t, ts.url+"/api/v1/sessions", c.body, &e)
			all := e.Error
			for _, p := range e.Problems {
				all += "\n" + p.At + " " + p.Field + ": " + p.Message
			}
			if code != c.code {
				t.Fatalf("%d, want %d: %s", code, c.code, all)
			}
			for _, s := range c.says {
				if !strings.Contains(all, s) {
					t.Errorf("the answer does not say %q:\n%s", s, all)
				}
			}
		})
	}
	// A body over the limit is refused without being read whole.
	small := serve(t, newDB(t), "", Config{MaxBody: 1 << 10})
	var e errorBody
	if code := post(t, small.url+"/api/v1/sessions", Request{Scenario: text, Seats: []string{Remote, "boulware"}}, &e); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a large body: %d %s", code, e.Error)
	}
	// An example by name, with its positioned source checks.
	c := ts.create(t, Request{Example: "ukraine-2025", Protocol: "shuttle", Seats: []string{"boulware", "conceder", Remote}})
	var st Status
	getJSON(t, ts.url+"/api/v1/sessions/"+c.ID, &st)
	if st.State != StateWaiting || len(st.Seats) != 4 || !st.Seats[2].Open || st.Seats[2].Joined || st.Seats[3].Negotiator != "broker" || st.Seats[3].Party != "us" {
		t.Errorf("status %+v", st)
	}
}

// huge is a scenario of 10^12 outcomes.
const huge = `parley: 1
name: huge
issues:
  - id: a
    integer: {min: 0, max: 999999}
  - id: b
    integer: {min: 0, max: 999999}
parties:
  - id: p
    weights: {a: 0.5, b: 0.5}
    values: {a: {linear: {offset: 0, slope: 0.000001}}, b: {linear: {offset: 0, slope: 0.000001}}}
  - id: q
    weights: {a: 0.5, b: 0.5}
    values: {a: {linear: {offset: 1, slope: -0.000001}}, b: {linear: {offset: 1, slope: -0.000001}}}
`

// TestMediatorSeat: the flagship (an agenda, events, red lines, a
// mediator party) by its example name, under the shuttle protocol, with
// the mediator's seat played from outside by broker over WebSocket and a
// party's by conceder over long-poll, plays as in-process; a session
// without open seats starts at once.
func TestMediatorSeat(t *testing.T) {
	ts := serve(t, newDB(t), "", Config{})
	path := filepath.Join("..", "examples", "ukraine-2025.yaml")
	sc, err := scenario.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(2) {
		want, err := session.Run(session.Config{Scenario: sc, Protocol: "shuttle", Mediator: "broker", Negotiators: []string{"boulware", "conceder", "linear"},
			Deadline: protocol.Deadline{Rounds: 40}, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		c := ts.create(t, Request{Example: "ukraine-2025", Protocol: "shuttle", Mediator: Remote, Seats: []string{"boulware", Remote, "linear"},
			Deadline: &Deadline{Rounds: 40}, Seed: seed})
		if len(c.Seats) != 2 || c.Seats[0].Party != "ru" || c.Seats[1].Party != "us" || c.Seats[1].Seat != 3 {
			t.Fatalf("seats %+v", c.Seats)
		}
		errs := make(chan error, 2)
		go func() {
			l, err := DialWebSocket(context.Background(), c.Seats[1].WS)
			if err != nil {
				errs <- err
				return
			}
			defer l.Close()
			errs <- play("broker", l)
		}()
		go func() {
			errs <- play("conceder", &PollLink{Messages: c.Seats[0].Messages, Action: c.Seats[0].Action, Wait: 5 * time.Second})
		}()
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		got := ts.result(t, c.ID)
		if a, b, ok := same(got, want); !ok {
			t.Fatalf("seed %d: over the network\n%s\nin-process\n%s", seed, a, b)
		}
	}
	c := ts.create(t, Request{Example: "ukraine-2025", Seats: []string{"boulware", "conceder", "linear"}, Deadline: &Deadline{Rounds: 40}})
	if len(c.Seats) != 0 {
		t.Fatalf("open seats %+v", c.Seats)
	}
	if res := ts.result(t, c.ID); res.Steps == 0 {
		t.Errorf("a session of built-ins did not play: %+v", res)
	}
}
