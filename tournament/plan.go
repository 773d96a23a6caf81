package tournament

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/session"
)

// FormatVersion is the version of the canonical spec and of the store
// layout; a store of another version is refused.
const FormatVersion = 1

// Canonical is the resolved, normalised form of a spec: what a store keeps
// and compares to refuse resuming with a different tournament. Scenario
// folders are expanded and each scenario is fingerprinted by its files'
// contents, so an edited domain file counts as a change too.
type Canonical struct {
	Format      int          `json:"format"`
	Name        string       `json:"name"`
	Seed        uint64       `json:"seed"`
	Protocol    string       `json:"protocol"`
	Mediator    string       `json:"mediator,omitempty"`
	Deadline    DeadlineSpec `json:"deadline"`
	Rotation    string       `json:"rotation"`
	Repetitions int          `json:"repetitions"`
	// AnticipateRatification is omitted when false, so that the specs of
	// stores made before it existed keep their hash.
	AnticipateRatification bool                `json:"anticipate_ratification,omitempty"`
	Negotiators            []string            `json:"negotiators"`
	Scenarios              []CanonicalScenario `json:"scenarios"`
	Sessions               uint64              `json:"sessions"`
}

// CanonicalScenario is one resolved scenario.
type CanonicalScenario struct {
	Path    string   `json:"path"` // as written in the spec, joined with a sub-folder for folders of domains
	Name    string   `json:"name"`
	SHA256  string   `json:"sha256"` // of its files, in name order
	Parties []string `json:"parties"`
	// Assignments is the number of negotiator-to-seat assignments.
	Assignments uint64 `json:"assignments"`
}

// JSON is the canonical JSON encoding (stable: fields in a fixed order).
func (c *Canonical) JSON() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	return b
}

// Hash is the SHA-256 of the canonical JSON, in hex.
func (c *Canonical) Hash() string {
	h := sha256.Sum256(c.JSON())
	return hex.EncodeToString(h[:])
}

// Diff names what differs between two canonical specs, one line each
// (nil when they are equal).
func (c *Canonical) Diff(o *Canonical) []string {
	var d []string
	f := func(what string, a, b any) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			d = append(d, fmt.Sprintf("%s: %v, now %v", what, a, b))
		}
	}
	f("format", c.Format, o.Format)
	f("name", c.Name, o.Name)
	f("seed", c.Seed, o.Seed)
	f("protocol", c.Protocol, o.Protocol)
	f("mediator", c.Mediator, o.Mediator)
	f("deadline", c.Deadline, o.Deadline)
	f("rotation", c.Rotation, o.Rotation)
	f("repetitions", c.Repetitions, o.Repetitions)
	f("anticipate_ratification", c.AnticipateRatification, o.AnticipateRatification)
	if !slices.Equal(c.Negotiators, o.Negotiators) {
		d = append(d, fmt.Sprintf("negotiators: %s, now %s", strings.Join(c.Negotiators, ", "), strings.Join(o.Negotiators, ", ")))
	}
	old := map[string]CanonicalScenario{}
	for _, s := range c.Scenarios {
		old[s.Path] = s
	}
	now := map[string]bool{}
	for i, s := range o.Scenarios {
		now[s.Path] = true
		p, ok := old[s.Path]
		switch {
		case !ok:
			d = append(d, fmt.Sprintf("scenario %s added", s.Path))
		case p.SHA256 != s.SHA256:
			d = append(d, fmt.Sprintf("scenario %s: its files changed (sha256 %.12s, now %.12s)", s.Path, p.SHA256, s.SHA256))
		case i < len(c.Scenarios) && c.Scenarios[i].Path != s.Path:
			d = append(d, fmt.Sprintf("scenario %s moved in the order", s.Path))
		}
	}
	for _, s := range c.Scenarios {
		if !now[s.Path] {
			d = append(d, fmt.Sprintf("scenario %s removed", s.Path))
		}
	}
	if len(d) == 0 && !slices.Equal(c.JSON(), o.JSON()) {
		d = append(d, "the canonical specs differ")
	}
	return d
}

