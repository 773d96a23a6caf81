package main

import (
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/seat"
)

// SchemaCmd prints the JSON Schema of the scenario format, or of the seat
// protocol's messages.
type SchemaCmd struct {
	Protocol bool `help:"Print the JSON Schema of the seat protocol's messages instead (docs/protocol.md)."`
}

// Run writes the schema to standard output.
func (c *SchemaCmd) Run(e env) error {
	doc := scenario.Schema()
	if c.Protocol {
		doc = seat.Schemas()
	}
	_, err := e.stdout.Write(doc)
	return err
}
