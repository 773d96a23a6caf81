package compare

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/scenario"
)

// Sections of a file diff.
const (
	Numbers   = "numbers"   // a number's value or provenance (quoted, assumed, default, its range)
	Sources   = "sources"   // the sources, the quotes and the reasons given for assumptions
	Rules     = "rules"     // red lines, ratification, commitments, states (while), status quo, agenda, meetings, events, calendar, deadline, guarantees, decision, mediator, constraints
	Structure = "structure" // names, issues and options, parties, roles, members
)

// Change is one difference between two versions of a scenario file. Paths
// name parties, issues and other listed things by id (parties[ru].weights.
// territory), so that reordering a file changes nothing.
type Change struct {
	Section string `json:"section"`
	Path    string `json:"path"`
	Kind    string `json:"kind"` // added, removed or changed
	Old     string `json:"old,omitempty"`
	New     string `json:"new,omitempty"`
	// OldValue and NewValue are a number's values, where it has one (a
	// default counts: it is the value used).
	OldValue *float64 `json:"old_value,omitempty"`
	NewValue *float64 `json:"new_value,omitempty"`
}

// Change kinds.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// entry is one flattened element of a file: a node (something listed, whose
// addition or removal is one change), a scalar value, or a number.
type entry struct {
	path    string
	node    bool
	text    string
	number  bool
	value   float64
	section string
}

// Files lists the changes from a to b, each decoded with
// scenario.DecodeFile and their value functions resolved
// (File.ResolveValues). defaultsA and defaultsB are the defaults of their
// validated scenarios (scenario.Scenario.Defaults; nil for none): a number
// one file states and the other leaves to a default is compared with the
// default's value. Changes come in the format's order (fields as the
// format lists them, map keys sorted; what only b has after what precedes
// it in b); a thing added or removed as a whole is one change.
func Files(a, b *scenario.File, defaultsA, defaultsB []scenario.Default) []Change {
	ea, eb := flatten(a, defaultsA), flatten(b, defaultsB)
	ia, ib := index(ea), index(eb)
	// What only b has goes after the last entry before it that a has too.
	added := map[string][]entry{}
	anchor := ""
	for _, y := range eb {
		if _, ok := ia[y.path]; ok {
			anchor = y.path
		} else {
			added[anchor] = append(added[anchor], y)
		}
	}
	var out []Change
	gone := "" // the path of the last thing added or removed as a whole
	within := func(p string) bool {
		return gone != "" && (strings.HasPrefix(p, gone+".") || strings.HasPrefix(p, gone+"["))
	}
	emitAdded := func(anchor string) {
		for _, y := range added[anchor] {
			if !within(y.path) {
				out = append(out, y.change(Added, nil))
				gone = y.path
			}
		}
	}
	emitAdded("")
	for _, x := range ea {
		if !within(x.path) {
			y, ok := ib[x.path]
			switch {
			case !ok:
				out = append(out, x.change(Removed, nil))
				gone = x.path
			case x.node || x.text == y.text:
			default:
				out = append(out, x.change(Changed, &y))
			}
		}
		emitAdded(x.path)
	}
	return out
}

func index(es []entry) map[string]entry {
	m := make(map[string]entry, len(es))
	for _, e := range es {
		m[e.path] = e
	}
	return m
}

// change reports e (the old side, or the only side) against to.
func (e entry) change(kind string, to *entry) Change {
	c := Change{Section: e.section, Path: e.path, Kind: kind}
	val := func(x entry) *float64 {
		if !x.number {
			return nil
		}
		v := x.value
		return &v
	}
	text := func(x entry) string {
		if x.node {
			return ""
		}
		return x.text
	}
	switch kind {
	case Removed:
		c.Old, c.OldValue = text(e), val(e)
	case Added:
		c.New, c.NewValue = text(e), val(e)
	default:
		c.Old, c.OldValue = text(e), val(e)
		c.New, c.NewValue = text(*to), val(*to)
	}
	return c
}

