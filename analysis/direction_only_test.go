package analysis

import (
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// TestSensitivitySamplesDirectionOnly (issue 16, finding 8): a number
// whose quote gives only its direction carries its size as an assumption
// with a range, and the sensitivity analysis samples it like any other
// assumed number, and every sample stays valid (its quote is not needed).
func TestSensitivitySamplesDirectionOnly(t *testing.T) {
	text := `parley: 1
name: direction
sources: [{id: memo, url: "https://example.org/memo"}]
issues:
  - {id: x, options: [{id: a}, {id: b}]}
  - {id: y, options: [{id: a}, {id: b}]}
parties:
  - id: p
    weights:
      x:
        value: 0.7
        source: {document: memo, quote: "x matters most to p", direction_only: true}
        assumption: {why: "most, by how much is not said", range: [0.55, 0.95]}
      y: {value: 0.3, source: {document: memo, quote: "y matters less"}}
    values: {x: {a: 1, b: 0}, y: {a: 1, b: 0}}
  - {id: q, weights: {x: 0.5, y: 0.5}, values: {x: {a: 0, b: 1}, y: {a: 0, b: 1}}}
`
	f, err := scenario.DecodeFile([]byte(text), "direction.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Sensitivity(f, "direction.yaml", SensitivityOptions{Samples: 400, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Assumptions) != 1 || rep.Assumptions[0].Path != "parties[0].weights.x" || rep.Assumptions[0].Range != [2]float64{0.55, 0.95} {
		t.Fatalf("sampled %+v; want the direction-only weight over [0.55, 0.95]", rep.Assumptions)
	}
	if rep.Valid != 400 {
		t.Fatalf("%d valid samples of 400 (%s)", rep.Valid, rep.FirstError)
	}
}
