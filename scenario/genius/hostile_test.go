package genius

import (
	"strings"
	"testing"
)

// TestHostileXML: element nesting is bounded before the tree grows
// (issue 14, item 1); ids with control or invisible characters are
// refused where they stand, and a byte-order mark is accepted (item 6).
func TestHostileXML(t *testing.T) {
	_, err := ParseDomain(strings.NewReader(strings.Repeat("<objective>", 200_000)), "deep.xml")
	if err == nil || !strings.Contains(err.Error(), "deep.xml:1:1101: elements nested deeper than 100 levels") {
		t.Errorf("deep: %v", err)
	}
	bad := strings.Replace(okDomain, `value="red"`, `value="r&#x202e;ed"`, 1)
	_, err = ParseDomain(strings.NewReader(bad), "d.xml")
	if err == nil || !strings.Contains(err.Error(), `d.xml:5:5: value "r\u202eed" of issue "Colour" holds the invisible character U+202E`) {
		t.Errorf("bidi override in a value: %v", err)
	}
	bad = strings.Replace(okDomain, `name="Colour"`, `name="Colour&#x200b;"`, 1)
	_, err = ParseDomain(strings.NewReader(bad), "d.xml")
	if err == nil || !strings.Contains(err.Error(), `d.xml:4:3: issue name "Colour\u200b" holds the invisible character U+200B`) {
		t.Errorf("zero-width space in a name: %v", err)
	}
	if _, err := ParseDomain(strings.NewReader("\ufeff"+okDomain), "d.xml"); err != nil {
		t.Errorf("byte-order mark: %v", err)
	}
}
