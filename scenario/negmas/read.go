package negmas

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// Names of the side files of a scenario folder (without extension).
const (
	InfoName  = "_info"
	StatsName = "_stats"
)

// PublicKey is the _info entry, a parley extension that NegMAS ignores,
// that makes the parties' utility functions public
// (scenario.Scenario.PublicUtilities): ANL's league gives each negotiator
// its opponent's.
const PublicKey = "public_utilities"

// Dir is what ScanDir finds in a folder.
type Dir struct {
	Domain   string   // the domain file: its type names an OutcomeSpace
	Profiles []string // utility-function files (a type with "Fun" in it), sorted by name
	Info     string   // _info.yaml, _info.yml or _info.json, or ""
	Stats    string   // _stats.yaml, _stats.yml or _stats.json, or ""
	Ignored  []string // other files

	trees map[string]*node // parsed domain and profile files
}

// Folder is a NegMAS scenario folder as parley reads it.
type Folder struct {
	Dir      string
	Files    *Dir
	Scenario *scenario.Scenario
	// Reserved is each party's reserved value as NegMAS uses it: the
	// reserved_value of the outermost utility function, −Inf when it is
	// null (or, for a discounted one, absent). The scenario's parties have
	// it too, except that −Inf becomes the party's lowest utility there
	// (see the package documentation).
	Reserved []float64
	// Discount is each party's ExpDiscountedUFun, or a zero value.
	Discount []Discount
	// Info holds the top-level scalars of _info (text as written).
	Info map[string]string
}

// Discount is an ExpDiscountedUFun's discounting: utility times
// Rate^Factor, Factor being a field of NegMAS's mechanism state.
type Discount struct {
	Rate   float64
	Factor string // "step", "relative_time", ...
}

// applies reports whether parley's discounting (d^t over normalised time,
// Genius's rule) is the same: a rate below 1 by relative_time.
func (d Discount) applies() bool { return d.Factor == "relative_time" && d.Rate > 0 && d.Rate < 1 }

// ScanDir classifies the files of dir as NegMAS does, by content: the YAML
// or JSON files (.yml, .yaml, .json, not hidden) whose top-level type names
// an OutcomeSpace are the domain, those whose type holds "fun" (any case)
// the utility functions, one party each in file-name order; _info and
// _stats are read by name. Other files are listed in Dir.Ignored. A file
// that cannot be read or parsed is an error, with its position.
func ScanDir(dir string) (*Dir, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	res := &Dir{trees: map[string]*node{}}
	var domains []string
	var errs diag.List
	for _, e := range entries { // sorted by name, as NegMAS sorts them
		name := e.Name()
		if e.IsDir() {
			continue
		}
		ext := strings.ToLower(filepath.Ext(name))
		if strings.HasPrefix(name, ".") || (ext != ".yml" && ext != ".yaml" && ext != ".json") {
			res.Ignored = append(res.Ignored, name)
			continue
		}
		path := filepath.Join(dir, name)
		switch strings.TrimSuffix(name, filepath.Ext(name)) {
		case InfoName:
			res.Info = name
			continue
		case StatsName:
			res.Stats = name
			continue
		}
		data, err := safeio.ReadFileIn(root, name)
		if err != nil {
			errs.Add(diag.Pos{File: path}, "cannot read this NegMAS file: %v", unwrapPath(err))
			continue
		}
		t, err := parseTree(data, path)
		if err != nil {
			errs.Merge(path, err)
			continue
		}
		typ := t.get("type")
		switch {
		case typ == nil || typ.kind != kStr:
			res.Ignored = append(res.Ignored, name)
		case strings.Contains(typ.text, "OutcomeSpace"):
			domains = append(domains, name)
			res.trees[name] = t
		case strings.Contains(strings.ToLower(typ.text), "fun"):
			res.Profiles = append(res.Profiles, name)
			res.trees[name] = t
		default:
			res.Ignored = append(res.Ignored, name)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	switch len(domains) {
	case 0:
		return nil, fmt.Errorf("%s: no NegMAS domain file (a .yml, .yaml or .json file whose type is an OutcomeSpace)", dir)
	case 1:
		res.Domain = domains[0]
	default:
		return nil, fmt.Errorf("%s: %d NegMAS domain files (%s); a folder holds one", dir, len(domains), strings.Join(domains, ", "))
	}
	if len(res.Profiles) == 0 {
		return nil, fmt.Errorf("%s: no NegMAS utility function (a file whose type is a …Fun, such as LinearAdditiveUtilityFunction) next to domain %s", dir, res.Domain)
	}
	return res, nil
}

// HasDomain reports, without reporting errors, whether dir holds a NegMAS
// domain file: what scenario/open looks at to pick this reader.
func HasDomain(dir string) bool {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return false
	}
	defer root.Close()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		name := e.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if e.IsDir() || strings.HasPrefix(name, ".") || (ext != ".yml" && ext != ".yaml" && ext != ".json") {
			continue
		}
		data, err := safeio.ReadFileIn(root, name)
		if err != nil || !bytes.Contains(data, []byte("OutcomeSpace")) {
			continue
		}
		if t, err := parseTree(data, name); err == nil {
			if typ := t.get("type"); typ != nil && typ.kind == kStr && strings.Contains(typ.text, "OutcomeSpace") {
				return true
			}
		}
	}
	return false
}

