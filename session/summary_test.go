package session

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
)

// shownAll is the summary's cut computed on every row at once (as it was
// before rows were cut while the session ran): the reference for Summary.
func shownAll(rows []line, lines int) string {
	var evs []int
	for i, o := range rows {
		if o.t >= 0 {
			evs = append(evs, i)
		}
	}
	show := make([]bool, len(rows))
	for i, o := range rows {
		show[i] = o.t < 0 && !o.said
	}
	cut := -1
	if lines <= 0 || len(evs) <= 2*lines+1 {
		for _, i := range evs {
			show[i] = true
		}
	} else {
		for _, i := range evs[:lines] {
			show[i] = true
		}
		for _, i := range evs[len(evs)-lines:] {
			show[i] = true
		}
		cut = evs[lines]
	}
	// Free text is shown with the event it follows.
	for i, o := range rows {
		if o.said && i > 0 {
			show[i] = show[i-1]
		}
	}
	var b strings.Builder
	for i, o := range rows {
		if i == cut {
			fmt.Fprintf(&b, "…(%d) ", len(evs)-2*lines)
		}
		if show[i] {
			b.WriteString(o.what + " ")
		}
	}
	return b.String()
}

func shownStreamed(rows []line, lines int) (string, int) {
	x := NewSummary(lines)
	most := 0
	for _, o := range rows {
		x.add(o)
		most = max(most, len(x.rows))
	}
	x.finish()
	var b strings.Builder
	for i, o := range x.rows {
		if i == x.cut {
			fmt.Fprintf(&b, "…(%d) ", x.dropped)
		}
		b.WriteString(o.what + " ")
	}
	return b.String(), most
}

// TestSummaryCut: cutting events while the session runs shows the same
// rows as cutting them all at the end, and keeps only the rows it shows.
func TestSummaryCut(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for trial := range 3000 {
		n, lines := rnd.IntN(60), rnd.IntN(6)
		rows := make([]line, n)
		notes := 0
		for i := range rows {
			rows[i] = line{t: float64(i), what: fmt.Sprintf("e%d", i)}
			switch k := rnd.IntN(5); {
			case k == 0:
				rows[i] = line{t: -1, what: fmt.Sprintf("n%d", i)}
				notes++
			case k == 1 && i > 0 && rows[i-1].t >= 0:
				// Free text said with the event before it.
				rows[i] = line{t: -1, what: fmt.Sprintf("s%d", i), said: true}
			}
		}
		want := shownAll(rows, lines)
		got, most := shownStreamed(rows, lines)
		if got != want {
			t.Fatalf("trial %d (lines %d):\nstreamed %s\nat once  %s", trial, lines, got, want)
		}
		if lines > 0 && most > notes+2*(2*lines+2) {
			t.Fatalf("trial %d: held %d rows for %d notes and %d lines", trial, most, notes, lines)
		}
	}
}

// TestSummaryText writes the summary of the flagship under shuttle
// diplomacy: the set-up, the notes (always shown), the cut exchange with
// the number of events it hides, and the voided deal.
func TestSummaryText(t *testing.T) {
	cfg := Config{Scenario: loadTestdata(t, "../../examples/ukraine-2025.yaml"), Protocol: "shuttle", Negotiators: []string{"conceder"},
		Deadline: protocol.Deadline{Rounds: 100}}
	var r *Runner
	sum := NewSummary(2)
	events, notes := 0, 0
	cfg.OnEvent = func(ev protocol.Event) { events++; sum.Observe(r, ev) }
	cfg.OnNote = func(n Note) { notes++; sum.Note(n) }
	r, err := NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(0); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := sum.WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Ending the war in Ukraine (White House, 18 August 2025): protocol shuttle, deadline 100 rounds (2025-08-18 to 2025-11-25, a day a round), seed 0\n",
		"  us                       broker (mediator)\n",
		"Agenda: truce (ceasefire) → settlement (territory, guarantees, troops, summit, law)\n",
		"Meeting trilateral_summit (us, ua, ru) is a term of the deal: summit = Trump-Putin-Zelensky summit; judged when its phase opens.\n",
		"Meeting trilateral_summit does not take place: the deal does not include summit = Trump-Putin-Zelensky summit.\n",
		fmt.Sprintf("(%d events)", events-4),
		"parliament of ua passes",
		"referendum of ua fails",
		"Status: not_ratified: the deal is void",
		"Red lines: offers and texts crossing them: ru 6\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary lacks %q:\n%s", want, out)
		}
	}
	// The table holds its header, every note, two events at each end and
	// the cut.
	table := out[strings.Index(out, "round  t"):]
	table = table[:strings.Index(table, "\n\n")]
	if got, want := strings.Count(table, "\n")+1, 1+notes+4+1; got != want {
		t.Errorf("the exchange has %d lines, want %d (%d notes):\n%s", got, want, notes, table)
	}
	// A failed write is reported.
	if err := sum.WriteText(failingWriter{}, r); err == nil {
		t.Error("a failed write gave no error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
