package forecast

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/scenario"
)

// Uncertainty bands: a scenario's forecast inputs (capabilities, positions,
// saliences, the scale points of options) are numbers, many of them
// assumed with a range. SampleBands draws them as the analysis's
// sensitivity draws the preferences — uniformly and independently over
// each range, by analysis.DrawAssumed, in a fixed order (scenario.NumbersIn)
// from a PCG seeded by the caller — runs the models on each sample and
// reports, per issue, the spread of the forecasts and how often the
// package's value changes. Preferences keep their values here: varying
// them is `parley analyze --what-if`'s sensitivity; each sample's package
// is judged by the scenario's rules as they are.

// BandLow and BandHigh are the quantiles that bound a band: 5% and 95%.
const (
	BandLow  = 0.05
	BandHigh = 0.95
)

// forecastNumbers matches the paths of the numbers forecast models use.
var forecastNumbers = regexp.MustCompile(`^(parties\[\d+\]\.(capability|positions\..+\.(position|salience))|issues\[\d+\]\.scale\.options\..+)$`)

// salienceOf matches a party's salience and captures the party's index.
var salienceOf = regexp.MustCompile(`^parties\[(\d+)\]\.positions\..+\.salience$`)

// BandOptions configure SampleBands.
type BandOptions struct {
	// Samples is the number of samples drawn; at least 1.
	Samples int
	// Seed seeds the sampling (math/rand/v2 PCG).
	Seed uint64
	// MinRatification judges each sample's package (0: analysis.DefaultMinRatification).
	MinRatification float64
	// Options are the models' parameters.
	Options Options
	// Budget, if set, is asked before each sample whether to go on.
	Budget *budget.Budget
}

// Bands is the result of SampleBands.
type Bands struct {
	Samples int    `json:"samples"`
	Seed    uint64 `json:"seed"`
	// Low and High are the quantiles of the bands (BandLow, BandHigh).
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Assumptions lists the numbers sampled, by their path in the file.
	Assumptions []SampledNumber `json:"assumptions"`
	// Valid samples validated as scenarios; Invalid did not (FirstError
	// says why the first did not) and are left out.
	Valid      int          `json:"valid"`
	Invalid    int          `json:"invalid"`
	FirstError string       `json:"first_error,omitempty"`
	Models     []ModelBands `json:"models"`
}

// SampledNumber is one number with an assumed range.
type SampledNumber struct {
	Path  string     `json:"path"`
	Value float64    `json:"value"`
	Range [2]float64 `json:"range"`
}

// ModelBands is one model's forecasts over the samples.
type ModelBands struct {
	Model string `json:"model"`
	// Scored counts the valid samples the model ran on; Failed the others
	// (FirstError says why the first failed).
	Scored     int    `json:"scored"`
	Failed     int    `json:"failed"`
	FirstError string `json:"first_error,omitempty"`
	// Issues: one band per forecast issue.
	Issues []IssueBand `json:"issues"`
	// PackageChanged is the share of scored samples whose package differs
	// from the unsampled one on some issue; Agreed the share whose package
	// is agreed (decision rule and ratification) however the open issues
	// are settled; Crosses the share that cross some red line whatever.
	PackageChanged float64 `json:"package_changed"`
	Agreed         float64 `json:"agreed"`
	Crosses        float64 `json:"crosses"`
}

// IssueBand is the spread of one issue's forecast over the samples.
type IssueBand struct {
	Issue string `json:"issue"`
	// Forecast is the unsampled forecast; Low, Median and High the
	// quantiles of the sampled ones (0–100), by linear interpolation
	// between order statistics.
	Forecast float64 `json:"forecast"`
	Low      float64 `json:"low"`
	Median   float64 `json:"median"`
	High     float64 `json:"high"`
	// Units is, for a numeric issue, [Low, Median, High] in its own units.
	Units []float64 `json:"units,omitempty"`
	// Value is the unsampled package's value; Changed the share of scored
	// samples whose package has another; Values every value the samples
	// give, most frequent first.
	Value   string       `json:"value"`
	Changed float64      `json:"changed"`
	Values  []ValueShare `json:"values"`
}

// ValueShare is how often the samples' package takes a value of an issue.
type ValueShare struct {
	Value string  `json:"value"`
	Label string  `json:"label"`
	Share float64 `json:"share"`
}

// bandSlot is one number of the file that the models use.
type bandSlot struct {
	ref  scenario.NumberRef
	orig scenario.Number
}

// bandSampler writes samples of the forecast inputs into a decoded file.
type bandSampler struct {
	f     *scenario.File
	slots []bandSlot // the sampled numbers, in file order
	// saliences holds every salience of each party with a sampled one
	// (parties ascending), which draw rescales when they pass 100.
	saliences [][]bandSlot
}

