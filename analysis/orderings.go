package analysis

import (
	"fmt"
	"math"

	"github.com/parleyhq/parley/scenario"
)

// A Predictor predicts how talks on a scenario end: the deal signed, its
// timing and every party's expected payoff. The what-if analysis asks it
// about the scenario's agenda and about the package (every issue at
// once), to compare the two orderings of the talks on what each party
// ends with. session.Predictor plays sessions of a fixed line-up; the
// analysis package runs none itself.
type Predictor interface {
	// Describe says how the predictions on s are made, for reports.
	Describe(s *scenario.Scenario) string
	// Predict predicts the talks on s.
	Predict(s *scenario.Scenario) (*Prediction, error)
}

// Prediction is how the talks on one ordering end.
type Prediction struct {
	// Status is the session's (agreed, ratified, not_ratified,
	// no_agreement, failed_phase); End why it ended, Round when.
	Status string `json:"status"`
	End    string `json:"end"`
	Round  int    `json:"round"`
	// Date is the calendar date of Round, when the scenario has a
	// calendar.
	Date string `json:"date,omitempty"`
	// Deal is the deal signed (issue id → label), absent without one;
	// Binding the probability that it binds (every required vote passes).
	Deal    map[string]string `json:"deal,omitempty"`
	Binding float64           `json:"binding"`
	// Phases is how each phase of an agenda went.
	Phases []PredictedPhase `json:"phases,omitempty"`
	// Standing are the clauses that stay in force without a binding deal
	// (issue id → label).
	Standing map[string]string `json:"standing,omitempty"`
	// Payoffs is each party's expected payoff (over the ratification
	// votes), in the order of Orderings.Parties.
	Payoffs []float64 `json:"payoffs"`
}

// PredictedPhase is one phase of a predicted agenda.
type PredictedPhase struct {
	ID     string `json:"id"`
	Agreed bool   `json:"agreed"`
	Round  int    `json:"round"` // the round it closed or failed in
	// Settled is what it agreed (issue id → label).
	Settled map[string]string `json:"settled,omitempty"`
	// KeepsStatusQuo: it agreed on the status quo's values ("no truce
	// now"), so it changed nothing.
	KeepsStatusQuo bool `json:"keeps_status_quo,omitempty"`
}

// Orderings compares the scenario's agenda with the package on the payoffs
// each party can expect (the JSON object what_if.agenda.orderings).
type Orderings struct {
	Model string `json:"model"` // Predictor.Describe
	// Parties are the negotiating parties, then the mediator if any: the
	// order of every Payoffs.
	Parties []string    `json:"parties"`
	Agenda  *Prediction `json:"agenda"`
	Package *Prediction `json:"package"`
	// Prefers says, per party, which ordering gives it more.
	Prefers []Preference `json:"prefers"`
}

// Preference is one party's verdict on the orderings.
type Preference struct {
	Party string `json:"party"`
	// Prefers is agenda, package or either (payoffs within
	// PreferenceTolerance).
	Prefers string `json:"prefers"`
	// Gain is the agenda's expected payoff less the package's.
	Gain float64 `json:"gain"`
}

// PreferenceTolerance is how far two expected payoffs may differ and
// still count as the same to a party: half the last digit reports print
// (four decimals), so that a gain printed as ±0.0000 is never a
// preference (a deal voided with probability 1 − 3·10⁻⁷ is no deal).
const PreferenceTolerance = 5e-5

// Verdicts of a Preference.
const (
	PrefersAgenda  = "agenda"
	PrefersPackage = "package"
	PrefersEither  = "either"
)

// orderings predicts the agenda and the package of s with pr.
func orderings(s *scenario.Scenario, pr Predictor) (*Orderings, error) {
	o := &Orderings{Model: pr.Describe(s), Parties: orderingParties(s)}
	var err error
	if o.Agenda, err = pr.Predict(s); err != nil {
		return nil, fmt.Errorf("analysis: predicting the agenda: %w", err)
	}
	if o.Package, err = pr.Predict(s.Package()); err != nil {
		return nil, fmt.Errorf("analysis: predicting the package: %w", err)
	}
	if len(o.Agenda.Payoffs) != len(o.Parties) || len(o.Package.Payoffs) != len(o.Parties) {
		return nil, fmt.Errorf("analysis: the predictor gave %d and %d payoffs for %d parties", len(o.Agenda.Payoffs), len(o.Package.Payoffs), len(o.Parties))
	}
	for p, id := range o.Parties {
		g := o.Agenda.Payoffs[p] - o.Package.Payoffs[p]
		o.Prefers = append(o.Prefers, Preference{Party: id, Prefers: verdict(g), Gain: g})
	}
	return o, nil
}

func verdict(gain float64) string {
	switch {
	case math.Abs(gain) <= PreferenceTolerance:
		return PrefersEither
	case gain > 0:
		return PrefersAgenda
	}
	return PrefersPackage
}

// orderingParties lists the negotiating parties, then the mediator.
func orderingParties(s *scenario.Scenario) []string {
	var ids []string
	for _, p := range s.Negotiators() {
		ids = append(ids, s.Parties[p].ID)
	}
	if m := s.MediatorIndex(); m >= 0 {
		ids = append(ids, s.Parties[m].ID)
	}
	return ids
}

// OrderingShares is how often, over the sensitivity samples, each party
// prefers each ordering (the JSON object
// what_if.sensitivity.orderings).
type OrderingShares struct {
	Parties []string `json:"parties"`
	// Samples is the number of valid samples predicted (the shares'
	// denominator).
	Samples int       `json:"samples"`
	Agenda  []float64 `json:"agenda"`  // share of samples in which each party prefers the agenda
	Package []float64 `json:"package"` // ... the package
	Either  []float64 `json:"either"`  // ... neither
	// MeanGain is each party's mean of the agenda's expected payoff less
	// the package's.
	MeanGain []float64 `json:"mean_gain"`
}

// orderingTally counts verdicts as samples are predicted.
type orderingTally struct {
	parties             []string
	n                   int
	agenda, pkg, either []int
	gain                []float64
}

func (t *orderingTally) add(o *Orderings) {
	if t.parties == nil {
		t.parties = o.Parties
		k := len(o.Parties)
		t.agenda, t.pkg, t.either, t.gain = make([]int, k), make([]int, k), make([]int, k), make([]float64, k)
	}
	if len(o.Prefers) != len(t.parties) {
		return // the sample changed who takes part; not comparable
	}
	t.n++
	for p, pr := range o.Prefers {
		switch pr.Prefers {
		case PrefersAgenda:
			t.agenda[p]++
		case PrefersPackage:
			t.pkg[p]++
		default:
			t.either[p]++
		}
		t.gain[p] += pr.Gain
	}
}

func (t *orderingTally) shares() *OrderingShares {
	if t.n == 0 {
		return nil
	}
	sh := &OrderingShares{Parties: t.parties, Samples: t.n}
	n := float64(t.n)
	for p := range t.parties {
		sh.Agenda = append(sh.Agenda, float64(t.agenda[p])/n)
		sh.Package = append(sh.Package, float64(t.pkg[p])/n)
		sh.Either = append(sh.Either, float64(t.either[p])/n)
		sh.MeanGain = append(sh.MeanGain, t.gain[p]/n)
	}
	return sh
}
