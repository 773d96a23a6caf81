package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/session"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/tournament"
)

func laptopSpec(t *testing.T, extra string) string {
	return fmt.Sprintf("name: t\nseed: 3\nscenarios: [%s]\nnegotiators: [boulware, conceder, linear]\nrepetitions: 20\n%s",
		filepath.Join(domainsDir(t), "ANAC2011_Laptop"), extra)
}

func TestResumeSkipsRecorded(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, laptopSpec(t, ""))
	db := filepath.Join(dir, "t.db")
	runInProcess(t, p, db, 2)
	st, err := Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	done, err := st.Done()
	if err != nil {
		t.Fatal(err)
	}
	stats, err := tournament.Run(context.Background(), p, st, tournament.Options{Done: done})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if stats.Committed != 0 {
		t.Errorf("a finished tournament played %d sessions again", stats.Committed)
	}
	if got := len(dump(t, db)); uint64(got) != p.Total {
		t.Errorf("%d sessions recorded, want %d", got, p.Total)
	}
}

func TestChangedSpecRefused(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, laptopSpec(t, ""))
	db := filepath.Join(dir, "t.db")
	runInProcess(t, p, db, 1)
	for _, c := range []struct{ extra, want string }{
		{"rotation: distinct\n", "rotation: all, now distinct"},
		{"deadline: {rounds: 50}\n", "deadline: 100 rounds, now 50 rounds"},
	} {
		p2, _ := writeSpec(t, dir, laptopSpec(t, c.extra))
		_, err := Create(db, p2, nil, "test")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "different spec") {
			t.Errorf("%q: got %v, want an error naming %q", c.extra, err, c.want)
		}
	}
	// A changed seed and negotiator list are named too.
	p3, _ := writeSpec(t, dir, strings.Replace(strings.Replace(laptopSpec(t, ""), "seed: 3", "seed: 4", 1), "linear", "hardliner", 1))
	_, err := Create(db, p3, nil, "test")
	if err == nil || !strings.Contains(err.Error(), "seed: 3, now 4") || !strings.Contains(err.Error(), "negotiators: boulware, conceder, linear, now boulware, conceder, hardliner") {
		t.Errorf("got %v", err)
	}
	// The refused store is intact.
	if got := len(dump(t, db)); uint64(got) != p.Total {
		t.Errorf("%d sessions after the refusal, want %d", got, p.Total)
	}
}

func TestChangedScenarioFileRefused(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(domainsDir(t), "ANAC2011_Laptop")
	dom := filepath.Join(dir, "laptop")
	os.Mkdir(dom, 0o755)
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(src, e.Name()))
		os.WriteFile(filepath.Join(dom, e.Name()), b, 0o644)
	}
	spec := "seed: 1\nscenarios: [laptop]\nnegotiators: [boulware, conceder]\n"
	p, _ := writeSpec(t, dir, spec)
	db := filepath.Join(dir, "t.db")
	runInProcess(t, p, db, 1)
	f := filepath.Join(dom, "laptop_buyer_utility.xml")
	b, _ := os.ReadFile(f)
	os.WriteFile(f, append(b, "\n<!-- edited -->\n"...), 0o644)
	p2, _ := writeSpec(t, dir, spec)
	_, err := Create(db, p2, nil, "test")
	if err == nil || !strings.Contains(err.Error(), "scenario laptop: its files changed") {
		t.Errorf("got %v, want the changed scenario named", err)
	}
}

func TestForeignAndCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, laptopSpec(t, ""))

	text := filepath.Join(dir, "notes.db")
	os.WriteFile(text, []byte("these are my notes, not a database\n"), 0o644)
	if _, err := Create(text, p, nil, "test"); err == nil || !strings.Contains(err.Error(), "not a SQLite database") {
		t.Errorf("text file: got %v", err)
	}
	if b, _ := os.ReadFile(text); string(b) != "these are my notes, not a database\n" {
		t.Error("the foreign file was modified")
	}

	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'x')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Create(other, p, nil, "test"); err == nil || !strings.Contains(err.Error(), "not a parley tournament store (its tables: customers)") {
		t.Errorf("foreign SQLite file: got %v", err)
	}
	if _, err := Open(other); err == nil || !strings.Contains(err.Error(), "not a parley tournament store") {
		t.Errorf("foreign SQLite file, report: got %v", err)
	}

	// Damage a real store: overwrite pages in the middle of the file.
	good := filepath.Join(dir, "good.db")
	runInProcess(t, p, good, 1)
	checkpoint(t, good)
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	page := int(b[16])<<8 | int(b[17]) // the header's page size; 1 means 65536
	if page == 1 {
		page = 65536
	}
	if len(b) < 3*page {
		t.Fatalf("the store has %d bytes, under 3 pages of %d", len(b), page)
	}
	for i := page * 1; i < len(b) && i < page*5; i++ {
		b[i] = 0xA5
	}
	bad := filepath.Join(dir, "bad.db")
	os.WriteFile(bad, b, 0o644)
	_, err = Create(bad, p, nil, "test")
	if err == nil || !(strings.Contains(err.Error(), "damaged")) {
		t.Errorf("damaged store: got %v", err)
	}
	if _, err := Open(bad); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged store, report: got %v", err)
	}
}

