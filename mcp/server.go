package mcp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/parleyhq/parley/scenario/open"
)

// Limits of one request. parley's own analysis budgets (time, memory) are
// not yet flags of the library, so the server bounds the work a request can
// ask for here; every limit is said in the tool's schema or description and
// in its error.
const (
	// MaxRequestBytes bounds one JSON-RPC message: a line on stdio, a
	// request body over HTTP.
	MaxRequestBytes = 4 << 20
	// MaxScenarioBytes bounds a scenario given as text.
	MaxScenarioBytes = 1 << 20
	// MaxListed bounds the outcomes list_accepted_outcomes lists and the
	// frontier points analyze_scenario returns.
	MaxListed = 1000
	// MaxRounds bounds a session's deadline.
	MaxRounds = 10_000
	// MaxSamples bounds the sensitivity samples of the what-if analysis;
	// MaxSampleWork bounds samples × outcomes (each sample analyses the
	// whole space anew: the README's sensitivity benchmark draws 10,000
	// samples of the flagship's 432 outcomes in about 2 s).
	MaxSamples    = 10_000
	MaxSampleWork = 20_000_000
)

// Config sets up a Server.
type Config struct {
	// Root is the folder scenario paths are read from ("" means the
	// current folder). Nothing outside it is read, through no link.
	Root string
	// Version is the version the server reports to clients.
	Version string
	// Concurrency bounds the tool calls computed at once (0 means the
	// number of CPUs); further calls wait their turn.
	Concurrency int
}

// Server is parley's MCP server: the SDK's server with parley's tools.
type Server struct {
	sdk  *sdk.Server
	root *open.Root
	sem  chan struct{}
}

// New opens the root folder and builds the server with every tool.
func New(cfg Config) (*Server, error) {
	dir := cfg.Root
	if dir == "" {
		dir = "."
	}
	root, err := open.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	n := cfg.Concurrency
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	version := cfg.Version
	if version == "" {
		version = "dev"
	}
	s := &Server{root: root, sem: make(chan struct{}, n)}
	s.sdk = sdk.NewServer(&sdk.Implementation{Name: "parley", Title: "parley: negotiation analysis", Version: version},
		&sdk.ServerOptions{Instructions: instructions})
	if err := s.addTools(); err != nil {
		root.Close()
		return nil, err
	}
	return s, nil
}

// instructions tell a client's model what the server is for.
const instructions = `parley analyses negotiations among several parties. A scenario lists the issues (each with its options), the parties with their preferences (weights, values), reservation values (what no deal is worth to them), red lines and ratification rules. Give a scenario as YAML/JSON text in "scenario", or as "path" to a file or Genius/GeniusWeb folder inside the server's root folder. Start with validate_scenario, then analyze_scenario for the Pareto frontier, Nash point and zone of agreement; evaluate_outcome measures one deal; list_accepted_outcomes finds the deals a coalition accepts; run_session plays built-in negotiators against each other; forecast predicts positions on spatial issues.`

// Close releases the root folder.
func (s *Server) Close() error { return s.root.Close() }

// MCP returns the SDK server, to connect to any transport.
func (s *Server) MCP() *sdk.Server { return s.sdk }

// ServeStdio serves one client on standard input and output until it
// disconnects or ctx is done.
func (s *Server) ServeStdio(ctx context.Context) error {
	return s.sdk.Run(ctx, &sdk.StdioTransport{MaxLineLength: MaxRequestBytes})
}

// Handler serves clients over streamable HTTP, each in a session of its
// own. Requests that name a non-local host on a local address are refused
// (the SDK's protection against DNS rebinding).
func (s *Server) Handler() http.Handler {
	return sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return s.sdk },
		&sdk.StreamableHTTPOptions{MaxRequestBodyBytes: MaxRequestBytes})
}

// guard runs a tool's computation: it waits for a free slot (or for the
// client to give up) and turns a panic into a tool error, so that no input
// stops the server.
func (s *Server) guard(ctx context.Context, f func() error) (err error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.sem }()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v (please report it with the input that caused it)", r)
		}
	}()
	return f()
}

var errNoSource = errors.New(`give the scenario as text in "scenario" or as a file or folder in "path"`)
