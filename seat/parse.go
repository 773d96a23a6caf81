package seat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// MaxText is the longest free text an action may carry, in bytes.
const MaxText = 4096

// maxLegal is how many legal values an error lists at most.
const maxLegal = 25

// fieldError is what is wrong with a message, for the seat to fix.
type fieldError struct {
	msg     string
	field   string
	legal   []string
	garbage bool // not a message at all
	unasked bool // a message sent when it was not the seat's turn
}

// actionKeys are the fields an action may have.
var actionKeys = []string{"type", "outcome", "text", "party"}

// aliases are other names seats use for an action type (GeniusWeb's
// among them), read as the action they mean.
var aliases = map[string]string{"endnegotiation": ActEnd, "end_negotiation": ActEnd, "walkaway": ActEnd, "walk_away": ActEnd,
	"vote_accept": ActAccept, "vote_reject": ActReject, "propose": ActOffer, "counteroffer": ActOffer, "counter_offer": ActOffer}

// parse reads and checks a seat's answer to turn t.
func (r *Remote) parse(msg []byte, t protocol.Turn) (protocol.Action, string, *fieldError) {
	msg = bytes.TrimSpace(msg)
	var fields map[string]json.RawMessage
	if len(msg) == 0 || msg[0] != '{' || json.Unmarshal(msg, &fields) != nil {
		return protocol.Action{}, "", &fieldError{garbage: true, msg: fmt.Sprintf("not a JSON object: %s; answer with one object on one line, such as {\"type\":\"accept\"}", excerpt(msg))}
	}
	for k := range fields {
		if !slices.Contains(actionKeys, k) {
			return protocol.Action{}, "", &fieldError{field: k, legal: actionKeys, msg: fmt.Sprintf("unknown field %q; an action has the fields %s", k, strings.Join(actionKeys, ", "))}
		}
	}
	if raw, ok := fields["party"]; ok {
		var party string
		if json.Unmarshal(raw, &party) != nil || party != r.name {
			return protocol.Action{}, "", &fieldError{field: "party", legal: []string{r.name}, msg: fmt.Sprintf("this seat plays for %s and can act only for it; leave \"party\" out or give %q", r.name, r.name)}
		}
	}
	legal := may(t.Phase)
	var typ string
	if raw, ok := fields["type"]; !ok || json.Unmarshal(raw, &typ) != nil {
		return protocol.Action{}, "", &fieldError{field: "type", legal: legal, msg: fmt.Sprintf("the field \"type\" must be one of %s", strings.Join(legal, ", "))}
	}
	typ = strings.ToLower(strings.TrimSpace(typ))
	if a, ok := aliases[typ]; ok {
		typ = a
	}
	if !slices.Contains(legal, typ) {
		return protocol.Action{}, "", &fieldError{field: "type", legal: legal, msg: fmt.Sprintf("%q is not an action you may take now (phase %s); you may: %s", typ, t.Phase, strings.Join(legal, ", "))}
	}
	var text string
	if raw, ok := fields["text"]; ok {
		if json.Unmarshal(raw, &text) != nil {
			return protocol.Action{}, "", &fieldError{field: "text", msg: "the field \"text\" must be a string"}
		}
		if len(text) > MaxText || !utf8.ValidString(text) {
			return protocol.Action{}, "", &fieldError{field: "text", msg: fmt.Sprintf("the text must be valid UTF-8 of at most %d bytes; it has %d", MaxText, len(text))}
		}
	}
	raw, hasOutcome := fields["outcome"]
	switch typ {
	case ActOffer:
		if !hasOutcome {
			return protocol.Action{}, "", &fieldError{field: "outcome", legal: r.issueIDs(), msg: "an offer needs \"outcome\": an object giving a value for every issue: " + strings.Join(r.issueIDs(), ", ")}
		}
		id, err := r.parseOutcome(raw)
		if err != nil {
			return protocol.Action{}, "", err
		}
		if err := r.breaks(); err != nil {
			return protocol.Action{}, "", err
		}
		return protocol.Offer(id), text, nil
	case ActAccept:
		if hasOutcome && t.HasOutcome {
			id, err := r.parseOutcome(raw)
			if err != nil {
				return protocol.Action{}, "", err
			}
			if id != t.Outcome {
				return protocol.Action{}, "", &fieldError{field: "outcome", msg: "accept answers the offer on the table, and this outcome is another; leave \"outcome\" out, or send an offer to propose it"}
			}
		}
		return protocol.Accept, text, nil
	case ActReject:
		return protocol.Reject, text, nil
	}
	return protocol.End, text, nil
}

