package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/safeio"
)

// small is a valid two-party scenario; tests change one line of it.
const small = `parley: 1
name: Small
sources:
  - {id: doc, path: doc.txt}
issues:
  - id: price
    integer: {min: 0, max: 3}
  - id: colour
    options: [{id: red, label: Red}, {id: blue}]
parties:
  - id: buyer
    weights:
      price: {value: 0.5, source: {document: doc, quote: "half of it"}}
      colour: 0.5
    values:
      price: {linear: {at_min: 1, at_max: 0}}
      colour: {red: 1, blue: 0}
  - id: seller
    weights: {price: 0.5, colour: 0.5}
    values:
      price: {linear: {at_min: 0, at_max: 1}}
      colour: {red: 0, blue: 1}
`

// scenarioDir writes small (with each (old, new) replacement applied) as
// s.yaml into a new folder, with doc.txt holding the quoted text.
func scenarioDir(t *testing.T, replacements ...string) (dir, path string) {
	t.Helper()
	text := small
	for i := 0; i < len(replacements); i += 2 {
		if !strings.Contains(text, replacements[i]) {
			t.Fatalf("small lacks %q", replacements[i])
		}
		text = strings.Replace(text, replacements[i], replacements[i+1], 1)
	}
	dir = t.TempDir()
	path = filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "doc.txt"), []byte("it is worth half of it to them"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, path
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

func TestHostileSmallIsValid(t *testing.T) {
	_, path := scenarioDir(t)
	s, err := LoadFile(path)
	if err != nil || len(s.Warnings) > 0 {
		t.Fatalf("small: %v %q", err, s.Warnings)
	}
}

// TestHostileDeepNesting: nested brackets cost go-yaml quadratic time and
// memory (200 KB took 4.1 GB); they are refused before parsing, with the
// position where the nesting passes the limit (issue 14, item 1). The
// same holds for a scenario in JSON.
func TestHostileDeepNesting(t *testing.T) {
	_, err := Parse([]byte("parley: 1\nissues: "+strings.Repeat("[", 200_000)), "deep.yaml")
	expectErr(t, err, "deep.yaml:2:108: nested deeper than 100 levels")
	_, err = Parse([]byte(strings.Repeat(`{"parley":`, 100_000)), "deep.json")
	expectErr(t, err, "deep.json:1:", "nested deeper than 100 levels")
	var b strings.Builder
	for i := range 5000 {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	_, err = Parse([]byte(b.String()), "block.yaml")
	expectErr(t, err, "block.yaml:101:101: nested deeper")
}

// TestHostileAliases: scenario files take no YAML aliases anywhere, the
// same rule as tournament specs (issue 14, item 2).
func TestHostileAliases(t *testing.T) {
	_, path := scenarioDir(t, "name: Small", "name: &n Small\ndescription: *n")
	_, err := LoadFile(path)
	expectErr(t, err, "s.yaml:3:14: *n is a YAML alias; parley files take no aliases")
	_, err = Parse([]byte("parley: 1\nissues: &a [*a]\n"), "self.yaml")
	expectErr(t, err, "self.yaml:2:13: *a is a YAML alias")
}

// TestHostileNonRegularFiles: a device or a named pipe is refused at once
// with a message that says what it is, as the scenario file itself or as
// a source document (issue 14, item 3).
func TestHostileNonRegularFiles(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err := LoadFile("/dev/zero")
		if !errors.Is(err, safeio.ErrNotRegular) {
			t.Errorf("LoadFile(/dev/zero): %v", err)
		}
		expectErr(t, err, "/dev/zero is a device")
	}
	dir, path := scenarioDir(t, "path: doc.txt", "path: pipe.txt")
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.txt"), 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	done := make(chan struct{})
	var s *Scenario
	var err error
	go func() { s, err = LoadFile(path); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a FIFO as a source hangs the loader")
	}
	if err != nil || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], `cannot read source "doc" (pipe.txt is a named pipe (FIFO)`) {
		t.Errorf("FIFO source: %v, %q", err, s.Warnings)
	}
	if _, err := LoadFile(filepath.Join(dir, "pipe.txt")); !errors.Is(err, safeio.ErrNotRegular) {
		t.Errorf("FIFO as the scenario file: %v", err)
	}
}

// TestHostileSourceContainment: a source path that leaves the scenario's
// folder, by .., by an absolute path or by a link, is not read, so that a
// scenario cannot learn whether a quote occurs in a file elsewhere: the
// result is the same whether or not the quote is there. An allowed root
// lets it be read (issue 14, item 5).
func TestHostileSourceContainment(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("the password is hunter2"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, path := scenarioDir(t)
	rel, err := filepath.Rel(filepath.Dir(path), secret)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{rel, secret} {
		for _, quote := range []string{"hunter2", "not in it"} {
			_, p := scenarioDir(t, "path: doc.txt", "path: "+src, "half of it", quote)
			s, err := LoadFile(p)
			if err != nil {
				t.Fatalf("%s, quote %q: %v (the file outside was read)", src, quote, err)
			}
			if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "lies outside the scenario's folder") {
				t.Errorf("%s: warnings %q", src, s.Warnings)
			}
			// With the folder allowed, the quote is checked.
			_, err = Options{SourceRoots: []string{outside}}.LoadFile(p)
			if (err == nil) != (quote == "hunter2") {
				t.Errorf("%s allowed, quote %q: %v", src, quote, err)
			}
		}
	}
	dir, p := scenarioDir(t, "path: doc.txt", "path: link.txt", "half of it", "not in it")
	if err := os.Symlink(secret, filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	s, err := LoadFile(p)
	if err != nil || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "it links to a file outside") {
		t.Errorf("link out of the folder: %v, %q", err, s.Warnings)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.txt")); err != nil {
		t.Fatal(err)
	}
	_, p = scenarioDir(t, "path: doc.txt", "path: /dev/zero")
	if s, err := LoadFile(p); err != nil || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "lies outside") {
		t.Errorf("/dev/zero as a source: %v, %q", err, s.Warnings)
	}
	if s, err := (Options{SourceRoots: []string{"/dev"}}).LoadFile(p); err != nil || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "is a device") {
		t.Errorf("/dev/zero as an allowed source: %v, %q", err, s.Warnings)
	}
}

// TestHostileExcerpts: a file that is not a scenario (here a long text
// such as a key or a password file) is not echoed whole in the error: the
// message quotes a short, escaped excerpt (issue 14, item 5).
func TestHostileExcerpts(t *testing.T) {
	long := strings.Repeat("SECRETKEYMATERIAL0123456789\x1b]0;x\x07 [see ", 1000)
	_, err := Parse([]byte(long), "id_rsa")
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	if len(msg) > 400 || strings.Count(msg, "SECRETKEY") > 2 || strings.ContainsRune(msg, 0x1b) {
		t.Errorf("error echoes the file (%d bytes): %.300q", len(msg), msg)
	}
	expectErr(t, err, "id_rsa:1:1:", "…")
	_, err = Parse([]byte("parley: 1\n"+strings.Repeat("k", 5000)+": 1\n"), "keys.yaml")
	if err == nil || len(err.Error()) > 1000 {
		t.Errorf("a long unknown key is echoed whole: %d bytes", len(err.Error()))
	}
}

// TestHostileIDs: ids with control or invisible characters are refused
// where they stand: an ESC sequence would act on the terminal, and
// "buyer\u200b" looks like "buyer" (issue 14, item 6).
func TestHostileIDs(t *testing.T) {
	for _, c := range []struct{ old, new, want string }{
		{"- id: buyer", "- id: \"buyer\\u200b\"", `s.yaml:11:9: the id "buyer\u200b" of parties[0] holds the invisible character U+200B; ids must be visible text`},
		{"- id: price", "- id: \"price\\e]0;pwned\\a\"", `s.yaml:6:9: the id "price\x1b]0;pwned\a" of issues[0] holds the control character U+001B`},
		{"{id: red,", "{id: \"r\\u202eed\",", `the id "r\u202eed" of issues[1].options[0] holds the invisible character U+202E`},
		{"{id: doc,", "{id: \"doc\\t\",", `the id "doc\t" of sources[0] holds the control character U+0009`},
	} {
		_, path := scenarioDir(t, c.old, c.new)
		_, err := LoadFile(path)
		expectErr(t, err, c.want)
	}
	// Labels and names may hold anything; they are escaped on output.
	_, path := scenarioDir(t, "label: Red}", "label: \"Red\\e[2J\"}", "name: Small", "name: \"Small\\u200b\"")
	if _, err := LoadFile(path); err != nil {
		t.Errorf("a label with an escape refused: %v", err)
	}
}

// TestHostileBOM: a UTF-8 byte-order mark at the start is accepted.
func TestHostileBOM(t *testing.T) {
	dir, _ := scenarioDir(t)
	path := filepath.Join(dir, "bom.yaml")
	if err := os.WriteFile(path, append([]byte("\ufeff"), small...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(path); err != nil {
		t.Fatalf("byte-order mark: %v", err)
	}
}

// TestHostileCoercions: numbers the decoder would truncate without a word
// are refused where they stand (issue 14, item 12).
func TestHostileCoercions(t *testing.T) {
	_, path := scenarioDir(t, "integer: {min: 0, max: 3}", "integer: {min: 0, max: 60.5}")
	_, err := LoadFile(path)
	expectErr(t, err, `s.yaml:7:28: "issues[0].integer.max" must be a whole number; 60.5 is not a whole number`)
	_, path = scenarioDir(t, "integer: {min: 0, max: 3}", "real: {min: 0, max: 1, steps: 6.7}")
	_, err = LoadFile(path)
	expectErr(t, err, `s.yaml:7:35: "issues[0].real.steps" must be a whole number; 6.7 is not a whole number`)
	_, path = scenarioDir(t, "parley: 1", "parley: 1.5")
	_, err = LoadFile(path)
	expectErr(t, err, `s.yaml:1:9: "parley" must be a whole number`)
}

// TestHostileTableTypes: a value of the wrong type inside a value table
// is reported with its line:column and field path (issue 14, item 13).
func TestHostileTableTypes(t *testing.T) {
	_, path := scenarioDir(t, "colour: {red: 1, blue: 0}", `colour: {red: "1", blue: 0}`)
	_, err := LoadFile(path)
	expectErr(t, err, `s.yaml:17:21: "parties[0].values.colour.red" must be a number or {value, source|assumption}, found the text "1"`)
	var list diag.List
	if !errors.As(err, &list) || len(list) != 1 {
		t.Errorf("want exactly one positioned error: %v", err)
	}
}
