package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// restore resumes the sessions the database holds that are not over. A
// session is deterministic given what its open seats sent, so it is
// rebuilt from its request and played again from the start: each seat is
// sent again what it was sent (checked against the stored stream, not
// stored twice) and receives again what it sent, with the same Seen
// stamps, and any failure its connection had at the same point. Where the
// stored record ends, the session goes on live. Seats reconnect with
// their tokens and after=N; the grace period starts at the restart.
func (srv *Server) restore() error {
	ctx := context.Background()
	rows, err := srv.db.QueryContext(ctx, `SELECT id, created, request, scenario_name, scenario, state, started FROM sessions WHERE state != 'finished' ORDER BY created`)
	if err != nil {
		return err
	}
	type row struct {
		id, request, name, state string
		text                     []byte
		created, started         int64
	}
	var todo []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.created, &r.request, &r.name, &r.text, &r.state, &r.started); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, r)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, r := range todo {
		if err := srv.resume(r.id, r.request, r.name, r.text, r.state, r.created, r.started); err != nil {
			// One session that cannot be rebuilt does not keep the others
			// from being served; it stays in the database as it was.
			log.Printf("parley serve: session %s cannot be resumed: %v", r.id, err)
			continue
		}
		srv.resumed++
	}
	return nil
}

func (srv *Server) resume(id, request, name string, text []byte, state string, created, started int64) error {
	var req Request
	if err := json.Unmarshal([]byte(request), &req); err != nil {
		return err
	}
	l, ps := srv.build(id, &req, name, text)
	if len(ps) > 0 {
		return ps
	}
	l.created = time.Unix(0, created)
	bySeat := map[int]*openSeat{}
	for _, s := range l.seats {
		bySeat[s.index] = s
	}
	ctx := context.Background()
	rows, err := srv.db.QueryContext(ctx, `SELECT seat, token_hash, joined FROM seats WHERE session = ?`, id)
	if err != nil {
		return err
	}
	for rows.Next() {
		var i int
		var hash []byte
		var joined bool
		if err := rows.Scan(&i, &hash, &joined); err != nil {
			rows.Close()
			return err
		}
		if s := bySeat[i]; s != nil {
			s.hash, s.joined = hash, joined
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, s := range l.seats {
		if s.hash == nil {
			return fmt.Errorf("seat %d has no token", s.index)
		}
	}
	last := started
	if rows, err = srv.db.QueryContext(ctx, `SELECT seat, n, at, data FROM messages WHERE session = ? ORDER BY seat, n`, id); err != nil {
		return err
	}
	for rows.Next() {
		var i, n int
		var at int64
		var data []byte
		if err := rows.Scan(&i, &n, &at, &data); err != nil {
			rows.Close()
			return err
		}
		s := bySeat[i]
		if s == nil || n != len(s.msgs)+1 {
			rows.Close()
			return fmt.Errorf("seat %d: message %d out of order", i, n)
		}
		s.msgs, s.at = append(s.msgs, data), append(s.at, at)
		last = max(last, at)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if rows, err = srv.db.QueryContext(ctx, `SELECT seat, k, at, seen, data, cause, message, at_send FROM received WHERE session = ? ORDER BY seat, k`, id); err != nil {
		return err
	}
	for rows.Next() {
		var i, k, atSend int
		var at, seen int64
		var data []byte
		var cause, message sql.NullString
		if err := rows.Scan(&i, &k, &at, &seen, &data, &cause, &message, &atSend); err != nil {
			rows.Close()
			return err
		}
		s := bySeat[i]
		if s == nil || s.replay != nil {
			rows.Close()
			return fmt.Errorf("seat %d: received record %d out of place", i, k)
		}
		s.nIn = k
		last = max(last, at)
		if cause.Valid {
			s.replay = &failRecord{cause: session.Cause(cause.String), message: message.String, atSend: atSend}
			continue
		}
		s.in = append(s.in, received{msg: seat.Message{Data: data, Seen: uint64(seen)}, at: at})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if rows, err = srv.db.QueryContext(ctx, `SELECT elapsed FROM clock WHERE session = ? ORDER BY k`, id); err != nil {
		return err
	}
	for rows.Next() {
		var d int64
		rows.Scan(&d)
		l.clock.readings = append(l.clock.readings, d)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	now := time.Now()
	for _, s := range l.seats {
		s.stored, s.visible, s.preload = len(s.msgs), len(s.msgs), len(s.in)
		s.lastSeen = now
	}
	if !srv.register(l) {
		return errStopped
	}
	if state == StateRunning {
		l.state, l.started = StateRunning, time.Unix(0, started)
		l.clock.replaying = true
		l.clock.caughtUp = make(chan struct{})
		l.clock.shift = now.Sub(time.Unix(0, last))
		l.clock.at = l.started.Add(l.clock.shift)
		l.clock.since = now
		l.begin()
	} else {
		l.startIfReady()
	}
	return nil
}

// finishedSeat loads the stream of a finished session's seat by its token
// digest (nil when no seat has it).
func (srv *Server) finishedSeat(hash []byte) (*openSeat, error) {
	ctx := context.Background()
	var id, party string
	var index int
	err := srv.db.QueryRowContext(ctx, `SELECT session, seat, party FROM seats WHERE token_hash = ?`, hash).Scan(&id, &index, &party)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	srv.mu.Lock()
	l := srv.sessions[id]
	srv.mu.Unlock()
	if l != nil {
		// Registered meanwhile (a session being retired, or restored).
		for _, s := range l.seats {
			if s.index == index {
				return s, nil
			}
		}
	}
	l = &live{srv: srv, id: id, state: StateFinished, done: make(chan struct{})}
	l.clock.caughtUp = make(chan struct{})
	close(l.clock.caughtUp)
	s := newOpenSeat(l, index, party, hash)
	s.closed, s.gate, s.joined = true, true, true
	rows, err := srv.db.QueryContext(ctx, `SELECT data FROM messages WHERE session = ? AND seat = ? ORDER BY n`, id, index)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		s.msgs = append(s.msgs, data)
	}
	s.visible = len(s.msgs)
	return s, rows.Err()
}

// storedStatus is the status of a finished session, from the database.
func (srv *Server) storedStatus(id string) (*Status, error) {
	ctx := context.Background()
	var request, name, state string
	var result sql.NullString
	err := srv.db.QueryRowContext(ctx, `SELECT request, scenario_name, state, result FROM sessions WHERE id = ?`, id).Scan(&request, &name, &state, &result)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var req Request
	json.Unmarshal([]byte(request), &req)
	st := &Status{ID: id, State: state, Protocol: req.protocol()}
	var res session.Result
	if result.Valid && json.Unmarshal([]byte(result.String), &res) == nil {
		st.Scenario = res.Scenario
		st.Result = publicResult(&res)
		for _, p := range res.Parties {
			st.Parties = append(st.Parties, p.ID)
		}
	}
	open := map[int]bool{}
	rows, err := srv.db.QueryContext(ctx, `SELECT seat FROM seats WHERE session = ?`, id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var i int
		rows.Scan(&i)
		open[i] = true
	}
	rows.Close()
	for i, spec := range req.specs(len(st.Parties)) {
		ss := SeatStatus{Seat: i, Negotiator: spec, Open: open[i], Joined: open[i]}
		if i < len(st.Parties) {
			ss.Party = st.Parties[i]
		} else {
			ss.Party = "mediator"
		}
		st.Seats = append(st.Seats, ss)
	}
	return st, nil
}
