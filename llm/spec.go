package llm

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Prefix marks a negotiator spec that seats a language model:
// "llm:model=llama3.2:base_url=http://127.0.0.1:11434/v1".
const Prefix = "llm:"

// DefaultBaseURL is where the seat looks for an endpoint when the spec
// names none: a local Ollama server's OpenAI-compatible API.
const DefaultBaseURL = "http://127.0.0.1:11434/v1"

// Mode is how the seat asks the model for a structured answer.
type Mode string

// Modes.
const (
	// ModeAuto asks with a JSON Schema response format and falls back to
	// a tool call when the endpoint refuses response_format.
	ModeAuto Mode = "auto"
	// ModeSchema always asks with a JSON Schema response format.
	ModeSchema Mode = "schema"
	// ModeTools always asks for a call of the tool "act".
	ModeTools Mode = "tools"
)

// Spec is an llm seat's settings, parsed from the text after "llm:".
type Spec struct {
	Model   string
	BaseURL string
	// KeyEnv names the environment variable that holds the API key ("":
	// none is sent, as local servers need none). The key itself is read
	// when a request is sent and never written anywhere.
	KeyEnv      string
	Temperature float64
	MaxTokens   int
	Mode        Mode
	// Window is how many entries of the public record the prompt quotes
	// in full; earlier ones are summarised.
	Window int
	// Retries is how many times a transient failure (429, 5xx, a reset
	// connection) is retried, waiting Backoff, then twice as long, and so
	// on, or what the endpoint's Retry-After says.
	Retries int
	Backoff time.Duration
	// Concurrency bounds the requests in flight to the endpoint and RPM
	// the requests started per minute (0: no limit); seats that share an
	// endpoint share its limits.
	Concurrency int
	RPM         int
	// Timeout bounds one HTTP request (0: only the seat's clock does).
	Timeout time.Duration
}

// Defaults of a Spec.
const (
	DefaultMaxTokens   = 1024
	DefaultWindow      = 24
	DefaultRetries     = 4
	DefaultBackoff     = time.Second
	DefaultConcurrency = 4
)

// params are the spec's parameters, in the order the docs list them.
var params = []string{"model", "base_url", "key_env", "temperature", "max_tokens", "mode", "window", "retries", "backoff", "concurrency", "rpm", "timeout"}

// paramStart finds where a parameter begins: a name and '='.
var paramStart = regexp.MustCompile(`^[a-z_]+=`)

// ParseSpec reads an llm seat's spec, with or without its "llm:" prefix.
// Parameters are name=value pairs separated by ':'; a piece that does not
// start with a name and '=' continues the value before it, so that URLs
// (http://host:port/v1) and model tags (llama3.2:3b) keep their colons.
// Commas cannot appear: the CLI splits -n on them.
func ParseSpec(s string) (Spec, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), Prefix)
	sp := Spec{BaseURL: DefaultBaseURL, MaxTokens: DefaultMaxTokens, Mode: ModeAuto, Window: DefaultWindow,
		Retries: DefaultRetries, Backoff: DefaultBackoff, Concurrency: DefaultConcurrency}
	var pairs []string
	for _, piece := range strings.Split(s, ":") {
		if paramStart.MatchString(piece) || len(pairs) == 0 {
			pairs = append(pairs, piece)
		} else {
			pairs[len(pairs)-1] += ":" + piece
		}
	}
	seen := map[string]bool{}
	for _, p := range pairs {
		if strings.TrimSpace(p) == "" {
			continue
		}
		name, value, ok := strings.Cut(p, "=")
		if !ok || !slices.Contains(params, name) {
			return Spec{}, fmt.Errorf("llm: %q is not a parameter; give name=value pairs separated by ':' with the names %s", p, strings.Join(params, ", "))
		}
		if seen[name] {
			return Spec{}, fmt.Errorf("llm: %s is given twice", name)
		}
		seen[name] = true
		if err := sp.set(name, strings.TrimSpace(value)); err != nil {
			return Spec{}, fmt.Errorf("llm: %s=%s: %w", name, value, err)
		}
	}
	if sp.Model == "" {
		return Spec{}, fmt.Errorf("llm: give the model, as llm:model=NAME (the name the endpoint knows it by)")
	}
	return sp, nil
}

func (sp *Spec) set(name, v string) error {
	var err error
	switch name {
	case "model":
		if v == "" {
			return fmt.Errorf("empty model name")
		}
		sp.Model = v
	case "base_url":
		u, perr := url.Parse(v)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("give an http:// or https:// URL such as %s", DefaultBaseURL)
		}
		if u.User != nil {
			return fmt.Errorf("the URL holds a user name or password; give the key with key_env instead, so that it stays out of results and traces")
		}
		sp.BaseURL = strings.TrimRight(v, "/")
	case "key_env":
		if !regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`).MatchString(v) {
			return fmt.Errorf("give the name of an environment variable (letters, digits, _), not the key itself")
		}
		sp.KeyEnv = v
	case "temperature":
		sp.Temperature, err = strconv.ParseFloat(v, 64)
		if err == nil && (sp.Temperature < 0 || sp.Temperature > 2) {
			err = fmt.Errorf("give a number from 0 to 2")
		}
	case "mode":
		sp.Mode = Mode(v)
		if sp.Mode != ModeAuto && sp.Mode != ModeSchema && sp.Mode != ModeTools {
			err = fmt.Errorf("give auto, schema or tools")
		}
	case "max_tokens":
		sp.MaxTokens, err = positive(v, 1)
	case "window":
		sp.Window, err = positive(v, 1)
	case "retries":
		sp.Retries, err = positive(v, 0)
	case "concurrency":
		sp.Concurrency, err = positive(v, 1)
	case "rpm":
		sp.RPM, err = positive(v, 0)
	case "backoff":
		sp.Backoff, err = duration(v)
	case "timeout":
		sp.Timeout, err = duration(v)
	}
	return err
}

func positive(v string, least int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < least {
		return 0, fmt.Errorf("give a whole number of at least %d", least)
	}
	return n, nil
}

func duration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("give a duration such as 500ms or 2s")
	}
	return d, nil
}
