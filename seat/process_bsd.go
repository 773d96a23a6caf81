//go:build unix && !linux

package seat

import (
	"os/exec"
	"syscall"
)

// setGroup starts the agent in a process group of its own, so that
// killGroup stops its children too.
func setGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }
