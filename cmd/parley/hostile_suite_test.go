//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The hostile-input suite (issue 14, "Must show"): every attack of the
// issue, run as a real parley process (this test binary, re-executed as
// the CLI) with the memory ceiling a server would give it, and killed if
// it runs for hostileTime. None may pass hostileRSS of peak resident
// memory or be killed, and each must end as the issue asks: a clear
// message, no panic, no hang. `go test ./... -run Hostile` runs it with
// the packages' own hostile tests.
//
// The peak is the process's own VmHWM, which it writes out as it exits:
// wait4's ru_maxrss would do, but Linux starts a child's count at the
// peak of the process that started it (Go starts children with vfork, and
// exec keeps the larger of the two), so it measures this test process as
// much as the attack.

const (
	hostileTime = 10 * time.Second
	hostileRSS  = 256 << 20
	// hostileCeiling is the --max-memory every attack runs with
	// (PARLEY_MAX_MEMORY), below hostileRSS by the runtime's own needs.
	hostileCeiling = "160MB"
	// asCLI in the environment makes this test binary run as parley;
	// peakFile names the file it then writes its peak memory to, and
	// readOnlyDir a folder it first makes a read-only file system.
	asCLI       = "PARLEY_TEST_AS_CLI"
	peakFile    = "PARLEY_TEST_PEAK_FILE"
	readOnlyDir = "PARLEY_TEST_READ_ONLY"
)

// init runs the test binary as parley when the suite starts it so (before
// TestMain, which serve_test.go has).
func init() {
	if os.Getenv(asCLI) == "1" {
		os.Exit(runAsCLI())
	}
}

// runAsCLI is main, writing the process's peak memory out before it exits
// (the hard stop of a limit included).
func runAsCLI() int {
	report := func() {
		if data, err := os.ReadFile("/proc/self/status"); err == nil {
			for line := range strings.Lines(string(data)) {
				if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					os.WriteFile(os.Getenv(peakFile), []byte(strings.TrimSpace(rest)), 0o644)
				}
			}
		}
	}
	if dir := os.Getenv(readOnlyDir); dir != "" {
		if err := readOnlyMount(dir); err != nil {
			fmt.Fprintln(os.Stderr, "no read-only file system here:", err)
			return 125
		}
	}
	code := run(os.Args[1:], env{stdout: os.Stdout, stderr: os.Stderr, progress: true, exit: func(c int) { report(); os.Exit(c) }})
	report()
	return code
}

// attack is one hostile input and how parley must answer it.
type attack struct {
	name string // what it tries, starting with its item of issue 14
	// setup writes the attack's files into dir and returns parley's
	// arguments (it may call t.Skip when it needs ../shared).
	setup func(t *testing.T, dir string) []string
	code  int      // the exit status it must end with
	want  []string // in its standard error or output
	not   []string // nowhere in its output
	// stdout, when set, is the file its standard output goes to (such as
	// /dev/full); maxErr bounds the length of its standard error.
	stdout string
	maxErr int
	// readOnly runs it with the attack's folder a read-only file system.
	readOnly bool
}

