// Package web is parley's web app, served by `parley serve` beside the
// seat protocol: the library of scenarios, a scenario's analysis, sessions
// watched live, seats played by people in a browser, classrooms with their
// debrief, tournaments and forecasts (docs/web.md).
//
// Pages are rendered on the server with html/template; htmx swaps
// fragments and uPlot draws the charts, both embedded in the binary
// (static/VENDOR lists their versions and checksums). A person at a seat
// is one more open seat of the seat protocol: the seat page reads the
// seat's message stream and posts its actions to the server's seat
// endpoints with the seat's capability token, and sees nothing but what
// the seat protocol sends that seat.
//
// The app keeps its state in the server's SQLite file (tables web_*):
// uploads, the sessions it created with their facilitators' tokens'
// digests, each session's record as it was played, and tournaments.
package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/session"
)

// Config sets up the web app.
type Config struct {
	// Examples is the folder of example scenarios (and tournament specs)
	// the library lists; default "examples".
	Examples string
	// Dir holds the files tournaments run on (their specs, uploaded
	// scenarios and result stores); default: the server's database path
	// with ".web" appended.
	Dir string
	// DB is the server's database path (for Dir's default).
	DB string
	// MaxUpload bounds an uploaded scenario (default 1 MiB).
	MaxUpload int64
	// Workers plays tournaments (default: tournament.DefaultWorkers).
	Workers int
}

// DefaultMaxUpload is the default of Config.MaxUpload.
const DefaultMaxUpload = 1 << 20

// App is the web app. Make it with New before the server (its Watch goes
// into server.Config), then Attach it to the server.
type App struct {
	cfg   Config
	srv   *server.Server
	db    *sql.DB
	pages *pages
	ready chan struct{} // closed by Attach

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	rec     *recorder
	reports *reportCache
	tourn   *tournaments
	joins   *limiter
}

// New makes the app; Attach then mounts it on a server.
func New(cfg Config) (*App, error) {
	if cfg.Examples == "" {
		cfg.Examples = "examples"
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.Dir == "" {
		if cfg.DB == "" {
			return nil, errors.New("web: give Config.Dir or Config.DB")
		}
		cfg.Dir = cfg.DB + ".web"
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, pages: p, ready: make(chan struct{}), reports: newReportCache(), joins: newLimiter(20, time.Second)}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.rec = newRecorder(a)
	return a, nil
}

// Watch is server.Config.Watch: it records every session's public record,
// with each party's utilities of every offer for the session's owner.
func (a *App) Watch(id string, r *session.Runner) server.Watcher { return a.rec.watch(id, r) }

// Attach mounts the pages on srv, creates the app's tables in its database
// and resumes the tournaments under way.
func (a *App) Attach(srv *server.Server) error {
	a.srv, a.db = srv, srv.DB()
	if err := createTables(a.db); err != nil {
		return fmt.Errorf("web: %w", err)
	}
	a.tourn = newTournaments(a)
	a.routes()
	a.rec.start()
	close(a.ready)
	if err := a.tourn.resume(); err != nil {
		log.Printf("parley serve: resuming tournaments: %v", err)
	}
	return nil
}

// Close stops the app's background work (tournaments, the record's
// writer); call it after the server's Close, when no session plays.
func (a *App) Close() error {
	a.cancel()
	a.wg.Wait()
	a.rec.stop()
	return nil
}

func (a *App) routes() {
	h := func(pattern string, f http.HandlerFunc) { a.srv.Handle(pattern, f) }
	// Pages and their fragments.
	h("GET /{$}", a.library)
	h("GET /static/{file}", serveStatic)
	h("POST /upload", a.post(a.upload))
	h("GET /scenario/{kind}/{name}", a.scenarioPage)
	h("GET /scenario/{kind}/{name}/data.json", a.scenarioData)
	h("GET /scenario/{kind}/{name}/evaluate", a.evaluate)
	h("GET /scenario/{kind}/{name}/sensitivity", a.sensitivity)
	h("GET /scenario/{kind}/{name}/forecast", a.forecastPage)
	h("GET /session/new", a.newSession)
	h("POST /session", a.post(a.createSession))
	h("GET /classroom/new", a.newClassroom)
	h("POST /classroom", a.post(a.createSession))
	h("GET /w/{owner}", a.watchPage)
	h("GET /w/{owner}/events", a.watchEvents)
	h("GET /w/{owner}/seats", a.watchSeats)
	h("GET /w/{owner}/debrief", a.debrief)
	h("POST /w/{owner}/start", a.post(a.startClassroom))
	h("GET /play/{token}", a.playPage)
	h("GET /play/{token}/state", a.playState)
	h("GET /join", a.joinPage)
	h("POST /join", a.post(a.join))
	h("GET /tournament", a.tournamentList)
	h("POST /tournament", a.post(a.createTournament))
	h("GET /tournament/{id}", a.tournamentPage)
	h("GET /tournament/{id}/progress", a.tournamentProgress)
	h("GET /tournament/{id}/export/{format}", a.tournamentExport)
}

// wait blocks until Attach has run (watchers made while the server
// restores its sessions wait for the database).
func (a *App) wait() { <-a.ready }

// newToken is a capability: 32 bytes from crypto/rand, base64url.
func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// digest is a token's SHA-256, the only form the database keeps.
func digest(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// examplePath is the file of an example scenario.
func (a *App) examplePath(name string) string {
	return filepath.Join(a.cfg.Examples, name+".yaml")
}
