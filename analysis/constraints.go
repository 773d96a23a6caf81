package analysis

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley/scenario"
)

// constraintNote says which combinations the scenario's constraints take
// off the table for everyone: every figure leaves them out (the frontier,
// the zone and the solutions through each party's utility, where they are
// the last red lines; the what-if grid by marking them, so that no
// relaxation or unconstrained deal brings them back).
func constraintNote(s *scenario.Scenario) string {
	parts := make([]string, len(s.Constraints))
	for k := range s.Constraints {
		parts[k] = fmt.Sprintf("%s (%s)", s.Constraints[k].ID, s.DescribeConstraint(k))
	}
	return "no deal may break a constraint, for any party: " + strings.Join(parts, "; ") + "; outcomes that do are left out of every figure"
}
