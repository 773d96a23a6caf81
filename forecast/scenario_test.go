package forecast

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

func TestFromScenario(t *testing.T) {
	s, err := scenario.LoadFile("../scenario/testdata/spatial.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(p.DimensionNames(), ","), "tax,mode"; got != want {
		t.Fatalf("dimensions = %s, want %s", got, want)
	}
	r, err := Compromise(p)
	if err != nil {
		t.Fatal(err)
	}
	// tax: (30·60·90 + 70·50·20) / (30·60 + 70·50) = 232000/5300.
	if got, want := r.Forecast[0], 232000.0/5300; math.Abs(got-want) > 1e-9 {
		t.Errorf("compromise on tax = %v, want %v", got, want)
	}
	if got, want := p.Dimensions[1].Anchors[1].Label, "all road"; got != want {
		t.Errorf("anchor label = %q, want %q", got, want)
	}
	// The discrete issue's options where its scale places them (labelled
	// by id, having no labels); the integer range lists none but its range.
	if got, want := fmt.Sprint(p.Dimensions[1].Options), "[{0 rail rail} {100 road road} {40 mixed mixed}]"; got != want || p.Dimensions[0].Options != nil {
		t.Errorf("options = %s and %v, want %s and none", got, p.Dimensions[0].Options, want)
	}
	if got, want := fmt.Sprint(*p.Dimensions[0].Numeric), "{10 30 21}"; got != want || p.Dimensions[1].Numeric != nil {
		t.Errorf("numeric range = %s and %v, want %s and none", got, p.Dimensions[1].Numeric, want)
	}
}

func TestFlagshipForecasts(t *testing.T) {
	s, err := scenario.LoadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(p.Actors), 4; got != want {
		t.Fatalf("actors = %d, want %d", got, want)
	}
	for _, m := range ModelNames() {
		r, err := Run(p, m, Options{})
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		for d, f := range r.Forecast {
			if !(f >= 0 && f <= 100) {
				t.Errorf("%s: forecast on %s = %v, outside 0-100", m, p.Dimensions[d].Name, f)
			}
		}
	}
}

func TestFromScenarioWithoutScales(t *testing.T) {
	s, err := scenario.LoadFile("../scenario/testdata/ok.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromScenario(s); err == nil || !strings.Contains(err.Error(), "has no issue with a scale") {
		t.Fatalf("err = %v, want the no-scale message", err)
	}
}