// IsFile reports whether data is a NegMAS domain or utility-function file
// (YAML or JSON whose top-level type names an OutcomeSpace or a …Fun).
func IsFile(data []byte) bool {
	t, err := parseTree(data, "")
	if err != nil {
		return false
	}
	typ := t.get("type")
	return typ != nil && typ.kind == kStr && t.get("parley") == nil &&
		(strings.Contains(typ.text, "OutcomeSpace") || strings.Contains(strings.ToLower(typ.text), "fun"))
}

// unwrapPath drops the operation and path that os errors repeat.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if pe.Err.Error() == "path escapes from parent" {
			return errors.New("it links outside its folder, and parley reads a scenario folder's files only from inside it")
		}
		return pe.Err
	}
	return err
}

// LoadDir loads the NegMAS scenario folder dir (see ReadDir).
func LoadDir(dir string) (*scenario.Scenario, error) {
	f, err := ReadDir(dir)
	if err != nil {
		return nil, err
	}
	return f.Scenario, nil
}

// ReadDir reads the NegMAS scenario folder dir: its domain, one party per
// utility-function file in file-name order (NegMAS's order), and _info. A
// party's id and name are the function's name, or the file's name without
// extension when the function has none (or shares another's). The
// scenario is named after the folder. Every problem in every file is
// reported, as a diag.List.
func ReadDir(dir string) (*Folder, error) {
	d, err := ScanDir(dir)
	if err != nil {
		return nil, err
	}
	domPath := filepath.Join(dir, d.Domain)
	var errs diag.List
	dom := readDomain(d.trees[d.Domain], domPath, &errs)
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	s := &scenario.Scenario{Issues: dom.issues, Description: "Imported from a NegMAS scenario folder: domain " + d.Domain}
	if abs, err := filepath.Abs(dir); err == nil {
		s.Name = filepath.Base(abs)
	}
	f := &Folder{Dir: dir, Files: d, Scenario: s}
	var unapplied []string
	seen := map[string]bool{}
	for _, pf := range d.Profiles {
		path := filepath.Join(dir, pf)
		u := readUfun(d.trees[pf], path, dom, &errs)
		if u == nil {
			continue
		}
		// The party is the function's name, as NegMAS names it, unless
		// that is empty, unusable or taken: then the file's name.
		id := u.name
		if id == "" || scenario.IDProblem(id) != "" || seen[id] {
			id = strings.TrimSuffix(pf, filepath.Ext(pf))
		}
		if msg := scenario.IDProblem(id); msg != "" {
			errs.Add(diag.Pos{File: path}, "party id %q, the file's name, %s", id, msg)
			continue
		}
		if seen[id] {
			errs.Add(diag.Pos{File: path}, "party id %q is also the name of another utility function; names must differ", id)
			continue
		}
		seen[id] = true
		party, warn := u.party(id, dom)
		s.Parties = append(s.Parties, party)
		s.Warnings = append(s.Warnings, warn...)
		if r := u.discount; r.Rate != 0 && r.Rate != 1 && !r.applies() {
			unapplied = append(unapplied, fmt.Sprintf("%s %g^%s", id, r.Rate, r.Factor))
		}
		f.Reserved = append(f.Reserved, u.reserved)
		f.Discount = append(f.Discount, u.discount)
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	if err := s.CheckParties(); err != nil {
		return nil, fmt.Errorf("%s: %w: one utility-function file makes one party", dir, err)
	}
	if len(unapplied) > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("NegMAS discounts utility per mechanism step here (%s); parley discounts by normalised time only, so sessions do not apply these discounts (the analysis is undiscounted in both)", strings.Join(unapplied, ", ")))
	}
	if d.Info != "" {
		info, err := readInfo(dir, d.Info)
		if err != nil {
			return nil, err
		}
		f.Info = info
		s.PublicUtilities = info[PublicKey] == "True"
	}
	return f, nil
}

