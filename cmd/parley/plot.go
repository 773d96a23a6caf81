package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// plotFormat is the image format a --plot path asks for: "png" or "svg",
// from its extension. Commands check it before their work, so that a
// mistyped name does not cost a long run.
func plotFormat(path string) (string, error) {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return "", fmt.Errorf("--plot %s: the file must end in .png or .svg", path)
	}
	return format, nil
}

// checkPlot checks an optional --plot path ("" is no plot).
func checkPlot(path string) error {
	if path == "" {
		return nil
	}
	_, err := plotFormat(path)
	return err
}

// writePlot draws a plot into path (replaced whole or left as it was).
func writePlot(path string, draw func(w io.Writer, format string) error) error {
	format, err := plotFormat(path)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, func(f *os.File) error { return draw(f, format) })
}

// plotAxes resolves --axes (x,y party ids; empty: the first two parties)
// to indices into parties.
func plotAxes(axes, parties []string) (x, y int, err error) {
	if len(axes) == 0 {
		if len(parties) < 2 {
			return 0, 0, fmt.Errorf("--plot needs two parties; the scenario has %d (%s)", len(parties), strings.Join(parties, ", "))
		}
		return 0, 1, nil
	}
	if len(axes) != 2 {
		return 0, 0, fmt.Errorf("--axes takes two party ids, as x,y; got %d", len(axes))
	}
	x, y = slices.Index(parties, axes[0]), slices.Index(parties, axes[1])
	if x < 0 || y < 0 {
		return 0, 0, fmt.Errorf("--axes %s: parties are %s", strings.Join(axes, ","), strings.Join(parties, ", "))
	}
	if x == y {
		return 0, 0, fmt.Errorf("--axes %s: give two different parties among %s", strings.Join(axes, ","), strings.Join(parties, ", "))
	}
	return x, y, nil
}
