// Package llmtest runs an OpenAI-compatible chat-completions server for
// tests: real HTTP and real JSON (streaming off), its answers scripted per
// test. No model can be downloaded where parley's tests run, so the llm
// seat is tested against this server: good answers, malformed ones, wrong
// ids, slow answers, 429s and 500s, a refused response_format.
package llmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/llm"
)

// Server is a scripted chat-completions server at URL+"/v1".
type Server struct {
	*httptest.Server
	// Script answers each request; nil answers 500.
	Script func(r *Received) Reply

	mu  sync.Mutex
	got []*Received
}

// Received is one request the server got.
type Received struct {
	N       int // 1 for the first request
	Header  http.Header
	Body    []byte
	Request llm.Request
	// Mode is "schema" (a JSON Schema response format) or "tools".
	Mode string
	// Schema is the answer's JSON Schema, from the response format or the
	// tool.
	Schema Schema
	Ctx    context.Context
}

// Schema is the part of an answer's JSON Schema a script reads.
type Schema struct {
	Properties struct {
		Type struct {
			Enum []string `json:"enum"`
		} `json:"type"`
		Outcome struct {
			AnyOf []struct {
				Type       string `json:"type"`
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
				Required []string `json:"required"`
			} `json:"anyOf"`
		} `json:"outcome"`
	} `json:"properties"`
}

// May is the actions the schema allows.
func (s *Schema) May() []string { return s.Properties.Type.Enum }

// Issues are the issue ids of an offer, in order, with their value ids.
func (s *Schema) Issues() ([]string, [][]string) {
	for _, a := range s.Properties.Outcome.AnyOf {
		if a.Type == "object" {
			vals := make([][]string, len(a.Required))
			for i, id := range a.Required {
				vals[i] = a.Properties[id].Enum
			}
			return a.Required, vals
		}
	}
	return nil, nil
}

// System is the request's system message, User its first user message.
func (r *Received) System() string { return r.message("system") }

// User is the request's first user message (the turn).
func (r *Received) User() string { return r.message("user") }

func (r *Received) message(role string) string {
	for _, m := range r.Request.Messages {
		if m.Role == role && m.Content != nil {
			return *m.Content
		}
	}
	return ""
}

// Corrective reports whether the request asks to correct a refused answer.
func (r *Received) Corrective() bool { return len(r.Request.Messages) > 2 }

// Reply is a scripted answer.
type Reply struct {
	// Status is the HTTP status (0: 200).
	Status int
	// Header holds extra headers (Retry-After).
	Header map[string]string
	// Body, when set, is sent as it is; otherwise a chat completion is
	// built from Content or Tool.
	Body string
	// Content is the assistant's message; Tool, when set, a tool call.
	Content string
	Tool    *Call
	// Delay holds the answer back (or until the client gives up).
	Delay time.Duration
	// PromptTokens and CompletionTokens go in usage.
	PromptTokens, CompletionTokens int
}

// Call is a scripted tool call.
type Call struct {
	ID, Name, Arguments string
}

// Act answers with v as JSON, as the request's mode wants it: message
// content in schema mode, a call of the tool "act" in tool mode.
func Act(r *Received, v any) Reply {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	if r.Mode == "tools" {
		return Reply{Tool: &Call{ID: fmt.Sprintf("call_%d", r.N), Name: "act", Arguments: string(b)}}
	}
	return Reply{Content: string(b)}
}

// New starts a server with a script.
func New(script func(r *Received) Reply) *Server {
	s := &Server{Script: script}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// BaseURL is the server's OpenAI API root.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Requests returns the requests received so far.
func (s *Server) Requests() []*Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Received(nil), s.got...)
}

func (s *Server) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/chat/completions" {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(req.Body)
	r := &Received{Header: req.Header.Clone(), Body: body, Ctx: req.Context(), Mode: "schema"}
	if err := json.Unmarshal(body, &r.Request); err != nil {
		http.Error(w, `{"error":{"message":"the request is not JSON"}}`, http.StatusBadRequest)
		return
	}
	var sch json.RawMessage
	switch {
	case r.Request.ResponseFormat != nil && r.Request.ResponseFormat.JSONSchema != nil:
		sch = r.Request.ResponseFormat.JSONSchema.Schema
	case len(r.Request.Tools) > 0:
		r.Mode, sch = "tools", r.Request.Tools[0].Function.Parameters
	}
	json.Unmarshal(sch, &r.Schema)
	s.mu.Lock()
	r.N = len(s.got) + 1
	s.got = append(s.got, r)
	script := s.Script
	s.mu.Unlock()
	rep := Reply{Status: http.StatusInternalServerError, Body: `{"error":{"message":"no script"}}`}
	if script != nil {
		rep = script(r)
	}
	if rep.Delay > 0 {
		select {
		case <-time.After(rep.Delay):
		case <-req.Context().Done():
			return
		}
	}
	for k, v := range rep.Header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.Status == 0 {
		rep.Status = http.StatusOK
	}
	if rep.Body == "" {
		rep.Body = completion(r, &rep)
	}
	w.WriteHeader(rep.Status)
	io.WriteString(w, rep.Body)
}

// completion builds a chat completion around a scripted answer.
func completion(r *Received, rep *Reply) string {
	msg := map[string]any{"role": "assistant", "content": rep.Content}
	finish := "stop"
	if rep.Tool != nil {
		msg["content"] = nil
		msg["tool_calls"] = []any{map[string]any{"id": rep.Tool.ID, "type": "function",
			"function": map[string]any{"name": rep.Tool.Name, "arguments": rep.Tool.Arguments}}}
		finish = "tool_calls"
	}
	pt, ct := rep.PromptTokens, rep.CompletionTokens
	if pt == 0 {
		pt = len(strings.Fields(string(r.Body)))
	}
	if ct == 0 {
		ct = len(strings.Fields(rep.Content)) + 1
	}
	b, _ := json.Marshal(map[string]any{
		"id": fmt.Sprintf("chatcmpl-%d", r.N), "object": "chat.completion", "created": 1767225600, "model": r.Request.Model,
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct},
	})
	return string(b)
}