// Plan is a resolved tournament: its scenarios loaded, every session
// numbered from 0 to Total-1.
type Plan struct {
	Spec      *Spec
	Canonical *Canonical
	Scenarios []*PlanScenario
	Total     uint64
	// MaxSeats is the largest number of negotiating seats of a scenario.
	MaxSeats int
	deadline protocol.Deadline
}

// Deadline is the deadline of every session.
func (p *Plan) Deadline() protocol.Deadline { return p.deadline }

// PlanScenario is one scenario of a plan.
type PlanScenario struct {
	Path        string
	Scenario    *scenario.Scenario
	Seats       int
	Assignments uint64
	Offset      uint64 // number of the scenario's first session
	Sessions    uint64

	anticipate bool // sessions anticipate ratification: checked by Prepared
	once       sync.Once
	prep       *session.Prepared
	err        error
	frontier   *analysis.Pareto   // nil when it could not be computed
	nash       *analysis.Solution // nil when there is no rational outcome
	note       string             // why distances are missing
}

// Prepared compiles the scenario once, on first use, with its Pareto
// frontier and Nash point (analysis.Frontier, computed without enumerating
// the space) that the distances of every session are measured against.
func (ps *PlanScenario) Prepared() (*session.Prepared, error) {
	ps.once.Do(func() {
		ps.prep, ps.err = session.Prepare(ps.Scenario)
		if ps.err != nil {
			return
		}
		if ps.anticipate {
			if ps.err = ps.prep.CheckAnticipation(); ps.err != nil {
				return
			}
		}
		f, err := analysis.Frontier(ps.prep.Utilities, ps.prep.Space, analysis.Options{Listed: 1})
		if err != nil {
			ps.note = err.Error()
			return
		}
		ps.frontier = f
		rv := make([]float64, len(ps.prep.Utilities))
		for i, u := range ps.prep.Utilities {
			rv[i] = u.Reservation
		}
		ps.nash = f.Nash(rv)
	})
	return ps.prep, ps.err
}

// Reference returns the Pareto frontier and Nash solution that distances
// are measured against (nil when not available), once Prepared has run.
func (ps *PlanScenario) Reference() (*analysis.Pareto, *analysis.Solution) {
	return ps.frontier, ps.nash
}

// NewPlan resolves a spec: it expands folders of domains, loads every
// scenario and numbers the sessions. Every problem is reported at once.
func NewPlan(s *Spec) (*Plan, error) {
	p := &Plan{Spec: s, deadline: s.deadline()}
	c := &Canonical{Format: FormatVersion, Name: s.Name, Seed: s.Seed, Protocol: s.Protocol, Mediator: s.Mediator,
		Deadline: s.Deadline, Rotation: s.Rotation, Repetitions: s.Repetitions, AnticipateRatification: s.AnticipateRatification,
		Negotiators: slices.Clone(s.Negotiators)}
	var errs []error
	seen := map[string]bool{}
	for i, given := range s.Scenarios {
		paths, err := expand(s.dir, given)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: scenarios[%d]: %w", s.where(fmt.Sprintf("scenarios[%d]", i)), i, err))
			continue
		}
		for _, rel := range paths {
			if seen[rel] {
				errs = append(errs, fmt.Errorf("%s: scenarios[%d]: %s is listed twice", s.where(fmt.Sprintf("scenarios[%d]", i)), i, rel))
				continue
			}
			seen[rel] = true
			full := resolve(s.dir, rel)
			sc, err := open.Path(full)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: scenario %s: %w", s.where(fmt.Sprintf("scenarios[%d]", i)), rel, err))
				continue
			}
			sum, err := fingerprint(full)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			ps := &PlanScenario{Path: filepath.ToSlash(rel), Scenario: sc, anticipate: s.AnticipateRatification}
			if err := sc.CheckParties(); err != nil {
				errs = append(errs, fmt.Errorf("scenario %s: %w", rel, err))
				continue
			}
			var ids []string
			for _, i := range sc.Negotiators() {
				ids = append(ids, sc.Parties[i].ID)
			}
			ps.Seats = len(ids)
			ps.Assignments = countAssignments(len(s.Negotiators), ps.Seats, s.Rotation)
			if ps.Assignments == 0 {
				errs = append(errs, fmt.Errorf("scenario %s has %d parties but rotation distinct needs at least as many negotiators; there are %d (use rotation: all, or add negotiators)", rel, ps.Seats, len(s.Negotiators)))
				continue
			}
			hi, n := bits.Mul64(ps.Assignments, uint64(s.Repetitions))
			if hi != 0 || n > MaxSessions-p.Total {
				errs = append(errs, fmt.Errorf("scenario %s: %s assignments × %d repetitions make the tournament longer than %d sessions, the most one store keeps (it holds a bit per session in memory to resume): use fewer negotiators or repetitions, or rotation: distinct, or split the tournament",
					rel, bigCount(ps.Assignments), s.Repetitions, uint64(MaxSessions)))
				continue
			}
			ps.Offset = p.Total
			ps.Sessions = n
			p.Total += ps.Sessions
			p.MaxSeats = max(p.MaxSeats, ps.Seats)
			p.Scenarios = append(p.Scenarios, ps)
			c.Scenarios = append(c.Scenarios, CanonicalScenario{Path: ps.Path, Name: sc.Name, SHA256: sum, Parties: ids, Assignments: ps.Assignments})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.Sessions = p.Total
	p.Canonical = c
	return p, nil
}

