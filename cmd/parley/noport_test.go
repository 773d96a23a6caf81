package main

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// listening returns the inodes of the listening TCP and UDP sockets this
// process holds (Linux: /proc/net lists the sockets, /proc/self/fd says
// which are ours).
func listening(t *testing.T) []string {
	ours := map[string]bool{}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc: cannot list this process's sockets")
	}
	for _, fd := range fds {
		if l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.HasPrefix(l, "socket:[") {
			ours[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	var found []string
	for _, table := range []string{"tcp", "tcp6", "udp", "udp6"} {
		f, err := os.Open("/proc/self/net/" + table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			// st 0A is LISTEN for TCP; a bound UDP socket (07) also takes packets.
			if len(fs) > 9 && (fs[3] == "0A" || strings.HasPrefix(table, "udp") && fs[3] == "07") && ours[fs[9]] {
				found = append(found, table+" "+fs[1])
			}
		}
		f.Close()
	}
	return found
}

// TestStdioSeatsListenOnNoPort: a session with agent processes on stdio
// opens no listening socket (the network is parley serve's alone).
func TestStdioSeatsListenOnNoPort(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	agent := filepath.Join(t.TempDir(), "slow.py")
	os.WriteFile(agent, []byte(`import json, sys, time
for line in sys.stdin:
    m = json.loads(line)
    if m["type"] == "your_turn":
        time.sleep(0.05)
        print(json.dumps({"type": "end"}) if m["round"] > 4 else json.dumps({"type": "offer", "outcome": {i: v for i, v in m.get("offer", {}).items()}} if "offer" in m else {"type": "end"}), flush=True)
`), 0o644)
	// The check can see a listener: one opened here is found.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if len(listening(t)) == 0 {
		t.Fatal("the check does not see a listening socket of this process")
	}
	ln.Close()
	var done atomic.Bool
	seenc := make(chan []string)
	go func() {
		var seen []string
		for !done.Load() {
			seen = append(seen, listening(t)...)
			time.Sleep(10 * time.Millisecond)
		}
		seenc <- seen
	}()
	code, out, errs := runCLI("run", sharedDomain(t, "ANAC2011_Laptop"), "-n", "boulware,cmd:python3 "+agent, "-r", "10")
	done.Store(true)
	seen := <-seenc
	if code != 0 || !strings.Contains(out, "laptop_seller_utility") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	if len(seen) > 0 {
		t.Errorf("a stdio session listened on %v", seen)
	}
}
