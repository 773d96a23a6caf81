// Package store keeps a tournament's results in one SQLite file (pure Go,
// modernc.org/sqlite, write-ahead log): the canonical spec in a meta table
// and the sessions in runs of consecutive session numbers, packed as
// fixed-size binary records (see codec.go), so that every session is
// recorded exactly once however often the run is killed and resumed, and
// the single writer keeps up with the workers.
//
// Layout (seats and assignments are numbered from 1, sessions from 0):
//
//	meta(key, value)                       format, version, spec (canonical JSON), spec_sha256, spec_source, created, parley, record_bytes, record_discounted, record_layout
//	scenarios(id, path, name, sha256, seats, assignments, repetitions, first_session, sessions)
//	parties(scenario, seat, party)         the party id of each negotiating seat
//	negotiators(id, spec)
//	assignments(scenario, assignment, seat, negotiator)
//	end_reasons(code, name)
//	statuses(code, name, binding)          agreed, ratified, not_ratified, no_agreement, failed_phase, failed; binding 1 for a deal that stands
//	runs(first, n, data, sum)              sessions first … first+n-1, n records of record_bytes bytes (codec.go), and their checksum (check.go)
//	failures(session, seat, cause, message)           why each failed session failed (side.go)
//	times(first, negotiator, actions, total_ns, hist)  outside seats' answer times per row of runs and negotiator (side.go)
//	points(scenario, kind, point, u_1, …, u_K)  the Pareto frontier's and the Nash solution's points
//	counter(i), pow2(e, v)                 helpers of the sessions view: 0 … 2047, and 2^e
//	view sessions(id, scenario, assignment, repetition, agreed, end_reason, status, walked_out,
//	         round, time, steps, outcome, utility_1, discounted_1, …, utility_K, discounted_K)
//	view results(session, scenario, seat, party, negotiator, utility, discounted, agreed, status, round)
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
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"math"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/tournament"
)

// Format is the value of meta.format in a parley tournament store.
const Format = "parley-tournament"

// pageSize is the SQLite page size of a new store.
const pageSize = 65536

// Store is an open tournament database.
type Store struct {
	Path      string
	Canonical *tournament.Canonical
	Source    string // the spec file's text as first given

	db        *sql.DB
	conn      *sql.Conn
	unlock    func()
	lay       codec          // the records' layout and offsets
	spans     []scenarioSpan // per scenario, its sessions
	pointsSum string         // meta.points_sha256, the points table's checksum
	ref       []reference    // per scenario, the points distances are measured to (read by Scan)
	// Inserts into runs, failures and times, prepared on the driver's
	// connection.
	insert, insertFailure, insertTimes driver.StmtExecContext
	args                               [5]driver.NamedValue
	side                               []byte // scratch: a row's side bytes
	inTx                               bool
}

// ErrFull is returned (wrapped) when the disk, or the database's size limit,
// is full.
var ErrFull = errors.New("the disk is full")

// ErrReadOnly is returned (wrapped) when parley may not write the store:
// its file system is read-only, or the file or its folder is not
// writable. Reports and exports still read such a store.
var ErrReadOnly = errors.New("parley may not write there")

// Create opens the store at path for plan, creating it when the file is
// absent or empty. An existing store must have been made by the same
// canonical spec; otherwise Create names what changed. A file that is not
// a parley tournament store, or is damaged, is refused and left untouched.
// Only one process may hold a store open for writing.
func Create(path string, p *tournament.Plan, source []byte, version string) (*Store, error) {
	_, statErr := os.Stat(path)
	unlock, err := lock(path)
	if err != nil {
		return nil, writeRefused(path, statErr == nil, err)
	}
	s, err := create(path, p, source, version)
	if err != nil {
		unlock()
		// A store this call began and could not set up holds no session:
		// leave no half-made file behind.
		if errors.Is(statErr, fs.ErrNotExist) && errors.As(err, new(notMade)) {
			for _, f := range []string{path, path + "-wal", path + "-shm"} {
				os.Remove(f)
			}
		}
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
		return nil, writeRefused(path, !fresh, err)
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
			if errors.Is(classify(err), ErrReadOnly) {
				return nil, notMade{writeRefused(path, !fresh, err)}
			}
			return nil, notMade{fmt.Errorf("%s: creating the tournament store: %w", path, classify(err))}
		}
	} else {
		if d := s.Canonical.Diff(p.Canonical); len(d) > 0 {
			s.Close()
			return nil, fmt.Errorf("%s holds tournament %q made by a different spec, so its results cannot be resumed with this one:\n  %s\nrun the spec as it was, or give a new --db file",
				path, s.Canonical.Name, strings.Join(d, "\n  "))
		}
	}
	if want, err := planLayout(p); err != nil {
		s.Close()
		return nil, err
	} else if want.seats != s.lay.seats || want.discounted != s.lay.discounted {
		// The widths are the store's own: those of its version, or chosen
		// from this same spec when it was made.
		s.Close()
		return nil, fmt.Errorf("%s: its records (%d seats, discounted utilities stored: %v) do not match its spec's (%d seats, %v): the file was altered; give a new --db file",
			path, s.lay.seats, s.lay.discounted, want.seats, want.discounted)
	}
	if err := s.prepare(); err != nil {
		s.Close()
		return nil, writeRefused(path, true, err)
	}
	return s, nil
}

