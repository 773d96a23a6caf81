// Package safeio reads input files that may come from someone else. It reads
// regular files only: a device such as /dev/zero, which stat reports as
// empty, would be read forever, and opening a named pipe blocks until a
// writer appears. It reads at most a fixed number of bytes, so that no input
// file can exhaust memory. Every reader of parley's input files (scenarios,
// Genius and GeniusWeb files, tournament specs, forecast inputs, source
// documents) goes through it, so the rule is decided here once.
package safeio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxFileSize is the most bytes read from one input file. Scenario, Genius,
// GeniusWeb and forecast files are kilobytes; the largest reference domains
// are a few hundred.
const MaxFileSize = 32 << 20

// ReadFile reads the regular file at path, at most MaxFileSize bytes.
func ReadFile(path string) ([]byte, error) { return ReadFileLimit(path, MaxFileSize) }

// ReadFileLimit reads the regular file at path, refusing one larger than
// limit bytes (limit is capped at MaxFileSize).
func ReadFileLimit(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, path, limit)
}

// ReadFileIn reads the regular file name inside root (see os.Root: the name
// may not leave the root, not even through a symbolic link), at most
// MaxFileSize bytes.
func ReadFileIn(root *os.Root, name string) ([]byte, error) {
	if err := check(name)(root.Stat(name)); err != nil {
		return nil, err
	}
	f, err := root.OpenFile(name, os.O_RDONLY|nonblock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := check(name)(f.Stat()); err != nil {
		return nil, err
	}
	return readAll(f, name, MaxFileSize)
}

// Open opens the regular file at path for reading. It refuses anything
// else (a folder, a device, a named pipe, a socket), also behind a symbolic
// link, with a message that says what the path is. The file is checked
// before it is opened, so that no device is opened at all, and opened
// without blocking, so that a named pipe swapped in meanwhile cannot hang
// the caller; the open file is checked again.
func Open(path string) (*os.File, error) {
	if err := check(path)(os.Stat(path)); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|nonblock, 0)
	if err != nil {
		return nil, err
	}
	if err := check(path)(f.Stat()); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ErrNotRegular is wrapped by the errors of Open, ReadFile and ReadFileIn
// for a path that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// CheckRegular reports, as Open would, whether path (after symbolic links)
// is a regular file, without opening it.
func CheckRegular(path string) error {
	return check(path)(os.Stat(path))
}

// check returns a function that turns the result of a stat call on the
// file name into an error unless the file is a regular one.
func check(name string) func(fs.FileInfo, error) error {
	return func(fi fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return mode(name, fi.Mode())
	}
}

// mode returns an error unless m is the mode of a regular file.
func mode(name string, m fs.FileMode) error {
	var what string
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		what = "a folder"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		what = "a device"
	default:
		what = "a special file"
	}
	return fmt.Errorf("%s is %s, %w: parley reads input only from regular files", name, what, ErrNotRegular)
}

// readAll reads f to its end, at most limit bytes.
func readAll(f *os.File, name string, limit int64) ([]byte, error) {
	limit = min(limit, MaxFileSize)
	var buf bytes.Buffer
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && fi.Size() <= limit {
		buf.Grow(int(fi.Size()) + 1)
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(buf.Len()) > limit {
		return nil, fmt.Errorf("%s: %w", name, tooLarge(limit))
	}
	return buf.Bytes(), nil
}

// Size writes a byte count for people: "32 MiB", "1 MiB", "512 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// TrimBOM drops a UTF-8 byte-order mark from the start of data, which
// editors on Windows write and which every parley reader accepts.
func TrimBOM(data []byte) []byte { return bytes.TrimPrefix(data, []byte("\ufeff")) }

// ReadAll reads r to its end, refusing more than MaxFileSize bytes.
func ReadAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, tooLarge(MaxFileSize)
	}
	return data, nil
}

// ErrTooLarge is wrapped by the errors for input over the size limit.
var ErrTooLarge = errors.New("input too large")

func tooLarge(limit int64) error {
	return fmt.Errorf("larger than %s, the limit for this kind of input (%w)", Size(limit), ErrTooLarge)
}
