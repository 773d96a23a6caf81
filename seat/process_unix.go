//go:build unix

package seat

import (
	"os/exec"
	"syscall"
)

// setGroup starts the agent in a process group of its own, so that
// killGroup stops its children too.
func setGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
