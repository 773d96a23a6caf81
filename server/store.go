package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// The server's state in SQLite (write-ahead log; a committed transaction
// survives the process being killed):
//
//	meta(key, value)                         format parley-serve, version
//	sessions(id, created, request, scenario_name, scenario, state, started, result)
//	seats(session, seat, party, token_hash, joined)
//	messages(session, seat, n, at, data)      every message sent to a seat, numbered from 1
//	received(session, seat, k, at, seen, data, cause, message, at_send)
//	                                          what a seat sent (data), in order, with how many
//	                                          messages it had been sent then (seen); or how its
//	                                          connection failed (cause, message; at_send: at
//	                                          which message sent, 0: while waiting for one)
//	clock(session, k, elapsed)                readings of a session's clock (time deadlines)
//
// Tokens are kept as their SHA-256 digests only. A session is rebuilt from
// its request and replayed from what its seats sent (see restore.go).
const schema = `
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions(
	id TEXT PRIMARY KEY,
	created INTEGER NOT NULL,
	request TEXT NOT NULL,
	scenario_name TEXT NOT NULL,
	scenario BLOB NOT NULL,
	state TEXT NOT NULL,
	started INTEGER NOT NULL DEFAULT 0,
	result TEXT);
CREATE TABLE IF NOT EXISTS seats(
	session TEXT NOT NULL,
	seat INTEGER NOT NULL,
	party TEXT NOT NULL,
	token_hash BLOB NOT NULL UNIQUE,
	joined INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY(session, seat)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages(
	session TEXT NOT NULL,
	seat INTEGER NOT NULL,
	n INTEGER NOT NULL,
	at INTEGER NOT NULL,
	data BLOB NOT NULL,
	PRIMARY KEY(session, seat, n)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS received(
	session TEXT NOT NULL,
	seat INTEGER NOT NULL,
	k INTEGER NOT NULL,
	at INTEGER NOT NULL,
	seen INTEGER NOT NULL,
	data BLOB,
	cause TEXT,
	message TEXT,
	at_send INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY(session, seat, k)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS clock(
	session TEXT NOT NULL,
	k INTEGER NOT NULL,
	elapsed INTEGER NOT NULL,
	PRIMARY KEY(session, k)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_state ON sessions(state);
`

// Format and formatVersion identify a parley serve database (meta table).
const (
	Format        = "parley-serve"
	formatVersion = "1"
)

// Statements the journal runs.
const (
	sqlInsertSession = `INSERT INTO sessions(id, created, request, scenario_name, scenario, state) VALUES(?, ?, ?, ?, ?, 'waiting')`
	sqlInsertSeat    = `INSERT INTO seats(session, seat, party, token_hash) VALUES(?, ?, ?, ?)`
	sqlJoined        = `UPDATE seats SET joined = 1 WHERE session = ? AND seat = ?`
	sqlStarted       = `UPDATE sessions SET state = 'running', started = ? WHERE id = ?`
	sqlFinished      = `UPDATE sessions SET state = 'finished', result = ? WHERE id = ?`
	sqlMessage       = `INSERT INTO messages(session, seat, n, at, data) VALUES(?, ?, ?, ?, ?)`
	sqlReceived      = `INSERT OR REPLACE INTO received(session, seat, k, at, seen, data) VALUES(?, ?, ?, ?, ?, ?)`
	sqlFailure       = `INSERT INTO received(session, seat, k, at, seen, cause, message, at_send) VALUES(?, ?, ?, ?, 0, ?, ?, ?)`
	sqlClock         = `INSERT INTO clock(session, k, elapsed) VALUES(?, ?, ?)`
)

// stmt is one statement with its arguments.
type stmt struct {
	query string
	args  []any
}

// op is a unit of the journal: statements committed together with the
// others of their batch, then after is called (in the journal's
// goroutine, in the order ops were added) with the outcome.
type op struct {
	stmts []stmt
	after func(err error)
}

// errStopped is the outcome of ops added after the journal stopped.
var errStopped = errors.New("the server is stopping")

// journal is the single writer of the database: ops are queued without
// blocking and committed in batches (group commit), so that a thousand
// seats acting at once cost a few transactions, not a thousand. The order
// of ops is the order of commits and of after calls.
type journal struct {
	db   *sql.DB
	conn *sql.Conn
	prep map[string]*sql.Stmt

	mu      sync.Mutex
	ops     []op
	stopped bool
	wake    chan struct{}
	done    chan struct{}
	stopCk  chan struct{}
}

