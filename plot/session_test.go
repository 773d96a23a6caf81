package plot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	_ "image/png"
	"io"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/genius"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/utility"
)

// playRecorded plays cfg with its seed, feeding a Recorder.
func playRecorded(t *testing.T, cfg session.Config) (*session.Runner, *session.Recorder) {
	t.Helper()
	var r *session.Runner
	rec := &session.Recorder{}
	cfg.OnEvent = func(ev protocol.Event) { rec.Observe(r, ev) }
	var err error
	if r, err = session.NewRunner(cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(cfg.Seed); err != nil {
		t.Fatal(err)
	}
	return r, rec
}

func loadDomain(t *testing.T, name string) *scenario.Scenario {
	t.Helper()
	sc, err := genius.LoadDir(shared.Dir(t, "domains", name))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func loadFile(t *testing.T, path string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// writeSVG draws the session as SVG, checks that it is well-formed XML and
// returns its text with XML entities decoded.
func writeSVG(t *testing.T, r *session.Runner, rec *session.Recorder, x, y int) string {
	t.Helper()
	var b bytes.Buffer
	if err := Session(&b, "svg", r, rec, x, y); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("<?xml")) && !bytes.HasPrefix(b.Bytes(), []byte("<svg")) {
		t.Fatalf("SVG starts with %q", b.Bytes()[:min(b.Len(), 40)])
	}
	var text strings.Builder
	d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v", err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			text.Write(cd)
			text.WriteByte('\n')
		}
	}
	return text.String()
}

// TestSessionLaptop draws Boulware against Conceder on Laptop (agreement in
// round 9, session's TestBoulwareConceder).
func TestSessionLaptop(t *testing.T) {
	cfg := session.Config{Scenario: loadDomain(t, "ANAC2011_Laptop"), Negotiators: []string{"boulware", "conceder"}, Deadline: protocol.Deadline{Rounds: 100}}
	r, rec := playRecorded(t, cfg)
	var png bytes.Buffer
	if err := Session(&png, "png", r, rec, 0, 1); err != nil {
		t.Fatal(err)
	}
	img, format, err := image.Decode(&png)
	if err != nil || format != "png" {
		t.Fatalf("decoding the PNG: %v (%s)", err, format)
	}
	if got, want := img.Bounds().Size(), (image.Point{X: 14 * DPI, Y: 13 * DPI / 2}); got != want {
		t.Errorf("PNG is %v, want %v", got, want)
	}
	svg := writeSVG(t, r, rec, 0, 1)
	for _, want := range []string{"laptop_buyer_utility (boulware): its offers", "laptop_seller_utility (conceder): its offers",
		"Agreement in round 9 (t = 0.089).", "Pareto frontier of laptop_buyer_utility and laptop_seller_utility", "Nash point"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	// The same session gives the same bytes.
	r2, rec2 := playRecorded(t, cfg)
	if svg2 := writeSVG(t, r2, rec2, 0, 1); svg2 != svg {
		t.Error("two recordings of the same session draw different SVGs")
	}
}

// TestSessionFlagshipShuttle draws the flagship under shuttle diplomacy:
// two agenda phases agreed, texts across Russia's red line, and a deal
// voided by Ukraine's referendum, which the title says.
func TestSessionFlagshipShuttle(t *testing.T) {
	flagship := loadFile(t, "../examples/ukraine-2025.yaml")
	cfg := session.Config{Scenario: flagship, Protocol: "shuttle", Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 100}}
	r, rec := playRecorded(t, cfg)
	res := r.Result()
	if res.Status != session.StatusNotRatified {
		t.Fatalf("status %s, want not_ratified (the golden flagship-run-shuttle.txt)", res.Status)
	}
	svg := writeSVG(t, r, rec, 0, 1)
	for _, want := range []string{"void: ua's referendum failed (status not_ratified)", "agreement, void: not ratified",
		"agenda phase agreed", "us's texts, utility to ru", "crosses a red line (drawn below the axis range)", "settlement",
		"Offers in the utility space of ua and ru", "Nash point of all 3 parties"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	// Red-line offers are clamped just below the data, not drawn at −1.
	v := newSessionView(rec, r, 0, 1)
	left, err := v.timePlot()
	if err != nil {
		t.Fatal(err)
	}
	right, err := v.spacePlot()
	if err != nil {
		t.Fatal(err)
	}
	for _, lim := range []float64{left.Y.Min, right.X.Min, right.Y.Min} {
		if lim < -0.1 {
			t.Errorf("an axis starts at %v: red-line offers stretch it", lim)
		}
	}
	// Red crosses: in the left panel each text put to ru across its red
	// line (the crossings the result counts); in the right one every text
	// across ua's or ru's.
	ru, med := flagship.PartyIndex("ru"), len(r.Prepared().Seats)
	crossed, inSpace := 0, 0
	for _, pt := range rec.Series[med].Points {
		if pt.To == ru && pt.Utilities[ru] == utility.Unacceptable {
			crossed++
		}
		if pt.Utilities[0] == utility.Unacceptable || pt.Utilities[1] == utility.Unacceptable {
			inSpace++
		}
	}
	if want := res.RedLines.Crossings["ru"]; crossed != want || want == 0 {
		t.Errorf("%d texts to ru cross its red line; the result counts %d", crossed, want)
	}
	if v.redMarks != [2]int{crossed, inSpace} {
		t.Errorf("red-line marks %v, want [%d %d]", v.redMarks, crossed, inSpace)
	}
}

// TestSessionLong: a session of about 10^5 rounds, thinned by its
// recorder, draws a bounded SVG whose legend says so.
func TestSessionLong(t *testing.T) {
	if testing.Short() {
		t.Skip("long session")
	}
	cfg := session.Config{Scenario: loadDomain(t, "ANAC2011_Laptop"), Negotiators: []string{"boulware", "boulware"}, Deadline: protocol.Deadline{Rounds: 100_000}}
	r, rec := playRecorded(t, cfg)
	if rec.Series[0].Stride == 1 {
		t.Fatalf("%d offers were not thinned", rec.Series[0].Count)
	}
	svg := writeSVG(t, r, rec, 0, 1)
	if !strings.Contains(svg, "long session: at most 2000 offers of each party") {
		t.Error("the legend does not say the session was thinned")
	}
	var b bytes.Buffer
	if err := Session(&b, "svg", r, rec, 0, 1); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 2<<20 {
		t.Errorf("SVG of %d bytes", b.Len())
	}
}

func TestSessionErrors(t *testing.T) {
	cfg := session.Config{Scenario: loadFile(t, "../session/testdata/agenda.yaml"), Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}}
	r, err := session.NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec := &session.Recorder{}
	var b bytes.Buffer
	if err := Session(&b, "svg", r, rec, 0, 1); err == nil || !strings.Contains(err.Error(), "no session has been played") {
		t.Errorf("before Play: %v", err)
	}
	if err := Session(&b, "svg", nil, rec, 0, 1); err == nil {
		t.Error("nil runner: no error")
	}
	if _, err := r.Play(0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		format string
		x, y   int
		want   string
	}{
		{"svg", 0, 0, "need two different parties among ua, ru"},
		{"svg", 0, 2, "need two different parties"},
		{"svg", -1, 1, "need two different parties"},
		{"gif", 0, 1, `unknown format "gif"`},
	} {
		if err := Session(&b, c.format, r, rec, c.x, c.y); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %d,%d: %v, want %q", c.format, c.x, c.y, err, c.want)
		}
	}
	// An empty recording still draws (no offers were seen).
	if err := Session(&b, "svg", r, rec, 0, 1); err != nil {
		t.Errorf("empty recording: %v", err)
	}
	// A recording of a session with another number of parties is refused.
	rec.Series = []session.OfferSeries{{Count: 1, Stride: 1, Points: []session.OfferPoint{{Utilities: []float64{1, 2, 3}}}, Last: session.OfferPoint{Utilities: []float64{1, 2, 3}}}}
	if err := Session(&b, "svg", r, rec, 0, 1); err == nil || !strings.Contains(err.Error(), "not of this runner's session") {
		t.Errorf("foreign recording: %v", err)
	}
}

