package deliberation

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// small is a three-party game: two issues, A with three options and B with
// two; Ann is p1, Bob p2.
var small = map[string]string{
	"config.txt":              "Ann,ann,p1,cooperative,m\nBob,bob,p2,greedy,m\nCy,cy,player,cooperative,m\n",
	"scores_files/ann.txt":    "10, 5, 0\n0, 20\n15\n",
	"scores_files/bob.txt":    "0, 5, 10\n10, 0\n10",
	"scores_files/cy.txt":     "3, 3, 3\n0, 0\n3 \n",
	"initial_deal.txt":        "A1,B2",
	"global_instructions.txt": "Intro.\nIssue A: \"Size\"\nA1: big\n- Issue B: The site. Two options:\n",
}

// folder writes files (name → text) into a new game folder.
func folder(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "game")
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// with returns a copy of files with the given (name, text) pairs set; an
// empty text deletes the file.
func with(files map[string]string, kv ...string) map[string]string {
	c := map[string]string{}
	for k, v := range files {
		c[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(c, kv[i])
		} else {
			c[kv[i]] = kv[i+1]
		}
	}
	return c
}

func TestLoadSmall(t *testing.T) {
	g, err := LoadDir(folder(t, small))
	if err != nil {
		t.Fatal(err)
	}
	if g.P1 != 0 || g.P2 != 1 || len(g.Parties) != 3 || len(g.Issues) != 2 {
		t.Fatalf("%+v", g)
	}
	if g.Issues[0].Name != "Size" || g.Issues[1].Name != "The site" || g.Issues[0].Options != 3 || g.Issues[1].Options != 2 {
		t.Errorf("issues %+v", g.Issues)
	}
	if g.FormatDeal(g.Initial) != "A1, B2" {
		t.Errorf("initial deal %v", g.Initial)
	}
	if g.Parties[2].Threshold != 3 || g.Parties[1].Incentive != "greedy" {
		t.Errorf("parties %+v", g.Parties)
	}
	s, err := g.Scenario()
	if err != nil {
		t.Fatal(err)
	}
	// Ann's best is 30: weights 10/30 and 20/30, reservation 15/30.
	u := s.Utility(0)
	if u.Reservation != 0.5 || u.Utility([]int{0, 1}) != 1 || u.Utility([]int{1, 0}) != 5.0/30 {
		t.Errorf("Ann: rv %v, u(A1,B2) %v, u(A2,B1) %v", u.Reservation, u.Utility([]int{0, 1}), u.Utility([]int{1, 0}))
	}
	if got := s.DescribeDecision(); got != "2 of 3 parties, including ann and bob" {
		t.Errorf("rule %q", got)
	}
	if s.Parties[1].ID != "bob" || s.Parties[1].Name != "Bob" {
		t.Errorf("party %+v", s.Parties[1])
	}
	if !strings.Contains(s.Description, "p1 opens with A1, B2.") || !strings.Contains(s.Description, "Issue A: \"Size\"") {
		t.Errorf("description %q", s.Description)
	}
}

// TestAllZeroParty: a party that scores nothing is indifferent and, with
// threshold 0, accepts every deal.
func TestAllZeroParty(t *testing.T) {
	g, err := LoadDir(folder(t, with(small, "scores_files/cy.txt", "0,0,0\n0,0\n0\n")))
	if err != nil {
		t.Fatal(err)
	}
	s, err := g.Scenario()
	if err != nil {
		t.Fatal(err)
	}
	u := s.Utility(2)
	if u.Utility([]int{2, 1}) != 0 || u.Reservation != 0 {
		t.Errorf("u %v rv %v", u.Utility([]int{2, 1}), u.Reservation)
	}
}

