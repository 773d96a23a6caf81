package analysis

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/scenario/genius"
	"github.com/parleyhq/parley/utility"
)

// addTerms gives each party of a random problem rectangle terms: on one to
// three issues, of either sign, values from a coarse grid (ties) or not,
// sometimes one on no issue.
func addTerms(r *rand.Rand, us []*utility.Additive, sp outcome.Space) {
	m := sp.Issues()
	for _, u := range us {
		for range r.IntN(5) {
			var c utility.Constraint
			for i := range m {
				if r.IntN(2) == 0 {
					continue
				}
				al := make([]bool, sp.Card(i))
				for v := range al {
					al[v] = r.IntN(3) > 0
				}
				c.Issues = append(c.Issues, i)
				c.Allowed = append(c.Allowed, al)
			}
			v := float64(r.IntN(9)-2) / 8
			if r.IntN(3) == 0 {
				v = r.Float64() - 0.3
			}
			u.Terms = append(u.Terms, utility.Term{Constraint: c, Value: v})
		}
	}
}

// TestTermFrontierMatchesBruteForce: with terms the frontier over cells is
// the enumerated frontier: same points, outcome counts and listed outcomes.
func TestTermFrontierMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for c := 0; c < 2000; c++ {
		us, sp := randomProblem(r)
		addTerms(r, us, sp)
		k := 1 + r.IntN(4)
		want := bruteFrontier(t, us, sp, k)
		got, err := Frontier(us, sp, Options{Listed: k})
		if err != nil {
			t.Fatal(err)
		}
		if hasTerms(us) && (got.Cells == 0 || got.Sampled != 0) {
			t.Fatalf("case %d: cells %v, sampled %d", c, got.Cells, got.Sampled)
		}
		t.Run(fmt.Sprint(c), func(t *testing.T) { samePareto(t, got, want) })
		if t.Failed() {
			t.Logf("sizes %v", sp.Sizes())
			for p, u := range us {
				t.Logf("party %d: weights %v evals %v redlines %v terms %v", p, u.Weights, u.Evals, u.RedLines, u.Terms)
			}
			return
		}
	}
}

// TestTermZopaMatchesBruteForce: the zone count over cells is the
// enumerated count, and so is its sampled estimate's expectation.
func TestTermZopaMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for c := 0; c < 1000; c++ {
		us, sp := randomProblem(r)
		addTerms(r, us, sp)
		var want uint64
		if err := sp.Enumerate(0, func(o []int) bool {
			for _, u := range us {
				if !Acceptable(u, o) {
					return true
				}
			}
			for _, u := range us {
				if len(u.RedLines) > 0 && u.Crosses(o) >= 0 {
					return true
				}
			}
			want++
			return true
		}); err != nil {
			t.Fatal(err)
		}
		z, err := CountZopa(us, sp, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if z.Estimated || z.Count != want {
			t.Fatalf("case %d: zone %+v, want %d (sizes %v)", c, z, want, sp.Sizes())
		}
	}
}

// TestTermPrefixFrontier: Genius's cutoff with terms is the frontier of the
// first outcomes in enumeration order, red lines ignored.
func TestTermPrefixFrontier(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for c := 0; c < 300; c++ {
		us, sp := randomProblem(r)
		addTerms(r, us, sp)
		size, _ := sp.Size()
		count := 1 + uint64(r.IntN(int(size)))
		// The first count outcomes, with ties merged among their own values.
		var pi []uint64
		for j := range count {
			pi = append(pi, j)
		}
		raw := make([][]float64, len(pi))
		o := make([]int, sp.Issues())
		for q, j := range pi {
			sp.Decode(j, o)
			raw[q] = make([]float64, len(us))
			for p, u := range us {
				raw[q][p] = u.Raw(o)
			}
		}
		mergeTies(raw, len(us))
		want := frontierOf(pi, raw, len(us), 1)
		got, err := prefixFrontier(us, sp, count, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprint(c), func(t *testing.T) { samePareto(t, got, want) })
		if t.Failed() {
			return
		}
	}
}

