package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/session"
)

// maxBody is the longest response body read from an endpoint.
const maxBody = 8 << 20

// endpoint is one OpenAI-compatible server as the seats that share it see
// it: an HTTP client and the limits on requests in flight and per minute.
type endpoint struct {
	url  string
	http *http.Client
	sem  chan struct{}
	rpm  int

	mu   sync.Mutex
	next time.Time // when the next request may start (rpm)

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

func newEndpoint(baseURL string, concurrency, rpm int) *endpoint {
	return &endpoint{url: baseURL + "/chat/completions", http: &http.Client{}, sem: make(chan struct{}, concurrency), rpm: rpm,
		now: time.Now, sleep: sleepCtx}
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// endpointError is why an endpoint gave no answer: the cause the seat's
// failure records, and whether it refused the response format.
type endpointError struct {
	cause   session.Cause
	msg     string
	refused bool
}

func (e *endpointError) Error() string { return e.msg }

// reply is an endpoint's answer to one request.
type reply struct {
	status   int
	body     []byte
	attempts int
	waits    []time.Duration // the pauses between attempts
}

// post sends body until it gets an answer, retrying transient failures
// (429, 408, 5xx, a connection that fails, a body that is no completion)
// with backoff or as Retry-After says. Errors are ctx's (the seat's clock
// ran out) or an *endpointError; redact cleans what the server said.
func (e *endpoint) post(ctx context.Context, body []byte, key string, sp *Spec, redact func(string) string) (reply, error) {
	var rep reply
	for {
		rep.attempts++
		status, data, hdr, err := e.once(ctx, body, key, sp.Timeout)
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		var last *endpointError
		switch {
		case err != nil:
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // without the URL again
			}
			last = &endpointError{cause: session.CauseDisconnect, msg: "cannot reach the model endpoint " + e.url + ": " + redact(err.Error())}
		case status == http.StatusOK:
			var r Response
			if json.Unmarshal(data, &r) == nil && len(r.Choices) > 0 {
				rep.status, rep.body = status, data
				return rep, nil
			}
			last = &endpointError{cause: session.CauseGarbage, msg: "the model endpoint answered with something that is not a chat completion: " + excerpt(redact(string(data)))}
		case status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500:
			last = &endpointError{cause: session.CauseDisconnect, msg: fmt.Sprintf("the model endpoint answered HTTP %d: %s", status, excerpt(redact(string(data))))}
		case refusesFormat(status, data):
			rep.status, rep.body = status, data
			return rep, &endpointError{cause: session.CauseCrash, refused: true, msg: fmt.Sprintf("the model endpoint refused response_format (HTTP %d): %s", status, excerpt(redact(string(data))))}
		default:
			return rep, &endpointError{cause: session.CauseCrash, msg: fmt.Sprintf("the model endpoint refused the request with HTTP %d: %s", status, excerpt(redact(string(data))))}
		}
		if rep.attempts > sp.Retries {
			if rep.attempts > 1 {
				last.msg += fmt.Sprintf(" (%d attempts)", rep.attempts)
			}
			return rep, last
		}
		wait := sp.Backoff << (rep.attempts - 1)
		if ra, ok := retryAfter(hdr, e.now()); ok {
			wait = ra
		}
		rep.waits = append(rep.waits, wait)
		if err := e.sleep(ctx, wait); err != nil {
			return rep, err
		}
	}
}

// once sends one request within the endpoint's limits.
func (e *endpoint) once(ctx context.Context, body []byte, key string, timeout time.Duration) (int, []byte, http.Header, error) {
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return 0, nil, nil, ctx.Err()
	}
	defer func() { <-e.sem }()
	if e.rpm > 0 {
		e.mu.Lock()
		now := e.now()
		start := now
		if e.next.After(now) {
			start = e.next
		}
		e.next = start.Add(time.Minute / time.Duration(e.rpm))
		e.mu.Unlock()
		if err := e.sleep(ctx, start.Sub(now)); err != nil {
			return 0, nil, nil, err
		}
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := e.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return 0, nil, nil, err
	}
	if len(data) > maxBody {
		return 0, nil, nil, fmt.Errorf("an answer of more than %d bytes", maxBody)
	}
	return resp.StatusCode, data, resp.Header, nil
}

// refusesFormat reports whether an error answer says that the endpoint
// does not support response_format (or JSON Schema answers).
func refusesFormat(status int, body []byte) bool {
	if status != http.StatusBadRequest && status != http.StatusUnprocessableEntity && status != http.StatusNotImplemented {
		return false
	}
	b := strings.ToLower(string(body))
	return strings.Contains(b, "response_format") || strings.Contains(b, "json_schema") || strings.Contains(b, "response format")
}

// maxRetryAfter caps what a Retry-After header may make the seat wait.
const maxRetryAfter = 10 * time.Minute

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		d = time.Duration(s * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(t.Sub(now), 0)
	} else {
		return 0, false
	}
	return min(d, maxRetryAfter), true
}

// excerpt is a short quoted view of what an endpoint said.
func excerpt(s string) string {
	const n = 200
	s = strings.TrimSpace(s)
	if len(s) > n {
		return strconv.Quote(s[:n]) + "…"
	}
	return strconv.Quote(s)
}
