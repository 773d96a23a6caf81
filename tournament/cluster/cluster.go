// Package cluster runs tournaments and sensitivity sweeps on many machines
// through NATS JetStream: a coordinator cuts the work into shards and
// queues them on a work-queue stream; workers anywhere take shards, play
// them and send their results back on another stream; the coordinator
// keeps the results (a tournament's in its SQLite store, exactly once).
//
// Everything a worker needs comes through NATS: the spec and the scenario
// files are put in an object store bucket under their SHA-256, and a
// shard names the manifest (itself an object) that lists them. Only the
// programs of cmd: agents must be on the worker's machine.
//
// What makes it exactly once: a worker acknowledges a shard only after
// JetStream has stored every result of it, so a worker that dies leaves the
// shard to be delivered again (after the consumer's ack wait) and its
// results so far in the stream; results are checked and written with
// WriteRemote, which drops sessions already recorded; and the coordinator
// acknowledges results only after committing them, so a coordinator that
// dies finds them again when it restarts. A shard delivered max_deliver
// times without its results is recorded as failed, with why.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The names a deployment of parley uses in its NATS account.
const (
	// StreamShards is the work queue of shards, subjects parley.shards.JOB.
	StreamShards = "PARLEY_SHARDS"
	// StreamResults holds what workers send back, subjects
	// parley.results.JOB, until the job's coordinator has kept it.
	StreamResults = "PARLEY_RESULTS"
	// StreamEvents keeps JetStream's advisories that a shard reached
	// max_deliver, so that a coordinator that was briefly away still sees
	// them.
	StreamEvents = "PARLEY_EVENTS"
	// Bucket is the object store of specs, scenario files and manifests,
	// each under sha256/HEX.
	Bucket = "parley"
	// WorkersConsumer is the durable pull consumer every worker takes
	// shards from.
	WorkersConsumer = "parley-workers"

	subjectShards  = "parley.shards."
	subjectResults = "parley.results."
	maxDeliveries  = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + StreamShards + "." + WorkersConsumer
)

// Settings are the streams' and the workers' consumer's settings, which a
// coordinator creates or updates (see docs/scale-out.md for why these).
type Settings struct {
	// AckWait is how long a worker may hold a shard without a word before
	// it is delivered to another (workers send progress every third of
	// it while they play); default 30s.
	AckWait time.Duration
	// MaxDeliver is how many times a shard is delivered before it is
	// recorded as failed; default 3.
	MaxDeliver int
	// Replicas is the streams' replication in a NATS cluster; default 1.
	Replicas int
}

func (s Settings) withDefaults() Settings {
	if s.AckWait <= 0 {
		s.AckWait = 30 * time.Second
	}
	if s.MaxDeliver <= 0 {
		s.MaxDeliver = 3
	}
	if s.Replicas <= 0 {
		s.Replicas = 1
	}
	return s
}

// Connect connects to the NATS server(s) at url (comma-separated), for
// good: it reconnects whenever the connection drops, so that a NATS
// restart only pauses a run.
func Connect(url, name string) (*nats.Conn, error) {
	nc, err := nats.Connect(url, nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond),
		nats.RetryOnFailedConnect(false), nats.Timeout(5*time.Second))
	if err != nil {
		return nil, fmt.Errorf("cannot connect to NATS at %s: %w", url, err)
	}
	return nc, nil
}

// Setup creates parley's streams, its object store and the workers'
// consumer on NATS, or updates them to s, as a coordinator does when it
// starts: run ahead of the workers, it lets them take shards at once.
func Setup(ctx context.Context, nc *nats.Conn, s Settings) error {
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	return setup(ctx, js, s.withDefaults())
}

// setup creates the streams, the object store and the workers' consumer,
// or updates them to s.
func setup(ctx context.Context, js jetstream.JetStream, s Settings) error {
	streams := []jetstream.StreamConfig{
		{Name: StreamShards, Subjects: []string{subjectShards + ">"}, Retention: jetstream.WorkQueuePolicy,
			Storage: jetstream.FileStorage, Replicas: s.Replicas, Duplicates: 2 * time.Minute},
		// Results no coordinator takes for a week (a job given up, a
		// worker's late notice) expire: a coordinator started later
		// plays their shards again.
		{Name: StreamResults, Subjects: []string{subjectResults + ">"}, Retention: jetstream.WorkQueuePolicy,
			Storage: jetstream.FileStorage, Replicas: s.Replicas, Duplicates: 2 * time.Minute, MaxAge: 7 * 24 * time.Hour},
		{Name: StreamEvents, Subjects: []string{maxDeliveries}, Retention: jetstream.LimitsPolicy,
			Storage: jetstream.FileStorage, Replicas: s.Replicas, MaxAge: 24 * time.Hour},
	}
	for _, c := range streams {
		if _, err := js.CreateOrUpdateStream(ctx, c); err != nil {
			return fmt.Errorf("NATS stream %s: %w", c.Name, err)
		}
	}
	if _, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: Bucket, Storage: jetstream.FileStorage, Replicas: s.Replicas,
		Description: "parley: specs, scenario files and job manifests by SHA-256"}); err != nil {
		return fmt.Errorf("NATS object store %s: %w", Bucket, err)
	}
	_, err := js.CreateOrUpdateConsumer(ctx, StreamShards, jetstream.ConsumerConfig{
		Durable: WorkersConsumer, Description: "parley workers take shards here",
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: s.AckWait, MaxDeliver: s.MaxDeliver,
		FilterSubject: subjectShards + ">", MaxAckPending: 100_000, MaxWaiting: 4096, Replicas: s.Replicas,
	})
	if err != nil {
		return fmt.Errorf("NATS consumer %s: %w", WorkersConsumer, err)
	}
	return nil
}

// Headers of parley's messages.
const (
	hdrJob      = "Parley-Job"
	hdrManifest = "Parley-Manifest"
	hdrKind     = "Parley-Kind"
	hdrWorker   = "Parley-Worker"
	hdrRun      = "Parley-Run" // a coordinator's run of a job, which notices echo
)

// Kinds of result messages.
const (
	kindRecords = "records" // a tournament's encoded records
	kindPart    = "part"    // a sweep's tally of samples
	kindTook    = "took"    // a worker took a shard
	kindDone    = "done"    // a worker finished a shard
	kindError   = "error"   // a worker could not play a shard this time
	kindFailed  = "failed"  // ... and it was the shard's last delivery
)

// notice is what a took, done, error or failed message says.
type notice struct {
	First    uint64        `json:"first"`
	End      uint64        `json:"end"`
	Delivery int           `json:"delivery"`
	Elapsed  time.Duration `json:"elapsed_ns,omitempty"`
	Sessions uint64        `json:"sessions,omitempty"`
	Error    string        `json:"error,omitempty"`
}

// DefaultWorkerID names a worker by its host and process.
func DefaultWorkerID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "worker"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// retry calls f until it succeeds or ctx ends, waiting a little longer
// after each failure (up to 2s): NATS may be restarting.
func retry(ctx context.Context, f func() error) error {
	wait := 50 * time.Millisecond
	for {
		err := f()
		if err == nil {
			return nil
		}
		if errors.Is(err, errPermanent) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", context.Cause(ctx), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// errPermanent marks an error retry must not retry.
var errPermanent = errors.New("permanent")
