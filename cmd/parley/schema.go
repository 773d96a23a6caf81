package main

import "github.com/parleyhq/parley/scenario"

// SchemaCmd prints the JSON Schema of the scenario format.
type SchemaCmd struct{}

// Run writes the schema to standard output.
func (c *SchemaCmd) Run(e env) error {
	_, err := e.stdout.Write(scenario.Schema())
	return err
}
