// Package outcome describes outcome spaces: the product of every issue's
// finite set of values. An outcome is one value index per issue; spaces are
// indexed in mixed radix with the first issue varying fastest, the order in
// which Genius's BidIterator enumerates bids.
package outcome

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
)

// DefaultEnumerationLimit is the largest space that Enumerate walks unless the
// caller sets another limit: about 10^7 outcomes take well under a second.
const DefaultEnumerationLimit = 20_000_000

// ErrTooLarge is returned (wrapped) when a space is too large to enumerate.
var ErrTooLarge = errors.New("outcome space too large to enumerate")

// Space is a product of finite issue domains.
type Space struct {
	sizes   []int
	strides []uint64
	size    uint64
	fits    bool // size fits in uint64
}

// NewSpace returns the space whose issue i has sizes[i] values.
func NewSpace(sizes []int) (Space, error) {
	s := Space{sizes: append([]int(nil), sizes...), strides: make([]uint64, len(sizes)), size: 1, fits: true}
	for i, n := range sizes {
		if n <= 0 {
			return Space{}, fmt.Errorf("issue %d has %d values; every issue needs at least one", i, n)
		}
		s.strides[i] = s.size
		if s.fits {
			hi, lo := bits.Mul64(s.size, uint64(n))
			if hi != 0 {
				s.fits = false
			}
			s.size = lo
		}
	}
	if !s.fits {
		s.size = math.MaxUint64
	}
	return s, nil
}

// Issues is the number of issues.
func (s Space) Issues() int { return len(s.sizes) }

// Card is the number of values of issue i.
func (s Space) Card(i int) int { return s.sizes[i] }

// Sizes returns a copy of the per-issue sizes.
func (s Space) Sizes() []int { return append([]int(nil), s.sizes...) }

// Size is the number of outcomes; ok is false when it exceeds 2^64-1.
func (s Space) Size() (n uint64, ok bool) { return s.size, s.fits }

// SizeFloat is the number of outcomes as a float, exact up to 2^53 and
// meaningful beyond 2^64.
func (s Space) SizeFloat() float64 {
	f := 1.0
	for _, n := range s.sizes {
		f *= float64(n)
	}
	return f
}

// Stride is the index weight of issue i (the product of the sizes before it).
// It is meaningful only when Size fits.
func (s Space) Stride(i int) uint64 { return s.strides[i] }

// Index returns the mixed-radix index of o (first issue fastest).
func (s Space) Index(o []int) uint64 {
	var idx uint64
	for i, v := range o {
		idx += uint64(v) * s.strides[i]
	}
	return idx
}

// Decode writes the outcome with index idx into o, which must have one slot per issue.
func (s Space) Decode(idx uint64, o []int) {
	for i, n := range s.sizes {
		o[i] = int(idx % uint64(n))
		idx /= uint64(n)
	}
}

// Next advances o to the next outcome in enumeration order and reports
// whether there was one; after the last outcome it resets o to the first.
func (s Space) Next(o []int) bool {
	for i, n := range s.sizes {
		o[i]++
		if o[i] < n {
			return true
		}
		o[i] = 0
	}
	return false
}

// CheckEnumerable returns a wrapped ErrTooLarge when the space has more than
// limit outcomes (limit <= 0 means DefaultEnumerationLimit).
func (s Space) CheckEnumerable(limit uint64) error {
	if limit == 0 {
		limit = DefaultEnumerationLimit
	}
	if !s.fits || s.size > limit {
		return fmt.Errorf("%w: %.4g outcomes, the limit is %d", ErrTooLarge, s.SizeFloat(), limit)
	}
	return nil
}

// Enumerate calls fn for every outcome in enumeration order, reusing one
// slice (fn must not keep it), and stops early when fn returns false. It
// refuses spaces larger than limit (see CheckEnumerable) before doing any work.
func (s Space) Enumerate(limit uint64, fn func(o []int) bool) error {
	if err := s.CheckEnumerable(limit); err != nil {
		return err
	}
	o := make([]int, len(s.sizes))
	for {
		if !fn(o) {
			return nil
		}
		if !s.Next(o) {
			return nil
		}
	}
}

// Sample writes a uniformly random outcome into o using r.
func (s Space) Sample(r *rand.Rand, o []int) {
	for i, n := range s.sizes {
		o[i] = r.IntN(n)
	}
}
