package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/tournament"
)

// A distributed run (tournament/cluster) plays its sessions on workers
// that have no store: each encodes its records with an Encoder of the
// coordinator's store's layout, and the coordinator adds them with
// WriteRemote, which checks them and keeps each session once however often
// it arrives. Shards that no worker could play are kept in a side table,
//
//	shard_failures(first, end_session, deliveries, reason)   sessions first … end_session-1, not recorded
//
// made when the first is recorded: a store without it has none, and a
// parley that does not know it reads the store as before (its sessions
// are simply not recorded).

// ErrRejected marks (wrapped) records WriteRemote refuses: they fail the
// checks every record read passes.
var ErrRejected = errors.New("records rejected")

// Layout is the shape of a store's records, as a worker needs it to encode
// records the way the store keeps them.
type Layout struct {
	Fields     string `json:"fields"` // meta.record_layout
	Seats      int    `json:"seats"`
	Discounted bool   `json:"discounted"`
}

// Layout is the store's record layout.
func (s *Store) Layout() Layout {
	return Layout{Fields: s.lay.layout.String(), Seats: s.lay.seats, Discounted: s.lay.discounted}
}

// Encoder encodes records as a store of one layout keeps them.
type Encoder struct{ lay codec }

// NewEncoder returns the encoder of records of layout l.
func NewEncoder(l Layout) (*Encoder, error) {
	if l.Seats < 1 || l.Seats > 1<<16 {
		return nil, fmt.Errorf("record layout: %d seats", l.Seats)
	}
	lay, err := parseLayout(l.Fields, l.Seats, l.Discounted)
	if err != nil {
		return nil, fmt.Errorf("record layout %q: %w", l.Fields, err)
	}
	return &Encoder{lay: lay.codec()}, nil
}

// RecordSize is the size of one record.
func (e *Encoder) RecordSize() int { return e.lay.size() }

// RowLength is the most sessions the store keeps in one row.
func (e *Encoder) RowLength() int { return e.lay.perRow() }

// Encode writes r's record into dst (RecordSize bytes).
func (e *Encoder) Encode(dst []byte, r *tournament.Record) error { return e.lay.encode(dst, r) }

// WriteRemote adds to the pending transaction records played elsewhere:
// data holds the records of sessions first, first+1, … (as an Encoder of
// the store's Layout writes them) and outside what their sessions with
// outside seats add, in session order. Every record is first checked as
// reading the store checks it (its values against the canonical spec, a
// failure exactly for a failed session, the answer times): if one fails,
// nothing is written and the error says which and why. Sessions already in
// done are dropped (a shard played twice, when a worker stopped after
// sending part of it); the others are written, one row per run of
// consecutive sessions, and added to done. It returns how many sessions
// were written and their steps.
func (s *Store) WriteRemote(first uint64, data []byte, outside []tournament.Outside, done tournament.Bitset) (written, steps uint64, err error) {
	size := s.lay.size()
	total := s.Canonical.Sessions
	if len(data) == 0 || len(data)%size != 0 {
		return 0, 0, fmt.Errorf("%w: %d bytes are not records of %d bytes", ErrRejected, len(data), size)
	}
	n := uint64(len(data) / size)
	if first >= total || n > total-first {
		return 0, 0, fmt.Errorf("%w: sessions %d to %d lie outside the tournament's %d sessions", ErrRejected, first, first+n-1, total)
	}
	for i := range outside {
		o := &outside[i]
		if o.Session < first || o.Session >= first+n || i > 0 && o.Session <= outside[i-1].Session {
			return 0, 0, fmt.Errorf("%w: the failures and answer times of session %d are not those of sessions %d to %d, in order", ErrRejected, o.Session, first, first+n-1)
		}
	}
	fs, ts, err := sideRows(first, outside)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %v", ErrRejected, err)
	}
	var rec tournament.Record
	k := s.scenarioOf(first)
	next := 0
	for j := range n {
		id := first + j
		for id >= s.spans[k].end {
			k++
		}
		why := s.checkRecord(data[j*uint64(size):(j+1)*uint64(size)], &rec, k)
		if why == "" {
			why = s.checkFailure(id, k, &rec, fs, &next)
		}
		if why != "" {
			return 0, 0, fmt.Errorf("%w: session %d: %s", ErrRejected, id, why)
		}
		if !done.Has(id) {
			steps += uint64(rec.Steps)
		}
	}
	if next < len(fs) {
		return 0, 0, fmt.Errorf("%w: a failure is given for session %d, which did not fail", ErrRejected, fs[next].session)
	}
	if why := s.checkTimes(ts); why != "" {
		return 0, 0, fmt.Errorf("%w: sessions %d to %d: %s", ErrRejected, first, first+n-1, why)
	}
	// The sessions not yet recorded, in runs.
	nums := make([]uint64, 0, n)
	for j := uint64(0); j < n; {
		for j < n && done.Has(first+j) {
			j++
		}
		lo := j
		for j < n && !done.Has(first+j) {
			j++
		}
		if j == lo {
			break
		}
		nums = nums[:0]
		for i := lo; i < j; i++ {
			nums = append(nums, first+i)
		}
		var outs []tournament.Outside
		for _, o := range outside {
			if o.Session >= first+lo && o.Session < first+j {
				outs = append(outs, o)
			}
		}
		if err := s.Write(nums, data[lo*uint64(size):j*uint64(size)], outs); err != nil {
			return written, steps, err
		}
		for _, id := range nums {
			done.Set(id)
		}
		written += j - lo
	}
	return written, steps, nil
}

