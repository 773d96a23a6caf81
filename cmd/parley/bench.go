package main

// BenchCmd measures parley's performance.
type BenchCmd struct{}

// Run implements parley bench.
func (c *BenchCmd) Run(e env) error { return nil }
