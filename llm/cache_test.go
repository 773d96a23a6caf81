package llm_test

import (
	"bytes"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

// TestCacheRefusesOtherFiles: a file that is not an LLM cache (text, an
// SQLite database of something else, a cache of a later format) is
// refused with a message, never written to.
func TestCacheRefusesOtherFiles(t *testing.T) {
	text := tempFile(t, "notes.txt")
	if err := os.WriteFile(text, []byte("these are my notes, not a database\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := tempFile(t, "other.db")
	later := tempFile(t, "later.db")
	for path, setup := range map[string]string{other: `CREATE TABLE sessions (id INTEGER)`, later: `PRAGMA user_version = 99`} {
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(setup); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	for path, want := range map[string]string{text: "not an SQLite database", other: "not an LLM cache", later: "cache format 99"} {
		before := readFile(t, path)
		_, err := llm.OpenCache(path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want %q and the path", path, err, want)
		}
		if !bytes.Equal(readFile(t, path), before) {
			t.Errorf("%s was changed", path)
		}
	}
}

// TestReplayAfterRefusal: an endpoint that refused response_format is
// recorded as such, so the replay goes straight to tool calls and plays
// the same session with the server stopped.
func TestReplayAfterRefusal(t *testing.T) {
	srv := llmtest.New(func(r *llmtest.Received) llmtest.Reply {
		if r.Mode == "schema" {
			return llmtest.Reply{Status: 400, Body: `{"error":{"message":"unsupported parameter: response_format"}}`}
		}
		return llmtest.Player(r)
	})
	spec := "llm:model=m:base_url=" + srv.BaseURL()
	path := tempFile(t, "cache.db")
	run := func() played {
		cache, err := llm.OpenCache(path)
		if err != nil {
			t.Fatal(err)
		}
		return play(t, setup{sc: parse(t, trio), specs: []string{spec, spec, "boulware"}, pool: &llm.Pool{Cache: cache}, rounds: 10})
	}
	live := run()
	if live.result.Failure != nil {
		t.Fatal(live.result.Failure)
	}
	schemaAsks := 0
	for _, r := range srv.Requests() {
		if r.Mode == "schema" {
			schemaAsks++
		}
	}
	if schemaAsks != 1 {
		t.Errorf("%d requests asked with a schema; after the first refusal the seats should use the tool", schemaAsks)
	}
	srv.Close()
	replay := run()
	if !bytes.Equal(replay.json, live.json) || !bytes.Equal(replay.trace, live.trace) {
		t.Errorf("the replay differs:\n%s\n%s", replay.json, live.json)
	}
	if bytes.Contains(replay.log, []byte(`"mode":"schema"`)) {
		t.Error("the replay asked with a schema")
	}
}
