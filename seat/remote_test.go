package seat_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/session"
)

func load(t *testing.T, path string) *scenario.Scenario {
	t.Helper()
	sc, err := open.Path(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func laptop(t *testing.T) *scenario.Scenario {
	p, ok := shared.Path("domains", "ANAC2011_Laptop")
	if !ok {
		t.Skip("../shared/domains is absent")
	}
	return load(t, p)
}

// tenIssues is ANAC 2014's non-linear domain: utilities made of terms,
// which the seat protocol carries.
func tenIssues(t *testing.T) *scenario.Scenario {
	p, ok := shared.Path("domains", "ANAC2014_10issues")
	if !ok {
		t.Skip("../shared/domains is absent")
	}
	return load(t, p)
}

// pipeLink is a client.Link over a seat.PipeEnd.
type pipeLink struct{ end *seat.PipeEnd }

func (l pipeLink) Read() ([]byte, error) {
	m, ok := <-l.end.In
	if !ok {
		return nil, ioEOF
	}
	return m, nil
}
func (l pipeLink) Write(m []byte) error { l.end.Write(m); return nil }

// remotes makes every spec "remote:NAME" an outside seat played through a
// pipe by the Go client running the built-in NAME.
type remotes struct {
	wg    sync.WaitGroup
	errs  []error
	mu    sync.Mutex
	turns int // your_turn messages the clients answered
}

func (rs *remotes) factory(opts seat.Options) func(spec string, s int) (session.Outside, bool, error) {
	return func(spec string, s int) (session.Outside, bool, error) {
		name, ok := strings.CutPrefix(spec, "remote:")
		if !ok {
			return nil, false, nil
		}
		sp, err := negotiator.Parse(name)
		if err != nil {
			return nil, true, err
		}
		conn, end := seat.Pipe()
		p := &client.Player{New: sp.New, OnMessage: func(typ string, _ []byte) {
			if typ == seat.TypeYourTurn {
				rs.mu.Lock()
				rs.turns++
				rs.mu.Unlock()
			}
		}}
		rs.wg.Add(1)
		go func() {
			defer rs.wg.Done()
			if err := p.Play(pipeLink{end}); err != nil {
				rs.mu.Lock()
				rs.errs = append(rs.errs, err)
				rs.mu.Unlock()
			}
		}()
		return seat.NewRemote(conn, opts), true, nil
	}
}

// TestRemoteBuiltinPlaysAlike: a built-in strategy played from outside,
// through the seat protocol and the Go client, plays the same sessions as
// when it sits at the table: same trace, byte for byte, under every
// protocol, on a Genius domain, on a non-linear one (utility terms) and on
// the flagship (agenda, events, red lines, delay costs, a mediator party).
func TestRemoteBuiltinPlaysAlike(t *testing.T) {
	flagship := load(t, filepath.Join("..", "examples", "ukraine-2025.yaml"))
	cases := []struct {
		name     string
		sc       *scenario.Scenario
		proto    string
		mediator string
		negs     []string
	}{
		{"laptop saop", laptop(t), "saop", "", []string{"boulware", "frequency"}},
		{"laptop amop", laptop(t), "amop", "", []string{"micro", "random"}},
		{"laptop mediated", laptop(t), "mediated", "hillclimb", []string{"conceder", "titfortat"}},
		{"10issues saop (terms)", tenIssues(t), "saop", "", []string{"boulware", "frequency"}},
		{"flagship shuttle", flagship, "shuttle", "broker", []string{"boulware", "conceder", "linear"}},
		{"flagship saop", flagship, "saop", "", []string{"linear", "conceder", "frequency"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for seed := range uint64(3) {
				var want bytes.Buffer
				cfg := session.Config{Scenario: c.sc, Protocol: c.proto, Mediator: c.mediator, Negotiators: c.negs,
					Deadline: protocol.Deadline{Rounds: 40}, Seed: seed, Trace: &want}
				wantRes, err := session.Run(cfg)
				if err != nil {
					t.Fatal(err)
				}
				// Every seat, mediator included, from outside.
				rs := &remotes{}
				var got bytes.Buffer
				cfg.Trace = &got
				cfg.Outside = rs.factory(seat.Options{})
				cfg.Negotiators = nil
				for _, n := range c.negs {
					cfg.Negotiators = append(cfg.Negotiators, "remote:"+n)
				}
				if c.mediator != "" {
					cfg.Mediator = "remote:" + c.mediator
				}
				r, err := session.NewRunner(cfg)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := r.Play(seed); err != nil {
					t.Fatal(err)
				}
				res := r.Result()
				r.Close()
				rs.wg.Wait()
				for _, err := range rs.errs {
					t.Error(err)
				}
				if res.Failure != nil {
					t.Fatalf("seed %d: %v", seed, res.Failure)
				}
				if rs.turns != res.Steps || res.Steps == 0 {
					t.Errorf("seed %d: the clients answered %d turns of %d steps", seed, rs.turns, res.Steps)
				}
				g := strings.ReplaceAll(got.String(), "remote:", "")
				if g != want.String() {
					t.Fatalf("seed %d: traces differ\nbuilt-in:\n%s\nremote:\n%s", seed, head(want.String()), head(g))
				}
				if res.Status != wantRes.Status || res.Round != wantRes.Round {
					t.Errorf("seed %d: %s in round %d, built-in %s in round %d", seed, res.Status, res.Round, wantRes.Status, wantRes.Round)
				}
			}
		})
	}
}

func head(s string) string {
	ls := strings.SplitN(s, "\n", 30)
	return strings.Join(ls[:min(len(ls), 29)], "\n")
}
