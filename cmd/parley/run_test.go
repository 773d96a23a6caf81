package main

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/plot"
)

// sharedDomain returns ../shared/domains/name, or skips.
func sharedDomain(t *testing.T, name string) string { return shared.Dir(t, "domains", name) }

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, env{stdout: &o, stderr: &e})
	return code, o.String(), e.String()
}

func TestRunSummary(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	code, out, errs := runCLI("run", laptop, "--negotiators", "boulware,conceder", "--rounds", "100")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"ANAC2011_Laptop: protocol saop, deadline 100 rounds, seed 0",
		"Agreement in round 9 (t = 0.08911, 18 actions):",
		"Laptop: HP", "Harddisk: 60 Gb", "External Monitor: 19'' LCD",
		"laptop_buyer_utility   boulware    1",
		"Social welfare 1.81511",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n > 60 {
		t.Errorf("summary has %d lines; it should stay short", n)
	}
}

func TestRunJSONAndTrace(t *testing.T) {
	car := sharedDomain(t, "ANAC2011_Car")
	dir := t.TempDir()
	var traces [2][]byte
	for i := range traces {
		tr := filepath.Join(dir, "trace.jsonl")
		code, out, errs := runCLI("run", car, "-n", "boulware,conceder", "--json", "--trace", tr, "--seed", "3")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var res struct {
			Agreed  bool `json:"agreed"`
			Round   int  `json:"round"`
			Parties []struct {
				Utility float64 `json:"utility"`
			} `json:"parties"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		if !res.Agreed || res.Round != 35 || math.Abs(res.Parties[0].Utility-0.9951) > 1e-12 {
			t.Errorf("result %+v", res)
		}
		var err error
		if traces[i], err = os.ReadFile(tr); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(traces[0], traces[1]) || len(traces[0]) == 0 {
		t.Error("two runs with the same seed wrote different traces")
	}
	if _, err := os.Stat(filepath.Join(dir, "trace.jsonl.tmp")); err == nil {
		t.Error("temporary trace file left behind")
	}
}

func TestRunErrors(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	tram := sharedDomain(t, "ANAC2015_Tram")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"run", laptop, "-n", "bolware,conceder"}, []string{`unknown negotiator "bolware" (did you mean "boulware"?)`, "boulware, conceder"}},
		{[]string{"run", tram, "-n", "boulware,conceder"}, []string{"3 negotiating parties (Tram_Profile1, Tram_Profile2, Tram_Profile3)", "got 2"}},
		{[]string{"run", laptop, "-n", "boulware,conceder", "-p", "mediated"}, []string{"protocol mediated needs a mediator", "hillclimb or veto"}},
		{[]string{"run", laptop, "-n", "boulware,conceder", "-p", "rubinstein"}, []string{`unknown protocol "rubinstein"`, "saop, amop, amop-majority, mediated"}},
	} {
		code, _, errs := runCLI(c.args...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1", c.args, code)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, errs, w)
			}
		}
	}
}

func TestRunThreePartiesAllProtocols(t *testing.T) {
	politics := sharedDomain(t, "ANAC2015_Politics")
	for _, p := range [][]string{{"-p", "saop"}, {"-p", "amop"}, {"-p", "amop-majority"}, {"-p", "mediated", "-m", "hillclimb"}, {"-p", "mediated", "-m", "veto"}} {
		args := append([]string{"run", politics, "-n", "boulware,conceder,linear", "-r", "50"}, p...)
		if code, _, errs := runCLI(args...); code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
	}
}

// TestRunRules runs the session package's hand-made rule scenarios and
// checks that the summary shows meetings, phases, events, ratification
// draws and the status.
func TestRunRules(t *testing.T) {
	td := filepath.Join("..", "..", "session", "testdata")
	declined := filepath.Join(t.TempDir(), "declined.yaml")
	if err := os.WriteFile(declined, []byte(`parley: 1
name: Declined
issues:
  - id: territory
    options: [{id: none}, {id: part}, {id: ceded}]
meetings:
  - {id: summit, invitees: [ua, ru], accept: {ru: zone}}
parties:
  - id: ua
    reservation: 0.3
    weights: {territory: 1}
    values: {territory: {none: 1, part: 0.6, ceded: 0}}
  - id: ru
    reservation: 0.5
    weights: {territory: 1}
    values: {territory: {none: 0, part: 0.45, ceded: 1}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"-p", "shuttle", filepath.Join(td, "shuttle.yaml")}, []string{"us                       broker (mediator)", "Meeting summit (us, ua, ru) takes place.",
			"us → ua", "Agreement in round 19", "Status: agreed.", "Red lines: offers and texts crossing them: ru ", "us     broker (mediator)  0.85"}},
		{[]string{filepath.Join(td, "agenda.yaml")}, []string{"Agenda: truce (ceasefire) → settlement (territory)", "phase truce agreed: ceasefire = soon", "Agreement in round 13"}},
		{[]string{filepath.Join(td, "referendum.yaml")}, []string{"referendum of ua fails (probability 0.345, draw 0.592)", "Status: not_ratified: the deal is void"}},
		{[]string{filepath.Join(td, "events.yaml")}, []string{"event for ru: sanctions bite", "territory: part"}},
		{[]string{filepath.Join(td, "delay.yaml")}, []string{"Agreement in round 11", "delay cost", "0.22"}},
		{[]string{declined}, []string{"Meeting summit (ua, ru) does not take place: ru declined: no zone of agreement."}},
	} {
		args := append([]string{"run", "-n", "linear", "-r", "20", "--lines", "3"}, c.args...)
		code, out, errs := runCLI(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: summary lacks %q:\n%s", c.args, w, out)
			}
		}
	}
	code, out, errs := runCLI("run", "-n", "linear", "-r", "20", "--json", filepath.Join(td, "referendum.yaml"))
	if code != 0 {
		t.Fatal(errs)
	}
	var res struct {
		Status       string `json:"status"`
		Ratification []struct {
			Passed bool `json:"passed"`
		} `json:"ratification"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Status != "not_ratified" || len(res.Ratification) != 1 || res.Ratification[0].Passed {
		t.Errorf("%v %+v", err, res)
	}
}

// TestRunPlot draws the flagship's shuttle session alongside --json and
// --trace, as PNG and as SVG with --axes.
func TestRunPlot(t *testing.T) {
	dir := t.TempDir()
	png, svg, tr := filepath.Join(dir, "run.png"), filepath.Join(dir, "run.svg"), filepath.Join(dir, "trace.jsonl")
	code, out, errs := runCLI("run", "../../examples/ukraine-2025.yaml", "-n", "conceder", "-p", "shuttle", "--plot", png, "--json", "--trace", tr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Status != "not_ratified" {
		t.Errorf("JSON %v, status %q", err, res.Status)
	}
	if fi, err := os.Stat(tr); err != nil || fi.Size() == 0 {
		t.Errorf("trace: %v", err)
	}
	f, err := os.Open(png)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, format, err := image.Decode(f)
	if err != nil || format != "png" {
		t.Fatalf("%s: %v (%s)", png, err, format)
	}
	if got, want := img.Bounds().Size(), (image.Point{X: 14 * plot.DPI, Y: 13 * plot.DPI / 2}); got != want {
		t.Errorf("PNG is %v, want %v", got, want)
	}

	code, out, errs = runCLI("run", "../../examples/ukraine-2025.yaml", "-n", "conceder", "-p", "shuttle", "--plot", svg, "--axes", "ru,eu")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "Status: not_ratified") {
		t.Errorf("the summary is missing with --plot:\n%s", out)
	}
	data, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<?xml", "utility of ru", "utility of eu", "status not_ratified", "settlement"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

// TestRunPlotErrors: a bad --plot or --axes fails before the session runs
// (no trace is written), and a failed run leaves no plot.
func TestRunPlotErrors(t *testing.T) {
	const flagship = "../../examples/ukraine-2025.yaml"
	dir := t.TempDir()
	plot, tr := filepath.Join(dir, "run.png"), filepath.Join(dir, "trace.jsonl")
	for _, c := range []struct {
		args []string
		want string
	}{
		// The scenario does not exist: the extension is checked first.
		{[]string{"missing.yaml", "-n", "linear", "--plot", filepath.Join(dir, "run.gif")}, "--plot " + filepath.Join(dir, "run.gif") + ": the file must end in .png or .svg"},
		{[]string{flagship, "-n", "linear", "--plot", plot, "--axes", "ua,us"}, "--axes ua,us: parties are ua, ru, eu"},
		{[]string{flagship, "-n", "linear", "--plot", plot, "--axes", "ua"}, "--axes takes two party ids, as x,y; got 1"},
		{[]string{flagship, "-n", "linear", "--plot", plot, "--axes", "ru,ru"}, "--axes ru,ru: give two different parties among ua, ru, eu"},
		{[]string{flagship, "-n", "linear", "--axes", "ua,ru"}, "--axes chooses the parties of --plot"},
		{[]string{flagship, "-n", "linaer", "--plot", plot}, `unknown negotiator "linaer"`},
	} {
		code, _, errs := runCLI(append(append([]string{"run"}, c.args...), "--trace", tr)...)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want 1 and %q", c.args, code, errs, c.want)
		}
		if _, err := os.Stat(tr); err == nil {
			t.Errorf("%v: the session ran (a trace was written)", c.args)
		}
		if _, err := os.Stat(plot); err == nil {
			t.Errorf("%v: a plot was written", c.args)
		}
	}
	// The trace cannot be written: the run fails and draws nothing.
	code, _, errs := runCLI("run", flagship, "-n", "linear", "--plot", plot, "--trace", filepath.Join(dir, "no", "trace.jsonl"))
	if code != 1 || errs == "" {
		t.Errorf("unwritable trace: exit %d, %q", code, errs)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed run left %v", entries)
	}
}

// TestRunScenarioDeadline: without -r or --time, run keeps the scenario's
// own deadline (scenario/testdata/war.yaml: 30 November 2025, round 15 of
// its weekly calendar), and dates its result.
func TestRunScenarioDeadline(t *testing.T) {
	const f = "../../scenario/testdata/war.yaml"
	for _, c := range []struct {
		args   []string
		rounds int
	}{{nil, 15}, {[]string{"-r", "40"}, 40}} {
		code, out, errs := runCLI(append([]string{"run", f, "-n", "conceder", "--json"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errs)
		}
		var res struct {
			Deadline struct{ Rounds int }
			Round    int
			Date     string
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.Deadline.Rounds != c.rounds || res.Date == "" {
			t.Errorf("%v: deadline %d rounds, ended in round %d on %q (%v); want %d rounds", c.args, res.Deadline.Rounds, res.Round, res.Date, err, c.rounds)
		}
	}
}
