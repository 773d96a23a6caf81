// Package compare says what changed between two versions of a scenario
// file — its numbers with their provenance, its sources and quotes, its
// rules and structure — and how every headline figure moved: the zone of
// agreement, the ratifiable zone, the Nash, ratifiable Nash and
// max-welfare deals, and the outcome of one session played by a fixed
// line-up (`parley diff`).
package compare

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/parleyhq/parley/internal/safeio"
	"github.com/parleyhq/parley/scenario"
)

// Options tune Versions.
type Options struct {
	// SourceRoots are folders, besides each file's own, from which source
	// documents may be read (scenario.Options).
	SourceRoots []string
	// MinRatification: the probability every required ratification must
	// reach for a deal to count as ratifiable; 0 means
	// analysis.DefaultMinRatification.
	MinRatification float64
	// Lineup plays one session on each version.
	Lineup Lineup
}

// Version is one version of a scenario file: its name (a path, which
// positions in errors and the folder its sources are read from) and text.
type Version struct {
	Name string
	Data []byte
}

// Diff is what changed between two versions of a scenario (the JSON of
// `parley diff --json`).
type Diff struct {
	Before  string   `json:"before"`
	After   string   `json:"after"`
	Changes []Change `json:"changes"`
	// BeforeFigures and AfterFigures are the headline figures of each.
	BeforeFigures *Figures `json:"before_figures"`
	AfterFigures  *Figures `json:"after_figures"`
	// Moved names the figures that differ: reservation, zone,
	// ratifiable_zone, nash, ratifiable_nash, max_welfare, session.
	Moved []string `json:"moved"`
	// Warnings are problems that do not stop the comparison, such as a
	// source that cannot be read, each prefixed by its file.
	Warnings []string `json:"warnings,omitempty"`
}

// Paths compares the scenario files at the paths before and after.
func Paths(before, after string, opts Options) (*Diff, error) {
	var vs [2]Version
	for i, p := range []string{before, after} {
		data, err := safeio.ReadFile(p)
		if err != nil {
			return nil, err
		}
		vs[i] = Version{Name: p, Data: data}
	}
	return Versions(vs[0], vs[1], opts)
}

// Versions compares two versions of a scenario file. Both must be valid
// parley scenario files; the errors of both are returned together.
func Versions(before, after Version, opts Options) (*Diff, error) {
	d := &Diff{Before: before.Name, After: after.Name, Changes: []Change{}, Moved: []string{}}
	var (
		files [2]*scenario.File
		scens [2]*scenario.Scenario
		errs  []string
	)
	for i, v := range []Version{before, after} {
		s, err := scenario.Options{SourceRoots: opts.SourceRoots}.Parse(v.Data, v.Name)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		f, err := scenario.DecodeFile(v.Data, v.Name)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		f.ResolveValues()
		files[i], scens[i] = f, s
		d.Warnings = append(d.Warnings, s.Warnings...)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	d.Changes = append(d.Changes, Files(files[0], files[1], scens[0].Defaults, scens[1].Defaults)...)
	var err error
	if d.BeforeFigures, err = Measure(scens[0], opts.MinRatification, opts.Lineup); err != nil {
		return nil, fmt.Errorf("%s: %w", before.Name, err)
	}
	if d.AfterFigures, err = Measure(scens[1], opts.MinRatification, opts.Lineup); err != nil {
		return nil, fmt.Errorf("%s: %w", after.Name, err)
	}
	d.Moved = moved(d.BeforeFigures, d.AfterFigures)
	return d, nil
}

// moved compares two versions' figures.
func moved(a, b *Figures) []string {
	out := []string{}
	if !sameUtilities(a.Reservation, b.Reservation) {
		out = append(out, "reservation")
	}
	if a.Zone != b.Zone || a.ZoneEstimated != b.ZoneEstimated {
		out = append(out, "zone")
	}
	if (a.RatifiableZone == nil) != (b.RatifiableZone == nil) || a.RatifiableZone != nil && *a.RatifiableZone != *b.RatifiableZone {
		out = append(out, "ratifiable_zone")
	}
	for _, p := range []struct {
		name string
		a, b *Point
	}{{"nash", a.Nash, b.Nash}, {"ratifiable_nash", a.RatifiableNash, b.RatifiableNash}, {"max_welfare", a.MaxWelfare, b.MaxWelfare}} {
		if !samePoint(p.a, p.b) {
			out = append(out, p.name)
		}
	}
	if !samePlay(a.Session, b.Session) {
		out = append(out, "session")
	}
	return out
}

func samePoint(a, b *Point) bool {
	if a == nil || b == nil {
		return a == b
	}
	return maps.Equal(a.Deal, b.Deal) && sameUtilities(a.Utilities, b.Utilities)
}

func samePlay(a, b *Play) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Error == b.Error && a.Status == b.Status && a.End == b.End && a.Round == b.Round &&
		maps.Equal(a.Deal, b.Deal) && sameUtilities(a.Utilities, b.Utilities)
}

