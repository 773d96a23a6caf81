package web

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/seat/client"
	"github.com/parleyhq/parley/server"
)

// TestVendor: every third-party file embedded in the pages is the one
// static/VENDOR names, byte for byte (its SHA-256), with its licence beside
// it, and VENDOR lists every file of static/ that is not parley's own.
func TestVendor(t *testing.T) {
	data, err := staticFS.ReadFile("static/VENDOR")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 {
			t.Fatalf("VENDOR: %q: want file, package, version, sha256", line)
		}
		b, err := staticFS.ReadFile("static/" + f[0])
		if err != nil {
			t.Errorf("VENDOR names %s, which is not embedded", f[0])
			continue
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != f[3] {
			t.Errorf("%s (%s %s): sha256 %s, VENDOR says %s", f[0], f[1], f[2], got, f[3])
		}
		listed[f[0]] = true
	}
	for _, lic := range []string{"htmx.LICENSE", "uPlot.LICENSE"} {
		if !listed[lic] {
			t.Errorf("no licence %s in VENDOR", lic)
		}
	}
	entries, _ := staticFS.ReadDir("static")
	own := map[string]bool{"VENDOR": true, "app.css": true, "charts.js": true, "scenario.js": true, "watch.js": true, "play.js": true, "forecast.js": true}
	for _, e := range entries {
		if !listed[e.Name()] && !own[e.Name()] {
			t.Errorf("static/%s is neither parley's own nor in VENDOR", e.Name())
		}
	}
}

// browserClient is an HTTP client with cookies, as a browser of this site.
func browserClient(t testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// formToken loads a page and returns its form's CSRF token.
func formToken(t testing.TB, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s has no CSRF field", u)
	}
	return string(m[1])
}

