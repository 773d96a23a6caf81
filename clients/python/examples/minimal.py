#!/usr/bin/env python3
"""A minimal negotiator: it concedes linearly from its best outcome to its
reservation value, offers one of the outcomes just above its target, and
accepts any offer that reaches the target."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import parley_seat as ps  # noqa: E402


class Linear(ps.Negotiator):
    def target(self, state):
        best = state.ufun.outcomes()[0][0]
        return best - (best - state.reservation) * state.relative_time

    def propose(self, state):
        near = state.ufun.at_least(self.target(state))[-3:]  # the three just above the target
        return state.rng.choice(near)[1]

    def respond(self, state, offer):
        return ps.ACCEPT if state.ufun(offer) >= self.target(state) else ps.REJECT


if __name__ == "__main__":
    ps.main(Linear)
