package web

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/session"
)

// Seat kinds of the session form.
const (
	kindAgent    = "agent"    // a built-in strategy, played by the server
	kindHuman    = "human"    // a person at a seat page
	kindRemote   = "remote"   // a program over the seat protocol
	kindLLM      = "llm"      // a language model, played by the app over the seat protocol
	kindMediator = "mediator" // a built-in mediator
)

type sessionForm struct {
	Ref        ref
	Name       string
	Parties    []partyChoice
	Mediator   string // the scenario's mediator party, if any
	Protocols  []protocol.Info
	Strategies []string
	Mediators  []string
	Classroom  bool
	Scenarios  []libEntry
	Err        string
}

type partyChoice struct {
	Index      int
	ID, Name   string
	Kind, Spec string
}

func (a *App) newSession(w http.ResponseWriter, r *http.Request) {
	a.sessionForm(w, r, false)
}

func (a *App) newClassroom(w http.ResponseWriter, r *http.Request) {
	a.sessionForm(w, r, true)
}

func (a *App) sessionForm(w http.ResponseWriter, r *http.Request, classroom bool) {
	d := sessionForm{Classroom: classroom, Strategies: negotiator.Names(negotiator.RoleParty), Mediators: negotiator.Names(negotiator.RoleMediator)}
	for _, n := range protocol.Names() {
		if info, err := protocol.Lookup(n); err == nil {
			d.Protocols = append(d.Protocols, info)
		}
	}
	nav, title := "session", "New session"
	if classroom {
		nav, title = "classroom", "New classroom"
	}
	lib := a.libraryData(r, nil)
	d.Scenarios = append(lib.Examples, lib.Uploads...)
	f, ok := parseRef(r.URL.Query().Get("scenario"))
	if !ok {
		if len(d.Scenarios) == 0 {
			a.fail(w, r, http.StatusNotFound, "the library has no scenario")
			return
		}
		f = d.Scenarios[0].Ref
	}
	l, err := a.load(r.Context(), f)
	if err != nil || l == nil || l.Err != nil {
		a.fail(w, r, http.StatusNotFound, "no such scenario, or it does not load")
		return
	}
	d.Ref, d.Name = f, l.Scen.Name
	for k, p := range l.Scen.Negotiators() {
		pa := l.Scen.Parties[p]
		kind, spec := kindAgent, "boulware"
		if classroom || k == 0 {
			kind = kindHuman
		}
		d.Parties = append(d.Parties, partyChoice{Index: k, ID: pa.ID, Name: pa.Name, Kind: kind, Spec: spec})
	}
	if m := l.Scen.MediatorIndex(); m >= 0 {
		d.Mediator = l.Scen.Parties[m].ID
	}
	a.render(w, r, "newsession", "", page{Title: title, Nav: nav, Data: d})
}

