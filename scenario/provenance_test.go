package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
)

// provenanceOf writes text (and files, name → content) into a new folder
// and classifies the scenario's numbers.
func provenanceOf(t *testing.T, text string, files map[string]string, roots ...string) (*Provenance, error) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return Options{SourceRoots: roots}.Provenance([]byte(text), path)
}

const twoParties = `issues:
  - {id: x, options: [{id: a}, {id: b}]}
  - {id: y, options: [{id: a}, {id: b}]}
`

// TestProvenanceDefaults (issue 16, finding 8): a number the file leaves
// out that enters a figure is counted and shown with where it applies and
// its value: the ratification's threshold and polling error, a party's
// reservation value, a guarantor's credibility (1, or estimated from its
// record), a guarantee's rule, a meeting's acceptance rule, a real issue's
// steps and a value function's unstated ends.
func TestProvenanceDefaults(t *testing.T) {
	text := `parley: 1
name: defaults
issues:
  - {id: x, options: [{id: a}, {id: b}]}
  - {id: g, options: [{id: none}, {id: pledge}]}
  - {id: r, real: {min: 0, max: 1}}
guarantees:
  - {issue: g, beneficiary: p, baseline: none, guarantors: {pledge: [q, m]}}
meetings:
  - {id: summit, invitees: [p, q], accept: {q: zone}}
parties:
  - id: p
    reservation: {value: 0.2, assumption: {why: test, range: [0.1, 0.3]}}
    ratification: {body: referendum, support: {x: {a: 0.4, b: 0.6}}}
    weights: {x: 0.5, g: 0.3, r: 0.2}
    values: {x: {a: 0, b: 1}, g: {none: 0, pledge: 1}, r: {linear: {at_max: 0}}}
  - id: q
    commitments: [{what: a treaty, kept: false}, {what: a truce, kept: true}]
    weights: {x: 0.5, g: 0.5, r: 0}
    values: {x: {a: 1, b: 0}, g: {none: 1, pledge: 0}, r: {triangular: {peak: 0.5}}}
  - id: m
    reservation: 0.1
    weights: {x: 1, g: 0, r: 0}
    values: {x: {a: 1, b: 0}, g: {none: 1, pledge: 0}, r: {linear: {at_min: 1}}}
`
	pr, err := provenanceOf(t, text, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range pr.Defaults {
		got[d.Path] = d.Value
		if d.What == "" || d.Pos.Line == 0 {
			t.Errorf("default %s has no description or position: %+v", d.Path, d)
		}
	}
	want := map[string]string{
		"issues[2].real.steps":                "21",
		"parties[0].ratification.threshold":   "0.5",
		"parties[0].ratification.uncertainty": "0.05",
		"parties[0].values.r.linear.at_min":   "0",
		"parties[1].reservation":              "0",
		"guarantees[0].rule":                  "mean",
		"parties[1].credibility":              "0.5", // (1 kept + 1)/(2 + 2)
		"parties[2].credibility":              "1",
		"meetings[0].accept.p":                "always",
	}
	for path, v := range want {
		if got[path] != v {
			t.Errorf("default %s = %q, want %q (all: %v)", path, got[path], v, got)
		}
	}
	// Left out but entering no figure: q's triangular ends (weighed 0),
	// m's linear end (weighed 0); stated: q's meeting rule.
	for _, path := range []string{"parties[1].values.r.triangular.at_min", "parties[2].values.r.linear.at_max", "meetings[0].accept.q"} {
		if _, ok := got[path]; ok {
			t.Errorf("%s is counted as a default, but it enters no figure or is stated", path)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d defaults, want %d: %v", len(got), len(want), got)
	}
}

// TestProvenanceQuorumDefault: a decision rule that names veto parties
// but no quorum needs every negotiating party, a default it shows.
func TestProvenanceQuorumDefault(t *testing.T) {
	text := "parley: 1\nname: q\ndecision: {veto: [p]}\n" + twoParties + `parties:
  - {id: p, reservation: 0.1, weights: {x: 0.5, y: 0.5}, values: {x: {a: 1, b: 0}, y: {a: 0, b: 1}}}
  - {id: q, reservation: 0.1, weights: {x: 0.5, y: 0.5}, values: {x: {a: 0, b: 1}, y: {a: 1, b: 0}}}
`
	pr, err := provenanceOf(t, text, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Defaults) != 1 || pr.Defaults[0].Path != "decision.quorum" || pr.Defaults[0].Value != "2" {
		t.Errorf("defaults %+v; want decision.quorum = 2", pr.Defaults)
	}
}

// TestFlagshipDefaults: the referendum's p = 2.87e-07 rests on the default
// polling error, which provenance now shows, as it shows Russia's
// credibility estimated from its record. The parliament (the first body)
// states its own polling error, so only the referendum's is a default.
// The others are Europe's six voting members' equal vote shares.
func TestFlagshipDefaults(t *testing.T) {
	s := mustLoad(t, "../examples/ukraine-2025.yaml")
	got := map[string]string{}
	for _, d := range s.Defaults {
		got[d.Path] = d.Value
	}
	if got["parties[0].ratification[1].uncertainty"] != "0.05" || got["parties[0].ratification[0].uncertainty"] != "" || len(got) != 8 {
		t.Errorf("the referendum's polling error is not among the defaults: %v", got)
	}
	if got["parties[1].credibility"] != "0.3333" {
		t.Errorf("Russia's credibility from its record is not among the defaults: %v", got)
	}
}

// TestProvenanceDirectionOnly (finding 8): a quote that gives only a
// number's direction is marked direction_only and the number's size is an
// assumption with a range; it is counted apart from the quoted numbers,
// and every misuse is an error at its position.
func TestProvenanceDirectionOnly(t *testing.T) {
	head := "parley: 1\nname: d\nsources: [{id: memo, path: memo.txt}]\n" + twoParties + "parties:\n"
	files := map[string]string{"memo.txt": "Salary matters most to the candidate. The employer wants an early start."}
	ok := head + `  - id: p
    weights:
      x:
        value: 0.7
        source: {document: memo, quote: "Salary matters most", direction_only: true}
        assumption: {why: "most, but how much is not said", range: [0.55, 0.85]}
      y: {value: 0.3, source: {document: memo, quote: "The employer wants an early start."}}
    values: {x: {a: 0, b: 1}, y: {a: 1, b: 0}}
  - {id: q, weights: {x: 0.5, y: 0.5}, values: {x: {a: 1, b: 0}, y: {a: 0, b: 1}}}
`
	pr, err := provenanceOf(t, ok, files)
	if err != nil {
		t.Fatal(err)
	}
	if pr.DirectionOnly != 1 || pr.Quoted != 1 || pr.Assumed != 0 {
		t.Errorf("direction only %d, quoted %d, assumed %d; want 1, 1, 0", pr.DirectionOnly, pr.Quoted, pr.Assumed)
	}
	// The size's range is sampled like an assumption's: it is the
	// number's Assumption.
	f, err := DecodeFile([]byte(ok), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if a := f.Parties[0].Weights["x"].Assumption; a == nil || len(a.Range) != 2 || a.Range[0] != 0.55 {
		t.Errorf("the assumed size is not the number's assumption: %+v", a)
	}

	for _, c := range []struct{ name, from, to, want string }{
		{"no assumption", `        assumption: {why: "most, but how much is not said", range: [0.55, 0.85]}` + "\n", "",
			`gives only its direction: add assumption: {why, range: [low, high]} for its size`},
		{"no range", `range: [0.55, 0.85]}`, `}`, `gives only its direction: add assumption`},
		{"both without the mark", `, direction_only: true}`, `}`, `has both a source and an assumption; give one, or mark the source direction_only`},
		{"range without the value", `[0.55, 0.85]`, `[0.1, 0.2]`, `outside its assumed range`},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := strings.Replace(ok, c.from, c.to, 1)
			if bad == ok {
				t.Fatal("the edit changed nothing")
			}
			_, err := provenanceOf(t, bad, files)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "s.yaml:") {
				t.Errorf("got %v, want a positioned error containing %q", err, c.want)
			}
		})
	}
	// A red line's source supports no number: direction_only is an error.
	rl := strings.Replace(ok, "  - {id: q,", `  - id: r
    red_lines: [{id: no_b, forbid: {x: [b]}, source: {document: memo, quote: "early start", direction_only: true}}]
    weights: {x: 0.5, y: 0.5}
    values: {x: {a: 1, b: 0}, y: {a: 0, b: 1}}
  - {id: q,`, 1)
	if _, err := provenanceOf(t, rl, files); err == nil || !strings.Contains(err.Error(), "this source supports no number") {
		t.Errorf("direction_only on a red line: got %v", err)
	}
}

