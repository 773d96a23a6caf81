package nesting

import (
	"math"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// TestYAMLRefusesDeepNesting: nested brackets, JSON objects and block
// indentation beyond MaxDepth are refused with the position where they
// pass it (issue 14, item 1); a flat file of any length is not.
func TestYAMLRefusesDeepNesting(t *testing.T) {
	deepBlock := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(strings.Repeat(" ", i) + "a:\n")
		}
		return b.String()
	}
	for _, c := range []struct {
		name, data string
		line, col  int
	}{
		{"flow", "parley: 1\nissues: " + strings.Repeat("[", 200_000), 2, 8 + MaxDepth},
		{"json", strings.Repeat(`{"a":`, 100_000), 1, 5*(MaxDepth-1) + 1},
		{"block", deepBlock(1000), MaxDepth + 1, MaxDepth + 1},
		{"dashes", "x:\n" + strings.Repeat("- ", 1000), 2, 2*MaxDepth - 1},
		// A quote cannot hide an opening bracket.
		{"quoted", `a: "` + strings.Repeat("[", 500) + `"`, 1, 4 + MaxDepth},
	} {
		err := YAML([]byte(c.data), "f.yaml")
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if want := "f.yaml:" + itoa(c.line) + ":" + itoa(c.col) + ": nested deeper than 100 levels"; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v, want %s…", c.name, err, want)
		}
	}
	flat := "parley: 1\nissues:\n" + strings.Repeat("  - {id: a, options: [{id: x}, {id: y}]}  # [ unbalanced in a comment\n", 50_000) +
		"description: |\n  text [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n" +
		`name: "a ] b ] c"` + "\nother: 'it''s [x]'\n" +
		"prose: " + strings.Repeat("see [1, ", 500) + "\n"
	if err := YAML([]byte(flat), "f.yaml"); err != nil {
		t.Errorf("flat file refused: %v", err)
	}
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

// TestYAMLClosersInQuotesDoNotHide: a closing bracket inside a quoted
// scalar does not lower the count, so quoted "]]]]" between openers cannot
// smuggle deep nesting past the scan.
func TestYAMLClosersInQuotesDoNotHide(t *testing.T) {
	data := "a: " + strings.Repeat(`["]]]]", `, 300)
	if err := YAML([]byte(data), "f.yaml"); err == nil {
		t.Fatal("accepted")
	}
	data = "a: " + strings.Repeat(`['x''s]]', `, 300)
	if err := YAML([]byte(data), "f.yaml"); err == nil {
		t.Fatal("accepted with '' escapes")
	}
}

// astDepth is the nesting of collections the parser built.
func astDepth(n ast.Node) int {
	switch v := n.(type) {
	case nil:
		return 0
	case *ast.DocumentNode:
		return astDepth(v.Body)
	case *ast.AnchorNode:
		return astDepth(v.Value)
	case *ast.TagNode:
		return astDepth(v.Value)
	case *ast.MappingNode:
		d := 0
		for _, kv := range v.Values {
			d = max(d, astDepth(kv.Key), astDepth(kv.Value))
		}
		return 1 + d
	case *ast.MappingValueNode:
		return 1 + max(astDepth(v.Key), astDepth(v.Value))
	case *ast.MappingKeyNode:
		return astDepth(v.Value)
	case *ast.SequenceNode:
		d := 0
		for _, e := range v.Values {
			d = max(d, astDepth(e))
		}
		return 1 + d
	}
	return 0
}

// FuzzYAMLDepth checks the scan against the parser: whatever the parser
// nests, the scan counts at least half of it (a block sequence may share its
// parent's indentation), so the bound cannot be dodged.
func FuzzYAMLDepth(f *testing.F) {
	for _, s := range []string{
		"a: [1, {b: [2]}]\n",
		"a:\n- b:\n  - c:\n    - d\n",
		"- - - - x\n",
		`{"a": {"b": [1, "]]"]}}`,
		"a: |\n  [[[\nb: [[1]]\n",
		"a: 'x''y' # ]]\nb: {c: [d]}\n",
		"? [a]\n: {b: c}\n",
		"a: &x [1]\nb: !!seq [2]\n",
		"a: foo\n  'bar\nb:\n  c:\n    d: [[1]]\n",
		"a: x [[[[\nb: [[[1]]]\n",
		"- x {{ ]]\n- [[y]]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		s := scanner{data: data, limit: math.MaxInt}
		s.scan()
		file, err := parser.ParseBytes(data, 0)
		if err != nil {
			return
		}
		real := 0
		for _, d := range file.Docs {
			real = max(real, astDepth(d))
		}
		if real > 2*s.max+1 {
			t.Fatalf("the parser nests %d levels; the scan saw %d", real, s.max)
		}
	})
}
