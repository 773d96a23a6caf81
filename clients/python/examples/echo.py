#!/usr/bin/env python3
"""An echo agent for measuring protocol overhead: it answers every turn at
once by offering its best outcome (found once per session), with the
event API."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import parley_seat as ps  # noqa: E402


class Echo(ps.Agent):
    def on_settings(self, settings):
        self.answer = ps.offer(self.ufun.best()) if self.ufun else ps.end()

    def on_your_turn(self, turn):
        return self.answer


if __name__ == "__main__":
    ps.main(Echo)
