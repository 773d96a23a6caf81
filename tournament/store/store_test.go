package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	for i := 4096 * 2; i < len(b) && i < 4096*6; i++ {
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
	if err := st.SetMaxPages(60); err != nil {
		t.Fatal(err)
	}
	_, err = tournament.Run(context.Background(), p, st, tournament.Options{Workers: 2, CommitRows: 500})
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

// tee records what Run hands the store.
type tee struct {
	*Store
	recs []tournament.Record
}

func (t *tee) Write(b []tournament.Record) error {
	for _, r := range b {
		c := r
		c.Utility = append([]float64(nil), r.Utility...)
		c.Discounted = append([]float64(nil), r.Discounted...)
		t.recs = append(t.recs, c)
	}
	return t.Store.Write(b)
}

// TestStoredExactly checks that the store gives back bit for bit what the
// workers computed (NULLs for missing distances included).
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
	for _, r := range tt.recs {
		want[r.Number] = r
	}
	sameRecords(t, "stored", got, want)
}
