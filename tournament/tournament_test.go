package tournament

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// domainsDir returns ../shared/domains, or skips.
func domainsDir(tb testing.TB) string { return shared.Dir(tb, "domains") }

func plan(tb testing.TB, text string) *Plan {
	tb.Helper()
	dir := tb.TempDir()
	path := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
	s, err := LoadSpec(path)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := NewPlan(s)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestSpecErrors(t *testing.T) {
	spec := `name: x
seed: 1
scenarios: []
negotiators: [boulware, bulware, hillclimb, boulware]
protocol: saop
mediator: veto
rotation: round-robin
repetitions: -2
deadline: {time: soon}
`
	_, err := ParseSpec([]byte(spec), "t.yaml")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"t.yaml:3:1: scenarios: give at least one",
		`t.yaml:4:25: negotiators[1]: unknown negotiator "bulware" (did you mean "boulware"?)`,
		"t.yaml:4:34: negotiators[2]: hillclimb is a mediator",
		"t.yaml:4:45: negotiators[3]: boulware is listed twice",
		"t.yaml:6:1: mediator: protocol saop has no mediator",
		`t.yaml:7:1: rotation: "round-robin" is not all or distinct`,
		"t.yaml:8:1: repetitions: -2 is negative",
		`t.yaml:9:12: deadline.time: "soon" is not a positive duration`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if _, err := ParseSpec([]byte("scenarios: [a]\nnegotiators: [boulware]\nprotocol: shuttle\n"), "s.yaml"); err == nil || !strings.Contains(err.Error(), "s.yaml:3:1: protocol: protocol shuttle needs a mediator: broker, hillclimb or veto") {
		t.Errorf("shuttle without a mediator: got %v", err)
	}
	if _, err := ParseSpec([]byte("scenarios: [a]\nnegotiators: [boulware]\nprotocol: shuttle\nmediator: veto\n"), "s.yaml"); err != nil {
		t.Errorf("shuttle with a mediator: %v", err)
	}
	if _, err := ParseSpec([]byte("seed: 1\nscenarios: [a]\nnegotiators: [boulware]\ncolour: red\n"), "u.yaml"); err == nil || !strings.Contains(err.Error(), "u.yaml:4:1") {
		t.Errorf("unknown field: got %v", err)
	}
	if _, err := ParseSpec(bytes.Repeat([]byte("#"), MaxSpecSize+1), "big.yaml"); err == nil || !strings.Contains(err.Error(), "big.yaml: 1048577 bytes is more than the 1048576 a tournament spec may have") {
		t.Errorf("hostile size: got %v", err)
	}
	if _, err := ParseSpec([]byte("seed: 1\nscenarios: [a]\nnegotiators: [boulware]\ndeadline: {rounds: 20000000}\n"), "r.yaml"); err == nil || !strings.Contains(err.Error(), "deadline.rounds: 20000000 is more than 10000000") {
		t.Errorf("hostile deadline: got %v", err)
	}
}

func TestExpansion(t *testing.T) {
	d := domainsDir(t)
	p := plan(t, fmt.Sprintf("seed: 5\nscenarios: [%s, %s]\nnegotiators: [boulware, conceder, linear]\nrepetitions: 4\n",
		filepath.Join(d, "ANAC2011_Laptop"), filepath.Join(d, "ANAC2015_Tram")))
	// Laptop: 2 seats, 3^2 assignments; Tram: 3 seats, 3^3.
	if got, want := p.Total, uint64((9+27)*4); got != want {
		t.Fatalf("total %d, want %d", got, want)
	}
	seeds := map[uint64]bool{}
	seen := map[string]bool{}
	var a []int
	for i := range p.Total {
		s := p.Session(i)
		if s.Number != i || seeds[s.Seed] || s.Seed>>63 != 0 {
			t.Fatalf("session %d: %+v (seed repeated or too large)", i, s)
		}
		seeds[s.Seed] = true
		a = p.Assignment(s.Scenario, s.Assignment, a)
		key := fmt.Sprint(s.Scenario, a, s.Repetition)
		if seen[key] {
			t.Fatalf("session %d repeats %s", i, key)
		}
		seen[key] = true
	}
	if got := p.Session(9 * 4).Scenario; got != 1 {
		t.Errorf("session 36 is in scenario %d, want 1", got)
	}
	if got := p.Assignment(1, 5, nil); fmt.Sprint(got) != "[0 1 2]" { // 5 = 0·9 + 1·3 + 2
		t.Errorf("assignment 5 of 3 seats: %v", got)
	}
	// The seed of a session depends only on the tournament seed and its number.
	if SessionSeed(5, 17) != p.Session(17).Seed || SessionSeed(6, 17) == SessionSeed(5, 17) {
		t.Error("SessionSeed is not the seed of session 17")
	}
	// A cursor from any session walks the same sessions as Session, across
	// the scenario boundary, and stops at the end.
	for start := range p.Total {
		c := p.cursor(start)
		for i := start; i < p.Total; i++ {
			if c.s != p.Session(i) {
				t.Fatalf("cursor from %d at %d: %+v, want %+v", start, i, c.s, p.Session(i))
			}
			c.next()
		}
		if c.s.Number != p.Total {
			t.Fatalf("cursor from %d ends at %d, want %d", start, c.s.Number, p.Total)
		}
	}
}

func TestDistinctAssignments(t *testing.T) {
	for _, c := range []struct{ n, k int }{{3, 2}, {4, 3}, {5, 1}, {4, 4}} {
		total := countAssignments(c.n, c.k, RotationDistinct)
		seen := map[string]bool{}
		prev := ""
		for a := range total {
			as := assignment(c.n, c.k, RotationDistinct, a, nil)
			used := map[int]bool{}
			for _, v := range as {
				if used[v] || v >= c.n {
					t.Fatalf("n=%d k=%d a=%d: %v repeats a negotiator", c.n, c.k, a, as)
				}
				used[v] = true
			}
			key := fmt.Sprint(as)
			if seen[key] || key <= prev && len(key) == len(prev) {
				t.Fatalf("n=%d k=%d a=%d: %v repeated or out of order", c.n, c.k, a, as)
			}
			seen[key], prev = true, key
		}
	}
	if countAssignments(2, 3, RotationDistinct) != 0 {
		t.Error("3 distinct seats from 2 negotiators should be impossible")
	}
}

// discard is a Sink that counts: a record's encoding is its session
// number.
type discard struct{ n uint64 }

func (d *discard) RecordSize() int { return 8 }
func (d *discard) RowLength() int  { return 0 }
func (d *discard) Encode(dst []byte, r *Record) error {
	binary.BigEndian.PutUint64(dst, r.Number)
	return nil
}
func (d *discard) Write(nums []uint64, _ []byte, _ []Outside) error {
	d.n += uint64(len(nums))
	return nil
}
func (d *discard) Commit() error { return nil }

// TestMemoryBounded checks that a run's memory does not grow with the
// number of sessions: the batches in flight are bounded (maxBatches per
// worker), so ten and thirty times the sessions allocate no more than
// that bound above what a small run allocates.
func TestMemoryBounded(t *testing.T) {
	d := domainsDir(t)
	alloc := func(reps int) (uint64, uint64) {
		p := plan(t, fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware, conceder, linear]\nrepetitions: %d\n", filepath.Join(d, "ANAC2011_Laptop"), reps))
		if _, err := p.Scenarios[0].Prepared(); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var sink discard
		if _, err := Run(context.Background(), p, &sink, Options{Workers: 2}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if sink.n != p.Total {
			t.Fatalf("%d records, want %d", sink.n, p.Total)
		}
		return after.TotalAlloc - before.TotalAlloc, p.Total
	}
	small, ns := alloc(1000)
	large, nl := alloc(10000)
	larger, nx := alloc(30000)
	t.Logf("%d sessions allocate %d bytes, %d sessions %d bytes, %d sessions %d bytes", ns, small, nl, large, nx, larger)
	batch := uint64(4096) * (8 + 8) // a session number and its record
	if bound := small + 2*maxBatches*batch; large > bound || larger > bound {
		t.Errorf("allocation beyond the batches' bound of %d bytes: %d bytes for %d sessions, %d for %d", bound, large, nl, larger, nx)
	}

}

func TestStatAndT(t *testing.T) {
	var s Stat
	for _, x := range []float64{1, 2, 3, 4, math.NaN()} {
		s.add(x) // each observation a line-up of its own: the ordinary interval
		s.endLineUp()
	}
	s.finish()
	if s.N != 4 || s.Mean != 2.5 || math.Abs(s.SD-math.Sqrt(5.0/3)) > 1e-12 {
		t.Errorf("stat %+v", s)
	}
	if want := 3.182 * math.Sqrt(5.0/3) / 2; math.Abs(s.CI95-want) > 1e-9 {
		t.Errorf("CI95 %v, want %v", s.CI95, want)
	}
	// Against known quantiles: t(40) = 2.0211, t(120) = 1.9799, t(1000) = 1.9623.
	for df, want := range map[uint64]float64{40: 2.0211, 120: 1.9799, 1000: 1.9623, 31: 2.0395} {
		if got := TQuantile975(df); math.Abs(got-want) > 2e-4 {
			t.Errorf("t(%d) = %v, want %v", df, got, want)
		}
	}
}

// TestExampleSpecs checks the tournament specs in examples/: they parse,
// and with the shared domains present they resolve into a plan.
func TestExampleSpecs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "examples", "tournament*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example tournament specs: %v", err)
	}
	haveDomains := true
	if _, err := os.Stat(filepath.Join("..", "..", "shared", "domains")); err != nil {
		haveDomains = false
		t.Log("../../shared/domains is absent: the example specs are parsed but not resolved")
	}
	for _, f := range files {
		s, err := LoadSpec(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if !haveDomains {
			continue
		}
		if _, err := exec.LookPath("python3"); err != nil && s.HasAgents() {
			t.Logf("%s: python3 is not installed: its agents cannot run", f)
			continue
		}
		p, err := NewPlan(s)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if p.Total == 0 {
			t.Errorf("%s: no sessions", f)
		}
	}
}

