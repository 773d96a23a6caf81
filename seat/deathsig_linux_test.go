//go:build linux

package seat_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/seat"
)

// spawnerEnv makes the test binary start an agent that ignores its input
// and print the agent's pid, then wait to be killed.
const spawnerEnv = "PARLEY_TEST_SPAWNER"

func init() {
	if os.Getenv(spawnerEnv) != "1" {
		return
	}
	p, err := seat.StartProcess([]string{"sleep", "600"}, "")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println(p.Pid())
	select {}
}

// TestAgentDiesWithParley: an agent process that ignores its input does not
// outlive a parley killed with SIGKILL (which stops nothing itself).
func TestAgentDiesWithParley(t *testing.T) {
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Skip("no sleep command")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run", "^$")
	cmd.Env = append(os.Environ(), spawnerEnv+"=1")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(line[:len(line)-1])
	if err != nil {
		t.Fatalf("spawner said %q", line)
	}
	if syscall.Kill(pid, 0) != nil {
		t.Fatal("the agent is not running")
	}
	cmd.Process.Kill()
	cmd.Wait()
	for range 100 {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	t.Error("the agent outlived parley's SIGKILL")
}
