package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
)

// Sessions with seats played from outside parley add to their row of
// records two kinds of side rows, written in the same transaction and
// covered by the row's checksum:
//
//	failures(session, seat, cause, message)        one per failed session: the seat (from 1; the mediator's
//	                                                after the parties') that failed, a word for why, and the message
//	times(first, negotiator, actions, total_ns, hist)  per row of records (runs.first) and negotiator (from 0; the
//	                                                mediator's is the number of negotiators): its outside seats'
//	                                                answers in the row's sessions, their total time, and how many
//	                                                took each power of two of microseconds
//
// A histogram is stored as pairs of a bucket (one byte, increasing) and its
// count (an unsigned varint), for the buckets that are not empty.

// failureRow is a row of the failures table.
type failureRow struct {
	session uint64
	seat    int // from 1
	cause   string
	message string
}

// timesRow is a row of the times table.
type timesRow struct {
	first      uint64
	negotiator int
	actions    uint64
	total      int64 // ns
	hist       []byte
}

// maxMessage bounds a failure's message in the store: a message quotes
// what an agent wrote (its last words on stderr, a line it sent).
const maxMessage = 4096

// clip cuts s to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// encodeHist writes a histogram's buckets that are not empty.
func encodeHist(dst []byte, h *[tournament.TimeBuckets]uint64) []byte {
	for k, n := range h {
		if n > 0 {
			dst = append(dst, byte(k))
			dst = binary.AppendUvarint(dst, n)
		}
	}
	return dst
}

// decodeHist reads a histogram written by encodeHist, refusing one that is
// not in its form.
func decodeHist(b []byte, h *[tournament.TimeBuckets]uint64) error {
	*h = [tournament.TimeBuckets]uint64{}
	last := -1
	for len(b) > 0 {
		k := int(b[0])
		if k <= last || k >= len(h) {
			return fmt.Errorf("bucket %d after bucket %d", k, last)
		}
		n, w := binary.Uvarint(b[1:])
		if w <= 0 || n == 0 {
			return fmt.Errorf("bucket %d has no count", k)
		}
		h[k], last, b = n, k, b[1+w:]
	}
	return nil
}

// sideBytes is what a row's checksum covers of its side rows, after its
// records: each failure (in session order), then each times row (in
// negotiator order), with their lengths. A row without side rows adds
// nothing, so that its checksum is that of its records alone.
func sideBytes(dst []byte, fs []failureRow, ts []timesRow) []byte {
	be := binary.BigEndian
	for _, f := range fs {
		dst = append(dst, 'F')
		dst = be.AppendUint64(dst, f.session)
		dst = be.AppendUint32(dst, uint32(f.seat))
		dst = be.AppendUint32(dst, uint32(len(f.cause)))
		dst = append(dst, f.cause...)
		dst = be.AppendUint32(dst, uint32(len(f.message)))
		dst = append(dst, f.message...)
	}
	for _, t := range ts {
		dst = append(dst, 'T')
		dst = be.AppendUint32(dst, uint32(t.negotiator))
		dst = be.AppendUint64(dst, t.actions)
		dst = be.AppendUint64(dst, uint64(t.total))
		dst = be.AppendUint32(dst, uint32(len(t.hist)))
		dst = append(dst, t.hist...)
	}
	return dst
}

// sideRows are the side rows of the row of sessions first … first+n-1,
// from what the workers handed over for its sessions (outs, in session
// order): a failure per failed session, and the answer times summed per
// negotiator.
func sideRows(first uint64, outs []tournament.Outside) ([]failureRow, []timesRow, error) {
	var (
		fs   []failureRow
		sums []tournament.Times // by negotiator, in order
	)
	for i := range outs {
		o := &outs[i]
		if f := o.Failure; f != nil {
			if o.FailedSeat < 0 {
				return nil, nil, fmt.Errorf("session %d failed (%s: %s) but names no seat", o.Session, f.Cause, f.Message)
			}
			fs = append(fs, failureRow{session: o.Session, seat: o.FailedSeat + 1, cause: string(f.Cause), message: clip(f.Message, maxMessage)})
		}
		for j := range o.Times {
			t := &o.Times[j]
			k := 0
			for k < len(sums) && sums[k].Negotiator < t.Negotiator {
				k++
			}
			if k == len(sums) || sums[k].Negotiator != t.Negotiator {
				sums = append(sums, tournament.Times{})
				copy(sums[k+1:], sums[k:])
				sums[k] = tournament.Times{Negotiator: t.Negotiator}
			}
			sums[k].Add(t)
		}
	}
	var ts []timesRow
	for i := range sums {
		t := &sums[i]
		if t.Actions == 0 {
			continue
		}
		ts = append(ts, timesRow{first: first, negotiator: t.Negotiator, actions: t.Actions, total: int64(t.Total), hist: encodeHist(nil, &t.Hist)})
	}
	return fs, ts, nil
}