// readInfo reads the top-level scalars of an _info file.
func readInfo(dir, name string) (map[string]string, error) {
	path := filepath.Join(dir, name)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	data, err := safeio.ReadFileIn(root, name)
	if err != nil {
		return nil, &diag.Error{Pos: diag.Pos{File: path}, Msg: fmt.Sprintf("cannot read this NegMAS file: %v", unwrapPath(err))}
	}
	t, err := parseTree(data, path)
	if err != nil {
		return nil, err
	}
	if t.kind != kMap {
		return nil, &diag.Error{Pos: t.pos, Msg: fmt.Sprintf("_info holds %s; NegMAS writes a mapping", t.kind)}
	}
	info := map[string]string{}
	for i, k := range t.keys {
		if v := t.vals[i]; v.kind != kMap && v.kind != kSeq {
			info[k.label()] = v.label()
		}
	}
	return info, nil
}

// domain is a parsed domain file.
type domain struct {
	issues []scenario.Issue
	// per issue: value identity → value index (discrete issues), and each
	// value's number (NaN for one that is not a number)
	index  []map[string]int
	number [][]float64
}

func readDomain(t *node, file string, errs *diag.List) *domain {
	d := &domain{}
	if t.kind != kMap {
		errs.Add(t.pos, "a NegMAS domain file holds a mapping (issues, name, type), not %s", t.kind)
		return d
	}
	iss := t.get("issues")
	if iss == nil || iss.kind != kSeq || len(iss.vals) == 0 {
		errs.Add(t.pos, "the domain has no issues: NegMAS writes them as a list under issues")
		return d
	}
	seen := map[string]diag.Pos{}
	total := 0
	for i, it := range iss.vals {
		is, idx, num, ok := readIssue(it, i, MaxTotalValues-total, errs)
		if !ok {
			continue
		}
		total += is.Size()
		if p, dup := seen[is.ID]; dup {
			errs.Add(it.pos, "issue name %q is used twice (also at %s); parley needs unique issue names", is.ID, p)
			continue
		}
		seen[is.ID] = it.pos
		d.issues = append(d.issues, is)
		d.index = append(d.index, idx)
		d.number = append(d.number, num)
	}
	size := 1.0
	for i := range d.issues {
		size *= float64(d.issues[i].Size())
	}
	if size > math.MaxUint64 {
		errs.Add(iss.pos, "the domain has %.4g outcomes, more than parley indexes (2^64)", size)
	}
	return d
}

// DefaultLevels is how many values a ContinuousIssue has when its file
// gives no n_levels: NegMAS's DEFAULT_LEVELS.
const DefaultLevels = 10

// MaxTotalValues bounds the values of all issues together: every party
// holds a number per value, so a short file must not make parley allocate
// gigabytes.
const MaxTotalValues = 10 * scenario.MaxIssueValues