// newBandSampler finds the numbers of f that the models use and carry an
// assumed range (analysis.Sampled).
func newBandSampler(f *scenario.File) *bandSampler {
	sm := &bandSampler{f: f}
	byParty := map[int][]bandSlot{}
	sampled := map[int]bool{}
	for _, ref := range scenario.NumbersIn(f, "") {
		if !forecastNumbers.MatchString(ref.Path) {
			continue
		}
		sl := bandSlot{ref: ref, orig: ref.Get()}
		party := -1
		if m := salienceOf.FindStringSubmatch(ref.Path); m != nil {
			fmt.Sscan(m[1], &party)
			byParty[party] = append(byParty[party], sl)
		}
		if analysis.Sampled(sl.orig) {
			sm.slots = append(sm.slots, sl)
			sampled[party] = true
		}
	}
	for _, p := range slices.Sorted(maps.Keys(byParty)) {
		if sampled[p] {
			sm.saliences = append(sm.saliences, byParty[p])
		}
	}
	return sm
}

// draw writes one sample into the file: every sampled number drawn by
// analysis.DrawAssumed, in file order; then each party's saliences, if
// they sum to more than 100, scaled down in proportion to 100.
func (sm *bandSampler) draw(rng *rand.Rand) {
	for _, sal := range sm.saliences {
		for _, sl := range sal {
			sl.ref.Set(scenario.Number{Value: sl.orig.Value})
		}
	}
	for _, sl := range sm.slots {
		sl.ref.Set(scenario.Number{Value: analysis.DrawAssumed(sl.orig, rng)})
	}
	for _, sal := range sm.saliences {
		sum := 0.0
		for _, sl := range sal {
			sum += sl.ref.Get().Value
		}
		if sum > 100 {
			for _, sl := range sal {
				sl.ref.Set(scenario.Number{Value: sl.ref.Get().Value * 100 / sum})
			}
		}
	}
}

// sample validates the file as it stands and builds its forecast problem,
// which must have the unsampled problem's issues.
func (sm *bandSampler) sample(name string, dims []string) (*scenario.Scenario, Problem, error) {
	s, err := scenario.FromFile(sm.f, name)
	if err != nil {
		return nil, Problem{}, err
	}
	p, err := FromScenario(s)
	if err == nil && !slices.Equal(p.DimensionNames(), dims) {
		err = fmt.Errorf("the sample's scaled issues %v differ from %v", p.DimensionNames(), dims)
	}
	return s, p, err
}

// bandTally gathers one model's packages over the samples.
type bandTally struct {
	base    *Package         // the unsampled package; nil if the model cannot run
	dims    []string         // the forecast issues
	fc      [][]float64      // [issue][sample] forecasts
	vals    []map[string]int // [issue] value → samples
	changed []int            // [issue] samples whose value differs from base's
	pkgs    int              // samples whose package differs from base
	agreed  int
	crosses int
}

func newBandTally(base *Package, dims []string) *bandTally {
	t := &bandTally{base: base, dims: dims, fc: make([][]float64, len(dims)), vals: make([]map[string]int, len(dims)), changed: make([]int, len(dims))}
	for d := range dims {
		t.vals[d] = map[string]int{}
	}
	return t
}

// add counts one sample's package.
func (t *bandTally) add(pk *Package) {
	changed := false
	for i, is := range pk.Issues {
		if is.Nearest == nil {
			continue
		}
		d := slices.Index(t.dims, is.Issue)
		t.fc[d] = append(t.fc[d], *is.Forecast)
		t.vals[d][is.Nearest.Value]++
		if is.Nearest.Value != t.base.Issues[i].Nearest.Value {
			t.changed[d]++
			changed = true
		}
	}
	if changed {
		t.pkgs++
	}
	if pk.Agreed() {
		t.agreed++
	}
	if len(pk.Crosses) > 0 {
		t.crosses++
	}
}

// finish fills mb, whose Scored is set, from the tally; dims are the
// problem's dimensions (for labels and units).
func (t *bandTally) finish(mb *ModelBands, dims []Dimension) {
	for d := range dims {
		dim := &dims[d]
		var base *PackageIssue
		for i := range t.base.Issues {
			if t.base.Issues[i].Issue == dim.Name {
				base = &t.base.Issues[i]
			}
		}
		ib := IssueBand{Issue: dim.Name, Forecast: *base.Forecast, Value: base.Nearest.Value, Values: []ValueShare{}}
		if mb.Scored > 0 {
			xs := slices.Clone(t.fc[d])
			sort.Float64s(xs)
			ib.Low, ib.Median, ib.High = quantile(xs, BandLow), quantile(xs, 0.5), quantile(xs, BandHigh)
			ib.Changed = float64(t.changed[d]) / float64(mb.Scored)
			for v, c := range t.vals[d] {
				ib.Values = append(ib.Values, ValueShare{Value: v, Label: labelOf(dim, v), Share: float64(c) / float64(mb.Scored)})
			}
			sort.Slice(ib.Values, func(a, c int) bool {
				if ib.Values[a].Share != ib.Values[c].Share {
					return ib.Values[a].Share > ib.Values[c].Share
				}
				return ib.Values[a].Value < ib.Values[c].Value
			})
			if n := dim.Numeric; n != nil {
				for _, x := range []float64{ib.Low, ib.Median, ib.High} {
					ib.Units = append(ib.Units, n.Min+(n.Max-n.Min)*x/100)
				}
			}
		}
		mb.Issues = append(mb.Issues, ib)
	}
	if mb.Scored > 0 {
		mb.PackageChanged = float64(t.pkgs) / float64(mb.Scored)
		mb.Agreed = float64(t.agreed) / float64(mb.Scored)
		mb.Crosses = float64(t.crosses) / float64(mb.Scored)
	}
}

