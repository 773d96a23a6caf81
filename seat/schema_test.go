package seat_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/session"
)

// TestMessagesFitTheSchema: every message a session sends to seats (all of
// them, through a flagship shuttle session with an agenda, events and a
// mediator) fits the schema's to_seat, and the Go client's answers fit
// from_seat; the schema refuses an unknown field.
func TestMessagesFitTheSchema(t *testing.T) {
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
	fromSeat, err := c.Compile("seat.json#/properties/from_seat")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var sent, answers [][]byte
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
			(&client.Player{New: sp.New, OnMessage: func(_ string, m []byte) {
				mu.Lock()
				sent = append(sent, append([]byte(nil), m...))
				mu.Unlock()
			}}).Play(recorder{pipeLink{end}, func(m []byte) {
				mu.Lock()
				answers = append(answers, append([]byte(nil), m...))
				mu.Unlock()
			}})
		}()
		return seat.NewRemote(conn, seat.Options{}), true, nil
	}
	sc := load(t, filepath.Join("..", "examples", "ukraine-2025.yaml"))
	r, err := session.NewRunner(session.Config{Scenario: sc, Protocol: "shuttle", Mediator: "remote:broker",
		Negotiators: []string{"remote:boulware", "remote:conceder", "remote:linear"}, Deadline: protocol.Deadline{Rounds: 60}, Outside: outside})
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(4) {
		if _, err := r.Play(seed); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	wg.Wait()
	types := map[string]int{}
	for _, m := range sent {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(m))
		if err != nil {
			t.Fatal(err)
		}
		if err := toSeat.Validate(v); err != nil {
			t.Errorf("%s\ndoes not fit to_seat: %v", m, err)
		}
		types[string(m[9:bytes.IndexByte(m[9:], '"')+9])]++
	}
	for _, typ := range []string{"settings", "your_turn", "action_done", "update", "finished"} {
		if types[typ] == 0 {
			t.Errorf("no %s message was checked (%v)", typ, types)
		}
	}
	for _, m := range answers {
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(m))
		if err := fromSeat.Validate(v); err != nil {
			t.Errorf("%s\ndoes not fit from_seat: %v", m, err)
		}
	}
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"type":"accept","mood":"happy"}`))
	if fromSeat.Validate(bad) == nil {
		t.Error("from_seat accepts an unknown field")
	}
}

// recorder is a Link that also reports what the client writes.
type recorder struct {
	client.Link
	onWrite func([]byte)
}

func (r recorder) Write(m []byte) error { r.onWrite(m); return r.Link.Write(m) }
