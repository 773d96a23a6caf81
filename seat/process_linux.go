//go:build linux

package seat

import (
	"os/exec"
	"syscall"
)

// setGroup starts the agent in a process group of its own, so that
// killGroup stops its children too, and has the kernel kill it if parley
// dies without stopping it (kill -9): an agent that ignores its input
// would otherwise outlive the tournament.
func setGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
