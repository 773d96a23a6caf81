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

// RemotePrefix marks a negotiator spec whose seat is played over the
// network by an agent that connects to the command (parley run, parley
// tournament): "remote:alice". One connection plays every session the
// seat sits in, one at a time.
const RemotePrefix = "remote:"

// maxRemoteName bounds a remote seat's name.
const maxRemoteName = 64

// RemoteName is the NAME of a "remote:NAME" spec (ok false for any other
// spec): letters, digits, '.', '_' and '-', at most 64 of them, so that
// it prints and logs as it is.
func RemoteName(spec string) (name string, ok bool, err error) {
	name, ok = strings.CutPrefix(strings.TrimSpace(spec), RemotePrefix)
	if !ok {
		return "", false, nil
	}
	switch {
	case name == "":
		return "", true, fmt.Errorf("%s: give the seat a name, such as %salice", strings.TrimSpace(spec), RemotePrefix)
	case len(name) > maxRemoteName:
		return "", true, fmt.Errorf("%s%.16s…: a remote seat's name has at most %d characters", RemotePrefix, name, maxRemoteName)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "", true, fmt.Errorf("%s%s: a remote seat's name has letters, digits, '.', '_' and '-' only (not %q)", RemotePrefix, name, c)
		}
	}
	return name, true, nil
}
