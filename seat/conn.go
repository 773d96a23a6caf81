package seat

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/session"
)

// Conn is one transport's connection to one seat: a process's pipes, a
// WebSocket, an HTTP long-poll queue, an in-memory pipe in tests.
type Conn interface {
	// Send delivers one message (a JSON object, no newline) to the seat.
	Send(msg []byte) error
	// Recv returns the next message from the seat, waiting until one
	// comes or ctx ends. Its errors say what happened: a *ConnError for
	// what the seat did (exited, disconnected, sent too much), ctx's error
	// when the wait ran out.
	Recv(ctx context.Context) ([]byte, error)
	// Buffered is the number of messages received and not yet read:
	// messages a seat sent when it was not asked to.
	Buffered() int
	// Close ends the connection (and stops a process).
	Close() error
}

// ConnError is what a transport saw a seat do wrong.
type ConnError struct {
	Cause   session.Cause
	Message string
}

func (e *ConnError) Error() string { return fmt.Sprintf("%s: %s", e.Cause, e.Message) }

// Limits every transport applies to what a seat sends.
const (
	// MaxMessage is the longest message a seat may send; a longer one
	// fails the seat (it could only be garbage or an attack).
	MaxMessage = 1 << 20
	// MaxBuffered is how many unread messages a seat may have waiting; one
	// more fails it as a flood.
	MaxBuffered = 256
)

// ErrClosed is returned by a Conn used after Close.
var ErrClosed = errors.New("seat connection closed")

// Pipe is an in-memory Conn pair for tests and for seats played in the
// same process: the session end and the seat end.
func Pipe() (sessionEnd Conn, seatEnd *PipeEnd) {
	a := make(chan []byte, MaxBuffered)
	b := make(chan []byte, MaxBuffered)
	done := make(chan struct{})
	return &pipeConn{in: b, out: a, done: done}, &PipeEnd{In: a, Out: b, done: done}
}

type pipeConn struct {
	in, out chan []byte
	done    chan struct{}
	closed  bool
}

func (p *pipeConn) Send(msg []byte) error {
	select {
	case <-p.done:
		return &ConnError{Cause: session.CauseDisconnect, Message: "the seat closed its end"}
	default:
	}
	select {
	case p.out <- append([]byte(nil), msg...):
		return nil
	case <-p.done:
		return &ConnError{Cause: session.CauseDisconnect, Message: "the seat closed its end"}
	}
}

func (p *pipeConn) Recv(ctx context.Context) ([]byte, error) {
	select {
	case m, ok := <-p.in:
		if !ok {
			return nil, &ConnError{Cause: session.CauseDisconnect, Message: "the seat closed its end"}
		}
		return m, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *pipeConn) Buffered() int { return len(p.in) }

func (p *pipeConn) Close() error {
	if !p.closed {
		p.closed = true
		close(p.out)
	}
	return nil
}

// PipeEnd is the seat's end of a Pipe: it reads In and writes Out.
type PipeEnd struct {
	In   <-chan []byte
	Out  chan<- []byte
	done chan struct{}
}

// Close tells the session end that the seat went away.
func (e *PipeEnd) Close() { close(e.done); close(e.Out) }