// sameUtilities: the same parties, with utilities equal up to rounding.
func sameUtilities(a, b map[string]float64) bool {
	return maps.EqualFunc(a, b, func(x, y float64) bool { return math.Abs(x-y) <= 1e-9 })
}

// WriteText writes the diff for a reader: the changes by section, then
// each headline figure before and after.
func (d *Diff) WriteText(w io.Writer) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "%s → %s: %s\n", d.Before, d.After, plural(len(d.Changes), "change", "changes"))
	for _, sec := range []struct{ id, title string }{
		{Numbers, "Numbers"}, {Sources, "Sources, quotes and reasons"}, {Rules, "Rules"}, {Structure, "Issues, parties and names"},
	} {
		var cs []Change
		for _, c := range d.Changes {
			if c.Section == sec.id {
				cs = append(cs, c)
			}
		}
		if len(cs) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n%s:\n", sec.title)
		width := 0
		for _, c := range cs {
			width = max(width, len(c.Path))
		}
		for _, c := range cs {
			fmt.Fprintf(b, "  %-*s  %s\n", width, c.Path, c.describe())
		}
	}
	writeFigures(b, d.BeforeFigures, d.AfterFigures)
	_, err := io.WriteString(w, b.String())
	return err
}

// describe is a change as one line of text.
func (c Change) describe() string {
	switch c.Kind {
	case Added:
		if c.New == "" {
			return "added"
		}
		return "added: " + c.New
	case Removed:
		if c.Old == "" {
			return "removed"
		}
		return "removed (was " + c.Old + ")"
	}
	return c.Old + " → " + c.New
}

func writeFigures(b *strings.Builder, x, y *Figures) {
	parties, issues := union(x.Parties, y.Parties), union(x.Issues, y.Issues)
	fmt.Fprintf(b, "\nFigures (before → after; utilities of %s):\n", strings.Join(parties, ", "))
	if sameUtilities(x.Reservation, y.Reservation) {
		fmt.Fprintf(b, "  %-18s unchanged: %s\n", "Reservation values", utilities(x.Reservation, parties))
	} else {
		fmt.Fprintf(b, "  %-18s %s\n", "Reservation values", moves(x.Reservation, y.Reservation, parties))
	}
	zone := func(f *Figures) string {
		if f.ZoneEstimated {
			return fmt.Sprintf("~%d", f.Zone)
		}
		return fmt.Sprint(f.Zone)
	}
	fmt.Fprintf(b, "  %-18s %s → %s outcomes%s\n", "Zone of agreement", zone(x), zone(y), delta(float64(x.Zone), float64(y.Zone), "%+.0f"))
	rz := func(f *Figures) string {
		if f.RatifiableZone == nil {
			return "?"
		}
		return fmt.Sprint(*f.RatifiableZone)
	}
	line := fmt.Sprintf("  %-18s %s → %s outcomes", "Ratifiable zone", rz(x), rz(y))
	if x.RatifiableZone != nil && y.RatifiableZone != nil {
		line += delta(float64(*x.RatifiableZone), float64(*y.RatifiableZone), "%+.0f")
	}
	b.WriteString(line + "\n")
	writePoint(b, "Nash", x.Nash, y.Nash, parties, issues)
	writePoint(b, "Ratifiable Nash", x.RatifiableNash, y.RatifiableNash, parties, issues)
	writePoint(b, "Max welfare", x.MaxWelfare, y.MaxWelfare, parties, issues)
	writePlay(b, x.Session, y.Session, parties, issues)
	for _, f := range []struct {
		name string
		f    *Figures
	}{{"before", x}, {"after", y}} {
		for _, n := range f.f.Notes {
			fmt.Fprintf(b, "  note (%s): %s\n", f.name, n)
		}
	}
}

// delta is " (+n)" for a change, " (unchanged)" for none.
func delta(a, b float64, format string) string {
	if a == b {
		return " (unchanged)"
	}
	return " (" + fmt.Sprintf(format, b-a) + ")"
}

