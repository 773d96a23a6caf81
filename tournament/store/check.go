package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc32"
	"math"
	"math/bits"
	"strings"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
)

// Every row of records carries a checksum, and every record read is checked
// against the tournament's canonical spec: SQLite's own integrity check
// finds a broken B-tree, not a byte changed inside a record, which would
// otherwise be reported as a result (an outcome past the end of the space, a
// utility no session can pay) and counted as played when resuming.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// rowSum is a row's checksum: the CRC-32C of its first session and its
// number of sessions (8 bytes each, big-endian), then its records, then its
// side rows' bytes (sideBytes: none for a row without failures or answer
// times). It covers the numbers too, so that a row moved to other sessions
// is found.
func rowSum(first, n uint64, data, side []byte) uint32 {
	var h [16]byte
	binary.BigEndian.PutUint64(h[:], first)
	binary.BigEndian.PutUint64(h[8:], n)
	sum := crc32.Update(crc32.Update(0, castagnoli, h[:]), castagnoli, data)
	return crc32.Update(sum, castagnoli, side)
}

// pointsHash is the checksum of the points table (meta.points_sha256): the
// SHA-256 of each point in the order of its primary key (scenario, kind,
// point), with the float64 bits of its seats' utilities.
type pointsHash struct{ h hash.Hash }

func newPointsHash() pointsHash { return pointsHash{sha256.New()} }

func (p pointsHash) add(scenario int, kind string, point int, us []float64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(scenario))
	p.h.Write(b[:])
	p.h.Write(append([]byte(kind), 0))
	binary.BigEndian.PutUint64(b[:], uint64(point))
	p.h.Write(b[:])
	for _, u := range us {
		binary.BigEndian.PutUint64(b[:], math.Float64bits(u))
		p.h.Write(b[:])
	}
}

func (p pointsHash) sum() string { return hex.EncodeToString(p.h.Sum(nil)) }

// lastEndReason is the last end reason a session can have
// (protocol.EndReason); the end_reasons table names those up to it.
const lastEndReason = protocol.NoMeeting

// Damage is a row of records that fails its checks.
type Damage struct {
	// First and Sessions are the sessions the row says it holds: First to
	// First+Sessions-1.
	First, Sessions uint64
	Why             string
	// orphan names the side table of a damaged side row that belongs to
	// no row of records ("" for a row of records).
	orphan string
}

// DamagedError lists the damaged rows of a store; its other rows passed
// every check.
type DamagedError struct {
	Path string
	Rows []Damage
}

// Sessions is the number of sessions the damaged rows hold.
func (e *DamagedError) Sessions() uint64 {
	n := uint64(0)
	for _, d := range e.Rows {
		n += d.Sessions
	}
	return n
}

// maxListed is the most damaged rows an error message names.
const maxListed = 8

func (e *DamagedError) Error() string {
	return fmt.Sprintf("%s: %s\ntheir results cannot be trusted; every other row passed its checks. To play exactly those sessions again, run the tournament with --rerun-damaged (parley tournament SPEC --db %s --rerun-damaged)",
		e.Path, e.List(), e.Path)
}

// List names the damaged rows: how many, their sessions and what is wrong
// with each (the first maxListed of them).
func (e *DamagedError) List() string {
	var b strings.Builder
	rows := "rows"
	if len(e.Rows) == 1 {
		rows = "row"
	}
	fmt.Fprintf(&b, "%d damaged %s of results, %d sessions:", len(e.Rows), rows, e.Sessions())
	for i, d := range e.Rows {
		if i == maxListed {
			fmt.Fprintf(&b, "\n  … and %d more rows", len(e.Rows)-maxListed)
			break
		}
		if d.Sessions == 1 {
			fmt.Fprintf(&b, "\n  session %d: %s", d.First, d.Why)
		} else {
			fmt.Fprintf(&b, "\n  sessions %d to %d: %s", d.First, d.First+d.Sessions-1, d.Why)
		}
	}
	return b.String()
}

// checkRow checks a row of the runs table read after rows up to session
// next-1, with its side rows fs and ts: its numbers, its checksum, each of
// its records and its side rows. It returns what is wrong, or "" when
// nothing is. r and side are scratch space.
func (s *Store) checkRow(first, n int64, data []byte, sum int64, next int64, fs []failureRow, ts []timesRow, r *tournament.Record, side *[]byte) string {
	total := s.Canonical.Sessions
	size := s.lay.size()
	switch {
	case n < 1 || first < 0 || uint64(first) >= total || uint64(n) > total-uint64(first):
		return fmt.Sprintf("the row lies outside the tournament's %d sessions", total)
	case first < next:
		return fmt.Sprintf("the row overlaps the one before it, which ends at session %d", next-1)
	case int64(len(data)) != n*int64(size):
		return fmt.Sprintf("the row holds %d bytes, not %d records of %d", len(data), n, size)
	}
	*side = sideBytes((*side)[:0], fs, ts)
	if sum < 0 || sum > math.MaxUint32 || uint32(sum) != rowSum(uint64(first), uint64(n), data, *side) {
		if len(fs)+len(ts) > 0 {
			return fmt.Sprintf("its checksum does not match its records, %d failures and %d answer times", len(fs), len(ts))
		}
		return "its checksum does not match its records"
	}
	k := s.scenarioOf(uint64(first))
	nextFailure := 0
	for j := range n {
		id := uint64(first + j)
		for id >= s.spans[k].end {
			k++
		}
		why := s.checkRecord(data[j*int64(size):(j+1)*int64(size)], r, k)
		if why == "" {
			why = s.checkFailure(id, k, r, fs, &nextFailure)
		}
		if why != "" {
			return fmt.Sprintf("session %d: %s", id, why)
		}
	}
	if nextFailure < len(fs) {
		return fmt.Sprintf("a failure is recorded for session %d, which is not a session of the row", fs[nextFailure].session)
	}
	return s.checkTimes(ts)
}

