package scenario

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/parleyhq/parley/diag"
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

// Provenance counts where a file's numbers come from: quoted from a source,
// assumed (with a reason), or definitional — 0 and 1 in a value table (the
// worst and best options by construction) and 0 and 100 as scale points
// (the scale's ends). Plain lists every other number with its position:
// a number that neither cites nor explains itself.
type Provenance struct {
	Quoted, Assumed, Definitional int
	Plain                         diag.List
}

var (
	tableEntry = regexp.MustCompile(`^parties\[\d+\]\.values\.[^.]+\.[^.]+$`)
	scalePoint = regexp.MustCompile(`^issues\[\d+\]\.scale\.options\.[^.]+$`)
)

// CheckProvenance decodes a scenario file and classifies its numbers. It
// does not validate the file (use Parse for that).
func CheckProvenance(data []byte, name string) (*Provenance, error) {
	f, idx, errs := decode(data, name)
	if f == nil {
		errs.Sort()
		return nil, errs
	}
	f.ResolveValues()
	v := &validator{file: name, idx: idx}
	pr := &Provenance{}
	for _, r := range NumbersIn(f, "") {
		n := r.Get()
		switch {
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
	return pr, nil
}