func (r *Remote) issueIDs() []string {
	ids := make([]string, len(r.b.Issues))
	for k, i := range r.b.Issues {
		ids[k] = r.b.Scenario.Issues[i].ID
	}
	return ids
}

// parseOutcome reads an outcome of the phase: every issue of the phase
// once, each value an option id or a number (or its string); issues
// settled earlier may be repeated with their agreed value.
func (r *Remote) parseOutcome(raw json.RawMessage) (uint64, *fieldError) {
	var vals map[string]json.RawMessage
	if json.Unmarshal(raw, &vals) != nil || vals == nil {
		return 0, &fieldError{field: "outcome", legal: r.issueIDs(), msg: "\"outcome\" must be an object: issue id → value, for the issues " + strings.Join(r.issueIDs(), ", ")}
	}
	sc := r.b.Scenario
	local := map[int]int{}
	for k, i := range r.b.Issues {
		local[i] = k
	}
	for key, v := range vals {
		i := sc.IssueIndex(key)
		if i < 0 {
			return 0, &fieldError{field: "outcome." + key, legal: r.issueIDs(), msg: fmt.Sprintf("%q is not an issue; the issues are %s", key, strings.Join(r.issueIDs(), ", "))}
		}
		is := &sc.Issues[i]
		x, ok := lookupRaw(is, v)
		if _, open := local[i]; !open {
			if s := r.b.Settled[i]; s >= 0 && ok && x == s {
				continue // the agreed value of a settled issue
			}
			return 0, &fieldError{field: "outcome." + key, legal: r.issueIDs(), msg: fmt.Sprintf("issue %q is not on the table now; the issues of this phase are %s", key, strings.Join(r.issueIDs(), ", "))}
		}
		if !ok {
			return 0, &fieldError{field: "outcome." + key, legal: legalValues(is), msg: fmt.Sprintf("%s is not a value of issue %q; its values: %s", valueText(v), key, strings.Join(legalValues(is), ", "))}
		}
		r.buf[local[i]] = x
	}
	for _, i := range r.b.Issues {
		if _, ok := vals[sc.Issues[i].ID]; !ok {
			is := &sc.Issues[i]
			return 0, &fieldError{field: "outcome." + is.ID, legal: legalValues(is), msg: fmt.Sprintf("the outcome gives no value for issue %q; every issue needs one", is.ID)}
		}
	}
	return r.setup.Space.Index(r.buf), nil
}

// lookupRaw reads a value of is given as a JSON string or number.
func lookupRaw(is *scenario.Issue, v json.RawMessage) (int, bool) {
	var s string
	if json.Unmarshal(v, &s) != nil {
		var n json.Number
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		if d.Decode(&n) != nil {
			return -1, false
		}
		s = n.String()
	}
	x := is.Lookup(strings.TrimSpace(s))
	return x, x >= 0
}

// legalValues lists an issue's values for an error (at most maxLegal, then
// the range).
func legalValues(is *scenario.Issue) []string {
	n := is.Size()
	if n > maxLegal && is.Kind != scenario.Discrete {
		return []string{fmt.Sprintf("%s to %s", is.Value(0), is.Value(n-1)) + stepNote(is)}
	}
	var out []string
	for v := 0; v < n && v < maxLegal; v++ {
		out = append(out, is.Value(v))
	}
	if n > maxLegal {
		out = append(out, "… ("+strconv.Itoa(n)+" in all)")
	}
	return out
}

func stepNote(is *scenario.Issue) string {
	if is.Kind == scenario.Real {
		return fmt.Sprintf(" in %d even steps", is.Steps)
	}
	return ""
}

// valueText shows a JSON value as the seat wrote it: a string quoted once.
func valueText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return excerpt([]byte(s))
	}
	return excerpt(v)
}

// excerpt is a short, quoted view of what a seat sent, for messages.
func excerpt(b []byte) string {
	const n = 80
	if len(b) > n {
		return strconv.Quote(string(b[:n])) + "…"
	}
	return strconv.Quote(string(b))
}
