"""The least a Python agent does per turn: it decodes every message with
json.loads and answers each your_turn with one fixed offer (its best
outcome). The floor under examples/echo.py, which uses parley_seat."""

import json
import sys

answer = '{"type":"end"}\n'
for line in sys.stdin:
    m = json.loads(line)
    if m["type"] == "settings":
        u = m["preferences"]["utility"]
        best = {i["id"]: i["values"][max(range(len(i["values"])), key=u[i["id"]].__getitem__)] for i in m["issues"]}
        answer = json.dumps({"type": "offer", "outcome": best}) + "\n"
    elif m["type"] in ("your_turn", "error"):
        sys.stdout.write(answer)
        sys.stdout.flush()
