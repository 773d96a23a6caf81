package scenario

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/diag/yamlpos"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/internal/suggest"
	"github.com/parleyhq/parley/utility"
)

// MaxIssueValues is the most values one issue may have, in every format.
const MaxIssueValues = 1_000_000

// Options says how a scenario file is read.
type Options struct {
	// SourceRoots are folders, besides the scenario file's own, from which
	// its source documents may be read to check quotes. A source path that
	// leads anywhere else, also through a symbolic link, is not read: a
	// scenario from someone else could otherwise probe any file the reader
	// can open (does this quote occur in it?).
	SourceRoots []string
	// Dir is the folder a source document's relative path starts from, and
	// the first folder it may be read from; empty means the folder of the
	// name given to Parse. A caller that parses text which names no file
	// (or a file under another name) says here where its sources lie.
	Dir string
}

// LoadFile reads and validates a scenario file (YAML or JSON) with no
// source folders besides its own.
func LoadFile(path string) (*Scenario, error) { return Options{}.LoadFile(path) }

// Parse decodes and validates a scenario with no source folders besides
// its own; see Options.Parse.
func Parse(data []byte, name string) (*Scenario, error) { return Options{}.Parse(data, name) }

// LoadFile reads and validates a scenario file (YAML or JSON). It reads
// only a regular file of at most safeio.MaxFileSize bytes.
func (o Options) LoadFile(path string) (*Scenario, error) {
	data, err := safeio.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return o.Parse(data, path)
}

// Parse decodes and validates a scenario. name is used in error positions,
// and its folder is where source documents' paths start. Every problem found
// is reported at once, as a diag.List sorted by position.
func (o Options) Parse(data []byte, name string) (*Scenario, error) {
	f, idx, errs := decode(data, name)
	if f == nil {
		errs.Sort()
		return nil, errs
	}
	// Unknown fields do not stop validation: report everything at once.
	dir := o.Dir
	if dir == "" {
		dir = filepath.Dir(name)
	}
	v := &validator{file: name, idx: idx, dir: dir, roots: o.SourceRoots, errs: errs}
	s := v.scenario(f)
	if len(v.errs) > 0 {
		v.errs.Sort()
		return nil, v.errs
	}
	return s, nil
}

// DecodeFile decodes a scenario file without validating it.
func DecodeFile(data []byte, name string) (*File, error) {
	f, _, errs := decode(data, name)
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return f, nil
}

// decode parses YAML/JSON into a File, reporting syntax errors, every
// unknown field and type errors with positions; idx maps field paths such
// as "parties[0].weights.price" to positions.
func decode(data []byte, name string) (*File, map[string]diag.Pos, diag.List) {
	var errs diag.List
	if len(data) > safeio.MaxFileSize {
		errs.Add(diag.Pos{File: name}, "%s is more than the %s a scenario file may have", safeio.Size(int64(len(data))), safeio.Size(safeio.MaxFileSize))
		return nil, nil, errs
	}
	af, err := yamlpos.Parse(data, name)
	if err != nil {
		errs.Merge(name, err)
		return nil, nil, errs
	}
	if len(af.Docs) == 0 || af.Docs[0].Body == nil {
		errs.Add(diag.Pos{File: name, Line: 1, Col: 1}, "the file is empty; a scenario needs parley, issues and parties")
		return nil, nil, errs
	}
	if len(af.Docs) > 1 {
		errs.Add(yamlpos.Of(name, af.Docs[1].Body), "a scenario file holds one YAML document; found %d", len(af.Docs))
	}
	body := af.Docs[0].Body
	idx := map[string]diag.Pos{"": yamlpos.Of(name, body)}
	w := walker{file: name, idx: idx, errs: &errs}
	w.walk(body, reflect.TypeOf(File{}), "", "the scenario")
	var f File
	if err := decodeNode(body, &f); err != nil {
		// A type error the walker has already reported in its own words
		// would only repeat it, without a position.
		if len(errs) == 0 {
			errs = append(errs, yamlpos.Error(name, err))
		}
		return nil, idx, errs
	}
	return &f, idx, errs
}

// decodeNode decodes with go-yaml, a panic inside the library on malformed
// input turned into an error.
func decodeNode(n ast.Node, v any) error {
	return yamlpos.Guard(func() error { return yaml.NodeToValue(n, v) })
}

// walker checks every mapping key against the fields of the Go type it
// decodes into, so that all unknown fields are reported at once, and records
// the position of every value under its path.
type walker struct {
	file string
	idx  map[string]diag.Pos
	errs *diag.List
}

var (
	numberType      = reflect.TypeOf(Number{})
	valueDefType    = reflect.TypeOf(ValueDef{})
	deadlineDefType = reflect.TypeOf(DeadlineDef{})
)

