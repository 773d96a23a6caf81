package analysis

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/scenario"
)

// A sensitivity analysis draws its samples from one random stream, each
// sample the same number of draws (one per sampled number), so sample k
// starts where the stream stands after k·len(slots) draws: a part of the
// samples can be drawn anywhere by jumping the stream there (advance), and
// tallies of parts add up to the tally of the whole.

// SensitivityPart is the tally of samples From ≤ k < To of a sensitivity
// analysis (SensitivitySamples); parts covering every sample merge into
// the report (SensitivityOptions.Distribute).
type SensitivityPart struct {
	From    int `json:"from"`
	To      int `json:"to"`
	Valid   int `json:"valid"`
	Invalid int `json:"invalid"`
	// Zones and Ratifiable count the valid samples with a zone of
	// agreement and with a ratifiable one.
	Zones      int `json:"zones"`
	Ratifiable int `json:"ratifiable"`
	// Nash and RatifiableNash count each Nash deal's outcome index.
	Nash           map[int]int `json:"nash,omitempty"`
	RatifiableNash map[int]int `json:"ratifiable_nash,omitempty"`
	// FirstValid is the first valid sample (-1 for none): the report
	// names deals by its scenario's labels. FirstError is the first
	// invalid sample's first problem.
	FirstValid int    `json:"first_valid"`
	FirstError string `json:"first_error,omitempty"`
	// Orderings tallies which ordering each party prefers, with a
	// Predictor and an agenda.
	Orderings *OrderingCounts `json:"orderings,omitempty"`
}

// SensitivitySamples draws and tallies samples from ≤ k < to of the
// sensitivity analysis that Sensitivity(f, name, opts) makes, where opts
// are as SensitivityOptions.Distribute is given them.
func SensitivitySamples(f *scenario.File, name string, opts SensitivityOptions, from, to int) (*SensitivityPart, error) {
	if from < 0 || to < from || to > opts.Samples {
		return nil, fmt.Errorf("analysis: samples %d to %d of %d", from, to, opts.Samples)
	}
	opts.Progress, opts.Budget = nil, nil
	return newSampler(f, opts.Predictor != nil).part(name, opts, from, to)
}

// rng is the sampling streams, standing at sample k: the numbers the
// static analysis uses, and the numbers of time (slot.time), each drawn
// once per sample from its own stream.
func (sm *sampler) rng(seed uint64, k int) (static, time *rand.Rand) {
	var nt uint64
	for _, s := range sm.slots {
		if s.time {
			nt++
		}
	}
	p := rand.NewPCG(seed, 0x5eed5eed5eed5eed)
	advance(p, uint64(k)*(uint64(len(sm.slots))-nt))
	q := rand.NewPCG(seed, 0x7135eed7135eed71)
	advance(q, uint64(k)*nt)
	return rand.New(p), rand.New(q)
}

// part draws samples from ≤ k < to and tallies them.
func (sm *sampler) part(name string, opts SensitivityOptions, from, to int) (*SensitivityPart, error) {
	p := &SensitivityPart{From: from, To: to, Nash: map[int]int{}, RatifiableNash: map[int]int{}, FirstValid: -1}
	rng, timeRNG := sm.rng(opts.Seed, from)
	var g *grid
	step := fmt.Sprintf("the sensitivity analysis (%s samples)", budget.Thousands(uint64(opts.Samples)))
	at := func(k int) string { return budget.Thousands(uint64(k)) + " done" }
	defer opts.Budget.End(step)
	for k := from; k < to; k++ {
		if err := opts.Budget.Err(); err != nil {
			return nil, &budget.Exceeded{Step: step, At: at(k), Cause: err}
		}
		if opts.Budget.Reporting() {
			opts.Budget.Report(budget.Progress{Step: step, Detail: at(k), Done: int64(k), Total: int64(opts.Samples)})
		}
		sm.draw(rng, timeRNG)
		s, verr := scenario.FromFile(sm.f, name)
		if verr != nil {
			p.Invalid++
			if p.FirstError == "" {
				p.FirstError = firstError(verr)
			}
		} else {
			var err error
			if g, err = newGrid(s, g, opts.Budget); err != nil {
				return nil, err
			}
			if p.FirstValid < 0 {
				p.FirstValid = k
			}
			p.Valid++
			bn, rn := g.zoneNash(opts.MinRatification)
			if bn >= 0 {
				p.Zones++
				p.Nash[bn]++
			}
			if rn >= 0 {
				p.Ratifiable++
				p.RatifiableNash[rn]++
			}
			if opts.Predictor != nil && len(s.Agenda) > 0 {
				o, err := orderings(s, opts.Predictor)
				if err != nil {
					return nil, fmt.Errorf("sample %d: %w", k+1, err)
				}
				if p.Orderings == nil {
					p.Orderings = &OrderingCounts{}
				}
				p.Orderings.add(o)
			}
		}
		if opts.Progress != nil {
			opts.Progress(k+1, opts.Samples)
		}
	}
	return p, nil
}

