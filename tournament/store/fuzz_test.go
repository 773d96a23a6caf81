package store

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/tournament"
)

// fuzzBase is a small finished store the fuzzer damages, made once per
// process, with its plan and records: of built-in negotiators (Car, two
// negotiators, 60 sessions), or, for FuzzOpenAgentStore, with seats played
// from outside, some of whose sessions failed (Laptop, 45 sessions).
type fuzzBase struct {
	once sync.Once
	data []byte
	plan *tournament.Plan
	recs []tournament.Record
	err  error
}

var fuzzBuiltIn, fuzzAgents fuzzBase

func fuzzStore(tb testing.TB) []byte { return fuzzBuiltIn.make(tb, false) }

// make builds the store once.
func (b *fuzzBase) make(tb testing.TB, agents bool) []byte {
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "parley-fuzz-store")
		if err != nil {
			b.err = err
			return
		}
		defer os.RemoveAll(dir)
		var p *tournament.Plan
		if agents {
			path := filepath.Join(dir, "spec.yaml")
			os.WriteFile(path, []byte(agentsSpec(tb, []string{"boulware", "pipe:conceder", "faulty:linear"}, 5, "agents: {max_errors: 0}\n")), 0o644)
			s, err := tournament.LoadSpecWith(path, faultySeats)
			if err == nil {
				p, err = tournament.NewPlan(s)
			}
			if err != nil {
				b.err = err
				return
			}
		} else {
			p, _ = writeSpec(tb, dir, "seed: 3\nscenarios: ["+filepath.Join(domainsDir(tb), "ANAC2011_Car")+"]\nnegotiators: [boulware, conceder]\nrepetitions: 30\n")
		}
		db := filepath.Join(dir, "t.db")
		st, err := Create(db, p, nil, "fuzz")
		if err != nil {
			b.err = err
			return
		}
		if _, err := tournament.Run(context.Background(), p, st, tournament.Options{Workers: 1}); err != nil {
			b.err = err
		}
		b.plan = p
		recs, err := scanAll(st)
		if b.err == nil {
			b.recs, b.err = recs, err
		}
		st.Close()
		b.data, err = os.ReadFile(db)
		if b.err == nil {
			b.err = err
		}
	})
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return b.data
}

// faultySeats is pipeSeats with faulty:NAME seats too: NAME writes prose
// instead of its second action in every third session.
func faultySeats(spec string) (func() (seat.Conn, error), bool, error) {
	name, ok := strings.CutPrefix(spec, "faulty:")
	if !ok {
		return pipeSeats(spec)
	}
	sp, err := negotiator.Parse(name)
	if err != nil {
		return nil, true, err
	}
	return func() (seat.Conn, error) {
		conn, end := seat.Pipe()
		go (&client.Player{New: sp.New}).Play(&faultyLink{Link: pipeLink{end}, fault: "garbage", every: 3})
		return conn, nil
	}, true, nil
}

// FuzzOpenStore damages a real store at two places (an offset and the
// bytes written there) and reads it as report and export do: any file
// gives results or an error with a message, never a panic or a hang, and
// never a wrong result: every session it gives is the one recorded (damage
// is found, or did not touch the results). A store found damaged is then
// resumed as --rerun-damaged does: the rows left are the recorded ones.
//
//	go test ./tournament/store -run '^$' -fuzz 'OpenStore$' -fuzztime 120s
func FuzzOpenStore(f *testing.F) { fuzzOpen(f, &fuzzBuiltIn, false) }

// FuzzOpenAgentStore is FuzzOpenStore on a store of sessions with outside
// seats, some failed: their failures and answer times are side rows read
// alongside the records, covered by their rows' checksums.
//
//	go test ./tournament/store -run '^$' -fuzz OpenAgentStore -fuzztime 120s
func FuzzOpenAgentStore(f *testing.F) { fuzzOpen(f, &fuzzAgents, true) }

func fuzzOpen(f *testing.F, b *fuzzBase, agents bool) {
	base := b.make(f, agents)
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
				rerunDamaged(t, b, db)
			}
			return
		}
		defer st.Close()
		sameAsRecorded(t, b, st)
		done, errDone := st.Done()
		n, errCount := st.Count()
		sessions := uint64(0)
		_, errTimes := st.Times()
		if errTimes == nil && errDone == nil && agents && done.Count() == uint64(len(b.recs)) {
			// Every row passed its checks: so did its answer times.
			if ts, _ := st.Times(); len(ts) != 2 {
				t.Errorf("answer times %+v", ts)
			}
		}
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

// scanAll reads every session of a store, with its failure.
func scanAll(st *Store) ([]tournament.Record, error) {
	var recs []tournament.Record
	err := st.Scan(func(r *tournament.Record) error {
		c := *r
		c.Utility, c.Discounted = slices.Clone(r.Utility), slices.Clone(r.Discounted)
		if r.Failure != nil {
			f := *r.Failure
			c.Failure = &f
		}
		recs = append(recs, c)
		return nil
	})
	return recs, err
}

// sameAsRecorded checks that every session st gives is the one the
// undamaged store holds, its failure included.
func sameAsRecorded(t *testing.T, b *fuzzBase, st *Store) {
	recs, err := scanAll(st)
	if err != nil {
		return
	}
	for i := range recs {
		r := &recs[i]
		if r.Number >= uint64(len(b.recs)) {
			t.Fatalf("the damaged store gives session %d, of %d", r.Number, len(b.recs))
		}
		w := &b.recs[r.Number]
		if !sameRecord(r, w) || (r.Failure == nil) != (w.Failure == nil) || r.Failure != nil && *r.Failure != *w.Failure || r.FailedSeat != w.FailedSeat {
			t.Fatalf("the damaged store gives session %d as %+v (failure %v), recorded as %+v (failure %v)", r.Number, *r, r.Failure, *w, w.Failure)
		}
	}
}

// rerunDamaged removes the damaged rows of db as --rerun-damaged does:
// what is left must be as recorded, and pass every check.
func rerunDamaged(t *testing.T, b *fuzzBase, db string) {
	st, err := Create(db, b.plan, nil, "fuzz")
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
	sameAsRecorded(t, b, st)
}

// TestFuzzAgentStoreSeed: the agents' seed store has failed sessions, each
// with its failure, and answer times.
func TestFuzzAgentStoreSeed(t *testing.T) {
	fuzzAgents.make(t, true)
	failed := 0
	for _, r := range fuzzAgents.recs {
		if r.Failure != nil {
			failed++
			if r.Status != "failed" || r.Failure.Cause != "garbage" || r.FailedSeat < 0 {
				t.Errorf("session %d: %+v, failure %+v", r.Number, r, *r.Failure)
			}
		}
	}
	if failed < 3 {
		t.Errorf("%d failed sessions of %d: the fuzzer wants some", failed, len(fuzzAgents.recs))
	}
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
