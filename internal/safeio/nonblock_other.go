//go:build !unix

package safeio

// nonblock is 0 where opening a file cannot block on a missing writer.
const nonblock = 0
