package llm_test

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// nth answers the first n requests with bad, the rest as the player.
func nth(n int32, bad func(r *llmtest.Received) llmtest.Reply) func(r *llmtest.Received) llmtest.Reply {
	var seen atomic.Int32
	return func(r *llmtest.Received) llmtest.Reply {
		if seen.Add(1) <= n {
			return bad(r)
		}
		return llmtest.Player(r)
	}
}

func always(rep llmtest.Reply) func(r *llmtest.Received) llmtest.Reply {
	return func(*llmtest.Received) llmtest.Reply { return rep }
}

// TestFailures: each way a model or its endpoint can fail ends the session
// as the llm seat's recorded failure, with the cause and a message that
// says what happened; the ways that recover (one corrected answer, a
// retried 429 or 500, a refused response_format) play on.
func TestFailures(t *testing.T) {
	garbage := func(*llmtest.Received) llmtest.Reply {
		return llmtest.Reply{Content: "I think we should accept this offer."}
	}
	wrongValue := func(r *llmtest.Received) llmtest.Reply {
		return llmtest.Act(r, map[string]any{"type": "offer", "outcome": map[string]string{"brand": "apple", "disk": "60"}, "text": "", "reasoning": ""})
	}
	otherParty := func(r *llmtest.Received) llmtest.Reply {
		return llmtest.Act(r, map[string]any{"type": "offer", "party": "seller", "outcome": map[string]string{"brand": "mac", "disk": "120"}, "text": "", "reasoning": ""})
	}
	refuseFormat := func(r *llmtest.Received) llmtest.Reply {
		if r.Mode == "schema" {
			return llmtest.Reply{Status: 400, Body: `{"error":{"message":"response_format of type json_schema is not supported by this server"}}`}
		}
		return llmtest.Player(r)
	}
	wrongTool := func(r *llmtest.Received) llmtest.Reply {
		return llmtest.Reply{Tool: &llmtest.Call{ID: "call_1", Name: "propose_deal", Arguments: `{"type":"accept"}`}}
	}
	for _, c := range []struct {
		name    string
		script  func(r *llmtest.Received) llmtest.Reply
		spec    string // added to the spec
		opts    seat.Options
		offline bool
		stop    bool // the server is stopped before the session
		cause   session.Cause
		want    []string // in the failure's message (cause "": no failure)
		check   func(t *testing.T, reqs []*llmtest.Received, log []byte)
	}{
		{name: "malformed twice", script: garbage, cause: session.CauseGarbage,
			want: []string{"refused again after one correction", "not a JSON object", "I think we should accept"},
			check: func(t *testing.T, reqs []*llmtest.Received, _ []byte) {
				if len(reqs) != 2 || !reqs[1].Corrective() {
					t.Fatalf("want one request and one corrective request, got %d", len(reqs))
				}
				last := reqs[1].Request.Messages[len(reqs[1].Request.Messages)-1]
				if !strings.Contains(*last.Content, "The session refused your answer: not a JSON object") {
					t.Errorf("the correction does not quote the error: %s", *last.Content)
				}
			}},
		{name: "malformed once", script: nth(1, garbage),
			check: func(t *testing.T, reqs []*llmtest.Received, log []byte) {
				if !reqs[1].Corrective() || reqs[2].Corrective() {
					t.Error("the second request should correct the first answer, and only it")
				}
				if !bytes.Contains(log, []byte(`"answer":2`)) || !bytes.Contains(log, []byte(`"said":"I think we should accept this offer."`)) {
					t.Error("the log should show the refused answer and the corrected one")
				}
			}},
		{name: "unknown value id", script: wrongValue, cause: session.CauseInvalid,
			want: []string{`refused again`, `"apple" is not a value of issue "brand"`}},
		{name: "another party's id", script: otherParty, cause: session.CauseInvalid,
			want: []string{`this seat plays for buyer`}},
		{name: "wrong tool", script: wrongTool, spec: ":mode=tools", cause: session.CauseGarbage,
			want: []string{`called the tool \"propose_deal\"`}},
		{name: "slow answer", script: always(llmtest.Reply{Delay: time.Minute}), opts: seat.Options{ActionTimeout: 150 * time.Millisecond},
			cause: session.CauseTimeout, want: []string{"no answer within 150ms"}},
		{name: "slow retries", script: always(llmtest.Reply{Status: 503, Header: map[string]string{"Retry-After": "30"}}),
			opts: seat.Options{ActionTimeout: 150 * time.Millisecond}, cause: session.CauseTimeout, want: []string{"no answer within 150ms"}},
		{name: "429 always", script: always(llmtest.Reply{Status: 429, Body: `{"error":{"message":"rate limited"}}`, Header: map[string]string{"Retry-After": "0"}}),
			spec: ":retries=2", cause: session.CauseDisconnect, want: []string{"HTTP 429", "rate limited", "(3 attempts)"}},
		{name: "500 always", script: always(llmtest.Reply{Status: 500, Body: `{"error":{"message":"model crashed"}}`}),
			spec: ":retries=1", cause: session.CauseDisconnect, want: []string{"HTTP 500", "model crashed", "(2 attempts)"}},
		{name: "429 then answers", script: nth(2, always(llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "0.02"}})),
			check: func(t *testing.T, _ []*llmtest.Received, log []byte) {
				if !bytes.Contains(log, []byte(`"attempts":3,"waits_ms":[20,20]`)) {
					t.Errorf("the log should show two waits of Retry-After's 20ms: %.300s", log)
				}
			}},
		{name: "500 then answers", script: nth(1, always(llmtest.Reply{Status: 502})),
			check: func(t *testing.T, _ []*llmtest.Received, log []byte) {
				if !bytes.Contains(log, []byte(`"attempts":2,"waits_ms":[1]`)) {
					t.Errorf("the log should show one backoff of 1ms: %.300s", log)
				}
			}},
		{name: "refuses response_format", script: refuseFormat,
			check: func(t *testing.T, reqs []*llmtest.Received, log []byte) {
				if reqs[0].Mode != "schema" {
					t.Fatal("the first request should ask with a schema")
				}
				for _, r := range reqs[1:] {
					if r.Mode != "tools" || r.Request.ToolChoice != "required" || r.Request.ResponseFormat != nil {
						t.Fatalf("request %d should call the tool instead", r.N)
					}
				}
				if !bytes.Contains(log, []byte(`"mode":"tools"`)) {
					t.Error("the log should show tool mode")
				}
			}},
		{name: "refuses response_format, schema only", script: refuseFormat, spec: ":mode=schema",
			cause: session.CauseCrash, want: []string{"refused response_format", "HTTP 400"}},
		{name: "not a completion", script: always(llmtest.Reply{Body: `<html>proxy error</html>`}), spec: ":retries=1",
			cause: session.CauseGarbage, want: []string{"not a chat completion", "proxy error"}},
		{name: "no completion choices", script: always(llmtest.Reply{Body: `{"id":"x","choices":[]}`}), spec: ":retries=0",
			cause: session.CauseGarbage, want: []string{"not a chat completion"}},
		{name: "server down", stop: true, spec: ":retries=1", cause: session.CauseDisconnect, want: []string{"cannot reach the model endpoint", "(2 attempts)"}},
		{name: "bad key", script: always(llmtest.Reply{Status: 401, Body: `{"error":{"message":"invalid api key"}}`}),
			cause: session.CauseCrash, want: []string{"HTTP 401", "invalid api key"}},
		{name: "key unset", script: llmtest.Player, spec: ":key_env=PARLEY_UNSET_KEY",
			cause: session.CauseCrash, want: []string{"PARLEY_UNSET_KEY", "empty or unset"}},
		{name: "offline miss", script: llmtest.Player, offline: true,
			cause: session.CauseDisconnect, want: []string{"holds no answer", "offline"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := llmtest.New(c.script)
			defer srv.Close()
			if c.stop {
				srv.Close()
			}
			spec := "llm:model=m:base_url=" + srv.BaseURL() + ":backoff=1ms" + c.spec
			if !strings.Contains(c.spec, "key_env") {
				spec += ":key_env=PARLEY_TEST_KEY"
			}
			pool := &llm.Pool{Offline: c.offline, Getenv: getenv}
			p := play(t, setup{sc: parse(t, laptop), specs: []string{spec, "boulware"}, pool: pool, opts: c.opts, rounds: 10})
			if p.err != nil {
				t.Fatal(p.err)
			}
			f := p.result.Failure
			switch {
			case c.cause == "" && f != nil:
				t.Fatalf("the seat failed: %+v", f)
			case c.cause == "" && p.result.Steps < 2:
				t.Fatalf("the session did not play on: %s", p.json)
			case c.cause != "" && f == nil:
				t.Fatalf("no failure: %s", p.json)
			case c.cause != "":
				if f.Seat != "buyer" || f.Cause != c.cause || p.result.Status != session.StatusFailed {
					t.Errorf("failure %+v (status %s), want seat buyer, cause %s", f, p.result.Status, c.cause)
				}
				for _, w := range c.want {
					if !strings.Contains(f.Message, w) {
						t.Errorf("the message %q lacks %q", f.Message, w)
					}
				}
			}
			for _, out := range [][]byte{p.json, p.trace, p.log} {
				if bytes.Contains(out, []byte(secretKey)) {
					t.Fatal("the API key is in an output")
				}
			}
			if c.check != nil {
				c.check(t, srv.Requests(), p.log)
			}
		})
	}
}
