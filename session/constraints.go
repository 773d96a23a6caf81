package session

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// The scenario's constraints (scenario.Constraint) are the last red lines
// of every member's utility, so no built-in strategy offers, accepts or
// proposes a deal that breaks one; an outside seat is refused such an offer
// with the reason (seat/). An offer or text that breaks one all the same,
// from a strategy of the caller's own, is counted here, not as a crossing
// of each party's red lines: it is no deal for anyone.

// ConstraintReport says what the scenario's constraints did in a session.
type ConstraintReport struct {
	// Broken counts, per constraint id, the offers and texts put on the
	// table that broke it.
	Broken map[string]int `json:"broken"`
}

// brokenBy returns the first constraint that the offer or text id of the
// current phase breaks, -1 for none: a constraint breaks once every issue
// it names is settled or on the table (with an agenda, those of later
// phases are not decided yet).
func (r *Runner) brokenBy(id uint64) int {
	p := r.prep
	sc := p.Scenario
	info := &p.phases[r.st.phase]
	full := r.st.conBuf
	copy(full, r.st.settled)
	open := r.st.conOpen
	copy(open, r.st.isSettled)
	for i := range open {
		open[i] = !open[i]
	}
	local := r.st.conLocal[:len(info.issues)]
	info.space.Decode(id, local)
	for k, i := range info.issues {
		full[i], open[i] = local[k], false
	}
next:
	for c := range sc.Constraints {
		f := &sc.Constraints[c].Forbid
		for k, i := range f.Issues {
			if open[i] || !f.Allowed[k][full[i]] {
				continue next
			}
		}
		return c
	}
	return -1
}

// initConstraints sizes the state constraints need.
func (r *Runner) initConstraints() {
	if len(r.prep.Scenario.Constraints) == 0 {
		return
	}
	k := r.prep.Space.Issues()
	r.st.conBuf, r.st.conOpen, r.st.conLocal = make([]int, k), make([]bool, k), make([]int, k)
	r.st.broken = make([]int, len(r.prep.Scenario.Constraints))
}

// constraintReport reports the constraints broken in the session, nil
// when the scenario has none.
func (r *Runner) constraintReport() *ConstraintReport {
	sc := r.prep.Scenario
	if len(sc.Constraints) == 0 {
		return nil
	}
	rep := &ConstraintReport{Broken: map[string]int{}}
	for c := range sc.Constraints {
		rep.Broken[sc.Constraints[c].ID] = r.st.broken[c]
	}
	return rep
}

// writeConstraints writes the summary line of the constraints.
func writeConstraints(w io.Writer, res *Result) {
	rep := res.Constraints
	if rep == nil {
		return
	}
	ids := make([]string, 0, len(rep.Broken))
	for id := range rep.Broken {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	parts := make([]string, len(ids))
	for k, id := range ids {
		parts[k] = fmt.Sprintf("%s %d", id, rep.Broken[id])
	}
	fmt.Fprintf(w, "Constraints: offers and texts breaking them: %s\n", strings.Join(parts, ", "))
}
