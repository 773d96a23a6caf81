package scenario

import (
	"math"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// TestRatificationBodiesLoad (issue 16, finding 7): a party's ratification
// may be a list of bodies (a parliament and a referendum); the parliament's
// deputies judge a deal by their own weights and values, and the
// referendum votes in two communities that must each consent. On main the
// list is refused (ratification must be a mapping).
func TestRatificationBodiesLoad(t *testing.T) {
	s := mustLoad(t, "testdata/ratify.yaml")
	r := s.Parties[0].Ratification
	if r == nil || len(r.Bodies) != 2 || r.Names() != "parliament and referendum" {
		t.Fatalf("ratification %+v", r)
	}
	parl, ref := &r.Bodies[0], &r.Bodies[1]
	if parl.Utility == nil || parl.Uncertainty != 0.03 || parl.When != nil {
		t.Fatalf("parliament %+v", parl)
	}
	// Land kept, autonomy given: worth 0.82 to ua's leader, 0.4·1 + 0.6·0
	// = 0.4 to the deputies, whose yes share decides.
	o := []int{0, 1}
	u := s.Utility(0).Utility(o)
	if !near(u, 0.82) || !near(parl.Utility.Raw(o), 0.4) {
		t.Fatalf("utilities: leader %v, deputies %v", u, parl.Utility.Raw(o))
	}
	share := 0.5 * math.Erfc(-((0.4-0.5)/0.15)/math.Sqrt2)
	if got := parl.Share(o, u); math.Abs(got-share) > 1e-12 {
		t.Errorf("parliament's share %v, want %v (the deputies' utility, not the leader's)", got, share)
	}
	if ref.Required(o) || !ref.Required([]int{1, 0}) {
		t.Error("the referendum is held only when land is given up")
	}
	if ref.Need != 1 || len(ref.Communities) != 2 || ref.Communities[0].Threshold != 0.5 || ref.Communities[1].Threshold != 0.4 || ref.Communities[1].Weight != 0.4 {
		t.Errorf("referendum %+v", ref)
	}
	// held: west 0.4, east 0.7; overall 0.52, but west does not consent.
	if got := ref.Margin([]int{1, 0}, 0); !near(got, -0.1) {
		t.Errorf("referendum margin %v, want -0.1", got)
	}
	for _, d := range s.Defaults {
		if d.Path == "parties[0].ratification[1].uncertainty" {
			return
		}
	}
	t.Errorf("the referendum's default polling error is not listed: %v", s.Defaults)
}

// TestRatificationErrors: every misuse of bodies, communities and
// constituency utilities is positioned.
func TestRatificationErrors(t *testing.T) {
	cases := []mutation{
		{"unnamed body", "      - body: referendum\n", "      - body: \"\"\n", `testdata/x.yaml:28:13: body 2 of the ratification of "ua" needs a name`},
		{"same name", "      - body: referendum\n", "      - body: parliament\n", `testdata/x.yaml:28:15: the ratification of "ua" has two bodies named "parliament" (1 and 2)`},
		{"weights sum", "            weight: 0.4\n", "            weight: 0.5\n", `the weights of the communities of the referendum of "ua" sum to 1.1`},
		{"both consents", "        cross_community: true\n", "        cross_community: true\n        double_majority: {share: 0.5}\n", `the referendum of "ua" asks for both a double majority and cross-community consent`},
		{"consent without communities", "        voters: {mean: 0.5, sd: 0.15}\n", "        voters: {mean: 0.5, sd: 0.15}\n        cross_community: true\n", `the parliament of "ua" asks for the consent of communities but has none`},
		{"voters in body and communities", "        cross_community: true\n", "        cross_community: true\n        voters: {mean: 0.5, sd: 0.1}\n", `the referendum of "ua" votes in communities, so its voters are theirs`},
		{"community without voters", "            support: {land: {none: 1, held: 0.7, ceded: 0.5}}\n", "", `community "east" of the referendum of "ua" has no voters: give support or voters`},
		{"one community", "          - id: east\n            weight: 0.4\n            threshold: 0.4\n            support: {land: {none: 1, held: 0.7, ceded: 0.5}}\n", "", `the referendum of "ua" votes in 1 community; give at least two`},
		{"twice", "          - id: east\n", "          - id: west\n", `community "west" appears twice in the referendum of "ua"`},
		{"weights without voters", "        voters: {mean: 0.5, sd: 0.15}\n", "", `the parliament of "ua" gives its voters their own weights and values but no voters: {mean, sd}`},
		{"voters' weights sum", "          autonomy: 0.6\n", "          autonomy: 0.7\n", `the weights of "the voters in the parliament of \"ua\"" sum to 1.1; they must sum to 1`},
		{"voters' unknown issue", "          autonomy: {\"no\": 1, \"yes\": 0}\n", "          autonomy: {\"no\": 1, \"yes\": 0}\n          border: {\"no\": 1}\n", `values unknown issue "border"`},
		{"double majority share", "        cross_community: true\n", "        double_majority: {share: 1.5}\n", `the share of communities the referendum of "ua" needs is 1.5; it must be between 0 and 1`},
		{"empty list", "    ratification:\n      - body: parliament", "    ratification: []\n    old:\n      - body: parliament", `the ratification of "ua" lists no body`},
		{"unknown field", "        cross_community: true\n", "        cross_comunity: true\n", `unknown field "cross_comunity" in parties[0].ratification[1]`},
		{"nested list", "      - body: parliament\n", "      - [a]\n      - body: parliament\n", `parties[0].ratification[0] must be a mapping {body, threshold, ...}, found a list`},
	}
	checkMutations(t, "testdata/ratify.yaml", cases)
}

// TestRatificationFileWrittenBack: a decoded file with bodies writes back
// as a list, and a single body as the mapping it was; both read back to
// the same votes; the schema accepts both forms.
func TestRatificationFileWrittenBack(t *testing.T) {
	for _, name := range []string{"testdata/ratify.yaml", "testdata/rules.yaml"} {
		data := mustRead(t, name)
		if err := validateSchema(t, data); err != nil {
			t.Errorf("%s fails the schema: %v", name, err)
		}
		f, err := DecodeFile(data, name)
		if err != nil {
			t.Fatal(err)
		}
		out, err := yaml.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		list := strings.Contains(string(out), "ratification:\n  - body:") || strings.Contains(string(out), "ratification:\n    - body:")
		if want := name == "testdata/ratify.yaml"; list != want {
			t.Errorf("%s written back as a list: %v, want %v\n%s", name, list, want, out)
		}
		a := mustLoad(t, name)
		b, err := Parse(out, name)
		if err != nil {
			t.Fatalf("%s written back does not read: %v\n%s", name, err, out)
		}
		for p := range a.Parties {
			ra, rb := a.Parties[p].Ratification, b.Parties[p].Ratification
			if (ra == nil) != (rb == nil) {
				t.Fatalf("%s: party %d ratification %v / %v", name, p, ra, rb)
			}
			if ra == nil {
				continue
			}
			_ = a.Space().Enumerate(0, func(o []int) bool {
				u := a.Utility(p).Utility(o)
				if x, y := ra.Prob(o, u), rb.Prob(o, u); x != y {
					t.Errorf("%s %v: probability %v read back as %v", name, o, x, y)
				}
				return true
			})
		}
	}
}