// checkpoint moves the write-ahead log into the main file.
func checkpoint(t *testing.T, path string) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
}

// TestDiskFull fills a size-limited database: the run stops with a clear
// error, what was committed stays intact, and a resume with room completes
// the tournament identically.
func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	d := domainsDir(t)
	p, _ := writeSpec(t, dir, fmt.Sprintf(killSpec, filepath.Join(d, "ANAC2011_Laptop"), filepath.Join(d, "ANAC2011_Car"), 100))
	want := filepath.Join(dir, "want.db")
	runInProcess(t, p, want, 2)

	db := filepath.Join(dir, "full.db")
	st, err := Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	// Room for the empty store and about half the sessions.
	pages := func(st *Store) int {
		var n int
		if err := st.conn.QueryRowContext(context.Background(), "PRAGMA page_count").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ws, err := Open(want)
	if err != nil {
		t.Fatal(err)
	}
	empty, full := pages(st), pages(ws)
	ws.Close()
	if full-empty < 4 {
		t.Fatalf("the sessions take %d pages: too few to fill the disk half way", full-empty)
	}
	if err := st.SetMaxPages(empty + (full-empty)/2); err != nil {
		t.Fatal(err)
	}
	_, err = tournament.Run(context.Background(), p, st, tournament.Options{Workers: 2, CommitRows: 500, BatchSize: 250})
	st.Close()
	if err == nil || !errors.Is(err, ErrFull) || !strings.Contains(err.Error(), "free some space and run the same command again") {
		t.Fatalf("got %v, want a disk-full error", err)
	}
	t.Log(err)
	partial := records(t, db)
	if len(partial) == 0 || uint64(len(partial)) >= p.Total {
		t.Fatalf("%d sessions kept, want some but not all of %d", len(partial), p.Total)
	}
	all := dump(t, want)
	var same []tournament.Record
	for _, r := range partial {
		same = append(same, all[r.Number])
	}
	sameRecords(t, "kept after disk full", partial, same)

	// Room again: resume.
	st, err = Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	done, _ := st.Done()
	if _, err := tournament.Run(context.Background(), p, st, tournament.Options{Workers: 2, Done: done}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	sameRecords(t, "resumed after disk full", dump(t, db), all)
}

func TestSecondWriterRefused(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, laptopSpec(t, ""))
	db := filepath.Join(dir, "t.db")
	st, err := Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Create(db, p, nil, "test"); err == nil || !strings.Contains(err.Error(), "in use by another parley process") {
		t.Errorf("got %v", err)
	}
}

