package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/tournament"
)

// cliRun is parley run or parley tournament running in this process, its
// remote seats waiting for agents.
type cliRun struct {
	done chan struct{}
	code int
	out  bytes.Buffer

	mu   sync.Mutex
	errs bytes.Buffer
	urls map[string]seatURLs // by spec, once printed
	seen chan struct{}       // closed once every remote seat's URLs are printed
}

// seatURLs are a remote seat's URLs as parley prints them.
type seatURLs struct{ WS, Poll string }

// seatLine is how parley prints a remote seat's URLs on stderr.
var seatLine = regexp.MustCompile(`^  (remote:\S+): (ws://\S+) \(long-poll: (http://\S+/messages)\)$`)

// startCLI runs parley with args, and reads its stderr for the URLs of
// seats remote seats.
func startCLI(t *testing.T, seats int, args ...string) *cliRun {
	t.Helper()
	c := &cliRun{done: make(chan struct{}), urls: map[string]seatURLs{}, seen: make(chan struct{})}
	pr, pw := io.Pipe()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			c.mu.Lock()
			c.errs.WriteString(sc.Text() + "\n")
			if m := seatLine.FindStringSubmatch(sc.Text()); m != nil {
				c.urls[m[1]] = seatURLs{m[2], m[3]}
				if len(c.urls) == seats {
					close(c.seen)
				}
			}
			c.mu.Unlock()
		}
	}()
	go func() {
		c.code = run(args, env{stdout: &c.out, stderr: pw})
		pw.Close()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		case <-time.After(2 * time.Minute):
			t.Error("parley did not end")
		}
	})
	return c
}

// seat waits for the URLs of a remote seat.
func (c *cliRun) seat(t *testing.T, spec string) seatURLs {
	t.Helper()
	select {
	case <-c.seen:
	case <-c.done:
		t.Fatalf("parley ended (exit %d) before printing the seats' URLs: %s", c.code, c.stderr())
	case <-time.After(time.Minute):
		t.Fatalf("no URLs printed: %s", c.stderr())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	u, ok := c.urls[spec]
	if !ok {
		t.Fatalf("no URLs for %s: %s", spec, c.errs.String())
	}
	return u
}

func (c *cliRun) stderr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.errs.String()
}

// wait waits for parley to end and returns its exit code and stdout.
func (c *cliRun) wait(t *testing.T) (int, string) {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("parley did not end: %s", c.stderr())
	}
	time.Sleep(10 * time.Millisecond) // the last stderr lines
	return c.code, c.out.String()
}

// goAgent plays a remote seat with a built-in strategy through the Go
// client (seat/client), over WebSocket or long-poll; each action after by.
func goAgent(t *testing.T, transport string, u seatURLs, strategy string, by time.Duration) <-chan error {
	t.Helper()
	sp, err := negotiator.Parse(strategy)
	if err != nil {
		t.Fatal(err)
	}
	var l client.Link
	if transport == "ws" {
		wl, err := server.DialWebSocket(context.Background(), u.WS)
		if err != nil {
			t.Fatal(err)
		}
		l = wl
	} else {
		l = &server.PollLink{Messages: u.Poll, Action: strings.TrimSuffix(u.Poll, "/messages") + "/action", Wait: 5 * time.Second}
	}
	done := make(chan error, 1)
	go func() { done <- (&client.Player{New: sp.New}).Play(slowBy{l, by}) }()
	return done
}

// slowBy is a link whose every action waits a while.
type slowBy struct {
	client.Link
	by time.Duration
}

func (l slowBy) Write(m []byte) error {
	time.Sleep(l.by)
	return l.Link.Write(m)
}

// pyAgent plays a remote seat with the Python client's example agent.
func pyAgent(t *testing.T, url string) <-chan error {
	t.Helper()
	cmd := exec.Command("python3", pyExample(t), url)
	var errs bytes.Buffer
	cmd.Stderr = &errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		if err != nil {
			err = fmt.Errorf("%v: %s", err, errs.String())
		}
		done <- err
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	return done
}

func pyExample(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	p, err := filepath.Abs("../../clients/python/examples/frequency_agent.py")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// goCmd is a cmd: agent that plays a built-in strategy through the same Go
// client on stdin/stdout: this test binary as parley agent.
func goCmd(t *testing.T, strategy string) string {
	t.Setenv(agentCLIEnv, "1")
	return "cmd:" + os.Args[0] + " agent " + strategy
}

func agentDone(t *testing.T, name string, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	case <-time.After(time.Minute):
		t.Errorf("%s did not end", name)
	}
}

