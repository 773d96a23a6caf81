"""A probe agent: it offers every outcome of the space in turn (best
first, for itself), never accepts, and votes against every text, so that
parley reports its utility of each outcome in the record."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import parley_seat as ps  # noqa: E402


class Probe(ps.Negotiator):
    def on_start(self, settings):
        self.next = 0

    def propose(self, state):
        rows = state.ufun.outcomes()
        o = rows[self.next % len(rows)][1]
        self.next += 1
        return o


if __name__ == "__main__":
    ps.main(Probe)
