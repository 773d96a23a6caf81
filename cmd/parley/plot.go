package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
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