// SampleBands draws opts.Samples samples of the forecast inputs of the
// scenario file data (named name in messages), runs each named model (nil:
// all) on each, and judges each forecast's package. It decodes its own
// copy of the file. A party whose sampled saliences sum to more than 100
// has them scaled down, in proportion, to sum to 100 (as the analysis
// renormalises sampled weights). A model that cannot run on the scenario
// itself is not run on the samples (ModelBands.FirstError says why).
func SampleBands(data []byte, name string, names []string, opts BandOptions) (*Bands, error) {
	if opts.Samples < 1 {
		return nil, fmt.Errorf("forecast: bands need at least 1 sample, got %d", opts.Samples)
	}
	f, err := scenario.DecodeFile(data, name)
	if err != nil {
		return nil, err
	}
	nominal, err := scenario.FromFile(f, name)
	if err != nil {
		return nil, err
	}
	np, err := FromScenario(nominal)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		names = ModelNames()
	}
	b := &Bands{Samples: opts.Samples, Seed: opts.Seed, Low: BandLow, High: BandHigh, Assumptions: []SampledNumber{},
		Models: make([]ModelBands, len(names))}
	tallies := make([]*bandTally, len(names))
	for k, m := range names {
		if _, err := models.Lookup(m); err != nil {
			return nil, err
		}
		b.Models[k] = ModelBands{Model: m, Issues: []IssueBand{}}
		base, err := runAndAssemble(nominal, np, m, opts)
		if err != nil {
			b.Models[k].FirstError = firstLine(err)
			continue
		}
		tallies[k] = newBandTally(base, np.DimensionNames())
	}
	sm := newBandSampler(f)
	for _, sl := range sm.slots {
		r := sl.orig.Assumption.Range
		b.Assumptions = append(b.Assumptions, SampledNumber{Path: sl.ref.Path, Value: sl.orig.Value, Range: [2]float64{r[0], r[1]}})
	}
	if len(sm.slots) == 0 {
		return b, nil // nothing varies: no bands
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0xba4d5ba4d5ba4d5b))
	step := fmt.Sprintf("the forecast bands (%s samples)", budget.Thousands(uint64(opts.Samples)))
	defer opts.Budget.End(step)
	for k := range opts.Samples {
		at := budget.Thousands(uint64(k)) + " done"
		if err := opts.Budget.Check(step, at); err != nil {
			return nil, err
		}
		if opts.Budget.Reporting() {
			opts.Budget.Report(budget.Progress{Step: step, Detail: at, Done: int64(k), Total: int64(opts.Samples)})
		}
		sm.draw(rng)
		s, sp, err := sm.sample(name, np.DimensionNames())
		if err != nil {
			b.Invalid++
			if b.FirstError == "" {
				b.FirstError = firstLine(err)
			}
			continue
		}
		b.Valid++
		for j, m := range names {
			if tallies[j] == nil {
				continue
			}
			mb := &b.Models[j]
			pk, err := runAndAssemble(s, sp, m, opts)
			if err != nil {
				mb.Failed++
				if mb.FirstError == "" {
					mb.FirstError = firstLine(err)
				}
				continue
			}
			mb.Scored++
			tallies[j].add(pk)
		}
	}
	for j, t := range tallies {
		if t != nil {
			t.finish(&b.Models[j], np.Dimensions)
		}
	}
	return b, nil
}

func runAndAssemble(s *scenario.Scenario, p Problem, model string, opts BandOptions) (*Package, error) {
	r, err := Run(p, model, opts.Options)
	if err != nil {
		return nil, err
	}
	return Assemble(s, r, opts.MinRatification)
}

// labelOf is the label of value v (an option id, or a number) of a dimension.
func labelOf(d *Dimension, v string) string {
	for _, o := range d.Options {
		if o.ID == v {
			return o.Label
		}
	}
	return v
}

// quantile is the q-quantile of sorted xs, interpolating linearly between
// order statistics (Hyndman & Fan's type 7, R's default).
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	h := q * float64(len(xs)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[lo] + (h-float64(lo))*(xs[lo+1]-xs[lo])
}
