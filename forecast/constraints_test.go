package forecast

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// TestPackageJudgedByConstraints (issue 16, finding 5): a forecast package
// that breaks a scenario constraint is judged as crossing it, a line of no
// party, and is acceptable to no one.
func TestPackageJudgedByConstraints(t *testing.T) {
	// The quorum scenario with a constraint that forbids the rate the
	// compromise model forecasts (5) at the venue "there".
	src := strings.Replace(quorum, "decision: {quorum: 2}\n", `decision: {quorum: 2}
constraints:
  - {id: no_five_there, forbid: {rate: ["5"], venue: [there]}, assumption: {why: the hall there is too small}}
`, 1)
	s, err := scenario.Parse([]byte(src), "quorum.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	pk := assemble(t, s, p, "compromise")
	// here: as without the constraint (a and b accept); there: no one.
	acc := []int{pk.Parties[0].AcceptableIn, pk.Parties[1].AcceptableIn, pk.Parties[2].AcceptableIn}
	last := pk.RedLines[len(pk.RedLines)-1]
	if !slices.Equal(acc, []int{1, 1, 0}) || last.Party != "" || last.ID != "constraint no_five_there" || last.CrossedIn != 1 {
		t.Errorf("acceptable in %v, lines %+v", acc, pk.RedLines)
	}
	var b bytes.Buffer
	bw := newTestWriter(&b)
	pk.writeText(bw)
	bw.Flush()
	if !strings.Contains(b.String(), "  red line constraint no_five_there: crossed in 1 of 2\n") {
		t.Errorf("text:\n%s", b.String())
	}
}
