package scenario

import (
	"fmt"
	"strconv"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/parleyhq/parley/utility"
)

// ToFile returns the on-disk form of s, so that any scenario, imported or
// built in code, can be written in parley's format. With a status quo the
// reservation values are not written: they follow from it. Parsing the
// result gives back the same utilities (numbers are written in shortest
// round-trip form), except for utility terms, which it leaves out
// (MarshalYAML refuses them).
func (s *Scenario) ToFile() *File {
	f := &File{Parley: FormatVersion, Name: s.Name, Description: s.Description}
	for _, src := range s.Sources {
		f.Sources = append(f.Sources, SourceDef(src))
	}
	for i := range s.Issues {
		is := &s.Issues[i]
		d := IssueDef{ID: is.ID}
		if is.Name != is.ID {
			d.Name = is.Name
		}
		switch is.Kind {
		case Discrete:
			d.Options = make([]OptionDef, len(is.Options))
			for j, o := range is.Options {
				d.Options[j] = OptionDef{ID: o.ID}
				if o.Label != o.ID {
					d.Options[j].Label = o.Label
				}
			}
		case Integer:
			d.Integer = &IntRange{Min: int64(is.Min), Max: int64(is.Max)}
		case Real:
			d.Real = &RealRange{Min: is.Min, Max: is.Max, Steps: is.Steps}
		}
		if sc := is.Scale; sc != nil {
			d.Scale = &ScaleDef{}
			for _, a := range sc.Anchors {
				d.Scale.Anchors = append(d.Scale.Anchors, AnchorDef(a))
			}
			if is.Kind == Discrete {
				d.Scale.Options = make(map[string]Number, len(sc.Points))
				for j, x := range sc.Points {
					d.Scale.Options[is.Options[j].ID] = N(x)
				}
			}
		}
		f.Issues = append(f.Issues, d)
	}
	for _, p := range s.Parties {
		d := PartyDef{ID: p.ID, Leader: p.Leader, Weights: map[string]Number{}, Values: map[string]ValueDef{}}
		if p.Name != p.ID {
			d.Name = p.Name
		}
		if p.Role != "party" {
			d.Role = string(p.Role)
		}
		for _, m := range p.Members {
			md := MemberDef{ID: m.ID, Leader: m.Leader}
			if m.Name != m.ID {
				md.Name = m.Name
			}
			if m.Role != "member" {
				md.Role = string(m.Role)
			}
			d.Members = append(d.Members, md)
		}
		if p.Prefs.Reservation != 0 && s.StatusQuo == nil {
			r := N(p.Prefs.Reservation)
			d.Reservation = &r
		}
		if p.Prefs.Discount != 1 {
			r := N(p.Prefs.Discount)
			d.Discount = &r
		}
		for i := range s.Issues {
			if p.Disinterested() {
				d.Weights, d.Values = nil, nil // a chair: no interests to write
				break
			}
			is := &s.Issues[i]
			d.Weights[is.ID] = N(p.Prefs.Weights[i])
			vd := valueDef(&p.Prefs.Values[i], is)
			vd.Given = s.givenDefs(&p.Prefs, i)
			d.Values[is.ID] = vd
		}
		if p.Capability > 0 {
			c := N(p.Capability)
			d.Capability = &c
			d.Positions = map[string]PositionDef{}
			for i, pos := range p.Positions {
				if s.Issues[i].Scale != nil {
					d.Positions[s.Issues[i].ID] = PositionDef{Position: N(pos.Position), Salience: N(pos.Salience)}
				}
			}
		}
		s.writeMembers(&d, &p)
		f.Parties = append(f.Parties, d)
	}
	f.MediatorInfluence = s.influenceDef()
	f.Decision = s.decisionDef()
	if s.StatusQuo != nil {
		f.StatusQuo = &StatusQuoDef{Outcome: make(map[string]string, len(s.Issues))}
		for i, v := range s.StatusQuo {
			f.StatusQuo.Outcome[s.Issues[i].ID] = s.Issues[i].Value(v)
		}
	}
	if c := s.Calendar; c != nil {
		f.Calendar = &CalendarDef{Start: c.Start.Format(time.DateOnly), Round: strconv.Itoa(c.Days) + "d"}
	}
	if s.Deadline > 0 {
		f.Deadline = &DeadlineDef{Rounds: s.Deadline}
	}
	f.Constraints = s.constraintDefs()
	return f
}

func valueDef(f *utility.ValueFunc, is *Issue) ValueDef {
	ptr := func(x float64) *Number { n := N(x); return &n }
	switch f.Shape {
	case utility.Table:
		t := make(map[string]Number, len(f.Values))
		for j, x := range f.Values {
			t[is.Options[j].ID] = N(x)
		}
		return ValueDef{Table: t}
	case utility.Linear:
		return ValueDef{Shape: &ShapeDef{Linear: &LinearDef{Offset: ptr(f.Offset), Slope: ptr(f.Slope), Origin: ptr(f.Origin)}}}
	case utility.Triangular:
		return ValueDef{Shape: &ShapeDef{Triangular: &TriangularDef{Peak: N(f.Peak), AtMin: ptr(f.AtMin), AtMax: ptr(f.AtMax)}}}
	default:
		return ValueDef{Shape: &ShapeDef{Peaked: &PeakedDef{Peak: N(f.Peak), Width: N(f.Width)}}}
	}
}

// MarshalYAML writes s in parley's YAML format. It refuses a scenario whose
// utilities have terms (a non-linear Genius profile's rectangles), which the
// format cannot state yet: written without them, the file would give other
// utilities.
func (s *Scenario) MarshalYAML() ([]byte, error) {
	for _, p := range s.Parties {
		if n := len(p.Prefs.Terms); n > 0 {
			return nil, fmt.Errorf("party %s: its utility has %d non-additive terms (such as a non-linear Genius profile's hyper-rectangles), which parley's scenario format cannot write; parley reads the original files itself (analyze, run, tournament)", p.ID, n)
		}
	}
	return yaml.MarshalWithOptions(s.ToFile(), yaml.IndentSequence(true))
}
