package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/parleyhq/parley/tournament"
)

func TestTournamentCLI(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	dir := t.TempDir()
	spec := filepath.Join(dir, "t.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf("seed: 1\nscenarios: [%s]\nnegotiators: [boulware, conceder, linear]\nrepetitions: 5\n", laptop)), 0o644)
	db := filepath.Join(dir, "t.db")
	code, out, errs := runCLI("tournament", spec, "--db", db, "--workers", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Tournament t: 45 of 45 sessions recorded", "negotiator", "boulware", "scenario", "to Pareto"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// The whole command's time, besides the run's.
	if !regexp.MustCompile(`\n[0-9.e+-]+s in all \([0-9.e+-]+s preparing 1 scenarios, [0-9.e+-]+s playing\)\n$`).MatchString(errs) {
		t.Errorf("stderr lacks the command's total time:\n%s", errs)
	}
	// Again: nothing to do, same summary.
	code, out2, errs := runCLI("tournament", "run", spec, "--db", db)
	if code != 0 || out2 != out || !strings.Contains(errs, "all 45 sessions were already recorded") {
		t.Errorf("second run: exit %d, stderr %q, same summary %v", code, errs, out2 == out)
	}
	code, js, errs := runCLI("tournament", "report", db, "--json")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	var sum struct {
		Sessions    int
		Negotiators []struct {
			Name    string
			Utility struct{ N int }
		}
	}
	if err := json.Unmarshal([]byte(js), &sum); err != nil || sum.Sessions != 45 || len(sum.Negotiators) != 3 || sum.Negotiators[0].Utility.N != 30 {
		t.Errorf("report --json: %v %+v", err, sum)
	}
	code, csv, _ := runCLI("tournament", "report", db, "--csv")
	// A header, 3 negotiators, 1 scenario, overall, and head to head: 3×3
	// pairs (the rotation lets a negotiator meet itself).
	if code != 0 || !strings.HasPrefix(csv, "group,name,sessions,") || !strings.Contains(csv, ",rounds_ci95,opponent,failed,failure_cause,") ||
		strings.Count(csv, "\n") != 15 || strings.Count(csv, "\npair,") != 9 || !strings.Contains(csv, "\npair,linear,10,10,") {
		t.Errorf("report --csv:\n%s", csv)
	}
	if !strings.Contains(out, "head to head") {
		t.Errorf("summary lacks the head-to-head table:\n%s", out)
	}
	// Plots: the report's, and the run's with no summary printed.
	svg := filepath.Join(dir, "sum.svg")
	if code, _, errs := runCLI("tournament", "report", db, "--plot", svg); code != 0 {
		t.Fatalf("report --plot: %s", errs)
	}
	if b, err := os.ReadFile(svg); err != nil || !strings.Contains(string(b), "mean utility per negotiator") || !strings.Contains(string(b), "linear") {
		t.Errorf("report --plot: %v, %d bytes", err, len(b))
	}
	pngFile := filepath.Join(dir, "sum.png")
	if code, out, errs := runCLI("tournament", spec, "--db", db, "-q", "--plot", pngFile); code != 0 || out != "" {
		t.Errorf("tournament -q --plot: exit %d, stdout %q, %s", code, out, errs)
	}
	if b, err := os.ReadFile(pngFile); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("tournament --plot: %v", err)
	}
	if code, _, errs := runCLI("tournament", "report", db, "--plot", filepath.Join(dir, "sum.gif")); code != 1 || !strings.Contains(errs, "the file must end in .png or .svg") {
		t.Errorf("report --plot sum.gif: exit %d, %s", code, errs)
	}
	for _, f := range []string{"out.csv", "out.jsonl", "out.parquet"} {
		p := filepath.Join(dir, f)
		if code, _, errs := runCLI("tournament", "export", db, "-o", p); code != 0 {
			t.Fatalf("export %s: %s", f, errs)
		}
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("export %s: %v", f, err)
		}
	}
	// An output whose extension names no format parley writes is refused
	// (it used to get CSV), and nothing is written.
	for _, c := range []struct{ file, want string }{
		{"out.xlsx", "parley does not write .xlsx files; it writes .csv, .jsonl (or .ndjson) and .parquet"},
		{"out", "give the file an extension that names its format"},
	} {
		p := filepath.Join(dir, c.file)
		code, _, errs := runCLI("tournament", "export", db, "-o", p)
		if _, err := os.Stat(p); code != 1 || !strings.Contains(errs, c.want) || err == nil {
			t.Errorf("export -o %s: exit %d, %s (file: %v)", c.file, code, errs, err)
		}
		// -f says the format whatever the name.
		if code, _, errs := runCLI("tournament", "export", db, "-o", p, "-f", "csv"); code != 0 {
			t.Errorf("export -o %s -f csv: exit %d, %s", c.file, code, errs)
		} else if b, _ := os.ReadFile(p); !bytes.HasPrefix(b, []byte("session,scenario,")) {
			t.Errorf("export -o %s -f csv wrote %.40q", c.file, b)
		}
	}
	// A changed spec is refused, naming the change.
	os.WriteFile(spec, []byte(fmt.Sprintf("seed: 2\nscenarios: [%s]\nnegotiators: [boulware, conceder, linear]\nrepetitions: 5\n", laptop)), 0o644)
	code, _, errs = runCLI("tournament", spec, "--db", db)
	if code != 1 || !strings.Contains(errs, "seed: 1, now 2") {
		t.Errorf("changed spec: exit %d, %s", code, errs)
	}
	// A bad spec: positioned errors.
	os.WriteFile(spec, []byte("scenarios: [x]\nnegotiators: [bulware]\n"), 0o644)
	code, _, errs = runCLI("tournament", spec, "--db", db)
	if code != 1 || !strings.Contains(errs, "t.yaml:2:15: negotiators[0]: unknown negotiator") {
		t.Errorf("bad spec: exit %d, %s", code, errs)
	}
}

