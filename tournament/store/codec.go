package store

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
)

// Sessions are stored in runs: one row of the runs table holds up to
// maxRun consecutive sessions, each as a fixed-size record (big-endian),
// so that the writer binds three values per run rather than a row of
// values per session. Only what the session produced is stored: what is a
// function of the session number (scenario, assignment, repetition, seed)
// or of the utilities (distances to the Pareto frontier and the Nash
// point, measured against the points table) is recomputed when read. The
// fewer bytes a session takes, the less the writer costs the workers: on a
// 2-core machine its CPU comes out of theirs.
//
// A record's fields, in this order (widths in bytes):
//
//	outcome    1, 2, 4 or 8  outcome index, as narrow as the largest scenario's space allows (0 without agreement)
//	steps      4             actions taken
//	round      2 or 4        2 when the deadline is at most 65,535 rounds
//	flags      1             agreed (bit 7), status code (bits 4-6, see statuses), end reason (bits 0-3)
//	walked_out 1 or 2        the seat that walked out + 1 (0: none); 1 for up to 253 seats
//	time       8             normalised time at the end (float64 bits)
//	utility    8 per seat    each seat's utility (NaN beyond the scenario's seats)
//	discounted 8 per seat    each seat's discounted utility: only in a tournament where some utility
//	                         is discounted (meta record_discounted = 1); otherwise it equals the utility
const (
	// maxRun is the most sessions a store puts in one row (its counter
	// table's size): enough for two seats' records (33 bytes at the
	// narrowest) to fill a row of rowBytes, so that every page is nearly
	// full.
	maxRun = 2048
	// rowBytes bounds a row's data so that it stays within its B-tree page
	// (SQLite keeps up to 65,501 bytes of a row on a 64 KiB leaf): a row
	// spilling onto overflow pages makes the sessions view read the whole
	// chain for every byte it decodes.
	rowBytes = 64000
)

// statuses are the session statuses a record's status code stands for
// (the index; 0 is unused), as in the statuses table.
var statuses = [...]session.Status{1: session.StatusAgreed, 2: session.StatusRatified, 3: session.StatusNotRatified,
	4: session.StatusNoAgreement, 5: session.StatusFailedPhase, 6: session.StatusFailed}

// statusCode is the code of s (its index in statuses), or 0 when s is not
// a status: a switch on constants, as every record is encoded with it.
func statusCode(s session.Status) byte {
	switch s {
	case session.StatusAgreed:
		return 1
	case session.StatusRatified:
		return 2
	case session.StatusNotRatified:
		return 3
	case session.StatusNoAgreement:
		return 4
	case session.StatusFailedPhase:
		return 5
	case session.StatusFailed:
		return 6
	}
	return 0
}

// perRow is the number of records the writer puts in one row at most.
func (l layout) perRow() int { return max(1, min(maxRun, rowBytes/l.size())) }

// layout is the shape of a store's records: the seats, whether discounted
// utilities are stored, and the widths of the fields whose range the
// tournament bounds.
type layout struct {
	seats      int  // K: utility_1..utility_K
	discounted bool // discounted utilities stored
	outcome    int  // bytes of the outcome index: 1, 2, 4 or 8
	round      int  // bytes of the round: 2 or 4
	walk       int  // bytes of the seat that walked out + 1: 1 or 2
}

// codec encodes and decodes the records of one layout, with the offsets
// of its fields worked out once: workers encode every session, and
// recomputing them per call (the layout copied at every level of methods
// calling each other) cost more than the encoding.
type codec struct {
	layout
	atSteps, atRound, atFlags, atWalk, atTime, atUtility, atDiscounted int
	bytes                                                              int // the record size
}

// codec works out l's offsets.
func (l layout) codec() codec {
	c := codec{layout: l}
	c.atSteps = l.outcome
	c.atRound = c.atSteps + 4
	c.atFlags = c.atRound + l.round
	c.atWalk = c.atFlags + 1
	c.atTime = c.atWalk + l.walk
	c.atUtility = c.atTime + 8
	c.atDiscounted, c.bytes = c.atUtility, c.atUtility+8*l.seats
	if l.discounted {
		c.atDiscounted, c.bytes = c.bytes, c.bytes+8*l.seats
	}
	return c
}

func (l layout) size() int { return l.codec().bytes }

func (c *codec) size() int { return c.bytes }

// String is the layout as meta.record_layout keeps it.
func (l layout) String() string {
	return fmt.Sprintf("outcome=%d steps=4 round=%d flags=1 walked_out=%d time=8", l.outcome, l.round, l.walk)
}

