package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// shownAll is the summary's cut computed on every row at once (as it was
// before rows were cut while the session ran): the reference for exchange.
func shownAll(rows []row, lines int) string {
	var evs []int
	for i, o := range rows {
		if o.t >= 0 {
			evs = append(evs, i)
		}
	}
	show := make([]bool, len(rows))
	for i, o := range rows {
		show[i] = o.t < 0
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

func shownStreamed(rows []row, lines int) (string, int) {
	x := exchange{lines: lines, cut: -1}
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

// TestExchange: cutting events while the session runs shows the same rows
// as cutting them all at the end, and keeps only the rows it shows.
func TestExchange(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for trial := range 3000 {
		n, lines := rnd.IntN(60), rnd.IntN(6)
		rows := make([]row, n)
		notes := 0
		for i := range rows {
			rows[i] = row{t: float64(i), what: fmt.Sprintf("e%d", i)}
			if rnd.IntN(5) == 0 {
				rows[i] = row{t: -1, what: fmt.Sprintf("n%d", i)}
				notes++
			}
		}
		want := shownAll(rows, lines)
		got, most := shownStreamed(rows, lines)
		if got != want {
			t.Fatalf("trial %d (lines %d):\nstreamed %s\nat once  %s", trial, lines, got, want)
		}
		if lines > 0 && most > notes+2*lines+2 {
			t.Fatalf("trial %d: held %d rows for %d notes and %d lines", trial, most, notes, lines)
		}
	}
}
