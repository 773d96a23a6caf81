package negotiator

import "strconv"

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// bitset is a reusable set of outcome indices.
type bitset []uint64

func (b *bitset) reset(n uint64) {
	w := int((n + 63) / 64)
	if cap(*b) < w {
		*b = make(bitset, w)
	}
	*b = (*b)[:w]
	clear(*b)
}

// add inserts i and reports whether it was new.
func (b bitset) add(i uint64) bool {
	w, m := i/64, uint64(1)<<(i%64)
	if b[w]&m != 0 {
		return false
	}
	b[w] |= m
	return true
}
