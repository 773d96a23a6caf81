// Package registry is the one shape of parley's named building blocks:
// protocols, negotiators, mediators and forecast models. Each is an Entry
// (name, one-line doc, source, numeric parameters with defaults) held in a
// List, which looks names up with a did-you-mean hint and parses specs of
// the form "name:param=value:...". Help texts, `parley list` and error
// messages are built from the lists, so no name is typed twice.
package registry

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/internal/suggest"
)

// Param is a numeric parameter with its default.
type Param struct {
	Name    string
	Default float64
	Doc     string
}

// Entry describes a building block. Types that embed it satisfy Item.
type Entry struct {
	Name   string
	Doc    string // one line: what it does
	Source string // where it comes from (a paper, a tool), or ""
	Params []Param
}

// Describe returns the entry; it makes every type that embeds Entry an Item.
func (e Entry) Describe() Entry { return e }

// Item is anything a List holds.
type Item interface{ Describe() Entry }

// List holds the building blocks of one kind, in the order they were added.
type List[T Item] struct {
	kind  string
	items []T
}

// New returns a list of blocks of the given kind ("protocol", ...), used in
// messages.
func New[T Item](kind string, items ...T) *List[T] {
	return &List[T]{kind: kind, items: items}
}

// Kind is the name of the list's kind.
func (l *List[T]) Kind() string { return l.kind }

// Add appends an item; names must be unique and lower case.
func (l *List[T]) Add(it T) {
	name := it.Describe().Name
	if name == "" || name != strings.ToLower(name) || l.has(name) {
		panic(fmt.Sprintf("registry: %s name %q is empty, not lower case or taken", l.kind, name))
	}
	l.items = append(l.items, it)
}

func (l *List[T]) has(name string) bool {
	return slices.ContainsFunc(l.items, func(it T) bool { return it.Describe().Name == name })
}

// All returns the items in the order they were added.
func (l *List[T]) All() []T { return slices.Clone(l.items) }

// Names returns the names in the order they were added.
func (l *List[T]) Names() []string {
	ns := make([]string, len(l.items))
	for i, it := range l.items {
		ns[i] = it.Describe().Name
	}
	return ns
}

// Get returns the item called name.
func (l *List[T]) Get(name string) (T, bool) {
	for _, it := range l.items {
		if it.Describe().Name == name {
			return it, true
		}
	}
	var zero T
	return zero, false
}

// Lookup returns the item called name, or an UnknownError that names the
// valid ones and the closest when the name looks like a typo.
func (l *List[T]) Lookup(name string) (T, error) {
	if it, ok := l.Get(name); ok {
		return it, nil
	}
	var zero T
	return zero, &UnknownError{Kind: l.kind, Name: name, Names: l.Names()}
}

// UnknownError is a name that no list holds.
type UnknownError struct {
	Kind  string
	Name  string
	Names []string // the valid names
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("unknown %s %q%s; %ss: %s", e.Kind, e.Name, suggest.Hint(e.Name, e.Names), e.Kind, strings.Join(e.Names, ", "))
}

// Spec is a parsed "name:param=value:..." specification.
type Spec[T Item] struct {
	Item   T
	Params map[string]float64 // every parameter, defaults filled in
}

// String renders the spec as Parse reads it back, with only the
// parameters that differ from their defaults.
func (s Spec[T]) String() string {
	e := s.Item.Describe()
	var b strings.Builder
	b.WriteString(e.Name)
	for _, p := range e.Params {
		if v := s.Params[p.Name]; v != p.Default {
			fmt.Fprintf(&b, ":%s=%s", p.Name, strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	return b.String()
}

// Parse reads "name" or "name:param=value:..." (for example
// "timedependent:e=0.5"): the name is looked up case-insensitively and
// every parameter must be one of the item's, given once, as a finite number.
func (l *List[T]) Parse(spec string) (Spec[T], error) {
	parts := strings.Split(strings.TrimSpace(spec), ":")
	it, err := l.Lookup(strings.ToLower(parts[0]))
	if err != nil {
		return Spec[T]{}, err
	}
	return ParseParams(it, spec, parts[1:])
}

// ParseParams reads the "param=value" parts of spec for item it.
func ParseParams[T Item](it T, spec string, parts []string) (Spec[T], error) {
	e := it.Describe()
	ps := make(map[string]float64, len(e.Params))
	for _, p := range e.Params {
		ps[p.Name] = p.Default
	}
	given := map[string]bool{}
	for _, kv := range parts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return Spec[T]{}, fmt.Errorf("%q: parameter %q should be name=value", spec, kv)
		}
		if _, known := ps[k]; !known {
			return Spec[T]{}, fmt.Errorf("%s has no parameter %q%s; its parameters: %s", e.Name, k, suggest.Hint(k, paramList(e)), ParamNames(e))
		}
		if given[k] {
			return Spec[T]{}, fmt.Errorf("%q: parameter %s is given twice", spec, k)
		}
		given[k] = true
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return Spec[T]{}, fmt.Errorf("%s: parameter %s=%q is not a finite number", e.Name, k, v)
		}
		ps[k] = f
	}
	return Spec[T]{Item: it, Params: ps}, nil
}

func paramList(e Entry) []string {
	ns := make([]string, len(e.Params))
	for i, p := range e.Params {
		ns[i] = p.Name
	}
	return ns
}

// ParamNames lists an entry's parameters with their defaults, or "none".
func ParamNames(e Entry) string {
	if len(e.Params) == 0 {
		return "none"
	}
	ns := make([]string, len(e.Params))
	for k, p := range e.Params {
		ns[k] = fmt.Sprintf("%s (default %g)", p.Name, p.Default)
	}
	return strings.Join(ns, ", ")
}

// Or joins names for a sentence: "a", "a or b", "a, b or c".
func Or(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
