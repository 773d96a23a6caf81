package tournament

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// copyDir copies the files of folder src into a new folder dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// planAt writes a spec into dir and resolves it.
func planAt(t *testing.T, dir, text string) (*Plan, error) {
	t.Helper()
	path := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSpec(path)
	if err != nil {
		return nil, err
	}
	return NewPlan(s)
}

// paths lists a plan's scenario paths.
func paths(p *Plan) []string {
	var ps []string
	for _, s := range p.Scenarios {
		ps = append(ps, s.Path)
	}
	return ps
}

// TestScenarioPatterns: scenarios may be patterns, and exclude leaves out
// scenarios by name or by path (or a folder they lie in); a pattern or an
// exclusion that matches nothing is an error at its position.
func TestScenarioPatterns(t *testing.T) {
	d := domainsDir(t)
	dir := t.TempDir()
	for _, dom := range []string{"ANAC2011_Laptop", "ANAC2011_Car", "ANAC2015_Tram"} {
		copyDir(t, filepath.Join(d, dom), filepath.Join(dir, "domains", dom))
	}
	copyDir(t, filepath.Join(d, "ANAC2011_Laptop"), filepath.Join(dir, "more", "old", "ANAC2011_Laptop"))
	copyDir(t, filepath.Join(d, "ANAC2011_Car"), filepath.Join(dir, "more", "new", "ANAC2011_Car"))
	const head = "seed: 1\nnegotiators: [boulware, conceder]\n"
	for _, c := range []struct {
		spec string
		want []string
	}{
		{"scenarios: [domains]\n", []string{"domains/ANAC2011_Car", "domains/ANAC2011_Laptop", "domains/ANAC2015_Tram"}},
		{"scenarios: [domains/ANAC2011_*]\n", []string{"domains/ANAC2011_Car", "domains/ANAC2011_Laptop"}},
		{"scenarios: ['*/*/ANAC2011_*', domains/ANAC2015_Tram]\n", []string{"more/new/ANAC2011_Car", "more/old/ANAC2011_Laptop", "domains/ANAC2015_Tram"}},
		{"scenarios: [domains]\nexclude: [ANAC2011_Car]\n", []string{"domains/ANAC2011_Laptop", "domains/ANAC2015_Tram"}},
		{"scenarios: [domains]\nexclude: ['*2011*']\n", []string{"domains/ANAC2015_Tram"}},
		{"scenarios: [domains/ANAC2015_Tram, 'more/*/*']\nexclude: [more/old]\n", []string{"domains/ANAC2015_Tram", "more/new/ANAC2011_Car"}},
		{"scenarios: [domains, more/old/ANAC2011_Laptop]\nexclude: [domains/ANAC2011_L*, domains/ANAC2015_Tram]\n", []string{"domains/ANAC2011_Car", "more/old/ANAC2011_Laptop"}},
	} {
		p, err := planAt(t, dir, head+c.spec)
		if err != nil {
			t.Errorf("%s: %v", c.spec, err)
			continue
		}
		if got := paths(p); !slices.Equal(got, c.want) {
			t.Errorf("%s: scenarios %q, want %q", c.spec, got, c.want)
		}
	}
	for _, c := range []struct{ spec, want string }{
		{"scenarios: [domains/ANAC2099_*]\n", "spec.yaml:3:13: scenarios[0]: domains/ANAC2099_*: the pattern matches nothing"},
		{"scenarios: [domains]\nexclude: [Car]\n", "spec.yaml:4:11: exclude[0]: Car matches no scenario of the list"},
		{"scenarios: [domains]\nexclude: ['*']\n", "spec.yaml:4:1: exclude leaves no scenario"},
		{"scenarios: ['domains/[A']\n", `spec.yaml:3:13: scenarios[0]: "domains/[A" is not a valid pattern`},
		{"scenarios: [domains]\nexclude: ['[']\n", `spec.yaml:4:11: exclude[0]: "[" is not a valid pattern`},
		{"scenarios: [domains]\nexclude: ['']\n", "spec.yaml:4:11: exclude[0]: empty pattern"},
	} {
		_, err := planAt(t, dir, head+c.spec)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.spec, err, c.want)
		}
	}
}

