package compare

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// TestDiffClauses (issue 16, findings 5 and 7): constraints are rules; a
// conditional value and a ratifying body's numbers are numbers, found
// where they sit.
func TestDiffClauses(t *testing.T) {
	for _, c := range []struct {
		file     string
		from, to string
		want     string
	}{
		{"clauses.yaml", "troops: [none]}\n    assumption", "troops: [none, token]}\n    assumption", "rules constraints[guarantee_needs_troops].forbid.troops changed"},
		{"given.yaml", "article5_like: 0.8", "article5_like: 0.7", "numbers parties[ua].values.guarantees.given[1].article5_like changed"},
		{"commitments.yaml", "beneficiaries: [ua, eu]", "beneficiaries: [ua]", "rules guarantees[law].beneficiaries changed"},
		{"ratify.yaml", "uncertainty: 0.03", "uncertainty: 0.04", "numbers parties[ua].ratification[parliament].uncertainty changed"},
	} {
		a, err := os.ReadFile("../scenario/testdata/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		b := bytes.Replace(a, []byte(c.from), []byte(c.to), 1)
		if bytes.Equal(a, b) {
			t.Fatalf("%s lacks %q", c.file, c.from)
		}
		var got []string
		for _, ch := range Files(decodeResolved(t, a), decodeResolved(t, b), nil, nil) {
			got = append(got, ch.Section+" "+ch.Path+" "+ch.Kind)
		}
		if !slices.Contains(got, c.want) {
			t.Errorf("%s: changes %q lack %q", c.file, got, c.want)
		}
	}
}

// TestDiffBodyDefault: a body's number that one file states and the other
// leaves to its default is one change, at the body's name.
func TestDiffBodyDefault(t *testing.T) {
	a, err := os.ReadFile("../scenario/testdata/ratify.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b := bytes.Replace(a, []byte("        cross_community: true\n"), []byte("        cross_community: true\n        uncertainty: 0.1\n"), 1)
	fa, fb := decodeResolved(t, a), decodeResolved(t, b)
	sa, err := scenarioDefaults(t, a)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := scenarioDefaults(t, b)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range Files(fa, fb, sa, sb) {
		got = append(got, ch.Section+" "+ch.Path+" "+ch.Kind+" "+ch.Old+" → "+ch.New)
	}
	want := "numbers parties[ua].ratification[referendum].uncertainty changed 0.05 (default) → 0.1"
	if len(got) != 1 || got[0] != want {
		t.Errorf("changes %q, want [%q]", got, want)
	}
}

func scenarioDefaults(t *testing.T, data []byte) ([]scenario.Default, error) {
	t.Helper()
	s, err := scenario.Parse(data, "../scenario/testdata/ratify.yaml")
	if err != nil {
		return nil, err
	}
	return s.Defaults, nil
}
