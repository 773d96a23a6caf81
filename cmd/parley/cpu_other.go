//go:build !unix

package main

import "time"

// cpuTime is the CPU time this process has used so far: not measured here.
func cpuTime() time.Duration { return 0 }