// createSession makes a session (or a classroom) from the form: a server
// session whose human and remote seats are open seats, an owner token for
// its watch page, and join codes for its human seats.
func (a *App) createSession(w http.ResponseWriter, r *http.Request) {
	classroom := r.URL.Path == "/classroom"
	f, ok := parseRef(r.FormValue("scenario"))
	if !ok {
		a.fail(w, r, http.StatusBadRequest, "no scenario chosen")
		return
	}
	l, err := a.load(r.Context(), f)
	if err != nil || l == nil || l.Err != nil {
		a.fail(w, r, http.StatusBadRequest, "no such scenario, or it does not load")
		return
	}
	req := server.Request{Protocol: r.FormValue("protocol")}
	if f.Kind == "x" {
		req.Example = f.Name
	} else {
		req.Scenario = string(l.Text)
	}
	var problems []string
	atoi := func(field string, def int) int {
		v := strings.TrimSpace(r.FormValue(field))
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			problems = append(problems, fmt.Sprintf("%s: %q is not a whole number of 0 or more", field, v))
		}
		return n
	}
	rounds, ms := atoi("rounds", 100), atoi("deadline_s", 0)*1000
	req.Deadline = &server.Deadline{Rounds: rounds, MS: int64(ms)}
	req.Seed = uint64(atoi("seed", 0))
	action := int64(atoi("action_s", 300)) * 1000
	req.Clock = &server.Clock{ActionMS: &action}
	var setups []seatSetup
	var llms []int
	for k, p := range l.Scen.Negotiators() {
		pa := l.Scen.Parties[p]
		kind := r.FormValue(fmt.Sprintf("kind%d", k))
		spec := strings.TrimSpace(r.FormValue(fmt.Sprintf("spec%d", k)))
		if classroom && kind == "" {
			kind = kindHuman
		}
		st := seatSetup{Seat: k, Party: pa.ID, Name: pa.Name, Kind: kind}
		switch kind {
		case kindHuman, kindRemote:
			req.Seats = append(req.Seats, server.Remote)
		case kindLLM:
			if !strings.HasPrefix(spec, "llm:") {
				spec = "llm:" + spec
			}
			st.Spec = spec
			llms = append(llms, k)
			req.Seats = append(req.Seats, server.Remote)
		case kindAgent:
			if spec == "" {
				spec = "boulware"
			}
			st.Spec = spec
			req.Seats = append(req.Seats, spec)
		default:
			problems = append(problems, fmt.Sprintf("party %s: choose who plays it", pa.ID))
		}
		setups = append(setups, st)
	}
	if info, err := protocol.Lookup(reqProtocol(&req)); err == nil && info.Mediated {
		m := strings.TrimSpace(r.FormValue("mediator"))
		if m == "" {
			m = "broker"
		}
		req.Mediator = m
		name := "mediator"
		if i := l.Scen.MediatorIndex(); i >= 0 {
			name = l.Scen.Parties[i].ID
		}
		st := seatSetup{Seat: len(setups), Party: name, Kind: kindMediator, Spec: m}
		if m == server.Remote {
			st.Kind, st.Spec = kindRemote, ""
		}
		setups = append(setups, st)
	}
	if len(problems) == 0 {
		for _, k := range llms {
			if err := checkLLM(setups[k].Spec); err != nil {
				problems = append(problems, fmt.Sprintf("party %s: %v", setups[k].Party, err))
			}
		}
	}
	if len(problems) > 0 {
		a.fail(w, r, http.StatusBadRequest, strings.Join(problems, "\n"))
		return
	}
	c, err := a.srv.Create(&req, baseURL(r))
	var ps server.Problems
	if errors.As(err, &ps) {
		a.fail(w, r, http.StatusBadRequest, ps.Error())
		return
	}
	if err != nil {
		a.fail(w, r, http.StatusServiceUnavailable, err.Error())
		return
	}
	owner, err := a.record(r.Context(), c, f, l.Scen.Name, classroom, setups)
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	for _, k := range llms {
		for _, s := range c.Seats {
			if s.Seat == k {
				a.startLLM(c.ID, s, setups[k].Spec)
			}
		}
	}
	http.Redirect(w, r, "/w/"+owner, http.StatusSeeOther)
}

// protocol is the request's protocol name (saop by default).
func reqProtocol(r *server.Request) string {
	if r.Protocol == "" {
		return "saop"
	}
	return r.Protocol
}

// record stores a session the pages made and returns its owner token.
func (a *App) record(ctx context.Context, c *server.Created, f ref, title string, classroom bool, setups []seatSetup) (string, error) {
	owner := newToken()
	kind := "session"
	if classroom {
		kind = "classroom"
	}
	var links []seatLink
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	for _, s := range c.Seats {
		ln := seatLink{Seat: s.Seat, Party: s.Party, Token: s.Token, WS: s.WS}
		if s.Seat < len(setups) && setups[s.Seat].Kind == kindHuman {
			ln.Code = newCode()
			if _, err := tx.ExecContext(ctx, `INSERT INTO web_seats(token_hash, session, seat, party) VALUES(?, ?, ?, ?)`, digest(s.Token), c.ID, s.Seat, s.Party); err != nil {
				return "", err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO web_codes(code_hash, session, seat, token) VALUES(?, ?, ?, ?)`, digest(ln.Code), c.ID, s.Seat, seal(ln.Code, []byte(s.Token))); err != nil {
				return "", err
			}
		}
		links = append(links, ln)
	}
	seats, _ := json.Marshal(setups)
	plain, _ := json.Marshal(links)
	if _, err := tx.ExecContext(ctx, `INSERT INTO web_sessions(id, owner_hash, kind, created, title, scenario, held, seats, links) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, digest(owner), kind, time.Now().UnixNano(), title, f.String(), classroom, string(seats), seal(owner, plain)); err != nil {
		return "", err
	}
	return owner, tx.Commit()
}

// codeAlphabet has no 0, O, 1 or I: codes are read aloud and typed.
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newCode is a join code: 8 characters of 32 (40 bits), shown as XXXX-XXXX.
func newCode() string {
	b := make([]byte, 8)
	rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[b[i]%32]
	}
	return string(b[:4]) + "-" + string(b[4:])
}

// normCode reads a code as typed: case and separators ignored.
func normCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if strings.ContainsRune(codeAlphabet, r) {
			b.WriteRune(r)
		}
	}
	c := b.String()
	if len(c) != 8 {
		return ""
	}
	return c[:4] + "-" + c[4:]
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// watchData is the watch (facilitator's) page.
type watchData struct {
	Owner     string
	Session   *webSession
	Links     []seatLink
	Status    *server.Status
	Ref       ref
	Host      string
	Classroom bool
	Seats     []seatRow
}

