// Command parley models, simulates, analyses and forecasts negotiations.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/parleyhq/parley/budget"
	"github.com/parleyhq/parley/internal/printable"
)

// version is set at build time with -ldflags "-X main.version=..."; else
// it comes from the module's build information (buildVersion).
var version = ""

// cli lists parley's commands; each lives in a file of its own.
type cli struct {
	Validate   ValidateCmd      `cmd:"" help:"Check a scenario file and report every problem with file:line:column."`
	Analyze    AnalyzeCmd       `cmd:"" help:"Analyse a scenario: Pareto frontier, Nash, Kalai-Smorodinsky, welfare, zone of agreement."`
	Diff       DiffCmd          `cmd:"" help:"Compare two versions of a scenario: what changed (numbers, sources, rules) and how the zone, Nash, ratifiable zone and a session's outcome moved."`
	Convert    ConvertCmd       `cmd:"" help:"Write a parley scenario (YAML) from Genius, NegMAS or GeniusWeb files, or a NegMAS scenario folder (--to negmas)."`
	Run        RunCmd           `cmd:"" help:"Run a negotiation session between built-in negotiators and report the exchange and the result."`
	Forecast   ForecastCmd      `cmd:"" help:"Forecast multi-actor decisions on spatial issues (compromise, median, KTAB SMP, expected utility)."`
	List       ListCmd          `cmd:"" help:"List the built-in protocols, negotiators and mediators with their parameters and sources."`
	Schema     SchemaCmd        `cmd:"" help:"Print the JSON Schema of the scenario format (or, with --protocol, of the seat protocol)."`
	Agent      AgentCmd         `cmd:"" help:"Play a built-in strategy as an outside seat on stdin/stdout (the seat protocol's reference agent)."`
	Tournament TournamentCmd    `cmd:"" help:"Run tournaments of many sessions into a SQLite database, resumable; report and export them."`
	Worker     WorkerCmd        `cmd:"" help:"Play the shards of tournaments and sensitivity sweeps that coordinators (--nats) queue on NATS JetStream."`
	League     LeagueCmd        `cmd:"" help:"Run the Automated Negotiation League (ANL 2024, or with ANL 2026's concealment score) on generated scenarios, resumable."`
	Bench      BenchCmd         `cmd:"" help:"Measure parley's performance: sessions/s, steps/s, tournament throughput, frontier times, peak memory."`
	ScoreLog   ScoreLogCmd      `cmd:"" name:"score-log" help:"Score the published logs of LLM-Deliberation games: each final deal against the game's rule and every party's threshold, with its distances to the Pareto frontier and the Nash point."`
	Serve      ServeCmd         `cmd:"" help:"Serve the web pages and sessions whose seats are played over the network (WebSocket, HTTP long-poll); state in SQLite."`
	Mcp        McpCmd           `cmd:"" name:"mcp" help:"Serve parley's analysis as Model Context Protocol tools for LLM agents (stdio, or streamable HTTP with --http)."`
	Version    kong.VersionFlag `help:"Print the version and exit."`

	Limits `embed:""`
}

// env is what commands write to and the budget they run within; tests
// replace it.
type env struct {
	stdout io.Writer
	stderr io.Writer
	// b bounds the command (from --max-time and --max-memory); limits are
	// those flags. run sets both.
	b      *budget.Budget
	limits *Limits
	// progress prints the core's progress on stderr when a command runs
	// long (main sets it; tests that do not look at it leave it off).
	progress bool
	// exit ends the process when a command does not heed a limit in time
	// (main sets os.Exit; nil in tests).
	exit func(int)
}

func init() {
	if version == "" {
		version = buildVersion()
	}
}

func main() {
	os.Exit(run(os.Args[1:], env{stdout: os.Stdout, stderr: os.Stderr, progress: true, exit: os.Exit}))
}

// exitRequest carries the code of a flag that ends the program (--help,
// --version) out of kong's parser, which would otherwise go on parsing.
type exitRequest int

// run parses args and runs one command, returning the exit code: 0 on
// success, 1 when the command failed, 2 on a usage error.
func run(args []string, e env) (code int) {
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(exitRequest)
			if !ok {
				panic(r)
			}
			code = int(c)
		}
	}()
	// Every command's output goes through out, which keeps the first write
	// error: a full disk or a closed pipe fails the command instead of
	// leaving an empty file behind an exit code of 0.
	out := &checked{w: e.stdout}
	e.stdout = out
	// Progress lines come from the watchdog's goroutine.
	e.stderr = &lockedWriter{w: e.stderr}
	var c cli
	parser, err := kong.New(&c,
		kong.Name("parley"),
		kong.Description("Model, simulate, analyse and forecast multi-party negotiations."),
		kong.UsageOnError(),
		registryVars(),
		kong.Vars(limitVars()),
		kong.Writers(e.stdout, e.stderr),
		kong.Exit(func(code int) { panic(exitRequest(code)) }),
		kong.BindTo(e.stdout, (*io.Writer)(nil)),
	)
	if err != nil {
		fmt.Fprintln(e.stderr, "parley:", err)
		return 2
	}
	if len(args) == 0 {
		args = []string{"--help"} // a bare `parley` shows what it can do
	}
	ctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintln(e.stderr, "parley:", err)
		return 2
	}
	if ctx == nil || ctx.Command() == "" {
		return 0
	}
	// Servers (the seat protocol's agent, serve, mcp) run for as long as
	// their clients want: no progress or timing lines on their stderr.
	name, _, _ := strings.Cut(ctx.Command(), " ")
	server := name == "agent" || name == "serve" || name == "mcp"
	w := startWatch(name, &c.Limits, e.stderr, e.progress && !server, e.exit)
	e.b, e.limits = w.b, &c.Limits
	err = ctx.Run(e)
	w.finish(err == nil)
	if err != nil {
		msg, ok := stopMessage(err, &c.Limits)
		if !ok {
			msg = err.Error()
		}
		// Messages quote input files: escape what would act on the terminal.
		fmt.Fprintln(e.stderr, "parley:", printable.Text(msg))
		return 1
	}
	if out.err != nil {
		fmt.Fprintln(e.stderr, "parley: writing standard output:", out.err)
		return 1
	}
	return 0
}

// checked is a writer that keeps its first error and refuses later writes.
type checked struct {
	w   io.Writer
	err error
}

func (c *checked) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	c.err = err
	return n, err
}

// buildVersion is the version in the binary's build information: the
// module version for `go install`, else the VCS revision (with "+dirty"
// for a modified tree), else "dev".
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return "dev"
	}
	return "dev-" + rev + dirty
}

// warn prints a non-fatal problem on standard error.
func (e env) warn(msg string) { fmt.Fprintln(e.stderr, "warning:", printable.Text(msg)) }

// writeJSON writes v as indented JSON, the form of every --json output.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