// parseLayout reads meta.record_layout into l's widths.
func parseLayout(text string, seats int, discounted bool) (layout, error) {
	l := layout{seats: seats, discounted: discounted}
	got := map[string]int{}
	for _, f := range strings.Fields(text) {
		k, v, ok := strings.Cut(f, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			return l, fmt.Errorf("%q is not name=bytes", f)
		}
		got[k] = n
	}
	allowed := map[string][]int{"outcome": {1, 2, 4, 8}, "steps": {4}, "round": {2, 4}, "flags": {1}, "walked_out": {1, 2}, "time": {8}}
	for k, ws := range allowed {
		if !slices.Contains(ws, got[k]) {
			return l, fmt.Errorf("field %s of %d bytes (allowed: %v)", k, got[k], ws)
		}
	}
	if len(got) != len(allowed) {
		return l, fmt.Errorf("%d fields, want %d", len(got), len(allowed))
	}
	l.outcome, l.round, l.walk = got["outcome"], got["round"], got["walked_out"]
	return l, nil
}

// fits reports whether v fits in w bytes.
func fits(v uint64, w int) bool { return w >= 8 || v < 1<<(8*w) }

// putUint writes v big-endian in w bytes (1, 2, 4 or 8).
func putUint(b []byte, w int, v uint64) {
	switch w {
	case 1:
		b[0] = byte(v)
	case 2:
		binary.BigEndian.PutUint16(b, uint16(v))
	case 4:
		binary.BigEndian.PutUint32(b, uint32(v))
	default:
		binary.BigEndian.PutUint64(b, v)
	}
}

// getUint reads the big-endian w-byte integer at b.
func getUint(b []byte, w int) uint64 {
	switch w {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(b))
	case 4:
		return uint64(binary.BigEndian.Uint32(b))
	}
	return binary.BigEndian.Uint64(b)
}

// encode writes r's record into b, which is c.size() bytes.
func (c *codec) encode(b []byte, r *tournament.Record) error {
	status := statusCode(r.Status)
	out := uint64(0)
	agreed := byte(0)
	if r.Agreed {
		out, agreed = r.Outcome, 1
	}
	if len(b) != c.bytes || r.Round < 0 || !fits(uint64(r.Round), c.round) || r.Steps < 0 || !fits(uint64(r.Steps), 4) ||
		r.WalkedOut < -1 || !fits(uint64(r.WalkedOut+1), c.walk) || !fits(out, c.outcome) ||
		len(r.Utility) > c.seats || len(r.Discounted) != len(r.Utility) || r.End > 15 || status == 0 {
		return c.misfit(r, out)
	}
	putUint(b, c.outcome, out)
	binary.BigEndian.PutUint32(b[c.atSteps:], uint32(r.Steps))
	putUint(b[c.atRound:], c.round, uint64(r.Round))
	b[c.atFlags] = agreed<<7 | status<<4 | byte(r.End)
	putUint(b[c.atWalk:], c.walk, uint64(r.WalkedOut+1))
	binary.BigEndian.PutUint64(b[c.atTime:], math.Float64bits(r.Time))
	nan := math.Float64bits(math.NaN())
	for k := range c.seats {
		u, d := nan, nan
		if k < len(r.Utility) {
			u, d = math.Float64bits(r.Utility[k]), math.Float64bits(r.Discounted[k])
		}
		binary.BigEndian.PutUint64(b[c.atUtility+8*k:], u)
		if c.discounted {
			binary.BigEndian.PutUint64(b[c.atDiscounted+8*k:], d)
		}
	}
	return nil
}

// misfit is encode's error for a record its layout cannot hold.
func (c *codec) misfit(r *tournament.Record, out uint64) error {
	return fmt.Errorf("session %d: the record does not fit the store's layout (outcome %d, round %d, steps %d, end %d, status %q, walked out %d, %d utilities for %d seats; %s)",
		r.Number, out, r.Round, r.Steps, r.End, r.Status, r.WalkedOut, len(r.Utility), c.seats, c.layout)
}

// decode reads the record in b (c.size() bytes) into r, keeping n seats;
// Number, Scenario, Assignment, Repetition, Seed and the distances are the
// caller's.
func (c *codec) decode(b []byte, r *tournament.Record, n int) {
	be := binary.BigEndian
	flags := b[c.atFlags]
	agreed, endStatus := flags>>7, flags&127
	r.Agreed = agreed == 1
	r.Outcome = getUint(b, c.outcome)
	r.Steps = int(be.Uint32(b[c.atSteps:]))
	r.Round = int(getUint(b[c.atRound:], c.round))
	r.End = protocol.EndReason(endStatus & 15)
	r.Status = ""
	if code := int(endStatus >> 4); code < len(statuses) {
		r.Status = statuses[code]
	}
	r.WalkedOut = int(getUint(b[c.atWalk:], c.walk)) - 1
	r.Time = math.Float64frombits(be.Uint64(b[c.atTime:]))
	r.Utility, r.Discounted = r.Utility[:0], r.Discounted[:0]
	for k := range n {
		r.Utility = append(r.Utility, math.Float64frombits(be.Uint64(b[c.atUtility+8*k:])))
	}
	if c.discounted {
		for k := range n {
			r.Discounted = append(r.Discounted, math.Float64frombits(be.Uint64(b[c.atDiscounted+8*k:])))
		}
	} else {
		r.Discounted = append(r.Discounted, r.Utility...)
	}
}

