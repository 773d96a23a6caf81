package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/server"
)

// reportCache keeps the analyses of recently viewed scenarios: the page,
// its chart data and its panels all read the same report.
type reportCache struct {
	mu sync.Mutex
	m  map[string]*analysed
	// order of use, oldest first
	order []string
}

type analysed struct {
	once   sync.Once
	l      *loaded
	rep    *analysis.Report
	err    error
	whatIf string // why the what-if analysis is missing, if it is
	data   []byte // the chart data (JSON)
	mu     sync.Mutex
}

const cachedReports = 16

func newReportCache() *reportCache { return &reportCache{m: map[string]*analysed{}} }

// analyse returns the analysis of a loaded scenario, made once per text.
func (a *App) analyse(l *loaded) *analysed {
	key := l.Ref.String() + "\x00" + string(l.Text)
	c := a.reports
	c.mu.Lock()
	an := c.m[key]
	if an == nil {
		an = &analysed{l: l}
		c.m[key] = an
		c.order = append(c.order, key)
		if len(c.order) > cachedReports {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.mu.Unlock()
	an.once.Do(func() {
		if l.Err != nil {
			an.err = l.Err
			return
		}
		an.rep, an.err = analysis.Analyze(l.Scen, analysis.Options{})
		if an.err != nil {
			return
		}
		if size, ok := l.Scen.Space().Size(); ok && size <= analysis.WhatIfLimit {
			if err := an.rep.WhatIfAnalysis(analysis.WhatIfOptions{}); err != nil {
				an.whatIf = err.Error()
			}
		} else {
			an.whatIf = fmt.Sprintf("the what-if analysis enumerates the outcomes; this scenario has more than %d", analysis.WhatIfLimit)
		}
		an.data, an.err = chartData(l.Scen, an.rep)
	})
	return an
}

// loadOr404 loads the scenario of a request, answering 404 when there is none.
func (a *App) loadOr404(w http.ResponseWriter, r *http.Request) *loaded {
	f, ok := refOf(r)
	if !ok {
		a.fail(w, r, http.StatusNotFound, "no such scenario")
		return nil
	}
	l, err := a.load(r.Context(), f)
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, err.Error())
		return nil
	}
	if l == nil {
		a.fail(w, r, http.StatusNotFound, "no such scenario")
		return nil
	}
	return l
}

// num is a number of the scenario file as a page shows it: its value and
// where it comes from.
type num struct {
	Value    float64
	Set      bool
	Quote    string
	Document string
	Note     string
	Why      string
	Range    []float64
}

func numOf(n *scenario.Number) num {
	if n == nil {
		return num{}
	}
	v := num{Value: n.Value, Set: true}
	if s := n.Source; s != nil {
		v.Quote, v.Document, v.Note = s.Quote, s.Document, s.Note
	}
	if a := n.Assumption; a != nil {
		v.Why, v.Range = a.Why, a.Range
	}
	return v
}

type issueView struct {
	ID, Name, Description string
	Kind                  string
	Options               []optionView
	Scale                 []scenario.AnchorDef
}

type optionView struct {
	ID, Label string
	Scale     num
}

type partyView struct {
	ID, Name, Role, Leader string
	Members                []string
	Reservation            num
	Capability             num
	Credibility            num
	DelayCost              num
	Drift                  num
	Weights                []weightView
	RedLines               []redLineView
	Ratification           []ratView
	Commitments            []string
}

type weightView struct {
	Issue  string
	Weight num
	Values []valueView
	Shape  string
}

type valueView struct {
	Option string
	Value  num
}

type redLineView struct {
	ID, Description, Forbid string
	Quote                   string
}

type ratView struct {
	Body, When string
	Threshold  num
	Support    []valueView
}

type scenarioData struct {
	Ref         ref
	Name        string
	Description string
	Outcomes    string
	Sources     []scenario.SourceDef
	Issues      []issueView
	Parties     []partyView
	Rules       []string
	Err         string
	Report      *analysis.Report
	WhatIfNote  string
	Text        string // the report as the CLI prints it
	Negotiators []string
	HasScale    bool
	Evaluate    []issueView
}

