package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// Pool makes the seats of llm: specs and holds what they share: the
// endpoints with their limits, the cache and the log. seat.Launcher takes
// it as a Kind, so llm seats are made by the same factory as every other
// outside seat.
type Pool struct {
	// Cache, if set, answers the requests it holds and records new
	// answers (--llm-cache).
	Cache *Cache
	// Offline makes a request the cache cannot answer fail its seat
	// instead of going to the endpoint.
	Offline bool
	// Log, if set, receives one JSON line per request and per finished
	// session (--llm-log). It holds the prompts, so each seat's own
	// preferences and private reasoning; never an API key.
	Log io.Writer
	// Getenv reads the variables that key_env names (nil: os.Getenv).
	Getenv func(string) string

	mu        sync.Mutex
	endpoints map[string]*endpoint
	limits    map[string][2]int // base URL → concurrency, rpm
	refused   map[string]bool   // models whose endpoint refused response_format
	stats     map[string]*Stats // per seat (party id)
	seats     []string
	closed    bool
	logMu     sync.Mutex
}

// Stats are one seat's requests over the sessions it played.
type Stats struct {
	Requests         int // answers asked of the model
	Cached           int // of them, answered from the cache
	Attempts         int // HTTP requests sent (retries included)
	PromptTokens     int
	CompletionTokens int
	Latency          time.Duration // total time of the requests answered by the endpoint
}

// Kind is the pool as a kind of outside seat for seat.Launcher.
func (p *Pool) Kind() seat.Kind {
	return seat.Kind{Prefix: Prefix, Dial: p.Dial, Close: p.Close}
}

// Dial checks a spec (after "llm:") and returns how to open a seat's
// connection.
func (p *Pool) Dial(rest string) (func() (seat.Conn, error), error) {
	sp, err := ParseSpec(rest)
	if err != nil {
		return nil, err
	}
	ep, err := p.endpoint(&sp)
	if err != nil {
		return nil, err
	}
	return func() (seat.Conn, error) { return &Conn{pool: p, sp: sp, ep: ep}, nil }, nil
}

// endpoint returns the shared endpoint of a spec's base URL.
func (p *Pool) endpoint(sp *Spec) (*endpoint, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.endpoints == nil {
		p.endpoints, p.limits = map[string]*endpoint{}, map[string][2]int{}
	}
	lim := [2]int{sp.Concurrency, sp.RPM}
	if ep, ok := p.endpoints[sp.BaseURL]; ok {
		if had := p.limits[sp.BaseURL]; had != lim {
			return nil, fmt.Errorf("llm: seats at %s share its limits, and one gives concurrency=%d:rpm=%d, another concurrency=%d:rpm=%d; give the same", sp.BaseURL, had[0], had[1], lim[0], lim[1])
		}
		return ep, nil
	}
	ep := newEndpoint(sp.BaseURL, sp.Concurrency, sp.RPM)
	p.endpoints[sp.BaseURL], p.limits[sp.BaseURL] = ep, lim
	return ep, nil
}

// Stats returns each seat's request statistics, by party id in the order
// the seats first asked.
func (p *Pool) Stats() map[string]Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]Stats, len(p.stats))
	for k, v := range p.stats {
		out[k] = *v
	}
	return out
}

// Seats lists the seats that asked the model, in the order they first did.
func (p *Pool) Seats() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.seats)
}

func (p *Pool) count(seatName string, f func(s *Stats)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stats == nil {
		p.stats = map[string]*Stats{}
	}
	s, ok := p.stats[seatName]
	if !ok {
		s = &Stats{}
		p.stats[seatName] = s
		p.seats = append(p.seats, seatName)
	}
	f(s)
}

// Close closes the cache (the log belongs to the caller).
func (p *Pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.Cache == nil {
		p.closed = true
		return nil
	}
	p.closed = true
	return p.Cache.Close()
}

func (p *Pool) getenv(name string) string {
	if p.Getenv != nil {
		return p.Getenv(name)
	}
	return os.Getenv(name)
}

