package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/forecast"
	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
	"github.com/parleyhq/parley/session"
)

// addTools registers every tool, each with an input schema generated from
// its Go type and completed with bounds, defaults and the names the
// registries hold.
func (s *Server) addTools() error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	add(addTool(s, "validate_scenario", "Validate a scenario",
		"Check a scenario and report every problem at once, each with file:line:column as `parley validate` prints them. A scenario with problems is a result (valid: false, problems listed), not an error.",
		true,
		s.validate, nil))
	add(addTool(s, "analyze_scenario", "Analyse a scenario's space of deals",
		"Analyse a scenario as `parley analyze` does: each party's reservation value and utility range, the Pareto frontier (a summary and its first points), the Nash, Kalai–Smorodinsky, Kalai, maximum-welfare and egalitarian points, the zone of possible agreement (deals every party accepts) and the opposition. With what_if: the red lines that bind, ratification votes, guarantees, agenda against package deal, what would open a deal, and (with samples) sensitivity to the assumed ranges. The text content is the report as the CLI prints it; the structured content is `parley analyze --json` with the frontier's points cut to frontier_points.",
		false,
		s.analyze, func(in *jsonschema.Schema) {
			bound(in, "samples", 0, MaxSamples)
			bound(in, "min_ratification", 0, 1)
			bound(in, "frontier_points", 0, MaxListed)
			setDefault(in, "frontier_points", 10)
		}))
	add(addTool(s, "evaluate_outcome", "Measure one deal for every party",
		"Measure one deal (a value for every issue): each party's utility, whether it is acceptable to every party (no one below its reservation value, no red line crossed), the red lines it crosses, each ratification vote and whether the deal is ratifiable, and its distances to the Pareto frontier and to the Nash point, as `parley analyze --outcome` does.",
		true,
		s.evaluate, func(in *jsonschema.Schema) {
			bound(in, "min_ratification", 0, 1)
			in.Properties["outcome"].AdditionalProperties = &jsonschema.Schema{Types: []string{"string", "number"}}
		}))
	add(addTool(s, "list_accepted_outcomes", "List the deals a set of parties accept",
		"List the deals that every party of a given set accepts: each gets at least its reservation value and none of its red lines is crossed. Counts them exactly over the whole space (at most 20,000,000 outcomes) and lists at most limit of them, best first by the sum of every party's utility (or in the order of the outcome space); truncated says that more exist than are listed.",
		true,
		s.accepted, func(in *jsonschema.Schema) {
			bound(in, "limit", 1, MaxListed)
			setDefault(in, "limit", 20)
			enum(in, "order", []string{"welfare", "space"})
			setDefault(in, "order", "welfare")
		}))
	add(addTool(s, "forecast", "Forecast decisions on spatial issues",
		"Forecast the outcome of each spatial issue (issues placed on a 0–100 scale, with each actor's position, salience and capability) with a collective-decision model, as `parley forecast` does. Besides a parley scenario, path may name a KTAB CSV or XML file or an actor table (CSV). The text content is the forecast as the CLI prints it.",
		true,
		s.forecast, func(in *jsonschema.Schema) {
			enum(in, "model", forecast.ModelNames())
			setDefault(in, "model", forecast.DefaultModel)
			describeModels(in.Properties["model"])
		}))
	add(addTool(s, "run_session", "Run a negotiation between built-in negotiators",
		"Run one negotiation session between built-in negotiators, as `parley run --json` does, following the scenario's agenda, red lines, ratification votes, time costs and events, and return the result: status, agreement, each party's payoff, distances to the Pareto frontier and the Nash point. Deterministic: the same scenario, negotiators, protocol, rounds and seed give the same result.",
		false,
		s.runSession, func(in *jsonschema.Schema) {
			enum(in, "protocol", protocol.Names())
			setDefault(in, "protocol", "saop")
			bound(in, "rounds", 1, MaxRounds)
			setDefault(in, "rounds", 100)
			in.Properties["negotiators"].MinItems = ptr(1)
			in.Properties["negotiators"].Description += " Negotiators: " + strings.Join(negotiator.Names(negotiator.RoleParty), ", ") +
				"; parameters as timedependent:e=0.5."
			in.Properties["mediator"].Description += " Mediators: " + registry.Or(negotiator.Names(negotiator.RoleMediator)) + "."
		}))
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// addTool adds a tool whose input schema is generated from In and then
// adjusted by tweak, and whose output schema is generated from Out (or
// left out, for outputs documented elsewhere whose schema would swell
// tools/list). The handler's error becomes a tool error (isError, with
// the message), computed under Server.guard; its text, when not empty, is
// the result's content instead of the JSON.
func addTool[In, Out any](s *Server, name, title, desc string, outSchema bool, h func(context.Context, In) (Out, string, error), tweak func(*jsonschema.Schema)) error {
	in, err := jsonschema.For[In](nil)
	if err != nil {
		return fmt.Errorf("tool %s: %w", name, err)
	}
	if tweak != nil {
		tweak(in)
	}
	t := &sdk.Tool{Name: name, Title: title, Description: desc, InputSchema: in,
		Annotations: &sdk.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: ptr(false)}}
	if outSchema {
		register(s, t, h)
	} else {
		register(s, t, func(ctx context.Context, in In) (any, string, error) { return h(ctx, in) })
	}
	return nil
}

