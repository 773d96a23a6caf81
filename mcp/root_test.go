package mcp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/mcp"
)

// quoted is a small scenario whose one source document lies at SOURCE and
// must hold the quote "the buyer cares about price".
const quoted = `parley: 1
name: quoted
sources:
  - {id: memo, path: SOURCE}
issues:
  - id: price
    options: [{id: low}, {id: high}]
parties:
  - id: buyer
    weights:
      price: {value: 1, source: {document: memo, quote: "the buyer cares about price"}}
    values:
      price: {low: 1, high: 0}
  - id: seller
    weights: {price: 1}
    values:
      price: {low: 0, high: 1}
`

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

// rootWithOutside lays out base/root (the server's root) and base/outside,
// each with a valid scenario and a memo that holds the quote, and inside
// the root links that lead out.
func rootWithOutside(t *testing.T) (root, outside string) {
	base := t.TempDir()
	root, outside = filepath.Join(base, "root"), filepath.Join(base, "outside")
	memo := "Notes: the buyer cares about price.\n"
	write(t, filepath.Join(outside, "memo.txt"), memo)
	write(t, filepath.Join(outside, "actors.csv"), "Actor,Capability,Position,Salience\na,1,10,1\nb,1,90,1\n")
	write(t, filepath.Join(outside, "secret.yaml"), strings.Replace(quoted, "SOURCE", "memo.txt", 1))
	write(t, filepath.Join(root, "memo.txt"), memo)
	write(t, filepath.Join(root, "deal.yaml"), strings.Replace(quoted, "SOURCE", "memo.txt", 1))
	write(t, filepath.Join(root, "sub", "up.yaml"), strings.Replace(quoted, "SOURCE", "../memo.txt", 1))
	write(t, filepath.Join(root, "sub", "out.yaml"), strings.Replace(quoted, "SOURCE", "../../outside/memo.txt", 1))
	symlink(t, filepath.Join(outside, "secret.yaml"), filepath.Join(root, "link.yaml"))
	symlink(t, outside, filepath.Join(root, "linkdir"))
	symlink(t, "deal.yaml", filepath.Join(root, "alias.yaml"))
	symlink(t, filepath.Join(outside, "memo.txt"), filepath.Join(root, "sub", "memo-link.txt"))
	write(t, filepath.Join(root, "sub", "linked.yaml"), strings.Replace(quoted, "SOURCE", "memo-link.txt", 1))
	return root, outside
}

// TestPathsOutsideRoot: a path that leaves the root by "..", as an absolute
// path, or through a symbolic link (to a file or a folder) is refused by
// every tool with a clear error, though the file outside is a valid
// scenario; paths inside, also through links that stay inside, load.
func TestPathsOutsideRoot(t *testing.T) {
	root, outside := rootWithOutside(t)
	for name, cs := range map[string]*sdk.ClientSession{"stdio": client(t, root), "http": httpClient(t, root)} {
		t.Run(name, func(t *testing.T) {
			for _, p := range []string{"../outside/secret.yaml", filepath.Join(outside, "secret.yaml"), "link.yaml", "linkdir/secret.yaml", "linkdir", "sub/../../outside/secret.yaml"} {
				for tool, extra := range toolArgs {
					args := map[string]any{"path": p}
					for k, v := range extra {
						args[k] = v
					}
					msg := callErr(t, cs, tool, args)
					wantContains(t, tool+" "+p, msg, p+": ", "outside the allowed root "+root)
				}
			}
			for _, p := range []string{"deal.yaml", "alias.yaml", "sub/up.yaml", filepath.Join(root, "deal.yaml"), "./sub/../deal.yaml"} {
				var v mcp.ValidateOutput
				call(t, cs, "validate_scenario", map[string]any{"path": p}, &v)
				if !v.Valid || v.Name != "quoted" || len(v.Warnings) != 0 {
					t.Errorf("%s inside the root: %+v", p, v)
				}
			}
			msg := callErr(t, cs, "forecast", map[string]any{"path": "../outside/actors.csv"})
			wantContains(t, "a forecast table outside", msg, "../outside/actors.csv: the path leads outside the allowed root")
			msg = callErr(t, cs, "validate_scenario", map[string]any{"path": "nothing.yaml"})
			wantContains(t, "a missing file", msg, "nothing.yaml: no such file or folder in the root")
		})
	}
}

