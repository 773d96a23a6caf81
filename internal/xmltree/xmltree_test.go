package xmltree

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	doc := "\ufeff<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<a x=\"1\">\n  <b>text \xe9</b>\n  <b/><c/>\n</a>\n"
	root, err := Parse([]byte(doc), "f.xml")
	if err != nil {
		t.Fatal(err)
	}
	if root.Name != "a" || len(root.Children) != 3 || len(root.ChildrenNamed("b")) != 2 || root.Child("c") == nil || root.Child("d") != nil {
		t.Fatalf("tree: %+v", root)
	}
	if v, ok := root.Attr("x"); !ok || v != "1" {
		t.Errorf("attr x = %q, %v", v, ok)
	}
	b := root.Child("b")
	if b.Text() != "text é" || b.Pos.String() != "f.xml:3:3" {
		t.Errorf("b: %q at %s", b.Text(), b.Pos)
	}
	if name, err := RootName([]byte(doc)); err != nil || name != "a" {
		t.Errorf("RootName = %q, %v", name, err)
	}
	if _, err := RootName([]byte("1, 2\n")); err == nil {
		t.Error("RootName of text: no error")
	}
}

// TestParseErrors: each failure carries the file and, where there is one,
// the line.
func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{"", "f.xml: no XML element found"},
		{"<a><b></a>", "f.xml:1:"},
		{"<a/><b/>", "f.xml:1:5: more than one root element"},
		{`<?xml version="1.0" encoding="UTF-16"?><a/>`, "unsupported encoding"},
		// Nesting is bounded (issue 14, item 1).
		{strings.Repeat("<a>", 100_000), "f.xml:1:301: elements nested deeper than 100 levels"},
	} {
		_, err := Parse([]byte(c.doc), "f.xml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%.30q) = %v, want %q", c.doc, err, c.want)
		}
	}
}