func (a *App) scenarioPage(w http.ResponseWriter, r *http.Request) {
	l := a.loadOr404(w, r)
	if l == nil {
		return
	}
	d := scenarioData{Ref: l.Ref, Name: l.Name}
	if l.Err != nil {
		d.Err = l.Err.Error()
		a.render(w, r, "scenario", "", page{Title: l.Name, Nav: "library", Data: d})
		return
	}
	s := l.Scen
	d.Name, d.Description = s.Name, s.Description
	d.Outcomes = fmt.Sprintf("%.4g", s.Space().SizeFloat())
	if f := l.File; f != nil {
		f.ResolveValues()
		d.Sources = f.Sources
		d.Issues, d.HasScale = issueViews(f)
		for i := range f.Parties {
			d.Parties = append(d.Parties, partyOf(f, &f.Parties[i]))
		}
		d.Rules = rulesOf(f)
	}
	an := a.analyse(l)
	if an.err != nil {
		d.Err = "the analysis failed: " + an.err.Error()
	} else {
		d.Report = an.rep
		d.WhatIfNote = an.whatIf
		var b bytes.Buffer
		an.mu.Lock()
		an.rep.WriteText(&b)
		an.mu.Unlock()
		d.Text = b.String()
	}
	for i := range s.Issues {
		is := &s.Issues[i]
		iv := issueView{ID: is.ID, Name: is.Name}
		for v := range is.Size() {
			iv.Options = append(iv.Options, optionView{ID: is.Value(v), Label: is.Label(v)})
		}
		d.Evaluate = append(d.Evaluate, iv)
	}
	a.render(w, r, "scenario", "", page{Title: d.Name, Nav: "library", Data: d})
}

func issueViews(f *scenario.File) ([]issueView, bool) {
	var out []issueView
	scaled := false
	for _, is := range f.Issues {
		iv := issueView{ID: is.ID, Name: is.Name, Description: is.Description}
		switch {
		case is.Integer != nil:
			iv.Kind = fmt.Sprintf("integer %d–%d", is.Integer.Min, is.Integer.Max)
		case is.Real != nil:
			iv.Kind = fmt.Sprintf("real %g–%g", is.Real.Min, is.Real.Max)
		default:
			iv.Kind = fmt.Sprintf("%d options", len(is.Options))
		}
		for _, o := range is.Options {
			ov := optionView{ID: o.ID, Label: o.Label}
			if is.Scale != nil {
				if n, ok := is.Scale.Options[o.ID]; ok {
					ov.Scale = numOf(&n)
				}
			}
			iv.Options = append(iv.Options, ov)
		}
		if is.Scale != nil {
			scaled = true
			iv.Scale = is.Scale.Anchors
		}
		out = append(out, iv)
	}
	return out, scaled
}

func partyOf(f *scenario.File, p *scenario.PartyDef) partyView {
	pv := partyView{ID: p.ID, Name: p.Name, Role: p.Role, Leader: p.Leader,
		Reservation: numOf(p.Reservation), Capability: numOf(p.Capability), Credibility: numOf(p.Credibility),
		DelayCost: numOf(p.DelayCost), Drift: numOf(p.Drift)}
	if pv.Role == "" {
		pv.Role = "party"
	}
	for _, m := range p.Members {
		pv.Members = append(pv.Members, strings.TrimSpace(m.Name+" "+paren(m.Leader)))
	}
	for _, is := range f.Issues {
		wv := weightView{Issue: is.ID}
		if w, ok := p.Weights[is.ID]; ok {
			wv.Weight = numOf(&w)
		}
		if vd, ok := p.Values[is.ID]; ok {
			if vd.Table != nil {
				for _, o := range is.Options {
					if n, ok := vd.Table[o.ID]; ok {
						wv.Values = append(wv.Values, valueView{Option: labelOr(o), Value: numOf(&n)})
					}
				}
			} else if vd.Shape != nil {
				b, _ := json.Marshal(vd.Shape)
				wv.Shape = string(b)
			}
		}
		if wv.Weight.Set || len(wv.Values) > 0 || wv.Shape != "" {
			pv.Weights = append(pv.Weights, wv)
		}
	}
	for _, rl := range p.RedLines {
		rv := redLineView{ID: rl.ID, Description: rl.Description, Forbid: matchText(rl.Forbid)}
		if rl.Source != nil {
			rv.Quote = rl.Source.Quote
		}
		pv.RedLines = append(pv.RedLines, rv)
	}
	if rt := p.Ratification; rt != nil {
		bodies := rt.Bodies // a list of bodies, or the one body itself
		if bodies == nil {
			bodies = []scenario.RatificationDef{*rt}
		}
		for _, b := range bodies {
			rv := ratView{Body: b.Body, When: matchText(b.When), Threshold: numOf(b.Threshold)}
			for _, is := range sortedKeys(b.Support) {
				for _, o := range sortedKeys(b.Support[is]) {
					n := b.Support[is][o]
					rv.Support = append(rv.Support, valueView{Option: is + " = " + o, Value: numOf(&n)})
				}
			}
			pv.Ratification = append(pv.Ratification, rv)
		}
	}
	for _, c := range p.Commitments {
		kept := "broken"
		if c.Kept {
			kept = "kept"
		}
		pv.Commitments = append(pv.Commitments, fmt.Sprintf("%s (%d): %s", c.What, c.Year, kept))
	}
	return pv
}