func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.DocumentNode:
			n = v.Body
		default:
			return n
		}
	}
}

func mappingPairs(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch v := n.(type) {
	case *ast.MappingNode:
		return v.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{v}, true
	}
	return nil, false
}

func keyString(k ast.Node) string {
	if k == nil {
		return ""
	}
	if s, ok := k.(*ast.StringNode); ok {
		return s.Value
	}
	if tk := k.GetToken(); tk != nil {
		return tk.Value
	}
	return k.String()
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (w *walker) walk(n ast.Node, t reflect.Type, path, what string) {
	if tag, ok := n.(*ast.TagNode); ok {
		// Scenario files need no tags, and the decoder mishandles odd ones.
		w.errs.Add(yamlpos.Of(w.file, tag), "%s has the YAML tag %s; scenario files use no tags", what, tag.Start.Value)
		return
	}
	n = unwrap(n)
	if n == nil {
		return
	}
	w.idx[path] = yamlpos.Of(w.file, n)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == numberType:
		switch n.Type() {
		case ast.IntegerType, ast.FloatType, ast.NanType, ast.InfinityType:
		case ast.MappingType, ast.MappingValueType:
			w.walk(n, reflect.TypeOf(numberFields{}), path, what)
		default:
			w.errs.Add(yamlpos.Of(w.file, n), "%s must be a number or {value, source|assumption}, found %s", what, describe(n))
		}
		return
	case t == valueDefType:
		// Interpreted by the validator, which knows the issue's kind.
		w.index(n, path)
		return
	case t == deadlineDefType:
		if n.Type() != ast.StringType {
			w.walk(n, reflect.TypeOf(deadlineFields{}), path, what)
		}
		return
	case t == decidesDefType:
		if n.Type() != ast.StringType {
			w.walk(n, reflect.TypeOf(decidesFields{}), path, what)
		}
		return
	case t == givenDefType:
		w.walkGiven(n, path, what)
		return
	case t == ratificationDefType:
		w.walkRatification(n, path, what)
		return
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		// go-yaml would drop the fraction without a word.
		if msg := yamlpos.Whole(n); msg != "" {
			w.errs.Add(yamlpos.Of(w.file, n), "%s must be a whole number; %s", what, msg)
		}
	case reflect.Struct:
		pairs, ok := mappingPairs(n)
		if !ok {
			if n.Type() != ast.NullType {
				w.errs.Add(yamlpos.Of(w.file, n), "%s must be a mapping, found %s", what, describe(n))
			}
			return
		}
		fields := map[string]reflect.StructField{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			fields[tag] = f
			names = append(names, tag)
		}
		seen := map[string]bool{}
		for _, kv := range pairs {
			k := keyString(kv.Key)
			if seen[k] {
				w.errs.Add(yamlpos.Of(w.file, kv.Key), "%q appears twice in %s", k, what)
			}
			seen[k] = true
			f, ok := fields[k]
			if !ok {
				w.errs.Add(yamlpos.Of(w.file, kv.Key), "unknown field %s in %s%s; known fields: %s", diag.Excerpt(k), what, suggest.Hint(k, names), strings.Join(names, ", "))
				continue
			}
			if k == "id" {
				w.id(kv.Value, what)
			}
			w.walk(kv.Value, f.Type, join(path, k), fmt.Sprintf("%q", join(path, k)))
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return
		}
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			if n.Type() != ast.NullType {
				w.errs.Add(yamlpos.Of(w.file, n), "%s must be a list, found %s", what, describe(n))
			}
			return
		}
		for i, e := range seq.Values {
			p := fmt.Sprintf("%s[%d]", path, i)
			w.walk(e, t.Elem(), p, p)
		}
	case reflect.Map:
		pairs, ok := mappingPairs(n)
		if !ok {
			if n.Type() != ast.NullType {
				w.errs.Add(yamlpos.Of(w.file, n), "%s must be a mapping, found %s", what, describe(n))
			}
			return
		}
		seen := map[string]bool{}
		for _, kv := range pairs {
			k := keyString(kv.Key)
			if seen[k] {
				w.errs.Add(yamlpos.Of(w.file, kv.Key), "%q appears twice in %s", k, what)
			}
			seen[k] = true
			w.walk(kv.Value, t.Elem(), join(path, k), fmt.Sprintf("%q", join(path, k)))
		}
	}
}

// id refuses an id that holds control or invisible characters (IDProblem).
func (w *walker) id(n ast.Node, what string) {
	if sn, ok := unwrap(n).(*ast.StringNode); ok {
		if msg := IDProblem(sn.Value); msg != "" {
			w.errs.Add(yamlpos.Of(w.file, sn), "the id %q of %s %s", sn.Value, what, msg)
		}
	}
}

