"""Replays PARLEY_SEAT_LOG transcripts and prints, for every utility parley
sent (offer_utility, text_utility, action_done's utility), the message kind,
parley's figure and Utility's, one comparison a line:

    your_turn 0.874024 0.874024

The Go test asserts the two are equal."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import parley_seat as ps  # noqa: E402

for path in sys.argv[1:]:
    state = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            way, m = json.loads(line)
            if way != "in":
                continue
            kind = m["type"]
            if kind == "settings":
                phase = m.get("phase")
                if state is None or not phase or phase["index"] == 0:
                    state = ps.State(m)
                else:
                    state.new_phase(m)
            elif kind == "update":
                state.update(m)
            if state is None or state.ufun is None:
                continue
            for outcome, figure in (("offer", "offer_utility"), ("text", "text_utility"), ("outcome", "utility")):
                if outcome in m and figure in m:
                    print(kind, repr(m[figure]), repr(state.ufun(m[outcome])))
