// Package utility turns preferences into numbers: per-issue value functions
// and the linear additive utility that weighs them, compiled into flat
// per-issue tables so that evaluating an outcome is a few table lookups.
package utility

import (
	"fmt"
	"math"
)

// Shape names a kind of value function.
type Shape int

// Value function shapes.
const (
	// Table gives one value per option (discrete issues).
	Table Shape = iota
	// Linear is clamp(Offset + Slope*(x-Origin)) on a numeric issue, Genius's
	// integer and real evaluators.
	Linear
	// Triangular is 1 at Peak, falling linearly to AtMin at the issue's
	// lower bound and to AtMax at its upper bound.
	Triangular
	// Peaked is a bell: exp(-((x-Peak)/Width)^2 / 2), 1 at Peak.
	Peaked
)

func (s Shape) String() string {
	switch s {
	case Table:
		return "table"
	case Linear:
		return "linear"
	case Triangular:
		return "triangular"
	case Peaked:
		return "peaked"
	}
	return fmt.Sprintf("shape(%d)", int(s))
}

// ValueFunc maps an issue's values to evaluations in [0, 1].
type ValueFunc struct {
	Shape  Shape
	Values []float64 // Table: one evaluation per option

	Offset, Slope, Origin float64 // Linear

	Peak, AtMin, AtMax float64 // Triangular (Peak also for Peaked)
	Width              float64 // Peaked
}

// Eval returns the evaluation of value index v of an issue whose numeric
// values are x (x is nil for discrete issues) and whose bounds are lo, hi.
func (f *ValueFunc) Eval(v int, x, lo, hi float64) float64 {
	switch f.Shape {
	case Table:
		return f.Values[v]
	case Linear:
		return clamp01(f.Offset + f.Slope*(x-f.Origin))
	case Triangular:
		switch {
		case x == f.Peak:
			return 1
		case x < f.Peak:
			if f.Peak == lo {
				return 1
			}
			return clamp01(f.AtMin + (1-f.AtMin)*(x-lo)/(f.Peak-lo))
		default:
			if f.Peak == hi {
				return 1
			}
			return clamp01(f.AtMax + (1-f.AtMax)*(hi-x)/(hi-f.Peak))
		}
	case Peaked:
		d := (x - f.Peak) / f.Width
		return math.Exp(-d * d / 2)
	}
	return 0
}

func clamp01(v float64) float64 {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}
