package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// talker is an agent that offers its best outcome with a word, then, on
// its second turn, writes prose instead of JSON until it forfeits.
const talker = `import json, sys
turns = 0
for line in sys.stdin:
    m = json.loads(line)
    if m["type"] == "settings":
        best = {i["id"]: max(zip(m["preferences"]["utility"][i["id"]], i["values"]))[1] for i in m["issues"]}
    elif m["type"] in ("your_turn", "error"):
        turns += 1
        if turns == 1:
            print(json.dumps({"type": "offer", "outcome": best, "text": "my best offer"}), flush=True)
        else:
            print("let me think about it", flush=True)
`

// TestRunOutsideSeat: parley run seats a program; its free text shows in
// the exchange, and its failure in the result.
func TestRunOutsideSeat(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	laptop := sharedDomain(t, "ANAC2011_Laptop")
	agent := filepath.Join(t.TempDir(), "talker.py")
	os.WriteFile(agent, []byte(talker), 0o644)
	code, out, errs := runCLI("run", laptop, "-n", "cmd:python3 "+agent+",hardliner", "--max-errors", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		`laptop_buyer_utility   says   "my best offer"`,
		"No agreement (seat laptop_buyer_utility failed, garbage: more than 1 malformed or illegal messages in a session; the last: not a JSON object: \"let me think about it\"",
		"Status: failed.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary lacks %q:\n%s", want, out)
		}
	}
}

// TestProtocolDocAgent: the agent in docs/protocol.md runs as written and
// reaches a deal with conceder.
func TestProtocolDocAgent(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	doc, err := os.ReadFile("../../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```python\n")
	code, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/protocol.md has no python block")
	}
	agent := filepath.Join(t.TempDir(), "agent.py")
	os.WriteFile(agent, []byte(code), 0o644)
	code2, out, errs := runCLI("run", sharedDomain(t, "ANAC2011_Laptop"), "-n", "cmd:python3 "+agent+",conceder", "--json")
	if code2 != 0 {
		t.Errorf("exit %d, stderr %s\n%s", code2, errs, out)
	}
	if !strings.Contains(out, `"status": "agreed"`) {
		t.Errorf("the doc's agent reached no deal:\n%s", out)
	}
}
