package scenario

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parleyhq/parley/internal/shared"
)

func mustLoad(t *testing.T, path string) *Scenario {
	t.Helper()
	s, err := LoadFile(path)
	if err != nil {
		t.Fatalf("LoadFile(%s): %v", path, err)
	}
	return s
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12 }

// TestLoadResolves checks the worked example: every shape evaluates as its
// doc comment says, computed here by hand.
func TestLoadResolves(t *testing.T) {
	s := mustLoad(t, "testdata/ok.yaml")
	if got, want := len(s.Parties), 2; got != want {
		t.Fatalf("parties = %d, want %d", got, want)
	}
	if n, _ := s.Space().Size(); n != 21*3*6 {
		t.Fatalf("outcomes = %d, want %d", n, 21*3*6)
	}
	emp, cand := s.Utility(0), s.Utility(1)
	if emp.Reservation != 0.3 || emp.Discount != 0.9 || cand.Reservation != 0 || cand.Discount != 1 {
		t.Errorf("reservation/discount = %v %v %v %v", emp.Reservation, emp.Discount, cand.Reservation, cand.Discount)
	}
	// salary 50 (index 10), start "month" (1), remote 3 days (index 3).
	o := []int{10, 1, 3}
	// employer: salary linear 1→0 over 40..60 gives 0.5; month 0.6;
	// remote triangular peak 1, 0 at 5: (5-3)/(5-1) = 0.5.
	want := 0.5*0.5 + 0.3*0.6 + 0.2*0.5
	if got := emp.Utility(o); !near(got, want) {
		t.Errorf("employer u = %v, want %v", got, want)
	}
	// candidate: salary 0.5, month 1, remote peaked at 3 gives 1.
	want = 0.6*0.5 + 0.1*1 + 0.3*1
	if got := cand.Utility(o); !near(got, want) {
		t.Errorf("candidate u = %v, want %v", got, want)
	}
	// remote 0 days: triangular left side 0.5 at min; bell exp(-(3/1.5)^2/2) = exp(-2).
	if got, want := emp.Evals[2][0], 0.5; !near(got, want) {
		t.Errorf("triangular at min = %v, want %v", got, want)
	}
	if got, want := cand.Evals[2][0], math.Exp(-2); !near(got, want) {
		t.Errorf("peaked at 0 = %v, want %v", got, want)
	}
	if got, want := s.Issues[1].Label(2), "In three months"; got != want {
		t.Errorf("label = %q, want %q", got, want)
	}
	if got, want := s.Issues[2].Value(4), "4"; got != want {
		t.Errorf("real value = %q, want %q", got, want)
	}
}

// TestBadFileReportsEverything pins the exact messages for a file with many
// problems: all are reported at once, in position order.
func TestBadFileReportsEverything(t *testing.T) {
	_, err := LoadFile("testdata/bad.yaml")
	if err == nil {
		t.Fatal("bad.yaml loaded without error")
	}
	checkGolden(t, "testdata/bad.errors", err.Error()+"\n")
}

func TestErrorMessages(t *testing.T) {
	cases := []mutation{
		{"unknown field", "    discount: 0.9\n", "    discount: 0.9\n    patience: 3\n", `testdata/x.yaml:26:5: unknown field "patience" in parties[0]`},
		{"weight out of range", "start: 0.1\n", "start: -0.1\n", `the weight of "start" for "candidate" is -0.1; it must be between 0 and 1`},
		{"quote not in source", "salary matters most to the candidate", "salary is all that matters", `quote not found verbatim in source "memo"`},
		{"undeclared source", "document: memo", "document: memo2", `source document "memo2" is not declared; declared: memo`},
		{"assumption range", "range: [0.2, 0.4]", "range: [0.4, 0.5]", `is 0.3, outside its assumed range [0.4, 0.5]`},
		{"version", "parley: 1", "parley: 2", `testdata/x.yaml:1:9: format version 2 is not supported`},
		{"both kinds", "    integer: {min: 40, max: 60}\n", "    integer: {min: 40, max: 60}\n    options: [{id: x}]\n", `must have exactly one of options, integer and real; it has 2`},
		{"hostile size", "integer: {min: 40, max: 60}", "integer: {min: 0, max: 9000000000000}", `has 9e+12 values; at most 1000000 are allowed`},
		{"NaN", "discount: 0.9", "discount: .nan", `the discount factor of "employer" is NaN; it must be a finite number`},
		{"syntax", "issues:\n", "issues: [\n", `testdata/x.yaml:`},
		{"bad shape", "linear: {at_min: 0, at_max: 1}", "linear: {at_min: 0, slope: 1}", `give either at_min and at_max, or offset and slope, not both`},
		{"peak outside", "peak: 3,", "peak: 7,", `peak in "candidate"'s value function for "remote" is 7; it must be between 0 and 5`},
		{"missing value", "start: {now: 0.2, month: 1, quarter: 0.7}", "start: {now: 0.2, month: 1}", `gives no value for option(s) quarter`},
	}
	checkMutations(t, "testdata/ok.yaml", cases)
}

