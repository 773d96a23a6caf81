package cluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley/tournament/store"
)

// manifest is what a worker needs to play a job's shards: what to play
// and where its files are (objects of the bucket named by their SHA-256).
// It is an object itself, and each shard names it by its SHA-256, so that
// a worker never plays a shard with another job's files.
type manifest struct {
	Kind    string `json:"kind"`    // "tournament" or "sweep"
	Job     string `json:"job"`     // the job's id
	Version string `json:"version"` // the coordinator's parley

	// A tournament: the spec's text and file name (for positions in
	// messages), its name, its canonical form (which the worker's plan
	// must equal), each scenario's files in plan order, and the layout of
	// the coordinator's store's records.
	Spec      string          `json:"spec,omitempty"`
	SpecFile  string          `json:"spec_file,omitempty"`
	Name      string          `json:"name,omitempty"`
	Canonical json.RawMessage `json:"canonical,omitempty"`
	Scenarios []scenarioFiles `json:"scenarios,omitempty"`
	Layout    *store.Layout   `json:"layout,omitempty"`

	// A sweep: the scenario file and the sensitivity options.
	Sweep *sweepJob `json:"sweep,omitempty"`
}

// scenarioFiles are the files of one scenario: a file (Dir false, one
// file named Base) or a folder named Base holding Files.
type scenarioFiles struct {
	Base  string    `json:"base"`
	Dir   bool      `json:"dir"`
	Files []fileRef `json:"files"`
}

// fileRef is one file: its path (in its scenario's folder, slash
// separated), its SHA-256 (its object's name is sha256/HEX) and size.
type fileRef struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Bounds on what a scenario folder ships: parley reads a few files of a
// domain folder, and a folder of thousands is a mistake.
const (
	maxFiles     = 10_000
	maxShipBytes = 1 << 30
)

// objectName is the object of content with this SHA-256.
func objectName(sum string) string { return "sha256/" + sum }

// putBytes puts data in the bucket under its SHA-256 (unless it is there)
// and returns the hash.
func putBytes(ctx context.Context, obs jetstream.ObjectStore, data []byte) (string, error) {
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	if _, err := obs.GetInfo(ctx, objectName(sum)); err == nil {
		return sum, nil
	}
	if _, err := obs.PutBytes(ctx, objectName(sum), data); err != nil {
		return "", fmt.Errorf("putting %d bytes in NATS object store %s: %w", len(data), Bucket, err)
	}
	return sum, nil
}

// putFile puts a file in the bucket under its SHA-256 and returns its
// reference.
func putFile(ctx context.Context, obs jetstream.ObjectStore, path, rel string) (fileRef, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileRef{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fileRef{}, err
	}
	ref := fileRef{Path: filepath.ToSlash(rel), SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	if _, err := obs.GetInfo(ctx, objectName(ref.SHA256)); err == nil {
		return ref, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return ref, err
	}
	if _, err := obs.Put(ctx, jetstream.ObjectMeta{Name: objectName(ref.SHA256)}, f); err != nil {
		return ref, fmt.Errorf("putting %s in NATS object store %s: %w", path, Bucket, err)
	}
	return ref, nil
}

// putScenario puts the files of the scenario at path in the bucket: the
// file itself, or every regular file in its folder and the folders below.
func putScenario(ctx context.Context, obs jetstream.ObjectStore, path string) (scenarioFiles, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return scenarioFiles{}, err
	}
	sf := scenarioFiles{Base: filepath.Base(path), Dir: fi.IsDir()}
	if !fi.IsDir() {
		ref, err := putFile(ctx, obs, path, sf.Base)
		sf.Files = []fileRef{ref}
		return sf, err
	}
	var total int64
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		fi, err := os.Stat(p) // a link to a regular file counts as one
		if err != nil || !fi.Mode().IsRegular() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		if total += fi.Size(); len(sf.Files) >= maxFiles || total > maxShipBytes {
			return fmt.Errorf("%s holds more than %d files or %d bytes: too many to send to workers", path, maxFiles, maxShipBytes)
		}
		rel, err := filepath.Rel(path, p)
		if err != nil {
			return err
		}
		ref, err := putFile(ctx, obs, p, rel)
		if err != nil {
			return err
		}
		sf.Files = append(sf.Files, ref)
		return nil
	})
	return sf, err
}

