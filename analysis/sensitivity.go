package analysis

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/scenario"
)

// SensitivityOptions tune Sensitivity.
type SensitivityOptions struct {
	Samples         int // must be ≥ 1
	Seed            uint64
	MinRatification float64 // 0 means DefaultMinRatification
	Top             int     // recurring deals listed; 0 means 5
	Progress        func(done, total int)
}

// SensitivityReport is the result of Sensitivity: the JSON object
// what_if.sensitivity.
type SensitivityReport struct {
	Samples int    `json:"samples"`
	Seed    uint64 `json:"seed"`
	// Assumptions: the numbers sampled, by their path in the file.
	Assumptions []SampledAssumption `json:"assumptions"`
	// Invalid: samples whose scenario failed validation (left out of the
	// shares below, which are over the valid samples).
	Invalid int `json:"invalid"`
	Valid   int `json:"valid"`
	// ZoneShare: share of valid samples with a zone of agreement;
	// RatifiableShare: with a ratifiable zone.
	ZoneShare       float64 `json:"zone_share"`
	RatifiableShare float64 `json:"ratifiable_share"`
	// Deals that recur: the Nash deal and the ratifiable Nash deal (first
	// tied outcome), most frequent first, at most Top of each.
	NashDeals           []DealFrequency `json:"nash_deals"`
	RatifiableNashDeals []DealFrequency `json:"ratifiable_nash_deals"`
	FirstError          string          `json:"first_error,omitempty"`
}

// SampledAssumption is one number with an assumed range.
type SampledAssumption struct {
	Path  string     `json:"path"`
	Value float64    `json:"value"`
	Range [2]float64 `json:"range"`
}

// DealFrequency is a deal and how often it came out.
type DealFrequency struct {
	Outcome map[string]string `json:"outcome"`
	Count   int               `json:"count"`
	Share   float64           `json:"share"` // of valid samples
}

// slot is one sampled number in a File: get and set read and write it in
// place (through the map that holds it, where there is one).
type slot struct {
	path  string
	orig  scenario.Number
	get   func() scenario.Number
	set   func(scenario.Number)
	party int    // index in File.Parties
	field string // first field under the party: weights, reservation, ...
}

// sampled are the party fields whose numbers the static analysis uses;
// the rest (capability, positions, time costs, drift, events) do not enter
// the zone, ratification or Nash computation and keep their values.
var sampled = map[string]bool{"reservation": true, "weights": true, "values": true, "credibility": true, "ratification": true}

// assumptionSlots lists the Numbers with an assumed range in the fields of
// f's parties that the analysis uses, in a fixed order (fields in
// declaration order, map keys sorted).
func assumptionSlots(f *scenario.File) []slot {
	var out []slot
	for p := range f.Parties {
		prefix := fmt.Sprintf("parties[%d].", p)
		for _, r := range scenario.NumbersIn(&f.Parties[p], strings.TrimSuffix(prefix, ".")) {
			field, _, _ := strings.Cut(strings.TrimPrefix(r.Path, prefix), ".")
			n := r.Get()
			if !sampled[field] || n.Assumption == nil || len(n.Assumption.Range) != 2 {
				continue
			}
			out = append(out, slot{path: r.Path, orig: n, get: r.Get, set: r.Set, party: p, field: field})
		}
	}
	return out
}

