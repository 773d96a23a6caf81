package scenario

import (
	"fmt"
	"strings"
)

// Role is a party's part in the negotiation.
type Role string

// Party roles. Every party negotiates except the mediator, the one party
// with RoleMediator: validation gives that role to the party a scenario file
// names as mediator, so that the role alone decides who sits at the table.
// Guarantors and coalitions negotiate.
const (
	RoleParty     Role = "party"
	RoleMediator  Role = "mediator"
	RoleGuarantor Role = "guarantor"
	RoleCoalition Role = "coalition"
)

// Roles lists the party roles a scenario may give.
var Roles = []Role{RoleParty, RoleMediator, RoleGuarantor, RoleCoalition}

// MemberRole is a coalition member's part.
type MemberRole string

// Member roles.
const (
	MemberRoleMember    MemberRole = "member"
	MemberRoleGuarantor MemberRole = "guarantor"
	MemberRoleObserver  MemberRole = "observer"
)

// MemberRoles lists the member roles a scenario may give.
var MemberRoles = []MemberRole{MemberRoleMember, MemberRoleGuarantor, MemberRoleObserver}

// MinNegotiators is the least number of negotiating parties a scenario
// may have: a negotiation needs two sides, and a mediator is not one.
const MinNegotiators = 2

// Negotiates reports whether party i sits at the table: every party but
// the mediator.
func (s *Scenario) Negotiates(i int) bool { return s.Parties[i].Role != RoleMediator }

// Negotiators lists the indices of the negotiating parties, in party order.
func (s *Scenario) Negotiators() []int {
	var ns []int
	for i := range s.Parties {
		if s.Negotiates(i) {
			ns = append(ns, i)
		}
	}
	return ns
}

// MediatorIndex returns the index of the mediator party, or -1.
func (s *Scenario) MediatorIndex() int {
	for i := range s.Parties {
		if !s.Negotiates(i) {
			return i
		}
	}
	return -1
}

// CheckParties reports a scenario that cannot be negotiated: fewer than
// MinNegotiators negotiating parties, or more than one mediator.
// Validation reports the same problems with their positions; importers and
// code that builds scenarios by hand call this before use.
func (s *Scenario) CheckParties() error {
	if n := len(s.Negotiators()); n < MinNegotiators {
		return fmt.Errorf("%s", tooFewNegotiators(n, len(s.Parties)))
	}
	var meds []string
	for i := range s.Parties {
		if !s.Negotiates(i) {
			meds = append(meds, s.Parties[i].ID)
		}
	}
	if len(meds) > 1 {
		return fmt.Errorf("parties %s all have role mediator; a scenario has at most one mediator", strings.Join(meds, ", "))
	}
	return nil
}

// tooFewNegotiators is the one wording of the MinNegotiators rule.
func tooFewNegotiators(negotiators, parties int) string {
	msg := fmt.Sprintf("a negotiation needs at least %d negotiating parties; found %d", MinNegotiators, negotiators)
	if parties != negotiators {
		msg += fmt.Sprintf(" (of %d parties; a mediator does not negotiate)", parties)
	}
	return msg
}

func joinRoles[R ~string](rs []R) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ", ")
}
