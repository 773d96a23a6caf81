package web

import (
	"encoding/json"
	"html/template"
	"math"
	"net/http"

	"github.com/parleyhq/parley/forecast"
)

// forecastData is the forecast page: every model's run on the scenario's
// scaled issues, drawn by the page one chart per issue.
type forecastData struct {
	Ref     ref
	Name    string
	Err     string
	Models  []forecastModel
	Rows    []forecastRow
	Problem *forecast.Problem
	JSON    template.JS // the chart data: JSON, which escapes <, > and &
}

type forecastModel struct {
	Name, Doc, Source string
	Result            *forecast.Result
	Err               string
}

// forecastRow is one issue's forecast by each model, with the nearest
// option.
type forecastRow struct {
	Dimension string
	Cells     []forecastCell
}

type forecastCell struct {
	Value   float64
	Nearest string
	Err     bool
}

func (a *App) forecastPage(w http.ResponseWriter, r *http.Request) {
	l := a.loadOr404(w, r)
	if l == nil {
		return
	}
	d := forecastData{Ref: l.Ref, Name: l.Name}
	if l.Err != nil {
		d.Err = l.Err.Error()
		a.render(w, r, "forecast", "", page{Title: "Forecast", Nav: "library", Data: d})
		return
	}
	d.Name = l.Scen.Name
	p, err := forecast.FromScenario(l.Scen)
	if err != nil {
		d.Err = err.Error()
		a.render(w, r, "forecast", "", page{Title: "Forecast", Nav: "library", Data: d})
		return
	}
	d.Problem = &p
	for _, m := range forecast.Models() {
		fm := forecastModel{Name: m.Name, Doc: m.Doc, Source: m.Source}
		res, err := forecast.Run(p, m.Name, forecast.Options{})
		if err != nil {
			fm.Err = err.Error()
		}
		fm.Result = res
		d.Models = append(d.Models, fm)
	}
	for k, dim := range p.Dimensions {
		row := forecastRow{Dimension: dim.Name}
		for _, m := range d.Models {
			if m.Result == nil || k >= len(m.Result.Forecast) {
				row.Cells = append(row.Cells, forecastCell{Err: true})
				continue
			}
			v := m.Result.Forecast[k]
			row.Cells = append(row.Cells, forecastCell{Value: v, Nearest: nearest(dim, v)})
		}
		d.Rows = append(d.Rows, row)
	}
	type chartModel struct {
		Name   string           `json:"name"`
		Result *forecast.Result `json:"result"`
	}
	var cm []chartModel
	for _, m := range d.Models {
		if m.Result != nil {
			cm = append(cm, chartModel{m.Name, m.Result})
		}
	}
	b, _ := json.Marshal(struct {
		Dimensions []forecast.Dimension `json:"dimensions"`
		Models     []chartModel         `json:"models"`
	}{p.Dimensions, cm})
	d.JSON = template.JS(b)
	a.render(w, r, "forecast", "", page{Title: "Forecast", Nav: "library", Data: d})
}

// nearest names the option (or anchor) of a dimension nearest to v.
func nearest(d forecast.Dimension, v float64) string {
	best, name := math.Inf(1), ""
	for _, list := range [][]forecast.Anchor{d.Options, d.Anchors} {
		for _, o := range list {
			if dist := math.Abs(o.Value - v); dist < best {
				best, name = dist, o.Label
			}
		}
		if name != "" {
			return name
		}
	}
	return name
}
