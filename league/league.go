package league

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/scenario/negmas"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
	"github.com/parleyhq/parley/tournament/store"
)

// Leagues names the leagues Run plays.
var Leagues = []string{"anl2024", "anl2026"}

// Config is a league run.
type Config struct {
	League      string // anl2024, or anl2026 (adds concealment)
	Dir         string // the league's folder: scenarios/, specs/ and results/
	Scenarios   int
	Repetitions int
	Seed        uint64
	Negotiators []string // default: ANL2024.Negotiators
	Workers     int      // 0: every core
	Version     string   // parley's version, recorded in each store
	// Progress, when set, is called with the sessions recorded so far and
	// the total, after each commit of each scenario's tournament.
	Progress func(done, total uint64)
}

// Row is one negotiator's line of a league table: means over every seat it
// held in every session.
type Row struct {
	Negotiator  string  `json:"negotiator"`
	Seats       uint64  `json:"seats"`
	Advantage   float64 `json:"advantage"`    // (u − rv)/(max − rv): NegMAS's
	AdvantageSE float64 `json:"advantage_se"` // standard error of the mean
	Gain        float64 `json:"gain"`         // u − rv
	Utility     float64 `json:"utility"`
	Agreements  float64 `json:"agreement_rate"`
	// Concealment (anl2026) is the mean score of its opponent models
	// (ModelScore), 0.5 for a session where it exposed none.
	Concealment *float64 `json:"concealment,omitempty"`
	Modelled    uint64   `json:"modelled,omitempty"` // seats with a model
	// Score ranks the table: the advantage (anl2024) or the advantage
	// plus the concealment (anl2026).
	Score float64 `json:"score"`
}

// Table is a league's result.
type Table struct {
	League      string         `json:"league"`
	Seed        uint64         `json:"seed"`
	Scenarios   int            `json:"scenarios"`
	Repetitions int            `json:"repetitions"`
	Negotiators []string       `json:"negotiators"`
	Families    map[Family]int `json:"families"`
	Sessions    uint64         `json:"sessions"`
	Played      uint64         `json:"played"` // by this run; the rest were in the stores already
	Steps       uint64         `json:"steps"`  // actions in the sessions this run played
	Dir         string         `json:"dir"`
	Rows        []Row          `json:"rows"` // by score, best first
}

// acc accumulates one negotiator's observations.
type acc struct {
	n, agreed, modelled     uint64
	adv, adv2, gain, u, con float64
}