// shardFailures makes the shard_failures table.
const shardFailures = `CREATE TABLE IF NOT EXISTS shard_failures (first INTEGER PRIMARY KEY, end_session INTEGER NOT NULL,
  deliveries INTEGER NOT NULL, reason TEXT NOT NULL, CHECK (first >= 0 AND end_session > first))`

// RecordShardFailure keeps, in the pending transaction (the next Commit
// makes it durable), that no worker could play shard f.
func (s *Store) RecordShardFailure(f tournament.ShardFailure) error {
	if !s.inTx {
		if err := s.exec("BEGIN IMMEDIATE"); err != nil {
			return s.failed(err)
		}
		s.inTx = true
	}
	if err := s.exec(shardFailures); err != nil {
		return s.failed(err)
	}
	if err := s.exec("INSERT OR REPLACE INTO shard_failures VALUES (?, ?, ?, ?)", int64(f.First), int64(f.End), f.Deliveries, clip(f.Reason, maxMessage)); err != nil {
		return s.failed(err)
	}
	return nil
}

// ClearShardFailures forgets, in one transaction, the failed shards whose
// sessions are all recorded now (in done).
func (s *Store) ClearShardFailures(done tournament.Bitset) error {
	fs, err := s.ShardFailures()
	if err != nil || len(fs) == 0 {
		return err
	}
	var clear []int64
	for _, f := range fs {
		if allIn(done, f.First, f.End) {
			clear = append(clear, int64(f.First))
		}
	}
	if len(clear) == 0 {
		return nil
	}
	if !s.inTx {
		if err := s.exec("BEGIN IMMEDIATE"); err != nil {
			return s.failed(err)
		}
		s.inTx = true
	}
	for _, first := range clear {
		if err := s.exec("DELETE FROM shard_failures WHERE first = ?", first); err != nil {
			return s.failed(err)
		}
	}
	return s.Commit()
}

func allIn(b tournament.Bitset, lo, hi uint64) bool {
	for i := lo; i < hi; i++ {
		if !b.Has(i) {
			return false
		}
	}
	return true
}

// ShardFailures are the shards no worker could play, in session order
// (none in a store that has no shard_failures table).
func (s *Store) ShardFailures() ([]tournament.ShardFailure, error) {
	ctx := context.Background()
	var name string
	err := s.conn.QueryRowContext(ctx, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'shard_failures'").Scan(&name)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, s.damaged(err)
	}
	rows, err := s.conn.QueryContext(ctx, "SELECT first, end_session, deliveries, reason FROM shard_failures ORDER BY first")
	if err != nil {
		return nil, s.damaged(err)
	}
	defer rows.Close()
	var out []tournament.ShardFailure
	for rows.Next() {
		var first, end int64
		var f tournament.ShardFailure
		if err := rows.Scan(&first, &end, &f.Deliveries, &f.Reason); err != nil {
			return nil, s.damaged(err)
		}
		if first < 0 || end <= first || uint64(end) > s.Canonical.Sessions {
			return nil, fmt.Errorf("%s: its shard_failures table names sessions %d to %d, not sessions of the tournament: the file was altered", s.Path, first, end-1)
		}
		f.First, f.End = uint64(first), uint64(end)
		out = append(out, f)
	}
	return out, rows.Err()
}