// utilityAt and discountedAt are the offsets of seat k's (from 0) values.
func (l layout) utilityAt(k int) int { return l.codec().atUtility + 8*k }

func (l layout) discountedAt(k int) int { return l.codec().atDiscounted + 8*k }

// The sessions view decodes the records in plain SQL (no extension
// functions): a byte is its position in a 256-byte lookup blob (instr works
// on blobs byte by byte), integers are OR-ed shifted bytes, and a float64
// is rebuilt exactly from its bits as ±significand × 2^exponent, the power
// of two read from the pow2 table (NaN, the "not available" marker, and
// infinities read as NULL).

var lut = func() string {
	var b strings.Builder
	b.WriteString("X'")
	for i := range 256 {
		fmt.Fprintf(&b, "%02X", i)
	}
	b.WriteString("'")
	return b.String()
}()

// sqlByte is byte off of the current session's record.
func sqlByte(size, off int) string {
	return fmt.Sprintf("(instr(%s, substr(r.data, c.i*%d+%d, 1))-1)", lut, size, off+1)
}

// sqlUint is the big-endian unsigned integer of n bytes at off.
func sqlUint(size, off, n int) string {
	var parts []string
	for j := range n {
		sh := 8 * (n - 1 - j)
		if sh == 0 {
			parts = append(parts, sqlByte(size, off+j))
		} else {
			parts = append(parts, fmt.Sprintf("(%s << %d)", sqlByte(size, off+j), sh))
		}
	}
	return "(" + strings.Join(parts, " | ") + ")"
}

// sqlFloat is the float64 at off (NULL for NaN and infinities).
func sqlFloat(size, off int) string {
	b0, b1 := sqlByte(size, off), sqlByte(size, off+1)
	exp := fmt.Sprintf("(((%s & 127) << 4) | (%s >> 4))", b0, b1)
	frac := []string{fmt.Sprintf("((%s & 15) << 48)", b1)}
	for j := 2; j < 8; j++ {
		frac = append(frac, fmt.Sprintf("(%s << %d)", sqlByte(size, off+j), 8*(7-j)))
	}
	return fmt.Sprintf("(CASE %[1]s WHEN 2047 THEN NULL ELSE (1 - 2*(%[2]s >> 7)) * ((%[3]s) | (CASE %[1]s WHEN 0 THEN 0 ELSE 4503599627370496 END)) END)"+
		" * (SELECT v FROM pow2 WHERE e = max(%[1]s, 1) - 1075)",
		exp, b0, strings.Join(frac, " | "))
}

// sessionsView is the CREATE VIEW statement of the sessions view: one row
// per recorded session, decoded from the runs. Distances are not in it:
// measured in SQL against the points table they cost every query that
// reads the view (even one that does not select them) a hundred times more
// than the decoding; reports and exports compute them in Go.
func sessionsView(l layout) string {
	size := l.size()
	var q strings.Builder
	q.WriteString(`CREATE VIEW sessions AS SELECT
  r.first + c.i AS id, sc.id AS scenario,
  (r.first + c.i - sc.first_session) / sc.repetitions AS assignment,
  (r.first + c.i - sc.first_session) % sc.repetitions AS repetition,
  `)
	o := l.codec()
	b := sqlByte(size, o.atFlags)
	agreed, end, status := fmt.Sprintf("(%s >> 7)", b), fmt.Sprintf("(%s & 15)", b), fmt.Sprintf("((%s >> 4) & 7)", b)
	fmt.Fprintf(&q, "%s AS agreed,\n  %s AS end_reason,\n  %s AS status,\n", agreed, end, status)
	fmt.Fprintf(&q, "  nullif(%s, 0) AS walked_out,\n  %s AS round,\n  %s AS time,\n  %s AS steps,\n",
		sqlUint(size, o.atWalk, l.walk), sqlUint(size, o.atRound, l.round), sqlFloat(size, o.atTime), sqlUint(size, o.atSteps, 4))
	fmt.Fprintf(&q, "  CASE WHEN %s = 1 THEN %s END AS outcome", agreed, sqlUint(size, 0, l.outcome))
	for k := range l.seats {
		fmt.Fprintf(&q, ",\n  %s AS utility_%d,\n  %s AS discounted_%d", sqlFloat(size, l.utilityAt(k)), k+1, sqlFloat(size, l.discountedAt(k)), k+1)
	}
	q.WriteString(`
FROM runs r
JOIN counter c ON c.i < r.n
JOIN scenarios sc ON r.first + c.i >= sc.first_session AND r.first + c.i < sc.first_session + sc.sessions`)
	return q.String()
}
