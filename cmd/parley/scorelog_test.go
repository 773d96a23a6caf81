package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
)

// theirGame is a game read the way LLM-Deliberation's eval_utils.load_setup
// reads it, independently of parley's importer.
type theirGame struct {
	names     []string
	files     []string
	roles     []string
	scores    [][][]int
	threshold []int
}

func readTheirGame(t *testing.T, dir string) theirGame {
	t.Helper()
	cfg, err := os.ReadFile(filepath.Join(dir, "config.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var g theirGame
	for _, line := range strings.Split(strings.TrimSpace(string(cfg)), "\n") {
		f := strings.Split(line, ",")
		g.names, g.files, g.roles = append(g.names, f[0]), append(g.files, f[1]), append(g.roles, f[2])
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
		g.scores, g.threshold = append(g.scores, sc), append(g.threshold, th)
	}
	return g
}

// extract is their extract_deal: newlines dropped, the first "A[1-9]",
// "B[1-9]", … anywhere in the answer; nil unless every issue is named.
func (g theirGame) extract(answer string) []string {
	answer = strings.ReplaceAll(answer, "\n", "")
	var deal []string
	for i := range g.scores[0] {
		m := regexp.MustCompile(string(rune('A'+i)) + "[1-9]").FindString(answer)
		if m == "" {
			return nil
		}
		deal = append(deal, m)
	}
	return deal
}

// score is their calculator: the sum of the scores of the deal's options.
func (g theirGame) score(p int, deal []string) int {
	s := 0
	for i, o := range deal {
		n, _ := strconv.Atoi(o[1:])
		s += g.scores[p][i][n-1]
	}
	return s
}

// passes is the rule their prompts state and adjust_games.ipynb counts: a
// party agrees with a score at least its threshold; a deal passes when at
// least n−1 parties agree, p1 and p2 among them.
func (g theirGame) passes(deal []string) (bool, []bool) {
	agree := make([]bool, len(g.names))
	n, vetoes := 0, 0
	for p := range g.names {
		if agree[p] = g.score(p, deal) >= g.threshold[p]; agree[p] {
			n++
			if g.roles[p] == "p1" || g.roles[p] == "p2" {
				vetoes++
			}
		}
	}
	return n >= len(g.names)-1 && vetoes == 2, agree
}

// TestScoreLogAgreesWithTheirRule scores every published log of the
// cooperative base game with parley score-log and recomputes, log by log
// and independently, what their evaluation reads: every turn's proposed
// deal, the final deal (p1's last turn), every party's score of it,
// whether it reaches the party's threshold and whether the deal passes.
func TestScoreLogAgreesWithTheirRule(t *testing.T) {
	dir := filepath.Join(shared.Dir(t, "llm-deliberation"), "logs", "all_coop_temp1_base_gpt4")
	code, out, errs := runCLI("score-log", "--json", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var scores []logScore
	if err := json.Unmarshal([]byte(out), &scores); err != nil {
		t.Fatal(err)
	}
	g := readTheirGame(t, dir)
	compared, passing, failing, boundary := 0, 0, 0, 0
	var differ []string
	bonus := 0
	for _, s := range scores {
		data, err := os.ReadFile(s.Log)
		if err != nil {
			t.Fatal(err)
		}
		var h struct {
			Slots  []string `json:"slot_assignment"`
			Rounds []struct {
				Agent  string `json:"agent"`
				Public string `json:"public_answer"`
			} `json:"rounds"`
		}
		if err := json.Unmarshal(data, &h); err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(s.Log)
		// Their evaluation scores only logs of all the rounds.
		if complete := len(h.Rounds) == len(h.Slots)+2; complete != s.Complete {
			t.Errorf("%s: complete %v, want %v", name, s.Complete, complete)
		}
		for k, r := range h.Rounds {
			want := strings.Join(g.extract(r.Public), ", ")
			if got := s.TurnList[k].Deal; got != want || s.TurnList[k].Agent != r.Agent {
				t.Errorf("%s, turn %d: %s proposes %q, want %s proposing %q", name, k+1, s.TurnList[k].Agent, got, r.Agent, want)
			}
		}
		if !s.Complete {
			continue
		}
		deal := g.extract(h.Rounds[len(h.Rounds)-1].Public)
		if deal == nil || s.Final == nil {
			t.Errorf("%s: final deal %v, parley %v", name, deal, s.Final)
			continue
		}
		compared++
		pass, agree := g.passes(deal)
		if s.Final.Deal != strings.Join(deal, ", ") || s.Final.Passes != pass {
			t.Errorf("%s: final deal %s passes %v; want %v passes %v", name, s.Final.Deal, s.Final.Passes, deal, pass)
		}
		if pass {
			passing++
		} else {
			failing++
		}
		// Their evaluate_deals notebook counts a party as agreeing only
		// above its threshold; note the logs where that changes the verdict.
		strict, vetoes := 0, 0
		for p := range g.names {
			if g.score(p, deal) > g.threshold[p] {
				strict++
				if g.roles[p] == "p1" || g.roles[p] == "p2" {
					vetoes++
				}
			}
		}
		if (strict >= len(g.names)-1 && vetoes == 2) != pass {
			differ = append(differ, name)
		}
		// p1 gets 10 points more if every party agrees: a deal every other
		// party accepts with p1 short of its threshold by at most 10 would
		// be unanimous with the bonus only.
		short, others := false, 0
		for p := range g.names {
			if g.roles[p] == "p1" {
				short = !agree[p] && g.score(p, deal)+10 >= g.threshold[p]
			} else if agree[p] {
				others++
			}
		}
		if short && others == len(g.names)-1 {
			bonus++
		}
		for p, ps := range s.Final.Parties {
			if ps.Name != g.names[p] || ps.Score != g.score(p, deal) || ps.Threshold != g.threshold[p] || ps.Accepts != agree[p] {
				t.Errorf("%s, %s: score %d of threshold %d, accepts %v; want %s: %d of %d, %v",
					name, ps.Name, ps.Score, ps.Threshold, ps.Accepts, g.names[p], g.score(p, deal), g.threshold[p], agree[p])
			}
			if ps.Score == g.threshold[p] {
				boundary++
			}
		}
	}
	// The shared logs hold 32 complete sessions, final deals that pass and
	// that fail, and parties that score exactly their threshold.
	if compared < 5 || passing == 0 || failing == 0 || boundary == 0 {
		t.Errorf("compared %d logs (%d pass, %d fail, %d scores at a threshold); the test needs at least 5 and each kind", compared, passing, failing, boundary)
	}
	t.Logf("%d complete logs: %d final deals pass, %d fail; %d scores exactly at a threshold", compared, passing, failing, boundary)
	// docs/deliberation.md names the logs whose verdict a strict comparison
	// would change.
	if got := strings.Join(differ, ", "); got != "history15_25_58.json, history16_02_57.json" {
		t.Errorf("verdicts that depend on ≥ against >: %s", got)
	}
	if bonus != 0 {
		t.Errorf("%d final deals are unanimous only with p1's bonus; docs/deliberation.md says none", bonus)
	}
}

// TestScoreLogNeedsGame: logs without their game beside them need --game,
// and with it they are scored; a broken log is reported and the others
// are still scored.
func TestScoreLogNeedsGame(t *testing.T) {
	root := shared.Dir(t, "llm-deliberation")
	greedy := filepath.Join(root, "logs", "all_greedy_base_gpt4")
	code, _, errs := runCLI("score-log", greedy)
	if code != 1 || !strings.Contains(errs, "no game beside this log") || !strings.Contains(errs, "--game") {
		t.Errorf("exit %d: %s", code, errs)
	}
	base := filepath.Join(root, "games_descriptions", "base")
	code, out, errs := runCLI("score-log", "--game", base, greedy)
	if code != 0 || !strings.Contains(out, "Final deals (p1's last turn) of 1 complete log: 0 pass") || !strings.Contains(out, "† 10 logs stopped early") {
		t.Errorf("exit %d: %s\n%s", code, errs, out)
	}
	tmp := t.TempDir()
	good, err := os.ReadFile(filepath.Join(greedy, "history22_49_28.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"history1.json": good, "history2.json": []byte(`{"rounds": [`), "history3.json": []byte(`{"rounds": [{"agent": "Nobody", "public_answer": ""}]}`)} {
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs = runCLI("score-log", "--game", base, tmp)
	if code != 1 || !strings.Contains(out, "history1.json") || !strings.Contains(errs, "history2.json:1:13: JSON syntax error: the JSON ends too early") ||
		!strings.Contains(errs, `history3.json: turn 1 is by "Nobody", who is not a party of game base`) || !strings.Contains(errs, "2 logs could not be scored") {
		t.Errorf("exit %d:\n%s\n%s", code, out, errs)
	}
}

// TestDeliberationGolden pins what parley prints for the base game and its
// logs; docs/deliberation.md quotes these files.
func TestDeliberationGolden(t *testing.T) {
	root := shared.Dir(t, "llm-deliberation")
	sharedDir := filepath.Dir(root)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"analyze-base", []string{"analyze", filepath.Join(root, "games_descriptions", "base")}},
		{"score-log-coop", []string{"score-log", filepath.Join(root, "logs", "all_coop_temp1_base_gpt4")}},
		{"run-base-amop", []string{"run", filepath.Join(root, "games_descriptions", "base"), "-p", "amop", "-n", "conceder", "--lines", "3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(c.args...)
			got := "$ parley " + strings.Join(c.args, " ") + "\n" + out + errs
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, got)
			}
			golden(t, "deliberation-"+c.name+".txt", strings.ReplaceAll(got, sharedDir, "../shared"))
		})
	}
}

// TestRunDeliberationProtocols: a game's rule needs a protocol that votes;
// SAOP and shuttle are refused with a message that names the others.
func TestRunDeliberationProtocols(t *testing.T) {
	base := filepath.Join(shared.Dir(t, "llm-deliberation"), "games_descriptions", "base")
	code, _, errs := runCLI("run", base, "-n", "conceder")
	if code != 1 || !strings.Contains(errs, "scenario base agrees by 5 of 6 parties, including SportCo and DoT, but protocol saop agrees only unanimously; use amop, amop-majority, mediated") {
		t.Errorf("exit %d: %s", code, errs)
	}
	code, out, errs := runCLI("run", base, "-n", "conceder", "-p", "mediated", "-m", "broker", "--json")
	if code != 0 {
		t.Fatalf("mediated: exit %d: %s", code, errs)
	}
	var res struct {
		Status    string            `json:"status"`
		Agreement map[string]string `json:"agreement"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Status != "agreed" || len(res.Agreement) != 5 {
		t.Errorf("mediated: %+v", res)
	}
}
