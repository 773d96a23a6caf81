package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
)

// ListCmd prints the built-in protocols, negotiators and mediators.
type ListCmd struct{}

// Run writes one table per kind, with parameters and sources.
func (c *ListCmd) Run(e env) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Protocols (parley run -p NAME)")
	for _, name := range protocol.Names() {
		p, _ := protocol.Lookup(name)
		fmt.Fprintf(tw, "  %s\t%s\n", p.Name, p.Doc)
	}
	for _, role := range []negotiator.Role{negotiator.RoleParty, negotiator.RoleMediator} {
		if role == negotiator.RoleParty {
			fmt.Fprintln(tw, "\nNegotiators (parley run -n NAME,NAME or NAME:param=value)")
		} else {
			fmt.Fprintln(tw, "\nMediators (parley run -m NAME)")
		}
		for _, s := range negotiator.Strategies() {
			if s.Role != role {
				continue
			}
			params := make([]string, len(s.Params))
			for i, p := range s.Params {
				params[i] = fmt.Sprintf("%s=%g", p.Name, p.Default)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.Name, strings.Join(params, " "), s.Doc)
			fmt.Fprintf(tw, "  \t\tsource: %s\n", s.Source)
		}
	}
	return tw.Flush()
}
