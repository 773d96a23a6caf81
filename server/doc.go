// Package server is parley's HTTP server (`parley serve`): it runs
// sessions whose seats are played over the network, by programs over
// WebSocket or HTTP long-poll and, later, by people in a browser. Each
// open seat has an unguessable capability token; whoever holds it plays
// that seat, and only that seat. The messages are those of the seat
// protocol (package seat), unchanged; docs/serve.md is the API.
//
// A seat's messages form a numbered stream (openSeat, the seat.Conn of
// the session's seat.Remote): a client reads it from any position, so a
// reconnection loses and repeats nothing. State lives in SQLite: sessions,
// seats (their tokens' digests), streams, what each seat sent and results.
// Since a session is deterministic given what its open seats sent, a
// restarted server rebuilds each session under way and replays it, then
// goes on live: no session is lost to a restart.
//
// A Hub serves the remote: seats of parley run and parley tournament with
// the same transports and rules (transports, openSeat): each seat's
// stream carries every session its negotiator sits in, one after
// another, and lives in memory for the run.
package server
