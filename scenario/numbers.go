package scenario

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/utility"
)

// NumberRef is one Number of a decoded file: where it sits (a path such as
// "parties[0].weights.territory") and how to read and change it in place.
type NumberRef struct {
	Path string
	Get  func() Number
	Set  func(Number)
}

// NumbersIn lists every Number under ptr, a pointer into a decoded File
// (the File itself, a party, a field), in a fixed order: struct fields in
// declaration order, map keys sorted. Paths start with path. Value
// functions are found only after File.ResolveValues.
func NumbersIn(ptr any, path string) []NumberRef {
	var out []NumberRef
	walkNumbers(reflect.ValueOf(ptr).Elem(), path, nil, func(r NumberRef) { out = append(out, r) })
	return out
}

// walkNumbers visits the Numbers under v (addressable); commit writes v's
// enclosing map entry back after a change (nil when v has its own memory).
func walkNumbers(v reflect.Value, path string, commit func(), emit func(NumberRef)) {
	if v.Type() == numberType {
		n := v.Addr().Interface().(*Number)
		emit(NumberRef{Path: path,
			Get: func() Number { return *n },
			Set: func(x Number) {
				*n = x
				if commit != nil {
					commit()
				}
			}})
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkNumbers(v.Elem(), path, nil, emit)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if !t.Field(i).IsExported() {
				continue
			}
			// Fields without a key (ValueDef's Table and Shape) are the
			// value itself in the file.
			p := path
			if name := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]; name != "" {
				if p != "" {
					p += "."
				}
				p += name
			}
			walkNumbers(v.Field(i), p, commit, emit)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkNumbers(v.Index(i), fmt.Sprintf("%s[%d]", path, i), nil, emit)
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			c := reflect.New(v.Type().Elem()).Elem()
			c.Set(v.MapIndex(k))
			m, key := v, k
			walkNumbers(c, path+"."+k.String(), func() { m.SetMapIndex(key, c) }, emit)
		}
	}
}

// Provenance counts where a file's numbers come from, each number once:
// quoted (the quote was found in its source and gives the value), quoted
// for its direction only (the size is assumed, with a range), unchecked (it
// quotes a source whose text parley did not read: a URL only, a file it
// cannot or may not read), assumed (with a reason), or definitional — 0
// and 1 in a value table (the worst and best options by construction) and
// 0 and 100 as scale points (the scale's ends). Plain lists every other
// number with its position: a number that neither cites nor explains
// itself. Defaults lists what the file leaves out that enters a figure.
type Provenance struct {
	Quoted, DirectionOnly, Unchecked, Assumed, Definitional int
	Plain                                                   diag.List
	Defaults                                                []Default
	// UncheckedSources are the sources whose quotes, of numbers and of
	// rules alike, were not checked, in file order.
	UncheckedSources []UncheckedSource
}

// UncheckedSource is a source whose text parley did not read, so that its
// quotes are not checked.
type UncheckedSource struct {
	ID     string
	Why    string
	Quotes int // quotes citing it, of numbers and rules
}

// Default is a number or rule that a scenario file leaves out but that
// enters a figure, with the value parley uses in its place.
type Default struct {
	Path  string   // where it would be written, e.g. parties[0].ratification.uncertainty
	Value string   // the value used
	What  string   // what it is
	Pos   diag.Pos // the position of its nearest written parent
}

func (d Default) String() string {
	return fmt.Sprintf("%s: %s = %s (default): %s", d.Pos, d.Path, d.Value, d.What)
}

// defaulted records that path was left out and value used in its place.
func (v *validator) defaulted(path, value, format string, args ...any) {
	v.defaults = append(v.defaults, Default{Path: path, Value: value, What: fmt.Sprintf(format, args...), Pos: v.pos(path)})
}

// dropDefaults forgets the defaults under prefix: they enter no figure.
func (v *validator) dropDefaults(prefix string) {
	kept := v.defaults[:0]
	for _, d := range v.defaults {
		if !strings.HasPrefix(d.Path, prefix) {
			kept = append(kept, d)
		}
	}
	v.defaults = kept
}

