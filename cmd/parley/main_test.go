package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestHelpVersionAndUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{nil, 0, "Usage: parley <command>", ""},
		{[]string{"--help"}, 0, "forecast model <file>", ""},
		{[]string{"--version"}, 0, version, ""},
		{[]string{"analyze", "--help"}, 0, "Usage: parley analyze <path>", ""},
		{[]string{"bogus"}, 2, "", "unexpected argument bogus"},
		{[]string{"analyze"}, 2, "", "expected \"<path>\""},
	} {
		code, out, errs := runCLI(c.args...)
		if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errs, c.err) {
			t.Errorf("parley %v: exit %d, stdout %.80q, stderr %.120q", c.args, code, out, errs)
		}
		if c.code == 0 && errs != "" {
			t.Errorf("parley %v printed on stderr: %s", c.args, errs)
		}
	}
}

// fullDisk fails every write, as /dev/full does.
type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestWriteErrorsFail: when standard output cannot be written, every
// command fails instead of exiting 0 with nothing written.
func TestWriteErrorsFail(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	for _, args := range [][]string{
		{"validate", "../../examples/ukraine-2025.yaml"},
		{"analyze", "../../examples/ukraine-2025.yaml"},
		{"run", laptop, "-n", "boulware"},
		{"run", laptop, "-n", "boulware", "--json"},
		{"forecast", "../../examples/ukraine-2025.yaml"},
		{"list"},
		{"schema"},
	} {
		var errs bytes.Buffer
		code := run(args, env{stdout: fullDisk{}, stderr: &errs})
		if code != 1 || !strings.Contains(errs.String(), "no space left on device") {
			t.Errorf("parley %s: exit %d, stderr %q", strings.Join(args, " "), code, errs.String())
		}
	}
}

func TestVersionFromBuild(t *testing.T) {
	if v := buildVersion(); v == "" || !strings.HasPrefix(v, "dev") && !strings.HasPrefix(v, "v") {
		t.Errorf("build version %q", v)
	}
}
