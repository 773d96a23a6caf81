package forecast

import (
	"strings"
	"testing"
)

// TestHostileKTABXML: the KTAB XML reader bounds element nesting (issue 14,
// item 1) through the XML tree it shares with the Genius importer.
func TestHostileKTABXML(t *testing.T) {
	_, err := ReadKTABXML(strings.NewReader("<Scenario>"+strings.Repeat("<x>", 100_000)), "deep.xml")
	if err == nil || !strings.Contains(err.Error(), "deep.xml:1:308: elements nested deeper than 100 levels") {
		t.Errorf("deep: %v", err)
	}
}
