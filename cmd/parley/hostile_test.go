package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileScenario has an ESC/OSC sequence (which would retitle the terminal
// and clear the screen) in an option's label and a zero-width space in the
// scenario's and a party's name.
const hostileScenario = "parley: 1\nname: \"Job\\u200b offer\"\nissues:\n" +
	"  - id: start\n    options: [{id: now, label: \"Now\\e]0;pwned\\a\\e[2J\"}, {id: later, label: Later}]\n" +
	"parties:\n" +
	"  - {id: a, name: \"Alice\\u200b\", weights: {start: 1}, values: {start: {now: 1, later: 0}}}\n" +
	"  - {id: b, weights: {start: 1}, values: {start: {now: 0.4, later: 1}}}\n"

// TestHostileLabelsEscaped: names and labels from a file are printed with
// their control and invisible characters escaped by validate, analyze and
// run (issue 14, item 6).
func TestHostileLabelsEscaped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(path, []byte(hostileScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"validate", path},
		{"analyze", path},
		{"run", path, "-n", "conceder,conceder"},
	} {
		code, out, errs := runCLI(args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", args[0], code, errs)
		}
		if strings.ContainsAny(out+errs, "\x1b\x07\u200b") {
			t.Errorf("%s prints a control or invisible character raw:\n%q", args[0], out)
		}
		if !strings.Contains(out, `\u200b`) {
			t.Errorf("%s: the zero-width space is not shown as an escape:\n%s", args[0], out)
		}
	}
	code, out, _ := runCLI("analyze", path)
	if code != 0 || !strings.Contains(out, `start=Now\x1b]0;pwned\x07\x1b[2J`) {
		t.Errorf("analyze: the label's escapes are not shown:\n%s", out)
	}
}

// TestHostileValidateDevice: `parley validate /dev/zero` read gigabytes; it
// now says what the path is and fails at once (issue 14, item 3).
func TestHostileValidateDevice(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	code, _, errs := runCLI("validate", "/dev/zero")
	if code != 1 || !strings.Contains(errs, "/dev/zero is a device, not a regular file") {
		t.Errorf("exit %d: %s", code, errs)
	}
	code, _, errs = runCLI("validate", "--provenance", "/dev/zero")
	if code != 1 || strings.Count(errs, "is a device") < 1 {
		t.Errorf("--provenance: exit %d: %s", code, errs)
	}
}

// TestHostileEmptyProfileFails: with one of its three profiles emptied,
// ANAC2015_Tram was analysed as a 2-party domain (exit 0) and converted to
// a scenario of the rest; both now fail and name the file (issue 14, item 8).
func TestHostileEmptyProfileFails(t *testing.T) {
	src := sharedDomain(t, "ANAC2015_Tram")
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "Tram_Profile2.xml" {
			data = nil
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"analyze", dir}, {"convert", dir, "-o", filepath.Join(t.TempDir(), "out.yaml")}} {
		code, _, errs := runCLI(args...)
		if code != 1 || !strings.Contains(errs, "Tram_Profile2.xml: the file is empty") {
			t.Errorf("%s: exit %d: %s", args[0], code, errs)
		}
	}
}

// TestHostileReportsEscaped: a tournament report prints scenario paths
// that come from the file system, and forecast text prints actor and issue
// names from files: their control characters are escaped too.
func TestHostileReportsEscaped(t *testing.T) {
	top := t.TempDir()
	dir := filepath.Join(top, "evil\x1b]0;pwned\x07")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skip("the file system refuses the name")
	}
	os.WriteFile(filepath.Join(dir, "s.yaml"), []byte(hostileScenario), 0o644)
	spec := filepath.Join(top, "t.yaml")
	os.WriteFile(spec, []byte("scenarios: [\"evil\\e]0;pwned\\a/s.yaml\"]\nnegotiators: [boulware, conceder]\n"), 0o644)
	code, out, errs := runCLI("tournament", spec, "--db", filepath.Join(t.TempDir(), "t.db"), "--progress", "none")
	if code != 0 {
		t.Fatalf("tournament: exit %d: %s", code, errs)
	}
	if strings.ContainsAny(out, "\x1b\x07") || !strings.Contains(out, `evil\x1b]0;pwned\x07`) {
		t.Errorf("the report prints the path's escape raw, or not at all:\n%q", out)
	}
	table := filepath.Join(t.TempDir(), "actors.csv")
	os.WriteFile(table, []byte("Actor,Capability,Position,Salience\nA\x1b]0;pwned\x07,10,20,50\nB,20,80,50\nC,30,50,50\n"), 0o644)
	code, out, errs = runCLI("forecast", table, "--model", "median")
	if code != 0 {
		t.Fatalf("forecast: exit %d: %s", code, errs)
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("forecast prints a control character raw:\n%q", out)
	}
}

// TestWorkersPositive: --workers=-1 became one worker per CPU without a
// word (issue 14, item 12).
func TestWorkersPositive(t *testing.T) {
	code, _, errs := runCLI("tournament", "../../examples/tournament-anac.yaml", "--workers=-1", "--db", filepath.Join(t.TempDir(), "t.db"))
	if code != 1 || !strings.Contains(errs, "--workers -1: give a positive number of workers") {
		t.Errorf("exit %d: %s", code, errs)
	}
}
