package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
)

// storedRow reads the row of records holding session id.
func storedRow(t *testing.T, db string, id uint64) (first, n int64, data []byte) {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.QueryRow("SELECT first, n, data FROM runs WHERE first <= ? ORDER BY first DESC LIMIT 1", int64(id)).Scan(&first, &n, &data); err != nil {
		t.Fatal(err)
	}
	return first, n, data
}

// copyFile copies a store (closed: one file) to a new path.
func copyFile(t *testing.T, from, to string) string {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return to
}

// resumeDamaged resumes db as parley tournament --rerun-damaged does,
// checks that exactly the removed rows' sessions are played again, and
// that the store then equals want.
func resumeDamaged(t *testing.T, p *tournament.Plan, db string, want []tournament.Record, rows []Damage) {
	t.Helper()
	st, err := Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Done(); !errors.As(err, new(*DamagedError)) {
		t.Errorf("resuming the damaged store: Done gives %v, want the damaged rows", err)
	}
	removed, err := st.RemoveDamaged()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(removed) != fmt.Sprint(rows) {
		t.Errorf("removed %v, want %v", removed, rows)
	}
	done, err := st.Done()
	if err != nil {
		t.Fatal(err)
	}
	stats, err := tournament.Run(context.Background(), p, st, tournament.Options{Workers: 2, Done: done})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if played := (&DamagedError{Rows: rows}).Sessions(); stats.Committed != played {
		t.Errorf("the resumed run played %d sessions, want the %d of the damaged rows", stats.Committed, played)
	}
	sameRecords(t, "rerun", dump(t, db), want)
}

// TestDamagedRecordsFound flips bytes inside a store's record pages, as a
// failing disk or a careless edit would: SQLite's integrity check finds
// nothing wrong, but the row's checksum does. Reports, exports and resuming
// all refuse the file, naming the row's sessions; --rerun-damaged removes
// the row and plays exactly those sessions again, to the same results.
func TestDamagedRecordsFound(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, fmt.Sprintf("seed: 2\nscenarios: [%s]\nnegotiators: [boulware, conceder]\nrotation: distinct\nrepetitions: 2000\n",
		filepath.Join(domainsDir(t), "ANAC2011_Laptop")))
	good := filepath.Join(dir, "good.db")
	runInProcess(t, p, good, 2)
	want := dump(t, good)
	first, n, data := storedRow(t, good, 2000)
	if first == 0 {
		t.Fatalf("session 2000 is in the first row (%d sessions): the test wants a row in the middle", n)
	}
	file, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// Session 2000's outcome (its first byte): 249 in a 27-outcome domain,
	// and a bit of its time; in every copy of the row (a page the B-tree
	// no longer uses may hold an old one).
	rec := int(2000-first) * len(data) / int(n)
	copies := 0
	for at := 0; ; copies++ {
		i := bytes.Index(file[at:], data)
		if i < 0 {
			break
		}
		at += i
		file[at+rec] = 249
		file[at+rec+20] ^= 0x40
		at += len(data)
	}
	if copies == 0 {
		t.Fatal("the row's records are not in the file")
	}
	bad := filepath.Join(dir, "bad.db")
	if err := os.WriteFile(bad, file, 0o644); err != nil {
		t.Fatal(err)
	}
	rows := []Damage{{First: uint64(first), Sessions: uint64(n), Why: "its checksum does not match its records"}}
	wantMsg := fmt.Sprintf("1 damaged row of results, %d sessions:\n  sessions %d to %d: its checksum does not match its records", n, first, first+n-1)
	_, err = Open(bad)
	var de *DamagedError
	if !errors.As(err, &de) || fmt.Sprint(de.Rows) != fmt.Sprint(rows) || !strings.Contains(err.Error(), wantMsg) || !strings.Contains(err.Error(), "--rerun-damaged") {
		t.Fatalf("report of a store with a flipped byte: %v", err)
	}
	resumeDamaged(t, p, bad, want, rows)
}

