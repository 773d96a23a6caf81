package store

import (
	"encoding/binary"
	"fmt"
	"math"
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
//	offset  size  field
//	0       8     outcome index (uint64; 0 without agreement)
//	8       4     steps (uint32)
//	12      4     round (uint32)
//	16      1     agreed (0 or 1)
//	17      1     end reason (protocol.EndReason, low 4 bits) and status
//	              (code in statuses, high 4 bits)
//	18      2     seat that walked out + 1 (0: none)
//	20      8     time (float64 bits)
//	28+8k   8     utility of seat k+1 (NaN beyond the scenario's seats)
//	then    8     discounted utility of seat k+1, for each seat: only in a
//	              tournament where some utility is discounted (meta
//	              record_discounted = 1); otherwise it equals the utility
const (
	headerSize = 28
	// maxRun is the most sessions a new store puts in one row (its
	// counter table's size): enough for the smallest record (2 seats, 44
	// bytes) to fill a row of rowBytes, so that every page is nearly full.
	// A store made with a smaller counter keeps its own limit (Store.run).
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
	4: session.StatusNoAgreement, 5: session.StatusFailedPhase}

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
	}
	return 0
}

// perRow is the number of records the writer puts in one row at most,
// in a store whose rows hold up to run sessions.
func (l layout) perRow(run int) int { return max(1, min(run, rowBytes/l.size())) }

// layout is the shape of a store's records.
type layout struct {
	seats      int  // K: utility_1..utility_K
	discounted bool // discounted utilities stored
}

func (l layout) size() int {
	if l.discounted {
		return headerSize + 16*l.seats
	}
	return headerSize + 8*l.seats
}

// encode writes r's record into b, which is l.size() bytes.
func (l layout) encode(b []byte, r *tournament.Record) error {
	status := statusCode(r.Status)
	if len(b) != l.size() || r.Round < 0 || r.Round > math.MaxUint32 || r.Steps < 0 || r.Steps > math.MaxUint32 || r.WalkedOut < -1 || r.WalkedOut >= math.MaxUint16 ||
		len(r.Utility) > l.seats || len(r.Discounted) != len(r.Utility) || r.End > 15 || status == 0 {
		return fmt.Errorf("session %d: the record does not fit the store's layout (round %d, steps %d, end %d, status %q, walked out %d, %d utilities for %d seats)",
			r.Number, r.Round, r.Steps, r.End, r.Status, r.WalkedOut, len(r.Utility), l.seats)
	}
	be := binary.BigEndian
	out := uint64(0)
	agreed := byte(0)
	if r.Agreed {
		out, agreed = r.Outcome, 1
	}
	be.PutUint64(b[0:], out)
	be.PutUint32(b[8:], uint32(r.Steps))
	be.PutUint32(b[12:], uint32(r.Round))
	b[16], b[17] = agreed, byte(r.End)|status<<4
	be.PutUint16(b[18:], uint16(r.WalkedOut+1))
	be.PutUint64(b[20:], math.Float64bits(r.Time))
	nan := math.Float64bits(math.NaN())
	for k := range l.seats {
		u, d := nan, nan
		if k < len(r.Utility) {
			u, d = math.Float64bits(r.Utility[k]), math.Float64bits(r.Discounted[k])
		}
		be.PutUint64(b[l.utilityAt(k):], u)
		if l.discounted {
			be.PutUint64(b[l.discountedAt(k):], d)
		}
	}
	return nil
}

// decode reads the record in b (l.size() bytes) into r, keeping n seats;
// Number, Scenario, Assignment, Repetition, Seed and the distances are the
// caller's.
func (l layout) decode(b []byte, r *tournament.Record, n int) {
	be := binary.BigEndian
	r.Agreed = b[16] == 1
	r.Outcome = be.Uint64(b[0:])
	r.Steps = int(be.Uint32(b[8:]))
	r.Round = int(be.Uint32(b[12:]))
	r.End = protocol.EndReason(b[17] & 15)
	r.Status = ""
	if c := int(b[17] >> 4); c < len(statuses) {
		r.Status = statuses[c]
	}
	r.WalkedOut = int(be.Uint16(b[18:])) - 1
	r.Time = math.Float64frombits(be.Uint64(b[20:]))
	r.Utility, r.Discounted = r.Utility[:0], r.Discounted[:0]
	for k := range n {
		r.Utility = append(r.Utility, math.Float64frombits(be.Uint64(b[headerSize+8*k:])))
	}
	if l.discounted {
		for k := range n {
			r.Discounted = append(r.Discounted, math.Float64frombits(be.Uint64(b[headerSize+8*(l.seats+k):])))
		}
	} else {
		r.Discounted = append(r.Discounted, r.Utility...)
	}
}

// utilityAt and discountedAt are the offsets of seat k's (from 0) values.
func (l layout) utilityAt(k int) int { return headerSize + 8*k }

func (l layout) discountedAt(k int) int {
	if l.discounted {
		return headerSize + 8*(l.seats+k)
	}
	return l.utilityAt(k)
}

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
	fmt.Fprintf(&q, "%[1]s AS agreed,\n  (%[2]s & 15) AS end_reason,\n  (%[2]s >> 4) AS status,\n", sqlByte(size, 16), sqlByte(size, 17))
	fmt.Fprintf(&q, "  nullif(%s, 0) AS walked_out,\n  %s AS round,\n  %s AS time,\n  %s AS steps,\n",
		sqlUint(size, 18, 2), sqlUint(size, 12, 4), sqlFloat(size, 20), sqlUint(size, 8, 4))
	fmt.Fprintf(&q, "  CASE WHEN %s = 1 THEN %s END AS outcome", sqlByte(size, 16), sqlUint(size, 0, 8))
	for k := range l.seats {
		fmt.Fprintf(&q, ",\n  %s AS utility_%d,\n  %s AS discounted_%d", sqlFloat(size, l.utilityAt(k)), k+1, sqlFloat(size, l.discountedAt(k)), k+1)
	}
	q.WriteString(`
FROM runs r
JOIN counter c ON c.i < r.n
JOIN scenarios sc ON r.first + c.i >= sc.first_session AND r.first + c.i < sc.first_session + sc.sessions`)
	return q.String()
}