func register[In, Out any](s *Server, t *sdk.Tool, h func(context.Context, In) (Out, string, error)) {
	sdk.AddTool(s.sdk, t, func(ctx context.Context, _ *sdk.CallToolRequest, input In) (*sdk.CallToolResult, Out, error) {
		var (
			out  Out
			text string
		)
		err := s.guard(ctx, func() error {
			var err error
			out, text, err = h(ctx, input)
			return err
		})
		if err != nil {
			var zero Out
			return nil, zero, err
		}
		if text == "" {
			return nil, out, nil // the SDK sends the JSON as the text
		}
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: text}}}, out, nil
	})
}

func ptr[T any](v T) *T { return &v }

func bound(s *jsonschema.Schema, prop string, lo, hi float64) {
	p := s.Properties[prop]
	p.Minimum, p.Maximum = &lo, &hi
}

func setDefault(s *jsonschema.Schema, prop string, v any) {
	data, _ := json.Marshal(v)
	s.Properties[prop].Default = data
}

func enum(s *jsonschema.Schema, prop string, names []string) {
	p := s.Properties[prop]
	p.Enum = nil
	for _, n := range names {
		p.Enum = append(p.Enum, n)
	}
}

func describeModels(p *jsonschema.Schema) {
	var b strings.Builder
	for _, m := range forecast.Models() {
		fmt.Fprintf(&b, " %s: %s.", m.Name, m.Doc)
	}
	p.Description += b.String()
}

// ValidateInput is validate_scenario's input.
type ValidateInput struct {
	Source
}

// ValidateOutput is validate_scenario's result.
type ValidateOutput struct {
	Valid    bool     `json:"valid" jsonschema:"whether the scenario loads without problems"`
	Name     string   `json:"name,omitempty" jsonschema:"the scenario's name"`
	Parties  []string `json:"parties,omitempty" jsonschema:"every party's id, mediators included"`
	Issues   []string `json:"issues,omitempty" jsonschema:"every issue's id"`
	Outcomes float64  `json:"outcomes,omitempty" jsonschema:"the number of possible deals (the product of the issues' numbers of values)"`
	Warnings []string `json:"warnings,omitempty" jsonschema:"remarks that do not make the scenario invalid, such as a source document that cannot be read"`
	Problems []string `json:"problems,omitempty" jsonschema:"every problem, each as file:line:column: message"`
}

func (s *Server) validate(_ context.Context, in ValidateInput) (ValidateOutput, string, error) {
	if in.Path != "" && in.Scenario == "" {
		if _, _, err := s.root.Resolve(in.Path); err != nil {
			return ValidateOutput{}, "", err // no file to validate
		}
	}
	l, err := s.load(in.Source)
	if errors.Is(err, errNoSource) {
		return ValidateOutput{}, "", err
	}
	if err != nil {
		problems := strings.Split(strings.TrimRight(err.Error(), "\n"), "\n")
		return ValidateOutput{Problems: problems}, strings.Join(problems, "\n") + "\nthe scenario has problems", nil
	}
	sc := l.s
	out := ValidateOutput{Valid: true, Name: sc.Name, Outcomes: sc.Space().SizeFloat(), Warnings: sc.Warnings}
	for _, p := range sc.Parties {
		out.Parties = append(out.Parties, p.ID)
	}
	for _, is := range sc.Issues {
		out.Issues = append(out.Issues, is.ID)
	}
	text := fmt.Sprintf("%s: ok: %q, %d parties (%s), %d issues (%s), %s outcomes", l.name, sc.Name,
		len(out.Parties), strings.Join(out.Parties, ", "), len(out.Issues), strings.Join(out.Issues, ", "),
		strconv.FormatFloat(out.Outcomes, 'g', -1, 64))
	for _, w := range sc.Warnings {
		text += "\nwarning: " + w
	}
	return out, text, nil
}