// TestChunkSizes checks that the dispatcher's chunks cover a run exactly,
// are never empty nor larger than chunk, shrink towards the end so that no
// worker is left with a whole chunk while the others idle, and, for a sink
// with rows, are whole rows but for the last.
func TestChunkSizes(t *testing.T) {
	for _, c := range []struct {
		total     uint64
		workers   int
		row       int
		wantFirst uint64
	}{{1, 1, 0, 1}, {63, 2, 0, 63}, {4096, 1, 0, 512}, {200000, 2, 0, 4096}, {10000000, 8, 0, 4096},
		{200000, 2, 1306, 3918}, {1000000, 2, 1882, 3764}, {5000, 2, 1306, 312}, {50000, 2, 1306, 2612}, {100, 2, 1306, 64}, {200000, 2, 4097, 4096}, {200000, 2, 1, 4096}} {
		ch := newChunking(c.row)
		var sizes []uint64
		for lo := uint64(0); lo < c.total; {
			n := ch.next(c.total-lo, c.workers)
			if n == 0 || n > chunk {
				t.Fatalf("%+v: chunk of %d at %d", c, n, lo)
			}
			if n >= ch.row && n%ch.row != 0 && lo+n < c.total {
				t.Errorf("%+v: chunk of %d at %d is not whole rows of %d", c, n, lo, ch.row)
			}
			sizes = append(sizes, n)
			lo += n
		}
		last := sizes[len(sizes)-1]
		if c.total > 64*uint64(c.workers) && last > max(64, ch.row) {
			t.Errorf("%+v: last chunk %d, want at most 64 or a row", c, last)
		}
		if sizes[0] != c.wantFirst {
			t.Errorf("%+v: first chunk %d, want %d", c, sizes[0], c.wantFirst)
		}
	}
}

