package main

import (
	"errors"
	"io"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/scenario/negmas"
	"github.com/parleyhq/parley/scenario/open"
)

// negmasFigures computes NegMAS's own figures when path is a NegMAS
// scenario folder (nil otherwise, or with a note when the space is too
// large for them), so that analyze shows what NegMAS's _stats would.
func negmasFigures(path string) (*negmas.Stats, string, error) {
	if open.Format(path) != "negmas" {
		return nil, "", nil
	}
	f, err := negmas.ReadDir(path)
	if err != nil {
		return nil, "", err
	}
	st, err := f.Stats()
	if errors.Is(err, negmas.ErrTooLarge) {
		return nil, "NegMAS's figures skipped: " + err.Error(), nil
	}
	return st, "", err
}

// withNegMAS is the JSON of analyze on a NegMAS folder: the report and,
// under "negmas", NegMAS's figures with the keys of its _stats.yaml.
type withNegMAS struct {
	*analysis.Report
	NegMAS *negmas.Stats `json:"negmas"`
}

// writeNegMAS writes NegMAS's figures after the text report.
func writeNegMAS(w io.Writer, r *analysis.Report, st *negmas.Stats) error {
	issues := make([]string, len(r.Issues))
	for i, is := range r.Issues {
		issues[i] = is.ID
	}
	return st.WriteText(w, r.Parties, issues)
}
