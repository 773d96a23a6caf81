"""The example Linear agent, which also writes to standard error, at each
settings message, what the seat believes of the others (State.beliefs) as
one JSON line, so that a test can read it."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
import minimal  # noqa: E402
import parley_seat as ps  # noqa: E402


class Telling(minimal.Linear):
    def on_settings(self, settings):
        super().on_settings(settings)
        st = self.state
        out = {}
        for about, b in st.beliefs.items():
            last = {i["id"]: i["values"][-1] for i in st.issues}
            out[about] = {
                "types": [{"id": t.id, "prior": t.prior, "reservation": t.reservation,
                           "range": t.reservation_range, "real": t.real,
                           "top": t.ufun.outcomes()[0][0] if t.ufun else None} for t in b.types],
                "red_lines": [rl["id"] for rl in b.red_lines],
                "real": [b.real(k) for k in range(len(b.red_lines))],
                "crosses_last": [b.crosses(last, k) for k in range(len(b.red_lines))],
            }
        print(json.dumps({"phase": (st.agenda or {}).get("id"), "beliefs": out}), file=sys.stderr, flush=True)


if __name__ == "__main__":
    ps.main(Telling)
