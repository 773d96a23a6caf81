package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/server"
)

// An llm seat of a session made by the pages is an open seat that the app
// plays itself: it reads the seat's stream over the seat protocol, hands
// each message to an llm.Conn (the language model's side of a seat) and
// posts the model's answers back. So the model's answers are stored like
// any seat's, and the session replays after a restart as any other. The
// bridge itself lives in memory only: after a restart an llm seat is not
// played again and fails once its grace period is over (docs/web.md).

var (
	llmOnce sync.Once
	llmPool *llm.Pool
)

func pool() *llm.Pool {
	llmOnce.Do(func() { llmPool = &llm.Pool{} })
	return llmPool
}

// checkLLM checks an llm seat's spec.
func checkLLM(spec string) error {
	_, err := llm.ParseSpec(strings.TrimPrefix(spec, "llm:"))
	return err
}

// startLLM plays an open seat with a language model.
func (a *App) startLLM(id string, s server.SeatLinks, spec string) {
	dial, err := pool().Dial(strings.TrimPrefix(spec, "llm:"))
	if err != nil {
		log.Printf("parley serve: session %s: llm seat %s: %v", id, s.Party, err)
		return
	}
	conn, err := dial()
	if err != nil {
		log.Printf("parley serve: session %s: llm seat %s: %v", id, s.Party, err)
		return
	}
	link := &server.PollLink{Messages: s.Messages, Action: s.Action, Wait: 20 * time.Second, Retry: time.Minute}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer conn.Close()
		if err := bridge(a.ctx, link, conn); err != nil && !errors.Is(err, context.Canceled) {
			log.Printf("parley serve: session %s: llm seat %s: %v", id, s.Party, err)
		}
	}()
}

// bridge hands a seat's messages to conn and its answers to the seat.
func bridge(ctx context.Context, link *server.PollLink, conn seat.Conn) error {
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg, err := link.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := conn.Send(msg); err != nil {
			return err
		}
		var h struct{ Type string }
		json.Unmarshal(msg, &h)
		if h.Type != seat.TypeYourTurn && h.Type != seat.TypeError {
			continue
		}
		m, err := conn.Recv(ctx)
		if err != nil {
			return err
		}
		if err := link.Write(m.Data); err != nil {
			return err
		}
	}
}
