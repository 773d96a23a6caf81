package session

import (
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
	// AnticipateRatification: seats bargained over their expected utility
	// given their own ratification (Config.AnticipateRatification).
	AnticipateRatification bool `json:"anticipate_ratification,omitempty"`

	// Status says whether the session ended with a binding deal: agreed
	// (no ratification required), ratified, not_ratified (a required vote
	// failed: the deal is void), no_agreement or failed_phase.
	Status Status `json:"status"`
	// Agreed says that the parties signed an agreement (ratified or not).
	Agreed bool `json:"agreed"`
	// End says why the negotiation ended: agreement, deadline, walked out,
	// mediator ended, no joint meeting.
	End       string `json:"end"`
	WalkedOut string `json:"walked_out,omitempty"` // the party that ended it
	// Outcome is the agreement, one value per issue (absent without one).
	Outcome []Value `json:"outcome,omitempty"`
	// Agreement is the agreement in the shape every outcome has in
	// parley's JSON (analyze's points, exports): issue id → value label.
	Agreement    map[string]string `json:"agreement,omitempty"`
	OutcomeIndex *uint64           `json:"outcome_index,omitempty"`
	Round        int               `json:"round"` // the round in which the session ended
	// Date is the calendar date of Round, when the scenario has a calendar.
	Date  string  `json:"date,omitempty"`
	Time  float64 `json:"time"`  // normalised time at the end, the t of discounting
	Steps int     `json:"steps"` // actions taken

	// Failure says which seat failed and why (status failed).
	Failure *Failure `json:"failure,omitempty"`
	// FailedPhase is the agenda phase that failed (status failed_phase).
	FailedPhase string `json:"failed_phase,omitempty"`
	// Phases is how each phase of the agenda went.
	Phases []PhaseResult `json:"phases,omitempty"`
	// StatusQuo: the scenario says what no agreement is, so that without a
	// binding deal each party gets its utility of the status quo (with
	// the Standing clauses in place), and costs and drift run to the
	// deadline.
	StatusQuo bool `json:"status_quo,omitempty"`
	// Standing are the clauses of standing phases that stay in force
	// without a binding deal (a truce that holds when the settlement
	// fails).
	Standing []Value `json:"standing,omitempty"`
	// Events are the scheduled events that happened, in order.
	Events []EventResult `json:"events,omitempty"`
	// Excluded are the parties an event excluded and none readmitted: the
	// agreement did not wait for them (their turns passed).
	Excluded []string `json:"excluded,omitempty"`
	// Ratification holds each party's ratification of the agreement.
	Ratification []RatificationResult `json:"ratification,omitempty"`
	// Meetings are the verdicts on the scenario's meetings.
	Meetings []Meeting `json:"meetings,omitempty"`
	// RedLines reports what the parties' red lines did.
	RedLines *RedLineReport `json:"red_lines,omitempty"`
	// Coalitions: how the members of each coalition that decides by their
	// rule answered the deal signed; Guarantors: the guarantors it names
	// and that they back it; Refused: per party, the offers and texts put
	// to it that its members' rule or a guarantor's consent ruled out
	// (coalition.go).
	Coalitions []CoalitionVote    `json:"coalitions,omitempty"`
	Guarantors []GuarantorConsent `json:"guarantors,omitempty"`
	Refused    map[string]int     `json:"refused,omitempty"`
	// Beliefs is what each seat believed of the others at the end, by
	// types and stated red lines (beliefs.go).
	Beliefs []SeatBelief `json:"beliefs,omitempty"`
	// Constraints reports what the scenario's constraints did (absent
	// without constraints).
	Constraints *ConstraintReport `json:"constraints,omitempty"`

	// Parties holds each negotiating party's payoff: its utility of a
	// binding deal, or its reservation value without one, by its
	// preferences at the end of the session (after every event that
	// happened), less its delay costs.
	Parties []PartyResult `json:"parties"`
	// MediatorParty is the mediator party's utility of a binding deal (or
	// its reservation value), when the scenario names one.
	MediatorParty *PartyResult `json:"mediator_party,omitempty"`
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
	Reservation float64 `json:"reservation_value"` // at the end, with drift and shifts
	Discount    float64 `json:"discount_factor"`
	DelayCost   float64 `json:"delay_cost,omitempty"` // utility lost to delay
	// AudienceCost is what the deal cost it by departing from its public
	// stances, already subtracted from Utility.
	AudienceCost float64 `json:"audience_cost,omitempty"`
}

// PhaseResult is how one phase of the agenda went.
type PhaseResult struct {
	ID         string   `json:"id"`
	Issues     []string `json:"issues"`
	Agreed     bool     `json:"agreed"`
	End        string   `json:"end,omitempty"`
	StartRound int      `json:"start_round,omitempty"`
	EndRound   int      `json:"end_round,omitempty"`
	Outcome    []Value  `json:"outcome,omitempty"`
	// Stands: the phase binds on its own (scenario agenda stands: true).
	Stands bool `json:"stands,omitempty"`
	// KeepsStatusQuo: the phase was agreed on exactly the status quo's
	// values of its issues ("no truce now"): it changed nothing.
	KeepsStatusQuo bool `json:"keeps_status_quo,omitempty"`
}

