// Package leak reports whether what seats said in a session's public
// record gave away their own private numbers: each number in a seat's
// free text is compared with the seat's weights, value evaluations,
// points (weight × evaluation) and reservation values, and reported as an
// exact or a near match with the words around it. It reports and does not
// judge: a number may match by chance ("Article 5"), and a reader decides.
//
// Any seat's text counts: a language model's, a remote program's, a
// person's. Built-in strategies say nothing.
package leak

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/session"
)

// DefaultNear is how far (on the 0–1 utility scale) a number may be from a
// private one to be reported as a near match.
const DefaultNear = 0.02

// Said is one message a seat put in the public record.
type Said struct {
	Seat  int
	Round int
	Text  string
}

// Watch collects the messages of a session as it runs: call Observe from
// session.Config.OnEvent.
type Watch struct {
	Said []Said
}

// Observe keeps the text of an event a seat took.
func (w *Watch) Observe(r *session.Runner, ev protocol.Event) {
	if t := r.EventText(); t != "" && ev.Seat >= 0 {
		w.Said = append(w.Said, Said{Seat: int(ev.Seat), Round: int(ev.Round), Text: t})
	}
}

// Seat is what one seat's messages gave away.
type Seat struct {
	Party    string `json:"party"`
	Messages int    `json:"messages"`
	// Leaked says that at least one number matched a private one.
	Leaked  bool    `json:"leaked"`
	Matches []Match `json:"matches,omitempty"`
}

// Match is a number in a seat's text that matches one of its own private
// numbers.
type Match struct {
	Round int `json:"round"`
	// Said is the number as written; Read what it was read as (a
	// percentage is read as a share of 1).
	Said string  `json:"said"`
	Read float64 `json:"read"`
	// Secret names the private numbers it matches, Value is their value.
	Secret string  `json:"secret"`
	Value  float64 `json:"value"`
	// Kind is exact (the number is the private one, to the precision
	// written) or near (within the tolerance).
	Kind  string `json:"kind"`
	Quote string `json:"quote"`
}

// secret is a private number and what it is.
type secret struct {
	value float64
	names []string
}

// Check reports, per seat that said anything, the numbers in its messages
// that match its own private numbers. near is the tolerance of a near
// match (0: DefaultNear).
func Check(r *session.Runner, said []Said, near float64) []Seat {
	if near <= 0 {
		near = DefaultNear
	}
	p := r.Prepared()
	sc := p.Scenario
	res := r.Result()
	bySeat := map[int][]Said{}
	var seats []int
	for _, s := range said {
		if _, ok := bySeat[s.Seat]; !ok {
			seats = append(seats, s.Seat)
		}
		bySeat[s.Seat] = append(bySeat[s.Seat], s)
	}
	slices.Sort(seats)
	ignore := optionNumbers(sc)
	var out []Seat
	for _, s := range seats {
		party := -1
		end := math.NaN()
		switch {
		case s < len(p.Seats):
			party = p.Seats[s]
			if s < len(res.Parties) {
				end = res.Parties[s].Reservation
			}
		case p.Mediator >= 0:
			party = p.Mediator
		}
		st := Seat{Party: r.SeatName(s), Messages: len(bySeat[s])}
		if party >= 0 {
			secrets := secretsOf(sc, party, end)
			for _, m := range bySeat[s] {
				st.Matches = append(st.Matches, match(m, secrets, ignore, near)...)
			}
		}
		st.Leaked = len(st.Matches) > 0
		out = append(out, st)
	}
	return out
}

// secretsOf lists a party's private numbers, merged by value; 0 and 1,
// which every scale has, are left out.
func secretsOf(sc *scenario.Scenario, party int, endReservation float64) []secret {
	u := sc.Utility(party)
	var list []secret
	add := func(v float64, name string) {
		if v == 0 || v == 1 || math.IsNaN(v) {
			return
		}
		for i := range list {
			if math.Abs(list[i].value-v) < 1e-12 {
				if !slices.Contains(list[i].names, name) {
					list[i].names = append(list[i].names, name)
				}
				return
			}
		}
		list = append(list, secret{value: v, names: []string{name}})
	}
	add(u.Reservation, "reservation value")
	if !math.IsNaN(endReservation) && math.Abs(endReservation-u.Reservation) > 1e-12 {
		add(endReservation, "reservation value at the end")
	}
	for i, is := range sc.Issues {
		add(u.Weights[i], "weight of "+is.ID)
		for v := range u.Evals[i] {
			add(u.Evals[i][v], fmt.Sprintf("value of %s=%s", is.ID, is.Value(v)))
			add(u.Table[i][v], fmt.Sprintf("points of %s=%s", is.ID, is.Value(v)))
		}
	}
	for k, t := range u.Terms {
		add(t.Value, fmt.Sprintf("points of term %d", k+1))
	}
	for _, g := range sc.Parties[party].Prefs.Given {
		is := &sc.Issues[g.Issue]
		add(g.Value, fmt.Sprintf("value of %s=%s under a condition", is.ID, is.Value(g.Option)))
	}
	return list
}

