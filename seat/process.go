package seat

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/session"
)

// Process is a Conn to a child process that speaks the seat protocol as
// JSON lines on its standard input and output: the simplest way to bring
// an agent written in any language. Its standard error is kept (the last
// few kilobytes) for the message when it fails.
type Process struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	w     *bufio.Writer
	msgs  chan Message
	sent  atomic.Uint64
	done  chan struct{} // closed when the reader stops
	stop  chan struct{} // closed by Close
	once  sync.Once

	mu      sync.Mutex
	readErr *ConnError // why the reader stopped, if the seat misbehaved
	stderr  tail
	exit    error
	exited  chan struct{}
}

// SplitCommand splits a command line into words as a POSIX shell would
// for the simple cases agents need: spaces separate words, single quotes
// keep everything, double quotes keep spaces, a backslash escapes the next
// character. No variables, globs or pipes: the command runs without a
// shell.
func SplitCommand(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	in, quote, esc := false, rune(0), false
	for _, c := range s {
		switch {
		case esc:
			w.WriteRune(c)
			esc, in = false, true
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				w.WriteRune(c)
			}
		case c == '\\':
			esc = true
		case quote == '"':
			if c == '"' {
				quote = 0
			} else {
				w.WriteRune(c)
			}
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteRune(c)
			in = true
		}
	}
	switch {
	case quote != 0:
		return nil, fmt.Errorf("command %q: unclosed %c quote", s, quote)
	case esc:
		return nil, fmt.Errorf("command %q ends with a backslash", s)
	}
	if in {
		words = append(words, w.String())
	}
	if len(words) == 0 {
		return nil, errors.New("empty command")
	}
	return words, nil
}

// StartProcess starts argv in dir (empty: the current folder) as a seat.
func StartProcess(argv []string, dir string) (*Process, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	setGroup(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, stdin: stdin, w: bufio.NewWriterSize(stdin, 64<<10),
		msgs: make(chan Message, MaxBuffered), done: make(chan struct{}), stop: make(chan struct{}), exited: make(chan struct{})}
	cmd.Stderr = &p.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start %s: %w", strings.Join(argv, " "), err)
	}
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.exit = err
		p.mu.Unlock()
		close(p.exited)
	}()
	go p.read(stdout)
	return p, nil
}

// read splits stdout into messages, refusing a line longer than
// MaxMessage without keeping it, and more than MaxBuffered unread ones.
func (p *Process) read(stdout io.Reader) {
	defer close(p.done)
	br := bufio.NewReaderSize(stdout, 64<<10)
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > MaxMessage+1 {
			p.setErr(&ConnError{Cause: session.CauseGarbage, Message: fmt.Sprintf("it wrote a line of more than %d bytes", MaxMessage)})
			p.kill()
			return
		}
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(bytes.TrimSpace(line)) > 0 && (err == nil || len(line) > 0) {
			select {
			case p.msgs <- Message{Data: bytes.TrimRight(line, "\r\n"), Seen: p.sent.Load()}:
			default:
				p.setErr(&ConnError{Cause: session.CauseFlood, Message: fmt.Sprintf("more than %d messages arrived while it was not the seat's turn", MaxBuffered)})
				p.kill()
				return
			}
		}
		line = nil
		if err != nil {
			return // EOF: Recv reports how the process ended
		}
	}
}

func (p *Process) setErr(e *ConnError) {
	p.mu.Lock()
	if p.readErr == nil {
		p.readErr = e
	}
	p.mu.Unlock()
}

// Send implements Conn.
func (p *Process) Send(msg []byte) error {
	p.sent.Add(1)
	p.w.Write(msg)
	p.w.WriteByte('\n')
	if err := p.w.Flush(); err != nil {
		return p.ended()
	}
	return nil
}

// Recv implements Conn.
func (p *Process) Recv(ctx context.Context) (Message, error) {
	select {
	case m := <-p.msgs:
		return m, nil
	default:
	}
	select {
	case m := <-p.msgs:
		return m, nil
	case <-p.done:
		select {
		case m := <-p.msgs:
			return m, nil
		default:
		}
		return Message{}, p.ended()
	case <-ctx.Done():
		return Message{}, ctx.Err()
	}
}

// ended explains why the process stopped talking.
func (p *Process) ended() error {
	p.mu.Lock()
	e := p.readErr
	p.mu.Unlock()
	if e != nil {
		return e
	}
	select {
	case <-p.exited:
	case <-time.After(2 * time.Second):
		return &ConnError{Cause: session.CauseCrash, Message: "it closed its standard output" + p.lastWords()}
	}
	p.mu.Lock()
	exit := p.exit
	p.mu.Unlock()
	status := "exited"
	if exit != nil {
		status = exit.Error()
	}
	return &ConnError{Cause: session.CauseCrash, Message: "the agent process " + status + " in the middle of the session" + p.lastWords()}
}

func (p *Process) lastWords() string {
	if s := strings.TrimSpace(p.stderr.String()); s != "" {
		return "; its standard error ends: " + excerpt([]byte(s[max(0, len(s)-300):]))
	}
	return ""
}

// Buffered implements Conn.
func (p *Process) Buffered() int { return len(p.msgs) }

// Close implements Conn: it closes the process's standard input, gives it
// a moment to exit, then kills it (and its children).
func (p *Process) Close() error {
	p.once.Do(func() {
		close(p.stop)
		p.stdin.Close()
		select {
		case <-p.exited:
		case <-time.After(500 * time.Millisecond):
			p.kill()
			<-p.exited
		}
	})
	return nil
}

func (p *Process) kill() {
	killGroup(p.cmd)
}

// tail keeps the last bytes written to it.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailSize = 4096

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > tailSize {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailSize:]...)
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// Pid is the agent process's id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }
