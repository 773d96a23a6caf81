package safeio

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFileRegular(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.yaml")
	if err := os.WriteFile(p, []byte("\ufeffparley: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := ReadFile(p)
	if err != nil || string(data) != "\ufeffparley: 1\n" {
		t.Fatalf("ReadFile = %q, %v", data, err)
	}
	if got := string(TrimBOM(data)); got != "parley: 1\n" {
		t.Errorf("TrimBOM = %q", got)
	}
	if _, err := ReadFileLimit(p, 5); !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), p+": larger than 5 bytes") {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ReadFile(dir); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("folder: %v", err)
	}
}

// TestReadFileRefusesDevices: stat says 0 bytes for /dev/zero, which reads
// forever; it is refused, also behind a symbolic link (issue 14, item 3).
func TestReadFileRefusesDevices(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	link := filepath.Join(t.TempDir(), "profile.json")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/dev/zero", link} {
		_, err := ReadFile(p)
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "is a device") || !strings.HasPrefix(err.Error(), p) {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// TestReadFileInStaysInside: names that leave the root, by .. or by a
// symbolic link, are refused; names inside it are read.
func TestReadFileInStaysInside(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("password"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "doc.txt"), []byte("text"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if data, err := ReadFileIn(root, "doc.txt"); err != nil || string(data) != "text" {
		t.Errorf("inside: %q, %v", data, err)
	}
	rel, _ := filepath.Rel(dir, secret)
	for _, name := range []string{rel, "link.txt", secret} {
		if data, err := ReadFileIn(root, name); err == nil {
			t.Errorf("%s: read %q from outside the root", name, data)
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{32 << 20: "32 MiB", 1 << 10: "1 KiB", 1000: "1000 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
