package analysis

import (
	"fmt"
	"strconv"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// MeetingVerdict is the judgement on a meeting: whether it takes place, and each
// invitee's answer with why.
type MeetingVerdict struct {
	Held bool
	// NeedsMet: the state of the talks allows the meeting (its needs
	// agreed and in force).
	NeedsMet bool
	Answers  []MeetingAnswer
	// Deal is the predicted deal (the Nash point over the outcomes every
	// invitee accepts) when a rule needed it and one exists.
	Deal []int
}

// MeetingAnswer is one invitee's answer to a meeting.
type MeetingAnswer struct {
	Rule    string
	Accepts bool
	Why     string
}

// JudgeMeeting judges meeting m of s: every invitee answers by its rule
// (always; never; zone: some outcome is acceptable to every invitee, red
// lines and reservation values counted; a number x: its utility at the
// predicted deal, the Nash point over the outcomes acceptable to every
// invitee, reaches x), and the meeting takes place only if all accept and
// the state allows it (Meeting.NeedsMet). us and rv are each party's
// utility and reservation value at that moment (by scenario party index;
// only the invitees' are read); the state is agreed/isAgreed (nil: nothing
// agreed), and only outcomes that keep the clauses in force are looked at.
// A space too large to enumerate is not judged: a zone rule then accepts,
// saying so. Sessions judge a meeting when it is needed; the analysis
// judges a term of the deal at the start.
func JudgeMeeting(s *scenario.Scenario, m int, us []*utility.Additive, rv []float64, agreed []int, isAgreed []bool) MeetingVerdict {
	mt := &s.Meetings[m]
	v := MeetingVerdict{Held: true, NeedsMet: agreed == nil && mt.Needs == nil || agreed != nil && mt.NeedsMet(agreed, isAgreed)}
	needZone := false
	for _, r := range mt.Accept {
		needZone = needZone || (r != "always" && r != "never")
	}
	var exists, judged bool
	if needZone {
		var inv []*utility.Additive
		var irv []float64
		for _, i := range mt.Invitees {
			inv, irv = append(inv, us[i]), append(irv, rv[i])
		}
		exists, v.Deal, judged = nashPoint(s.Space(), inv, irv, agreed, isAgreed)
	}
	for k, i := range mt.Invitees {
		a := MeetingAnswer{Rule: mt.Accept[k]}
		switch rule := mt.Accept[k]; {
		case rule == "always":
			a.Accepts, a.Why = true, "always meets"
		case rule == "never":
			a.Why = "never meets"
		case !judged:
			a.Accepts, a.Why = true, "not judged: too many outcomes to look for a zone of agreement"
		case !exists:
			a.Why = "no zone of agreement"
		case rule == "zone":
			a.Accepts, a.Why = true, "a zone of agreement exists"
		default:
			x, _ := strconv.ParseFloat(rule, 64)
			u := us[i].Utility(v.Deal)
			if u >= x {
				a.Accepts, a.Why = true, fmt.Sprintf("its utility at the predicted deal, %.3g, reaches %s", u, rule)
			} else {
				a.Why = fmt.Sprintf("its utility at the predicted deal, %.3g, is below %s", u, rule)
			}
		}
		v.Held = v.Held && a.Accepts
		v.Answers = append(v.Answers, a)
	}
	v.Held = v.Held && v.NeedsMet
	return v
}

// nashPoint looks for the outcomes acceptable to every utility function
// (red lines and reservation values counted) among those that keep the
// clauses in force, and returns whether one exists and the Nash point
// among them: the largest product of gains over the reservation values,
// ties to the larger sum of gains, then to the first outcome. judged is
// false when the space is too large to enumerate.
func nashPoint(sp outcome.Space, us []*utility.Additive, rv []float64, agreed []int, isAgreed []bool) (exists bool, nash []int, judged bool) {
	bestProd, bestSum := -1.0, -1.0
	var best []int
	err := sp.Enumerate(0, func(o []int) bool {
		for i, in := range isAgreed {
			if in && o[i] != agreed[i] {
				return true
			}
		}
		prod, sum := 1.0, 0.0
		for k, u := range us {
			x := u.Utility(o)
			if x == utility.Unacceptable || x < rv[k] {
				return true
			}
			prod *= x - rv[k]
			sum += x - rv[k]
		}
		exists = true
		if prod > bestProd || (prod == bestProd && sum > bestSum) {
			bestProd, bestSum = prod, sum
			best = append(best[:0], o...)
		}
		return true
	})
	if err != nil {
		return false, nil, false
	}
	return exists, best, true
}

// TermLines are the deals that the scenario's meetings rule out for
// everyone, as red lines to add to every negotiating party's utility: a
// meeting that is a term of the deal, judged on us (the parties' utilities
// at the start, by scenario party index), rules out the deals with its
// value if an invitee declines it, and otherwise those whose clauses
// agreed before its issue's phase do not give it the state it needs (all
// of them when it needs an issue settled in the same phase or later). The
// red lines are named "meeting <id>".
func TermLines(s *scenario.Scenario, us []*utility.Additive) []utility.RedLine {
	var out []utility.RedLine
	rv := make([]float64, len(us))
	for i, u := range us {
		rv[i] = u.Reservation
	}
	for m := range s.Meetings {
		mt := &s.Meetings[m]
		if mt.Term == nil {
			continue
		}
		id := "meeting " + mt.ID
		term := func() utility.Constraint {
			allowed := make([]bool, s.Issues[mt.Term.Issue].Size())
			allowed[mt.Term.Value] = true
			return utility.Constraint{Issues: []int{mt.Term.Issue}, Allowed: [][]bool{allowed}}
		}
		v := JudgeMeeting(s, m, us, rv, nil, nil)
		if !allAccept(v) {
			out = append(out, utility.RedLine{ID: id, Constraint: term()})
			continue
		}
		if mt.Needs == nil {
			continue
		}
		phase := s.PhaseOf(mt.Term.Issue)
		for k, j := range mt.Needs.Issues {
			c := term()
			if len(s.Agenda) > 0 && s.PhaseOf(j) < phase {
				// Ruled out when the earlier phase agrees another value.
				not := make([]bool, len(mt.Needs.Allowed[k]))
				for x, ok := range mt.Needs.Allowed[k] {
					not[x] = !ok
				}
				c.Issues, c.Allowed = append(c.Issues, j), append(c.Allowed, not)
			}
			out = append(out, utility.RedLine{ID: id, Constraint: c})
			if len(c.Issues) == 1 {
				break // the term alone is ruled out
			}
		}
	}
	return out
}

// allAccept: every invitee accepts (the state aside).
func allAccept(v MeetingVerdict) bool {
	for _, a := range v.Answers {
		if !a.Accepts {
			return false
		}
	}
	return true
}

// utilities compiles the negotiating parties' utility functions as the
// analysis uses them: with the deals the meetings rule out for everyone
// (TermLines, returned too) as the last red lines of every party.
func utilities(s *scenario.Scenario) ([]*utility.Additive, []utility.RedLine) {
	all := s.Utilities()
	lines := TermLines(s, all)
	var us []*utility.Additive
	for _, p := range s.Negotiators() {
		u := all[p]
		if len(lines) > 0 {
			u.RedLines = append(append([]utility.RedLine(nil), u.RedLines...), lines...)
		}
		us = append(us, u)
	}
	return us, lines
}
