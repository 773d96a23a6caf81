// Package deliberation imports the negotiation games of LLM-Deliberation
// (Abdelnabi et al., "Cooperation, Competition, and Maliciousness:
// LLM-Stakeholders Interactive Negotiation", NeurIPS 2024 Datasets and
// Benchmarks; github.com/S-Abdelnabi/LLM-Deliberation, MIT) as parley
// scenarios, and reads the games' published logs.
//
// A game folder holds config.txt (one agent a line: name, file name, role
// p1/p2/player/target, incentive, model), scores_files/<file>.txt (one line
// of comma-separated scores per issue, one score per option, then the
// agent's minimum threshold), and optionally initial_deal.txt (p1's opening
// deal, such as A1,B1,C4,D1,E5) and global_instructions.txt (the public
// brief). Issues are named A, B, C, … and options A1, A2, …, as the games
// write them. A party's score of a deal is the sum of its scores of the
// deal's options; it accepts a deal whose score reaches its threshold; a
// deal passes when at least n−1 of the n parties accept it, p1 and p2 among
// them.
//
// In the scenario a party's utility of a deal is its score divided by the
// best score it can reach (the sum of its top score per issue), and its
// reservation value is its threshold divided by the same number: issue i
// gets weight max_i/M and option j the value s_ij/max_i. Scores are whole
// numbers, so two scores differ by at least 1/M in utility, far more than
// the rounding of the sums (about 1e-16) and parley's comparison tolerance
// (1e-12): a party accepts a deal in parley (utility ≥ reservation −
// 1e-12) exactly when its score reaches its threshold. The game's rule is
// the scenario's decision rule: a quorum of n−1 with p1 and p2 as veto
// parties.
package deliberation

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley/decision"
	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/internal/suggest"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// Limits of a game, beyond which a folder is refused with a clear error.
// The notation bounds issues and options: issues are letters A–Z and their
// deal parser reads one digit 1–9 per option.
const (
	MaxParties = 100
	MaxIssues  = 26
	MaxOptions = 9
	MaxScore   = 1_000_000
)

// The files of a game folder.
const (
	ConfigFile       = "config.txt"
	ScoresDir        = "scores_files"
	InitialDealFile  = "initial_deal.txt"
	InstructionsFile = "global_instructions.txt"
)

// Roles of config.txt: p1 proposes and has a veto, p2 has a veto, target is
// the target of a targeted adversary (a player in every other respect).
var roles = []string{"p1", "p2", "player", "target"}

// Game is an LLM-Deliberation game as its files give it.
type Game struct {
	Name    string // the folder's name
	Dir     string
	Parties []Party // in config.txt order
	Issues  []Issue
	P1, P2  int   // party indices
	Initial []int // p1's opening deal, an option index per issue; nil without initial_deal.txt
	// Instructions is global_instructions.txt, the brief every agent gets
	// ("" without it).
	Instructions string
}

// Party is one agent of config.txt with its scores file.
type Party struct {
	Name      string // the agent's name in the game (and in its logs)
	File      string // the name of its scores file, without .txt
	Role      string // p1, p2, player or target
	Incentive string // cooperative, greedy, targeted_adv, untargeted_adv, …
	Model     string
	Scores    [][]int // per issue, per option
	Threshold int     // the least score it accepts
}

// Issue is one issue: its letter, a name from global_instructions.txt
// when it gives one, and its number of options.
type Issue struct {
	ID      string // "A", "B", …
	Name    string
	Options int
}

// Best is the highest score party p can reach: the sum of its top score
// per issue.
func (g *Game) Best(p int) int {
	m := 0
	for _, s := range g.Parties[p].Scores {
		m += maxOf(s)
	}
	return m
}

// Score is party p's score of deal (an option index per issue).
func (g *Game) Score(p int, deal []int) int {
	t := 0
	for i, v := range deal {
		t += g.Parties[p].Scores[i][v]
	}
	return t
}

// PartyByName returns the index of the party with the given game name, or -1.
func (g *Game) PartyByName(name string) int {
	for p := range g.Parties {
		if g.Parties[p].Name == name {
			return p
		}
	}
	return -1
}

