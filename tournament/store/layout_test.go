package store

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
)

// TestPlanLayout: each field is as narrow as the plan allows, and no
// narrower.
func TestPlanLayout(t *testing.T) {
	dom := domainsDir(t)
	for _, c := range []struct {
		domain, deadline string
		want             layout
		size             int
	}{
		// 27 outcomes, 100 rounds, discounted: 17 + 2·16.
		{"ANAC2011_Laptop", "", layout{seats: 2, discounted: true, outcome: 1, round: 2, walk: 1}, 49},
		// 15,625 outcomes, undiscounted: 18 + 2·8.
		{"ANAC2011_Car", "", layout{seats: 2, outcome: 2, round: 2, walk: 1}, 34},
		{"ANAC2011_Car", "deadline: {rounds: 65535}\n", layout{seats: 2, outcome: 2, round: 2, walk: 1}, 34},
		{"ANAC2011_Car", "deadline: {rounds: 65536}\n", layout{seats: 2, outcome: 2, round: 4, walk: 1}, 36},
		{"ANAC2011_Car", "deadline: {time: 2s}\n", layout{seats: 2, outcome: 2, round: 4, walk: 1}, 36},
		// 390,625 outcomes.
		{"ANAC2011_Energy", "", layout{seats: 2, outcome: 4, round: 2, walk: 1}, 36},
	} {
		t.Run(c.domain+" "+strings.TrimSpace(c.deadline), func(t *testing.T) {
			p, _ := writeSpec(t, t.TempDir(), fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware]\nrepetitions: 1\n%s", filepath.Join(dom, c.domain), c.deadline))
			got, err := planLayout(p)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want || got.size() != c.size {
				t.Errorf("got %+v (%d bytes), want %+v (%d bytes)", got, got.size(), c.want, c.size)
			}
		})
	}
}

// layouts are record shapes a store may have: every width of every
// bounded field.
var layouts = []layout{
	{seats: 3, discounted: true, outcome: 8, round: 4, walk: 2},
	{seats: 2, outcome: 8, round: 4, walk: 2},
	{seats: 2, discounted: true, outcome: 1, round: 2, walk: 1},
	{seats: 3, outcome: 2, round: 4, walk: 2},
	{seats: 1, discounted: true, outcome: 4, round: 2, walk: 1},
	{seats: 4, outcome: 8, round: 4, walk: 1},
}

// extremes are records at the limits of layout l: the largest value of
// every field, zeros, every status and end reason, utilities that are not
// plain numbers, fewer utilities than seats.
func extremes(l layout) []tournament.Record {
	most := func(w int) uint64 {
		if w >= 8 {
			return math.MaxUint64
		}
		return 1<<(8*w) - 1
	}
	var recs []tournament.Record
	for c, st := range statuses {
		if c == 0 {
			continue
		}
		for end := range protocol.EndReason(16) {
			n := len(recs)
			r := tournament.Record{Number: uint64(n), Agreed: n%2 == 0, Status: st, End: end, WalkedOut: -1, Round: n, Time: float64(n) / 97, Steps: 3 * n}
			if r.Agreed {
				r.Outcome = uint64(n)
			}
			switch n % 4 {
			case 1:
				r.Outcome, r.Round, r.WalkedOut, r.Steps = most(l.outcome), int(most(l.round)), int(most(l.walk))-1, math.MaxUint32
				r.Agreed = true
			case 2:
				r.Time = math.Copysign(0, -1)
			}
			us := []float64{0.25, math.Inf(1), math.Copysign(0, -1), 5e-324, -1.5, math.MaxFloat64}
			seats := l.seats - n%l.seats // some records have fewer seats than the layout
			for k := range seats {
				r.Utility = append(r.Utility, us[(n+k)%len(us)])
				d := r.Utility[k] * 0.9
				if !l.discounted {
					d = r.Utility[k]
				}
				r.Discounted = append(r.Discounted, d)
			}
			recs = append(recs, r)
		}
	}
	return recs
}

// TestLayoutRoundTrip: every layout decodes what it encodes, bit for bit,
// at the limits of its fields, and refuses a value one past them.
func TestLayoutRoundTrip(t *testing.T) {
	for _, l := range layouts {
		t.Run(l.String(), func(t *testing.T) {
			c := l.codec()
			b := make([]byte, l.size())
			for _, r := range extremes(l) {
				if err := c.encode(b, &r); err != nil {
					t.Fatal(err)
				}
				var got tournament.Record
				c.decode(b, &got, len(r.Utility))
				got.Number, r.Pareto, r.Nash, got.Pareto, got.Nash = r.Number, 0, 0, 0, 0
				sameRecords(t, "decoded", []tournament.Record{got}, []tournament.Record{r})
			}
			ok := tournament.Record{Agreed: true, Status: session.StatusAgreed, WalkedOut: -1, Utility: []float64{1}, Discounted: []float64{1}}
			for what, bad := range map[string]func(r *tournament.Record){
				"outcome": func(r *tournament.Record) { r.Outcome = 1 << (8 * l.outcome) },
				"round":   func(r *tournament.Record) { r.Round = 1 << (8 * l.round) },
				"walk":    func(r *tournament.Record) { r.WalkedOut = 1<<(8*l.walk) - 1 },
				"steps":   func(r *tournament.Record) { r.Steps = math.MaxUint32 + 1 },
				"end":     func(r *tournament.Record) { r.End = 16 },
				"seats": func(r *tournament.Record) {
					r.Utility, r.Discounted = make([]float64, l.seats+1), make([]float64, l.seats+1)
				},
			} {
				if what == "outcome" && l.outcome == 8 {
					continue
				}
				r := ok
				bad(&r)
				if err := c.encode(b, &r); err == nil || !strings.Contains(err.Error(), "does not fit the store's layout") {
					t.Errorf("%s out of range: %v", what, err)
				}
			}
		})
	}
}

