package server

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
)

// TestSecurity: tokens are 256 random bits, kept as digests only; an
// unknown token finds nothing; a session request must be JSON (no page of
// another site can send one); a local server answers only requests
// addressed to localhost (no DNS rebinding); seat URLs are never cached
// or sent on as a referrer.
func TestSecurity(t *testing.T) {
	text := laptop(t)
	ts := serve(t, newDB(t), "", Config{Local: true})
	c := ts.create(t, Request{Scenario: text, Seats: []string{Remote, Remote}})
	a, b := c.Seats[0].Token, c.Seats[1].Token
	if len(a) != tokenLen || a == b {
		t.Errorf("tokens %q %q", a, b)
	}
	var plain, digests int
	ts.db.QueryRow(`SELECT count(*) FROM seats WHERE token_hash IN (?, ?)`, []byte(a), []byte(b)).Scan(&plain)
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	ts.db.QueryRow(`SELECT count(*) FROM seats WHERE token_hash IN (?, ?)`, ha[:], hb[:]).Scan(&digests)
	if plain != 0 || digests != 2 {
		t.Errorf("%d tokens stored as they are, %d digests", plain, digests)
	}
	for _, tok := range []string{strings.Repeat("A", tokenLen), "short", a[:tokenLen-1] + "x"} {
		if code := getJSON(t, ts.url+"/seat/"+tok+"/messages", nil); code != http.StatusNotFound {
			t.Errorf("token %q: %d", tok, code)
		}
	}
	resp, err := http.Post(ts.url+"/api/v1/sessions", "text/plain", strings.NewReader(`{"scenario":"x","seats":["remote"]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("a text/plain session request: %s", resp.Status)
	}
	req, _ := http.NewRequest("GET", c.Seats[0].Messages, nil)
	req.Host = "attacker.example:8080"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("a request to another host name: %s", resp.Status)
	}
	req, _ = http.NewRequest("GET", strings.Replace(c.Seats[0].Messages, "127.0.0.1", "localhost", 1), nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("localhost: %s %v", resp.Status, resp.Header)
	}
}