// AnalyzeInput is analyze_scenario's input.
type AnalyzeInput struct {
	Source
	WhatIf          bool    `json:"what_if,omitempty" jsonschema:"Add the what-if analysis: binding red lines, ratification, guarantees, agenda against package, what would open a deal (the space must have at most 2,000,000 outcomes)."`
	Samples         int     `json:"samples,omitempty" jsonschema:"With what_if: samples of the scenario's assumed ranges for the sensitivity analysis (0, the default, for none). Samples times outcomes may be at most 20,000,000."`
	Seed            uint64  `json:"seed,omitempty" jsonschema:"With samples: the seed of the sampling."`
	MinRatification float64 `json:"min_ratification,omitempty" jsonschema:"With what_if: the probability every required ratification vote must reach for a deal to count as ratifiable (default 0.5)."`
	FrontierPoints  int     `json:"frontier_points,omitempty" jsonschema:"How many Pareto frontier points to return, by the first party's utility ascending (the count is always given in full)."`
}

func (s *Server) analyze(_ context.Context, in AnalyzeInput) (*analysis.Report, string, error) {
	if !in.WhatIf && (in.Samples != 0 || in.Seed != 0 || in.MinRatification != 0) {
		return nil, "", fmt.Errorf("samples, seed and min_ratification apply to the what-if analysis; set what_if to true")
	}
	if err := checkRatification(in.MinRatification); err != nil {
		return nil, "", err
	}
	if in.Samples < 0 || in.Samples > MaxSamples {
		return nil, "", fmt.Errorf("samples is %d; give 0 to %d", in.Samples, MaxSamples)
	}
	if in.FrontierPoints < 0 || in.FrontierPoints > MaxListed {
		return nil, "", fmt.Errorf("frontier_points is %d; give 0 to %d", in.FrontierPoints, MaxListed)
	}
	l, err := s.load(in.Source)
	if err != nil {
		return nil, "", err
	}
	r, err := analysis.Analyze(l.s, analysis.Options{})
	if err != nil {
		return nil, "", err
	}
	if in.WhatIf {
		if err := r.WhatIfAnalysis(analysis.WhatIfOptions{MinRatification: in.MinRatification}); err != nil {
			return nil, "", err
		}
		if in.Samples > 0 {
			if work := float64(in.Samples) * float64(r.Outcomes); work > MaxSampleWork {
				return nil, "", fmt.Errorf("%d samples of %d outcomes are %.3g outcome analyses, more than the %d this server does in one call; ask for at most %d samples",
					in.Samples, r.Outcomes, work, MaxSampleWork, MaxSampleWork/r.Outcomes)
			}
			if f := s.file(l); f == nil {
				r.WhatIf.Notes = append(r.WhatIf.Notes, "sensitivity skipped: only parley scenario files carry assumed ranges")
			} else if err := r.SensitivityAnalysis(f, l.name, analysis.SensitivityOptions{Samples: in.Samples, Seed: in.Seed, MinRatification: in.MinRatification}); err != nil {
				return nil, "", err
			}
		}
	}
	if n := len(r.Pareto.Points); n > in.FrontierPoints {
		r.Pareto.Points = r.Pareto.Points[:in.FrontierPoints]
		r.Notes = append(r.Notes, fmt.Sprintf("the frontier's first %d of %d points are listed (frontier_points)", in.FrontierPoints, n))
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		return nil, "", err
	}
	return r, text.String(), nil
}

func checkRatification(p float64) error {
	if p != 0 && !(p > 0 && p <= 1) {
		return fmt.Errorf("min_ratification is %g; give a probability above 0 and at most 1", p)
	}
	return nil
}

// EvaluateInput is evaluate_outcome's input.
type EvaluateInput struct {
	Source
	Outcome         map[string]any `json:"outcome" jsonschema:"The deal: every issue's id mapped to its value, an option's id or label (as analyze_scenario prints it) or a number for a numeric issue."`
	MinRatification float64        `json:"min_ratification,omitempty" jsonschema:"The probability every required ratification vote must reach for the deal to count as ratifiable (default 0.5)."`
}

// EvaluateOutput is evaluate_outcome's result: the evaluation, with the
// parties its utilities belong to.
type EvaluateOutput struct {
	Parties     []string  `json:"parties" jsonschema:"the negotiating parties, in the order of utilities"`
	Reservation []float64 `json:"reservation" jsonschema:"each party's reservation value, in the same order"`
	analysis.Evaluation
}

