package forecast

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/internal/xmltree"
)

// LoadFile reads a problem from a file, choosing the reader by extension:
// .xml is a KTAB XML scenario (smpSchema.xsd); .csv is a KTAB CSV scenario,
// or, if its first cell is "Actor", a plain actor table (see ReadTable).
func LoadFile(path string) (Problem, error) {
	if !IsProblemFile(path) {
		return Problem{}, unknownFormat(path)
	}
	data, err := readAll(path)
	if err != nil {
		return Problem{}, err
	}
	return Read(data, path)
}

// IsProblemFile reports whether LoadFile reads the file name by its
// extension: a KTAB XML or CSV file or an actor table, not a scenario.
func IsProblemFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xml", ".csv", ".txt":
		return true
	}
	return false
}

// Read reads a problem from the contents of the file name, as LoadFile
// does, for a caller that has read the file itself.
func Read(data []byte, name string) (Problem, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xml":
		return ReadKTABXML(bytes.NewReader(data), name)
	case ".csv", ".txt":
		if isTable(data) {
			return ReadTable(bytes.NewReader(data), name)
		}
		return ReadKTABCSV(bytes.NewReader(data), name)
	}
	return Problem{}, unknownFormat(name)
}

func unknownFormat(name string) error {
	return fmt.Errorf("%s: unknown input format %q (want .csv or .xml)", name, filepath.Ext(name))
}

// readAll reads an input file: a regular file of at most
// safeio.MaxFileSize bytes.
func readAll(path string) ([]byte, error) { return safeio.ReadFile(path) }

func isTable(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	line, _, _ := bytes.Cut(data, []byte("\n"))
	first, _, _ := bytes.Cut(line, []byte(","))
	return strings.EqualFold(strings.Trim(strings.TrimSpace(string(first)), `"`), "actor")
}

func newCSVReader(r io.Reader, comma rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = comma != '\t' // a tab is white space too
	cr.ReuseRecord = false
	return cr
}

// csvRecord is one parsed CSV line with its line number.
type csvRecord struct {
	line   int
	fields []string
}

// readInput reads at most safeio.MaxFileSize bytes, without a leading
// byte-order mark.
func readInput(r io.Reader, file string) ([]byte, error) {
	data, err := safeio.ReadAll(r)
	if err != nil {
		return nil, &diag.Error{Pos: at(file, 0), Msg: err.Error()}
	}
	return safeio.TrimBOM(data), nil
}

// readRecords reads every record, trimming spaces and quotes and a leading
// byte-order mark; a CSV syntax error is reported with its line.
func readRecords(r io.Reader, file string, comma rune) ([]csvRecord, error) {
	data, err := readInput(r, file)
	if err != nil {
		return nil, err
	}
	cr := newCSVReader(bytes.NewReader(data), comma)
	var out []csvRecord
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &diag.Error{Pos: at(file, pe.Line), Msg: pe.Err.Error()}
			}
			return nil, &diag.Error{Pos: at(file, 0), Msg: err.Error()}
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		// drop trailing empty fields (KTAB files end rows with a comma, or not)
		for len(rec) > 0 && rec[len(rec)-1] == "" {
			rec = rec[:len(rec)-1]
		}
		if len(rec) == 0 {
			continue
		}
		out = append(out, csvRecord{line: line, fields: rec})
	}
	return out, nil
}

func parseNumber(errs *diag.List, file string, line int, what, s string) float64 {
	if s == "" {
		errs.Add(at(file, line), "%s is empty", what)
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		errs.Add(at(file, line), "%s %q is not a number", what, s)
		return 0
	}
	return v
}

// addActor adds actor a of a table row to p, parsing its capability and, for
// each dimension d, the position and salience cells that cells(d) gives.
func (p *Problem) addActor(errs *diag.List, a Actor, capability string, cells func(d int) (position, salience string)) {
	a.Capability = parseNumber(errs, p.Source, a.Line, "capability", capability)
	for d, dim := range p.Dimensions {
		pos, sal := cells(d)
		a.Positions = append(a.Positions, parseNumber(errs, p.Source, a.Line, "position on "+dim.Name, pos))
		a.Saliences = append(a.Saliences, parseNumber(errs, p.Source, a.Line, "salience on "+dim.Name, sal))
	}
	p.Actors = append(p.Actors, a)
}

