// Package python_test plays parley's Python client (parley_seat.py and its
// examples) against parley's built-in negotiators, from go test: full
// sessions over each transport, the client's utilities against parley's,
// and the client's own unit tests. Every test skips when python3 is absent.
package python_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// example is the non-trivial example agent, as a negotiator spec; probe
// offers every outcome in turn and never accepts.
const (
	example = "cmd:python3 examples/frequency_agent.py"
	probe   = "cmd:python3 testdata/probe.py"
)

func needPython(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		tb.Skip("python3 is not on PATH: the Python client's tests need it")
	}
}

func load(tb testing.TB, path string) *scenario.Scenario {
	tb.Helper()
	sc, err := open.Path(path)
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

func laptop(tb testing.TB) *scenario.Scenario {
	tb.Helper()
	return load(tb, shared.Dir(tb, "domains", "ANAC2011_Laptop"))
}

// repoScenario loads a scenario file of the repository.
func repoScenario(tb testing.TB, rel string) *scenario.Scenario {
	tb.Helper()
	return load(tb, filepath.Join(shared.Root(), rel))
}

// transcripts are the PARLEY_SEAT_LOG lines of each Python seat, by the
// party it played (its first settings' you.party).
type transcripts map[string][]string

// readTranscripts reads every log in dir.
func readTranscripts(t *testing.T, dir string) transcripts {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	out := transcripts{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		var first struct {
			Type string
			You  struct{ Party string }
		}
		var entry []json.RawMessage
		if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil || len(entry) != 2 {
			t.Fatalf("%s: not a transcript line: %s", f, lines[0])
		}
		json.Unmarshal(entry[1], &first)
		if first.Type != seat.TypeSettings {
			t.Fatalf("%s starts with %q, not settings", f, first.Type)
		}
		if _, dup := out[first.You.Party]; dup {
			t.Fatalf("two transcripts of party %s", first.You.Party)
		}
		out[first.You.Party] = lines
	}
	return out
}

// logDir points the Python seats' transcripts to a new folder.
func logDir(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv("PARLEY_SEAT_LOG", filepath.Join(dir, "{pid}.log"))
	return dir
}

// stdio plays one session of cfg with its cmd: seats as processes (run in
// clients/python) and returns the result and the Python seats'
// transcripts.
func stdio(t *testing.T, cfg session.Config) (session.Result, transcripts) {
	t.Helper()
	return stdioClock(t, cfg, 20*time.Second)
}

// stdioClock is stdio with the seats' action clock.
func stdioClock(t *testing.T, cfg session.Config, action time.Duration) (session.Result, transcripts) {
	t.Helper()
	dir := logDir(t)
	l := &seat.Launcher{Options: seat.Options{ActionTimeout: action}}
	cfg.Outside = l.Outside
	r, err := session.NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(cfg.Seed); err != nil {
		t.Fatal(err)
	}
	res := r.Result()
	l.Close()
	return res, readTranscripts(t, dir)
}

// resultJSON is a result as JSON, without the negotiator specs (which name
// the transport).
func resultJSON(t *testing.T, res session.Result) string {
	t.Helper()
	res.Mediator = ""
	res.Parties = slices.Clone(res.Parties)
	for i := range res.Parties {
		res.Parties[i].Negotiator = ""
	}
	data, err := json.MarshalIndent(res, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// messages decodes a transcript's entries: direction and message.
func messages(t *testing.T, lines []string) (dirs []string, msgs []map[string]any) {
	t.Helper()
	for _, l := range lines {
		var e [2]json.RawMessage
		var m map[string]any
		var d string
		if json.Unmarshal([]byte(l), &e) != nil || json.Unmarshal(e[0], &d) != nil || json.Unmarshal(e[1], &m) != nil {
			t.Fatalf("not a transcript line: %s", l)
		}
		dirs, msgs = append(dirs, d), append(msgs, m)
	}
	return dirs, msgs
}

// checkPlayed asserts what every Python seat's transcript of one clean
// session must show: settings first, finished last, one answer to every
// your_turn right after it, no error.
func checkPlayed(t *testing.T, tr transcripts) {
	t.Helper()
	for party, lines := range tr {
		dirs, msgs := messages(t, lines)
		turns := 0
		for i, m := range msgs {
			switch {
			case m["type"] == seat.TypeError:
				t.Errorf("%s: the session refused an action: %v", party, m)
			case m["type"] == seat.TypeYourTurn:
				turns++
				if i+1 >= len(msgs) || dirs[i+1] != "out" {
					t.Errorf("%s: your_turn %d was not answered at once", party, turns)
				}
			case dirs[i] == "out" && (i == 0 || msgs[i-1]["type"] != seat.TypeYourTurn):
				t.Errorf("%s: an action nobody asked for: %v", party, m)
			}
		}
		if turns == 0 {
			t.Errorf("%s: never asked to act", party)
		}
		if last := msgs[len(msgs)-1]; last["type"] != seat.TypeFinished {
			t.Errorf("%s: the transcript ends with %v, not finished", party, last["type"])
		}
	}
}

// TestExampleAgainstBoulware: the example agent plays full SAOP sessions
// against Boulware on Laptop, in both seats and with several seeds; each
// session ends in an agreement or a clear no-agreement, never a failure,
// and the same seed plays the same session byte for byte.
func TestExampleAgainstBoulware(t *testing.T) {
	needPython(t)
	sc := laptop(t)
	agreed := 0
	for _, order := range [][]string{{example, "boulware"}, {"boulware", example}} {
		for _, seed := range []uint64{1, 2, 3} {
			cfg := session.Config{Scenario: sc, Negotiators: order, Deadline: protocol.Deadline{Rounds: 100}, Seed: seed}
			res1, tr1 := stdio(t, cfg)
			res2, tr2 := stdio(t, cfg)
			name := fmt.Sprintf("%s seed %d", strings.Join(order, " vs "), seed)
			if res1.Failure != nil {
				t.Fatalf("%s: %v", name, res1.Failure)
			}
			switch res1.Status {
			case session.StatusAgreed:
				agreed++
				if len(res1.Outcome) != 3 {
					t.Errorf("%s: agreed on %v", name, res1.Outcome)
				}
			case session.StatusNoAgreement:
			default:
				t.Errorf("%s: status %s", name, res1.Status)
			}
			if a, b := resultJSON(t, res1), resultJSON(t, res2); a != b {
				t.Errorf("%s: two runs differ:\n%s\n%s", name, a, b)
			}
			if len(tr1) != 1 || !equalTranscripts(tr1, tr2) {
				t.Errorf("%s: the Python seat's transcripts differ between two runs (or there is not one)", name)
			}
			checkPlayed(t, tr1)
			// The seat's payoff in finished is parley's figure.
			py := 0
			if order[0] != example {
				py = 1
			}
			for _, lines := range tr1 {
				_, msgs := messages(t, lines)
				if got, want := msgs[len(msgs)-1]["payoff"], res1.Parties[py].Utility; got != want {
					t.Errorf("%s: finished says payoff %v, the result %v", name, got, want)
				}
			}
			t.Logf("%s: %s in round %d, utilities %.4f / %.4f", name, res1.Status, res1.Round, res1.Parties[0].Utility, res1.Parties[1].Utility)
		}
	}
	if agreed == 0 {
		t.Error("no session reached an agreement: the example agent never concedes enough")
	}
}

func equalTranscripts(a, b transcripts) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// utilityChecks runs testdata/utilities.py on the transcripts: each
// comparison of a utility parley sent with the client's Utility.
type utilityCheck struct {
	kind          string
	parley, local float64
}

func utilityChecks(t *testing.T, tr transcripts) []utilityCheck {
	t.Helper()
	dir := t.TempDir()
	args := []string{"testdata/utilities.py"}
	for party, lines := range tr {
		f := filepath.Join(dir, party+".log")
		os.WriteFile(f, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
		args = append(args, f)
	}
	out, err := exec.Command("python3", args...).Output()
	if err != nil {
		t.Fatalf("utilities.py: %v", errText(err))
	}
	var checks []utilityCheck
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			t.Fatalf("utilities.py wrote %q", sc.Text())
		}
		a, err1 := strconv.ParseFloat(f[1], 64)
		b, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("utilities.py wrote %q", sc.Text())
		}
		checks = append(checks, utilityCheck{f[0], a, b})
	}
	return checks
}

func errText(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return fmt.Sprintf("%v: %s", err, ee.Stderr)
	}
	return err.Error()
}