// named replaces the negotiator specs in a JSON text (as JSON strings)
// with their names.
func named(js string, specs map[string]string) string {
	for spec, name := range specs {
		q, _ := json.Marshal(spec)
		js = strings.ReplaceAll(js, string(q), `"`+name+`"`)
	}
	return js
}

// TestRunRemoteSeat: parley run with a remote seat prints its URLs,
// waits for its agent, and plays the session it would play with the same
// agent as a cmd: process on stdin/stdout: the Go client and the Python
// example agent, each over WebSocket and long-poll.
func TestRunRemoteSeat(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	py := pyExample(t)
	args := []string{"run", laptop, "--seed", "5", "--rounds", "40", "--json"}
	for _, agent := range []string{"go", "python"} {
		cmdSpec := "cmd:python3 " + py
		if agent == "go" {
			cmdSpec = goCmd(t, "frequency")
		}
		code, want, errs := runCLI(append(args, "-n", cmdSpec+",boulware")...)
		if code != 0 {
			t.Fatalf("%s on stdio: %s", agent, errs)
		}
		want = named(want, map[string]string{cmdSpec: "agent"})
		for _, transport := range []string{"ws", "poll"} {
			t.Run(agent+" "+transport, func(t *testing.T) {
				c := startCLI(t, 1, append(args, "-n", "remote:alice,boulware")...)
				u := c.seat(t, "remote:alice")
				var done <-chan error
				if agent == "go" {
					done = goAgent(t, transport, u, "frequency", 0)
				} else if transport == "ws" {
					done = pyAgent(t, u.WS)
				} else {
					done = pyAgent(t, u.Poll)
				}
				code, got := c.wait(t)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, c.stderr())
				}
				agentDone(t, agent, done)
				if got = named(got, map[string]string{"remote:alice": "agent"}); got != want {
					t.Errorf("over %s:\n%s\non stdio:\n%s", transport, got, want)
				}
				if !strings.Contains(c.stderr(), "remote:alice: its agent connected") {
					t.Errorf("stderr: %s", c.stderr())
				}
			})
		}
	}
}

// TestRemoteSeatFailures: an agent that never connects is a clear error
// once --connect-timeout has passed, before anything is played; one that
// drops its connection in mid-session and comes back within the grace
// period resumes it; a remote seat named for two seats of a session, or
// meeting itself in a tournament, is refused up front.
func TestRemoteSeatFailures(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	t.Run("never connects", func(t *testing.T) {
		start := time.Now()
		code, _, errs := runCLI("run", laptop, "-n", "remote:alice,boulware", "--connect-timeout", "300ms")
		if code != 1 || !strings.Contains(errs, "parley: remote:alice has no agent: none connected within 300ms") {
			t.Errorf("exit %d: %s", code, errs)
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("took %v", d)
		}
		dir := t.TempDir()
		spec := filepath.Join(dir, "t.yaml")
		os.WriteFile(spec, fmt.Appendf(nil, "scenarios: [%s]\nnegotiators: [remote:a, remote:b, boulware]\nrotation: distinct\n", laptop), 0o644)
		db := filepath.Join(dir, "t.db")
		code, _, errs = runCLI("tournament", spec, "--db", db, "--connect-timeout", "300ms", "--progress", "none")
		if code != 1 || !strings.Contains(errs, "parley: remote:a, remote:b have no agent: none connected within 300ms") {
			t.Errorf("tournament: exit %d: %s", code, errs)
		}
		if n := recorded(db); n != 0 {
			t.Errorf("%d sessions recorded", n)
		}
	})
	t.Run("drops and comes back", func(t *testing.T) {
		code, want, errs := runCLI("run", laptop, "-n", "frequency,boulware", "--seed", "2", "--json")
		if code != 0 {
			t.Fatal(errs)
		}
		c := startCLI(t, 1, "run", laptop, "-n", "remote:alice,boulware", "--seed", "2", "--json", "--grace", "5s")
		u := c.seat(t, "remote:alice")
		wl, err := server.DialWebSocket(context.Background(), u.WS)
		if err != nil {
			t.Fatal(err)
		}
		turns := 0
		link := &dropping{WebSocketLink: wl, turns: &turns}
		done := make(chan error, 1)
		sp, _ := negotiator.Parse("frequency")
		go func() { done <- (&client.Player{New: sp.New}).Play(link) }()
		code, got := c.wait(t)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, c.stderr())
		}
		agentDone(t, "the client", done)
		if turns < 5 || !link.dropped {
			t.Fatalf("%d turns, dropped %v", turns, link.dropped)
		}
		if got = named(got, map[string]string{"remote:alice": "frequency"}); got != want {
			t.Errorf("with a break:\n%s\nwithout:\n%s", got, want)
		}
	})
	t.Run("one seat each", func(t *testing.T) {
		code, _, errs := runCLI("run", laptop, "-n", "remote:alice", "--connect-timeout", "1s")
		if code != 1 || !strings.Contains(errs, "remote:alice sits at two seats of the session") {
			t.Errorf("exit %d: %s", code, errs)
		}
		spec := filepath.Join(t.TempDir(), "t.yaml")
		os.WriteFile(spec, fmt.Appendf(nil, "scenarios: [%s]\nnegotiators: [remote:a, boulware]\n", laptop), 0o644)
		code, _, errs = runCLI("tournament", spec, "--connect-timeout", "1s")
		if code != 1 || !strings.Contains(errs, "t.yaml:2:15: negotiators[0]: remote:a would play both sides of some sessions under rotation: all") {
			t.Errorf("tournament: exit %d: %s", code, errs)
		}
	})
}

