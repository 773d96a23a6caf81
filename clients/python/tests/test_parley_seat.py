"""Unit tests of parley_seat: WebSocket framing and handshake, Utility, the
agent APIs and the message loop. Run: python3 -m unittest discover -s tests -t .
(go test ./clients/python runs them too)."""

import http.server
import io
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import parley_seat as ps  # noqa: E402

LAPTOP_ISSUES = [
    {"id": "Laptop", "kind": "discrete", "values": ["Dell", "Macintosh", "HP"]},
    {"id": "Harddisk", "kind": "discrete", "values": ["60 Gb", "80 Gb", "120 Gb"]},
    {"id": "External Monitor", "kind": "discrete", "values": ["19'' LCD", "20'' LCD", "23'' LCD"]},
]
LAPTOP_PREFS = {"utility": {"Laptop": [0.17808503086622526, 0.2968083847770421, 0.4452125771655631],
                            "Harddisk": [0.37808251708013424, 0.2520550113867561, 0.11342475512404027],
                            "External Monitor": [0.1767567099260568, 0.0589189033086856, 0.1178378066173712]},
                "reservation": 0.1, "discount": 0.5}


def settings(**kw):
    s = {"type": "settings", "version": 1, "session": "1",
         "you": {"party": "buyer", "seat": 0, "role": "party"}, "parties": ["buyer", "seller"],
         "protocol": {"name": "saop"}, "deadline": {"rounds": 10}, "max_errors": 3, "seed": 7,
         "issues": LAPTOP_ISSUES, "preferences": LAPTOP_PREFS}
    s.update(kw)
    return s


class UtilityTest(unittest.TestCase):
    def test_sum_in_issue_order_and_clamp(self):
        u = ps.Utility(LAPTOP_ISSUES, LAPTOP_PREFS)
        o = {"Laptop": "HP", "Harddisk": "60 Gb", "External Monitor": "19'' LCD"}
        s = 0.0
        for x in (0.4452125771655631, 0.37808251708013424, 0.1767567099260568):
            s += x
        self.assertGreater(s, 1.0)  # the best outcome sums past 1 by rounding
        self.assertEqual(u(o), 1.0)
        o2 = {"Laptop": "Dell", "Harddisk": "80 Gb", "External Monitor": "20'' LCD"}
        self.assertEqual(u(o2), 0.0 + 0.17808503086622526 + 0.2520550113867561 + 0.0589189033086856)
        self.assertEqual(u.size, 27)
        self.assertEqual(u.reservation, 0.1)
        self.assertAlmostEqual(u.discounted(0.8, 1.0), 0.4)

    def test_red_lines(self):
        issues = [{"id": "territory", "kind": "discrete", "values": ["none", "ceded"]},
                  {"id": "guarantee", "kind": "discrete", "values": ["none", "pledge"]},
                  {"id": "troops", "kind": "discrete", "values": ["none", "european"]}]
        prefs = {"utility": {"territory": [0.4, 0.1], "guarantee": [0.0, 0.3], "troops": [0.2, 0.1]},
                 "reservation": 0.2, "discount": 1,
                 "red_lines": [{"id": "keep_land", "forbid": {"territory": ["ceded"], "guarantee": ["none"]}}]}
        u = ps.Utility(issues, prefs)
        crossing = {"territory": "ceded", "guarantee": "none", "troops": "none"}
        self.assertEqual(u(crossing), -1.0)
        self.assertEqual(u.crosses(crossing), "keep_land")
        # Only one of the two issues forbidden: not crossed.
        fine = {"territory": "ceded", "guarantee": "pledge", "troops": "none"}
        self.assertIsNone(u.crosses(fine))
        self.assertEqual(u(fine), 0.1 + 0.3 + 0.2)
        rows = u.outcomes()
        self.assertEqual(rows[-1][0], -1.0)
        self.assertEqual(sum(1 for r in rows if r[0] == -1.0), 2)

    def test_terms(self):
        # A non-linear utility: a rectangle on two integer issues and a term
        # on no issue, on top of zero tables (as a Genius non-linear profile).
        issues = [{"id": "a", "kind": "integer", "values": [0, 1, 2]},
                  {"id": "b", "kind": "integer", "values": [5, 6]}]
        prefs = {"utility": {"a": [0, 0, 0], "b": [0, 0]}, "reservation": 0, "discount": 1,
                 "terms": [{"when": {"a": [1, 2], "b": [6]}, "value": 0.5}, {"when": {}, "value": 0.25}]}
        u = ps.Utility(issues, prefs)
        self.assertEqual(u({"a": 1, "b": 6}), 0.75)
        self.assertEqual(u({"a": 0, "b": 6}), 0.25)
        self.assertEqual(u({"a": 2, "b": 5}), 0.25)
        self.assertEqual(u(u.best()), 0.75)

    def test_numbers(self):
        issues = [{"id": "salary", "kind": "integer", "values": [40, 41, 42]},
                  {"id": "remote", "kind": "real", "values": [0, 2.5, 5]}]
        prefs = {"utility": {"salary": [0.5, 0.25, 0.0], "remote": [0.1, 0.5, 0.0]}, "reservation": 0, "discount": 1}
        u = ps.Utility(issues, prefs)
        self.assertEqual(u({"salary": 41, "remote": 2.5}), 0.75)
        # Numbers may come as strings, integers as floats.
        self.assertEqual(u({"salary": "41", "remote": "2.5"}), 0.75)
        self.assertEqual(u({"salary": 40.0, "remote": 0.0}), 0.6)

    def test_outcomes_sorted_and_at_least(self):
        u = ps.Utility(LAPTOP_ISSUES, LAPTOP_PREFS)
        rows = u.outcomes()
        self.assertEqual(len(rows), 27)
        us = [r[0] for r in rows]
        self.assertEqual(us, sorted(us, reverse=True))
        for x, o in rows:
            self.assertEqual(u(o), x)
        self.assertEqual(u.best(), rows[0][1])
        above = u.at_least(0.8)
        self.assertTrue(above and all(r[0] >= 0.8 for r in above))
        self.assertTrue(all(r[0] < 0.8 for r in rows[len(above):]))
        self.assertEqual(u.at_least(2), [])
        with self.assertRaises(ValueError):
            u.outcomes(limit=10) if u._sorted is None else ps.Utility(LAPTOP_ISSUES, LAPTOP_PREFS).outcomes(limit=10)

    def test_bad_outcomes(self):
        u = ps.Utility(LAPTOP_ISSUES, LAPTOP_PREFS)
        with self.assertRaisesRegex(ValueError, "'Apple' is not a value of issue 'Laptop'; its values: Dell, Macintosh, HP"):
            u({"Laptop": "Apple", "Harddisk": "60 Gb", "External Monitor": "19'' LCD"})
        with self.assertRaisesRegex(ValueError, "no value for issue 'Harddisk'"):
            u({"Laptop": "HP", "External Monitor": "19'' LCD"})
        with self.assertRaisesRegex(ps.ProtocolError, "issue 'Laptop' has 2 values, the issue 3"):
            ps.Utility(LAPTOP_ISSUES, {"utility": dict(LAPTOP_PREFS["utility"], Laptop=[0.1, 0.2])})


