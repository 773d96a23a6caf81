package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/parleyhq/parley/mcp"
)

// McpCmd serves parley's analysis as Model Context Protocol tools.
type McpCmd struct {
	Root string `default:"." placeholder:"DIR" help:"Folder the tools may read scenarios from (paths are relative to it); nothing outside it is read, not even through a symbolic link."`
	HTTP string `name:"http" placeholder:"ADDR" help:"Serve streamable HTTP on this address (such as 127.0.0.1:8080; port 0 picks a free one) at the path /mcp, instead of stdio."`
}

// Run serves until the client disconnects (stdio) or the process is
// interrupted (HTTP).
func (c *McpCmd) Run(e env) error {
	srv, err := mcp.New(mcp.Config{Root: c.Root, Version: version})
	if err != nil {
		return err
	}
	defer srv.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if c.HTTP == "" {
		// Standard output carries the protocol; nothing else is written to it.
		return srv.ServeStdio(ctx)
	}
	ln, err := net.Listen("tcp", c.HTTP)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", srv.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(e.stderr, "parley mcp: serving http://%s/mcp (root %s)\n", ln.Addr(), c.Root)
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return nil
	}
}
