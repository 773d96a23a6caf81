package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/parleyhq/parley/forecast"
	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// ListCmd prints the built-in protocols, negotiators, mediators and
// forecast models.
type ListCmd struct{}

// Run writes one table per registry, with parameters and sources.
func (c *ListCmd) Run(e env) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	section := func(title string, entries []registry.Entry) {
		fmt.Fprintln(tw, title)
		for _, en := range entries {
			params := make([]string, len(en.Params))
			for i, p := range en.Params {
				params[i] = fmt.Sprintf("%s=%g", p.Name, p.Default)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", en.Name, strings.Join(params, " "), en.Doc)
			if en.Source != "" {
				fmt.Fprintf(tw, "  \t\tsource: %s\n", en.Source)
			}
		}
	}
	section("Protocols (parley run -p NAME)", entries(protocol.Protocols()))
	var parties, mediators []registry.Entry
	for _, s := range negotiator.Strategies() {
		if s.Role == negotiator.RoleMediator {
			mediators = append(mediators, s.Entry)
		} else {
			parties = append(parties, s.Entry)
		}
	}
	fmt.Fprintln(tw)
	section("Negotiators (parley run -n NAME,NAME or NAME:param=value)", parties)
	fmt.Fprintln(tw)
	bid, model, accept := negotiator.BOAParts()
	section("  boa bidding strategies (boa:bid=NAME/param=value)", bid)
	section("  boa opponent models (boa:model=NAME)", model)
	section("  boa acceptance conditions (boa:accept=NAME/param=value)", accept)
	fmt.Fprintln(tw)
	section("Mediators (parley run -m NAME)", mediators)
	fmt.Fprintln(tw)
	section("Forecast models (parley forecast --model NAME)", entries(forecast.Models()))
	return tw.Flush()
}

func entries[T registry.Item](items []T) []registry.Entry {
	es := make([]registry.Entry, len(items))
	for i, it := range items {
		es[i] = it.Describe()
	}
	return es
}