// Run plays the league: it generates the scenarios into Dir/scenarios (or
// finds them there from an earlier run with the same seed), writes one
// tournament spec per scenario into Dir/specs (each scenario has its own
// number of rounds, and a spec has one deadline), plays each through the
// tournament engine on every core into its SQLite store in Dir/results,
// skipping the sessions a store already holds (so an interrupted league
// resumes), and returns the table. With anl2026 it replays each session
// (sessions are deterministic; the replay is checked against the store)
// to read every negotiator's opponent model at its end.
func Run(ctx context.Context, cfg Config) (*Table, error) {
	if !slices.Contains(Leagues, cfg.League) {
		return nil, fmt.Errorf("unknown league %q; leagues: %s", cfg.League, strings.Join(Leagues, ", "))
	}
	if cfg.Scenarios < 1 || cfg.Repetitions < 1 {
		return nil, fmt.Errorf("a league needs at least one scenario and one repetition; got %d and %d", cfg.Scenarios, cfg.Repetitions)
	}
	if len(cfg.Negotiators) == 0 {
		cfg.Negotiators = ANL2024.Negotiators
	}
	negs := make([]string, len(cfg.Negotiators))
	for i, n := range cfg.Negotiators {
		sp, err := negotiator.Parse(n)
		if err == nil {
			err = sp.CheckRole(negotiator.RoleParty)
		}
		if err != nil {
			return nil, err
		}
		negs[i] = sp.String()
		if slices.Contains(negs[:i], negs[i]) {
			return nil, fmt.Errorf("negotiator %s is listed twice", negs[i])
		}
	}
	cfg.Negotiators = negs
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	for _, sub := range []string{"scenarios", "specs", "results"} {
		if err := os.MkdirAll(filepath.Join(cfg.Dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	if err := cfg.manifest(); err != nil {
		return nil, err
	}
	tb := &Table{League: cfg.League, Seed: cfg.Seed, Scenarios: cfg.Scenarios, Repetitions: cfg.Repetitions,
		Negotiators: slices.Clone(cfg.Negotiators), Families: map[Family]int{}, Dir: cfg.Dir}
	pairings := uint64(len(cfg.Negotiators) * len(cfg.Negotiators))
	total := uint64(cfg.Scenarios) * pairings * uint64(cfg.Repetitions)
	accs := make([]acc, len(cfg.Negotiators))
	var base uint64
	for k := range cfg.Scenarios {
		g := Generate(cfg.Seed, k)
		tb.Families[g.Family]++
		spec, err := cfg.prepare(g, k)
		if err != nil {
			return nil, err
		}
		played, steps, err := cfg.play(ctx, spec, g, accs, base, total)
		if err != nil {
			return nil, err
		}
		tb.Played += played
		tb.Steps += steps
		base += pairings * uint64(cfg.Repetitions)
	}
	tb.Sessions = total
	for i, a := range accs {
		if a.n == 0 {
			continue
		}
		n := float64(a.n)
		r := Row{Negotiator: cfg.Negotiators[i], Seats: a.n, Advantage: a.adv / n, Gain: a.gain / n, Utility: a.u / n, Agreements: float64(a.agreed) / n}
		if a.n > 1 {
			r.AdvantageSE = math.Sqrt(max(0, (a.adv2-a.adv*a.adv/n)/(n-1)) / n)
		}
		r.Score = r.Advantage
		if cfg.League == "anl2026" {
			c := a.con / n
			r.Concealment, r.Modelled = &c, a.modelled
			r.Score += c
		}
		tb.Rows = append(tb.Rows, r)
	}
	slices.SortStableFunc(tb.Rows, func(a, b Row) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(a.Negotiator, b.Negotiator)
	})
	return tb, nil
}

// manifest writes the league's identity into Dir/league.yaml, or checks
// that the folder holds the same league: its scenarios, specs and stores
// are this one's, and a run resumes them (a run with more scenarios
// extends it: scenario k is the same whatever their number).
func (cfg *Config) manifest() error {
	var b strings.Builder
	fmt.Fprintf(&b, "# written by parley league; a run in this folder resumes this league\nleague: %s\nseed: %d\nrepetitions: %d\nnegotiators:\n", cfg.League, cfg.Seed, cfg.Repetitions)
	for _, n := range cfg.Negotiators {
		fmt.Fprintf(&b, "  - %s\n", n)
	}
	path := filepath.Join(cfg.Dir, "league.yaml")
	got, err := os.ReadFile(path)
	switch {
	case err == nil && string(got) != b.String():
		return fmt.Errorf("%s holds another league (%s); give a new --dir, or the same league, seed, repetitions and negotiators", cfg.Dir, strings.Join(strings.Fields(strings.SplitN(string(got), "\n", 2)[1]), " "))
	case err == nil:
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// prepare writes scenario k and its tournament spec, or checks that the
// league's folder already holds the same ones, and returns the spec path.
func (cfg *Config) prepare(g *Generated, k int) (string, error) {
	name := g.Scenario.Name
	dir := filepath.Join(cfg.Dir, "scenarios", name)
	info := map[string]string{"n_steps": strconv.Itoa(g.Steps), "family": string(g.Family), "league": "ANL 2024, parley's generator",
		"league_seed": strconv.FormatUint(cfg.Seed, 10), "index": strconv.Itoa(k + 1)}
	files, err := negmas.Files(g.Scenario, info)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(dir); err == nil {
		for fn, want := range files {
			got, err := os.ReadFile(filepath.Join(dir, fn))
			if err != nil || !bytes.Equal(got, want) {
				return "", fmt.Errorf("%s holds another scenario than league seed %d makes (%s differs); give a new --dir, or the seed it was made with", dir, cfg.Seed, fn)
			}
		}
	} else if err := negmas.Write(dir, g.Scenario, info); err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# ANL 2024 league, seed %d: scenario %d of its own number of rounds\n", cfg.Seed, k+1)
	fmt.Fprintf(&b, "name: %s\nseed: %d\nscenarios:\n  - ../scenarios/%s\nnegotiators:\n", name, tournament.SessionSeed(cfg.Seed, uint64(k))>>1, name)
	for _, n := range cfg.Negotiators {
		fmt.Fprintf(&b, "  - %s\n", n)
	}
	fmt.Fprintf(&b, "protocol: saop\ndeadline:\n  rounds: %d\nrotation: all\nrepetitions: %d\n", g.Steps, cfg.Repetitions)
	spec := filepath.Join(cfg.Dir, "specs", name+".yaml")
	if got, err := os.ReadFile(spec); err == nil {
		if string(got) != b.String() {
			return "", fmt.Errorf("%s is another league's tournament (other negotiators or repetitions); give a new --dir", spec)
		}
	} else if err := os.WriteFile(spec, []byte(b.String()), 0o644); err != nil {
		return "", err
	}
	return spec, nil
}

// play runs one scenario's tournament into its store and adds its records
// to accs; it returns the sessions it played and their steps.
func (cfg *Config) play(ctx context.Context, specPath string, g *Generated, accs []acc, base, total uint64) (uint64, uint64, error) {
	spec, err := tournament.LoadSpec(specPath)
	if err != nil {
		return 0, 0, err
	}
	plan, err := tournament.NewPlan(spec)
	if err != nil {
		return 0, 0, err
	}
	source, err := os.ReadFile(specPath)
	if err != nil {
		return 0, 0, err
	}
	db := filepath.Join(cfg.Dir, "results", spec.Name+".db")
	st, err := store.Create(db, plan, source, cfg.Version)
	if err != nil {
		return 0, 0, err
	}
	defer st.Close()
	done, err := st.Done()
	if err != nil {
		return 0, 0, err
	}
	already := done.Count()
	opts := tournament.Options{Workers: cfg.Workers, Done: done}
	if cfg.Progress != nil {
		cfg.Progress(base+already, total)
		opts.Progress = func(n uint64) { cfg.Progress(base+already+n, total) }
	}
	stats, err := tournament.Run(ctx, plan, st, opts)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			n, _ := st.Count()
			return 0, 0, fmt.Errorf("interrupted: %s holds %d of its %d sessions; run the same command again to finish the league", db, n, plan.Total)
		}
		return 0, 0, err
	}
	prep, err := plan.Scenarios[0].Prepared()
	if err != nil {
		return 0, 0, err
	}
	// Per seat: reservation value and best utility, for the advantage.
	rv, top := make([]float64, len(prep.Utilities)), make([]float64, len(prep.Utilities))
	for s, u := range prep.Utilities {
		rv[s] = u.Reservation
		top[s], _ = u.Max()
	}
	recs := make([][]float64, plan.Total) // each session's utilities, for the replay's check
	var assign []int
	err = st.Scan(func(r *tournament.Record) error {
		assign = plan.Assignment(0, r.Assignment, assign)
		for s, a := range assign {
			u := r.Utility[s]
			adv := 0.0
			if top[s] != rv[s] {
				adv = (u - rv[s]) / (top[s] - rv[s])
			}
			x := &accs[a]
			x.n++
			x.adv += adv
			x.adv2 += adv * adv
			x.gain += u - rv[s]
			x.u += u
			if r.Agreed {
				x.agreed++
			}
		}
		recs[r.Number] = slices.Clone(r.Utility)
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	if cfg.League == "anl2026" {
		if err := cfg.conceal(ctx, plan, prep, recs, accs); err != nil {
			return 0, 0, err
		}
	}
	return stats.Committed, stats.Steps, nil
}

// conceal replays every session of plan on every core and adds each
// seat's opponent-model score to its negotiator's (0.5 without a model).
func (cfg *Config) conceal(ctx context.Context, plan *tournament.Plan, prep *session.Prepared, recs [][]float64, accs []acc) error {
	size := prep.Size
	truth := make([][]float64, len(prep.Utilities)) // each seat's true utility of every outcome
	buf := make([]int, prep.Space.Issues())
	for s, u := range prep.Utilities {
		truth[s] = make([]float64, size)
		for id := range size {
			prep.Space.Decode(id, buf)
			truth[s][id] = u.Utility(buf)
		}
	}
	type score struct {
		session  uint64
		seat     int
		neg      int
		v        float64
		modelled bool
	}
	jobs := make(chan uint64)
	var mu sync.Mutex
	var firstErr error
	var scores []score
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runners := map[uint64]*session.Runner{}
			model := make([]float64, size)
			var assign []int
			var local []score
			for i := range jobs {
				ss := plan.Session(i)
				assign = plan.Assignment(0, ss.Assignment, assign)
				r, ok := runners[ss.Assignment]
				if !ok {
					names := make([]string, len(assign))
					for s, a := range assign {
						names[s] = plan.Spec.Negotiators[a]
					}
					var err error
					r, err = session.NewRunner(session.Config{Prepared: prep, Protocol: plan.Spec.Protocol, Negotiators: names, Deadline: plan.Deadline()})
					if err != nil {
						mu.Lock()
						firstErr = cmpErr(firstErr, err)
						mu.Unlock()
						continue
					}
					runners[ss.Assignment] = r
				}
				if _, err := r.Play(ss.Seed); err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					continue
				}
				for s := range assign {
					if u, _, _ := r.Payoff(s); recs[i] != nil && u != recs[i][s] {
						mu.Lock()
						firstErr = cmpErr(firstErr, fmt.Errorf("session %d of %s replayed to utility %v for seat %d, but the store holds %v: sessions should be deterministic", i, plan.Spec.Name, u, s, recs[i][s]))
						mu.Unlock()
					}
				}
				for s, a := range assign {
					sc := score{session: i, seat: s, neg: a}
					sum, models := 0.0, 0
					for o := range assign {
						if o == s {
							continue
						}
						m := r.OpponentModel(s, o)
						if m == nil {
							sum += 0.5
							continue
						}
						for id := range size {
							model[id] = m(id)
						}
						sum += ModelScore(model, truth[o])
						models++
					}
					sc.v, sc.modelled = sum/float64(len(assign)-1), models > 0
					local = append(local, sc)
				}
			}
			mu.Lock()
			scores = append(scores, local...)
			mu.Unlock()
		}()
	}
	for i := range plan.Total {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Summed in session order, so that the table does not depend on which
	// worker played what.
	slices.SortFunc(scores, func(a, b score) int {
		if a.session != b.session {
			return int(a.session) - int(b.session)
		}
		return a.seat - b.seat
	})
	for _, sc := range scores {
		accs[sc.neg].con += sc.v
		if sc.modelled {
			accs[sc.neg].modelled++
		}
	}
	return nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