// TestUtilityAgreesWithParley: on every turn and every entry of the record,
// the client's Utility gives exactly the utility parley sent
// (offer_utility, text_utility, utility), including red lines (−1), an
// update that drops one, agenda phases, mediators, integer and real
// issues; two probes offer every outcome of the space in turn.
func TestUtilityAgreesWithParley(t *testing.T) {
	needPython(t)
	const conceding = "cmd:python3 examples/frequency_agent.py --e 3 --floor 0"
	rules := repoScenario(t, "scenario/testdata/rules.yaml")
	for _, c := range []struct {
		name     string
		cfg      session.Config
		redLines bool // some outcome crosses a red line
		update   bool // an update message came
	}{
		{name: "laptop", cfg: session.Config{Scenario: laptop(t), Negotiators: []string{example, "boulware"}, Deadline: protocol.Deadline{Rounds: 100}, Seed: 4}},
		{name: "laptop probes", cfg: session.Config{Scenario: laptop(t), Negotiators: []string{probe}, Deadline: protocol.Deadline{Rounds: 30}}},
		{name: "job offer probes (integer and real issues)", cfg: session.Config{Scenario: repoScenario(t, "scenario/testdata/ok.yaml"), Negotiators: []string{probe}, Deadline: protocol.Deadline{Rounds: 200}}},
		{name: "rules saop (agenda, red lines, update)", cfg: session.Config{Scenario: rules, Negotiators: []string{conceding}, Deadline: protocol.Deadline{Rounds: 40}}, redLines: true, update: true},
		{name: "rules amop", cfg: session.Config{Scenario: rules, Protocol: "amop", Negotiators: []string{conceding}, Deadline: protocol.Deadline{Rounds: 40}}, redLines: true, update: true},
		{name: "rules mediated (a Python mediator)", cfg: session.Config{Scenario: rules, Protocol: "mediated", Mediator: conceding, Negotiators: []string{conceding}, Deadline: protocol.Deadline{Rounds: 40}}, update: true},
		// The flagship's truce phase counts the rounds left, so the seats'
		// preferences change every round: updates come.
		{name: "ukraine amop-majority", cfg: session.Config{Scenario: repoScenario(t, "examples/ukraine-2025.yaml"), Protocol: "amop-majority", Negotiators: []string{example, "boulware", example}, Deadline: protocol.Deadline{Rounds: 60}}, update: true},
	} {
		res, tr := stdio(t, c.cfg)
		if res.Failure != nil {
			t.Errorf("%s: %v", c.name, res.Failure)
			continue
		}
		checkPlayed(t, tr)
		checks := utilityChecks(t, tr)
		red, kinds := 0, map[string]int{}
		for _, k := range checks {
			kinds[k.kind]++
			if k.parley != k.local {
				t.Errorf("%s: %s: parley says %v, the client %v", c.name, k.kind, k.parley, k.local)
			}
			if k.parley == -1 {
				red++
			}
		}
		if kinds[seat.TypeYourTurn] == 0 || kinds[seat.TypeActionDone] == 0 {
			t.Errorf("%s: too few utilities compared: %v", c.name, kinds)
		}
		if c.redLines && red == 0 {
			t.Errorf("%s: no outcome crossed a red line", c.name)
		}
		updated := false
		for _, lines := range tr {
			for _, l := range lines {
				updated = updated || strings.Contains(l, `"type":"update"`)
			}
		}
		if c.update != updated {
			t.Errorf("%s: update message seen %v, want %v", c.name, updated, c.update)
		}
		t.Logf("%s: %d utilities compared (%v), %d red-line crossings; %s", c.name, len(checks), kinds, red, res.Status)
	}
}

