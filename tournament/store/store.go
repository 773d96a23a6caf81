// Package store keeps a tournament's results in one SQLite file (pure Go,
// modernc.org/sqlite, write-ahead log): the canonical spec in a meta table
// and one row per session keyed by the session number, so that every
// session is recorded exactly once however often the run is killed and
// resumed.
//
// Layout (seats and assignments are numbered from 1, sessions from 0):
//
//	meta(key, value)                       format, version, spec (canonical JSON), spec_sha256, spec_source, created, parley
//	scenarios(id, path, name, sha256, seats, assignments, first_session, sessions)
//	parties(scenario, seat, party)         the party id of each negotiating seat
//	negotiators(id, spec)
//	assignments(scenario, assignment, seat, negotiator)
//	end_reasons(code, name)
//	sessions(id, scenario, assignment, repetition, seed, agreed, end_reason, walked_out,
//	         round, time, steps, outcome, pareto, nash, utility_1, discounted_1, …, utility_K, discounted_K)
//	view results(session, scenario, seat, party, negotiator, utility, discounted, agreed, …)
package store

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/tournament"
)

// Format is the value of meta.format in a parley tournament store.
const Format = "parley-tournament"

// rowsPerInsert is the number of rows one multi-row INSERT carries.
const rowsPerInsert = 32

// Store is an open tournament database.
type Store struct {
	Path      string
	Canonical *tournament.Canonical
	Source    string // the spec file's text as first given

	db       *sql.DB
	conn     *sql.Conn
	unlock   func()
	seats    int                    // K: utility_1..utility_K columns
	insertN  driver.StmtExecContext // prepared on the driver's connection
	insert1  driver.StmtExecContext
	args     []driver.NamedValue
	inTx     bool
	recorded uint64
}

// ErrFull is returned (wrapped) when the disk, or the database's size limit,
// is full.
var ErrFull = errors.New("the disk is full")

// Create opens the store at path for plan, creating it when the file is
// absent or empty. An existing store must have been made by the same
// canonical spec; otherwise Create names what changed. A file that is not
// a parley tournament store, or is damaged, is refused and left untouched.
// Only one process may hold a store open for writing.
func Create(path string, p *tournament.Plan, source []byte, version string) (*Store, error) {
	unlock, err := lock(path)
	if err != nil {
		return nil, err
	}
	s, err := create(path, p, source, version)
	if err != nil {
		unlock()
		return nil, err
	}
	s.unlock = unlock
	return s, nil
}

func create(path string, p *tournament.Plan, source []byte, version string) (*Store, error) {
	fresh := false
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		fresh = true
	} else if err := checkHeader(path); err != nil {
		return nil, err
	}
	s, err := openDB(path, false)
	if err != nil {
		return nil, err
	}
	if !fresh {
		if err := s.check(); err != nil {
			if errors.Is(err, errEmpty) {
				fresh = true
			} else {
				s.Close()
				return nil, err
			}
		}
	}
	if fresh {
		if err := s.init(p, source, version); err != nil {
			s.Close()
			return nil, fmt.Errorf("%s: creating the tournament store: %w", path, classify(err))
		}
	} else {
		if d := s.Canonical.Diff(p.Canonical); len(d) > 0 {
			s.Close()
			return nil, fmt.Errorf("%s holds tournament %q made by a different spec, so its results cannot be resumed with this one:\n  %s\nrun the spec as it was, or give a new --db file",
				path, s.Canonical.Name, strings.Join(d, "\n  "))
		}
	}
	s.seats = p.MaxSeats
	if err := s.prepare(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Open opens an existing store read-only (for reports and exports).
func Open(path string) (*Store, error) {
	if fi, err := os.Stat(path); err != nil {
		return nil, err
	} else if fi.Size() == 0 {
		return nil, fmt.Errorf("%s is empty: not a parley tournament store", path)
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	s, err := openDB(path, true)
	if err != nil {
		return nil, err
	}
	if err := s.check(); err != nil {
		s.Close()
		if errors.Is(err, errEmpty) {
			return nil, fmt.Errorf("%s is an empty SQLite database, not a parley tournament store", path)
		}
		return nil, err
	}
	for _, sc := range s.Canonical.Scenarios {
		s.seats = max(s.seats, len(sc.Parties))
	}
	return s, nil
}

var errEmpty = errors.New("empty database")

// checkHeader refuses a file that is not SQLite before SQLite touches it.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := make([]byte, 16)
	if _, err := io.ReadFull(f, h); err != nil || !bytes.Equal(h, []byte("SQLite format 3\x00")) {
		return fmt.Errorf("%s is not a SQLite database, so not a parley tournament store; give another --db file", path)
	}
	return nil
}

func openDB(path string, readOnly bool) (*Store, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)"
	if readOnly {
		dsn += "&mode=ro"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(context.Background())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, classify(err))
	}
	return &Store{Path: path, db: db, conn: conn}, nil
}

