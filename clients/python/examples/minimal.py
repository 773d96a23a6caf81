#!/usr/bin/env python3
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # noqa: E401,E702 (in the repository: parley_seat.py is one folder up)
import parley_seat as ps


class Linear(ps.Negotiator):
    """Concedes linearly in time from its best outcome to its reservation
    value, and accepts any offer that reaches its target."""

    def on_start(self, settings):
        self.top = self.ufun.outcomes()[0][0]  # the best utility it can get

    def target(self, state):
        return self.top - (self.top - state.reservation) * state.relative_time

    def propose(self, state):
        # One of the three outcomes just above the target, drawn from the
        # seat's seeded random source: the same seed, the same session.
        near = state.ufun.at_least(self.target(state))[-3:]
        return state.rng.choice(near)[1]

    def respond(self, state, offer):
        if state.ufun(offer) >= self.target(state):
            return ps.ACCEPT
        return ps.REJECT  # and propose() makes the counter-offer


if __name__ == "__main__":
    ps.main(Linear)  # stdin/stdout, or the seat URL given as its argument