// recordSink keeps every record, by session number: a trivial Sink whose
// encoding of a record is its session number, with a copy of the record
// kept aside by Encode and filed by Write (which checks that numbers and
// records stay paired).
type recordSink struct {
	mu     sync.Mutex
	played map[uint64]Record // encoded, not yet written
	recs   map[uint64]Record // written
}

func newRecordSink() *recordSink {
	return &recordSink{played: map[uint64]Record{}, recs: map[uint64]Record{}}
}

func (s *recordSink) RecordSize() int { return 8 }
func (s *recordSink) RowLength() int  { return 0 }

func (s *recordSink) Encode(dst []byte, r *Record) error {
	c := *r
	c.Utility, c.Discounted = slices.Clone(r.Utility), slices.Clone(r.Discounted)
	s.mu.Lock()
	s.played[r.Number] = c
	s.mu.Unlock()
	binary.BigEndian.PutUint64(dst, r.Number)
	return nil
}

func (s *recordSink) Write(nums []uint64, data []byte, _ []Outside) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, n := range nums {
		if got := binary.BigEndian.Uint64(data[8*i:]); got != n {
			return fmt.Errorf("record %d of the batch is session %d's, numbered %d", i, got, n)
		}
		if _, dup := s.recs[n]; dup {
			return fmt.Errorf("session %d written twice", n)
		}
		s.recs[n] = s.played[n]
		delete(s.played, n)
	}
	return nil
}