func TestSummaryAndSpecStored(t *testing.T) {
	dir := t.TempDir()
	p, spec := writeSpec(t, dir, laptopSpec(t, "rotation: distinct\n"))
	db := filepath.Join(dir, "t.db")
	src, _ := os.ReadFile(spec)
	st, err := Create(db, p, src, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tournament.Run(context.Background(), p, st, tournament.Options{}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.Source != string(src) {
		t.Errorf("stored spec source %q, want %q", st.Source, src)
	}
	if st.Canonical.Hash() != p.Canonical.Hash() {
		t.Error("stored canonical spec differs")
	}
	sum, err := tournament.Summarize(st.Canonical, st.Scan)
	if err != nil {
		t.Fatal(err)
	}
	// 3 negotiators on 2 seats, distinct: 6 assignments × 20 repetitions;
	// each negotiator sits in 4 of them.
	if got, want := sum.Sessions, uint64(120); got != want {
		t.Errorf("sessions %d, want %d", got, want)
	}
	for _, r := range sum.Negotiators {
		if r.Sessions != 80 || r.Utility.N != 80 {
			t.Errorf("%s: %d sessions, %d utilities; want 80 and 80", r.Name, r.Sessions, r.Utility.N)
		}
		if r.Utility.CI95 < 0 || r.Utility.Mean <= 0 || r.Utility.Mean > 1 {
			t.Errorf("%s: utility %+v", r.Name, r.Utility)
		}
	}
	if o := sum.Overall.Utility; o.N != 240 || o.CI95 <= 0 {
		t.Errorf("overall utility %+v, want 240 observations and a positive interval", o)
	}
	// The SQL view agrees with the summary.
	var n int
	var mean float64
	row := st.conn.QueryRowContext(context.Background(), "SELECT count(*), avg(utility) FROM results WHERE negotiator = 'boulware'")
	if err := row.Scan(&n, &mean); err != nil {
		t.Fatal(err)
	}
	if b := sum.Negotiators[0]; n != int(b.Utility.N) || fmt.Sprintf("%.12f", mean) != fmt.Sprintf("%.12f", b.Utility.Mean) {
		t.Errorf("results view: %d rows, mean %v; summary %d, %v", n, mean, b.Utility.N, b.Utility.Mean)
	}
}

// tee records what Run hands the store: the records the workers encode
// (from several goroutines).
type tee struct {
	*Store
	mu   sync.Mutex
	recs []tournament.Record
}

func (t *tee) keep(r *tournament.Record) {
	c := *r
	c.Utility = append([]float64(nil), r.Utility...)
	c.Discounted = append([]float64(nil), r.Discounted...)
	t.mu.Lock()
	t.recs = append(t.recs, c)
	t.mu.Unlock()
}

func (t *tee) Encode(dst []byte, r *tournament.Record) error {
	t.keep(r)
	return t.Store.Encode(dst, r)
}

// TestStoredExactly checks that the store gives back bit for bit what the
// workers computed, and the distances to the plan's own frontier and Nash
// points (which the store measures against its stored copy of them).
func TestStoredExactly(t *testing.T) {
	dir := t.TempDir()
	d := domainsDir(t)
	p, _ := writeSpec(t, dir, fmt.Sprintf(killSpec, filepath.Join(d, "ANAC2011_Car"), filepath.Join(d, "ANAC2015_Tram"), 5))
	db := filepath.Join(dir, "t.db")
	st, err := Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	tt := &tee{Store: st}
	if _, err := tournament.Run(context.Background(), p, tt, tournament.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	got := dump(t, db)
	want := make([]tournament.Record, len(got))
	dist := 0
	for _, r := range tt.recs {
		f, n := p.Scenarios[r.Scenario].Reference()
		r.Pareto, r.Nash = analysis.DistanceToFrontier(r.Utility, f), analysis.DistanceToNash(r.Utility, n)
		if !math.IsNaN(r.Pareto) && r.Pareto > 0 {
			dist++
		}
		want[r.Number] = r
	}
	if dist == 0 {
		t.Fatal("no session off the frontier: the distances are not tested")
	}
	sameRecords(t, "stored", got, want)
}

// TestSessionsViewExact checks that the sessions view, which decodes the
// packed records in plain SQL, gives every column exactly as Scan does
// (NULLs for missing outcomes and seats included; distances are not in it).
// Car and Tram are undiscounted (the records hold no discounted copies),
// Laptop is discounted.
func TestSessionsViewExact(t *testing.T) {
	d := domainsDir(t)
	for _, first := range []string{"ANAC2011_Car", "ANAC2011_Laptop"} {
		t.Run(first, func(t *testing.T) {
			dir := t.TempDir()
			p, _ := writeSpec(t, dir, fmt.Sprintf(killSpec, filepath.Join(d, first), filepath.Join(d, "ANAC2015_Tram"), 3))
			db := filepath.Join(dir, "t.db")
			runInProcess(t, p, db, 2)
			st, err := Open(db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if want := first == "ANAC2011_Laptop"; st.lay.discounted != want {
				t.Errorf("discounted utilities stored: %v, want %v", st.lay.discounted, want)
			}
			checkSessionsView(t, st, dump(t, db))
		})
	}
}

func checkSessionsView(t *testing.T, st *Store, want []tournament.Record) {
	var cols strings.Builder
	for k := 1; k <= st.lay.seats; k++ {
		fmt.Fprintf(&cols, ", utility_%d, discounted_%d", k, k)
	}
	rows, err := st.conn.QueryContext(context.Background(), "SELECT id, scenario, assignment, repetition, agreed, end_reason, (SELECT name FROM statuses WHERE code = status), walked_out, round, time, steps, outcome"+cols.String()+" FROM sessions ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	f := func(x sql.NullFloat64) float64 {
		if !x.Valid {
			return math.NaN()
		}
		return x.Float64
	}
	n := 0
	for rows.Next() {
		var (
			r               tournament.Record
			id, assign      int64
			end             int
			walked, outcome sql.NullInt64
			tm              sql.NullFloat64
			us              = make([]sql.NullFloat64, 2*st.lay.seats)
		)
		dst := []any{&id, &r.Scenario, &assign, &r.Repetition, &r.Agreed, &end, &r.Status, &walked, &r.Round, &tm, &r.Steps, &outcome}
		for i := range us {
			dst = append(dst, &us[i])
		}
		if err := rows.Scan(dst...); err != nil {
			t.Fatal(err)
		}
		r.Number, r.Assignment, r.End = uint64(id), uint64(assign), protocol.EndReason(end)
		r.Seed = tournament.SessionSeed(st.Canonical.Seed, r.Number) // not in the view
		r.WalkedOut = -1
		if walked.Valid {
			r.WalkedOut = int(walked.Int64) - 1
		}
		if outcome.Valid {
			r.Outcome = uint64(outcome.Int64)
		} else if r.Agreed {
			t.Errorf("session %d: agreed without an outcome", id)
		}
		r.Time = f(tm)
		r.Pareto, r.Nash = want[n].Pareto, want[n].Nash // not in the view
		seats := len(st.Canonical.Scenarios[r.Scenario].Parties)
		for k := range st.lay.seats {
			if k < seats {
				r.Utility = append(r.Utility, f(us[2*k]))
				r.Discounted = append(r.Discounted, f(us[2*k+1]))
			} else if us[2*k].Valid || us[2*k+1].Valid {
				t.Errorf("session %d: seat %d beyond the scenario's %d is not NULL", id, k+1, seats)
			}
		}
		if int(id) != n {
			t.Fatalf("row %d is session %d", n, id)
		}
		sameRecords(t, "sessions view", []tournament.Record{r}, want[n:n+1])
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Errorf("the view has %d sessions, want %d", n, len(want))
	}
}

// TestOverlapRefused: the database itself refuses a session recorded
// twice, whatever the writer does.
// TestPow2Exact checks the table the sessions view decodes doubles with:
// every power of two from the smallest subnormal to 2^971, exactly.
func TestPow2Exact(t *testing.T) {
	dir := t.TempDir()
	d := domainsDir(t)
	p, _ := writeSpec(t, dir, fmt.Sprintf(killSpec, filepath.Join(d, "ANAC2011_Laptop"), filepath.Join(d, "ANAC2011_Car"), 1))
	db := filepath.Join(dir, "t.db")
	runInProcess(t, p, db, 1)
	st, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.conn.QueryContext(context.Background(), "SELECT e, v FROM pow2 ORDER BY e")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, want := 0, -1074
	for rows.Next() {
		var e int
		var v float64
		if err := rows.Scan(&e, &v); err != nil {
			t.Fatal(err)
		}
		if e != want || v != math.Ldexp(1, e) {
			t.Fatalf("pow2 row %d: (%d, %g), want (%d, %g)", n, e, v, want, math.Ldexp(1, want))
		}
		want++
		n++
	}
	if n != 1074+972 {
		t.Fatalf("pow2 has %d rows, want %d", n, 1074+972)
	}
}

func TestOverlapRefused(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, laptopSpec(t, ""))
	db := filepath.Join(dir, "t.db")
	runInProcess(t, p, db, 1)
	recs := dump(t, db)
	st, err := Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, b := range [][]tournament.Record{recs[5:6], recs[0:3], recs[len(recs)-2:]} {
		if err := writeRecords(st, b); err == nil || !strings.Contains(err.Error(), "already recorded") {
			t.Errorf("sessions %d to %d written again: got %v", b[0].Number, b[len(b)-1].Number, err)
		}
	}
	if n, _ := st.Count(); n != p.Total {
		t.Errorf("%d sessions after the refusals, want %d", n, p.Total)
	}
}

// writeRecords encodes records as the workers do and writes them.
func writeRecords(st *Store, recs []tournament.Record) error {
	size := st.RecordSize()
	data := make([]byte, len(recs)*size)
	var nums []uint64
	for i := range recs {
		if err := st.Encode(data[i*size:(i+1)*size], &recs[i]); err != nil {
			return err
		}
		nums = append(nums, recs[i].Number)
	}
	return st.Write(nums, data, nil)
}

// TestOlderVersionRefused: a store of a format version this parley does
// not read, older (format 4 and 5 included: never released, so not read)
// or newer, is refused with a message saying what to do.
func TestOlderVersionRefused(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, laptopSpec(t, ""))
	for _, v := range []string{"1", "4", "5", "6", "8", "x"} {
		db := filepath.Join(dir, "t"+v+".db")
		runInProcess(t, p, db, 1)
		conn, err := sql.Open("sqlite", db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec("UPDATE meta SET value = ? WHERE key = 'version'", v); err != nil {
			t.Fatal(err)
		}
		conn.Close()
		want := fmt.Sprintf("format version %s; this parley reads format 7", v)
		switch v {
		case "1", "4", "5", "6":
			want = fmt.Sprintf("format version %s (made by an older parley); this parley reads format 7", v)
		case "8":
			want = "format version 8 (made by a newer parley); this parley reads format 7"
		}
		for what, open := range map[string]func() error{
			"resume": func() error { _, err := Create(db, p, nil, "test"); return err },
			"report": func() error { _, err := Open(db); return err },
		} {
			err := open()
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "new --db file") {
				t.Errorf("version %s, %s: got %v", v, what, err)
			}
		}
	}
}

// TestCreateFailureLeavesNoFile: a new store whose plan cannot be set up
// (a scenario too large to anticipate ratification on) is refused with the
// reason, and leaves no file behind; an existing file is never removed.
func TestCreateFailureLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	large, err := filepath.Abs("../../session/testdata/anticipate-large.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := writeSpec(t, dir, fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware]\nanticipate_ratification: true\n", large))
	db := filepath.Join(dir, "t.db")
	if _, err := Create(db, p, nil, "test"); err == nil || !strings.Contains(err.Error(), "anticipating ratification needs an outcome space that can be enumerated") {
		t.Fatalf("got %v", err)
	}
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		if _, err := os.Stat(f); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s left behind: %v", f, err)
		}
	}
	// An empty file the user made stays.
	if err := os.WriteFile(db, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(db, p, nil, "test"); err == nil {
		t.Fatal("no error")
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("an existing file was removed: %v", err)
	}
}

