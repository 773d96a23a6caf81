package seat_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/session"
)

// sessionsConn is a Conn that carries many sessions (seat.Sessions): it
// records what it is sent, and refuses a session when gone is set.
type sessionsConn struct {
	seat.Conn
	begun int
	gone  error
	sent  []string
}

func (c *sessionsConn) BeginSession() error { c.begun++; return c.gone }
func (c *sessionsConn) Close() error        { return nil } // a hold, let go
func (c *sessionsConn) Send(m []byte) error {
	var h struct{ Type string }
	json.Unmarshal(m, &h)
	c.sent = append(c.sent, h.Type)
	return c.Conn.Send(m)
}

// TestSessionsConn: Remote tells a Conn that carries many sessions where
// each begins, before its settings; when the Conn refuses a session (its
// client is gone), the seat fails that session with the Conn's cause and
// is sent nothing of it, not even how it ended; a dial that fails with a
// transport's error fails it with that error's cause.
func TestSessionsConn(t *testing.T) {
	sc := laptop(t)
	conn, end := seat.Pipe()
	sp, _ := negotiator.Parse("frequency")
	go (&client.Player{New: sp.New}).Play(pipeLink{end})
	c := &sessionsConn{Conn: conn, gone: &seat.ConnError{Cause: session.CauseDisconnect, Message: "its client went away"}}
	dials := 0
	var dialErr error
	r := seat.NewRemote(nil, seat.Options{Dial: func() (seat.Conn, error) {
		dials++
		if dialErr != nil {
			return nil, dialErr
		}
		return c, nil
	}})
	runner, err := session.NewRunner(session.Config{Scenario: sc, Negotiators: []string{"remote:x", "boulware"}, Deadline: protocol.Deadline{Rounds: 10},
		Outside: func(spec string, _ int) (session.Outside, bool, error) {
			if spec != "remote:x" {
				return nil, false, nil
			}
			return r, true, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runner.Play(1); err != nil {
		t.Fatal(err)
	}
	res := runner.Result()
	if f := res.Failure; f == nil || f.Cause != session.CauseDisconnect || f.Message != "its client went away" {
		t.Fatalf("failure %+v", res.Failure)
	}
	if c.begun != 1 || len(c.sent) != 0 {
		t.Errorf("begun %d times, sent %v", c.begun, c.sent)
	}
	// The failed hold was closed: the next session dials again, and
	// plays from its settings.
	c.gone = nil
	dialErr = nil
	if _, err := runner.Play(2); err != nil {
		t.Fatal(err)
	}
	if dials != 2 || c.begun != 2 || len(c.sent) == 0 || c.sent[0] != seat.TypeSettings || c.sent[len(c.sent)-1] != seat.TypeFinished {
		t.Errorf("%d dials, begun %d times, sent %v", dials, c.begun, c.sent)
	}
	if res := runner.Result(); res.Failure != nil || res.Steps < 2 {
		t.Errorf("the second session: %+v after %d steps", res.Failure, res.Steps)
	}
	// A dial that fails as a transport says.
	r.Close()
	dialErr = &seat.ConnError{Cause: session.CauseDisconnect, Message: "no agent"}
	runner.Play(3)
	if f := runner.Result().Failure; f == nil || f.Cause != session.CauseDisconnect || f.Message != "no agent" {
		t.Errorf("failure %+v", f)
	}
	dialErr = errors.New("cannot start x")
	runner.Play(4)
	if f := runner.Result().Failure; f == nil || f.Cause != session.CauseCrash || !strings.Contains(f.Message, "cannot start x") {
		t.Errorf("failure %+v", f)
	}
}
