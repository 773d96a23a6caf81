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
//	statuses(code, name, binding)          agreed, ratified, not_ratified, no_agreement, failed_phase; binding 1 for a deal that stands
//	runs(first, n, data)                   sessions first … first+n-1, n records of record_bytes bytes (codec.go)
//	points(scenario, kind, point, u_1, …, u_K)  the Pareto frontier's and the Nash solution's points
//	counter(i), pow2(e, v)                 helpers of the sessions view: 0 … 2047 (1023 in older stores), and 2^e
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
	"slices"
	"strconv"
	"strings"
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

// Version is the value of meta.version: the layout of the store. Version
// 1 kept one row of 18 columns per session; version 2 packs runs of
// sessions into binary records; version 3 leaves out of them what can be
// recomputed (seeds, distances, undiscounted copies); version 4 adds each
// session's status (whether its deal stands) to the end-reason byte;
// version 5 narrows the fields whose range the tournament bounds (outcome
// index, round, seat, flags; meta.record_layout). This parley reads and
// resumes versions 4 and 5, and makes version 5.
const Version = 5

// oldestVersion is the oldest version this parley reads.
const oldestVersion = 4

// pageSize is the SQLite page size of a new store.
const pageSize = 65536

// Store is an open tournament database.
type Store struct {
	Path      string
	Canonical *tournament.Canonical
	Source    string // the spec file's text as first given

	db     *sql.DB
	conn   *sql.Conn
	unlock func()
	lay    codec                  // the records' layout and offsets
	run    int                    // sessions per row at most: the counter table's size
	ref    []reference            // per scenario, the points distances are measured to (read by Scan)
	insert driver.StmtExecContext // prepared on the driver's connection
	args   [3]driver.NamedValue
	buf    []byte   // Write's encoded records
	nums   []uint64 // and their session numbers
	inTx   bool
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
	_, statErr := os.Stat(path)
	unlock, err := lock(path)
	if err != nil {
		return nil, err
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
// read-only connection leaves both files behind); it falls back to a
// read-only connection on a file or folder it may not write.
func openDB(path string, readOnly bool) (*Store, error) {
	base := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=temp_store(MEMORY)"
	if !readOnly {
		return connect(path, base)
	}
	if s, err := connect(path, base+"&_pragma=query_only(1)"); err == nil {
		if s.exec("SELECT count(*) FROM sqlite_schema") == nil {
			return s, nil
		}
		s.Close()
	}
	return connect(path, base+"&mode=ro")
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
	version, err := strconv.Atoi(meta["version"])
	if err != nil || version < oldestVersion || version > Version {
		older := ""
		if err == nil && version < oldestVersion {
			older = " (made by an older parley)"
		}
		return fmt.Errorf("%s is a parley tournament store of format version %s%s; this parley reads versions %d to %d, so it cannot resume, report or export it: use the parley that made it, or run the tournament again into a new --db file",
			s.Path, meta["version"], older, oldestVersion, Version)
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
	seats := 0
	for _, sc := range c.Scenarios {
		seats = max(seats, len(sc.Parties))
	}
	discounted := meta["record_discounted"] == "1"
	l := version4(seats, discounted)
	if version > 4 {
		if l, err = parseLayout(meta["record_layout"], seats, discounted); err != nil {
			return fmt.Errorf("%s: its record layout %q is not parley's (%v): the file was altered; give a new --db file", s.Path, meta["record_layout"], err)
		}
	}
	if v := meta["record_bytes"]; v != strconv.Itoa(l.size()) {
		return fmt.Errorf("%s: its records are %s bytes, but its spec's %d seats and its record layout (%s) make them %d: the file was altered; give a new --db file", s.Path, v, seats, l, l.size())
	}
	// The rows' length limit is the counter table's size: 2048 now, 1024
	// in stores made before; resuming keeps the file's own.
	if err := s.conn.QueryRowContext(ctx, "SELECT count(*) FROM counter").Scan(&s.run); err != nil || s.run < 1 {
		why := "empty"
		if err != nil {
			why = err.Error()
		}
		return fmt.Errorf("%s: its counter table is missing or empty (%s): the file was altered; give a new --db file", s.Path, why)
	}
	s.Canonical, s.Source, s.lay = &c, meta["spec_source"], l.codec()
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
	l := layout{seats: p.MaxSeats, outcome: 1, round: 4, flags: 1, walk: 2}
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

func (s *Store) schema(p *tournament.Plan, source []byte, version string) error {
	l, err := planLayout(p)
	if err != nil {
		return err
	}
	s.lay, s.run = l.codec(), maxRun
	var us strings.Builder
	for k := 1; k <= p.MaxSeats; k++ {
		fmt.Fprintf(&us, ", u_%d REAL", k)
	}
	var view strings.Builder
	for k := 1; k <= p.MaxSeats; k++ {
		if k > 1 {
			view.WriteString("\nUNION ALL\n")
		}
		fmt.Fprintf(&view, `SELECT s.id AS session, s.scenario, %[1]d AS seat, pa.party, n.spec AS negotiator,
  s.utility_%[1]d AS utility, s.discounted_%[1]d AS discounted, s.agreed, s.status, s.round
FROM sessions s
JOIN assignments a ON a.scenario = s.scenario AND a.assignment = s.assignment AND a.seat = %[1]d
JOIN negotiators n ON n.id = a.negotiator
JOIN parties pa ON pa.scenario = s.scenario AND pa.seat = %[1]d`, k)
	}
	stmts := []string{
		`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
		`CREATE TABLE scenarios (id INTEGER PRIMARY KEY, path TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL,
  seats INTEGER NOT NULL, assignments INTEGER NOT NULL, repetitions INTEGER NOT NULL, first_session INTEGER NOT NULL, sessions INTEGER NOT NULL)`,
		`CREATE TABLE parties (scenario INTEGER NOT NULL, seat INTEGER NOT NULL, party TEXT NOT NULL, PRIMARY KEY (scenario, seat)) WITHOUT ROWID`,
		`CREATE TABLE negotiators (id INTEGER PRIMARY KEY, spec TEXT NOT NULL)`,
		`CREATE TABLE assignments (scenario INTEGER NOT NULL, assignment INTEGER NOT NULL, seat INTEGER NOT NULL, negotiator INTEGER NOT NULL,
  PRIMARY KEY (scenario, assignment, seat)) WITHOUT ROWID`,
		fmt.Sprintf(`CREATE TABLE runs (first INTEGER PRIMARY KEY, n INTEGER NOT NULL, data BLOB NOT NULL,
  CHECK (n BETWEEN 1 AND %d AND first >= 0 AND first + n <= %d AND length(data) = n * %d))`, maxRun, p.Total, l.size()),
		// Exactly once: a run may not overlap a recorded one. Runs are
		// disjoint, so the run starting last before the new one ends is
		// the only one that can overlap it (one index probe).
		`CREATE TRIGGER runs_disjoint BEFORE INSERT ON runs
WHEN (SELECT first + n FROM runs WHERE first < NEW.first + NEW.n ORDER BY first DESC LIMIT 1) > NEW.first
BEGIN SELECT RAISE(ABORT, 'parley: a session of this run is already recorded'); END`,
		`CREATE TABLE counter (i INTEGER PRIMARY KEY)`,
		fmt.Sprintf(`INSERT INTO counter WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %d) SELECT i FROM c`, maxRun-1),
		`CREATE TABLE pow2 (e INTEGER PRIMARY KEY, v REAL NOT NULL)`,
		// Powers of two are exact in binary floating point, subnormals
		// included, so doubling and halving from 1 gives every 2^e.
		`INSERT INTO pow2 WITH RECURSIVE p(e, v) AS (SELECT 0, 1.0 UNION ALL SELECT e + 1, v * 2 FROM p WHERE e < 971) SELECT e, v FROM p`,
		`INSERT INTO pow2 WITH RECURSIVE p(e, v) AS (SELECT -1, 0.5 UNION ALL SELECT e - 1, v / 2 FROM p WHERE e > -1074) SELECT e, v FROM p`,
		`CREATE TABLE end_reasons (code INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
		`CREATE TABLE statuses (code INTEGER PRIMARY KEY, name TEXT NOT NULL, binding INTEGER NOT NULL)`,
		`CREATE TABLE points (scenario INTEGER NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('pareto', 'nash')), point INTEGER NOT NULL` + us.String() + `,
  PRIMARY KEY (scenario, kind, point)) WITHOUT ROWID`,
		sessionsView(l),
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
		{"version", strconv.Itoa(Version)},
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
	for e := protocol.EndReason(0); e <= protocol.Exhausted; e++ {
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
		frontier, nash := ps.Reference()
		sets := []struct {
			kind string
			pts  []analysis.Point
		}{{"pareto", nil}, {"nash", nil}}
		if frontier != nil {
			sets[0].pts = frontier.Points
		}
		if nash != nil {
			sets[1].pts = nash.Points
		}
		for _, set := range sets {
			kind := set.kind
			for i, pt := range set.pts {
				args := []any{k, kind, i}
				q := "INSERT INTO points VALUES (?, ?, ?" + strings.Repeat(", ?", p.MaxSeats) + ")"
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
	// The insert bypasses database/sql's argument conversion: it is
	// prepared on the driver connection, which this Store owns alone (one
	// connection, held for its life).
	err := s.conn.Raw(func(dc any) error {
		c, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("the SQLite driver cannot prepare statements")
		}
		ps, err := c.PrepareContext(context.Background(), "INSERT INTO runs VALUES (?, ?, ?)")
		if err != nil {
			return err
		}
		x, ok := ps.(driver.StmtExecContext)
		if !ok {
			ps.Close()
			return fmt.Errorf("the SQLite driver's statements cannot execute with a context")
		}
		s.insert = x
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

// runs calls fn with every stored run in session order, after checking
// that it lies within the tournament and holds whole records.
func (s *Store) runs(withData bool, fn func(first uint64, n int, data []byte) error) error {
	q := "SELECT first, n, length(data) FROM runs ORDER BY first"
	if withData {
		q = "SELECT first, n, data FROM runs ORDER BY first"
	}
	rows, err := s.conn.QueryContext(context.Background(), q)
	if err != nil {
		return err
	}
	defer rows.Close()
	size := s.lay.size()
	var (
		first, n, length int64
		data             []byte
		next             int64
	)
	for rows.Next() {
		if withData {
			err = rows.Scan(&first, &n, &data)
			length = int64(len(data))
		} else {
			err = rows.Scan(&first, &n, &length)
		}
		if err != nil {
			return err
		}
		if first < next || n < 1 || uint64(first+n) > s.Canonical.Sessions || length != n*int64(size) {
			return fmt.Errorf("%s is damaged: its run of sessions %d to %d (%d bytes) overlaps another or lies outside the tournament's %d sessions; give a new --db file",
				s.Path, first, first+n-1, length, s.Canonical.Sessions)
		}
		next = first + n
		if err := fn(uint64(first), int(n), data); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Done returns the set of sessions already recorded.
func (s *Store) Done() (tournament.Bitset, error) {
	b := tournament.NewBitset(s.Canonical.Sessions)
	err := s.runs(false, func(first uint64, n int, _ []byte) error {
		for i := first; i < first+uint64(n); i++ {
			b.Set(i)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Count returns the number of sessions recorded.
func (s *Store) Count() (uint64, error) {
	var n int64
	err := s.conn.QueryRowContext(context.Background(), "SELECT coalesce(sum(n), 0) FROM runs").Scan(&n)
	return uint64(n), err
}

// Write implements tournament.Sink: it inserts the records in the open
// transaction (beginning one if needed), one row per run of consecutive
// session numbers. On error the transaction is rolled back: the records
// since the last Commit are not recorded.
func (s *Store) Write(batch []tournament.Record) error {
	size := s.lay.size()
	s.nums, s.buf = s.nums[:0], slices.Grow(s.buf[:0], len(batch)*size)[:len(batch)*size]
	for i := range batch {
		if err := s.Encode(s.buf[i*size:(i+1)*size], &batch[i]); err != nil {
			return s.failed(err)
		}
		s.nums = append(s.nums, batch[i].Number)
	}
	return s.WriteEncoded(s.nums, s.buf)
}

// RowLength implements tournament.Encoder: the most sessions in a row.
func (s *Store) RowLength() int { return s.lay.perRow(s.run) }

// RecordSize implements tournament.Encoder: the store's record size.
func (s *Store) RecordSize() int { return s.lay.size() }

// Encode implements tournament.Encoder: r's record, as the store keeps it.
func (s *Store) Encode(dst []byte, r *tournament.Record) error {
	if err := s.lay.encode(dst, r); err != nil {
		return fmt.Errorf("%s: %w", s.Path, err)
	}
	return nil
}

// WriteEncoded implements tournament.Encoder: Write for records already
// encoded, data holding that of session nums[i] at i·RecordSize.
func (s *Store) WriteEncoded(nums []uint64, data []byte) error {
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
	perRow := s.lay.perRow(s.run)
	err := s.conn.Raw(func(any) error {
		for len(nums) > 0 {
			n := 1
			for n < len(nums) && n < perRow && nums[n] == nums[0]+uint64(n) {
				n++
			}
			s.args[0].Value, s.args[1].Value, s.args[2].Value = int64(nums[0]), int64(n), data[:n*size]
			if _, err := s.insert.ExecContext(ctx, s.args[:]); err != nil {
				return err
			}
			nums, data = nums[n:], data[n*size:]
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
	if s.insert != nil {
		s.conn.Raw(func(any) error {
			if c, ok := s.insert.(io.Closer); ok {
				c.Close()
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
// and its slices are reused between calls. Seeds and distances, which the
// records leave out, are recomputed here.
func (s *Store) Scan(fn func(*tournament.Record) error) error {
	c := s.Canonical
	type span struct{ first, sessions, reps uint64 }
	var spans []span
	off := uint64(0)
	for _, sc := range c.Scenarios {
		n := sc.Assignments * uint64(c.Repetitions)
		spans = append(spans, span{off, n, uint64(c.Repetitions)})
		off += n
	}
	ref, err := s.references()
	if err != nil {
		return err
	}
	size := s.lay.size()
	var r tournament.Record
	k := 0
	return s.runs(true, func(first uint64, n int, data []byte) error {
		for j := range n {
			id := first + uint64(j)
			for k < len(spans) && id >= spans[k].first+spans[k].sessions {
				k++
			}
			if k == len(spans) {
				return fmt.Errorf("%s is damaged: session %d lies outside its scenarios", s.Path, id)
			}
			sp := spans[k]
			r.Number, r.Scenario, r.Seed = id, k, tournament.SessionSeed(c.Seed, id)
			r.Assignment, r.Repetition = (id-sp.first)/sp.reps, int((id-sp.first)%sp.reps)
			s.lay.decode(data[j*size:(j+1)*size], &r, len(c.Scenarios[k].Parties))
			r.Pareto, r.Nash = ref[k].distances(r.Utility)
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
	s.ref = ref
	return ref, nil
}
