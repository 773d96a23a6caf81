package plot

import (
	"bytes"
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
	for _, model := range forecast.Models {
		res, err := forecast.Run(p, model, forecast.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var img bytes.Buffer
		if err := Forecast(&img, "png", res); err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(&img); err != nil {
			t.Errorf("%s: PNG does not decode: %v", model, err)
		}
		img.Reset()
		if err := Forecast(&img, "svg", res); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(img.String(), "<svg") {
			t.Errorf("%s: SVG lacks <svg", model)
		}
	}
	if err := Forecast(&bytes.Buffer{}, "png", &forecast.Result{}); err == nil {
		t.Error("empty result plotted")
	}
	res, _ := forecast.Compromise(p)
	if err := Forecast(&bytes.Buffer{}, "gif", res); err == nil {
		t.Error("gif accepted")
	}
}