// TestStatusesStored: on the flagship, where deals are voided by the
// referendum and agenda phases fail, every session's status is stored as
// the session itself ends (session.Run), and the sessions view and the
// statuses table give it back.
func TestStatusesStored(t *testing.T) {
	// Under SAOP the flagship's linear negotiators sign a settlement that
	// needs no referendum; other line-ups sign deals it voids, or fail the
	// truce.
	s, err := tournament.LoadSpec(shared.FlagshipTournament(t, "repetitions: 25", "repetitions: 2",
		"anticipate_ratification: true", "anticipate_ratification: false", "protocol: shuttle\nmediator: broker", "protocol: saop"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := tournament.NewPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	runInProcess(t, p, db, 2)
	recs := dump(t, db)
	prep, err := p.Scenarios[0].Prepared()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[session.Status]int{}
	var assign []int
	for _, r := range recs {
		s := p.Session(r.Number)
		assign = p.Assignment(s.Scenario, s.Assignment, assign)
		var names []string
		for _, a := range assign {
			names = append(names, p.Spec.Negotiators[a])
		}
		res, err := session.Run(session.Config{Prepared: prep, Protocol: p.Spec.Protocol, Mediator: p.Spec.Mediator, Negotiators: names,
			Deadline: protocol.Deadline{Rounds: p.Spec.Deadline.Rounds}, Seed: s.Seed})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != res.Status || r.Agreed != res.Agreed {
			t.Errorf("session %d: stored %q (agreed %v), played %q (agreed %v)", r.Number, r.Status, r.Agreed, res.Status, res.Agreed)
		}
		seen[r.Status]++
	}
	if len(seen) < 3 || seen[session.StatusNotRatified] == 0 {
		t.Errorf("statuses %v: the test wants voided deals and at least three statuses", seen)
	}
	st, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checkSessionsView(t, st, recs)
	var voided int
	if err := st.conn.QueryRowContext(context.Background(), "SELECT count(*) FROM sessions s JOIN statuses x ON x.code = s.status WHERE s.agreed = 1 AND x.binding = 0").Scan(&voided); err != nil {
		t.Fatal(err)
	}
	if voided != seen[session.StatusNotRatified] {
		t.Errorf("SQL counts %d agreed sessions whose deal does not bind, want %d", voided, seen[session.StatusNotRatified])
	}
}

// TestRunOutsideRefused: a run beyond the tournament's sessions (written
// past the CHECK constraint, by hand) makes resuming refuse the file as
// damaged, naming the run, instead of failing on an index out of range.
func TestRunOutsideRefused(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, laptopSpec(t, ""))
	db := filepath.Join(dir, "t.db")
	runInProcess(t, p, db, 1)
	conn, err := sql.Open("sqlite", db+"?_pragma=ignore_check_constraints(1)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("INSERT INTO runs SELECT first + ?, n, data, sum FROM runs ORDER BY first DESC LIMIT 1", p.Total); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	// SQLite's integrity check (on a connection that may write) finds the
	// broken CHECK constraint when the store is opened.
	if st, err := Open(db); err == nil || !strings.Contains(err.Error(), "is damaged (SQLite integrity check: CHECK constraint failed in runs)") {
		if st != nil {
			st.Close()
		}
		t.Errorf("Open: got %v", err)
	}
	// A read-only connection (a file parley may not write) does not check
	// the constraint: reading the runs does.
	st, err := connect(db, "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.check(); err != nil {
		t.Fatal(err)
	}
	_, err = st.Done()
	var de *DamagedError
	if !errors.As(err, &de) || len(de.Rows) != 1 || de.Rows[0].First != p.Total ||
		!strings.Contains(err.Error(), fmt.Sprintf("sessions %d to %d: the row lies outside the tournament's %d sessions", p.Total, 2*p.Total-1, p.Total)) {
		t.Errorf("got %v", err)
	}
}

// TestHostileSessionCount: a store whose spec claims more sessions than a
// tournament may have (its hash recomputed to match) is refused on open,
// before a bitset of that size is made.
func TestHostileSessionCount(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, laptopSpec(t, ""))
	db := filepath.Join(dir, "t.db")
	runInProcess(t, p, db, 1)
	c := *p.Canonical
	c.Sessions = 1 << 62
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"spec": string(c.JSON()), "spec_sha256": c.Hash()} {
		if _, err := conn.Exec("UPDATE meta SET value = ? WHERE key = ?", v, k); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	if _, err := Open(db); err == nil || !strings.Contains(err.Error(), "the stored spec has 4611686018427387904 sessions, more than a tournament may have") {
		t.Errorf("got %v", err)
	}
}

// carSpec is 3000 Car sessions: two seats, undiscounted, 15,625 outcomes
// and 100 rounds, so 34-byte records.
func carSpec(t *testing.T) string {
	return fmt.Sprintf("seed: 5\nscenarios: [%s]\nnegotiators: [boulware, conceder]\nrotation: distinct\nrepetitions: 1500\n",
		filepath.Join(domainsDir(t), "ANAC2011_Car"))
}

// storedRun is a row of the runs table: its first session, its number
// of sessions and of bytes.
type storedRun struct{ first, n, size int }

// storedRuns returns the rows of the runs table in session order.
func storedRuns(t *testing.T, db string) []storedRun {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query("SELECT first, n, length(data) FROM runs ORDER BY first")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var runs []storedRun
	for rows.Next() {
		var r storedRun
		if err := rows.Scan(&r.first, &r.n, &r.size); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	return runs
}

// alteredStore makes a new store for p at path, runs sql on it, and closes
// it: a store as an older parley, or a hand, left it.
func alteredStore(t *testing.T, p *tournament.Plan, path, sql string) string {
	t.Helper()
	st, err := Create(path, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.exec(sql); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRowsFillPages checks that small records (two seats, no discounted
// copies) fill their rows: 1882 sessions of 34 bytes, not the 1024 an
// older limit allowed (half a page, the rest written and stored empty).
func TestRowsFillPages(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, carSpec(t))
	db := filepath.Join(dir, "t.db")
	runInProcess(t, p, db, 1)
	runs := storedRuns(t, db)
	if len(runs) == 0 {
		t.Fatal("no runs stored")
	}
	want := rowBytes / 34
	if runs[0].n != want || runs[0].size != want*34 {
		t.Errorf("first run: %d sessions, %d bytes; want %d sessions of 34 bytes", runs[0].n, runs[0].size, want)
	}
	// The store tells Run its rows' length, so that chunks are whole rows.
	st, err := Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.RowLength() != want {
		t.Errorf("RowLength %d, want %d", st.RowLength(), want)
	}
	for i, r := range runs {
		if r.n > want || r.size > rowBytes {
			t.Errorf("run %d: %d sessions, %d bytes: more than a row may hold (%d bytes)", i, r.n, r.size, rowBytes)
		}
	}
}

// TestChunksFillRows: with two workers taking chunks in turn, rows are
// still full (a chunk is whole rows), but in the last part of the run,
// where chunks shrink below a row so that the workers finish together.
func TestChunksFillRows(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware, conceder]\nrotation: distinct\nrepetitions: 20000\n",
		filepath.Join(domainsDir(t), "ANAC2011_Laptop")))
	db := filepath.Join(dir, "t.db")
	runInProcess(t, p, db, 2)
	row := rowBytes / 49 // Laptop's records
	full, before := 0, 0
	for _, r := range storedRuns(t, db) {
		if r.first+r.n <= int(p.Total)/3 {
			before++
			if r.n == row {
				full++
			}
		}
	}
	if before == 0 || full != before {
		t.Errorf("%d of the %d rows in the first third of the run hold %d sessions; want all", full, before, row)
	}
}

// TestAlteredCounterRefused: a store whose counter table (which the
// sessions view expands rows through) was emptied or cut is refused with a
// message, not used.
func TestAlteredCounterRefused(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, carSpec(t))
	for i, q := range []string{"DELETE FROM counter", "DELETE FROM counter WHERE i >= 1024"} {
		db := alteredStore(t, p, filepath.Join(dir, fmt.Sprintf("t%d.db", i)), q)
		_, err := Open(db)
		if err == nil || !strings.Contains(err.Error(), "counter table does not hold the integers 0 to 2047") {
			t.Errorf("Open of a store after %s: %v", q, err)
		}
	}
}