// TestTournamentPrepareProgress: scenarios that take long to prepare get a
// line each on stderr, with their size and time, and the total; none with
// --progress none.
func TestTournamentPrepareProgress(t *testing.T) {
	laptop, car := sharedDomain(t, "ANAC2011_Laptop"), sharedDomain(t, "ANAC2011_Car")
	dir := t.TempDir()
	spec := filepath.Join(dir, "t.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf("scenarios: [%s, %s]\nnegotiators: [boulware]\n", laptop, car)), 0o644)
	s, err := tournament.LoadSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tournament.NewPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	// Every scenario counts as slow here.
	if _, err := prepare(&b, "lines", p, 2, 0); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{laptop + " (27 outcomes), in ", car + " (15625 outcomes), in ", "prepared 2 scenarios in "} {
		if !strings.Contains(out, want) {
			t.Errorf("progress lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "prepared scenario "); n != 2 {
		t.Errorf("%d scenario lines:\n%s", n, out)
	}
	b.Reset()
	if _, err := prepare(&b, "none", p, 2, 0); err != nil || b.Len() != 0 {
		t.Errorf("--progress none: %v, %q", err, b.String())
	}
}

func TestBenchCLI(t *testing.T) {
	domains := filepath.Dir(sharedDomain(t, "ANAC2011_Laptop"))
	code, out, errs := runCLI("bench", "--domains", domains, "--sessions", "4000", "--min", "20ms", "--rounds", "1", "--no-frontier")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := []string{"machine:", "session loop, ANAC2011_Laptop", "session loop, ANAC2011_Car",
		"tournament, ANAC2011_Laptop, 4000 sessions into SQLite, 1 worker(s)",
		"tournament, ANAC2011_Laptop, 4000 sessions into SQLite, 2 worker(s)",
		"tournament, ANAC2011_Car, 1000 sessions into SQLite, 2 worker(s)",
		"median of 1 rounds", "peak memory of this process"}
	if runtime.NumCPU() > 1 {
		want = append(want, "session loop on all", "of the loop run on 2 cores at once")
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("bench output lacks %q:\n%s", w, out)
		}
	}
	for _, c := range []struct{ flag, value, want string }{
		{"--sessions", "10", "--sessions 10: give at least 1000"},
		{"--rounds", "0", "--rounds 0: give at least 1"},
		{"--min", "0s", "--min 0s: give a positive duration"},
	} {
		if code, _, errs := runCLI("bench", "--domains", domains, c.flag, c.value); code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("bench %s %s: exit %d, %s", c.flag, c.value, code, errs)
		}
	}
	if code, _, errs := runCLI("bench", "--domains", t.TempDir()); code == 0 || !strings.Contains(errs, "give --domains") {
		t.Errorf("bench without domains nor examples: exit %d, %s", code, errs)
	}
}

// TestBenchFallback: without the reference domains, from the repository
// root, bench measures the flagship (three seats, Boulware in each) and
// says so.
func TestBenchFallback(t *testing.T) {
	t.Chdir("../..")
	code, out, errs := runCLI("bench", "--domains", t.TempDir(), "--sessions", "1000", "--min", "20ms", "--rounds", "1", "--no-frontier")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, w := range []string{"NOTE: the reference domains are not at", "measuring examples/ukraine-2025.yaml instead",
		"boulware in each of its 3 seats", "tournament, ukraine-2025.yaml, 1000 sessions into SQLite, 1 worker(s)",
		"tournament, ukraine-2025.yaml, 1000 sessions into SQLite, 2 worker(s)"} {
		if !strings.Contains(out, w) {
			t.Errorf("bench output lacks %q:\n%s", w, out)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(c.xs); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.xs, got, c.want)
		}
	}
}