// dropDefaultsMatching forgets the defaults drop selects.
func (v *validator) dropDefaultsMatching(drop func(Default) bool) {
	kept := v.defaults[:0]
	for _, d := range v.defaults {
		if !drop(d) {
			kept = append(kept, d)
		}
	}
	v.defaults = kept
}

// noValue is the value function of a party without interests: 0 everywhere.
func noValue(is *Issue) utility.ValueFunc {
	if is.Kind == Discrete {
		return utility.ValueFunc{Shape: utility.Table, Values: make([]float64, len(is.Options))}
	}
	return utility.ValueFunc{Shape: utility.Linear, Origin: is.Min}
}

var (
	tableEntry   = regexp.MustCompile(`^parties\[\d+\]\.(members\[\d+\]\.)?values\.[^.]+\.[^.]+$`)
	scalePoint   = regexp.MustCompile(`^issues\[\d+\]\.scale\.options\.[^.]+$`)
	citationType = reflect.TypeOf(Citation{})
)

// CheckProvenance classifies the numbers of a scenario file, reading its
// sources only from the file's own folder; see Options.Provenance.
func CheckProvenance(data []byte, name string) (*Provenance, error) {
	return Options{}.Provenance(data, name)
}

// Provenance validates a scenario file (as Parse, returning its errors)
// and classifies its numbers. A quote counts as quoted only when its
// source's text was read and holds it; sources are read from the file's
// folder and o.SourceRoots.
func (o Options) Provenance(data []byte, name string) (*Provenance, error) {
	f, idx, errs := decode(data, name)
	if f == nil {
		errs.Sort()
		return nil, errs
	}
	v := &validator{file: name, idx: idx, dir: filepath.Dir(name), roots: o.SourceRoots, errs: errs}
	s := v.scenario(f)
	if len(v.errs) > 0 {
		v.errs.Sort()
		return nil, v.errs
	}
	f.ResolveValues()
	pr := &Provenance{Defaults: s.Defaults}
	for _, r := range NumbersIn(f, "") {
		n := r.Get()
		_, unread := v.unread[docOf(n.Source)]
		switch {
		case n.Source != nil && unread:
			pr.Unchecked++
		case n.Source != nil && n.Source.DirectionOnly:
			pr.DirectionOnly++
		case n.Source != nil:
			pr.Quoted++
		case n.Assumption != nil:
			pr.Assumed++
		case tableEntry.MatchString(r.Path) && (n.Value == 0 || n.Value == 1),
			scalePoint.MatchString(r.Path) && (n.Value == 0 || n.Value == 100):
			pr.Definitional++
		default:
			pr.Plain.Add(v.pos(r.Path), "%s = %s cites no source and states no assumption", r.Path, ftoa(n.Value))
		}
	}
	pr.Plain.Sort()
	quotes := map[string]int{}
	walkCitations(reflect.ValueOf(f).Elem(), func(c *Citation) { quotes[c.Document]++ })
	for _, d := range f.Sources {
		if why, ok := v.unread[d.ID]; ok && quotes[d.ID] > 0 {
			pr.UncheckedSources = append(pr.UncheckedSources, UncheckedSource{ID: d.ID, Why: why, Quotes: quotes[d.ID]})
		}
	}
	return pr, nil
}

func docOf(c *Citation) string {
	if c == nil {
		return ""
	}
	return c.Document
}

// walkCitations calls visit for every Citation under v.
func walkCitations(v reflect.Value, visit func(*Citation)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkCitations(v.Elem(), visit)
		}
	case reflect.Struct:
		if v.Type() == citationType {
			c := v.Interface().(Citation)
			visit(&c)
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkCitations(v.Field(i), visit)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkCitations(v.Index(i), visit)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			walkCitations(it.Value(), visit)
		}
	}
}
