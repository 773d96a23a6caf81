package seat

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/parleyhq/parley/session"
)

// Conn is one transport's connection to one seat: a process's pipes, a
// WebSocket, an HTTP long-poll queue, an in-memory pipe in tests.
type Conn interface {
	// Send delivers one message (a JSON object, no newline) to the seat. It
	// counts the message as sent before it writes it (see Message.Seen).
	Send(msg []byte) error
	// Recv returns the next message from the seat, waiting until one
	// comes or ctx ends. Its errors say what happened: a *ConnError for
	// what the seat did (exited, disconnected, sent too much), ctx's error
	// when the wait ran out.
	Recv(ctx context.Context) (Message, error)
	// Buffered is the number of messages received and not yet read:
	// messages a seat sent when it was not asked to.
	Buffered() int
	// Close ends the connection (and stops a process).
	Close() error
}

// Message is a message from the seat. Seen is how many messages had been
// sent to the seat when it arrived: a message that arrived before the seat
// was sent your_turn cannot answer it.
type Message struct {
	Data []byte
	Seen uint64
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
	b := make(chan Message, MaxBuffered)
	done := make(chan struct{})
	c := &pipeConn{in: b, out: a, done: done}
	return c, &PipeEnd{In: a, out: b, done: done, conn: c}
}

type pipeConn struct {
	in     chan Message
	out    chan []byte
	done   chan struct{}
	sent   atomic.Uint64
	closed bool
}

func (p *pipeConn) Send(msg []byte) error {
	p.sent.Add(1)
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

func (p *pipeConn) Recv(ctx context.Context) (Message, error) {
	select {
	case m, ok := <-p.in:
		if !ok {
			return Message{}, &ConnError{Cause: session.CauseDisconnect, Message: "the seat closed its end"}
		}
		return m, nil
	case <-ctx.Done():
		return Message{}, ctx.Err()
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

// PipeEnd is the seat's end of a Pipe: it reads In and writes with Write.
type PipeEnd struct {
	In   <-chan []byte
	out  chan Message
	done chan struct{}
	conn *pipeConn
}

// Write sends a message to the session.
func (e *PipeEnd) Write(msg []byte) { e.out <- Message{Data: msg, Seen: e.conn.sent.Load()} }

// Close tells the session end that the seat went away.
func (e *PipeEnd) Close() { close(e.done); close(e.out) }
