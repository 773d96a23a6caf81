package leak

import (
	"strings"
	"testing"
)

var testSecrets = []secret{{value: 0.35, names: []string{"weight of t"}}, {value: 0.284, names: []string{"reservation value"}}, {value: 40, names: []string{"weight of s"}}}

// TestReadings: how numbers in text are read and compared.
func TestReadings(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string // said/kind/secret
	}{
		{"we weigh it 35%", []string{"35%/exact/weight of t"}},
		{"35 percent of our concern", []string{"35 percent/exact/weight of t"}},
		{"territory is worth 35 to us", nil}, // a bare whole number is no percentage
		{"round 35", nil},
		{"about 0.36", []string{"0.36/near/weight of t"}},
		{"our floor is .28", []string{".28/exact/reservation value"}},
		{"our floor is 0.3", []string{"0.3/near/reservation value"}},
		{"0.2840 exactly", []string{"0.2840/exact/reservation value"}},
		{"28.4% chance", []string{"28.4%/exact/reservation value"}},
		{"weights of 40 and 40.5", []string{"40/exact/weight of s", "40.5/near/weight of s"}},
		{"Article 5 guarantees", nil},
		{"v1.35 of the plan", nil},
		{"call 555-0135", nil},
	} {
		var got []string
		for _, m := range match(Said{Text: c.text}, testSecrets, map[string]bool{"5": true}, DefaultNear) {
			got = append(got, m.Said+"/"+m.Kind+"/"+m.Secret)
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%q: got %v, want %v", c.text, got, c.want)
		}
	}
}

// FuzzMatch: any text is read without a panic, and each quote is taken
// from the text.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"0.35", "35%", "−0.2 .5 1e3 99.999%", "ünïcode 0.35€", "\x00\xff 35 percent"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range match(Said{Text: s}, testSecrets, nil, DefaultNear) {
			q := strings.TrimSuffix(strings.TrimPrefix(m.Quote, "…"), "…")
			if !strings.Contains(s, q) {
				t.Fatalf("quote %q is not from %q", m.Quote, s)
			}
		}
	})
}
