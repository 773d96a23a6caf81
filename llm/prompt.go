package llm

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/seat"
)

// The prompt is built from the seat protocol's messages alone, so the
// model knows what any outside seat knows: its role, the rules, its own
// preferences, the public record and its budget, never another party's
// numbers. It is rebuilt each turn from the same inputs in the same order,
// so the same session asks the same requests (the cache's premise).

// maxNotes bounds the private notes carried from one turn to the next.
const maxNotes = 2000

// system is the system message: role, rules, preferences, answer format.
func system(s *seat.Settings) string {
	var b strings.Builder
	if s.You.Role == "mediator" {
		fmt.Fprintf(&b, "You are the mediator (seat %q) in a negotiation run by parley.", s.You.Party)
	} else {
		fmt.Fprintf(&b, "You negotiate for party %q", s.You.Party)
		if s.You.Name != "" && s.You.Name != s.You.Party {
			fmt.Fprintf(&b, " (%s)", s.You.Name)
		}
		b.WriteString(" in a negotiation run by parley.")
	}
	fmt.Fprintf(&b, " The parties at the table: %s", strings.Join(s.Parties, ", "))
	if s.Mediator != "" {
		fmt.Fprintf(&b, "; the mediator: %s", s.Mediator)
	}
	b.WriteString(".\n\n")
	fmt.Fprintf(&b, "Protocol %s: %s\n", s.Protocol.Name, s.Protocol.Doc)
	if d := s.Decision; d != nil {
		fmt.Fprintf(&b, "Decision rule: a deal is agreed when at least %d of the %d parties accept it", d.Quorum, len(s.Parties))
		if len(d.Veto) > 0 {
			fmt.Fprintf(&b, ", %s among them", andList(d.Veto))
		}
		b.WriteString("; not every party need accept.\n")
	}
	if d := s.Deadline; d.Rounds > 0 || d.MS > 0 {
		b.WriteString("Deadline:")
		if d.Rounds > 0 {
			fmt.Fprintf(&b, " %d rounds", d.Rounds)
		}
		if d.MS > 0 {
			fmt.Fprintf(&b, " %d ms", d.MS)
		}
		b.WriteString("; without a deal by then every party gets its reservation value.\n")
	}
	if s.Clock.ActionMS > 0 {
		fmt.Fprintf(&b, "Each answer must come within %d ms.\n", s.Clock.ActionMS)
	}
	fmt.Fprintf(&b, "An answer the session refuses gets one chance to be corrected; more than %d refused answers in a session forfeit it.\n", s.MaxErrors)
	if s.Phase != nil {
		fmt.Fprintf(&b, "The agenda takes the issues in %d phases; this is phase %q (%d of %d).\n", s.Phase.Count, s.Phase.ID, s.Phase.Index+1, s.Phase.Count)
	}
	b.WriteString("\nIssues on the table (value ids, then what they mean):\n")
	for _, is := range s.Issues {
		fmt.Fprintf(&b, "- %s", is.ID)
		if is.Name != "" && is.Name != is.ID {
			fmt.Fprintf(&b, " (%s)", is.Name)
		}
		b.WriteString(": ")
		b.WriteString(values(&is))
		b.WriteString("\n")
	}
	if len(s.Settled) > 0 {
		keys := make([]string, 0, len(s.Settled))
		for k := range s.Settled {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteString("Settled in earlier phases: ")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s = %s", k, key(s.Settled[k]))
		}
		b.WriteString(".\n")
	}
	b.WriteString("\n")
	b.WriteString(preferences(s.Issues, s.Preferences))
	b.WriteString(`
How to answer: each turn, one JSON object with the fields
- "type": your action, one of those you may take now: offer (propose a deal), accept (the offer on the table), reject (vote against it), end (walk away: the negotiation ends for everyone without a deal);
- "outcome": for an offer, a value id for every issue on the table, as {"issue id": "value id", ...}; null otherwise;
- "text": a message for the public record, which every seat reads ("" for none);
- "reasoning": your private notes, kept in your log and never shown to the other seats.
`)
	return b.String()
}

