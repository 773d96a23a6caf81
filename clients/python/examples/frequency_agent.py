#!/usr/bin/env python3
"""A time-dependent negotiator with a frequency opponent model.

Concession (Faratin, Sierra & Jennings 1998): the seat's target utility at
normalised time t is

    target(t) = floor + (best - floor) * (1 - t ** (1 / e))

e < 1 holds out and concedes late (Boulware), e > 1 concedes early
(Conceder); floor is the higher of the reservation value and --floor.

Opponent model (after HardHeaded, ANAC 2011): for each opponent, an issue's
weight grows each time the opponent keeps its value from one offer to the
next (a party gives ground first where it matters least to it), and a
value's score is how often the opponent offered it, relative to its most
offered value. The model's utility of an outcome is the weighted sum of its
value scores.

Bidding: among the outcomes the seat values between target and
target + --window, it offers the one the model rates best for the
opponents (ties broken by the seat's seeded random source, so a seed gives
one session); an opponent's earlier offer worth the target to the seat is
offered back instead. Acceptance: an offer worth at least what the seat
would offer now (AC_next), or above the reservation value in the last
round. In a vote, a text worth the target.

Run: python3 frequency_agent.py [--e 0.2] [--floor 0.5] [SEAT_URL]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import parley_seat as ps  # noqa: E402


class FrequencyModel:
    """One opponent's preferences as inferred from its offers."""

    def __init__(self, sizes, learn=0.2):
        n = len(sizes)
        self.weights = [1.0 / n] * n
        self.counts = [[0] * s for s in sizes]
        self.learn = learn / n
        self.last = None

    def observe(self, idx):
        if self.last is not None and idx != self.last:
            for i, (a, b) in enumerate(zip(idx, self.last)):
                if a == b:
                    self.weights[i] += self.learn
            total = sum(self.weights)
            self.weights = [w / total for w in self.weights]
        for i, k in enumerate(idx):
            self.counts[i][k] += 1
        self.last = idx

    def utility(self, idx):
        s = 0.0
        for w, c, k in zip(self.weights, self.counts, idx):
            s += w * (1 + c[k]) / (1 + max(c))
        return s


class FrequencyAgent(ps.Negotiator):
    e = 0.2        # concession exponent
    floor = 0.5    # lowest target, unless the reservation value is higher
    window = 0.1   # how far above the target a bid may be

    def on_start(self, settings):
        self.models = {}
        self.planned = None  # (round, bid) decided in this turn
        u = self.ufun
        if u is None:
            return
        self.rows = [(v, u.index(o), o) for v, o in u.outcomes()]
        self.top = self.rows[0][0]

    def target(self, t):
        lo = min(max(self.state.reservation, self.floor), self.top)
        return lo + (self.top - lo) * (1 - t ** (1 / self.e))

    def on_action_done(self, a):
        who = a.get("by")
        if a.get("event") != "offer" or who == self.state.party or not a.get("outcome") or self.ufun is None:
            return
        if who not in self.models:
            self.models[who] = FrequencyModel([len(t) for t in self.ufun.tables])
        self.models[who].observe(self.ufun.index(a["outcome"]))

    def opponents_value(self, idx):
        if not self.models:
            return 0.0
        return sum(m.utility(idx) for m in self.models.values()) / len(self.models)

    def bid(self, state):
        """The outcome to offer now, decided once per turn."""
        if self.planned and self.planned[0] == (state.round, state.t):
            return self.planned[1]
        goal = self.target(state.t)
        # An opponent's own offer that reaches the target: offer it back.
        theirs = [(self.ufun(a["outcome"]), a["outcome"]) for a in state.offers() if a.get("by") != state.party]
        theirs = [r for r in theirs if r[0] >= goal]
        if theirs:
            bid = max(theirs, key=lambda r: r[0])
        else:
            near = [r for r in self.rows if goal <= r[0] <= goal + self.window]
            if not near:  # no outcome in the window: the closest above it
                near = [min((r for r in self.rows if r[0] >= goal), key=lambda r: r[0])]
            scored = [(self.opponents_value(r[1]), r) for r in near]
            best = max(s for s, _ in scored)
            tied = [r for s, r in scored if s == best]
            pick = tied[state.rng.randrange(len(tied))]
            bid = (pick[0], pick[2])
        self.planned = ((state.round, state.t), bid)
        return bid

    def propose(self, state):
        if self.ufun is None:
            return None
        return self.bid(state)[1]

    def respond(self, state, offer):
        if self.ufun is None:
            return ps.ACCEPT
        u = self.ufun(offer)
        if state.phase == "vote":
            return ps.ACCEPT if u >= self.target(state.t) else ps.REJECT
        rounds = state.deadline.get("rounds")
        if rounds and state.round >= rounds and u > state.reservation:
            return ps.ACCEPT
        return ps.ACCEPT if u >= self.bid(state)[0] else ps.REJECT


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--e", type=float, default=FrequencyAgent.e, help="concession exponent (default %(default)s)")
    p.add_argument("--floor", type=float, default=FrequencyAgent.floor, help="lowest target (default %(default)s)")
    p.add_argument("url", nargs="?", help="a seat URL of parley serve (ws:// or http://); none: stdin/stdout")
    args = p.parse_args()
    FrequencyAgent.e, FrequencyAgent.floor = args.e, args.floor
    ps.main(FrequencyAgent, [args.url] if args.url else [])


if __name__ == "__main__":
    main()
