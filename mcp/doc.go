// Package mcp serves parley's negotiation maths to language-model agents as
// Model Context Protocol tools (`parley mcp`), over stdio or streamable HTTP,
// with the official Go SDK.
//
// Every tool takes a scenario as text (parley's YAML or JSON format) or as a
// path inside the server's root folder, and calls the library functions the
// CLI calls: validating is scenario loading, analysing is analysis.Analyze
// (and the what-if), evaluating is analysis.Report.Evaluate, forecasting is
// forecast.Run, running a session is session.Runner. Nothing outside the
// root is read (scenario/open.Root), no program is started (sessions seat
// built-in negotiators only), and every input is bounded (see the Max
// constants). A bad input or a failed computation is a tool error carrying
// the same message the CLI prints; the server itself never stops for one.
package mcp
