package session

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/parleyhq/parley/utility"
)

// Meeting is the verdict on one of the scenario's meetings.
type Meeting struct {
	ID       string          `json:"id"`
	Invitees []string        `json:"invitees"`
	Held     bool            `json:"held"`
	Answers  []MeetingAnswer `json:"answers"`
	// Deal is the predicted deal (the Nash point over the outcomes every
	// invitee accepts) when some rule needed it and one exists.
	Deal []Value `json:"predicted_deal,omitempty"`
}

// MeetingAnswer is one invitee's answer and why.
type MeetingAnswer struct {
	Party   string `json:"party"`
	Rule    string `json:"rule"`
	Accepts bool   `json:"accepts"`
	Why     string `json:"why"`
}

// Reason says why a meeting does not take place ("ru declined: no zone of
// agreement"), or "" when it does.
func (m Meeting) Reason() string {
	var ds []string
	for _, a := range m.Answers {
		if !a.Accepts {
			ds = append(ds, a.Party+" declined: "+a.Why)
		}
	}
	return strings.Join(ds, "; ")
}

// judgeMeetings decides, on the preferences at the start of a session,
// which of the scenario's meetings take place.
func (p *Prepared) judgeMeetings() {
	sc := p.Scenario
	if len(sc.Meetings) == 0 {
		return
	}
	utils := make([]*utility.Additive, len(sc.Parties))
	for i := range sc.Parties {
		if m := p.member(i); m >= 0 {
			utils[i] = p.variants[0][m].u
		} else {
			utils[i] = sc.Utility(i)
		}
	}
	for _, mt := range sc.Meetings {
		res := Meeting{ID: mt.ID, Held: true}
		needZone := false
		for k, i := range mt.Invitees {
			res.Invitees = append(res.Invitees, sc.Parties[i].ID)
			needZone = needZone || (mt.Accept[k] != "always" && mt.Accept[k] != "never")
		}
		var us []*utility.Additive
		for _, i := range mt.Invitees {
			us = append(us, utils[i])
		}
		var (
			exists, judged bool
			nash           []int
		)
		if needZone {
			exists, nash, judged = p.nashPoint(us)
			for i, v := range nash {
				is := &sc.Issues[i]
				val := Value{Issue: is.ID, Value: is.Value(v)}
				if l := is.Label(v); l != val.Value {
					val.Label = l
				}
				res.Deal = append(res.Deal, val)
			}
		}
		for k, i := range mt.Invitees {
			a := MeetingAnswer{Party: sc.Parties[i].ID, Rule: mt.Accept[k]}
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
				u := utils[i].Utility(nash)
				if u >= x {
					a.Accepts, a.Why = true, fmt.Sprintf("its utility at the predicted deal, %.3g, reaches %s", u, rule)
				} else {
					a.Why = fmt.Sprintf("its utility at the predicted deal, %.3g, is below %s", u, rule)
				}
			}
			res.Held = res.Held && a.Accepts
			res.Answers = append(res.Answers, a)
		}
		p.Meetings = append(p.Meetings, res)
	}
	for k, mt := range sc.Meetings {
		all := true
		for _, s := range p.Seats {
			found := false
			for _, i := range mt.Invitees {
				found = found || i == s
			}
			all = all && found
		}
		if all {
			p.Joint = k
			break
		}
	}
}

// nashPoint looks for the outcomes acceptable to every utility function
// (red lines and reservation values counted) and returns whether one exists
// and the Nash point among them: the largest product of gains over the
// reservation values, ties to the larger sum of gains, then to the first
// outcome. judged is false when the space is too large to enumerate.
func (p *Prepared) nashPoint(us []*utility.Additive) (exists bool, nash []int, judged bool) {
	bestProd, bestSum := -1.0, -1.0
	var best []int
	err := p.Space.Enumerate(0, func(o []int) bool {
		prod, sum := 1.0, 0.0
		for _, u := range us {
			x := u.Utility(o)
			if x == utility.Unacceptable || x < u.Reservation {
				return true
			}
			prod *= x - u.Reservation
			sum += x - u.Reservation
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

// zoneCache says, for the negotiating parties, whether an outcome
// acceptable to all exists with and without their red lines.
type zoneCache struct {
	once                 sync.Once
	judged               bool
	withLines, withoutRL bool
}

func (z *zoneCache) get(p *Prepared) *zoneCache {
	z.once.Do(func() {
		us := p.Utilities
		err := p.Space.Enumerate(0, func(o []int) bool {
			ok, okRaw := true, true
			for _, u := range us {
				raw := u.Raw(o)
				if raw < u.Reservation {
					ok, okRaw = false, false
					break
				}
				if len(u.RedLines) > 0 && u.Crosses(o) >= 0 {
					ok = false
				}
			}
			z.withLines = z.withLines || ok
			z.withoutRL = z.withoutRL || okRaw
			return !(z.withLines && z.withoutRL)
		})
		z.judged = err == nil
	})
	return z
}