// checkRecord decodes the record b of a session of scenario k into r and
// checks its values against the canonical spec: what a session of that
// scenario and deadline can give.
func (s *Store) checkRecord(b []byte, r *tournament.Record, k int) string {
	sc := &s.Canonical.Scenarios[k]
	seats := len(sc.Parties)
	s.lay.decode(b, r, seats)
	rounds := s.Canonical.Deadline.Rounds
	switch {
	case r.Status == "":
		return fmt.Sprintf("status code %d is none of the statuses", b[s.lay.atFlags]>>4&7)
	case r.End == protocol.Running || r.End > lastEndReason:
		return fmt.Sprintf("end reason %d is none of the end reasons", r.End)
	case r.Agreed && (r.Status == session.StatusNoAgreement || r.Status == session.StatusFailed) || !r.Agreed && signed(r.Status):
		return fmt.Sprintf("agreed is %v with status %s", r.Agreed, r.Status)
	case !r.Agreed && r.Outcome != 0:
		return fmt.Sprintf("outcome %d without an agreement", r.Outcome)
	case r.Agreed && sc.Outcomes > 0 && r.Outcome >= sc.Outcomes:
		return fmt.Sprintf("outcome %d, but scenario %s has %d outcomes", r.Outcome, sc.Name, sc.Outcomes)
	case r.WalkedOut < -1 || r.WalkedOut > seats:
		return fmt.Sprintf("seat %d walked out, but scenario %s has %d seats (and a mediator's)", r.WalkedOut+1, sc.Name, seats)
	case rounds > 0 && r.Round > rounds:
		return fmt.Sprintf("it ended in round %d, past the deadline of %d rounds", r.Round, rounds)
	case !(r.Time >= 0 && r.Time <= 1):
		return fmt.Sprintf("its normalised end time %v is not between 0 and 1", r.Time)
	case len(sc.Payoffs) != seats:
		return fmt.Sprintf("the spec bounds the payoffs of %d seats of %d", len(sc.Payoffs), seats)
	}
	for k := range seats {
		u, d := r.Utility[k], r.Discounted[k]
		switch {
		case math.IsNaN(u) || math.IsInf(u, 0) || math.IsNaN(d) || math.IsInf(d, 0):
			return fmt.Sprintf("seat %d's utility %v (discounted %v) is not a number", k+1, u, d)
		case !sc.Payoffs[k].Holds(u, r.Round):
			return fmt.Sprintf("seat %d's utility %v is not one a session ending in round %d can pay", k+1, u, r.Round)
		case !(u >= 0 && d >= 0 && d <= u || u <= 0 && d <= 0 && d >= u):
			// A discount factor lies in (0, 1].
			return fmt.Sprintf("seat %d's discounted utility %v is not its utility %v discounted", k+1, d, u)
		}
	}
	nan := math.Float64bits(math.NaN())
	for k := seats; k < s.lay.seats; k++ {
		if binary.BigEndian.Uint64(b[s.lay.atUtility+8*k:]) != nan || s.lay.discounted && binary.BigEndian.Uint64(b[s.lay.atDiscounted+8*k:]) != nan {
			return fmt.Sprintf("it has a utility for seat %d, but scenario %s has %d seats", k+1, sc.Name, seats)
		}
	}
	return ""
}

// signed reports whether a session of status st ended in a deal (which
// then stands or was voided by a vote).
func signed(st session.Status) bool {
	return st == session.StatusAgreed || st == session.StatusRatified || st == session.StatusNotRatified
}

// scenarioSpan is the sessions of one scenario: first ≤ i < end, in
// repetitions of reps.
type scenarioSpan struct{ first, end, reps uint64 }

// scenarioSpans works out the spans of the canonical spec's scenarios, or
// nil when they do not fit 64 bits (a spec altered by hand).
func scenarioSpans(c *tournament.Canonical) []scenarioSpan {
	if c.Repetitions < 1 {
		return nil
	}
	spans := make([]scenarioSpan, len(c.Scenarios))
	off := uint64(0)
	for k, sc := range c.Scenarios {
		hi, n := bits.Mul64(sc.Assignments, uint64(c.Repetitions))
		if hi != 0 || off+n < off {
			return nil
		}
		spans[k] = scenarioSpan{off, off + n, uint64(c.Repetitions)}
		off += n
	}
	return spans
}

// scenarioOf is the scenario of session i (< the tournament's sessions).
func (s *Store) scenarioOf(i uint64) int {
	lo, hi := 0, len(s.spans)
	for lo < hi {
		m := (lo + hi) / 2
		if s.spans[m].end <= i {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
