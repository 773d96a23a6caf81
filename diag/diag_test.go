package diag

import (
	"errors"
	"strings"
	"testing"
)

func TestPosString(t *testing.T) {
	for _, tc := range []struct {
		pos  Pos
		want string
	}{
		{Pos{}, ""},
		{Pos{File: "a.yaml"}, "a.yaml"},
		{Pos{File: "a.yaml", Line: 3, Col: 7}, "a.yaml:3:7"},
		{Pos{File: "a.xml", Line: 32}, "a.xml:32"},
		{Pos{Line: 4}, "line 4"},
		{Pos{Line: 4, Col: 2}, "line 4:2"},
	} {
		if got := tc.pos.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.pos, got, tc.want)
		}
	}
}

func TestList(t *testing.T) {
	var l List
	if l.Err() != nil {
		t.Fatal("empty list: Err() != nil")
	}
	l.Add(Pos{File: "b", Line: 2, Col: 1}, "second %d", 2)
	l.Add(Pos{File: "a", Line: 9}, "first")
	l.Merge("c", errors.New("plain"))
	l.Merge("x", List{{Pos: Pos{File: "a", Line: 1, Col: 5}, Msg: "merged"}})
	l.Sort()
	want := "a:1:5: merged\na:9: first\nb:2:1: second 2\nc: plain"
	if got := l.Err().Error(); got != want {
		t.Errorf("list:\n%s\nwant:\n%s", got, want)
	}
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("root:x:0:0:root:/root:/bin/bash\n", 100)
	got := Excerpt(long)
	if want := `"root:x:0:0:root:/root:/bin/bash\nroot:x:0"…`; got != want {
		t.Errorf("Excerpt(long) = %s, want %s", got, want)
	}
	if got, want := Excerpt("a\x1b[2J\u200b"), `"a\x1b[2J\u200b"`; got != want {
		t.Errorf("Excerpt = %s, want %s", got, want)
	}
	if got, want := Excerpt("Genève"), `"Genève"`; got != want {
		t.Errorf("Excerpt = %s, want %s", got, want)
	}
}
