package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// link is a client's end of a seat on either transport.
type link interface {
	Read() ([]byte, error)
	Write([]byte) error
}

func dial(t *testing.T, ctx context.Context, transport string, s SeatLinks) link {
	t.Helper()
	if transport == "ws" {
		l, err := DialWebSocket(ctx, s.WS)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}
	return &PollLink{Messages: s.Messages, Action: s.Action, Wait: time.Second}
}

// typeOf is a message's type.
func typeOf(m []byte) string {
	var h struct{ Type string }
	json.Unmarshal(m, &h)
	return h.Type
}

const anOffer = `{"type":"offer","outcome":{"Laptop":"HP","Harddisk":"60 Gb","External Monitor":"19'' LCD"}}`

// bigAction is an action of 100 MB, made once, before a client needs it.
var bigAction = sync.OnceValue(func() []byte {
	return append(append([]byte(`{"type":"accept","text":"`), bytes.Repeat([]byte("x"), 100<<20)...), `"}`...)
})

// misbehaviours are clients that do what a seat must not, each on
// either transport. They return when the session is over for them.
var misbehaviours = map[string]func(l link, transport string){
	"hang": func(l link, _ string) { drain(l, nil) },
	"garbage": func(l link, _ string) {
		drain(l, func(typ string) {
			if typ == "your_turn" || typ == "error" {
				l.Write([]byte("I think we should accept this offer."))
			}
		})
	},
	"big": func(l link, _ string) {
		drain(l, func(typ string) {
			if typ == "your_turn" {
				l.Write(bigAction())
			}
		})
	},
	"flood": func(l link, transport string) {
		drain(l, func(typ string) {
			if typ != "settings" {
				return
			}
			if transport == "ws" {
				for range 10000 {
					if l.Write([]byte(anOffer)) != nil {
						return
					}
				}
				return
			}
			// Over HTTP, 10,000 actions a second take requests in
			// parallel (one at a time, each waits for its answer).
			p := l.(*PollLink)
			var wg sync.WaitGroup
			for range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 10000 / 16 {
						resp, err := http.Post(p.Action, "application/json", strings.NewReader(anOffer))
						if err != nil {
							return
						}
						resp.Body.Close()
						if resp.StatusCode != http.StatusAccepted {
							return
						}
					}
				}()
			}
			wg.Wait()
		})
	},
	"otherparty": func(l link, _ string) {
		drain(l, func(typ string) {
			if typ == "your_turn" || typ == "error" {
				l.Write([]byte(`{"type":"offer","party":"laptop_seller_utility","outcome":{"Laptop":"HP","Harddisk":"60 Gb","External Monitor":"19'' LCD"}}`))
			}
		})
	},
	"gone": func(l link, transport string) {
		for {
			m, err := l.Read()
			if err != nil || typeOf(m) == "your_turn" {
				break
			}
		}
		if c, ok := l.(io.Closer); ok {
			c.Close()
		}
	},
}

// drain reads a seat's messages until its stream ends, calling on with
// each message's type.
func drain(l link, on func(typ string)) {
	for {
		m, err := l.Read()
		if err != nil {
			return
		}
		if on != nil {
			on(typeOf(m))
		}
		if typeOf(m) == "finished" {
			return
		}
	}
}