func postForm(t testing.TB, c *http.Client, u string, v url.Values, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, x := range header {
		req.Header.Set(k, x)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// TestCSRF: a state-changing request without the form's token, with
// another browser's token, or sent by a page of another site is refused;
// the same request with the token from this site's page is taken.
func TestCSRF(t *testing.T) {
	s := startSite(t, filepath.Join(t.TempDir(), "serve.db"), "")
	c := browserClient(t)
	tok := formToken(t, c, s.url+"/")
	form := url.Values{"name": {"t"}, "text": {"parley: 1\nname: x\n"}}
	if resp, _ := postForm(t, c, s.url+"/upload", form, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("no token: %s, want 403", resp.Status)
	}
	other := browserClient(t)
	otherTok := formToken(t, other, s.url+"/")
	form.Set("csrf", otherTok)
	if resp, _ := postForm(t, c, s.url+"/upload", form, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another browser's token: %s, want 403", resp.Status)
	}
	form.Set("csrf", tok)
	if resp, _ := postForm(t, c, s.url+"/upload", form, map[string]string{"Sec-Fetch-Site": "cross-site"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("from another site: %s, want 403", resp.Status)
	}
	if resp, _ := postForm(t, c, s.url+"/upload", form, map[string]string{"Origin": "http://evil.example"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("with another origin: %s, want 403", resp.Status)
	}
	// With the token the request is taken (and the scenario, invalid, is
	// answered with its problems).
	if resp, body := postForm(t, c, s.url+"/upload", form, nil); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "problem") {
		t.Errorf("with the token: %s, want 422 with the problems", resp.Status)
	}
	for _, path := range []string{"/session", "/classroom", "/tournament", "/join"} {
		if resp, _ := postForm(t, c, s.url+path, url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without a token: %s, want 403", path, resp.Status)
		}
	}
}

// triad is a 3-party scenario whose numbers are easy to spot.
const triad = `parley: 1
name: Triad
issues:
  - id: site
    options: [{id: north}, {id: south}, {id: east}]
  - id: year
    options: [{id: soon}, {id: late}]
parties:
  - id: p
    reservation: 0.2
    weights: {site: 0.6, year: 0.4}
    values:
      site: {north: 1, south: 0.5, east: 0}
      year: {soon: 0, late: 1}
  - id: q
    reservation: 0.2873194
    weights: {site: 0.3461, year: 0.6539}
    values:
      site: {north: 0.1723, south: 0.9182, east: 0.4476}
      year: {soon: 0.8813, late: 0.2337}
    red_lines:
      - {id: never_east_soon, forbid: {site: [east], year: [soon]}}
  - id: r
    reservation: 0.3318267
    weights: {site: 0.5179, year: 0.4821}
    values:
      site: {north: 0.7716, south: 0.2249, east: 0.6631}
      year: {soon: 0.5522, late: 0.3907}
`

// upload adds a scenario through the library form and returns its ref.
func upload(t testing.TB, s *site, c *http.Client, name, text string) string {
	t.Helper()
	tok := formToken(t, c, s.url+"/")
	resp, body := postForm(t, c, s.url+"/upload", url.Values{"csrf": {tok}, "name": {name}, "text": {text}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %s\n%.2000s", resp.Status, body)
	}
	return strings.TrimPrefix(resp.Header.Get("Location"), "/scenario/")
}

// createWeb makes a session with the session form; it returns the owner's
// watch path and the seat paths by party.
func createWeb(t testing.TB, s *site, c *http.Client, form string, v url.Values) (string, map[string]string) {
	t.Helper()
	v.Set("csrf", formToken(t, c, s.url+form+"/new?scenario="+v.Get("scenario")))
	resp, body := postForm(t, c, s.url+form, v, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("creating: %s\n%.2000s", resp.Status, body)
	}
	watch := resp.Header.Get("Location")
	r, err := c.Get(s.url + watch)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	seats := map[string]string{}
	re := regexp.MustCompile(`(?s)<tr class="seat" data-party="([^"]+)".*?(?:href="(/play/[^"]+)"|</tr>)`)
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		if m[2] != "" {
			seats[m[1]] = m[2]
		}
	}
	return watch, seats
}

// TestSeatSeesOnlyItsOwn: everything a seat's person can fetch (the seat
// page, its state, the seat's stream, its long-polls and the session's
// public status, during and after the session) holds none of the other
// parties' weights, values, their products or reservation values; the
// seat's token opens no owner's page.
func TestSeatSeesOnlyItsOwn(t *testing.T) {
	s := startSite(t, filepath.Join(t.TempDir(), "serve.db"), "")
	c := browserClient(t)
	ref := upload(t, s, c, "triad", triad)
	watch, seats := createWeb(t, s, c, "/session", url.Values{"scenario": {ref}, "kind0": {"human"}, "kind1": {"agent"}, "spec1": {"boulware"}, "kind2": {"agent"}, "spec2": {"linear"}, "rounds": {"20"}})
	play := seats["p"]
	if play == "" {
		t.Fatalf("no seat page for p: %v", seats)
	}
	token := strings.TrimPrefix(play, "/play/")
	var got strings.Builder
	fetch := func(u string) {
		r, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		got.Write(b)
		got.WriteByte('\n')
	}
	fetch(s.url + play)
	fetch(s.url + play + "/state")
	// The seat plays as a person would, through the same endpoints.
	link := &server.PollLink{Messages: s.url + "/seat/" + token + "/messages", Action: s.url + "/seat/" + token + "/action", Wait: 5 * time.Second}
	sp, _ := negotiator.Parse("conceder")
	if err := (&client.Player{New: sp.New}).Play(&recording{link: link, to: &got}); err != nil {
		t.Fatal(err)
	}
	fetch(s.url + "/seat/" + token + "/messages?after=0")
	ws, _, _ := s.app.sessionByOwner(context.Background(), strings.TrimPrefix(watch, "/w/"))
	fetch(s.url + "/api/v1/sessions/" + ws.ID)
	fetch(s.url + play)
	all := got.String()
	if !strings.Contains(all, `"type":"finished"`) || !strings.Contains(all, `"reservation":0.2`) {
		t.Fatalf("the capture lacks the session or p's own preferences:\n%.600s", all)
	}
	sc, err := server.ParseScenario([]byte(triad))
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range append(secretsOf(t, sc, 0, 1, 2), "never_east_soon") {
		if i := strings.Index(all, sec); i >= 0 {
			t.Errorf("p's seat fetched %s, a number of another party: …%s…", sec, all[max(0, i-80):min(len(all), i+40)])
		}
	}
	// A seat's token is not an owner's.
	for _, u := range []string{"/w/" + token, "/w/" + token + "/events", "/w/" + token + "/debrief"} {
		r, err := http.Get(s.url + u)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s with a seat's token: %s, want 404", u, r.Status)
		}
	}
	// The owner's page does show every party's numbers.
	r, _ := c.Get(s.url + watch + "/events")
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(b), `"kind":"result"`) || !strings.Contains(string(b), `"u":[`) {
		t.Errorf("the owner's record lacks the result or the utilities:\n%.500s", b)
	}
}

// recording is a link that keeps every message it reads.
type recording struct {
	link client.Link
	to   *strings.Builder
}

func (r *recording) Read() ([]byte, error) {
	m, err := r.link.Read()
	r.to.Write(m)
	r.to.WriteByte('\n')
	return m, err
}

func (r *recording) Write(m []byte) error { return r.link.Write(m) }

// TestUploadLimits: an upload over the size limit is refused; one that
// names a source file (which the server would read) is refused with the
// position of the path; a valid one is listed only in the library of the
// browser that uploaded it.
func TestUploadLimits(t *testing.T) {
	s := startSite(t, filepath.Join(t.TempDir(), "serve.db"), "")
	c := browserClient(t)
	tok := formToken(t, c, s.url+"/")
	big := strings.Repeat("# padding\n", DefaultMaxUpload/10+10)
	resp, _ := postForm(t, c, s.url+"/upload", url.Values{"csrf": {tok}, "text": {big}}, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge && resp.StatusCode != http.StatusForbidden {
		t.Errorf("an upload of %d bytes: %s, want 413", len(big), resp.Status)
	}
	withPath := triad + "sources:\n  - id: doc\n    path: /etc/passwd\n"
	resp, body := postForm(t, c, s.url+"/upload", url.Values{"csrf": {tok}, "text": {withPath}}, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot name files") || !strings.Contains(body, `href="#line-31"`) || !strings.Contains(body, `data-line="31"`) {
		i := strings.Index(body, `id="problems"`)
		t.Errorf("an upload naming a file: %s\n%.1500s", resp.Status, body[max(i, 0):])
	}
	ref := upload(t, s, c, "mine", triad)
	r, _ := c.Get(s.url + "/")
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(b), ref) {
		t.Error("the library does not list the upload to its uploader")
	}
	other := browserClient(t)
	r, _ = other.Get(s.url + "/")
	b, _ = io.ReadAll(r.Body)
	r.Body.Close()
	if strings.Contains(string(b), ref) {
		t.Error("the library lists an upload to another browser")
	}
}

// TestJoinCodes: a classroom's human seats get short codes; a code leads
// to its seat's page, a wrong one to nothing, and attempts are limited.
// The seats wait until the facilitator starts the classroom.
func TestJoinCodes(t *testing.T) {
	s := startSite(t, filepath.Join(t.TempDir(), "serve.db"), "")
	c := browserClient(t)
	watch, seats := createWeb(t, s, c, "/classroom", url.Values{"scenario": {"x/ukraine-2025"}, "protocol": {"mediated"}, "rounds": {"5"}})
	if len(seats) != 3 {
		t.Fatalf("%d human seats, want 3", len(seats))
	}
	_, links, err := s.app.sessionByOwner(context.Background(), strings.TrimPrefix(watch, "/w/"))
	if err != nil {
		t.Fatal(err)
	}
	state := func(play string) bool {
		r, err := http.Get(s.url + play + "/state")
		if err != nil {
			t.Fatal(err)
		}
		var st struct{ Held bool }
		json.NewDecoder(r.Body).Decode(&st)
		r.Body.Close()
		return st.Held
	}
	for _, ln := range links {
		if ln.Code == "" {
			t.Fatalf("seat %s has no code", ln.Party)
		}
		if !state("/play/" + ln.Token) {
			t.Errorf("seat %s is not held before the start", ln.Party)
		}
		student := browserClient(t)
		tok := formToken(t, student, s.url+"/join")
		resp, _ := postForm(t, student, s.url+"/join", url.Values{"csrf": {tok}, "code": {" " + strings.ToLower(strings.ReplaceAll(ln.Code, "-", " ")) + " "}}, nil)
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != "/play/"+ln.Token {
			t.Errorf("code %s: %s to %q, want its seat", ln.Code, resp.Status, got)
		}
	}
	tok := formToken(t, c, s.url+watch)
	if resp, _ := postForm(t, c, s.url+watch+"/start", url.Values{"csrf": {tok}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("starting: %s", resp.Status)
	}
	if state("/play/" + links[0].Token) {
		t.Error("a seat is still held after the start")
	}
	student := browserClient(t)
	tok = formToken(t, student, s.url+"/join")
	codes := 0
	// One second for the limiter, however long the 40 requests take on a
	// loaded machine.
	frozen := time.Now()
	s.app.joins.mu.Lock()
	s.app.joins.now, s.app.joins.reset = func() time.Time { return frozen }, time.Time{}
	s.app.joins.mu.Unlock()
	for i := range 40 {
		resp, _ := postForm(t, student, s.url+"/join", url.Values{"csrf": {tok}, "code": {fmt.Sprintf("ZZZZ-ZZ%02d", i)}}, nil)
		switch resp.StatusCode {
		case http.StatusNotFound:
			codes++
		case http.StatusTooManyRequests:
		default:
			t.Errorf("a wrong code: %s", resp.Status)
		}
	}
	if codes > 20 || codes == 0 {
		t.Errorf("%d wrong codes tried in a second; at most 20 may be, and some must", codes)
	}
}
