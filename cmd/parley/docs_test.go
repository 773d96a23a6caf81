package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	mdLink    = regexp.MustCompile(`\]\(([^)#\s]+)(#[^)\s]*)?\)`)
	inputFile = regexp.MustCompile(`\.(ya?ml|json|csv|tsv|xml)$`)
	// outputFlags name files a command writes, which need not exist.
	outputFlags = map[string]bool{"--db": true, "-o": true, "--out": true, "--output": true, "--plot": true}
)

// TestDocsPathsExist checks that every file the README and docs/*.md
// link to, and every input file their example commands read, exists
// (paths in ../shared only where the reference data is present): a reader
// who copies a command must find its file.
func TestDocsPathsExist(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, filepath.Join(root, "README.md"))
	_, shared := os.Stat(filepath.Join(root, "..", "shared"))
	for _, doc := range docs {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := filepath.Rel(root, doc)
		check := func(line int, base, path string) {
			if strings.HasPrefix(path, "../shared") && shared != nil {
				return
			}
			if _, err := os.Stat(filepath.Join(base, path)); err != nil {
				t.Errorf("%s:%d: %s does not exist", name, line, path)
			}
		}
		inCode := false
		for i, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "```") {
				inCode = !inCode
				continue
			}
			if !inCode {
				for _, m := range mdLink.FindAllStringSubmatch(l, -1) {
					if !strings.Contains(m[1], "://") && !strings.HasPrefix(m[1], "mailto:") {
						check(i+1, filepath.Dir(doc), m[1])
					}
				}
				continue
			}
			// Commands run from the repository root.
			cmd, _, _ := strings.Cut(strings.TrimPrefix(l, "$ "), "#")
			args := strings.Fields(cmd)
			if len(args) < 2 || (args[0] != "parley" && strings.Join(args[:2], " ") != "go run") {
				continue
			}
			for k, a := range args {
				if inputFile.MatchString(a) && !outputFlags[args[k-1]] {
					check(i+1, root, a)
				}
			}
		}
	}
}

// TestAnalysisGlossary checks that docs/analysis.md explains the terms
// analyze prints, and that they are still printed: each term must appear
// in the output of analyze --what-if --outcome on the flagship or of
// analyze --what-if on the test scenarios that reach the other sections,
// and in the glossary. The README links the glossary.
func TestAnalysisGlossary(t *testing.T) {
	var out strings.Builder
	for _, args := range [][]string{
		{"analyze", "../../examples/ukraine-2025.yaml", "--what-if", "--samples", "20", "--outcome",
			"ceasefire=before_talks;territory=none;guarantees=article5_like;troops=european;summit=trilateral;law=yes"},
		{"analyze", "../../analysis/testdata/whatif-referendum.yaml", "--what-if"},
		{"analyze", "../../analysis/testdata/whatif-agenda-blocks.yaml", "--what-if"},
		{"analyze", "../../analysis/testdata/whatif-redline.yaml", "--what-if"},
		// An agenda whose phases reach the package's deal.
		{"analyze", "../../scenario/testdata/rules.yaml", "--what-if", "--samples", "0"},
	} {
		code, o, errs := runCLI(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		out.WriteString(o)
	}
	data, err := os.ReadFile("../../docs/analysis.md")
	if err != nil {
		t.Fatal(err)
	}
	glossary := strings.ToLower(strings.Join(strings.Fields(string(data)), " "))
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "](docs/analysis.md)") {
		t.Error("README.md does not link docs/analysis.md")
	}
	terms := []string{
		"reservation value", "Pareto frontier", "rational", "Zone of possible agreement", "Opposition",
		"Nash", "Kalai–Smorodinsky", "Kalai (Genius)", "Max welfare", "Egalitarian", "Nash (Genius)",
		"NOT acceptable to", "(tie)", "acceptable to every party", "distance to the Pareto frontier",
		"to the Nash point", "CROSSED", "kept", "red lines ignored", "red lines kept", "binds",
		"does not bind", "removes", "acceptable outcomes cross it", "threshold", "polling error",
		"yes share", "passes with p", "ratifiable", "no referendum needed", "Ratifiable Nash",
		"tied outcomes", "honoured with p", "no guarantors", "as stated", "discounted", "baseline",
		"Package (Nash)", "fallback", "no acceptable deal", "Agenda deal", "Same deal either way",
		"The agenda blocks the deal the package allows", "Smallest sets of constraints",
		"Least fall of one party's reservation value", "no shift suffices", "assumed ranges", "valid",
		"a zone of agreement in", "Nash deals, most frequent first", "sensitivity skipped",
		"truly are", "wrongly believed to accept", "Its pick", "Its best deal in the true zone",
		"Best deal it wrongly expects", "Best deal it does not see", "value of information",
	}
	for _, term := range terms {
		if !strings.Contains(out.String(), term) {
			t.Errorf("analyze no longer prints %q: drop it from this list and from docs/analysis.md", term)
		}
		if !strings.Contains(glossary, strings.ToLower(term)) {
			t.Errorf("docs/analysis.md does not explain %q", term)
		}
	}
}

// TestDocsStoreNumbering checks what docs/tournaments.md says of the
// store's numbering against a store: seats count from 1, assignments and
// sessions from 0.
func TestDocsStoreNumbering(t *testing.T) {
	data, err := os.ReadFile("../../docs/tournaments.md")
	if err != nil {
		t.Fatal(err)
	}
	if doc := strings.Join(strings.Fields(string(data)), " "); !strings.Contains(doc, "Seats count from 1 in the tables, assignments and sessions from 0.") {
		t.Error("docs/tournaments.md does not say: Seats count from 1 in the tables, assignments and sessions from 0.")
	}
	scen, err := filepath.Abs("../../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	spec, db := filepath.Join(dir, "spec.yaml"), filepath.Join(dir, "t.db")
	text := fmt.Sprintf("name: numbering\nseed: 1\nscenarios: [%q]\nnegotiators: [boulware, conceder]\nrepetitions: 1\n", scen)
	if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI("tournament", spec, "--db", db); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var seat, assignment, session int
	row := conn.QueryRow("SELECT (SELECT MIN(seat) FROM assignments), (SELECT MIN(assignment) FROM assignments), (SELECT MIN(id) FROM sessions)")
	if err := row.Scan(&seat, &assignment, &session); err != nil {
		t.Fatal(err)
	}
	if seat != 1 || assignment != 0 || session != 0 {
		t.Errorf("first seat %d, assignment %d, session %d; the docs say 1, 0, 0", seat, assignment, session)
	}
}
