package server

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
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/session"
)

// agentEnv makes the test binary play a built-in strategy on stdin/stdout
// (the stdio transport) or hold seats as a client process (see TestMain).
const agentEnv = "PARLEY_SERVER_TEST_AGENT"

func TestMain(m *testing.M) {
	if name := os.Getenv(agentEnv); name != "" {
		os.Exit(agent(name))
	}
	os.Exit(m.Run())
}

func agent(name string) int {
	if name == "bench-client" {
		return benchClient()
	}
	sp, err := negotiator.Parse(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := (&client.Player{New: sp.New}).Play(client.Lines(os.Stdin, os.Stdout)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

var (
	laptopOnce sync.Once
	laptopYAML string
)

// laptop is the ANAC 2011 Laptop domain as the text of a parley scenario.
func laptop(t testing.TB) string {
	t.Helper()
	p, ok := shared.Path("domains", "ANAC2011_Laptop")
	if !ok {
		t.Skip("../shared/domains is absent")
	}
	laptopOnce.Do(func() {
		sc, err := open.Path(p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := sc.MarshalYAML()
		if err != nil {
			t.Fatal(err)
		}
		laptopYAML = string(b)
	})
	return laptopYAML
}

// parsed is a posted scenario as the server reads it.
func parsed(t testing.TB, text string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse([]byte(text), ScenarioName)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// testServer is a Server behind a real listener on 127.0.0.1.
type testServer struct {
	*Server
	hs   *http.Server
	url  string
	addr string
}

// serve starts a server on db, at addr ("" for any port).
func serve(t testing.TB, db, addr string, cfg Config) *testServer {
	t.Helper()
	cfg.DB = db
	if cfg.Examples == "" {
		cfg.Examples = filepath.Join("..", "examples")
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	for range 100 { // the old listener's port may take a moment to free
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	ts := &testServer{Server: srv, hs: &http.Server{Handler: srv.Handler()}, addr: ln.Addr().String()}
	ts.hs.RegisterOnShutdown(srv.Disconnect)
	ts.url = "http://" + ts.addr
	go ts.hs.Serve(ln)
	t.Cleanup(ts.stop)
	return ts
}

// stop shuts the server down as parley serve does on SIGTERM.
func (ts *testServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ts.hs.Shutdown(ctx)
	ts.Close()
}

func newDB(t testing.TB) string {
	if d := os.Getenv("SERVE_TEST_DB_DIR"); d != "" {
		dir, _ := os.MkdirTemp(d, "db")
		t.Cleanup(func() { os.RemoveAll(dir) })
		return filepath.Join(dir, "serve.db")
	}
	return filepath.Join(t.TempDir(), "serve.db")
}

// post sends a JSON body and decodes the answer into out.
func post(t testing.TB, url string, body any, out any) int {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s: %v in %s", resp.Status, err, data)
		}
	}
	return resp.StatusCode
}

func (ts *testServer) create(t testing.TB, req Request) *Created {
	t.Helper()
	var c Created
	var e errorBody
	b, _ := json.Marshal(req)
	resp, err := http.Post(ts.url+"/api/v1/sessions", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		json.Unmarshal(data, &e)
		t.Fatalf("creating a session: %s: %s %v", resp.Status, e.Error, e.Problems)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func getJSON(t testing.TB, url string, out any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%v in %s", err, data)
		}
	}
	return resp.StatusCode
}

// result waits for a session to finish and returns its full result, as
// stored.
func (ts *testServer) result(t testing.TB, id string) session.Result {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var st Status
		if code := getJSON(t, ts.url+"/api/v1/sessions/"+id, &st); code != http.StatusOK {
			t.Fatalf("GET session %s: %d", id, code)
		}
		if st.State == StateFinished {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("session %s still %s after 60 s", id, st.State)
		}
		time.Sleep(5 * time.Millisecond)
	}
	var data string
	if err := ts.db.QueryRow(`SELECT result FROM sessions WHERE id = ?`, id).Scan(&data); err != nil {
		t.Fatal(err)
	}
	var r session.Result
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// same compares two results, whoever played the seats.
func same(a, b session.Result) (string, string, bool) {
	for _, r := range []*session.Result{&a, &b} {
		r.Mediator = ""
		if r.MediatorParty != nil {
			m := *r.MediatorParty
			m.Negotiator = ""
			r.MediatorParty = &m
		}
		r.Parties = append([]session.PartyResult(nil), r.Parties...)
		for i := range r.Parties {
			r.Parties[i].Negotiator = ""
		}
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja), string(jb), bytes.Equal(ja, jb)
}

// play plays a seat with a built-in strategy through link.
func play(name string, link client.Link) error {
	sp, err := negotiator.Parse(name)
	if err != nil {
		return err
	}
	return (&client.Player{New: sp.New}).Play(link)
}

// stream reads a seat's whole stream by long-poll.
func stream(t testing.TB, messagesURL string) []string {
	t.Helper()
	var out []string
	l := &PollLink{Messages: messagesURL, Wait: 10 * time.Second}
	for {
		m, err := l.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(m))
	}
}

// types lists the types of messages.
func types(msgs []string) string {
	var ts []string
	for _, m := range msgs {
		var h struct{ Type string }
		json.Unmarshal([]byte(m), &h)
		ts = append(ts, h.Type)
	}
	return strings.Join(ts, ",")
}

// lines reads JSON lines (for the bench client's protocol).
func lines(r io.Reader) *bufio.Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	return sc
}