// hostileAttacks is the suite's table. Attacks that belong with other
// work are added by appending to it from an init function in their own
// test file (the stores' in hostile_store_test.go).
var hostileAttacks = []attack{
	// 1. Nesting that costs the YAML parser quadratic time and memory.
	{name: "1 validate: a 200 KB scenario of nested brackets", code: 1, want: []string{"nested deeper than 100 levels"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"validate", writeFile(t, dir, "deep.yaml", "parley: 1\nissues: "+strings.Repeat("[", 200_000))}
		}},
	{name: "1 validate: a JSON object nested 100,000 deep", code: 1, want: []string{"nested deeper than 100 levels"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"validate", writeFile(t, dir, "deep.json", strings.Repeat(`{"parley":`, 100_000))}
		}},
	{name: "1 tournament: a 100 KB spec of nested brackets", code: 1, want: []string{"nested deeper than 100 levels"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"tournament", writeFile(t, dir, "deep.yaml", specBase+"name: "+strings.Repeat("[", 100_000)), "--db", filepath.Join(dir, "t.db")}
		}},
	// 2. Aliases that expand exponentially.
	{name: "2 tournament: a billion-laughs spec", code: 1, want: []string{"is a YAML alias"},
		setup: func(t *testing.T, dir string) []string {
			lol := specBase + "a: &a [x,x,x,x,x,x,x,x,x]\n"
			prev := "a"
			for i := range 9 {
				n := fmt.Sprintf("b%d", i)
				lol += n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 8) + "*" + prev + "]\n"
				prev = n
			}
			return []string{"tournament", writeFile(t, dir, "lol.yaml", lol), "--db", filepath.Join(dir, "t.db")}
		}},
	{name: "2 validate: an alias in a scenario", code: 1, want: []string{"*n is a YAML alias"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"validate", writeFile(t, dir, "s.yaml", strings.Replace(smallScenario, "name: Small", "name: &n Small\ndescription: *n", 1))}
		}},
	// 3. Devices and pipes, whose size stat gives as 0.
	{name: "3 validate /dev/zero", code: 1, want: []string{"/dev/zero is a device"},
		setup: func(t *testing.T, dir string) []string { return []string{"validate", "/dev/zero"} }},
	{name: "3 validate: a source at /dev/zero, its folder allowed", code: 0, want: []string{"is a device"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"validate", "--sources", "/dev", scenarioWithSource(t, dir, "/dev/zero")}
		}},
	{name: "3 tournament: a spec that lists /dev/zero", code: 1, want: []string{"/dev/zero is a device"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"tournament", writeFile(t, dir, "spec.yaml", "scenarios: [/dev/zero]\nnegotiators: [boulware]\n"), "--db", filepath.Join(dir, "t.db")}
		}},
	{name: "3 analyze: a GeniusWeb folder with a link to /dev/zero", code: 1, want: []string{"is a device"},
		setup: func(t *testing.T, dir string) []string {
			copyFiles(t, "../../scenario/geniusweb/testdata/laptop", dir)
			symlink(t, "/dev/zero", filepath.Join(dir, "x.json"))
			return []string{"analyze", dir}
		}},
	{name: "3 validate: a source that is a named pipe", code: 0, want: []string{"named pipe"},
		setup: func(t *testing.T, dir string) []string {
			mkfifo(t, filepath.Join(dir, "pipe.txt"))
			return []string{"validate", scenarioWithSource(t, dir, "pipe.txt")}
		}},
	{name: "3 validate: a named pipe as the scenario", code: 1, want: []string{"named pipe"},
		setup: func(t *testing.T, dir string) []string {
			mkfifo(t, filepath.Join(dir, "s.yaml"))
			return []string{"validate", filepath.Join(dir, "s.yaml")}
		}},
	// 4. Small inputs whose analysis or sessions would run away.
	{name: "4 analyze: 250 bytes, one issue of 10^6 integers", code: 1,
		want: []string{"the Pareto frontier of 2 parties over 1,000,000 outcomes needs about 445 MB", "more than --max-memory 160 MB"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"analyze", writeFile(t, dir, "big.yaml", oneBigIssue(1_000_000))}
		}},
	{name: "4 analyze --json: a frontier of 20,001 points, all tied", code: 0, want: []string{`"pareto.points": 20001`, `"max_welfare": 20001`},
		setup: func(t *testing.T, dir string) []string {
			return []string{"analyze", "--json", writeFile(t, dir, "wide.yaml", oneBigIssue(20_001))}
		}},
	{name: "4 analyze: 50 parties over 2,560,000 outcomes", code: 1,
		want: []string{"the Pareto frontier of 50 parties over 2,560,000 outcomes would need about", "more than its limit of 10^9"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"analyze", writeFile(t, dir, "many.yaml", opposedScenario(50, 4, 40))}
		}},
	{name: "4 analyze --max-time 2s: three opposed parties over 10^12 outcomes", code: 1,
		want: []string{"(--max-time 2s): the Pareto frontier of 3 parties over 10^12 outcomes (at issue "},
		setup: func(t *testing.T, dir string) []string {
			return []string{"analyze", "--max-time", "2s", writeFile(t, dir, "opposed.yaml", opposedScenario(3, 12, 10))}
		}},
	{name: "4 run --time 1s: the same space, the result's frontier after the session", code: 0,
		want: []string{"no Pareto or Nash distances: the Pareto frontier of 3 parties over 10^12 outcomes needs about"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"run", "--time", "1s", "-n", "boulware", writeFile(t, dir, "opposed.yaml", opposedScenario(3, 12, 10))}
		}},
	{name: "4 run: indexes for 50 parties over 2,560,000 outcomes", code: 1,
		want: []string{"indexing 2,560,000 outcomes for 50 parties needs about 2.41 GB, more than --max-memory 160 MB"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"run", "-n", "boulware", writeFile(t, dir, "many.yaml", opposedScenario(50, 4, 40))}
		}},
	{name: "4 tournament: 50 parties over 2,560,000 outcomes, refused before indexing", code: 1,
		want: []string{"indexing 2,560,000 outcomes for 50 parties needs about 2.41 GB, more than --max-memory 160 MB"},
		setup: func(t *testing.T, dir string) []string {
			writeFile(t, dir, "s.yaml", opposedScenario(50, 4, 40))
			return []string{"tournament", writeFile(t, dir, "spec.yaml", "scenarios: [s.yaml]\nnegotiators: [boulware]\n"), "--db", filepath.Join(dir, "t.db")}
		}},
	{name: "4 analyze --what-if: the grid of 20 parties over 10^6 outcomes", code: 1,
		want: []string{"the what-if grid of 20 parties over 1,000,000 outcomes needs about", "more than --max-memory 160 MB"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"analyze", "--what-if", writeFile(t, dir, "agree.yaml", agreeingParties(20, 6, 10))}
		}},
	{name: "4 analyze --what-if --max-time 2s: 10^6 sensitivity samples", code: 1,
		want: []string{"(--max-time 2s): the sensitivity analysis (1,000,000 samples) ("},
		setup: func(t *testing.T, dir string) []string {
			return []string{"analyze", "--what-if", "--samples", "1000000", "--max-time", "2s", writeFile(t, dir, "s.yaml", assumedScenario)}
		}},
	{name: "4 run --max-time 1s: 10^9 rounds, a loop that does not look at the clock", code: 1,
		want: []string{"parley: run stopped after ", "s (--max-time 1s); raise --max-time"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"run", "-r", "1000000000", "-n", "boulware", "--max-time", "1s", writeFile(t, dir, "s.yaml", oneBigIssue(100))}
		}},
	{name: "4 forecast --max-time 1s: KTAB SMP with 1,000 actors", code: 1,
		want: []string{"parley: forecast stopped after ", "s (--max-time 1s); raise --max-time"},
		setup: func(t *testing.T, dir string) []string {
			var b strings.Builder
			b.WriteString("Actor,Capability,Position,Salience\n")
			for i := range 1000 {
				fmt.Fprintf(&b, "A%d,%d,%d,%d\n", i, 1+i*37%100, i*53%101, 10+i*29%90)
			}
			return []string{"forecast", "--model", "smp", "--max-time", "1s", writeFile(t, dir, "actors.csv", b.String())}
		}},
	// 5. Containment.
	{name: "5 validate: a source path that leaves the folder", code: 0, want: []string{"lies outside the scenario's folder"}, not: []string{"hunter2"},
		setup: func(t *testing.T, dir string) []string {
			secret := writeFile(t, t.TempDir(), "passwd", "root:x:0:0:hunter2\n")
			rel, err := filepath.Rel(dir, secret)
			if err != nil {
				t.Fatal(err)
			}
			return []string{"validate", scenarioWithSource(t, dir, rel)}
		}},
	{name: "5 validate: a key file is quoted in a short excerpt", code: 1, want: []string{"…"}, maxErr: 1000,
		setup: func(t *testing.T, dir string) []string {
			return []string{"validate", writeFile(t, dir, "id_rsa", strings.Repeat("SECRETKEYMATERIAL0123456789\x1b]0;x\x07 [see ", 1000))}
		}},
	// 6. Control and invisible characters.
	{name: "6 validate: an id with an escape sequence", code: 1, want: []string{"holds the control character U+001B"}, not: []string{"\x1b"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"validate", writeFile(t, dir, "s.yaml", strings.Replace(smallScenario, "- id: buyer", "- id: \"buyer\\e]0;pwned\\a\"", 1))}
		}},
	{name: "6 analyze: labels and names with escapes", code: 0, want: []string{`\x1b]0;pwned\x07`, `\u200b`}, not: []string{"\x1b", "\u200b"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"analyze", writeFile(t, dir, "s.yaml", hostileScenario)}
		}},
	// 7. One profile: a panic in the frontier code.
	{name: "7 analyze: a Genius folder with one profile", code: 1, want: []string{"at least 2 negotiating parties"}, not: []string{"panic", "goroutine"},
		setup: func(t *testing.T, dir string) []string {
			src := sharedDomain(t, "ANAC2011_Laptop")
			copyFile(t, filepath.Join(src, "laptop_domain.xml"), filepath.Join(dir, "laptop_domain.xml"))
			copyFile(t, filepath.Join(src, "laptop_buyer_utility.xml"), filepath.Join(dir, "laptop_buyer_utility.xml"))
			return []string{"analyze", dir}
		}},
	{name: "7 analyze: a single GeniusWeb profile", code: 1, want: []string{"at least 2 negotiating parties"}, not: []string{"panic", "goroutine"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"analyze", "../../scenario/geniusweb/testdata/laptop/buyer.json"}
		}},
	{name: "7 tournament: a domain with one profile", code: 1, want: []string{"at least 2 negotiating parties"}, not: []string{"panic", "goroutine"},
		setup: func(t *testing.T, dir string) []string {
			src := sharedDomain(t, "ANAC2011_Laptop")
			one := filepath.Join(dir, "one")
			if err := os.Mkdir(one, 0o755); err != nil {
				t.Fatal(err)
			}
			copyFile(t, filepath.Join(src, "laptop_domain.xml"), filepath.Join(one, "laptop_domain.xml"))
			copyFile(t, filepath.Join(src, "laptop_buyer_utility.xml"), filepath.Join(one, "laptop_buyer_utility.xml"))
			return []string{"tournament", writeFile(t, dir, "spec.yaml", "scenarios: [one]\nnegotiators: [boulware]\n"), "--db", filepath.Join(dir, "t.db")}
		}},
	// 8. Profiles that do not load are errors, not skipped.
	{name: "8 analyze: ANAC2015_Tram with a 0-byte profile", code: 1, want: []string{"Tram_Profile2.xml: the file is empty"},
		setup: func(t *testing.T, dir string) []string {
			copyFiles(t, sharedDomain(t, "ANAC2015_Tram"), dir)
			writeFile(t, dir, "Tram_Profile2.xml", "")
			return []string{"analyze", dir}
		}},
	{name: "8 convert: the same folder", code: 1, want: []string{"Tram_Profile2.xml: the file is empty"},
		setup: func(t *testing.T, dir string) []string {
			copyFiles(t, sharedDomain(t, "ANAC2015_Tram"), dir)
			writeFile(t, dir, "Tram_Profile2.xml", "")
			return []string{"convert", dir, "-o", filepath.Join(t.TempDir(), "out.yaml")}
		}},
	// 10. Output that cannot be written.
	{name: "10 validate > /dev/full", code: 1, want: []string{"no space left on device"}, stdout: "/dev/full",
		setup: func(t *testing.T, dir string) []string {
			return []string{"validate", writeFile(t, dir, "s.yaml", smallScenario)}
		}},
	{name: "10 run > /dev/full", code: 1, want: []string{"no space left on device"}, stdout: "/dev/full",
		setup: func(t *testing.T, dir string) []string {
			return []string{"run", "-n", "boulware", writeFile(t, dir, "s.yaml", smallScenario)}
		}},
	{name: "10 tournament > /dev/full", code: 1, want: []string{"no space left on device"}, stdout: "/dev/full",
		setup: func(t *testing.T, dir string) []string {
			writeFile(t, dir, "s.yaml", smallScenario)
			return []string{"tournament", writeFile(t, dir, "spec.yaml", specBase), "--db", filepath.Join(dir, "t.db")}
		}},
	// 11. Non-finite forecasts.
	{name: "11 forecast --model eum: every salience zero", code: 1, want: []string{"is NaN, not a number"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"forecast", "--model", "eum", writeFile(t, dir, "deaf.csv", "Actor,Capability,Position,Salience\nA,0.5,4,0\nB,0.4,70,0\nC,0.03,90,0\n")}
		}},
	{name: "11 forecast --json: capabilities of 1e308", code: 1, want: []string{"is more than 1e+50"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"forecast", "--json", writeFile(t, dir, "huge.csv", "Actor,Capability,Position,Salience\nA,1e308,4,80\nB,1e308,70,40\nC,0.03,90,20\n")}
		}},
	// 12. Silent coercions.
	{name: "12 validate: steps: 6.7", code: 1, want: []string{`"issues[0].real.steps" must be a whole number`},
		setup: func(t *testing.T, dir string) []string {
			return []string{"validate", writeFile(t, dir, "s.yaml", strings.Replace(smallScenario, "integer: {min: 0, max: 3}", "real: {min: 0, max: 1, steps: 6.7}", 1))}
		}},
	{name: "12 tournament: repetitions: 2.5", code: 1, want: []string{"repetitions: 2.5 is not a whole number"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"tournament", writeFile(t, dir, "r.yaml", specBase+"repetitions: 2.5\n"), "--db", filepath.Join(dir, "t.db")}
		}},
	{name: "12 run --rounds 0", code: 1, want: []string{"--rounds is 0"},
		setup: func(t *testing.T, dir string) []string {
			return []string{"run", "--rounds", "0", "-n", "boulware", writeFile(t, dir, "s.yaml", smallScenario)}
		}},
	{name: "12 run -n timedependent:e=NaN", code: 1, want: []string{`parameter e="NaN" is not a finite number`},
		setup: func(t *testing.T, dir string) []string {
			return []string{"run", "-n", "timedependent:e=NaN", writeFile(t, dir, "s.yaml", smallScenario)}
		}},
	// 13. Type errors inside value tables, with their position.
	{name: "13 validate: a text in a value table", code: 1, want: []string{`s.yaml:17:21: "parties[0].values.colour.red" must be a number`},
		setup: func(t *testing.T, dir string) []string {
			return []string{"validate", writeFile(t, dir, "s.yaml", strings.Replace(smallScenario, "colour: {red: 1, blue: 0}", `colour: {red: "1", blue: 0}`, 1))}
		}},
}

