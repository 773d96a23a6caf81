package open

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
)

func TestPathPicksTheReader(t *testing.T) {
	s, err := Path("../testdata/ok.yaml")
	if err != nil || s.Name != "Job offer" {
		t.Fatalf("parley YAML: %v, %+v", err, s)
	}
	s, err = Path("../geniusweb/testdata/laptop")
	if err != nil || len(s.Parties) < 2 {
		t.Fatalf("GeniusWeb folder: %v", err)
	}
	laptop := shared.Dir(t, "domains", "ANAC2011_Laptop")
	s, err = Path(laptop)
	if err != nil || len(s.Parties) != 2 || s.Parties[0].ID != "laptop_buyer_utility" {
		t.Fatalf("Genius folder: %v", err)
	}
	if _, err := Path(filepath.Join(laptop, "laptop_domain.xml")); err == nil || !strings.Contains(err.Error(), "give the folder") {
		t.Errorf("one Genius file: %v", err)
	}
}

func TestPathErrors(t *testing.T) {
	if _, err := Path("no/such/file.yaml"); err == nil || !strings.Contains(err.Error(), "cannot open scenario") {
		t.Errorf("missing file: %v", err)
	}
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("hi"), 0o644)
	if _, err := Path(empty); err == nil || !strings.Contains(err.Error(), "holds no Genius XML") {
		t.Errorf("empty folder: %v", err)
	}
	if _, err := Paths([]string{"../testdata/ok.yaml", "../testdata/spatial.yaml"}); err == nil || !strings.Contains(err.Error(), "GeniusWeb") {
		t.Errorf("two parley files: %v", err)
	}
}
