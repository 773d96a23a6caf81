package mcp_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/forecast"
	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/mcp"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/utility"
)

var toolNames = []string{"analyze_scenario", "evaluate_outcome", "forecast", "list_accepted_outcomes", "run_session", "validate_scenario"}

// TestToolsStdio: tools/list and every tool, through the SDK's client over
// the stdio framing (an in-memory pipe).
func TestToolsStdio(t *testing.T) { checkTools(t, client(t, repo(t))) }

// TestToolsHTTP: the same over streamable HTTP on a real listener.
func TestToolsHTTP(t *testing.T) { checkTools(t, httpClient(t, repo(t))) }

func checkTools(t *testing.T, cs *sdk.ClientSession) {
	t.Run("tools/list", func(t *testing.T) { checkList(t, cs) })
	t.Run("validate_scenario", func(t *testing.T) { checkValidate(t, cs) })
	t.Run("analyze_scenario", func(t *testing.T) { checkAnalyze(t, cs) })
	t.Run("evaluate_outcome", func(t *testing.T) { checkEvaluate(t, cs) })
	t.Run("list_accepted_outcomes", func(t *testing.T) { checkAccepted(t, cs) })
	t.Run("forecast", func(t *testing.T) { checkForecast(t, cs) })
	t.Run("run_session", func(t *testing.T) { checkSession(t, cs) })
}

// checkList: every tool is listed with a description, an input schema
// whose every property is described, the scenario inputs, and the names
// the registries hold.
func checkList(t *testing.T, cs *sdk.ClientSession) {
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	schemas := map[string]map[string]any{}
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		if len(tool.Description) < 80 {
			t.Errorf("%s: description too thin for a model to act on: %q", tool.Name, tool.Description)
		}
		data, _ := json.Marshal(tool.InputSchema)
		var s map[string]any
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatal(err)
		}
		schemas[tool.Name] = s
		props, _ := s["properties"].(map[string]any)
		for _, p := range []string{"scenario", "path"} {
			if props[p] == nil {
				t.Errorf("%s: no %q input", tool.Name, p)
			}
		}
		for name, p := range props {
			if d, _ := p.(map[string]any)["description"].(string); len(d) < 10 {
				t.Errorf("%s: input %q has no description", tool.Name, name)
			}
		}
	}
	slices.Sort(names)
	// The list goes into a model's context: it stays small.
	if data, _ := json.Marshal(res); len(data) > 24<<10 {
		t.Errorf("tools/list is %d bytes; keep it under 24 KiB", len(data))
	}
	if !slices.Equal(names, toolNames) {
		t.Errorf("tools = %v, want %v", names, toolNames)
	}
	enum := func(tool, prop string) []string {
		var out []string
		for _, v := range schemas[tool]["properties"].(map[string]any)[prop].(map[string]any)["enum"].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	if got := enum("run_session", "protocol"); !slices.Equal(got, protocol.Names()) {
		t.Errorf("run_session protocols %v, want %v", got, protocol.Names())
	}
	if got := enum("forecast", "model"); !slices.Equal(got, forecast.ModelNames()) {
		t.Errorf("forecast models %v, want %v", got, forecast.ModelNames())
	}
}

