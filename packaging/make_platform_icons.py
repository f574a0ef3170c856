#!/usr/bin/env python3
"""Writes the Windows and macOS app icons from the drawing in assets/make_icon.py.

- packaging/windows/propdesk.ico: 16, 24, 32, 48, 64, 128 and 256 px. The small sizes
  are 32-bit bitmaps (what the Explorer, NSIS and WiX read everywhere), 256 px is PNG
  (the ICO format allows it since Windows Vista and it keeps the file small).
- packaging/macos/propdesk.icns: 16 to 512 px, with the @2x (Retina) variants, as PNG
  entries (what macOS 10.7+ reads).

Each size is drawn at that size (not scaled down from 256 px), so the small ones stay
sharp and 512 px is not blurred. Standard library only, like assets/make_icon.py.
Run `python3 packaging/make_platform_icons.py` after changing the drawing, and commit
both files (tests/packaging_icons.rs checks they parse and hold these sizes).
"""
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "assets"))
import make_icon  # noqa: E402

ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
# (type, pixels): the PNG entry types of the ICNS format.
ICNS_ENTRIES = [
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic11", 32),  # 16@2x
    (b"ic12", 64),  # 32@2x
    (b"ic13", 256),  # 128@2x
    (b"ic14", 512),  # 256@2x
]


def dib(size, rows):
    """A 32-bit bitmap ICO entry: header, BGRA rows bottom-up, then the 1-bit AND mask."""
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    pixels = bytearray()
    for row in reversed(rows):
        for x in range(size):
            r, g, b, a = row[x * 4 : x * 4 + 4]
            pixels += bytes([b, g, r, a])
    mask_stride = ((size + 31) // 32) * 4
    mask = bytes(mask_stride * size)  # all opaque: the alpha channel decides
    return header + bytes(pixels) + mask


def ico(images):
    """`images`: (size, bytes) pairs. The directory, then each image."""
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for size, data in images:
        dim = 0 if size >= 256 else size  # 0 means 256 in the directory
        out += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(data for _, data in images)


def icns(entries):
    body = b"".join(kind + struct.pack(">I", len(data) + 8) + data for kind, data in entries)
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main():
    sizes = sorted(set(ICO_SIZES) | {pixels for _, pixels in ICNS_ENTRIES})
    drawn = {}
    for size in sizes:
        drawn[size] = make_icon.render(size)
        print(f"drew {size} px", flush=True)

    ico_images = []
    for size in ICO_SIZES:
        if size >= 256:
            ico_images.append((size, make_icon.png(drawn[size], size)))
        else:
            stride = size * 4 + 1
            rows = [drawn[size][y * stride + 1 : (y + 1) * stride] for y in range(size)]
            ico_images.append((size, dib(size, rows)))
    ico_path = ROOT / "packaging/windows/propdesk.ico"
    ico_path.write_bytes(ico(ico_images))
    print(f"wrote {ico_path}")

    icns_path = ROOT / "packaging/macos/propdesk.icns"
    icns_path.parent.mkdir(parents=True, exist_ok=True)
    icns_path.write_bytes(icns([(kind, make_icon.png(drawn[pixels], pixels)) for kind, pixels in ICNS_ENTRIES]))
    print(f"wrote {icns_path}")


if __name__ == "__main__":
    main()