// mutation edits a valid scenario file to provoke one error: the first
// occurrence of from, replaced by to, must give an error containing want.
type mutation struct{ name, from, to, want string }

// checkMutations parses the file fixture with each mutation applied, as
// testdata/x.yaml, and expects the error it names, without a panic.
func checkMutations(t *testing.T, fixture string, cases []mutation) {
	t.Helper()
	ok, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !bytes.Contains(ok, []byte(c.from)) {
				t.Fatalf("fixture lacks %q", c.from)
			}
			data := bytes.Replace(ok, []byte(c.from), []byte(c.to), 1)
			_, err := Parse(data, "testdata/x.yaml")
			if err == nil {
				t.Fatalf("no error; want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error:\n%v\nwant it to contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), "panic") {
				t.Fatalf("error mentions a panic: %v", err)
			}
		})
	}
}

// TestJSONAndYAMLAgree loads the same scenario written as JSON.
func TestJSONAndYAMLAgree(t *testing.T) {
	s := mustLoad(t, "testdata/ok.yaml")
	var tree any
	data, _ := os.ReadFile("testdata/ok.yaml")
	if err := yaml.Unmarshal(data, &tree); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	sj, err := Parse(js, "testdata/ok.json")
	if err != nil {
		t.Fatalf("JSON form: %v", err)
	}
	u, uj := s.Utilities(), sj.Utilities()
	for p := range u {
		for i := range u[p].Table {
			for v := range u[p].Table[i] {
				if u[p].Table[i][v] != uj[p].Table[i][v] {
					t.Fatalf("party %d issue %d value %d: %v vs %v", p, i, v, u[p].Table[i][v], uj[p].Table[i][v])
				}
			}
		}
	}
}

// TestRoundTrip writes a scenario and reads it back with identical utilities.
func TestRoundTrip(t *testing.T) {
	s := mustLoad(t, "testdata/ok.yaml")
	b, err := s.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Parse(b, "testdata/roundtrip.yaml")
	if err != nil {
		t.Fatalf("reading written scenario: %v\n%s", err, b)
	}
	u, u2 := s.Utilities(), s2.Utilities()
	o := make([]int, len(s.Issues))
	sp := s.Space()
	for {
		for p := range u {
			if a, b := u[p].Utility(o), u2[p].Utility(o); a != b {
				t.Fatalf("party %d outcome %v: %v vs %v", p, o, a, b)
			}
		}
		if !sp.Next(o) {
			break
		}
	}
}

// TestSchemaAcceptsExamples validates scenario files against the generated
// JSON Schema, and checks that the schema rejects an unknown field.
func TestSchemaAcceptsExamples(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("scenario.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("scenario.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	load := func(data []byte) any {
		var tree any
		if err := yaml.Unmarshal(data, &tree); err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(tree)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	data, _ := os.ReadFile("testdata/ok.yaml")
	if err := sch.Validate(load(data)); err != nil {
		t.Errorf("ok.yaml fails the schema: %v", err)
	}
	bad := bytes.Replace(data, []byte("    discount: 0.9\n"), []byte("    discount: 0.9\n    patience: 3\n"), 1)
	if err := sch.Validate(load(bad)); err == nil {
		t.Error("schema accepts an unknown field")
	}
}

// FuzzParse: no input makes Parse (or Provenance) panic or hang, and a
// failure always says why.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/ok.yaml", "testdata/bad.yaml", "testdata/rules.yaml", "testdata/spatial.yaml", "testdata/beliefs.yaml", "testdata/war.yaml", "testdata/coalition.yaml", "testdata/clauses.yaml", "testdata/given.yaml", "testdata/commitments.yaml", "testdata/ratify.yaml", "../examples/ukraine-2025.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"parley": 1, "issues": [{"id": "a", "integer": {"min": 0, "max": 3}}], "parties": []}`))
	f.Add([]byte("parley: 1\nissues: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, "fuzz.yaml")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if _, err := s.MarshalYAML(); err != nil {
			t.Fatalf("valid scenario does not marshal: %v", err)
		}
		// Provenance validates as Parse does: a valid file classifies.
		if _, err := CheckProvenance(data, "fuzz.yaml"); err != nil {
			t.Fatalf("Parse accepts the file but Provenance does not: %v", err)
		}
	})
}