// TestHostileSuite runs every attack as a parley process and holds it to
// the suite's limits.
func TestHostileSuite(t *testing.T) {
	for _, a := range hostileAttacks {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := a.setup(t, dir)
			ro := ""
			if a.readOnly {
				ro = dir
			}
			res := runHostile(t, args, a.stdout, ro)
			if res.code == 125 && strings.Contains(res.stderr, "no read-only file system here") {
				t.Skip(strings.TrimSpace(res.stderr))
			}
			out := res.stdout + res.stderr
			if res.killed {
				t.Fatalf("still running after %s: killed (parley %s)\n%s", hostileTime, strings.Join(args, " "), tail(out))
			}
			if res.rss > hostileRSS {
				t.Errorf("peak RSS %d MB, more than %d MB (parley %s)", res.rss>>20, hostileRSS>>20, strings.Join(args, " "))
			}
			if res.code != a.code {
				t.Errorf("exit %d, want %d (parley %s)\n%s", res.code, a.code, strings.Join(args, " "), tail(out))
			}
			for _, w := range a.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, tail(out))
				}
			}
			for _, n := range a.not {
				if strings.Contains(out, n) {
					t.Errorf("output holds %q:\n%s", n, tail(out))
				}
			}
			if a.maxErr > 0 && len(res.stderr) > a.maxErr {
				t.Errorf("standard error is %d bytes, more than %d", len(res.stderr), a.maxErr)
			}
			t.Logf("%.2fs, peak RSS %d MB", res.elapsed.Seconds(), res.rss>>20)
		})
	}
}

