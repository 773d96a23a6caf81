// Package seat opens parley's seats to programs outside it: the seat
// protocol, a versioned exchange of JSON messages between a session and
// whoever plays one seat (a process on stdin/stdout, a client over
// WebSocket or HTTP, a person in a browser, a language model).
//
// The session tells the seat its settings (its party, the issues, its own
// preferences only, the protocol, the deadline and clock), whose turn it
// is (your_turn, with what it may do), what happened (action_done, the
// public record with any free text), and how it ended (finished, with the
// seat's own payoff). The seat answers each turn with one action: offer,
// accept, reject or end, with optional free text. docs/protocol.md is the
// reference; Schemas gives a JSON Schema for every message.
//
// Remote adapts a Conn (one transport's connection to one seat) to
// session.Outside, so a session steps an outside seat exactly as a
// built-in negotiator: the session stays deterministic given the answers.
// Remote checks every answer and replies to a malformed or illegal one
// with an error that names the field and the legal choices; after
// Options.MaxErrors errors, or on a timeout, a crash, a disconnect, a
// message too long or a flood, the seat fails and the session ends with
// its failure recorded.
package seat