// andList joins words as "a", "a and b", "a, b and c".
func andList(ws []string) string {
	if len(ws) <= 1 {
		return strings.Join(ws, "")
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

// preferences states the seat's own preferences.
func preferences(issues []seat.Issue, p *seat.Preferences) string {
	if p == nil {
		return "You have no preferences of your own: help the parties find a deal that every one of them accepts.\n"
	}
	var b strings.Builder
	b.WriteString("Your preferences (private: the other seats do not see them). A deal is worth to you the sum of the points of its values, at most 1:\n")
	for _, is := range issues {
		fmt.Fprintf(&b, "- %s:", is.ID)
		for v, x := range is.Values {
			if v > 0 {
				b.WriteString(",")
			}
			pts := 0.0
			if t := p.Utility[is.ID]; v < len(t) {
				pts = t[v]
			}
			fmt.Fprintf(&b, " %s %s", quoted(x), num(pts))
		}
		b.WriteString("\n")
	}
	for _, rl := range p.RedLines {
		ids := make([]string, 0, len(rl.Forbid))
		for id := range rl.Forbid {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		parts := make([]string, len(ids))
		for i, id := range ids {
			vs := make([]string, len(rl.Forbid[id]))
			for k, v := range rl.Forbid[id] {
				vs[k] = quoted(v)
			}
			parts[i] = fmt.Sprintf("%s is %s", id, strings.Join(vs, " or "))
		}
		fmt.Fprintf(&b, "Red line %s: a deal where %s is unacceptable to you (worth -1).\n", rl.ID, strings.Join(parts, " and "))
	}
	for _, t := range p.Terms {
		if len(t.When) == 0 {
			fmt.Fprintf(&b, "Every deal earns you %s points more.\n", num(t.Value))
			continue
		}
		fmt.Fprintf(&b, "A deal where %s earns you %s points more.\n", conditions(t.When), num(t.Value))
	}
	fmt.Fprintf(&b, "Without a deal you get your reservation value, %s.\n", num(p.Reservation))
	if p.Discount > 0 && p.Discount < 1 {
		fmt.Fprintf(&b, "A deal loses value with time: at normalised time t (0 at the start, 1 at the deadline) it is worth u·%s^t.\n", num(p.Discount))
	}
	return b.String()
}

// conditions says "a is x or y and b is z" for a set of values per issue,
// issues in name order.
func conditions(when map[string][]any) string {
	ids := make([]string, 0, len(when))
	for id := range when {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		vs := make([]string, len(when[id]))
		for k, v := range when[id] {
			vs[k] = quoted(v)
		}
		if len(vs) == 0 {
			vs = []string{"(no value)"}
		}
		parts[i] = fmt.Sprintf("%s is %s", id, strings.Join(vs, " or "))
	}
	return strings.Join(parts, " and ")
}

// values lists an issue's values with their labels.
func values(is *seat.Issue) string {
	if is.Kind != "discrete" && len(is.Values) > 12 {
		return fmt.Sprintf("a number from %s to %s (%d values)", key(is.Values[0]), key(is.Values[len(is.Values)-1]), len(is.Values))
	}
	parts := make([]string, len(is.Values))
	for v, x := range is.Values {
		parts[v] = quoted(x)
		if v < len(is.Labels) && is.Labels[v] != key(x) {
			parts[v] += " (" + is.Labels[v] + ")"
		}
	}
	return strings.Join(parts, ", ")
}

// quoted is a value as it goes in an outcome: a string in JSON quotes, a
// number as it is.
func quoted(v any) string {
	if s, ok := v.(string); ok {
		b, _ := json.Marshal(s)
		return string(b)
	}
	return key(v)
}

// turn is the user message of a turn: the time left, the public record
// (a window of it in full, the rest in brief), the seat's own notes from
// its previous turn, and what it is asked.
func turn(s *seat.Settings, record []seat.ActionDone, notes string, y *seat.YourTurn, window int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Round %d", y.Round)
	if s.Deadline.Rounds > 0 {
		fmt.Fprintf(&b, " of %d (%d left after this one)", s.Deadline.Rounds, max(s.Deadline.Rounds-y.Round, 0))
	}
	fmt.Fprintf(&b, "; normalised time t = %s.", num(y.T))
	if y.Reservation != nil {
		fmt.Fprintf(&b, " Your reservation value is now %s.", num(*y.Reservation))
	}
	b.WriteString("\n\n")
	if len(record) == 0 {
		b.WriteString("The public record is empty: nobody has acted yet.\n")
	} else {
		start := max(len(record)-window, 0)
		if start > 0 {
			b.WriteString(brief(s, record[:start]))
			fmt.Fprintf(&b, "The public record since (entries %d to %d):\n", start+1, len(record))
		} else {
			b.WriteString("The public record:\n")
		}
		for _, e := range record[start:] {
			b.WriteString("- ")
			b.WriteString(entry(s, &e))
			b.WriteString("\n")
		}
	}
	if notes != "" {
		fmt.Fprintf(&b, "\nYour private notes from your previous turn: %s\n", strconv.Quote(notes))
	}
	b.WriteString("\n")
	if y.With != "" {
		fmt.Fprintf(&b, "This is a private meeting with %s; only the two of you see it.\n", y.With)
	}
	if y.Joint {
		b.WriteString("This is the joint session of every party.\n")
	}
	switch y.Phase {
	case "offer":
		b.WriteString("Your turn: make an offer.")
	case "respond":
		fmt.Fprintf(&b, "Your turn: the offer on the table is %s%s. Accept it, make a counter-offer, or end.", outcome(s, y.Offer), worth(y.OfferUtility))
	case "vote":
		fmt.Fprintf(&b, "Your turn: vote on %s%s.", outcome(s, y.Offer), worth(y.OfferUtility))
	case "propose":
		b.WriteString("Your turn: propose a text to put to the parties.")
	default:
		fmt.Fprintf(&b, "Your turn (%s).", y.Phase)
	}
	if y.Text != nil {
		fmt.Fprintf(&b, " The current single text is %s%s.", outcome(s, y.Text), worth(y.TextUtility))
	}
	fmt.Fprintf(&b, "\nYou may: %s. Answer with one JSON object.", strings.Join(y.May, ", "))
	return b.String()
}

// entry renders one entry of the public record.
func entry(s *seat.Settings, e *seat.ActionDone) string {
	var b strings.Builder
	fmt.Fprintf(&b, "round %d", e.Round)
	if e.By != "" {
		fmt.Fprintf(&b, " %s", e.By)
	}
	b.WriteString(" " + e.Event)
	if e.Vote != "" {
		b.WriteString(" " + e.Vote)
	}
	if e.Meeting != "" {
		fmt.Fprintf(&b, " (private meeting with %s)", e.Meeting)
	}
	if e.Outcome != nil {
		fmt.Fprintf(&b, " %s%s", outcome(s, e.Outcome), worth(e.Utility))
	}
	if e.Text != "" {
		fmt.Fprintf(&b, ", saying %s", strconv.Quote(e.Text))
	}
	return b.String()
}

// brief summarises the record before the window: how many entries of
// each kind, each seat's last offer, and the best one for this seat.
func brief(s *seat.Settings, early []seat.ActionDone) string {
	counts := map[string]int{}
	var kinds []string
	last := map[string]*seat.ActionDone{}
	var seats []string
	var best *seat.ActionDone
	for i := range early {
		e := &early[i]
		if counts[e.Event] == 0 {
			kinds = append(kinds, e.Event)
		}
		counts[e.Event]++
		if e.Outcome == nil || e.By == "" {
			continue
		}
		if last[e.By] == nil {
			seats = append(seats, e.By)
		}
		last[e.By] = e
		if e.Utility != nil && (best == nil || *e.Utility > *best.Utility) {
			best = e
		}
	}
	var b strings.Builder
	rounds := fmt.Sprintf("round %d", early[0].Round)
	if last := early[len(early)-1].Round; last != early[0].Round {
		rounds = fmt.Sprintf("rounds %d to %d", early[0].Round, last)
	}
	fmt.Fprintf(&b, "In brief, the first %d entries of the public record (%s; their messages are left out): ", len(early), rounds)
	for i, k := range kinds {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d %s", counts[k], k)
	}
	b.WriteString(".\n")
	for _, by := range seats {
		e := last[by]
		fmt.Fprintf(&b, "Last outcome from %s then: %s%s.\n", by, outcome(s, e.Outcome), worth(e.Utility))
	}
	if best != nil {
		fmt.Fprintf(&b, "The best for you then: %s by %s in round %d (worth %s to you).\n", outcome(s, best.Outcome), best.By, best.Round, num(*best.Utility))
	}
	return b.String()
}

// outcome renders an outcome as the JSON object an offer gives, in the
// order of the issues.
func outcome(s *seat.Settings, o map[string]any) string {
	var b strings.Builder
	b.WriteString("{")
	n := 0
	write := func(id string, v any) {
		if n > 0 {
			b.WriteString(",")
		}
		n++
		k, _ := json.Marshal(id)
		x, _ := json.Marshal(v)
		b.Write(k)
		b.WriteString(":")
		b.Write(x)
	}
	done := map[string]bool{}
	for _, is := range s.Issues {
		if v, ok := o[is.ID]; ok {
			write(is.ID, v)
			done[is.ID] = true
		}
	}
	var rest []string
	for id := range o {
		if !done[id] {
			rest = append(rest, id)
		}
	}
	slices.Sort(rest)
	for _, id := range rest {
		write(id, o[id])
	}
	b.WriteString("}")
	return b.String()
}

// worth says what an outcome is worth to the seat, if it has interests.
func worth(u *float64) string {
	if u == nil {
		return ""
	}
	return " (worth " + num(*u) + " to you)"
}

// num shows a utility with at most four decimals.
func num(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strconv.FormatFloat(math.Round(x*1e4)/1e4, 'f', -1, 64)
}

// key is a value as text: a string as it is, a number in its shortest
// form.
func key(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

// schema is the JSON Schema of an answer to a turn that allows may.
func schema(s *seat.Settings, may []string) json.RawMessage {
	outcome := map[string]any{"type": "null"}
	if slices.Contains(may, seat.ActOffer) {
		props := map[string]any{}
		req := make([]string, 0, len(s.Issues))
		for _, is := range s.Issues {
			props[is.ID] = valueSchema(&is)
			req = append(req, is.ID)
		}
		outcome = map[string]any{"anyOf": []any{
			map[string]any{"type": "object", "properties": props, "required": req, "additionalProperties": false},
			map[string]any{"type": "null"},
		}}
	}
	sch := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"reasoning": map[string]any{"type": "string", "description": "Private notes: kept in your log, never shown to the other seats."},
			"type":      map[string]any{"type": "string", "enum": may},
			"outcome":   outcome,
			"text":      map[string]any{"type": "string", "description": "A message for the public record, read by every seat (\"\" for none)."},
		},
		"required":             []string{"reasoning", "type", "outcome", "text"},
		"additionalProperties": false,
	}
	b, _ := json.Marshal(sch) // maps marshal with sorted keys: the same bytes each time
	return b
}

// valueSchema is the schema of one issue's value.
func valueSchema(is *seat.Issue) map[string]any {
	switch is.Kind {
	case "integer":
		if len(is.Values) > 0 {
			return map[string]any{"type": "integer", "minimum": is.Values[0], "maximum": is.Values[len(is.Values)-1]}
		}
	case "real":
		if len(is.Values) > 0 {
			return map[string]any{"type": "number", "minimum": is.Values[0], "maximum": is.Values[len(is.Values)-1]}
		}
	}
	ids := make([]string, len(is.Values))
	for v, x := range is.Values {
		ids[v] = key(x)
	}
	return map[string]any{"type": "string", "enum": ids}
}
