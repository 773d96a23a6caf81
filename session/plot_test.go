package session

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	_ "image/png"
	"io"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/canvas"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// offerLog is what a test records itself from OnEvent, to check a Recorder.
type offerLog struct {
	round  int
	t      float64
	to     int
	utils  []float64
	agreed bool
}

// recordSession plays cfg with seed 0, feeding a Recorder and logging, per
// proposing seat, every offer and text with r.SeatUtility of it (agreements
// under seat -1).
func recordSession(t *testing.T, cfg Config) (*Runner, *Recorder, map[int][]offerLog) {
	t.Helper()
	var r *Runner
	rec := &Recorder{}
	logs := map[int][]offerLog{}
	cfg.OnEvent = func(ev protocol.Event) {
		rec.Observe(r, ev)
		seat := int(ev.Seat)
		switch ev.Type {
		case protocol.EventOffer, protocol.EventPropose:
		case protocol.EventAgreement:
			seat = -1
		default:
			return
		}
		l := offerLog{round: int(ev.Round), t: ev.T, to: -1, agreed: seat < 0}
		if ev.Private {
			l.to = int(ev.With)
		}
		for s := range r.Prepared().Seats {
			l.utils = append(l.utils, r.SeatUtility(s, ev.Outcome))
		}
		logs[seat] = append(logs[seat], l)
	}
	var err error
	if r, err = NewRunner(cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(cfg.Seed); err != nil {
		t.Fatal(err)
	}
	return r, rec, logs
}

// checkSeries checks that the recorder holds exactly the logged offers.
func checkSeries(t *testing.T, rec *Recorder, logs map[int][]offerLog) {
	t.Helper()
	total := 0
	for seat, ls := range logs {
		if seat < 0 {
			continue
		}
		total += len(ls)
		if seat >= len(rec.Series) {
			t.Fatalf("seat %d made %d offers; the recorder has %d series", seat, len(ls), len(rec.Series))
		}
		s := &rec.Series[seat]
		if s.Count != len(ls) || len(s.Points) != len(ls) || s.Stride != 1 {
			t.Fatalf("seat %d: %d offers, recorder counts %d and keeps %d (stride %d)", seat, len(ls), s.Count, len(s.Points), s.Stride)
		}
		for i, l := range ls {
			pt := s.Points[i]
			if pt.Round != l.round || pt.T != l.t || pt.To != l.to {
				t.Errorf("seat %d offer %d: round %d t %v to %d, want %d %v %d", seat, i, pt.Round, pt.T, pt.To, l.round, l.t, l.to)
			}
			for k, u := range l.utils {
				if pt.Utilities[k] != u {
					t.Errorf("seat %d offer %d: utility to seat %d %v, SeatUtility %v", seat, i, k, pt.Utilities[k], u)
				}
			}
		}
	}
	if total == 0 {
		t.Fatal("the session made no offers")
	}
	if got := len(logs[-1]); len(rec.Agreements) != got {
		t.Errorf("%d agreements recorded, %d agreement events", len(rec.Agreements), got)
	}
}

// TestRecorderLaptop records Boulware against Conceder on Laptop (agreement
// in round 9, TestBoulwareConceder) and draws it.
func TestRecorderLaptop(t *testing.T) {
	cfg := Config{Scenario: loadDomain(t, "ANAC2011_Laptop"), Negotiators: []string{"boulware", "conceder"}, Deadline: protocol.Deadline{Rounds: 100}}
	r, rec, logs := recordSession(t, cfg)
	checkSeries(t, rec, logs)
	res := r.Result()
	if !res.Agreed || len(rec.Agreements) != 1 {
		t.Fatalf("agreed %v, %d agreements recorded", res.Agreed, len(rec.Agreements))
	}
	a := rec.Agreements[0]
	if a.Round != res.Round || a.T != res.Time {
		t.Errorf("agreement at round %d t %v, result %d %v", a.Round, a.T, res.Round, res.Time)
	}
	for s, pr := range res.Parties {
		if a.Utilities[s] != pr.Utility {
			t.Errorf("agreement utility of %s %v, result %v", pr.ID, a.Utilities[s], pr.Utility)
		}
	}

	var png bytes.Buffer
	if err := rec.WritePlot(&png, "png", r, 0, 1); err != nil {
		t.Fatal(err)
	}
	img, format, err := image.Decode(&png)
	if err != nil || format != "png" {
		t.Fatalf("decoding the PNG: %v (%s)", err, format)
	}
	if got, want := img.Bounds().Size(), (image.Point{X: 14 * canvas.DPI, Y: 13 * canvas.DPI / 2}); got != want {
		t.Errorf("PNG is %v, want %v", got, want)
	}
	svg := writeSVG(t, rec, r, 0, 1)
	for _, want := range []string{"laptop_buyer_utility (boulware): its offers", "laptop_seller_utility (conceder): its offers",
		"Agreement in round 9 (t = 0.089).", "Pareto frontier of laptop_buyer_utility and laptop_seller_utility", "Nash point"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	// The same session gives the same bytes.
	r2, rec2, _ := recordSession(t, cfg)
	if svg2 := writeSVG(t, rec2, r2, 0, 1); svg2 != svg {
		t.Error("two recordings of the same session draw different SVGs")
	}
}

// writeSVG draws the plot as SVG, checks that it is well-formed XML and
// returns it with XML entities decoded.
func writeSVG(t *testing.T, rec *Recorder, r *Runner, x, y int) string {
	t.Helper()
	var b bytes.Buffer
	if err := rec.WritePlot(&b, "svg", r, x, y); err != nil {
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

// TestRecorderFlagshipShuttle draws the flagship under shuttle diplomacy:
// two agenda phases agreed, texts across Russia's red line, and a deal
// voided by Ukraine's referendum, which the title says.
func TestRecorderFlagshipShuttle(t *testing.T) {
	flagship, err := scenario.LoadFile("../examples/ukraine-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Scenario: flagship, Protocol: "shuttle", Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 100}}
	r, rec, logs := recordSession(t, cfg)
	checkSeries(t, rec, logs)
	res := r.Result()
	if res.Status != StatusNotRatified {
		t.Fatalf("status %s, want not_ratified (the golden flagship-run-shuttle.txt)", res.Status)
	}
	if len(rec.Agreements) != 2 || len(rec.PhaseStarts) != 2 || rec.PhaseStarts[0].ID != "truce" || rec.PhaseStarts[1].ID != "settlement" {
		t.Fatalf("agreements %d, phase starts %+v", len(rec.Agreements), rec.PhaseStarts)
	}
	// The last phase's agreement, with every other issue settled, is worth
	// the whole deal by each party's preferences at the end.
	deal := make([]int, r.prep.Space.Issues())
	r.prep.Space.Decode(*res.OutcomeIndex, deal)
	final := rec.Agreements[1]
	for s := range r.prep.Seats {
		if got, want := final.Utilities[s], r.st.cur[s].u.Utility(deal); !near(got, want) {
			t.Errorf("seat %d: agreement drawn at %v, the deal is worth %v", s, got, want)
		}
	}
	// The mediator's texts put to Russia that cross its red line are the
	// crossings the result counts.
	ru := flagship.PartyIndex("ru")
	crossed := 0
	for _, pt := range rec.Series[len(r.prep.Seats)].Points {
		if pt.To == ru && pt.Utilities[ru] == utility.Unacceptable {
			crossed++
		}
	}
	if want := res.RedLines.Crossings["ru"]; crossed != want || want == 0 {
		t.Errorf("%d texts to ru cross its red line; the result counts %d", crossed, want)
	}

	svg := writeSVG(t, rec, r, 0, 1)
	for _, want := range []string{"void: ua's referendum failed (status not_ratified)", "agreement, void: not ratified",
		"agenda phase agreed", "us's texts, utility to ru", "crosses a red line (drawn below the axis range)", "settlement",
		"Offers in the utility space of ua and ru", "Nash point of all 3 parties"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	// Red-line offers are clamped just below the data, not drawn at −1.
	v := newPlotView(rec, r, 0, 1)
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
	// line; in the right one every text across ua's or ru's.
	inSpace := 0
	for _, pt := range rec.Series[len(r.prep.Seats)].Points {
		if pt.Utilities[0] == utility.Unacceptable || pt.Utilities[1] == utility.Unacceptable {
			inSpace++
		}
	}
	if v.redMarks != [2]int{crossed, inSpace} {
		t.Errorf("red-line marks %v, want [%d %d]", v.redMarks, crossed, inSpace)
	}
}

// TestOfferSeriesThinning: past MaxPlotPoints a series keeps every
// Stride-th offer, evenly spread, and the last.
func TestOfferSeriesThinning(t *testing.T) {
	for _, n := range []int{1, MaxPlotPoints, MaxPlotPoints + 1, 3*MaxPlotPoints + 7, 100_000} {
		var s OfferSeries
		for i := range n {
			s.add(OfferPoint{Round: i, Utilities: []float64{float64(i)}})
		}
		if s.Count != n || len(s.Points) > MaxPlotPoints || len(s.Points) < min(n, MaxPlotPoints/2) {
			t.Fatalf("%d offers: count %d, %d kept", n, s.Count, len(s.Points))
		}
		for k, pt := range s.Points {
			if pt.Round != k*s.Stride || pt.Utilities[0] != float64(pt.Round) {
				t.Fatalf("%d offers: point %d is offer %d (%v), want offer %d", n, k, pt.Round, pt.Utilities[0], k*s.Stride)
			}
		}
		d := s.drawn()
		if last := d[len(d)-1]; last.Round != n-1 || last.Utilities[0] != float64(n-1) {
			t.Errorf("%d offers: the last drawn is offer %d", n, last.Round)
		}
		if n <= MaxPlotPoints && (s.Stride != 1 || len(d) != n) {
			t.Errorf("%d offers: stride %d, %d drawn; nothing should be thinned", n, s.Stride, len(d))
		}
	}
}

// TestRecorderLongSession: a session of about 10^5 rounds keeps at most
// MaxPlotPoints offers per party and draws a bounded SVG.
func TestRecorderLongSession(t *testing.T) {
	if testing.Short() {
		t.Skip("long session")
	}
	cfg := Config{Scenario: loadDomain(t, "ANAC2011_Laptop"), Negotiators: []string{"boulware", "boulware"}, Deadline: protocol.Deadline{Rounds: 100_000}}
	var r *Runner
	rec := &Recorder{}
	offers := map[int]int{}
	cfg.OnEvent = func(ev protocol.Event) {
		rec.Observe(r, ev)
		if ev.Type == protocol.EventOffer {
			offers[int(ev.Seat)]++
		}
	}
	var err error
	if r, err = NewRunner(cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(0); err != nil {
		t.Fatal(err)
	}
	for s, n := range offers {
		ser := &rec.Series[s]
		if n < 10*MaxPlotPoints || ser.Count != n || len(ser.Points) > MaxPlotPoints || ser.Stride == 1 {
			t.Errorf("seat %d: %d offers, counted %d, %d kept, stride %d", s, n, ser.Count, len(ser.Points), ser.Stride)
		}
	}
	svg := writeSVG(t, rec, r, 0, 1)
	if !strings.Contains(svg, "long session: at most 2000 offers of each party") {
		t.Error("the legend does not say the session was thinned")
	}
	var b bytes.Buffer
	if err := rec.WritePlot(&b, "svg", r, 0, 1); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 2<<20 {
		t.Errorf("SVG of %d bytes", b.Len())
	}
}

func TestRecorderErrors(t *testing.T) {
	sc := loadTestdata(t, "agenda.yaml")
	cfg := Config{Scenario: sc, Negotiators: []string{"linear"}, Deadline: protocol.Deadline{Rounds: 20}}
	r, err := NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec := &Recorder{}
	var b bytes.Buffer
	if err := rec.WritePlot(&b, "svg", r, 0, 1); err == nil || !strings.Contains(err.Error(), "no session has been played") {
		t.Errorf("before Play: %v", err)
	}
	if err := rec.WritePlot(&b, "svg", nil, 0, 1); err == nil {
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
		if err := rec.WritePlot(&b, c.format, r, c.x, c.y); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %d,%d: %v, want %q", c.format, c.x, c.y, err, c.want)
		}
	}
	// An empty recording still draws (no offers were seen).
	if err := rec.WritePlot(&b, "svg", r, 0, 1); err != nil {
		t.Errorf("empty recording: %v", err)
	}
	// A recording of a session with another number of parties is refused.
	rec.Series = []OfferSeries{{Count: 1, Stride: 1, Points: []OfferPoint{{Utilities: []float64{1, 2, 3}}}, Last: OfferPoint{Utilities: []float64{1, 2, 3}}}}
	if err := rec.WritePlot(&b, "svg", r, 0, 1); err == nil || !strings.Contains(err.Error(), "not of this runner's session") {
		t.Errorf("foreign recording: %v", err)
	}
	rec.Reset()
	if len(rec.Series) != 0 || len(rec.Agreements) != 0 {
		t.Error("Reset kept offers")
	}
}
