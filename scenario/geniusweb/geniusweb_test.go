package geniusweb

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

func TestLoadDirLaptop(t *testing.T) {
	s, err := LoadDir(filepath.Join("testdata", "laptop"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "laptop" {
		t.Errorf("name %q", s.Name)
	}
	if len(s.Parties) != 2 || s.Parties[0].ID != "buyer" || s.Parties[1].ID != "seller" || s.Parties[1].Name != "seller" {
		t.Fatalf("parties %+v", s.Parties)
	}
	var names []string
	for _, is := range s.Issues {
		names = append(names, is.Name)
	}
	if got := strings.Join(names, ","); got != "Laptop,Harddisk,Price,Weight" {
		t.Errorf("issues %s (file order expected)", got)
	}
	if is := s.Issues[2]; is.Kind != scenario.Integer || is.Min != 500 || is.Max != 900 || is.Size() != 401 {
		t.Errorf("Price %+v", is)
	}
	if is := s.Issues[3]; is.Kind != scenario.Real || is.Min != 1 || is.Max != 2 || is.Steps != 5 || is.Number(2) != 1.5 {
		t.Errorf("Weight %+v", is)
	}
	if o := s.Issues[1].Options; len(o) != 3 || o[2].ID != "120 Gb" || o[2].Label != "120 Gb" {
		t.Errorf("Harddisk options %+v", o)
	}
	b, sel := s.Utility(0), s.Utility(1)
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %.17g, want %.17g", what, got, want)
		}
	}
	near("buyer e(Laptop=Macintosh)", b.Evals[0][1], 1)
	near("buyer e(Price=500)", b.Evals[2][0], 1)
	near("buyer e(Price=900)", b.Evals[2][400], 0.2)
	near("buyer e(Price=700)", b.Evals[2][200], 0.6)
	near("buyer e(Weight=1.5)", b.Evals[3][2], 0.5)
	near("seller e(Harddisk=80 Gb)", sel.Evals[1][1], 0.75)
	near("seller e(Price=600)", sel.Evals[2][100], 0.25)
	near("seller e(Weight=1.75)", sel.Evals[3][3], 0.5)
	// Reservation = u(HP, 80 Gb, 900, 1.5) = 0.4*0.25 + 0.3*0.5 + 0.2*0.2 + 0.1*0.5.
	near("buyer reservation", b.Reservation, 0.4*0.25+0.3*0.5+0.2*0.2+0.1*0.5)
	near("seller reservation", sel.Reservation, 0)
	if b.Discount != 1 || sel.Discount != 1 {
		t.Errorf("discounts %v %v", b.Discount, sel.Discount)
	}
	hi, o := b.Max()
	near("buyer max", hi, 1)
	if o[0] != 1 || o[1] != 2 || o[2] != 0 || o[3] != 0 {
		t.Errorf("buyer best outcome %v", o)
	}
	lo, _ := sel.Min()
	near("seller min", lo, 0.25*0.2+0.25*0.5+0+0)
	if got := b.Weights; got[0] != 0.4 || got[3] != 0.1 {
		t.Errorf("weights %v", got)
	}
}

func TestDomainsMustMatch(t *testing.T) {
	_, err := LoadDir(filepath.Join("testdata", "mismatch"))
	if err == nil || !strings.Contains(err.Error(), "b.json") || !strings.Contains(err.Error(), "all profiles must share one domain") ||
		!strings.Contains(err.Error(), `issue "Laptop" has other values`) {
		t.Fatalf("err = %v", err)
	}
}

func TestMalformedProfiles(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "laptop", "buyer.json"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, old, new string
		want           []string
	}{
		{"syntax", `"name": "buyer",`, `"name": "buyer" x`, []string{"p.json:19:21: JSON syntax error"}},
		{"missing utility", `"Dell": 0.6, `, ``, []string{`p.json:4:54: issue "Laptop": value "Dell" has no utility`}},
		{"out of range and unknown", `"60 Gb": 0,`, `"60 Gb": 1.5, "70 Gb": 1,`, []string{
			`p.json:5:66: issue "Harddisk": utility of value "60 Gb" must be a number in [0, 1]`,
			`p.json:5:80: issue "Harddisk": value "70 Gb" is not in the domain`}},
		{"weights", `"Weight": 0.1}`, `"Weight": 0.2}`, []string{"p.json:9:21: issue weights sum to 1.1"}},
		{"missing weight", `, "Weight": 0.1}`, `}`, []string{`p.json:9:21: issue "Weight" has no weight`}},
		{"number on discrete", `"Laptop": {"discreteutils"`, `"Laptop": {"numberutils"`, []string{`issue "Laptop" is discrete in the domain but has number utilities`}},
		{"bounds", `"lowValue": 500, "lowUtility": 1`, `"lowValue": 400, "lowUtility": 1`, []string{`p.json:6:32: issue "Price": utilities are given for [400, 900] but the domain range is [500, 900]`}},
		{"reservation", `"Price": 900, "Weight": 1.5`, `"Price": 901, "Weight": 1.5`, []string{`reservationBid value 901 of issue "Price" is not in the domain`}},
		{"huge range", `"Price": {"range": {"low": 500, "high": 900, "step": 1}}`, `"Price": {"range": {"low": 0, "high": 1e12, "step": 1}}`, []string{`issue "Price" has 1000000000001 values; parley accepts at most 1000000`}},
		{"other type", `"LinearAdditiveUtilitySpace"`, `"SumOfGroupsUtilitySpace"`, []string{`profile type "SumOfGroupsUtilitySpace" is not supported`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(string(good), c.old, c.new, 1)
			if src == string(good) {
				t.Fatalf("replacement %q not found", c.old)
			}
			_, err := ParseProfile(strings.NewReader(src), "p.json")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func FuzzLoadJSON(f *testing.F) {
	for _, p := range []string{"laptop/buyer.json", "laptop/seller.json", "laptop/laptop_domain.json", "mismatch/b.json"} {
		if b, err := os.ReadFile(filepath.Join("testdata", p)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"LinearAdditiveUtilitySpace": {"domain": {"issuesValues": {"a": {"range": {"low": 0, "high": 1e300, "step": 1e-300}}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(bytes.NewReader(data), "f.json")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if len(p.Issues) == 0 || len(p.Prefs.Weights) != len(p.Issues) || len(p.Prefs.Values) != len(p.Issues) {
			t.Fatalf("%d issues, %d weights, %d values", len(p.Issues), len(p.Prefs.Weights), len(p.Prefs.Values))
		}
		for _, is := range p.Issues {
			if n := is.Size(); n <= 0 || n > MaxIssueValues {
				t.Fatalf("issue %q has %d values", is.Name, n)
			}
		}
	})
}
