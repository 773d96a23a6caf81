package analysis

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// BodyRatification is one body's vote on a deal, when a party's
// ratification has several bodies or votes in communities.
type BodyRatification struct {
	Body     string  `json:"body,omitempty"`
	Required bool    `json:"required"`
	Share    float64 `json:"share"`       // predicted overall yes share (1 when not required)
	Prob     float64 `json:"probability"` // probability the body passes the deal
	// Communities are the parts the body votes in: each one's predicted
	// yes share and whether it reaches its own threshold.
	Communities []CommunityVote `json:"communities,omitempty"`
}

// CommunityVote is one community's predicted vote.
type CommunityVote struct {
	ID     string  `json:"id"`
	Share  float64 `json:"share"`
	Passes bool    `json:"passes"` // its share reaches its threshold
}

// partyRatification is a party's vote on deal o (utility u to it): the
// combined probability of its bodies, and each body's vote when there is
// more than one or it votes in communities.
func partyRatification(party string, rat *utility.Ratification, o []int, u float64) PartyRatification {
	pr := PartyRatification{Party: party, Body: rat.Names(), Required: rat.Required(o), Share: 1, Prob: 1}
	if pr.Required {
		pr.Share, pr.Prob = rat.Share(o, u), rat.Prob(o, u)
	}
	detailed := len(rat.Bodies) > 1
	for k := range rat.Bodies {
		detailed = detailed || len(rat.Bodies[k].Communities) > 0
	}
	if !detailed {
		return pr
	}
	for k := range rat.Bodies {
		b := &rat.Bodies[k]
		bv := BodyRatification{Body: b.Name, Required: b.Required(o), Share: 1, Prob: 1}
		if bv.Required {
			bv.Share, bv.Prob = b.Share(o, u), b.Prob(o, u)
			for c := range b.Communities {
				cm := &b.Communities[c]
				x := cm.Share(o, u)
				bv.Communities = append(bv.Communities, CommunityVote{ID: cm.ID, Share: x, Passes: x >= cm.Threshold})
			}
		}
		pr.Bodies = append(pr.Bodies, bv)
	}
	return pr
}

// consent describes what a body asks of its communities ("" for none).
func consent(b *utility.Body) string {
	switch {
	case len(b.Communities) == 0:
		return ""
	case b.Need >= 1:
		return fmt.Sprintf("cross-community consent of %s", communityIDs(b))
	case b.Need > 0:
		return fmt.Sprintf("a double majority: at least %.3g of the communities (%s) pass", b.Need, communityIDs(b))
	}
	return "the weighted share of " + communityIDs(b)
}

func communityIDs(b *utility.Body) string {
	ids := make([]string, len(b.Communities))
	for k := range b.Communities {
		ids[k] = b.Communities[k].ID
	}
	return strings.Join(ids, ", ")
}

// fmtBodies writes each body's vote of a party's ratification, for the
// text report: "parliament p = 0.9; referendum p = 0.2 (east 0.31 fails)".
func fmtBodies(pr PartyRatification) string {
	var s []string
	for _, bv := range pr.Bodies {
		name := orDefault(bv.Body, "vote")
		if !bv.Required {
			s = append(s, "no "+name+" needed")
			continue
		}
		t := fmt.Sprintf("%s p = %.3g (yes share %.2f", name, bv.Prob, bv.Share)
		for _, c := range bv.Communities {
			verdict := "passes"
			if !c.Passes {
				verdict = "fails"
			}
			t += fmt.Sprintf(", %s %.2f %s", c.ID, c.Share, verdict)
		}
		s = append(s, t+")")
	}
	return strings.Join(s, ", ")
}

// weightGroup is a map of weights that sensitivity renormalises after
// sampling: its weights as written and its ids sorted.
type weightGroup struct {
	m    map[string]scenario.Number
	orig map[string]scenario.Number
	ids  []string
}

// voterWeights finds the constituencies' own weights (of a ratifying body
// or of one of its communities) among which a slot was sampled.
func voterWeights(f *scenario.File, slots []slot) []weightGroup {
	var out []weightGroup
	add := func(path string, m map[string]scenario.Number) {
		if len(m) == 0 {
			return
		}
		for _, s := range slots {
			if strings.HasPrefix(s.path, path+".") {
				out = append(out, weightGroup{m: m, orig: maps.Clone(m), ids: slices.Sorted(maps.Keys(m))})
				return
			}
		}
	}
	for p := range f.Parties {
		r := f.Parties[p].Ratification
		if r == nil {
			continue
		}
		base := fmt.Sprintf("parties[%d].ratification", p)
		bodies, paths := []*scenario.RatificationDef{r}, []string{base}
		for k := range r.Bodies {
			bodies, paths = append(bodies, &r.Bodies[k]), append(paths, fmt.Sprintf("%s[%d]", base, k))
		}
		for k, b := range bodies {
			add(paths[k]+".weights", b.Weights)
			for c := range b.Communities {
				add(fmt.Sprintf("%s.communities[%d].weights", paths[k], c), b.Communities[c].Weights)
			}
		}
	}
	return out
}