func (s *recordSink) Commit() error { return nil }

// TestAnticipateRatification: anticipate_ratification: true plays every
// session as session.Config.AnticipateRatification does, it is part of the
// canonical spec (a store made without it is not resumed with it), and a
// scenario it cannot apply to is refused before any session is played.
func TestAnticipateRatification(t *testing.T) {
	scen, err := filepath.Abs("../session/testdata/anticipate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec := fmt.Sprintf("seed: 3\nscenarios: [%s]\nnegotiators: [linear, conceder]\ndeadline: {rounds: 20}\nrepetitions: 2\n", scen)
	plain, anti := plan(t, spec), plan(t, spec+"anticipate_ratification: true\n")
	if strings.Contains(string(plain.Canonical.JSON()), `"anticipate_ratification"`) {
		t.Errorf("the canonical spec of a tournament without the option names it: %s", plain.Canonical.JSON())
	}
	if d := plain.Canonical.Diff(anti.Canonical); len(d) != 1 || d[0] != "anticipate_ratification: false, now true" {
		t.Errorf("diff %q", d)
	}
	run := func(p *Plan) map[uint64]Record {
		s := newRecordSink()
		if _, err := Run(context.Background(), p, s, Options{Workers: 2}); err != nil {
			t.Fatal(err)
		}
		if uint64(len(s.recs)) != p.Total {
			t.Fatalf("%d records of %d sessions", len(s.recs), p.Total)
		}
		return s.recs
	}
	without, with := run(plain), run(anti)
	prep, err := anti.Scenarios[0].Prepared()
	if err != nil {
		t.Fatal(err)
	}
	differ := 0
	var assign []int
	for i := range anti.Total {
		s := anti.Session(i)
		assign = anti.Assignment(s.Scenario, s.Assignment, assign)
		names := []string{anti.Spec.Negotiators[assign[0]], anti.Spec.Negotiators[assign[1]]}
		res, err := session.Run(session.Config{Prepared: prep, Negotiators: names, Deadline: protocol.Deadline{Rounds: 20}, Seed: s.Seed, AnticipateRatification: true})
		if err != nil {
			t.Fatal(err)
		}
		r := with[i]
		if r.Agreed != res.Agreed || r.Round != res.Round || (r.Agreed && (res.OutcomeIndex == nil || r.Outcome != *res.OutcomeIndex)) ||
			r.Utility[0] != res.Parties[0].Utility || r.Utility[1] != res.Parties[1].Utility {
			t.Errorf("session %d (%v): tournament %+v, session.Run agreed %v round %d utilities %v %v",
				i, names, r, res.Agreed, res.Round, res.Parties[0].Utility, res.Parties[1].Utility)
		}
		if w := without[i]; w.Outcome != r.Outcome || w.Round != r.Round {
			differ++
		}
	}
	if differ == 0 {
		t.Error("anticipating ratification changed no session")
	}

	large, err := filepath.Abs("../session/testdata/anticipate-large.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := plan(t, fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware]\nanticipate_ratification: true\n", large))
	if _, err := p.Scenarios[0].Prepared(); err == nil || !strings.Contains(err.Error(), "anticipating ratification needs an outcome space that can be enumerated") {
		t.Errorf("too large to anticipate: got %v", err)
	}
}