// TestProbeCoversTheSpace: the probes' offers visit every outcome, so the
// comparison above is exhaustive on Laptop, for both parties.
func TestProbeCoversTheSpace(t *testing.T) {
	needPython(t)
	_, tr := stdio(t, session.Config{Scenario: laptop(t), Negotiators: []string{probe}, Deadline: protocol.Deadline{Rounds: 30}})
	for party, lines := range tr {
		seen := map[string]bool{}
		dirs, msgs := messages(t, lines)
		for i, m := range msgs {
			if dirs[i] == "out" && m["type"] == seat.ActOffer {
				o, _ := json.Marshal(m["outcome"])
				seen[string(o)] = true
			}
		}
		if len(seen) != 27 {
			t.Errorf("%s's probe offered %d distinct outcomes of Laptop's 27", party, len(seen))
		}
	}
}

// TestOneProcessManySessions: a process plays sessions in a row (as in a
// tournament), a fresh agent each; each session is the one a fresh
// process plays.
func TestOneProcessManySessions(t *testing.T) {
	needPython(t)
	sc := laptop(t)
	cfg := session.Config{Scenario: sc, Negotiators: []string{example, "boulware"}, Deadline: protocol.Deadline{Rounds: 100}}
	dir := logDir(t)
	l := &seat.Launcher{Options: seat.Options{ActionTimeout: 20 * time.Second}}
	cfg.Outside = l.Outside
	r, err := session.NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var reused []string
	for _, seed := range []uint64{1, 2, 3} {
		if _, err := r.Play(seed); err != nil {
			t.Fatal(err)
		}
		reused = append(reused, resultJSON(t, r.Result()))
	}
	l.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if len(files) != 1 {
		t.Fatalf("%d processes played, want 1", len(files))
	}
	data, _ := os.ReadFile(files[0])
	if n := strings.Count(string(data), `"type":"finished"`); n != 3 {
		t.Errorf("the process heard %d finished messages, want 3", n)
	}
	for i, seed := range []uint64{1, 2, 3} {
		cfg.Outside, cfg.Seed = nil, seed
		res, _ := stdio(t, cfg)
		if got := resultJSON(t, res); got != reused[i] {
			t.Errorf("seed %d: the reused process played\n%s\na fresh one\n%s", seed, reused[i], got)
		}
	}
}