// check verifies that the file is an intact parley store and reads its meta.
func (s *Store) check() error {
	ctx := context.Background()
	var res []string
	rows, err := s.conn.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return s.damaged(err)
	}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			rows.Close()
			return s.damaged(err)
		}
		res = append(res, r)
	}
	if err := rows.Close(); err != nil {
		return s.damaged(err)
	}
	if len(res) != 1 || res[0] != "ok" {
		if len(res) > 5 {
			res = append(res[:5], "…")
		}
		return fmt.Errorf("%s is damaged (SQLite integrity check: %s); its results cannot be trusted: keep it for inspection and give a new --db file", s.Path, strings.Join(res, "; "))
	}
	var tables []string
	rows, err = s.conn.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name")
	if err != nil {
		return s.damaged(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) == 0 {
		return errEmpty
	}
	meta := map[string]string{}
	rows, err = s.conn.QueryContext(ctx, "SELECT key, value FROM meta")
	if err != nil {
		return fmt.Errorf("%s is a SQLite database but not a parley tournament store (its tables: %s); give another --db file", s.Path, strings.Join(tables, ", "))
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return fmt.Errorf("%s is a SQLite database but not a parley tournament store (its meta table is not parley's); give another --db file", s.Path)
		}
		meta[k] = v
	}
	rows.Close()
	if meta["format"] != Format {
		return fmt.Errorf("%s is a SQLite database but not a parley tournament store (meta.format is %q); give another --db file", s.Path, meta["format"])
	}
	if v := meta["version"]; v != strconv.Itoa(tournament.FormatVersion) {
		return fmt.Errorf("%s is a parley tournament store of format version %s; this parley reads version %d", s.Path, v, tournament.FormatVersion)
	}
	var c tournament.Canonical
	if err := json.Unmarshal([]byte(meta["spec"]), &c); err != nil {
		return fmt.Errorf("%s: the stored spec is unreadable: %v", s.Path, err)
	}
	if h := c.Hash(); h != meta["spec_sha256"] {
		return fmt.Errorf("%s: the stored spec does not match its hash (%.12s, stored %.12s): the file was altered", s.Path, h, meta["spec_sha256"])
	}
	s.Canonical, s.Source = &c, meta["spec_source"]
	return nil
}

func (s *Store) damaged(err error) error {
	return fmt.Errorf("%s is damaged or not a SQLite database (%v); give a new --db file", s.Path, err)
}

func (s *Store) exec(q string, args ...any) error {
	_, err := s.conn.ExecContext(context.Background(), q, args...)
	return err
}

// init writes the schema, the spec and the plan's tables in one
// transaction, so that a kill leaves either an empty file or a whole store.
func (s *Store) init(p *tournament.Plan, source []byte, version string) error {
	if err := s.exec("PRAGMA journal_mode=WAL"); err != nil {
		return err
	}
	if err := s.exec("BEGIN IMMEDIATE"); err != nil {
		return err
	}
	if err := s.schema(p, source, version); err != nil {
		s.exec("ROLLBACK")
		return err
	}
	if err := s.exec("COMMIT"); err != nil {
		s.exec("ROLLBACK")
		return err
	}
	s.Canonical, s.Source = p.Canonical, string(source)
	return nil
}

