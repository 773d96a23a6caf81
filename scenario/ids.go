package scenario

import "github.com/parleyhq/parley/internal/printable"

// IDProblem says why id cannot name an issue, option, party or any other
// thing of a scenario, or returns "" when it can. Ids are matched exactly
// and printed in every report, so they hold no control or invisible
// characters: an id with ESC sequences rewrites the terminal, and
// "employer" and "employer\u200b" look the same but differ. Every reader
// of scenarios (YAML, Genius, GeniusWeb) applies this rule.
func IDProblem(id string) string {
	if p := printable.Check(id); p != "" {
		return "holds " + p + "; ids must be visible text"
	}
	return ""
}
