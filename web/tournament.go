package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/tournament"
	"github.com/parleyhq/parley/tournament/export"
	"github.com/parleyhq/parley/tournament/store"
)

// Tournaments run in the server's process, each into a tournament store of
// its own (the CLI's format: `parley tournament report` reads it) in a
// folder under Config.Dir, beside the spec the pages wrote for it. One
// that was running when the server stopped resumes when it starts again:
// the store knows which sessions are recorded.

// storeVersion is what the app writes as the store's maker.
const storeVersion = "parley serve"

type tournaments struct {
	a  *App
	mu sync.Mutex
	// progress of the running ones: committed (by this run) and already
	// recorded when it started, total.
	prog map[string]*progress
}

type progress struct {
	done, already, total uint64
	started              time.Time
}

func newTournaments(a *App) *tournaments {
	return &tournaments{a: a, prog: map[string]*progress{}}
}

type tournRow struct {
	ID, Name, Dir, State, Error string
	Created                     time.Time
}

func (t *tournaments) list(ctx context.Context) ([]tournRow, error) {
	rows, err := t.a.db.QueryContext(ctx, `SELECT id, name, dir, state, error, created FROM web_tournaments ORDER BY created DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tournRow
	for rows.Next() {
		var r tournRow
		var c int64
		if err := rows.Scan(&r.ID, &r.Name, &r.Dir, &r.State, &r.Error, &c); err != nil {
			return nil, err
		}
		r.Created = time.Unix(0, c)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *tournaments) get(ctx context.Context, id string) (*tournRow, error) {
	all, err := t.list(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return nil, nil
}

// resume starts again the tournaments that were running.
func (t *tournaments) resume() error {
	all, err := t.list(context.Background())
	if err != nil {
		return err
	}
	for _, r := range all {
		if r.State == "running" {
			t.start(r.ID, r.Dir)
		}
	}
	return nil
}

// start runs (or resumes) the tournament in dir on a goroutine.
func (t *tournaments) start(id, dir string) {
	t.a.wg.Add(1)
	go func() {
		defer t.a.wg.Done()
		err := t.run(id, dir)
		state, msg := "done", ""
		switch {
		case errors.Is(err, context.Canceled):
			return // the server stops: the next one resumes it
		case err != nil:
			state, msg = "failed", err.Error()
			log.Printf("parley serve: tournament %s: %v", id, err)
		}
		t.a.db.ExecContext(context.Background(), `UPDATE web_tournaments SET state = ?, error = ? WHERE id = ?`, state, msg, id)
		t.mu.Lock()
		delete(t.prog, id)
		t.mu.Unlock()
	}()
}

func (t *tournaments) run(id, dir string) error {
	specPath := filepath.Join(dir, "spec.yaml")
	spec, err := tournament.LoadSpec(specPath)
	if err != nil {
		return err
	}
	plan, err := tournament.NewPlan(spec)
	if err != nil {
		return err
	}
	source, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	st, err := store.Create(filepath.Join(dir, "results.db"), plan, source, storeVersion)
	if err != nil {
		return err
	}
	defer st.Close()
	done, err := st.Done()
	if err != nil {
		return err
	}
	p := &progress{already: done.Count(), total: plan.Total, started: time.Now()}
	t.mu.Lock()
	t.prog[id] = p
	t.mu.Unlock()
	_, err = tournament.Run(t.a.ctx, plan, st, tournament.Options{Workers: t.a.cfg.Workers, Done: done, Progress: func(n uint64) {
		t.mu.Lock()
		p.done = n
		t.mu.Unlock()
	}})
	if err != nil {
		return err
	}
	sum, err := tournament.Summarize(st.Canonical, st.Scan)
	if err != nil {
		return err
	}
	b, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "summary.json"), b, 0o644)
}

type tournListData struct {
	Tournaments []tournRow
	Scenarios   []libEntry
	Specs       []string
	Negotiators []string
	Protocols   []string
	Err         string
}

func (a *App) tournamentList(w http.ResponseWriter, r *http.Request) {
	a.tournamentListErr(w, r, "")
}

func (a *App) tournamentListErr(w http.ResponseWriter, r *http.Request, msg string) {
	all, err := a.tourn.list(r.Context())
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	lib := a.libraryData(r, nil)
	d := tournListData{Tournaments: all, Scenarios: append(lib.Examples, lib.Uploads...), Negotiators: negotiator.Names(negotiator.RoleParty), Protocols: protocol.Names(), Err: msg}
	m, _ := filepath.Glob(filepath.Join(a.cfg.Examples, "tournament-*.yaml"))
	for _, p := range m {
		d.Specs = append(d.Specs, strings.TrimSuffix(filepath.Base(p), ".yaml"))
	}
	code := 0
	if msg != "" {
		code = http.StatusBadRequest
	}
	a.render(w, r, "tournaments", "", page{Code: code, Title: "Tournaments", Nav: "tournament", Data: d})
}

// specYAML is the spec the form describes.
type specYAML struct {
	Name        string         `yaml:"name"`
	Seed        uint64         `yaml:"seed"`
	Scenarios   []string       `yaml:"scenarios"`
	Negotiators []string       `yaml:"negotiators"`
	Protocol    string         `yaml:"protocol"`
	Mediator    string         `yaml:"mediator,omitempty"`
	Deadline    map[string]int `yaml:"deadline"`
	Rotation    string         `yaml:"rotation"`
	Repetitions int            `yaml:"repetitions"`
}

// createTournament writes a spec (the form's, or a copy of an example
// spec with its paths made absolute), checks it and starts it.
func (a *App) createTournament(w http.ResponseWriter, r *http.Request) {
	b := make([]byte, 9)
	rand.Read(b)
	id := "t_" + base64.RawURLEncoding.EncodeToString(b)
	dir := filepath.Join(a.cfg.Dir, "tournaments", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		a.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	var spec []byte
	name := strings.TrimSpace(r.FormValue("name"))
	if ex := r.FormValue("example"); ex != "" {
		path := filepath.Join(a.cfg.Examples, filepath.Base(ex)+".yaml")
		s, err := tournament.LoadSpec(path)
		if err != nil {
			os.RemoveAll(dir)
			a.tournamentListErr(w, r, err.Error())
			return
		}
		abs, _ := filepath.Abs(filepath.Dir(path))
		for i, p := range s.Scenarios {
			if !filepath.IsAbs(p) {
				s.Scenarios[i] = filepath.Join(abs, p)
			}
		}
		spec, _ = yaml.Marshal(s)
		if name == "" {
			name = s.Name
		}
	} else {
		sy := specYAML{Name: name, Protocol: r.FormValue("protocol"), Rotation: r.FormValue("rotation"), Negotiators: r.Form["negotiator"]}
		if sy.Name == "" {
			sy.Name = "tournament"
		}
		sy.Seed, _ = strconv.ParseUint(r.FormValue("seed"), 10, 64)
		rounds, _ := strconv.Atoi(r.FormValue("rounds"))
		sy.Deadline = map[string]int{"rounds": max(rounds, 1)}
		sy.Repetitions, _ = strconv.Atoi(r.FormValue("repetitions"))
		sy.Repetitions = max(sy.Repetitions, 1)
		if info, err := protocol.Lookup(sy.Protocol); err == nil && info.Mediated {
			sy.Mediator = "broker"
		}
		for i, s := range r.Form["scenario"] {
			f, ok := parseRef(s)
			if !ok {
				continue
			}
			l, err := a.load(r.Context(), f)
			if err != nil || l == nil || l.Err != nil {
				continue
			}
			if f.Kind == "x" {
				abs, _ := filepath.Abs(a.examplePath(f.Name))
				sy.Scenarios = append(sy.Scenarios, abs)
				continue
			}
			file := fmt.Sprintf("scenario-%d.yaml", i)
			if err := os.WriteFile(filepath.Join(dir, file), l.Text, 0o644); err != nil {
				a.fail(w, r, http.StatusInternalServerError, err.Error())
				return
			}
			sy.Scenarios = append(sy.Scenarios, file)
		}
		name = sy.Name
		spec, _ = yaml.Marshal(sy)
	}
	specPath := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(specPath, spec, 0o644); err != nil {
		a.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	s, err := tournament.LoadSpec(specPath)
	if err == nil {
		_, err = tournament.NewPlan(s)
	}
	if err != nil {
		os.RemoveAll(dir)
		a.tournamentListErr(w, r, err.Error())
		return
	}
	if _, err := a.db.ExecContext(r.Context(), `INSERT INTO web_tournaments(id, created, name, dir, state) VALUES(?, ?, ?, ?, 'running')`, id, time.Now().UnixNano(), name, dir); err != nil {
		a.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	a.tourn.start(id, dir)
	http.Redirect(w, r, "/tournament/"+id, http.StatusSeeOther)
}

type tournData struct {
	T        *tournRow
	Done     uint64
	Total    uint64
	Percent  float64
	Rate     float64
	Summary  *tournament.Summary
	Heat     *heatMap
	Running  bool
	SpecText string
}

// heatMap is the head-to-head table: mean utility of the row's negotiator
// against the column's.
type heatMap struct {
	Names []string
	Rows  [][]heatCell
}

type heatCell struct {
	Mean, CI float64
	N        uint64
	Color    template.CSS
	Has      bool
}

func (a *App) tournamentData(r *http.Request) (*tournData, error) {
	t, err := a.tourn.get(r.Context(), r.PathValue("id"))
	if err != nil || t == nil {
		return nil, err
	}
	d := &tournData{T: t, Running: t.State == "running"}
	if spec, err := os.ReadFile(filepath.Join(t.Dir, "spec.yaml")); err == nil {
		d.SpecText = string(spec)
	}
	a.tourn.mu.Lock()
	if p := a.tourn.prog[t.ID]; p != nil {
		d.Done, d.Total = p.done+p.already, p.total
		if el := time.Since(p.started).Seconds(); el > 0 {
			d.Rate = float64(p.done) / el
		}
	}
	a.tourn.mu.Unlock()
	if d.Total > 0 {
		d.Percent = 100 * float64(d.Done) / float64(d.Total)
	}
	if t.State == "done" {
		b, err := os.ReadFile(filepath.Join(t.Dir, "summary.json"))
		if err == nil {
			var s tournament.Summary
			if json.Unmarshal(b, &s) == nil {
				d.Summary = &s
				d.Done, d.Total, d.Percent = s.Sessions, s.Total, 100
				d.Heat = heat(&s)
			}
		}
	}
	return d, nil
}

func heat(s *tournament.Summary) *heatMap {
	if len(s.Pairs) == 0 {
		return nil
	}
	h := &heatMap{}
	for _, n := range s.Negotiators {
		h.Names = append(h.Names, n.Name)
	}
	idx := map[string]int{}
	for i, n := range h.Names {
		idx[n] = i
	}
	h.Rows = make([][]heatCell, len(h.Names))
	for i := range h.Rows {
		h.Rows[i] = make([]heatCell, len(h.Names))
	}
	for _, p := range s.Pairs {
		i, ok1 := idx[p.Negotiator]
		j, ok2 := idx[p.Opponent]
		if !ok1 || !ok2 {
			continue
		}
		m := p.Utility.Mean
		// White at 0 to a deep blue at 1.
		x := math.Max(0, math.Min(1, m))
		rr, gg := int(255-200*x), int(255-150*x)
		h.Rows[i][j] = heatCell{Mean: m, CI: p.Utility.CI95, N: p.Sessions, Has: true, Color: template.CSS(fmt.Sprintf("rgb(%d,%d,255)", rr, gg))}
	}
	return h
}

func (a *App) tournamentPage(w http.ResponseWriter, r *http.Request) {
	d, err := a.tournamentData(r)
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	if d == nil {
		a.fail(w, r, http.StatusNotFound, "no such tournament")
		return
	}
	a.render(w, r, "tournament", "", page{Title: d.T.Name, Nav: "tournament", Data: d})
}

// tournamentProgress is the progress panel (htmx, polled while running).
func (a *App) tournamentProgress(w http.ResponseWriter, r *http.Request) {
	d, err := a.tournamentData(r)
	if err != nil || d == nil {
		http.NotFound(w, r)
		return
	}
	if !d.Running {
		// Done: reload the whole page for the results.
		w.Header().Set("HX-Refresh", "true")
	}
	a.render(w, r, "tournament", "progress", page{Data: d})
}

// tournamentExport writes the sessions (csv, jsonl) or the summary (json).
func (a *App) tournamentExport(w http.ResponseWriter, r *http.Request) {
	t, err := a.tourn.get(r.Context(), r.PathValue("id"))
	if err != nil || t == nil || t.State != "done" {
		http.NotFound(w, r)
		return
	}
	format := r.PathValue("format")
	if format == "summary.json" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="summary.json"`)
		http.ServeFile(w, r, filepath.Join(t.Dir, "summary.json"))
		return
	}
	st, err := store.Open(filepath.Join(t.Dir, "results.db"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer st.Close()
	e := export.New(st.Canonical)
	switch format {
	case "sessions.csv":
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("Content-Disposition", `attachment; filename="sessions.csv"`)
		err = e.CSV(w, st.Scan)
	case "sessions.jsonl":
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("Content-Disposition", `attachment; filename="sessions.jsonl"`)
		err = e.JSONLines(w, st.Scan)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		log.Printf("parley serve: exporting tournament %s: %v", t.ID, err)
	}
}
