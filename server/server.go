package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// Config sets up a Server.
type Config struct {
	// DB is the SQLite file that holds the server's state (created if
	// absent). Only one server may use it at a time.
	DB string
	// Grace is how long an open seat's client may stay away before the
	// seat fails (cause disconnect); default 30 s.
	Grace time.Duration
	// Examples is the folder whose scenario files a request may name as
	// "example" (default "examples").
	Examples string
	// MaxBody bounds a session request's body (default MaxBody).
	MaxBody int64
	// BaseURL, when set, is the server's address as clients reach it
	// (such as https://parley.example.org), for the seat URLs it hands out;
	// by default they are made from each request's Host.
	BaseURL string
	// MaxOutcomes bounds the outcome space of a session's scenario
	// (default MaxOutcomes): a client cannot make the server enumerate an
	// unbounded space.
	MaxOutcomes uint64
	// Local serves only requests addressed to this machine by a loopback
	// name (localhost, 127.0.0.1, [::1]) or BaseURL's host: a page of
	// another site cannot reach a server on 127.0.0.1 by pointing its own
	// name there (DNS rebinding). parley serve sets it when it listens on
	// a loopback address.
	Local bool
	// Watch, when set, is called with every session the server builds
	// (created, or rebuilt by a restart) and its runner; the Watcher it
	// returns (nil: none) sees the session play. The web pages use it to
	// show a session live.
	Watch func(id string, r *session.Runner) Watcher
}

// Watcher sees a session play on the server's session goroutine: every
// protocol event and session note as they happen (a session resumed after
// a restart plays again from its start, so its watcher sees every event
// again, in the same order), and the result before it is stored, so that
// what the watcher keeps is complete once the session shows as finished.
// Once Close has begun a watcher sees nothing more: sessions then end
// only because the server stops, and the next server resumes them.
// During Event, the runner's Labels, SeatUtility and EventText describe
// the event. Its methods must not block for long: the session waits.
type Watcher interface {
	Event(protocol.Event)
	Note(session.Note)
	Finish(*session.Result)
}

// MaxOutcomes is the default of Config.MaxOutcomes.
const MaxOutcomes = 1_000_000

// MaxBody is the default limit of a session request's body: room for the
// largest scenario file parley reads, escaped into a JSON string.
const MaxBody = 2*safeio.MaxFileSize + 64<<10

// Server serves sessions whose seats are played over the network. Its
// Handler is an http.Handler; Handle adds more routes to it (the web
// pages), which may use the server's Go API (Create, Session).
type Server struct {
	cfg     Config
	db      *sql.DB
	journal *journal
	unlock  func()
	mux     *http.ServeMux
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup // session goroutines

	mu       sync.Mutex
	sessions map[string]*live
	seats    map[string]*openSeat // by token digest
	prepared map[[32]byte]*session.Prepared
	closed   bool
	resumed  int
	// diverged counts messages a replay sent otherwise than stored.
	diverged atomic.Int64
	// stopping is set when Close begins: what sessions do from then on
	// (they end as their seats are closed) is not shown to watchers.
	stopping atomic.Bool
}

// DB is the server's database, for packages that serve beside it (the
// web pages) to keep their own tables in the same file.
func (srv *Server) DB() *sql.DB { return srv.db }

// Resumed is how many sessions under way New found in the database and
// resumed.
func (srv *Server) Resumed() int { return srv.resumed }

