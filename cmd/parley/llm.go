package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/leak"
	"github.com/parleyhq/parley/session"
)

// LLMFlags are the settings shared by a command's llm: seats (docs/llm.md).
type LLMFlags struct {
	LLMCache   string `name:"llm-cache" help:"LLM seats: record each request's answer in this SQLite file and answer from it when the same request comes again, so that the session re-runs offline, bit for bit." type:"path"`
	LLMOffline bool   `name:"llm-offline" help:"LLM seats: answer only from --llm-cache; a request it does not hold fails its seat instead of going to the endpoint."`
	LLMLog     string `name:"llm-log" help:"LLM seats: write every request and answer, with token counts and latency, as JSON lines to this file (it holds each seat's prompts and private reasoning, never an API key)." type:"path"`
}

// pool opens what the llm seats share: the cache and the log.
func (f LLMFlags) pool() (*llm.Pool, func() error, error) {
	if f.LLMOffline && f.LLMCache == "" {
		return nil, nil, fmt.Errorf("--llm-offline replays from a cache: add --llm-cache FILE")
	}
	p := &llm.Pool{Offline: f.LLMOffline}
	var logFile *os.File
	closeAll := func() error {
		err := p.Close()
		if logFile != nil {
			if cerr := logFile.Close(); err == nil {
				err = cerr
			}
		}
		return err
	}
	if f.LLMCache != "" {
		c, err := llm.OpenCache(f.LLMCache)
		if err != nil {
			return nil, nil, err
		}
		p.Cache = c
	}
	if f.LLMLog != "" {
		var err error
		if logFile, err = os.Create(f.LLMLog); err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("--llm-log: %w", err)
		}
		p.Log = logFile
	}
	return p, closeAll, nil
}

// runOutput is parley run's JSON: the result, and what the seats' free
// text gave away.
type runOutput struct {
	session.Result
	TextLeaks []leak.Seat `json:"text_leaks,omitempty"`
}

// reportLLM writes each llm seat's requests, tokens and time to w.
func reportLLM(w io.Writer, p *llm.Pool) {
	stats := p.Stats()
	for _, seatName := range p.Seats() {
		s := stats[seatName]
		var b strings.Builder
		fmt.Fprintf(&b, "llm seat %s: %d requests", seatName, s.Requests)
		if s.Cached > 0 {
			fmt.Fprintf(&b, " (%d from the cache)", s.Cached)
		}
		if retries := s.Attempts - (s.Requests - s.Cached); retries > 0 {
			fmt.Fprintf(&b, ", %d retried", retries)
		}
		fmt.Fprintf(&b, ", %d prompt and %d completion tokens", s.PromptTokens, s.CompletionTokens)
		if n := s.Requests - s.Cached; n > 0 {
			fmt.Fprintf(&b, ", %v per request answered by the endpoint", (s.Latency / time.Duration(n)).Round(time.Millisecond))
		}
		fmt.Fprintln(w, b.String())
	}
}
