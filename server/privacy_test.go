package server

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// triad is a 3-party scenario whose numbers are easy to spot: q's and r's
// appear nowhere in p's preferences.
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

// TestTokenSeesOnlyItsOwn: everything p's token can fetch (the WebSocket
// stream, long-polls, posting actions, the session's status during and
// after the session) holds none of q's and r's weights, values, their
// products or reservation values, and no red line of theirs.
func TestTokenSeesOnlyItsOwn(t *testing.T) {
	sc := parsed(t, triad)
	var secrets []string
	for _, i := range []int{1, 2} {
		u := sc.Utility(i)
		secrets = append(secrets, ftoa(u.Reservation))
		for k := range u.Table {
			secrets = append(secrets, ftoa(u.Weights[k]))
			for v := range u.Table[k] {
				secrets = append(secrets, ftoa(u.Evals[k][v]), ftoa(u.Table[k][v]))
			}
		}
	}
	secrets = append(secrets, "never_east_soon")
	ts := serve(t, newDB(t), "", Config{})
	var got strings.Builder
	fetch := func(method, url, body string) {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got.Write(b)
		got.WriteByte('\n')
	}
	for _, proto := range []string{"saop", "amop"} {
		c := ts.create(t, Request{Scenario: triad, Protocol: proto, Seats: []string{Remote, "boulware", "linear"}, Deadline: &Deadline{Rounds: 20}})
		s := c.Seats[0]
		l, err := DialWebSocket(context.Background(), s.WS)
		if err != nil {
			t.Fatal(err)
		}
		capture := &recording{link: l, to: &got}
		if err := play("conceder", capture); err != nil {
			t.Fatal(err)
		}
		l.Close()
		ts.result(t, c.ID)
		fetch("GET", s.Messages+"?after=0", "")
		fetch("GET", ts.url+"/api/v1/sessions/"+c.ID, "")
		fetch("POST", s.Action, `{"type":"accept"}`)
		fetch("GET", strings.Replace(s.WS, "ws://", "http://", 1), "")
	}
	all := got.String()
	if !strings.Contains(all, `"type":"finished"`) || !strings.Contains(all, `"reservation":0.2,`) {
		t.Fatalf("the capture lacks the session or p's own preferences:\n%.500s", all)
	}
	for _, s := range secrets {
		if i := strings.Index(all, s); i >= 0 {
			t.Errorf("p's token fetched %s, a number of another party: …%s…", s, all[max(0, i-80):min(len(all), i+40)])
		}
	}
	for _, key := range []string{`"parties":[{`, `"social_welfare"`, `"nash"`, `"reservation_value"`, `"discounted_utility"`} {
		if strings.Contains(all, key) {
			t.Errorf("p's token fetched %s", key)
		}
	}
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// recording is a link that keeps every message it reads.
type recording struct {
	link
	to *strings.Builder
}

func (r *recording) Read() ([]byte, error) {
	m, err := r.link.Read()
	r.to.Write(m)
	r.to.WriteByte('\n')
	return m, err
}
