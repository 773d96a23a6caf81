package negotiator

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
)

// TestCheckTable: one seating rule for every caller, with messages that say
// what would fit (shuttle included).
func TestCheckTable(t *testing.T) {
	for _, c := range []struct {
		proto    string
		parties  int
		mediator bool
		want     string
	}{
		{"saop", 2, false, ""},
		{"saop", 0, false, ""},
		{"saop", 1, false, "protocol saop needs at least 2 negotiating parties; the scenario has 1"},
		{"saop", 3, true, "protocol saop has no mediator; drop the mediator or use protocol mediated or shuttle"},
		{"shuttle", 2, false, "protocol shuttle needs a mediator: broker, hillclimb or veto"},
		{"shuttle", 0, true, ""},
		{"mediated", 4, true, ""},
	} {
		info, err := protocol.Lookup(c.proto)
		if err != nil {
			t.Fatal(err)
		}
		err = CheckTable(info, c.parties, c.mediator)
		if (c.want == "") != (err == nil) || (err != nil && err.Error() != c.want) {
			t.Errorf("%s, %d parties, mediator %v: %v, want %q", c.proto, c.parties, c.mediator, err, c.want)
		}
	}
}

func TestCheckRole(t *testing.T) {
	veto, _ := Parse("veto")
	boul, _ := Parse("boulware")
	if err := veto.CheckRole(RoleParty); err == nil || !strings.Contains(err.Error(), "veto is a mediator, not a negotiator; it mediates protocols mediated or shuttle") {
		t.Errorf("veto as a party: %v", err)
	}
	if err := boul.CheckRole(RoleMediator); err == nil || !strings.Contains(err.Error(), "boulware negotiates for a party and cannot mediate; mediators: broker, hillclimb, veto") {
		t.Errorf("boulware as mediator: %v", err)
	}
	if veto.CheckRole(RoleMediator) != nil || boul.CheckRole(RoleParty) != nil {
		t.Error("a strategy in its own seat was refused")
	}
}

// TestParseRefusesNonFinite: a NaN or infinite parameter used to be
// accepted (timedependent:e=NaN).
func TestParseRefusesNonFinite(t *testing.T) {
	for _, s := range []string{"timedependent:e=NaN", "timedependent:e=+Inf", "broker:w=-inf"} {
		if _, err := Parse(s); err == nil || !strings.Contains(err.Error(), "is not a finite number") {
			t.Errorf("%s: %v", s, err)
		}
	}
}
