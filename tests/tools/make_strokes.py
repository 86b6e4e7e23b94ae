#!/usr/bin/env python3
"""Writes tests/data/strokes/*.json: common characters drawn stroke by stroke.

Each character is given as the turning points of its strokes, in writing order and
direction, in a 1000 x 1000 box (y downwards); a stroke is then filled with a point
every ~12 units and a small steady wobble, as a finger on a touch screen reports it.
The Tegaki model knows 生 in the order 丿一丨一一 (its vertical before the middle
horizontal), so that is how it is written here.
Usage: make_strokes.py OUT_DIR
"""
import json
import math
import random
import sys

CHARS = {
    "shi": ("十", [[(180, 480), (820, 470)], [(500, 140), (505, 880)]]),
    "da": ("大", [[(170, 360), (830, 350)], [(500, 110), (495, 380), (420, 600), (200, 850)],
                 [(520, 430), (680, 660), (860, 850)]]),
    "kou": ("口", [[(250, 250), (250, 750)], [(250, 250), (750, 250), (750, 750)], [(250, 750), (750, 750)]]),
    "zhong": ("中", [[(200, 250), (200, 650)], [(200, 250), (800, 250), (800, 650)], [(200, 650), (800, 650)],
                    [(500, 50), (500, 950)]]),
    "ri": ("日", [[(250, 100), (250, 900)], [(250, 100), (750, 100), (750, 900)], [(250, 500), (750, 500)],
                 [(250, 880), (750, 880)]]),
    "mu": ("木", [[(100, 330), (900, 330)], [(500, 80), (500, 950)], [(490, 340), (300, 650), (100, 820)],
                 [(510, 340), (700, 620), (900, 800)]]),
    "bu": ("不", [[(100, 150), (900, 150)], [(560, 160), (350, 500), (100, 700)], [(500, 400), (500, 950)],
                 [(620, 450), (850, 650)]]),
    "xiao": ("小", [[(500, 80), (500, 880), (420, 920)], [(300, 350), (120, 700)], [(700, 350), (880, 650)]]),
    "shang": ("上", [[(450, 100), (450, 880)], [(460, 480), (800, 480)], [(100, 880), (900, 880)]]),
    "xin": ("心", [[(300, 350), (350, 500)], [(200, 200), (250, 800), (500, 900), (800, 900), (850, 750)],
                  [(500, 150), (580, 350)], [(800, 350), (900, 550)]]),
    "sheng": ("生", [[(300, 100), (250, 250), (150, 400)], [(220, 280), (800, 280)], [(500, 120), (500, 820)],
                    [(230, 530), (770, 530)], [(100, 830), (900, 830)]]),
    "tai": ("态", [[(150, 250), (850, 250)], [(500, 50), (500, 250), (350, 450), (100, 600)],
                  [(520, 280), (700, 450), (900, 580)], [(450, 400), (550, 500)], [(250, 700), (180, 880)],
                  [(350, 620), (350, 880), (420, 940), (720, 940), (760, 820)], [(500, 650), (560, 760)],
                  [(700, 620), (830, 780)]]),
    "ren": ("人", [[(500, 100), (480, 400), (350, 700), (100, 900)], [(500, 400), (650, 650), (900, 900)]]),
}


def trace(keys, rnd):
    pts = []
    for (x0, y0), (x1, y1) in zip(keys, keys[1:]):
        n = max(2, int(math.hypot(x1 - x0, y1 - y0) / 12))
        for i in range(n):
            t = i / n
            x = min(1000, max(0, round(x0 + (x1 - x0) * t + rnd.uniform(-3, 3))))
            y = min(1000, max(0, round(y0 + (y1 - y0) * t + rnd.uniform(-3, 3))))
            pts.append([x, y])
    pts.append(list(keys[-1]))
    return pts


def main(out):
    for name, (ch, strokes) in CHARS.items():
        rnd = random.Random(ord(ch))
        body = ",\n".join("  " + json.dumps(trace(s, rnd), separators=(",", ":")) for s in strokes)
        with open(f"{out}/{name}.json", "w", encoding="utf-8") as f:
            f.write('{"character": "%s", "width": 1000, "height": 1000, "strokes": [\n%s\n]}\n' % (ch, body))


if __name__ == "__main__":
    main(sys.argv[1])
