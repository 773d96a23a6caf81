package llm_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

// secretKey is the API key of the tests: it must appear in no output.
const secretKey = "sk-test-4f9c2e7b1a0d8e6f5c3b2a19"

func getenv(name string) string {
	if name == "PARLEY_TEST_KEY" {
		return secretKey
	}
	return ""
}

// leakyPlayer is the scripted player behind an endpoint that misbehaves
// with the key: its first answer is a 500 that quotes the request's
// Authorization header, and the model echoes the header in its private
// reasoning and once in its public text. The seat must blank it out.
func leakyPlayer(first *atomic.Bool) func(r *llmtest.Received) llmtest.Reply {
	return func(r *llmtest.Received) llmtest.Reply {
		auth := r.Header.Get("Authorization")
		if first.CompareAndSwap(false, true) {
			return llmtest.Reply{Status: 500, Body: fmt.Sprintf(`{"error":{"message":"upstream failed for %s"}}`, auth)}
		}
		a := llmtest.Decide(r)
		a.Reasoning += " (sent with " + auth + ")"
		if r.N == 5 {
			a.Text += " My key is " + auth
		}
		return llmtest.Act(r, a)
	}
}

// TestFlagshipRecordReplay is the must-show: a 3-party session on the
// flagship with llm seats against the scripted server, recorded in the
// cache; the same session again against a fresh server gives the same
// result (deterministic given the answers); replayed from the cache with
// the server stopped, result, trace and seat actions are identical; the
// API key is in no output, trace, log or cache.
func TestFlagshipRecordReplay(t *testing.T) {
	sc := flagship(t)
	var first atomic.Bool
	srv := llmtest.New(leakyPlayer(&first))
	spec := "llm:model=test-model:base_url=" + srv.BaseURL() + ":key_env=PARLEY_TEST_KEY:backoff=1ms"
	cachePath := tempFile(t, "llm.db")
	run := func(path string) played {
		t.Helper()
		cache, err := llm.OpenCache(path)
		if err != nil {
			t.Fatal(err)
		}
		// 60 rounds: the flagship's sanctions come on day 30, and only
		// then does Russia take a truce that opens the settlement.
		return play(t, setup{sc: sc, specs: []string{spec}, pool: &llm.Pool{Cache: cache, Getenv: getenv}, seed: 7, rounds: 60})
	}
	live := run(cachePath)
	if live.err != nil || live.result.Failure != nil {
		t.Fatalf("live session: %v %+v", live.err, live.result.Failure)
	}
	if !live.result.Agreed || len(live.result.Phases) != 2 || !live.result.Phases[1].Agreed {
		t.Fatalf("the scripted players should agree on both phases: %s", live.json)
	}
	reqs := srv.Requests()
	if got, want := len(reqs), live.result.Steps+1; got != want {
		t.Errorf("%d requests for %d actions and one 500; want %d", got, live.result.Steps, want)
	}
	for _, r := range reqs {
		if got := r.Header.Get("Authorization"); got != "Bearer "+secretKey {
			t.Fatalf("request %d: Authorization %q", r.N, got)
		}
		if r.Request.Stream {
			t.Fatal("streaming must be off")
		}
	}

	// The same session against a fresh server and an empty cache.
	var first2 atomic.Bool
	srv2 := llmtest.New(leakyPlayer(&first2))
	spec2 := strings.Replace(spec, srv.BaseURL(), srv2.BaseURL(), 1)
	cache2, err := llm.OpenCache(tempFile(t, "again.db"))
	if err != nil {
		t.Fatal(err)
	}
	again := play(t, setup{sc: sc, specs: []string{spec2}, pool: &llm.Pool{Cache: cache2, Getenv: getenv}, seed: 7, rounds: 60})
	srv2.Close()
	if !bytes.Equal(bytes.ReplaceAll(again.trace, []byte(srv2.BaseURL()), []byte(srv.BaseURL())), live.trace) {
		t.Errorf("a second live run played another session:\n%s\n---\n%s", again.trace, live.trace)
	}

	// Replay with the server stopped.
	srv.Close()
	replay := run(cachePath)
	if !bytes.Equal(replay.json, live.json) {
		t.Errorf("replayed result differs:\n%s\n---\n%s", replay.json, live.json)
	}
	if !bytes.Equal(replay.trace, live.trace) {
		t.Errorf("replayed trace differs:\n%s\n---\n%s", replay.trace, live.trace)
	}
	lines := logLines(t, replay.log)
	requests := 0
	for _, l := range lines {
		if _, ok := l["request"]; !ok {
			continue
		}
		requests++
		if l["cached"] != true {
			t.Errorf("replay asked the endpoint: %v", l)
		}
	}
	if requests != live.result.Steps {
		t.Errorf("replay made %d requests for %d actions", requests, live.result.Steps)
	}
	liveActions, replayActions := actions(t, live.log), actions(t, replay.log)
	if liveActions != replayActions {
		t.Errorf("seat actions differ between the live run and the replay")
	}

	// The key is nowhere: results, traces, logs, the cache file.
	outputs := map[string][]byte{"live result": live.json, "live trace": live.trace, "live log": live.log,
		"replay result": replay.json, "replay trace": replay.trace, "replay log": replay.log, "second log": again.log}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if b, err := os.ReadFile(cachePath + suffix); err == nil {
			outputs["cache"+suffix] = b
		}
	}
	for name, b := range outputs {
		if bytes.Contains(b, []byte(secretKey)) || bytes.Contains(b, []byte(secretKey[8:])) {
			t.Errorf("the API key is in the %s", name)
		}
	}
	// ... though the endpoint did echo it, and the seat blanked it out.
	if !bytes.Contains(live.log, []byte("Bearer [redacted]")) || !bytes.Contains(live.trace, []byte("My key is Bearer [redacted]")) {
		t.Errorf("the echoed key should show as [redacted] in the log and the public text")
	}
}