// TestFaults: each way a client can misbehave, on each transport, ends
// its session as that seat's recorded failure with a clear message, while
// a healthy session played beside it ends as it should; the server goes
// on serving.
func TestFaults(t *testing.T) {
	text := laptop(t)
	want, err := session.Run(session.Config{Scenario: parsed(t, text), Negotiators: []string{"frequency", "boulware"}, Deadline: protocol.Deadline{Rounds: 40}})
	if err != nil {
		t.Fatal(err)
	}
	ts := serve(t, newDB(t), "", Config{Grace: time.Second})
	bigAction()
	for _, c := range []struct {
		behaviour string
		action    int64 // the seat's time per answer, ms
		cause     session.Cause
		says      string
	}{
		{"hang", 500, session.CauseTimeout, "no answer within 500ms while waiting for its action in round 1"},
		{"garbage", 500, session.CauseGarbage, `not a JSON object: "I think we should accept this offer."`},
		{"big", 30000, session.CauseGarbage, "it sent a message of more than 1048576 bytes"},
		{"flood", 500, session.CauseFlood, "not the seat's turn|not asked for"},
		{"otherparty", 500, session.CauseInvalid, "this seat plays for laptop_buyer_utility and can act only for it"},
		{"gone", 30000, session.CauseDisconnect, "its client went away and did not come back within 1s"},
	} {
		for _, transport := range []string{"ws", "poll"} {
			t.Run(c.behaviour+" "+transport, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				bad := ts.create(t, Request{Scenario: text, Seats: []string{Remote, "hardliner"}, Deadline: &Deadline{Rounds: 30},
					Clock: &Clock{ActionMS: &c.action}, MaxErrors: ptr(2)})
				good := ts.create(t, Request{Scenario: text, Seats: []string{Remote, "boulware"}, Deadline: &Deadline{Rounds: 40}})
				var wg sync.WaitGroup
				wg.Add(2)
				go func() {
					defer wg.Done()
					misbehaviours[c.behaviour](dial(t, ctx, transport, bad.Seats[0]), transport)
				}()
				var goodErr error
				go func() {
					defer wg.Done()
					goodErr = play("frequency", dial(t, ctx, transport, good.Seats[0]))
				}()
				res := ts.result(t, bad.ID)
				f := res.Failure
				if res.Status != session.StatusFailed || f == nil {
					t.Fatalf("status %s, failure %v; stream %s", res.Status, f, types(stream(t, bad.Seats[0].Messages)))
				}
				if f.Seat != "laptop_buyer_utility" || f.Cause != c.cause || !containsAny(f.Message, c.says) {
					t.Errorf("failure %+v; want cause %s saying %q", f, c.cause, c.says)
				}
				if res.Agreed || res.Parties[1].Utility != res.Parties[1].Reservation {
					t.Errorf("agreed %v, hardliner's payoff %v", res.Agreed, res.Parties[1].Utility)
				}
				// The seat hears how it ended, if it is still there.
				if c.behaviour != "gone" {
					msgs := stream(t, bad.Seats[0].Messages)
					var fin struct {
						Status  string
						Failure *struct{ Seat, Cause string }
					}
					json.Unmarshal([]byte(msgs[len(msgs)-1]), &fin)
					if fin.Status != "failed" || fin.Failure == nil || fin.Failure.Cause != string(c.cause) {
						t.Errorf("the last message: %s", msgs[len(msgs)-1])
					}
				}
				if got := ts.result(t, good.ID); !sameOK(got, want) {
					t.Errorf("the healthy session beside it: %s %+v", got.Status, got.Failure)
				}
				wg.Wait()
				if goodErr != nil {
					t.Error(goodErr)
				}
			})
		}
	}
	// Every session has its one result.
	var n, results int
	ts.db.QueryRow(`SELECT count(*), count(result) FROM sessions`).Scan(&n, &results)
	if n != 24 || results != 24 {
		t.Errorf("%d sessions, %d results", n, results)
	}
}

