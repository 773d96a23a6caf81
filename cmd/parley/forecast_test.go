package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestForecastFlagship(t *testing.T) {
	plot := filepath.Join(t.TempDir(), "trajectories.png")
	code, out, errs := runCLI("forecast", "../../examples/ukraine-2025.yaml", "--model", "compromise", "--plot", plot)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Forecast", "territory", "guarantees", `nearest option: "British and French troops" (60)`,
		"  troops      european       British and French troops\n",
		"  red line ru/no_nato_troops (No troops of NATO countries in Ukraine): CROSSED\n",
		"  ru     utility 0.435–0.460, reservation 0.815: NOT acceptable\n",
		"  The package is NOT agreed.\n",
		"Uncertainty bands: 200 samples (seed 0) of the 35 assumed numbers"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	f, err := os.Open(plot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("plot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 200 {
		t.Errorf("plot is %v", b)
	}
}

func TestForecastJSONAndBadInput(t *testing.T) {
	code, out, errs := runCLI("forecast", "../../examples/ukraine-2025.yaml", "--model", "median", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Model      string    `json:"model"`
		Dimensions []string  `json:"dimensions"`
		Forecast   []float64 `json:"forecast"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Model != "median" || len(r.Forecast) != len(r.Dimensions) || len(r.Dimensions) != 4 {
		t.Errorf("JSON = %+v", r)
	}
	// A scenario without scaled issues, an unknown model, a wrong plot name.
	if code, _, errs := runCLI("forecast", "../../scenario/testdata/ok.yaml"); code != 1 || !strings.Contains(errs, "has no issue with a scale") {
		t.Errorf("exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI("forecast", "../../examples/ukraine-2025.yaml", "--model", "oracle"); code != 2 || !strings.Contains(errs, "oracle") {
		t.Errorf("exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI("forecast", "../../examples/ukraine-2025.yaml", "--plot", "x.gif"); code != 1 || !strings.Contains(errs, ".png or .svg") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func TestForecastBacktest(t *testing.T) {
	code, out, errs := runCLI("forecast", "backtest", "testdata/backtest.csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// Compromise: tax 270000/6600 = 40.91 (error 0.91), port 390000/5400 =
	// 72.22 (error 2.22; the centre took no position): MAE 1.57.
	if !strings.Contains(out, "compromise       1.57       1.57  2/2 (100%)") {
		t.Errorf("backtest:\n%s", out)
	}
	if !strings.Contains(out, "smp skipped 1 of 2 issues:\n  port: SMP needs at least 3 actors with positive salience, got 2\n") {
		t.Errorf("backtest does not say why SMP skipped an issue:\n%s", out)
	}
}

// TestForecastBacktestCoverage: on a table where four of five issues have
// actors with zero salience, SMP used to score one issue; now it scores
// every issue with three actors that care, and the table says so.
func TestForecastBacktestCoverage(t *testing.T) {
	code, out, errs := runCLI("forecast", "backtest", "testdata/backtest-salience.csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"compromise       5.14       4.53  5/5 (100%)", "  4/5 (80%)\n",
		"smp skipped 1 of 5 issues:\n  audit: SMP needs at least 3 actors with positive salience, got 2 (1 of the 3 actors have zero salience and take no part)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("backtest lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = runCLI("forecast", "backtest", "testdata/backtest-salience.csv", "--model", "smp", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Models []struct {
			Model         string
			Given, Scored int
			Skipped       []string
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Models) != 1 || r.Models[0].Model != "smp" || r.Models[0].Given != 5 || r.Models[0].Scored != 4 || len(r.Models[0].Skipped) != 1 {
		t.Errorf("JSON = %+v", r)
	}
}

// TestForecastAll: --model all compares every model: the table of
// forecasts per issue and model, each package judged, the bands; as text,
// JSON and a plot.
func TestForecastAll(t *testing.T) {
	plotFile := filepath.Join(t.TempDir(), "all.svg")
	code, out, errs := runCLI("forecast", "../../examples/ukraine-2025.yaml", "--model", "all", "--samples", "40", "--plot", plotFile)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"  issue          compromise           mean         median            smp            eum\n",
		"  troops              38.29          51.47          60.00          12.81           0.00\n",
		"                   european       european       european           none           none\n",
		"  compromise     ru/no_nato_troops         ua, eu                    rejects    yes         no\n",
		"  smp            none                      ua, eu                    rejects    no          no\n",
		"Uncertainty bands: 40 samples (seed 0)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("comparison lacks %q:\n%s", want, out)
		}
	}
	svg, err := os.ReadFile(plotFile)
	if err != nil || !strings.Contains(string(svg), "<svg") {
		t.Fatalf("plot: %v", err)
	}
	code, out, errs = runCLI("forecast", "../../examples/ukraine-2025.yaml", "--model", "all", "--samples", "20", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var c struct {
		Dimensions []string
		Models     []struct {
			Model    string
			Forecast []float64
			Package  struct{ Crosses []string }
		}
		Bands struct {
			Samples int
			Models  []struct{ Model string }
		}
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Dimensions) != 4 || len(c.Models) != 5 || c.Models[3].Model != "smp" || len(c.Models[3].Forecast) != 4 ||
		len(c.Models[0].Package.Crosses) != 1 || c.Bands.Samples != 20 || len(c.Bands.Models) != 5 {
		t.Errorf("JSON = %+v", c)
	}
	// An actor table has no rules to judge a package by, and no ranges to
	// sample; two actors are too few for SMP, which says so.
	table := filepath.Join(t.TempDir(), "two.csv")
	if err := os.WriteFile(table, []byte("Actor,Capability,Position,Salience\nA,2,0,50\nB,1,60,100\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCLI("forecast", "--model", "all", table)
	if code != 0 || !strings.Contains(out, "30.00       20.00       30.00           -       57.91\n") ||
		!strings.Contains(out, "two.csv: SMP needs at least 3 actors with positive salience, got 2\n") || strings.Contains(out, "package") || strings.Contains(out, "bands") {
		t.Errorf("exit %d: %s%s", code, out, errs)
	}
}

// TestForecastBandsSeed: bands are the same for the same seed, and differ
// for another; --samples 0 leaves them out.
func TestForecastBandsSeed(t *testing.T) {
	run := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(append([]string{"forecast", "../../examples/ukraine-2025.yaml", "--model", "median", "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var r struct{ Bands json.RawMessage }
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return string(r.Bands)
	}
	a, b, c := run("--samples", "30", "--seed", "5"), run("--samples", "30", "--seed", "5"), run("--samples", "30", "--seed", "6")
	if a != b || a == c || !strings.Contains(a, `"seed": 5`) {
		t.Errorf("seed 5 twice and seed 6: %.200s… %.200s… %.200s…", a, b, c)
	}
	if none := run("--samples", "0"); none != "" {
		t.Errorf("--samples 0 gave bands %.100s", none)
	}
	if code, _, errs := runCLI("forecast", "../../examples/ukraine-2025.yaml", "--samples=-1"); code != 1 || !strings.Contains(errs, "--samples is -1") {
		t.Errorf("exit %d: %s", code, errs)
	}
}