// putManifest puts m in the bucket and returns its SHA-256.
func putManifest(ctx context.Context, obs jetstream.ObjectStore, m *manifest) (string, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	return putBytes(ctx, obs, data)
}

// fetcher brings objects of the bucket into a worker's cache folder:
// files/HEX, each checked against its hash.
type fetcher struct {
	obs   jetstream.ObjectStore
	cache string
}

// bytes returns the content of object sum, from the cache when it is
// there.
func (f *fetcher) bytes(ctx context.Context, sum string) ([]byte, error) {
	path, err := f.file(ctx, sum)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// file is the path in the cache of the content with hash sum, fetched
// first if it is not there.
func (f *fetcher) file(ctx context.Context, sum string) (string, error) {
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return "", fmt.Errorf("%q is not a SHA-256", sum)
	}
	dir := filepath.Join(f.cache, "files")
	path := filepath.Join(dir, sum)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	data, err := f.obs.GetBytes(ctx, objectName(sum))
	if err != nil {
		if errors.Is(err, jetstream.ErrObjectNotFound) {
			return "", fmt.Errorf("file %.12s is not in NATS object store %s (was the job's coordinator stopped and its files removed?)", sum, Bucket)
		}
		return "", fmt.Errorf("fetching file %.12s from NATS object store %s: %w", sum, Bucket, err)
	}
	if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != sum {
		return "", fmt.Errorf("file %.12s from NATS object store %s does not match its hash", sum, Bucket)
	}
	tmp, err := os.CreateTemp(dir, sum+".*")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return path, nil
}

// manifest fetches and decodes manifest sum.
func (f *fetcher) manifest(ctx context.Context, sum string) (*manifest, error) {
	data, err := f.bytes(ctx, sum)
	if err != nil {
		return nil, err
	}
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("job manifest %.12s: %w", sum, err)
	}
	return &m, nil
}

// scenarios lays out the manifest's scenarios under dir (each in a folder
// of its own, named by its number, keeping its file's or folder's name)
// and returns their paths in plan order.
func (f *fetcher) scenarios(ctx context.Context, m *manifest, dir string) ([]string, error) {
	done := filepath.Join(dir, ".complete")
	paths := make([]string, len(m.Scenarios))
	for k, sc := range m.Scenarios {
		if !filepath.IsLocal(sc.Base) || strings.ContainsAny(sc.Base, `/\`) {
			return nil, fmt.Errorf("job manifest: scenario %d is named %q", k, sc.Base)
		}
		paths[k] = filepath.Join(dir, fmt.Sprint(k), sc.Base)
	}
	if _, err := os.Stat(done); err == nil {
		return paths, nil
	}
	// Laid out in a folder of its own, then renamed into place: workers
	// on one machine may share the cache.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".tmp*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for k, sc := range m.Scenarios {
		root := filepath.Join(tmp, fmt.Sprint(k))
		if sc.Dir {
			root = filepath.Join(root, sc.Base)
		}
		if err := os.MkdirAll(root, 0o755); err != nil {
			return nil, err
		}
		for _, ref := range sc.Files {
			rel := filepath.FromSlash(ref.Path)
			if !filepath.IsLocal(rel) || !sc.Dir && rel != sc.Base {
				return nil, fmt.Errorf("job manifest: scenario %d has a file at %q", k, ref.Path)
			}
			src, err := f.file(ctx, ref.SHA256)
			if err != nil {
				return nil, err
			}
			dst := filepath.Join(root, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return nil, err
			}
			if err := os.Link(src, dst); err != nil {
				if err := copyFile(src, dst); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(done); serr == nil {
			return paths, nil // another worker laid it out first
		}
		// A folder left half made by a worker that stopped.
		os.RemoveAll(dir)
		if err := os.Rename(tmp, dir); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}