func (s *Spec) where(path string) string {
	if pos, ok := s.pos[path]; ok {
		return pos.String()
	}
	return s.file
}

// expand lists the scenarios a spec entry names, relative to dir: the entry
// itself, or for a folder that holds no scenario files but sub-folders, each
// sub-folder in name order.
func expand(dir, given string) ([]string, error) {
	full := resolve(dir, given)
	fi, err := os.Stat(full)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{filepath.Clean(given)}, nil
	}
	entries, err := os.ReadDir(full)
	if err != nil {
		return nil, err
	}
	var subs []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".xml", ".json":
			return []string{filepath.Clean(given)}, nil
		}
		if e.IsDir() {
			subs = append(subs, filepath.Join(given, e.Name()))
		}
	}
	if len(subs) == 0 {
		return nil, fmt.Errorf("%s holds no scenario files and no domain folders", full)
	}
	sort.Strings(subs)
	return subs, nil
}

// resolve makes a spec path relative to the spec's folder, unless absolute.
func resolve(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// fingerprint hashes a scenario file, or a folder's scenario files (in name
// order, each with its name; expected.json, the reference figures, is not
// part of the scenario).
func fingerprint(path string) (string, error) {
	h := sha256.New()
	add := func(p string) error {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s\x00", filepath.Base(p))
		_, err = io.Copy(h, f)
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		if err := add(path); err != nil {
			return "", err
		}
	} else {
		entries, err := os.ReadDir(path)
		if err != nil {
			return "", err
		}
		for _, e := range entries { // ReadDir sorts by name
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".xml", ".json", ".yaml", ".yml":
				if e.Name() == "expected.json" || e.IsDir() {
					continue
				}
				if err := add(filepath.Join(path, e.Name())); err != nil {
					return "", err
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Session is one numbered session of a plan.
type Session struct {
	Number     uint64
	Scenario   int // index in Plan.Scenarios
	Assignment uint64
	Repetition int
	Seed       uint64
}

// Session returns session number i (0 ≤ i < Total). Sessions are ordered by
// scenario, then assignment, then repetition.
func (p *Plan) Session(i uint64) Session {
	k := sort.Search(len(p.Scenarios), func(k int) bool { return p.Scenarios[k].Offset+p.Scenarios[k].Sessions > i })
	ps := p.Scenarios[k]
	local := i - ps.Offset
	reps := uint64(p.Spec.Repetitions)
	return Session{Number: i, Scenario: k, Assignment: local / reps, Repetition: int(local % reps), Seed: SessionSeed(p.Spec.Seed, i)}
}

// cursor walks consecutive sessions: a worker's next session without the
// search and the divisions of Session (1% of a Laptop session).
type cursor struct {
	p    *Plan
	s    Session
	end  uint64 // the first session of the next scenario
	base uint64 // the tournament seed, mixed: see SessionSeed
}

// cursor starts at session i (< p.Total).
func (p *Plan) cursor(i uint64) cursor {
	s := p.Session(i)
	ps := p.Scenarios[s.Scenario]
	return cursor{p: p, s: s, end: ps.Offset + ps.Sessions, base: mix64(p.Spec.Seed)}
}

// next moves to the following session; past the last one only the number
// changes.
func (c *cursor) next() {
	n := c.s.Number + 1
	switch {
	case n >= c.p.Total:
		c.s.Number = n
	case n >= c.end:
		*c = c.p.cursor(n)
	default:
		c.s.Number, c.s.Seed = n, sessionSeed(c.base, n)
		if c.s.Repetition++; c.s.Repetition == c.p.Spec.Repetitions {
			c.s.Repetition = 0
			c.s.Assignment++
		}
	}
}

// Assignment writes into dst the negotiator index (into Spec.Negotiators)
// of each seat of assignment a of scenario k and returns it.
func (p *Plan) Assignment(k int, a uint64, dst []int) []int {
	return assignment(len(p.Spec.Negotiators), p.Scenarios[k].Seats, p.Spec.Rotation, a, dst[:0])
}

// SessionSeed derives session i's seed from the tournament seed with
// SplitMix64: for a given tournament seed, distinct sessions get distinct
// 64-bit values, of which the seed keeps the low 63 bits (so that it is a
// non-negative SQLite integer).
func SessionSeed(seed, i uint64) uint64 { return sessionSeed(mix64(seed), i) }

// sessionSeed is SessionSeed with the tournament seed already mixed.
func sessionSeed(base, i uint64) uint64 { return mix64(base+i) & (1<<63 - 1) }

func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// countAssignments is the number of assignments of n negotiators to k
// seats, or math.MaxUint64 when that does not fit in 64 bits.
func countAssignments(n, k int, rotation string) uint64 {
	c := uint64(1)
	for j := range k {
		m := n
		if rotation == RotationDistinct {
			m = n - j
		}
		if m <= 0 {
			return 0
		}
		hi, lo := bits.Mul64(c, uint64(m))
		if hi != 0 {
			return math.MaxUint64
		}
		c = lo
	}
	return c
}

// bigCount writes n, or "more than 2^64" for the saturated count.
func bigCount(n uint64) string {
	if n == math.MaxUint64 {
		return "more than 2^64"
	}
	return strconv.FormatUint(n, 10)
}

// MaxSessions bounds the sessions of a tournament: its store keeps a bit
// per session in memory to resume (1.25 GB at the bound), and 10^10
// sessions take hours even on many cores.
const MaxSessions = 10_000_000_000

// assignment decodes assignment a in lexicographic order: with rotation all
// it is a's base-n digits, seat 0 most significant; with distinct it is the
// a-th k-permutation of n.
func assignment(n, k int, rotation string, a uint64, dst []int) []int {
	if rotation != RotationDistinct {
		dst = slices.Grow(dst, k)[:k]
		for s := k - 1; s >= 0; s-- {
			dst[s] = int(a % uint64(n))
			a /= uint64(n)
		}
		return dst
	}
	var used uint64 // bitset for n ≤ 64, else a slice
	var usedBig []bool
	if n > 64 {
		usedBig = make([]bool, n)
	}
	for s := range k {
		rest := countAssignments(n-s-1, k-s-1, RotationDistinct)
		pick := int(a / rest)
		a %= rest
		for v := 0; v < n; v++ {
			taken := (n <= 64 && used&(1<<v) != 0) || (n > 64 && usedBig[v])
			if taken {
				continue
			}
			if pick == 0 {
				dst = append(dst, v)
				if n <= 64 {
					used |= 1 << v
				} else {
					usedBig[v] = true
				}
				break
			}
			pick--
		}
	}
	return dst
}

// AssignmentOf decodes assignment a of n negotiators on k seats under a
// rotation (see Plan.Assignment) into dst.
func AssignmentOf(n, k int, rotation string, a uint64, dst []int) []int {
	return assignment(n, k, rotation, a, dst[:0])
}
