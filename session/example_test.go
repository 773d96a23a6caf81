package session_test

import (
	"fmt"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/session"
)

// deal is a small scenario: a buyer and a seller, price and delivery.
const deal = `parley: 1
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
`

// Run a session between two built-in strategies.
func ExampleRun() {
	sc, err := scenario.Parse([]byte(deal), "deal.yaml")
	if err != nil {
		panic(err)
	}
	res, err := session.Run(session.Config{Scenario: sc, Negotiators: []string{"boulware", "conceder"}, Deadline: protocol.Deadline{Rounds: 20}})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Status, "in round", res.Round)
	for _, v := range res.Outcome {
		fmt.Println(v.Issue, "=", v.Value)
	}
	// Output:
	// agreed in round 18
	// price = mid
	// delivery = fast
}

// fair is a negotiator of one's own: it offers the outcome nearest to
// 0.5 of its own utility and accepts anything worth as much.
type fair struct {
	s   *negotiator.Setup
	buf []int
}

func (f *fair) Reset(s *negotiator.Setup) { f.s, f.buf = s, make([]int, s.Space.Issues()) }

func (f *fair) Observe(protocol.Event) {}

func (f *fair) Act(t protocol.Turn) protocol.Action {
	if t.Phase == protocol.PhaseRespond && f.s.Index.Utility(t.Outcome, f.buf) >= 0.5 {
		return protocol.Accept
	}
	id, _, ok := f.s.Index.AtLeast(0.5, f.buf)
	if !ok {
		return protocol.End
	}
	return protocol.Offer(id)
}

// Seat a negotiator written in Go next to a built-in one.
func ExampleConfig_custom() {
	sc, _ := scenario.Parse([]byte(deal), "deal.yaml")
	res, err := session.Run(session.Config{Scenario: sc,
		Negotiators: []string{"fair", "conceder"},
		Custom:      map[string]func() negotiator.Negotiator{"fair": func() negotiator.Negotiator { return &fair{} }},
		Deadline:    protocol.Deadline{Rounds: 30}})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s in round %d: buyer %.2f, seller %.2f\n", res.Status, res.Round, res.Parties[0].Utility, res.Parties[1].Utility)
	// Output:
	// agreed in round 19: buyer 0.72, seller 0.40
}
