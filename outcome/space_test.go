package outcome

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestIndexOrder(t *testing.T) {
	s, err := NewSpace([]int{3, 2, 4})
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := s.Size(); n != 24 || !ok {
		t.Fatalf("size = %d %v, want 24 true", n, ok)
	}
	// Enumeration visits indices 0, 1, 2, ... with the first issue fastest.
	var seen []uint64
	first := [][]int{}
	if err := s.Enumerate(0, func(o []int) bool {
		seen = append(seen, s.Index(o))
		if len(first) < 4 {
			first = append(first, append([]int(nil), o...))
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	for i, idx := range seen {
		if idx != uint64(i) {
			t.Fatalf("outcome %d has index %d", i, idx)
		}
	}
	want := [][]int{{0, 0, 0}, {1, 0, 0}, {2, 0, 0}, {0, 1, 0}}
	for i := range want {
		for k := range want[i] {
			if first[i][k] != want[i][k] {
				t.Fatalf("outcome %d = %v, want %v", i, first[i], want[i])
			}
		}
	}
	o := make([]int, 3)
	for idx := uint64(0); idx < 24; idx++ {
		s.Decode(idx, o)
		if got := s.Index(o); got != idx {
			t.Fatalf("Decode/Index(%d) = %d", idx, got)
		}
	}
}

func TestEnumerateStopsEarly(t *testing.T) {
	s, _ := NewSpace([]int{10, 10})
	n := 0
	s.Enumerate(0, func([]int) bool { n++; return n < 7 })
	if n != 7 {
		t.Fatalf("visited %d outcomes, want 7", n)
	}
}

func TestTooLarge(t *testing.T) {
	sizes := make([]int, 30)
	for i := range sizes {
		sizes[i] = 10
	}
	s, err := NewSpace(sizes)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Size(); ok {
		t.Fatal("10^30 outcomes reported as fitting in 64 bits")
	}
	if got := s.SizeFloat(); got < 0.99e30 || got > 1.01e30 {
		t.Fatalf("SizeFloat = %g", got)
	}
	err = s.Enumerate(0, func([]int) bool { t.Fatal("enumerated a 10^30 space"); return false })
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "1e+30 outcomes") {
		t.Fatalf("err = %v, want ErrTooLarge naming the size", err)
	}
	small, _ := NewSpace([]int{1000, 1000})
	if err := small.CheckEnumerable(999_999); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("10^6 outcomes pass a limit of 999999: %v", err)
	}
}

func TestBadSizes(t *testing.T) {
	if _, err := NewSpace([]int{3, 0}); err == nil {
		t.Fatal("an issue without values was accepted")
	}
}

func TestSampleIsSeededAndInRange(t *testing.T) {
	s, _ := NewSpace([]int{3, 5, 7})
	a, b := make([]int, 3), make([]int, 3)
	ra, rb := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
	for range 100 {
		s.Sample(ra, a)
		s.Sample(rb, b)
		for i := range a {
			if a[i] != b[i] || a[i] < 0 || a[i] >= s.Card(i) {
				t.Fatalf("samples %v and %v", a, b)
			}
		}
	}
}
