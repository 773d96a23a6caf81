package yamlpos

import (
	"errors"
	"testing"

	"github.com/goccy/go-yaml"
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
