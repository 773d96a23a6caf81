package mcp_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// FuzzToolArguments: any arguments to any tool give a result or a tool
// error with a message, never a protocol error or a dead server. Seeds are
// the calls of the docs and of the tests.
//
//	go test ./mcp -run '^$' -fuzz ToolArguments -fuzztime 60s
func FuzzToolArguments(f *testing.F) {
	for _, ex := range docExamples(&testing.T{}) {
		f.Add(ex.tool, ex.args)
	}
	f.Add("evaluate_outcome", `{"scenario": "parley: 1\nissues:\n  - {id: x, integer: {min: 1, max: 3}}\nparties:\n  - {id: a, weights: {x: 1}, values: {x: {linear: {at_min: 0, at_max: 1}}}}\n  - {id: b, weights: {x: 1}, values: {x: {linear: {at_min: 1, at_max: 0}}}}\n", "outcome": {"x": 2}}`)
	f.Add("list_accepted_outcomes", `{"path": "analysis/testdata/whatif-redline.yaml", "parties": ["a"], "limit": 3, "order": "space"}`)
	f.Add("run_session", `{"path": "analysis/testdata/whatif-agenda.yaml", "negotiators": ["conceder"], "rounds": 5}`)
	f.Add("forecast", `{"path": "scenario/testdata/spatial.yaml", "model": "median"}`)
	f.Add("analyze_scenario", `{"path": "analysis/testdata/whatif-sensitivity.yaml", "what_if": true, "samples": 3}`)
	cs := client(f, repo(f))
	f.Fuzz(func(t *testing.T, tool, args string) {
		if !strings.HasSuffix(tool, "_scenario") && !strings.Contains(",evaluate_outcome,list_accepted_outcomes,forecast,run_session,", ","+tool+",") {
			return // unknown tools are protocol errors by the spec
		}
		var a map[string]any
		if json.Unmarshal([]byte(args), &a) != nil {
			return
		}
		if p, _ := a["path"].(string); strings.Contains(p, "..") || strings.HasPrefix(p, "/") {
			delete(a, "path") // keep the fuzzer inside the repository
		}
		if n, _ := a["samples"].(float64); n > 20 {
			a["samples"] = 20 // keep each run short
		}
		res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: tool, Arguments: a})
		if err != nil {
			if strings.Contains(err.Error(), "unknown tool") {
				return
			}
			t.Fatalf("%s %s: protocol error %v", tool, args, err)
		}
		if res.IsError && (len(res.Content) == 0 || res.Content[0].(*sdk.TextContent).Text == "") {
			t.Fatalf("%s %s: a tool error without a message", tool, args)
		}
	})
}