// checked is what a reader returns for the problem p it has read: the
// errors found while reading, if any, else p once it validates.
func (p *Problem) checked(errs diag.List) (Problem, error) {
	if len(errs) > 0 {
		return Problem{}, errs
	}
	if err := p.Validate(); err != nil {
		return Problem{}, err
	}
	return *p, nil
}

// ReadKTABCSV reads KTAB's SMP CSV format (SMPModel::csvRead):
//
//	<scenario name>,<description>,<number of actors>,<number of dimensions>,
//	Actor,Description,<capability header>,<dim 1 position header>,<dim 1 salience header>,...
//	<name>,<description>,<capability>,<position 1>,<salience 1>,...   (one row per actor)
//
// Rows may or may not end with a comma. Positions and saliences are on 0–100.
// The problem is validated (Validate); every error carries file:line.
func ReadKTABCSV(r io.Reader, file string) (Problem, error) {
	recs, err := readRecords(r, file, ',')
	if err != nil {
		return Problem{}, err
	}
	var errs diag.List
	p := Problem{Source: file}
	if len(recs) < 2 {
		errs.Add(at(file, 0), "KTAB CSV needs a scenario line, a header line and actor rows; found %d non-empty lines", len(recs))
		return Problem{}, errs
	}
	head := recs[0]
	if len(head.fields) < 4 {
		errs.Add(at(file, head.line), "scenario line needs 4 fields (name, description, number of actors, number of dimensions); found %d", len(head.fields))
		return Problem{}, errs
	}
	p.Name, p.Description = head.fields[0], head.fields[1]
	numActors, err1 := strconv.Atoi(head.fields[2])
	numDims, err2 := strconv.Atoi(head.fields[3])
	if err1 != nil || numActors < 1 {
		errs.Add(at(file, head.line), "number of actors %q is not a positive integer", head.fields[2])
	}
	if err2 != nil || numDims < 1 {
		errs.Add(at(file, head.line), "number of dimensions %q is not a positive integer", head.fields[3])
	}
	if len(errs) > 0 {
		return Problem{}, errs
	}
	hdr := recs[1]
	want := 3 + 2*numDims
	if len(hdr.fields) < want {
		errs.Add(at(file, hdr.line), "header has %d fields; %d dimensions need %d (Actor, Description, capability, then position and salience per dimension)", len(hdr.fields), numDims, want)
		return Problem{}, errs
	}
	for d := range numDims {
		p.Dimensions = append(p.Dimensions, Dimension{Name: hdr.fields[3+2*d]})
	}
	rows := recs[2:]
	if len(rows) != numActors {
		line := hdr.line
		if len(rows) > 0 {
			line = rows[len(rows)-1].line
		}
		errs.Add(at(file, line), "scenario line declares %d actors but %d actor rows follow", numActors, len(rows))
	}
	for _, rec := range rows {
		f := rec.fields
		if len(f) != want {
			errs.Add(at(file, rec.line), "actor row has %d fields; want %d (name, description, capability, then position and salience for each of %d dimensions)", len(f), want, numDims)
			continue
		}
		p.addActor(&errs, Actor{Name: f[0], Description: f[1], Line: rec.line}, f[2], func(d int) (string, string) {
			return f[3+2*d], f[4+2*d]
		})
	}
	return p.checked(errs)
}

