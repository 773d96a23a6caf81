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

	mu    sync.Mutex
	seats []*Launched
}

// Launched is one seat a Launcher made.
type Launched struct {
	Spec   string
	Remote *Remote
}

// IsOutside reports whether spec names an outside seat (so that
// built-in spec checks leave it alone).
func IsOutside(spec string) bool { return strings.HasPrefix(strings.TrimSpace(spec), CmdPrefix) }

// Outside implements session.Config.Outside.
func (l *Launcher) Outside(spec string, _ int) (session.Outside, bool, error) {
	command, ok := strings.CutPrefix(strings.TrimSpace(spec), CmdPrefix)
	if !ok {
		return nil, false, nil
	}
	argv, err := SplitCommand(command)
	if err != nil {
		return nil, true, fmt.Errorf("%s: %w", spec, err)
	}
	opts := l.Options
	opts.Dial = func() (Conn, error) { return StartProcess(argv, l.Dir) }
	r := NewRemote(nil, opts)
	l.mu.Lock()
	l.seats = append(l.seats, &Launched{Spec: spec, Remote: r})
	l.mu.Unlock()
	return r, true, nil
}

// Seats lists the seats made so far.
func (l *Launcher) Seats() []*Launched {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Launched(nil), l.seats...)
}

// Close stops every seat's process.
func (l *Launcher) Close() error {
	for _, s := range l.Seats() {
		s.Remote.Close()
	}
	return nil
}
