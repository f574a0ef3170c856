#!/usr/bin/env python3
"""Writes THIRD-PARTY-LICENSES.txt: every crate that ships in Propdesk's binaries, with
its version, licence expression and the licence texts its published crate contains.

    python3 tools/third_party_licenses.py           # regenerate (commit the result)
    python3 tools/third_party_licenses.py --check   # CI: allowed licences, list up to date

"Ships" means reached from propdesk through normal dependencies, on any platform (the
list goes into the Windows and macOS packages too). Build and dev dependencies and
proc-macro crates (run by the compiler, not linked) are left out. The texts come from
the crates' sources, which `cargo metadata` downloads into ~/.cargo/registry.
Standard library only; the only tool it runs is cargo.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "THIRD-PARTY-LICENSES.txt"
REGENERATE = "run `python3 tools/third_party_licenses.py` to regenerate it, then commit it"

# Licences we may ship (permissive, or file-level copyleft for MPL-2.0). A crate offering
# several ("A OR B") needs one of them; "A AND B" needs both.
ALLOWED = {
    "0BSD",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSL-1.0",
    "CC0-1.0",
    "CDLA-Permissive-2.0",
    "ISC",
    "MIT",
    "MIT-0",
    "MPL-2.0",
    "OFL-1.1",
    "Ubuntu-font-1.0",
    "Unicode-3.0",
    "Unlicense",
    "Zlib",
}
ALLOWED_EXCEPTIONS = {"LLVM-exception"}

LICENSE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE|UNLICENSE)([-._].*)?$", re.IGNORECASE)


class ExpressionError(ValueError):
    pass


def tokens(expression):
    # Old crates write "MIT/Apache-2.0" for "MIT OR Apache-2.0".
    return re.findall(r"\(|\)|[^\s()]+", expression.replace("/", " OR "))


def allowed(expression):
    """Whether an SPDX expression can be met with ALLOWED licences (AND binds tighter)."""
    items = tokens(expression)
    position = 0

    def peek():
        return items[position] if position < len(items) else None

    def take():
        nonlocal position
        position += 1
        return items[position - 1]

    def either():
        result = both()
        while peek() == "OR":
            take()
            result = both() or result
        return result

    def both():
        result = single()
        while peek() == "AND":
            take()
            result = single() and result
        return result

    def single():
        item = peek()
        if item is None or item in ("AND", "OR", "WITH", ")"):
            raise ExpressionError(f"unexpected {item or 'end'} in '{expression}'")
        take()
        if item == "(":
            result = either()
            if peek() != ")":
                raise ExpressionError(f"missing ')' in '{expression}'")
            take()
        else:
            result = item.removesuffix("+") in ALLOWED
        if peek() == "WITH":
            take()
            exception = peek()
            if exception is None:
                raise ExpressionError(f"WITH without an exception in '{expression}'")
            take()
            result = result and exception in ALLOWED_EXCEPTIONS
        return result

    result = either()
    if peek() is not None:
        raise ExpressionError(f"unexpected {peek()} in '{expression}'")
    return result


def metadata():
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def shipped_packages(meta):
    """Packages reached from the root through normal dependencies, proc-macros excluded."""
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    root = meta["resolve"]["root"]
    seen, todo = set(), [root]
    while todo:
        current = todo.pop()
        for dep in nodes[current]["deps"]:
            normal = any(kind["kind"] is None for kind in dep["dep_kinds"])
            kinds = {k for t in packages[dep["pkg"]]["targets"] for k in t["kind"]}
            if normal and "proc-macro" not in kinds and dep["pkg"] not in seen:
                seen.add(dep["pkg"])
                todo.append(dep["pkg"])
    return sorted((packages[i] for i in seen), key=lambda p: (p["name"], p["version"]))


def normalized(text):
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def licence_texts(package):
    """(file name, text) of each licence file at the top of the crate's sources."""
    folder = Path(package["manifest_path"]).parent
    files = sorted(f for f in folder.iterdir() if f.is_file() and LICENSE_FILE.match(f.name))
    return [(f.name, normalized(f.read_bytes().decode("utf-8", errors="replace"))) for f in files]


def render(packages):
    lines = [
        "Third-party software in Propdesk",
        "================================",
        "",
        "Propdesk is MIT-licensed (see LICENSE). Its programs contain the crates below,",
        "each under the licence expression shown; where a crate offers a choice (OR), the",
        "choice is ours. The licence texts published with each crate follow the list.",
        "Generated from Cargo.lock by tools/third_party_licenses.py; do not edit.",
        "",
    ]
    width = max(len(f"{p['name']} {p['version']}") for p in packages)
    for p in packages:
        lines.append(f"{p['name'] + ' ' + p['version']:<{width}}  {p['license']}")
    # Identical texts once, with every crate that ships them.
    by_text = {}
    without = []
    for p in packages:
        texts = licence_texts(p)
        if not texts:
            where = p.get("repository") or "its crates.io page"
            without.append(f"{p['name']} {p['version']} ({p['license']}; texts at {where})")
        for name, text in texts:
            by_text.setdefault(text, []).append(f"{p['name']} {p['version']} ({name})")
    if without:
        lines += [
            "",
            "Crates whose published sources hold no licence file; their licence is the standard",
            "text of the expression shown, with the authors' notices in their repository:",
        ]
        lines += [f"  {name}" for name in without]
    for text, users in sorted(by_text.items(), key=lambda item: item[1][0]):
        lines += ["", "-" * 80, "Used by:"]
        lines += [f"  {user}" for user in users]
        lines += ["", text]
    return "\n".join(lines) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    packages = shipped_packages(metadata())
    refused = []
    for p in packages:
        expression = p.get("license") or ""
        try:
            ok = bool(expression) and allowed(expression)
        except ExpressionError as error:
            ok, expression = False, f"{expression} ({error})"
        if not ok:
            refused.append(f"  {p['name']} {p['version']}: {expression or 'no licence expression'}")
    if refused:
        print("Licences not in the allow-list (ALLOWED in tools/third_party_licenses.py):", file=sys.stderr)
        print("\n".join(refused), file=sys.stderr)
        return 1
    text = render(packages)
    if check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.name} is out of date with Cargo.lock: {REGENERATE}", file=sys.stderr)
            return 1
        print(f"{len(packages)} crates, all licences allowed, {OUTPUT.name} up to date")
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.name}: {len(packages)} crates, {len(text) // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