// TestProvenanceUnchecked (finding 8): a quote against a source whose text
// parley does not read (a URL only, a missing file, a file outside the
// allowed folders) is counted as unchecked, not as quoted, and the source
// is listed with why and how many quotes cite it.
func TestProvenanceUnchecked(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "far.txt"), []byte("salary matters most"), 0o644); err != nil {
		t.Fatal(err)
	}
	scenario := func(source string) string {
		return "parley: 1\nname: u\nsources: [" + source + "]\n" + twoParties + `parties:
  - id: p
    red_lines: [{id: no_b, forbid: {x: [b]}, source: {document: doc, quote: "salary matters most"}}]
    weights: {x: {value: 0.6, source: {document: doc, quote: "salary matters most"}}, y: 0.4}
    values: {x: {a: 0, b: 1}, y: {a: 1, b: 0}}
  - {id: q, weights: {x: 0.5, y: 0.5}, values: {x: {a: 1, b: 0}, y: {a: 0, b: 1}}}
`
	}
	local := map[string]string{"memo.txt": "salary matters most"}
	for _, c := range []struct {
		name, source string
		roots        []string
		why          string // "" when the quote is checked
	}{
		{"readable", "{id: doc, path: memo.txt}", nil, ""},
		{"url only", "{id: doc, url: 'https://example.org/memo'}", nil, "gives only a URL"},
		{"no path", "{id: doc, title: A memo}", nil, "gives no path"},
		{"missing file", "{id: doc, path: gone.txt}", nil, "cannot read it"},
		{"outside the folder", "{id: doc, path: " + filepath.Join(outside, "far.txt") + "}", nil, "outside the scenario's folder"},
		{"outside, allowed", "{id: doc, path: " + filepath.Join(outside, "far.txt") + "}", []string{outside}, ""},
		{"empty file", "{id: doc, path: empty.txt}", nil, "holds no text"},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{"memo.txt": local["memo.txt"], "empty.txt": " \n"}
			pr, err := provenanceOf(t, scenario(c.source), files, c.roots...)
			if err != nil {
				t.Fatal(err)
			}
			if c.why == "" {
				if pr.Quoted != 1 || pr.Unchecked != 0 || len(pr.UncheckedSources) != 0 {
					t.Errorf("quoted %d, unchecked %d %v; want 1, 0", pr.Quoted, pr.Unchecked, pr.UncheckedSources)
				}
				return
			}
			if pr.Quoted != 0 || pr.Unchecked != 1 {
				t.Errorf("quoted %d, unchecked %d; want 0 and 1", pr.Quoted, pr.Unchecked)
			}
			if len(pr.UncheckedSources) != 1 || pr.UncheckedSources[0].ID != "doc" || pr.UncheckedSources[0].Quotes != 2 ||
				!strings.Contains(pr.UncheckedSources[0].Why, c.why) {
				t.Errorf("unchecked sources %+v; want doc, 2 quotes (the weight's and the red line's), %q", pr.UncheckedSources, c.why)
			}
		})
	}
}

