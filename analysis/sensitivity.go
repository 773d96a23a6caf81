package analysis

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/scenario"
)

// SensitivityOptions tune Sensitivity; they are separate from
// WhatIfOptions, and only Samples is required.
type SensitivityOptions struct {
	// Samples is the number of samples drawn; at least 1.
	Samples int
	// Seed seeds the sampling (math/rand/v2 PCG).
	Seed uint64
	// MinRatification: a deal is ratifiable when every required
	// ratification passes with at least this probability. 0 means
	// DefaultMinRatification (Sensitivity) or the what-if's
	// (Report.SensitivityAnalysis).
	MinRatification float64
	// Top caps the recurring deals listed; 0 means 5.
	Top int
	// Progress, if set, is called after each sample.
	Progress func(done, total int)
	// Predictor, if set, compares the agenda with the package in every
	// sample of a scenario with an agenda (SensitivityReport.Orderings);
	// the numbers of time then are sampled too.
	Predictor Predictor
	// Budget, if set, bounds the run: its context is looked at before
	// each sample, its memory ceiling bounds each sample's grid, and its
	// callback hears the samples done.
	Budget *budget.Budget
	// Distribute, if set, draws the samples elsewhere (on other machines:
	// tournament/cluster): it is given these options, MinRatification
	// resolved, and returns parts (SensitivitySamples) that cover samples
	// 0 to Samples-1, which are merged into the same report as drawing
	// them here gives.
	Distribute func(opts SensitivityOptions) ([]*SensitivityPart, error)
}

