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

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/web"
)

// ServeCmd runs parley's HTTP server: sessions whose seats are played over
// the network (docs/serve.md) and the web pages (docs/web.md).
type ServeCmd struct {
	Addr     string        `default:"127.0.0.1:8080" help:"Address to listen on. The default serves this machine only; serving other interfaces (such as :8080) is a choice to make knowingly."`
	DB       string        `default:"parley-serve.db" type:"path" help:"SQLite file that holds sessions, seats, their messages and results; a restarted server resumes the sessions under way."`
	Grace    time.Duration `default:"30s" help:"How long an open seat's client may stay away before the seat fails."`
	Examples string        `default:"examples" type:"path" help:"Folder whose scenario files a request may name as \"example\"."`
	URL      string        `help:"The server's address as clients reach it (such as https://parley.example.org), for the seat URLs it hands out; by default each request's Host."`
}

// Run serves until SIGINT or SIGTERM, then stops gracefully: requests
// under way end, what is queued is stored.
func (c *ServeCmd) Run(e env) error {
	if c.Grace <= 0 {
		return fmt.Errorf("--grace %v: give a positive duration", c.Grace)
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	local := false
	if host, _, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		ip := net.ParseIP(host)
		local = ip != nil && ip.IsLoopback()
	}
	if !local {
		e.warn(fmt.Sprintf("serving on %s: anyone who can reach it may create sessions; seats stay protected by their tokens", ln.Addr()))
	}
	// The web pages record every session the server plays: their watcher
	// goes into the server's configuration, and they are mounted on it.
	app, err := web.New(web.Config{Examples: c.Examples, DB: c.DB})
	if err != nil {
		ln.Close()
		return err
	}
	srv, err := server.New(server.Config{DB: c.DB, Grace: c.Grace, Examples: c.Examples, BaseURL: c.URL, Local: local, Watch: app.Watch})
	if err != nil {
		ln.Close()
		return err
	}
	if err := app.Attach(srv); err != nil {
		srv.Close()
		ln.Close()
		return err
	}
	defer app.Close()
	fmt.Fprintf(e.stdout, "parley serve: listening on http://%s (state in %s; %d sessions resumed)\n", ln.Addr(), c.DB, srv.Resumed())
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	hs.RegisterOnShutdown(srv.Disconnect)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		srv.Close()
		return err
	}
	fmt.Fprintln(e.stdout, "parley serve: stopping")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		srv.Close()
		return err
	}
	return srv.Close()
}