func rulesOf(f *scenario.File) []string {
	var out []string
	if f.Mediator != "" {
		out = append(out, "mediator: "+f.Mediator)
	}
	for _, ph := range f.Agenda {
		s := "agenda phase " + ph.ID + " on " + strings.Join(ph.Issues, ", ")
		if len(ph.After) > 0 {
			s += ", after " + strings.Join(ph.After, ", ")
		}
		out = append(out, s)
	}
	for _, g := range f.Guarantees {
		who := g.Beneficiary
		if len(g.Beneficiaries) > 0 {
			who = strings.Join(g.Beneficiaries, ", ")
		}
		out = append(out, fmt.Sprintf("guarantee: %s for %s (baseline %s, rule %s)", g.Issue, who, g.Baseline, orDefault(g.Rule, "mean")))
	}
	for _, m := range f.Meetings {
		out = append(out, fmt.Sprintf("meeting %s of %s: held only if every invitee accepts", m.ID, strings.Join(m.Invitees, ", ")))
	}
	for _, e := range f.Events {
		out = append(out, fmt.Sprintf("round %d: %s (%s)", e.Round, orDefault(e.Description, "an event"), e.Party))
	}
	if f.Decision != nil {
		b, _ := json.Marshal(f.Decision)
		out = append(out, "decision: "+string(b))
	}
	return out
}

func labelOr(o scenario.OptionDef) string {
	if o.Label != "" {
		return o.Label
	}
	return o.ID
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func matchText(m scenario.Match) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+" ∈ {"+strings.Join(m[k], ", ")+"}")
	}
	return strings.Join(parts, " and ")
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// MaxPoints is the most outcomes the utility-space chart draws; larger
// spaces are drawn as a seeded uniform sample of this many.
const MaxPoints = 20_000

// chart is the JSON the scenario page's chart draws: every party's
// utility of every outcome (or of a sample), which outcomes lie in the
// zone of possible agreement or cross a red line, the frontier and the
// solution points; outcomes are given by index (mixed radix, first issue
// fastest), which the page decodes to labels with issues.
type chart struct {
	Parties     []string     `json:"parties"`
	Reservation []float64    `json:"reservation"`
	Issues      []chartIssue `json:"issues"`
	Total       float64      `json:"total"`
	Sampled     bool         `json:"sampled"`
	Index       []uint64     `json:"index"`
	U           [][]float64  `json:"u"`    // [party][point]
	Flag        []int8       `json:"flag"` // 0 outside the zone, 1 in it, 2 across a red line
	Frontier    []chartPoint `json:"frontier"`
	Solutions   []chartSol   `json:"solutions"`
}

type chartIssue struct {
	ID     string   `json:"id"`
	Labels []string `json:"labels"`
}

type chartPoint struct {
	U       []float64         `json:"u"`
	Outcome map[string]string `json:"outcome"`
}

type chartSol struct {
	Name   string       `json:"name"`
	Points []chartPoint `json:"points"`
}

