package deliberation_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/scenario/deliberation"
)

// FuzzLoadGame builds a game folder from arbitrary config, scores and
// initial-deal text and loads it, scenario and zone of agreement included:
// a result or a message, never a panic. Run it as
//
//	go test ./scenario/deliberation -run '^$' -fuzz LoadGame -fuzzminimizetime 10x
func FuzzLoadGame(f *testing.F) {
	f.Add("Ann,ann,p1,cooperative,m\nBob,bob,p2,greedy,m\nCy,cy,player,cooperative,m\n", "10, 5, 0\n0, 20\n15\n", "0, 5, 10\n10, 0\n10", "A1,B2")
	f.Add("Ann,ann,p1,c,m\nBob,bob,p2,c,m\n", "1,2\n3\n", "2,1\n0\n", "")
	if dir, ok := shared.Path("llm-deliberation", "games_descriptions", "base"); ok {
		cfg, _ := os.ReadFile(filepath.Join(dir, "config.txt"))
		a, _ := os.ReadFile(filepath.Join(dir, "scores_files", "mayor.txt"))
		b, _ := os.ReadFile(filepath.Join(dir, "scores_files", "SportCo.txt"))
		init, _ := os.ReadFile(filepath.Join(dir, "initial_deal.txt"))
		f.Add(string(cfg), string(a), string(b), string(init))
	}
	f.Fuzz(func(t *testing.T, config, a, b, initial string) {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "scores_files"), 0o755); err != nil {
			t.Fatal(err)
		}
		files := map[string]string{"config.txt": config, "initial_deal.txt": initial}
		// Every agent's scores file is a or b, in turn.
		for k, line := range strings.Split(config, "\n") {
			fs := strings.Split(line, ",")
			if len(fs) < 2 {
				continue
			}
			name := strings.TrimSpace(fs[1])
			if name == "" || strings.ContainsAny(name, "/\\\x00") || name == "." || name == ".." {
				continue
			}
			files["scores_files/"+name+".txt"] = map[bool]string{true: a, false: b}[k%2 == 0]
		}
		for name, text := range files {
			if name == "initial_deal.txt" && text == "" {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				return // a name the file system refuses
			}
		}
		s, err := deliberation.Load(dir)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if n, ok := s.Space().Size(); !ok || n > 20_000 {
			return
		}
		if _, err := analysis.CountAgreement(s, analysis.Options{}); err != nil {
			t.Fatalf("a loaded game does not analyse: %v", err)
		}
	})
}

// FuzzParseLog: any text is a log or a message, never a panic.
func FuzzParseLog(f *testing.F) {
	f.Add([]byte(`{"slot_assignment":["Bob"],"rounds":[{"agent":"Ann","public_answer":"<DEAL>A1,B2</DEAL>"}]}`))
	f.Add([]byte(`{"content":{"rounds":[]}}`))
	f.Add([]byte(`{"rounds": [{"agent": 3}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := deliberation.ParseLog(data, "h.json")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		_ = l.Complete()
	})
}

// FuzzExtractDeal compares ExtractDeal with their extract_deal written with
// regular expressions, as eval_utils.py writes it.
func FuzzExtractDeal(f *testing.F) {
	f.Add("<DEAL> A1, B1, C4, D1, E5 </DEAL>")
	f.Add("A\n1 B9 C0 D4 E5 A2")
	opts := []int{3, 3, 4, 4, 5}
	var res []*regexp.Regexp
	for i := range opts {
		res = append(res, regexp.MustCompile(string(rune('A'+i))+"[1-9]"))
	}
	f.Fuzz(func(t *testing.T, answer string) {
		text := strings.ReplaceAll(answer, "\n", "")
		named, valid := 0, true
		var want []int
		for i, re := range res {
			m := re.FindString(text)
			if m == "" {
				valid = false
				continue
			}
			named++
			v := int(m[1] - '1')
			if v >= opts[i] {
				valid = false
			}
			want = append(want, v)
		}
		x := deliberation.ExtractDeal(answer, opts)
		if x.Named != named {
			t.Fatalf("%q: named %d, want %d", answer, x.Named, named)
		}
		if !valid {
			if x.Deal != nil {
				t.Fatalf("%q: deal %v, want none", answer, x.Deal)
			}
			return
		}
		for i := range want {
			if x.Deal == nil || x.Deal[i] != want[i] {
				t.Fatalf("%q: deal %v, want %v", answer, x.Deal, want)
			}
		}
	})
}
