package llm

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDocsListEveryParameter: docs/llm.md's table of spec parameters
// lists exactly the parameters ParseSpec reads, in the same order.
func TestDocsListEveryParameter(t *testing.T) {
	doc, err := os.ReadFile("../docs/llm.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(doc), "## The spec")
	section, _, _ = strings.Cut(section, "\n## ")
	var rows []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllStringSubmatch(section, -1) {
		rows = append(rows, m[1])
	}
	if !slices.Equal(rows, params) {
		t.Errorf("docs/llm.md lists %v; the spec reads %v", rows, params)
	}
}
