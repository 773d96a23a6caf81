package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// The WebSocket benchmark holds 1,000 open seats in a client process of
// its own (this test binary, run as the bench client), so that the
// server's memory is measured alone:
//
//	go test ./server -run '^$' -bench ServeWebSocket -benchtime 3000x
//
// It reports the server's memory per idle open seat (heap and stacks,
// after GC), the time per action of one session played while the 1,000
// seats are held open (p50, p99: from the action sent to the seat's next
// turn, the opponent's move included), and then the same with all 1,000
// seats playing at once.

// benchCmd is a command to the bench client, one JSON line.
type benchCmd struct {
	Hold    []string `json:"hold,omitempty"`    // WebSocket URLs to open and hold at their first turn
	Play    []string `json:"play,omitempty"`    // URLs of sessions to play one after the other
	Actions int      `json:"actions,omitempty"` // how many actions of Play to time
	Release bool     `json:"release,omitempty"` // play every held seat to its end, all at once
}

// benchReply is the bench client's answer.
type benchReply struct {
	Held    int     `json:"held,omitempty"`
	N       int     `json:"n"`
	P50     float64 `json:"p50_us"`
	P99     float64 `json:"p99_us"`
	Max     float64 `json:"max_us"`
	Seconds float64 `json:"seconds"`
	Err     string  `json:"error,omitempty"`
}

func BenchmarkServeWebSocket(b *testing.B) {
	const held = 1000
	text := laptop(b)
	ts := serve(b, newDB(b), "", Config{})
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), agentEnv+"=bench-client")
	cmd.Stderr = os.Stderr
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { in.Close(); cmd.Wait() }()
	replies := lines(out)
	ask := func(c benchCmd) benchReply {
		b.Helper()
		line, _ := json.Marshal(c)
		fmt.Fprintf(in, "%s\n", line)
		if !replies.Scan() {
			b.Fatal("the bench client stopped")
		}
		var r benchReply
		json.Unmarshal(replies.Bytes(), &r)
		if r.Err != "" {
			b.Fatal(r.Err)
		}
		return r
	}
	before := serverMemory()
	none := int64(0)
	var urls []string
	for range held {
		c := ts.create(b, Request{Scenario: text, Seats: []string{Remote, "boulware"}, Deadline: &Deadline{Rounds: 20}, Clock: &Clock{ActionMS: &none}})
		urls = append(urls, c.Seats[0].WS)
	}
	if r := ask(benchCmd{Hold: urls}); r.Held != held {
		b.Fatalf("%d seats held", r.Held)
	}
	perSeat := float64(serverMemory()-before) / held
	// Sessions of 30 actions of the client's seat (frequency against
	// boulware, 40 rounds), enough for b.N.
	var play []string
	for range (b.N + 29) / 30 {
		c := ts.create(b, Request{Scenario: text, Seats: []string{Remote, "boulware"}, Deadline: &Deadline{Rounds: 40}})
		play = append(play, c.Seats[0].WS)
	}
	b.ResetTimer()
	r := ask(benchCmd{Play: play, Actions: b.N})
	b.StopTimer()
	b.ReportMetric(perSeat, "B/idle-seat")
	b.ReportMetric(r.P50, "p50-µs/action")
	b.ReportMetric(r.P99, "p99-µs/action")
	all := ask(benchCmd{Release: true})
	b.ReportMetric(all.P50, "all-p50-µs/action")
	b.ReportMetric(all.P99, "all-p99-µs/action")
	b.ReportMetric(float64(all.N)/all.Seconds, "all-actions/s")
}

// serverMemory is the heap and stacks in use after a GC.
func serverMemory() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// benchClient is the bench client process: it answers benchCmds from
// standard input.
func benchClient() int {
	ctx := context.Background()
	var heldLinks []*replayFirst
	enc := json.NewEncoder(os.Stdout)
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	fail := func(err error) { enc.Encode(benchReply{Err: err.Error()}) }
	for sc.Scan() {
		var c benchCmd
		json.Unmarshal(sc.Bytes(), &c)
		switch {
		case c.Hold != nil:
			for _, u := range c.Hold {
				l, err := DialWebSocket(ctx, u)
				if err != nil {
					fail(err)
					return 1
				}
				h := &replayFirst{link: l}
				for { // up to the first turn, unanswered
					m, err := l.Read()
					if err != nil {
						fail(err)
						return 1
					}
					h.first = append(h.first, m)
					if typeOf(m) == "your_turn" {
						break
					}
				}
				heldLinks = append(heldLinks, h)
			}
			enc.Encode(benchReply{Held: len(heldLinks)})
		case c.Play != nil:
			var lat []time.Duration
			start := time.Now()
			for _, u := range c.Play {
				if len(lat) >= c.Actions {
					break
				}
				l, err := DialWebSocket(ctx, u)
				if err != nil {
					fail(err)
					return 1
				}
				if err := play("frequency", &turnTiming{link: l, lat: &lat}); err != nil {
					fail(err)
					return 1
				}
				l.Close()
			}
			enc.Encode(summary(lat, time.Since(start)))
		case c.Release:
			var mu sync.Mutex
			var lat []time.Duration
			var wg sync.WaitGroup
			start := time.Now()
			for _, l := range heldLinks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var mine []time.Duration
					play("conceder", &turnTiming{link: l, lat: &mine})
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
				}()
			}
			wg.Wait()
			enc.Encode(summary(lat, time.Since(start)))
		}
	}
	return 0
}

// turnTiming is a link that times each action up to the next your_turn.
type turnTiming struct {
	link
	sent time.Time
	lat  *[]time.Duration
}

func (l *turnTiming) Write(m []byte) error {
	l.sent = time.Now()
	return l.link.Write(m)
}

func (l *turnTiming) Read() ([]byte, error) {
	m, err := l.link.Read()
	if err == nil && !l.sent.IsZero() && typeOf(m) == "your_turn" {
		*l.lat = append(*l.lat, time.Since(l.sent))
		l.sent = time.Time{}
	}
	return m, err
}

func summary(lat []time.Duration, d time.Duration) benchReply {
	slices.Sort(lat)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	r := benchReply{N: len(lat), Seconds: d.Seconds()}
	if len(lat) > 0 {
		r.P50, r.P99, r.Max = us(quantile(lat, 0.5)), us(quantile(lat, 0.99)), us(lat[len(lat)-1])
	}
	return r
}

// replayFirst is a link that gives again the messages read while the
// seat was held, then goes on reading.
type replayFirst struct {
	link
	first [][]byte
}

func (l *replayFirst) Read() ([]byte, error) {
	if len(l.first) > 0 {
		m := l.first[0]
		l.first = l.first[1:]
		return m, nil
	}
	return l.link.Read()
}