type hostileResult struct {
	code           int
	stdout, stderr string
	rss            int64 // peak resident set, bytes
	elapsed        time.Duration
	killed         bool
}

// runHostile runs this test binary as parley with args, under the suite's
// memory ceiling, killing it after hostileTime.
func runHostile(t *testing.T, args []string, stdout, readOnly string) hostileResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PARLEY_") { // the caller's limits and folders are not the attack's
			cmd.Env = append(cmd.Env, kv)
		}
	}
	peak := filepath.Join(t.TempDir(), "peak")
	cmd.Env = append(cmd.Env, asCLI+"=1", peakFile+"="+peak, "PARLEY_MAX_MEMORY="+hostileCeiling)
	if readOnly != "" {
		// New user and mount namespaces: the process may mount there.
		cmd.Env = append(cmd.Env, readOnlyDir+"="+readOnly)
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		}
	}
	var out, errs capped
	cmd.Stdout, cmd.Stderr = &out, &errs
	if stdout != "" {
		f, err := os.OpenFile(stdout, os.O_WRONLY, 0)
		if err != nil {
			t.Skipf("no %s here: %v", stdout, err)
		}
		defer f.Close()
		cmd.Stdout = f
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		if readOnly != "" {
			t.Skipf("no user namespace here (%v): the read-only file system is not tried", err)
		}
		t.Fatal(err)
	}
	var killed atomic.Bool
	timer := time.AfterFunc(hostileTime, func() {
		killed.Store(true)
		cmd.Process.Kill()
	})
	err := cmd.Wait()
	timer.Stop()
	res := hostileResult{stdout: out.String(), stderr: errs.String(), elapsed: time.Since(start), killed: killed.Load()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	// "123456 kB" from VmHWM; without it (a crash), the kernel's count,
	// which may overstate it (see above).
	if data, err := os.ReadFile(peak); err == nil {
		kb, err := strconv.ParseInt(strings.TrimSuffix(string(data), " kB"), 10, 64)
		if err != nil {
			t.Fatalf("peak memory %q: %v", data, err)
		}
		res.rss = kb << 10
	} else if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.rss = ru.Maxrss << 10 // KiB on Linux
	}
	return res
}