// TestResumeComparesContents: a tournament's scenarios are compared by the
// contents the loader reads, not by their paths: moving the spec or the
// domain folders is no change; editing a domain file is, and so is moving
// a scenario in the order; files the loader does not read (a Genius
// folder's expected.json, a README) are not.
func TestResumeComparesContents(t *testing.T) {
	d := domainsDir(t)
	dir := t.TempDir()
	copyDir(t, filepath.Join(d, "ANAC2011_Laptop"), filepath.Join(dir, "a", "laptop"))
	copyDir(t, filepath.Join(d, "ANAC2015_Tram"), filepath.Join(dir, "a", "tram"))
	const neg = "seed: 1\nnegotiators: [boulware, conceder]\n"
	before, err := planAt(t, filepath.Join(dir, "a"), neg+"scenarios: [laptop, tram]\n")
	if err != nil {
		t.Fatal(err)
	}
	diff := func(text, sub string) []string {
		t.Helper()
		p, err := planAt(t, filepath.Join(dir, sub), text)
		if err != nil {
			t.Fatal(err)
		}
		return before.Canonical.Diff(p.Canonical)
	}
	// The domains moved (and renamed), the spec in another folder.
	if err := os.Rename(filepath.Join(dir, "a"), filepath.Join(dir, "b")); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "spec"), 0o755)
	if err := os.Rename(filepath.Join(dir, "b", "laptop"), filepath.Join(dir, "b", "LaptopDomain")); err != nil {
		t.Fatal(err)
	}
	if d := diff(neg+"scenarios: [../b/LaptopDomain, ../b/tram]\n", "spec"); d != nil {
		t.Errorf("moved domains: %q", d)
	}
	// Files the Genius loader does not read.
	os.WriteFile(filepath.Join(dir, "b", "tram", "expected.json"), []byte(`{"changed": true}`), 0o644)
	os.WriteFile(filepath.Join(dir, "b", "tram", "README.md"), []byte("notes"), 0o644)
	if d := diff(neg+"scenarios: [../b/LaptopDomain, ../b/tram]\n", "spec"); d != nil {
		t.Errorf("files the loader does not read changed: %q", d)
	}
	if d := diff(neg+"scenarios: [../b/tram, ../b/LaptopDomain]\n", "spec"); len(d) != 2 || !strings.Contains(d[0], "scenario ../b/tram moved in the order (from 2 to 1)") {
		t.Errorf("reordered: %q", d)
	}
	// An XML file the loader reads, though it is no profile.
	os.WriteFile(filepath.Join(dir, "b", "tram", "pareto.xml"), []byte("0.1 0.2\n"), 0o644)
	if d := diff(neg+"scenarios: [../b/LaptopDomain, ../b/tram]\n", "spec"); len(d) != 2 || d[0] != "scenario ../b/tram added" || d[1] != "scenario tram removed" {
		t.Errorf("a file the loader reads added: %q", d)
	}
	// An edited profile, where the spec names the same path.
	os.Remove(filepath.Join(dir, "b", "tram", "pareto.xml"))
	os.Rename(filepath.Join(dir, "b"), filepath.Join(dir, "a"))
	f := filepath.Join(dir, "a", "tram", "Tram_Profile1.xml")
	if _, err := os.Stat(f); err != nil {
		entries, _ := os.ReadDir(filepath.Join(dir, "a", "tram"))
		t.Fatalf("no %s: %v", f, entries)
	}
	b, _ := os.ReadFile(f)
	os.WriteFile(f, append(b, "\n<!-- edited -->\n"...), 0o644)
	if d := diff(neg+"scenarios: [LaptopDomain, tram]\n", "a"); len(d) != 1 || !strings.HasPrefix(d[0], "scenario tram: its files changed") {
		t.Errorf("an edited profile: %q", d)
	}
}

// TestFingerprint: a scenario's fingerprint covers exactly the files its
// loader reads: a parley file's contents (not its name), a Genius folder's
// XML files, a GeniusWeb folder's JSON files, each with its name.
func TestFingerprint(t *testing.T) {
	dir := t.TempDir()
	fp := func(p string) string {
		t.Helper()
		h, err := fingerprint(p)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	// A parley file: contents only.
	b, err := os.ReadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	one, two := filepath.Join(dir, "one.yaml"), filepath.Join(dir, "two.yaml")
	os.WriteFile(one, b, 0o644)
	os.WriteFile(two, b, 0o644)
	if fp(one) != fp(two) {
		t.Error("the same scenario under two names has two fingerprints")
	}
	os.WriteFile(two, append(b, '\n'), 0o644)
	if fp(one) == fp(two) {
		t.Error("an edited scenario file keeps its fingerprint")
	}
	// A GeniusWeb folder: every JSON file counts (the loader reads each to
	// find the profiles), whatever its name; nothing else does.
	gw := filepath.Join(dir, "gw")
	copyDir(t, "../scenario/geniusweb/testdata/laptop", gw)
	h := fp(gw)
	os.WriteFile(filepath.Join(gw, "notes.txt"), []byte("x"), 0o644)
	if fp(gw) != h {
		t.Error("a text file changed a GeniusWeb folder's fingerprint")
	}
	os.WriteFile(filepath.Join(gw, "expected.json"), []byte("{}"), 0o644)
	if fp(gw) == h {
		t.Error("a JSON file the GeniusWeb loader reads did not change the fingerprint")
	}
	// A renamed profile is another party.
	g2 := filepath.Join(dir, "g2")
	copyDir(t, "../scenario/geniusweb/testdata/laptop", g2)
	os.Rename(filepath.Join(g2, "buyer.json"), filepath.Join(g2, "purchaser.json"))
	if fp(g2) == h {
		t.Error("a renamed profile kept the fingerprint")
	}
}