func (o SensitivityOptions) top() int {
	if o.Top <= 0 {
		return 5
	}
	return o.Top
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
	// Orderings says how often each party prefers the agenda to the
	// package, with a Predictor and an agenda.
	Orderings *OrderingShares `json:"orderings,omitempty"`
	// Perceptions says, per party whose beliefs differ from the truth,
	// how often they mislead it (with beliefs).
	Perceptions []PerceptionShare `json:"perceptions,omitempty"`
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

// slot is one sampled number in a File: set writes it in place (through
// the map that holds it, where there is one).
type slot struct {
	path  string
	orig  scenario.Number
	set   func(scenario.Number)
	party int    // index in File.Parties, -1 for an event
	field string // first field under the party: weights, reservation, ...
	// time: only sessions use the number (a cost, a drift, an event's
	// shift); it is drawn from a stream of its own, so that sampling it
	// changes no other draw.
	time bool
}

// sampled are the party fields whose numbers the static analysis uses;
// the rest (capability, positions, time costs, drift, events) do not enter
// the zone, ratification or Nash computation and keep their values.
var sampled = map[string]bool{"reservation": true, "weights": true, "values": true, "credibility": true, "ratification": true,
	// A coalition's members' numbers and the share its rule needs
	// (coalition.go).
	"decides": true, "members.reservation": true, "members.weights": true, "members.values": true, "members.credibility": true, "members.weight": true}

// timed are the party fields that enter only what sessions pay: sampled
// when the orderings are predicted, with the events' numbers.
var timed = map[string]bool{"delay_cost": true, "reservation_drift": true, "while": true}

// assumptionSlots lists the Numbers with an assumed range in the fields of
// f's parties that the analysis uses, in a fixed order (fields in
// declaration order, map keys sorted); with time, then those of the
// parties' time costs and drift and of the events, which only sessions
// use (after the others, so that adding them changes no other draw).
func assumptionSlots(f *scenario.File, time bool) []slot {
	var out []slot
	add := func(use map[string]bool, time bool) {
		for p := range f.Parties {
			prefix := fmt.Sprintf("parties[%d].", p)
			for _, r := range scenario.NumbersIn(&f.Parties[p], strings.TrimSuffix(prefix, ".")) {
				// The party's field: "ratification" also for a body of a
				// list ("ratification[1].threshold"); "members.weights" for
				// a coalition member's.
				field := strings.TrimPrefix(r.Path, prefix)
				if strings.HasPrefix(field, "members[") {
					field = memberField(r.Path, prefix)
				} else if i := strings.IndexAny(field, ".["); i >= 0 {
					field = field[:i]
				}
				n := r.Get()
				if !use[field] || !Sampled(n) {
					continue
				}
				out = append(out, slot{path: r.Path, orig: n, set: r.Set, party: p, field: field, time: time})
			}
		}
	}
	add(sampled, false)
	out = append(out, perceptionSlots(f)...)
	if !time {
		return out
	}
	add(timed, true)
	out = append(out, influenceSlots(f)...)
	for _, r := range scenario.NumbersIn(&f.Events, "events") {
		// An event's new weights are left alone: drawn independently,
		// they would not sum to 1.
		if n := r.Get(); Sampled(n) && (strings.HasSuffix(r.Path, ".reservation_shift") ||
			strings.HasSuffix(r.Path, ".delay_cost") || strings.HasSuffix(r.Path, ".reservation_drift")) {
			out = append(out, slot{path: r.Path, orig: n, set: r.Set, party: -1, field: "events", time: true})
		}
	}
	return out
}

// sampler draws the assumed numbers of a scenario file into its own deep
// copy of the file, so the caller's file is only ever read.
type sampler struct {
	f     *scenario.File // the copy the samples are written to
	slots []slot
	// renorm: the parties whose weights are sampled (ascending), their
	// weights as written, and their issue ids sorted (the order of the sum
	// that renormalises them, so that it is the same on every run).
	renorm  []int
	weights map[int]map[string]scenario.Number
	ids     map[int][]string
	// groups are the other weights that were sampled, also renormalised
	// to sum to 1: the constituencies' own (ratify.go), then the coalition
	// members' (coalition.go).
	groups []weightGroup
	// beliefProbs: the beliefs whose type probabilities are sampled
	// (renormBeliefs).
	beliefProbs []int
}

// newSampler copies f and finds its assumed numbers. Value functions are
// resolved in the copy (File.ResolveValues); capability and positions,
// which feed forecast models only, are dropped from it so that validation
// skips them.
func newSampler(f *scenario.File, time bool) *sampler {
	c := cloneFile(f)
	c.ResolveValues()
	if c.MediatorInfluence != nil && !time {
		c.MediatorInfluence = nil // it moves the mediator in sessions only
	}
	for p := range c.Parties {
		if c.MediatorInfluence == nil {
			c.Parties[p].Capability, c.Parties[p].Positions = nil, nil
		}
	}
	sm := &sampler{f: c, slots: assumptionSlots(c, time), weights: map[int]map[string]scenario.Number{}, ids: map[int][]string{}}
	for _, s := range sm.slots {
		if s.field != "weights" || sm.weights[s.party] != nil {
			continue
		}
		w := maps.Clone(c.Parties[s.party].Weights)
		sm.renorm = append(sm.renorm, s.party)
		sm.weights[s.party] = w
		sm.ids[s.party] = slices.Sorted(maps.Keys(w))
	}
	sort.Ints(sm.renorm)
	sm.groups = append(voterWeights(c, sm.slots), sampledMembers(c, sm.slots)...)
	sm.beliefProbs = beliefsWithSampledProbabilities(c, sm.slots)
	return sm
}

// draw sets every assumed number of the copy to a uniform draw from its
// range, in slot order (the numbers of time from timeRNG), and renormalises the sampled parties' weights to
// sum to 1.
func (sm *sampler) draw(rng, timeRNG *rand.Rand) {
	for _, p := range sm.renorm {
		maps.Copy(sm.f.Parties[p].Weights, sm.weights[p])
	}
	for _, g := range sm.groups {
		maps.Copy(g.m, g.orig)
	}
	for _, s := range sm.slots {
		src := rng
		if s.time {
			src = timeRNG
		}
		s.set(scenario.Number{Value: DrawAssumed(s.orig, src)})
	}
	for _, p := range sm.renorm {
		renormalise(sm.f.Parties[p].Weights, sm.ids[p])
	}
	for _, g := range sm.groups {
		renormalise(g.m, g.ids)
	}
	sm.renormBeliefs()
}

// renormalise divides the weights w by their sum, taken in the order of
// ids (the same on every run).
func renormalise(w map[string]scenario.Number, ids []string) {
	sum := 0.0
	for _, id := range ids {
		sum += w[id].Value
	}
	if sum > 0 {
		for id, n := range w {
			n.Value /= sum
			w[id] = n
		}
	}
}

// Sensitivity samples every assumption that has a range, among the numbers
// the analysis uses (parties' reservation values, weights, value functions,
// credibility and ratification rules), uniformly and independently over its
// range with a math/rand/v2 PCG seeded by Seed, in the fixed order of
// assumptionSlots. A party's weights are then renormalised to sum to 1
// (when any of them was sampled). Each sample is re-validated with
// scenario.FromFile and analysed: is there a zone, a ratifiable zone, and
// which outcome is the Nash deal over each. f must come from
// scenario.DecodeFile; it is not changed: samples are drawn into a copy.
func Sensitivity(f *scenario.File, name string, opts SensitivityOptions) (*SensitivityReport, error) {
	if opts.Samples < 1 {
		return nil, fmt.Errorf("analysis: sensitivity needs at least 1 sample, got %d", opts.Samples)
	}
	return newSampler(f, opts.Predictor != nil).run(name, opts)
}

// SensitivityAnalysis runs Sensitivity on f, the file r was analysed
// from, and adds it to r's what-if analysis (what_if.sensitivity), which
// must have been run. When no number the analysis uses has an assumed
// range it adds a note instead.
func (r *Report) SensitivityAnalysis(f *scenario.File, name string, opts SensitivityOptions) error {
	w := r.WhatIf
	if w == nil {
		return errors.New("analysis: the sensitivity analysis adds to the what-if analysis; run WhatIfAnalysis first")
	}
	if opts.Samples < 1 {
		return fmt.Errorf("analysis: sensitivity needs at least 1 sample, got %d", opts.Samples)
	}
	sm := newSampler(f, opts.Predictor != nil)
	if len(sm.slots) == 0 {
		w.Notes = append(w.Notes, "sensitivity skipped: no number the analysis uses has an assumed range")
		return nil
	}
	if opts.MinRatification <= 0 {
		opts.MinRatification = w.MinRatification
	}
	sr, err := sm.run(name, opts)
	if err != nil {
		return err
	}
	w.Sensitivity = sr
	return nil
}

// run draws opts.Samples samples and tallies them, here or, with
// opts.Distribute, elsewhere in parts (sensitivity_parts.go), which it
// merges as if drawn here.
func (sm *sampler) run(name string, opts SensitivityOptions) (*SensitivityReport, error) {
	opts.MinRatification = WhatIfOptions{MinRatification: opts.MinRatification}.minRat()
	var parts []*SensitivityPart
	if opts.Distribute != nil {
		var err error
		if parts, err = opts.Distribute(opts); err != nil {
			return nil, err
		}
	} else {
		p, err := sm.part(name, opts, 0, opts.Samples)
		if err != nil {
			return nil, err
		}
		parts = []*SensitivityPart{p}
	}
	return sm.merge(name, opts, parts)
}

// zoneNash returns the Nash deal over the zone and over the ratifiable
// zone (the first outcome within Tolerance of the best product as it is
// found), -1 for an empty one: one pass, for the sensitivity loop.
func (g *grid) zoneNash(minRat float64) (zone, ratifiable int) {
	bn, bv, rn, rv := -1, 0.0, -1, 0.0
	for idx := 0; idx < g.size; idx++ {
		if !g.inZone(idx) {
			continue
		}
		x := g.nashProduct(idx, g.rv)
		if bn < 0 || x > bv+Tolerance {
			bn, bv = idx, x
		}
		if g.ratifiable(idx, minRat) && (rn < 0 || x > rv+Tolerance) {
			rn, rv = idx, x
		}
	}
	return bn, rn
}

// cloneFile deep-copies f: every pointer, slice and map reachable through
// exported fields is copied. Unexported fields (a value function's YAML
// node, which nothing writes) are shared.
func cloneFile(f *scenario.File) *scenario.File {
	c := new(scenario.File)
	deepCopy(reflect.ValueOf(c).Elem(), reflect.ValueOf(f).Elem())
	return c
}

// deepCopy sets dst, a settable value, to a deep copy of src.
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			dst.Set(src)
			return
		}
		p := reflect.New(src.Type().Elem())
		deepCopy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Struct:
		dst.Set(src)
		for i := range src.NumField() {
			if src.Type().Field(i).IsExported() {
				deepCopy(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			dst.Set(src)
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			deepCopy(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			dst.Set(src)
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			deepCopy(v, it.Value())
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	default: // numbers, strings, booleans; interfaces are shared
		dst.Set(src)
	}
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
