package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/tournament"
)

// agentCLIEnv makes the test binary parley itself (init), for tests that run
// the command as a child process, signals included.
const agentCLIEnv = "PARLEY_TEST_CLI"

// slowAgentArg makes it, as parley, an agent that plays a built-in
// strategy slowly: slow-agent STRATEGY TOKEN (TOKEN marks the process).
const slowAgentArg = "slow-agent"

func init() {
	if os.Getenv(agentCLIEnv) != "1" {
		return
	}
	if len(os.Args) > 2 && os.Args[1] == slowAgentArg {
		sp, err := negotiator.Parse(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := (&client.Player{New: sp.New}).Play(slowLink{client.Lines(os.Stdin, os.Stdout)}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(run(os.Args[1:], env{stdout: os.Stdout, stderr: os.Stderr}))
}

// slowLink answers each turn after 3ms.
type slowLink struct{ client.Link }

func (l slowLink) Write(msg []byte) error {
	time.Sleep(3 * time.Millisecond)
	return l.Link.Write(msg)
}

// quote writes negotiator specs as a YAML flow list.
func quote(specs ...string) string {
	var q []string
	for _, s := range specs {
		b, _ := json.Marshal(s)
		q = append(q, string(b))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// exported reads a tournament's sessions as export writes them.
func exported(t *testing.T, db string) []map[string]any {
	t.Helper()
	code, out, errs := runCLI("tournament", "export", db, "-f", "jsonl")
	if code != 0 {
		t.Fatalf("export: %s", errs)
	}
	var rows []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	return rows
}

// TestTournamentPythonAgent: a spec mixing the Python example agent (a
// path relative to the spec's folder) with built-ins runs through parley
// tournament; the report gives the agent's answer times, no session
// fails, a session replayed alone with parley run plays as in the
// tournament, and no agent process is left.
func TestTournamentPythonAgent(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed: the Python agent cannot run")
	}
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	dir := t.TempDir()
	// The client and its example, as a user would copy them beside a spec.
	for _, f := range []string{"parley_seat.py", "examples/frequency_agent.py"} {
		b, err := os.ReadFile(filepath.Join("../../clients/python", f))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(dir, "agent", filepath.Dir(f)), 0o755)
		os.WriteFile(filepath.Join(dir, "agent", f), b, 0o644)
	}
	agent := "cmd:python3 agent/examples/frequency_agent.py"
	spec := filepath.Join(dir, "mixed.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf("seed: 4\nscenarios: [%s]\nnegotiators: %s\nrepetitions: 2\nagents: {concurrency: 2, action_timeout: 20s}\n",
		laptop, quote("boulware", "conceder", agent))), 0o644)
	db := filepath.Join(dir, "mixed.db")
	code, out, errs := runCLI("tournament", spec, "--db", db, "--workers", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Tournament mixed: 18 of 18 sessions recorded", "answer times of the seats played from outside", agent} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "failures:") || strings.Contains(errs, "failed") {
		t.Errorf("sessions failed:\n%s\n%s", out, errs)
	}
	if !strings.Contains(errs, "in all (") {
		t.Errorf("stderr lacks the command's total time: %s", errs)
	}
	code, js, errs := runCLI("tournament", "report", db, "--json")
	if code != 0 {
		t.Fatalf("report: %s", errs)
	}
	var sum tournament.Summary
	if err := json.Unmarshal([]byte(js), &sum); err != nil {
		t.Fatal(err)
	}
	// The agent holds 1 seat in 4 line-ups and 2 in one (self-play), 2
	// repetitions each.
	if len(sum.Times) != 1 || sum.Times[0].Negotiator != agent || sum.Times[0].Actions < 10*12 || sum.Times[0].MeanMS <= 0 ||
		sum.Times[0].P99MS <= 0 || len(sum.Failures) != 0 || sum.Overall.Failed != 0 {
		t.Errorf("report: answer times %+v, failures %+v", sum.Times, sum.Failures)
	}
	t.Logf("the Python agent: %d actions, mean %.3f ms, p99 ≤ %.3f ms", sum.Times[0].Actions, sum.Times[0].MeanMS, sum.Times[0].P99MS)

	// A session of the agent against boulware, replayed alone.
	rows := exported(t, db)
	if len(rows) != 18 {
		t.Fatalf("%d sessions exported, want 18", len(rows))
	}
	var row map[string]any
	for _, r := range rows {
		ps := r["parties"].([]any)
		if ps[0].(map[string]any)["negotiator"] == agent && ps[1].(map[string]any)["negotiator"] == "boulware" {
			row = r
			break
		}
	}
	if row == nil {
		t.Fatal("no session of the agent against boulware")
	}
	seed := strconv.FormatUint(uint64(row["seed"].(float64)), 10)
	old, _ := os.Getwd()
	os.Chdir(dir) // the agent's path is relative to the spec's folder
	code, res, errs := runCLI("run", laptop, "-n", agent+",boulware", "--seed", seed, "--json")
	os.Chdir(old)
	if code != 0 {
		t.Fatalf("run: %s", errs)
	}
	var result struct {
		Status    string
		Agreement map[string]string
		Round     int
		Parties   []struct{ Utility float64 }
	}
	json.Unmarshal([]byte(res), &result)
	ps := row["parties"].([]any)
	if result.Status != row["status"] || result.Round != int(row["round"].(float64)) || fmt.Sprint(result.Agreement) != fmt.Sprint(row["agreement"]) ||
		len(result.Parties) != 2 || result.Parties[0].Utility != ps[0].(map[string]any)["utility"] {
		t.Errorf("session %v replayed alone: %s\nin the tournament: %v", row["session"], res, row)
	}
	if left := processesWith(dir); len(left) > 0 {
		t.Errorf("agent processes left: %v", left)
	}
}

// TestTournamentAgentSignals: parley tournament with agent processes,
// stopped by SIGTERM and then by SIGKILL in mid-run, leaves no agent
// process behind (parley stops them on SIGTERM; on SIGKILL they see their
// input end) and resumes to the store the same tournament of built-in
// strategies makes.
func TestTournamentAgentSignals(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("looks for processes in /proc")
	}
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, negs ...string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(fmt.Sprintf("seed: 9\nscenarios: [%s]\nnegotiators: %s\ndeadline: {rounds: 40}\nrepetitions: 12\nagents: {concurrency: 2}\n",
			laptop, quote(negs...))), 0o644)
		return p
	}
	ref := filepath.Join(dir, "ref.db")
	if code, _, errs := runCLI("tournament", write("ref.yaml", "boulware", "conceder", "linear"), "--db", ref, "-q"); code != 0 {
		t.Fatal(errs)
	}
	token := fmt.Sprintf("agent%d-%d", os.Getpid(), time.Now().UnixNano()) // in every agent's command line
	agents := write("agents.yaml", "boulware", fmt.Sprintf("cmd:%s %s conceder %s", exe, slowAgentArg, token),
		fmt.Sprintf("cmd:%s %s linear %s", exe, slowAgentArg, token))
	db := filepath.Join(dir, "agents.db")
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		cmd := exec.Command(exe, "tournament", agents, "--db", db, "--workers", "2")
		cmd.Env = append(os.Environ(), agentCLIEnv+"=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Signal it once its agents run and it has recorded some sessions.
		deadline := time.Now().Add(time.Minute)
		for time.Now().Before(deadline) && (len(processesWith(token)) == 0 || recorded(db) < 20) {
			time.Sleep(10 * time.Millisecond)
		}
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		if sig == syscall.SIGTERM {
			// parley stops its agents before it exits.
			if left := processesWith(token); len(left) > 0 {
				t.Errorf("after SIGTERM, agent processes left: %v", left)
			}
			if !strings.Contains(stderr.String(), "interrupted: ") || err == nil {
				t.Errorf("after SIGTERM: %v, %s", err, stderr.String())
			}
		} else {
			// The agents see their input end, and exit.
			for wait := time.Now().Add(10 * time.Second); len(processesWith(token)) > 0 && time.Now().Before(wait); {
				time.Sleep(20 * time.Millisecond)
			}
			if left := processesWith(token); len(left) > 0 {
				t.Errorf("after SIGKILL, agent processes left: %v", left)
			}
		}
		if n := recorded(db); n == 0 || n >= 9*12 {
			t.Errorf("after %v: %d sessions recorded; the test wants a run stopped midway", sig, n)
		}
	}
	// Resumed here: the agents this process starts inherit its
	// environment, which makes them the slow agent.
	t.Setenv(agentCLIEnv, "1")
	code, _, errs := runCLI("tournament", agents, "--db", db, "-q")
	if code != 0 || !strings.Contains(errs, "resuming ") {
		t.Fatalf("resume: exit %d, %s", code, errs)
	}
	got, want := exported(t, db), exported(t, ref)
	if len(got) != len(want) {
		t.Fatalf("%d sessions, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		for _, k := range []string{"session", "seed", "status", "round", "steps", "agreement", "failure"} {
			if fmt.Sprint(g[k]) != fmt.Sprint(w[k]) {
				t.Fatalf("session %d: %s %v, want %v as the built-in tournament (failure %v)", i, k, g[k], w[k], g["failure"])
			}
		}
		for s, p := range g["parties"].([]any) {
			if p.(map[string]any)["utility"] != w["parties"].([]any)[s].(map[string]any)["utility"] {
				t.Fatalf("session %d seat %d: utility %v, want %v", i, s, p, w["parties"].([]any)[s])
			}
		}
	}
}

// recorded is the number of sessions a store holds, as report counts them
// (0 while it cannot be read).
func recorded(db string) int {
	var o, e bytes.Buffer
	if run([]string{"tournament", "report", db, "--json"}, env{stdout: &o, stderr: &e}) != 0 {
		return 0
	}
	var s struct{ Sessions int }
	json.Unmarshal(o.Bytes(), &s)
	return s.Sessions
}

// processesWith lists the live processes whose command line holds token
// (the test's own aside).
func processesWith(token string) []string {
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmd, []byte(token)) {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue
		}
		found = append(found, e.Name()+": "+strings.ReplaceAll(string(cmd), "\x00", " "))
	}
	return found
}
