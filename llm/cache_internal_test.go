package llm

import (
	"path/filepath"
	"testing"
)

// TestCacheFirstAnswerWins: when two seats ask the same request at once
// and get different answers, both go on with the one stored first, which
// is the one a replay gets.
func TestCacheFirstAnswerWins(t *testing.T) {
	c, err := OpenCache(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	k := cacheKey(kindCompletion, []byte(`{"model":"m"}`))
	if _, got, err := c.put(k, kindCompletion, "m", []byte(`{"model":"m"}`), 200, []byte("first")); err != nil || string(got) != "first" {
		t.Fatalf("put: %q %v", got, err)
	}
	if _, got, err := c.put(k, kindCompletion, "m", []byte(`{"model":"m"}`), 200, []byte("second")); err != nil || string(got) != "first" {
		t.Fatalf("second put returned %q %v, want the first answer", got, err)
	}
	if _, got, ok, err := c.get(k); !ok || err != nil || string(got) != "first" {
		t.Fatalf("get: %q %v %v", got, ok, err)
	}
	if k2 := cacheKey(kindRefusal, []byte(`{"model":"m"}`)); k2 == k {
		t.Error("a refusal and a completion of the same bytes share a key")
	}
	if n, err := c.Len(); n != 1 || err != nil {
		t.Errorf("Len %d %v", n, err)
	}
}