// TestFlagshipUncheckedWithoutSources: without --sources the flagship's
// article lies outside its folder, and none of its quotes counts as quoted.
func TestFlagshipUncheckedWithoutSources(t *testing.T) {
	shared.Dir(t, "seed")
	data, err := os.ReadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := CheckProvenance(data, "../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if pr.Quoted != 0 || pr.DirectionOnly != 0 || pr.Unchecked < 25 {
		t.Errorf("quoted %d, direction only %d, unchecked %d; want 0, 0 and every quoted number", pr.Quoted, pr.DirectionOnly, pr.Unchecked)
	}
	if len(pr.UncheckedSources) != 1 || pr.UncheckedSources[0].ID != "article" || pr.UncheckedSources[0].Quotes < 40 {
		t.Errorf("unchecked sources %+v; want the article with every quote", pr.UncheckedSources)
	}
}

// TestChair (issue 16, finding 9): a mediator without interests of its own
// (a chair such as George Mitchell) has no weights and no values, or every
// weight 0; any other party without interests, and a chair with a
// reservation value, are errors at their position.
func TestChair(t *testing.T) {
	parties := `  - {id: p, weights: {x: 0.5, y: 0.5}, values: {x: {a: 1, b: 0}, y: {a: 0, b: 1}}}
  - {id: q, weights: {x: 0.5, y: 0.5}, values: {x: {a: 0, b: 1}, y: {a: 1, b: 0}}}
`
	head := "parley: 1\nname: chair\nmediator: mitchell\n" + twoParties + "parties:\n" + parties
	for _, c := range []struct{ name, chair string }{
		{"no weights", "  - {id: mitchell, name: George Mitchell, credibility: 0.9}\n"},
		{"every weight 0", "  - {id: mitchell, weights: {x: 0, y: 0}, values: {x: {a: 1, b: 0}, y: {a: 0, b: 1}}}\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse([]byte(head+c.chair), "chair.yaml")
			if err != nil {
				t.Fatal(err)
			}
			m := s.MediatorIndex()
			if m != 2 || !s.Parties[m].Disinterested() || s.Parties[0].Disinterested() {
				t.Fatalf("mediator %d, disinterested %v", m, m >= 0 && s.Parties[m].Disinterested())
			}
			u := s.Utility(m)
			for _, o := range [][]int{{0, 0}, {0, 1}, {1, 0}, {1, 1}} {
				if x := u.Utility(o); x != 0 {
					t.Errorf("the chair's utility of %v is %v, want 0", o, x)
				}
			}
			for _, d := range s.Defaults {
				if strings.HasPrefix(d.Path, "parties[2].") {
					t.Errorf("a chair has no defaults of its own: %v", d)
				}
			}
			// Written out and read back, the chair stays one.
			out, err := s.MarshalYAML()
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(out, "back.yaml")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !back.Parties[2].Disinterested() {
				t.Error("the chair has interests after a round trip")
			}
		})
	}
	for _, c := range []struct{ name, text, want string }{
		{"a negotiator without interests",
			"parley: 1\nname: c\n" + twoParties + "parties:\n" + parties + "  - {id: r}\n",
			`chair.yaml:9:5: party "r" has no interests`},
		{"a negotiator with weights all 0",
			"parley: 1\nname: c\n" + twoParties + "parties:\n" + parties + "  - {id: r, weights: {x: 0, y: 0}, values: {x: {a: 1, b: 0}, y: {a: 0, b: 1}}}\n",
			`party "r" has no interests`},
		{"a chair with a reservation value", head + "  - {id: mitchell, reservation: 0.2}\n",
			`party "mitchell" has no weights or values, so no interests and no reservation value`},
		{"weights that sum to neither 0 nor 1", head + "  - {id: mitchell, weights: {x: 0.2, y: 0}, values: {x: {a: 1, b: 0}, y: {a: 0, b: 1}}}\n",
			`sum to 0.2; they must sum to 1`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.text), "chair.yaml")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}