// Sensitivity samples every assumption that has a range, among the numbers
// the analysis uses (parties' reservation values, weights, value functions,
// credibility and ratification rules), uniformly and independently over its
// range with a math/rand/v2 PCG seeded by Seed, in the fixed order of
// assumptionSlots. A party's weights are then renormalised to sum to 1
// (when any of them was sampled). Each sample is re-validated with
// scenario.FromFile and analysed: is there a zone, a ratifiable zone, and
// which outcome is the Nash deal over each. f must come from
// scenario.DecodeFile; Sensitivity changes its numbers while it runs and
// restores them before it returns (f's value functions stay resolved, see
// File.ResolveValues).
func Sensitivity(f *scenario.File, name string, opts SensitivityOptions) (*SensitivityReport, error) {
	if opts.Samples < 1 {
		return nil, fmt.Errorf("analysis: sensitivity needs at least 1 sample, got %d", opts.Samples)
	}
	minRat := WhatIfOptions{MinRatification: opts.MinRatification}.minRat()
	top := WhatIfOptions{Top: opts.Top}.top()
	f.ResolveValues()
	slots := assumptionSlots(f)
	rep := &SensitivityReport{Samples: opts.Samples, Seed: opts.Seed, Assumptions: []SampledAssumption{},
		NashDeals: []DealFrequency{}, RatifiableNashDeals: []DealFrequency{}}
	for _, s := range slots {
		r := s.orig.Assumption.Range
		rep.Assumptions = append(rep.Assumptions, SampledAssumption{Path: s.path, Value: s.orig.Value, Range: [2]float64{r[0], r[1]}})
	}
	defer func() {
		for _, s := range slots {
			s.set(s.orig)
		}
	}()
	// Parties whose weights are sampled get them renormalised.
	renorm := map[int]bool{}
	for _, s := range slots {
		if s.field == "weights" {
			renorm[s.party] = true
		}
	}
	var parties []int
	origW := map[int]map[string]scenario.Number{}
	for p := range renorm {
		parties = append(parties, p)
		origW[p] = map[string]scenario.Number{}
		for id, n := range f.Parties[p].Weights {
			origW[p][id] = n
		}
	}
	sort.Ints(parties)
	defer func() {
		for p, w := range origW {
			for id, n := range w {
				f.Parties[p].Weights[id] = n
			}
		}
	}()

	// Capability and positions feed forecast models only: set them aside
	// while sampling so that validation skips them.
	type spatial struct {
		cap *scenario.Number
		pos map[string]scenario.PositionDef
	}
	aside := make([]spatial, len(f.Parties))
	for p := range f.Parties {
		pd := &f.Parties[p]
		aside[p] = spatial{pd.Capability, pd.Positions}
		pd.Capability, pd.Positions = nil, nil
	}
	defer func() {
		for p := range f.Parties {
			f.Parties[p].Capability, f.Parties[p].Positions = aside[p].cap, aside[p].pos
		}
	}()

	rng := rand.New(rand.NewPCG(opts.Seed, 0x5eed5eed5eed5eed))
	var g *grid
	var err error
	nash := map[int]int{}
	rnash := map[int]int{}
	var zones, rzones int
	var first *grid // for labels
	for k := range opts.Samples {
		for _, s := range slots {
			r := s.orig.Assumption.Range
			s.set(scenario.Number{Value: r[0] + (r[1]-r[0])*rng.Float64()})
		}
		for _, p := range parties {
			w := f.Parties[p].Weights
			sum := 0.0
			for _, n := range w {
				sum += n.Value
			}
			if sum > 0 {
				for id, n := range w {
					n.Value /= sum
					w[id] = n
				}
			}
		}
		s, verr := scenario.FromFile(f, name)
		// Weights were rescaled in place: put them back (sampled ones are
		// set afresh in the next sample).
		for p, w := range origW {
			for id, n := range w {
				f.Parties[p].Weights[id] = n
			}
		}
		if verr != nil {
			rep.Invalid++
			if rep.FirstError == "" {
				rep.FirstError = firstError(verr)
			}
			continue
		}
		g, err = newGrid(s, g)
		if err != nil {
			return nil, err
		}
		if first == nil {
			first = &grid{s: s, sp: g.sp}
		}
		rep.Valid++
		hasZone, hasR := false, false
		bn, bv, rn, rv := -1, 0.0, -1, 0.0
		for idx := 0; idx < g.size; idx++ {
			if !g.inZone(idx) {
				continue
			}
			hasZone = true
			x := g.nashProduct(idx, g.rv)
			if bn < 0 || x > bv+Tolerance {
				bn, bv = idx, x
			}
			if g.ratifiable(idx, minRat) {
				hasR = true
				if rn < 0 || x > rv+Tolerance {
					rn, rv = idx, x
				}
			}
		}
		if hasZone {
			zones++
			nash[bn]++
		}
		if hasR {
			rzones++
			rnash[rn]++
		}
		if opts.Progress != nil {
			opts.Progress(k+1, opts.Samples)
		}
	}
	if rep.Valid > 0 {
		rep.ZoneShare = float64(zones) / float64(rep.Valid)
		rep.RatifiableShare = float64(rzones) / float64(rep.Valid)
		rep.NashDeals = frequencies(first, nash, rep.Valid, top)
		rep.RatifiableNashDeals = frequencies(first, rnash, rep.Valid, top)
	}
	return rep, nil
}

func firstError(err error) string {
	var el diag.List
	if errors.As(err, &el) && len(el) > 0 {
		return el[0].Msg
	}
	return err.Error()
}

func frequencies(g *grid, counts map[int]int, valid, top int) []DealFrequency {
	type kv struct{ idx, n int }
	var list []kv
	for idx, n := range counts {
		list = append(list, kv{idx, n})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].idx < list[j].idx
	})
	out := []DealFrequency{}
	for _, e := range list {
		if len(out) == top {
			break
		}
		out = append(out, DealFrequency{Outcome: g.labels(e.idx), Count: e.n, Share: float64(e.n) / float64(valid)})
	}
	return out
}
