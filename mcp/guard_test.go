package mcp

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestGuardRecovers: a panic in a tool's computation is a tool error, and
// the slot it held is given back.
func TestGuardRecovers(t *testing.T) {
	s, err := New(Config{Root: t.TempDir(), Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 2 {
		err := s.guard(context.Background(), func() error { panic("index out of range [3] with length 3") })
		if err == nil || !strings.Contains(err.Error(), "internal error: index out of range [3] with length 3") {
			t.Fatalf("panic: %v", err)
		}
	}
	if err := s.guard(context.Background(), func() error { return nil }); err != nil {
		t.Errorf("after panics: %v", err)
	}
}

// TestGuardWaits: with every slot busy a call waits, and gives up when its
// client does.
func TestGuardWaits(t *testing.T) {
	s, err := New(Config{Root: t.TempDir(), Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	busy, release := make(chan struct{}), make(chan struct{})
	go s.guard(context.Background(), func() error { close(busy); <-release; return nil })
	<-busy
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if err := s.guard(ctx, func() error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
		t.Errorf("a call while the slot is busy: %v, ran %v", err, ran)
	}
	close(release)
	if err := s.guard(context.Background(), func() error { ran = true; return nil }); err != nil || !ran {
		t.Errorf("after the slot is free: %v, ran %v", err, ran)
	}
}
