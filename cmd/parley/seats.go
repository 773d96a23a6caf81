package main

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/server"
)

// SeatClock are the rules for seats played from outside (cmd: agents).
type SeatClock struct {
	ActionTimeout time.Duration `default:"30s" help:"Outside seats: the longest an agent may take to answer one turn before it fails (0: no limit)."`
	SeatBudget    time.Duration `help:"Outside seats: the total time an agent may take for all its answers in a session (default: no limit)."`
	MaxErrors     int           `default:"3" help:"Outside seats: malformed or illegal actions an agent may send in a session before it forfeits."`

	LLMFlags
}

// launcher makes the outside seats of a command: agent processes (cmd:),
// language models (llm:, made by the pool it returns too) and the other
// kinds given (remote:).
func (s SeatClock) launcher(dir string, kinds ...seat.Kind) (*seat.Launcher, *llm.Pool, error) {
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
	return &seat.Launcher{Options: opts, Dir: dir, Kinds: append([]seat.Kind{k}, kinds...)}, pool, nil
}

// RemoteFlags set up a command's remote seats (remote:NAME): seats played
// over the network by agents that connect to the command, through the
// transports of parley serve (docs/protocol.md#transports).
type RemoteFlags struct {
	Listen         string        `default:"127.0.0.1:0" help:"Remote seats (remote:NAME): the address their agents connect to. The default serves this machine only, on a free port; other interfaces (such as :9000) are served only when given here."`
	URL            string        `name:"url" help:"Remote seats: the listener's address as agents reach it (such as http://host.example.org:9000), for the seat URLs printed (default: from --listen)."`
	ConnectTimeout time.Duration `default:"2m" help:"Remote seats: how long to wait for every agent to connect before the first session."`
	Grace          time.Duration `default:"30s" help:"Remote seats: how long an agent may stay disconnected while its session is under way before its seat fails; it resumes with the same URL."`
}

// hub makes what serves the remote seats; it listens nowhere until serve.
func (f RemoteFlags) hub() (*server.Hub, error) {
	switch {
	case f.Listen == "":
		return nil, fmt.Errorf("--listen: give the address agents connect to, such as 127.0.0.1:9000 (the default, 127.0.0.1:0, is this machine on a free port)")
	case f.ConnectTimeout <= 0:
		return nil, fmt.Errorf("--connect-timeout %v: give a positive duration", f.ConnectTimeout)
	case f.Grace <= 0:
		return nil, fmt.Errorf("--grace %v: give a positive duration", f.Grace)
	}
	return server.NewHub(server.HubConfig{Grace: f.Grace, BaseURL: f.URL}), nil
}

// serve listens for the agents of h's seats (when it has some), prints
// each seat's URLs on stderr, and waits until every agent has connected,
// for up to --connect-timeout.
func (f RemoteFlags) serve(ctx context.Context, e env, h *server.Hub) error {
	if h.Len() == 0 {
		return nil
	}
	loopback, err := h.Listen(f.Listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", f.Listen, err)
	}
	if !loopback {
		e.warn(fmt.Sprintf("remote seats: listening on %s, beyond this machine: whoever holds a seat's URL plays it", h.Addr()))
	}
	fmt.Fprintf(e.stderr, "remote seats: listening on %s; waiting up to %v for their agents:\n", h.Addr(), f.ConnectTimeout)
	for _, rs := range h.Seats() {
		fmt.Fprintf(e.stderr, "  %s: %s (long-poll: %s)\n", rs.Spec, rs.WS, rs.Messages)
	}
	return h.Wait(ctx, f.ConnectTimeout, func(rs server.RemoteSeat) {
		fmt.Fprintf(e.stderr, "  %s: its agent connected\n", rs.Spec)
	})
}
