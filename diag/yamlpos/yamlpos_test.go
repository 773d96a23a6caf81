package yamlpos

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

func TestPositions(t *testing.T) {
	f, err := parser.ParseBytes([]byte("a: 1\nb:\n  c: x\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	path, _ := yaml.PathString("$.b.c")
	n, err := path.FilterFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Of("f.yaml", n).String(), "f.yaml:3:6"; got != want {
		t.Errorf("Of = %s, want %s", got, want)
	}
	if got := Of("f.yaml", nil).String(); got != "f.yaml" {
		t.Errorf("Of(nil) = %s", got)
	}
	_, err = parser.ParseBytes([]byte("a: [1, 2\n"), 0)
	if e := Error("g.yaml", err); e.Pos.File != "g.yaml" || e.Pos.Line == 0 || e.Msg == "" {
		t.Errorf("Error = %+v", e)
	}
	if e := Error("h.yaml", errors.New("boom")); e.Error() != "h.yaml: boom" {
		t.Errorf("plain error = %q", e.Error())
	}
}

// TestParseRefusesAliases: a 400-byte "billion laughs" expands to
// gigabytes when decoded; Parse refuses every alias with its position
// before anything decodes it (issue 14, item 2).
func TestParseRefusesAliases(t *testing.T) {
	lol := "a: &a [x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := range 9 {
		n := fmt.Sprintf("b%d", i)
		lol += n + ": &" + n + " [" + strings.Repeat("*"+prev+", ", 8) + "*" + prev + "]\n"
		prev = n
	}
	_, err := Parse([]byte(lol), "lol.yaml")
	if err == nil || err.Error() != "lol.yaml:2:10: *a is a YAML alias (the first of 81); parley files take no aliases, which let a few bytes stand for gigabytes: write the value out" {
		t.Fatalf("billion laughs: %v", err)
	}
	if _, err := Parse([]byte("base: &b {x: 1}\nother:\n  <<: *b\n"), "m.yaml"); err == nil || !strings.Contains(err.Error(), "m.yaml:3:7: *b is a YAML alias;") {
		t.Errorf("merge key: %v", err)
	}
}

func TestParseBOMAndDepth(t *testing.T) {
	f, err := Parse([]byte("\ufeffa: 1\n"), "bom.yaml")
	if err != nil {
		t.Fatalf("byte-order mark: %v", err)
	}
	if got := Of("bom.yaml", f.Docs[0].Body).String(); got != "bom.yaml:1:2" && got != "bom.yaml:1:1" {
		t.Errorf("position after the mark: %s", got)
	}
	if _, err := Parse([]byte("a: "+strings.Repeat("[", 1000)), "deep.yaml"); err == nil || !strings.Contains(err.Error(), "deep.yaml:1:") || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("deep: %v", err)
	}
}

func TestWhole(t *testing.T) {
	f, err := parser.ParseBytes([]byte("[6, 6.0, 6.7, .nan, .inf, x]"), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "", "6.7 is not a whole number", ".nan is not a whole number", ".inf is not a whole number", ""}
	for i, n := range f.Docs[0].Body.(*ast.SequenceNode).Values {
		if got := Whole(n); got != want[i] {
			t.Errorf("Whole(%s) = %q, want %q", n, got, want[i])
		}
	}
}