// TestLayoutParse: meta.record_layout reads back as written, and anything
// else is refused.
func TestLayoutParse(t *testing.T) {
	for _, l := range layouts {
		got, err := parseLayout(l.String(), l.seats, l.discounted)
		if err != nil || got != l {
			t.Errorf("%s: got %+v, %v", l, got, err)
		}
	}
	for _, bad := range []string{"", "outcome=3 steps=4 round=2 flags=1 walked_out=1 time=8", "outcome=1 steps=4 round=2 flags=1 walked_out=1",
		"outcome=1 steps=4 round=2 flags=1 walked_out=1 time=8 extra=1", "outcome=8 steps=4 round=4 flags=2 walked_out=2 time=8", "outcome=1 steps=4 round=2 flags=1 walked_out=1 time=x", "outcome"} {
		if _, err := parseLayout(bad, 2, false); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestLayoutView: the sessions view decodes every layout's records in SQL
// exactly as Go does. The view is made for each layout over a temporary
// runs table of a real store, whose other tables it reads.
func TestLayoutView(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, carSpec(t))
	st, err := Create(filepath.Join(dir, "t.db"), p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, l := range layouts {
		t.Run(l.String(), func(t *testing.T) {
			recs := extremes(l)
			c := l.codec()
			data := make([]byte, len(recs)*l.size())
			for i := range recs {
				// A Car session has at most two seats' utilities.
				r := &recs[i]
				r.Utility, r.Discounted = r.Utility[:min(len(r.Utility), 2)], r.Discounted[:min(len(r.Discounted), 2)]
				if err := c.encode(data[i*l.size():(i+1)*l.size()], &recs[i]); err != nil {
					t.Fatal(err)
				}
			}
			view := strings.Replace(sessionsView(l), "CREATE VIEW sessions", "CREATE TEMP VIEW sessions", 1)
			for _, q := range []string{"DROP VIEW IF EXISTS temp.sessions", "DROP TABLE IF EXISTS temp.runs", "CREATE TEMP TABLE runs (first INTEGER PRIMARY KEY, n INTEGER, data BLOB)", view} {
				if err := st.exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if err := st.exec("INSERT INTO temp.runs VALUES (0, ?, ?)", len(recs), data); err != nil {
				t.Fatal(err)
			}
			// The view reads a Car session's two seats, its assignment and
			// repetition from the plan; the rest from the records.
			want := make([]tournament.Record, len(recs))
			for i, r := range recs {
				w := r
				seats := min(l.seats, 2)
				w.Utility, w.Discounted = make([]float64, seats), make([]float64, seats)
				for k := range seats {
					w.Utility[k], w.Discounted[k] = math.NaN(), math.NaN()
					if k < len(r.Utility) {
						w.Utility[k], w.Discounted[k] = r.Utility[k], r.Discounted[k]
					}
					w.Utility[k], w.Discounted[k] = inSQL(w.Utility[k]), inSQL(w.Discounted[k])
				}
				w.Time = inSQL(w.Time)
				w.Assignment, w.Repetition = uint64(i)/1500, i%1500
				w.Seed = tournament.SessionSeed(st.Canonical.Seed, uint64(i))
				if !w.Agreed {
					w.Outcome = 0
				}
				want[i] = w
			}
			// Seats beyond a Car session's two must read as NULL.
			lay := st.lay
			st.lay = layout{seats: l.seats}.codec()
			defer func() { st.lay = lay }()
			if l.seats > 2 {
				checkBeyond(t, st, l.seats)
			}
			st.lay.seats = min(l.seats, 2)
			checkSessionsView(t, st, want)
		})
	}
}

// inSQL is x as the sessions view reads it: infinities as NULL (not
// available), and -0 as 0 (SQLite has no negative zero).
func inSQL(x float64) float64 {
	if math.IsInf(x, 0) {
		return math.NaN()
	}
	if x == 0 {
		return 0
	}
	return x
}

// checkBeyond checks that the sessions view has NULL for every seat past
// a Car session's two.
func checkBeyond(t *testing.T, st *Store, seats int) {
	t.Helper()
	for k := 3; k <= seats; k++ {
		var n int
		q := fmt.Sprintf("SELECT count(*) FROM sessions WHERE utility_%d IS NOT NULL OR discounted_%d IS NOT NULL", k, k)
		if err := st.conn.QueryRowContext(context.Background(), q).Scan(&n); err != nil || n != 0 {
			t.Errorf("seat %d: %d sessions with a value (%v)", k, n, err)
		}
	}
}

// TestAlteredLayoutRefused: a store whose record_layout was altered, to
// something unreadable or to widths its records do not have, is refused.
func TestAlteredLayoutRefused(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, laptopSpec(t, ""))
	for i, c := range []struct{ layout, want string }{
		{"outcome=1 steps=4", `its record layout "outcome=1 steps=4" is not parley's`},
		{"outcome=2 steps=4 round=2 flags=1 walked_out=1 time=8", "its records are 49 bytes, but its spec's 2 seats and its record layout (outcome=2 steps=4 round=2 flags=1 walked_out=1 time=8) make them 50"},
		{"outcome=1 steps=4 round=2 flags=2 walked_out=1 time=8", "field flags of 2 bytes"},
	} {
		db := alteredStore(t, p, filepath.Join(dir, fmt.Sprintf("t%d.db", i)), "UPDATE meta SET value = '"+c.layout+"' WHERE key = 'record_layout'")
		if _, err := Open(db); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "altered") {
			t.Errorf("%s: got %v", c.layout, err)
		}
	}
}
