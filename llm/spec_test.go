package llm_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
)

// TestParseSpec: parameters are split on ':' except inside URLs and model
// tags; bad ones get a message that says what to give.
func TestParseSpec(t *testing.T) {
	sp, err := llm.ParseSpec("llm:model=llama3.2:3b:base_url=http://127.0.0.1:8080/v1/:key_env=OPENAI_API_KEY:temperature=0.3:max_tokens=200:mode=tools:window=5:retries=2:backoff=250ms:concurrency=2:rpm=60:timeout=90s")
	if err != nil {
		t.Fatal(err)
	}
	want := llm.Spec{Model: "llama3.2:3b", BaseURL: "http://127.0.0.1:8080/v1", KeyEnv: "OPENAI_API_KEY", Temperature: 0.3, MaxTokens: 200,
		Mode: llm.ModeTools, Window: 5, Retries: 2, Backoff: 250 * time.Millisecond, Concurrency: 2, RPM: 60, Timeout: 90 * time.Second}
	if sp != want {
		t.Errorf("got %+v\nwant %+v", sp, want)
	}
	sp, err = llm.ParseSpec("model=qwen2.5")
	if err != nil {
		t.Fatal(err)
	}
	if sp.BaseURL != llm.DefaultBaseURL || sp.Mode != llm.ModeAuto || sp.Window != llm.DefaultWindow || sp.Retries != llm.DefaultRetries ||
		sp.Concurrency != llm.DefaultConcurrency || sp.MaxTokens != llm.DefaultMaxTokens || sp.Backoff != llm.DefaultBackoff || sp.KeyEnv != "" {
		t.Errorf("defaults: %+v", sp)
	}
	for _, c := range []struct{ spec, want string }{
		{"llm:", "give the model"},
		{"llm:base_url=http://x/v1", "give the model"},
		{"llm:model=a:colour=red", `"colour=red" is not a parameter`},
		{"llm:gpt-4o", `"gpt-4o" is not a parameter`},
		{"llm:model=a:model=b", "model is given twice"},
		{"llm:model=a:base_url=ftp://x", "http:// or https://"},
		{"llm:model=a:base_url=http://user:pw@host/v1", "give the key with key_env"},
		{"llm:model=a:key_env=sk-abc123", "name of an environment variable"},
		{"llm:model=a:temperature=9", "from 0 to 2"},
		{"llm:model=a:mode=json", "auto, schema or tools"},
		{"llm:model=a:window=0", "at least 1"},
		{"llm:model=a:retries=-1", "at least 0"},
		{"llm:model=a:backoff=soon", "a duration"},
		{"llm:model=a:concurrency=0", "at least 1"},
	} {
		_, err := llm.ParseSpec(c.spec)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.spec, err, c.want)
		}
	}
}

// FuzzParseSpec: any text gets a spec or an error, never a panic; a spec
// that parses names a model.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"llm:model=a", "model=a:base_url=http://h:1/v1", "model=::=:", "llm:model=a:rpm=99999999999999999999", ":::", "model=a:key_env=A_B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := llm.ParseSpec(s)
		if err == nil && sp.Model == "" {
			t.Fatalf("%q parsed without a model", s)
		}
	})
}