// New opens the server's database and resumes every session it holds that
// is not over.
func New(cfg Config) (*Server, error) {
	if cfg.DB == "" {
		return nil, errors.New("no database file")
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 30 * time.Second
	}
	if cfg.Examples == "" {
		cfg.Examples = "examples"
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = MaxBody
	}
	if cfg.MaxOutcomes == 0 {
		cfg.MaxOutcomes = MaxOutcomes
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	unlock, err := lock(cfg.DB)
	if err != nil {
		return nil, err
	}
	db, err := openDB(cfg.DB)
	if err != nil {
		unlock()
		return nil, err
	}
	j, err := openJournal(db)
	if err != nil {
		db.Close()
		unlock()
		return nil, err
	}
	srv := &Server{cfg: cfg, db: db, journal: j, unlock: unlock, mux: http.NewServeMux(),
		sessions: map[string]*live{}, seats: map[string]*openSeat{}, prepared: map[[32]byte]*session.Prepared{}}
	srv.ctx, srv.cancel = context.WithCancel(context.Background())
	srv.routes()
	if err := srv.restore(); err != nil {
		srv.Close()
		return nil, err
	}
	return srv, nil
}

func (srv *Server) routes() {
	srv.mux.HandleFunc("POST /api/v1/sessions", srv.handleCreate)
	srv.mux.HandleFunc("GET /api/v1/sessions/{id}", srv.handleSession)
	(&transports{find: srv.seat, ctx: srv.ctx}).route(srv.mux)
}

// Handle adds a route (a pattern of http.ServeMux) to the server.
func (srv *Server) Handle(pattern string, h http.Handler) { srv.mux.Handle(pattern, h) }

// Handler is the server's HTTP handler.
func (srv *Server) Handler() http.Handler { return guard(srv.cfg.Local, srv.cfg.BaseURL, srv.mux) }

// guard serves next with the headers every answer carries and, when
// local is set, only to requests addressed to this machine by a loopback
// name or base's host (DNS rebinding). parley serve and a Hub use it.
func guard(local bool, base string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if local && !localHost(r.Host, base) {
			writeError(w, http.StatusMisdirectedRequest, "this server answers requests to localhost only", nil)
			return
		}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		// Seat URLs carry capability tokens: never send them on.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// Disconnect ends every client connection (WebSockets and long-polls
// under way), so that http.Server.Shutdown need not wait for them: give it
// to http.Server.RegisterOnShutdown.
func (srv *Server) Disconnect() { srv.cancel() }

// localHost reports whether a request's Host names this machine (or
// base's host).
func localHost(hostport, base string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	if u, err := url.Parse(base); err == nil && base != "" {
		return strings.EqualFold(u.Hostname(), host)
	}
	return false
}

// Close stops the server: what is queued is stored, connections are
// closed, and sessions under way stop where they are (the next server on
// the database resumes them).
func (srv *Server) Close() error {
	srv.stopping.Store(true)
	srv.mu.Lock()
	if srv.closed {
		srv.mu.Unlock()
		return nil
	}
	srv.closed = true
	srv.mu.Unlock()
	srv.cancel()
	srv.journal.stop()
	srv.mu.Lock()
	var seats []*openSeat
	for _, s := range srv.seats {
		seats = append(seats, s)
	}
	srv.mu.Unlock()
	for _, s := range seats {
		s.Close()
	}
	srv.wg.Wait()
	err := srv.db.Close()
	srv.unlock()
	return err
}

// Token length: 32 random bytes, base64url without padding.
const (
	tokenBytes = 32
	tokenLen   = 43
)

func newToken() (token string, hash []byte) {
	b := make([]byte, tokenBytes)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(token))
	return token, h[:]
}

func newID() string {
	b := make([]byte, 9)
	rand.Read(b)
	return "s_" + base64.RawURLEncoding.EncodeToString(b)
}

// Created answers a session request: the session's id and, per open seat,
// its capability token and URLs.
type Created struct {
	ID    string      `json:"id"`
	State string      `json:"status"`
	Seats []SeatLinks `json:"seats"`
}

// SeatLinks are an open seat's capability token and the URLs that carry it.
type SeatLinks struct {
	Seat     int    `json:"seat"`
	Party    string `json:"party"`
	Token    string `json:"token"`
	WS       string `json:"ws"`
	Messages string `json:"messages"`
	Action   string `json:"action"`
}

// Create makes a session. It returns Problems when the request is wrong.
func (srv *Server) Create(r *Request, base string) (*Created, error) {
	name, text, ps := srv.scenarioText(r)
	if len(ps) > 0 {
		return nil, ps
	}
	id := newID()
	l, ps := srv.build(id, r, name, text)
	if len(ps) > 0 {
		return nil, ps
	}
	l.created = time.Now()
	stored := *r
	stored.Scenario = "" // kept once, in its own column
	req, _ := json.Marshal(&stored)
	stmts := []stmt{{sqlInsertSession, []any{id, l.created.UnixNano(), string(req), name, text}}}
	c := &Created{ID: id, State: StateWaiting}
	ws := strings.Replace(strings.Replace(base, "https://", "wss://", 1), "http://", "ws://", 1)
	for _, s := range l.seats {
		token, hash := newToken()
		s.hash = hash
		stmts = append(stmts, stmt{sqlInsertSeat, []any{id, s.index, s.party, hash}})
		c.Seats = append(c.Seats, SeatLinks{Seat: s.index, Party: s.party, Token: token,
			WS: ws + "/seat/" + token + "/ws", Messages: base + "/seat/" + token + "/messages", Action: base + "/seat/" + token + "/action"})
	}
	if err := srv.journal.do(stmts...); err != nil {
		return nil, fmt.Errorf("storing the session: %w", err)
	}
	if !srv.register(l) {
		return nil, errStopped
	}
	if len(l.seats) == 0 {
		l.startIfReady()
	}
	return c, nil
}

// register puts a session and its seats in memory.
func (srv *Server) register(l *live) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closed {
		return false
	}
	srv.sessions[l.id] = l
	for _, s := range l.seats {
		srv.seats[string(s.hash)] = s
	}
	return true
}

// retire drops a finished session from memory: it is served from the
// database from now on.
func (srv *Server) retire(l *live) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	delete(srv.sessions, l.id)
	for _, s := range l.seats {
		delete(srv.seats, string(s.hash))
	}
}

