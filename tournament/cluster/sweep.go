package cluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
)

// sweepJob is a sensitivity sweep as its manifest gives it: the scenario
// file (its SHA-256) and the name it is analysed under, and the options.
type sweepJob struct {
	File            string  `json:"file"`
	Name            string  `json:"name"`
	Samples         int     `json:"samples"`
	Seed            uint64  `json:"seed"`
	MinRatification float64 `json:"min_ratification"`
	Top             int     `json:"top"`
	// Lineup, when the sweep compares the agenda with the package: the
	// sessions that predict each ordering (session.Predictor).
	Lineup *lineup `json:"lineup,omitempty"`
}

// lineup is a session.Predictor's configuration as a manifest carries it.
type lineup struct {
	Negotiators []string `json:"negotiators,omitempty"`
	Protocol    string   `json:"protocol,omitempty"`
	Mediator    string   `json:"mediator,omitempty"`
	Rounds      int      `json:"rounds,omitempty"`
	Seed        uint64   `json:"seed,omitempty"`
	Anticipate  bool     `json:"anticipate,omitempty"`
}

// lineupOf is the manifest's form of p: nil for none; an error for a
// predictor workers cannot rebuild.
func lineupOf(p analysis.Predictor) (*lineup, error) {
	if p == nil {
		return nil, nil
	}
	sp, ok := p.(session.Predictor)
	if !ok {
		return nil, fmt.Errorf("the sweep's predictor (%T) cannot be sent to workers; only session line-ups can", p)
	}
	c := sp.Config
	if c.Deadline.Time != 0 {
		return nil, errors.New("the sweep's line-up has a deadline in time; workers play deadlines in rounds only")
	}
	return &lineup{Negotiators: c.Negotiators, Protocol: c.Protocol, Mediator: c.Mediator, Rounds: c.Deadline.Rounds,
		Seed: c.Seed, Anticipate: c.AnticipateRatification}, nil
}

// predictor rebuilds the line-up's session.Predictor.
func (l *lineup) predictor() analysis.Predictor {
	if l == nil {
		return nil
	}
	return session.Predictor{Config: session.Config{Negotiators: l.Negotiators, Protocol: l.Protocol, Mediator: l.Mediator,
		Deadline: protocol.Deadline{Rounds: l.Rounds}, Seed: l.Seed, AnticipateRatification: l.Anticipate}}
}