// refuses reports whether the endpoint of model is known to refuse
// response_format: seen in this run or recorded in the cache. Keeping it
// per model, not per request, makes a replay take the same path whatever
// order the requests come in.
func (p *Pool) refuses(model string) bool {
	p.mu.Lock()
	known := p.refused[model]
	p.mu.Unlock()
	if known || p.Cache == nil {
		return known
	}
	_, _, ok, err := p.Cache.get(cacheKey(kindRefusal, []byte(model)))
	if ok && err == nil {
		p.setRefused(model, nil)
	}
	return ok && err == nil
}

func (p *Pool) setRefused(model string, why []byte) error {
	p.mu.Lock()
	if p.refused == nil {
		p.refused = map[string]bool{}
	}
	p.refused[model] = true
	p.mu.Unlock()
	if p.Cache != nil && why != nil {
		_, _, err := p.Cache.put(cacheKey(kindRefusal, []byte(model)), kindRefusal, model, []byte(model), 400, why)
		return err
	}
	return nil
}

// exchange is one request and what came of it.
type exchange struct {
	body     []byte // the request
	status   int
	response []byte // the completion (redacted)
	cached   bool
	attempts int
	waits    []time.Duration
	latency  time.Duration
}

// complete answers a request from the cache or the endpoint. A refusal of
// response_format comes back as an *endpointError with refused set.
func (p *Pool) complete(ctx context.Context, c *Conn, body []byte) (*exchange, error) {
	x := &exchange{body: body}
	k := cacheKey(kindCompletion, body)
	if p.Cache != nil {
		status, resp, ok, err := p.Cache.get(k)
		if err != nil {
			return x, &endpointError{cause: session.CauseCrash, msg: "reading the LLM cache: " + err.Error()}
		}
		if ok {
			x.status, x.response, x.cached = status, resp, true
			return x, nil
		}
	}
	if p.Offline {
		return x, &endpointError{cause: session.CauseDisconnect, msg: "the LLM cache holds no answer to this request, and offline replay forbids asking the endpoint"}
	}
	key := ""
	if c.sp.KeyEnv != "" {
		key = p.getenv(c.sp.KeyEnv)
		if key == "" {
			return x, &endpointError{cause: session.CauseCrash, msg: fmt.Sprintf("the environment variable %s (key_env) is empty or unset; set it to the endpoint's API key", c.sp.KeyEnv)}
		}
	}
	redact := redactor(key)
	start := time.Now()
	rep, err := c.ep.post(ctx, body, key, &c.sp, redact)
	x.latency, x.attempts, x.waits, x.status = time.Since(start), rep.attempts, rep.waits, rep.status
	if ee, ok := err.(*endpointError); ok && ee.refused {
		if serr := p.setRefused(c.sp.Model, []byte(redact(string(rep.body)))); serr != nil {
			return x, &endpointError{cause: session.CauseCrash, msg: "writing the LLM cache: " + serr.Error()}
		}
		return x, err
	}
	if err != nil {
		return x, err
	}
	x.response = []byte(redact(string(rep.body)))
	if p.Cache != nil {
		status, stored, err := p.Cache.put(k, kindCompletion, c.sp.Model, body, rep.status, x.response)
		if err != nil {
			return x, &endpointError{cause: session.CauseCrash, msg: "writing the LLM cache: " + err.Error()}
		}
		x.status, x.response = status, stored
	}
	return x, nil
}

// redactor returns a function that blanks out key wherever it appears.
func redactor(key string) func(string) string {
	if key == "" {
		return func(s string) string { return s }
	}
	return func(s string) string { return strings.ReplaceAll(s, key, "[redacted]") }
}

// logLine writes one record to the log.
func (p *Pool) logLine(v any) {
	if p.Log == nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	p.logMu.Lock()
	defer p.logMu.Unlock()
	p.Log.Write(append(b, '\n'))
}
