// Package rusage reads the process's own resource usage (CPU time and peak
// resident memory) for parley bench and the benchmarks: figures that wall
// time alone hides on a machine shared with other work.
package rusage