// Rule is the game's decision rule: n−1 of the n parties, p1 and p2 among
// them.
func (g *Game) Rule() decision.Rule {
	return decision.Rule{Quorum: len(g.Parties) - 1, Veto: []int{g.P1, g.P2}}
}

// FormatDeal writes a deal in the games' notation: "A1, B2, C4".
func (g *Game) FormatDeal(deal []int) string {
	s := make([]string, len(deal))
	for i, v := range deal {
		s[i] = optionID(i, v)
	}
	return strings.Join(s, ", ")
}

func optionID(issue, v int) string { return fmt.Sprintf("%c%d", 'A'+issue, v+1) }

// IsGameDir reports whether dir looks like a game folder: a config.txt
// beside a scores_files folder.
func IsGameDir(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, ScoresDir))
	if err != nil || !fi.IsDir() {
		return false
	}
	_, err = os.Lstat(filepath.Join(dir, ConfigFile))
	return err == nil
}

// LoadDir reads the game in dir. Files are read only from inside dir (a
// symbolic link out of it is refused) and only if they are regular files
// of at most safeio.MaxFileSize bytes; every problem of every file is
// reported, with file, line and column.
func LoadDir(dir string) (*Game, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot open game folder: %w", err)
	}
	defer root.Close()
	r := &reader{root: root, dir: dir}
	g := &Game{Dir: dir, P1: -1, P2: -1}
	if abs, err := filepath.Abs(dir); err == nil {
		g.Name = filepath.Base(abs)
	}
	r.config(g)
	if len(r.errs) > 0 {
		return nil, r.sorted()
	}
	for p := range g.Parties {
		r.scores(g, p)
	}
	if len(r.errs) == 0 {
		r.agree(g)
	}
	if len(r.errs) == 0 {
		r.initial(g)
		r.instructions(g)
	}
	if len(r.errs) > 0 {
		return nil, r.sorted()
	}
	return g, nil
}

// reader collects every problem of a game folder.
type reader struct {
	root *os.Root
	dir  string
	errs diag.List
}

func (r *reader) sorted() error {
	r.errs.Sort()
	return r.errs
}

// path is how messages name a file of the folder.
func (r *reader) path(name string) string { return filepath.Join(r.dir, name) }

func (r *reader) add(name string, line, col int, format string, args ...any) {
	r.errs.Add(diag.Pos{File: r.path(name), Line: line, Col: col}, format, args...)
}

// read reads a text file of the folder: a regular file inside it, not
// binary, UTF-8 byte-order mark dropped. ok is false when the file cannot
// be read, the problem recorded unless the file is optional (not
// required) and absent.
func (r *reader) read(name string, required bool) (text string, ok bool) {
	data, err := safeio.ReadFileIn(r.root, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !required {
			return "", false
		}
		r.add(name, 0, 0, "cannot read this game file: %v", unwrapPath(err))
		return "", false
	}
	data = safeio.TrimBOM(data)
	if line, col, bad := binary(data); bad {
		r.add(name, line, col, "the file is binary; a game file is text")
		return "", false
	}
	if !utf8.Valid(data) {
		r.add(name, 0, 0, "the file is not UTF-8 text")
		return "", false
	}
	return string(data), true
}

// binary reports the position of the first control byte that no text file
// holds.
func binary(data []byte) (line, col int, bad bool) {
	line, col = 1, 1
	for _, c := range data {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return line, col, true
		}
		if c == '\n' {
			line, col = line+1, 1
		} else if c < 0x80 || c >= 0xC0 {
			col++
		}
	}
	return 0, 0, false
}

// unwrapPath drops the operation and path that os errors repeat.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if pe.Err.Error() == "path escapes from parent" {
			return errors.New("it links outside the game folder, and parley reads a game's files only from inside it")
		}
		return pe.Err
	}
	return err
}

// lines splits text into lines without their line ends, dropping trailing
// lines that hold only white space (a final newline or two).
func lines(text string) []string {
	ls := strings.Split(text, "\n")
	for k := range ls {
		ls[k] = strings.TrimSuffix(ls[k], "\r")
	}
	for len(ls) > 0 && strings.TrimSpace(ls[len(ls)-1]) == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}

// field is one comma-separated field of a line, trimmed, with the column
// (1-based, in characters) where its text starts.
type field struct {
	text string
	col  int
}

