package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// buildParley builds the parley binary into a temporary folder.
func buildParley(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build parley with")
	}
	bin := filepath.Join(t.TempDir(), "parley")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// mcpSession checks a client session against a parley mcp serving the
// repository: the tools are listed, and a tool answers with the flagship's
// figures.
func mcpSession(t *testing.T, cs *sdk.ClientSession) {
	t.Helper()
	ctx := context.Background()
	list, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	if want := []string{"analyze_scenario", "evaluate_outcome", "forecast", "list_accepted_outcomes", "run_session", "validate_scenario"}; !slices.Equal(names, want) {
		t.Errorf("tools %v, want %v", names, want)
	}
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "list_accepted_outcomes", Arguments: map[string]any{"path": "examples/ukraine-2025.yaml", "limit": 1}})
	if err != nil || res.IsError {
		t.Fatalf("list_accepted_outcomes: %v %v", err, res)
	}
	data, _ := json.Marshal(res.StructuredContent)
	var out struct{ Count int }
	json.Unmarshal(data, &out)
	if out.Count != 22 {
		t.Errorf("the flagship's zone: %d deals, want 22: %s", out.Count, data)
	}
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "validate_scenario", Arguments: map[string]any{"path": "../examples/ukraine-2025.yaml"}})
	if err != nil || !res.IsError || !strings.Contains(res.Content[0].(*sdk.TextContent).Text, "outside the allowed root") {
		t.Errorf("a path outside the root: %v %+v", err, res)
	}
}

// TestMCPBinary runs the real parley binary as `parley mcp` over stdio, as
// an MCP client configured to start it does, and over streamable HTTP on a
// free port, which it stops with an interrupt.
func TestMCPBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := buildParley(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("stdio", func(t *testing.T) {
		c := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "test"}, nil)
		cs, err := c.Connect(context.Background(), &sdk.CommandTransport{Command: exec.Command(bin, "mcp", "--root", root)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		mcpSession(t, cs)
	})
	t.Run("oversize", func(t *testing.T) {
		// A message larger than the bound ends the stdio session with a
		// message (the stream cannot be resynchronised mid-message); it is
		// never read whole into memory.
		cmd := exec.Command(bin, "mcp", "--root", root)
		cmd.Stdin = strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"validate_scenario","arguments":{"scenario":"` +
			strings.Repeat("x", 5<<20) + `"}}}` + "\n")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		if err == nil || !strings.Contains(stderr.String(), "exceeded the configured maximum line length") {
			t.Errorf("a 5 MiB message: %v, %q", err, stderr.String())
		}
	})
	t.Run("http", func(t *testing.T) {
		cmd := exec.Command(bin, "mcp", "--http", "127.0.0.1:0", "--root", root)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		line, err := bufio.NewReader(stderr).ReadString('\n')
		if err != nil {
			t.Fatalf("no address on stderr: %v", err)
		}
		m := regexp.MustCompile(`serving (http://127\.0\.0\.1:\d+/mcp) \(root `).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("stderr: %q", line)
		}
		c := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "test"}, nil)
		cs, err := c.Connect(context.Background(), &sdk.StreamableClientTransport{Endpoint: m[1], MaxRetries: -1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		mcpSession(t, cs)
		cs.Close()
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("after an interrupt: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("parley mcp --http does not stop on an interrupt")
		}
	})
}

// TestMCPBadRoot: a root that does not exist is a startup error.
func TestMCPBadRoot(t *testing.T) {
	code, _, errs := runCLI("mcp", "--root", filepath.Join(t.TempDir(), "none"))
	if code != 1 || !strings.Contains(errs, "root folder:") || !strings.Contains(errs, "no such file or directory") {
		t.Errorf("exit %d: %s", code, errs)
	}
}
