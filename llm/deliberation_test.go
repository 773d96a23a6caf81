package llm_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// TestDeliberationGameRecordReplay is issue 17's other must-show: the
// 6-party LLM-Deliberation base game with six llm seats against the
// scripted server, under the mediated single-text protocol (the built-in
// broker proposes, the seats vote) with the game's own decision rule: 5 of
// 6, SportCo and DoT among them. Every prompt states the rule; the deal
// passes it; the same session against a fresh server is the same
// (deterministic given the answers); replayed from the cache with the
// server stopped, result, trace and seat actions are identical and no
// request reaches an endpoint.
func TestDeliberationGameRecordReplay(t *testing.T) {
	sc, err := open.Path(filepath.Join(shared.Dir(t, "llm-deliberation"), "games_descriptions", "base"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(sc.Parties); n != 6 {
		t.Fatalf("the base game has %d parties, want 6", n)
	}
	srv := llmtest.New(holdout)
	spec := "llm:model=test-model:base_url=" + srv.BaseURL() + ":backoff=1ms"
	cachePath := tempFile(t, "delib.db")
	run := func(cachePath, spec string) played {
		t.Helper()
		pool := &llm.Pool{}
		if cachePath != "" {
			cache, err := llm.OpenCache(cachePath)
			if err != nil {
				t.Fatal(err)
			}
			pool.Cache = cache
		}
		return playMediated(t, sc, spec, "broker", pool, 60, 0)
	}
	live := run(cachePath, spec)
	if live.err != nil || live.result.Failure != nil {
		t.Fatalf("live session: %v %+v", live.err, live.result.Failure)
	}
	if !live.result.Agreed {
		t.Fatalf("the scripted players should agree: %s", live.json)
	}

	// The deal passes the game's rule, as the analysis judges it, though
	// the Environmental League voted against it: the rule, not unanimity,
	// agreed it.
	rep, err := analysis.Analyze(sc, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	deal := make([]int, len(sc.Issues))
	for k, v := range live.result.Outcome {
		is := &sc.Issues[k]
		deal[k] = -1
		for j := range is.Size() {
			if is.ID == v.Issue && is.Value(j) == v.Value {
				deal[k] = j
			}
		}
	}
	if v := rep.Judge(deal); !v.Passes {
		t.Errorf("the agreement %v fails the game's rule: %+v", live.result.Outcome, v)
	}
	votes, adopted := 0, ""
	rejected := map[string]bool{} // outcomes the league voted against
	for _, ln := range bytes.Split(bytes.TrimSpace(live.trace), []byte("\n")) {
		var ev struct {
			Type, Party, Vote string
			Values            []string
		}
		if err := json.Unmarshal(ln, &ev); err != nil {
			t.Fatalf("%v: %s", err, ln)
		}
		o := strings.Join(ev.Values, ",")
		switch ev.Type {
		case "vote":
			votes++
			if ev.Party == "enviroment" && ev.Vote == "reject" {
				rejected[o] = true
			}
		case "adopt":
			adopted = o
		}
	}
	var agreed []string
	for _, v := range live.result.Outcome {
		agreed = append(agreed, v.Value)
	}
	if adopted != strings.Join(agreed, ",") || !rejected[adopted] {
		t.Errorf("the agreement %v should be the last text adopted (%s), which the league rejected", agreed, adopted)
	}

	// Six seats asked, one request per vote, each told the rule.
	reqs := srv.Requests()
	if len(reqs) != votes {
		t.Errorf("%d requests for %d votes", len(reqs), votes)
	}
	asked := map[string]int{}
	const rule = "Decision rule: a deal is agreed when at least 5 of the 6 parties accept it, SportCo and DoT among them; not every party need accept.\n"
	for _, r := range reqs {
		asked[llmtest.Party(r)]++
		if !strings.Contains(r.System(), rule) {
			t.Fatalf("request %d does not state the decision rule:\n%s", r.N, r.System())
		}
	}
	if len(asked) != 6 {
		t.Errorf("the seats asked: %v, want all six", asked)
	}

	// The same session against a fresh server, without a cache.
	srv2 := llmtest.New(holdout)
	again := run("", strings.Replace(spec, srv.BaseURL(), srv2.BaseURL(), 1))
	srv2.Close()
	// The spec, with the server's address, is in the result and the trace.
	same := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte(srv2.BaseURL()), []byte(srv.BaseURL())) }
	if !bytes.Equal(same(again.json), live.json) || !bytes.Equal(same(again.trace), live.trace) {
		t.Errorf("a second live run played another session:\n%s\n---\n%s", again.trace, live.trace)
	}

	// Replay with the server stopped.
	srv.Close()
	replay := run(cachePath, spec)
	if !bytes.Equal(replay.json, live.json) {
		t.Errorf("replayed result differs:\n%s\n---\n%s", replay.json, live.json)
	}
	if !bytes.Equal(replay.trace, live.trace) {
		t.Errorf("replayed trace differs")
	}
	if actions(t, replay.log) != actions(t, live.log) {
		t.Errorf("seat actions differ between the live run and the replay")
	}
	requests := 0
	for _, l := range logLines(t, replay.log) {
		if _, ok := l["request"]; !ok {
			continue
		}
		requests++
		if l["cached"] != true {
			t.Fatalf("the replay asked the endpoint: %v", l)
		}
	}
	if requests != votes {
		t.Errorf("the replay made %d requests for %d votes", requests, votes)
	}
	t.Logf("agreed in round %d after %d actions: %v", live.result.Round, live.result.Steps, live.result.Outcome)
}

// playMediated plays a mediated session of sc with the given mediator and
// the llm seats of spec, made by pool as the CLI makes them.
func playMediated(t *testing.T, sc *scenario.Scenario, spec, mediator string, pool *llm.Pool, rounds int, seed uint64) played {
	t.Helper()
	var log bytes.Buffer
	pool.Log = &log
	l := &seat.Launcher{Options: seat.Options{ActionTimeout: 20 * time.Second}, Kinds: []seat.Kind{pool.Kind()}}
	defer l.Close()
	var trace bytes.Buffer
	r, err := session.NewRunner(session.Config{Scenario: sc, Negotiators: []string{spec}, Mediator: mediator, Outside: l.Outside,
		Protocol: "mediated", Deadline: protocol.Deadline{Rounds: rounds}, Seed: seed, Trace: &trace})
	if err != nil {
		t.Fatal(err)
	}
	_, perr := r.Play(seed)
	res := r.Result()
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return played{result: res, json: b, trace: trace.Bytes(), log: log.Bytes(), err: perr}
}

// holdout is the scripted player, except that the Environmental League
// ("enviroment", no veto party) votes against every text: only a rule
// that does not ask for unanimity can agree a deal.
func holdout(r *llmtest.Received) llmtest.Reply {
	a := llmtest.Decide(r)
	if llmtest.Party(r) == "enviroment" && a.Type == "accept" {
		a.Type, a.Text = "reject", "The league holds out."
	}
	return llmtest.Act(r, a)
}