// ReadTable reads a plain actor table: a header row whose first cell is
// "Actor", then one row per actor. Columns are recognised by header:
// Description (optional); Capability (or Influence, Power, Clout);
// "Position" and "Salience", or "<dimension> Position" and "<dimension>
// Salience" pairs in order. Saliences are on 0–100.
func ReadTable(r io.Reader, file string) (Problem, error) {
	recs, err := readRecords(r, file, ',')
	if err != nil {
		return Problem{}, err
	}
	var errs diag.List
	if len(recs) < 2 {
		errs.Add(at(file, 0), "actor table needs a header row and actor rows")
		return Problem{}, errs
	}
	hdr := recs[0]
	descCol, capCol := -1, -1
	var posCols, salCols []int
	p := Problem{Source: file}
	for c, h := range hdr.fields {
		l := strings.ToLower(h)
		switch {
		case c == 0:
		case l == "description":
			descCol = c
		case l == "capability" || l == "influence" || l == "power" || l == "clout":
			capCol = c
		case l == "position" || strings.HasSuffix(l, " position"):
			posCols = append(posCols, c)
			name := strings.TrimSpace(h[:len(h)-len("position")])
			if name == "" {
				name = fmt.Sprintf("Issue %d", len(posCols))
			}
			p.Dimensions = append(p.Dimensions, Dimension{Name: name})
		case l == "salience" || strings.HasSuffix(l, " salience"):
			salCols = append(salCols, c)
		default:
			errs.Add(at(file, hdr.line), "unknown column %q", h)
		}
	}
	if capCol < 0 {
		errs.Add(at(file, hdr.line), "no Capability column")
	}
	if len(posCols) == 0 || len(posCols) != len(salCols) {
		errs.Add(at(file, hdr.line), "need matching Position and Salience columns; found %d and %d", len(posCols), len(salCols))
	}
	if len(errs) > 0 {
		return Problem{}, errs
	}
	for _, rec := range recs[1:] {
		f := rec.fields
		get := func(c int) string {
			if c >= 0 && c < len(f) {
				return f[c]
			}
			return ""
		}
		p.addActor(&errs, Actor{Name: f[0], Description: get(descCol), Line: rec.line}, get(capCol), func(d int) (string, string) {
			return get(posCols[d]), get(salCols[d])
		})
	}
	return p.checked(errs)
}