// flatten lists f's elements in the format's order, with the defaults as numbers
// (or rules) where f leaves them out, each after its parent's elements.
func flatten(f *scenario.File, defaults []scenario.Default) []entry {
	var out []entry
	walk(reflect.ValueOf(f).Elem(), "", func(e entry) { out = append(out, e) })
	have := index(out)
	for _, d := range defaults {
		p := keyedPath(f, d.Path)
		if _, ok := have[p]; ok {
			continue
		}
		e := entry{path: p, text: d.Value + " (default)", section: Numbers}
		if x, err := strconv.ParseFloat(d.Value, 64); err == nil {
			e.number, e.value = true, x
		} else {
			e.section = sectionOf(p)
		}
		at := len(out)
		if k := strings.LastIndexAny(p, ".["); k > 0 {
			parent := p[:k]
			for i := len(out) - 1; i >= 0; i-- {
				if q := out[i].path; q == parent || strings.HasPrefix(q, parent+".") || strings.HasPrefix(q, parent+"[") {
					at = i + 1
					break
				}
			}
		}
		out = slices.Insert(out, at, e)
		have[p] = e
	}
	return out
}

var numberType = reflect.TypeOf(scenario.Number{})

// walk visits v: numbers (with their provenance), scalars, lists of
// scalars as one value, and listed things (slice elements and map
// entries that hold more than a scalar) as nodes.
func walk(v reflect.Value, path string, emit func(entry)) {
	if v.Type() == numberType {
		emitNumber(v.Interface().(scenario.Number), path, emit)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), path, emit)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			name := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
			switch name {
			case "-":
			case "":
				// ValueDef's Table and Shape are the value itself in the file.
				walk(v.Field(i), path, emit)
			default:
				walk(v.Field(i), join(path, name), emit)
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			return
		}
		if !composite(v.Type().Elem()) {
			items := make([]string, v.Len())
			for i := range items {
				items[i] = scalar(v.Index(i))
			}
			emit(entry{path: path, text: "[" + strings.Join(items, ", ") + "]", section: sectionOf(path)})
			return
		}
		for i, k := range elemKeys(v) {
			p := fmt.Sprintf("%s[%s]", path, k)
			emit(entry{path: p, node: true, section: sectionOf(p)})
			walk(v.Index(i), p, emit)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			p := join(path, k.String())
			if composite(v.Type().Elem()) {
				emit(entry{path: p, node: true, section: sectionOf(p)})
			}
			walk(v.MapIndex(k), p, emit)
		}
	default:
		if s := scalar(v); s != "" {
			emit(entry{path: path, text: s, section: sectionOf(path)})
		}
	}
}

// emitNumber flattens a number: its value and kind of provenance (a
// change of either is a change of the number), then the texts behind it.
func emitNumber(n scenario.Number, path string, emit func(entry)) {
	emit(entry{path: path, number: true, value: n.Value, text: describeNumber(n), section: Numbers})
	if c := n.Source; c != nil {
		emit(entry{path: path + ".source.document", text: c.Document, section: Sources})
		emit(entry{path: path + ".source.quote", text: strconv.Quote(scenario.NormalizeSpace(c.Quote)), section: Sources})
	}
	if a := n.Assumption; a != nil && a.Why != "" {
		emit(entry{path: path + ".assumption.why", text: strconv.Quote(a.Why), section: Sources})
	}
}

// describeNumber is a number as the diff prints it: its value and where it
// comes from.
func describeNumber(n scenario.Number) string {
	s := ftoa(n.Value)
	rng := ""
	if a := n.Assumption; a != nil && len(a.Range) == 2 {
		rng = fmt.Sprintf(", range [%s, %s]", ftoa(a.Range[0]), ftoa(a.Range[1]))
	}
	switch {
	case n.Source != nil && n.Source.DirectionOnly:
		return s + " (quoted for direction, size assumed" + rng + ")"
	case n.Source != nil:
		return s + " (quoted)"
	case n.Assumption != nil:
		return s + " (assumed" + rng + ")"
	}
	return s
}

// composite reports whether values of t are listed things (a struct, a
// map, a list of them) rather than scalars, numbers or lists of scalars.
func composite(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		return t != numberType
	case reflect.Map:
		return true
	case reflect.Slice:
		return composite(t.Elem())
	}
	return false
}

