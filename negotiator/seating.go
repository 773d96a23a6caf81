package negotiator

import (
	"fmt"

	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// CheckTable is the one seating rule: whether protocol p can seat the given
// number of negotiating parties (0 when not yet known, as in a tournament
// spec before its scenarios load), with or without a mediator. Its messages
// say what would fit.
func CheckTable(p protocol.Info, parties int, haveMediator bool) error {
	if parties > 0 && parties < p.MinParties {
		return fmt.Errorf("protocol %s needs at least %d negotiating parties; the scenario has %d", p.Name, p.MinParties, parties)
	}
	if p.Mediated && !haveMediator {
		return fmt.Errorf("protocol %s needs a mediator: %s", p.Name, registry.Or(Names(RoleMediator)))
	}
	if !p.Mediated && haveMediator {
		return fmt.Errorf("protocol %s has no mediator; drop the mediator or use protocol %s", p.Name, registry.Or(mediatedProtocols()))
	}
	return nil
}

// mediatedProtocols names the protocols that seat a mediator.
func mediatedProtocols() []string {
	var ns []string
	for _, p := range protocol.Protocols() {
		if p.Mediated {
			ns = append(ns, p.Name)
		}
	}
	return ns
}

// CheckIndex reports a strategy that walks the sorted outcomes seated on
// preferences whose index could not sort them (too many outcomes).
func (s Spec) CheckIndex(x *Index) error {
	if s.Info.NeedsSorted && !x.Sorted() {
		return fmt.Errorf("%s walks the sorted outcomes, but the %d outcomes are more than the %d that can be sorted; choose another negotiator",
			s.Info.Name, x.Size(), outcome.DefaultEnumerationLimit)
	}
	return nil
}
