package tournament

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/safeio"
)

const hostileBase = "scenarios: [s.yaml]\nnegotiators: [boulware, conceder]\n"

func expectSpecErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one with %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error does not mention %q:\n%.2000s", p, err)
		}
	}
}

// TestHostileSpecNesting: a 100 KB spec of nested brackets took go-yaml
// past 3 GB; it is refused before parsing (issue 14, item 1).
func TestHostileSpecNesting(t *testing.T) {
	_, err := ParseSpec([]byte(hostileBase+"name: "+strings.Repeat("[", 100_000)), "deep.yaml")
	expectSpecErr(t, err, "deep.yaml:3:106: nested deeper than 100 levels")
}

// TestHostileSpecAliases: a 400-byte "billion laughs" spec reached 2.4 GB
// when decoded; aliases are refused with their position (issue 14, item 2).
func TestHostileSpecAliases(t *testing.T) {
	lol := hostileBase + "a: &a [x,x,x,x,x,x,x,x,x]\n"
	prev := "a"
	for i := range 9 {
		n := fmt.Sprintf("b%d", i)
		lol += n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 8) + "*" + prev + "]\n"
		prev = n
	}
	if len(lol) > 520 { // 9^10 x's once expanded
		t.Fatalf("the attack is %d bytes", len(lol))
	}
	_, err := ParseSpec([]byte(lol), "lol.yaml")
	expectSpecErr(t, err, "lol.yaml:4:10: *a is a YAML alias (the first of 81)")
	_, err = ParseSpec([]byte("base: &n [boulware]\nscenarios: [s.yaml]\nnegotiators: *n\n"), "n.yaml")
	expectSpecErr(t, err, "n.yaml:3:14: *n is a YAML alias")
}

// TestHostileSpecRepetitions: repetitions: 2.5 was read as 2 and
// repetitions: 0 as 1; both are refused where they stand (issue 14, item 12).
func TestHostileSpecRepetitions(t *testing.T) {
	_, err := ParseSpec([]byte(hostileBase+"repetitions: 2.5\n"), "r.yaml")
	expectSpecErr(t, err, "r.yaml:3:14: repetitions: 2.5 is not a whole number")
	_, err = ParseSpec([]byte(hostileBase+"repetitions: 0\n"), "z.yaml")
	expectSpecErr(t, err, "z.yaml:3:1: repetitions: 0 plays nothing")
	_, err = ParseSpec([]byte(hostileBase+"deadline: {rounds: 10.5}\n"), "d.yaml")
	expectSpecErr(t, err, "d.yaml:3:20: deadline.rounds: 10.5 is not a whole number")
	s, err := ParseSpec([]byte(hostileBase), "ok.yaml")
	if err != nil || s.Repetitions != 1 {
		t.Errorf("repetitions left out: %v, %d", err, s.Repetitions)
	}
	if _, err := ParseSpec([]byte("\ufeff"+hostileBase+"repetitions: 3\n"), "bom.yaml"); err != nil {
		t.Errorf("byte-order mark: %v", err)
	}
}

// TestHostileSpecFiles: a spec that is a device or a named pipe, or that
// lists one as a scenario, is refused at once with what it is (issue 14,
// item 3).
func TestHostileSpecFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	spec := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(spec, []byte("scenarios: [fifo.yaml, /dev/zero]\nnegotiators: [boulware]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		if _, err := LoadSpec(fifo); !errors.Is(err, safeio.ErrNotRegular) {
			done <- fmt.Errorf("LoadSpec(FIFO): %v", err)
			return
		}
		s, err := LoadSpec(spec)
		if err != nil {
			done <- err
			return
		}
		_, err = NewPlan(s)
		done <- err
	}()
	select {
	case err := <-done:
		expectSpecErr(t, err, "fifo.yaml is a named pipe (FIFO), not a regular file", "/dev/zero is a device, not a regular file")
	case <-time.After(10 * time.Second):
		t.Fatal("a FIFO or a device in a spec hangs parley")
	}
}