func (s *Server) evaluate(_ context.Context, in EvaluateInput) (*EvaluateOutput, string, error) {
	if err := checkRatification(in.MinRatification); err != nil {
		return nil, "", err
	}
	values := map[string]string{}
	for k, v := range in.Outcome {
		switch v := v.(type) {
		case string:
			values[k] = v
		case float64:
			values[k] = strconv.FormatFloat(v, 'g', -1, 64)
		default:
			return nil, "", fmt.Errorf("outcome: the value of %q is %v; give an option's id or label, or a number", k, v)
		}
	}
	l, err := s.load(in.Source)
	if err != nil {
		return nil, "", err
	}
	r, err := analysis.Analyze(l.s, analysis.Options{})
	if err != nil {
		return nil, "", err
	}
	e, err := r.Evaluate(values, in.MinRatification)
	if err != nil {
		return nil, "", err
	}
	return &EvaluateOutput{Parties: r.Parties, Reservation: r.Reservation, Evaluation: *e}, "", nil
}

// ForecastInput is forecast's input.
type ForecastInput struct {
	Source
	Model      string `json:"model,omitempty" jsonschema:"The forecast model."`
	Trajectory bool   `json:"trajectory,omitempty" jsonschema:"Return every round's positions; by default only the first and the last round."`
}

func (s *Server) forecast(_ context.Context, in ForecastInput) (*forecast.Result, string, error) {
	var (
		p   forecast.Problem
		err error
	)
	if in.Path != "" && in.Scenario == "" && forecast.IsProblemFile(in.Path) {
		var data []byte
		if data, err = s.root.ReadFile(in.Path); err != nil {
			return nil, "", err
		}
		p, err = forecast.Read(data, in.Path)
	} else {
		var l *loaded
		if l, err = s.load(in.Source); err != nil {
			return nil, "", err
		}
		p, err = forecast.FromScenario(l.s)
	}
	if err != nil {
		return nil, "", err
	}
	r, err := forecast.Run(p, in.Model, forecast.Options{})
	if err != nil {
		return nil, "", err
	}
	// The text is the CLI's, over the rounds returned.
	trimmed := false
	if n := len(r.Rounds); !in.Trajectory && n > 2 {
		r.Rounds, trimmed = []forecast.Round{r.Rounds[0], r.Rounds[n-1]}, true
	}
	var text bytes.Buffer
	if err := r.WriteTextWithAnchors(&text, p.Dimensions); err != nil {
		return nil, "", err
	}
	if trimmed {
		text.WriteString("\n(only the first and the last round are shown; set trajectory to true for every round)\n")
	}
	return r, text.String(), nil
}

// SessionInput is run_session's input.
type SessionInput struct {
	Source
	Negotiators            []string `json:"negotiators" jsonschema:"One built-in negotiator per negotiating party in scenario order, or one for all."`
	Protocol               string   `json:"protocol,omitempty" jsonschema:"The protocol."`
	Mediator               string   `json:"mediator,omitempty" jsonschema:"The mediator for the mediated and shuttle protocols (default broker when the scenario names a mediator party)."`
	Rounds                 int      `json:"rounds,omitempty" jsonschema:"The deadline in rounds."`
	Seed                   uint64   `json:"seed,omitempty" jsonschema:"The seed of the negotiators' random sources."`
	AnticipateRatification bool     `json:"anticipate_ratification,omitempty" jsonschema:"Parties whose deals need ratifying bargain over their expected utility P·u + (1−P)·rv, P the chance their own constituency ratifies the deal."`
}

func (s *Server) runSession(_ context.Context, in SessionInput) (*session.Result, string, error) {
	if in.Rounds < 1 || in.Rounds > MaxRounds {
		return nil, "", fmt.Errorf("rounds is %d; give 1 to %d", in.Rounds, MaxRounds)
	}
	if len(in.Negotiators) == 0 {
		return nil, "", fmt.Errorf("negotiators: give one built-in negotiator per party, or one for all: %s", strings.Join(negotiator.Names(negotiator.RoleParty), ", "))
	}
	l, err := s.load(in.Source)
	if err != nil {
		return nil, "", err
	}
	// No Outside: only built-in strategies are seated, so no spec can
	// start a program or open a connection.
	r, err := session.NewRunner(session.Config{
		Scenario:    l.s,
		Negotiators: in.Negotiators,
		Mediator:    in.Mediator,
		Protocol:    in.Protocol,
		Deadline:    protocol.Deadline{Rounds: in.Rounds},
		Seed:        in.Seed,

		AnticipateRatification: in.AnticipateRatification,
	})
	if err != nil {
		return nil, "", err
	}
	defer r.Close()
	if _, err := r.Play(in.Seed); err != nil {
		return nil, "", err
	}
	res := r.Result()
	return &res, "", nil
}
