package web

import (
	"context"
	"encoding/json"
	"log"
	"math"
	"sync"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/session"
)

// An entry of a session's record as the owner's pages show it: a protocol
// event with every party's utility of its outcome, a session note, or the
// result. It holds private numbers (utilities, the full result): it is
// shown only to whoever holds the session's owner token, never to a seat.
type entry struct {
	N       int             `json:"n"`
	Kind    string          `json:"kind"` // offer, accept, vote, propose, ..., note, result
	Round   int             `json:"round"`
	T       float64         `json:"t"`
	By      string          `json:"by,omitempty"`
	Meeting string          `json:"meeting,omitempty"`
	Vote    string          `json:"vote,omitempty"`
	Phase   string          `json:"phase,omitempty"`
	Issues  []string        `json:"issues,omitempty"`  // the phase's issues, with an agenda
	Outcome []string        `json:"outcome,omitempty"` // value labels, in issue order
	U       []float64       `json:"u,omitempty"`       // each party's utility (null across a red line)
	Text    string          `json:"text,omitempty"`
	Note    string          `json:"note,omitempty"` // phase, event, ratification
	Party   string          `json:"party,omitempty"`
	Result  *session.Result `json:"result,omitempty"`
}

// recorder keeps the record of every session the server plays: in memory
// while it plays, and in web_events. A session resumed after a restart
// plays again from its start: the entries already stored are not stored
// again.
type recorder struct {
	a *App

	mu   sync.Mutex
	live map[string]*record

	wmu     sync.Mutex
	pending []pendingRow
	waiters []chan struct{}
	wake    chan struct{}
	done    chan struct{}
	started bool
	stopped bool
}

type pendingRow struct {
	session string
	n       int
	data    []byte
}

// record is one session's record.
type record struct {
	id string
	r  *session.Runner

	mu      sync.Mutex
	entries [][]byte
	stored  int // entries web_events held when the record was made (-1: not read yet)
	over    bool
	changed chan struct{}
	phase   string
}

