package negotiator

import (
	"math"
	"unsafe"
)

// floatKey maps a float64 to a uint64 whose unsigned order is the float's
// order (negative numbers have every bit flipped, positive ones only the
// sign bit). −0 maps as +0, to which it is equal. Utilities are finite, so
// NaN's place does not matter.
func floatKey(f float64) uint64 {
	if f == 0 {
		f = 0 // +0
	}
	b := math.Float64bits(f)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

// keyFloat inverts floatKey.
func keyFloat(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

// unsafeFloats views keys as float64s, so the sorted keys become the
// index's utilities without another array of the same size.
func unsafeFloats(keys []uint64) []float64 {
	if len(keys) == 0 {
		return nil
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(&keys[0])), len(keys))
}

// radixBits is the digit width of radixSort: 8 bits, so each pass writes
// to 256 places at a time, which caches and TLBs keep up with.
const radixBits = 8

// radixSort sorts keys ascending, carrying ids along, stably: outcomes
// that tie keep their order (their indices, ascending). It is a
// least-significant-digit radix sort: one read counts every digit of every
// key, then each digit that not every key shares (utilities share their
// high exponent bits) takes one pass, using one scratch copy of both
// slices.
func radixSort(keys []uint64, ids []uint32) {
	n := len(keys)
	if n < 2 {
		return
	}
	const (
		buckets = 1 << radixBits
		digits  = 64 / radixBits
	)
	var count [digits][buckets]int
	for _, k := range keys {
		for d := range digits {
			count[d][(k>>(d*radixBits))&(buckets-1)]++
		}
	}
	tk, ti := make([]uint64, n), make([]uint32, n)
	src, dst := keys, tk
	srcI, dstI := ids, ti
	for d := range digits {
		shift := uint(d * radixBits)
		c := &count[d]
		if c[(src[0]>>shift)&(buckets-1)] == n {
			continue // every key has this digit: the pass would change nothing
		}
		sum := 0
		for b, x := range c {
			c[b] = sum
			sum += x
		}
		for i, k := range src {
			b := (k >> shift) & (buckets - 1)
			dst[c[b]], dstI[c[b]] = k, srcI[i]
			c[b]++
		}
		src, dst = dst, src
		srcI, dstI = dstI, srcI
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
		copy(ids, srcI)
	}
}
