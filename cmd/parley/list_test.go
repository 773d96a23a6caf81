package main

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/forecast"
	"github.com/parleyhq/parley/negotiator"
	"github.com/parleyhq/parley/protocol"
)

func TestListNamesEverything(t *testing.T) {
	code, out, errs := runCLI("list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	names := append(protocol.Names(), forecast.ModelNames()...)
	for _, m := range forecast.Models() {
		if !strings.Contains(out, "source: "+m.Source) {
			t.Errorf("list lacks the source of %s", m.Name)
		}
	}
	for _, s := range negotiator.Strategies() {
		names = append(names, s.Name)
		if !strings.Contains(out, "source: "+s.Source) {
			t.Errorf("list lacks the source of %s", s.Name)
		}
	}
	for _, n := range names {
		if !strings.Contains(out, "  "+n+" ") {
			t.Errorf("list lacks %q", n)
		}
	}
}