// TestAlteredRecordsFound alters one record and recomputes its row's
// checksum (as an editor, or a bug in a writer, could): each value no
// session of the tournament can give is found by the checks against the
// canonical spec, naming the session and the value.
func TestAlteredRecordsFound(t *testing.T) {
	dir := t.TempDir()
	d := domainsDir(t)
	// Laptop (27 outcomes, 2 seats, discounted) and Tram (3 seats): a
	// Laptop record has no third seat.
	p, _ := writeSpec(t, dir, fmt.Sprintf(killSpec, filepath.Join(d, "ANAC2011_Laptop"), filepath.Join(d, "ANAC2015_Tram"), 4))
	good := filepath.Join(dir, "good.db")
	runInProcess(t, p, good, 2)
	want := dump(t, good)
	id := -1
	for i, r := range want {
		if r.Scenario == 0 && r.Agreed && r.Status == session.StatusAgreed && r.Round > 1 && r.Utility[0] > 0.5 {
			id = i
			break
		}
	}
	if id < 0 {
		t.Fatal("no agreed Laptop session to alter")
	}
	l, err := parseLayout("outcome=2 steps=4 round=2 flags=1 walked_out=1 time=8", 3, true)
	if err != nil {
		t.Fatal(err)
	}
	c := l.codec()
	st, err := Open(good)
	if err != nil {
		t.Fatal(err)
	}
	if st.Close(); st.lay != c {
		t.Fatalf("the store's layout is %s, want %s", st.lay.layout, l)
	}
	float := func(off int, x float64) func(b []byte) {
		return func(b []byte) { binary.BigEndian.PutUint64(b[off:], math.Float64bits(x)) }
	}
	round := want[id].Round
	for _, tc := range []struct {
		what string
		edit func(b []byte)
		why  string
	}{
		{"outcome", func(b []byte) { binary.BigEndian.PutUint16(b, 249) }, "outcome 249, but scenario ANAC2011_Laptop has 27 outcomes"},
		{"utility", float(c.atUtility, -54771), fmt.Sprintf("seat 1's utility -54771 is not one a session ending in round %d can pay", round)},
		{"utility above 1", float(c.atUtility+8, 1.5), fmt.Sprintf("seat 2's utility 1.5 is not one a session ending in round %d can pay", round)},
		{"NaN utility", float(c.atUtility, math.NaN()), "seat 1's utility NaN"},
		{"discounted", float(c.atDiscounted, 2), "seat 1's discounted utility 2 is not its utility"},
		{"third seat", float(c.atUtility+16, 0.5), "it has a utility for seat 3, but scenario ANAC2011_Laptop has 2 seats"},
		{"status", func(b []byte) { b[c.atFlags] |= 7 << 4 }, "status code 7 is none of the statuses"},
		{"end reason", func(b []byte) { b[c.atFlags] = b[c.atFlags]&^15 | 9 }, "end reason 9 is none of the end reasons"},
		{"agreed", func(b []byte) { b[c.atFlags] &^= 1 << 7 }, "agreed is false with status agreed"},
		{"round", func(b []byte) { binary.BigEndian.PutUint16(b[c.atRound:], 101) }, "it ended in round 101, past the deadline of 100 rounds"},
		{"time", float(c.atTime, 1.5), "its normalised end time 1.5 is not between 0 and 1"},
		{"walked out", func(b []byte) { b[c.atWalk] = 9 }, "seat 9 walked out, but scenario ANAC2011_Laptop has 2 seats"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			db := copyFile(t, good, filepath.Join(t.TempDir(), "t.db"))
			first, n := alterRecord(t, db, uint64(id), c.size(), tc.edit)
			_, err := Open(db)
			var de *DamagedError
			wantWhy := fmt.Sprintf("session %d: %s", id, tc.why)
			if !errors.As(err, &de) || len(de.Rows) != 1 || !strings.HasPrefix(de.Rows[0].Why, wantWhy) {
				t.Fatalf("got %v, want a damaged row: %s", err, wantWhy)
			}
			resumeDamaged(t, p, db, want, []Damage{{First: first, Sessions: n, Why: de.Rows[0].Why}})
		})
	}
}

// alterRecord edits session id's record in db and gives its row the
// checksum of what it then holds.
func alterRecord(t *testing.T, db string, id uint64, size int, edit func(b []byte)) (first, n uint64) {
	t.Helper()
	f, m, data := storedRow(t, db, id)
	off := int(id-uint64(f)) * size
	edit(data[off : off+size])
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec("UPDATE runs SET data = ?, sum = ? WHERE first = ?", data, int64(rowSum(uint64(f), uint64(m), data, nil)), f); err != nil {
		t.Fatal(err)
	}
	return uint64(f), uint64(m)
}

// TestAlteredPointsFound: the Pareto and Nash points that distances are
// measured against carry a checksum too.
func TestAlteredPointsFound(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, carSpec(t))
	db := filepath.Join(dir, "t.db")
	runInProcess(t, p, db, 2)
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("UPDATE points SET u_1 = u_1 / 2 WHERE kind = 'pareto' AND point = 3"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if _, err := Open(db); err == nil || !strings.Contains(err.Error(), "its Pareto and Nash points do not match their checksum") {
		t.Errorf("got %v", err)
	}
}

// TestChecksPassRealSessions: the checks against the canonical spec pass
// every session real tournaments record, whatever the protocol, with the
// flagship's delay costs, drifts, events, red lines, agenda and votes, at
// deadlines in rounds and in time: a check that refused a session a
// tournament can play would make its store unreadable.
func TestChecksPassRealSessions(t *testing.T) {
	d := domainsDir(t)
	flagship, err := filepath.Abs("../../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ scenario, protocol string }{
		{filepath.Join(d, "ANAC2011_Laptop"), "protocol: amop"},
		{filepath.Join(d, "ANAC2015_Tram"), "protocol: amop-majority"},
		{filepath.Join(d, "ANAC2015_Tram"), "protocol: mediated\nmediator: hillclimb"},
		{flagship, "protocol: shuttle\nmediator: broker"},
		{flagship, "protocol: mediated\nmediator: broker"},
		{flagship, "protocol: saop"},
	} {
		for _, deadline := range []string{"deadline: {rounds: 3}", "deadline: {rounds: 40}", "deadline: {time: 50ms, rounds: 20}"} {
			dir := t.TempDir()
			p, _ := writeSpec(t, dir, fmt.Sprintf("seed: 3\nscenarios: [%s]\nnegotiators: [boulware, conceder, linear, random, hardliner]\nrepetitions: 2\n%s\n%s\n",
				c.scenario, c.protocol, deadline))
			db := filepath.Join(dir, "t.db")
			runInProcess(t, p, db, 2)
			st, err := Open(db)
			if err != nil {
				t.Errorf("%s, %s, %s: %v", filepath.Base(c.scenario), c.protocol, deadline, err)
				continue
			}
			if n, err := st.Count(); err != nil || n != p.Total {
				t.Errorf("%s, %s, %s: %d sessions of %d (%v)", filepath.Base(c.scenario), c.protocol, deadline, n, p.Total, err)
			}
			st.Close()
		}
	}
}