// containsAny reports whether s holds one of the |-separated parts of subs.
func containsAny(s, subs string) bool {
	for _, sub := range strings.Split(subs, "|") {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func sameOK(a, b session.Result) bool { _, _, ok := same(a, b); return ok }

func ptr[T any](v T) *T { return &v }

// TestReconnectWithinGrace: a client that drops its connection in the
// middle of a session and comes back within the grace period resumes its
// seat; the session ends as without the break.
func TestReconnectWithinGrace(t *testing.T) {
	text := laptop(t)
	want, err := session.Run(session.Config{Scenario: parsed(t, text), Negotiators: []string{"frequency", "boulware"}, Deadline: protocol.Deadline{Rounds: 40}})
	if err != nil {
		t.Fatal(err)
	}
	ts := serve(t, newDB(t), "", Config{Grace: 3 * time.Second})
	for _, transport := range []string{"ws", "poll"} {
		t.Run(transport, func(t *testing.T) {
			c := ts.create(t, Request{Scenario: text, Seats: []string{Remote, "boulware"}, Deadline: &Deadline{Rounds: 40}})
			s := c.Seats[0]
			var l link
			turns := 0
			if transport == "ws" {
				wl, err := DialWebSocket(context.Background(), s.WS)
				if err != nil {
					t.Fatal(err)
				}
				defer wl.Close()
				l = &breaking{link: wl, turns: &turns, brk: func() {
					wl.Close()
					time.Sleep(200 * time.Millisecond)
					if err := wl.Reconnect(); err != nil {
						t.Error(err)
					}
				}}
			} else {
				pl := &PollLink{Messages: s.Messages, Action: s.Action, Wait: time.Second}
				l = &breaking{link: pl, turns: &turns, brk: func() { time.Sleep(200 * time.Millisecond) }}
			}
			if err := play("frequency", l); err != nil {
				t.Fatal(err)
			}
			if turns < 5 {
				t.Fatalf("%d turns", turns)
			}
			if got := ts.result(t, c.ID); !sameOK(got, want) {
				t.Errorf("%s %+v", got.Status, got.Failure)
			}
		})
	}
}

// breaking is a link that breaks after the client's third action.
type breaking struct {
	link
	turns *int
	brk   func()
}

func (b *breaking) Write(m []byte) error {
	*b.turns++
	if *b.turns == 3 {
		b.brk()
	}
	return b.link.Write(m)
}

// TestReplayedToken: a client that holds another seat's token can act
// only as that seat: claiming its own party through the other token is
// refused and counted against the token's seat, which fails once its
// errors run out; a second WebSocket on a token is refused (409).
func TestReplayedToken(t *testing.T) {
	text := laptop(t)
	ts := serve(t, newDB(t), "", Config{})
	c := ts.create(t, Request{Scenario: text, Seats: []string{Remote, Remote}, Deadline: &Deadline{Rounds: 30}, MaxErrors: ptr(1)})
	a, b := c.Seats[0], c.Seats[1]
	ctx := context.Background()
	bws, err := DialWebSocket(ctx, b.WS)
	if err != nil {
		t.Fatal(err)
	}
	defer bws.Close()
	if _, err := DialWebSocket(ctx, b.WS); err == nil || !strings.Contains(err.Error(), "409") {
		t.Fatalf("a second WebSocket on one token: %v", err)
	}
	al := &PollLink{Messages: a.Messages, Action: a.Action, Wait: time.Second}
	next := func(l link, typ string) []byte {
		t.Helper()
		for {
			m, err := l.Read()
			if err != nil {
				t.Fatalf("waiting for %s: %v", typ, err)
			}
			if typeOf(m) == typ {
				return m
			}
		}
	}
	next(al, "your_turn")
	// A, holding B's token, tries to act for itself through it.
	cheat := `{"type":"offer","party":"laptop_buyer_utility","outcome":{"Laptop":"HP","Harddisk":"60 Gb","External Monitor":"19'' LCD"}}`
	resp, err := http.Post(b.Action, "application/json", strings.NewReader(cheat))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	time.Sleep(50 * time.Millisecond)
	if msgs := stream0(t, a.Messages); types(msgs) != "settings,your_turn" {
		t.Fatalf("A's stream after the cheat: %s", types(msgs))
	}
	// A plays its own turn; B's turn comes, and the cheat is refused.
	if err := al.Write([]byte(anOffer)); err != nil {
		t.Fatal(err)
	}
	next(bws, "your_turn")
	e := next(bws, "error")
	if !strings.Contains(string(e), "not the seat's turn") {
		t.Errorf("B was told %s", e)
	}
	// The cheat again, now that B is asked: it is B's action or nothing.
	resp, err = http.Post(b.Action, "application/json", strings.NewReader(cheat))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	res := ts.result(t, c.ID)
	if f := res.Failure; f == nil || f.Seat != "laptop_seller_utility" || f.Cause != session.CauseInvalid ||
		!strings.Contains(f.Message, "this seat plays for laptop_seller_utility and can act only for it") {
		t.Errorf("failure %+v", res.Failure)
	}
	// A's own offer, and B leaving the table as it fails.
	if res.Steps != 2 || res.End != "seat failed" {
		t.Errorf("%d steps, end %q", res.Steps, res.End)
	}
	if ty := types(stream(t, a.Messages)); ty != "settings,your_turn,action_done,action_done,finished" {
		t.Errorf("A's stream: %s", ty)
	}
}

// stream0 reads what a seat's stream holds now.
func stream0(t *testing.T, messagesURL string) []string {
	var p Poll
	getJSON(t, messagesURL, &p)
	var out []string
	for _, m := range p.Messages {
		out = append(out, string(m))
	}
	return out
}

// TestClocks: a seat that answers slowly fails when its time budget for
// the session runs out, and a session that runs past its hidden time
// limit fails the seat that was thinking then.
func TestClocks(t *testing.T) {
	text := laptop(t)
	ts := serve(t, newDB(t), "", Config{})
	for _, c := range []struct {
		name  string
		clock Clock
		says  string
	}{
		{"budget", Clock{BudgetMS: 250}, "used up its time budget of 250ms"},
		{"hidden", Clock{HiddenMS: 250}, "ran past its time limit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cr := ts.create(t, Request{Scenario: text, Seats: []string{Remote, "hardliner"}, Clock: &c.clock})
			l := &PollLink{Messages: cr.Seats[0].Messages, Action: cr.Seats[0].Action, Wait: time.Second}
			play("frequency", &slow{link: l, by: 60 * time.Millisecond})
			res := ts.result(t, cr.ID)
			if f := res.Failure; f == nil || f.Cause != session.CauseTimeout || !strings.Contains(f.Message, c.says) {
				t.Errorf("failure %+v", res.Failure)
			}
			if res.Steps < 4 {
				t.Errorf("the seat failed after %d steps", res.Steps)
			}
		})
	}
}

// slow is a link whose every action takes a while.
type slow struct {
	link
	by time.Duration
}

func (s *slow) Write(m []byte) error {
	time.Sleep(s.by)
	return s.link.Write(m)
}