type seatRow struct {
	seatSetup
	Link      seatLink
	Joined    bool
	Connected bool
	Last      string
}

func (a *App) owned(w http.ResponseWriter, r *http.Request) (*webSession, []seatLink, string) {
	owner := r.PathValue("owner")
	ws, links, err := a.sessionByOwner(r.Context(), owner)
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, err.Error())
		return nil, nil, ""
	}
	if ws == nil {
		a.fail(w, r, http.StatusNotFound, "no session has this link")
		return nil, nil, ""
	}
	return ws, links, owner
}

func (a *App) watchData(r *http.Request, ws *webSession, links []seatLink, owner string) (*watchData, error) {
	st, err := a.srv.Session(ws.ID)
	if err != nil {
		return nil, err
	}
	f, _ := parseRef(ws.Scenario)
	d := &watchData{Owner: owner, Session: ws, Links: links, Status: st, Ref: f, Host: baseURL(r), Classroom: ws.Kind == "classroom"}
	last := a.lastActions(r.Context(), ws.ID)
	for _, s := range ws.Seats {
		row := seatRow{seatSetup: s, Last: last[s.Party]}
		for _, ln := range links {
			if ln.Seat == s.Seat {
				row.Link = ln
			}
		}
		if st != nil {
			for _, ss := range st.Seats {
				if ss.Seat == s.Seat {
					row.Joined, row.Connected = ss.Joined, ss.Connected
				}
			}
		}
		d.Seats = append(d.Seats, row)
	}
	return d, nil
}

// lastActions is each party's last action in a session's record.
func (a *App) lastActions(ctx context.Context, id string) map[string]string {
	out := map[string]string{}
	var es [][]byte
	if rec := a.rec.get(id); rec != nil {
		es, _, _ = rec.read(0)
	} else {
		es, _ = a.entries(ctx, id, 0)
	}
	for _, d := range es {
		var e entry
		if json.Unmarshal(d, &e) != nil || e.By == "" {
			continue
		}
		s := fmt.Sprintf("round %d: %s", e.Round, e.Kind)
		if e.Vote != "" {
			s += " " + e.Vote
		}
		if len(e.Outcome) > 0 {
			s += " " + strings.Join(e.Outcome, ", ")
		}
		if e.Text != "" {
			s += " — “" + e.Text + "”"
		}
		out[e.By] = s
	}
	return out
}

func (a *App) watchPage(w http.ResponseWriter, r *http.Request) {
	ws, links, owner := a.owned(w, r)
	if ws == nil {
		return
	}
	d, err := a.watchData(r, ws, links, owner)
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	nav := "session"
	if d.Classroom {
		nav = "classroom"
	}
	a.render(w, r, "watch", "", page{Title: ws.Title, Nav: nav, Data: d})
}

// watchSeats is the seats panel of the watch page (htmx, polled).
func (a *App) watchSeats(w http.ResponseWriter, r *http.Request) {
	ws, links, owner := a.owned(w, r)
	if ws == nil {
		return
	}
	d, err := a.watchData(r, ws, links, owner)
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	a.render(w, r, "watch", "seats", page{Data: d})
}

func (a *App) startClassroom(w http.ResponseWriter, r *http.Request) {
	ws, _, owner := a.owned(w, r)
	if ws == nil {
		return
	}
	if _, err := a.db.ExecContext(r.Context(), `UPDATE web_sessions SET held = 0 WHERE id = ?`, ws.ID); err != nil {
		a.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Redirect", "/w/"+owner)
		return
	}
	http.Redirect(w, r, "/w/"+owner, http.StatusSeeOther)
}

