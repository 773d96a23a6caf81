package seat_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/session"
)

// TestSettingsTellTheDecisionRule: under a voting protocol, the settings of
// an LLM-Deliberation game tell every seat (parties and mediator) the
// game's rule, 5 of 6 parties with SportCo and DoT among them, in a message
// that fits the schema; a unanimous scenario sends no decision field.
func TestSettingsTellTheDecisionRule(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(seat.Schemas()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("seat.json", doc); err != nil {
		t.Fatal(err)
	}
	toSeat, err := c.Compile("seat.json#/properties/to_seat")
	if err != nil {
		t.Fatal(err)
	}
	base := load(t, filepath.Join(shared.Dir(t, "llm-deliberation"), "games_descriptions", "base"))
	cases := []struct {
		name, proto, mediator string
		laptop                bool
		want                  *seat.Decision
	}{
		{"base amop", "amop", "", false, &seat.Decision{Quorum: 5, Veto: []string{"SportCo", "DoT"}, Doc: "5 of 6 parties, including SportCo and DoT"}},
		{"base mediated", "mediated", "remote:broker", false, &seat.Decision{Quorum: 5, Veto: []string{"SportCo", "DoT"}, Doc: "5 of 6 parties, including SportCo and DoT"}},
		{"laptop saop", "saop", "", true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := base
			if tc.laptop {
				sc = laptop(t)
			}
			var mu sync.Mutex
			var settings [][]byte
			var wg sync.WaitGroup
			outside := func(spec string, _ int) (session.Outside, bool, error) {
				name, ok := strings.CutPrefix(spec, "remote:")
				if !ok {
					return nil, false, nil
				}
				sp, _ := negotiator.Parse(name)
				conn, end := seat.Pipe()
				wg.Add(1)
				go func() {
					defer wg.Done()
					(&client.Player{New: sp.New, OnMessage: func(typ string, m []byte) {
						if typ == seat.TypeSettings {
							mu.Lock()
							settings = append(settings, append([]byte(nil), m...))
							mu.Unlock()
						}
					}}).Play(pipeLink{end})
				}()
				return seat.NewRemote(conn, seat.Options{}), true, nil
			}
			r, err := session.NewRunner(session.Config{Scenario: sc, Protocol: tc.proto, Mediator: tc.mediator,
				Negotiators: []string{"remote:conceder"}, Deadline: protocol.Deadline{Rounds: 20}, Outside: outside})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Play(1); err != nil {
				t.Fatal(err)
			}
			r.Close()
			wg.Wait()
			seats := len(r.Prepared().Seats)
			if tc.mediator != "" {
				seats++
			}
			if len(settings) != seats {
				t.Fatalf("%d settings messages for %d seats", len(settings), seats)
			}
			for _, m := range settings {
				v, err := jsonschema.UnmarshalJSON(bytes.NewReader(m))
				if err != nil {
					t.Fatal(err)
				}
				if err := toSeat.Validate(v); err != nil {
					t.Errorf("%s\ndoes not fit to_seat: %v", m, err)
				}
				var s seat.Settings
				if err := json.Unmarshal(m, &s); err != nil {
					t.Fatal(err)
				}
				switch {
				case tc.want == nil && s.Decision != nil:
					t.Errorf("a unanimous scenario sent a decision: %s", m)
				case tc.want == nil && bytes.Contains(m, []byte(`"decision"`)):
					t.Errorf("a unanimous scenario sent a decision field: %s", m)
				case tc.want != nil && (s.Decision == nil || s.Decision.Quorum != tc.want.Quorum ||
					!slices.Equal(s.Decision.Veto, tc.want.Veto) || s.Decision.Doc != tc.want.Doc):
					t.Errorf("%s: decision %+v, want %+v", s.You.Party, s.Decision, tc.want)
				}
			}
		})
	}
	// The schema refuses a decision without its quorum.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(string(mustSettingsWith(t, `{"veto":["a"],"doc":"x"}`))))
	if toSeat.Validate(bad) == nil {
		t.Error("to_seat accepts a decision without a quorum")
	}
}

// mustSettingsWith is a minimal settings message with the given decision.
func mustSettingsWith(t *testing.T, decision string) []byte {
	t.Helper()
	return []byte(`{"type":"settings","version":1,"session":"1","you":{"party":"a","seat":0,"role":"party"},"parties":["a","b"],` +
		`"protocol":{"name":"amop","doc":""},"decision":` + decision + `,"deadline":{},"clock":{},"max_errors":3,"seed":0,"issues":[]}`)
}
