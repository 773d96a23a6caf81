package analysis

import "math/bits"

// RedLineWhatIf is how much one red line binds.
type RedLineWhatIf struct {
	// Party is the party whose red line it is; "" for the deals a meeting
	// rules out for everyone (its ID is "meeting <id>").
	Party       string `json:"party"`
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	// Removes counts the outcomes acceptable to every party (u_i ≥ rv_i)
	// and crossing no other red line that this one rules out: what
	// dropping it alone adds to the zone.
	Removes uint64 `json:"removes"`
	// Crossed counts the outcomes acceptable to every party that cross it,
	// whatever other red lines do.
	Crossed uint64 `json:"crossed"`
	// Binds: Removes > 0.
	Binds bool `json:"binds"`
	// Whether the unconstrained deals (every red line ignored) cross it.
	CrossesNash       bool `json:"crosses_unconstrained_nash"`
	CrossesMaxWelfare bool `json:"crosses_unconstrained_max_welfare"`
}

// redLines counts, for each red line, the acceptable outcomes it rules out
// alone and all those that cross it, and whether the unconstrained Nash
// (un) and max-welfare (uw) deals cross it.
func (g *grid) redLines(un, uw best) []RedLineWhatIf {
	removes := make([]uint64, len(g.lines))
	crossed := make([]uint64, len(g.lines))
	for idx := 0; idx < g.size; idx++ {
		c := g.cross[idx]
		if c == 0 || g.forbidden(idx) || !g.rational(idx, g.floor) {
			continue
		}
		if bits.OnesCount64(c) == 1 {
			removes[bits.TrailingZeros64(c)]++
		}
		for c != 0 {
			b := bits.TrailingZeros64(c)
			crossed[b]++
			c &^= 1 << b
		}
	}
	out := []RedLineWhatIf{}
	for b, l := range g.lines {
		rl := RedLineWhatIf{Party: g.lineParty(l), ID: g.line(l).ID,
			Removes: removes[b], Crossed: crossed[b], Binds: removes[b] > 0}
		if l.party == -2 {
			rl.Description = g.vetoLines[l.k].desc
		} else if l.party < 0 {
			rl.Description = "a term of the deal whose meeting cannot take place"
		} else if def := &g.s.Parties[g.parties[l.party]]; l.k < len(def.RedLineInfo) {
			rl.Description = def.RedLineInfo[l.k].Description
		}
		rl.CrossesNash = un.idx >= 0 && g.cross[un.idx]&(1<<b) != 0
		rl.CrossesMaxWelfare = uw.idx >= 0 && g.cross[uw.idx]&(1<<b) != 0
		out = append(out, rl)
	}
	return out
}
