package main

import (
	"os"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/seat/client"
)

// AgentCmd plays a built-in strategy as an outside seat: the reference
// agent of the seat protocol, on standard input and output.
type AgentCmd struct {
	Negotiator string `arg:"" help:"The built-in strategy to play (${negotiators}, with parameters as timedependent:e=0.5)."`
}

// Run answers the session's messages until standard input ends.
func (c *AgentCmd) Run(e env) error {
	sp, err := negotiator.Parse(c.Negotiator)
	if err != nil {
		return err
	}
	return (&client.Player{New: sp.New}).Play(client.Lines(os.Stdin, e.stdout))
}