// TestSessionStatus: the title's account of every way a session ends.
func TestSessionStatus(t *testing.T) {
	for _, c := range []struct {
		res  session.Result
		want string
	}{
		{session.Result{Status: session.StatusAgreed, Round: 9, Time: 0.0891}, "Agreement in round 9 (t = 0.089)."},
		{session.Result{Status: session.StatusRatified, Round: 3, Time: 0.5}, "Agreement in round 3 (t = 0.500), ratified."},
		{session.Result{Status: session.StatusNotRatified, Round: 3, Time: 0.5, Ratification: []session.RatificationResult{
			{Party: "ua", Body: "referendum", Required: true}, {Party: "ru", Required: true, Passed: true}, {Party: "eu", Required: true}}},
			"Agreement in round 3 (t = 0.500), void: ua's referendum and eu's ratification failed (status not_ratified)."},
		{session.Result{Status: session.StatusFailedPhase, Round: 20, Time: 1, FailedPhase: "truce",
			Phases: []session.PhaseResult{{ID: "truce", End: "deadline"}, {ID: "settlement"}}},
			"No agreement: agenda phase truce failed (deadline) in round 20 (t = 1.000)."},
		{session.Result{Status: session.StatusNoAgreement, End: "deadline", Round: 100, Time: 1}, "No agreement (deadline) in round 100 (t = 1.000)."},
		{session.Result{Status: session.StatusNoAgreement, End: "walked out", WalkedOut: "ru", Round: 4, Time: 0.25}, "No agreement (ru walked out) in round 4 (t = 0.250)."},
	} {
		if got := sessionStatus(&c.res); got != c.want {
			t.Errorf("status %s: %q, want %q", c.res.Status, got, c.want)
		}
	}
}
