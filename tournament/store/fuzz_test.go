package store

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/parleyhq/parley/tournament"
)

// fuzzBase is a small finished store (Car, two negotiators, 60 sessions)
// the fuzzer damages, made once per process, with its plan and records.
var fuzzBase struct {
	once sync.Once
	data []byte
	plan *tournament.Plan
	recs []tournament.Record
	err  error
}

func fuzzStore(tb testing.TB) []byte {
	fuzzBase.once.Do(func() {
		dir, err := os.MkdirTemp("", "parley-fuzz-store")
		if err != nil {
			fuzzBase.err = err
			return
		}
		defer os.RemoveAll(dir)
		p, _ := writeSpec(tb, dir, "seed: 3\nscenarios: ["+filepath.Join(domainsDir(tb), "ANAC2011_Car")+"]\nnegotiators: [boulware, conceder]\nrepetitions: 30\n")
		db := filepath.Join(dir, "t.db")
		st, err := Create(db, p, nil, "fuzz")
		if err != nil {
			fuzzBase.err = err
			return
		}
		if _, err := tournament.Run(context.Background(), p, st, tournament.Options{Workers: 1}); err != nil {
			fuzzBase.err = err
		}
		fuzzBase.plan = p
		fuzzBase.recs, fuzzBase.err = scanAll(st)
		st.Close()
		fuzzBase.data, err = os.ReadFile(db)
		if fuzzBase.err == nil {
			fuzzBase.err = err
		}
	})
	if fuzzBase.err != nil {
		tb.Fatal(fuzzBase.err)
	}
	return fuzzBase.data
}

// FuzzOpenStore damages a real store at two places (an offset and the
// bytes written there) and reads it as report and export do: any file
// gives results or an error with a message, never a panic or a hang, and
// never a wrong result: every session it gives is the one recorded (damage
// is found, or did not touch the results). A store found damaged is then
// resumed as --rerun-damaged does: the rows left are the recorded ones.
//
//	go test ./tournament/store -run '^$' -fuzz OpenStore -fuzztime 120s
func FuzzOpenStore(f *testing.F) {
	base := fuzzStore(f)
	// Seeds: nothing changed; the header's page size; the schema page;
	// the tables' pages.
	f.Add(uint32(0), []byte{}, uint32(0), []byte{})
	f.Add(uint32(16), []byte{0, 2}, uint32(0), []byte{})
	f.Add(uint32(100), []byte{0x0d, 0, 0}, uint32(28), []byte{0xff, 0xff, 0xff, 0xff})
	for pg := uint32(1); pg < uint32(len(base)/pageSize); pg++ {
		f.Add(pg*pageSize+8, []byte{0, 0, 0, 1}, pg*pageSize+200, []byte{0x7f})
		// The end of a page, where SQLite puts its rows' contents (the
		// records, in the runs table's pages).
		f.Add(pg*pageSize+pageSize-100, []byte{0xf9}, pg*pageSize+pageSize-1500, []byte{0x40})
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, off1 uint32, patch1 []byte, off2 uint32, patch2 []byte) {
		data := append([]byte(nil), base...)
		for _, p := range []struct {
			off   uint32
			bytes []byte
		}{{off1, patch1}, {off2, patch2}} {
			if int(p.off) < len(data) {
				copy(data[p.off:], p.bytes)
			}
		}
		db := filepath.Join(dir, "f.db")
		os.Remove(db + "-wal")
		os.Remove(db + "-shm")
		if err := os.WriteFile(db, data, 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := Open(db)
		if err != nil {
			if err.Error() == "" {
				t.Error("an error without a message")
			}
			if errors.As(err, new(*DamagedError)) {
				rerunDamaged(t, db)
			}
			return
		}
		defer st.Close()
		sameAsRecorded(t, st)
		done, errDone := st.Done()
		n, errCount := st.Count()
		sessions := uint64(0)
		_, errSum := tournament.Summarize(st.Canonical, func(fn func(*tournament.Record) error) error {
			return st.Scan(func(r *tournament.Record) error {
				sessions++
				return fn(r)
			})
		})
		if errDone == nil && errCount == nil && errSum == nil && done.Count() != n {
			t.Errorf("Done holds %d sessions, Count says %d", done.Count(), n)
		}
		if errDone == nil && errSum == nil && sessions != done.Count() {
			t.Errorf("Scan read %d sessions, Done holds %d", sessions, done.Count())
		}
	})
}

// scanAll reads every session of a store.
func scanAll(st *Store) ([]tournament.Record, error) {
	var recs []tournament.Record
	err := st.Scan(func(r *tournament.Record) error {
		c := *r
		c.Utility, c.Discounted = slices.Clone(r.Utility), slices.Clone(r.Discounted)
		recs = append(recs, c)
		return nil
	})
	return recs, err
}

// sameAsRecorded checks that every session st gives is the one the
// undamaged store holds.
func sameAsRecorded(t *testing.T, st *Store) {
	recs, err := scanAll(st)
	if err != nil {
		return
	}
	for i := range recs {
		r := &recs[i]
		if r.Number >= uint64(len(fuzzBase.recs)) || !sameRecord(r, &fuzzBase.recs[r.Number]) {
			t.Fatalf("the damaged store gives session %d as %+v, recorded as %+v", r.Number, *r, fuzzBase.recs[min(r.Number, uint64(len(fuzzBase.recs)-1))])
		}
	}
}

// rerunDamaged removes the damaged rows of db as --rerun-damaged does:
// what is left must be as recorded, and pass every check.
func rerunDamaged(t *testing.T, db string) {
	st, err := Create(db, fuzzBase.plan, nil, "fuzz")
	if err != nil {
		return
	}
	defer st.Close()
	if _, err := st.RemoveDamaged(); err != nil {
		return
	}
	if err := st.Verify(); err != nil {
		t.Fatalf("after removing the damaged rows: %v", err)
	}
	sameAsRecorded(t, st)
}

// TestFuzzStoreSeed: the undamaged seed reads back whole (the fuzzer's
// checks hold on it).
func TestFuzzStoreSeed(t *testing.T) {
	base := fuzzStore(t)
	if len(base) < 3*pageSize || binary.BigEndian.Uint16(base[16:]) != 1 {
		// A page size of 65536 is stored as 1 in the header.
		t.Fatalf("seed store: %d bytes, page size field %d", len(base), binary.BigEndian.Uint16(base[16:]))
	}
}