// union is a's items, then b's that a lacks.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func writePoint(b *strings.Builder, name string, x, y *Point, parties, issues []string) {
	switch {
	case x == nil && y == nil:
		fmt.Fprintf(b, "  %-18s none either way\n", name)
		return
	case x == nil:
		fmt.Fprintf(b, "  %-18s none → %s\n", name, utilities(y.Utilities, parties))
		fmt.Fprintf(b, "    deal: %s\n", deal(y.Deal, issues))
		return
	case y == nil:
		fmt.Fprintf(b, "  %-18s %s → none\n", name, utilities(x.Utilities, parties))
		return
	case samePoint(x, y):
		fmt.Fprintf(b, "  %-18s unchanged: %s\n", name, utilities(x.Utilities, parties))
		return
	}
	fmt.Fprintf(b, "  %-18s %s\n", name, moves(x.Utilities, y.Utilities, parties))
	writeDealMoves(b, x.Deal, y.Deal, issues)
}

func writePlay(b *strings.Builder, x, y *Play, parties, issues []string) {
	if x == nil || y == nil {
		return // no line-up
	}
	title := fmt.Sprintf("Session (%s, %d rounds, seed %d", x.Protocol, x.Rounds, x.Seed)
	if x.Negotiators != nil {
		title += "; " + strings.Join(x.Negotiators, ",")
		if y.Negotiators != nil && !slices.Equal(x.Negotiators, y.Negotiators) {
			title += " → " + strings.Join(y.Negotiators, ",")
		}
	}
	title += ")"
	fmt.Fprintf(b, "  %s:\n", title)
	status := func(p *Play) string {
		if p.Error != "" {
			return "not run: " + p.Error
		}
		s := fmt.Sprintf("%s (%s in round %d)", p.Status, p.End, p.Round)
		return s
	}
	if samePlay(x, y) {
		fmt.Fprintf(b, "    unchanged: %s; %s\n", status(x), utilities(x.Utilities, parties))
		return
	}
	fmt.Fprintf(b, "    %s → %s\n", status(x), status(y))
	if x.Error == "" && y.Error == "" {
		fmt.Fprintf(b, "    %s\n", moves(x.Utilities, y.Utilities, parties))
		if x.Deal != nil || y.Deal != nil {
			writeDealMoves(b, x.Deal, y.Deal, issues)
		}
	}
}

// writeDealMoves lists the issues whose value differs between two deals.
func writeDealMoves(b *strings.Builder, x, y map[string]string, issues []string) {
	switch {
	case x == nil:
		fmt.Fprintf(b, "    deal: none → %s\n", deal(y, issues))
		return
	case y == nil:
		fmt.Fprintf(b, "    deal: %s → none\n", deal(x, issues))
		return
	}
	same := true
	for _, i := range issues {
		a, okA := x[i]
		c, okB := y[i]
		switch {
		case !okA:
			a = "(no such issue)"
		case !okB:
			c = "(no such issue)"
		}
		if a != c {
			same = false
			fmt.Fprintf(b, "    %s: %s → %s\n", i, a, c)
		}
	}
	if same {
		b.WriteString("    same deal\n")
	}
}

// utilities is "ua 0.5550, ru 0.6900".
func utilities(u map[string]float64, parties []string) string {
	var parts []string
	for _, p := range parties {
		if x, ok := u[p]; ok {
			parts = append(parts, fmt.Sprintf("%s %.4f", p, x))
		}
	}
	return strings.Join(parts, ", ")
}

// moves is "ua 0.5550 → 0.6000 (+0.0450), ru 0.6900 (unchanged)".
func moves(x, y map[string]float64, parties []string) string {
	var parts []string
	for _, p := range parties {
		a, okA := x[p]
		c, okB := y[p]
		switch {
		case okA && okB && math.Abs(a-c) <= 1e-9:
			parts = append(parts, fmt.Sprintf("%s %.4f", p, a))
		case okA && okB:
			parts = append(parts, fmt.Sprintf("%s %.4f → %.4f (%+.4f)", p, a, c, c-a))
		case okA:
			parts = append(parts, fmt.Sprintf("%s %.4f → (not a party)", p, a))
		case okB:
			parts = append(parts, fmt.Sprintf("%s (not a party) → %.4f", p, c))
		}
	}
	return strings.Join(parts, ", ")
}

// deal is "issue=label, issue=label" in issue order.
func deal(d map[string]string, issues []string) string {
	var parts []string
	for _, i := range issues {
		if v, ok := d[i]; ok {
			parts = append(parts, i+"="+v)
		}
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
