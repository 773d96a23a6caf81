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
	for _, want := range []string{"Forecast", "territory", "guarantees", "nearest anchor"} {
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
	if !strings.Contains(out, "compromise       1.57       1.57       2") {
		t.Errorf("backtest:\n%s", out)
	}
	if !strings.Contains(out, "port: SMP needs at least 3 actors, got 2") {
		t.Errorf("backtest does not say why SMP skipped an issue:\n%s", out)
	}
}

// TestForecastAtRound (issue 16, finding 6): an event that moves a party's
// position moves the forecast made after it (--round), not before. In
// scenario/testdata/spatial.yaml the median voter model follows the
// heavier right; an event in round 5 moves the right's tax position from
// 20 to 60.
func TestForecastAtRound(t *testing.T) {
	data, err := os.ReadFile("../../scenario/testdata/spatial.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "moved.yaml")
	data = append(data, []byte("events:\n  - {round: 5, party: right, positions: {tax: {position: 60, salience: 50}}}\n")...)
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tax := func(args ...string) float64 {
		code, out, errs := runCLI(append([]string{"forecast", f, "--model", "median", "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		var r struct{ Forecast []float64 }
		if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Forecast) != 2 {
			t.Fatalf("%v: %s (%v)", args, out, err)
		}
		return r.Forecast[0]
	}
	before, at4, at5 := tax(), tax("--round", "4"), tax("--round", "5")
	if before != 20 || at4 != 20 || at5 != 60 {
		t.Errorf("tax forecast %v before the event, %v in round 4, %v in round 5; want 20, 20, 60", before, at4, at5)
	}
	if code, _, errs := runCLI("forecast", f, "--round=-1"); code != 1 || !strings.Contains(errs, "--round is -1") {
		t.Errorf("--round -1: exit %d, %s", code, errs)
	}
}
