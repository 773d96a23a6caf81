package seat

import (
	"encoding/json"

	"github.com/invopop/jsonschema"
)

// Schemas returns the JSON Schema (draft 2020-12) of every message of the
// seat protocol: "to_seat" is one of the messages a session sends,
// "from_seat" the action a seat answers with; each message is in $defs.
// Rules that depend on the turn (which actions are legal, which values an
// issue has) are checked by the session, which answers with an error.
func Schemas() []byte {
	r := &jsonschema.Reflector{FieldNameTag: "json", AllowAdditionalProperties: false}
	root := &jsonschema.Schema{
		Version:     jsonschema.Version,
		ID:          "https://parley.invalid/schema/seat-1.json",
		Title:       "parley seat protocol, version 1",
		Description: "Messages between a negotiation session and one seat, one JSON object per line (stdio) or per frame (WebSocket, HTTP).",
		Definitions: jsonschema.Definitions{},
	}
	var to []*jsonschema.Schema
	for _, m := range []struct {
		name string
		v    any
		doc  string
	}{
		{"settings", &Settings{}, "Opens a session (and each agenda phase): who the seat plays, the issues, its own preferences, the rules and clock."},
		{"your_turn", &YourTurn{}, "Asks the seat to act; may lists the actions allowed."},
		{"action_done", &ActionDone{}, "One entry of the public record."},
		{"update", &Update{}, "The seat's preferences changed during a phase."},
		{"finished", &Finished{}, "How the session ended, and the seat's own payoff."},
		{"error", &Error{}, "A malformed or illegal action: what to fix. The turn stands; answer it again."},
		{"action", &Action{}, "The seat's answer to your_turn."},
	} {
		s := r.Reflect(m.v)
		for k, d := range s.Definitions {
			root.Definitions[k] = d
		}
		s.Definitions = nil
		s.Version, s.ID = "", ""
		s.Description = m.doc
		root.Definitions[m.name] = s
		if m.name != "action" {
			to = append(to, &jsonschema.Schema{Ref: "#/$defs/" + m.name})
		}
	}
	root.Properties = jsonschema.NewProperties()
	root.Properties.Set("to_seat", &jsonschema.Schema{OneOf: to})
	root.Properties.Set("from_seat", &jsonschema.Schema{Ref: "#/$defs/action"})
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		panic(err) // built from static types: a failure is a bug
	}
	return append(b, '\n')
}
