package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/session"
)

// cliEnv makes the test binary run parley with the arguments in it (one
// per line): a real parley process that a test can kill.
const cliEnv = "PARLEY_TEST_CLI_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(cliEnv); args != "" {
		os.Exit(run(strings.Split(args, "\n"), env{stdout: os.Stdout, stderr: os.Stderr}))
	}
	os.Exit(m.Run())
}

// parleyProcess is `parley serve` running in a process of its own.
type parleyProcess struct {
	cmd  *exec.Cmd
	out  *bufio.Scanner
	url  string
	errs *lockedBuffer
}

// lockedBuffer is a buffer a process writes while a test may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startServe(t *testing.T, args ...string) *parleyProcess {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), cliEnv+"="+strings.Join(append([]string{"serve"}, args...), "\n"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &parleyProcess{cmd: cmd, out: bufio.NewScanner(stdout), errs: &lockedBuffer{}}
	cmd.Stderr = p.errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if !p.out.Scan() {
		cmd.Wait()
		t.Fatalf("parley serve said nothing; stderr: %s", p.errs)
	}
	line := p.out.Text()
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("parley serve: %s", line)
	}
	p.url = strings.Fields(line[i:])[0]
	return p
}

// TestServeSurvivesKill: `parley serve` killed with SIGKILL in the middle
// of a session and started again on its database resumes the session;
// the seat's client reconnects with its token and the session ends as it
// would have; SIGTERM then stops the server cleanly.
func TestServeSurvivesKill(t *testing.T) {
	sc, err := open.Path(sharedDomain(t, "ANAC2011_Laptop"))
	if err != nil {
		t.Fatal(err)
	}
	text, err := sc.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	posted, err := scenario.Parse(text, server.ScenarioName)
	if err != nil {
		t.Fatal(err)
	}
	want, err := session.Run(session.Config{Scenario: posted, Negotiators: []string{"frequency", "boulware"}, Deadline: protocol.Deadline{Rounds: 40}})
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "serve.db")
	p := startServe(t, "--addr", "127.0.0.1:0", "--db", db)
	body, _ := json.Marshal(server.Request{Scenario: string(text), Seats: []string{server.Remote, "boulware"}, Deadline: &server.Deadline{Rounds: 40}})
	resp, err := http.Post(p.url+"/api/v1/sessions", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var c server.Created
	json.NewDecoder(resp.Body).Decode(&c)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || len(c.Seats) != 1 {
		t.Fatalf("%s: %+v", resp.Status, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := server.DialWebSocket(ctx, c.Seats[0].WS)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Retry = 30 * time.Second
	g := &killAt{Link: l, at: 12, reached: make(chan struct{}), open: make(chan struct{})}
	done := make(chan error, 1)
	sp, _ := negotiator.Parse("frequency")
	go func() { done <- (&client.Player{New: sp.New}).Play(g) }()
	select {
	case err := <-done:
		t.Fatalf("the session ended before the kill: %v", err)
	case <-g.reached:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	p2 := startServe(t, "--addr", strings.TrimPrefix(p.url, "http://"), "--db", db)
	close(g.open)
	if err := <-done; err != nil {
		t.Fatalf("%v; the server's stderr: %s", err, p2.errs)
	}
	var st server.Status
	resp, err = http.Get(p2.url + "/api/v1/sessions/" + c.ID)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	r := st.Result
	if st.State != server.StateFinished || r == nil || r.Status != want.Status || r.Round != want.Round || r.Steps != want.Steps ||
		fmt.Sprint(r.Outcome) != fmt.Sprint(want.Outcome) {
		t.Fatalf("after the kill: %+v %+v; without it: %s round %d steps %d %v", st, r, want.Status, want.Round, want.Steps, want.Outcome)
	}
	p2.cmd.Process.Signal(syscall.SIGTERM)
	rest := stdoutRest(p2)
	if err := p2.cmd.Wait(); err != nil || !strings.Contains(rest, "stopping") {
		t.Errorf("SIGTERM: %v; stdout %q, stderr %s", err, rest, p2.errs)
	}
}

// stdoutRest reads what the process writes on stdout until it ends.
func stdoutRest(p *parleyProcess) string {
	var b strings.Builder
	for p.out.Scan() {
		b.WriteString(p.out.Text() + "\n")
	}
	return b.String()
}

// killAt is a client link whose at-th action waits for open.
type killAt struct {
	client.Link
	n, at   int
	reached chan struct{}
	open    chan struct{}
}

func (k *killAt) Write(m []byte) error {
	k.n++
	if k.n == k.at {
		close(k.reached)
		<-k.open
	}
	return k.Link.Write(m)
}

// TestServeRefusesAnotherDB: parley serve opens only its own kind of
// database, and says so.
func TestServeRefusesAnotherDB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(path, []byte("not a database at all, but long enough to be looked at by SQLite as a header"), 0o644)
	code, _, errs := runCLI("serve", "--addr", "127.0.0.1:0", "--db", path)
	if code != 1 || !strings.Contains(errs, "notes.txt") {
		t.Errorf("exit %d: %s", code, errs)
	}
}
