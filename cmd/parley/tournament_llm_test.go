package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/llm/llmtest"
)

// TestTournamentLLMSeats: a tournament spec seats an llm: negotiator
// beside built-ins; recorded with --llm-cache, it replays offline with the
// server stopped into an identical report, and the key is in no output.
func TestTournamentLLMSeats(t *testing.T) {
	t.Setenv("PARLEY_CLI_TEST_KEY", cliKey)
	srv := llmtest.New(llmtest.Player)
	dir := t.TempDir()
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	spec := filepath.Join(dir, "t.yaml")
	llmSpec := "llm:model=m:base_url=" + srv.BaseURL() + ":key_env=PARLEY_CLI_TEST_KEY"
	os.WriteFile(spec, []byte(fmt.Sprintf("seed: 3\nscenarios: [%s]\nnegotiators: [boulware, %q]\nrepetitions: 2\ndeadline: {rounds: 20}\nagents: {concurrency: 2, action_timeout: 20s}\n", laptop, llmSpec)), 0o644)
	cache := filepath.Join(dir, "llm.db")
	code, live, errs := runCLI("tournament", spec, "--db", filepath.Join(dir, "live.db"), "--progress", "none", "--llm-cache", cache)
	if code != 0 {
		t.Fatalf("live: exit %d: %s", code, errs)
	}
	if !strings.Contains(live, "8 of 8 sessions recorded") || !strings.Contains(live, "llm:model=m") || !strings.Contains(live, "answer times") {
		t.Errorf("report:\n%s", live)
	}
	srv.Close()
	code, replay, errs2 := runCLI("tournament", spec, "--db", filepath.Join(dir, "replay.db"), "--progress", "none", "--llm-cache", cache, "--llm-offline")
	if code != 0 {
		t.Fatalf("replay: exit %d: %s", code, errs2)
	}
	// Answer times differ (a replay is served from the cache); the rest
	// must not.
	norm := func(s string) string {
		var keep []string
		skip := false
		for _, l := range strings.Split(s, "\n") {
			switch {
			case strings.HasPrefix(l, "answer times"):
				skip = true
			case l == "":
				skip = false
			}
			if !skip {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	if norm(live) != norm(replay) {
		t.Errorf("the offline replay reported otherwise:\n%s\nlive:\n%s", replay, live)
	}
	for _, out := range []string{live, replay, errs, errs2} {
		if strings.Contains(out, cliKey) {
			t.Error("the API key is in an output")
		}
	}
}