// toolArgs are the arguments besides the scenario that make each tool's
// call valid.
var toolArgs = map[string]map[string]any{
	"validate_scenario":      nil,
	"analyze_scenario":       nil,
	"evaluate_outcome":       {"outcome": map[string]any{"price": "low"}},
	"list_accepted_outcomes": nil,
	"forecast":               nil,
	"run_session":            {"negotiators": []string{"boulware"}},
}

// TestSourcesStayInRoot: a scenario's source documents are read from its
// folder and from anywhere in the root (a wrong quote is reported, which
// shows the document was read), never from outside: not by "..", not
// through a link, not for a scenario given as text.
func TestSourcesStayInRoot(t *testing.T) {
	root, _ := rootWithOutside(t)
	cs := client(t, root)
	validate := func(args map[string]any) mcp.ValidateOutput {
		var v mcp.ValidateOutput
		call(t, cs, "validate_scenario", args, &v)
		return v
	}
	for _, c := range []struct {
		args map[string]any
		warn string
	}{
		{map[string]any{"path": "sub/out.yaml"}, `cannot read source "memo" (it lies outside the scenario's folder`},
		{map[string]any{"path": "sub/linked.yaml"}, `cannot read source "memo" (it links to a file outside`},
		{map[string]any{"scenario": strings.Replace(quoted, "SOURCE", "../outside/memo.txt", 1)}, `cannot read source "memo" (it lies outside`},
	} {
		v := validate(c.args)
		if !v.Valid || len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], c.warn) {
			t.Errorf("%v: %+v", c.args, v)
		}
	}
	// Inside the root, documents are read: text reads them from the root.
	v := validate(map[string]any{"scenario": strings.Replace(quoted, "SOURCE", "memo.txt", 1)})
	if !v.Valid || len(v.Warnings) != 0 {
		t.Errorf("text quoting memo.txt in the root: %+v", v)
	}
	v = validate(map[string]any{"scenario": strings.Replace(strings.Replace(quoted, "SOURCE", "memo.txt", 1), "cares about price", "cares about speed", 1)})
	if v.Valid || len(v.Problems) != 1 || !strings.Contains(v.Problems[0], `<scenario>:11:`) || !strings.Contains(v.Problems[0], `quote not found verbatim in source "memo"`) {
		t.Errorf("a wrong quote: %+v", v)
	}
}

