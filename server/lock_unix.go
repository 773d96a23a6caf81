//go:build unix

package server

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lock takes an advisory lock on the database file so that two servers
// never run the same sessions (each would play them on its own). The
// kernel drops it when the process dies, kill -9 included.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open the database: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is in use by another parley serve; stop it or give another --db file", path)
		}
		return nil, fmt.Errorf("cannot lock the database: %w", err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