func readIssue(it *node, i, budget int, errs *diag.List) (scenario.Issue, map[string]int, []float64, bool) {
	var is scenario.Issue
	what := fmt.Sprintf("issues[%d]", i)
	if it.kind != kMap {
		errs.Add(it.pos, "%s is %s; an issue is a mapping with name, type and values", what, it.kind)
		return is, nil, nil, false
	}
	checkFields(it, what, errs, "name", "type", "values", "n_levels", "id", "n_values")
	name := it.get("name")
	if name == nil || name.kind == kMap || name.kind == kSeq || name.kind == kNull {
		errs.Add(it.pos, "%s has no name", what)
		return is, nil, nil, false
	}
	if msg := scenario.IDProblem(name.label()); msg != "" {
		errs.Add(name.pos, "issue name %s %s", diag.Excerpt(name.label()), msg)
		return is, nil, nil, false
	}
	is.ID, is.Name = name.label(), name.label()
	what = fmt.Sprintf("issue %q", is.ID)
	typ := it.get("type")
	if typ == nil || typ.kind != kStr {
		errs.Add(it.pos, "%s has no type (CategoricalIssue, ContiguousIssue or ContinuousIssue)", what)
		return is, nil, nil, false
	}
	vals := it.get("values")
	if vals == nil {
		errs.Add(it.pos, "%s has no values", what)
		return is, nil, nil, false
	}
	switch t := strings.TrimPrefix(typ.text, "negmas."); {
	case strings.HasSuffix(t, "ContiguousIssue"):
		lo, hi, ok := intRange(vals, what, errs)
		if !ok {
			return is, nil, nil, false
		}
		is.Kind, is.Min, is.Max = scenario.Integer, float64(lo), float64(hi)
		if !withinBudget(is, budget, vals, errs) {
			return is, nil, nil, false
		}
		num := make([]float64, is.Size())
		for v := range num {
			num[v] = is.Number(v)
		}
		return is, nil, num, true
	case strings.HasSuffix(t, "ContinuousIssue"):
		if vals.kind != kSeq || len(vals.vals) != 2 || !vals.vals[0].isNumber() || !vals.vals[1].isNumber() {
			errs.Add(vals.pos, "%s: a ContinuousIssue's values are [lower, upper]", what)
			return is, nil, nil, false
		}
		lo, hi := vals.vals[0].num, vals.vals[1].num
		if !finite(lo) || !finite(hi) || hi < lo {
			errs.Add(vals.pos, "%s: the range [%s, %s] is not a finite range with lower ≤ upper", what, vals.vals[0].text, vals.vals[1].text)
			return is, nil, nil, false
		}
		steps := DefaultLevels
		if nl := it.get("n_levels"); nl != nil {
			if nl.kind != kInt || nl.num < 2 || nl.num > scenario.MaxIssueValues {
				errs.Add(nl.pos, "%s: n_levels must be a whole number from 2 to %d", what, scenario.MaxIssueValues)
				return is, nil, nil, false
			}
			steps = int(nl.num)
		}
		is.Kind, is.Min, is.Max, is.Steps = scenario.Real, lo, hi, steps
		if !withinBudget(is, budget, vals, errs) {
			return is, nil, nil, false
		}
		num := make([]float64, is.Size())
		for v := range num {
			num[v] = is.Number(v)
		}
		return is, nil, num, true
	case strings.HasSuffix(t, "CategoricalIssue"), strings.HasSuffix(t, "OrdinalIssue"), strings.HasSuffix(t, "CardinalIssue"):
		if vals.kind == kInt { // make_issue(n): the values 0 … n−1
			lo, hi, ok := intRange(vals, what, errs)
			if !ok {
				return is, nil, nil, false
			}
			vals = &node{kind: kSeq, pos: vals.pos}
			for x := lo; x <= hi; x++ {
				vals.vals = append(vals.vals, &node{kind: kInt, pos: vals.pos, text: fmt.Sprint(x), num: float64(x)})
			}
		}
		if vals.kind != kSeq || len(vals.vals) == 0 {
			errs.Add(vals.pos, "%s: a %s's values are a non-empty list", what, t)
			return is, nil, nil, false
		}
		if len(vals.vals) > budget {
			errs.Add(vals.pos, "issue %q brings the values of all issues past %d, the most parley reads in one domain", is.ID, MaxTotalValues)
			return is, nil, nil, false
		}
		if len(vals.vals) > scenario.MaxIssueValues {
			errs.Add(vals.pos, "%s has %d values; parley accepts at most %d values per issue", what, len(vals.vals), scenario.MaxIssueValues)
			return is, nil, nil, false
		}
		idx := map[string]int{}
		labels := map[string]diag.Pos{}
		num := make([]float64, 0, len(vals.vals))
		bad := false
		for _, v := range vals.vals {
			if v.kind == kMap || v.kind == kSeq {
				errs.Add(v.pos, "%s: a value is %s; values are strings or numbers", what, v.kind)
				bad = true
				continue
			}
			if msg := scenario.IDProblem(v.label()); msg != "" {
				errs.Add(v.pos, "value %s of %s %s", diag.Excerpt(v.label()), what, msg)
				bad = true
				continue
			}
			if _, dup := idx[v.identity()]; dup {
				errs.Add(v.pos, "%s lists value %s twice", what, diag.Excerpt(v.label()))
				bad = true
				continue
			}
			if p, dup := labels[v.label()]; dup {
				errs.Add(v.pos, "%s has two values written %s (also at %s), one a string and one a number; parley needs distinct names", what, diag.Excerpt(v.label()), p)
				bad = true
				continue
			}
			labels[v.label()] = v.pos
			idx[v.identity()] = len(is.Options)
			is.Options = append(is.Options, scenario.Option{ID: v.label(), Label: v.label()})
			x := math.NaN()
			if v.isNumber() || v.kind == kBool {
				x = v.num
			}
			num = append(num, x)
		}
		if bad {
			return is, nil, nil, false
		}
		is.Kind = scenario.Discrete
		return is, idx, num, true
	default:
		errs.Add(typ.pos, "%s has type %s; parley reads CategoricalIssue, ContiguousIssue and ContinuousIssue (and ordinal and cardinal issues with listed values)", what, diag.Excerpt(typ.text))
		return is, nil, nil, false
	}
}