// dropping is a WebSocket link that drops its connection after its third
// action and comes back with after=N.
type dropping struct {
	*server.WebSocketLink
	turns   *int
	dropped bool
}

func (d *dropping) Write(m []byte) error {
	*d.turns++
	if *d.turns == 3 {
		d.WebSocketLink.Close()
		time.Sleep(300 * time.Millisecond)
		if err := d.Reconnect(); err != nil {
			return err
		}
		d.dropped = true
	}
	return d.WebSocketLink.Write(m)
}

// TestRemoteListensOnLoopbackOnly: while parley run waits for a remote
// seat's agent with the default --listen, every socket it listens on is
// on 127.0.0.1.
func TestRemoteListensOnLoopbackOnly(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	before := len(listening(t))
	c := startCLI(t, 1, "run", laptop, "-n", "remote:alice,boulware", "--connect-timeout", "3s")
	u := c.seat(t, "remote:alice")
	socks := listening(t)
	if len(socks) <= before {
		t.Fatalf("no listening socket found: %v", socks)
	}
	for _, s := range socks {
		// /proc/net/tcp: local address as hex IP:port, 0100007F is 127.0.0.1.
		if !strings.HasPrefix(s, "tcp 0100007F:") {
			t.Errorf("listening on %s", s)
		}
	}
	if host, _, _ := net.SplitHostPort(hostOf(u.Poll)); host != "127.0.0.1" {
		t.Errorf("the URL's host is %s", host)
	}
	code, _ := c.wait(t)
	if code != 1 {
		t.Errorf("exit %d", code)
	}
}