func TestSpatial(t *testing.T) {
	s := mustLoad(t, "testdata/spatial.yaml")
	tax, mode := &s.Issues[0], &s.Issues[1]
	// tax 15% is value index 5: (15-10)/(30-10) of the way = 25.
	if got, want := tax.Scale.Points[5], 25.0; !near(got, want) {
		t.Errorf("tax scale point = %v, want %v", got, want)
	}
	if got, want := mode.Scale.Points[2], 40.0; got != want {
		t.Errorf("mixed scale point = %v, want %v", got, want)
	}
	if got, want := s.Parties[1].Capability, 70.0; got != want {
		t.Errorf("capability = %v, want %v", got, want)
	}
	if got, want := s.Parties[0].Positions[1], (Position{Position: 10, Salience: 40}); got != want {
		t.Errorf("position = %+v, want %+v", got, want)
	}
	// Round trip keeps the spatial data.
	b, err := s.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Parse(b, "testdata/rt.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if s2.Parties[0].Positions[0] != s.Parties[0].Positions[0] || s2.Issues[1].Scale.Points[2] != 40 {
		t.Error("round trip lost spatial data")
	}
}

func TestSpatialErrors(t *testing.T) {
	cases := []mutation{
		{"salience sum", "salience: 40}", "salience: 41}", `the saliences of "left" sum to 101; they must sum to at most 100`},
		{"no capability", "    capability: 30\n", "", `party "left" takes positions but has no capability`},
		{"zero capability", "capability: 30", "capability: 0", `the capability of "left" is 0`},
		{"missing position", "      mode: {position: 80, salience: 30}\n", "", `party "right" takes no position on scaled issue(s) mode`},
		{"position range", "position: 90", "position: 120", `the position of "left" on "tax" is 120; it must be between 0 and 100`},
		{"unscaled", "      options: {rail: 0, road: 100, mixed: 40}\n", "      options: {rail: 0, road: 100}\n", `places no point for option(s) mixed`},
	}
	checkMutations(t, "testdata/spatial.yaml", cases)
}

func TestLookupNumbers(t *testing.T) {
	s := mustLoad(t, "testdata/ok.yaml")
	salary, remote := &s.Issues[0], &s.Issues[2] // integer 40..60; real 0..5 in 6 steps
	for _, c := range []struct {
		is   *Issue
		id   string
		want int
	}{
		{salary, "50", 10}, {salary, "40", 0}, {salary, "60", 20}, {salary, "50.5", -1}, {salary, "61", -1}, {salary, "x", -1},
		{remote, "3", 3}, {remote, "0", 0}, {remote, "5", 5}, {remote, "2.5", -1}, {remote, "-1", -1},
	} {
		if got := c.is.Lookup(c.id); got != c.want {
			t.Errorf("%s.Lookup(%q) = %d, want %d", c.is.ID, c.id, got, c.want)
		}
	}
}

func TestProvenance(t *testing.T) {
	data, err := os.ReadFile("testdata/ok.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := CheckProvenance(data, "testdata/ok.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// ok.yaml quotes one number (a weight), assumes one (the employer's
	// reservation value) and leaves, among others, the discount plain.
	if pr.Quoted != 1 || pr.Assumed != 1 {
		t.Errorf("quoted %d, assumed %d; want 1 and 1", pr.Quoted, pr.Assumed)
	}
	var found bool
	for _, e := range pr.Plain {
		if strings.Contains(e.Error(), "testdata/ok.yaml:25:15: parties[0].discount = 0.9 cites no source") {
			found = true
		}
	}
	if !found {
		t.Errorf("the plain discount is not reported with its position:\n%v", pr.Plain)
	}
	// 0 and 1 in a value table are definitional, 0.6 is not.
	for _, e := range pr.Plain {
		if strings.Contains(e.Msg, "values.start.now = 1 ") {
			t.Errorf("a table's best option is reported: %v", e)
		}
	}
	if !strings.Contains(pr.Plain.Error(), "parties[0].values.start.month = 0.6") {
		t.Errorf("an intermediate table value is not reported:\n%v", pr.Plain)
	}
}

// TestFlagshipProvenance: every number of the flagship quotes the article
// or states an assumption, as the mission asks.
func TestFlagshipProvenance(t *testing.T) {
	data, err := os.ReadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seed := shared.Dir(t, "seed")
	pr, err := Options{SourceRoots: []string{filepath.Dir(seed)}}.Provenance(data, "../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Plain) > 0 {
		t.Errorf("numbers without a source or an assumption:\n%v", pr.Plain)
	}
	if pr.Quoted < 15 || pr.DirectionOnly < 10 || pr.Assumed < 80 || pr.Unchecked != 0 || len(pr.UncheckedSources) != 0 {
		t.Errorf("quoted %d, direction only %d, assumed %d, unchecked %d (%v)", pr.Quoted, pr.DirectionOnly, pr.Assumed, pr.Unchecked, pr.UncheckedSources)
	}
}
