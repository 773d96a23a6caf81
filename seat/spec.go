package seat

import (
	"fmt"
	"strings"
)

// CheckSpec reports whether a negotiator spec names an outside seat, and
// if it does, whether it is well formed: a program for "cmd:" (words that
// SplitCommand can split). Callers that check specs before any session is
// played (a tournament spec) use it to tell outside seats from built-in
// strategies; a Launcher makes the seats it accepts.
func CheckSpec(spec string) (outside bool, err error) {
	_, outside, err = Command(spec)
	return outside, err
}

// Command is the program and arguments of a "cmd:" spec (ok false for any
// other spec).
func Command(spec string) (argv []string, ok bool, err error) {
	command, ok := strings.CutPrefix(strings.TrimSpace(spec), CmdPrefix)
	if !ok {
		return nil, false, nil
	}
	argv, err = SplitCommand(command)
	if err != nil {
		return nil, true, fmt.Errorf("%s: %w", strings.TrimSpace(spec), err)
	}
	return argv, true, nil
}
