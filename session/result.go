package session

import (
	"math"
	"time"

	"github.com/parleyhq/parley/protocol"
)

// Result is the outcome of one session with its analysis.
type Result struct {
	Scenario string   `json:"scenario"`
	Protocol string   `json:"protocol"`
	Mediator string   `json:"mediator,omitempty"`
	Deadline Deadline `json:"deadline"`
	Seed     uint64   `json:"seed"`

	Agreed bool `json:"agreed"`
	// End says why the session ended: agreement, deadline, walked out,
	// mediator ended.
	End       string `json:"end"`
	WalkedOut string `json:"walked_out,omitempty"` // the party that ended it
	// Outcome is the agreement, one value per issue (absent without one).
	Outcome      []Value `json:"outcome,omitempty"`
	OutcomeIndex *uint64 `json:"outcome_index,omitempty"`
	Round        int     `json:"round"` // the round in which the session ended
	Time         float64 `json:"time"`  // normalised time at the end, the t of discounting
	Steps        int     `json:"steps"` // actions taken

	// Parties holds each negotiating party's utility: of the agreement, or
	// its reservation value without one.
	Parties []PartyResult `json:"parties"`
	// SocialWelfare is the sum of the parties' (undiscounted) utilities.
	SocialWelfare           float64 `json:"social_welfare"`
	DiscountedSocialWelfare float64 `json:"discounted_social_welfare"`
	// DistanceToPareto and DistanceToNash are Euclidean distances in the
	// parties' (undiscounted) utility space from the result's utility
	// vector to the nearest Pareto-optimal point and to the Nash point.
	// Absent when the analysis is not available for the scenario.
	DistanceToPareto *float64  `json:"distance_to_pareto,omitempty"`
	DistanceToNash   *float64  `json:"distance_to_nash,omitempty"`
	Nash             []float64 `json:"nash,omitempty"` // the Nash point's utilities
	AnalysisNote     string    `json:"analysis_note,omitempty"`
}

// Deadline is the JSON form of a protocol.Deadline.
type Deadline struct {
	Rounds int    `json:"rounds,omitempty"`
	Time   string `json:"time,omitempty"`
}

// Value is one issue's value in an outcome.
type Value struct {
	Issue string `json:"issue"`
	Value string `json:"value"`
	Label string `json:"label,omitempty"` // when it differs from Value
}

// PartyResult is one party's share of a result.
type PartyResult struct {
	ID          string  `json:"id"`
	Negotiator  string  `json:"negotiator"`
	Utility     float64 `json:"utility"`
	Discounted  float64 `json:"discounted_utility"`
	Reservation float64 `json:"reservation_value"`
	Discount    float64 `json:"discount_factor"`
}

// Outcome returns how the last session ended.
func (r *Runner) Outcome() protocol.Outcome { return r.out }

// Result builds the full result of the last session played.
func (r *Runner) Result() Result {
	p, o := r.prep, r.out
	res := Result{
		Scenario: p.Scenario.Name,
		Protocol: r.proto.Name(),
		Deadline: Deadline{Rounds: r.cfg.Deadline.Rounds},
		Seed:     r.seed,
		Agreed:   o.Agreed,
		End:      o.Reason.String(),
		Round:    o.Round,
		Time:     o.T,
		Steps:    o.Steps,
	}
	if r.cfg.Deadline.Time > 0 {
		res.Deadline.Time = r.cfg.Deadline.Time.String()
	}
	if len(r.seats) > len(p.Seats) {
		res.Mediator = r.seats[len(p.Seats)].spec.String()
	}
	if o.Seat >= 0 {
		res.WalkedOut = r.SeatName(o.Seat)
	}
	buf := make([]int, p.Space.Issues())
	if o.Agreed {
		idx := o.Outcome
		res.OutcomeIndex = &idx
		p.Space.Decode(idx, buf)
		for i, v := range buf {
			is := &p.Scenario.Issues[i]
			val := Value{Issue: is.ID, Value: is.Value(v)}
			if l := is.Label(v); l != val.Value {
				val.Label = l
			}
			res.Outcome = append(res.Outcome, val)
		}
	}
	us := make([]float64, len(p.Seats))
	for s := range p.Seats {
		u := p.Utilities[s]
		pr := PartyResult{ID: r.SeatName(s), Negotiator: r.seats[s].spec.String(), Reservation: u.Reservation, Discount: u.Discount}
		if o.Agreed {
			pr.Utility = u.Utility(buf)
		} else {
			pr.Utility = u.Reservation
		}
		pr.Discounted = u.Discounted(pr.Utility, o.T)
		us[s] = pr.Utility
		res.SocialWelfare += pr.Utility
		res.DiscountedSocialWelfare += pr.Discounted
		res.Parties = append(res.Parties, pr)
	}
	p.analysis.fill(p, us, &res)
	return res
}

// Elapsed is a convenience for callers that pass a Clock: it returns a
// clock that reads the time since start.
func Elapsed(start time.Time) func() time.Duration {
	return func() time.Duration { return time.Since(start) }
}

func dist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}