// index records positions under a subtree without type checks.
func (w *walker) index(n ast.Node, path string) {
	n = unwrap(n)
	if n == nil {
		return
	}
	w.idx[path] = yamlpos.Of(w.file, n)
	if pairs, ok := mappingPairs(n); ok {
		for _, kv := range pairs {
			w.index(kv.Value, join(path, keyString(kv.Key)))
		}
	}
	if seq, ok := n.(*ast.SequenceNode); ok {
		for i, e := range seq.Values {
			w.index(e, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

// validator checks a decoded File and builds the Scenario.
type validator struct {
	file  string
	dir   string
	roots []string // folders besides dir that sources may be read from
	idx   map[string]diag.Pos
	errs  diag.List
	docs  map[string]string // source id -> normalised text, "" if unread
	// unread says, per source id whose text is not read, why: its quotes
	// are unchecked (Provenance).
	unread map[string]string
	// defaults lists the numbers and rules the file leaves out that enter
	// a figure (Scenario.Defaults).
	defaults []Default

	skipDocs bool // check citations against source ids only (FromFile)

	// voters are the constituency utilities to compile once the
	// guarantees are known (ratify.go).
	voters []pendingVoters
}

// pos returns the position of path, or of its nearest recorded ancestor.
func (v *validator) pos(path string) diag.Pos {
	for {
		if p, ok := v.idx[path]; ok {
			return p
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return v.idx[""]
		}
		path = path[:i]
	}
}

func (v *validator) errorf(path, format string, args ...any) {
	v.errs.Add(v.pos(path), format, args...)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// number checks an annotated number: finite, within [lo, hi], with a valid
// citation or assumption.
func (v *validator) number(n Number, path, what string, lo, hi float64) float64 {
	switch {
	case !finite(n.Value):
		v.errorf(path, "%s is %v; it must be a finite number", what, n.Value)
	case n.Value < lo || n.Value > hi:
		v.errorf(path, "%s is %s; it must be between %s and %s", what, ftoa(n.Value), ftoa(lo), ftoa(hi))
	}
	if n.Source != nil && n.Assumption != nil && !n.Source.DirectionOnly {
		v.errorf(path, "%s has both a source and an assumption; give one, or mark the source direction_only: true when its quote gives only the direction and the assumption the size", what)
	}
	if c := n.Source; c != nil {
		v.quote(*c, join(path, "source"))
		if c.DirectionOnly && (n.Assumption == nil || n.Assumption.Range == nil) {
			v.errorf(join(path, "source.direction_only"), "the quote behind %s gives only its direction: add assumption: {why, range: [low, high]} for its size", what)
		}
	}
	if a := n.Assumption; a != nil {
		ap := join(path, "assumption")
		if strings.TrimSpace(a.Why) == "" {
			v.errorf(ap, "the assumption behind %s needs a why", what)
		}
		if a.Range != nil {
			switch {
			case len(a.Range) != 2:
				v.errorf(join(ap, "range"), "range must be [low, high], found %d numbers", len(a.Range))
			case !finite(a.Range[0]) || !finite(a.Range[1]) || a.Range[0] > a.Range[1]:
				v.errorf(join(ap, "range"), "range [%s, %s] must be finite with low <= high", ftoa(a.Range[0]), ftoa(a.Range[1]))
			case n.Value < a.Range[0] || n.Value > a.Range[1]:
				v.errorf(join(ap, "range"), "%s is %s, outside its assumed range [%s, %s]", what, ftoa(n.Value), ftoa(a.Range[0]), ftoa(a.Range[1]))
			case a.Range[0] < lo || a.Range[1] > hi:
				v.errorf(join(ap, "range"), "the assumed range [%s, %s] of %s goes outside [%s, %s]", ftoa(a.Range[0]), ftoa(a.Range[1]), what, ftoa(lo), ftoa(hi))
			}
		}
	}
	return n.Value
}

// citation checks the source of something other than a number (a red
// line, a member, a meeting): see quote. Only a number's source may be
// direction_only.
func (v *validator) citation(c Citation, path string) {
	if c.DirectionOnly {
		v.errorf(join(path, "direction_only"), "direction_only marks the source of a number whose size is assumed; this source supports no number")
	}
	v.quote(c, path)
}

// quote checks that the quote names a declared source and, when the
// source's text is available, appears in it verbatim (up to white space).
func (v *validator) quote(c Citation, path string) {
	text, ok := v.docs[c.Document]
	if !ok {
		ids := make([]string, 0, len(v.docs))
		for id := range v.docs {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		if len(ids) == 0 {
			v.errorf(join(path, "document"), "source document %q is not declared; add it under sources", c.Document)
		} else {
			v.errorf(join(path, "document"), "source document %q is not declared; declared: %s", c.Document, strings.Join(ids, ", "))
		}
		return
	}
	q := NormalizeSpace(c.Quote)
	if q == "" {
		v.errorf(path, "a source needs a quote")
		return
	}
	if text != "" && !strings.Contains(text, q) {
		v.errorf(join(path, "quote"), "quote not found verbatim in source %q: %s", c.Document, diag.Excerpt(c.Quote))
	}
}

// NormalizeSpace collapses runs of white space into one blank, so quotes
// may wrap across lines in YAML.
func NormalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func (v *validator) scenario(f *File) *Scenario {
	s := &Scenario{Name: f.Name, Description: f.Description}
	if f.Parley != FormatVersion {
		if f.Parley == 0 {
			v.errorf("", "missing the format version: add `parley: %d` at the top", FormatVersion)
		} else {
			v.errorf("parley", "format version %d is not supported; this parley reads version %d", f.Parley, FormatVersion)
		}
	}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(v.file), filepath.Ext(v.file))
	}
	v.sources(f, s)
	v.issues(f, s)
	v.parties(f, s)
	v.rules(f, s)
	v.beliefs(f, s)
	s.Defaults = v.defaults
	return s
}

func (v *validator) sources(f *File, s *Scenario) {
	v.docs = map[string]string{}
	v.unread = map[string]string{}
	for i, d := range f.Sources {
		p := fmt.Sprintf("sources[%d]", i)
		if d.ID == "" {
			v.errorf(p, "a source needs an id")
			continue
		}
		if _, dup := v.docs[d.ID]; dup {
			v.errorf(join(p, "id"), "source id %q is used twice", d.ID)
		}
		v.docs[d.ID] = ""
		switch {
		case v.skipDocs:
		case d.Path == "" && d.URL != "":
			v.unread[d.ID] = "it gives only a URL, which parley does not fetch"
		case d.Path == "":
			v.unread[d.ID] = "it gives no path to its text"
		default:
			data, err := v.readSource(d.Path)
			if err != nil {
				// The scenario stays usable without its sources; quotes
				// from this one just cannot be checked.
				s.Warnings = append(s.Warnings, fmt.Sprintf("%s: cannot read source %q (%v); its quotes are not checked", v.pos(join(p, "path")), d.ID, err))
				v.unread[d.ID] = fmt.Sprintf("cannot read it: %v", err)
			} else if v.docs[d.ID] = NormalizeSpace(string(data)); v.docs[d.ID] == "" {
				v.unread[d.ID] = "its file holds no text"
			}
		}
		s.Sources = append(s.Sources, Source(d))
	}
}

// readSource reads a source document, given by its path relative to the
// scenario's folder (or absolute), only if it lies inside that folder or
// one of the allowed roots, and only through links that stay inside it.
func (v *validator) readSource(path string) ([]byte, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(v.dir, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	for _, dir := range append([]string{v.dir}, v.roots...) {
		root, err := filepath.Abs(dir)
		if err != nil {
			continue
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil || !filepath.IsLocal(rel) {
			continue
		}
		r, err := os.OpenRoot(root)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		data, err := safeio.ReadFileIn(r, rel)
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Err.Error() == "path escapes from parent" {
			return nil, fmt.Errorf("it links to a file outside %s", dir)
		}
		return data, err
	}
	return nil, errors.New("it lies outside the scenario's folder, and parley reads source documents only from there and from folders it is allowed")
}

func (v *validator) issues(f *File, s *Scenario) {
	if len(f.Issues) == 0 {
		v.errorf("issues", "a scenario needs at least one issue")
	}
	ids := map[string]bool{}
	for i, d := range f.Issues {
		p := fmt.Sprintf("issues[%d]", i)
		is := Issue{ID: d.ID, Name: d.Name}
		if strings.TrimSpace(d.ID) == "" {
			v.errorf(p, "issue %d needs an id", i+1)
		} else if ids[d.ID] {
			v.errorf(join(p, "id"), "issue id %q is used twice", d.ID)
		}
		ids[d.ID] = true
		if is.Name == "" {
			is.Name = d.ID
		}
		kinds := 0
		for _, set := range []bool{d.Options != nil, d.Integer != nil, d.Real != nil} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			v.errorf(p, "issue %q must have exactly one of options, integer and real; it has %d", d.ID, kinds)
		}
		switch {
		case d.Options != nil:
			is.Kind = Discrete
			if len(d.Options) == 0 {
				v.errorf(join(p, "options"), "issue %q has no options", d.ID)
			}
			if len(d.Options) > MaxIssueValues {
				v.errorf(join(p, "options"), "issue %q has %d options; at most %d are allowed", d.ID, len(d.Options), MaxIssueValues)
			}
			seen := map[string]bool{}
			for j, o := range d.Options {
				op := fmt.Sprintf("%s.options[%d]", p, j)
				if o.ID == "" {
					v.errorf(op, "option %d of issue %q needs an id", j+1, d.ID)
				} else if seen[o.ID] {
					v.errorf(join(op, "id"), "option %q appears twice in issue %q", o.ID, d.ID)
				}
				seen[o.ID] = true
				is.Options = append(is.Options, Option(o))
			}
		case d.Integer != nil:
			is.Kind = Integer
			r := d.Integer
			is.Min, is.Max = float64(r.Min), float64(r.Max)
			switch {
			case r.Min > r.Max:
				v.errorf(join(p, "integer"), "issue %q has min %d above max %d", d.ID, r.Min, r.Max)
				is.Max = is.Min // reported; keep later checks on a one-value range
			case r.Max-r.Min >= MaxIssueValues || r.Max-r.Min < 0:
				v.errorf(join(p, "integer"), "issue %q has %.4g values; at most %d are allowed", d.ID, float64(r.Max)-float64(r.Min)+1, MaxIssueValues)
				is.Max = is.Min
			}
		case d.Real != nil:
			is.Kind = Real
			r := d.Real
			is.Min, is.Max, is.Steps = r.Min, r.Max, r.Steps
			if is.Steps == 0 {
				is.Steps = DefaultRealSteps
				v.defaulted(join(p, "real.steps"), ftoa(DefaultRealSteps), "the number of values issue %q is enumerated as", d.ID)
			}
			switch {
			case !finite(r.Min) || !finite(r.Max) || r.Min >= r.Max:
				v.errorf(join(p, "real"), "issue %q needs finite min < max, found min %s, max %s", d.ID, ftoa(r.Min), ftoa(r.Max))
				is.Min, is.Max, is.Steps = 0, 1, 2 // reported; keep later checks on a small range
			case is.Steps < 2 || is.Steps > MaxIssueValues:
				v.errorf(join(p, "real.steps"), "issue %q has steps %d; it must be between 2 and %d", d.ID, is.Steps, MaxIssueValues)
				is.Steps = 2
			}
		}
		if d.Scale != nil {
			is.Scale = v.scale(d.Scale, join(p, "scale"), &is)
		}
		s.Issues = append(s.Issues, is)
	}
}

// scale resolves an issue's placement on 0–100.
func (v *validator) scale(d *ScaleDef, p string, is *Issue) *Scale {
	sc := &Scale{}
	for j, a := range d.Anchors {
		ap := fmt.Sprintf("%s.anchors[%d]", p, j)
		if !finite(a.Value) || a.Value < 0 || a.Value > 100 {
			v.errorf(ap, "anchor %q of issue %q is at %s; anchors lie on 0-100", a.Label, is.ID, ftoa(a.Value))
		}
		sc.Anchors = append(sc.Anchors, Anchor(a))
	}
	if is.Kind != Discrete {
		if d.Options != nil {
			v.errorf(join(p, "options"), "issue %q is numeric; its range maps onto 0-100 by itself, so scale.options does not apply", is.ID)
		}
		n := is.Size()
		sc.Points = make([]float64, n)
		for j := range n {
			if is.Max > is.Min {
				sc.Points[j] = 100 * (is.Number(j) - is.Min) / (is.Max - is.Min)
			}
		}
		return sc
	}
	sc.Points = make([]float64, len(is.Options))
	var missing []string
	for _, k := range sortedKeys(d.Options) {
		if is.Lookup(k) < 0 {
			v.errorf(join(join(p, "options"), k), "scale of issue %q places %q, which is not one of its options (%s)", is.ID, k, optionIDs(is))
		}
	}
	for j, o := range is.Options {
		x, ok := d.Options[o.ID]
		if !ok {
			missing = append(missing, o.ID)
			continue
		}
		sc.Points[j] = v.number(x, join(join(p, "options"), o.ID), fmt.Sprintf("the scale point of %q", o.ID), 0, 100)
	}
	if len(missing) > 0 {
		v.errorf(join(p, "options"), "the scale of issue %q places no point for option(s) %s", is.ID, strings.Join(missing, ", "))
	}
	return sc
}

// spatial resolves a party's capability and positions.
func (v *validator) spatial(d PartyDef, p string, s *Scenario, pa *Party) {
	if d.Capability != nil {
		pa.Capability = v.number(*d.Capability, join(p, "capability"), fmt.Sprintf("the capability of %q", d.ID), 0, math.Inf(1))
		if pa.Capability == 0 {
			v.errorf(join(p, "capability"), "the capability of %q is 0; leave it out for a party that takes no stand", d.ID)
		}
	}
	if d.Positions == nil {
		if d.Capability != nil {
			v.errorf(join(p, "capability"), "party %q has a capability but no positions", d.ID)
		}
		return
	}
	if d.Capability == nil {
		v.errorf(join(p, "positions"), "party %q takes positions but has no capability; add capability: N", d.ID)
	}
	for _, k := range sortedKeys(d.Positions) {
		i := s.IssueIndex(k)
		switch {
		case i < 0:
			v.errorf(join(join(p, "positions"), k), "party %q takes a position on unknown issue %q; issues are %s", d.ID, k, v.issueIDs(s))
		case s.Issues[i].Scale == nil:
			v.errorf(join(join(p, "positions"), k), "party %q takes a position on issue %q, which has no scale; add scale: to the issue", d.ID, k)
		}
	}
	pa.Positions = make([]Position, len(s.Issues))
	sum := 0.0
	var missing []string
	for i := range s.Issues {
		is := &s.Issues[i]
		if is.Scale == nil {
			continue
		}
		pd, ok := d.Positions[is.ID]
		if !ok {
			missing = append(missing, is.ID)
			continue
		}
		pp := join(join(p, "positions"), is.ID)
		pa.Positions[i] = Position{
			Position: v.number(pd.Position, join(pp, "position"), fmt.Sprintf("the position of %q on %q", d.ID, is.ID), 0, 100),
			Salience: v.number(pd.Salience, join(pp, "salience"), fmt.Sprintf("the salience of %q for %q", is.ID, d.ID), 0, 100),
		}
		sum += pa.Positions[i].Salience
	}
	if len(missing) > 0 {
		v.errorf(join(p, "positions"), "party %q takes no position on scaled issue(s) %s", d.ID, strings.Join(missing, ", "))
	}
	if sum > 100+1e-9 {
		v.errorf(join(p, "positions"), "the saliences of %q sum to %s; they must sum to at most 100", d.ID, ftoa(sum))
	}
}

func (v *validator) parties(f *File, s *Scenario) {
	ids := map[string]bool{}
	for i, d := range f.Parties {
		p := fmt.Sprintf("parties[%d]", i)
		pa := Party{ID: d.ID, Name: d.Name, Role: Role(d.Role), Leader: d.Leader}
		if strings.TrimSpace(d.ID) == "" {
			v.errorf(p, "party %d needs an id", i+1)
		} else if ids[d.ID] {
			v.errorf(join(p, "id"), "party id %q is used twice", d.ID)
		}
		ids[d.ID] = true
		if pa.Name == "" {
			pa.Name = d.ID
		}
		if pa.Role == "" {
			pa.Role = RoleParty
		} else if !slices.Contains(Roles, pa.Role) {
			v.errorf(join(p, "role"), "unknown role %q for party %q; roles are %s", pa.Role, d.ID, joinRoles(Roles))
		}
		for k, m := range d.Members {
			mp := fmt.Sprintf("%s.members[%d]", p, k)
			switch {
			case strings.TrimSpace(m.ID) == "":
				v.errorf(mp, "member %d of %q needs an id", k+1, d.ID)
			case ids[m.ID]:
				v.errorf(join(mp, "id"), "id %q is used twice among the parties and their members", m.ID)
			}
			ids[m.ID] = true
			mem := Member{ID: m.ID, Name: m.Name, Role: MemberRole(m.Role), Leader: m.Leader}
			if mem.Name == "" {
				mem.Name = m.ID
			}
			if mem.Role == "" {
				mem.Role = MemberRoleMember
			} else if !slices.Contains(MemberRoles, mem.Role) {
				v.errorf(join(mp, "role"), "unknown role %q for member %q; roles are %s", m.Role, m.ID, joinRoles(MemberRoles))
			}
			if m.Source != nil {
				v.citation(*m.Source, join(mp, "source"))
			}
			pa.Members = append(pa.Members, mem)
		}
		if !v.coalition(d, p, s, &pa) {
			pa.Prefs = v.prefs(d, p, s)
		}
		v.spatial(d, p, s, &pa)
		s.Parties = append(s.Parties, pa)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (v *validator) issueIDs(s *Scenario) string {
	ids := make([]string, len(s.Issues))
	for i := range s.Issues {
		ids[i] = s.Issues[i].ID
	}
	return strings.Join(ids, ", ")
}

// WeightSumTolerance is how far a party's weights may sum from 1. It admits
// Genius files whose weights were rounded when written (ANAC2011 Laptop sums
// to 1.0000518).
const WeightSumTolerance = 1e-3

func (v *validator) prefs(d PartyDef, p string, s *Scenario) Preferences {
	pr := Preferences{Reservation: 0, Discount: 1,
		Weights: make([]float64, len(s.Issues)), Values: make([]utility.ValueFunc, len(s.Issues))}
	if len(d.Weights) == 0 && len(d.Values) == 0 {
		// No interests of its own (a chair): every weight 0, every value
		// 0. Only the mediator may be so; v.mediator checks, once roles
		// are settled.
		for i := range pr.Values {
			pr.Values[i] = noValue(&s.Issues[i])
		}
		if d.Reservation != nil {
			v.errorf(join(p, "reservation"), "party %q has no weights or values, so no interests and no reservation value; drop the reservation or give it weights", d.ID)
		}
		return pr
	}
	if d.Reservation != nil {
		pr.Reservation = v.number(*d.Reservation, join(p, "reservation"), fmt.Sprintf("the reservation value of %q", d.ID), 0, 1)
	} else {
		v.defaulted(join(p, "reservation"), "0", "the reservation value of %q (no agreement is worth nothing to it)", d.ID)
	}
	if d.Discount != nil {
		pr.Discount = v.number(*d.Discount, join(p, "discount"), fmt.Sprintf("the discount factor of %q", d.ID), 0, 1)
		if pr.Discount == 0 {
			v.errorf(join(p, "discount"), "the discount factor of %q is 0; it must be in (0, 1], 1 meaning no discount", d.ID)
		}
	}
	for _, k := range sortedKeys(d.Weights) {
		if s.IssueIndex(k) < 0 {
			v.errorf(join(join(p, "weights"), k), "party %q weighs unknown issue %q; issues are %s", d.ID, k, v.issueIDs(s))
		}
	}
	for _, k := range sortedKeys(d.Values) {
		if s.IssueIndex(k) < 0 {
			v.errorf(join(join(p, "values"), k), "party %q values unknown issue %q; issues are %s", d.ID, k, v.issueIDs(s))
		}
	}
	sum := 0.0
	var missing []string
	for i := range s.Issues {
		is := &s.Issues[i]
		w, ok := d.Weights[is.ID]
		if !ok {
			missing = append(missing, is.ID)
			continue
		}
		wp := join(join(p, "weights"), is.ID)
		pr.Weights[i] = v.number(w, wp, fmt.Sprintf("the weight of %q for %q", is.ID, d.ID), 0, 1)
		sum += pr.Weights[i]
		vd, ok := d.Values[is.ID]
		if !ok {
			v.errorf(join(p, "values"), "party %q has a weight but no value function for issue %q", d.ID, is.ID)
			continue
		}
		k := len(v.defaults)
		pr.Values[i] = v.valueFunc(vd, join(join(p, "values"), is.ID), d.ID, is)
		pr.Given = append(pr.Given, v.givenOf(vd, join(join(p, "values"), is.ID), d.ID, i, s)...)
		if pr.Weights[i] == 0 {
			v.defaults = v.defaults[:k] // a value function weighed 0 enters no figure
		}
	}
	if len(missing) > 0 {
		v.errorf(join(p, "weights"), "party %q has no weight for issue(s) %s; give every issue a weight (0 if it does not matter)", d.ID, strings.Join(missing, ", "))
	} else if sum == 0 {
		// Every weight 0: no interests, like a party with no weights
		// (only a mediator; v.mediator checks).
		if d.Reservation != nil {
			v.errorf(join(p, "reservation"), "party %q weighs every issue 0, so it has no interests and no reservation value; drop the reservation or give it weights", d.ID)
		}
		pr.Reservation = 0
		v.dropDefaults(p + ".")
	} else if finite(sum) && math.Abs(sum-1) > WeightSumTolerance {
		v.errorf(join(p, "weights"), "the weights of %q sum to %s; they must sum to 1", d.ID, ftoa(sum))
	}
	return pr
}

func (v *validator) valueFunc(vd ValueDef, path, party string, is *Issue) utility.ValueFunc {
	var f utility.ValueFunc
	what := fmt.Sprintf("%q's value function for %q", party, is.ID)
	if vd.node == nil && vd.Table == nil && vd.Shape == nil {
		v.errorf(path, "%s is empty", what)
		return f
	}
	if is.Kind == Discrete {
		table := vd.Table
		if rest, _ := splitGiven(vd.node); table == nil && rest != nil {
			// Check each entry's type first, so that a problem is reported
			// with its position and path rather than by the decoder. The
			// given: entry is read apart (givenOf).
			sub := walker{file: v.file, idx: v.idx, errs: &v.errs}
			n := len(v.errs)
			sub.walk(rest, reflect.TypeOf(map[string]Number{}), path, what)
			if len(v.errs) > n {
				return f
			}
			if err := decodeNode(rest, &table); err != nil {
				v.errs = append(v.errs, yamlpos.Error(v.file, err))
				return f
			}
		}
		f.Shape = utility.Table
		f.Values = make([]float64, len(is.Options))
		var missing []string
		for _, k := range sortedKeys(table) {
			if is.Lookup(k) < 0 {
				v.errorf(join(path, k), "%s names %q, which is not an option of %q%s (options: %s)", what, k, is.ID, suggest.Hint(k, optionList(is)), optionIDs(is))
			}
		}
		for j, o := range is.Options {
			n, ok := table[o.ID]
			if !ok {
				missing = append(missing, o.ID)
				continue
			}
			f.Values[j] = v.number(n, join(path, o.ID), fmt.Sprintf("the value of %q in %s", o.ID, what), 0, 1)
		}
		if len(missing) > 0 {
			v.errorf(path, "%s gives no value for option(s) %s", what, strings.Join(missing, ", "))
		}
		return f
	}
	sh := vd.Shape
	if sh == nil {
		sh = new(ShapeDef)
		sub := walker{file: v.file, idx: v.idx, errs: &v.errs}
		n := len(v.errs)
		sub.walk(vd.node, reflect.TypeOf(ShapeDef{}), path, what)
		if len(v.errs) > n {
			return f
		}
		if err := decodeNode(vd.node, sh); err != nil {
			v.errs = append(v.errs, yamlpos.Error(v.file, err))
			return f
		}
	}
	count := 0
	for _, set := range []bool{sh.Linear != nil, sh.Triangular != nil, sh.Peaked != nil} {
		if set {
			count++
		}
	}
	if count != 1 {
		v.errorf(path, "%s must have exactly one shape (linear, triangular or peaked); it has %d", what, count)
		return f
	}
	num := func(n *Number, name string, def, lo, hi float64) float64 {
		if n == nil {
			return def
		}
		return v.number(*n, join(path, name), name+" in "+what, lo, hi)
	}
	inf := math.Inf(1)
	switch {
	case sh.Linear != nil:
		l := sh.Linear
		lp := join(path, "linear")
		f.Shape = utility.Linear
		byBounds := l.AtMin != nil || l.AtMax != nil
		byOffset := l.Offset != nil || l.Slope != nil || l.Origin != nil
		switch {
		case byBounds && byOffset:
			v.errorf(lp, "%s: give either at_min and at_max, or offset and slope, not both", what)
		case byBounds:
			a := num(l.AtMin, "linear.at_min", 0, 0, 1)
			b := num(l.AtMax, "linear.at_max", 1, 0, 1)
			if l.AtMin == nil {
				v.defaulted(join(path, "linear.at_min"), "0", "the value at the lower bound in %s", what)
			}
			if l.AtMax == nil {
				v.defaulted(join(path, "linear.at_max"), "1", "the value at the upper bound in %s", what)
			}
			f.Origin, f.Offset, f.Slope = is.Min, a, (b-a)/(is.Max-is.Min)
		default:
			f.Offset = num(l.Offset, "linear.offset", 0, -inf, inf)
			f.Slope = num(l.Slope, "linear.slope", 0, -inf, inf)
			f.Origin = num(l.Origin, "linear.origin", is.Min, -inf, inf)
			for _, d := range []struct {
				n          *Number
				name, word string
				x          float64
			}{{l.Offset, "offset", "offset", 0}, {l.Slope, "slope", "slope", 0}, {l.Origin, "origin", "origin (the lower bound)", is.Min}} {
				if d.n == nil {
					v.defaulted(join(path, "linear."+d.name), ftoa(d.x), "the %s in %s", d.word, what)
				}
			}
		}
	case sh.Triangular != nil:
		t := sh.Triangular
		f.Shape = utility.Triangular
		f.Peak = v.number(t.Peak, join(path, "triangular.peak"), "peak in "+what, is.Min, is.Max)
		f.AtMin = num(t.AtMin, "triangular.at_min", 0, 0, 1)
		f.AtMax = num(t.AtMax, "triangular.at_max", 0, 0, 1)
		if t.AtMin == nil {
			v.defaulted(join(path, "triangular.at_min"), "0", "the value at the lower bound in %s", what)
		}
		if t.AtMax == nil {
			v.defaulted(join(path, "triangular.at_max"), "0", "the value at the upper bound in %s", what)
		}
	case sh.Peaked != nil:
		pk := sh.Peaked
		f.Shape = utility.Peaked
		f.Peak = v.number(pk.Peak, join(path, "peaked.peak"), "peak in "+what, is.Min, is.Max)
		f.Width = v.number(pk.Width, join(path, "peaked.width"), "width in "+what, 0, inf)
		if f.Width == 0 {
			v.errorf(join(path, "peaked.width"), "width in %s must be above 0", what)
		}
	}
	return f
}

func optionList(is *Issue) []string {
	ids := make([]string, len(is.Options))
	for i, o := range is.Options {
		ids[i] = o.ID
	}
	return ids
}

func optionIDs(is *Issue) string {
	ids := make([]string, len(is.Options))
	for i, o := range is.Options {
		ids[i] = o.ID
	}
	return strings.Join(ids, ", ")
}