func loadFlagship(t *testing.T) *scenario.Scenario {
	t.Helper()
	s, err := open.Path(filepath.Join(repo(t), flagship))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func checkValidate(t *testing.T, cs *sdk.ClientSession) {
	var v mcp.ValidateOutput
	text := call(t, cs, "validate_scenario", map[string]any{"path": flagship}, &v)
	s := loadFlagship(t)
	var issues []string
	for _, is := range s.Issues {
		issues = append(issues, is.ID)
	}
	if !v.Valid || v.Name != s.Name || len(v.Parties) != len(s.Parties) || !slices.Equal(v.Issues, issues) || v.Outcomes != 540 {
		t.Errorf("flagship: %+v", v)
	}
	wantContains(t, "validate text", text, "examples/ukraine-2025.yaml: ok:", "540 outcomes")

	// Problems come as the CLI prints them: every one, with positions.
	v = mcp.ValidateOutput{}
	text = call(t, cs, "validate_scenario", map[string]any{"path": "cmd/parley/testdata/typo.yaml"}, &v)
	_, err := open.Path(filepath.Join(repo(t), "cmd/parley/testdata/typo.yaml"))
	want := strings.Split(strings.ReplaceAll(err.Error(), filepath.Join(repo(t), "cmd")+"/", "cmd/"), "\n")
	if v.Valid || !slices.Equal(v.Problems, want) || len(want) != 5 {
		t.Errorf("typo.yaml: problems\n%q\nwant\n%q", v.Problems, want)
	}
	wantContains(t, "validate text", text, `cmd/parley/testdata/typo.yaml:10:5: unknown field "reservaton" in parties[0] (did you mean "reservation"?)`)

	// Text is named <scenario> in positions.
	v = mcp.ValidateOutput{}
	call(t, cs, "validate_scenario", map[string]any{"scenario": "parley: 1\nissues:\n  - id: x\n    options: [a, b]\nparties: []\n"}, &v)
	if v.Valid || len(v.Problems) == 0 || !strings.HasPrefix(v.Problems[0], "<scenario>:") {
		t.Errorf("text with problems: %+v", v)
	}
}

func checkAnalyze(t *testing.T, cs *sdk.ClientSession) {
	s := loadFlagship(t)
	want, err := analysis.Analyze(s, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got analysis.Report
	text := call(t, cs, "analyze_scenario", map[string]any{"path": flagship}, &got)
	if got.Pareto.Count != want.Pareto.Count || got.Zopa != want.Zopa || len(got.Pareto.Points) != 10 ||
		!reflect.DeepEqual(got.Nash, want.Nash) || !reflect.DeepEqual(got.Pareto.Points, want.Pareto.Points[:10]) ||
		!reflect.DeepEqual(got.KalaiSmorodinsky, want.KalaiSmorodinsky) || !reflect.DeepEqual(got.MaxWelfare, want.MaxWelfare) {
		t.Errorf("analysis differs from analysis.Analyze: pareto %d/%d points, zopa %+v", got.Pareto.Count, len(got.Pareto.Points), got.Zopa)
	}
	if got.WhatIf != nil || !slices.Contains(got.Notes, "the frontier's first 10 of 24 points are listed (frontier_points)") {
		t.Errorf("notes %q, what-if %v", got.Notes, got.WhatIf != nil)
	}
	wantContains(t, "analyze text", text, "Pareto frontier: 24 points", "Zone of possible agreement: 22 outcomes", "Nash               (0.2583, 0.8450, 0.4867)")

	// The what-if, with sensitivity over a scenario given as text.
	data, err := os.ReadFile(filepath.Join(repo(t), "analysis/testdata/whatif-sensitivity.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got = analysis.Report{}
	text = call(t, cs, "analyze_scenario", map[string]any{"scenario": string(data), "what_if": true, "samples": 50, "seed": 3}, &got)
	if got.WhatIf == nil || got.WhatIf.Sensitivity == nil || got.WhatIf.Sensitivity.Samples != 50 || got.WhatIf.Sensitivity.Seed != 3 {
		t.Fatalf("what-if with samples: %s", trim(text))
	}
	ws, err := scenario.Parse(data, "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wr, _ := analysis.Analyze(ws, analysis.Options{})
	if err := wr.WhatIfAnalysis(analysis.WhatIfOptions{}); err != nil {
		t.Fatal(err)
	}
	f, _ := scenario.DecodeFile(data, "x.yaml")
	if err := wr.SensitivityAnalysis(f, "x.yaml", analysis.SensitivityOptions{Samples: 50, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.WhatIf.Sensitivity, wr.WhatIf.Sensitivity) {
		t.Errorf("sensitivity differs from the library's:\n%+v\n%+v", got.WhatIf.Sensitivity, wr.WhatIf.Sensitivity)
	}

	msg := callErr(t, cs, "analyze_scenario", map[string]any{"path": flagship, "samples": 10})
	wantContains(t, "samples without what_if", msg, "apply to the what-if analysis")
	msg = callErr(t, cs, "analyze_scenario", map[string]any{"path": flagship, "what_if": true, "min_ratification": 1.5})
	wantContains(t, "min_ratification 1.5", msg, "min_ratification")
}

func checkEvaluate(t *testing.T, cs *sdk.ClientSession) {
	deal := map[string]string{"ceasefire": "before_talks", "territory": "none", "guarantees": "article5_like", "troops": "european", "summit": "trilateral", "law": "yes"}
	r, err := analysis.Analyze(loadFlagship(t), analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := r.Evaluate(deal, 0)
	if err != nil {
		t.Fatal(err)
	}
	args := map[string]any{"path": flagship, "outcome": deal}
	var got mcp.EvaluateOutput
	call(t, cs, "evaluate_outcome", args, &got)
	if !reflect.DeepEqual(&got.Evaluation, want) || !slices.Equal(got.Parties, r.Parties) || !slices.Equal(got.Reservation, r.Reservation) {
		t.Errorf("evaluation differs from Report.Evaluate:\n%+v\n%+v", got.Evaluation, *want)
	}
	if got.Rational || !slices.Contains(got.Crosses, "ru/no_nato_troops") {
		t.Errorf("the deal with European troops crosses Russia's red line: %+v", got.Evaluation)
	}

	// Numbers for numeric issues, labels for options.
	deal2 := map[string]any{"x": "Deal D", "n": 3, "r": 0.5}
	got = mcp.EvaluateOutput{}
	call(t, cs, "evaluate_outcome", map[string]any{"path": "analysis/testdata/evaluate-values.yaml", "outcome": deal2}, &got)
	if got.Outcome["x"] != "Deal D" || got.Outcome["n"] != "3" || got.Outcome["r"] != "0.5" || len(got.Ratification) == 0 {
		t.Errorf("numbers and labels: %+v", got.Evaluation)
	}

	msg := callErr(t, cs, "evaluate_outcome", map[string]any{"path": flagship, "outcome": map[string]any{"ceasefire": "before_talks", "teritory": "none"}})
	wantContains(t, "a bad outcome", msg, `unknown issue "teritory" (did you mean "territory"?)`, `no value for issue "guarantees"`)
}

// acceptsAll is the test's own reading of "the parties accept o": each
// crosses none of its red lines and gets at least its reservation value.
func acceptsAll(us []*utility.Additive, o []int) bool {
	for _, u := range us {
		x := u.Utility(o)
		if x == utility.Unacceptable || x < u.Reservation-analysis.Tolerance {
			return false
		}
	}
	return true
}

func checkAccepted(t *testing.T, cs *sdk.ClientSession) {
	s := loadFlagship(t)
	r, _ := analysis.Analyze(s, analysis.Options{})
	var got mcp.AcceptedOutput
	call(t, cs, "list_accepted_outcomes", map[string]any{"path": flagship}, &got)
	if got.Count != r.Zopa.Count || got.Count != 22 || !slices.Equal(got.Parties, r.Parties) {
		t.Errorf("every party: %d accepted, the zone of agreement has %d", got.Count, r.Zopa.Count)
	}
	if !got.Truncated || len(got.Listed) != 20 || !strings.Contains(got.Note, "22 deals are accepted; listed: the 20 with the largest welfare") {
		t.Errorf("truncation: %v, %d listed, %q", got.Truncated, len(got.Listed), got.Note)
	}

	// A coalition, counted by brute force.
	var us []*utility.Additive
	for _, p := range s.Negotiators() {
		if id := s.Parties[p].ID; id == "ua" || id == "ru" {
			us = append(us, s.Utility(p))
		}
	}
	// A deal with a summit that cannot take place is accepted by no one.
	terms := analysis.TermLines(s, s.Utilities())
	var count int
	var welfare []float64
	s.Space().Enumerate(0, func(o []int) bool {
		for k := range terms {
			if terms[k].Match(o) {
				return true
			}
		}
		if acceptsAll(us, o) {
			count++
			w := 0.0
			for _, p := range s.Negotiators() {
				w += s.Utility(p).Raw(o)
			}
			welfare = append(welfare, w)
		}
		return true
	})
	slices.Sort(welfare)
	slices.Reverse(welfare)
	got = mcp.AcceptedOutput{}
	call(t, cs, "list_accepted_outcomes", map[string]any{"path": flagship, "parties": []string{"ru", "ua"}, "limit": 1000}, &got)
	if int(got.Count) != count || len(got.Listed) != count || got.Truncated || got.Note != "" {
		t.Fatalf("ua and ru: %d accepted, %d listed; brute force %d", got.Count, len(got.Listed), count)
	}
	if !slices.Equal(got.Parties, []string{"ua", "ru"}) {
		t.Errorf("parties %v, in party order", got.Parties)
	}
	for k, a := range got.Listed {
		if d := a.Welfare - welfare[k]; d > 1e-12 || d < -1e-12 {
			t.Fatalf("listed %d: welfare %g, want %g (best first)", k, a.Welfare, welfare[k])
		}
		if !slices.Contains(a.AcceptedBy, "ua") || !slices.Contains(a.AcceptedBy, "ru") || len(a.Utilities) != 3 {
			t.Fatalf("listed %d: %+v", k, a)
		}
	}

	// In space order, the first accepted outcomes come first.
	got = mcp.AcceptedOutput{}
	call(t, cs, "list_accepted_outcomes", map[string]any{"path": flagship, "parties": []string{"ua"}, "limit": 3, "order": "space"}, &got)
	var first []map[string]string
	s.Space().Enumerate(0, func(o []int) bool {
		for k := range terms {
			if terms[k].Match(o) {
				return true
			}
		}
		if acceptsAll([]*utility.Additive{s.Utility(s.Negotiators()[0])}, o) {
			first = append(first, s.Labels(o))
		}
		return len(first) < 3
	})
	for k := range first {
		if !reflect.DeepEqual(got.Listed[k].Outcome, first[k]) {
			t.Errorf("space order %d: %v, want %v", k, got.Listed[k].Outcome, first[k])
		}
	}

	msg := callErr(t, cs, "list_accepted_outcomes", map[string]any{"path": flagship, "parties": []string{"uk", "us"}})
	wantContains(t, "unknown parties", msg, `"uk": no party has this id (did you mean "ua"?)`, `"us": it is a mediator, not a party to a deal`)
}

func checkForecast(t *testing.T, cs *sdk.ClientSession) {
	p, err := forecast.FromScenario(loadFlagship(t))
	if err != nil {
		t.Fatal(err)
	}
	want, err := forecast.Run(p, "eum", forecast.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got forecast.Result
	text := call(t, cs, "forecast", map[string]any{"path": flagship, "model": "eum"}, &got)
	if !slices.Equal(got.Forecast, want.Forecast) || got.Model != "eum" || len(got.Rounds) != min(2, len(want.Rounds)) ||
		!reflect.DeepEqual(got.Rounds[len(got.Rounds)-1], want.Rounds[len(want.Rounds)-1]) {
		t.Errorf("forecast %v, want %v", got.Forecast, want.Forecast)
	}
	wantContains(t, "forecast text", text, "Forecast", "ceasefire", "nearest option")
	got = forecast.Result{}
	call(t, cs, "forecast", map[string]any{"path": flagship, "trajectory": true}, &got)
	if got.Model != forecast.DefaultModel || len(got.Rounds) < 3 {
		t.Errorf("default model %q, %d rounds", got.Model, len(got.Rounds))
	}
	msg := callErr(t, cs, "forecast", map[string]any{"path": flagship, "model": "smpp"})
	wantContains(t, "unknown model", msg, "model")
}

func checkSession(t *testing.T, cs *sdk.ClientSession) {
	negs := []string{"boulware", "conceder", "timedependent:e=0.5"}
	r, err := session.NewRunner(session.Config{Scenario: loadFlagship(t), Negotiators: negs, Protocol: "shuttle",
		Deadline: protocol.Deadline{Rounds: 60}, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(7); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(r.Result())
	args := map[string]any{"path": flagship, "negotiators": negs, "protocol": "shuttle", "rounds": 60, "seed": 7}
	res, _ := callRaw(t, cs, "run_session", args)
	got, _ := json.Marshal(res.StructuredContent)
	var a, b any
	json.Unmarshal(want, &a)
	json.Unmarshal(got, &b)
	if res.IsError || !reflect.DeepEqual(a, b) {
		t.Errorf("session result differs from session.Runner's:\n%s\n%s", got, want)
	}
	var again session.Result
	call(t, cs, "run_session", args, &again)
	if g, _ := json.Marshal(again); string(g) != string(want) {
		t.Errorf("a second run differs: not deterministic")
	}
	var def session.Result
	call(t, cs, "run_session", map[string]any{"path": flagship, "negotiators": []string{"boulware"}}, &def)
	if def.Deadline.Rounds != 100 || def.Protocol != "saop" {
		t.Errorf("defaults: %d rounds, protocol %q", def.Deadline.Rounds, def.Protocol)
	}
	// No program is ever started: cmd: specs are not built-ins.
	msg := callErr(t, cs, "run_session", map[string]any{"path": flagship, "negotiators": []string{"cmd:touch /tmp/parley-mcp-pwned"}})
	wantContains(t, "a cmd: negotiator", msg, `unknown negotiator "cmd"`)
	if _, err := os.Stat("/tmp/parley-mcp-pwned"); err == nil {
		t.Error("a cmd: negotiator started a program")
	}
	msg = callErr(t, cs, "run_session", map[string]any{"path": flagship, "negotiators": []string{"bulware"}})
	wantContains(t, "a typo", msg, `unknown negotiator "bulware" (did you mean "boulware"?)`)
}

// TestForecastKTAB: forecast reads a KTAB CSV file inside the root.
func TestForecastKTAB(t *testing.T) {
	dir := shared.Dir(t, "forecast")
	p, err := forecast.LoadFile(filepath.Join(dir, "ktab", "dummyData_3Dim.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := forecast.Run(p, "smp", forecast.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got forecast.Result
	call(t, client(t, dir), "forecast", map[string]any{"path": "ktab/dummyData_3Dim.csv", "model": "smp"}, &got)
	if !slices.Equal(got.Forecast, want.Forecast) || !slices.Equal(got.Actors, want.Actors) {
		t.Errorf("KTAB forecast %v, want %v", got.Forecast, want.Forecast)
	}
}
