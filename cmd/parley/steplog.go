package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/parleyhq/parley/budget"
)

// stepLog prints what a long command is doing on standard error, from
// the core's budget.Progress reports: nothing in the first quietFor, then
// a line when the step changes and every repeatEvery; a step that
// announces a large total (indexing millions of outcomes) at once; and
// the total time at the end of a command that ran long.
type stepLog struct {
	mu      sync.Mutex
	w       io.Writer
	start   time.Time
	cur     budget.Progress
	shown   string    // the step of the last line printed
	printed time.Time // when it was printed; zero before the first
}

const (
	quietFor    = 2 * time.Second
	repeatEvery = 10 * time.Second
	// largeTotal: a step of this many units or more says so at once.
	largeTotal = 1_000_000
)

func newStepLog(w io.Writer, start time.Time) *stepLog { return &stepLog{w: w, start: start} }

// set records the core's latest report (on the working goroutine).
func (p *stepLog) set(pr budget.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pr.End {
		if pr.Step == p.cur.Step {
			p.cur = budget.Progress{}
		}
		return
	}
	p.cur = pr
	if pr.Total >= largeTotal && pr.Done == 0 && pr.Step != p.shown {
		p.line(time.Now(), pr.Step+"…")
	}
}

// tick prints a line when one is due (on the watchdog's goroutine).
func (p *stepLog) tick(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur.Step == "" || now.Sub(p.start) < quietFor {
		return
	}
	if p.cur.Step != p.shown || now.Sub(p.printed) >= repeatEvery {
		p.line(now, describe(p.cur))
	}
}

// line prints one line, with the time the command has run.
func (p *stepLog) line(now time.Time, text string) {
	fmt.Fprintf(p.w, "parley: %s: %s\n", seconds(now.Sub(p.start)), text)
	p.shown, p.printed = p.cur.Step, now
}

// last is the latest report.
func (p *stepLog) last() budget.Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// finish prints the total time of a command that printed progress or ran
// for quietFor or more.
func (p *stepLog) finish(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.printed.IsZero() || now.Sub(p.start) >= quietFor {
		fmt.Fprintf(p.w, "parley: done in %s\n", seconds(now.Sub(p.start)))
	}
}

// lockedWriter serialises writes from the command and the watchdog.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