func openJournal(db *sql.DB) (*journal, error) {
	conn, err := db.Conn(context.Background())
	if err != nil {
		return nil, err
	}
	// Checkpoints (which sync the files to disk) run on a connection of
	// their own, off the writer's path: a commit only appends to the log.
	if _, err := conn.ExecContext(context.Background(), "PRAGMA wal_autocheckpoint=0"); err != nil {
		conn.Close()
		return nil, err
	}
	j := &journal{db: db, conn: conn, prep: map[string]*sql.Stmt{}, wake: make(chan struct{}, 1), done: make(chan struct{}), stopCk: make(chan struct{})}
	go j.loop()
	go j.checkpoints()
	return j, nil
}

// memJournal is a journal that stores nothing: the ops of a Hub's
// streams, whose after calls run in order as a database's would.
func memJournal() *journal {
	j := &journal{wake: make(chan struct{}, 1), done: make(chan struct{}), stopCk: make(chan struct{})}
	go j.loop()
	return j
}

// checkpointEvery is how often the write-ahead log is copied into the
// database file.
const checkpointEvery = time.Second

// checkpoints copies the log into the database now and then, without
// waiting for the writer (PASSIVE), and once more at the end.
func (j *journal) checkpoints() {
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			j.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		case <-j.stopCk:
			return
		}
	}
}

// add queues o; it never blocks, and may be called with a seat's lock
// held. After the journal stopped, o.after is called with errStopped on
// a goroutine of its own.
func (j *journal) add(o op) {
	j.mu.Lock()
	if j.stopped {
		j.mu.Unlock()
		if o.after != nil {
			go o.after(errStopped)
		}
		return
	}
	j.ops = append(j.ops, o)
	j.mu.Unlock()
	select {
	case j.wake <- struct{}{}:
	default:
	}
}

// do runs statements and waits for their commit.
func (j *journal) do(stmts ...stmt) error {
	done := make(chan error, 1)
	j.add(op{stmts: stmts, after: func(err error) { done <- err }})
	return <-done
}

// stop commits what is queued and stops the journal.
func (j *journal) stop() {
	j.mu.Lock()
	if j.stopped {
		j.mu.Unlock()
		<-j.done
		return
	}
	j.stopped = true
	j.mu.Unlock()
	select {
	case j.wake <- struct{}{}:
	default:
	}
	<-j.done
	close(j.stopCk)
	if j.conn != nil {
		j.conn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)")
		j.conn.Close()
	}
}

func (j *journal) loop() {
	defer close(j.done)
	for {
		<-j.wake
		for {
			j.mu.Lock()
			batch, stopped := j.ops, j.stopped
			j.ops = nil
			j.mu.Unlock()
			if len(batch) == 0 {
				if stopped {
					return
				}
				break
			}
			err := j.commit(batch)
			if err != nil {
				log.Printf("parley serve: writing the database: %v", err)
			}
			for _, o := range batch {
				if o.after != nil {
					o.after(err)
				}
			}
		}
	}
}

// commit runs a batch in one transaction, on the journal's connection
// (its statements prepared once, on it).
func (j *journal) commit(batch []op) error {
	if j.conn == nil {
		return nil // a memJournal
	}
	ctx := context.Background()
	if _, err := j.conn.ExecContext(ctx, "BEGIN"); err != nil {
		return err
	}
	for _, o := range batch {
		for _, s := range o.stmts {
			p, err := j.stmt(s.query)
			if err == nil {
				_, err = p.ExecContext(ctx, s.args...)
			}
			if err != nil {
				j.conn.ExecContext(ctx, "ROLLBACK")
				return fmt.Errorf("%.40s…: %w", s.query, err)
			}
		}
	}
	_, err := j.conn.ExecContext(ctx, "COMMIT")
	if err != nil {
		j.conn.ExecContext(ctx, "ROLLBACK")
	}
	return err
}

func (j *journal) stmt(q string) (*sql.Stmt, error) {
	if p, ok := j.prep[q]; ok {
		return p, nil
	}
	p, err := j.conn.PrepareContext(context.Background(), q)
	if err != nil {
		return nil, err
	}
	j.prep[q] = p
	return p, nil
}

// openDB opens (creating it if needed) the server's database: one
// connection pool for the journal's writes and reads of finished sessions.
func openDB(path string) (*sql.DB, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(0)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	ctx := context.Background()
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&tables); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if tables > 0 {
		// Only a parley serve database is reused: another file is left
		// as it is.
		var format, version string
		db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'format'`).Scan(&format)
		db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'version'`).Scan(&version)
		if format != Format || version != formatVersion {
			db.Close()
			return nil, fmt.Errorf("%s is not a parley serve database of version %s; give another --db file", path, formatVersion)
		}
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if tables == 0 {
		if _, err := db.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES('format', ?), ('version', ?)`, Format, formatVersion); err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return db, nil
}
