// Package decision holds the rule by which a group of parties agrees on a
// deal: unanimity, or a quorum that must include veto players, as in the
// LLM-Deliberation games (at least n−1 of the n parties, p1 and p2 among
// them). The rule is decided here once: the voting protocols use it to say
// whether a text or offer is agreed, the analysis to find the deals it
// accepts, and the scoring of game logs to say whether a deal passes.
//
// Parties are indices 0..n−1 in the caller's order: negotiating parties in
// scenario order for a scenario, seats for a protocol.
package decision

import (
	"fmt"
	"strconv"
	"strings"
)

// Rule says which sets of accepting parties agree a deal: every veto party
// must accept, and at least Quorum parties in all. The zero Rule is
// unanimity.
type Rule struct {
	// Quorum is how many parties must accept; 0 means all of them.
	Quorum int
	// Veto lists the parties whose acceptance is required.
	Veto []int
}

// Need is how many of n parties must accept: the quorum (all when it is 0
// or above n), and never fewer than the veto parties.
func (r Rule) Need(n int) int {
	q := r.Quorum
	if q <= 0 || q > n {
		q = n
	}
	return max(q, len(r.Veto))
}

// Unanimous reports whether the rule, among n parties, asks every party to
// accept.
func (r Rule) Unanimous(n int) bool { return r.Need(n) >= n }

// Check reports a rule that does not fit n parties: a quorum outside 0..n,
// a veto party outside 0..n−1 or listed twice.
func (r Rule) Check(n int) error {
	if r.Quorum < 0 || r.Quorum > n {
		return fmt.Errorf("decision rule: a quorum of %d among %d parties; give 1 to %d (0 for all)", r.Quorum, n, n)
	}
	for k, p := range r.Veto {
		if p < 0 || p >= n {
			return fmt.Errorf("decision rule: veto party %d is not one of the %d parties", p, n)
		}
		for _, q := range r.Veto[:k] {
			if q == p {
				return fmt.Errorf("decision rule: veto party %d is listed twice", p)
			}
		}
	}
	return nil
}

// IsVeto reports whether party p must accept.
func (r Rule) IsVeto(p int) bool {
	for _, q := range r.Veto {
		if q == p {
			return true
		}
	}
	return false
}

// Agrees reports whether a deal is agreed among n parties when yes of them
// accept it, vetoYes of those being veto parties. It allocates nothing, so
// protocols call it in every vote.
func (r Rule) Agrees(n, yes, vetoYes int) bool {
	return vetoYes >= len(r.Veto) && yes >= r.Need(n)
}

// Accepts reports whether the rule agrees a deal that the parties marked in
// accept (one entry per party) accept.
func (r Rule) Accepts(accept []bool) bool {
	yes := 0
	for _, a := range accept {
		if a {
			yes++
		}
	}
	for _, p := range r.Veto {
		if p >= len(accept) || !accept[p] {
			return false
		}
	}
	return yes >= r.Need(len(accept))
}

// Describe says the rule for people, naming the parties by names (one per
// party): "unanimity", or "5 of 6 parties, including SportCo and
// Department of Tourism".
func (r Rule) Describe(names []string) string {
	n := len(names)
	if r.Unanimous(n) {
		if n == 0 {
			return "unanimity"
		}
		return "unanimity (all " + strconv.Itoa(n) + " parties)"
	}
	s := fmt.Sprintf("%d of %d parties", r.Need(n), n)
	if len(r.Veto) == 0 {
		return s
	}
	vs := make([]string, len(r.Veto))
	for k, p := range r.Veto {
		if p >= 0 && p < n {
			vs[k] = names[p]
		} else {
			vs[k] = "party " + strconv.Itoa(p)
		}
	}
	return s + ", including " + joinAnd(vs)
}

// joinAnd joins words as "a", "a and b", "a, b and c".
func joinAnd(ws []string) string {
	if len(ws) <= 1 {
		return strings.Join(ws, "")
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}
