"""parley_seat: play a seat of a parley negotiation from Python.

One file, standard library only (Python 3.8 and later). Copy it next to
your agent and import it.

A seat speaks parley's seat protocol (docs/protocol.md, version 1) over one
of three transports:

- standard input and output, one JSON object per line, when parley starts
  the agent itself (``parley run SCENARIO -n 'cmd:python3 my_agent.py',...``);
- a WebSocket (``ws://.../seat/TOKEN/ws``), served by ``parley serve``;
- HTTP long-poll (``http://.../seat/TOKEN``), served by ``parley serve``.

Two ways to write the agent:

- NegMAS-like: subclass ``Negotiator`` and write ``propose(state)`` (an
  outcome, a dict issue id -> value) and ``respond(state, offer)``
  (``"accept"``, ``"reject"`` or ``"end"``);
- GeniusWeb-like: subclass ``Agent`` and handle the events
  ``on_settings``, ``on_your_turn`` (return an action), ``on_action_done``,
  ``on_update``, ``on_finished`` and ``on_error``.

Either way ``run(MyAgent)`` (or ``main(MyAgent)``, which reads a URL from
the command line) plays until the session or the input ends. ``Utility``
computes the seat's utility of an outcome exactly as parley does.

Set the environment variable PARLEY_SEAT_LOG to a file name to append every
message received and sent to it, as JSON lines ``["in", msg]`` and
``["out", msg]`` ({pid} in the name becomes the process id, for sessions
with several Python seats).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import itertools
import json
import os
import random
import socket
import ssl
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = [
    "PROTOCOL_VERSION", "ACCEPT", "REJECT", "END", "OFFER",
    "offer", "accept", "reject", "end", "log",
    "Utility", "State", "Agent", "Negotiator",
    "Transport", "Stdio", "WebSocket", "WebSocketTransport", "LongPoll",
    "connect", "run", "main",
    "ProtocolError", "HandshakeError", "ConnectionClosed",
]

PROTOCOL_VERSION = 1

ACCEPT, REJECT, END, OFFER = "accept", "reject", "end", "offer"


class ProtocolError(Exception):
    """The session, the server or the agent broke the seat protocol."""


def log(*args):
    """Writes a line to standard error: standard output is the protocol's."""
    print("parley_seat:", *args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- actions

def offer(outcome, text=None):
    """An offer of outcome (issue id -> value), with optional free text."""
    a = {"type": OFFER, "outcome": dict(outcome)}
    if text:
        a["text"] = text
    return a


def accept(text=None):
    """Accepts the standing offer, or votes for the text put to the seat."""
    return _simple(ACCEPT, text)


def reject(text=None):
    """Votes against the text put to the seat (vote turns only)."""
    return _simple(REJECT, text)


def end(text=None):
    """Ends the negotiation (GeniusWeb's EndNegotiation)."""
    return _simple(END, text)


def _simple(kind, text):
    a = {"type": kind}
    if text:
        a["text"] = text
    return a


def _action(a):
    """Normalises what an agent returned into an action message: None ends,
    a string names the action, a dict with "type" is an action and one
    without is an outcome to offer."""
    if a is None:
        return end()
    if isinstance(a, str):
        if a not in (ACCEPT, REJECT, END):
            raise ValueError("action %r: give accept, reject, end, or an outcome dict to offer" % (a,))
        return {"type": a}
    if isinstance(a, dict):
        if "type" in a:
            return a
        return offer(a)
    raise TypeError("an action is a dict, a string or None, not %s" % type(a).__name__)


# ---------------------------------------------------------------- utility

def _key(kind, v):
    """A value as a lookup key: option ids as they are, numbers as floats
    (an offer may give a number as a string)."""
    if kind == "discrete":
        return v if isinstance(v, str) else str(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        return v


class Utility:
    """The seat's utility function, as docs/protocol.md defines it:

        u(o) = min(sum_i utility[issue_i][k_i], 1)

    with k_i the index of o's value in the issue's values, or -1 when o
    crosses a red line (every issue the red line names takes one of the
    values it forbids). The sum runs in issue order from 0.0, as parley's,
    so the figures are equal to the last bit.
    """

    #: utility of an outcome that crosses a red line
    UNACCEPTABLE = -1.0

    def __init__(self, issues, preferences):
        self.issues = [i["id"] for i in issues]
        self.values = {i["id"]: list(i["values"]) for i in issues}
        self.kinds = {i["id"]: i.get("kind", "discrete") for i in issues}
        self._index = []
        for i in issues:
            kind = self.kinds[i["id"]]
            self._index.append({_key(kind, v): k for k, v in enumerate(i["values"])})
        table = preferences.get("utility") or {}
        self.tables = []
        for i in issues:
            row = table.get(i["id"])
            if row is None or len(row) != len(i["values"]):
                raise ProtocolError("preferences: the utility of issue %r has %s values, the issue %d"
                                    % (i["id"], "no" if row is None else len(row), len(i["values"])))
            self.tables.append([float(x) for x in row])
        self.reservation = float(preferences.get("reservation", 0.0))
        d = float(preferences.get("discount", 1.0) or 1.0)
        self.discount = d if 0 < d <= 1 else 1.0
        # Each red line: (id, [(issue position, forbidden value indices)]).
        self.red_lines = []
        for rl in preferences.get("red_lines") or []:
            conds = []
            for pos, iid in enumerate(self.issues):
                if iid in rl.get("forbid", {}):
                    kind = self.kinds[iid]
                    conds.append((pos, frozenset(self._index[pos][_key(kind, v)] for v in rl["forbid"][iid])))
            self.red_lines.append((rl.get("id", ""), conds))
        # Each term: (value, [(issue position, allowed value indices)]); it
        # adds its value to the outcomes that match every condition.
        self.terms = []
        for t in preferences.get("terms") or []:
            conds = []
            for pos, iid in enumerate(self.issues):
                if iid in t.get("when", {}):
                    kind = self.kinds[iid]
                    conds.append((pos, frozenset(self._index[pos][_key(kind, v)] for v in t["when"][iid])))
            self.terms.append((float(t.get("value", 0.0)), conds))
        self._sorted = None

    @property
    def size(self):
        """The number of outcomes."""
        n = 1
        for t in self.tables:
            n *= len(t)
        return n

    def index(self, outcome):
        """The value indices of outcome, in issue order; a ValueError names
        a missing issue or an unknown value."""
        idx = []
        for pos, iid in enumerate(self.issues):
            if iid not in outcome:
                raise ValueError("the outcome has no value for issue %r" % iid)
            k = self._index[pos].get(_key(self.kinds[iid], outcome[iid]))
            if k is None:
                raise ValueError("%r is not a value of issue %r; its values: %s"
                                 % (outcome[iid], iid, ", ".join(map(str, self.values[iid]))))
            idx.append(k)
        return tuple(idx)

    def outcome(self, idx):
        """The outcome dict of value indices idx."""
        return {iid: self.values[iid][k] for iid, k in zip(self.issues, idx)}

    def crosses(self, outcome):
        """The id of the first red line the outcome crosses, or None."""
        return self._crosses(self.index(outcome))

    def _crosses(self, idx):
        for rid, conds in self.red_lines:
            if all(idx[pos] in forbidden for pos, forbidden in conds):
                return rid
        return None

    def of_index(self, idx):
        """u of the outcome with value indices idx."""
        if self.red_lines and self._crosses(idx) is not None:
            return self.UNACCEPTABLE
        s = 0.0
        for t, k in zip(self.tables, idx):
            s += t[k]
        for value, conds in self.terms:
            if all(idx[pos] in allowed for pos, allowed in conds):
                s += value
        return 1.0 if s > 1 else s

    def __call__(self, outcome):
        """u(outcome), outcome a dict issue id -> value."""
        return self.of_index(self.index(outcome))

    def discounted(self, u, t):
        """What a deal worth u is worth at normalised time t: u * d**t."""
        return u * self.discount ** t

    def outcomes(self, limit=1000000):
        """Every outcome as (utility, outcome), best first (ties in issue
        order), for spaces of at most limit outcomes; computed once."""
        if self._sorted is None:
            if self.size > limit:
                raise ValueError("the outcome space has %d outcomes, more than the limit %d to enumerate"
                                 % (self.size, limit))
            rows = [(self.of_index(idx), idx) for idx in itertools.product(*[range(len(t)) for t in self.tables])]
            rows.sort(key=lambda r: -r[0])  # stable: ties stay in enumeration order
            self._sorted = [(u, self.outcome(idx)) for u, idx in rows]
        return self._sorted

    def best(self):
        """An outcome of the highest utility (with terms, only in spaces small
        enough to list)."""
        if self.size <= 1000000:
            return self.outcomes()[0][1]
        if self.terms:
            raise ValueError("the best of %d outcomes is found by listing them, and these preferences have terms "
                             "(they are not additive): use of_index on outcomes of your own choosing" % self.size)
        return self.outcome(tuple(max(range(len(t)), key=t.__getitem__) for t in self.tables))

    def at_least(self, x):
        """The outcomes worth at least x, as (utility, outcome), best first."""
        rows = self.outcomes()
        lo, hi = 0, len(rows)
        while lo < hi:  # rows are sorted by decreasing utility
            mid = (lo + hi) // 2
            if rows[mid][0] >= x:
                lo = mid + 1
            else:
                hi = mid
        return rows[:lo]


class BeliefType:
    """One type the seat holds possible for another party: its id, prior,
    believed utility ``ufun`` (a Utility without red lines, whose
    reservation is the believed one or the middle of the believed range;
    None when the seat believes nothing of the party's preferences), the
    believed ``reservation`` or ``reservation_range`` (low, high), and
    ``real``: per red line of the belief, the probability it is real."""

    def __init__(self, issues, t):
        self.id = t.get("id")
        self.prior = float(t.get("prior", 0.0))
        self.reservation = t.get("reservation")
        rr = t.get("reservation_range")
        self.reservation_range = (float(rr["low"]), float(rr["high"])) if rr else None
        self.real = [float(x) for x in t.get("real") or []]
        self.ufun = None
        if t.get("utility") is not None:
            rv = self.reservation
            if rv is None and self.reservation_range:
                rv = sum(self.reservation_range) / 2
            self.ufun = Utility(issues, {"utility": t["utility"], "terms": t.get("terms") or [],
                                         "reservation": rv or 0.0, "discount": 1})


class Belief:
    """What the seat believes of party ``about`` (docs/protocol.md,
    settings "beliefs"): ``types`` (BeliefType), and ``red_lines``, the
    lines the party states (real ones and bluffs alike), as dicts
    {"id", "forbid"}."""

    def __init__(self, issues, b):
        self.about = b.get("about")
        self.types = [BeliefType(issues, t) for t in b.get("types") or []]
        self.red_lines = list(b.get("red_lines") or [])

    def crosses(self, outcome, line):
        """Whether outcome crosses red line number ``line``: every issue it
        names takes one of the values it forbids."""
        forbid = self.red_lines[line].get("forbid") or {}
        return all(outcome.get(i) in vs for i, vs in forbid.items())

    def real(self, line):
        """The probability, over the types, that red line ``line`` is real."""
        return sum(t.prior * t.real[line] for t in self.types if line < len(t.real))


# ---------------------------------------------------------------- state

class State:
    """What the seat knows now: its settings and preferences, the turn it
    is asked to play, the public record of the session."""

    def __init__(self, settings):
        self.settings = settings
        self.session = settings.get("session")
        you = settings.get("you", {})
        self.party = you.get("party")
        self.seat = you.get("seat", 0)
        self.role = you.get("role", "party")
        self.parties = list(settings.get("parties", []))
        self.mediator = settings.get("mediator")
        self.protocol = settings.get("protocol", {}).get("name")
        #: the decision rule when it is not unanimity: {"quorum", "veto",
        #: "doc"}; None when every party must accept a deal
        self.decision = settings.get("decision")
        self.deadline = settings.get("deadline", {})
        self.clock = settings.get("clock", {})
        self.max_errors = settings.get("max_errors", 0)
        self.seed = settings.get("seed", 0)
        #: the seat's own random source: seeded from the session's seed and
        #: the seat, so a seeded agent plays the same session the same way
        self.rng = random.Random(self.seed * 65537 + self.seat)
        #: the public record: every action_done message of the session
        #: (with an agenda, of every phase: phase_start is where the phase
        #: under way starts)
        self.record = []
        self.phase_start = 0
        self.round, self.t = 0, 0.0
        self.turn = None
        self.error = None
        self.result = None
        self.new_phase(settings)

    def new_phase(self, settings):
        """Takes the settings of an agenda phase: its issues and utilities."""
        self.settings = settings
        self.phase_start = len(self.record)
        self.agenda = settings.get("phase")
        self.settled = settings.get("settled", {})
        self.issues = settings.get("issues", [])
        prefs = settings.get("preferences")
        self.ufun = Utility(self.issues, prefs) if prefs else None
        self.reservation = self.ufun.reservation if self.ufun else 0.0
        #: what the seat believes of the other parties (settings "beliefs"):
        #: party id -> Belief, of the phase under way; empty without beliefs
        self.beliefs = {b["about"]: Belief(self.issues, b) for b in settings.get("beliefs") or []}

    def update(self, msg):
        """Takes an update message: new preferences."""
        prefs = msg.get("preferences")
        self.ufun = Utility(self.issues, prefs) if prefs else None
        self.reservation = self.ufun.reservation if self.ufun else 0.0

    def your_turn(self, msg):
        self.turn, self.error = msg, None
        self.round, self.t = msg.get("round", self.round), msg.get("t", self.t)
        if "reservation" in msg:
            self.reservation = msg["reservation"]
            if self.ufun:
                self.ufun.reservation = msg["reservation"]

    def action_done(self, msg):
        self.record.append(msg)
        self.round, self.t = msg.get("round", self.round), msg.get("t", self.t)

    @property
    def relative_time(self):
        """Normalised time in [0, 1]: the share of the deadline used."""
        return self.t

    @property
    def phase(self):
        """What the turn asks: offer, respond, vote or propose."""
        return self.turn.get("phase") if self.turn else None

    @property
    def may(self):
        """The actions the turn allows."""
        return self.turn.get("may", []) if self.turn else []

    @property
    def offer(self):
        """The standing offer (respond) or the text put to a vote, or None."""
        return self.turn.get("offer") if self.turn else None

    @property
    def offer_utility(self):
        return self.turn.get("offer_utility") if self.turn else None

    @property
    def text(self):
        """The mediated protocol's current single text, or None."""
        return self.turn.get("text") if self.turn else None

    @property
    def opponents(self):
        """The negotiating parties other than this seat's."""
        return [p for p in self.parties if p != self.party]

    def offers(self, by=None, phase_only=True):
        """The offers and mediator proposals of the record, oldest first:
        only by party `by` if given, only of the agenda phase under way
        unless phase_only is false (an earlier phase's outcomes have other
        issues, and their "utility" figures were those of their time)."""
        start = self.phase_start if phase_only else 0
        return [a for a in self.record[start:]
                if a.get("event") in ("offer", "propose") and (by is None or a.get("by") == by)]


# ---------------------------------------------------------------- agents

class Agent:
    """The GeniusWeb-like event API: override the handlers you need.

    ``self.state`` is the seat's State, ``self.ufun`` its Utility (None for a
    mediator without interests) and ``self.rng`` its seeded random source.
    A new instance plays each session when ``run`` is given the class.
    """

    state = None

    @property
    def ufun(self):
        return self.state.ufun if self.state else None

    @property
    def rng(self):
        return self.state.rng if self.state else random

    def on_settings(self, settings):
        """A session, or an agenda phase, starts (settings message)."""

    def on_your_turn(self, turn):
        """The seat must act: return an action (offer(), accept(), reject(),
        end(), an outcome dict to offer, or None to end)."""
        return end()

    def on_action_done(self, action):
        """An entry of the public record (the seat's own actions too)."""

    def on_update(self, update):
        """The seat's preferences changed (state.ufun is already the new one)."""

    def on_finished(self, result):
        """The session ended: result has its status and the seat's payoff."""

    def on_error(self, error):
        """The last action was refused (the error is logged to stderr
        already). Return the action to send instead, or None to have
        on_your_turn asked again with state.error set."""
        return None


class Negotiator(Agent):
    """The NegMAS-like API: override propose and respond.

    propose(state) returns the outcome to offer (a dict issue id -> value),
    or None to end the negotiation; it is asked for the first offer, for a
    counter-offer after respond rejected, and for a mediator's text.
    respond(state, offer) returns "accept", "reject" or "end"; in a vote
    (AMOP, the mediated protocols) it is the seat's vote. say(text) attaches
    free text to the next action.
    """

    _text = None

    def on_start(self, settings):
        """A session, or an agenda phase, starts."""

    def on_end(self, result):
        """The session ended (the finished message)."""

    def propose(self, state):
        return state.ufun.best() if state.ufun else None

    def respond(self, state, offer):
        return REJECT

    def say(self, text):
        """Attaches text to the next action, for the public record."""
        self._text = text

    def on_settings(self, settings):
        self.on_start(settings)

    def on_finished(self, result):
        self.on_end(result)

    def on_your_turn(self, turn):
        phase = turn.get("phase")
        if phase in ("respond", "vote"):
            r = self.respond(self.state, turn.get("offer"))
            if r not in (ACCEPT, REJECT, END):
                raise ValueError("respond returned %r: give accept, reject or end" % (r,))
            if r != REJECT or phase == "vote":
                return self._said(_simple(r, None))
        outcome = self.propose(self.state)
        return self._said(end() if outcome is None else offer(outcome))

    def _said(self, a):
        if self._text:
            a["text"], self._text = self._text, None
        return a


# ---------------------------------------------------------------- transports

class Transport:
    """Carries whole messages (dicts) between the session and the seat."""

    #: True for a transport whose stream carries one session: run() returns
    #: after its finished (the built-in transports play until recv() says
    #: the stream ended)
    one_session = False

    def recv(self):
        """The next message, or None when the stream ended."""
        raise NotImplementedError

    def send(self, msg):
        raise NotImplementedError

    def close(self):
        pass


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # made once: json.dumps with options makes one a call


def _dumps(msg):
    return _ENCODER.encode(msg)


class Stdio(Transport):
    """JSON lines on standard input and output (parley starts the agent).
    Standard output belongs to the protocol: on the real one, the agent's
    own print() calls are sent to standard error instead."""

    def __init__(self, rfile=None, wfile=None):
        self.r = rfile or sys.stdin.buffer
        if wfile is None:
            wfile = sys.__stdout__.buffer
            sys.stdout = sys.stderr
        self.w = wfile

    def recv(self):
        while True:
            line = self.r.readline()
            if not line:
                return None
            if line.strip():
                try:
                    return json.loads(line)
                except ValueError as e:
                    raise ProtocolError("not a JSON message: %s: %r" % (e, line[:200]))

    def send(self, msg):
        self.w.write(_dumps(msg).encode("utf-8") + b"\n")
        self.w.flush()


class HandshakeError(ProtocolError):
    """The server did not upgrade the connection to a WebSocket."""

    def __init__(self, status, message):
        ProtocolError.__init__(self, "WebSocket handshake: HTTP %s: %s" % (status, message))
        self.status = status


class ConnectionClosed(ProtocolError):
    """The WebSocket closed: code 1006 when it broke without a close frame."""

    def __init__(self, code, reason=""):
        ProtocolError.__init__(self, "WebSocket closed (%d%s)" % (code, ": " + reason if reason else ""))
        self.code, self.reason = code, reason


_WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

# Opcodes (RFC 6455, 5.2).
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def ws_accept(key):
    """The Sec-WebSocket-Accept a server answers to key (RFC 6455, 4.2.2)."""
    return base64.b64encode(hashlib.sha1(key.encode("ascii") + _WS_GUID).digest()).decode("ascii")


def _mask(payload, key):
    n = len(payload)
    if n == 0:
        return b""
    m = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(m, "big")).to_bytes(n, "big")


def ws_frame(opcode, payload, fin=True, mask_key=None):
    """Encodes one frame; a client masks every frame (mask_key: 4 bytes,
    random when None)."""
    if mask_key is None:
        mask_key = os.urandom(4)
    head = bytearray([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head.append(0x80 | n)
    elif n < 1 << 16:
        head.append(0x80 | 126)
        head += struct.pack("!H", n)
    else:
        head.append(0x80 | 127)
        head += struct.pack("!Q", n)
    return bytes(head) + mask_key + _mask(payload, mask_key)


class WebSocket:
    """A minimal WebSocket client (RFC 6455): text messages, masking,
    fragmented messages, ping/pong and the closing handshake; no
    extensions.

    recv() returns each text message as a str, or None after the server
    closed the connection with a close frame (close_code says why); it
    raises ConnectionClosed(1006) when the connection broke. After
    `keepalive` seconds without a byte from the server it sends a ping, and
    if nothing comes in as long again it takes the connection for broken
    (a server that vanished without closing it).
    """

    def __init__(self, url, timeout=30.0, max_message=64 << 20, keepalive=30.0):
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("ws", "wss"):
            raise ProtocolError("%s: a WebSocket URL starts with ws:// or wss://" % url)
        host = u.hostname or "localhost"
        port = u.port or (443 if u.scheme == "wss" else 80)
        path = (u.path or "/") + ("?" + u.query if u.query else "")
        self.max_message = max_message
        self.keepalive = keepalive
        self._pinged = False
        self.close_code = None
        self.close_reason = ""
        #: the handshake answer's headers, names in lower case
        self.headers = {}
        self._closing = False
        self._buf = bytearray()
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as e:
            raise ConnectionClosed(1006, "cannot connect to %s:%d: %s" % (host, port, e))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if u.scheme == "wss":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        self.sock = sock
        try:
            self._handshake(host if u.port is None else "%s:%d" % (host, u.port), path)
        except BaseException:
            sock.close()
            raise
        sock.settimeout(keepalive)

    def _handshake(self, host, path):
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        req = ("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, host, key))
        self.sock.sendall(req.encode("ascii"))
        while b"\r\n\r\n" not in self._buf:
            if len(self._buf) > 64 << 10:
                raise HandshakeError("?", "response headers longer than 64 KiB")
            self._fill()
        head, _, rest = bytes(self._buf).partition(b"\r\n\r\n")
        self._buf = bytearray(rest)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if status != 101:
            body = bytes(self._buf)
            n = int(headers.get("content-length", "0") or 0)
            try:
                while len(body) < min(n, 4096):
                    chunk = self.sock.recv(4096)
                    if not chunk:
                        break
                    body += chunk
            except OSError:
                pass
            msg = body.decode("utf-8", "replace").strip() or (parts[2] if len(parts) > 2 else "")
            raise HandshakeError(status, msg)
        if headers.get("upgrade", "").lower() != "websocket" or "upgrade" not in headers.get("connection", "").lower():
            raise HandshakeError(status, "the response does not upgrade to websocket")
        if headers.get("sec-websocket-accept") != ws_accept(key):
            raise HandshakeError(status, "wrong Sec-WebSocket-Accept")
        if headers.get("sec-websocket-extensions"):
            raise HandshakeError(status, "the server chose extensions the client did not offer")
        self.headers = headers

    def _fill(self):
        while True:
            try:
                chunk = self.sock.recv(65536)
                break
            except socket.timeout:
                if self._pinged or self._closing:
                    raise ConnectionClosed(1006, "the server went silent (no answer to a ping)")
                self._pinged = True
                self._send(OP_PING, b"keepalive")
            except OSError as e:
                raise ConnectionClosed(1006, str(e))
        self._pinged = False
        if not chunk:
            raise ConnectionClosed(1006, "the connection ended without a close frame")
        self._buf += chunk

    def _read(self, n):
        while len(self._buf) < n:
            self._fill()
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def _send(self, opcode, payload, fin=True):
        try:
            self.sock.sendall(ws_frame(opcode, payload, fin))
        except OSError as e:
            raise ConnectionClosed(1006, str(e))

    def send_text(self, text):
        """Sends one text message in one frame."""
        self._send(OP_TEXT, text.encode("utf-8"))

    def ping(self, payload=b""):
        self._send(OP_PING, payload)

    def _fail(self, code, reason):
        """Closes after a protocol violation by the server."""
        try:
            self._send(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:120])
        except ConnectionClosed:
            pass
        self.sock.close()
        raise ConnectionClosed(code, reason)

    def recv(self):
        parts, size, opcode = [], 0, None
        while True:
            b0, b1 = self._read(2)
            fin, op = b0 & 0x80, b0 & 0x0F
            if b0 & 0x70:
                self._fail(1002, "a frame with reserved bits set")
            if b1 & 0x80:
                self._fail(1002, "a masked frame from the server")
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            if op >= 0x8:
                if n > 125 or not fin:
                    self._fail(1002, "a control frame longer than 125 bytes or fragmented")
            elif size + n > self.max_message:
                self._fail(1009, "a message longer than %d bytes" % self.max_message)
            payload = self._read(n)
            if op == OP_PING:
                self._send(OP_PONG, payload)
            elif op == OP_PONG:
                pass
            elif op == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                self.close_code, self.close_reason = code, payload[2:].decode("utf-8", "replace")
                if not self._closing:
                    try:  # echo the close, as the closing handshake asks
                        self._send(OP_CLOSE, payload[:2])
                    except ConnectionClosed:
                        pass
                self.sock.close()
                return None
            elif op in (OP_TEXT, OP_BINARY):
                if opcode is not None:
                    self._fail(1002, "a new message began inside a fragmented one")
                opcode, parts, size = op, [payload], n
            elif op == OP_CONT:
                if opcode is None:
                    self._fail(1002, "a continuation frame outside a fragmented message")
                parts.append(payload)
                size += n
            else:
                self._fail(1002, "unknown opcode %d" % op)
            if op < 0x8 and fin:
                data = b"".join(parts)
                try:
                    return data.decode("utf-8")
                except UnicodeDecodeError:
                    self._fail(1007, "a text message that is not UTF-8")

    def close(self, code=1000, reason=""):
        """Starts the closing handshake and waits briefly for its answer."""
        if self.close_code is not None:
            return
        self._closing = True
        try:
            self._send(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:120])
            self.sock.settimeout(2.0)
            while self.recv() is not None:
                pass
        except (ConnectionClosed, OSError):
            pass
        finally:
            self.sock.close()


def _with_after(url, n):
    """url with its query parameter after set to n."""
    u = urllib.parse.urlsplit(url)
    q = [(k, v) for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True) if k != "after"]
    if n:
        q.append(("after", str(n)))
    return urllib.parse.urlunsplit((u.scheme, u.netloc, u.path, urllib.parse.urlencode(q), u.fragment))


# Close codes after which the client reconnects: the server went away or
# restarts, or the connection broke.
_RECONNECT = {1001, 1006, 1011, 1012, 1013, 1014}


class WebSocketTransport(Transport):
    """A seat over WebSocket (docs/serve.md): each message one text frame.
    It counts the messages it has read and, when the connection breaks,
    reconnects with ?after=N for up to `grace` seconds, so nothing is lost
    or repeated. It keeps the actions it sent: on reconnecting it sends
    again those after the number the server says it holds (the handshake's
    Parley-Received header), so an action written into a connection that
    broke is not lost. It plays until the server closes the stream (one
    session of parley serve, every session of a remote: seat of parley run
    or parley tournament)."""

    def __init__(self, url, grace=30.0, timeout=30.0):
        self.url, self.grace, self.timeout = url, grace, timeout
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        self.received = int(q.get("after", 0) or 0)
        self.reconnects = 0
        #: actions sent again after a reconnection
        self.resent = 0
        # The actions sent that the server may not hold, oldest first, and
        # how many of the seat's messages came before the first of them;
        # None when the server does not say what it holds.
        self._unsure = []
        self._base = None
        self.ws = None
        self._connect(first=True)

    def _connect(self, first=False):
        if self.ws is not None:
            self.ws.sock.close()  # the broken connection's
        deadline = time.monotonic() + self.grace
        delay = 0.05
        while True:
            try:
                self.ws = WebSocket(_with_after(self.url, self.received), timeout=self.timeout)
                held = _count(self.ws.headers.get("parley-received"))
                if first:
                    self._base = held
                else:
                    self._resend(held)
                    self.reconnects += 1
                return
            except HandshakeError as e:
                # 409: the server still holds the broken connection; 5xx:
                # it restarts. Anything else (an unknown token) is final.
                if first or e.status not in (409, 502, 503, 504):
                    raise
                err = e
            except ConnectionClosed as e:
                if first:
                    raise
                err = e
            if time.monotonic() + delay > deadline:
                raise ConnectionClosed(1006, "could not reconnect within %gs: %s" % (self.grace, err))
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def _resend(self, held):
        """Sends again the actions after the first `held` of the seat's
        messages: those the server did not get before the break."""
        if self._base is None or held is None:
            return
        drop = min(max(held - self._base, 0), len(self._unsure))
        del self._unsure[:drop]
        self._base += drop
        for data in self._unsure:
            self.ws.send_text(data)
            self.resent += 1
        if self._unsure:
            log("sent again %d action(s) the server did not get" % len(self._unsure))

    def recv(self):
        while True:
            try:
                text = self.ws.recv()
            except ConnectionClosed as e:
                if e.code not in _RECONNECT:
                    raise
                log("the connection broke (%s); reconnecting after message %d" % (e, self.received))
                self._connect()
                continue
            if text is None:
                if self.ws.close_code in _RECONNECT:
                    self._connect()
                    continue
                return None
            self.received += 1
            try:
                return json.loads(text)
            except ValueError as e:
                raise ProtocolError("not a JSON message: %s: %r" % (e, text[:200]))

    def send(self, msg):
        data = _dumps(msg)
        if self._base is not None:
            self._unsure.append(data)
        try:
            self.ws.send_text(data)
        except ConnectionClosed:
            # The frame did not go out whole, so the server did not take it:
            # reconnecting sends it again (with a server that does not say
            # what it holds, send it here).
            self._connect()
            if self._base is None:
                self.ws.send_text(data)

    def close(self):
        if self.ws:
            self.ws.close()


def _count(v):
    """A count the server sent (a header, a field), or None."""
    try:
        n = int(v)
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None


class LongPoll(Transport):
    """A seat over HTTP long-poll (docs/serve.md): GET .../messages?after=N
    waits for messages, POST .../action sends an action. Network failures
    are retried for up to `grace` seconds. It plays until a poll says the
    stream is done."""

    def __init__(self, url, wait=25, grace=30.0):
        u = urllib.parse.urlsplit(url)
        path = u.path.rstrip("/")
        for tail in ("/messages", "/action", "/ws"):
            if path.endswith(tail):
                path = path[: -len(tail)]
        q = dict(urllib.parse.parse_qsl(u.query))
        self.base = urllib.parse.urlunsplit((u.scheme, u.netloc, path, "", ""))
        self.after = int(q.get("after", 0) or 0)
        self.wait, self.grace = wait, grace
        self.queue = []
        self.done = False
        self.polls = 0
        #: actions posted again after a failed request
        self.reposts = 0
        # The number of the seat's last message: actions are posted with
        # their number (?n=K), so that one posted twice is taken once. None
        # until a poll says how many the server holds (a server that does
        # not say gets actions without numbers).
        self._sent = None

    def _retry(self, what, fn):
        deadline = time.monotonic() + self.grace
        delay = 0.05
        while True:
            try:
                return fn()
            except urllib.error.HTTPError as e:
                if e.code not in (502, 503, 504):
                    body = e.read(4096).decode("utf-8", "replace").strip()
                    raise ProtocolError("%s: HTTP %d: %s" % (what, e.code, body or e.reason))
                err = e
            except OSError as e:  # URLError, a reset, a timeout: polling again is safe
                err = e
            if time.monotonic() + delay > deadline:
                raise ProtocolError("%s: failed for %gs: %s" % (what, self.grace, err))
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def recv(self):
        while not self.queue:
            if self.done:
                return None
            url = "%s/messages?after=%d&wait=%ds" % (self.base, self.after, self.wait)

            def poll():
                with urllib.request.urlopen(url, timeout=self.wait + 15) as r:
                    return r.read()
            body = self._retry("polling " + url, poll)
            try:
                page = json.loads(body)
            except ValueError as e:
                raise ProtocolError("polling %s: not JSON: %s: %r" % (url, e, body[:200]))
            self.polls += 1
            if self._sent is None:
                self._sent = _count(page.get("received"))
            msgs, nxt = page.get("messages") or [], page.get("next")
            if not isinstance(nxt, int) or nxt != self.after + len(msgs):
                raise ProtocolError("polling %s: next is %r after %d messages from %d" % (url, nxt, len(msgs), self.after))
            self.after = nxt
            self.queue.extend(msgs)
            self.done = page.get("done") is True
        return self.queue.pop(0)

    def send(self, msg):
        url = self.base + "/action"
        numbered = self._sent is not None
        if numbered:
            self._sent += 1
            url += "?n=%d" % self._sent
        data = _dumps(msg).encode("utf-8")

        def post():
            req = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                r.read()
        # A numbered action is posted again until an answer comes (the
        # server takes it once); an unnumbered one only when the connection
        # was refused, as a lost answer could hide an action the server took.
        deadline = time.monotonic() + self.grace
        delay = 0.05
        while True:
            try:
                return post()
            except urllib.error.HTTPError as e:
                if not numbered or e.code not in (502, 503, 504):
                    body = e.read(4096).decode("utf-8", "replace").strip()
                    raise ProtocolError("POST %s: HTTP %d: %s" % (url, e.code, body or e.reason))
                err = e
            except urllib.error.URLError as e:
                if not numbered and not isinstance(e.reason, ConnectionRefusedError):
                    raise ProtocolError("POST %s: %s" % (url, e.reason))
                err = e.reason
            except (OSError, http.client.HTTPException) as e:  # a reset, a timeout, no answer
                if not numbered:
                    raise ProtocolError("POST %s: %s" % (url, e))
                err = e
            if time.monotonic() + delay > deadline:
                raise ProtocolError("POST %s: failed for %gs: %s" % (url, self.grace, err))
            self.reposts += 1
            log("posting the action again (%s)" % (err,))
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def connect(url=None, **kw):
    """The transport for url: ws:// or wss:// a WebSocket, http:// or
    https:// long-poll, None standard input and output."""
    if not url or url == "-":
        return Stdio()
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme in ("ws", "wss"):
        return WebSocketTransport(url, **kw)
    if scheme in ("http", "https"):
        return LongPoll(url, **kw)
    raise ProtocolError("%s: give a ws://, wss://, http:// or https:// seat URL, or none for stdin/stdout" % url)


# ---------------------------------------------------------------- playing

class _Trace:
    """The PARLEY_SEAT_LOG transcript."""

    def __init__(self):
        path = os.environ.get("PARLEY_SEAT_LOG", "").replace("{pid}", str(os.getpid()))
        self.f = open(path, "a", encoding="utf-8") if path else None

    def write(self, direction, msg):
        if self.f:
            self.f.write(_dumps([direction, msg]) + "\n")
            self.f.flush()


def run(agent, url=None, transport=None):
    """Plays sessions with agent until the stream ends: over transport, or
    the one connect(url) makes (stdin/stdout without a URL). agent is an
    Agent class or factory (a new instance per session) or an instance (it
    plays every session). Returns the finished message of each session
    played."""
    if transport is None:
        transport = connect(url)
    factory = agent if callable(agent) and not isinstance(agent, Agent) else None
    player = agent if factory is None else None
    trace = _Trace()
    state, last, results = None, None, []

    def send(a):
        trace.write("out", a)
        transport.send(a)

    try:
        while True:
            msg = transport.recv()
            if msg is None:
                break
            trace.write("in", msg)
            kind = msg.get("type") if isinstance(msg, dict) else None
            if kind == "settings":
                if msg.get("version") != PROTOCOL_VERSION:
                    raise ProtocolError("the session speaks protocol version %r; this client speaks %d"
                                        % (msg.get("version"), PROTOCOL_VERSION))
                phase = msg.get("phase")
                if state is None or not phase or phase.get("index", 0) == 0:
                    state = State(msg)
                    if factory is not None:
                        player = factory()
                else:
                    state.new_phase(msg)
                player.state = state
                player.on_settings(msg)
            elif state is None:
                raise ProtocolError("a %r message before settings" % (kind,))
            elif kind == "your_turn":
                state.your_turn(msg)
                last = _action(player.on_your_turn(msg))
                send(last)
            elif kind == "action_done":
                state.action_done(msg)
                player.on_action_done(msg)
            elif kind == "update":
                state.update(msg)
                player.on_update(msg)
            elif kind == "error":
                log("action refused:", msg.get("message"), "(errors left: %s)" % msg.get("errors_left"))
                state.error = msg
                a = player.on_error(msg)
                if a is None and state.turn is not None:
                    a = player.on_your_turn(state.turn)
                a = _action(a)
                if a == last:
                    a = _fallback(state)
                    log("answering with %s instead of the refused action again" % a["type"])
                last = a
                send(a)
            elif kind == "finished":
                state.result = msg
                results.append(msg)
                player.on_finished(msg)
                if transport.one_session:
                    break
            else:
                log("ignoring a message of unknown type %r" % (kind,))
    finally:
        transport.close()
    if transport.one_session and not results:
        log("the seat's stream ended before the session finished")
    return results


def _fallback(state):
    """A legal action after the same one was refused twice: a vote against,
    the seat's best outcome, or the end."""
    may = state.may
    if REJECT in may:
        return reject()
    if OFFER in may and state.ufun is not None:
        return offer(state.ufun.best())
    return end()


def main(agent, argv=None):
    """Runs agent from the command line: ``python3 agent.py [URL]`` plays
    on stdin/stdout without a URL, else the seat at URL (ws://, http://)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or args and args[0].startswith("-") and args[0] != "-":
        log("usage: %s [SEAT_URL]: no URL plays on stdin/stdout, else the seat at a ws:// or http:// URL"
            % os.path.basename(sys.argv[0]))
        sys.exit(2)
    try:
        run(agent, args[0] if args else None)
    except ProtocolError as e:
        log(e)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
