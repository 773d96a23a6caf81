package seat_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/session"
)

// agentEnv makes the test binary play an agent (see TestMain).
const agentEnv = "PARLEY_TEST_AGENT"

func TestMain(m *testing.M) {
	if b := os.Getenv(agentEnv); b != "" {
		os.Exit(agent(b))
	}
	os.Exit(m.Run())
}

// agent plays one misbehaviour on stdin/stdout.
func agent(behaviour string) int {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	say := func(s string) { out.WriteString(s + "\n"); out.Flush() }
	if behaviour == "boulware" {
		sp, _ := negotiator.Parse("boulware")
		if err := (&client.Player{New: sp.New}).Play(client.Lines(os.Stdin, os.Stdout)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	turns := 0
	for in.Scan() {
		var m struct{ Type string }
		json.Unmarshal(in.Bytes(), &m)
		if behaviour == "flood" && m.Type == seat.TypeSettings {
			// Actions nobody asked for, from the start, as fast as it can
			// (buffered writes: tens of thousands a second).
			for {
				if _, err := out.WriteString(`{"type":"offer","outcome":{"Laptop":"HP","Harddisk":"60 Gb","External Monitor":"19'' LCD"}}` + "\n"); err != nil {
					return 0
				}
			}
		}
		// An error asks for the turn's answer again.
		if m.Type != seat.TypeYourTurn && m.Type != seat.TypeError {
			continue
		}
		turns++
		switch behaviour {
		case "hang":
			select {}
		case "exit":
			fmt.Fprintln(os.Stderr, "agent: something went wrong")
			return 3
		case "garbage":
			say("I think we should accept this offer.")
		case "bigline":
			chunk := strings.Repeat("x", 1<<20)
			out.WriteString(`{"type":"accept","text":"`)
			for range 100 {
				out.WriteString(chunk)
			}
			say(`"}`)
		case "otherparty":
			say(`{"type":"accept","party":"laptop_seller_utility"}`)
		case "inventive":
			say(`{"type":"offer","outcome":{"Laptop":"Apple","Harddisk":"60 Gb","External Monitor":"19'' LCD"}}`)
		}
	}
	return 0
}

func agentSpec(t *testing.T, behaviour string) (string, func()) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(agentEnv, behaviour)
	return seat.CmdPrefix + exe, func() {}
}

// playAgent plays one Laptop session of the agent against hardliner.
func playAgent(t *testing.T, behaviour string, opts seat.Options) (session.Result, *seat.Launcher) {
	t.Helper()
	spec, _ := agentSpec(t, behaviour)
	l := &seat.Launcher{Options: opts}
	t.Cleanup(func() { l.Close() })
	r, err := session.NewRunner(session.Config{Scenario: laptop(t), Negotiators: []string{spec, "hardliner"},
		Deadline: protocol.Deadline{Rounds: 30}, Outside: l.Outside})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(1); err != nil {
		t.Fatal(err)
	}
	return r.Result(), l
}

// TestProcessFaults: every way an agent process can misbehave ends as that
// seat's recorded failure with a clear message, never a hang or a crash.
func TestProcessFaults(t *testing.T) {
	opts := seat.Options{ActionTimeout: 2 * time.Second, MaxErrors: 2} // generous: the CI machine may be loaded
	for _, c := range []struct {
		behaviour string
		cause     session.Cause
		says      string
	}{
		{"hang", session.CauseTimeout, "no answer within 2s while waiting for its action in round 1"},
		{"exit", session.CauseCrash, "exit status 3 in the middle of the session; its standard error ends: \"agent: something went wrong\""},
		{"garbage", session.CauseGarbage, `not a JSON object: "I think we should accept this offer."`},
		{"bigline", session.CauseGarbage, "it wrote a line of more than 1048576 bytes"},
		{"flood", session.CauseFlood, "while it was not the seat's turn"},
		{"otherparty", session.CauseInvalid, "this seat plays for laptop_buyer_utility and can act only for it"},
		{"inventive", session.CauseInvalid, `"Apple" is not a value of issue "Laptop"; its values: Dell, Macintosh, HP`},
	} {
		t.Run(c.behaviour, func(t *testing.T) {
			res, _ := playAgent(t, c.behaviour, opts)
			f := res.Failure
			if res.Status != session.StatusFailed || f == nil {
				t.Fatalf("status %s, failure %v", res.Status, f)
			}
			if f.Seat != "laptop_buyer_utility" || f.Cause != c.cause || !strings.Contains(f.Message, c.says) {
				t.Errorf("failure %+v; want cause %s saying %q", f, c.cause, c.says)
			}
			// No agreement: every party gets its reservation value.
			if res.Agreed || res.Parties[1].Utility != res.Parties[1].Reservation {
				t.Errorf("agreed %v, hardliner's payoff %v", res.Agreed, res.Parties[1].Utility)
			}
		})
	}
}

// TestProcessAgentPlaysOn: a well-behaved agent process plays sessions one
// after the other in the same process, as boulware does inside.
func TestProcessAgentPlaysOn(t *testing.T) {
	spec, _ := agentSpec(t, "boulware")
	l := &seat.Launcher{Options: seat.Options{ActionTimeout: 10 * time.Second}}
	defer l.Close()
	var want, got bytes.Buffer
	for seed := range uint64(3) {
		cfg := session.Config{Scenario: laptop(t), Negotiators: []string{"boulware", "conceder"}, Deadline: protocol.Deadline{Rounds: 30}, Seed: seed, Trace: &want}
		if _, err := session.Run(cfg); err != nil {
			t.Fatal(err)
		}
	}
	r, err := session.NewRunner(session.Config{Scenario: laptop(t), Negotiators: []string{spec, "conceder"}, Deadline: protocol.Deadline{Rounds: 30}, Outside: l.Outside, Trace: &got})
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(3) {
		if _, err := r.Play(seed); err != nil {
			t.Fatal(err)
		}
		if f := r.Failure(); f != nil {
			t.Fatal(f)
		}
	}
	if g := strings.ReplaceAll(got.String(), spec, "boulware"); g != want.String() {
		t.Errorf("the agent process played otherwise:\n%s\nwant\n%s", head(g), head(want.String()))
	}
	if st := l.Seats()[0].Remote.Stats(); st.Actions == 0 || st.Quantile(0.5) <= 0 {
		t.Errorf("stats %+v", st)
	}
}