func scalar(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return ftoa(v.Float())
	}
	return ""
}

// elemKeys names the elements of a slice of listed things: by id where
// they have one (parties, issues, options, red lines, phases, meetings,
// sources, members), a guarantee by its issue, an event by party@round,
// anything else by position; a repeated name gets #2, #3, ...
func elemKeys(v reflect.Value) []string {
	keys := make([]string, v.Len())
	seen := map[string]int{}
	for i := range keys {
		e := v.Index(i)
		for e.Kind() == reflect.Pointer && !e.IsNil() {
			e = e.Elem()
		}
		k := strconv.Itoa(i)
		if e.Kind() == reflect.Struct {
			switch x := e.Interface().(type) {
			case scenario.GuaranteeDef:
				k = x.Issue
			case scenario.RatificationDef:
				if x.Body != "" {
					k = x.Body // a body of a list, by its name
				}
			case scenario.EventDef:
				k = fmt.Sprintf("%s@%d", x.Party, x.Round)
				if x.Date != "" {
					k = x.Party + "@" + x.Date
				}
			default:
				if f := e.FieldByName("ID"); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
					k = f.String()
				}
			}
		}
		if seen[k]++; seen[k] > 1 {
			k = fmt.Sprintf("%s#%d", k, seen[k])
		}
		keys[i] = k
	}
	return keys
}

var topIndex = regexp.MustCompile(`^([a-z_]+)\[(\d+)\]`)

// keyedPath rewrites a path that names a top-level list element by its
// position (parties[0].reservation, as scenario.Default gives it) to the
// diff's naming by id (parties[ua].reservation).
func keyedPath(f *scenario.File, path string) string {
	m := topIndex.FindStringSubmatchIndex(path)
	if m == nil {
		return path
	}
	name := path[m[2]:m[3]]
	i, _ := strconv.Atoi(path[m[4]:m[5]])
	v := reflect.ValueOf(f).Elem()
	t := v.Type()
	for k := range t.NumField() {
		if strings.Split(t.Field(k).Tag.Get("yaml"), ",")[0] != name || v.Field(k).Kind() != reflect.Slice {
			continue
		}
		keys := elemKeys(v.Field(k))
		if i < len(keys) {
			return fmt.Sprintf("%s[%s]%s", name, keys[i], bodyPath(f, name, i, path[m[1]:]))
		}
	}
	return path
}

var bodyIndex = regexp.MustCompile(`^\.ratification\[(\d+)\]`)

// bodyPath names a ratifying body of a list by its name in the rest of a
// party's path (.ratification[1].uncertainty → .ratification[referendum].uncertainty),
// as the diff's walk does.
func bodyPath(f *scenario.File, list string, i int, rest string) string {
	m := bodyIndex.FindStringSubmatchIndex(rest)
	if list != "parties" || m == nil || f.Parties[i].Ratification == nil {
		return rest
	}
	k, _ := strconv.Atoi(rest[m[2]:m[3]])
	keys := elemKeys(reflect.ValueOf(f.Parties[i].Ratification.Bodies))
	if k >= len(keys) {
		return rest
	}
	return fmt.Sprintf(".ratification[%s]%s", keys[k], rest[m[1]:])
}

// sectionOf says which section a change at path belongs to (numbers are
// Numbers whatever their path).
func sectionOf(path string) string {
	switch {
	case strings.HasPrefix(path, "sources"), strings.Contains(path, ".source.") || strings.HasSuffix(path, ".source"),
		strings.Contains(path, ".assumption.") || strings.HasSuffix(path, ".assumption"):
		return Sources
	}
	top, _, _ := strings.Cut(path, "[")
	top, _, _ = strings.Cut(top, ".")
	switch top {
	case "guarantees", "agenda", "mediator", "meetings", "events", "decision", "status_quo", "calendar", "deadline", "constraints":
		return Rules
	case "parties":
		for _, f := range []string{"red_lines", "ratification", "commitments", "while"} {
			if strings.Contains(path, "]."+f) {
				return Rules
			}
		}
	}
	return Structure
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