// TestHostileSizes: a tournament too large for a store (or for 64 bits) is
// refused, naming the scenario and the sizes, rather than wrapping around
// or allocating without bound.
func TestHostileSizes(t *testing.T) {
	d := domainsDir(t)
	laptop := filepath.Join(d, "ANAC2011_Laptop")
	for _, c := range []struct{ spec, want string }{
		{fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware, conceder, linear]\nrepetitions: 9223372036854775807\n", laptop),
			"9 assignments × 9223372036854775807 repetitions make the tournament longer than 10000000000 sessions"},
		{fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware, conceder]\nrepetitions: 3000000000\n", laptop),
			"4 assignments × 3000000000 repetitions"},
	} {
		path := filepath.Join(t.TempDir(), "s.yaml")
		os.WriteFile(path, []byte(c.spec), 0o644)
		s, err := LoadSpec(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := NewPlan(s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	// 2^64 assignments and more saturate rather than wrap.
	if got := countAssignments(1<<20, 4, RotationAll); got != math.MaxUint64 {
		t.Errorf("countAssignments(2^20, 4) = %d, want the saturated count", got)
	}
	if got := countAssignments(10, 3, RotationDistinct); got != 720 {
		t.Errorf("countAssignments(10, 3, distinct) = %d, want 720", got)
	}
}

// encodeSink keeps each session's round, outcome and first utility in 32
// bytes, led by the session's number so that Write can check that numbers
// and records stay paired, in rows of 7 sessions.
type encodeSink struct {
	recs map[uint64]Record
	fail uint64 // Encode fails on this session (0: never)
}

func (s *encodeSink) RecordSize() int { return 32 }

func (s *encodeSink) Encode(dst []byte, r *Record) error {
	if s.fail != 0 && r.Number == s.fail {
		return fmt.Errorf("session %d does not fit", r.Number)
	}
	binary.BigEndian.PutUint64(dst, r.Number)
	binary.BigEndian.PutUint64(dst[8:], uint64(r.Round))
	binary.BigEndian.PutUint64(dst[16:], r.Outcome)
	binary.BigEndian.PutUint64(dst[24:], math.Float64bits(r.Utility[0]))
	return nil
}

func (s *encodeSink) Write(nums []uint64, data []byte, _ []Outside) error {
	if len(data) != 32*len(nums) {
		return fmt.Errorf("%d bytes for %d records", len(data), len(nums))
	}
	for i, n := range nums {
		d := data[32*i:]
		if got := binary.BigEndian.Uint64(d); got != n {
			return fmt.Errorf("record %d of the batch is session %d's, numbered %d", i, got, n)
		}
		s.recs[n] = Record{Number: n, Round: int(binary.BigEndian.Uint64(d[8:])), Outcome: binary.BigEndian.Uint64(d[16:]),
			Utility: []float64{math.Float64frombits(binary.BigEndian.Uint64(d[24:]))}}
	}
	return nil
}

func (s *encodeSink) RowLength() int { return 7 }
func (s *encodeSink) Commit() error  { return nil }

// TestEncodedRecords: a sink that keeps its own encoding of the records
// gets every session once, paired with its number, with the same results
// as a sink that keeps the records whole; a record it cannot encode stops
// the run with its error.
func TestEncodedRecords(t *testing.T) {
	p := plan(t, fmt.Sprintf("seed: 4\nscenarios: [%s]\nnegotiators: [boulware, conceder, linear]\nrepetitions: 300\n", filepath.Join(domainsDir(t), "ANAC2011_Laptop")))
	plain := newRecordSink()
	if _, err := Run(context.Background(), p, plain, Options{Workers: 2, BatchSize: 100}); err != nil {
		t.Fatal(err)
	}
	enc := &encodeSink{recs: map[uint64]Record{}}
	st, err := Run(context.Background(), p, enc, Options{Workers: 2, BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if st.Committed != p.Total || uint64(len(enc.recs)) != p.Total || uint64(len(plain.recs)) != p.Total {
		t.Fatalf("%d committed, %d and %d recorded, of %d sessions", st.Committed, len(enc.recs), len(plain.recs), p.Total)
	}
	for i := range p.Total {
		a, b := plain.recs[i], enc.recs[i]
		if a.Round != b.Round || a.Outcome != b.Outcome || a.Utility[0] != b.Utility[0] {
			t.Fatalf("session %d: records give round %d outcome %d utility %v; encoded %d %d %v", i, a.Round, a.Outcome, a.Utility[0], b.Round, b.Outcome, b.Utility[0])
		}
	}
	bad := &encodeSink{recs: map[uint64]Record{}, fail: 37}
	if _, err := Run(context.Background(), p, bad, Options{Workers: 2}); err == nil || !strings.Contains(err.Error(), "session 37 does not fit") {
		t.Errorf("a record that cannot be encoded: %v", err)
	}
}