func withinBudget(is scenario.Issue, budget int, at *node, errs *diag.List) bool {
	if is.Size() > budget {
		errs.Add(at.pos, "issue %q brings the values of all issues past %d, the most parley reads in one domain", is.ID, MaxTotalValues)
		return false
	}
	return true
}

// intRange reads a ContiguousIssue's values: [lower, upper], or a count n
// meaning 0 … n−1.
func intRange(vals *node, what string, errs *diag.List) (int64, int64, bool) {
	var lo, hi float64
	switch {
	case vals.kind == kInt:
		lo, hi = 0, vals.num-1
	case vals.kind == kSeq && len(vals.vals) == 2 && vals.vals[0].kind == kInt && vals.vals[1].kind == kInt:
		lo, hi = vals.vals[0].num, vals.vals[1].num
	default:
		errs.Add(vals.pos, "%s: a ContiguousIssue's values are [lower, upper] (whole numbers) or a count", what)
		return 0, 0, false
	}
	if hi < lo || math.Abs(lo) > 1<<53 || math.Abs(hi) > 1<<53 {
		errs.Add(vals.pos, "%s: the range %s..%s is empty or beyond exact whole numbers", what, fmt.Sprint(lo), fmt.Sprint(hi))
		return 0, 0, false
	}
	if hi-lo+1 > scenario.MaxIssueValues {
		errs.Add(vals.pos, "%s has %.0f values (%.0f..%.0f); parley accepts at most %d values per issue", what, hi-lo+1, lo, hi, scenario.MaxIssueValues)
		return 0, 0, false
	}
	return int64(lo), int64(hi), true
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// checkFields reports the keys of mapping n that are not among known.
func checkFields(n *node, what string, errs *diag.List, known ...string) {
	for _, k := range n.keys {
		ok := false
		for _, kn := range known {
			if k.kind == kStr && k.text == kn {
				ok = true
				break
			}
		}
		if !ok {
			errs.Add(k.pos, "%s: unknown field %s; known fields: %s", what, diag.Excerpt(k.label()), strings.Join(known, ", "))
		}
	}
}

// ufun is a parsed utility-function file, evaluated on the domain's
// values with NegMAS's arithmetic.
type ufun struct {
	name     string
	weights  []float64
	evals    [][]float64 // per issue, per value index: the value function
	bias     float64
	reserved float64 // NegMAS's reserved value (outermost function)
	discount Discount
}

func readUfun(t *node, file string, d *domain, errs *diag.List) *ufun {
	n := len(*errs)
	u := readFun(t, d, errs, 0)
	if len(*errs) > n {
		return nil
	}
	return u
}

// readFun reads a LinearAdditiveUtilityFunction or an ExpDiscountedUFun
// around one.
func readFun(t *node, d *domain, errs *diag.List, depth int) *ufun {
	if t.kind != kMap {
		errs.Add(t.pos, "a utility function is a mapping, not %s", t.kind)
		return nil
	}
	typ := t.get("type")
	if typ == nil || typ.kind != kStr {
		errs.Add(t.pos, "the utility function has no type")
		return nil
	}
	name := ""
	if nm := t.get("name"); nm != nil && nm.kind != kMap && nm.kind != kSeq && nm.kind != kNull {
		name = nm.label()
	}
	short := typ.text[strings.LastIndexByte(typ.text, '.')+1:]
	switch short {
	case "ExpDiscountedUFun":
		checkFields(t, short, errs, "type", "name", "id", "ufun", "discount", "factor", "reserved_value", "reserved_outcome", "dynamic_reservation", "stability", "outcome_space", "path")
		inner := t.get("ufun")
		if inner == nil {
			errs.Add(t.pos, "the ExpDiscountedUFun has no ufun to discount")
			return nil
		}
		if depth > 3 {
			errs.Add(inner.pos, "discounted utility functions nest more than 4 deep")
			return nil
		}
		u := readFun(inner, d, errs, depth+1)
		if u == nil {
			return nil
		}
		if name != "" {
			u.name = name
		}
		// NegMAS's figures use the outer function's reserved value, which
		// defaults to −inf: the inner one's is not used.
		u.reserved = reservedValue(t, errs, math.Inf(-1))
		if rv := t.get("reserved_outcome"); rv != nil && rv.kind != kNull {
			errs.Add(rv.pos, "reserved_outcome is not supported: parley's parties have a reserved value")
		}
		disc := t.get("discount")
		switch {
		case disc == nil || disc.kind == kNull:
		case !disc.isNumber() || !finite(disc.num) || disc.num <= 0:
			errs.Add(disc.pos, "discount must be a positive number")
		default:
			factor := "step"
			if f := t.get("factor"); f != nil && f.kind == kStr {
				factor = f.text
			} else if f != nil && f.kind != kNull {
				errs.Add(f.pos, "factor names a field of NegMAS's mechanism state, such as step or relative_time")
			}
			if u.discount.Rate != 0 {
				errs.Add(t.pos, "parley reads one discount per party; this function discounts a discounted function")
			}
			u.discount = Discount{Rate: disc.num, Factor: factor}
		}
		return u
	case "LinearAdditiveUtilityFunction", "LinearUtilityFunction", "AffineUtilityFunction":
	default:
		errs.Add(typ.pos, "utility function type %s is not supported; parley reads LinearAdditiveUtilityFunction (and ExpDiscountedUFun around one)", diag.Excerpt(typ.text))
		return nil
	}
	checkFields(t, short, errs, "type", "name", "id", "values", "weights", "bias", "reserved_value", "reserved_outcome", "stability", "outcome_space", "path", "issues")
	u := &ufun{name: name, reserved: reservedValue(t, errs, math.Inf(-1))}
	if rv := t.get("reserved_outcome"); rv != nil && rv.kind != kNull {
		errs.Add(rv.pos, "reserved_outcome is not supported: parley's parties have a reserved value")
	}
	if b := t.get("bias"); b != nil && b.kind != kNull {
		if !b.isNumber() || !finite(b.num) {
			errs.Add(b.pos, "bias must be a finite number")
		}
		u.bias = b.num
	}
	k := len(d.issues)
	u.weights = make([]float64, k)
	u.evals = make([][]float64, k)
	linear := short != "LinearAdditiveUtilityFunction"
	// weights: a list by issue position or a mapping by issue name,
	// missing ones 1 (NegMAS's default).
	for i := range u.weights {
		u.weights[i] = 1
	}
	if w := t.get("weights"); w != nil && w.kind != kNull {
		byIssue(w, d, "weights", errs, func(i int, x *node) {
			if !x.isNumber() || !finite(x.num) {
				errs.Add(x.pos, "the weight of issue %q must be a finite number", d.issues[i].ID)
				return
			}
			u.weights[i] = x.num
		})
	}
	if linear {
		// LinearUtilityFunction and AffineUtilityFunction weigh each
		// issue's value itself: an identity value function per issue.
		for i := range u.evals {
			u.evals[i] = identity(d, i, t.pos, errs)
		}
		return u
	}
	vals := t.get("values")
	if vals == nil {
		errs.Add(t.pos, "the LinearAdditiveUtilityFunction has no values (one value function per issue)")
		return nil
	}
	set := make([]bool, k)
	byIssue(vals, d, "values", errs, func(i int, x *node) {
		u.evals[i] = valueFun(x, d, i, errs)
		set[i] = true
	})
	for i := range set {
		if !set[i] {
			if vals.kind == kSeq {
				errs.Add(vals.pos, "values has %d value functions for %d issues", len(vals.vals), k)
				break
			}
			u.evals[i] = identity(d, i, vals.pos, errs) // NegMAS's default for an issue a mapping leaves out
		}
	}
	return u
}

// byIssue calls f for each entry of a list by issue position or a mapping
// by issue name.
func byIssue(n *node, d *domain, what string, errs *diag.List, f func(i int, x *node)) {
	k := len(d.issues)
	switch n.kind {
	case kSeq:
		if len(n.vals) != k {
			errs.Add(n.pos, "%s has %d entries for %d issues", what, len(n.vals), k)
			return
		}
		for i, x := range n.vals {
			f(i, x)
		}
	case kMap:
		for j, key := range n.keys {
			i := -1
			for ii := range d.issues {
				if d.issues[ii].ID == key.label() {
					i = ii
				}
			}
			if i < 0 {
				errs.Add(key.pos, "%s names %s, which is not an issue of the domain", what, diag.Excerpt(key.label()))
				continue
			}
			f(i, n.vals[j])
		}
	default:
		errs.Add(n.pos, "%s is %s; NegMAS writes a list (one per issue) or a mapping by issue name", what, n.kind)
	}
}

func reservedValue(t *node, errs *diag.List, def float64) float64 {
	rv := t.get("reserved_value")
	switch {
	case rv == nil || rv.kind == kNull:
		return def
	case !rv.isNumber() || math.IsNaN(rv.num) || math.IsInf(rv.num, 1):
		errs.Add(rv.pos, "reserved_value must be a number or -.inf, not %s", diag.Excerpt(rv.label()))
		return def
	}
	return rv.num
}

// identity is IdentityFun on issue i: each value's number.
func identity(d *domain, i int, pos diag.Pos, errs *diag.List) []float64 {
	e := make([]float64, len(d.number[i]))
	for v, x := range d.number[i] {
		if math.IsNaN(x) {
			errs.Add(pos, "issue %q has value %q, which is not a number, so it has no identity value", d.issues[i].ID, d.issues[i].Options[v].ID)
			return e
		}
		e[v] = x
	}
	return e
}

// valueFun evaluates a value function on every value of issue i exactly as
// NegMAS computes it.
func valueFun(x *node, d *domain, i int, errs *diag.List) []float64 {
	is := &d.issues[i]
	e := make([]float64, is.Size())
	if x.kind != kMap {
		errs.Add(x.pos, "the value function of issue %q is %s; NegMAS writes a mapping with a type", is.ID, x.kind)
		return e
	}
	typ := x.get("type")
	if typ == nil || typ.kind != kStr {
		errs.Add(x.pos, "the value function of issue %q has no type", is.ID)
		return e
	}
	what := fmt.Sprintf("the value function of issue %q", is.ID)
	num := func(key string, def float64) float64 {
		n := x.get(key)
		switch {
		case n == nil || n.kind == kNull:
			return def
		case !n.isNumber() || !finite(n.num):
			errs.Add(n.pos, "%s: %s must be a finite number", what, key)
			return def
		}
		return n.num
	}
	numeric := func() bool {
		for v, xv := range d.number[i] {
			if math.IsNaN(xv) {
				errs.Add(x.pos, "%s is numeric (%s) but value %q is not a number", what, typ.text, is.Options[v].ID)
				return false
			}
		}
		return true
	}
	short := typ.text[strings.LastIndexByte(typ.text, '.')+1:]
	switch short {
	case "TableFun":
		checkFields(x, what, errs, "type", "mapping")
		m := x.get("mapping")
		if m == nil || m.kind != kMap {
			errs.Add(x.pos, "%s: a TableFun has a mapping from values to numbers", what)
			return e
		}
		have := make([]bool, len(e))
		for j, k := range m.keys {
			v := -1
			if is.Kind == scenario.Discrete {
				if idx, ok := d.index[i][k.identity()]; ok {
					v = idx
				}
			} else if k.isNumber() {
				v = is.Lookup(k.text)
			}
			if v < 0 {
				errs.Add(k.pos, "%s names %s, which is not a value of issue %q", what, diag.Excerpt(k.label()), is.ID)
				continue
			}
			val := m.vals[j]
			if !val.isNumber() || !finite(val.num) {
				errs.Add(val.pos, "%s: the value of %s must be a finite number", what, diag.Excerpt(k.label()))
				continue
			}
			e[v], have[v] = val.num, true
		}
		var missing []string
		for v, ok := range have {
			if !ok {
				missing = append(missing, is.Value(v))
			}
		}
		if len(missing) > 0 {
			if len(missing) > 5 {
				missing = append(missing[:5], fmt.Sprintf("… (%d in all)", len(missing)))
			}
			errs.Add(m.pos, "%s gives no value for %s (NegMAS fails on such an outcome)", what, strings.Join(missing, ", "))
		}
	case "AffineFun", "LinearFun", "IdentityFun", "ConstFun":
		checkFields(x, what, errs, "type", "slope", "bias")
		slope, bias := num("slope", 1), num("bias", 0)
		if short == "LinearFun" || short == "IdentityFun" {
			bias = 0
		}
		if short == "IdentityFun" || short == "ConstFun" {
			slope = 1
		}
		if !numeric() {
			return e
		}
		for v, xv := range d.number[i] {
			switch short {
			case "ConstFun":
				e[v] = bias
			case "IdentityFun":
				e[v] = xv
			case "LinearFun":
				e[v] = xv * slope
			default: // x*slope + bias, rounded after each operation as Python does
				e[v] = float64(xv*slope) + bias
			}
		}
	default:
		errs.Add(typ.pos, "%s has type %s; parley reads TableFun, AffineFun, LinearFun, IdentityFun and ConstFun", what, diag.Excerpt(typ.text))
	}
	return e
}

// party builds the parley party of u: the table of each issue's values,
// the weights as written, the bias folded into the first issue, and the
// reserved value (−Inf becomes the lowest utility).
func (u *ufun) party(id string, d *domain) (scenario.Party, []string) {
	var warn []string
	k := len(d.issues)
	pr := scenario.Preferences{Weights: append([]float64(nil), u.weights...), Values: make([]utility.ValueFunc, k), Discount: 1}
	for i := range k {
		pr.Values[i] = utility.ValueFunc{Shape: utility.Table, Values: u.evals[i]}
	}
	if u.bias != 0 {
		// NegMAS sums bias + w0·v0 + w1·v1 …: a first issue worth
		// bias + w0·v0 with weight 1 gives the same sums, rounding included.
		e := make([]float64, len(u.evals[0]))
		for v, x := range u.evals[0] {
			e[v] = u.bias + float64(u.weights[0]*x)
		}
		pr.Weights[0], pr.Values[0].Values = 1, e
	}
	lo, hi := 0.0, 0.0
	for i := range k {
		mn, mx := math.Inf(1), math.Inf(-1)
		for _, x := range pr.Values[i].Values {
			t := pr.Weights[i] * x
			mn, mx = min(mn, t), max(mx, t)
		}
		lo, hi = lo+mn, hi+mx
	}
	pr.Reservation = u.reserved
	if math.IsInf(u.reserved, -1) {
		pr.Reservation = lo
	}
	if hi > 1+1e-9 {
		warn = append(warn, fmt.Sprintf("party %s: utilities reach %.6g; NegMAS does not cap utilities, but parley's sessions and its core analysis cap them at 1 as Genius does (the negmas figures of analyze are uncapped)", id, hi))
	}
	if r := u.discount; r.applies() {
		pr.Discount = r.Rate
	}
	return scenario.Party{ID: id, Name: id, Role: scenario.RoleParty, Prefs: pr}, warn
}
