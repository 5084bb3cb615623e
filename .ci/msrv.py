#!/usr/bin/env python3
"""Checks that Cargo.toml's rust-version is the real minimum Rust version.

No other toolchain can be installed where CI runs, so the minimum is not found by building with
an older compiler: it is read from the locked dependencies themselves. Each published crate
states the oldest compiler it builds with (its own rust-version); ours must be the highest of
those among the crates built for this host (normal, build and dev dependencies), and the
compiler running CI must be at least that.
"""
import json
import re
import subprocess
import sys


def version(text):
    core = re.match(r"\d+(\.\d+)*", text).group(0)
    return tuple(int(x) for x in (core.split(".") + ["0", "0"])[:3])


def main():
    host = re.search(r"^host: (\S+)$", subprocess.check_output(["rustc", "-vV"], text=True), re.M).group(1)
    meta = json.loads(
        subprocess.check_output(
            ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", host], text=True
        )
    )
    built = {node["id"] for node in meta["resolve"]["nodes"]}
    ours = set(meta["workspace_members"])
    root = meta["resolve"]["root"]
    declared = None
    needed, needed_by = (0, 0, 0), "nothing"
    for p in meta["packages"]:
        if p["id"] == root:
            declared = p.get("rust_version")
        elif p["id"] in ours:
            continue
        elif p["id"] in built and p.get("rust_version"):
            v = version(p["rust_version"])
            if v > needed:
                needed, needed_by = v, f"{p['name']} {p['version']}"
    if declared is None:
        sys.exit("Cargo.toml declares no rust-version")
    shown = ".".join(map(str, needed[:2] if needed[2] == 0 else needed))
    if version(declared) != needed:
        sys.exit(f"Cargo.toml says rust-version = {declared}, but {needed_by} needs {shown}: set it to {shown}")
    # Every crate of the workspace declares the same minimum.
    for p in meta["packages"]:
        if p["id"] in ours and p.get("rust_version") != declared:
            sys.exit(f"{p['name']} says rust-version = {p.get('rust_version')}, the workspace {declared}")
    compiler = version(re.search(r"(\d+\.\d+\.\d+)", subprocess.check_output(["rustc", "--version"], text=True)).group(1))
    if compiler < needed:
        sys.exit(f"this compiler is older than rust-version {declared}")
    print(f"rust-version {declared} is the minimum: {needed_by} needs it")


if __name__ == "__main__":
    main()
