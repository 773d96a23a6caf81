package analysis_test

import (
	"fmt"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/scenario"
)

// Analyse a scenario: its Pareto frontier, Nash point and zone of possible
// agreement.
func ExampleAnalyze() {
	sc, err := scenario.Parse([]byte(`parley: 1
name: Deal
issues:
  - id: price
    options: [{id: low}, {id: mid}, {id: high}]
  - id: delivery
    options: [{id: fast}, {id: slow}]
parties:
  - id: buyer
    reservation: 0.2
    weights: {price: 0.7, delivery: 0.3}
    values:
      price: {low: 1, mid: 0.6, high: 0}
      delivery: {fast: 1, slow: 0}
  - id: seller
    reservation: 0.2
    weights: {price: 0.8, delivery: 0.2}
    values:
      price: {low: 0, mid: 0.5, high: 1}
      delivery: {fast: 0, slow: 1}
`), "deal.yaml")
	if err != nil {
		panic(err)
	}
	r, err := analysis.Analyze(sc, analysis.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println("outcomes:", r.Outcomes, "on the frontier:", r.Pareto.Count, "acceptable to both:", r.Zopa.Count)
	n := r.Nash[0]
	fmt.Printf("Nash: price %s, delivery %s, utilities %.2f\n", n.Outcome["price"], n.Outcome["delivery"], n.Utilities)
	// Output:
	// outcomes: 6 on the frontier: 5 acceptable to both: 4
	// Nash: price mid, delivery fast, utilities [0.72 0.40]
}