// Sweep draws the samples of a sensitivity analysis on workers: data is
// the scenario file parley analyses under name, opts the options as
// analysis.SensitivityOptions.Distribute is given them. It returns the
// parts, which cover every sample, for analysis to merge into the report
// a local run gives. A shard no worker could draw fails the sweep.
func Sweep(ctx context.Context, nc *nats.Conn, data []byte, name string, o analysis.SensitivityOptions, opts Options) ([]*analysis.SensitivityPart, error) {
	if opts.Job == "" {
		var b [8]byte
		rand.Read(b[:])
		opts.Job = "s" + hex.EncodeToString(b[:])
	}
	if opts.ShardSize == 0 {
		// Some 256 shards, each of 1 to 10,000 samples.
		opts.ShardSize = uint64(min(max(1, (o.Samples+255)/256), 10_000))
	}
	lu, err := lineupOf(o.Predictor)
	if err != nil {
		return nil, err
	}
	c := &coordinator{opts: opts, job: opts.Job}
	err = c.start(ctx, nc, func(obs jetstream.ObjectStore) (*manifest, error) {
		sum, err := putBytes(ctx, obs, data)
		if err != nil {
			return nil, err
		}
		return &manifest{Kind: "sweep", Sweep: &sweepJob{File: sum, Name: name, Samples: o.Samples, Seed: o.Seed,
			MinRatification: o.MinRatification, Top: o.Top, Lineup: lu}}, nil
	})
	if err != nil {
		return nil, err
	}
	defer c.finish(context.WithoutCancel(ctx))
	total := uint64(o.Samples)
	var shards []tournament.Shard
	for lo := uint64(0); lo < total; lo += opts.ShardSize {
		shards = append(shards, tournament.Shard{First: lo, End: min(lo+opts.ShardSize, total)})
	}
	parts := map[uint64]*analysis.SensitivityPart{}
	var failures []tournament.ShardFailure
	next, done := 0, uint64(0)
	failedAt := map[uint64]bool{}
	resolved := func() int { return len(parts) + len(failures) }
	for resolved() < len(shards) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for next < len(shards) && next-resolved() < c.opts.Window {
			if err := c.publishShard(ctx, shards[next]); err != nil {
				return nil, err
			}
			next++
		}
		msgs, _ := c.fetch(256, 250*time.Millisecond, nil)
		for _, m := range msgs {
			switch m.Headers().Get(hdrKind) {
			case kindPart:
				w := c.worker(m)
				var p analysis.SensitivityPart
				if err := json.Unmarshal(m.Data(), &p); err == nil && p.From >= 0 && p.To > p.From && uint64(p.To) <= total {
					n := uint64(p.To - p.From)
					w.Sessions += n
					if _, dup := parts[uint64(p.From)]; dup || failedAt[uint64(p.From)] {
						w.Duplicates += n
					} else {
						parts[uint64(p.From)] = &p
						done += n
					}
				}
			default:
				if f, ok := c.note(m); ok && !failedAt[f.First] && parts[f.First] == nil {
					failedAt[f.First] = true
					failures = append(failures, f)
				}
			}
			m.Ack()
		}
	events:
		for {
			select {
			case a := <-c.events:
				if f, ok := c.failure(ctx, a); ok && !failedAt[f.First] && parts[f.First] == nil {
					failedAt[f.First] = true
					failures = append(failures, f)
				}
			default:
				break events
			}
		}
		if opts.Progress != nil && len(msgs) > 0 {
			opts.Progress(&Progress{Done: done, Total: total, Workers: c.stats()})
		}
	}
	// The workers' last done notices, for the figures per worker.
	c.tail(func(m jetstream.Msg) error {
		if m.Headers().Get(hdrKind) != kindPart {
			c.note(m)
		}
		return nil
	}, func() error { return nil })
	if opts.Progress != nil {
		opts.Progress(&Progress{Done: done, Total: total, Workers: c.stats()})
	}
	if len(failures) > 0 {
		var b strings.Builder
		for _, f := range failures {
			fmt.Fprintf(&b, "\n  samples %d to %d, taken %d times: %s", f.First, f.End-1, f.Deliveries, oneLine(f.Reason, 400))
		}
		return nil, fmt.Errorf("no worker could draw %d shards of the sweep:%s", len(failures), b.String())
	}
	out := make([]*analysis.SensitivityPart, 0, len(parts))
	for _, sh := range shards {
		out = append(out, parts[sh.First])
	}
	return out, nil
}

// loadSweep reads the job's scenario file.
func (w *Worker) loadSweep(ctx context.Context, j *job) error {
	sw := j.m.Sweep
	if sw == nil || sw.Samples < 1 {
		return errors.New("the job's manifest gives no sweep")
	}
	data, err := w.fetch.bytes(ctx, sw.File)
	if err != nil {
		return err
	}
	f, err := scenario.DecodeFile(data, sw.Name)
	if err != nil {
		return err
	}
	j.file = f
	j.sweep = analysis.SensitivityOptions{Samples: sw.Samples, Seed: sw.Seed, MinRatification: sw.MinRatification, Top: sw.Top,
		Predictor: sw.Lineup.predictor()}
	return nil
}

// playSweep draws a shard of samples and sends their tally.
func (j *job) playSweep(ctx context.Context, w *Worker, id, run string, sh tournament.Shard) (uint64, error) {
	if sh.End > uint64(j.sweep.Samples) {
		return 0, fmt.Errorf("samples %d to %d, but the sweep has %d", sh.First, sh.End-1, j.sweep.Samples)
	}
	for i := sh.First; i < sh.End; i++ {
		if err := testHooks.session(i); err != nil {
			return 0, err
		}
	}
	p, err := analysis.SensitivitySamples(j.file, j.m.Sweep.Name, j.sweep, int(sh.First), int(sh.End))
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(p); err != nil {
		return 0, err
	}
	m := &nats.Msg{Subject: subjectResults + id, Data: buf.Bytes(), Header: nats.Header{}}
	m.Header.Set(hdrKind, kindPart)
	m.Header.Set(hdrWorker, w.opts.ID)
	msgID := "p." + id + "." + run + "." + strconv.FormatUint(sh.First, 10)
	if err := w.publish(ctx, m, jetstream.WithMsgID(msgID)); err != nil {
		return 0, err
	}
	return sh.Sessions(), nil
}
