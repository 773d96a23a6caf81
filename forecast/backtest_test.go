package forecast

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodBacktest = `issue,actor,position,salience,capability,outcome
tax,A,0,50,2,40
tax,B,60,100,1,40
tax,C,100,50,1,40
tax,D,,30,5,40
spend,A,20,80,1,25
spend,B,30,40,1,25
`

func TestBacktest(t *testing.T) {
	data, err := ReadBacktest(strings.NewReader(goodBacktest), "bt.csv", ',')
	if err != nil {
		t.Fatal(err)
	}
	if len(data.Issues) != 2 || len(data.Issues[0].Actors) != 3 {
		t.Fatalf("issues = %+v", data.Issues)
	}
	rep, err := Backtest(data, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	score := map[string]ModelScore{}
	for _, m := range rep.Models {
		score[m.Model] = m
	}
	// compromise: tax 44 (|44−40| = 4); spend (1·80·20 + 1·40·30)/120 = 23.333… (|.| = 1.666…)
	c := score["compromise"]
	if c.Scored != 2 || math.Abs(c.MAE-(4+5.0/3)/2) > 1e-9 || math.Abs(c.MedianAE-(4+5.0/3)/2) > 1e-9 {
		t.Errorf("compromise = %+v", c)
	}
	// mean: tax 40 (0), spend 25 (0)
	if m := score["mean"]; m.Scored != 2 || m.MAE > 1e-12 {
		t.Errorf("mean = %+v", m)
	}
	// SMP needs 3 actors: spend is skipped
	if s := score["smp"]; s.Scored != 1 || len(s.Skipped) != 1 || !strings.Contains(s.Skipped[0], "spend: SMP needs at least 3 actors") {
		t.Errorf("smp = %+v", s)
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Backtest over 2 issues", "compromise", "median AE", "smp skipped 1 of 2 issues"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Fatal(err)
	}
	// TSV through LoadBacktest
	dir := t.TempDir()
	path := filepath.Join(dir, "bt.tsv")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(goodBacktest, ",", "\t")), 0o644); err != nil {
		t.Fatal(err)
	}
	if d2, err := LoadBacktest(path); err != nil || len(d2.Issues) != 2 {
		t.Fatalf("TSV: %v", err)
	}
	if _, err := Backtest(data, []string{"oracle"}, Options{}); err == nil {
		t.Error("unknown model accepted")
	}
}

func TestBacktestErrors(t *testing.T) {
	read := func(s string) error {
		_, err := ReadBacktest(strings.NewReader(s), "bt.csv", ',')
		return err
	}
	expectErr(t, read(strings.Replace(goodBacktest, "tax,B,60", "tax,B,160", 1)), "bt.csv:3: position 160 is outside 0–100")
	expectErr(t, read(strings.Replace(goodBacktest, "tax,C,100,50,1,40", "tax,C,100,50,1,45", 1)), "bt.csv:4: outcome 45 on issue \"tax\" differs from 40 on line 2")
	expectErr(t, read(strings.Replace(goodBacktest, "tax,B,60,100,1", "tax,B,60,100,0", 1)), "bt.csv:3:", "has no capability")
	expectErr(t, read(strings.Replace(goodBacktest, "tax,B,60,100,1", "tax,B,60,100,", 1)), "bt.csv:3:", "has no capability")
	expectErr(t, read(strings.Replace(goodBacktest, "tax,B,60,100,1", "tax,B,60,100,NaN", 1)), "bt.csv:3:", "not a finite number")
	expectErr(t, read(strings.Replace(goodBacktest, "tax,B,60,100", "tax,B,60,120", 1)), "bt.csv:3: salience 120 is outside 0–100")
	expectErr(t, read(strings.Replace(goodBacktest, "tax,B,60", "tax,A,60", 1)), "bt.csv:3: actor \"A\" appears twice on issue \"tax\" (first on line 2)")
	expectErr(t, read(strings.Replace(goodBacktest, "outcome", "result", 1)), "bt.csv:1: header lacks column \"outcome\"", "unknown column \"result\"")
	expectErr(t, read(strings.Replace(goodBacktest, "spend,A,20,80,1,25\nspend,B,30,40,1,25", "spend,A,,80,1,25", 1)), "issue \"spend\" has no actor with a position")
	expectErr(t, read(strings.Replace(goodBacktest, "tax,B,60,100,1,40", "tax,B,60,100,1,", 1)), "bt.csv:3: outcome is empty")
	expectErr(t, read(""), "empty backtest table")
	expectErr(t, read("issue,actor,position,salience,capability,outcome\n"), "no rows after the header")
	expectErr(t, read("issue,actor,\"position\n"), "bt.csv:")
}
