package session

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
)

// Predictor predicts how talks end by playing one session of a fixed
// line-up (analysis.Predictor): the what-if analysis compares the agenda
// with the package on the payoffs it gives. Every negotiator built into
// parley but random plays the same session whatever the seed; a session's
// ratification votes are replaced by their probabilities, so that each
// payoff is the one expected over the votes (Runner.ExpectedPayoff).
type Predictor struct {
	// Config is the line-up: Negotiators (nil: linear for every party),
	// Protocol, Mediator, Deadline (zero: the scenario's own, or 100
	// rounds), Seed and AnticipateRatification. Its Scenario, Prepared and
	// hooks are ignored.
	Config Config
}

// PredictorNegotiator plays every party when a Predictor is given no
// line-up: the time-dependent strategy that concedes at a steady rate to
// its reservation value. The orderings are compared, not the strategies,
// so every party gets the same one; parley run's boulware and conceder in
// turn would hand one side the tougher negotiator for its seat alone.
const PredictorNegotiator = "linear"

func (p Predictor) config(s *scenario.Scenario) Config {
	c := p.Config
	c.Scenario, c.Prepared, c.Trace, c.OnEvent, c.OnNote, c.Clock = s, nil, nil, nil, nil, nil
	if c.Negotiators == nil {
		c.Negotiators = []string{PredictorNegotiator}
	}
	if c.Protocol == "" {
		c.Protocol = "saop"
	}
	if c.Deadline == (protocol.Deadline{}) {
		c.Deadline.Rounds = 100
		if s.Deadline > 0 {
			c.Deadline.Rounds = s.Deadline
		}
	}
	return c
}

// Describe says how the predictions on s are made.
func (p Predictor) Describe(s *scenario.Scenario) string {
	c := p.config(s)
	negs := PredictorNegotiator + " for every party"
	if p.Config.Negotiators != nil {
		negs = strings.Join(c.Negotiators, ", ")
	}
	proto := c.Protocol
	if c.Mediator != "" {
		proto += " with mediator " + c.Mediator
	}
	dl := fmt.Sprintf("%d rounds", c.Deadline.Rounds)
	if p.Config.Deadline == (protocol.Deadline{}) && s.Deadline > 0 {
		dl += " (the scenario's deadline)"
	}
	d := fmt.Sprintf("one session: %s under %s, %s, seed %d", negs, proto, dl, c.Seed)
	if c.AnticipateRatification {
		d += ", ratification anticipated"
	}
	return d + "; payoffs expected over the votes"
}

// Predict plays the session on s.
func (p Predictor) Predict(s *scenario.Scenario) (*analysis.Prediction, error) {
	r, err := NewRunner(p.config(s))
	if err != nil {
		return nil, err
	}
	if _, err := r.Play(r.cfg.Seed); err != nil {
		return nil, err
	}
	res := r.Result()
	pr := &analysis.Prediction{Status: string(res.Status), End: res.End, Round: res.Round, Date: res.Date, Deal: res.Agreement}
	if res.Agreed && res.Failure == nil && res.FailedPhase == "" {
		pr.Binding = 1
		for _, v := range res.Ratification {
			if v.Required {
				pr.Binding *= v.Probability
			}
		}
	} else {
		pr.Deal = nil
	}
	for _, ph := range res.Phases {
		if ph.StartRound == 0 && ph.EndRound == 0 && !ph.Agreed {
			continue // never opened
		}
		pp := analysis.PredictedPhase{ID: ph.ID, Agreed: ph.Agreed, Round: ph.EndRound, KeepsStatusQuo: ph.KeepsStatusQuo}
		if ph.Agreed {
			pp.Settled = labels(ph.Outcome)
		}
		pr.Phases = append(pr.Phases, pp)
	}
	if len(r.st.standing) > 0 && r.st.anyStanding {
		var is, vs []int
		for i, st := range r.st.standing {
			if st {
				is, vs = append(is, i), append(vs, r.st.settled[i])
			}
		}
		pr.Standing = labels(values(r.prep, vs, is))
	}
	for m := range r.prep.members {
		pr.Payoffs = append(pr.Payoffs, r.ExpectedPayoff(m))
	}
	return pr, nil
}

// labels is issue id → label of a list of values.
func labels(vs []Value) map[string]string {
	m := make(map[string]string, len(vs))
	for _, v := range vs {
		l := v.Value
		if v.Label != "" {
			l = v.Label
		}
		m[v.Issue] = l
	}
	return m
}
