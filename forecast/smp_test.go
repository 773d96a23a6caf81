package forecast

import (
	"github.com/parleyhq/parley/internal/shared"

	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedDir returns ../shared/forecast, or skips.
func sharedDir(t testing.TB) string { return shared.Dir(t, "forecast") }

// ktabLog holds the figures KTAB prints in a reference run log.
type ktabLog struct {
	positions [][]string // [state][actor*dims], "%.4f" on 0–100, states 1..
	fractions []string   // "Fractional change compared to first step", "%.4f"
	winProb   [][]string // [actor][state], "%.4f"
	history   [][]string // [actor*dim][state], "%5.1f"
}

func readKTABLog(t *testing.T, path string, nActors int) ktabLog {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lg ktabLog
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var cur []string
	inHist := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "postn ") && strings.HasSuffix(line, ":"):
			if !sc.Scan() {
				t.Fatal("truncated log")
			}
			cur = append(cur, strings.Fields(sc.Text())...)
			if strings.HasPrefix(line, fmt.Sprintf("postn %d ,", nActors-1)) {
				lg.positions = append(lg.positions, cur)
				cur = nil
			}
		case strings.HasPrefix(line, "Fractional change compared to first step:"):
			lg.fractions = append(lg.fractions, strings.Fields(line)[6])
		case strings.Contains(line, ", prob :"):
			_, after, _ := strings.Cut(line, ", prob :")
			lg.winProb = append(lg.winProb, strings.Fields(after))
		case strings.HasPrefix(line, "History of actors' winning"):
			inHist = false
		case strings.HasPrefix(line, "History of actor positions"):
			inHist = true
		case inHist && strings.Contains(line, ":"):
			_, after, _ := strings.Cut(line, ":")
			lg.history = append(lg.history, strings.Fields(after))
		case inHist:
			inHist = false
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lg
}

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestSMPReferenceRuns(t *testing.T) {
	shared := sharedDir(t)
	for _, tc := range []struct {
		name, input, log, prefix string
	}{
		{"dummyData_3Dim", "dummyData_3Dim.csv", "20170530_ref-dummyData_3Dim.txt", "ktab_smp_dummyData_3Dim"},
		{"dummyData_3Dim-xml", "dummyData_3Dim.xml", "20170530_ref-dummyData_3Dim.txt", "ktab_smp_dummyData_3Dim"},
		{"dummyData_3Dim-no-final-comma", "dummyData_3Dim-no-final-comma.csv", "20170530_ref-dummyData_3Dim.txt", "ktab_smp_dummyData_3Dim"},
		{"SOE-Pol-Comp", "SOE-Pol-Comp.csv", "20170530_ref-SOE-Pol-Comp.txt", "ktab_smp_SOE-Pol-Comp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := LoadFile(filepath.Join(shared, "ktab", tc.input))
			if err != nil {
				t.Fatal(err)
			}
			res, err := SMP(p, SMPParams{})
			if err != nil {
				t.Fatal(err)
			}
			n, nd := len(p.Actors), len(p.Dimensions)
			lg := readKTABLog(t, filepath.Join(shared, "ktab", tc.log), n)

			if len(lg.positions) == 0 || len(lg.winProb) != n || len(lg.history) != n*nd {
				t.Fatalf("log parse: %d states, %d win-probability rows, %d history rows", len(lg.positions), len(lg.winProb), len(lg.history))
			}
			if got, want := len(res.Rounds), len(lg.positions)+1; got != want {
				t.Fatalf("states = %d, want %d", got, want)
			}
			// every actor's position at every turn, "%.4f" on 0–100 as KTAB prints it
			for s, want := range lg.positions {
				rd := res.Rounds[s+1]
				for i := range n {
					for d := range nd {
						if got := fmt.Sprintf("%.4f", rd.Positions[i][d]); got != want[i*nd+d] {
							t.Errorf("turn %d actor %s dim %d: position %s, KTAB %s", s+1, p.Actors[i].Name, d, got, want[i*nd+d])
						}
					}
				}
			}
			// the stopping measure, "%.4f"
			if len(lg.fractions) != len(res.Rounds)-1 {
				t.Fatalf("%d stopping ratios in log, %d rounds", len(lg.fractions), len(res.Rounds)-1)
			}
			for k, want := range lg.fractions {
				if got := fmt.Sprintf("%.4f", *res.Rounds[k+1].Stopping); got != want {
					t.Errorf("turn %d: fractional change %s, KTAB %s", k+1, got, want)
				}
			}
			// winning probabilities, "%.4f"
			for i, row := range lg.winProb {
				for s, want := range row {
					if got := fmt.Sprintf("%.4f", res.Rounds[s].WinProb[i]); got != want {
						t.Errorf("turn %d actor %s: win probability %s, KTAB %s", s, p.Actors[i].Name, got, want)
					}
				}
			}
			// position history "%5.1f" (SMPModel::showVPHistory)
			for k, row := range lg.history {
				i, d := k/nd, k%nd
				for s, want := range row {
					if got := fmt.Sprintf("%.1f", res.Rounds[s].Positions[i][d]); got != want {
						t.Errorf("turn %d actor %s dim %d: history %s, KTAB %s", s, p.Actors[i].Name, d, got, want)
					}
				}
			}
			// the extracted expected values
			pos := readCSVFile(t, filepath.Join(shared, "ktab", tc.prefix+"_expected_positions.csv"))
			for k, rec := range pos[1:] {
				i, d := k/nd, k%nd
				if rec[0] != p.Actors[i].Name {
					t.Fatalf("row %d: actor %s, want %s", k, rec[0], p.Actors[i].Name)
				}
				for s, want := range rec[2:] {
					if got := fmt.Sprintf("%.1f", res.Rounds[s].Positions[i][d]); got != want {
						t.Errorf("expected_positions: turn %d %s/%s = %s, want %s", s, rec[0], rec[1], got, want)
					}
				}
			}
			wp := readCSVFile(t, filepath.Join(shared, "ktab", tc.prefix+"_expected_winprob.csv"))
			for i, rec := range wp[1:] {
				for s, want := range rec[1:] {
					if got := fmt.Sprintf("%.4f", res.Rounds[s].WinProb[i]); got != want {
						t.Errorf("expected_winprob: turn %d %s = %s, want %s", s, rec[0], got, want)
					}
				}
			}
			fc := readCSVFile(t, filepath.Join(shared, "ktab", tc.prefix+"_expected_fractional_change.csv"))
			for _, rec := range fc[1:] {
				var it int
				fmt.Sscan(rec[0], &it)
				if got := fmt.Sprintf("%.4f", *res.Rounds[it].Stopping); got != rec[1] {
					t.Errorf("expected_fractional_change: iteration %d = %s, want %s", it, got, rec[1])
				}
			}
			if !res.Converged {
				t.Errorf("run did not converge: %s", res.Stop)
			}
		})
	}
}
