package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEExamples runs every ```console block of README.md that starts
// with "$ parley ..." and checks that parley prints exactly what the README
// shows, so the documented messages cannot drift from the real ones.
func TestREADMEExamples(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := consoleBlocks(string(data))
	if len(blocks) == 0 {
		t.Fatal("README.md has no console examples")
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, b := range blocks {
		t.Run(b.cmd, func(t *testing.T) {
			args := strings.Fields(strings.TrimPrefix(b.cmd, "$ parley "))
			for _, a := range args {
				if strings.HasPrefix(a, "../shared") {
					if _, err := os.Stat(a); err != nil {
						t.Skipf("%s is absent", a)
					}
				}
			}
			_, out, errs := runCLI(args...)
			if got := out + errs; got != b.want {
				t.Errorf("README shows:\n%s\nparley prints:\n%s", b.want, got)
			}
		})
	}
}

type consoleBlock struct{ cmd, want string }

func consoleBlocks(readme string) []consoleBlock {
	var blocks []consoleBlock
	parts := strings.Split(readme, "```console\n")
	for _, p := range parts[1:] {
		body, _, ok := strings.Cut(p, "```")
		if !ok {
			continue
		}
		cmd, want, _ := strings.Cut(body, "\n")
		if strings.HasPrefix(cmd, "$ parley ") {
			blocks = append(blocks, consoleBlock{cmd: cmd, want: want})
		}
	}
	return blocks
}