// EventResult is a scheduled event that happened.
type EventResult struct {
	Round       int    `json:"round"`
	Date        string `json:"date,omitempty"` // the round's date, with a calendar
	Party       string `json:"party"`
	Description string `json:"description,omitempty"`
	Excluded    bool   `json:"excluded,omitempty"`   // it excluded the party
	Readmitted  bool   `json:"readmitted,omitempty"` // it readmitted the party
}

// RatificationResult is one body's vote on a party's ratification of an
// agreement (a party with a parliament and a referendum has two).
type RatificationResult struct {
	Party       string  `json:"party"`
	Body        string  `json:"body,omitempty"`
	Required    bool    `json:"required"`
	Probability float64 `json:"probability"`
	Draw        float64 `json:"draw,omitempty"` // the uniform draw; the vote passes below Probability
	Passed      bool    `json:"passed"`
	// Communities are the predicted votes of the parts the body votes in,
	// when it votes in parts.
	Communities []CommunityResult `json:"communities,omitempty"`
}

// RedLineReport says what red lines did in a session.
type RedLineReport struct {
	// Crossings counts, per party, the offers and texts put to it that
	// crossed its red lines (which it could never accept).
	Crossings map[string]int `json:"crossings"`
	// Blocked: an outcome acceptable to every negotiating party exists
	// without their red lines but none with them (absent when the space
	// is too large to check).
	Blocked *bool `json:"blocked,omitempty"`
}

// Outcome returns how the last session ended.
func (r *Runner) Outcome() protocol.Outcome { return r.out }

// Payoff returns what the last session gave member m (a seat, or the
// mediator party after the seats), with that reservation value and cost:
// the utility of a binding agreement less the costs of the rounds to it;
// without one (none, a failed phase, a deal voided by a vote, a failed
// seat) its fallback less the costs. The fallback is its reservation value
// with its shifts and drift; with a status quo, its utility of the status
// quo with the clauses of standing phases in place, and costs and drift
// run to the deadline (time.go). Costs and drift per round depend on the
// clauses in force. It does not allocate, so tournaments can score every
// session with it.
func (r *Runner) Payoff(m int) (u, rv, cost float64) {
	st := &r.st
	a := &st.acc[m]
	if !st.status.Binding() {
		return a.none, a.rv, a.cost
	}
	return r.dealUtility(m) - a.dealCost, a.rv, a.dealCost
}

// dealUtility is member m's utility of the agreement, by its preferences
// at the end of the session.
func (r *Runner) dealUtility(m int) float64 {
	p := r.prep
	if len(r.payBuf) != p.Space.Issues() {
		r.payBuf = make([]int, p.Space.Issues())
	}
	// The variant's index holds u of every outcome of a small space (the
	// same value, bit for bit): a tournament reads every seat's payoff
	// after every session.
	return r.st.cur[m].x.Utility(r.out.Outcome, r.payBuf)
}

// ExpectedPayoff is what the last session gives member m in expectation
// over its ratification votes: a signed deal binds with the probability
// that every required vote passes (the votes are independent), and
// otherwise the member gets what it gets without a deal (Payoff's rule for
// each). Without a signed deal it is Payoff.
func (r *Runner) ExpectedPayoff(m int) float64 {
	st := &r.st
	a := &st.acc[m]
	if !r.out.Agreed || st.failed >= 0 || st.failure != nil {
		return a.none
	}
	pr := 1.0
	for _, v := range st.ratif {
		if v.has && v.required {
			pr *= v.prob
		}
	}
	return pr*(r.dealUtility(m)-a.dealCost) + (1-pr)*a.none
}

