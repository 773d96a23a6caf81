package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/server"
)

// site is the server with the web app behind a real listener on
// 127.0.0.1, as parley serve runs them.
type site struct {
	srv  *server.Server
	app  *App
	hs   *http.Server
	url  string
	addr string
	db   string
}

// startSite serves db at addr ("" for any port).
func startSite(t testing.TB, db, addr string) *site {
	t.Helper()
	app, err := New(Config{Examples: filepath.Join("..", "examples"), DB: db, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{DB: db, Examples: filepath.Join("..", "examples"), Local: true, Watch: app.Watch, Grace: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Attach(srv); err != nil {
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
	s := &site{srv: srv, app: app, hs: &http.Server{Handler: srv.Handler()}, addr: ln.Addr().String(), db: db}
	s.hs.RegisterOnShutdown(srv.Disconnect)
	s.url = "http://" + s.addr
	go s.hs.Serve(ln)
	t.Cleanup(s.stop)
	return s
}

// stop shuts the site down as parley serve does on SIGTERM.
func (s *site) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.hs.Shutdown(ctx)
	s.srv.Close()
	s.app.Close()
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

// secretsOf lists the numbers of parties others (indices) as a JSON
// encoder writes them: reservation values, weights, evaluations and their
// products. Numbers that the seat's own party also has, and short ones
// that any page may hold for other reasons (0.5, 1), are left out.
func secretsOf(t testing.TB, sc *scenario.Scenario, own int, others ...int) []string {
	t.Helper()
	mine := map[string]bool{}
	add := func(set map[string]bool, i int) {
		u := sc.Utility(i)
		set[ftoa(u.Reservation)] = true
		for k := range u.Table {
			set[ftoa(u.Weights[k])] = true
			for v := range u.Table[k] {
				set[ftoa(u.Evals[k][v])] = true
				set[ftoa(u.Table[k][v])] = true
			}
		}
	}
	add(mine, own)
	theirs := map[string]bool{}
	for _, i := range others {
		add(theirs, i)
	}
	var out []string
	for s := range theirs {
		if len(s) >= 5 && !mine[s] {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		t.Fatal("no distinctive number to look for")
	}
	return out
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// chromium finds Debian's chromium, or skips the test.
func chromium(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Skip("no chromium: install Debian's (apt-get install -y chromium; .ci/run does) to run the browser tests")
	return ""
}

// newBrowser starts a headless chromium for the test.
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-default-browser-check", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		cancelB()
		cancelA()
		t.Fatalf("starting chromium: %v", err)
	}
	t.Cleanup(func() { cancelB(); cancelA() })
	return bctx
}

// tab is a new browser context (its own cookies: another person) with one
// tab, recording what the network brings it.
type tab struct {
	t   testing.TB
	ctx context.Context
	mu  sync.Mutex
	// finished requests: their URL and bytes on the wire
	reqs  map[network.RequestID]*req
	order []network.RequestID
	// what the page's scripts logged and threw
	console []string
}

type req struct {
	url   string
	bytes float64
	done  bool
}

func newTab(t testing.TB, browser context.Context) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{t: t, ctx: ctx, reqs: map[network.RequestID]*req{}}
	if err := chromedp.Listen(ctx, tb.listen); err != nil {
		t.Fatal(err)
	}
	return tb
}

func (tb *tab) listen(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if _, ok := tb.reqs[ev.RequestID]; !ok {
			tb.reqs[ev.RequestID] = &req{url: ev.Request.URL}
			tb.order = append(tb.order, ev.RequestID)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		tb.console = append(tb.console, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, msg))
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			parts = append(parts, string(a.Value)+a.Description)
		}
		tb.console = append(tb.console, string(ev.Type)+": "+strings.Join(parts, " "))
	case *network.EventLoadingFinished:
		if r := tb.reqs[ev.RequestID]; r != nil {
			r.bytes, r.done = ev.EncodedDataLength, true
		}
	}
}

// transferred is the bytes on the wire of the requests finished so far.
func (tb *tab) transferred() (total float64, list []string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, id := range tb.order {
		r := tb.reqs[id]
		if r.done {
			total += r.bytes
			list = append(list, fmt.Sprintf("%s %.0f", r.url, r.bytes))
		}
	}
	return total, list
}

// bodies fetches the bodies of every finished request of the tab.
func (tb *tab) bodies() map[string]string {
	tb.mu.Lock()
	var ids []network.RequestID
	urls := map[network.RequestID]string{}
	for _, id := range tb.order {
		if tb.reqs[id].done {
			ids = append(ids, id)
			urls[id] = tb.reqs[id].url
		}
	}
	tb.mu.Unlock()
	out := map[string]string{}
	for _, id := range ids {
		res, err := chromedp.Call(tb.ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
		if err != nil {
			continue // evicted, or a request without a body
		}
		out[string(id)+" "+urls[id]] = string(res.Body)
	}
	return out
}

func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

// eval runs JavaScript and decodes its JSON result into out.
func (tb *tab) eval(js string, out any) {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		tb.t.Fatalf("evaluating %s: %v", js, err)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(s), out); err != nil {
			tb.t.Fatalf("%s: %v", s, err)
		}
	}
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

func (tb *tab) html() string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		tb.t.Fatalf("reading the page: %v", err)
	}
	return s
}