func newRecorder(a *App) *recorder {
	return &recorder{a: a, live: map[string]*record{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// watch makes the watcher of a session being built.
func (rc *recorder) watch(id string, r *session.Runner) server.Watcher {
	rec := &record{id: id, r: r, stored: -1, changed: make(chan struct{})}
	rc.mu.Lock()
	rc.live[id] = rec
	rc.mu.Unlock()
	return &watcher{rc: rc, rec: rec}
}

// get is the live record of a session, or nil.
func (rc *recorder) get(id string) *record {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.live[id]
}

type watcher struct {
	rc  *recorder
	rec *record
}

func (w *watcher) Event(e protocol.Event) {
	r := w.rec.r
	en := entry{Kind: e.Type.String(), Round: int(e.Round), T: round6(e.T), Text: r.EventText()}
	if e.Seat >= 0 {
		en.By = r.SeatName(int(e.Seat))
	}
	if e.Private {
		en.Meeting = r.SeatName(int(e.With))
	}
	if e.Type == protocol.EventVote {
		en.Vote = "reject"
		if e.Accept {
			en.Vote = "accept"
		}
	}
	w.rec.mu.Lock()
	en.Phase = w.rec.phase
	w.rec.mu.Unlock()
	if en.Phase != "" {
		sc := r.Prepared().Scenario
		for _, ph := range sc.Agenda {
			if ph.ID == en.Phase {
				for _, i := range ph.Issues {
					en.Issues = append(en.Issues, sc.Issues[i].ID)
				}
			}
		}
	}
	if e.HasOutcome {
		en.Outcome = r.Labels(e.Outcome)
		for s := range len(r.Prepared().Seats) {
			en.U = append(en.U, round6(r.SeatUtility(s, e.Outcome)))
		}
	}
	w.add(&en)
}

func (w *watcher) Note(n session.Note) {
	if n.Kind == "phase" && n.Phase != "" {
		w.rec.mu.Lock()
		w.rec.phase = n.Phase
		w.rec.mu.Unlock()
	}
	w.add(&entry{Kind: "note", Note: n.Kind, Round: n.Round, Party: n.Party, Phase: n.Phase, Text: n.Text})
}

// Finish stores the result and waits until every entry is stored: the
// server marks the session finished only after.
func (w *watcher) Finish(res *session.Result) {
	w.add(&entry{Kind: "result", Round: res.Round, Result: res})
	w.rec.mu.Lock()
	w.rec.over = true
	w.rec.broadcast()
	w.rec.mu.Unlock()
	w.rc.flush()
	w.rc.mu.Lock()
	delete(w.rc.live, w.rec.id)
	w.rc.mu.Unlock()
}

// add appends an entry, and queues it to be stored unless a replay finds
// it stored already.
func (w *watcher) add(en *entry) {
	w.rc.a.wait()
	rec := w.rec
	rec.mu.Lock()
	if rec.stored < 0 {
		rec.stored = w.rc.a.storedEntries(rec.id)
	}
	en.N = len(rec.entries) + 1
	data, err := json.Marshal(en)
	if err != nil {
		// A non-finite number: keep the entry without utilities.
		en.U = nil
		data, _ = json.Marshal(en)
	}
	rec.entries = append(rec.entries, data)
	store := en.N > rec.stored
	rec.broadcast()
	rec.mu.Unlock()
	if store {
		w.rc.queue(pendingRow{rec.id, en.N, data})
	}
}

// broadcast wakes the record's readers; rec.mu is held.
func (rec *record) broadcast() {
	close(rec.changed)
	rec.changed = make(chan struct{})
}

// read returns the entries after the first n, whether the record is
// complete, and a channel closed when that changes.
func (rec *record) read(n int) ([][]byte, bool, <-chan struct{}) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out [][]byte
	if n < len(rec.entries) {
		out = rec.entries[n:]
	}
	return out, rec.over, rec.changed
}

func (a *App) storedEntries(id string) int {
	var n int
	a.db.QueryRowContext(context.Background(), `SELECT count(*) FROM web_events WHERE session = ?`, id).Scan(&n)
	return n
}

// entries reads a session's stored record after the first n.
func (a *App) entries(ctx context.Context, id string, n int) ([][]byte, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT data FROM web_events WHERE session = ? AND n > ? ORDER BY n`, id, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var d []byte
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (rc *recorder) queue(p pendingRow) {
	rc.wmu.Lock()
	rc.pending = append(rc.pending, p)
	rc.wmu.Unlock()
	select {
	case rc.wake <- struct{}{}:
	default:
	}
}

// flush waits until everything queued so far is stored.
func (rc *recorder) flush() {
	ch := make(chan struct{})
	rc.wmu.Lock()
	if !rc.started {
		rc.wmu.Unlock()
		return
	}
	rc.waiters = append(rc.waiters, ch)
	rc.wmu.Unlock()
	select {
	case rc.wake <- struct{}{}:
	default:
	}
	<-ch
}

func (rc *recorder) start() {
	rc.wmu.Lock()
	rc.started = true
	rc.wmu.Unlock()
	go rc.loop()
}

// stop stores what is queued and stops the writer.
func (rc *recorder) stop() {
	rc.wmu.Lock()
	live := rc.started && !rc.stopped
	rc.wmu.Unlock()
	if !live {
		return
	}
	rc.flush()
	rc.wmu.Lock()
	rc.stopped, rc.started = true, false
	rc.wmu.Unlock()
	close(rc.done)
}

// loop is the record's one writer: it stores queued entries in batches.
func (rc *recorder) loop() {
	for {
		select {
		case <-rc.wake:
		case <-rc.done:
			return
		}
		for {
			rc.wmu.Lock()
			batch, waiters := rc.pending, rc.waiters
			rc.pending, rc.waiters = nil, nil
			rc.wmu.Unlock()
			if len(batch) > 0 {
				if err := rc.write(batch); err != nil {
					log.Printf("parley serve: storing session records: %v", err)
				}
			}
			for _, w := range waiters {
				close(w)
			}
			if len(batch) == 0 && len(waiters) == 0 {
				break
			}
		}
	}
}

func (rc *recorder) write(batch []pendingRow) error {
	ctx := context.Background()
	tx, err := rc.a.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	st, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO web_events(session, n, data) VALUES(?, ?, ?)`)
	if err != nil {
		tx.Rollback()
		return err
	}
	for _, p := range batch {
		if _, err := st.ExecContext(ctx, p.session, p.n, p.data); err != nil {
			tx.Rollback()
			return err
		}
	}
	st.Close()
	return tx.Commit()
}

// round6 keeps six decimals (and null for what JSON cannot hold).
func round6(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return -1
	}
	return math.Round(x*1e6) / 1e6
}
