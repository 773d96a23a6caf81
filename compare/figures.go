package compare

import (
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/session"
)

// Lineup is the session both versions of a scenario are played with, so
// that their outcomes can be compared.
type Lineup struct {
	// Negotiators gives the strategies for a scenario with n negotiating
	// parties: one per party or one for all (session.Config.Negotiators).
	// The versions may seat different numbers of parties. Nil: no session
	// is played.
	Negotiators func(n int) []string
	Protocol    string // default saop
	Mediator    string // default: the session's (broker when a party mediates)
	Rounds      int    // deadline in rounds; default 100
	Seed        uint64
}

func (l Lineup) protocol() string {
	if l.Protocol == "" {
		return "saop"
	}
	return l.Protocol
}

func (l Lineup) rounds() int {
	if l.Rounds <= 0 {
		return 100
	}
	return l.Rounds
}

// Figures are the headline figures of one version of a scenario.
type Figures struct {
	Parties  []string `json:"parties"` // the negotiating parties, whose utilities the points give
	Issues   []string `json:"issues"`  // issue ids in file order
	Outcomes uint64   `json:"outcomes"`
	// Reservation is each negotiating party's reservation value: its
	// utility of the status quo when the scenario states one.
	Reservation map[string]float64 `json:"reservation"`
	// Zone is the zone of possible agreement: outcomes every negotiating
	// party accepts (estimated in spaces too large to count).
	Zone          uint64 `json:"zone"`
	ZoneEstimated bool   `json:"zone_estimated,omitempty"`
	// RatifiableZone is the zone's outcomes that every required
	// ratification passes with probability ≥ MinRatification; absent when
	// the space is too large for the what-if analysis.
	RatifiableZone *uint64  `json:"ratifiable_zone,omitempty"`
	Nash           *Point   `json:"nash"`
	RatifiableNash *Point   `json:"ratifiable_nash"`
	MaxWelfare     *Point   `json:"max_welfare"`
	Session        *Play    `json:"session"` // nil without a line-up
	Notes          []string `json:"notes,omitempty"`
}

// Point is a deal and its utility to each negotiating party.
type Point struct {
	Deal      map[string]string  `json:"deal"` // issue id → value label
	Utilities map[string]float64 `json:"utilities"`
}

// Play is the outcome of the line-up's session.
type Play struct {
	Negotiators []string           `json:"negotiators"` // as the line-up gave them
	Protocol    string             `json:"protocol"`
	Rounds      int                `json:"rounds"`
	Seed        uint64             `json:"seed"`
	Mediator    string             `json:"mediator,omitempty"` // the mediator's strategy, in mediated protocols
	Status      string             `json:"status"`
	End         string             `json:"end"`
	Agreed      bool               `json:"agreed"`
	Round       int                `json:"round"`
	Deal        map[string]string  `json:"deal,omitempty"`
	Utilities   map[string]float64 `json:"utilities"` // what each party ends with (its reservation value without a binding deal)
	Error       string             `json:"error,omitempty"`
}

// Measure computes the headline figures of s: the zone of agreement, the
// Nash and max-welfare points, the ratifiable zone and its Nash point (with
// minRat, 0 for analysis.DefaultMinRatification), and the outcome of one
// session with the line-up (none without its Negotiators). A figure that cannot be computed is left out
// with a note; a session that cannot be run keeps its error.
func Measure(s *scenario.Scenario, minRat float64, l Lineup) (*Figures, error) {
	r, err := analysis.Analyze(s, analysis.Options{})
	if err != nil {
		return nil, err
	}
	fg := &Figures{Parties: r.Parties, Outcomes: r.Outcomes, Zone: r.Zopa.Count, ZoneEstimated: r.Zopa.Estimated,
		Reservation: byParty(r.Parties, r.Reservation)}
	for _, is := range r.Issues {
		fg.Issues = append(fg.Issues, is.ID)
	}
	point := func(ps []analysis.PointReport) *Point {
		if len(ps) == 0 {
			return nil
		}
		return &Point{Deal: ps[0].Outcome, Utilities: byParty(r.Parties, ps[0].Utilities)}
	}
	fg.Nash, fg.MaxWelfare = point(r.Nash), point(r.MaxWelfare)
	if err := r.WhatIfAnalysis(analysis.WhatIfOptions{MinRatification: minRat}); err != nil {
		fg.Notes = append(fg.Notes, "no ratifiable zone: "+err.Error())
	} else {
		rz := r.WhatIf.Ratify.RatifiableZone
		fg.RatifiableZone = &rz
		if d := r.WhatIf.Ratify.RatifiableNash; d != nil {
			fg.RatifiableNash = &Point{Deal: d.Outcome, Utilities: byParty(r.Parties, d.Utilities)}
		}
	}
	if l.Negotiators != nil {
		fg.Session = play(s, l)
	}
	return fg, nil
}

// play runs the line-up's session on s.
func play(s *scenario.Scenario, l Lineup) *Play {
	negs := l.Negotiators(len(s.Negotiators()))
	p := &Play{Negotiators: negs, Protocol: l.protocol(), Rounds: l.rounds(), Seed: l.Seed}
	res, err := session.Run(session.Config{Scenario: s, Negotiators: negs, Protocol: p.Protocol, Mediator: l.Mediator,
		Deadline: protocol.Deadline{Rounds: p.Rounds}, Seed: l.Seed})
	if err != nil {
		p.Error = err.Error()
		return p
	}
	p.Status, p.End, p.Agreed, p.Round, p.Deal, p.Mediator = string(res.Status), res.End, res.Agreed, res.Round, res.Agreement, res.Mediator
	p.Utilities = map[string]float64{}
	for _, pr := range res.Parties {
		p.Utilities[pr.ID] = pr.Utility
	}
	return p
}

func byParty(ids []string, us []float64) map[string]float64 {
	m := make(map[string]float64, len(ids))
	for i, id := range ids {
		if i < len(us) {
			m[id] = us[i]
		}
	}
	return m
}