// waitFor polls a JavaScript condition until it holds.
func (tb *tab) waitFor(js string, within time.Duration) {
	tb.t.Helper()
	end := time.Now().Add(within)
	for {
		ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(end) {
			tb.mu.Lock()
			logged := strings.Join(tb.console, "\n")
			tb.mu.Unlock()
			tb.t.Fatalf("waited %v for %s (%v); the page's console:\n%s", within, js, err, logged)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenshots is where the tests write what the pages look like (not in
// the repository): PARLEY_SCREENSHOTS, or parley-web-screenshots in the
// temporary folder.
func screenshots() string {
	if d := os.Getenv("PARLEY_SCREENSHOTS"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "parley-web-screenshots")
}

// shot writes a full-page screenshot of the tab.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	b, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	dir := screenshots()
	os.MkdirAll(dir, 0o755)
	ext := ".png"
	if len(b) > 3 && b[0] == 0xff {
		ext = ".jpg"
	}
	p := filepath.Join(dir, name+ext)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		tb.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	tb.t.Logf("screenshot: %s", p)
}

// phone makes the tab a phone's screen (390×844).
func (tb *tab) phone() {
	tb.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
}

// desktop makes the tab 1280×800.
func (tb *tab) desktop() {
	tb.do(chromedp.EmulateViewport(1280, 800))
}

// uploadScenario adds a scenario to the library through its form and
// returns the scenario page's path.
func (tb *tab) uploadScenario(base, name, text string) string {
	tb.t.Helper()
	tb.do(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("form.upload")),
		chromedp.SetValue(chromedp.CSS(`form.upload input[name=name]`), name),
		chromedp.SetValue(chromedp.CSS(`form.upload textarea[name=text]`), text),
		chromedp.Submit(chromedp.CSS(`form.upload`)))
	tb.waitFor(`location.pathname.startsWith("/scenario/u/") || !!document.getElementById("problems")`, 20*time.Second)
	var path string
	tb.eval(`JSON.stringify(location.pathname)`, &path)
	if !strings.HasPrefix(path, "/scenario/u/") {
		tb.t.Fatalf("the upload was refused: %s", tb.text("#problems"))
	}
	return path
}

// leaks reports the secrets found in what a tab received and shows.
func leaks(t testing.TB, tb *tab, secrets []string) {
	t.Helper()
	var all strings.Builder
	for k, b := range tb.bodies() {
		all.WriteString(k + "\n" + b + "\n")
	}
	all.WriteString(tb.html())
	got := all.String()
	if len(got) < 1000 {
		t.Fatalf("too little captured to check (%d bytes)", len(got))
	}
	for _, s := range secrets {
		if i := strings.Index(got, s); i >= 0 {
			t.Errorf("the seat's page received %s, a number of another party: …%s…", s, got[max(0, i-120):min(len(got), i+40)])
		}
	}
}
