package llm

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// cacheVersion is the cache file's format (SQLite user_version). A file of
// another version is refused rather than misread.
//
//	1: table answers(key, kind, model, request, status, response)
const cacheVersion = 1

// Cache records each request's answer under the hash of the request, so
// that sessions with LLM seats re-run offline, bit for bit: a request met
// before is answered from the file without asking the endpoint. The first
// answer stored for a request is the one every later run gets, even when
// two seats ask the same at once. It holds the prompts, so the seat's own
// preferences, but never an API key.
type Cache struct {
	mu sync.Mutex
	db *sql.DB
}

// Answer kinds in the cache.
const (
	kindCompletion = "completion" // a chat completion (HTTP 200)
	kindRefusal    = "refusal"    // the endpoint refused response_format
)

// OpenCache opens (or creates) a cache file.
func OpenCache(path string) (*Cache, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("llm cache %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	c := &Cache{db: db}
	if err := c.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("llm cache %s: %w", path, err)
	}
	return c, nil
}

func (c *Cache) init() error {
	var v int
	if err := c.db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("not an SQLite database: %w", err)
	}
	var tables int
	if err := c.db.QueryRow(`SELECT count(*) FROM sqlite_master`).Scan(&tables); err != nil {
		return err
	}
	switch {
	case v == cacheVersion:
		return nil
	case v == 0 && tables == 0:
		_, err := c.db.Exec(`CREATE TABLE answers (
			key TEXT PRIMARY KEY, kind TEXT NOT NULL, model TEXT NOT NULL,
			request BLOB NOT NULL, status INTEGER NOT NULL, response BLOB NOT NULL);
			PRAGMA user_version = 1`)
		return err
	case v == 0:
		return errors.New("the file is an SQLite database but not an LLM cache; give a new file or an existing cache")
	}
	return fmt.Errorf("cache format %d; this parley reads format %d", v, cacheVersion)
}

// cacheKey is the hash of a request's kind and bytes.
func cacheKey(kind string, request []byte) string {
	h := sha256.New()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write(request)
	return hex.EncodeToString(h.Sum(nil))
}

// get returns the answer stored for key.
func (c *Cache) get(key string) (status int, response []byte, ok bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	err = c.db.QueryRow(`SELECT status, response FROM answers WHERE key = ?`, key).Scan(&status, &response)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, false, nil
	}
	return status, response, err == nil, err
}

// put stores an answer unless one is stored already, and returns the
// stored one.
func (c *Cache) put(key, kind, model string, request []byte, status int, response []byte) (int, []byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.db.Exec(`INSERT OR IGNORE INTO answers (key, kind, model, request, status, response) VALUES (?, ?, ?, ?, ?, ?)`,
		key, kind, model, request, status, response); err != nil {
		return 0, nil, err
	}
	var got []byte
	err := c.db.QueryRow(`SELECT status, response FROM answers WHERE key = ?`, key).Scan(&status, &got)
	return status, got, err
}

// Len is the number of answers stored.
func (c *Cache) Len() (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int
	err := c.db.QueryRow(`SELECT count(*) FROM answers`).Scan(&n)
	return n, err
}

// Close closes the file.
func (c *Cache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.db.Close()
}
