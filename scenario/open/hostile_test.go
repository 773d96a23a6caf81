package open

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/internal/shared"
)

// copyDir copies the regular files of src into a new folder.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func expectErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one with %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error does not mention %q:\n%v", p, err)
		}
	}
}

// secretFile writes a file outside any scenario folder.
func secretFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "passwd")
	write(t, p, "root:x:0:0:root:/root:/bin/bash\n")
	return p
}

// TestHostileTramEmptyProfile: ANAC2015_Tram with one profile emptied was
// analysed as a 2-party domain; every file that may be a profile now loads
// or is an error (issue 14, item 8).
func TestHostileTramEmptyProfile(t *testing.T) {
	dir := copyDir(t, shared.Dir(t, "domains", "ANAC2015_Tram"))
	s, err := Path(dir)
	if err != nil || len(s.Parties) != 3 {
		t.Fatalf("the copy: %v", err)
	}
	write(t, filepath.Join(dir, "Tram_Profile3.xml"), "")
	_, err = Path(dir)
	expectErr(t, err, "Tram_Profile3.xml: the file is empty")
}

// TestHostileGeniusFolder: in a Genius folder an .xml file is a domain or
// a profile by its root element; one that is binary, malformed or a link
// out of the folder is an error, while text that is not XML (ANAC's
// pareto.xml) and other files (expected.json) are not profiles.
func TestHostileGeniusFolder(t *testing.T) {
	laptop := shared.Dir(t, "domains", "ANAC2011_Laptop")
	for _, c := range []struct {
		name, file, text string
		want             []string
	}{
		{"binary", "x.xml", "\x00\x01\x02PK\x03\x04", []string{"x.xml: the file is binary"}},
		{"malformed", "x.xml", "<utility_space", []string{"x.xml:1:", "XML syntax error"}},
		{"bom", "x.xml", "\ufeff<utility_space><objective/></utility_space>", []string{"x.xml:1:", "has no evaluator"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDir(t, laptop)
			write(t, filepath.Join(dir, c.file), c.text)
			_, err := Path(dir)
			expectErr(t, err, c.want...)
		})
	}
	t.Run("link", func(t *testing.T) {
		dir := copyDir(t, laptop)
		if err := os.Symlink(secretFile(t), filepath.Join(dir, "x.xml")); err != nil {
			t.Fatal(err)
		}
		_, err := Path(dir)
		expectErr(t, err, "x.xml: cannot read this Genius file: it links outside its folder")
	})
	t.Run("not profiles", func(t *testing.T) {
		dir := copyDir(t, laptop)
		write(t, filepath.Join(dir, "pareto.xml"), "0.5, 1.0\n1.0, 0.5\n")
		write(t, filepath.Join(dir, "results.xml"), "<results><row/></results>")
		s, err := Path(dir)
		if err != nil || len(s.Parties) != 2 {
			t.Fatalf("%v", err)
		}
	})
	t.Run("device", func(t *testing.T) {
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skip("no /dev/zero")
		}
		dir := copyDir(t, laptop)
		// Not read by the importer, but by whatever reads the folder next
		// (a tournament fingerprints every .json and .xml file).
		if err := os.Symlink("/dev/zero", filepath.Join(dir, "notes.json")); err != nil {
			t.Fatal(err)
		}
		_, err := Path(dir)
		if !errors.Is(err, safeio.ErrNotRegular) {
			t.Errorf("device in a Genius folder: %v", err)
		}
	})
}

// TestHostileGeniusWebFolder: every .json file of a GeniusWeb folder is
// JSON that loads, or an error; which ones are profiles is decided by
// their shape, not by their names (issue 14, items 3 and 8; issue 13,
// item 14: no special file name).
func TestHostileGeniusWebFolder(t *testing.T) {
	const src = "../geniusweb/testdata/laptop"
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"empty", "", []string{"x.json: the file is empty"}},
		{"bad JSON", `{"LinearAdditiveUtilitySpace": {`, []string{"x.json:1:", "JSON syntax error"}},
		{"binary", "\x00\x01\x02", []string{"x.json:1:1: JSON syntax error"}},
		{"deep", strings.Repeat(`{"a":`, 100_000), []string{"x.json:1:", "nested deeper than 100 levels"}},
		{"invisible id", strings.Replace(mustRead(t, src+"/buyer.json"), `"Dell"`, `"Dell\u200b"`, -1), []string{"x.json:", `value "Dell\u200b" of issue "Laptop" holds the invisible character U+200B`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDir(t, src)
			write(t, filepath.Join(dir, "x.json"), c.text)
			_, err := Path(dir)
			expectErr(t, err, c.want...)
		})
	}
	t.Run("device", func(t *testing.T) {
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skip("no /dev/zero")
		}
		dir := copyDir(t, src)
		if err := os.Symlink("/dev/zero", filepath.Join(dir, "x.json")); err != nil {
			t.Fatal(err)
		}
		_, err := Path(dir)
		expectErr(t, err, "x.json is a device, not a regular file")
	})
	t.Run("link", func(t *testing.T) {
		dir := copyDir(t, src)
		if err := os.Symlink(secretFile(t), filepath.Join(dir, "x.json")); err != nil {
			t.Fatal(err)
		}
		_, err := Path(dir)
		expectErr(t, err, "x.json: cannot read this GeniusWeb file: it links outside its folder")
	})
	t.Run("names", func(t *testing.T) {
		dir := copyDir(t, src)
		// A file named expected.json that holds a profile is a profile;
		// one that holds reference figures is not.
		write(t, filepath.Join(dir, "expected.json"), strings.Replace(mustRead(t, src+"/buyer.json"), `"name": "buyer"`, `"name": "third"`, 1))
		s, err := Path(dir)
		if err != nil || len(s.Parties) != 3 || s.Parties[1].ID != "expected" {
			t.Fatalf("profile named expected.json: %v", err)
		}
		write(t, filepath.Join(dir, "expected.json"), `{"schema": "figures", "n_parties": 2}`)
		s, err = Path(dir)
		if err != nil || len(s.Parties) != 2 {
			t.Fatalf("figures named expected.json: %v", err)
		}
		write(t, filepath.Join(dir, "buyer.json"), "\ufeff"+mustRead(t, src+"/buyer.json"))
		if _, err := Path(dir); err != nil {
			t.Errorf("byte-order mark: %v", err)
		}
	})
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestHostilePathFiles: a device, or a named pipe, given as the scenario is
// refused at once, without reading or waiting (issue 14, item 3).
func TestHostilePathFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "s.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Path(fifo); done <- err }()
	select {
	case err := <-done:
		expectErr(t, err, "s.yaml is a named pipe (FIFO), not a regular file")
	case <-time.After(10 * time.Second):
		t.Fatal("opening a FIFO hangs")
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err := Path("/dev/zero")
		expectErr(t, err, "/dev/zero is a device")
	}
}
