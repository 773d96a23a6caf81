package seat

import (
	"fmt"
	"strings"
	"sync"

	"github.com/parleyhq/parley/session"
)

// CmdPrefix marks a negotiator spec that runs a program as the seat:
// "cmd:python3 my_agent.py".
const CmdPrefix = "cmd:"

// Launcher makes the outside seats that negotiator specs name, for
// session.Config.Outside, and keeps them so that their answer times can be
// reported and their processes stopped.
type Launcher struct {
	Options Options
	// Dir is the folder agent commands run in ("" is the current one).
	Dir string
	// Kinds are the other kinds of outside seat it makes, each named by
	// its spec prefix (a language model's "llm:").
	Kinds []Kind

	mu    sync.Mutex
	seats []*Launched
}

// Launched is one seat a Launcher made.
type Launched struct {
	Spec   string
	Remote *Remote
}

// Kind is a kind of outside seat other than a command: specs that start
// with Prefix are its seats, played through the Conns that Dial opens.
type Kind struct {
	Prefix string
	// Dial checks the rest of a spec (after Prefix) and returns how to
	// open a connection to its seat for each session that needs one.
	Dial func(rest string) (func() (Conn, error), error)
	// Close, if set, releases what the kind's seats share; Launcher.Close
	// calls it.
	Close func() error
}

// IsOutside reports whether spec names an outside seat (so that
// built-in spec checks leave it alone).
func IsOutside(spec string) bool { return strings.HasPrefix(strings.TrimSpace(spec), CmdPrefix) }

// Outside implements session.Config.Outside.
func (l *Launcher) Outside(spec string, _ int) (session.Outside, bool, error) {
	trimmed := strings.TrimSpace(spec)
	opts := l.Options
	if command, ok := strings.CutPrefix(trimmed, CmdPrefix); ok {
		argv, err := SplitCommand(command)
		if err != nil {
			return nil, true, fmt.Errorf("%s: %w", spec, err)
		}
		opts.Dial = func() (Conn, error) { return StartProcess(argv, l.Dir) }
	} else {
		k := l.kind(trimmed)
		if k == nil {
			return nil, false, nil
		}
		dial, err := k.Dial(trimmed[len(k.Prefix):])
		if err != nil {
			return nil, true, fmt.Errorf("%s: %w", spec, err)
		}
		opts.Dial = dial
	}
	r := NewRemote(nil, opts)
	l.mu.Lock()
	l.seats = append(l.seats, &Launched{Spec: spec, Remote: r})
	l.mu.Unlock()
	return r, true, nil
}

// kind is the kind whose prefix spec starts with, or nil.
func (l *Launcher) kind(spec string) *Kind {
	for i := range l.Kinds {
		if strings.HasPrefix(spec, l.Kinds[i].Prefix) {
			return &l.Kinds[i]
		}
	}
	return nil
}

// Seats lists the seats made so far.
func (l *Launcher) Seats() []*Launched {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Launched(nil), l.seats...)
}

// Close stops every seat's process and releases what each kind's seats
// share.
func (l *Launcher) Close() error {
	for _, s := range l.Seats() {
		s.Remote.Close()
	}
	var first error
	for _, k := range l.Kinds {
		if k.Close == nil {
			continue
		}
		if err := k.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
