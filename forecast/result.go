package forecast

import (
	"fmt"
	"math"
)

// Result is what every model returns. All positions are on the 0–100 scale
// of the input. JSON field names are given in the struct tags.
type Result struct {
	// Model is the model's key: "compromise", "mean", "median", "smp" or "eum".
	Model string `json:"model"`
	// Label names the model and its source in words.
	Label string `json:"label"`
	// Dimensions and Actors name the indices used below.
	Dimensions []string `json:"dimensions"`
	Actors     []string `json:"actors"`
	// Forecast is the predicted outcome per dimension.
	Forecast []float64 `json:"forecast"`
	// Expected is, for SMP, the win-probability-weighted mean of the final
	// positions per dimension (Forecast is the most probable position).
	Expected []float64 `json:"expected,omitempty"`
	// Rounds is the trajectory: round 0 is the input, one entry per model
	// round after it. Closed-form models have round 0 only.
	Rounds []Round `json:"rounds"`
	// Converged reports whether the model reached its stopping rule before
	// its round limit; Stop says in words why it stopped.
	Converged bool   `json:"converged"`
	Stop      string `json:"stop"`
	// Inactive names the actors with zero salience on every dimension:
	// they take no part in any model (Actor.TakesPart) and keep their
	// positions.
	Inactive []string `json:"inactive,omitempty"`
}

// Round is the state of the model after one round.
type Round struct {
	Round int `json:"round"`
	// Positions is [actor][dimension], 0–100.
	Positions [][]float64 `json:"positions"`
	// Forecast is the model's forecast per dimension at this round.
	Forecast []float64 `json:"forecast"`
	// Stopping is the stopping measure after this round (absent for round 0):
	// SMP: KTAB's fractional change Σ‖x(t)−x(t−1)‖ / (Σ‖x(1)−x(0)‖ + 1e-4)
	// on the [0,1] scale, stop below 0.02; EUM: total movement Σ|Δx| on the
	// 0–100 scale, stop at 0 (no actor received an offer).
	Stopping *float64 `json:"stopping,omitempty"`
	// WinProb is, for SMP, the probability that each actor's position wins a
	// probabilistic Condorcet election among the distinct positions ([actor];
	// actors sharing a position share its probability, so they may sum to
	// more than 1).
	WinProb []float64 `json:"win_prob,omitempty"`
	// RiskAttitude is, for SMP, each actor's inferred risk attitude R_i in
	// [−½, 1] computed at the start of the round from this round's positions.
	RiskAttitude []float64 `json:"risk_attitude,omitempty"`
	// RiskExponent is, for EUM, [actor][dimension] risk exponent r_i in
	// [0.5, 2] used for the offers that produced this round.
	RiskExponent [][]float64 `json:"risk_exponent,omitempty"`
	// Offers are, for EUM, the offers every actor received in the round that
	// produced this one.
	Offers []Offer `json:"offers,omitempty"`
}

// Offer is one EUM offer received in a round.
type Offer struct {
	// Dimension indexes Result.Dimensions.
	Dimension int `json:"dimension"`
	// From proposes, To receives (indices into Result.Actors).
	From int `json:"from"`
	To   int `json:"to"`
	// Type is "conflict", "compromise" or "capitulation".
	Type string `json:"type"`
	// EUReceiver is E^To(U_To,From), EUProposer is E^To(U_From,To): both from
	// the receiver's perspective.
	EUReceiver float64 `json:"eu_receiver"`
	EUProposer float64 `json:"eu_proposer"`
	// Position is where the receiver would move (0–100 scale).
	Position float64 `json:"position"`
	// Accepted marks the offer the receiver chose.
	Accepted bool `json:"accepted"`
}

func f64p(v float64) *float64 { return &v }

// checkFinite refuses a result with a position or forecast that is not a
// finite number, saying where and what in the input can cause it.
func (r *Result) checkFinite(p *Problem) error {
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	where := ""
	for d, x := range r.Forecast {
		if bad(x) {
			where = fmt.Sprintf("the forecast of %s is %v", r.Dimensions[d], x)
			break
		}
	}
	for _, rd := range r.Rounds {
		for i, ps := range rd.Positions {
			for d, x := range ps {
				if where == "" && bad(x) {
					where = fmt.Sprintf("%s's position on %s in round %d is %v", r.Actors[i], r.Dimensions[d], rd.Round, x)
				}
			}
		}
	}
	if where == "" {
		return nil
	}
	why := "an input the model cannot weigh"
	for d := range p.Dimensions {
		zero := true
		for _, a := range p.Actors {
			zero = zero && a.Saliences[d] == 0
		}
		if zero {
			why = fmt.Sprintf("no actor cares about %s (every salience is 0)", dimName(p, d))
			break
		}
	}
	return fmt.Errorf("%s: %s, not a number; the likely cause: %s", r.Model, where, why)
}
