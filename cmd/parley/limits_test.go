package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/budget"
)

// TestLimitsStopWithAMessage: --max-time stops a frontier that would run
// for most of a minute, --max-memory refuses one whose estimate passes it,
// and without --max-time the frontier's work limit refuses an issue it
// foresees to be too costly; each says where and which flag to raise
// (issue 14, item 4).
func TestLimitsStopWithAMessage(t *testing.T) {
	dir := t.TempDir()
	big := writeFile(t, dir, "big.yaml", oneBigIssue(1_000_000))
	opposed := writeFile(t, dir, "opposed.yaml", opposedScenario(3, 12, 10))
	many := writeFile(t, dir, "many.yaml", opposedScenario(50, 4, 40))
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"analyze", opposed, "--max-time", "300ms"}, []string{
			"parley: stopped after ", "s (--max-time 300ms): the Pareto frontier of 3 parties over 10^12 outcomes (at issue ",
			"; raise --max-time (or 0 for no deadline)"}},
		{[]string{"--max-memory", "100MB", "analyze", big}, []string{
			"parley: the Pareto frontier of 2 parties over 1,000,000 outcomes needs about 445 MB (at issue 1 of 1 with 1,000,000 partial outcomes), more than --max-memory 100 MB; raise --max-memory (or 0 for no ceiling)"}},
		{[]string{"analyze", many}, []string{
			"parley: the Pareto frontier of 50 parties over 2,560,000 outcomes would need about ", " dominance checks (at issue 3 of 4 with 64,000 partial outcomes, after ",
			"more than its limit of 10^9; give --max-time (such as --max-time 10m) to let a deadline bound it instead"}},
		{[]string{"run", many, "-n", "boulware", "--max-memory", "64MB"}, []string{
			"parley: indexing 2,560,000 outcomes for 50 parties needs about 2.41 GB, more than --max-memory 64 MB"}},
	} {
		code, _, errs := runCLI(c.args...)
		if code != 1 {
			t.Errorf("parley %s: exit %d: %s", strings.Join(c.args, " "), code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("parley %s: stderr lacks %q:\n%s", strings.Join(c.args, " "), w, errs)
			}
		}
	}
}

// TestTournamentStopsResumably: a tournament stopped by --max-time says
// so, and how to finish it.
func TestTournamentStopsResumably(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "s.yaml", smallScenario)
	spec := writeFile(t, dir, "spec.yaml", "scenarios: [s.yaml]\nnegotiators: [boulware, conceder, random]\nrepetitions: 10000000\n")
	code, _, errs := runCLI("tournament", spec, "--db", filepath.Join(dir, "t.db"), "--max-time", "300ms")
	if code != 1 || !strings.Contains(errs, "s (--max-time 300ms): ") || !strings.Contains(errs, "sessions are recorded in") ||
		!strings.Contains(errs, "run the same command again to finish") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

// TestRunSkipsDistancesItCannotAfford: a short session on a space whose
// frontier would take most of a minute prints its result with a note instead of
// computing after the session for ever (`run --time 1s` ran past 300 s).
func TestRunSkipsDistancesItCannotAfford(t *testing.T) {
	opposed := writeFile(t, t.TempDir(), "opposed.yaml", opposedScenario(3, 12, 10))
	code, out, errs := runCLI("run", opposed, "-n", "boulware", "-r", "5")
	if code != 0 || !strings.Contains(out, "Note: no Pareto or Nash distances: the Pareto frontier of 3 parties over 10^12 outcomes needs about") {
		t.Errorf("exit %d: %s\n%s", code, out, errs)
	}
}

