package store

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/tournament"
)

// Sessions are stored in runs: one row of the runs table holds up to
// maxRun consecutive sessions, each as a fixed-size record of recordSize
// bytes (big-endian), so that the writer binds three values per run rather
// than 18 per session. What is a function of the session number (scenario,
// assignment, repetition) is not stored; the sessions view recomputes it.
//
//	offset  size  field
//	0       8     seed (uint64)
//	8       8     outcome index (uint64; 0 without agreement)
//	16      8     steps (uint64)
//	24      4     round (uint32)
//	28      1     agreed (0 or 1)
//	29      1     end reason (protocol.EndReason)
//	30      2     seat that walked out + 1 (0: none)
//	32      8     time (float64 bits)
//	40      8     distance to Pareto (float64 bits; NaN: not available)
//	48      8     distance to Nash (likewise)
//	56+16k  8, 8  utility and discounted utility of seat k+1 (NaN beyond the scenario's seats)
const (
	headerSize = 56
	maxRun     = 1024 // sessions per row at most (the counter table's size)
)

func recordSize(seats int) int { return headerSize + 16*seats }

// encode appends r's record to b.
func encode(b []byte, r *tournament.Record, seats int) ([]byte, error) {
	if r.Round < 0 || r.Round > math.MaxUint32 || r.Steps < 0 || r.WalkedOut < -1 || r.WalkedOut >= math.MaxUint16 || len(r.Utility) > seats || len(r.Discounted) != len(r.Utility) {
		return b, fmt.Errorf("session %d: the record does not fit the store's layout (round %d, steps %d, end %d, walked out %d, %d utilities for %d seats)",
			r.Number, r.Round, r.Steps, r.End, r.WalkedOut, len(r.Utility), seats)
	}
	be := binary.BigEndian
	b = be.AppendUint64(b, r.Seed)
	out := uint64(0)
	if r.Agreed {
		out = r.Outcome
	}
	b = be.AppendUint64(b, out)
	b = be.AppendUint64(b, uint64(r.Steps))
	b = be.AppendUint32(b, uint32(r.Round))
	agreed := byte(0)
	if r.Agreed {
		agreed = 1
	}
	b = append(b, agreed, byte(r.End))
	b = be.AppendUint16(b, uint16(r.WalkedOut+1))
	b = be.AppendUint64(b, math.Float64bits(r.Time))
	b = be.AppendUint64(b, math.Float64bits(r.Pareto))
	b = be.AppendUint64(b, math.Float64bits(r.Nash))
	nan := math.Float64bits(math.NaN())
	for k := range seats {
		u, d := nan, nan
		if k < len(r.Utility) {
			u, d = math.Float64bits(r.Utility[k]), math.Float64bits(r.Discounted[k])
		}
		b = be.AppendUint64(b, u)
		b = be.AppendUint64(b, d)
	}
	return b, nil
}

// decode reads the record in b (recordSize(seats) bytes) into r, keeping
// n seats; Number, Scenario, Assignment and Repetition are the caller's.
func decode(b []byte, r *tournament.Record, n int) {
	be := binary.BigEndian
	r.Seed = be.Uint64(b[0:])
	r.Agreed = b[28] == 1
	r.Outcome = be.Uint64(b[8:])
	r.Steps = int(be.Uint64(b[16:]))
	r.Round = int(be.Uint32(b[24:]))
	r.End = protocol.EndReason(b[29])
	r.WalkedOut = int(be.Uint16(b[30:])) - 1
	r.Time = math.Float64frombits(be.Uint64(b[32:]))
	r.Pareto = math.Float64frombits(be.Uint64(b[40:]))
	r.Nash = math.Float64frombits(be.Uint64(b[48:]))
	r.Utility, r.Discounted = r.Utility[:0], r.Discounted[:0]
	for k := range n {
		o := headerSize + 16*k
		r.Utility = append(r.Utility, math.Float64frombits(be.Uint64(b[o:])))
		r.Discounted = append(r.Discounted, math.Float64frombits(be.Uint64(b[o+8:])))
	}
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
// per recorded session, the columns of format version 1's sessions table.
func sessionsView(seats int) string {
	size := recordSize(seats)
	var q strings.Builder
	q.WriteString(`CREATE VIEW sessions AS SELECT
  r.first + c.i AS id, sc.id AS scenario,
  (r.first + c.i - sc.first_session) / sc.repetitions AS assignment,
  (r.first + c.i - sc.first_session) % sc.repetitions AS repetition,
  `)
	fmt.Fprintf(&q, "%s AS seed,\n  %s AS agreed,\n  %s AS end_reason,\n", sqlUint(size, 0, 8), sqlByte(size, 28), sqlByte(size, 29))
	fmt.Fprintf(&q, "  nullif(%s, 0) AS walked_out,\n  %s AS round,\n  %s AS time,\n  %s AS steps,\n",
		sqlUint(size, 30, 2), sqlUint(size, 24, 4), sqlFloat(size, 32), sqlUint(size, 16, 8))
	fmt.Fprintf(&q, "  CASE WHEN %s = 1 THEN %s END AS outcome,\n  %s AS pareto,\n  %s AS nash",
		sqlByte(size, 28), sqlUint(size, 8, 8), sqlFloat(size, 40), sqlFloat(size, 48))
	for k := range seats {
		fmt.Fprintf(&q, ",\n  %s AS utility_%d,\n  %s AS discounted_%d", sqlFloat(size, headerSize+16*k), k+1, sqlFloat(size, headerSize+16*k+8), k+1)
	}
	q.WriteString(`
FROM runs r
JOIN counter c ON c.i < r.n
JOIN scenarios sc ON r.first + c.i >= sc.first_session AND r.first + c.i < sc.first_session + sc.sessions`)
	return q.String()
}