// TestTournamentRemoteSeats: a tournament whose negotiators include two
// remote seats (the Python example agent and the Go client, one over
// WebSocket and the other over long-poll, then the other way round) plays
// every session, line-ups of the two together
// included, each agent on its one connection, and records what the same
// tournament with the same agents as cmd: processes records; the report
// gives their answer times. Interrupted (--max-time) and run again, it
// prints new URLs (the old ones are unknown to it), and the agents that
// connect to them finish it exactly.
func TestTournamentRemoteSeats(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	py := pyExample(t)
	goSpec := goCmd(t, "frequency")
	dir := t.TempDir()
	write := func(name string, negs ...string) string {
		p := filepath.Join(dir, name+".yaml")
		os.WriteFile(p, fmt.Appendf(nil, "name: t\nseed: 4\nscenarios: [%s]\nnegotiators: %s\nrotation: distinct\nrepetitions: 2\n"+
			"deadline: {rounds: 40}\nagents: {concurrency: 2, action_timeout: 20s}\n", laptop, quote(negs...)), 0o644)
		return p
	}
	stdio := write("stdio", "cmd:python3 "+py, goSpec, "boulware")
	code, _, errs := runCLI("tournament", stdio, "--db", filepath.Join(dir, "stdio.db"), "-w", "2", "-q")
	if code != 0 {
		t.Fatal(errs)
	}
	want := named(exportJSONL(t, filepath.Join(dir, "stdio.db")), map[string]string{"cmd:python3 " + py: "py", goSpec: "go"})

	remote := write("remote", "remote:py", "remote:go", "boulware")
	var db string
	for _, py := range []string{"ws", "poll"} {
		db = filepath.Join(dir, "remote-py-"+py+".db")
		c := startCLI(t, 2, "tournament", remote, "--db", db, "-w", "2", "--progress", "none")
		pyURL, goTransport := c.seat(t, "remote:py").WS, "poll"
		if py == "poll" {
			pyURL, goTransport = c.seat(t, "remote:py").Poll, "ws"
		}
		pyDone := pyAgent(t, pyURL)
		goDone := goAgent(t, goTransport, c.seat(t, "remote:go"), "frequency", 0)
		code, out := c.wait(t)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, c.stderr())
		}
		agentDone(t, "the Python agent", pyDone)
		agentDone(t, "the Go agent", goDone)
		if got := named(exportJSONL(t, db), map[string]string{"remote:py": "py", "remote:go": "go"}); got != want {
			t.Errorf("Python over %s, Go over %s:\n%s\non stdio:\n%s", py, goTransport, got, want)
		}
		for _, s := range []string{"Tournament t: 12 of 12 sessions recorded", "answer times of the seats played from outside", "remote:py", "remote:go"} {
			if !strings.Contains(out, s) {
				t.Errorf("the report lacks %q:\n%s", s, out)
			}
		}
	}
	code, js, errs := runCLI("tournament", "report", db, "--json")
	if code != 0 {
		t.Fatal(errs)
	}
	var sum tournament.Summary
	json.Unmarshal([]byte(js), &sum)
	if len(sum.Times) != 2 || sum.Times[0].Actions == 0 || sum.Times[1].Actions == 0 || sum.Overall.Failed != 0 {
		t.Errorf("answer times %+v, %d failed", sum.Times, sum.Overall.Failed)
	}
	// Again: all recorded, nothing to wait for.
	code, _, errs = runCLI("tournament", remote, "--db", db, "--connect-timeout", "1s", "-q")
	if code != 0 || strings.Contains(errs, "remote seats:") || !strings.Contains(errs, "all 12 sessions were already recorded") {
		t.Errorf("run again: exit %d: %s", code, errs)
	}

	t.Run("interrupted and resumed", func(t *testing.T) {
		ref := write("builtin", "frequency", "boulware", "conceder")
		code, _, errs := runCLI("tournament", ref, "--db", filepath.Join(dir, "builtin.db"), "-q")
		if code != 0 {
			t.Fatal(errs)
		}
		want := named(exportJSONL(t, filepath.Join(dir, "builtin.db")), map[string]string{"frequency": "f"})
		spec := write("slow", "remote:f", "boulware", "conceder")
		db := filepath.Join(dir, "slow.db")
		c := startCLI(t, 1, "tournament", spec, "--db", db, "--max-time", "2s", "--progress", "none")
		first := c.seat(t, "remote:f")
		done := goAgent(t, "ws", first, "frequency", 15*time.Millisecond)
		code, _ = c.wait(t)
		agentDone(t, "the first agent", done)
		n := recorded(db)
		if code != 1 || !strings.Contains(c.stderr(), "run the same command again to finish") || n == 0 || n >= 12 {
			t.Fatalf("exit %d, %d recorded: %s", code, n, c.stderr())
		}
		c = startCLI(t, 1, "tournament", spec, "--db", db, "--progress", "none")
		second := c.seat(t, "remote:f")
		if second.WS == first.WS {
			t.Errorf("the same URL again: %s", second.WS)
		}
		// The first run's token is unknown to the second.
		old := strings.Replace(first.Poll, hostOf(first.Poll), hostOf(second.Poll), 1)
		resp, err := http.Get(old)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("the first run's URL: %s", resp.Status)
		}
		done = goAgent(t, "ws", second, "frequency", 0)
		code, _ = c.wait(t)
		if code != 0 || !strings.Contains(c.stderr(), fmt.Sprintf("resuming %s: %d of 12 sessions already recorded", db, n)) {
			t.Fatalf("exit %d: %s", code, c.stderr())
		}
		agentDone(t, "the second agent", done)
		if got := named(exportJSONL(t, db), map[string]string{"remote:f": "f"}); got != want {
			t.Errorf("interrupted and resumed:\n%s\nbuilt in:\n%s", got, want)
		}
	})
}

