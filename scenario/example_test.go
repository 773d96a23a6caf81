package scenario_test

import (
	"fmt"

	"github.com/parleyhq/parley/scenario"
)

// Load a scenario and evaluate an outcome for every party.
func ExampleParse() {
	sc, err := scenario.Parse([]byte(`parley: 1
name: Deal
issues:
  - id: price
    options: [{id: low}, {id: mid}, {id: high}]
  - id: delivery
    options: [{id: fast}, {id: slow}]
parties:
  - id: buyer
    weights: {price: 0.7, delivery: 0.3}
    values:
      price: {low: 1, mid: 0.6, high: 0}
      delivery: {fast: 1, slow: 0}
  - id: seller
    weights: {price: 0.8, delivery: 0.2}
    values:
      price: {low: 0, mid: 0.5, high: 1}
      delivery: {fast: 0, slow: 1}
`), "deal.yaml")
	if err != nil {
		fmt.Println(err) // every problem, with file:line:column
		return
	}
	deal := []int{sc.Issues[0].Lookup("mid"), sc.Issues[1].Lookup("fast")}
	for i, p := range sc.Parties {
		fmt.Printf("%s: %.2f\n", p.ID, sc.Utility(i).Utility(deal))
	}
	// Output:
	// buyer: 0.72
	// seller: 0.40
}

// Errors come all at once, each with its position.
func ExampleParse_errors() {
	_, err := scenario.Parse([]byte(`parley: 1
issues:
  - id: price
    options: [{id: low}, {id: high}]
parties:
  - id: buyer
    weights: {price: 1}
    values:
      price: {low: 1, hihg: 0}
`), "deal.yaml")
	fmt.Println(err)
	// Output:
	// deal.yaml:6:3: a negotiation needs at least 2 negotiating parties; found 1
	// deal.yaml:9:14: "buyer"'s value function for "price" gives no value for option(s) high
	// deal.yaml:9:29: "buyer"'s value function for "price" names "hihg", which is not an option of "price" (did you mean "high"?) (options: low, high)
}
