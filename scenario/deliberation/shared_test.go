package deliberation_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/deliberation"
)

// sharedGames lists every game folder of ../shared/llm-deliberation: the
// games and the log folder that carries its own config and scores.
func sharedGames(t *testing.T) []string {
	t.Helper()
	root := shared.Dir(t, "llm-deliberation")
	entries, err := os.ReadDir(filepath.Join(root, "games_descriptions"))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(root, "games_descriptions", e.Name()))
		}
	}
	dirs = append(dirs, filepath.Join(root, "logs", "all_coop_temp1_base_gpt4"))
	if len(dirs) < 7 {
		t.Fatalf("found %d games, want the 6 games and the log folder", len(dirs))
	}
	return dirs
}

// bruteGame is a game as the test reads it on its own, the way their
// eval_utils.load_setup does: config lines split at commas, score lines
// split at commas, the last line the threshold.
type bruteGame struct {
	names     []string
	scores    [][][]int // party, issue, option
	threshold []int
	p1, p2    int
}

func readBrute(t *testing.T, dir string) bruteGame {
	t.Helper()
	cfg, err := os.ReadFile(filepath.Join(dir, "config.txt"))
	if err != nil {
		t.Fatal(err)
	}
	g := bruteGame{p1: -1, p2: -1}
	for _, line := range strings.Split(strings.TrimSpace(string(cfg)), "\n") {
		f := strings.Split(line, ",")
		if len(f) != 5 {
			t.Fatalf("%s: config line %q", dir, line)
		}
		switch f[2] {
		case "p1":
			g.p1 = len(g.names)
		case "p2":
			g.p2 = len(g.names)
		}
		g.names = append(g.names, f[0])
		data, err := os.ReadFile(filepath.Join(dir, "scores_files", f[1]+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		ls := strings.Split(strings.TrimSpace(string(data)), "\n")
		var sc [][]int
		for _, l := range ls[:len(ls)-1] {
			var row []int
			for _, x := range strings.Split(l, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(x))
				if err != nil {
					t.Fatal(err)
				}
				row = append(row, n)
			}
			sc = append(sc, row)
		}
		th, err := strconv.Atoi(strings.TrimSpace(ls[len(ls)-1]))
		if err != nil {
			t.Fatal(err)
		}
		g.scores = append(g.scores, sc)
		g.threshold = append(g.threshold, th)
	}
	return g
}

// count enumerates every deal (p1's options per issue, as their
// adjust_games.ipynb does) and counts, as that notebook does, the deals
// that at least n−1 parties accept with p1 and p2 among them, those all
// accept, and per party the deals it accepts and the feasible ones it
// accepts; a party accepts a deal whose summed score is at least its
// threshold.
func (g bruteGame) count() (feasible, unanimous int, accepts, feasibleAccepts []int) {
	n := len(g.names)
	sizes := make([]int, len(g.scores[g.p1]))
	for i, row := range g.scores[g.p1] {
		sizes[i] = len(row)
	}
	accepts, feasibleAccepts = make([]int, n), make([]int, n)
	deal := make([]int, len(sizes))
	for {
		var agree []int
		for p := 0; p < n; p++ {
			s := 0
			for i, v := range deal {
				s += g.scores[p][i][v]
			}
			if s >= g.threshold[p] {
				agree = append(agree, p)
				accepts[p]++
			}
		}
		has := func(q int) bool {
			for _, p := range agree {
				if p == q {
					return true
				}
			}
			return false
		}
		if len(agree) >= n-1 && has(g.p1) && has(g.p2) {
			feasible++
			for _, p := range agree {
				feasibleAccepts[p]++
			}
		}
		if len(agree) == n {
			unanimous++
		}
		// The next deal, last issue fastest.
		i := len(deal) - 1
		for ; i >= 0; i-- {
			if deal[i]++; deal[i] < sizes[i] {
				break
			}
			deal[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

// TestSharedFeasibleCounts: for every game of ../shared/llm-deliberation,
// the deals parley's analysis finds feasible under the game's rule, the
// unanimous ones and each party's counts equal a brute-force count over
// all deals.
func TestSharedFeasibleCounts(t *testing.T) {
	for _, dir := range sharedGames(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			s, err := deliberation.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			a, err := analysis.CountAgreement(s, analysis.Options{})
			if err != nil {
				t.Fatal(err)
			}
			g := readBrute(t, dir)
			feasible, unanimous, accepts, feasibleAccepts := g.count()
			if feasible == 0 || unanimous == 0 {
				t.Fatalf("brute force finds %d feasible and %d unanimous deals; every shared game has some", feasible, unanimous)
			}
			if int(a.Feasible) != feasible || int(a.Unanimous) != unanimous {
				t.Errorf("parley: %d feasible, %d unanimous; brute force: %d, %d", a.Feasible, a.Unanimous, feasible, unanimous)
			}
			if len(a.Parties) != len(g.names) {
				t.Fatalf("%d parties, want %d", len(a.Parties), len(g.names))
			}
			for p, pa := range a.Parties {
				if int(pa.Accepts) != accepts[p] || int(pa.Feasible) != feasibleAccepts[p] {
					t.Errorf("%s: accepts %d, %d of them feasible; brute force %d, %d", g.names[p], pa.Accepts, pa.Feasible, accepts[p], feasibleAccepts[p])
				}
			}
			t.Logf("%s: %d feasible deals, %d unanimous", filepath.Base(dir), feasible, unanimous)
		})
	}
}

// TestBaseMatchesTheirNotebook: the figures that LLM-Deliberation's
// evaluation/adjust_games.ipynb prints for the base game (55 deals pass,
// 12 unanimously; per party the feasible deals it accepts) are parley's.
func TestBaseMatchesTheirNotebook(t *testing.T) {
	dir := filepath.Join(shared.Dir(t, "llm-deliberation"), "games_descriptions", "base")
	s, err := deliberation.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := analysis.CountAgreement(s, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Feasible != 55 || a.Unanimous != 12 {
		t.Errorf("%d feasible, %d unanimous; their notebook prints 55 and 12", a.Feasible, a.Unanimous)
	}
	// {'Mayor': 55, 'Other cities': 47, 'Local Labour Union': 40,
	//  'SportCo': 55, 'Department of Tourism': 55, 'Environmental League': 35}
	want := map[string]uint64{"Mayor": 55, "Other cities": 47, "Local Labour Union": 40, "SportCo": 55, "Department of Tourism": 55, "Environmental League": 35}
	for _, pa := range a.Parties {
		name := s.Parties[s.PartyIndex(pa.ID)].Name
		if pa.Feasible != want[name] {
			t.Errorf("%s accepts %d feasible deals; their notebook prints %d", name, pa.Feasible, want[name])
		}
	}
}

// TestSharedUtilityExact: in every shared game, a party's utility of every
// deal is its score over its best score, and it accepts the deal in
// parley's sense (analysis.Acceptable) exactly when the score reaches its
// threshold.
func TestSharedUtilityExact(t *testing.T) {
	for _, dir := range sharedGames(t) {
		g, err := deliberation.LoadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		s, err := g.Scenario()
		if err != nil {
			t.Fatal(err)
		}
		us := s.Utilities()
		sp := s.Space()
		atThreshold := 0
		err = sp.Enumerate(0, func(o []int) bool {
			for p, u := range us {
				score, best := g.Score(p, o), g.Best(p)
				if d := u.Utility(o) - float64(score)/float64(best); d > 1e-15 || d < -1e-15 {
					t.Fatalf("%s, %s, %v: utility %v, score %d of %d", dir, g.Parties[p].Name, o, u.Utility(o), score, best)
				}
				if got, want := analysis.Acceptable(u, o), score >= g.Parties[p].Threshold; got != want {
					t.Fatalf("%s, %s, %v: accepts %v with score %d and threshold %d", dir, g.Parties[p].Name, o, got, score, g.Parties[p].Threshold)
				}
				if score == g.Parties[p].Threshold {
					atThreshold++
				}
			}
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if atThreshold == 0 {
			t.Errorf("%s: no deal scores exactly a threshold; the test would not see the boundary", dir)
		}
	}
}

// TestSharedRoundTrip: a game written as a parley scenario file and read
// back has the same utilities, reservation values and decision rule.
func TestSharedRoundTrip(t *testing.T) {
	for _, dir := range sharedGames(t) {
		s, err := deliberation.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		data, err := s.MarshalYAML()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "decision:") {
			t.Fatalf("%s: no decision rule written:\n%s", dir, data)
		}
		back, err := scenario.Parse(data, filepath.Join(t.TempDir(), "game.yaml"))
		if err != nil {
			t.Fatalf("%s: %v\n%s", dir, err, data)
		}
		if got, want := back.DescribeDecision(), s.DescribeDecision(); got != want {
			t.Errorf("%s: rule %q, want %q", dir, got, want)
		}
		a, b := s.Utilities(), back.Utilities()
		for p := range a {
			if a[p].Reservation != b[p].Reservation {
				t.Errorf("%s, party %d: reservation %v, want %v", dir, p, b[p].Reservation, a[p].Reservation)
			}
			for i := range a[p].Table {
				for v := range a[p].Table[i] {
					if a[p].Table[i][v] != b[p].Table[i][v] {
						t.Fatalf("%s, party %d, issue %d, option %d: %v, want %v", dir, p, i, v, b[p].Table[i][v], a[p].Table[i][v])
					}
				}
			}
		}
	}
}