// writeRefused is the error of a store parley may not write (err, its
// cause): a store that exists can still be read.
func writeRefused(path string, exists bool, err error) error {
	err = classify(err)
	if !errors.Is(err, ErrReadOnly) {
		return storeError(path, err)
	}
	if exists {
		return fmt.Errorf("%s: %w (%v): parley tournament report and export can read it, but running the tournament writes to it; copy it to a writable folder and run there, or give a --db file in one", path, ErrReadOnly, cause(err))
	}
	return fmt.Errorf("%s: %w (%v): give a --db file in a writable folder", path, ErrReadOnly, cause(err))
}

// Open opens an existing store read-only (for reports and exports), on a
// read-only file system too, and checks every row of its records: a
// damaged one gives a *DamagedError naming its sessions, before any result
// is read.
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
	if err := s.Verify(); err != nil {
		s.Close()
		return nil, err
	}
	if _, err := s.references(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

var errEmpty = errors.New("empty database")

// notMade marks an error that stopped a new store before its first
// session: Create then removes the file it began.
type notMade struct{ error }

func (e notMade) Unwrap() error { return e.error }

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

// openDB opens the database at path on one connection. A reader opens it
// writable but query-only when it may, so that, closing last, SQLite
// removes the write-ahead log and its index as a writer's close does (a
// read-only connection leaves both files behind). On a file or folder it
// may not write it falls back to a read-only connection, and on a
// read-only file system, where SQLite cannot make the log's index, to an
// immutable one: safe when no write-ahead log holds commits the file lacks
// (a store closed by its writer has none; one left by a killed run is
// refused, saying so).
func openDB(path string, readOnly bool) (*Store, error) {
	base := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=temp_store(MEMORY)"
	if !readOnly {
		return connect(path, base)
	}
	var first error
	for _, dsn := range []string{base + "&_pragma=query_only(1)", base + "&mode=ro", base + "&mode=ro&immutable=1"} {
		if strings.HasSuffix(dsn, "immutable=1") {
			if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
				break
			}
		}
		s, err := connect(path, dsn)
		if err == nil {
			if err = s.exec("SELECT count(*) FROM sqlite_schema"); err == nil {
				return s, nil
			}
			s.Close()
		}
		if first == nil {
			first = err
		}
	}
	err := classify(first)
	if errors.Is(err, ErrReadOnly) {
		return nil, fmt.Errorf("%s: %w, and SQLite cannot read the store here (%v): it has a write-ahead log (%s-wal) holding results the file lacks, which only a writer can fold in; copy the store and that file to a writable folder and read it there",
			path, ErrReadOnly, cause(err), filepath.Base(path))
	}
	return nil, storeError(path, err)
}

