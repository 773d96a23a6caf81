package main

import (
	"strings"

	"github.com/alecthomas/kong"

	"github.com/parleyhq/parley/forecast"
	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/registry"
)

// registryVars are the names help texts and enums interpolate (${name}):
// they come from the registries, so no list of names is typed in the CLI.
func registryVars() kong.Vars {
	var mediated []string
	for _, p := range protocol.Protocols() {
		if p.Mediated {
			mediated = append(mediated, p.Name)
		}
	}
	return kong.Vars{
		"version":       version,
		"protocols_or":  registry.Or(protocol.Names()),
		"mediated_or":   registry.Or(mediated),
		"negotiators":   strings.Join(negotiator.Names(negotiator.RoleParty), ", "),
		"mediators_or":  registry.Or(negotiator.Names(negotiator.RoleMediator)),
		"models":        strings.Join(forecast.ModelNames(), ","),
		"models_or":     registry.Or(forecast.ModelNames()),
		"default_model": forecast.DefaultModel,
	}
}