func (s *Store) schema(p *tournament.Plan, source []byte, version string) error {
	var cols, view strings.Builder
	for k := 1; k <= p.MaxSeats; k++ {
		fmt.Fprintf(&cols, ",\n  utility_%d REAL, discounted_%d REAL", k, k)
		if k > 1 {
			view.WriteString("\nUNION ALL\n")
		}
		fmt.Fprintf(&view, `SELECT s.id AS session, s.scenario, %[1]d AS seat, pa.party, n.spec AS negotiator,
  s.utility_%[1]d AS utility, s.discounted_%[1]d AS discounted, s.agreed, s.round, s.pareto, s.nash
FROM sessions s
JOIN assignments a ON a.scenario = s.scenario AND a.assignment = s.assignment AND a.seat = %[1]d
JOIN negotiators n ON n.id = a.negotiator
JOIN parties pa ON pa.scenario = s.scenario AND pa.seat = %[1]d`, k)
	}
	stmts := []string{
		`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
		`CREATE TABLE scenarios (id INTEGER PRIMARY KEY, path TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL,
  seats INTEGER NOT NULL, assignments INTEGER NOT NULL, first_session INTEGER NOT NULL, sessions INTEGER NOT NULL)`,
		`CREATE TABLE parties (scenario INTEGER NOT NULL, seat INTEGER NOT NULL, party TEXT NOT NULL, PRIMARY KEY (scenario, seat)) WITHOUT ROWID`,
		`CREATE TABLE negotiators (id INTEGER PRIMARY KEY, spec TEXT NOT NULL)`,
		`CREATE TABLE assignments (scenario INTEGER NOT NULL, assignment INTEGER NOT NULL, seat INTEGER NOT NULL, negotiator INTEGER NOT NULL,
  PRIMARY KEY (scenario, assignment, seat)) WITHOUT ROWID`,
		`CREATE TABLE sessions (
  id INTEGER PRIMARY KEY, scenario INTEGER NOT NULL, assignment INTEGER NOT NULL, repetition INTEGER NOT NULL,
  seed INTEGER NOT NULL, agreed INTEGER NOT NULL, end_reason INTEGER NOT NULL, walked_out INTEGER,
  round INTEGER NOT NULL, time REAL NOT NULL, steps INTEGER NOT NULL, outcome INTEGER, pareto REAL, nash REAL` + cols.String() + `)`,
		`CREATE TABLE end_reasons (code INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
		`CREATE VIEW results AS ` + view.String(),
	}
	for _, q := range stmts {
		if err := s.exec(q); err != nil {
			return fmt.Errorf("%s: %w", q[:min(len(q), 40)], err)
		}
	}
	c := p.Canonical
	meta := [][2]string{
		{"format", Format},
		{"version", strconv.Itoa(tournament.FormatVersion)},
		{"spec", string(c.JSON())},
		{"spec_sha256", c.Hash()},
		{"spec_source", string(source)},
		{"created", time.Now().UTC().Format(time.RFC3339)},
		{"parley", version},
	}
	for _, kv := range meta {
		if err := s.exec("INSERT INTO meta VALUES (?, ?)", kv[0], kv[1]); err != nil {
			return err
		}
	}
	for e := protocol.EndReason(0); e <= protocol.Exhausted; e++ {
		if err := s.exec("INSERT INTO end_reasons VALUES (?, ?)", int(e), e.String()); err != nil {
			return err
		}
	}
	for i, n := range c.Negotiators {
		if err := s.exec("INSERT INTO negotiators VALUES (?, ?)", i, n); err != nil {
			return err
		}
	}
	var assign []int
	for k, ps := range p.Scenarios {
		cs := c.Scenarios[k]
		if err := s.exec("INSERT INTO scenarios VALUES (?, ?, ?, ?, ?, ?, ?, ?)", k, cs.Path, cs.Name, cs.SHA256, ps.Seats,
			int64(ps.Assignments), int64(ps.Offset), int64(ps.Sessions)); err != nil {
			return err
		}
		for seat, id := range cs.Parties {
			if err := s.exec("INSERT INTO parties VALUES (?, ?, ?)", k, seat+1, id); err != nil {
				return err
			}
		}
		for a := range ps.Assignments {
			assign = p.Assignment(k, a, assign)
			for seat, n := range assign {
				if err := s.exec("INSERT INTO assignments VALUES (?, ?, ?, ?)", k, int64(a), seat+1, n); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *Store) columns() int { return 14 + 2*s.seats }

func (s *Store) prepare() error {
	if err := s.exec("PRAGMA journal_mode=WAL"); err != nil {
		return classify(err)
	}
	// NORMAL in WAL mode: a committed transaction survives the process
	// being killed; an OS crash or power loss may lose the last commits,
	// never consistency (those sessions are simply played again).
	if err := s.exec("PRAGMA synchronous=NORMAL"); err != nil {
		return classify(err)
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", s.columns()), ",") + ")"
	q := "INSERT INTO sessions VALUES "
	// The inserts bypass database/sql's argument conversion (a fifth of the
	// writer's time): the statements are prepared on the driver connection,
	// which this Store owns alone (one connection, held for its life).
	err := s.conn.Raw(func(dc any) error {
		c, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("the SQLite driver cannot prepare statements")
		}
		for _, st := range []struct {
			dst *driver.StmtExecContext
			q   string
		}{{&s.insert1, q + one}, {&s.insertN, q + strings.TrimSuffix(strings.Repeat(one+",", rowsPerInsert), ",")}} {
			ps, err := c.PrepareContext(context.Background(), st.q)
			if err != nil {
				return err
			}
			x, ok := ps.(driver.StmtExecContext)
			if !ok {
				ps.Close()
				return fmt.Errorf("the SQLite driver's statements cannot execute with a context")
			}
			*st.dst = x
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.args = make([]driver.NamedValue, rowsPerInsert*s.columns())
	for i := range s.args {
		s.args[i].Ordinal = i + 1
	}
	return nil
}

// Done returns the set of sessions already recorded.
func (s *Store) Done() (tournament.Bitset, error) {
	b := tournament.NewBitset(s.Canonical.Sessions)
	rows, err := s.conn.QueryContext(context.Background(), "SELECT id FROM sessions")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if id < 0 || uint64(id) >= s.Canonical.Sessions {
			return nil, fmt.Errorf("%s: session %d is out of range (0 to %d)", s.Path, id, s.Canonical.Sessions-1)
		}
		b.Set(uint64(id))
	}
	return b, rows.Err()
}

// Count returns the number of sessions recorded.
func (s *Store) Count() (uint64, error) {
	var n int64
	err := s.conn.QueryRowContext(context.Background(), "SELECT count(*) FROM sessions").Scan(&n)
	return uint64(n), err
}

// setArgs fills the arguments of row i of a multi-row insert.
func (s *Store) setArgs(i int, r *tournament.Record) {
	a := s.args[i*s.columns() : (i+1)*s.columns()]
	var walked, outcome, pareto, nash driver.Value
	if r.WalkedOut >= 0 {
		walked = int64(r.WalkedOut + 1)
	}
	if r.Agreed {
		outcome = int64(r.Outcome)
	}
	if !math.IsNaN(r.Pareto) {
		pareto = r.Pareto
	}
	if !math.IsNaN(r.Nash) {
		nash = r.Nash
	}
	v := [...]driver.Value{int64(r.Number), int64(r.Scenario), int64(r.Assignment), int64(r.Repetition), int64(r.Seed), r.Agreed,
		int64(r.End), walked, int64(r.Round), r.Time, int64(r.Steps), outcome, pareto, nash}
	for j, x := range v {
		a[j].Value = x
	}
	for k := range s.seats {
		if k < len(r.Utility) {
			a[14+2*k].Value, a[15+2*k].Value = r.Utility[k], r.Discounted[k]
		} else {
			a[14+2*k].Value, a[15+2*k].Value = nil, nil
		}
	}
}

// Write implements tournament.Sink: it inserts the records in the open
// transaction (beginning one if needed). On error the transaction is
// rolled back: the records since the last Commit are not recorded.
func (s *Store) Write(batch []tournament.Record) error {
	ctx := context.Background()
	if !s.inTx {
		if err := s.exec("BEGIN IMMEDIATE"); err != nil {
			return s.failed(err)
		}
		s.inTx = true
	}
	err := s.conn.Raw(func(any) error {
		for len(batch) > 0 {
			n := 1
			st := s.insert1
			if len(batch) >= rowsPerInsert {
				n, st = rowsPerInsert, s.insertN
			}
			for i := range n {
				s.setArgs(i, &batch[i])
			}
			if _, err := st.ExecContext(ctx, s.args[:n*s.columns()]); err != nil {
				return err
			}
			batch = batch[n:]
		}
		return nil
	})
	if err != nil {
		return s.failed(err)
	}
	return nil
}

// Commit implements tournament.Sink.
func (s *Store) Commit() error {
	if !s.inTx {
		return nil
	}
	if err := s.exec("COMMIT"); err != nil {
		return s.failed(err)
	}
	s.inTx = false
	return nil
}

func (s *Store) failed(err error) error {
	if s.inTx {
		s.exec("ROLLBACK")
		s.inTx = false
	}
	err = classify(err)
	if errors.Is(err, ErrFull) {
		n, _ := s.Count()
		return fmt.Errorf("%s: %w (or the database reached its size limit): the %d sessions recorded so far are kept and intact; free some space and run the same command again to record the rest", s.Path, err, n)
	}
	return fmt.Errorf("%s: %w", s.Path, err)
}

// classify maps SQLite's result codes to errors a person can act on.
func classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("%w (%v)", ErrFull, err)
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("not a SQLite database (%v)", err)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("the database is damaged (%v)", err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("the database is in use by another process (%v)", err)
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
			return fmt.Errorf("cannot write the database (%v)", err)
		}
	}
	return err
}

// SetMaxPages limits the database's size (PRAGMA max_page_count); tests
// use it to fill the "disk".
func (s *Store) SetMaxPages(n int) error {
	return s.exec(fmt.Sprintf("PRAGMA max_page_count=%d", n))
}

// Close commits nothing: an open transaction is rolled back.
func (s *Store) Close() error {
	if s.inTx {
		s.exec("ROLLBACK")
		s.inTx = false
	}
	if s.insert1 != nil || s.insertN != nil {
		s.conn.Raw(func(any) error {
			for _, st := range []driver.StmtExecContext{s.insert1, s.insertN} {
				if st != nil {
					if c, ok := st.(io.Closer); ok {
						c.Close()
					}
				}
			}
			return nil
		})
	}
	if s.conn != nil {
		s.conn.Close()
	}
	err := s.db.Close()
	if s.unlock != nil {
		s.unlock()
		s.unlock = nil
	}
	return err
}

// Scan calls fn with every recorded session in number order. The record
// and its slices are reused between calls.
func (s *Store) Scan(fn func(*tournament.Record) error) error {
	var cols strings.Builder
	for k := 1; k <= s.seats; k++ {
		fmt.Fprintf(&cols, ", utility_%d, discounted_%d", k, k)
	}
	rows, err := s.conn.QueryContext(context.Background(),
		"SELECT id, scenario, assignment, repetition, seed, agreed, end_reason, walked_out, round, time, steps, outcome, pareto, nash"+cols.String()+
			" FROM sessions ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		r                tournament.Record
		id, assign, seed int64
		end              int
		walked, outcome  sql.NullInt64
		pareto, nash     sql.NullFloat64
		us               = make([]sql.NullFloat64, 2*s.seats)
		dst              = make([]any, 0, 14+2*s.seats)
		scenarioSeats    []int
	)
	for _, sc := range s.Canonical.Scenarios {
		scenarioSeats = append(scenarioSeats, len(sc.Parties))
	}
	dst = append(dst, &id, &r.Scenario, &assign, &r.Repetition, &seed, &r.Agreed, &end, &walked, &r.Round, &r.Time, &r.Steps, &outcome, &pareto, &nash)
	for i := range us {
		dst = append(dst, &us[i])
	}
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return err
		}
		r.Number, r.Assignment, r.Seed = uint64(id), uint64(assign), uint64(seed)
		r.End = protocol.EndReason(end)
		r.WalkedOut = -1
		if walked.Valid {
			r.WalkedOut = int(walked.Int64) - 1
		}
		r.Outcome = 0
		if outcome.Valid {
			r.Outcome = uint64(outcome.Int64)
		}
		r.Pareto, r.Nash = math.NaN(), math.NaN()
		if pareto.Valid {
			r.Pareto = pareto.Float64
		}
		if nash.Valid {
			r.Nash = nash.Float64
		}
		r.Utility, r.Discounted = r.Utility[:0], r.Discounted[:0]
		n := s.seats
		if r.Scenario >= 0 && r.Scenario < len(scenarioSeats) {
			n = scenarioSeats[r.Scenario]
		}
		for k := range n {
			r.Utility = append(r.Utility, us[2*k].Float64)
			r.Discounted = append(r.Discounted, us[2*k+1].Float64)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}
