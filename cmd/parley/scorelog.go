package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/printable"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/deliberation"
)

// ScoreLogCmd scores the published logs of LLM-Deliberation games.
type ScoreLogCmd struct {
	Paths []string `arg:"" name:"log" help:"Negotiation logs (history*.json), or folders of them."`
	Game  string   `help:"The game folder the logs were played in (config.txt and scores_files/); default: the folder of each log."`
	JSON  bool     `help:"Write the scores as JSON, with every turn's proposal."`
}

// logScore is one log scored: its final deal judged by the game's rule.
type logScore struct {
	Log      string `json:"log"`
	Game     string `json:"game"`
	Turns    int    `json:"turns"`
	Expected int    `json:"expected_turns"` // the speaking order and the opening and final turns; 0 if unknown
	Complete bool   `json:"complete"`
	// Final is p1's final proposal, the last turn of a complete log (nil if
	// that turn names no complete deal); Last is the last complete deal any
	// turn proposed, which for an incomplete log is all there is.
	Final *dealScore `json:"final"`
	Last  *dealScore `json:"last"`
	// Proposed counts the turns that propose a complete deal; Passing
	// those whose deal passes; P1Passing those of p1 whose deal passes
	// (their "deal at any round").
	Proposed  int         `json:"proposed"`
	Passing   int         `json:"passing"`
	P1Passing int         `json:"p1_passing"`
	TurnList  []turnScore `json:"turns_list"`
}

// dealScore is a deal judged: who accepts it at which score, whether the
// rule passes it, and its distances in parley's utility space.
type dealScore struct {
	Turn               int          `json:"turn"` // 1-based
	By                 string       `json:"by"`
	Deal               string       `json:"deal"`
	Passes             bool         `json:"passes"`
	Unanimous          bool         `json:"unanimous"`
	Accepting          int          `json:"accepting"`
	Parties            []partyScore `json:"parties"`
	DistanceToFrontier *float64     `json:"distance_to_frontier"`
	DistanceToNash     *float64     `json:"distance_to_nash"`
}

type partyScore struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Role      string  `json:"role"`
	Score     int     `json:"score"`
	Threshold int     `json:"threshold"`
	Accepts   bool    `json:"accepts"`
	Utility   float64 `json:"utility"`
}

// turnScore is one turn's proposal: a deal if it names every issue, else
// how many issues it named and which options it named that do not exist.
type turnScore struct {
	Turn    int      `json:"turn"`
	Agent   string   `json:"agent"`
	Deal    string   `json:"deal,omitempty"`
	Named   int      `json:"named"`
	Invalid []string `json:"invalid,omitempty"`
	Passes  *bool    `json:"passes,omitempty"`
}

// game is a game folder with its scenario and analysis, shared by its logs.
type game struct {
	dir string
	g   *deliberation.Game
	s   *scenario.Scenario
	r   *analysis.Report
}

// Run scores every log; a log that cannot be read is reported and the
// others are still scored, the command failing at the end.
func (c *ScoreLogCmd) Run(e env) error {
	var logs []string
	for _, p := range c.Paths {
		ls, err := deliberation.FindLogs(p)
		if err != nil {
			return err
		}
		logs = append(logs, ls...)
	}
	games := map[string]*game{}
	var scores []*logScore
	var order []*game
	bad := 0
	for _, path := range logs {
		gm, err := c.game(games, path)
		if err != nil {
			return err
		}
		l, err := deliberation.ReadLog(path)
		if err == nil {
			var s *logScore
			if s, err = scoreLog(gm, l); err == nil {
				if len(order) == 0 || order[len(order)-1] != gm {
					order = append(order, gm)
				}
				scores = append(scores, s)
				continue
			}
		}
		bad++
		fmt.Fprintln(e.stderr, printable.Text(err.Error()))
	}
	var err error
	if c.JSON {
		if scores == nil {
			scores = []*logScore{}
		}
		err = writeJSON(e.stdout, scores)
	} else {
		err = writeScores(printable.Writer(e.stdout), order, scores)
	}
	if err != nil {
		return err
	}
	if bad > 0 {
		return errors.New(plural(bad, "log could not be scored", "logs could not be scored"))
	}
	return nil
}

// game loads (once) the game the log at path was played in.
func (c *ScoreLogCmd) game(games map[string]*game, path string) (*game, error) {
	dir := c.Game
	if dir == "" {
		dir = filepath.Dir(path)
		if !deliberation.IsGameDir(dir) {
			return nil, fmt.Errorf("%s: no game beside this log (config.txt and scores_files/); give the game folder it was played in with --game", path)
		}
	}
	if gm, ok := games[dir]; ok {
		return gm, nil
	}
	g, err := deliberation.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := g.Scenario()
	if err != nil {
		return nil, err
	}
	r, err := analysis.Analyze(s, analysis.Options{})
	if err != nil {
		return nil, err
	}
	gm := &game{dir: dir, g: g, s: s, r: r}
	games[dir] = gm
	return gm, nil
}