// TestTermFrontierSampled: past its work limit the frontier of utilities
// with terms is estimated from a seeded sample, marked so, and the report
// says ESTIMATED; the sample's points are real outcomes' utilities.
func TestTermFrontierSampled(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	sizes := []int{5, 5, 5, 5, 5, 5}
	sp, _ := outcome.NewSpace(sizes)
	us := make([]*utility.Additive, 2)
	for p := range us {
		ev := make([][]float64, len(sizes))
		for i := range ev {
			ev[i] = make([]float64, 5)
		}
		us[p] = utility.NewAdditive(make([]float64, len(sizes)), ev, 0, 1)
	}
	addTerms(r, us, sp)
	for range 10 {
		addTerms(r, us, sp)
	}
	opts := Options{MaxChecks: 3000, FrontierSamples: 1000, Seed: 3}
	f, err := Frontier(us, sp, opts)
	if err != nil {
		t.Fatal(err)
	}
	if f.Sampled != 1000 || len(f.Points) == 0 {
		t.Fatalf("sampled %d, %d points", f.Sampled, len(f.Points))
	}
	o := make([]int, len(sizes))
	var n uint64
	for _, pt := range f.Points {
		n += pt.N
		sp.Decode(pt.Outcomes[0], o)
		for p, u := range us {
			if got := u.Raw(o); math.Abs(got-pt.Utilities[p]) > 1e-12 {
				t.Fatalf("point %v lists outcome %v of utility %v", pt.Utilities, o, got)
			}
		}
	}
	if n > 1000 {
		t.Fatalf("points count %d samples of 1000", n)
	}
	g, err := Frontier(us, sp, opts)
	if err != nil || len(g.Points) != len(f.Points) {
		t.Fatalf("the same seed gave %d points, then %d (%v)", len(f.Points), len(g.Points), err)
	}
	exact, err := Frontier(us, sp, Options{})
	if err != nil || exact.Sampled != 0 {
		t.Fatalf("exact: sampled %d, %v", exact.Sampled, err)
	}
	// A sample that passes the limit too gives no frontier at all.
	if _, err := Frontier(us, sp, Options{MaxChecks: 50, FrontierSamples: 1000}); !errors.Is(err, budget.ErrWork) {
		t.Fatalf("a sample past the limit: %v", err)
	}
	notes := termNotes(us, f)
	if len(notes) != 1 || !strings.Contains(notes[0], "ESTIMATED from 1,000 sampled outcomes") {
		t.Fatalf("notes %q", notes)
	}
	if notes := termNotes(us, exact); len(notes) != 1 || !strings.Contains(notes[0], "the Pareto frontier is exact") {
		t.Fatalf("notes %q", notes)
	}
}

// javaFloat formats x as Java's Float.toString prints (float)x, the way
// Genius wrote pareto.xml: shortest digits that identify the float, at
// least one after the point, scientific outside [10^-3, 10^7).
func javaFloat(x float64) string {
	f := float32(x)
	a := math.Abs(float64(f))
	if f != 0 && (a < 1e-3 || a >= 1e7) {
		s := strconv.FormatFloat(float64(f), 'E', -1, 32) // 1.2345E-04
		mant, exp, _ := strings.Cut(s, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		e, _ := strconv.Atoi(exp)
		return mant + "E" + strconv.Itoa(e)
	}
	s := strconv.FormatFloat(float64(f), 'f', -1, 32)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func TestJavaFloat(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want string
	}{{1, "1.0"}, {0, "0.0"}, {449.0 / 662, "0.67824775"}, {0.5943503, "0.5943503"}, {0.0001, "1.0E-4"}, {-0.25, "-0.25"}} {
		if got := javaFloat(c.x); got != c.want {
			t.Errorf("javaFloat(%v) = %q, want %q", c.x, got, c.want)
		}
	}
}

// TestANAC2014ParetoXML: the frontier of ANAC 2014's non-linear 10issues
// domain (10^10 outcomes) is Genius's own, the pareto.xml shipped with it:
// compared as text, each utility pair printed as Genius printed it (Java
// floats), and numerically to the file's precision (each number parsed as
// a float32 equals the utility rounded to float32).
func TestANAC2014ParetoXML(t *testing.T) {
	dir := filepath.Join(shared.Dir(t, "domains"), "ANAC2014_10issues")
	s, err := genius.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := readParetoXML(t, filepath.Join(dir, "pareto.xml"))
	var got []string
	for _, p := range r.Frontier.Points {
		got = append(got, javaFloat(p.Utilities[0])+", "+javaFloat(p.Utilities[1]))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("frontier\n%s\nwant (pareto.xml)\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for q, line := range want {
		a, b, _ := strings.Cut(line, ", ")
		for p, txt := range []string{a, b} {
			x, err := strconv.ParseFloat(txt, 32)
			if err != nil {
				t.Fatal(err)
			}
			if float32(x) != float32(r.Frontier.Points[q].Utilities[p]) {
				t.Errorf("point %d, party %d: %v, pareto.xml %s", q, p, r.Frontier.Points[q].Utilities[p], txt)
			}
		}
	}
	if r.Frontier.Sampled != 0 || r.Outcomes != 10_000_000_000 || r.Frontier.Cells != 25_401_600 {
		t.Errorf("sampled %d, %d outcomes, %v cells", r.Frontier.Sampled, r.Outcomes, r.Frontier.Cells)
	}
	// Every point lists outcomes that have its utilities.
	o := make([]int, 10)
	us := s.Utilities()
	for _, p := range r.Frontier.Points {
		for _, idx := range p.Outcomes {
			s.Space().Decode(idx, o)
			for k, u := range us {
				if got := u.Raw(o); got != p.Utilities[k] {
					t.Fatalf("point %v lists outcome %v, of utility %v to party %d", p.Utilities, o, got, k)
				}
			}
		}
	}
}

// readParetoXML reads the utility pairs of a pareto.xml (text, one "a, b"
// per line, blank lines ignored).
func readParetoXML(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// BenchmarkFrontierNonlinear is the exact frontier of ANAC 2014's
// non-linear 10issues domain (10^10 outcomes, 2.5·10^7 cells).
//
//	go test ./analysis -run '^$' -bench FrontierNonlinear
func BenchmarkFrontierNonlinear(b *testing.B) {
	s, err := genius.LoadDir(filepath.Join(shared.Dir(b, "domains"), "ANAC2014_10issues"))
	if err != nil {
		b.Fatal(err)
	}
	us, sp := s.Utilities(), s.Space()
	b.ReportAllocs()
	var f *Pareto
	for b.Loop() {
		if f, err = Frontier(us, sp, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(f.Points)), "points")
}
