package scenario

import (
	"fmt"
	"slices"
	"strings"
)

// InfluenceDef makes the mediator movable (issue 16, finding 4: Europe's
// lever is the mediator): at the start of every round its weights move a
// share rate of the way toward the lobbying parties' weights, each party
// pulling in proportion to its capability.
type InfluenceDef struct {
	Rule   string    `yaml:"rule" json:"rule" jsonschema:"enum=capability" jsonschema_description:"How the parties pull: capability (in proportion to each party's capability)."`
	Rate   Number    `yaml:"rate" json:"rate" jsonschema_description:"The share of the way toward the parties' weights the mediator's weights move each round, in (0, 1]."`
	From   []string  `yaml:"from,omitempty" json:"from,omitempty" jsonschema_description:"The parties that lobby the mediator (default: every negotiating party with a capability)."`
	Source *Citation `yaml:"source,omitempty" json:"source,omitempty"`
}

// Influence is how the parties move the mediator's weights: in round r ≥
// 1, before the events of the round, w_r = (1 − Rate)·w_{r−1} +
// Rate·Σ_k Pull_k·W_k, W_k being the weights of party From[k] as the
// events so far leave them and Pull_k its share of their capabilities. An
// event that sets the mediator's weights sets them from its round on, and
// the pull goes on from there.
type Influence struct {
	Rate float64
	From []int     // party indices
	Pull []float64 // each one's share of the pull; they sum to 1
}

// MediatorWeights returns the mediator's weights in round r (0: before the
// first turn) under the scenario's influence, or nil when there is none
// (the weights are then the mediator's as the events leave them).
func (s *Scenario) MediatorWeights(r int) []float64 {
	in, med := s.Influence, s.MediatorIndex()
	if in == nil || med < 0 {
		return nil
	}
	weights := make([][]float64, len(s.Parties)) // as the events so far leave them
	for p := range s.Parties {
		weights[p] = s.Parties[p].Prefs.Weights
	}
	k := 0
	apply := func(round int) {
		for ; k < len(s.Events) && s.Events[k].Round <= round; k++ {
			if e := &s.Events[k]; e.Weights != nil {
				weights[e.Party] = e.Weights
			}
		}
	}
	apply(0)
	w := slices.Clone(weights[med])
	for round := 1; round <= r; round++ {
		for i := range w {
			t := 0.0
			for j, q := range in.From {
				t += in.Pull[j] * weights[q][i]
			}
			w[i] = (1-in.Rate)*w[i] + in.Rate*t
		}
		before := k
		apply(round)
		for ; before < k; before++ {
			if e := &s.Events[before]; e.Party == med && e.Weights != nil {
				copy(w, e.Weights)
			}
		}
	}
	return w
}

// influence resolves mediator_influence; it needs the roles settled.
func (v *validator) influence(f *File, s *Scenario) {
	d := f.MediatorInfluence
	if d == nil || len(s.Parties) != len(f.Parties) {
		return
	}
	const p = "mediator_influence"
	if d.Source != nil {
		v.citation(*d.Source, join(p, "source"))
	}
	switch d.Rule {
	case "capability":
	case "":
		v.errorf(p, "mediator_influence needs a rule: capability (each party pulls in proportion to its capability)")
	default:
		v.errorf(join(p, "rule"), "unknown influence rule %q; rules are capability", d.Rule)
	}
	in := &Influence{Rate: v.number(d.Rate, join(p, "rate"), "the rate of the mediator's influence", 0, 1)}
	if in.Rate == 0 {
		v.errorf(join(p, "rate"), "mediator_influence needs a rate in (0, 1]: the share of the way toward the parties' weights the mediator's weights move each round (0 moves nothing)")
	}
	med := s.MediatorIndex()
	switch {
	case med < 0:
		v.errorf(p, "mediator_influence moves the mediator's weights, but the scenario has no mediator")
		return
	case s.Parties[med].Disinterested():
		v.errorf(p, "mediator_influence moves the mediator's weights, but %q has none (it mediates without interests); give it weights, or drop mediator_influence", s.Parties[med].ID)
		return
	}
	from := d.From
	if from == nil {
		var ids []string
		for _, i := range s.Negotiators() {
			if s.Parties[i].Capability > 0 {
				from = append(from, s.Parties[i].ID)
				ids = append(ids, s.Parties[i].ID)
			}
		}
		if len(from) == 0 {
			v.errorf(p, "mediator_influence pulls by capability, but no negotiating party has one; give parties a capability, or name them in from")
			return
		}
		v.defaulted(join(p, "from"), strings.Join(ids, ", "), "the parties that lobby the mediator: every negotiating party with a capability")
	}
	total := 0.0
	for k, id := range from {
		fp := fmt.Sprintf("%s.from[%d]", p, k)
		q := s.PartyIndex(id)
		switch {
		case q < 0:
			v.errorf(fp, "the party %q that lobbies the mediator is not a party; parties are %s", id, partyIDs(s))
			continue
		case q == med:
			v.errorf(fp, "%q is the mediator; it does not lobby itself", id)
			continue
		case slices.Contains(in.From, q):
			v.errorf(fp, "%q lobbies the mediator twice", id)
			continue
		case s.Parties[q].Capability <= 0:
			v.errorf(fp, "%q lobbies the mediator by its capability, but has none; give it a capability", id)
			continue
		case s.Parties[q].Disinterested():
			v.errorf(fp, "%q has no weights to pull the mediator toward", id)
			continue
		}
		in.From = append(in.From, q)
		total += s.Parties[q].Capability
	}
	if total <= 0 {
		return
	}
	for _, q := range in.From {
		in.Pull = append(in.Pull, s.Parties[q].Capability/total)
	}
	s.Influence = in
}