func fields(line string) []field {
	var fs []field
	col := 1
	for _, part := range strings.Split(line, ",") {
		lead := len(part) - len(strings.TrimLeft(part, " \t"))
		fs = append(fs, field{text: strings.TrimSpace(part), col: col + utf8.RuneCountInString(part[:lead])})
		col += utf8.RuneCountInString(part) + 1
	}
	return fs
}

// config reads config.txt: one agent a line, five comma-separated fields.
// Blank lines are skipped.
func (r *reader) config(g *Game) {
	text, ok := r.read(ConfigFile, true)
	if !ok {
		return
	}
	names, files := map[string]int{}, map[string]int{}
	for k, line := range lines(text) {
		ln := k + 1
		if strings.TrimSpace(line) == "" {
			continue
		}
		fs := fields(line)
		if len(fs) != 5 {
			r.add(ConfigFile, ln, 1, "%d comma-separated fields; an agent's line has 5: name, file name, role, incentive, model", len(fs))
			continue
		}
		p := Party{Name: fs[0].text, File: fs[1].text, Role: fs[2].text, Incentive: fs[3].text, Model: fs[4].text}
		switch {
		case p.Name == "":
			r.add(ConfigFile, ln, fs[0].col, "the agent's name is empty")
		case names[p.Name] > 0:
			r.add(ConfigFile, ln, fs[0].col, "agent %s is also on line %d; names must differ", diag.Excerpt(p.Name), names[p.Name])
		}
		names[p.Name] = ln
		if msg := fileProblem(p.File); msg != "" {
			r.add(ConfigFile, ln, fs[1].col, "the file name %s %s", diag.Excerpt(p.File), msg)
		} else if files[p.File] > 0 {
			r.add(ConfigFile, ln, fs[1].col, "file name %s is also on line %d; each agent has a scores file of its own", diag.Excerpt(p.File), files[p.File])
		}
		files[p.File] = ln
		if !contains(roles, p.Role) {
			r.add(ConfigFile, ln, fs[2].col, "unknown role %s%s; roles are %s", diag.Excerpt(p.Role), suggest.Hint(p.Role, roles), strings.Join(roles, ", "))
		}
		if p.Incentive == "" {
			r.add(ConfigFile, ln, fs[3].col, "the incentive is empty (cooperative, greedy, targeted_adv, untargeted_adv, …)")
		}
		switch p.Role {
		case "p1":
			if g.P1 >= 0 {
				r.add(ConfigFile, ln, fs[2].col, "a second p1 (the first is %s); a game has one p1 and one p2", diag.Excerpt(g.Parties[g.P1].Name))
			}
			g.P1 = len(g.Parties)
		case "p2":
			if g.P2 >= 0 {
				r.add(ConfigFile, ln, fs[2].col, "a second p2 (the first is %s); a game has one p1 and one p2", diag.Excerpt(g.Parties[g.P2].Name))
			}
			g.P2 = len(g.Parties)
		}
		g.Parties = append(g.Parties, p)
		if len(g.Parties) > MaxParties {
			r.add(ConfigFile, ln, 1, "more than %d agents; parley imports games of at most %d parties", MaxParties, MaxParties)
			return
		}
	}
	if len(r.errs) > 0 {
		return
	}
	switch {
	case len(g.Parties) < 2:
		r.add(ConfigFile, 0, 0, "%d agents; a game needs at least 2 (p1 and p2)", len(g.Parties))
	case g.P1 < 0 || g.P2 < 0:
		r.add(ConfigFile, 0, 0, "no agent has role %s; a game has one p1 and one p2", map[bool]string{true: "p1", false: "p2"}[g.P1 < 0])
	}
}

