package plot

import (
	"bytes"
	"fmt"
	"image/png"
	"strings"
	"testing"

	"github.com/parleyhq/parley/forecast"
)

func handProblem() forecast.Problem {
	return forecast.Problem{
		Dimensions: []forecast.Dimension{{Name: "Tax", Anchors: []forecast.Anchor{{Value: 0, Label: "none"}, {Value: 50, Label: "half"}, {Value: 100, Label: "full"}}}},
		Actors: []forecast.Actor{
			{Name: "A", Capability: 2, Positions: []float64{0}, Saliences: []float64{50}},
			{Name: "B", Capability: 1, Positions: []float64{60}, Saliences: []float64{100}},
			{Name: "C", Capability: 1, Positions: []float64{100}, Saliences: []float64{50}},
		},
	}
}

func TestForecast(t *testing.T) {
	p := handProblem()
	for _, model := range forecast.ModelNames() {
		res, err := forecast.Run(p, model, forecast.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var img bytes.Buffer
		if err := Forecast(&img, "png", res, p.Dimensions); err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(&img); err != nil {
			t.Errorf("%s: PNG does not decode: %v", model, err)
		}
		img.Reset()
		if err := Forecast(&img, "svg", res, p.Dimensions); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(img.String(), "<svg") {
			t.Errorf("%s: SVG lacks <svg", model)
		}
	}
	if err := Forecast(&bytes.Buffer{}, "png", &forecast.Result{}, nil); err == nil {
		t.Error("empty result plotted")
	}
	res, _ := forecast.Compromise(p)
	if err := Forecast(&bytes.Buffer{}, "gif", res, nil); err == nil {
		t.Error("gif accepted")
	}
}

// TestForecastZoom: positions between 4 and 10 on the 0–100 scale (the EUM
// emission-standards example's range) fill the panel, with a margin; the
// axis keeps the scale's labels that fall in it, anchors before options,
// and numbers where no label is near.
func TestForecastZoom(t *testing.T) {
	p := forecast.Problem{
		Dimensions: []forecast.Dimension{{Name: "emissions",
			Anchors: []forecast.Anchor{{Value: 0, Label: "no standard"}, {Value: 7, Label: "the Commission's proposal"}, {Value: 100, Label: "the strictest"}},
			Options: []forecast.Anchor{{Value: 7, Label: "proposal"}, {Value: 10, Label: "strict"}, {Value: 40, Label: "stricter"}}}},
		Actors: []forecast.Actor{
			{Name: "NL", Capability: 0.08, Positions: []float64{4}, Saliences: []float64{80}},
			{Name: "BE", Capability: 0.08, Positions: []float64{7}, Saliences: []float64{40}},
			{Name: "FR", Capability: 0.16, Positions: []float64{10}, Saliences: []float64{60}},
			{Name: "DE", Capability: 0.16, Positions: []float64{4}, Saliences: []float64{80}},
		},
	}
	res, err := forecast.Run(p, "eum", forecast.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := trajectoryPlot(res, 0, &p.Dimensions[0])
	if err != nil {
		t.Fatal(err)
	}
	if pl.Y.Min < 3 || pl.Y.Min >= 4 || pl.Y.Max <= 10 || pl.Y.Max > 11 {
		t.Errorf("the axis runs from %v to %v, want just around 4 to 10", pl.Y.Min, pl.Y.Max)
	}
	if !strings.Contains(pl.Y.Label.Text, "zoomed") {
		t.Errorf("the axis label %q does not say it is zoomed", pl.Y.Label.Text)
	}
	var labels []string
	for _, tk := range pl.Y.Tick.Marker.Ticks(pl.Y.Min, pl.Y.Max) {
		if tk.Label != "" {
			labels = append(labels, strings.ReplaceAll(tk.Label, "\n", " "))
		}
	}
	got := strings.Join(labels, "; ")
	for _, want := range []string{"the Commission's proposal (7)", "strict (10)", "4"} {
		if !strings.Contains(got, want) {
			t.Errorf("axis labels %q lack %q", got, want)
		}
	}
	for _, absent := range []string{"no standard", "stricter", "the strictest", "proposal (7); proposal"} {
		if strings.Contains(got, absent) {
			t.Errorf("axis labels %q have %q", got, absent)
		}
	}
	// Without anchors or options the axis has gonum's numbers.
	pl, err = trajectoryPlot(res, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tks := pl.Y.Tick.Marker.Ticks(pl.Y.Min, pl.Y.Max); len(tks) == 0 || tks[0].Label == "" {
		t.Errorf("numeric ticks %v", tks)
	}
}

// TestForecastScale: positions across the scale show the whole of it.
func TestForecastScale(t *testing.T) {
	res, err := forecast.Run(handProblem(), "smp", forecast.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := trajectoryPlot(res, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Y.Min > 0 || pl.Y.Min < -6 || pl.Y.Max < 100 || pl.Y.Max > 106 || strings.Contains(pl.Y.Label.Text, "zoomed") {
		t.Errorf("axis %v to %v, label %q", pl.Y.Min, pl.Y.Max, pl.Y.Label.Text)
	}
}

// TestForecastLegend: one legend names every actor and the forecast, in
// the SVG; past maxActorLegend actors it counts them instead, and the
// figure grows to hold the legend.
func TestForecastLegend(t *testing.T) {
	p := handProblem()
	res, err := forecast.Run(p, "eum", forecast.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Forecast(&b, "svg", res, p.Dimensions); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{">A<", ">B<", ">C<", "forecast (eum)", "half (50)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if _, n := forecastLegend(res); n != 4 {
		t.Errorf("%d legend entries, want 4", n)
	}
	many := forecast.Problem{Dimensions: p.Dimensions}
	for i := range maxActorLegend + 1 {
		many.Actors = append(many.Actors, forecast.Actor{Name: fmt.Sprintf("actor%02d", i), Capability: 1,
			Positions: []float64{float64(i)}, Saliences: []float64{50}})
	}
	res, err = forecast.Run(many, "compromise", forecast.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := Forecast(&b, "svg", res, many.Dimensions); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "25 actors, one line each") || strings.Contains(b.String(), "actor07") {
		t.Error("past the legend's limit, actors are named or not counted")
	}
	// Same bytes for the same forecast.
	var again bytes.Buffer
	if err := Forecast(&again, "svg", res, many.Dimensions); err != nil || !bytes.Equal(again.Bytes(), b.Bytes()) {
		t.Errorf("the same forecast drew a different SVG (%v)", err)
	}
}

// TestForecastComparison: every model in one figure, a panel per issue
// with a row per model; a model that cannot run keeps an empty row; the
// bands are drawn when there are some; the same comparison draws the same
// bytes.
func TestForecastComparison(t *testing.T) {
	p := handProblem()
	c, err := forecast.Compare(p, nil, nil, forecast.Options{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var svg bytes.Buffer
	if err := ForecastComparison(&svg, "svg", c, p.Dimensions); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{">compromise<", ">smp<", ">eum<", "half (50)", "Tax — every model"} {
		if !strings.Contains(svg.String(), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	var again bytes.Buffer
	if err := ForecastComparison(&again, "svg", c, p.Dimensions); err != nil || !bytes.Equal(again.Bytes(), svg.Bytes()) {
		t.Errorf("the same comparison drew a different SVG (%v)", err)
	}
	// SMP cannot run on two actors; a hand-made band on compromise
	p.Actors = p.Actors[:2]
	if c, err = forecast.Compare(p, nil, nil, forecast.Options{}, 0); err != nil {
		t.Fatal(err)
	}
	c.Bands = &forecast.Bands{Samples: 10, Low: 0.05, High: 0.95, Assumptions: []forecast.SampledNumber{{Path: "x"}},
		Models: make([]forecast.ModelBands, len(c.Models))}
	c.Bands.Models[0] = forecast.ModelBands{Model: "compromise", Scored: 10, Issues: []forecast.IssueBand{{Issue: "Tax", Low: 12, Median: 31, High: 47}}}
	pl, err := comparisonPlot(c, 0, &p.Dimensions[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pl.Title.Text, "5–95% band over 10 samples") || pl.X.Min > 0 || pl.X.Max < 100 {
		t.Errorf("title %q, axis %v–%v", pl.Title.Text, pl.X.Min, pl.X.Max)
	}
	var rows []string
	for _, tk := range pl.Y.Tick.Marker.Ticks(pl.Y.Min, pl.Y.Max) {
		rows = append(rows, fmt.Sprintf("%g %s", tk.Value, tk.Label))
	}
	if got, want := strings.Join(rows, "; "), "4 compromise; 3 mean; 2 median; 1 smp (could not run); 0 eum"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	var img bytes.Buffer
	if err := ForecastComparison(&img, "png", c, p.Dimensions); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&img); err != nil {
		t.Errorf("PNG does not decode: %v", err)
	}
	if err := ForecastComparison(&img, "png", &forecast.Comparison{}, nil); err == nil {
		t.Error("an empty comparison was drawn")
	}
}
