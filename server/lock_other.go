//go:build !unix

package server

// lock does nothing where flock is not available: run one server per
// database.
func lock(string) (func(), error) { return func() {}, nil }
