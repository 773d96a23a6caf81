package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario/deliberation"
)

// talker is an outside seat played by a built-in strategy that says which
// party it is and the round with every action.
type talker struct {
	negotiator.Negotiator
	party string
	said  string
}

func (k *talker) Brief(b *Briefing) { k.party = b.Runner.SeatName(b.Seat) }
func (k *talker) Finish(*Result)    {}
func (k *talker) Failure() *Failure { return nil }
func (k *talker) Said() string      { return k.said }

func (k *talker) Act(t protocol.Turn) protocol.Action {
	k.said = fmt.Sprintf("%s speaking in round %d", k.party, t.Round)
	return k.Negotiator.Act(t)
}

// talkers seats "talk:SPEC" as a talker playing SPEC.
func talkers(spec string, _ int) (Outside, bool, error) {
	rest, ok := strings.CutPrefix(spec, "talk:")
	if !ok {
		return nil, false, nil
	}
	sp, err := negotiator.Parse(rest)
	if err != nil {
		return nil, true, err
	}
	return &talker{Negotiator: sp.New()}, true, nil
}

// TestTextOnlyOnTheSpeakersEvents plays sessions in which every seat
// speaks with every action: the trace, the OnEvent hook and the summary
// carry each text with the acting seat's own event only, never with the
// agreement, adoption or deadline its action brought about in the same
// step.
func TestTextOnlyOnTheSpeakersEvents(t *testing.T) {
	laptop := loadDomain(t, "ANAC2011_Laptop")
	base, err := deliberation.Load(filepath.Join(shared.Dir(t, "llm-deliberation"), "games_descriptions", "base"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name          string
		cfg           Config
		protocolEvent string // an event of the protocol's that must occur
	}{
		{"saop agreement", Config{Scenario: laptop, Negotiators: []string{"talk:conceder", "talk:boulware"}}, "agreement"},
		{"saop deadline", Config{Scenario: laptop, Negotiators: []string{"talk:hardliner", "talk:hardliner"}}, "deadline"},
		{"amop agreement", Config{Scenario: base, Protocol: "amop", Negotiators: []string{"talk:conceder"}}, "agreement"},
		{"mediated adopt", Config{Scenario: base, Protocol: "mediated", Mediator: "talk:broker", Negotiators: []string{"talk:conceder"}}, "adopt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var trace bytes.Buffer
			cfg := c.cfg
			cfg.Outside, cfg.Trace = talkers, &trace
			cfg.Deadline = protocol.Deadline{Rounds: 30}
			var r *Runner
			sum := NewSummary(3)
			hooked := 0
			cfg.OnEvent = func(ev protocol.Event) {
				sum.Observe(r, ev)
				if text := r.EventText(); (text != "") != (ev.Seat >= 0) {
					t.Errorf("OnEvent: %s event of seat %d has text %q", ev.Type, ev.Seat, text)
				} else if text != "" {
					hooked++
				}
			}
			r, err := NewRunner(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Play(1); err != nil {
				t.Fatal(err)
			}
			spoken, seen := 0, map[string]bool{}
			for _, ln := range bytes.Split(bytes.TrimSpace(trace.Bytes()), []byte("\n")) {
				var ev struct {
					Type  string `json:"type"`
					Round int    `json:"round"`
					Party string `json:"party"`
					Text  string `json:"text"`
				}
				if err := json.Unmarshal(ln, &ev); err != nil {
					t.Fatalf("%v: %s", err, ln)
				}
				seen[ev.Type] = true
				switch ev.Type {
				case "offer", "accept", "vote", "propose", "end":
					want := fmt.Sprintf("%s speaking in round %d", ev.Party, ev.Round)
					if ev.Text != want {
						t.Errorf("%s: text %q, want %q", ln, ev.Text, want)
					}
					spoken++
				default:
					if ev.Text != "" {
						t.Errorf("%s: the protocol's event carries a seat's text", ln)
					}
				}
			}
			if !seen[c.protocolEvent] {
				t.Fatalf("no %s event in the trace:\n%s", c.protocolEvent, trace.String())
			}
			if spoken == 0 || hooked != spoken {
				t.Errorf("%d actions spoke in the trace, %d in OnEvent", spoken, hooked)
			}
			var out strings.Builder
			if err := sum.WriteText(&out, r); err != nil {
				t.Fatal(err)
			}
			// In the summary each "says" line follows its action, by the
			// same party, and each action shown has one.
			var prev []string
			events, says := 0, 0
			for _, row := range strings.Split(out.String(), "\n") {
				f := strings.Fields(row)
				switch {
				case len(f) >= 3 && f[2] == "says":
					says++
					if len(prev) < 4 || prev[2] != f[1] || !strings.Contains(prev[1], ".") {
						t.Errorf("%q follows %q, not its action", row, strings.Join(prev, " "))
					}
				case len(f) >= 4 && strings.Contains(f[1], ".") && f[0] != "round":
					switch f[3] {
					case "offer", "accept", "reject", "propose", "end":
						events++
					}
				}
				prev = f
			}
			if says != events || says > 6 {
				t.Errorf("the summary shows %d actions and %d texts (at most 6 shown):\n%s", events, says, out.String())
			}
		})
	}
}