// TestPythonUnit runs the client's own unit tests (tests/, unittest): the
// WebSocket framing and handshake, Utility, the agent APIs.
func TestPythonUnit(t *testing.T) {
	needPython(t)
	cmd := exec.Command("python3", "-m", "unittest", "discover", "-s", "tests", "-t", ".")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python unit tests failed: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Ran (\d+) tests?`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no unittest summary:\n%s", out)
	}
	if n, _ := strconv.Atoi(string(m[1])); n < 20 {
		t.Errorf("only %d Python tests ran:\n%s", n, out)
	}
	if !bytes.Contains(out, []byte("\nOK")) {
		t.Errorf("the Python tests did not end OK:\n%s", out)
	}
}

// TestReadmeExample: the example in README.md is examples/minimal.py and
// runs as written, with parley_seat.py copied beside it (the documented
// install): clean sessions against Boulware.
func TestReadmeExample(t *testing.T) {
	needPython(t)
	doc, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```python\n")
	code, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no python block")
	}
	if n := strings.Count(code, "\n"); n > 35 {
		t.Errorf("the README's example has %d lines; keep it near 30", n)
	}
	// It is examples/minimal.py without the two lines that find
	// parley_seat.py in the repository.
	minimal, _ := os.ReadFile("examples/minimal.py")
	if lines := strings.SplitN(string(minimal), "\n", 3); len(lines) < 3 || lines[2] != code {
		t.Error("README.md's example and examples/minimal.py (from its third line) differ")
	}
	dir := t.TempDir()
	lib, _ := os.ReadFile("parley_seat.py")
	os.WriteFile(filepath.Join(dir, "parley_seat.py"), lib, 0o644)
	os.WriteFile(filepath.Join(dir, "my_agent.py"), []byte(code), 0o644)
	for _, seed := range []uint64{1, 2} {
		res, tr := stdio(t, session.Config{Scenario: laptop(t), Negotiators: []string{"cmd:python3 " + filepath.Join(dir, "my_agent.py"), "boulware"},
			Deadline: protocol.Deadline{Rounds: 100}, Seed: seed})
		if res.Failure != nil || (res.Status != session.StatusAgreed && res.Status != session.StatusNoAgreement) {
			t.Fatalf("seed %d: %s %v", seed, res.Status, res.Failure)
		}
		checkPlayed(t, tr)
	}
}
