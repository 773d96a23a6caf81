package scenario

import (
	"path/filepath"

	"github.com/parleyhq/parley/diag"
)

// FromFile validates an already decoded File into a Scenario, as Parse
// does, without re-reading the YAML and without reading source documents
// (citations are checked against declared source ids only, not quoted
// text). Error positions are unknown, so errors carry the file name only.
// Sensitivity analysis uses it to re-validate a File after changing its
// assumed numbers, thousands of times.
func FromFile(f *File, name string) (*Scenario, error) {
	v := &validator{file: name, idx: map[string]diag.Pos{"": {File: name}}, dir: filepath.Dir(name), skipDocs: true}
	s := v.scenario(f)
	if len(v.errs) > 0 {
		v.errs.Sort()
		return nil, v.errs
	}
	return s, nil
}

// ResolveValues decodes every party's and event's value functions into ValueDef.Table
// (issues with options) or ValueDef.Shape (numeric issues), which DecodeFile
// leaves as YAML nodes until validation knows the issue's kind. Afterwards
// the Numbers inside value functions can be read and changed in place, and
// validation no longer decodes YAML. Value functions that do not decode are
// left alone for validation to report.
func (f *File) ResolveValues() {
	discrete := map[string]bool{}
	for _, is := range f.Issues {
		discrete[is.ID] = is.Options != nil
	}
	resolve := func(values map[string]ValueDef) {
		for id, vd := range values {
			if vd.node == nil || vd.Table != nil || vd.Shape != nil {
				continue
			}
			d, known := discrete[id]
			if !known {
				continue
			}
			if d {
				rest, given := splitGiven(vd.node)
				var t map[string]Number
				if rest == nil || decodeNode(rest, &t) == nil {
					vd.Table = t
				}
				var g []GivenDef
				if given != nil && decodeNode(given, &g) == nil {
					vd.Given = g
				}
			} else {
				var sh ShapeDef
				if decodeNode(vd.node, &sh) == nil {
					vd.Shape = &sh
				}
			}
			values[id] = vd
		}
	}
	for p := range f.Parties {
		resolve(f.Parties[p].Values)
		for k := range f.Parties[p].Members {
			resolve(f.Parties[p].Members[k].Values)
		}
		if r := f.Parties[p].Ratification; r != nil {
			for _, b := range append([]RatificationDef{*r}, r.Bodies...) {
				resolve(b.Values)
				for _, c := range b.Communities {
					resolve(c.Values)
				}
			}
		}
	}
	for k := range f.Events {
		resolve(f.Events[k].Values)
	}
}