// TestReaderLeavesNoLogFiles: reading a finished store (a report, an
// export) leaves no write-ahead log or index file beside it.
func TestReaderLeavesNoLogFiles(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, carSpec(t))
	db := filepath.Join(dir, "t.db")
	runInProcess(t, p, db, 2)
	st, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := st.Count(); err != nil || n != p.Total {
		t.Fatalf("Count: %d, %v; want %d", n, err, p.Total)
	}
	if err := st.exec("DELETE FROM runs"); err == nil {
		t.Error("a reader could delete sessions: it must be query-only")
	}
	st.Close()
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(db + suffix); !os.IsNotExist(err) {
			t.Errorf("%s left behind after reading (%v)", filepath.Base(db+suffix), err)
		}
	}
}

// TestEncodeRefusals: a record the layout cannot hold, or encoded bytes
// that do not match their numbers, are refused with a message and write
// nothing.
func TestEncodeRefusals(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, carSpec(t))
	db := filepath.Join(dir, "t.db")
	st, err := Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dst := make([]byte, st.RecordSize())
	r := tournament.Record{Number: 7, Status: "signed", Utility: []float64{0.5, 0.5}, Discounted: []float64{0.5, 0.5}, WalkedOut: -1}
	if err := st.Encode(dst, &r); err == nil || !strings.Contains(err.Error(), "session 7: the record does not fit the store's layout") || !strings.Contains(err.Error(), db) {
		t.Errorf("bad status: %v", err)
	}
	r.Status = session.StatusAgreed
	if err := st.Encode(dst, &r); err != nil {
		t.Fatal(err)
	}
	if err := st.Write([]uint64{7, 8}, dst, nil); err == nil || !strings.Contains(err.Error(), "bytes for 2 records") {
		t.Errorf("short data: %v", err)
	}
	if n, err := st.Count(); err != nil || n != 0 {
		t.Errorf("%d sessions recorded after refusals (%v)", n, err)
	}
}