// TestLoadErrors: each malformed game gets a message with its file, line
// and column, and every problem is reported at once.
func TestLoadErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"fields", with(small, "config.txt", "Ann,ann,p1,cooperative,m\nBob,bob,p2,greedy\nCy,cy,player,cooperative,m\n"),
			[]string{"config.txt:2:1: 4 comma-separated fields; an agent's line has 5"}},
		{"role", with(small, "config.txt", "Ann,ann,p1,cooperative,m\nBob,bob,p2,greedy,m\nCy,cy,plyer,cooperative,m\n"),
			[]string{`config.txt:3:7: unknown role "plyer"`, `did you mean "player"`}},
		{"two p1", with(small, "config.txt", "Ann,ann,p1,cooperative,m\nBob,bob,p2,greedy,m\nCy, cy, p1,cooperative,m\n"),
			[]string{`config.txt:3:9: a second p1 (the first is "Ann")`}},
		{"no p2", with(small, "config.txt", "Ann,ann,p1,cooperative,m\nBob,bob,player,greedy,m\n"),
			[]string{"config.txt: no agent has role p2"}},
		{"same name", with(small, "config.txt", "Ann,ann,p1,cooperative,m\nAnn,bob,p2,greedy,m\n"),
			[]string{`config.txt:2:1: agent "Ann" is also on line 1`}},
		{"path in file name", with(small, "config.txt", "Ann,../ann,p1,cooperative,m\nBob,bob,p2,greedy,m\n"),
			[]string{`config.txt:1:5: the file name "../ann" is not a plain file name`}},
		{"invisible file name", with(small, "config.txt", "Ann,a\u200bnn,p1,cooperative,m\nBob,bob,p2,greedy,m\n"),
			[]string{`config.txt:1:5: the file name`, "invisible character U+200B"}},
		{"missing scores", with(small, "scores_files/cy.txt", ""),
			[]string{"scores_files/cy.txt: cannot read this game file: no such file or directory"}},
		{"bad score", with(small, "scores_files/bob.txt", "0, 5, x\n10, -3\n10"),
			[]string{`bob.txt:1:7: score of option A3: "x" is not a whole number`, `bob.txt:2:5: score of option B2: "-3" is negative`}},
		{"empty score", with(small, "scores_files/bob.txt", "0, 5, 10,\n10, 0\n10"),
			[]string{"bob.txt:1:10: score of option A4: empty"}},
		{"huge score", with(small, "scores_files/bob.txt", "0, 5, 10000000\n10, 0\n10"),
			[]string{`bob.txt:1:7: score of option A3: "10000000" is above 1000000`}},
		{"threshold too high", with(small, "scores_files/bob.txt", "0, 5, 10\n10, 0\n21"),
			[]string{`bob.txt:3:1: threshold 21 is above 20, the best score "Bob" can reach`}},
		{"threshold fields", with(small, "scores_files/bob.txt", "0, 5, 10\n10, 0\n2, 1"),
			[]string{"bob.txt:3:4: the last line is the threshold, one number; found 2 fields"}},
		{"blank issue line", with(small, "scores_files/bob.txt", "0, 5, 10\n\n10, 0\n10"),
			[]string{"bob.txt:2:1: the line of issue B is empty"}},
		{"too few lines", with(small, "scores_files/bob.txt", "10\n"),
			[]string{"bob.txt: 1 lines; a scores file has one line of scores per issue and then the threshold"}},
		{"options differ", with(small, "scores_files/cy.txt", "3, 3, 3, 3\n0, 0\n3\n"),
			[]string{"cy.txt:1:1: issue A has 4 options, but 3 in p1's scores file (ann.txt)"}},
		{"issues differ", with(small, "scores_files/cy.txt", "3, 3, 3\n0, 0\n1, 1\n3\n"),
			[]string{"cy.txt: 3 issues, but p1's scores file (ann.txt) has 2"}},
		{"ten options", with(small, "scores_files/cy.txt", "1,1,1,1,1,1,1,1,1,1\n0, 0\n3\n"),
			[]string{"cy.txt:1:19: issue A has 10 options; the games name options 1 to 9"}},
		{"initial deal", with(small, "initial_deal.txt", "A1, B3, C1"),
			[]string{`initial_deal.txt:1:5: "B3" is not an option of issue B, whose options are B1 to B2`, `initial_deal.txt:1:9: "C1": the game has issues A to B`}},
		{"initial deal missing issue", with(small, "initial_deal.txt", "A1\n"),
			[]string{"initial_deal.txt:1:1: no option for issue B"}},
		{"initial deal twice", with(small, "initial_deal.txt", "A1,A2,B1"),
			[]string{`initial_deal.txt:1:4: issue A has two options, A1 and A2`}},
		{"binary", with(small, "scores_files/ann.txt", "10, 5, 0\n0, \x0020\n15\n"),
			[]string{"ann.txt:2:4: the file is binary"}},
		{"several files", with(small, "scores_files/ann.txt", "10, 5, q\n0, 20\n15\n", "scores_files/bob.txt", "0, 5, 10\n10, 0\n99\n"),
			[]string{"ann.txt:1:8", "bob.txt:3:1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadDir(folder(t, c.files))
			if err == nil {
				t.Fatalf("no error; want %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestHostileFiles: a link out of the folder, a named pipe and a folder in
// place of a scores file are refused without being read.
func TestHostileFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(secret, []byte("1,2,3\n1,2\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := folder(t, with(small, "scores_files/cy.txt", ""))
	if err := os.Symlink(secret, filepath.Join(dir, "scores_files", "cy.txt")); err != nil {
		t.Skip(err)
	}
	_, err := LoadDir(dir)
	if err == nil || !strings.Contains(err.Error(), "links outside the game folder") {
		t.Errorf("link out: %v", err)
	}
	dir = folder(t, with(small, "scores_files/cy.txt", ""))
	if err := syscall.Mkfifo(filepath.Join(dir, "scores_files", "cy.txt"), 0o644); err != nil {
		t.Skip(err)
	}
	_, err = LoadDir(dir)
	if err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("fifo: %v", err)
	}
	dir = folder(t, with(small, "scores_files/cy.txt", "", "scores_files/cy.txt/x", "1"))
	_, err = LoadDir(dir)
	if err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("folder: %v", err)
	}
}

func TestIsGameDir(t *testing.T) {
	if !IsGameDir(folder(t, small)) {
		t.Error("a game folder is not recognised")
	}
	if IsGameDir(folder(t, with(small, "config.txt", ""))) {
		t.Error("a folder without config.txt is taken for a game")
	}
	if IsGameDir(folder(t, map[string]string{"config.txt": "x", "scores_files": "not a folder"})) {
		t.Error("a scores_files file is taken for the folder")
	}
}

// TestExtractDeal follows eval_utils.extract_deal: newlines are dropped
// first, each issue takes the first place its letter is followed by a
// digit 1–9, anywhere in the text, and a deal needs every issue.
func TestExtractDeal(t *testing.T) {
	opts := []int{3, 3, 4, 4, 5}
	for _, c := range []struct {
		text    string
		deal    string // "" for none
		named   int
		invalid string
	}{
		{"<DEAL> A1, B1, C4, D1, E5 </DEAL>", "A1, B1, C4, D1, E5", 5, ""},
		{"I prefer A2 to A1. <DEAL>A1, B2, C3, D2, E3</DEAL>", "A2, B2, C3, D2, E3", 5, ""},
		{"A\n1 B2 C3 D4 E5", "A1, B2, C3, D4, E5", 5, ""},
		{"A1 B2 C3 D4", "", 4, ""},
		{"A1 B2 C3 D4 E7", "", 5, "E7"},
		{"A0 A3 B10 C2 D1 E1", "A3, B1, C2, D1, E1", 5, ""},
		{"a1 b2 c3 d4 e5", "", 0, ""},
		{"SportCo A1B2C3D4E5", "A1, B2, C3, D4, E5", 5, ""},
		{"Á1 A1 B1 C1 D1 E1", "A1, B1, C1, D1, E1", 5, ""},
	} {
		x := ExtractDeal(c.text, opts)
		got := ""
		if x.Deal != nil {
			var s []string
			for i, v := range x.Deal {
				s = append(s, optionID(i, v))
			}
			got = strings.Join(s, ", ")
		}
		if got != c.deal || x.Named != c.named || strings.Join(x.Invalid, ",") != c.invalid {
			t.Errorf("%q: deal %q named %d invalid %v; want %q, %d, %q", c.text, got, x.Named, x.Invalid, c.deal, c.named, c.invalid)
		}
	}
}

func TestParseLog(t *testing.T) {
	l, err := ParseLog([]byte(`{"slot_assignment":["Bob"],"rounds":[{"agent":"Ann","prompt":"p","public_answer":"<DEAL>A1,B2</DEAL>"},
		{"agent":"Bob","public_answer":"no"},{"agent":"Ann","public_answer":"A2 B1"}],"plan":{},"finished_rounds":2}`), "h.json")
	if err != nil {
		t.Fatal(err)
	}
	if !l.Complete() || len(l.Turns) != 3 || l.Turns[2].Public != "A2 B1" {
		t.Errorf("%+v", l)
	}
	l, err = ParseLog([]byte(`{"content":{"rounds":[{"agent":"Ann","public_answer":"x"}]}}`), "h.json")
	if err != nil || len(l.Turns) != 1 || l.Complete() {
		t.Errorf("content.rounds: %v %+v", err, l)
	}
	for _, c := range []struct{ text, want string }{
		{"", "h.json: the file is empty"},
		{`{"rounds": [`, "h.json:1:13: JSON syntax error: the JSON ends too early"},
		{"{\n  \"rounds\": [1,]}", "h.json:2:16: JSON syntax error"},
		{`[1]`, "h.json:1:1: the log must be an object, found a JSON array"},
		{`{"rounds": [{"agent": 3}]}`, `h.json:1:23: rounds.agent must be a string, found a JSON number`},
		{`{"rounds": "x y"}`, `h.json:1:12: rounds must be a list, found a JSON string`},
		{`{"rounds": [{"agent": "Ann"}]}`, `h.json: turn 1 (rounds[0]) has no "public_answer"`},
		{`{"plan": {}}`, `h.json: no "rounds"`},
		{`{"rounds": []} {}`, "h.json:1:17: more JSON after the log's object"},
		{strings.Repeat("[", 200), "nested deeper than 100 levels"},
	} {
		_, err := ParseLog([]byte(c.text), "h.json")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.40q: %v; want %q", c.text, err, c.want)
		}
	}
}
