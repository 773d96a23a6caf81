package plot

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
)

// TestOnlyPlotDraws: no package of the module but this one (and the CLI
// that calls it) depends on gonum.org/v1/plot, so that a user of the core
// (outcome, utility, scenario, analysis, protocol, negotiator, session,
// forecast) or of the tournament packages does not compile the drawing
// libraries. It asks `go list -deps` for every package's dependencies.
func TestOnlyPlotDraws(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on the PATH to list the packages' dependencies")
	}
	cmd := exec.Command(gobin, "list", "-deps=false", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...")
	cmd.Dir = shared.Root()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module, gonum = "github.com/parleyhq/parley/", "gonum.org/v1/plot"
	checked := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg := fields[0]
		rel := strings.TrimPrefix(pkg, module)
		if rel == "plot" || strings.HasPrefix(rel, "cmd/") {
			continue
		}
		checked[rel] = true
		for _, dep := range fields[1:] {
			if dep == gonum || strings.HasPrefix(dep, gonum+"/") {
				t.Errorf("%s depends on %s: drawing belongs in package plot", rel, dep)
				break
			}
		}
	}
	for _, core := range []string{"outcome", "utility", "scenario", "analysis", "protocol", "negotiator", "session", "forecast", "tournament"} {
		if !checked[core] {
			t.Errorf("go list did not list package %s", core)
		}
	}
}
