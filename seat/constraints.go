package seat

import "fmt"

// breaks refuses an offer that breaks one of the scenario's constraints
// (a combination no deal may contain, for any party), saying which and
// why; nil when it breaks none. A constraint breaks once every issue it
// names is settled or on the table; r.buf holds the offer's phase values.
func (r *Remote) breaks() *fieldError {
	sc := r.b.Scenario
	if len(sc.Constraints) == 0 {
		return nil
	}
	value := func(i int) (int, bool) {
		for k, j := range r.b.Issues {
			if j == i {
				return r.buf[k], true
			}
		}
		if s := r.b.Settled[i]; s >= 0 {
			return s, true
		}
		return 0, false
	}
next:
	for c := range sc.Constraints {
		f := &sc.Constraints[c].Forbid
		for k, i := range f.Issues {
			x, ok := value(i)
			if !ok || !f.Allowed[k][x] {
				continue next
			}
		}
		con := &sc.Constraints[c]
		why := con.Description
		if why == "" {
			why = con.Quote
		}
		return &fieldError{field: "outcome", msg: fmt.Sprintf("this deal breaks the scenario's constraint %q (%s: %s); no party may agree to it, so offer another", con.ID, sc.DescribeConstraint(c), why)}
	}
	return nil
}
