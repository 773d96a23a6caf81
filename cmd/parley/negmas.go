package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

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
	if err != nil || f.Files.Stats == "" {
		return st, "", err
	}
	// The folder's own _stats, as NegMAS wrote them: say whether they agree.
	ref, err := negmas.ReadStats(filepath.Join(path, f.Files.Stats))
	if err != nil {
		return st, fmt.Sprintf("%s could not be read to compare: %v", f.Files.Stats, err), nil
	}
	if d := st.Diff(ref, 1e-9); len(d) > 0 {
		return st, fmt.Sprintf("NegMAS's figures differ from the folder's %s: %s", f.Files.Stats, strings.Join(d, "; ")), nil
	}
	return st, fmt.Sprintf("NegMAS's figures agree with the folder's %s (utilities to 1e-9, outcomes exactly)", f.Files.Stats), nil
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
