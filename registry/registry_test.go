package registry

import (
	"strings"
	"testing"
)

type thing struct {
	Entry
	n int
}

func list() *List[thing] {
	return New("widget",
		thing{Entry: Entry{Name: "alpha", Doc: "first", Params: []Param{{Name: "e", Default: 1}, {Name: "k", Default: 0.5}}}, n: 1},
		thing{Entry: Entry{Name: "beta", Doc: "second"}, n: 2})
}

func TestLookup(t *testing.T) {
	l := list()
	if it, err := l.Lookup("beta"); err != nil || it.n != 2 {
		t.Errorf("beta: %+v %v", it, err)
	}
	_, err := l.Lookup("alpah")
	if err == nil || err.Error() != `unknown widget "alpah" (did you mean "alpha"?); widgets: alpha, beta` {
		t.Errorf("typo: %v", err)
	}
	if got := strings.Join(l.Names(), ","); got != "alpha,beta" {
		t.Errorf("names %s", got)
	}
}

func TestParse(t *testing.T) {
	l := list()
	sp, err := l.Parse(" Alpha:k=0.25 ")
	if err != nil || sp.Item.n != 1 || sp.Params["e"] != 1 || sp.Params["k"] != 0.25 {
		t.Fatalf("%+v %v", sp, err)
	}
	if s := sp.String(); s != "alpha:k=0.25" {
		t.Errorf("String %q", s)
	}
	for spec, want := range map[string]string{
		"alpha:f=2":       `alpha has no parameter "f" (did you mean "e"?); its parameters: e (default 1), k (default 0.5)`,
		"alpha:e":         `parameter "e" should be name=value`,
		"alpha:e=NaN":     `parameter e="NaN" is not a finite number`,
		"alpha:e=inf":     `parameter e="inf" is not a finite number`,
		"alpha:e=x":       `parameter e="x" is not a finite number`,
		"alpha:e=1:e=2":   `parameter e is given twice`,
		"gamma":           `unknown widget "gamma"`,
		"beta:e=1":        `beta has no parameter "e"; its parameters: none`,
		"alpha:k=1:e=0.2": "",
	} {
		_, err := l.Parse(spec)
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", spec, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", spec, err, want)
		}
	}
}

func TestAddRefusesDuplicates(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a duplicate name was accepted")
		}
	}()
	l := list()
	l.Add(thing{Entry: Entry{Name: "beta"}})
}

func TestOr(t *testing.T) {
	for in, want := range map[string]string{"": "", "a": "a", "a,b": "a or b", "a,b,c": "a, b or c"} {
		var ns []string
		if in != "" {
			ns = strings.Split(in, ",")
		}
		if got := Or(ns); got != want {
			t.Errorf("Or(%q) = %q", in, got)
		}
	}
}