// TestStatusCodes: statusCode and the statuses table agree, both ways.
func TestStatusCodes(t *testing.T) {
	for c, s := range statuses {
		if c > 0 && statusCode(s) != byte(c) {
			t.Errorf("statusCode(%q) = %d, want %d", s, statusCode(s), c)
		}
	}
	if statusCode("") != 0 || statusCode("signed") != 0 {
		t.Error("a string that is no status has a code")
	}
}

// TestClassify: the errors SQLite and the system really give are put in
// the kind a person can act on, and a store is called damaged only when
// SQLite finds it so.
func TestClassify(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec("CREATE TABLE x (i INTEGER)"); err != nil {
		t.Fatal(err)
	}
	sqliteErr := func(dsn, q string) error {
		t.Helper()
		c, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, err = c.Exec(q)
		if err == nil {
			t.Fatalf("%s on %s: no error", q, dsn)
		}
		return err
	}
	text := filepath.Join(dir, "notes.db")
	os.WriteFile(text, []byte(strings.Repeat("not a database\n", 100)), 0o644)
	// A writer holding the lock makes another's write busy.
	if _, err := conn.Exec("PRAGMA journal_mode=WAL"); err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO x VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	busy := sqliteErr("file:"+db+"?_pragma=busy_timeout(0)", "INSERT INTO x VALUES (2)")
	tx.Rollback()
	full := sqliteErr("file:"+filepath.Join(dir, "full.db")+"?_pragma=max_page_count(2)", "CREATE TABLE a (i); CREATE TABLE b (i); CREATE TABLE c (i)")
	for _, c := range []struct {
		what string
		err  error
		kind error // nil: none of the kinds
		says string
	}{
		{"a write on a read-only connection", sqliteErr("file:"+db+"?mode=ro", "INSERT INTO x VALUES (1)"), ErrReadOnly, "parley may not write there"},
		{"a file that cannot be opened", sqliteErr("file:"+filepath.Join(dir, "no", "such.db")+"?mode=rw", "SELECT 1 FROM sqlite_schema"), ErrReadOnly, "parley may not write there"},
		{"a read-only file system", &fs.PathError{Op: "open", Path: db, Err: syscall.EROFS}, ErrReadOnly, "read-only file system"},
		{"a file parley may not write", &fs.PathError{Op: "open", Path: db, Err: syscall.EACCES}, ErrReadOnly, "permission denied"},
		{"a full disk", full, ErrFull, "the disk is full"},
		{"a full disk, writing a file", &fs.PathError{Op: "write", Path: db, Err: syscall.ENOSPC}, ErrFull, "the disk is full"},
		{"not a database", sqliteErr("file:"+text, "SELECT count(*) FROM sqlite_schema"), errCorrupt, "damaged"},
		{"another writer", busy, nil, "in use by another process"},
	} {
		got := classify(c.err)
		if c.kind != nil && !errors.Is(got, c.kind) || !strings.Contains(got.Error(), c.says) || !errors.Is(got, c.err) {
			t.Errorf("%s (%v): classified as %v", c.what, c.err, got)
		}
		for _, k := range []error{ErrReadOnly, ErrFull, errCorrupt} {
			if k != c.kind && errors.Is(got, k) {
				t.Errorf("%s (%v): classified as %v too", c.what, c.err, k)
			}
		}
		if got := classify(classify(c.err)); got.Error() != classify(c.err).Error() {
			t.Errorf("%s: classified twice: %v", c.what, got)
		}
		if msg := storeError(db, classify(c.err)).Error(); (c.kind == errCorrupt) != strings.Contains(msg, "damaged") {
			t.Errorf("%s: %s", c.what, msg)
		}
	}
}