// scoreLog reads every turn's proposal as the games' evaluation does and
// judges the final one (and the last one proposed) under the game's rule.
func scoreLog(gm *game, l *deliberation.Log) (*logScore, error) {
	g := gm.g
	s := &logScore{Log: l.Path, Game: g.Name, Turns: len(l.Turns), Complete: l.Complete(), TurnList: []turnScore{}}
	if len(l.Slots) > 0 {
		s.Expected = len(l.Slots) + 2
	}
	for k, t := range l.Turns {
		p := g.PartyByName(t.Agent)
		if p < 0 {
			return nil, fmt.Errorf("%s: turn %d is by %q, who is not a party of game %s (%s)", l.Path, k+1, t.Agent, g.Name, partyNames(g))
		}
		x := deliberation.ExtractDeal(t.Public, g.Options())
		ts := turnScore{Turn: k + 1, Agent: t.Agent, Named: x.Named, Invalid: x.Invalid}
		if x.Deal != nil {
			d := judge(gm, x.Deal, k+1, t.Agent)
			ts.Deal, ts.Passes = d.Deal, &d.Passes
			s.Proposed++
			if d.Passes {
				s.Passing++
				if p == g.P1 {
					s.P1Passing++
				}
			}
			s.Last = d
			if s.Complete && k == len(l.Turns)-1 {
				s.Final = d
			}
		}
		s.TurnList = append(s.TurnList, ts)
	}
	return s, nil
}

// judge scores deal for every party and judges it under the game's rule.
func judge(gm *game, deal []int, turn int, by string) *dealScore {
	g := gm.g
	v := gm.r.Judge(deal)
	d := &dealScore{Turn: turn, By: by, Deal: g.FormatDeal(deal), Passes: v.Passes, Unanimous: v.Unanimous,
		DistanceToFrontier: v.DistanceToFrontier, DistanceToNash: v.DistanceToNash}
	for p := range g.Parties {
		pa := &g.Parties[p]
		if v.Accepts[p] {
			d.Accepting++
		}
		d.Parties = append(d.Parties, partyScore{ID: pa.File, Name: pa.Name, Role: pa.Role, Score: g.Score(p, deal),
			Threshold: pa.Threshold, Accepts: v.Accepts[p], Utility: v.Utilities[p]})
	}
	return d
}

func partyNames(g *deliberation.Game) string {
	ns := make([]string, len(g.Parties))
	for p := range g.Parties {
		ns[p] = g.Parties[p].Name
	}
	return strings.Join(ns, ", ")
}

// writeScores writes, per game, its parties and a line per log: the final
// deal (or, for an incomplete log, the last deal proposed), whether it
// passes, every party's score (* below its threshold) and the distances.
func writeScores(w io.Writer, games []*game, scores []*logScore) error {
	var b strings.Builder
	for k, gm := range games {
		g := gm.g
		if k > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "Game %s (%s); decision rule: %s\n", g.Name, gm.dir, gm.s.DescribeDecision())
		ids := make([]string, len(g.Parties))
		for p := range g.Parties {
			pa := &g.Parties[p]
			ids[p] = pa.File
			fmt.Fprintf(&b, "  %-18s %-26s %-7s threshold %d of %d\n", pa.File, pa.Name, pa.Role, pa.Threshold, g.Best(p))
		}
		fmt.Fprintf(&b, "%-22s %-7s %-20s %-6s %-6s", "log", "turns", "final deal", "passes", "accept")
		for _, id := range ids {
			fmt.Fprintf(&b, " %*s", max(len(id), 4), id)
		}
		fmt.Fprintf(&b, " %8s %8s\n", "frontier", "nash")
		complete, passing, unanimous, incomplete := 0, 0, 0, 0
		for _, s := range scores {
			if s.Game != g.Name {
				continue
			}
			turns := fmt.Sprint(s.Turns)
			if s.Expected > 0 {
				turns += "/" + fmt.Sprint(s.Expected)
			}
			fmt.Fprintf(&b, "%-22s %-7s ", filepath.Base(s.Log), turns)
			d := s.Final
			mark := ""
			if s.Complete {
				complete++
			} else {
				incomplete++
				d, mark = s.Last, "†"
			}
			if d == nil {
				fmt.Fprintf(&b, "%s\n", map[bool]string{true: "no complete deal in p1's final turn", false: "no complete deal proposed"}[s.Complete])
				continue
			}
			if s.Complete && d.Passes {
				passing++
				if d.Unanimous {
					unanimous++
				}
			}
			fmt.Fprintf(&b, "%-20s %-6s %-6s", d.Deal+mark, yesNo(d.Passes), fmt.Sprintf("%d/%d", d.Accepting, len(d.Parties)))
			for p, ps := range d.Parties {
				cell := fmt.Sprint(ps.Score)
				if !ps.Accepts {
					cell += "*"
				} else {
					cell += " "
				}
				fmt.Fprintf(&b, " %*s", max(len(ids[p]), 4), cell)
			}
			fmt.Fprintf(&b, " %8s %8s\n", dist(d.DistanceToFrontier), dist(d.DistanceToNash))
		}
		fmt.Fprintf(&b, "Final deals (p1's last turn) of %s: %d pass, %d of them unanimously.\n", plural(complete, "complete log", "complete logs"), passing, unanimous)
		if incomplete > 0 {
			fmt.Fprintf(&b, "† %s stopped early: the last deal proposed is shown; their evaluation leaves such logs out.\n", plural(incomplete, "log", "logs"))
		}
	}
	b.WriteString("Scores marked * are below the party's threshold; distances are Euclidean, in utility (score / best score).\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func dist(d *float64) string {
	if d == nil {
		return "-"
	}
	return fmt.Sprintf("%.4f", *d)
}
