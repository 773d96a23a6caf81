package analysis

import (
	"fmt"
	"math"
	"slices"

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

// OrderingCounts tallies, over samples, which ordering each party prefers
// (a SensitivityPart's share of the report's OrderingShares). Gains are
// summed in units of 10^-12, so that parts add up exactly, in any split.
type OrderingCounts struct {
	Parties []string `json:"parties"`
	N       int      `json:"n"`
	Agenda  []int    `json:"agenda"`
	Package []int    `json:"package"`
	Either  []int    `json:"either"`
	Gain    []int64  `json:"gain"`
}

// gainUnit is the resolution of OrderingCounts.Gain.
const gainUnit = 1e-12

func (t *OrderingCounts) init(parties []string) {
	t.Parties = parties
	k := len(parties)
	t.Agenda, t.Package, t.Either, t.Gain = make([]int, k), make([]int, k), make([]int, k), make([]int64, k)
}

func (t *OrderingCounts) add(o *Orderings) {
	if t.Parties == nil {
		t.init(o.Parties)
	}
	if len(o.Prefers) != len(t.Parties) {
		return // the sample changed who takes part; not comparable
	}
	t.N++
	for p, pr := range o.Prefers {
		switch pr.Prefers {
		case PrefersAgenda:
			t.Agenda[p]++
		case PrefersPackage:
			t.Package[p]++
		default:
			t.Either[p]++
		}
		t.Gain[p] += int64(math.Round(pr.Gain / gainUnit))
	}
}

// merge adds u's counts to t's: u comes from the samples after t's. A part
// whose first sample had other parties than the first part's is left out,
// as such samples are when drawn in one place.
func (t *OrderingCounts) merge(u *OrderingCounts) error {
	if u == nil || u.N == 0 {
		return nil
	}
	k := len(u.Parties)
	if len(u.Agenda) != k || len(u.Package) != k || len(u.Either) != k || len(u.Gain) != k {
		return fmt.Errorf("analysis: a sensitivity part's ordering counts have %d parties but counts for %d, %d, %d, %d", k, len(u.Agenda), len(u.Package), len(u.Either), len(u.Gain))
	}
	if t.Parties == nil {
		t.init(u.Parties)
	}
	if !slices.Equal(t.Parties, u.Parties) {
		return nil
	}
	t.N += u.N
	for p := range t.Parties {
		t.Agenda[p] += u.Agenda[p]
		t.Package[p] += u.Package[p]
		t.Either[p] += u.Either[p]
		t.Gain[p] += u.Gain[p]
	}
	return nil
}

func (t *OrderingCounts) shares() *OrderingShares {
	if t.N == 0 {
		return nil
	}
	sh := &OrderingShares{Parties: t.Parties, Samples: t.N}
	n := float64(t.N)
	for p := range t.Parties {
		sh.Agenda = append(sh.Agenda, float64(t.Agenda[p])/n)
		sh.Package = append(sh.Package, float64(t.Package[p])/n)
		sh.Either = append(sh.Either, float64(t.Either[p])/n)
		sh.MeanGain = append(sh.MeanGain, float64(t.Gain[p])*gainUnit/n)
	}
	return sh
}
