//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lock takes an advisory flock on the store file so that two processes
// never run the same tournament at once (the second would replay the first
// one's sessions). The kernel releases it when the process dies, kill -9
// included. flock and SQLite's POSIX locks do not interact on Linux; the
// descriptor stays open until SQLite has closed the file, since closing a
// descriptor would drop SQLite's POSIX locks.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot lock the tournament store: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is in use by another parley process running this tournament; wait for it or stop it", path)
		}
		return nil, fmt.Errorf("cannot lock the tournament store: %w", err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