// merge adds up parts that cover samples 0 to opts.Samples-1 (in any
// order) into the report.
func (sm *sampler) merge(name string, opts SensitivityOptions, parts []*SensitivityPart) (*SensitivityReport, error) {
	parts = slices.Clone(parts)
	slices.SortFunc(parts, func(a, b *SensitivityPart) int { return a.From - b.From })
	rep := &SensitivityReport{Samples: opts.Samples, Seed: opts.Seed, Assumptions: []SampledAssumption{},
		NashDeals: []DealFrequency{}, RatifiableNashDeals: []DealFrequency{}}
	for _, s := range sm.slots {
		r := s.orig.Assumption.Range
		rep.Assumptions = append(rep.Assumptions, SampledAssumption{Path: s.path, Value: s.orig.Value, Range: [2]float64{r[0], r[1]}})
	}
	nash, rnash := map[int]int{}, map[int]int{}
	var zones, rzones int
	var ord OrderingCounts
	first, next := -1, 0
	for _, p := range parts {
		if p.From != next || p.To < p.From || p.Valid+p.Invalid != p.To-p.From {
			return nil, fmt.Errorf("analysis: sensitivity parts do not cover the samples: one of samples %d to %d (tallying %d) after sample %d", p.From, p.To-1, p.Valid+p.Invalid, next-1)
		}
		next = p.To
		rep.Valid += p.Valid
		rep.Invalid += p.Invalid
		zones += p.Zones
		rzones += p.Ratifiable
		for idx, n := range p.Nash {
			nash[idx] += n
		}
		for idx, n := range p.RatifiableNash {
			rnash[idx] += n
		}
		if rep.FirstError == "" {
			rep.FirstError = p.FirstError
		}
		if err := ord.merge(p.Orderings); err != nil {
			return nil, err
		}
		if first < 0 {
			first = p.FirstValid
		}
	}
	if next != opts.Samples {
		return nil, fmt.Errorf("analysis: sensitivity parts cover samples 0 to %d of %d", next-1, opts.Samples)
	}
	if rep.Valid == 0 {
		return rep, nil
	}
	// Deals are named by the first valid sample's scenario: draw it again.
	if first < 0 || first >= opts.Samples {
		return nil, fmt.Errorf("analysis: sensitivity parts name no valid sample among %d valid ones", rep.Valid)
	}
	sm.draw(sm.rng(opts.Seed, first))
	s, err := scenario.FromFile(sm.f, name)
	if err != nil {
		return nil, fmt.Errorf("analysis: sample %d, valid in its part, is not valid here: %w", first, err)
	}
	g, err := newGrid(s, nil, opts.Budget)
	if err != nil {
		return nil, err
	}
	for idx := range nash {
		if idx < 0 || idx >= g.size {
			return nil, fmt.Errorf("analysis: a sensitivity part names outcome %d of %d", idx, g.size)
		}
	}
	for idx := range rnash {
		if idx < 0 || idx >= g.size {
			return nil, fmt.Errorf("analysis: a sensitivity part names outcome %d of %d", idx, g.size)
		}
	}
	top := opts.top()
	rep.ZoneShare = float64(zones) / float64(rep.Valid)
	rep.RatifiableShare = float64(rzones) / float64(rep.Valid)
	rep.NashDeals = frequencies(g, nash, rep.Valid, top)
	rep.RatifiableNashDeals = frequencies(g, rnash, rep.Valid, top)
	rep.Orderings = ord.shares()
	return rep, nil
}

// advance moves p on by n draws at once: p's state s steps to
// s·mul + inc (mod 2^128) per draw (math/rand/v2's PCG), and n steps of
// an affine map compose into one, found by squaring (Brown, "Random
// number generation with arbitrary strides", 1994).
func advance(p *rand.PCG, n uint64) {
	if n == 0 {
		return
	}
	b, _ := p.MarshalBinary() // "pcg:" hi lo, big-endian
	s := u128{be64(b[4:]), be64(b[12:])}
	mul := u128{2549297995355413924, 4865540595714422341}
	inc := u128{6364136223846793005, 1442695040888963407}
	accMul, accInc := u128{0, 1}, u128{0, 0}
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			accMul = accMul.mul(mul)
			accInc = accInc.mul(mul).add(inc)
		}
		inc = mul.add(u128{0, 1}).mul(inc)
		mul = mul.mul(mul)
	}
	s = accMul.mul(s).add(accInc)
	p.Seed(s.hi, s.lo)
}

// u128 is an unsigned 128-bit integer, arithmetic modulo 2^128.
type u128 struct{ hi, lo uint64 }

func (a u128) mul(b u128) u128 {
	hi, lo := bits.Mul64(a.lo, b.lo)
	hi += a.hi*b.lo + a.lo*b.hi
	return u128{hi, lo}
}

func (a u128) add(b u128) u128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}
}

func be64(b []byte) uint64 {
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}