func hostOf(u string) string {
	rest := strings.TrimPrefix(u, "http://")
	return rest[:strings.Index(rest, "/")]
}

// exportJSONL is a tournament's sessions as export writes them.
func exportJSONL(t *testing.T, db string) string {
	t.Helper()
	code, out, errs := runCLI("tournament", "export", db, "-f", "jsonl")
	if code != 0 {
		t.Fatalf("export: %s", errs)
	}
	return out
}

// TestTournamentRemoteFailure: a remote agent that does not answer one
// turn fails that session (cause timeout), recorded once with its seat
// and cause, and plays the tournament's other sessions on the same
// connection as the built-in strategy would.
func TestTournamentRemoteFailure(t *testing.T) {
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	dir := t.TempDir()
	write := func(name string, negs ...string) string {
		p := filepath.Join(dir, name+".yaml")
		os.WriteFile(p, fmt.Appendf(nil, "name: t\nseed: 9\nscenarios: [%s]\nnegotiators: %s\nrotation: distinct\nrepetitions: 2\n"+
			"deadline: {rounds: 40}\nagents: {action_timeout: 300ms}\n", laptop, quote(negs...)), 0o644)
		return p
	}
	code, _, errs := runCLI("tournament", write("builtin", "frequency", "boulware"), "--db", filepath.Join(dir, "builtin.db"), "-q")
	if code != 0 {
		t.Fatal(errs)
	}
	var want []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(exportJSONL(t, filepath.Join(dir, "builtin.db"))), "\n") {
		var r map[string]any
		json.Unmarshal([]byte(named(l, map[string]string{"frequency": "f"})), &r)
		want = append(want, r)
	}
	db := filepath.Join(dir, "remote.db")
	c := startCLI(t, 1, "tournament", write("remote", "remote:f", "boulware"), "--db", db, "-w", "1", "--progress", "none")
	u := c.seat(t, "remote:f")
	wl, err := server.DialWebSocket(context.Background(), u.WS)
	if err != nil {
		t.Fatal(err)
	}
	sp, _ := negotiator.Parse("frequency")
	done := make(chan error, 1)
	go func() { done <- (&client.Player{New: sp.New}).Play(&silentOnce{Link: wl}) }()
	code, out := c.wait(t)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, c.stderr())
	}
	agentDone(t, "the agent", done)
	if !strings.Contains(c.stderr(), "4 sessions in") || !strings.Contains(c.stderr(), "1 of them failed") {
		t.Errorf("stderr: %s", c.stderr())
	}
	if !strings.Contains(out, "timeout") {
		t.Errorf("the report does not count the timeout:\n%s", out)
	}
	rows := strings.Split(strings.TrimSpace(exportJSONL(t, db)), "\n")
	if len(rows) != 4 {
		t.Fatalf("%d sessions exported", len(rows))
	}
	failed := 0
	for i, l := range rows {
		var r map[string]any
		json.Unmarshal([]byte(named(l, map[string]string{"remote:f": "f"})), &r)
		if f, ok := r["failure"].(map[string]any); ok {
			failed++
			if f["seat"] != "laptop_buyer_utility" && f["seat"] != "laptop_seller_utility" || f["cause"] != "timeout" || r["status"] != "failed" {
				t.Errorf("session %d: %v", i, r)
			}
			continue
		}
		if a, b := fmt.Sprint(r), fmt.Sprint(want[i]); a != b {
			t.Errorf("session %d:\n%s\nbuilt in:\n%s", i, a, b)
		}
	}
	if failed != 1 {
		t.Errorf("%d sessions failed", failed)
	}
}

// silentOnce is a link that does not send its first action: the agent
// hangs on that turn, and answers every later one.
type silentOnce struct {
	client.Link
	skipped bool
}

func (s *silentOnce) Write(m []byte) error {
	if !s.skipped {
		s.skipped = true
		return nil
	}
	return s.Link.Write(m)
}
