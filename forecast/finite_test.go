package forecast

import (
	"strings"
	"testing"
)

// TestNonFiniteRefused: extreme capabilities and all-zero saliences used to
// print NaN or +Inf forecasts with exit 0 (and break --json); now the input
// is refused, or the result is an error that says why.
func TestNonFiniteRefused(t *testing.T) {
	huge := "Actor,Capability,Position,Salience\nA,1e308,4,80\nB,1e308,70,40\nC,0.03,90,20\n"
	deaf := "Actor,Capability,Position,Salience\nA,0.5,4,0\nB,0.4,70,0\nC,0.03,90,0\n"
	big := "Actor,Capability,Position,Salience\nA,1e50,4,80\nB,1e50,70,40\nC,1e-50,90,20\n"
	read := func(s string) Problem {
		p, err := ReadTable(strings.NewReader(s), "t.csv")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := ReadTable(strings.NewReader(huge), "t.csv"); err == nil || !strings.Contains(err.Error(), "t.csv:2: actor A: capability 1e+308 is more than 1e+50") {
		t.Errorf("huge capabilities: %v", err)
	}
	for _, m := range ModelNames() {
		r, err := Run(read(big), m, Options{})
		if err != nil {
			t.Errorf("%s, capabilities up to 1e50: %v", m, err)
		} else if err := r.checkFinite(&Problem{}); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
	_, err := Run(read(deaf), "eum", Options{})
	if err == nil || !strings.Contains(err.Error(), `eum: the forecast of Issue 1 is NaN, not a number; the likely cause: no actor cares about dimension "Issue 1"`) {
		t.Errorf("eum, no salience: %v", err)
	}
}
