package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// chairScenario is a two-party scenario with a third party, chair, that the
// scenario names as mediator without giving it a role.
const chairScenario = `parley: 1
name: Chaired
mediator: chair
issues:
  - id: price
    options: [{id: low}, {id: mid}, {id: high}]
  - id: terms
    options: [{id: short}, {id: long}]
parties:
  - id: buyer
    weights: {price: 0.7, terms: 0.3}
    values:
      price: {low: 1, mid: 0.5, high: 0}
      terms: {short: 0.2, long: 1}
  - id: seller
    weights: {price: 0.6, terms: 0.4}
    values:
      price: {low: 0, mid: 0.6, high: 1}
      terms: {short: 1, long: 0.3}
  - id: chair
    weights: {price: 0.5, terms: 0.5}
    values:
      price: {low: 0.5, mid: 1, high: 0.5}
      terms: {short: 0.5, long: 0.5}
`

// TestMediatorByName: a party named by mediator: is the mediator for every
// command alike. It used to be analysed as a third party, run as a
// mediator, and fail a tournament at its first session.
func TestMediatorByName(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "chaired.yaml")
	if err := os.WriteFile(path, []byte(chairScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI("validate", path); code != 0 {
		t.Fatalf("validate: exit %d: %s", code, errs)
	}
	code, out, errs := runCLI("analyze", path, "--json")
	if code != 0 {
		t.Fatalf("analyze: exit %d: %s", code, errs)
	}
	var rep struct{ Parties []string }
	if err := json.Unmarshal([]byte(out), &rep); err != nil || strings.Join(rep.Parties, ",") != "buyer,seller" {
		t.Errorf("analyze: parties %v (%v), want buyer,seller", rep.Parties, err)
	}
	code, out, errs = runCLI("run", path, "-n", "conceder", "-p", "mediated", "-m", "veto", "-r", "20", "--json")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, errs)
	}
	var res struct {
		Parties []struct{ ID string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Parties) != 2 {
		t.Errorf("run: parties %+v (%v), want 2", res.Parties, err)
	}
	spec := filepath.Join(dir, "t.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf("scenarios: [%s]\nnegotiators: [boulware, conceder]\nprotocol: mediated\nmediator: veto\n", path)), 0o644)
	code, out, errs = runCLI("tournament", spec, "--db", filepath.Join(dir, "t.db"), "--progress", "none")
	if code != 0 || !strings.Contains(out, "4 of 4 sessions recorded") {
		t.Errorf("tournament: exit %d: %s\n%s", code, errs, out)
	}
}

// TestOnePartyEverywhere: a one-party input gets the same positioned error
// from every command; analyze used to panic on it.
func TestOnePartyEverywhere(t *testing.T) {
	dir := t.TempDir()
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	one := filepath.Join(dir, "laptop1")
	os.Mkdir(one, 0o755)
	for _, f := range []string{"laptop_domain.xml", "laptop_buyer_utility.xml"} {
		data, err := os.ReadFile(filepath.Join(laptop, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(one, f), data, 0o644)
	}
	solo := filepath.Join(dir, "solo.yaml")
	text := strings.Replace(chairScenario, "mediator: chair\n", "", 1)
	os.WriteFile(solo, []byte(text[:strings.Index(text, "  - id: seller")]), 0o644)
	for _, c := range []struct{ path, at string }{
		{"../../scenario/geniusweb/testdata/laptop/buyer.json", "scenario/geniusweb/testdata/laptop/buyer.json: "},
		{one, filepath.Join(one, "laptop_domain.xml") + ": "},
		{solo, solo + ":9:"},
	} {
		for _, cmd := range [][]string{{"validate"}, {"analyze"}, {"analyze", "--what-if"}, {"run", "-n", "boulware"}, {"convert"}} {
			args := append(append([]string{}, cmd...), c.path)
			code, _, errs := runCLI(args...)
			if code == 0 || !strings.Contains(errs, c.at) || !strings.Contains(errs, "a negotiation needs at least 2 negotiating parties; found 1") || strings.Contains(errs, "panic") {
				t.Errorf("parley %s: exit %d, stderr %q", strings.Join(args, " "), code, errs)
			}
		}
	}
}