// actions joins the actions the seats sent, from the log.
func actions(t *testing.T, log []byte) string {
	var b strings.Builder
	for _, l := range logLines(t, log) {
		fmt.Fprintf(&b, "%v %v %v %v\n", l["seat"], l["round"], l["action"], l["said"])
	}
	return b.String()
}

// TestReasoningStaysPrivate: the model's private reasoning reaches its own
// later prompts and the log, never another seat's prompt, the trace or
// the result; each seat's prompt holds its own preferences.
func TestReasoningStaysPrivate(t *testing.T) {
	sc := flagship(t)
	srv := llmtest.New(llmtest.Player)
	defer srv.Close()
	p := play(t, setup{sc: sc, specs: []string{"llm:model=m:base_url=" + srv.BaseURL()}, pool: &llm.Pool{}, seed: 3})
	if p.result.Failure != nil {
		t.Fatal(p.result.Failure)
	}
	for _, out := range [][]byte{p.json, p.trace} {
		if bytes.Contains(out, []byte("PRIVATE-")) {
			t.Fatal("private reasoning reached the public record")
		}
	}
	ownNotes := map[string]bool{}
	for _, r := range srv.Requests() {
		party := llmtest.Party(r)
		for _, m := range r.Request.Messages {
			if m.Content == nil {
				continue
			}
			for _, other := range []string{"ua", "ru", "eu"} {
				if other != party && strings.Contains(*m.Content, "PRIVATE-"+other+"-") {
					t.Fatalf("%s's prompt holds %s's reasoning", party, other)
				}
			}
			if strings.Contains(*m.Content, "PRIVATE-"+party+"-") {
				ownNotes[party] = true
			}
		}
	}
	for _, party := range []string{"ua", "ru", "eu"} {
		if !ownNotes[party] {
			t.Errorf("%s never saw its own notes again", party)
		}
	}
	if !bytes.Contains(p.log, []byte(`"reasoning":"PRIVATE-ua-1`)) {
		t.Error("the log lacks the reasoning")
	}
}