// TestResumeAfterMove: a store resumes after its spec, itself and its
// domain folders moved (a tournament copied to another machine, say): the
// scenarios are compared by their contents, not their paths. It keeps the
// paths it was made with.
func TestResumeAfterMove(t *testing.T) {
	d := domainsDir(t)
	dir := t.TempDir()
	for _, dom := range []string{"ANAC2011_Laptop", "ANAC2015_Tram"} {
		src := filepath.Join(d, dom)
		entries, _ := os.ReadDir(src)
		os.MkdirAll(filepath.Join(dir, "a", "domains", dom), 0o755)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(src, e.Name()))
			os.WriteFile(filepath.Join(dir, "a", "domains", dom, e.Name()), b, 0o644)
		}
	}
	spec := "seed: 7\nscenarios: [domains]\nnegotiators: [boulware, conceder, linear]\nrepetitions: 5\n"
	p, _ := writeSpec(t, filepath.Join(dir, "a"), spec)
	want := filepath.Join(dir, "want.db")
	runInProcess(t, p, want, 2)
	// A run that recorded the first half of the sessions (the second
	// half marked done, so not played).
	db := filepath.Join(dir, "a", "t.db")
	st, err := Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	later := tournament.NewBitset(p.Total)
	for i := p.Total / 2; i < p.Total; i++ {
		later.Set(i)
	}
	if _, err := tournament.Run(context.Background(), p, st, tournament.Options{Workers: 2, Done: later}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	// Everything moves: the spec and the store to b/, the domains to c/.
	os.Rename(filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	os.Rename(filepath.Join(dir, "b", "domains"), filepath.Join(dir, "c"))
	p2, _ := writeSpec(t, filepath.Join(dir, "b"), strings.Replace(spec, "[domains]", "[../c]", 1))
	db = filepath.Join(dir, "b", "t.db")
	st, err = Create(db, p2, nil, "test")
	if err != nil {
		t.Fatalf("resuming a moved tournament: %v", err)
	}
	done, err := st.Done()
	if err != nil {
		t.Fatal(err)
	}
	if done.Count() != p.Total/2 {
		t.Fatalf("%d of %d sessions kept, want the first half", done.Count(), p.Total)
	}
	if _, err := tournament.Run(context.Background(), p2, st, tournament.Options{Workers: 2, Done: done}); err != nil {
		t.Fatal(err)
	}
	if got := st.Canonical.Scenarios[0].Path; got != "domains/ANAC2011_Laptop" {
		t.Errorf("the store's first scenario is now %q, want the path it was made with", got)
	}
	st.Close()
	sameRecords(t, "resumed after moving", dump(t, db), dump(t, want))
}