// capped keeps the first 1 MB written to it: an attack that prints
// gigabytes must not exhaust the test's own memory.
type capped struct{ bytes.Buffer }

func (c *capped) Write(p []byte) (int, error) {
	if room := 1<<20 - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

// scenarioWithSource writes smallScenario into dir with its source
// document at path (a quote that is in no file).
func scenarioWithSource(t *testing.T, dir, path string) string {
	t.Helper()
	return writeFile(t, dir, "s.yaml", strings.Replace(strings.Replace(smallScenario, "path: doc.txt", "path: "+path, 1), "half of it", "hunter2", 1))
}

// assumedScenario has assumed ranges on a reservation value and a weight
// over 10,000 outcomes: each sensitivity sample enumerates them.
const assumedScenario = `parley: 1
name: assumed
issues:
  - {id: x, integer: {min: 0, max: 99}}
  - {id: y, integer: {min: 0, max: 99}}
parties:
  - id: a
    reservation: {value: 0.3, assumption: {why: a guess, range: [0.1, 0.5]}}
    weights: {x: {value: 0.6, assumption: {why: a guess, range: [0.4, 0.8]}}, y: 0.4}
    values: {x: {linear: {at_min: 1, at_max: 0}}, y: {linear: {at_min: 1, at_max: 0}}}
  - id: b
    weights: {x: 0.5, y: 0.5}
    values: {x: {linear: {at_min: 0, at_max: 1}}, y: {linear: {at_min: 0, at_max: 1}}}
`

// agreeingParties has parties that all rank every issue alike: a frontier
// of one point, but a what-if grid as large as the space times the
// parties.
func agreeingParties(parties, issues, card int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "parley: 1\nname: agree\nissues:\n")
	for i := range issues {
		fmt.Fprintf(&b, "  - {id: i%d, integer: {min: 0, max: %d}}\n", i, card-1)
	}
	b.WriteString("parties:\n")
	var ws, vs []string
	for i := range issues {
		w := 1 / float64(issues)
		if i == issues-1 {
			w = 1 - float64(issues-1)*w
		}
		ws = append(ws, fmt.Sprintf("i%d: %.9f", i, w))
		vs = append(vs, fmt.Sprintf("i%d: {linear: {at_min: 0, at_max: 1}}", i))
	}
	for p := range parties {
		fmt.Fprintf(&b, "  - {id: p%d, weights: {%s}, values: {%s}}\n", p, strings.Join(ws, ", "), strings.Join(vs, ", "))
	}
	return b.String()
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyFiles copies the regular files of folder src into dst.
func copyFiles(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			copyFile(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
}
