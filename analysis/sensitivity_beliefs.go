package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/parleyhq/parley/scenario"
)

// What each side believes is sampled as any other assumption: the
// numbers of the file's beliefs (type probabilities, reservation values
// and ranges, the chance a stated red line is real), the audience costs
// of public stances and the credibility others give a party's red lines.
// A belief's type probabilities are renormalised to sum to 1, as a
// party's weights are; the weights a type is believed to have are left
// alone (drawn independently they would not sum to 1). Each sample then
// tallies, per holder, how often its perceived zone promises a deal that
// does not exist, misses one that does, and its pick fails, and its mean
// value of information (SensitivityReport.Perceptions).

// perceptionSlots lists the sampled numbers of beliefs, stances and red
// lines' credibility, after the parties' other numbers.
func perceptionSlots(f *scenario.File) []slot {
	var out []slot
	for _, r := range scenario.NumbersIn(&f.Beliefs, "beliefs") {
		if n := r.Get(); Sampled(n) && !strings.Contains(r.Path, ".weights.") {
			out = append(out, slot{path: r.Path, orig: n, set: r.Set, party: -1, field: "beliefs"})
		}
	}
	for _, r := range scenario.NumbersIn(&f.Stances, "stances") {
		if n := r.Get(); Sampled(n) {
			out = append(out, slot{path: r.Path, orig: n, set: r.Set, party: -1, field: "stances"})
		}
	}
	for p := range f.Parties {
		path := fmt.Sprintf("parties[%d].red_lines", p)
		for _, r := range scenario.NumbersIn(&f.Parties[p].RedLines, path) {
			if n := r.Get(); Sampled(n) && strings.HasSuffix(r.Path, ".credibility") {
				out = append(out, slot{path: r.Path, orig: n, set: r.Set, party: p, field: "red_lines"})
			}
		}
	}
	return out
}

// renormBeliefs makes the type probabilities of each belief with a
// sampled one sum to 1 again, in type order.
func (sm *sampler) renormBeliefs() {
	for _, k := range sm.beliefProbs {
		ts := sm.f.Beliefs[k].Types
		sum := 0.0
		for i := range ts {
			sum += ts[i].Probability.Value
		}
		if sum > 0 {
			for i := range ts {
				ts[i].Probability.Value /= sum
			}
		}
	}
}

// beliefsWithSampledProbabilities lists the beliefs (indices in
// f.Beliefs) one of whose type probabilities is sampled.
func beliefsWithSampledProbabilities(f *scenario.File, slots []slot) []int {
	var out []int
	for k := range f.Beliefs {
		prefix := fmt.Sprintf("beliefs[%d].types[", k)
		for _, s := range slots {
			if strings.HasPrefix(s.path, prefix) && strings.HasSuffix(s.path, ".probability") {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// PerceptionCounts tallies, over samples, what one holder's beliefs do
// (a SensitivityPart's share of the report's PerceptionShares).
type PerceptionCounts struct {
	Holder string `json:"holder"`
	// N is the number of valid samples in which its view differs from
	// the truth; Promises, Misses and PickFails count those in which it
	// believes acceptable a deal that is not, misses one that is, and
	// proposes one some party rejects (or sees none where one exists).
	N         int `json:"n"`
	Promises  int `json:"promises"`
	Misses    int `json:"misses"`
	PickFails int `json:"pick_fails"`
	// Information sums the value of correcting all its views, in units
	// of gainUnit.
	Information int64 `json:"information"`
}

// PerceptionShare is how often one holder's beliefs mislead it over the
// sampled assumptions.
type PerceptionShare struct {
	Holder string `json:"holder"`
	// Samples is the number of valid samples in which its view differs
	// from the truth (the shares' denominator).
	Samples int `json:"samples"`
	// Promises, Misses and PickFails are the shares of those samples in
	// which it believes acceptable a deal that is not, misses a deal
	// that is, and its pick fails.
	Promises  float64 `json:"promises"`
	Misses    float64 `json:"misses"`
	PickFails float64 `json:"pick_fails"`
	// MeanInformation is the mean value, to it, of knowing the others as
	// they are.
	MeanInformation float64 `json:"mean_information"`
}

// tallyPerceptions adds the perceived zones of the sample g stands for.
func tallyPerceptions(counts []PerceptionCounts, g *grid, minRat float64) []PerceptionCounts {
	s := g.s
	if s.Beliefs == nil || !s.Perceives() {
		return counts
	}
	truth := g.truthAcceptance()
	for h := range s.Parties {
		if !g.differs(h) {
			continue
		}
		pz := g.perceive(h, truth, minRat)
		var c *PerceptionCounts
		counts, c = holderCounts(counts, pz.Holder)
		c.N++
		if pz.Promised > 0 {
			c.Promises++
		}
		if pz.Missed > 0 {
			c.Misses++
		}
		if pz.Blocks || (pz.Pick != nil && len(pz.Pick.RejectedBy) > 0) {
			c.PickFails++
		}
		v := 0.0
		for _, iv := range pz.Information {
			v += iv.Value
		}
		c.Information += int64(math.Round(v / gainUnit))
	}
	return counts
}

// holderCounts returns counts with an entry for holder (appended when
// missing) and that entry.
func holderCounts(counts []PerceptionCounts, holder string) ([]PerceptionCounts, *PerceptionCounts) {
	k := slices.IndexFunc(counts, func(c PerceptionCounts) bool { return c.Holder == holder })
	if k < 0 {
		counts = append(counts, PerceptionCounts{Holder: holder})
		k = len(counts) - 1
	}
	return counts, &counts[k]
}

// mergePerceptions adds u's counts to t's, holder by holder.
func mergePerceptions(t, u []PerceptionCounts) []PerceptionCounts {
	for _, c := range u {
		var x *PerceptionCounts
		t, x = holderCounts(t, c.Holder)
		x.N += c.N
		x.Promises += c.Promises
		x.Misses += c.Misses
		x.PickFails += c.PickFails
		x.Information += c.Information
	}
	return t
}

// perceptionShares turns counts into shares, holders in the scenario's
// party order.
func perceptionShares(s *scenario.Scenario, counts []PerceptionCounts) []PerceptionShare {
	var out []PerceptionShare
	for p := range s.Parties {
		k := slices.IndexFunc(counts, func(c PerceptionCounts) bool { return c.Holder == s.Parties[p].ID })
		if k < 0 || counts[k].N == 0 {
			continue
		}
		c := counts[k]
		n := float64(c.N)
		out = append(out, PerceptionShare{Holder: c.Holder, Samples: c.N, Promises: float64(c.Promises) / n,
			Misses: float64(c.Misses) / n, PickFails: float64(c.PickFails) / n, MeanInformation: float64(c.Information) * gainUnit / n})
	}
	return out
}
