package open

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/scenario"
)

// TestInRoot: names inside the root load, with messages that use the name
// as given; names that leave it by "..", as absolute paths or through a
// link (to a file or a folder) are refused before anything is read.
func TestInRoot(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(root, "sub"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ok, err := os.ReadFile("../testdata/ok.yaml")
	if err != nil {
		t.Fatal(err)
	}
	memo, err := os.ReadFile("../testdata/memo.txt")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(outside, "s.yaml"), string(ok))
	write(t, filepath.Join(outside, "memo.txt"), string(memo))
	write(t, filepath.Join(root, "sub", "s.yaml"), string(ok))
	write(t, filepath.Join(root, "sub", "memo.txt"), string(memo))
	write(t, filepath.Join(root, "bad.yaml"), "parley: 1\nissues: 3\n")
	for _, l := range [][2]string{{filepath.Join(outside, "s.yaml"), "out.yaml"}, {outside, "outdir"}, {"sub/s.yaml", "in.yaml"}} {
		if err := os.Symlink(l[0], filepath.Join(root, l[1])); err != nil {
			t.Skipf("no symbolic links: %v", err)
		}
	}
	for _, name := range []string{"sub/s.yaml", "in.yaml", filepath.Join(root, "sub", "s.yaml"), "sub/../sub/s.yaml"} {
		s, err := InRoot(root, name, scenario.Options{})
		if err != nil || s.Name != "Job offer" || len(s.Warnings) != 0 {
			t.Errorf("%s: %v (warnings %q)", name, err, s.Warnings)
		}
	}
	_, err = InRoot(root, "bad.yaml", scenario.Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "bad.yaml:2:") {
		t.Errorf("messages name the file as given: %v", err)
	}
	for _, name := range []string{"../outside/s.yaml", filepath.Join(outside, "s.yaml"), "out.yaml", "outdir/s.yaml", "outdir", "sub/../../outside/s.yaml"} {
		_, err := InRoot(root, name, scenario.Options{})
		if !errors.Is(err, ErrOutsideRoot) || !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzResolve: whatever name is given, Resolve either refuses it or
// returns a path inside the root, with links resolved.
//
//	go test ./scenario/open -run '^$' -fuzz Resolve -fuzztime 30s
func FuzzResolve(f *testing.F) {
	base := f.TempDir()
	root := filepath.Join(base, "root")
	if err := os.MkdirAll(filepath.Join(root, "a", "b"), 0o755); err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{filepath.Join(root, "a", "s.yaml"), filepath.Join(base, "secret.yaml")} {
		if err := os.WriteFile(p, []byte("parley: 1\n"), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	os.Symlink(filepath.Join(base, "secret.yaml"), filepath.Join(root, "out.yaml"))
	os.Symlink(base, filepath.Join(root, "up"))
	os.Symlink("a/s.yaml", filepath.Join(root, "in.yaml"))
	r, err := OpenRoot(root)
	if err != nil {
		f.Fatal(err)
	}
	defer r.Close()
	for _, s := range []string{"a/s.yaml", "../secret.yaml", "out.yaml", "up/secret.yaml", "in.yaml", "a/b/../../in.yaml", ".", "", "/", root + "/a", base + "/secret.yaml", "a//b/./..", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		full, rel, err := r.Resolve(name)
		if err != nil {
			return
		}
		p, err := filepath.Rel(r.Dir(), full)
		if err != nil || !(filepath.IsLocal(p) || p == ".") || p != rel {
			t.Fatalf("%q resolved to %s (rel %s), outside the root %s", name, full, rel, r.Dir())
		}
		if real, err := filepath.EvalSymlinks(full); err != nil || real != full {
			t.Fatalf("%q resolved to %s, which still holds a link (%s)", name, full, real)
		}
	})
}