# ---------------------------------------------------------------- framing

class FrameTest(unittest.TestCase):
    def test_rfc6455_vectors(self):
        # RFC 6455 section 1.3: the handshake's example key.
        self.assertEqual(ps.ws_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        # Section 5.7: a masked text frame of "Hello".
        self.assertEqual(ps.ws_frame(ps.OP_TEXT, b"Hello", mask_key=bytes([0x37, 0xfa, 0x21, 0x3d])),
                         bytes([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]))

    def test_lengths(self):
        key = b"\x01\x02\x03\x04"
        f = ps.ws_frame(ps.OP_TEXT, b"x" * 125, mask_key=key)
        self.assertEqual(f[1], 0x80 | 125)
        f = ps.ws_frame(ps.OP_BINARY, b"x" * 256, mask_key=key)
        self.assertEqual(f[:4], bytes([0x82, 0xFE, 0x01, 0x00]))
        self.assertEqual(len(f), 4 + 4 + 256)
        f = ps.ws_frame(ps.OP_TEXT, b"x" * 65536, fin=False, mask_key=key)
        self.assertEqual(f[:10], bytes([0x01, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0]))
        # Masking twice gives the payload back.
        self.assertEqual(ps._mask(ps._mask(b"abcdefg", key), key), b"abcdefg")
        self.assertEqual(ps._mask(b"", key), b"")


def server_frame(opcode, payload, fin=True):
    """An unmasked frame, as a server sends."""
    head = bytearray([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head.append(n)
    elif n < 1 << 16:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return bytes(head) + payload


def read_client_frame(sock):
    """Reads one frame from the client: (fin, opcode, payload, masked)."""
    def exact(n):
        b = b""
        while len(b) < n:
            c = sock.recv(n - len(b))
            if not c:
                raise EOFError
            b += c
        return b
    b0, b1 = exact(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", exact(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", exact(8))[0]
    key = exact(4) if b1 & 0x80 else None
    payload = exact(n)
    if key:
        payload = ps._mask(payload, key)
    return bool(b0 & 0x80), b0 & 0x0F, payload, key is not None


def socket_ws(test):
    """A WebSocket past its handshake on one end of a socket pair."""
    a, b = socket.socketpair()
    test.addCleanup(a.close)
    test.addCleanup(b.close)
    ws = ps.WebSocket.__new__(ps.WebSocket)
    ws.sock, ws._buf, ws.max_message = a, bytearray(), 1 << 20
    ws.close_code, ws.close_reason, ws._closing = None, "", False
    ws.keepalive, ws._pinged, ws.headers = 5.0, False, {}
    a.settimeout(ws.keepalive)
    b.settimeout(5)
    return ws, b


class RecvTest(unittest.TestCase):
    def test_fragments_and_ping(self):
        ws, srv = socket_ws(self)
        srv.sendall(server_frame(ps.OP_TEXT, b"Hel", fin=False) + server_frame(ps.OP_PING, b"are you there")
                    + server_frame(ps.OP_CONT, "lo \u00e9".encode("utf-8")[:3], fin=False)
                    + server_frame(ps.OP_CONT, "lo \u00e9".encode("utf-8")[3:]))
        self.assertEqual(ws.recv(), "Hello \u00e9")
        fin, op, payload, masked = read_client_frame(srv)
        self.assertEqual((fin, op, payload, masked), (True, ps.OP_PONG, b"are you there", True))

    def test_long_message(self):
        ws, srv = socket_ws(self)
        text = "x" * 70000
        threading.Thread(target=srv.sendall, args=(server_frame(ps.OP_TEXT, text.encode()),)).start()
        self.assertEqual(ws.recv(), text)

    def test_send_is_masked(self):
        ws, srv = socket_ws(self)
        ws.send_text('{"type":"accept"}')
        self.assertEqual(read_client_frame(srv), (True, ps.OP_TEXT, b'{"type":"accept"}', True))

    def test_server_close(self):
        ws, srv = socket_ws(self)
        srv.sendall(server_frame(ps.OP_CLOSE, struct.pack("!H", 1000) + b"finished"))
        self.assertIsNone(ws.recv())
        self.assertEqual((ws.close_code, ws.close_reason), (1000, "finished"))
        fin, op, payload, masked = read_client_frame(srv)  # the echoed close
        self.assertEqual((op, payload[:2], masked), (ps.OP_CLOSE, struct.pack("!H", 1000), True))

    def test_client_close(self):
        ws, srv = socket_ws(self)

        def answer():
            fin, op, payload, _ = read_client_frame(srv)
            srv.sendall(server_frame(ps.OP_CLOSE, payload[:2]))
        th = threading.Thread(target=answer)
        th.start()
        ws.close(1000)
        th.join(5)
        self.assertEqual(ws.close_code, 1000)

    def assertFails(self, data, code):
        ws, srv = socket_ws(self)
        srv.sendall(data)
        with self.assertRaises(ps.ConnectionClosed) as cm:
            ws.recv()
        self.assertEqual(cm.exception.code, code)

    def test_protocol_errors(self):
        masked = bytes([0x81, 0x85]) + b"\x00\x00\x00\x00" + b"Hello"
        self.assertFails(masked, 1002)
        self.assertFails(bytes([0xC1, 0x00]), 1002)  # a reserved bit
        self.assertFails(server_frame(ps.OP_CONT, b"x"), 1002)  # continuation of nothing
        self.assertFails(server_frame(ps.OP_TEXT, b"a", fin=False) + server_frame(ps.OP_TEXT, b"b"), 1002)
        self.assertFails(server_frame(ps.OP_PING, b"p", fin=False), 1002)
        self.assertFails(server_frame(ps.OP_TEXT, b"\xff\xfe"), 1007)
        self.assertFails(server_frame(0x3, b""), 1002)

    def test_too_long(self):
        ws, srv = socket_ws(self)
        ws.max_message = 10
        srv.sendall(server_frame(ps.OP_TEXT, b"0123456789a"))
        with self.assertRaises(ps.ConnectionClosed) as cm:
            ws.recv()
        self.assertEqual(cm.exception.code, 1009)

    def test_keepalive(self):
        ws, srv = socket_ws(self)
        ws.sock.settimeout(0.1)

        def answer():  # a pong to the first ping, then a message
            fin, op, payload, masked = read_client_frame(srv)
            self.assertEqual((op, payload, masked), (ps.OP_PING, b"keepalive", True))
            srv.sendall(server_frame(ps.OP_PONG, payload) + server_frame(ps.OP_TEXT, b"still here"))
        th = threading.Thread(target=answer)
        th.start()
        self.assertEqual(ws.recv(), "still here")
        th.join(5)
        # Now silence: a ping, and then the connection counts as broken.
        with self.assertRaises(ps.ConnectionClosed) as cm:
            ws.recv()
        self.assertEqual(cm.exception.code, 1006)
        self.assertIn("silent", str(cm.exception))
        self.assertEqual(read_client_frame(srv)[1], ps.OP_PING)

    def test_broken_connection(self):
        ws, srv = socket_ws(self)
        srv.sendall(server_frame(ps.OP_TEXT, b"abc")[:3])
        srv.close()
        with self.assertRaises(ps.ConnectionClosed) as cm:
            ws.recv()
        self.assertEqual(cm.exception.code, 1006)


class HandshakeTest(unittest.TestCase):
    """The client's handshake against a one-shot socket server."""

    def serve(self, answer):
        lst = socket.socket()
        lst.bind(("127.0.0.1", 0))
        lst.listen(1)
        seen = {}

        def run():
            c, _ = lst.accept()
            data = b""
            while b"\r\n\r\n" not in data:
                data += c.recv(4096)
            seen["request"] = data.decode()
            key = [l.split(":", 1)[1].strip() for l in seen["request"].split("\r\n") if l.lower().startswith("sec-websocket-key:")][0]
            c.sendall(answer(key))
            seen["conn"] = c
        th = threading.Thread(target=run)
        th.start()
        self.addCleanup(lst.close)
        return "ws://127.0.0.1:%d/seat/abc/ws?after=3" % lst.getsockname()[1], th, seen

    def test_upgrade(self):
        url, th, seen = self.serve(lambda key: (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: %s\r\n\r\n" % ps.ws_accept(key)).encode() + server_frame(ps.OP_TEXT, b'{"a":1}'))
        ws = ps.WebSocket(url, timeout=5)
        self.addCleanup(ws.sock.close)
        th.join(5)
        self.assertTrue(seen["request"].startswith("GET /seat/abc/ws?after=3 HTTP/1.1\r\n"))
        self.assertIn("Sec-WebSocket-Version: 13\r\n", seen["request"])
        self.assertEqual(ws.recv(), '{"a":1}')  # bytes right after the headers are kept
        seen["conn"].close()

    def test_refused(self):
        body = "a second connection to the seat while the first is open"
        url, th, seen = self.serve(lambda key: (
            "HTTP/1.1 409 Conflict\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)).encode())
        with self.assertRaises(ps.HandshakeError) as cm:
            ps.WebSocket(url, timeout=5)
        th.join(5)
        self.assertEqual(cm.exception.status, 409)
        self.assertIn(body, str(cm.exception))
        seen["conn"].close()

    def test_wrong_accept(self):
        url, th, seen = self.serve(lambda key: (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: bm90IGl0\r\n\r\n").encode())
        with self.assertRaisesRegex(ps.HandshakeError, "Sec-WebSocket-Accept"):
            ps.WebSocket(url, timeout=5)
        th.join(5)
        seen["conn"].close()

    def test_after(self):
        self.assertEqual(ps._with_after("ws://h/seat/t/ws", 5), "ws://h/seat/t/ws?after=5")
        self.assertEqual(ps._with_after("ws://h/seat/t/ws?after=2&x=1", 9), "ws://h/seat/t/ws?x=1&after=9")
        self.assertEqual(ps._with_after("ws://h/seat/t/ws?after=2", 0), "ws://h/seat/t/ws")


class ResendTest(unittest.TestCase):
    """WebSocketTransport sends again, after reconnecting, the actions the
    server says it lacks (Parley-Received), against a socket server that
    breaks the first connection once it has read an action."""

    def serve(self, helds):
        """Accepts one connection per entry of helds, answering its
        handshake with Parley-Received: held (None: no header). The first
        connection sends your_turn, reads an action and breaks; the next
        reads what the client sends again and sends finished. Returns the
        URL and what each connection read."""
        lst = socket.socket()
        lst.bind(("127.0.0.1", 0))
        lst.listen(len(helds))
        self.addCleanup(lst.close)
        got = []

        def run():
            for k, held in enumerate(helds):
                c, _ = lst.accept()
                data = b""
                while b"\r\n\r\n" not in data:
                    data += c.recv(4096)
                req = data.decode()
                key = [l.split(":", 1)[1].strip() for l in req.split("\r\n") if l.lower().startswith("sec-websocket-key:")][0]
                head = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Accept: %s\r\n" % ps.ws_accept(key))
                if held is not None:
                    head += "Parley-Received: %d\r\n" % held
                c.sendall((head + "\r\n").encode())
                c.settimeout(5)
                read = {"path": req.split(" ")[1], "actions": []}
                got.append(read)
                if k == 0:
                    c.sendall(server_frame(ps.OP_TEXT, b'{"type":"your_turn"}'))
                    read["actions"].append(read_client_frame(c)[2])
                    c.close()  # no close frame
                    continue
                c.settimeout(0.3)
                try:  # what the client sends again, at once
                    while True:
                        read["actions"].append(read_client_frame(c)[2])
                except (socket.timeout, EOFError):
                    pass
                c.settimeout(5)
                c.sendall(server_frame(ps.OP_TEXT, b'{"type":"finished"}') + server_frame(ps.OP_CLOSE, struct.pack("!H", 1000)))
                try:
                    read_client_frame(c)  # the close echoed
                except (socket.timeout, EOFError, OSError):
                    pass
                c.close()
        th = threading.Thread(target=run)
        th.start()
        self.addCleanup(th.join, 5)
        return "ws://127.0.0.1:%d/seat/abc/ws" % lst.getsockname()[1], got

    def play(self, helds):
        url, got = self.serve(helds)
        t = ps.WebSocketTransport(url, grace=5)
        self.assertEqual(t.recv(), {"type": "your_turn"})
        t.send({"type": "accept"})
        self.assertEqual(t.recv(), {"type": "finished"})
        self.assertIsNone(t.recv())
        t.close()
        return t, got

    def test_lost_action_sent_again(self):
        t, got = self.play([0, 0])
        self.assertEqual(got[0]["actions"], [b'{"type":"accept"}'])
        self.assertEqual(got[1]["path"], "/seat/abc/ws?after=1")
        self.assertEqual(got[1]["actions"], [b'{"type":"accept"}'])
        self.assertEqual((t.reconnects, t.resent), (1, 1))

    def test_held_action_not_sent_again(self):
        t, got = self.play([0, 1])
        self.assertEqual(got[1]["actions"], [])
        self.assertEqual((t.reconnects, t.resent), (1, 0))

    def test_numbers_count_from_what_the_server_holds(self):
        # A new process resumes a seat of which the server holds 5 messages:
        # its first action is the sixth.
        t, got = self.play([5, 5])
        self.assertEqual(got[1]["actions"], [b'{"type":"accept"}'])
        t, got = self.play([5, 6])
        self.assertEqual(got[1]["actions"], [])

    def test_server_without_the_header(self):
        # Nothing can be known: nothing is sent again.
        t, got = self.play([None, None])
        self.assertEqual(got[1]["actions"], [])
        self.assertEqual(t.resent, 0)


# ---------------------------------------------------------------- agents

class ListTransport(ps.Transport):
    def __init__(self, msgs, one_session=False):
        self.msgs, self.sent, self.one_session = list(msgs), [], one_session

    def recv(self):
        return self.msgs.pop(0) if self.msgs else None

    def send(self, msg):
        self.sent.append(msg)


HP = {"Laptop": "HP", "Harddisk": "60 Gb", "External Monitor": "19'' LCD"}
DELL = {"Laptop": "Dell", "Harddisk": "120 Gb", "External Monitor": "20'' LCD"}


class Threshold(ps.Negotiator):
    instances = 0

    def __init__(self):
        Threshold.instances += 1
        self.started, self.ended = [], []

    def on_start(self, settings):
        self.started.append(settings.get("phase"))

    def on_end(self, result):
        self.ended.append(result)

    def propose(self, state):
        self.say("round %d" % state.round)
        return state.ufun.best()

    def respond(self, state, offer):
        return ps.ACCEPT if state.ufun(offer) >= 0.9 else ps.REJECT


class NegotiatorTest(unittest.TestCase):
    def test_phases_of_a_turn(self):
        t = ListTransport([
            settings(),
            {"type": "your_turn", "round": 1, "t": 0.1, "phase": "offer", "may": ["offer", "end"]},
            {"type": "action_done", "event": "offer", "round": 1, "t": 0.1, "by": "seller", "outcome": DELL, "utility": 0.4},
            {"type": "your_turn", "round": 2, "t": 0.2, "phase": "respond", "may": ["accept", "offer", "end"], "offer": DELL, "offer_utility": 0.4},
            {"type": "your_turn", "round": 3, "t": 0.3, "phase": "respond", "may": ["accept", "offer", "end"], "offer": HP, "offer_utility": 1.0},
            {"type": "your_turn", "round": 4, "t": 0.4, "phase": "vote", "may": ["accept", "reject", "end"], "offer": DELL},
            {"type": "finished", "session": "1", "status": "agreed", "end": "agreement", "round": 3, "payoff": 1.0},
        ])
        results = ps.run(Threshold, transport=t)
        self.assertEqual(t.sent, [
            {"type": "offer", "outcome": HP, "text": "round 1"},
            {"type": "offer", "outcome": HP, "text": "round 2"},  # reject: a counter-offer
            {"type": "accept"},
            {"type": "reject"},  # a vote
        ])
        self.assertEqual(results[0]["payoff"], 1.0)

    def test_sessions_and_phases(self):
        Threshold.instances = 0
        agents = []

        def factory():
            a = Threshold()
            agents.append(a)
            return a
        p0, p1 = {"id": "truce", "index": 0, "count": 2}, {"id": "settlement", "index": 1, "count": 2}
        fin = {"type": "finished", "status": "agreed", "payoff": 0.5}
        t = ListTransport([settings(phase=p0), settings(phase=p1), fin, settings(), fin])
        self.assertEqual(len(ps.run(factory, transport=t)), 2)
        self.assertEqual(len(agents), 2)  # a new agent per session, the same across phases
        self.assertEqual(agents[0].started, [p0, p1])
        self.assertEqual(len(agents[0].ended), 1)

    def test_network_seat_plays_one_session(self):
        t = ListTransport([settings(), {"type": "finished", "payoff": 0}, settings()], one_session=True)
        self.assertEqual(len(ps.run(Threshold, transport=t)), 1)
        self.assertEqual(len(t.msgs), 1)

    def test_error_reanswers_then_falls_back(self):
        class Stubborn(ps.Negotiator):
            def propose(self, state):
                return {"Laptop": "Apple", "Harddisk": "60 Gb", "External Monitor": "19'' LCD"}
        turn = {"type": "your_turn", "round": 1, "t": 0.1, "phase": "offer", "may": ["offer", "end"]}
        err = {"type": "error", "message": "\"Apple\" is not a value of issue \"Laptop\"", "field": "outcome.Laptop",
               "legal": ["Dell", "Macintosh", "HP"], "errors_left": 2}
        t = ListTransport([settings(), turn, err])
        stderr, sys.stderr = sys.stderr, io.StringIO()
        try:
            ps.run(Stubborn, transport=t)
            logged = sys.stderr.getvalue()
        finally:
            sys.stderr = stderr
        self.assertIn("action refused: \"Apple\" is not a value", logged)
        # The same refused offer again would waste an error: the best one instead.
        self.assertEqual(t.sent[1], {"type": "offer", "outcome": HP})

    def test_update_and_reservation(self):
        class Spy(ps.Negotiator):
            def respond(self, state, offer):
                self.seen = (state.ufun(offer), state.reservation, state.ufun.reservation)
                return ps.END
        prefs = dict(LAPTOP_PREFS, utility=dict(LAPTOP_PREFS["utility"], Laptop=[0.0, 0.0, 0.0]), reservation=0.3)
        agent = Spy()
        t = ListTransport([settings(), {"type": "update", "round": 2, "preferences": prefs},
                           {"type": "your_turn", "round": 2, "t": 0.2, "phase": "respond", "may": ["accept", "offer", "end"],
                            "offer": HP, "offer_utility": 0.55, "reservation": 0.35}])
        ps.run(agent, transport=t)
        self.assertEqual(agent.seen, (0.37808251708013424 + 0.1767567099260568, 0.35, 0.35))
        self.assertEqual(t.sent, [{"type": "end"}])

    def test_bad_respond(self):
        class Bad(ps.Negotiator):
            def respond(self, state, offer):
                return True
        t = ListTransport([settings(), {"type": "your_turn", "phase": "respond", "offer": HP, "may": []}])
        with self.assertRaisesRegex(ValueError, "respond returned True"):
            ps.run(Bad, transport=t)

    def test_version(self):
        with self.assertRaisesRegex(ps.ProtocolError, "version 2"):
            ps.run(Threshold, transport=ListTransport([settings(version=2)]))

    def test_rng_is_seeded(self):
        a, b, c = ps.State(settings()), ps.State(settings()), ps.State(settings(seed=8))
        draws = [s.rng.random() for s in (a, b, c)]
        self.assertEqual(draws[0], draws[1])
        self.assertNotEqual(draws[0], draws[2])

    def test_state_offers_by_phase(self):
        s = ps.State(settings(phase={"id": "a", "index": 0, "count": 2}))
        s.action_done({"type": "action_done", "event": "offer", "by": "seller", "outcome": {"x": 1}})
        s.new_phase(settings(phase={"id": "b", "index": 1, "count": 2}))
        s.action_done({"type": "action_done", "event": "offer", "by": "seller", "outcome": HP})
        s.action_done({"type": "action_done", "event": "offer", "by": "buyer", "outcome": DELL})
        self.assertEqual([a["outcome"] for a in s.offers(by="seller")], [HP])
        self.assertEqual(len(s.offers(phase_only=False)), 3)
        self.assertEqual(s.opponents, ["seller"])


class EventAgentTest(unittest.TestCase):
    def test_handlers(self):
        calls = []

        class Events(ps.Agent):
            def on_settings(self, s):
                calls.append(("settings", self.ufun.size))

            def on_your_turn(self, turn):
                calls.append(("turn", turn["phase"]))
                return ps.offer(HP, text="hello") if turn["phase"] == "offer" else ps.accept()

            def on_action_done(self, a):
                calls.append(("done", a["event"]))

            def on_error(self, e):
                calls.append(("error", e["field"]))
                return ps.end("sorry")

            def on_finished(self, f):
                calls.append(("finished", f["status"]))
        t = ListTransport([
            settings(),
            {"type": "your_turn", "phase": "offer", "may": ["offer", "end"]},
            {"type": "error", "message": "m", "field": "text", "errors_left": 1},
            {"type": "action_done", "event": "end", "by": "buyer"},
            {"type": "finished", "status": "no_agreement", "payoff": 0.1},
        ])
        stderr, sys.stderr = sys.stderr, io.StringIO()
        try:
            ps.run(Events(), transport=t)
        finally:
            sys.stderr = stderr
        self.assertEqual(calls, [("settings", 27), ("turn", "offer"), ("error", "text"), ("done", "end"),
                                 ("finished", "no_agreement")])
        self.assertEqual(t.sent, [{"type": "offer", "outcome": HP, "text": "hello"}, {"type": "end", "text": "sorry"}])

    def test_actions(self):
        self.assertEqual(ps._action(None), {"type": "end"})
        self.assertEqual(ps._action("accept"), {"type": "accept"})
        self.assertEqual(ps._action(HP), {"type": "offer", "outcome": HP})
        self.assertEqual(ps.reject("no"), {"type": "reject", "text": "no"})
        with self.assertRaises(ValueError):
            ps._action("maybe")
        with self.assertRaises(TypeError):
            ps._action(3)


class StdioTest(unittest.TestCase):
    def test_lines(self):
        r = io.BytesIO(b'{"type":"settings"}\n\n{"type":"finished", "text": "\xc3\xa9"}\n')
        w = io.BytesIO()
        t = ps.Stdio(r, w)
        self.assertEqual(t.recv(), {"type": "settings"})
        self.assertEqual(t.recv()["text"], "\u00e9")
        self.assertIsNone(t.recv())
        t.send({"type": "offer", "outcome": {"a": "\u00e9"}})
        self.assertEqual(w.getvalue(), '{"type":"offer","outcome":{"a":"\u00e9"}}\n'.encode("utf-8"))
        self.assertEqual(json.loads(w.getvalue()), {"type": "offer", "outcome": {"a": "\u00e9"}})

    def test_garbage(self):
        with self.assertRaisesRegex(ps.ProtocolError, "not a JSON message"):
            ps.Stdio(io.BytesIO(b"hello\n"), io.BytesIO()).recv()

    def test_connect(self):
        self.assertIsInstance(ps.connect("http://127.0.0.1:1/seat/abc/messages"), ps.LongPoll)
        self.assertEqual(ps.connect("http://127.0.0.1:1/seat/abc/action?after=4").base, "http://127.0.0.1:1/seat/abc")
        with self.assertRaises(ps.ProtocolError):
            ps.connect("ftp://x/seat/abc")


class PrintTest(unittest.TestCase):
    def test_print_goes_to_stderr(self):
        agent = ("import sys; sys.path.insert(0, %r)\n"
                 "import parley_seat as ps\n"
                 "class Chatty(ps.Negotiator):\n"
                 "    def propose(self, state):\n"
                 "        print('thinking about round', state.round)\n"
                 "        return state.ufun.best()\n"
                 "ps.main(Chatty)\n") % os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        msgs = [settings(), {"type": "your_turn", "round": 1, "t": 0.1, "phase": "offer", "may": ["offer", "end"]}]
        p = subprocess.run([sys.executable, "-c", agent], input="".join(json.dumps(m) + "\n" for m in msgs),
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([json.loads(l) for l in p.stdout.splitlines()], [{"type": "offer", "outcome": HP}])
        self.assertIn("thinking about round 1", p.stderr)


class PollServer(http.server.BaseHTTPRequestHandler):
    """Serves a scripted long-poll seat: answers pops replies in order."""

    def log_message(self, *args):
        pass

    def reply(self):
        self.server.requests.append((self.command, self.path, self.rfile.read(int(self.headers.get("Content-Length", 0)))))
        status, body = self.server.answers.pop(0)
        if status == 0:  # the connection closes without an answer
            self.close_connection = True
            return
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = reply


class LongPollTest(unittest.TestCase):
    def serve(self, answers):
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PollServer)
        srv.answers, srv.requests = answers, []
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        self.addCleanup(srv.server_close)
        self.addCleanup(srv.shutdown)
        return srv, "http://127.0.0.1:%d/seat/tok" % srv.server_address[1]

    def test_poll_and_act(self):
        srv, url = self.serve([
            (503, b"restarting"),
            (200, b'{"messages": [], "next": 0}'),
            (200, b'{"messages": [{"type": "settings"}, {"type": "your_turn"}], "next": 2}'),
            (202, b""),
            (200, b'{"messages": [{"type": "finished"}], "next": 3}'),
        ])
        t = ps.LongPoll(url + "/messages", wait=1)
        self.assertEqual(t.recv(), {"type": "settings"})
        self.assertEqual(t.recv(), {"type": "your_turn"})
        t.send({"type": "accept"})
        self.assertEqual(t.recv(), {"type": "finished"})
        paths = [(m, p) for m, p, _ in srv.requests]
        self.assertEqual(paths, [("GET", "/seat/tok/messages?after=0&wait=1s")] * 3 + [
            ("POST", "/seat/tok/action"), ("GET", "/seat/tok/messages?after=2&wait=1s")])
        self.assertEqual(srv.requests[3][2], b'{"type":"accept"}')

    def test_numbered_actions_posted_again(self):
        # The server holds 4 of the seat's messages: its actions are 5, 6.
        # An action whose answer is lost (a 503, a closed connection) is
        # posted again with its number.
        srv, url = self.serve([
            (200, b'{"messages": [{"type": "your_turn"}], "next": 1, "received": 4}'),
            (503, b"restarting"),
            (0, b""),
            (202, b'{"status":"held"}'),
            (202, b'{"status":"queued"}'),
        ])
        t = ps.LongPoll(url, wait=1)
        self.assertEqual(t.recv(), {"type": "your_turn"})
        t.send({"type": "accept"})
        t.send({"type": "end"})
        self.assertEqual([(m, p) for m, p, _ in srv.requests[1:]],
                         [("POST", "/seat/tok/action?n=5")] * 3 + [("POST", "/seat/tok/action?n=6")])
        self.assertEqual(t.reposts, 2)

    def test_unnumbered_action_not_posted_again(self):
        # A server that does not say what it holds: a lost answer could
        # hide an action it took, so the action is not posted again.
        srv, url = self.serve([(200, b'{"messages": [{"type": "your_turn"}], "next": 1}'), (0, b"")])
        t = ps.LongPoll(url, wait=1)
        t.recv()
        with self.assertRaises(ps.ProtocolError):
            t.send({"type": "accept"})
        self.assertEqual(srv.requests[1][1], "/seat/tok/action")

    def test_refusals(self):
        srv, url = self.serve([(404, b"no such seat"), (409, b"not your turn")])
        with self.assertRaisesRegex(ps.ProtocolError, "HTTP 404: no such seat"):
            ps.LongPoll(url).recv()
        with self.assertRaisesRegex(ps.ProtocolError, "HTTP 409: not your turn"):
            ps.LongPoll(url).send({"type": "end"})

    def test_lost_messages(self):
        srv, url = self.serve([(200, b'{"messages": [{"type": "settings"}], "next": 5}'), (200, b"<html>")])
        with self.assertRaisesRegex(ps.ProtocolError, "next is 5 after 1 messages from 0"):
            ps.LongPoll(url).recv()
        with self.assertRaisesRegex(ps.ProtocolError, "not JSON"):
            ps.LongPoll(url).recv()


if __name__ == "__main__":
    unittest.main()
