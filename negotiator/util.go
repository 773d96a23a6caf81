package negotiator

import "strconv"

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// bitset is a reusable set of outcome indices: one bit an outcome, or, for
// a space too large for that (an index over cells can make spaces of 10^10
// outcomes playable by strategies that need a sorted index), a map of the
// outcomes added, which a session fills with at most its offers.
type bitset struct {
	bits   []uint64
	sparse map[uint64]struct{}
}

// bitsetLimit is the largest space a bitset keeps as bits: 8 MB.
const bitsetLimit = 1 << 26

func (b *bitset) reset(n uint64) {
	if n > bitsetLimit {
		if b.sparse == nil {
			b.sparse = map[uint64]struct{}{}
		}
		clear(b.sparse)
		b.bits = b.bits[:0]
		return
	}
	b.sparse = nil
	w := int((n + 63) / 64)
	if cap(b.bits) < w {
		b.bits = make([]uint64, w)
	}
	b.bits = b.bits[:w]
	clear(b.bits)
}

// add inserts i and reports whether it was new.
func (b *bitset) add(i uint64) bool {
	if b.sparse != nil {
		if _, ok := b.sparse[i]; ok {
			return false
		}
		b.sparse[i] = struct{}{}
		return true
	}
	w, m := i/64, uint64(1)<<(i%64)
	if b.bits[w]&m != 0 {
		return false
	}
	b.bits[w] |= m
	return true
}
