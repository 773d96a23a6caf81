package main

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/seat"
)

// SeatClock are the rules for seats played from outside (cmd: agents).
type SeatClock struct {
	ActionTimeout time.Duration `default:"30s" help:"Outside seats: the longest an agent may take to answer one turn before it fails (0: no limit)."`
	SeatBudget    time.Duration `help:"Outside seats: the total time an agent may take for all its answers in a session (default: no limit)."`
	MaxErrors     int           `default:"3" help:"Outside seats: malformed or illegal actions an agent may send in a session before it forfeits."`

	LLMFlags
}

// launcher makes the outside seats of a command: agent processes (cmd:)
// and language models (llm:, made by the pool it returns too).
func (s SeatClock) launcher(dir string) (*seat.Launcher, *llm.Pool, error) {
	switch {
	case s.ActionTimeout < 0:
		return nil, nil, fmt.Errorf("--action-timeout %v: give a positive duration, or 0 for no limit", s.ActionTimeout)
	case s.SeatBudget < 0:
		return nil, nil, fmt.Errorf("--seat-budget %v: give a positive duration, or 0 for no limit", s.SeatBudget)
	case s.MaxErrors < 0:
		return nil, nil, fmt.Errorf("--max-errors %d: give 0 or more", s.MaxErrors)
	}
	opts := seat.Options{ActionTimeout: s.ActionTimeout, Budget: s.SeatBudget, MaxErrors: s.MaxErrors}
	if s.MaxErrors == 0 {
		opts.MaxErrors = -1
	}
	pool, closePool, err := s.pool()
	if err != nil {
		return nil, nil, err
	}
	k := pool.Kind()
	k.Close = closePool
	return &seat.Launcher{Options: opts, Dir: dir, Kinds: []seat.Kind{k}}, pool, nil
}