// watchEvents streams a session's record as server-sent events, from
// after=N (or Last-Event-ID) on; the stream ends after the result.
func (a *App) watchEvents(w http.ResponseWriter, r *http.Request) {
	ws, _, _ := a.owned(w, r)
	if ws == nil {
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("after"))
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming is not supported", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	send := func(es [][]byte) {
		for _, d := range es {
			n++
			fmt.Fprintf(w, "id: %d\ndata: %s\n\n", n, d)
		}
		fl.Flush()
	}
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		if rec := a.rec.get(ws.ID); rec != nil {
			es, over, changed := rec.read(n)
			send(es)
			if over {
				fmt.Fprint(w, "event: end\ndata: {}\n\n")
				fl.Flush()
				return
			}
			select {
			case <-changed:
			case <-ping.C:
				fmt.Fprint(w, ": ping\n\n")
				fl.Flush()
			case <-r.Context().Done():
				return
			case <-a.ctx.Done():
				return
			}
			continue
		}
		es, err := a.entries(r.Context(), ws.ID, n)
		if err != nil {
			return
		}
		send(es)
		st, _ := a.srv.Session(ws.ID)
		if st != nil && st.State == server.StateFinished && a.rec.get(ws.ID) == nil {
			fmt.Fprint(w, "event: end\ndata: {}\n\n")
			fl.Flush()
			return
		}
		// Not yet live (a database being restored): look again soon.
		select {
		case <-time.After(500 * time.Millisecond):
		case <-r.Context().Done():
			return
		case <-a.ctx.Done():
			return
		}
	}
}

// result is a finished session's full result, from its record.
func (a *App) result(ctx context.Context, id string) (*session.Result, error) {
	var d []byte
	err := a.db.QueryRowContext(ctx, `SELECT data FROM web_events WHERE session = ? ORDER BY n DESC LIMIT 1`, id).Scan(&d)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var e entry
	if err := json.Unmarshal(d, &e); err != nil || e.Result == nil {
		return nil, err
	}
	return e.Result, nil
}

// debriefData sets what happened beside the analysis.
type debriefData struct {
	Result   *session.Result
	Parties  []debriefParty
	Better   *analysis.PointReport // a frontier point at least as good for every party
	Gain     float64
	Nash     []float64
	Agreed   string
	Notes    []string
	Analysed bool
}

type debriefParty struct {
	ID                       string
	Utility, Reservation     float64
	Nash, LeftOnTable        float64
	HasNash                  bool
	BelowNash, BelowFrontier bool
}

func (a *App) debrief(w http.ResponseWriter, r *http.Request) {
	ws, _, _ := a.owned(w, r)
	if ws == nil {
		return
	}
	res, err := a.result(r.Context(), ws.ID)
	if err != nil || res == nil {
		a.render(w, r, "watch", "debrief", page{Data: debriefData{}})
		return
	}
	d := debriefData{Result: res, Nash: res.Nash}
	var parts []string
	for _, v := range res.Outcome {
		lbl := v.Label
		if lbl == "" {
			lbl = v.Value
		}
		parts = append(parts, v.Issue+" = "+lbl)
	}
	d.Agreed = strings.Join(parts, "; ")
	for i, p := range res.Parties {
		dp := debriefParty{ID: p.ID, Utility: p.Utility, Reservation: p.Reservation}
		if i < len(res.Nash) {
			dp.Nash, dp.HasNash = res.Nash[i], true
			dp.LeftOnTable = max(res.Nash[i]-p.Utility, 0)
			dp.BelowNash = p.Utility < res.Nash[i]-1e-9
		}
		d.Parties = append(d.Parties, dp)
	}
	if f, ok := parseRef(ws.Scenario); ok {
		if l, _ := a.load(r.Context(), f); l != nil && l.Err == nil {
			an := a.analyse(l)
			if an.err == nil {
				d.Analysed = true
				// The frontier point that gives every party at least what
				// it got, with the largest total gain: the value left on
				// the table.
				for q := range an.rep.Pareto.Points {
					pt := &an.rep.Pareto.Points[q]
					gain, ok := 0.0, len(pt.Utilities) == len(res.Parties)
					for i, u := range pt.Utilities {
						if !ok || u < res.Parties[i].Utility-1e-9 {
							ok = false
							break
						}
						gain += u - res.Parties[i].Utility
					}
					if ok && gain > d.Gain+1e-9 {
						d.Better, d.Gain = pt, gain
					}
				}
			}
		}
	}
	if res.DistanceToPareto != nil && *res.DistanceToPareto > 1e-9 {
		d.Notes = append(d.Notes, fmt.Sprintf("The result lies %.3f from the Pareto frontier: some deal was better for someone and worse for no one.", *res.DistanceToPareto))
	}
	a.render(w, r, "watch", "debrief", page{Data: d})
}

// limiter allows n events per period (join attempts), for all clients.
type limiter struct {
	mu     sync.Mutex
	n      int
	period time.Duration
	left   int
	reset  time.Time
	now    func() time.Time // the clock; tests freeze it
}

func newLimiter(n int, period time.Duration) *limiter {
	return &limiter{n: n, period: period, left: n, now: time.Now}
}

func (l *limiter) allow() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := l.now(); now.After(l.reset) {
		l.left, l.reset = l.n, now.Add(l.period)
	}
	if l.left == 0 {
		return false
	}
	l.left--
	return true
}