// fileProblem says why a config file name cannot name a scores file (and
// a party), or "".
func fileProblem(name string) string {
	switch {
	case name == "":
		return "is empty"
	case name == "." || name == ".." || strings.ContainsAny(name, `/\`):
		return "is not a plain file name"
	}
	if msg := scenario.IDProblem(name); msg != "" {
		return msg
	}
	return ""
}

// scores reads party p's scores file: one line per issue of
// comma-separated whole numbers, one per option, then the threshold.
func (r *reader) scores(g *Game, p int) {
	pa := &g.Parties[p]
	name := filepath.Join(ScoresDir, pa.File+".txt")
	text, ok := r.read(name, true)
	if !ok {
		return
	}
	ls := lines(text)
	if len(ls) < 2 {
		r.add(name, 0, 0, "%d lines; a scores file has one line of scores per issue and then the threshold", len(ls))
		return
	}
	if len(ls)-1 > MaxIssues {
		r.add(name, MaxIssues+1, 1, "%d lines of scores; the games name issues A to Z, so at most %d", len(ls)-1, MaxIssues)
		return
	}
	pa.Scores = make([][]int, len(ls)-1)
	for i, line := range ls[:len(ls)-1] {
		fs := fields(line)
		if strings.TrimSpace(line) == "" {
			r.add(name, i+1, 1, "the line of issue %c is empty; give its scores, one per option", 'A'+i)
			continue
		}
		if len(fs) > MaxOptions {
			r.add(name, i+1, fs[MaxOptions].col, "issue %c has %d options; the games name options 1 to %d", 'A'+i, len(fs), MaxOptions)
			continue
		}
		row := make([]int, len(fs))
		for j, f := range fs {
			x, msg := whole(f.text)
			if msg != "" {
				r.add(name, i+1, f.col, "score of option %c%d: %s", 'A'+i, j+1, msg)
			}
			row[j] = x
		}
		pa.Scores[i] = row
	}
	last := len(ls)
	fs := fields(ls[last-1])
	if len(fs) != 1 {
		r.add(name, last, fs[1].col, "the last line is the threshold, one number; found %d fields", len(fs))
		return
	}
	x, msg := whole(fs[0].text)
	if msg != "" {
		r.add(name, last, fs[0].col, "threshold: %s", msg)
		return
	}
	pa.Threshold = x
	if best := g.Best(p); x > best {
		r.add(name, last, fs[0].col, "threshold %d is above %d, the best score %s can reach (its top score per issue, summed): it could accept no deal", x, best, diag.Excerpt(pa.Name))
	}
}

// whole parses a score or threshold: a whole number from 0 to MaxScore,
// optionally with a plus sign.
func whole(s string) (int, string) {
	t := strings.TrimPrefix(s, "+")
	if t == "" {
		if s == "" {
			return 0, "empty; give a whole number"
		}
		return 0, fmt.Sprintf("%s is not a whole number", diag.Excerpt(s))
	}
	x := 0
	for _, c := range t {
		if c < '0' || c > '9' {
			if strings.HasPrefix(s, "-") {
				return 0, fmt.Sprintf("%s is negative; scores and thresholds are whole numbers from 0 to %d", diag.Excerpt(s), MaxScore)
			}
			return 0, fmt.Sprintf("%s is not a whole number", diag.Excerpt(s))
		}
		if x = 10*x + int(c-'0'); x > MaxScore {
			return 0, fmt.Sprintf("%s is above %d, the largest score parley reads", diag.Excerpt(s), MaxScore)
		}
	}
	return x, ""
}

// agree checks that every party scores the same issues with the same
// numbers of options (their scorer indexes every party's scores by p1's
// options), and sets the game's issues.
func (r *reader) agree(g *Game) {
	ref := g.Parties[g.P1]
	for p := range g.Parties {
		pa := &g.Parties[p]
		name := filepath.Join(ScoresDir, pa.File+".txt")
		if len(pa.Scores) != len(ref.Scores) {
			r.add(name, 0, 0, "%d issues, but p1's scores file (%s.txt) has %d; every party scores every issue", len(pa.Scores), ref.File, len(ref.Scores))
			continue
		}
		for i := range pa.Scores {
			if len(pa.Scores[i]) != len(ref.Scores[i]) {
				r.add(name, i+1, 1, "issue %c has %d options, but %d in p1's scores file (%s.txt); every party scores every option", 'A'+i, len(pa.Scores[i]), len(ref.Scores[i]), ref.File)
			}
		}
	}
	g.Issues = make([]Issue, len(ref.Scores))
	for i := range g.Issues {
		g.Issues[i] = Issue{ID: string(rune('A' + i)), Name: "Issue " + string(rune('A'+i)), Options: len(ref.Scores[i])}
	}
}

// initial reads initial_deal.txt, if there is one: an option of every
// issue, comma-separated (A1,B1,C4,D1,E5).
func (r *reader) initial(g *Game) {
	text, ok := r.read(InitialDealFile, false)
	if !ok {
		return
	}
	ls := lines(text)
	if len(ls) != 1 {
		r.add(InitialDealFile, 0, 0, "%d lines; the initial deal is one line of options, such as A1,B1,C4", len(ls))
		return
	}
	deal := make([]int, len(g.Issues))
	for i := range deal {
		deal[i] = -1
	}
	for _, f := range fields(ls[0]) {
		i, v, msg := g.option(f.text)
		switch {
		case msg != "":
			r.add(InitialDealFile, 1, f.col, "%s", msg)
		case deal[i] >= 0:
			r.add(InitialDealFile, 1, f.col, "issue %s has two options, %s and %s", g.Issues[i].ID, optionID(i, deal[i]), f.text)
		default:
			deal[i] = v
		}
	}
	var missing []string
	for i, v := range deal {
		if v < 0 {
			missing = append(missing, g.Issues[i].ID)
		}
	}
	if len(missing) > 0 && len(r.errs) == 0 {
		r.add(InitialDealFile, 1, 1, "no option for issue %s; the initial deal names one option of every issue", strings.Join(missing, ", "))
	}
	if len(r.errs) == 0 {
		g.Initial = deal
	}
}

// option parses an option id such as C4 into its issue and option indices.
func (g *Game) option(s string) (issue, v int, msg string) {
	if len(s) < 2 || s[0] < 'A' || s[0] > 'Z' {
		return 0, 0, fmt.Sprintf("%s is not an option such as A1", diag.Excerpt(s))
	}
	issue = int(s[0] - 'A')
	if issue >= len(g.Issues) {
		return 0, 0, fmt.Sprintf("%s: the game has issues A to %c", diag.Excerpt(s), 'A'+len(g.Issues)-1)
	}
	x, m := whole(s[1:])
	if m != "" || x < 1 || x > g.Issues[issue].Options {
		return 0, 0, fmt.Sprintf("%s is not an option of issue %c, whose options are %c1 to %c%d", diag.Excerpt(s), s[0], s[0], s[0], g.Issues[issue].Options)
	}
	return issue, x - 1, ""
}

// issueLine finds an issue's heading in the global instructions, as the
// games write it: `Issue A: "Infrastructure Mix"`, `- Issue B: "Budget".
// Four possible levels …`, `- Issue A: The location of the airport. There
// are 4 options:`.
var issueLine = regexp.MustCompile(`(?m)^[ \t]*(?:-[ \t]*)?Issue ([A-Z])[ \t]*:[ \t]*(.*?)[ \t\r]*$`)

// instructions reads global_instructions.txt, if there is one, and takes
// the issues' names from it.
func (r *reader) instructions(g *Game) {
	text, ok := r.read(InstructionsFile, false)
	if !ok {
		return
	}
	g.Instructions = text
	named := map[int]bool{}
	for _, m := range issueLine.FindAllStringSubmatch(text, -1) {
		i := int(m[1][0] - 'A')
		if i >= len(g.Issues) || named[i] {
			continue
		}
		if name := issueName(m[2]); name != "" {
			g.Issues[i].Name, named[i] = name, true
		}
	}
}

// issueName takes an issue's name from the rest of its heading: its first
// sentence, without the quotes around it, at most 80 characters.
func issueName(s string) string {
	if k := strings.Index(s, ". "); k >= 0 {
		s = s[:k]
	}
	s = strings.TrimRight(strings.TrimSpace(s), ".:")
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if utf8.RuneCountInString(s) > 80 {
		s = string([]rune(s)[:79]) + "…"
	}
	return strings.TrimSpace(s)
}

// Scenario is the game as a parley scenario: a party per agent (id its
// file name, name its game name), an issue per letter with options A1, A2,
// …, utilities and reservation values as the package documentation says,
// the game's decision rule, and its files as sources.
func (g *Game) Scenario() (*scenario.Scenario, error) {
	s := &scenario.Scenario{Name: g.Name}
	var b strings.Builder
	fmt.Fprintf(&b, "LLM-Deliberation game %s (Abdelnabi et al. 2024, MIT): %d parties, %d issues. ", g.Name, len(g.Parties), len(g.Issues))
	fmt.Fprintf(&b, "A deal passes if at least %d parties accept it, including p1 (%s) and p2 (%s); a party accepts a deal whose score reaches its threshold.",
		len(g.Parties)-1, g.Parties[g.P1].Name, g.Parties[g.P2].Name)
	if g.Initial != nil {
		fmt.Fprintf(&b, " p1 opens with %s.", g.FormatDeal(g.Initial))
	}
	if g.Instructions != "" {
		b.WriteString("\n\n" + strings.TrimSpace(g.Instructions))
	}
	s.Description = b.String()
	s.Sources = append(s.Sources,
		scenario.Source{ID: "paper", Title: "Abdelnabi, Gomaa, Sivaprasad, Schönherr, Fritz: Cooperation, Competition, and Maliciousness: LLM-Stakeholders Interactive Negotiation (NeurIPS 2024 Datasets and Benchmarks)", URL: "https://arxiv.org/abs/2309.17234"},
		scenario.Source{ID: "config", Title: g.cite(ConfigFile, "agents, roles, incentives and models")})
	if g.Initial != nil {
		s.Sources = append(s.Sources, scenario.Source{ID: "initial_deal", Title: g.cite(InitialDealFile, "p1's opening deal")})
	}
	if g.Instructions != "" {
		s.Sources = append(s.Sources, scenario.Source{ID: "global_instructions", Title: g.cite(InstructionsFile, "the brief every agent gets")})
	}
	for i, is := range g.Issues {
		si := scenario.Issue{ID: is.ID, Name: is.Name, Kind: scenario.Discrete}
		for v := 0; v < is.Options; v++ {
			si.Options = append(si.Options, scenario.Option{ID: optionID(i, v)})
		}
		s.Issues = append(s.Issues, si)
	}
	for p := range g.Parties {
		pa := &g.Parties[p]
		s.Sources = append(s.Sources, scenario.Source{ID: "scores_" + pa.File, Title: g.cite(ScoresDir+"/"+pa.File+".txt", pa.Name+"'s scores and threshold")})
		s.Parties = append(s.Parties, scenario.Party{ID: pa.File, Name: pa.Name, Role: scenario.RoleParty, Prefs: g.prefs(p)})
	}
	s.Decision = g.Rule()
	if err := s.CheckParties(); err != nil {
		return nil, err
	}
	if err := s.CheckDecision(); err != nil {
		return nil, err
	}
	return s, nil
}

// cite names a file of the game for a source's title. Sources name the
// files rather than give their paths: no number quotes them, and a scenario
// converted to a file elsewhere would warn on every read that it cannot
// reach them.
func (g *Game) cite(file, what string) string {
	return fmt.Sprintf("%s/%s: %s", g.Name, file, what)
}

// prefs maps party p's scores to additive preferences: weight max_i/M for
// issue i and value s_ij/max_i for its option j, reservation threshold/M,
// M being the best score p can reach. A party whose scores are all 0 has
// equal weights, values 0 and reservation 0 (its threshold is then 0).
func (g *Game) prefs(p int) scenario.Preferences {
	pa := &g.Parties[p]
	m := len(pa.Scores)
	pr := scenario.Preferences{Weights: make([]float64, m), Values: make([]utility.ValueFunc, m), Discount: 1}
	best := g.Best(p)
	for i, row := range pa.Scores {
		top := maxOf(row)
		vals := make([]float64, len(row))
		for j, x := range row {
			if top > 0 {
				vals[j] = float64(x) / float64(top)
			}
		}
		pr.Values[i] = utility.ValueFunc{Shape: utility.Table, Values: vals}
		if best > 0 {
			pr.Weights[i] = float64(top) / float64(best)
		} else {
			pr.Weights[i] = 1 / float64(m)
		}
	}
	if best > 0 {
		pr.Reservation = float64(pa.Threshold) / float64(best)
	}
	return pr
}

func maxOf(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Load reads the game in dir and returns it as a scenario.
func Load(dir string) (*scenario.Scenario, error) {
	g, err := LoadDir(dir)
	if err != nil {
		return nil, err
	}
	return g.Scenario()
}
