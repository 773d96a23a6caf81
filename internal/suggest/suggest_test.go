package suggest

import "testing"

func TestClosest(t *testing.T) {
	cands := []string{"reservation", "discount", "weights", "boulware", "conceder"}
	for _, c := range []struct{ in, want string }{
		{"reservaton", "reservation"},
		{"bulware", "boulware"},
		{"wieghts", "weights"},
		{"xyz", ""},
		{"discount", "discount"},
	} {
		if got := Closest(c.in, cands); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got, want := Hint("bulware", cands), ` (did you mean "boulware"?)`; got != want {
		t.Errorf("Hint = %q, want %q", got, want)
	}
	if got := Hint("discount", cands); got != "" {
		t.Errorf("Hint of an exact name = %q, want none", got)
	}
}
