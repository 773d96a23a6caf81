package forecast

import (
	"fmt"
	"math"

	"github.com/parleyhq/parley/diag"
)

// Anchor is a labelled point on a dimension's 0–100 scale, such as
// 0 = "no reform" or 100 = "full privatisation".
type Anchor struct {
	Value float64 `json:"value"`
	Label string  `json:"label"`
	// ID is, for an option of a scenario's issue, the option's id.
	ID string `json:"id,omitempty"`
}

// Dimension is one spatial issue on a 0–100 scale: its anchors (the
// scale's labelled points) and, for an issue of a scenario, where its
// options lie on the scale (labelled with the option's label, or id) or,
// for a numeric issue, its range.
type Dimension struct {
	Name    string   `json:"name"`
	Anchors []Anchor `json:"anchors,omitempty"`
	Options []Anchor `json:"options,omitempty"`
	Numeric *Numeric `json:"numeric,omitempty"`
}

// Actor is one stakeholder: its capability (clout, power, influence; any
// positive scale) and, per dimension, its position (0–100) and salience
// (0–100; an actor's saliences sum to at most 100).
type Actor struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Capability  float64   `json:"capability"`
	Positions   []float64 `json:"positions"`
	Saliences   []float64 `json:"saliences"`

	// Line is the line of the actor's row or element in the source file,
	// 0 if unknown; it positions validation errors.
	Line int `json:"-"`
}

// TakesPart reports whether the actor takes part in dimension d: the one
// rule every model follows for zero salience. An actor that does not care
// about an issue (salience 0) exerts no pull on it: it neither moves nor
// moves others there, and its position does not enter the forecast.
func (a *Actor) TakesPart(d int) bool { return a.Saliences[d] > 0 }

// takesPartAnywhere reports whether the actor cares about some dimension:
// SMP, whose dynamics run over all dimensions at once, leaves out the
// actors that do not.
func (a *Actor) takesPartAnywhere() bool {
	for d := range a.Saliences {
		if a.TakesPart(d) {
			return true
		}
	}
	return false
}

// inactive names the actors that take part in no dimension.
func (p *Problem) inactive() []string {
	var out []string
	for i := range p.Actors {
		if !p.Actors[i].takesPartAnywhere() {
			out = append(out, p.Actors[i].Name)
		}
	}
	return out
}

// Problem is the input of every forecast model: dimensions and actors.
type Problem struct {
	Name        string      `json:"name,omitempty"`
	Description string      `json:"description,omitempty"`
	Dimensions  []Dimension `json:"dimensions"`
	Actors      []Actor     `json:"actors"`

	// SMP holds model parameters read from a KTAB XML scenario
	// (<ModelParameters>); nil means KTAB's defaults.
	SMP *SMPParams `json:"smp,omitempty"`
	// Accommodation is KTAB's ideal-adjustment matrix ([adjusting actor]
	// [reference actor]); nil means the identity (ideal = current position).
	Accommodation [][]float64 `json:"accommodation,omitempty"`

	// Source is the file the problem was read from, for error messages.
	Source string `json:"-"`
}

// at positions a problem at a line of file; 0 means no line, "" no file.
func at(file string, line int) diag.Pos { return diag.Pos{File: file, Line: line} }

// salienceTol absorbs rounding in saliences that sum to exactly 100.
const salienceTol = 1e-9

// Validate checks the problem for what every model needs: at least one
// dimension and one actor; names; finite positive capabilities; one position
// in [0,100] and one salience in [0,100] per dimension; each actor's saliences
// summing to at most 100. It reports every problem found.
// MaxCapability bounds an actor's capability: products of capabilities and
// saliences must stay finite, and only their ratios matter.
const MaxCapability = 1e50

func (p *Problem) Validate() error {
	var errs diag.List
	file := p.Source
	if len(p.Dimensions) == 0 {
		errs.Add(at(file, 0), "no dimensions (issues)")
	}
	if len(p.Actors) == 0 {
		errs.Add(at(file, 0), "no actors")
	}
	nd := len(p.Dimensions)
	for i := range p.Actors {
		a := &p.Actors[i]
		who := a.Name
		if who == "" {
			who = fmt.Sprintf("#%d", i+1)
			errs.Add(at(file, a.Line), "actor %d has no name", i+1)
		}
		switch {
		case math.IsNaN(a.Capability) || math.IsInf(a.Capability, 0):
			errs.Add(at(file, a.Line), "actor %s: capability %v is not a finite number", who, a.Capability)
		case a.Capability < 0:
			errs.Add(at(file, a.Line), "actor %s: negative capability %g", who, a.Capability)
		case a.Capability == 0:
			errs.Add(at(file, a.Line), "actor %s has no capability (0); every actor needs a positive capability", who)
		case a.Capability > MaxCapability:
			errs.Add(at(file, a.Line), "actor %s: capability %g is more than %g; the models multiply capabilities and weigh them only against each other, so rescale them (to 0–100, say)", who, a.Capability, MaxCapability)
		}
		if len(a.Positions) != nd {
			errs.Add(at(file, a.Line), "actor %s has %d positions for %d dimensions", who, len(a.Positions), nd)
		}
		if len(a.Saliences) != nd {
			errs.Add(at(file, a.Line), "actor %s has %d saliences for %d dimensions", who, len(a.Saliences), nd)
		}
		for d, x := range a.Positions {
			if !(x >= 0 && x <= 100) {
				errs.Add(at(file, a.Line), "actor %s: position %v on %s is outside 0–100", who, x, dimName(p, d))
			}
		}
		sum := 0.0
		ok := true
		for d, s := range a.Saliences {
			if !(s >= 0 && s <= 100) {
				errs.Add(at(file, a.Line), "actor %s: salience %v on %s is outside 0–100", who, s, dimName(p, d))
				ok = false
				continue
			}
			sum += s
		}
		if ok && sum > 100+salienceTol {
			errs.Add(at(file, a.Line), "actor %s: saliences sum to %g, over 100", who, sum)
		}
	}
	if a := p.Accommodation; a != nil {
		n := len(p.Actors)
		if len(a) != n {
			errs.Add(at(file, 0), "accommodation matrix has %d rows for %d actors", len(a), n)
		}
		for i, row := range a {
			if len(row) != n {
				errs.Add(at(file, 0), "accommodation matrix row %d has %d entries for %d actors", i+1, len(row), n)
				continue
			}
			sum := 0.0
			for _, v := range row {
				if !(v >= 0 && v <= 1) {
					errs.Add(at(file, 0), "accommodation matrix row %d: entry %v outside [0,1]", i+1, v)
				}
				sum += v
			}
			if sum > 1+1e-10 {
				errs.Add(at(file, 0), "accommodation matrix row %d sums to %g, over 1", i+1, sum)
			}
		}
	}
	return errs.Err()
}

func dimName(p *Problem, d int) string {
	if d < len(p.Dimensions) && p.Dimensions[d].Name != "" {
		return fmt.Sprintf("dimension %q", p.Dimensions[d].Name)
	}
	return fmt.Sprintf("dimension %d", d+1)
}

// DimensionNames returns the names of the problem's dimensions.
func (p *Problem) DimensionNames() []string {
	out := make([]string, len(p.Dimensions))
	for i, d := range p.Dimensions {
		out[i] = d.Name
	}
	return out
}

// ActorNames returns the names of the problem's actors.
func (p *Problem) ActorNames() []string {
	out := make([]string, len(p.Actors))
	for i, a := range p.Actors {
		out[i] = a.Name
	}
	return out
}
