package negmas

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// copyMixed copies testdata/mixed into a new folder.
func copyMixed(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range []string{"domain.yml", "a.yml", "b.json"} {
		b, err := os.ReadFile(filepath.Join("testdata/mixed", n))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, n), b, 0o644)
	}
	return dir
}

func TestHostileFolder(t *testing.T) {
	dir := copyMixed(t)
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "c.yml")); err != nil {
		t.Skip(err)
	}
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "links outside its folder") {
		t.Errorf("a link out of the folder: %v", err)
	}
	os.Remove(filepath.Join(dir, "c.yml"))
	if err := syscall.Mkfifo(filepath.Join(dir, "d.yml"), 0o644); err == nil {
		done := make(chan error, 1)
		go func() { _, err := ReadDir(dir); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "named pipe") {
				t.Errorf("a FIFO: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("reading a folder with a FIFO hangs")
		}
		if HasDomain(dir) != true {
			t.Error("HasDomain should still find the domain beside a FIFO")
		}
		os.Remove(filepath.Join(dir, "d.yml"))
	}
	os.WriteFile(filepath.Join(dir, "e.yml"), []byte("a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["), 0o644)
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("deep nesting: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "e.yml"), []byte("x: &a [1, 2]\ny: *a\n"), 0o644)
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "alias") {
		t.Errorf("an alias: %v", err)
	}
	os.Remove(filepath.Join(dir, "e.yml"))
	// Every issue has a million values: the folder is refused before
	// parley allocates for them.
	var big strings.Builder
	big.WriteString("type: DiscreteCartesianOutcomeSpace\nissues:\n")
	for i := range 40 {
		big.WriteString("- {name: i" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ", type: ContiguousIssue, values: [0, 999999]}\n")
	}
	os.WriteFile(filepath.Join(dir, "domain.yml"), []byte(big.String()), 0o644)
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "past 10000000") {
		t.Errorf("a domain of 40 million values: %v", err)
	}
}

func TestNotAFolder(t *testing.T) {
	dir := t.TempDir()
	if HasDomain(dir) {
		t.Error("empty folder has a domain")
	}
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "no NegMAS domain file") {
		t.Errorf("empty folder: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "d.yml"), []byte("type: DiscreteCartesianOutcomeSpace\nissues: [{name: x, type: CategoricalIssue, values: [a, b]}]\n"), 0o644)
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "no NegMAS utility function") {
		t.Errorf("domain alone: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "u.yml"), []byte("type: LinearAdditiveUtilityFunction\nvalues: [{type: TableFun, mapping: {a: 0, b: 1}}]\n"), 0o644)
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "needs at least") {
		t.Errorf("one party: %v", err)
	}
	if !IsFile([]byte("type: LinearAdditiveUtilityFunction\n")) || IsFile([]byte("parley: 1\nname: x\n")) {
		t.Error("IsFile")
	}
}
