//go:build linux

package store

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/parleyhq/parley/tournament"
)

// TestReadOnlyFileSystem puts stores on a read-only file system and checks
// what parley says of each: a healthy store is read (reports and exports
// work) and refused for writing with the truth, not called damaged. The
// file system is a read-only bind mount of the stores' folder, made in a
// child process of this test binary that has a user and a mount namespace
// of its own: it needs no privileges, and root's writes are refused there
// too (permission bits would not stop root).
func TestReadOnlyFileSystem(t *testing.T) {
	if dir := os.Getenv("PARLEY_READONLY_DIR"); dir != "" {
		readOnlyChild(t, dir)
		return
	}
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, carSpec(t))
	runInProcess(t, p, filepath.Join(dir, "done.db"), 2)
	// A store a killed run left behind: its write-ahead log holds commits
	// the file lacks, with the log's index (-shm) beside it, or without.
	open := filepath.Join(dir, "open.db")
	runInProcess(t, p, open, 2)
	st, err := Create(open, p, nil, "test") // opening it makes a log again
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RemoveDamaged(); err != nil {
		t.Fatal(err)
	}
	if err := st.exec("DELETE FROM runs WHERE first > 0"); err != nil {
		t.Fatal(err)
	}
	kept, err := st.Count()
	if err != nil || kept == 0 || kept == p.Total {
		t.Fatalf("the killed store keeps %d sessions of %d (%v)", kept, p.Total, err)
	}
	for _, f := range []string{"", "-wal", "-shm"} {
		copyFile(t, open+f, filepath.Join(dir, "killed.db"+f))
		if f != "-shm" {
			copyFile(t, open+f, filepath.Join(dir, "logonly.db"+f))
		}
	}
	st.Close()
	if fi, err := os.Stat(filepath.Join(dir, "killed.db-wal")); err != nil || fi.Size() == 0 {
		t.Fatalf("the killed store has no write-ahead log (%v)", err)
	}

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestReadOnlyFileSystem$", "-test.v")
	cmd.Env = append(os.Environ(), "PARLEY_READONLY_DIR="+dir, fmt.Sprintf("PARLEY_READONLY_KEPT=%d", kept))
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err != nil && !errors.As(err, &ee):
		t.Skipf("no user namespace here (%v): the read-only file system is not tested", err)
	case strings.Contains(string(out), "--- SKIP"):
		t.Skipf("the child could not make a read-only file system:\n%s", out)
	case err != nil || !strings.Contains(string(out), "--- PASS: TestReadOnlyFileSystem"):
		t.Fatalf("on a read-only file system (%v):\n%s", err, out)
	}
	t.Logf("%s", out)
}

// readOnlyChild makes dir a read-only file system (in this process's own
// mount namespace) and checks the stores in it.
func readOnlyChild(t *testing.T, dir string) {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		t.Skipf("mount namespace: %v", err)
	}
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("bind mount: %v", err)
	}
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("read-only remount: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "probe"), nil, 0o644); !errors.Is(err, syscall.EROFS) {
		t.Fatalf("%s is not read-only: writing a file there gives %v", dir, err)
	}
	s, err := tournament.LoadSpec(filepath.Join(dir, "spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := tournament.NewPlan(s)
	if err != nil {
		t.Fatal(err)
	}

	// A healthy store: reported and exported (read whole), not resumed.
	done := filepath.Join(dir, "done.db")
	st, err := Open(done)
	if err != nil {
		t.Fatalf("report of a healthy store on a read-only file system: %v", err)
	}
	recs, err := scanAll(st)
	st.Close()
	if err != nil || uint64(len(recs)) != p.Total {
		t.Errorf("read %d sessions of %d (%v)", len(recs), p.Total, err)
	}
	_, err = Create(done, p, nil, "test")
	t.Logf("resuming a store on a read-only file system: %v", err)
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "read-only file system") ||
		!strings.Contains(err.Error(), "report and export can read it") || strings.Contains(err.Error(), "damaged") {
		t.Errorf("resuming a healthy store on a read-only file system: %v", err)
	}
	_, err = Create(filepath.Join(dir, "new.db"), p, nil, "test")
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "give a --db file in a writable folder") {
		t.Errorf("a new store on a read-only file system: %v", err)
	}

	// A killed run's store: read with its log when the log's index is
	// there; without it SQLite cannot read the log here, and says why.
	st, err = Open(filepath.Join(dir, "killed.db"))
	if err != nil {
		t.Fatalf("report of a killed run's store on a read-only file system: %v", err)
	}
	if n, err := st.Count(); err != nil || fmt.Sprint(n) != os.Getenv("PARLEY_READONLY_KEPT") {
		t.Errorf("the killed run's store holds %d sessions (%v), want the %s in its log", n, err, os.Getenv("PARLEY_READONLY_KEPT"))
	}
	st.Close()
	_, err = Open(filepath.Join(dir, "logonly.db"))
	t.Logf("reading a store whose log has no index on a read-only file system: %v", err)
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "write-ahead log (logonly.db-wal)") || strings.Contains(err.Error(), "damaged") {
		t.Errorf("report of a store with an unfinished log on a read-only file system: %v", err)
	}
}