func TestRunDeadlineFlags(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--rounds", "0"}, "--rounds is 0; give a positive number of rounds"},
		{[]string{"--rounds=-3"}, "--rounds is -3"},
		{[]string{"--time", "0s"}, "--time is 0s; give a positive duration"},
	} {
		code, _, errs := runCLI(append([]string{"run", laptop, "-n", "boulware"}, c.args...)...)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d: %s", c.args, code, errs)
		}
	}
	code, out, errs := runCLI("run", laptop, "-n", "boulware")
	if code != 0 || !strings.Contains(out, "deadline 100 rounds") {
		t.Errorf("default deadline: exit %d: %s %s", code, out, errs)
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "500MB": 500 << 20, "4GB": 4 << 30, "2GiB": 2 << 30, "1.5g": 3 << 29, "1e9": 1e9, "64 kb": 64 << 10} {
		var b byteSize
		if err := b.UnmarshalText([]byte(in)); err != nil || int64(b) != want {
			t.Errorf("%q: %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "lots", "-1GB", "5XB", "1e400"} {
		var b byteSize
		if err := b.UnmarshalText([]byte(in)); err == nil {
			t.Errorf("%q accepted as %d", in, b)
		}
	}
	code, _, errs := runCLI("--max-memory", "lots", "list")
	if code != 2 || !strings.Contains(errs, `"lots" is not a size`) {
		t.Errorf("--max-memory lots: exit %d: %s", code, errs)
	}
}

// TestStepLog: progress lines start after two seconds, follow a change of
// step at once and repeat every ten; a step that announces millions of
// units says so at once; the total time ends a command that ran long.
func TestStepLog(t *testing.T) {
	var out bytes.Buffer
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	l := newStepLog(&out, t0)
	l.set(budget.Progress{Step: "the frontier", Detail: "at issue 1 of 9"})
	l.tick(at(1))
	l.set(budget.Progress{Step: "the frontier", Detail: "at issue 2 of 9"})
	l.tick(at(2.1))
	l.tick(at(5))
	l.set(budget.Progress{Step: "the frontier", Detail: "at issue 7 of 9"})
	l.tick(at(12.2))
	l.set(budget.Progress{Step: "the frontier", End: true})
	l.tick(at(13))
	l.set(budget.Progress{Step: "the zone", Detail: "65,536 search nodes"})
	l.tick(at(13.5))
	l.finish(at(14))
	want := "parley: 2.1s: the frontier (at issue 2 of 9)\n" +
		"parley: 12.2s: the frontier (at issue 7 of 9)\n" +
		"parley: 13.5s: the zone (65,536 search nodes)\n" +
		"parley: done in 14.0s\n"
	if out.String() != want {
		t.Errorf("lines:\n%s\nwant:\n%s", out.String(), want)
	}

	out.Reset()
	l = newStepLog(&out, time.Now())
	l.set(budget.Progress{Step: "indexing 10,000,000 outcomes for 2 parties", Total: 10_000_000})
	if !strings.HasSuffix(out.String(), "s: indexing 10,000,000 outcomes for 2 parties…\n") {
		t.Errorf("a large step is not announced at once: %q", out.String())
	}
	out.Reset()
	l = newStepLog(&out, t0)
	l.finish(at(1.9))
	if out.Len() != 0 {
		t.Errorf("a short command prints %q", out.String())
	}
}

func TestStopMessages(t *testing.T) {
	l := &Limits{MaxTime: 10 * time.Second, MaxMemory: 200 << 20}
	hit := &limitHit{flag: "--max-time", limit: "10s", after: 10*time.Second + 20*time.Millisecond}
	for _, c := range []struct {
		err  error
		want string
	}{
		{&budget.Exceeded{Step: "the frontier", At: "at issue 8 of 12", Cause: hit},
			"stopped after 10.0s (--max-time 10s): the frontier (at issue 8 of 12); raise --max-time (or 0 for no deadline)"},
		{&budget.Exceeded{Step: "the grid", Cause: &limitHit{flag: "--max-memory", limit: "200 MB", after: 3 * time.Second, used: 210 << 20}},
			"stopped after 3.0s at 210 MB held (--max-memory 200 MB): the grid; raise --max-memory (or 0 for no ceiling)"},
		{&budget.Exceeded{Step: "the grid", Need: 3 << 30, Limit: 200 << 20, Unit: "bytes", Estimated: true, Cause: budget.ErrMemory},
			"the grid needs about 3 GB, more than --max-memory 200 MB; raise --max-memory (or 0 for no ceiling)"},
		{&budget.Exceeded{Step: "the frontier", Limit: 1e9, Unit: "dominance checks", Cause: budget.ErrWork},
			"the frontier stopped at its limit of 10^9 dominance checks; give --max-time (such as --max-time 10m) to let a deadline bound it instead"},
	} {
		got, ok := stopMessage(c.err, l)
		if !ok || got != c.want {
			t.Errorf("got %q\nwant %q", got, c.want)
		}
	}
	if _, ok := stopMessage(errors.New("other"), l); ok {
		t.Error("an ordinary error taken for a stop")
	}
}

// TestLimitsDocExamples runs the console examples of docs/limits.md, as
// TestREADMEExamples does the README's.
func TestLimitsDocExamples(t *testing.T) {
	data, err := os.ReadFile("../../docs/limits.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := consoleBlocks(string(data))
	if len(blocks) < 2 {
		t.Fatalf("docs/limits.md has %d console examples", len(blocks))
	}
	wd, _ := os.Getwd()
	if err := os.Chdir("../.."); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, b := range blocks {
		_, out, errs := runCLI(strings.Fields(strings.TrimPrefix(b.cmd, "$ parley "))...)
		if got := out + errs; got != b.want {
			t.Errorf("docs/limits.md shows:\n%s\nparley prints:\n%s", b.want, got)
		}
	}
}

// TestFuzzTargetsListed: docs/limits.md gives the command of every fuzz
// target in the repository.
func TestFuzzTargetsListed(t *testing.T) {
	doc, err := os.ReadFile("../../docs/limits.md")
	if err != nil {
		t.Fatal(err)
	}
	fuzz := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`)
	n := 0
	err = filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && path != "../.." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fuzz.FindAllStringSubmatch(string(data), -1) {
			n++
			pkg := "./" + filepath.ToSlash(strings.TrimPrefix(filepath.Dir(path), "../../"))
			if want := fmt.Sprintf("`go test %s -run '^$' -fuzz '^%s$'", pkg, m[1]); !strings.Contains(string(doc), want) {
				t.Errorf("docs/limits.md lacks %s", want)
			}
		}
		return nil
	})
	if err != nil || n < 20 {
		t.Errorf("%d fuzz targets found (%v)", n, err)
	}
}
