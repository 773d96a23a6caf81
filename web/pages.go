package web

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"math"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/tournament"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds each page's template: the layout with the page's blocks.
type pages struct {
	t map[string]*template.Template
}

var funcs = template.FuncMap{
	"num": func(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) },
	"fix": func(x float64, d int) string {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return "–"
		}
		return strconv.FormatFloat(x, 'f', d, 64)
	},
	"pct":  func(x float64) string { return strconv.FormatFloat(100*x, 'f', 1, 64) + "%" },
	"join": strings.Join,
	"json": func(v any) (template.JS, error) {
		b, err := json.Marshal(v)
		return template.JS(b), err
	},
	"inc":  func(i int) int { return i + 1 },
	"sub":  func(a, b float64) float64 { return a - b },
	"mul2": func(a float64) float64 { return 2 * a },
	// pctw is a utility in [0, 1] as a CSS percentage, clamped.
	"pctw": func(x float64) string {
		return strconv.FormatFloat(100*math.Max(0, math.Min(1, x)), 'f', 1, 64) + "%"
	},
	"rank": func(rows []tournament.Row) []tournament.Row {
		out := append([]tournament.Row(nil), rows...)
		sort.SliceStable(out, func(i, j int) bool { return out[i].Utility.Mean > out[j].Utility.Mean })
		return out
	},
	"sol": func(name string, pts []analysis.PointReport) any {
		return struct {
			Name   string
			Points []analysis.PointReport
		}{name, pts}
	},
	"deal": func(name string, d *analysis.Deal) any {
		return struct {
			Name string
			D    *analysis.Deal
		}{name, d}
	},
	"time": func(t time.Time) string { return t.Format("2006-01-02 15:04") },
}

func loadPages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{t: map[string]*template.Template{}}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		files := []string{"templates/layout.html", n}
		parts, _ := fs.Glob(templateFS, "templates/_*.html")
		files = append(files, parts...)
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("web: %s: %w", n, err)
		}
		p.t[strings.TrimSuffix(base, ".html")] = t
	}
	return p, nil
}

// page is what every page's template gets besides its own data.
type page struct {
	Code  int // the status (0: 200)
	Title string
	CSRF  string
	Nav   string // the nav entry to highlight
	Data  any
}

// render writes a whole page (layout and blocks) or, with block set, one
// block of it (an htmx fragment).
func (a *App) render(w http.ResponseWriter, r *http.Request, name, block string, p page) {
	t := a.pages.t[name]
	if t == nil {
		http.Error(w, "no page "+name, http.StatusInternalServerError)
		return
	}
	if p.CSRF == "" {
		p.CSRF = csrfToken(w, r)
	}
	var buf bytes.Buffer
	exec := "layout.html"
	if block != "" {
		exec = block
	}
	if err := t.ExecuteTemplate(&buf, exec, p); err != nil {
		log.Printf("parley serve: page %s: %v", name, err)
		http.Error(w, "the page could not be drawn: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The pages may run only their own scripts: inline event handlers
	// and scripts of other origins are refused.
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	writeCompressed(w, r, p.Code, buf.Bytes())
}

// fail shows an error page.
func (a *App) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	a.render(w, r, "error", "", page{Code: code, Title: http.StatusText(code), Data: msg})
}

// writeCompressed writes a body, gzipped when the client takes it and it
// is worth it.
func writeCompressed(w http.ResponseWriter, r *http.Request, code int, body []byte) {
	if code == 0 {
		code = http.StatusOK
	}
	w.Header().Add("Vary", "Accept-Encoding")
	if len(body) < 1024 || !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.WriteHeader(code)
		w.Write(body)
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.WriteHeader(code)
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	zw.Write(body)
	zw.Close()
}

// static files, gzipped once on first use.
var (
	staticMu  sync.Mutex
	staticGz  = map[string][]byte{}
	staticRaw = map[string][]byte{}
)

func serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if strings.Contains(name, "/") || name == "VENDOR" {
		http.NotFound(w, r)
		return
	}
	staticMu.Lock()
	raw, ok := staticRaw[name]
	if !ok {
		b, err := staticFS.ReadFile("static/" + name)
		if err == nil {
			raw = b
			var gz bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
			zw.Write(b)
			zw.Close()
			staticRaw[name], staticGz[name] = b, gz.Bytes()
			ok = true
		}
	}
	gz := staticGz[name]
	staticMu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "text/plain; charset=utf-8"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "public, max-age=86400")
	h.Add("Vary", "Accept-Encoding")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		w.Write(gz)
		return
	}
	w.Write(raw)
}

// CSRF: every state-changing request of the pages carries the token of a
// cookie only this site's pages can read (SameSite=Strict), in a form
// field or the X-CSRF-Token header, and must come from this origin
// (http.CrossOriginProtection: Sec-Fetch-Site and Origin).
const csrfCookie = "parley_csrf"

var crossOrigin = http.NewCrossOriginProtection()

// csrfToken is the browser's CSRF token, set in a cookie if it has none.
func csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	if v := w.Header().Get("X-Parley-CSRF"); v != "" {
		return v
	}
	b := make([]byte, 32)
	rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.Header().Set("X-Parley-CSRF", v) // for a second call in the same answer
	return v
}

// post guards a state-changing handler.
func (a *App) post(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := crossOrigin.Check(r); err != nil {
			http.Error(w, "refused: a request from another site", http.StatusForbidden)
			return
		}
		c, err := r.Cookie(csrfCookie)
		sent := r.Header.Get("X-CSRF-Token")
		if sent == "" {
			// Read the form within its limit first: a multipart body is
			// parsed by FormValue.
			r.Body = http.MaxBytesReader(w, r.Body, a.cfg.MaxUpload+64<<10)
			sent = r.FormValue("csrf")
		}
		if err != nil || sent == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(sent)) != 1 {
			http.Error(w, "refused: the form's CSRF token is missing or wrong; load the page again", http.StatusForbidden)
			return
		}
		h(w, r)
	}
}
