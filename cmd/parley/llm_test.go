package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/llm/llmtest"
)

const cliKey = "sk-cli-test-9b8a7c6d5e4f3a2b1c0d"

// TestRunLLMRecordReplay: parley run with llm seats on the flagship
// against the scripted server, recorded with --llm-cache; run again with
// the server stopped, and again with --llm-offline, it prints the same
// result and writes the same trace. The API key is in no output.
func TestRunLLMRecordReplay(t *testing.T) {
	t.Setenv("PARLEY_CLI_TEST_KEY", cliKey)
	srv := llmtest.New(llmtest.Player)
	dir := t.TempDir()
	cache, logFile := filepath.Join(dir, "llm.db"), filepath.Join(dir, "llm.jsonl")
	spec := "llm:model=m:base_url=" + srv.BaseURL() + ":key_env=PARLEY_CLI_TEST_KEY"
	runOnce := func(name string, extra ...string) (stdout, stderr string, trace, log []byte) {
		t.Helper()
		tr := filepath.Join(dir, name+".jsonl")
		// 60 rounds: the flagship's sanctions come on day 30, and only
		// then does Russia take a truce that opens the settlement.
		args := append([]string{"run", "../../examples/ukraine-2025.yaml", "-n", spec, "-r", "60", "--seed", "7",
			"--llm-cache", cache, "--llm-log", logFile, "--trace", tr}, extra...)
		code, out, errs := runCLI(args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errs)
		}
		return out, errs, llmReadFile(t, tr), llmReadFile(t, logFile)
	}
	liveOut, liveErr, liveTrace, liveLog := runOnce("live", "--json")
	var res struct {
		Status  string
		Agreed  bool
		Failure any
		Parties []struct{ Negotiator string }
		// TextLeaks reports each seat that said something.
		TextLeaks []struct {
			Party    string
			Messages int
			Leaked   bool
		} `json:"text_leaks"`
	}
	if err := json.Unmarshal([]byte(liveOut), &res); err != nil {
		t.Fatal(err)
	}
	if !res.Agreed || res.Failure != nil || res.Parties[0].Negotiator != spec {
		t.Fatalf("live run: %s", liveOut)
	}
	if len(res.TextLeaks) != 3 || res.TextLeaks[0].Party != "ua" || res.TextLeaks[0].Messages == 0 || res.TextLeaks[0].Leaked {
		t.Errorf("text_leaks: %+v (the scripted players say only round numbers)", res.TextLeaks)
	}
	if !strings.Contains(liveErr, "llm seat ua: ") || !strings.Contains(liveErr, "prompt and") {
		t.Errorf("stderr should report each llm seat's requests and tokens:\n%s", liveErr)
	}
	srv.Close()
	for _, c := range []struct{ name, flag string }{{"replay", "--json"}, {"offline", "--llm-offline"}} {
		out, errs, trace, log := runOnce(c.name, "--json", c.flag)
		if out != liveOut {
			t.Errorf("%s: the result differs:\n%s\n---\n%s", c.name, out, liveOut)
		}
		if !bytes.Equal(trace, liveTrace) {
			t.Errorf("%s: the trace differs", c.name)
		}
		if !strings.Contains(errs, "from the cache") || bytes.Contains(log, []byte(`"cached":false`)) {
			t.Errorf("%s: every answer should come from the cache:\n%s", c.name, errs)
		}
		for name, b := range map[string][]byte{"stdout": []byte(out), "stderr": []byte(errs), "trace": trace, "log": log} {
			if bytes.Contains(b, []byte(cliKey)) {
				t.Errorf("%s: the key is in %s", c.name, name)
			}
		}
	}
	// The text summary shows what the seats said, and the leak report.
	out, _, _, _ := runOnce("text")
	for _, w := range []string{"says", `"ua proposes a deal in round 1."`, "Free text: numbers in each seat's messages", "ua: "} {
		if !strings.Contains(out, w) {
			t.Errorf("the summary lacks %q:\n%s", w, out)
		}
	}
	for name, b := range map[string][]byte{"stdout": []byte(liveOut), "stderr": []byte(liveErr), "trace": liveTrace, "log": liveLog, "cache": llmReadFile(t, cache)} {
		if bytes.Contains(b, []byte(cliKey)) {
			t.Errorf("the key is in the live %s", name)
		}
	}
}

// TestRunLLMErrors: bad llm specs and flags stop the run with a message.
func TestRunLLMErrors(t *testing.T) {
	notCache := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notCache, []byte("not a database, just text that is long enough\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-n", "llm:base_url=http://127.0.0.1:1/v1"}, "give the model"},
		{[]string{"-n", "llm:model=m:colour=red"}, `"colour=red" is not a parameter`},
		{[]string{"-n", "llm:model=m", "--llm-offline"}, "--llm-offline replays from a cache"},
		{[]string{"-n", "llm:model=m", "--llm-cache", notCache}, "not an SQLite database"},
	} {
		args := append([]string{"run", "../../examples/ukraine-2025.yaml", "-r", "5"}, c.args...)
		code, _, errs := runCLI(args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", c.args, code, errs, c.want)
		}
	}
}

func llmReadFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
