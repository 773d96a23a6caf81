package main

import (
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
