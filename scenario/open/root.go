package open

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/scenario"
)

// ErrOutsideRoot is wrapped by the errors of InRoot for a name that leads
// outside the root: by "..", as an absolute path, or through a symbolic link.
var ErrOutsideRoot = errors.New("outside the allowed root")

// InRoot loads the scenario at name, as PathWith does, for a caller that may
// read only inside the folder root: a server that takes paths from someone
// else. name is relative to root, or absolute and inside it. Nothing outside
// root is read: not the scenario, not the files of a Genius or GeniusWeb
// folder (their importers keep to the folder), not a scenario's source
// documents (read from its own folder and, through links that stay inside,
// from anywhere in root). Messages name the scenario file as name.
func InRoot(root, name string, opts scenario.Options) (*scenario.Scenario, error) {
	r, err := OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.Load(name, opts)
}

// A Root is a folder opened for InRoot, to load many scenarios from.
type Root struct {
	real string // the root's absolute path, symbolic links resolved
	abs  string // the root's absolute path as given
	fs   *os.Root
}

// OpenRoot opens the folder dir for loading scenarios inside it.
func OpenRoot(dir string) (*Root, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("root folder: %w", err)
	}
	r, err := os.OpenRoot(real)
	if err != nil {
		return nil, fmt.Errorf("root folder: %w", err)
	}
	return &Root{real: real, abs: abs, fs: r}, nil
}

// Close releases the root folder.
func (r *Root) Close() error { return r.fs.Close() }

// Dir is the root's absolute path, symbolic links resolved.
func (r *Root) Dir() string { return r.real }

// Load loads the scenario at name inside the root; see InRoot.
func (r *Root) Load(name string, opts scenario.Options) (*scenario.Scenario, error) {
	full, rel, err := r.Resolve(name)
	if err != nil {
		return nil, err
	}
	opts.SourceRoots = append(opts.SourceRoots, r.real)
	if !IsScenarioFile(full) {
		// A folder, or a GeniusWeb or Genius file: its importer reads only
		// inside its own folder, which lies in the root.
		return PathWith(full, opts)
	}
	data, err := safeio.ReadFileIn(r.fs, rel)
	if err != nil {
		return nil, fmt.Errorf("cannot open scenario: %w", err)
	}
	opts.Dir = filepath.Dir(full)
	return opts.Parse(data, name)
}

// ReadFile reads the regular file name inside the root (at most
// safeio.MaxFileSize bytes), refusing a name that leads outside it.
func (r *Root) ReadFile(name string) ([]byte, error) {
	_, rel, err := r.Resolve(name)
	if err != nil {
		return nil, err
	}
	return safeio.ReadFileIn(r.fs, rel)
}

// Resolve checks that name, relative to the root or absolute, leads to an
// existing file or folder inside the root, also after symbolic links, and
// returns its absolute path with every link resolved (so that reading it
// later follows no link that could be changed meanwhile) and its path
// relative to the root.
func (r *Root) Resolve(name string) (full, rel string, err error) {
	if name == "" {
		return "", "", errors.New("no path given")
	}
	outside := func(why string) error {
		return fmt.Errorf("%s: %s %w %s; paths are read only inside it", name, why, ErrOutsideRoot, r.abs)
	}
	rel = filepath.Clean(name)
	if filepath.IsAbs(name) {
		rel = ""
		for _, base := range []string{r.abs, r.real} {
			if p, err := filepath.Rel(base, name); err == nil && filepath.IsLocal(p) {
				rel = p
				break
			}
		}
		if rel == "" {
			return "", "", outside("the absolute path lies")
		}
	} else if !filepath.IsLocal(rel) {
		return "", "", outside("the path leads")
	}
	if _, err := r.fs.Stat(rel); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Err.Error() == "path escapes from parent" {
			return "", "", outside("a symbolic link on the way leads")
		}
		if errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("%s: no such file or folder in the root %s", name, r.abs)
		}
		return "", "", fmt.Errorf("%s: %w", name, err)
	}
	full, err = filepath.EvalSymlinks(filepath.Join(r.real, rel))
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", name, err)
	}
	if p, err := filepath.Rel(r.real, full); err != nil || !(filepath.IsLocal(p) || p == ".") {
		return "", "", outside("it resolves to a place")
	}
	rel, _ = filepath.Rel(r.real, full)
	return full, rel, nil
}
