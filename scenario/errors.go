package scenario

import "github.com/parleyhq/parley/diag"

// The positioned errors of scenario files are those of package diag; these
// names keep scenario.Pos, scenario.Error and scenario.ErrorList working for
// the importers and the tournament spec that use them.
type (
	// Pos is a position in a file; Line and Col start at 1 (0 means unknown).
	Pos = diag.Pos
	// Error is one problem found in an input file.
	Error = diag.Error
	// ErrorList collects every problem found in a file, in position order.
	ErrorList = diag.List
)
