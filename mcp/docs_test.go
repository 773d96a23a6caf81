package mcp_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docExample is one tool call shown in docs/mcp.md: the arguments and the
// lines of the result it shows.
type docExample struct {
	line int
	tool string
	args string
	want []string
}

var toolHeading = regexp.MustCompile("^### `([a-z_]+)`")

// docExamples reads the examples of docs/mcp.md: under a "### `tool`"
// heading, each ```json block is a call's arguments and the ```text
// block after it lines of its result ("…" stands for lines left out).
func docExamples(t *testing.T) []docExample {
	data, err := os.ReadFile(filepath.Join(repo(t), "docs", "mcp.md"))
	if err != nil {
		t.Fatal(err)
	}
	var (
		out        []docExample
		tool, lang string
		block      []string
		start      int
	)
	for i, l := range strings.Split(string(data), "\n") {
		switch {
		case lang == "" && strings.HasPrefix(l, "```"):
			lang, block, start = strings.TrimPrefix(l, "```"), nil, i+1
		case lang != "" && l == "```":
			switch {
			case tool != "" && lang == "json":
				out = append(out, docExample{line: start, tool: tool, args: strings.Join(block, "\n")})
			case tool != "" && lang == "text" && len(out) > 0 && out[len(out)-1].want == nil:
				out[len(out)-1].want = block
			}
			lang = ""
		case lang != "":
			block = append(block, l)
		case strings.HasPrefix(l, "#"):
			tool = ""
			if m := toolHeading.FindStringSubmatch(l); m != nil {
				tool = m[1]
			}
		}
	}
	return out
}

// TestDocsExamples runs every example of docs/mcp.md through the SDK's
// client and checks that the result holds the lines the page shows, in
// order (a JSON result is compared indented, keys sorted). With
// PARLEY_DOCS_PRINT=1 it logs the whole results, to write the page from.
func TestDocsExamples(t *testing.T) {
	examples := docExamples(t)
	tools := map[string]bool{}
	cs := client(t, repo(t))
	for _, ex := range examples {
		tools[ex.tool] = true
		var args map[string]any
		if err := json.Unmarshal([]byte(ex.args), &args); err != nil {
			t.Errorf("docs/mcp.md:%d: arguments: %v", ex.line, err)
			continue
		}
		res, text := callRaw(t, cs, ex.tool, args)
		if res.IsError {
			t.Errorf("docs/mcp.md:%d: %s: %s", ex.line, ex.tool, text)
			continue
		}
		if strings.HasPrefix(text, "{") {
			var v any
			json.Unmarshal([]byte(text), &v)
			b, _ := json.MarshalIndent(v, "", "  ")
			text = string(b)
		}
		if os.Getenv("PARLEY_DOCS_PRINT") != "" {
			t.Logf("docs/mcp.md:%d: %s\n%s", ex.line, ex.tool, text)
		}
		if len(ex.want) == 0 {
			t.Errorf("docs/mcp.md:%d: no result shown after the arguments", ex.line)
		}
		lines := strings.Split(text, "\n")
		k := 0
		for _, w := range ex.want {
			if strings.TrimSpace(w) == "…" {
				continue
			}
			for k < len(lines) && strings.TrimRight(lines[k], " ") != strings.TrimRight(w, " ") {
				k++
			}
			if k == len(lines) {
				t.Errorf("docs/mcp.md:%d: %s: the result lacks, at this place, the line\n%s", ex.line, ex.tool, w)
				break
			}
			k++
		}
	}
	for _, name := range toolNames {
		if !tools[name] {
			t.Errorf("docs/mcp.md shows no example of %s", name)
		}
	}
}