// seat finds the open seat of a token: in memory while its session is
// live, else in the database (a finished session's stream, read only).
// Tokens are looked up by their SHA-256 digest, which a client cannot
// steer, and the digest is compared in constant time.
func (srv *Server) seat(token string) (*openSeat, error) {
	if len(token) != tokenLen {
		return nil, nil
	}
	h := sha256.Sum256([]byte(token))
	srv.mu.Lock()
	s := srv.seats[string(h[:])]
	srv.mu.Unlock()
	if s != nil {
		if subtle.ConstantTimeCompare(s.hash, h[:]) == 1 {
			return s, nil
		}
		return nil, nil
	}
	return srv.finishedSeat(h[:])
}

// Status is a session as GET /api/v1/sessions/{id} shows it: public
// information only.
type Status struct {
	ID       string        `json:"id"`
	State    string        `json:"status"`
	Scenario string        `json:"scenario"`
	Protocol string        `json:"protocol"`
	Parties  []string      `json:"parties"`
	Seats    []SeatStatus  `json:"seats"`
	Result   *PublicResult `json:"result,omitempty"`
}

// SeatStatus is one seat of a session.
type SeatStatus struct {
	Seat       int    `json:"seat"`
	Party      string `json:"party"`
	Negotiator string `json:"negotiator"`
	Open       bool   `json:"open"`                // played over the network
	Joined     bool   `json:"joined,omitempty"`    // has connected once
	Connected  bool   `json:"connected,omitempty"` // has a client now
}

// PublicResult is what anyone may know of how a session ended: no party's
// utilities, reservation values or other private numbers.
type PublicResult struct {
	Status      session.Status   `json:"status"`
	Agreed      bool             `json:"agreed"`
	End         string           `json:"end"`
	WalkedOut   string           `json:"walked_out,omitempty"`
	Outcome     []session.Value  `json:"outcome,omitempty"`
	Round       int              `json:"round"`
	Steps       int              `json:"steps"`
	Failure     *session.Failure `json:"failure,omitempty"`
	FailedPhase string           `json:"failed_phase,omitempty"`
	Phases      []PublicPhase    `json:"phases,omitempty"`
}

// PublicPhase is how an agenda phase ended.
type PublicPhase struct {
	ID      string          `json:"id"`
	Agreed  bool            `json:"agreed"`
	End     string          `json:"end,omitempty"`
	Outcome []session.Value `json:"outcome,omitempty"`
}

func publicResult(r *session.Result) *PublicResult {
	p := &PublicResult{Status: r.Status, Agreed: r.Agreed, End: r.End, WalkedOut: r.WalkedOut, Outcome: r.Outcome,
		Round: r.Round, Steps: r.Steps, Failure: r.Failure, FailedPhase: r.FailedPhase}
	for _, ph := range r.Phases {
		p.Phases = append(p.Phases, PublicPhase{ID: ph.ID, Agreed: ph.Agreed, End: ph.End, Outcome: ph.Outcome})
	}
	return p
}

// Session returns a session's public status, or nil when there is none.
func (srv *Server) Session(id string) (*Status, error) {
	srv.mu.Lock()
	l := srv.sessions[id]
	srv.mu.Unlock()
	if l != nil {
		return l.status(), nil
	}
	return srv.storedStatus(id)
}

// base is the server's URL for a request's seat links.
func (srv *Server) base(r *http.Request) string {
	if srv.cfg.BaseURL != "" {
		return srv.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (srv *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	// A JSON content type cannot be sent across sites without the
	// browser asking first (and this server says no): no page of another
	// site creates sessions here.
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "send the request as Content-Type: application/json", nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, srv.cfg.MaxBody))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request is larger than %d bytes", srv.cfg.MaxBody), nil)
			return
		}
		writeError(w, http.StatusBadRequest, "reading the request: "+err.Error(), nil)
		return
	}
	req, err := decodeRequest(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), nil)
		return
	}
	c, err := srv.Create(req, srv.base(r))
	var ps Problems
	switch {
	case errors.As(err, &ps):
		msg := "the request has a problem"
		if len(ps) > 1 {
			msg = fmt.Sprintf("the request has %d problems", len(ps))
		}
		writeError(w, http.StatusBadRequest, msg, ps)
	case errors.Is(err, errStopped):
		writeError(w, http.StatusServiceUnavailable, err.Error(), nil)
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error(), nil)
	default:
		writeJSON(w, http.StatusCreated, c)
	}
}

func (srv *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	st, err := srv.Session(r.PathValue("id"))
	switch {
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error(), nil)
	case st == nil:
		writeError(w, http.StatusNotFound, "no such session", nil)
	default:
		writeJSON(w, http.StatusOK, st)
	}
}

// errorBody is the body of every error answer.
type errorBody struct {
	Error    string    `json:"error"`
	Problems []Problem `json:"problems,omitempty"`
}

func writeError(w http.ResponseWriter, code int, msg string, ps []Problem) {
	writeJSON(w, code, errorBody{Error: msg, Problems: ps})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