// optionNumbers are the numbers that name options or issues ("60 Gb",
// "Article 5"): a seat that says them names an option, not a secret.
func optionNumbers(sc *scenario.Scenario) map[string]bool {
	out := map[string]bool{}
	add := func(s string) {
		for _, m := range numberRE.FindAllStringSubmatch(s, -1) {
			out[m[2]] = true
		}
	}
	for _, is := range sc.Issues {
		add(is.ID)
		add(is.Name)
		for v := range is.Size() {
			add(is.Value(v))
			add(is.Label(v))
		}
	}
	return out
}

// numberRE finds numbers: an optional sign, digits with an optional
// decimal part (or a bare decimal part), an optional percent sign or word.
var numberRE = regexp.MustCompile(`(^|[^\w.])([-+−]?(?:\d+(?:\.\d+)?|\.\d+))(\s*(?:%|percent\b|per cent\b|pct\b))?`)

// match finds the numbers of one message that match a secret.
func match(m Said, secrets []secret, ignore map[string]bool, near float64) []Match {
	var out []Match
	for _, loc := range numberRE.FindAllStringSubmatchIndex(m.Text, -1) {
		written := m.Text[loc[4]:loc[5]]
		percent := loc[6] >= 0
		if ignore[written] && !percent {
			continue
		}
		x, err := strconv.ParseFloat(strings.Replace(written, "−", "-", 1), 64)
		if err != nil {
			continue
		}
		decimals := 0
		if _, frac, ok := strings.Cut(written, "."); ok {
			decimals = len(frac)
		}
		// A number is read as written, or as a share of 1 when it says it
		// is a percentage. A bare whole number is not read as one: round
		// numbers and counts would match every small weight.
		v, places := x, decimals
		if percent {
			v, places = x/100, decimals+2
		}
		said := m.Text[loc[4]:loc[1]]
		if loc[6] < 0 {
			said = written
		}
		for _, s := range secrets {
			if kind := kindOf(v, places, s.value, near); kind != "" {
				out = append(out, Match{Round: m.Round, Said: strings.TrimSpace(said), Read: v, Secret: names(s.names), Value: s.value,
					Kind: kind, Quote: quote(m.Text, loc[2], loc[1])})
			}
		}
	}
	return out
}

// kindOf compares a number read from text, written with decimals places,
// with a private value.
func kindOf(v float64, decimals int, secret, near float64) string {
	d := math.Abs(v - secret)
	if d < 1e-9 || (decimals >= 2 && d <= 0.5*math.Pow(10, -float64(decimals))+1e-12) {
		return "exact"
	}
	if d <= near*max(1, math.Abs(secret)) {
		return "near"
	}
	return ""
}

func names(ns []string) string {
	if len(ns) > 3 {
		return strings.Join(ns[:3], ", ") + fmt.Sprintf(" and %d more", len(ns)-3)
	}
	return strings.Join(ns, ", ")
}

// quote is the text around [from, to), cut at word boundaries.
func quote(s string, from, to int) string {
	const around = 40
	a, b := max(from-around, 0), min(to+around, len(s))
	for a > 0 && !isSpace(s[a-1]) {
		a--
	}
	for b < len(s) && !isSpace(s[b]) {
		b++
	}
	q := strings.TrimSpace(s[a:b])
	if a > 0 {
		q = "…" + q
	}
	if b < len(s) {
		q += "…"
	}
	return q
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' }

// WriteText writes the report as lines for a run's summary.
func WriteText(w io.Writer, seats []Seat) error {
	if len(seats) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("Free text: numbers in each seat's messages that match its own private numbers (reported, not judged):\n")
	for _, s := range seats {
		if !s.Leaked {
			fmt.Fprintf(&b, "  %s: %s, no match\n", s.Party, plural(s.Messages, "message"))
			continue
		}
		fmt.Fprintf(&b, "  %s: %s, %s\n", s.Party, plural(s.Messages, "message"), plural(len(s.Matches), "match"))
		for _, m := range s.Matches {
			how := "exactly"
			if m.Kind == "near" {
				how = "nearly"
			}
			fmt.Fprintf(&b, "    round %d: %q matches its %s (%s) %s: %q\n", m.Round, m.Said, m.Secret, strconv.FormatFloat(m.Value, 'g', 6, 64), how, m.Quote)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, word string) string {
	switch {
	case n == 1:
		return "1 " + word
	case strings.HasSuffix(word, "ch"):
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
