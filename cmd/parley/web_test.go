package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeStartsWithPages: `parley serve` in a process of its own serves
// the library page, and says how long that took from the process's start
// (a figure of docs/web.md; no assertion on it: the machine is shared).
func TestServeStartsWithPages(t *testing.T) {
	db := filepath.Join(t.TempDir(), "serve.db")
	// The server listens on a free port and says which on its first line.
	start := time.Now()
	p := startServe(t, "--addr", "127.0.0.1:0", "--db", db, "--examples", filepath.Join("..", "..", "examples"))
	listening := time.Since(start)
	var body []byte
	for {
		resp, err := http.Get(p.url + "/")
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("no library page after 30 s: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	served := time.Since(start)
	t.Logf("parley serve: listening %v after the process started, the library page served after %v", listening.Round(time.Millisecond), served.Round(time.Millisecond))
	if !strings.Contains(string(body), "Library") || !strings.Contains(string(body), "/scenario/x/ukraine-2025") {
		t.Errorf("the library page lacks the flagship:\n%.600s", body)
	}
}
