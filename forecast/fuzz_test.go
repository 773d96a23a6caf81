package forecast

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func addSeeds(f *testing.F, names ...string) {
	sh := sharedDirOK()
	for _, n := range names {
		if sh == "" {
			return
		}
		if data, err := os.ReadFile(filepath.Join(sh, n)); err == nil {
			f.Add(data)
		}
	}
}

// FuzzReadCSV asserts the CSV readers and the models on what they accept never panic.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte(goodCSV))
	f.Add([]byte("Actor,Capability,Position,Salience\nA,1,4,80\nB,2,7,40\n"))
	f.Add([]byte("x,\"y,3,1\n"))
	addSeeds(f, "ktab/dummyData_3Dim.csv", "ktab/dummyData_3Dim-no-final-comma.csv", "ktab/SOE-Pol-Comp.csv", "eum/emission_EC_actors.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		readers := []func() (Problem, error){
			func() (Problem, error) { return ReadKTABCSV(bytes.NewReader(data), "f.csv") },
			func() (Problem, error) { return ReadTable(bytes.NewReader(data), "f.csv") },
		}
		for _, read := range readers {
			p, err := read()
			if err != nil {
				if err.Error() == "" {
					t.Fatal("empty error message")
				}
				continue
			}
			runSmall(t, p)
		}
	})
}

// FuzzReadXML asserts the KTAB XML reader never panics.
func FuzzReadXML(f *testing.F) {
	f.Add([]byte("<Scenario><name>x</name></Scenario>"))
	f.Add([]byte("<Scenario><Dimensions><dName>a</dName></Dimensions><Actors><Actor><name>A</name></Actor></Actors></Scenario>"))
	addSeeds(f, "ktab/dummyData_3Dim.xml", "ktab/smpExample.xml")
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadKTABXML(bytes.NewReader(data), "f.xml")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		runSmall(t, p)
	})
}

// FuzzReadBacktest asserts the backtest reader and Backtest never panic.
func FuzzReadBacktest(f *testing.F) {
	f.Add([]byte(goodBacktest))
	f.Add([]byte(strings.ReplaceAll(goodBacktest, ",", "\t")))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, comma := range []rune{',', '\t'} {
			d, err := ReadBacktest(bytes.NewReader(data), "f.csv", comma)
			if err != nil {
				if err.Error() == "" {
					t.Fatal("empty error message")
				}
				continue
			}
			small := len(d.Issues) <= 4
			for _, is := range d.Issues {
				small = small && len(is.Actors) <= 8
			}
			if small {
				if _, err := Backtest(d, nil, Options{}); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// runSmall runs every model on small accepted problems: they must not panic.
func runSmall(t *testing.T, p Problem) {
	if len(p.Actors) > 8 || len(p.Dimensions) > 4 {
		return
	}
	for _, m := range ModelNames() {
		opts := Options{}
		if m == "smp" {
			par := DefaultSMPParams()
			if p.SMP != nil {
				par = p.SMP.withDefaults()
			}
			par.MaxIter = 5
			par.MinIter = min(par.MinIter, 5)
			opts.SMP = &par
		}
		opts.EUM.Rounds = 3
		res, err := Run(p, m, opts)
		if err == nil {
			var b bytes.Buffer
			if err := res.WriteText(&b); err != nil {
				t.Fatal(err)
			}
		}
	}
}