// checkFailure checks that session id of scenario k, whose record r
// holds, has a failure among fs[*next:] if and only if it failed, and
// that the failure can be one of that session's (moving *next past it).
// It returns what is wrong, or "".
func (s *Store) checkFailure(id uint64, k int, r *tournament.Record, fs []failureRow, next *int) string {
	has := *next < len(fs) && fs[*next].session == id
	switch {
	case r.Status == session.StatusFailed && !has:
		return "it failed, but its failure is not recorded"
	case r.Status != session.StatusFailed && has:
		return fmt.Sprintf("it has a recorded failure, but its status is %s", r.Status)
	case !has:
		return ""
	}
	f := &fs[*next]
	*next++
	sc := &s.Canonical.Scenarios[k]
	seats := len(sc.Parties)
	switch {
	case f.seat < 1 || f.seat > seats+1:
		return fmt.Sprintf("seat %d failed, but scenario %s has %d seats (and a mediator's)", f.seat, sc.Name, seats)
	case !isWord(f.cause):
		return fmt.Sprintf("its failure's cause %q is not a word", f.cause)
	case len(f.message) > maxMessage || !utf8.ValidString(f.message):
		return fmt.Sprintf("its failure's message is not text of at most %d bytes", maxMessage)
	}
	return ""
}

// checkTimes checks a row's times rows: each names a negotiator that plays
// from outside, and its histogram counts its answers. It returns what is
// wrong, or "".
func (s *Store) checkTimes(ts []timesRow) string {
	if len(ts) == 0 {
		return ""
	}
	for _, t := range ts {
		var h [tournament.TimeBuckets]uint64
		if !s.Canonical.Agents.Plays(t.negotiator) {
			return fmt.Sprintf("answer times of negotiator %d, which does not play from outside", t.negotiator)
		}
		if err := decodeHist(t.hist, &h); err != nil {
			return fmt.Sprintf("the answer times of %s: %v", s.negotiatorName(t.negotiator), err)
		}
		sum := uint64(0)
		for _, c := range h {
			sum += c
		}
		if sum != t.actions || t.actions == 0 || t.total < 0 {
			return fmt.Sprintf("the answer times of %s count %d answers in %d buckets, totalling %v", s.negotiatorName(t.negotiator), t.actions, sum, time.Duration(t.total))
		}
	}
	return ""
}

// isWord reports whether s is a failure's cause: a lower-case word, as the
// causes of session.Cause are.
func isWord(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return true
}

// negotiatorName is negotiator i's spec (the mediator's for the number of
// negotiators).
func (s *Store) negotiatorName(i int) string {
	c := s.Canonical
	switch {
	case i >= 0 && i < len(c.Negotiators):
		return c.Negotiators[i]
	case i == len(c.Negotiators) && c.Mediator != "":
		return c.Mediator
	}
	return fmt.Sprintf("negotiator %d", i)
}

// failureOf is the failure of a failed session of scenario k, as Scan
// gives it: the seat named by its party (or "mediator").
func (s *Store) failureOf(f *failureRow, k int) (*session.Failure, int) {
	parties := s.Canonical.Scenarios[k].Parties
	name := "mediator"
	if f.seat-1 < len(parties) {
		name = parties[f.seat-1]
	}
	return &session.Failure{Seat: name, Cause: session.Cause(f.cause), Message: f.message}, f.seat - 1
}

// Times returns each outside negotiator's answer times over every
// recorded session, in negotiator order (the mediator's last), from the
// times table (whose rows Open has checked).
func (s *Store) Times() ([]tournament.Times, error) {
	rows, err := s.conn.QueryContext(context.Background(), "SELECT negotiator, actions, total_ns, hist FROM times ORDER BY negotiator")
	if err != nil {
		return nil, s.damaged(err)
	}
	defer rows.Close()
	var out []tournament.Times
	for rows.Next() {
		var t timesRow
		if err := rows.Scan(&t.negotiator, &t.actions, &t.total, &t.hist); err != nil {
			return nil, s.damaged(err)
		}
		var x tournament.Times
		if err := decodeHist(t.hist, &x.Hist); err != nil {
			return nil, fmt.Errorf("%s: the answer times of %s: %v", s.Path, s.negotiatorName(t.negotiator), err)
		}
		x.Negotiator, x.Actions, x.Total = t.negotiator, t.actions, time.Duration(t.total)
		if n := len(out); n > 0 && out[n-1].Negotiator == x.Negotiator {
			out[n-1].Add(&x)
		} else {
			out = append(out, x)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.damaged(err)
	}
	return out, nil
}
