#!/usr/bin/env python3
"""Draws Propdesk's app icon (assets/icon.png, 256x256) with the standard library only.

A blue rounded square with three rising bars (traders moving through the pipeline) and
an amber dot (the goal). Run `python3 assets/make_icon.py` to regenerate.
"""
import struct
import zlib
from pathlib import Path

SIZE = 256
SS = 4  # supersampling per axis, for smooth edges


def rounded_rect(x, y, left, top, right, bottom, r):
    if not (left <= x <= right and top <= y <= bottom):
        return False
    cx = min(max(x, left + r), right - r)
    cy = min(max(y, top + r), bottom - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def mix(a, b, t):
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))


TOP, BOTTOM = (64, 132, 255), (30, 64, 175)
WHITE, AMBER = (255, 255, 255), (255, 183, 71)
BARS = [(62, 150, 100, 200), (114, 116, 152, 200), (166, 78, 204, 200)]


def sample(x, y):
    """RGBA of one sub-pixel."""
    if not rounded_rect(x, y, 12, 12, 244, 244, 54):
        return (0, 0, 0, 0)
    color = mix(TOP, BOTTOM, (y - 12) / 232)
    for left, top, right, bottom in BARS:
        if rounded_rect(x, y, left, top, right, bottom, 10):
            color = WHITE
    if (x - 185) ** 2 + (y - 50) ** 2 <= 17 ** 2:
        color = AMBER
    return (*color, 255)


def render(size=SIZE):
    """Raw PNG scanlines of the icon drawn at `size` pixels (the drawing is in 256 units)."""
    scale = SIZE / size
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(SS):
                for sx in range(SS):
                    r, g, b, a = sample((px + (sx + 0.5) / SS) * scale, (py + (sy + 0.5) / SS) * scale)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            alpha = acc[3] / (SS * SS)
            if acc[3]:
                row += bytes([round(acc[0] / acc[3]), round(acc[1] / acc[3]), round(acc[2] / acc[3]), round(alpha)])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return b"".join(rows)


def png(raw, size=SIZE):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(__file__).with_name("icon.png")
    out.write_bytes(png(render()))
    print(f"wrote {out}")
