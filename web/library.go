package web

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/server"
)

// ref names a scenario of the library: an example ("x", its file name
// without .yaml) or an upload ("u", its unguessable id).
type ref struct {
	Kind, Name string
}

func (f ref) String() string { return f.Kind + "/" + f.Name }

// URL is the scenario page's path.
func (f ref) URL() string { return "/scenario/" + f.String() }

func parseRef(s string) (ref, bool) {
	k, n, ok := strings.Cut(s, "/")
	f := ref{k, n}
	return f, ok && f.valid()
}

var refName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

func (f ref) valid() bool {
	return (f.Kind == "x" || f.Kind == "u") && refName.MatchString(f.Name) && !strings.Contains(f.Name, "..")
}

func refOf(r *http.Request) (ref, bool) {
	f := ref{r.PathValue("kind"), r.PathValue("name")}
	return f, f.valid()
}

// loaded is a library scenario: its text and, when valid, the scenario.
type loaded struct {
	Ref   ref
	Name  string
	Text  []byte
	Scen  *scenario.Scenario
	File  *scenario.File // the decoded file, for sources and assumptions
	Err   error
	Added time.Time
}

// load reads a library scenario; nil when there is none.
func (a *App) load(ctx context.Context, f ref) (*loaded, error) {
	switch f.Kind {
	case "x":
		path := a.examplePath(f.Name)
		text, err := safeio.ReadFile(path)
		if err != nil {
			return nil, nil
		}
		l := &loaded{Ref: f, Name: f.Name, Text: text}
		l.Scen, l.Err = scenario.LoadFile(path)
		if l.Err == nil {
			l.File, _ = scenario.DecodeFile(text, path)
		}
		return l, nil
	case "u":
		var name string
		var text []byte
		var created int64
		err := a.db.QueryRowContext(ctx, `SELECT name, text, created FROM web_uploads WHERE id = ?`, f.Name).Scan(&name, &text, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		l := &loaded{Ref: f, Name: name, Text: text, Added: time.Unix(0, created)}
		l.Scen, l.Err = server.ParseScenario(text)
		if l.Err == nil {
			l.File, _ = scenario.DecodeFile(text, server.ScenarioName)
		}
		return l, nil
	}
	return nil, nil
}

// entryOf is a library entry.
type libEntry struct {
	Ref         ref
	Name        string
	Description string
	Parties     int
	Issues      int
	Outcomes    string
	Added       time.Time
	Err         string
}

// examples lists the example scenarios (tournament specs aside).
func (a *App) examples() []string {
	m, _ := filepath.Glob(filepath.Join(a.cfg.Examples, "*.yaml"))
	var out []string
	for _, p := range m {
		b := strings.TrimSuffix(filepath.Base(p), ".yaml")
		if !strings.HasPrefix(b, "tournament-") {
			out = append(out, b)
		}
	}
	sort.Strings(out)
	return out
}

// uploadsCookie lists the uploads made from this browser: the library
// shows a browser only its own (an upload's id is its capability).
const uploadsCookie = "parley_uploads"

func uploadsOf(r *http.Request) []string {
	c, err := r.Cookie(uploadsCookie)
	if err != nil {
		return nil
	}
	var ids []string
	for _, id := range strings.Split(c.Value, ".") {
		if (ref{"u", id}).valid() {
			ids = append(ids, id)
		}
	}
	return ids
}

func describe(l *loaded) libEntry {
	e := libEntry{Ref: l.Ref, Name: l.Name, Added: l.Added}
	if l.Err != nil {
		e.Err = "does not load: " + firstLine(l.Err.Error())
		return e
	}
	s := l.Scen
	e.Name, e.Description, e.Parties, e.Issues = s.Name, s.Description, len(s.Parties), len(s.Issues)
	e.Outcomes = fmt.Sprintf("%.4g", s.Space().SizeFloat())
	return e
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

type libraryData struct {
	Examples []libEntry
	Uploads  []libEntry
	Upload   *uploadResult
}

// uploadResult is a rejected upload: its lines with the problems beside
// the lines they are on.
type uploadResult struct {
	Name     string
	Text     string
	Lines    []numberedLine
	Problems []problemView
	Count    int
}

type numberedLine struct {
	N        int
	Text     string
	Problems []problemView
}

type problemView struct {
	At      string
	Line    int
	Column  int
	Message string
}

func (a *App) library(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "library", "", page{Title: "Library", Nav: "library", Data: a.libraryData(r, nil)})
}

func (a *App) libraryData(r *http.Request, up *uploadResult) libraryData {
	d := libraryData{Upload: up}
	for _, n := range a.examples() {
		if l, _ := a.load(r.Context(), ref{"x", n}); l != nil {
			d.Examples = append(d.Examples, describe(l))
		}
	}
	for _, id := range uploadsOf(r) {
		if l, _ := a.load(r.Context(), ref{"u", id}); l != nil {
			d.Uploads = append(d.Uploads, describe(l))
		}
	}
	return d
}

// upload takes a scenario from a form (a file or pasted text), validates
// it as the CLI does, and either stores it or shows every problem beside
// its line.
func (a *App) upload(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.FormValue("name"))
	text := r.FormValue("text")
	if f, h, err := r.FormFile("file"); err == nil {
		b, err := io.ReadAll(io.LimitReader(f, a.cfg.MaxUpload+1))
		f.Close()
		if err == nil && len(b) > 0 {
			text = string(b)
			if name == "" {
				name = h.Filename
			}
		}
	}
	if name == "" {
		name = "upload"
	}
	if len(name) > 100 {
		name = name[:100]
	}
	if int64(len(text)) > a.cfg.MaxUpload {
		a.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("the scenario is larger than %d bytes", a.cfg.MaxUpload))
		return
	}
	if strings.TrimSpace(text) == "" {
		a.render(w, r, "library", "", page{Title: "Library", Nav: "library", Data: a.libraryData(r, &uploadResult{Name: name, Problems: []problemView{{Message: "the scenario is empty: choose a file or paste its text"}}, Count: 1})})
		return
	}
	sc, err := server.ParseScenario([]byte(text))
	if err == nil {
		if max := uint64(server.MaxOutcomes); sc.Space().SizeFloat() > float64(max) {
			err = fmt.Errorf("the scenario has %.4g outcomes; the web pages analyse and play scenarios of at most %d", sc.Space().SizeFloat(), max)
		}
	}
	if err != nil {
		a.render(w, r, "library", "", page{Code: http.StatusUnprocessableEntity, Title: "Library", Nav: "library", Data: a.libraryData(r, problemsOf(name, text, err))})
		return
	}
	b := make([]byte, 16)
	rand.Read(b)
	// An id starts with a letter, as library references must.
	id := "s" + base64.RawURLEncoding.EncodeToString(b)
	if _, err := a.db.ExecContext(r.Context(), `INSERT INTO web_uploads(id, created, name, text) VALUES(?, ?, ?, ?)`, id, time.Now().UnixNano(), name, []byte(text)); err != nil {
		a.fail(w, r, http.StatusInternalServerError, "storing the upload: "+err.Error())
		return
	}
	ids := append(uploadsOf(r), id)
	if len(ids) > 40 {
		ids = ids[len(ids)-40:]
	}
	http.SetCookie(w, &http.Cookie{Name: uploadsCookie, Value: strings.Join(ids, "."), Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: 365 * 24 * 3600})
	http.Redirect(w, r, ref{"u", id}.URL(), http.StatusSeeOther)
}

// problemsOf lays a rejected scenario's problems beside its lines.
func problemsOf(name, text string, err error) *uploadResult {
	up := &uploadResult{Name: name, Text: text}
	var list diag.List
	var one *diag.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = diag.List{one}
	default:
		for _, l := range strings.Split(err.Error(), "\n") {
			list = append(list, &diag.Error{Msg: l})
		}
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, l := range lines {
		up.Lines = append(up.Lines, numberedLine{N: i + 1, Text: l})
	}
	for _, e := range list {
		p := problemView{Line: e.Pos.Line, Column: e.Pos.Col, Message: e.Msg}
		if e.Pos.Line > 0 {
			p.At = fmt.Sprintf("%d:%d", e.Pos.Line, e.Pos.Col)
		}
		up.Problems = append(up.Problems, p)
		if e.Pos.Line >= 1 && e.Pos.Line <= len(up.Lines) {
			up.Lines[e.Pos.Line-1].Problems = append(up.Lines[e.Pos.Line-1].Problems, p)
		}
	}
	up.Count = len(up.Problems)
	return up
}