// Result builds the full result of the last session played.
func (r *Runner) Result() Result {
	p, o, st := r.prep, r.out, &r.st
	sc := p.Scenario
	res := Result{
		Scenario: sc.Name,
		Protocol: r.proto.Name(),
		Deadline: Deadline{Rounds: r.cfg.Deadline.Rounds},
		Seed:     r.seed,

		AnticipateRatification: r.cfg.AnticipateRatification,
		Status:                 st.status,
		Agreed:                 o.Agreed,
		End:                    o.Reason.String(),
		Round:                  o.Round,
		Time:                   o.T,
		Steps:                  o.Steps,
		Meetings:               r.meetings(),
	}
	if r.cfg.Deadline.Time > 0 {
		res.Deadline.Time = r.cfg.Deadline.Time.String()
	}
	if len(r.seats) > len(p.Seats) {
		res.Mediator = r.seats[len(p.Seats)].name
	}
	if o.Seat >= 0 {
		res.WalkedOut = r.SeatName(o.Seat)
	}
	if st.failure != nil {
		res.Failure, res.End, res.WalkedOut = st.failure, "seat failed", ""
	}
	if st.gateFailed >= 0 {
		res.End = r.gateEnd()
	}
	buf := make([]int, p.Space.Issues())
	if o.Agreed {
		idx := o.Outcome
		res.OutcomeIndex = &idx
		p.Space.Decode(idx, buf)
		res.Outcome = values(p, buf, nil)
		res.Agreement = sc.Labels(buf)
	}
	if p.agenda() {
		for ph, rec := range st.phases {
			info := &p.phases[ph]
			pr := PhaseResult{ID: info.id, Stands: sc.Agenda[ph].Stands}
			for _, i := range info.issues {
				pr.Issues = append(pr.Issues, sc.Issues[i].ID)
			}
			if rec.played {
				pr.Agreed, pr.End, pr.StartRound, pr.EndRound = rec.out.Agreed, rec.out.Reason.String(), rec.start, rec.end
				if ph == st.failed && st.gateFailed >= 0 {
					pr.End = r.gateEnd()
				}
				if rec.out.Agreed {
					local := make([]int, len(info.issues))
					info.space.Decode(rec.out.Outcome, local)
					pr.Outcome = values(p, local, info.issues)
					pr.KeepsStatusQuo = p.keepsStatusQuo(ph, local)
				}
			}
			res.Phases = append(res.Phases, pr)
		}
		if st.failed >= 0 {
			res.FailedPhase = p.phases[st.failed].id
		}
	}
	res.Date = sc.Calendar.Date(res.Round)
	res.StatusQuo = p.sq != nil
	res.Excluded = r.excluded()
	if !st.status.Binding() && st.anyStanding {
		var is, vs []int
		for i, s := range st.standing {
			if s {
				is, vs = append(is, i), append(vs, st.settled[i])
			}
		}
		res.Standing = values(p, vs, is)
	}
	for k := range st.events {
		e := &sc.Events[k]
		res.Events = append(res.Events, EventResult{Round: e.Round, Date: sc.Calendar.Date(e.Round), Party: sc.Parties[e.Party].ID, Description: e.Description,
			Excluded: e.Exclude, Readmitted: e.Readmit})
	}
	res.Ratification = r.ratificationResults()
	us := make([]float64, len(p.Seats))
	for s := range p.Seats {
		u, rv, cost := r.Payoff(s)
		a := st.cur[s].u
		pr := PartyResult{ID: r.SeatName(s), Negotiator: r.seats[s].name, Utility: u, Reservation: rv, Discount: a.Discount, DelayCost: cost}
		pr.Discounted = a.Discounted(pr.Utility, o.T)
		us[s] = pr.Utility
		res.SocialWelfare += pr.Utility
		res.DiscountedSocialWelfare += pr.Discounted
		res.Parties = append(res.Parties, pr)
	}
	if m := len(p.Seats); m < len(p.members) {
		u, rv, cost := r.Payoff(m)
		a := st.cur[m].u
		pr := &PartyResult{ID: sc.Parties[p.Mediator].ID, Negotiator: res.Mediator, Utility: u, Reservation: rv, Discount: a.Discount, DelayCost: cost}
		pr.Discounted = a.Discounted(u, o.T)
		res.MediatorParty = pr
	}
	hasRL := false
	for _, i := range p.Seats {
		hasRL = hasRL || len(sc.Parties[i].RedLines) > 0
	}
	if hasRL {
		rep := &RedLineReport{Crossings: map[string]int{}}
		for s := range p.Seats {
			if len(sc.Parties[p.Seats[s]].RedLines) > 0 {
				rep.Crossings[r.SeatName(s)] = st.crossings[s]
			}
		}
		if z := p.zone.get(p); z.judged {
			b := z.withoutRL && !z.withLines
			rep.Blocked = &b
		}
		res.RedLines = rep
	}
	r.vetoResults(&res)
	r.addBeliefs(&res)
	res.Constraints = r.constraintReport()
	p.analysis.fill(p, us, &res)
	return res
}

// keepsStatusQuo reports whether local, an outcome of phase ph, gives each
// of the phase's issues its status quo value (false without a status quo).
func (p *Prepared) keepsStatusQuo(ph int, local []int) bool {
	if p.sq == nil {
		return false
	}
	for k, i := range p.phases[ph].issues {
		if local[k] != p.sq[i] {
			return false
		}
	}
	return true
}

// keepsStatusQuoIndex is keepsStatusQuo for the phase outcome with index
// id, without decoding it into a buffer.
func (p *Prepared) keepsStatusQuoIndex(ph int, id uint64) bool {
	if p.sq == nil {
		return false
	}
	for _, i := range p.phases[ph].issues {
		n := uint64(p.Scenario.Issues[i].Size())
		if int(id%n) != p.sq[i] {
			return false
		}
		id /= n
	}
	return true
}

// values renders an outcome (of the issues listed, or of every issue).
func values(p *Prepared, o []int, issues []int) []Value {
	var vs []Value
	for k, v := range o {
		i := k
		if issues != nil {
			i = issues[k]
		}
		is := &p.Scenario.Issues[i]
		val := Value{Issue: is.ID, Value: is.Value(v)}
		if l := is.Label(v); l != val.Value {
			val.Label = l
		}
		vs = append(vs, val)
	}
	return vs
}

// Elapsed is a convenience for callers that pass a Clock: it returns a
// clock that reads the time since start.
func Elapsed(start time.Time) func() time.Duration {
	return func() time.Duration { return time.Since(start) }
}
