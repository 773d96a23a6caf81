package negotiator

import "fmt"

// OpponentModeler is implemented by strategies that model the other
// parties' preferences. OpponentModel returns the strategy's estimate of
// seat's utility of each outcome (by outcome index), or nil when it has
// none for that seat. Only the ranking it gives the outcomes counts (ANL
// 2026 scores it by Kendall's τ against the true utility), so any scale
// will do. The runner reads it at the end of a session; the function is
// valid until the negotiator's next Reset.
type OpponentModeler interface {
	OpponentModel(seat int) func(outcome uint64) float64
}

// CheckPublic reports a strategy that needs the other parties' utility
// functions (Info.Public) seated where they are private.
func (s Spec) CheckPublic(public bool) error {
	if s.Info.Public && !public {
		return fmt.Errorf("%s uses the other parties' utility functions, which this scenario keeps private; it plays where they are public, as in ANL's league (parley league anl2024)", s.Info.Name)
	}
	return nil
}

// publicModel is the model of a strategy that knows seat's utility
// function because the scenario made it public: exact, up to the
// reservation value it does not know.
func publicModel(s *Setup, seat int) func(uint64) float64 {
	if s == nil || seat < 0 || seat >= len(s.Others) || s.Others[seat] == nil {
		return nil
	}
	x := s.Others[seat]
	buf := make([]int, x.Space().Issues())
	return func(id uint64) float64 { return x.Utility(id, buf) }
}

// OpponentModel implements OpponentModeler: the frequency model of seat
// learnt from its offers (nil before it made any).
func (n *Frequency) OpponentModel(seat int) func(uint64) float64 {
	if seat < 0 || seat >= len(n.models) || seat == n.s.Seat || n.models[seat].Offers() == 0 {
		return nil
	}
	m := &n.models[seat]
	buf := make([]int, n.s.Space.Issues())
	return func(id uint64) float64 {
		n.s.Space.Decode(id, buf)
		return m.Utility(buf)
	}
}