func chartData(s *scenario.Scenario, rep *analysis.Report) ([]byte, error) {
	c := chart{Parties: rep.Parties, Reservation: rep.Reservation, Total: s.Space().SizeFloat()}
	sp := s.Space()
	for i := range s.Issues {
		is := &s.Issues[i]
		ci := chartIssue{ID: is.ID}
		for v := range is.Size() {
			ci.Labels = append(ci.Labels, is.Label(v))
		}
		c.Issues = append(c.Issues, ci)
	}
	neg := s.Negotiators()
	us := s.Utilities()
	c.U = make([][]float64, len(neg))
	o := make([]int, sp.Issues())
	strides := make([]uint64, sp.Issues())
	st := uint64(1)
	for i := range s.Issues {
		strides[i] = st
		st *= uint64(s.Issues[i].Size())
	}
	add := func() {
		var idx uint64
		for i, v := range o {
			idx += uint64(v) * strides[i]
		}
		c.Index = append(c.Index, idx)
		flag := int8(1)
		for _, u := range us {
			if len(u.RedLines) > 0 && u.Crosses(o) >= 0 {
				flag = 2
			}
		}
		for k, p := range neg {
			x := us[p].Raw(o)
			c.U[k] = append(c.U[k], round4(x))
			if flag == 1 && x < rep.Reservation[k]-analysis.Tolerance {
				flag = 0
			}
		}
		c.Flag = append(c.Flag, flag)
	}
	if size, ok := sp.Size(); ok && size <= MaxPoints {
		for {
			add()
			if !sp.Next(o) {
				break
			}
		}
	} else {
		c.Sampled = true
		rng := rand.New(rand.NewPCG(1, 2))
		for range MaxPoints {
			sp.Sample(rng, o)
			add()
		}
	}
	pts := func(ps []analysis.PointReport) []chartPoint {
		out := []chartPoint{}
		for _, p := range ps {
			u := make([]float64, len(p.Utilities))
			for i, x := range p.Utilities {
				u[i] = round4(x)
			}
			out = append(out, chartPoint{U: u, Outcome: p.Outcome})
		}
		return out
	}
	c.Frontier = pts(rep.Pareto.Points)
	c.Solutions = []chartSol{
		{"Nash", pts(rep.Nash)}, {"Kalai–Smorodinsky", pts(rep.KalaiSmorodinsky)},
		{"max welfare", pts(rep.MaxWelfare)}, {"egalitarian", pts(rep.Egalitarian)},
	}
	return json.Marshal(c)
}

func round4(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return -1
	}
	return math.Round(x*1e4) / 1e4
}

func (a *App) scenarioData(w http.ResponseWriter, r *http.Request) {
	l := a.loadOr404(w, r)
	if l == nil {
		return
	}
	an := a.analyse(l)
	if an.err != nil {
		http.Error(w, an.err.Error(), http.StatusUnprocessableEntity)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	writeCompressed(w, r, 0, an.data)
}

// evaluate measures the deal a person composed (htmx fragment).
func (a *App) evaluate(w http.ResponseWriter, r *http.Request) {
	l := a.loadOr404(w, r)
	if l == nil {
		return
	}
	an := a.analyse(l)
	if an.err != nil {
		a.fail(w, r, http.StatusUnprocessableEntity, an.err.Error())
		return
	}
	values := map[string]string{}
	for i := range l.Scen.Issues {
		id := l.Scen.Issues[i].ID
		values[id] = r.URL.Query().Get("v." + id)
	}
	an.mu.Lock()
	ev, err := an.rep.Evaluate(values, 0)
	an.mu.Unlock()
	d := struct {
		Parties []string
		Ev      *analysis.Evaluation
		Err     string
	}{an.rep.Parties, ev, ""}
	if err != nil {
		d.Err = err.Error()
	}
	a.render(w, r, "scenario", "evaluation", page{Data: d})
}

// sensitivity samples the scenario's assumed ranges (htmx fragment).
func (a *App) sensitivity(w http.ResponseWriter, r *http.Request) {
	l := a.loadOr404(w, r)
	if l == nil {
		return
	}
	samples, _ := strconv.Atoi(r.URL.Query().Get("samples"))
	if samples <= 0 {
		samples = 200
	}
	samples = min(samples, 2000)
	d := struct {
		S   *analysis.SensitivityReport
		Err string
	}{}
	if l.Err != nil {
		d.Err = l.Err.Error()
	} else {
		name := a.parseName(l)
		f, err := scenario.DecodeFile(l.Text, name)
		if err == nil {
			d.S, err = analysis.Sensitivity(f, name, analysis.SensitivityOptions{Samples: samples})
		}
		if err != nil {
			d.Err = err.Error()
		}
	}
	a.render(w, r, "scenario", "sensitivity", page{Data: d})
}

// parseName is the name a scenario's text is parsed with: an example's
// path (its sources resolve against it) or an upload's.
func (a *App) parseName(l *loaded) string {
	if l.Ref.Kind == "x" {
		return a.examplePath(l.Ref.Name)
	}
	return server.ScenarioName
}