func connect(path, dsn string) (*Store, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(context.Background())
	if err != nil {
		db.Close()
		return nil, err
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
	version, err := strconv.Atoi(meta["version"])
	if err != nil || version < int(FormatOldestRead) || version > int(FormatNewest) {
		made := ""
		switch {
		case err != nil:
		case version < int(FormatOldestRead):
			made = " (made by an older parley)"
		default:
			made = " (made by a newer parley)"
		}
		return fmt.Errorf("%s is a parley tournament store of format version %s%s; this parley reads format %s, so it cannot resume, report or export it: use the parley that made it, or run the tournament again into a new --db file",
			s.Path, meta["version"], made, readable())
	}
	var c tournament.Canonical
	if err := json.Unmarshal([]byte(meta["spec"]), &c); err != nil {
		return fmt.Errorf("%s: the stored spec is unreadable: %v", s.Path, err)
	}
	if h := c.Hash(); h != meta["spec_sha256"] {
		return fmt.Errorf("%s: the stored spec does not match its hash (%.12s, stored %.12s): the file was altered", s.Path, h, meta["spec_sha256"])
	}
	if c.Sessions > tournament.MaxSessions {
		return fmt.Errorf("%s: the stored spec has %d sessions, more than a tournament may have (%d): the file was altered; give a new --db file", s.Path, c.Sessions, uint64(tournament.MaxSessions))
	}
	if c.Format != tournament.FormatVersion {
		return fmt.Errorf("%s: the stored spec is of format %d, not %d: the file was altered; give a new --db file", s.Path, c.Format, tournament.FormatVersion)
	}
	if c.Repetitions < 1 {
		return fmt.Errorf("%s: the stored spec has %d repetitions: the file was altered; give a new --db file", s.Path, c.Repetitions)
	}
	spans := scenarioSpans(&c)
	if len(spans) == 0 || spans[len(spans)-1].end != c.Sessions {
		return fmt.Errorf("%s: the stored spec's scenarios do not add up to its %d sessions: the file was altered; give a new --db file", s.Path, c.Sessions)
	}
	seats := 0
	for _, sc := range c.Scenarios {
		seats = max(seats, len(sc.Parties))
	}
	discounted := meta["record_discounted"] == "1"
	l, err := parseLayout(meta["record_layout"], seats, discounted)
	if err != nil {
		return fmt.Errorf("%s: its record layout %q is not parley's (%v): the file was altered; give a new --db file", s.Path, meta["record_layout"], err)
	}
	if v := meta["record_bytes"]; v != strconv.Itoa(l.size()) {
		return fmt.Errorf("%s: its records are %s bytes, but its spec's %d seats and its record layout (%s) make them %d: the file was altered; give a new --db file", s.Path, v, seats, l, l.size())
	}
	// The sessions view expands each row through the counter table.
	var counter int
	if err := s.conn.QueryRowContext(ctx, "SELECT count(*) FROM counter").Scan(&counter); err != nil || counter != maxRun {
		why := fmt.Sprintf("%d rows", counter)
		if err != nil {
			why = err.Error()
		}
		return fmt.Errorf("%s: its counter table does not hold the integers 0 to %d (%s): the file was altered; give a new --db file", s.Path, maxRun-1, why)
	}
	s.Canonical, s.Source, s.lay, s.spans, s.pointsSum = &c, meta["spec_source"], l.codec(), spans, meta["points_sha256"]
	return nil
}

// readable names the formats this parley reads.
func readable() string {
	if FormatOldestRead == FormatNewest {
		return strconv.Itoa(int(FormatNewest))
	}
	return fmt.Sprintf("%d to %d", FormatOldestRead, FormatNewest)
}

// damaged is the error of a query on the store that failed: the store is
// damaged only when SQLite says so.
func (s *Store) damaged(err error) error { return storeError(s.Path, classify(err)) }

// storeError words a classified error of the store at path.
func storeError(path string, err error) error {
	switch {
	case errors.Is(err, errCorrupt):
		return fmt.Errorf("%s is damaged or not a SQLite database (%v); its results cannot be trusted: keep it for inspection and give a new --db file", path, cause(err))
	case errors.Is(err, ErrReadOnly):
		return fmt.Errorf("%s: %w (%v)", path, ErrReadOnly, cause(err))
	case strings.Contains(err.Error(), path):
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}

func (s *Store) exec(q string, args ...any) error {
	_, err := s.conn.ExecContext(context.Background(), q, args...)
	return err
}

// init writes the schema, the spec and the plan's tables in one
// transaction, so that a kill leaves either an empty file or a whole store.
func (s *Store) init(p *tournament.Plan, source []byte, version string) error {
	// Large pages: the runs are written in a few large writes rather than
	// many 4 KiB ones (system calls were most of the writer's time).
	if err := s.exec(fmt.Sprintf("PRAGMA page_size=%d", pageSize)); err != nil {
		return err
	}
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

// planLayout is the record layout of a new store for p: discounted
// utilities are stored only when some seat's utility is discounted, and
// each bounded field is as narrow as p allows (the outcome index by the
// largest space, the round by a round deadline, the seat by the most
// seats). It compiles every scenario (once per plan).
func planLayout(p *tournament.Plan) (layout, error) {
	l := layout{seats: p.MaxSeats, outcome: 1, round: 4, walk: 2}
	for _, ps := range p.Scenarios {
		prep, err := ps.Prepared()
		if err != nil {
			return l, fmt.Errorf("%s: %w", ps.Path, err)
		}
		for _, u := range prep.Utilities {
			if u.DiscountFactor(1) != 1 {
				l.discounted = true
			}
		}
		n, ok := prep.Space.Size()
		for ok && n > 0 && !fits(n-1, l.outcome) {
			l.outcome *= 2
		}
		if !ok {
			l.outcome = 8
		}
	}
	if d := p.Deadline(); d.Rounds > 0 && fits(uint64(d.Rounds), 2) {
		l.round = 2
	}
	// A seat that walks out may be the mediator's, after the negotiators'.
	if fits(uint64(p.MaxSeats)+2, 1) {
		l.walk = 1
	}
	return l, nil
}

// schema makes a new store for p in the caller's transaction: its tables
// and views, then the rows that say what the records mean (meta, the
// codes, the plan, the Pareto and Nash points).
func (s *Store) schema(p *tournament.Plan, source []byte, version string) error {
	l, err := planLayout(p)
	if err != nil {
		return err
	}
	s.lay, s.spans = l.codec(), scenarioSpans(p.Canonical)
	var stmts []string
	stmts = append(stmts, planTables(p)...)
	stmts = append(stmts, recordTables(p, l)...)
	stmts = append(stmts, codeTables()...)
	stmts = append(stmts, views(p, l)...)
	for _, q := range stmts {
		if err := s.exec(q); err != nil {
			return fmt.Errorf("%s: %w", q[:min(len(q), 40)], err)
		}
	}
	if err := s.writeMeta(p, l, source, version); err != nil {
		return err
	}
	if err := s.writeCodes(); err != nil {
		return err
	}
	if err := s.writePlan(p); err != nil {
		return err
	}
	return s.writePoints(p)
}

// planTables hold what the canonical spec resolves: the scenarios, their
// parties, the negotiators and who sits where in each assignment; and the
// Pareto and Nash points that distances are measured against.
func planTables(p *tournament.Plan) []string {
	var us strings.Builder
	for k := 1; k <= p.MaxSeats; k++ {
		fmt.Fprintf(&us, ", u_%d REAL", k)
	}
	return []string{
		`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
		`CREATE TABLE scenarios (id INTEGER PRIMARY KEY, path TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL,
  seats INTEGER NOT NULL, assignments INTEGER NOT NULL, repetitions INTEGER NOT NULL, first_session INTEGER NOT NULL, sessions INTEGER NOT NULL)`,
		`CREATE TABLE parties (scenario INTEGER NOT NULL, seat INTEGER NOT NULL, party TEXT NOT NULL, PRIMARY KEY (scenario, seat)) WITHOUT ROWID`,
		`CREATE TABLE negotiators (id INTEGER PRIMARY KEY, spec TEXT NOT NULL)`,
		`CREATE TABLE assignments (scenario INTEGER NOT NULL, assignment INTEGER NOT NULL, seat INTEGER NOT NULL, negotiator INTEGER NOT NULL,
  PRIMARY KEY (scenario, assignment, seat)) WITHOUT ROWID`,
		`CREATE TABLE points (scenario INTEGER NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('pareto', 'nash')), point INTEGER NOT NULL` + us.String() + `,
  PRIMARY KEY (scenario, kind, point)) WITHOUT ROWID`,
	}
}

// recordTables hold the sessions: runs of records (codec.go), each
// session once, and the side rows of sessions with outside seats
// (side.go).
func recordTables(p *tournament.Plan, l layout) []string {
	return []string{
		fmt.Sprintf(`CREATE TABLE runs (first INTEGER PRIMARY KEY, n INTEGER NOT NULL, data BLOB NOT NULL, sum INTEGER NOT NULL,
  CHECK (n BETWEEN 1 AND %d AND first >= 0 AND first + n <= %d AND length(data) = n * %d))`, maxRun, p.Total, l.size()),
		// Exactly once: a run may not overlap a recorded one. Runs are
		// disjoint, so the run starting last before the new one ends is
		// the only one that can overlap it (one index probe).
		`CREATE TRIGGER runs_disjoint BEFORE INSERT ON runs
WHEN (SELECT first + n FROM runs WHERE first < NEW.first + NEW.n ORDER BY first DESC LIMIT 1) > NEW.first
BEGIN SELECT RAISE(ABORT, 'parley: a session of this run is already recorded'); END`,
		fmt.Sprintf(`CREATE TABLE failures (session INTEGER PRIMARY KEY, seat INTEGER NOT NULL, cause TEXT NOT NULL, message TEXT NOT NULL,
  CHECK (session >= 0 AND session < %d AND seat >= 1))`, p.Total),
		`CREATE TABLE times (first INTEGER NOT NULL, negotiator INTEGER NOT NULL, actions INTEGER NOT NULL, total_ns INTEGER NOT NULL, hist BLOB NOT NULL,
  PRIMARY KEY (first, negotiator)) WITHOUT ROWID`,
	}
}

// codeTables name the codes a record holds: end reasons and statuses.
func codeTables() []string {
	return []string{
		`CREATE TABLE end_reasons (code INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
		`CREATE TABLE statuses (code INTEGER PRIMARY KEY, name TEXT NOT NULL, binding INTEGER NOT NULL)`,
	}
}

// views decode the records in plain SQL: the sessions view a row per
// session, the results view a row per (session, seat); counter and pow2
// are their helpers (codec.go).
func views(p *tournament.Plan, l layout) []string {
	var results strings.Builder
	for k := 1; k <= p.MaxSeats; k++ {
		if k > 1 {
			results.WriteString("\nUNION ALL\n")
		}
		fmt.Fprintf(&results, `SELECT s.id AS session, s.scenario, %[1]d AS seat, pa.party, n.spec AS negotiator,
  s.utility_%[1]d AS utility, s.discounted_%[1]d AS discounted, s.agreed, s.status, s.round
FROM sessions s
JOIN assignments a ON a.scenario = s.scenario AND a.assignment = s.assignment AND a.seat = %[1]d
JOIN negotiators n ON n.id = a.negotiator
JOIN parties pa ON pa.scenario = s.scenario AND pa.seat = %[1]d`, k)
	}
	return []string{
		`CREATE TABLE counter (i INTEGER PRIMARY KEY)`,
		fmt.Sprintf(`INSERT INTO counter WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %d) SELECT i FROM c`, maxRun-1),
		`CREATE TABLE pow2 (e INTEGER PRIMARY KEY, v REAL NOT NULL)`,
		// Powers of two are exact in binary floating point, subnormals
		// included, so doubling and halving from 1 gives every 2^e.
		`INSERT INTO pow2 WITH RECURSIVE p(e, v) AS (SELECT 0, 1.0 UNION ALL SELECT e + 1, v * 2 FROM p WHERE e < 971) SELECT e, v FROM p`,
		`INSERT INTO pow2 WITH RECURSIVE p(e, v) AS (SELECT -1, 0.5 UNION ALL SELECT e - 1, v / 2 FROM p WHERE e > -1074) SELECT e, v FROM p`,
		sessionsView(l),
		`CREATE VIEW results AS ` + results.String(),
	}
}

// writeMeta writes the meta table: what the file is, the canonical spec
// and how its records are laid out.
func (s *Store) writeMeta(p *tournament.Plan, l layout, source []byte, version string) error {
	c := p.Canonical
	meta := [][2]string{
		{"format", Format},
		{"version", strconv.Itoa(int(FormatNewest))},
		{"spec", string(c.JSON())},
		{"spec_sha256", c.Hash()},
		{"spec_source", string(source)},
		{"created", time.Now().UTC().Format(time.RFC3339)},
		{"parley", version},
		{"record_bytes", strconv.Itoa(l.size())},
		{"record_discounted", map[bool]string{false: "0", true: "1"}[l.discounted]},
		{"record_layout", l.String()},
	}
	for _, kv := range meta {
		if err := s.exec("INSERT INTO meta VALUES (?, ?)", kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// writeCodes names the end reasons and statuses.
func (s *Store) writeCodes() error {
	for e := protocol.EndReason(0); e <= lastEndReason; e++ {
		if err := s.exec("INSERT INTO end_reasons VALUES (?, ?)", int(e), e.String()); err != nil {
			return err
		}
	}
	for code, st := range statuses {
		if code > 0 {
			if err := s.exec("INSERT INTO statuses VALUES (?, ?, ?)", code, string(st), st.Binding()); err != nil {
				return err
			}
		}
	}
	return nil
}

// writePlan writes the negotiators, the scenarios with their parties, and
// every assignment's seating.
func (s *Store) writePlan(p *tournament.Plan) error {
	c := p.Canonical
	for i, n := range c.Negotiators {
		if err := s.exec("INSERT INTO negotiators VALUES (?, ?)", i, n); err != nil {
			return err
		}
	}
	var assign []int
	for k, ps := range p.Scenarios {
		cs := c.Scenarios[k]
		if err := s.exec("INSERT INTO scenarios VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", k, cs.Path, cs.Name, cs.SHA256, ps.Seats,
			int64(ps.Assignments), c.Repetitions, int64(ps.Offset), int64(ps.Sessions)); err != nil {
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

// writePoints writes each scenario's Pareto frontier and Nash points, and
// their checksum (meta.points_sha256).
func (s *Store) writePoints(p *tournament.Plan) error {
	points := newPointsHash()
	q := "INSERT INTO points VALUES (?, ?, ?" + strings.Repeat(", ?", p.MaxSeats) + ")"
	for k, ps := range p.Scenarios {
		frontier, nash := ps.Reference()
		// In the order references reads them, which pointsHash follows.
		sets := []struct {
			kind string
			pts  []analysis.Point
		}{{"nash", nil}, {"pareto", nil}}
		if nash != nil {
			sets[0].pts = nash.Points
		}
		if frontier != nil {
			sets[1].pts = frontier.Points
		}
		for _, set := range sets {
			for i, pt := range set.pts {
				points.add(k, set.kind, i, pt.Utilities)
				args := []any{k, set.kind, i}
				for j := range p.MaxSeats {
					if j < len(pt.Utilities) {
						args = append(args, pt.Utilities[j])
					} else {
						args = append(args, nil)
					}
				}
				if err := s.exec(q, args...); err != nil {
					return err
				}
			}
		}
	}
	s.pointsSum = points.sum()
	return s.exec("INSERT INTO meta VALUES ('points_sha256', ?)", s.pointsSum)
}

func (s *Store) prepare() error {
	// Taking the write lock finds a store parley may not write before a
	// session is played.
	if err := s.exec("BEGIN IMMEDIATE"); err != nil {
		return classify(err)
	}
	if err := s.exec("ROLLBACK"); err != nil {
		return classify(err)
	}
	if err := s.exec("PRAGMA journal_mode=WAL"); err != nil {
		return classify(err)
	}
	// NORMAL in WAL mode: a committed transaction survives the process
	// being killed; an OS crash or power loss may lose the last commits,
	// never consistency (those sessions are simply played again).
	if err := s.exec("PRAGMA synchronous=NORMAL"); err != nil {
		return classify(err)
	}
	// The inserts bypass database/sql's argument conversion: they are
	// prepared on the driver connection, which this Store owns alone (one
	// connection, held for its life).
	err := s.conn.Raw(func(dc any) error {
		c, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("the SQLite driver cannot prepare statements")
		}
		for _, st := range []struct {
			q   string
			dst *driver.StmtExecContext
		}{
			{"INSERT INTO runs VALUES (?, ?, ?, ?)", &s.insert},
			{"INSERT INTO failures VALUES (?, ?, ?, ?)", &s.insertFailure},
			{"INSERT INTO times VALUES (?, ?, ?, ?, ?)", &s.insertTimes},
		} {
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
	for i := range s.args {
		s.args[i].Ordinal = i + 1
	}
	return nil
}

// row is a row of records as rows hands it out: its sessions first to
// first+n-1, their records (valid only during the call), its side rows,
// and what is wrong with it ("" when it passes every check: checkRow).
// A side row that belongs to no row of records comes as a row of its own,
// with no records (orphan says which table holds it).
type row struct {
	first    uint64
	n        int
	data     []byte
	failures []failureRow
	times    []timesRow
	why      string
	orphan   string // "failures" or "times" for a side row without its row
}

// damage is the Damage of a row that fails its checks.
func (r *row) damage() Damage {
	return Damage{First: r.first, Sessions: uint64(max(r.n, 0)), Why: r.why, orphan: r.orphan}
}

// rows calls fn with every row of records in session order, each with its
// side rows, read alongside in the same order (a merge join: the side
// tables are never held in memory whole).
func (s *Store) rows(fn func(r *row) error) error {
	ctx := context.Background()
	runs, err := s.conn.QueryContext(ctx, "SELECT first, n, data, sum FROM runs ORDER BY first")
	if err != nil {
		return s.damaged(err)
	}
	defer runs.Close()
	failures, err := newSideCursor(ctx, s, "SELECT session, seat, cause, message FROM failures ORDER BY session", func(rs *sql.Rows, x *sideRow) error {
		x.key = &x.f.session
		return rs.Scan(&x.f.session, &x.f.seat, &x.f.cause, &x.f.message)
	})
	if err != nil {
		return err
	}
	defer failures.close()
	times, err := newSideCursor(ctx, s, "SELECT first, negotiator, actions, total_ns, hist FROM times ORDER BY first, negotiator", func(rs *sql.Rows, x *sideRow) error {
		x.key = &x.t.first
		return rs.Scan(&x.t.first, &x.t.negotiator, &x.t.actions, &x.t.total, &x.t.hist)
	})
	if err != nil {
		return err
	}
	defer times.close()
	var (
		first, n, sum, next int64
		data                sql.RawBytes // SQLite's own copy, valid until the next row: rows are not copied
		rec                 tournament.Record
		r                   row
	)
	// orphans hands out the side rows before session end that no row of
	// records took.
	orphans := func(end uint64) error {
		for _, c := range []*sideCursor{failures, times} {
			for {
				x, err := c.peek()
				if err != nil {
					return err
				}
				if x == nil || *x.key >= end {
					break
				}
				o := row{first: *x.key, n: 1, orphan: c.table}
				if c == failures {
					o.why = fmt.Sprintf("a failure is recorded for session %d, which has no record", o.first)
				} else {
					o.why = fmt.Sprintf("answer times are recorded for a row starting at session %d, which is not one", o.first)
				}
				c.pop()
				if err := fn(&o); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for runs.Next() {
		if err := runs.Scan(&first, &n, &data, &sum); err != nil {
			return s.damaged(err)
		}
		if err := orphans(uint64(max(first, 0))); err != nil {
			return err
		}
		r = row{first: uint64(first), n: int(n), data: data, failures: r.failures[:0], times: r.times[:0]}
		if first >= 0 && n > 0 {
			for {
				x, err := failures.peek()
				if err != nil {
					return err
				}
				if x == nil || x.f.session >= uint64(first)+uint64(n) {
					break
				}
				r.failures = append(r.failures, x.f)
				failures.pop()
			}
			for {
				x, err := times.peek()
				if err != nil {
					return err
				}
				if x == nil || x.t.first != uint64(first) {
					break
				}
				r.times = append(r.times, x.t)
				times.pop()
			}
		}
		r.why = s.checkRow(first, n, data, sum, next, r.failures, r.times, &rec, &s.side)
		if r.why == "" {
			next = first + n
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := runs.Err(); err != nil {
		return s.damaged(err)
	}
	return orphans(math.MaxUint64)
}

// sideRow is a row of a side table read by a sideCursor.
type sideRow struct {
	key *uint64 // the session (failures) or the row's first session (times)
	f   failureRow
	t   timesRow
}

// sideCursor reads a side table in order, one row ahead.
type sideCursor struct {
	s     *Store
	table string
	rows  *sql.Rows
	scan  func(*sql.Rows, *sideRow) error
	cur   sideRow
	has   bool // cur holds the next row
	done  bool
}

func newSideCursor(ctx context.Context, s *Store, q string, scan func(*sql.Rows, *sideRow) error) (*sideCursor, error) {
	rows, err := s.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, s.damaged(err)
	}
	table := "failures"
	if strings.Contains(q, "FROM times") {
		table = "times"
	}
	return &sideCursor{s: s, table: table, rows: rows, scan: scan}, nil
}

// peek is the next row, or nil at the end.
func (c *sideCursor) peek() (*sideRow, error) {
	if c.has {
		return &c.cur, nil
	}
	if c.done {
		return nil, nil
	}
	if !c.rows.Next() {
		c.done = true
		if err := c.rows.Err(); err != nil {
			return nil, c.s.damaged(err)
		}
		return nil, nil
	}
	c.cur = sideRow{}
	if err := c.scan(c.rows, &c.cur); err != nil {
		return nil, fmt.Errorf("%s: reading the %s table: %w", c.s.Path, c.table, err)
	}
	c.has = true
	return &c.cur, nil
}

// pop moves past the row peek gave.
func (c *sideCursor) pop() { c.has = false }

func (c *sideCursor) close() { c.rows.Close() }

// damage lists the rows of records that fail their checks.
func (s *Store) damage() ([]Damage, error) {
	var bad []Damage
	err := s.rows(func(r *row) error {
		if r.why != "" {
			bad = append(bad, r.damage())
		}
		return nil
	})
	return bad, err
}

// Verify checks every row of records (its checksum, and its records
// against the canonical spec): a *DamagedError lists those that fail.
func (s *Store) Verify() error {
	bad, err := s.damage()
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return &DamagedError{Path: s.Path, Rows: bad}
	}
	return nil
}

// Done returns the set of sessions recorded, after checking every row of
// records: a damaged row gives a *DamagedError instead (RemoveDamaged
// removes such rows, so that a run plays their sessions again).
func (s *Store) Done() (tournament.Bitset, error) {
	b := tournament.NewBitset(s.Canonical.Sessions)
	var bad []Damage
	err := s.rows(func(r *row) error {
		if r.why != "" {
			bad = append(bad, r.damage())
			return nil
		}
		for i := r.first; i < r.first+uint64(r.n); i++ {
			b.Set(i)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(bad) > 0 {
		return nil, &DamagedError{Path: s.Path, Rows: bad}
	}
	return b, nil
}

// RemoveDamaged deletes the rows of records that fail their checks, with
// their side rows (failures, answer times), and side rows that belong to
// no row, in one transaction, and returns them: their sessions are then
// not recorded, and resuming plays them again (each with its own seed, so
// as they were meant to be). The other rows are kept as they are.
func (s *Store) RemoveDamaged() ([]Damage, error) {
	bad, err := s.damage()
	if err != nil || len(bad) == 0 {
		return nil, err
	}
	if err := s.exec("BEGIN IMMEDIATE"); err != nil {
		return nil, s.failed(err)
	}
	s.inTx = true
	for _, d := range bad {
		first, end := int64(d.First), int64(d.First+d.Sessions)
		var qs []string
		switch d.orphan {
		case "failures":
			qs = []string{"DELETE FROM failures WHERE session = ?1"}
		case "times":
			qs = []string{"DELETE FROM times WHERE first = ?1"}
		default:
			qs = []string{"DELETE FROM runs WHERE first = ?1", "DELETE FROM times WHERE first = ?1",
				"DELETE FROM failures WHERE session >= ?1 AND session < ?2"}
		}
		for _, q := range qs {
			args := []any{first}
			if strings.Contains(q, "?2") {
				args = append(args, end)
			}
			if err := s.exec(q, args...); err != nil {
				return nil, s.failed(err)
			}
		}
	}
	if err := s.Commit(); err != nil {
		return nil, err
	}
	return bad, nil
}

// Count returns the number of sessions recorded (as the rows say: Done
// checks them).
func (s *Store) Count() (uint64, error) {
	var n int64
	err := s.conn.QueryRowContext(context.Background(), "SELECT coalesce(sum(n), 0) FROM runs").Scan(&n)
	return uint64(n), err
}

// RowLength implements tournament.Sink: the most sessions in a row.
func (s *Store) RowLength() int { return s.lay.perRow() }

// RecordSize implements tournament.Sink: the store's record size.
func (s *Store) RecordSize() int { return s.lay.size() }

// Encode implements tournament.Sink: r's record, as the store keeps it.
func (s *Store) Encode(dst []byte, r *tournament.Record) error {
	if err := s.lay.encode(dst, r); err != nil {
		return fmt.Errorf("%s: %w", s.Path, err)
	}
	return nil
}

// Write implements tournament.Sink: it inserts the encoded records, that
// of session nums[i] at data[i·RecordSize():], in the open transaction
// (beginning one if needed), one row per run of consecutive session
// numbers, each with its side rows (the failures and answer times that
// outside, in session order, gives for its sessions) and its checksum. On
// error the transaction is rolled back: the records since the last Commit
// are not recorded.
func (s *Store) Write(nums []uint64, data []byte, outside []tournament.Outside) error {
	size := s.lay.size()
	if len(data) != len(nums)*size {
		return s.failed(fmt.Errorf("%d bytes for %d records of %d", len(data), len(nums), size))
	}
	if !s.inTx {
		if err := s.exec("BEGIN IMMEDIATE"); err != nil {
			return s.failed(err)
		}
		s.inTx = true
	}
	ctx := context.Background()
	perRow := s.lay.perRow()
	err := s.conn.Raw(func(any) error {
		for len(nums) > 0 {
			n := 1
			for n < len(nums) && n < perRow && nums[n] == nums[0]+uint64(n) {
				n++
			}
			first, row := nums[0], data[:n*size]
			// The outside seats' part of this row.
			k := 0
			for k < len(outside) && outside[k].Session < first+uint64(n) {
				k++
			}
			fs, ts, err := sideRows(first, outside[:k])
			if err != nil {
				return err
			}
			outside = outside[k:]
			s.side = sideBytes(s.side[:0], fs, ts)
			s.args[0].Value, s.args[1].Value, s.args[2].Value = int64(first), int64(n), row
			s.args[3].Value = int64(rowSum(first, uint64(n), row, s.side))
			if _, err := s.insert.ExecContext(ctx, s.args[:4]); err != nil {
				return err
			}
			for _, f := range fs {
				args := []driver.NamedValue{{Ordinal: 1, Value: int64(f.session)}, {Ordinal: 2, Value: int64(f.seat)},
					{Ordinal: 3, Value: f.cause}, {Ordinal: 4, Value: f.message}}
				if _, err := s.insertFailure.ExecContext(ctx, args); err != nil {
					return err
				}
			}
			for _, t := range ts {
				args := []driver.NamedValue{{Ordinal: 1, Value: int64(t.first)}, {Ordinal: 2, Value: int64(t.negotiator)},
					{Ordinal: 3, Value: int64(t.actions)}, {Ordinal: 4, Value: t.total}, {Ordinal: 5, Value: t.hist}}
				if _, err := s.insertTimes.ExecContext(ctx, args); err != nil {
					return err
				}
			}
			nums, data = nums[n:], data[n*size:]
		}
		if len(outside) > 0 {
			return fmt.Errorf("the failures and answer times of session %d came without its record", outside[0].Session)
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

// kindOf is an error put in one of the kinds a person can act on: ErrFull,
// ErrReadOnly, errCorrupt or errInUse. errors.Is finds the kind and the cause.
type kindOf struct{ kind, cause error }

func (k kindOf) Error() string   { return k.kind.Error() + " (" + k.cause.Error() + ")" }
func (k kindOf) Unwrap() []error { return []error{k.kind, k.cause} }

// cause is the error a classified error stands for.
func cause(err error) error {
	var k kindOf
	if errors.As(err, &k) {
		return k.cause
	}
	return err
}

// errCorrupt marks (wrapped) a file SQLite finds damaged or not SQLite, and
// errInUse one another process holds locked.
var (
	errCorrupt = errors.New("the database is damaged")
	errInUse   = errors.New("the database is in use by another process")
)

// classify maps SQLite's result codes, and the system's errors, to errors
// a person can act on: ErrFull, ErrReadOnly, errCorrupt or errInUse (each
// wrapping err), or err itself.
func classify(err error) error {
	if errors.As(err, new(kindOf)) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return kindOf{ErrFull, err}
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return kindOf{errCorrupt, err}
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return kindOf{errInUse, err}
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
			return kindOf{ErrReadOnly, err}
		}
		return err
	}
	switch {
	case errors.Is(err, syscall.EROFS), errors.Is(err, fs.ErrPermission):
		return kindOf{ErrReadOnly, err}
	case errors.Is(err, syscall.ENOSPC):
		return kindOf{ErrFull, err}
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
	s.conn.Raw(func(any) error {
		for _, st := range []driver.StmtExecContext{s.insert, s.insertFailure, s.insertTimes} {
			if c, ok := st.(io.Closer); ok {
				c.Close()
			}
		}
		return nil
	})
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
// and its slices are reused between calls. Seeds and distances, which the
// records leave out, are recomputed here. Every row is checked before its
// sessions are handed out: a damaged one stops the scan with a
// *DamagedError (Open has checked them all once).
func (s *Store) Scan(fn func(*tournament.Record) error) error {
	c := s.Canonical
	ref, err := s.references()
	if err != nil {
		return err
	}
	size := s.lay.size()
	var r tournament.Record
	return s.rows(func(row *row) error {
		if row.why != "" {
			return &DamagedError{Path: s.Path, Rows: []Damage{row.damage()}}
		}
		first, n, data := row.first, row.n, row.data
		k := s.scenarioOf(first)
		failed := row.failures
		for j := range n {
			id := first + uint64(j)
			for id >= s.spans[k].end {
				k++
			}
			sp := s.spans[k]
			r.Number, r.Scenario, r.Seed = id, k, tournament.SessionSeed(c.Seed, id)
			r.Assignment, r.Repetition = (id-sp.first)/sp.reps, int((id-sp.first)%sp.reps)
			s.lay.decode(data[j*size:(j+1)*size], &r, len(c.Scenarios[k].Parties))
			r.Pareto, r.Nash = ref[k].distances(r.Utility)
			r.Failure, r.FailedSeat = nil, -1
			if len(failed) > 0 && failed[0].session == id {
				r.Failure, r.FailedSeat = s.failureOf(&failed[0], k)
				failed = failed[1:]
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
		return nil
	})
}

// reference is a scenario's Pareto frontier and Nash points, as stored.
type reference struct {
	frontier *analysis.Pareto
	nash     *analysis.Solution
}

// distances are u's distances to the frontier and the Nash point (NaN
// when not available), as analysis measures them.
func (r reference) distances(u []float64) (pareto, nash float64) {
	pareto, nash = math.NaN(), math.NaN()
	if r.frontier != nil {
		pareto = analysis.DistanceToFrontier(u, r.frontier)
	}
	if r.nash != nil {
		nash = analysis.DistanceToNash(u, r.nash)
	}
	return pareto, nash
}

// references reads the points table (once).
func (s *Store) references() ([]reference, error) {
	if s.ref != nil {
		return s.ref, nil
	}
	ref := make([]reference, len(s.Canonical.Scenarios))
	rows, err := s.conn.QueryContext(context.Background(), "SELECT * FROM points ORDER BY scenario, kind, point")
	if err != nil {
		return nil, fmt.Errorf("%s: reading the Pareto and Nash points: %w", s.Path, err)
	}
	defer rows.Close()
	var (
		k, point int
		kind     string
		us       = make([]sql.NullFloat64, s.lay.seats)
		dst      = []any{&k, &kind, &point}
		sum      = newPointsHash()
	)
	for i := range us {
		dst = append(dst, &us[i])
	}
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return nil, fmt.Errorf("%s: reading the Pareto and Nash points: %w", s.Path, err)
		}
		if k < 0 || k >= len(ref) {
			return nil, fmt.Errorf("%s is damaged: Pareto or Nash points of scenario %d, which it does not have", s.Path, k)
		}
		n := len(s.Canonical.Scenarios[k].Parties)
		pt := analysis.Point{Utilities: make([]float64, n)}
		for i := range n {
			if !us[i].Valid {
				return nil, fmt.Errorf("%s is damaged: point %d of scenario %d lacks seat %d's utility", s.Path, point, k, i+1)
			}
			pt.Utilities[i] = us[i].Float64
		}
		sum.add(k, kind, point, pt.Utilities)
		switch kind {
		case "pareto":
			if ref[k].frontier == nil {
				ref[k].frontier = &analysis.Pareto{Parties: n}
			}
			ref[k].frontier.Points = append(ref[k].frontier.Points, pt)
		case "nash":
			if ref[k].nash == nil {
				ref[k].nash = &analysis.Solution{}
			}
			ref[k].nash.Points = append(ref[k].nash.Points, pt)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: reading the Pareto and Nash points: %w", s.Path, err)
	}
	if got := sum.sum(); got != s.pointsSum {
		return nil, fmt.Errorf("%s is damaged: its Pareto and Nash points do not match their checksum (%.12s, stored %.12s), so the distances to them cannot be trusted; give a new --db file", s.Path, got, s.pointsSum)
	}
	s.ref = ref
	return ref, nil
}
