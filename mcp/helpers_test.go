package mcp_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/mcp"
)

// repo is the module root, the root folder of most tests.
func repo(t testing.TB) string {
	t.Helper()
	r := shared.Root()
	if r == "" {
		t.Fatal("no module root")
	}
	return r
}

// newServer builds a server on root, closed with the test.
func newServer(t testing.TB, root string) *mcp.Server {
	t.Helper()
	srv, err := mcp.New(mcp.Config{Root: root, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// client connects the SDK's client to a server on root over the in-memory
// transport: newline-delimited JSON over a pipe, the stdio framing.
func client(t testing.TB, root string) *sdk.ClientSession {
	t.Helper()
	srv := newServer(t, root)
	st, ct := sdk.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := srv.MCP().Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	return connect(t, ct)
}

// httpClient connects the SDK's client to a server on root over
// streamable HTTP on a real listener (127.0.0.1, a free port).
func httpClient(t testing.TB, root string) *sdk.ClientSession {
	t.Helper()
	srv := newServer(t, root)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return connect(t, &sdk.StreamableClientTransport{Endpoint: hs.URL, MaxRetries: -1})
}

func connect(t testing.TB, tr sdk.Transport) *sdk.ClientSession {
	t.Helper()
	c := sdk.NewClient(&sdk.Implementation{Name: "parley-test", Version: "test"}, nil)
	cs, err := c.Connect(context.Background(), tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// call calls a tool that must succeed and decodes its structured result
// into out (unless nil); it returns the text content.
func call(t testing.TB, cs *sdk.ClientSession, tool string, args map[string]any, out any) string {
	t.Helper()
	res, text := callRaw(t, cs, tool, args)
	if res.IsError {
		t.Fatalf("%s: tool error: %s", tool, text)
	}
	if out != nil {
		data, err := json.Marshal(res.StructuredContent)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s: structured content: %v\n%s", tool, err, data)
		}
	}
	return text
}

// callErr calls a tool that must fail with a tool error (not a protocol
// error, not a crash) and returns its message.
func callErr(t testing.TB, cs *sdk.ClientSession, tool string, args map[string]any) string {
	t.Helper()
	res, text := callRaw(t, cs, tool, args)
	if !res.IsError {
		t.Fatalf("%s %v: no tool error; got %s", tool, args, trim(text))
	}
	if text == "" {
		t.Fatalf("%s: a tool error without a message", tool)
	}
	return text
}

func callRaw(t testing.TB, cs *sdk.ClientSession, tool string, args map[string]any) (*sdk.CallToolResult, string) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error: %v", tool, err)
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return res, b.String()
}

func trim(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func wantContains(t testing.TB, what, got string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(got, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, trim(got))
		}
	}
}

// flagship is the flagship scenario's path, relative to the module root.
var flagship = filepath.Join("examples", "ukraine-2025.yaml")
