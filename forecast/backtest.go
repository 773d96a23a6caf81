package forecast

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/diag"
)

// BacktestIssue is one past decision: the actors that took a position on it
// and the outcome, all on 0–100.
type BacktestIssue struct {
	Name    string  `json:"name"`
	Line    int     `json:"line"` // first row of the issue
	Outcome float64 `json:"outcome"`
	Actors  []Actor `json:"actors"` // one position and salience each
}

// Problem returns the issue as a one-dimensional problem.
func (is *BacktestIssue) Problem(source string) Problem {
	return Problem{Name: is.Name, Dimensions: []Dimension{{Name: is.Name}}, Actors: is.Actors, Source: source}
}

// BacktestData is a table of past decisions.
type BacktestData struct {
	Source string          `json:"source"`
	Issues []BacktestIssue `json:"issues"`
}

var backtestColumns = []string{"issue", "actor", "position", "salience", "capability", "outcome"}

// LoadBacktest reads a backtest table from a .csv or .tsv file (see ReadBacktest).
func LoadBacktest(path string) (*BacktestData, error) {
	data, err := readAll(path)
	if err != nil {
		return nil, err
	}
	comma := ','
	if strings.EqualFold(filepath.Ext(path), ".tsv") {
		comma = '\t'
	} else if line, _, _ := bytes.Cut(data, []byte("\n")); bytes.Count(line, []byte("\t")) > bytes.Count(line, []byte(",")) {
		comma = '\t'
	}
	return ReadBacktest(bytes.NewReader(data), path, comma)
}