// ReadKTABXML reads KTAB's SMP XML scenario (smpSchema.xsd, e.g.
// smpExample.xml): name, desc, prngSeed, optional ModelParameters (stored in
// Problem.SMP), Dimensions, Actors (name, description, capability, Position
// dCoord…, Salience dSal…) and optional IdealAdjustment pairs (stored in
// Problem.Accommodation, starting from the identity). Every error carries
// file:line.
func ReadKTABXML(r io.Reader, file string) (Problem, error) {
	root, err := xmltree.Read(r, file)
	if err != nil {
		return Problem{}, err
	}
	var errs diag.List
	p := Problem{Source: file}
	if root.Name != "Scenario" {
		errs.Add(at(file, root.Pos.Line), "root element is <%s>, want <Scenario>", root.Name)
		return Problem{}, errs
	}
	need := func(n *xmltree.Element, name string) *xmltree.Element {
		c := n.Child(name)
		if c == nil {
			errs.Add(at(file, n.Pos.Line), "<%s> has no <%s>", n.Name, name)
		}
		return c
	}
	text := func(n *xmltree.Element, name string) string {
		c := need(n, name)
		if c == nil {
			return ""
		}
		if c.Text() == "" {
			errs.Add(at(file, c.Pos.Line), "<%s> is empty", name)
		}
		return c.Text()
	}
	number := func(n *xmltree.Element, what string) float64 {
		if n.Text() == "" {
			errs.Add(at(file, n.Pos.Line), "<%s> is empty (%s)", n.Name, what)
			return 0
		}
		v, err := strconv.ParseFloat(n.Text(), 64)
		if err != nil {
			errs.Add(at(file, n.Pos.Line), "<%s> %q is not a number (%s)", n.Name, n.Text(), what)
			return 0
		}
		return v
	}
	p.Name = text(root, "name")
	if c := root.Child("desc"); c != nil {
		p.Description = c.Text()
	}
	if mp := root.Child("ModelParameters"); mp != nil {
		par := SMPParams{}
		fields := []struct {
			name string
			dst  *string
		}{
			{"VictoryProbModel", (*string)(&par.VictoryProb)},
			{"PCEModel", (*string)(&par.PCE)},
			{"StateTransitions", (*string)(&par.StateTransitions)},
			{"VotingRule", (*string)(&par.VotingRule)},
			{"BigRAdjust", (*string)(&par.BigRAdjust)},
			{"BigRRange", (*string)(&par.BigRRange)},
			{"ThirdPartyCommit", (*string)(&par.ThirdPartyCommit)},
			{"InterVecBrgn", (*string)(&par.InterVecBrgn)},
			{"BargnModel", (*string)(&par.BargnModel)},
		}
		for _, f := range fields {
			*f.dst = text(mp, f.name)
		}
		if len(errs) == 0 {
			full := par.withDefaults()
			if err := full.check(); err != nil {
				for _, e := range err.(diag.List) {
					errs.Add(at(file, mp.Pos.Line), "%s", e.Msg)
				}
			}
		}
		p.SMP = &par
	}
	if dims := need(root, "Dimensions"); dims != nil {
		for _, d := range dims.ChildrenNamed("dName") {
			if d.Text() == "" {
				errs.Add(at(file, d.Pos.Line), "<dName> is empty")
			}
			p.Dimensions = append(p.Dimensions, Dimension{Name: d.Text()})
		}
		if len(p.Dimensions) == 0 {
			errs.Add(at(file, dims.Pos.Line), "<Dimensions> has no <dName>")
		}
	}
	nd := len(p.Dimensions)
	index := map[string]int{}
	if actors := need(root, "Actors"); actors != nil {
		for _, an := range actors.ChildrenNamed("Actor") {
			a := Actor{Line: an.Pos.Line}
			a.Name = text(an, "name")
			if c := an.Child("description"); c != nil {
				a.Description = c.Text()
			}
			if c := need(an, "capability"); c != nil {
				a.Capability = number(c, "capability of "+a.Name)
			}
			if pos := need(an, "Position"); pos != nil {
				for _, c := range pos.ChildrenNamed("dCoord") {
					a.Positions = append(a.Positions, number(c, "position of "+a.Name))
				}
				if len(a.Positions) != nd {
					errs.Add(at(file, pos.Pos.Line), "actor %s has %d <dCoord> for %d dimensions", a.Name, len(a.Positions), nd)
				}
			}
			if sal := need(an, "Salience"); sal != nil {
				for _, c := range sal.ChildrenNamed("dSal") {
					a.Saliences = append(a.Saliences, number(c, "salience of "+a.Name))
				}
				if len(a.Saliences) != nd {
					errs.Add(at(file, sal.Pos.Line), "actor %s has %d <dSal> for %d dimensions", a.Name, len(a.Saliences), nd)
				}
			}
			if _, dup := index[a.Name]; dup && a.Name != "" {
				errs.Add(at(file, an.Pos.Line), "actor name %q used twice", a.Name)
			}
			index[a.Name] = len(p.Actors)
			p.Actors = append(p.Actors, a)
		}
	}
	if ia := root.Child("IdealAdjustment"); ia != nil {
		n := len(p.Actors)
		acc := newMatrix(n, n)
		for i := range n {
			acc[i][i] = 1
		}
		for _, pair := range ia.ChildrenNamed("iaPair") {
			ai, rj := text(pair, "adjustingIdeal"), text(pair, "referencePos")
			i, ok1 := index[ai]
			j, ok2 := index[rj]
			if !ok1 && ai != "" {
				errs.Add(at(file, pair.Pos.Line), "<adjustingIdeal> names unknown actor %q", ai)
			}
			if !ok2 && rj != "" {
				errs.Add(at(file, pair.Pos.Line), "<referencePos> names unknown actor %q", rj)
			}
			var v float64
			if c := need(pair, "adjust"); c != nil {
				v = number(c, "adjust")
			}
			if ok1 && ok2 {
				acc[i][j] = v
			}
		}
		p.Accommodation = acc
	}
	return p.checked(errs)
}