// TestMalformedArguments: arguments of the wrong shape, or that break a
// limit, are tool errors with a message, and the server goes on serving.
func TestMalformedArguments(t *testing.T) {
	cs := client(t, repo(t))
	big := strings.Repeat("#", mcp.MaxScenarioBytes+1)
	for _, c := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"validate_scenario", map[string]any{"scenario": 5}, `validating "arguments"`},
		{"validate_scenario", map[string]any{"path": flagship, "file": "x"}, `validating "arguments"`},
		{"validate_scenario", map[string]any{}, `give the scenario as text in "scenario" or as a file or folder in "path"`},
		{"analyze_scenario", map[string]any{"path": flagship, "scenario": "parley: 1"}, "not both"},
		{"analyze_scenario", map[string]any{"scenario": big}, "at most 1 MiB may be given as text"},
		{"analyze_scenario", map[string]any{"path": flagship, "frontier_points": -1}, `validating "arguments"`},
		{"analyze_scenario", map[string]any{"path": flagship, "what_if": true, "samples": 10_000_000}, `validating "arguments"`},
		{"analyze_scenario", map[string]any{"scenario": "parley: [1\n"}, "<scenario>:1:"},
		{"evaluate_outcome", map[string]any{"path": flagship}, `validating "arguments"`},
		{"evaluate_outcome", map[string]any{"path": flagship, "outcome": map[string]any{"law": true}}, `validating "arguments"`},
		{"list_accepted_outcomes", map[string]any{"path": flagship, "limit": 0}, `validating "arguments"`},
		{"list_accepted_outcomes", map[string]any{"path": flagship, "limit": 1001}, `validating "arguments"`},
		{"list_accepted_outcomes", map[string]any{"path": flagship, "order": "best"}, `validating "arguments"`},
		{"list_accepted_outcomes", map[string]any{"path": flagship, "parties": "ua"}, `validating "arguments"`},
		{"forecast", map[string]any{"path": "analysis/testdata/evaluate-values.yaml"}, "no issue"},
		{"run_session", map[string]any{"path": flagship}, `validating "arguments"`},
		{"run_session", map[string]any{"path": flagship, "negotiators": []string{}}, `validating "arguments"`},
		{"run_session", map[string]any{"path": flagship, "negotiators": []string{"boulware"}, "rounds": 0}, `validating "arguments"`},
		{"run_session", map[string]any{"path": flagship, "negotiators": []string{"boulware"}, "protocol": "auction"}, `validating "arguments"`},
		{"run_session", map[string]any{"path": flagship, "negotiators": []string{"boulware", "conceder"}}, "negotiator"},
	} {
		msg := callErr(t, cs, c.tool, c.args)
		wantContains(t, c.tool, msg, c.want)
	}
	if _, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "delete_everything"}); err == nil {
		t.Error("an unknown tool: no error")
	}
	var v mcp.ValidateOutput
	call(t, cs, "validate_scenario", map[string]any{"path": flagship}, &v)
	if !v.Valid {
		t.Error("the server no longer answers after bad calls")
	}
}

// TestGeniusFolderInRoot: a Genius folder inside the root is analysed; a
// profile in it that links outside the root is refused by the importer.
func TestGeniusFolderInRoot(t *testing.T) {
	src := shared.Dir(t, "domains", "ANAC2011_Laptop")
	root := t.TempDir()
	dir := filepath.Join(root, "laptop")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"laptop_domain.xml", "laptop_buyer_utility.xml", "laptop_seller_utility.xml"} {
		copyFile(t, filepath.Join(src, f), filepath.Join(dir, f))
	}
	cs := client(t, root)
	var r analysis.Report
	call(t, cs, "analyze_scenario", map[string]any{"path": "laptop"}, &r)
	if r.Outcomes != 27 || len(r.Parties) != 2 || r.Pareto.Count == 0 {
		t.Errorf("laptop: %d outcomes, parties %v", r.Outcomes, r.Parties)
	}
	outside := filepath.Join(t.TempDir(), "other_utility.xml")
	copyFile(t, filepath.Join(src, "laptop_seller_utility.xml"), outside)
	symlink(t, outside, filepath.Join(dir, "third.xml"))
	msg := callErr(t, cs, "analyze_scenario", map[string]any{"path": "laptop"})
	wantContains(t, "a profile linking out", msg, "third.xml: cannot read this Genius file: it links outside its folder")
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestHTTPRefusesOtherHosts: over HTTP on a local address, a request that
// names another host (a page's script after DNS rebinding) is refused.
func TestHTTPRefusesOtherHosts(t *testing.T) {
	hs := httptest.NewServer(newServer(t, t.TempDir()).Handler())
	defer hs.Close()
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`
	post := func(host string) int {
		req, err := http.NewRequest("POST", hs.URL, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("attacker.example"); code != http.StatusForbidden {
		t.Errorf("another host: %d, want 403", code)
	}
	if code := post(strings.TrimPrefix(hs.URL, "http://")); code != http.StatusOK {
		t.Errorf("the server's own address: %d, want 200", code)
	}
}