// ReadBacktest reads a table of past decisions in long format, one row per
// actor per issue, with the header issue,actor,position,salience,capability,
// outcome (in any order). Positions, saliences and outcomes are on 0–100;
// the outcome is repeated on each row of its issue; an empty position means
// the actor took no position and the row is left out. Every problem is
// reported with file:line.
func ReadBacktest(r io.Reader, file string, comma rune) (*BacktestData, error) {
	recs, err := readRecords(r, file, comma)
	if err != nil {
		return nil, err
	}
	var errs diag.List
	if len(recs) == 0 {
		errs.Add(at(file, 0), "empty backtest table; want the header %s", strings.Join(backtestColumns, ","))
		return nil, errs
	}
	col := map[string]int{}
	hdr := recs[0]
	for c, h := range hdr.fields {
		h = strings.ToLower(h)
		if _, dup := col[h]; dup {
			errs.Add(at(file, hdr.line), "column %q appears twice", h)
		}
		col[h] = c
	}
	for _, name := range backtestColumns {
		if _, ok := col[name]; !ok {
			errs.Add(at(file, hdr.line), "header lacks column %q (want %s)", name, strings.Join(backtestColumns, ","))
		}
	}
	for _, h := range hdr.fields {
		known := false
		for _, name := range backtestColumns {
			known = known || strings.EqualFold(h, name)
		}
		if !known {
			errs.Add(at(file, hdr.line), "unknown column %q", h)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	data := &BacktestData{Source: file}
	index := map[string]int{}
	seen := map[[2]string]int{}
	for _, rec := range recs[1:] {
		f := rec.fields
		get := func(name string) string {
			if c := col[name]; c < len(f) {
				return f[c]
			}
			return ""
		}
		issue, actor := get("issue"), get("actor")
		if issue == "" {
			errs.Add(at(file, rec.line), "empty issue")
			continue
		}
		if actor == "" {
			errs.Add(at(file, rec.line), "empty actor on issue %q", issue)
			continue
		}
		if prev, dup := seen[[2]string{issue, actor}]; dup {
			errs.Add(at(file, rec.line), "actor %q appears twice on issue %q (first on line %d)", actor, issue, prev)
			continue
		}
		seen[[2]string{issue, actor}] = rec.line
		outcome := parseRange(&errs, file, rec.line, "outcome", get("outcome"), false)
		k, ok := index[issue]
		if !ok {
			k = len(data.Issues)
			index[issue] = k
			data.Issues = append(data.Issues, BacktestIssue{Name: issue, Line: rec.line, Outcome: outcome})
		} else if is := &data.Issues[k]; outcome != is.Outcome && !math.IsNaN(outcome) && !math.IsNaN(is.Outcome) {
			errs.Add(at(file, rec.line), "outcome %g on issue %q differs from %g on line %d", outcome, issue, is.Outcome, is.Line)
		}
		if get("position") == "" {
			continue // took no position
		}
		a := Actor{Name: actor, Line: rec.line}
		a.Positions = []float64{parseRange(&errs, file, rec.line, "position", get("position"), false)}
		a.Saliences = []float64{parseRange(&errs, file, rec.line, "salience", get("salience"), false)}
		c := get("capability")
		switch v, err := strconv.ParseFloat(c, 64); {
		case c == "":
			errs.Add(at(file, rec.line), "actor %q has no capability", actor)
		case err != nil:
			errs.Add(at(file, rec.line), "capability %q is not a number", c)
		case math.IsNaN(v) || math.IsInf(v, 0):
			errs.Add(at(file, rec.line), "capability %q is not a finite number", c)
		case v < 0:
			errs.Add(at(file, rec.line), "actor %q: negative capability %g", actor, v)
		case v == 0:
			errs.Add(at(file, rec.line), "actor %q has no capability (0); every actor needs a positive capability", actor)
		default:
			a.Capability = v
		}
		data.Issues[k].Actors = append(data.Issues[k].Actors, a)
	}
	for _, is := range data.Issues {
		if len(is.Actors) == 0 {
			errs.Add(at(file, is.Line), "issue %q has no actor with a position", is.Name)
		}
	}
	if len(data.Issues) == 0 && len(errs) == 0 {
		errs.Add(at(file, hdr.line), "no rows after the header")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return data, nil
}

func parseRange(errs *diag.List, file string, line int, what, s string, allowEmpty bool) float64 {
	if s == "" {
		if !allowEmpty {
			errs.Add(at(file, line), "%s is empty", what)
		}
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil:
		errs.Add(at(file, line), "%s %q is not a number", what, s)
		return math.NaN()
	case !(v >= 0 && v <= 100):
		errs.Add(at(file, line), "%s %s is outside 0–100", what, s)
		return math.NaN()
	}
	return v
}

// ModelScore is one model's accuracy and coverage over a backtest.
type ModelScore struct {
	Model string `json:"model"`
	// MAE and MedianAE are the mean and median absolute error on 0–100
	// (NaN-free: 0 when nothing was scored).
	MAE      float64 `json:"mae"`
	MedianAE float64 `json:"median_ae"`
	// Coverage: the model scored Scored of the Given issues; Skipped lists
	// the others, "issue: reason" (e.g. SMP needs three actors with
	// positive salience).
	Given   int      `json:"given"`
	Scored  int      `json:"scored"`
	Skipped []string `json:"skipped,omitempty"`
}

// Coverage is the share of the given issues the model scored (0 for none given).
func (m *ModelScore) Coverage() float64 {
	if m.Given == 0 {
		return 0
	}
	return float64(m.Scored) / float64(m.Given)
}

// IssueForecast is every model's forecast on one issue (absent if skipped).
type IssueForecast struct {
	Issue    string             `json:"issue"`
	Outcome  float64            `json:"outcome"`
	Forecast map[string]float64 `json:"forecast"`
}

// BacktestReport is the result of Backtest.
type BacktestReport struct {
	Issues  int             `json:"issues"`
	Models  []ModelScore    `json:"models"`
	ByIssue []IssueForecast `json:"by_issue"`
}

// Backtest runs each model (nil means all of Models) on each issue as a
// one-dimensional problem and scores its forecast against the outcome.
func Backtest(data *BacktestData, models []string, opts Options) (*BacktestReport, error) {
	if len(models) == 0 {
		models = ModelNames()
	}
	rep := &BacktestReport{Issues: len(data.Issues)}
	errsBy := make([][]float64, len(models))
	rep.Models = make([]ModelScore, len(models))
	for k, m := range models {
		rep.Models[k].Model = m
		rep.Models[k].Given = len(data.Issues)
	}
	for _, is := range data.Issues {
		p := is.Problem("")
		ifc := IssueForecast{Issue: is.Name, Outcome: is.Outcome, Forecast: map[string]float64{}}
		for k, m := range models {
			res, err := Run(p, m, opts)
			if err != nil {
				if strings.HasPrefix(err.Error(), "unknown forecast model") {
					return nil, err
				}
				rep.Models[k].Skipped = append(rep.Models[k].Skipped, fmt.Sprintf("%s: %v", is.Name, firstLine(err)))
				continue
			}
			f := res.Forecast[0]
			ifc.Forecast[m] = f
			errsBy[k] = append(errsBy[k], math.Abs(f-is.Outcome))
		}
		rep.ByIssue = append(rep.ByIssue, ifc)
	}
	for k := range models {
		e := errsBy[k]
		ms := &rep.Models[k]
		ms.Scored = len(e)
		if len(e) == 0 {
			continue
		}
		sum := 0.0
		for _, v := range e {
			sum += v
		}
		ms.MAE = sum / float64(len(e))
		s := append([]float64(nil), e...)
		sort.Float64s(s)
		if len(s)%2 == 1 {
			ms.MedianAE = s[len(s)/2]
		} else {
			ms.MedianAE = (s[len(s)/2-1] + s[len(s)/2]) / 2
		}
	}
	return rep, nil
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// WriteText writes the backtest as a table: per model its MAE, median
// absolute error and coverage (issues scored of those given), then each
// skipped issue with the reason.
func (r *BacktestReport) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Backtest over %d issues (absolute error on the 0–100 scale)\n\n", r.Issues)
	fmt.Fprintf(bw, "  %-12s %8s %10s  %s\n", "model", "MAE", "median AE", "coverage (scored/given)")
	for _, m := range r.Models {
		cov := fmt.Sprintf("%d/%d (%.0f%%)", m.Scored, m.Given, 100*m.Coverage())
		if m.Scored == 0 {
			fmt.Fprintf(bw, "  %-12s %8s %10s  %s\n", m.Model, "-", "-", cov)
			continue
		}
		fmt.Fprintf(bw, "  %-12s %8.2f %10.2f  %s\n", m.Model, m.MAE, m.MedianAE, cov)
	}
	for _, m := range r.Models {
		if len(m.Skipped) > 0 {
			fmt.Fprintf(bw, "\n%s skipped %d of %d issues:\n", m.Model, len(m.Skipped), m.Given)
			for _, s := range m.Skipped {
				fmt.Fprintf(bw, "  %s\n", s)
			}
		}
	}
	return bw.Flush()
}
