"""Benchmark of scorm.package: a 500 MB package inspected and extracted, against ``unzip -t``.

Run from the repository root::

    .venv/bin/python bench/bench_package.py            # 500 MB, as in docs/benchmarks.md
    .venv/bin/python bench/bench_package.py --size-mb 50

It writes a package of mostly incompressible "video" bytes (plus a few hundred small HTML/JS files)
into a temporary folder, deleted afterwards. Every measured step runs in its own child process, so
its peak RSS comes from ``os.wait4`` for that child alone. Also timed: the refusal of a 1 GiB zip
bomb, a billion-laughs manifest and a 100,000-entry zip.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "scorm"))

MIB = 1024 * 1024
TARGET_RATIO = 1.5
TARGET_RSS_MB = 100

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="bench" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Benchmark</title>
    <item identifier="i" identifierref="r"><title>Video course</title></item>
  </organization></organizations>
  <resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index_lms.html">
    <file href="index_lms.html"/>{files}
  </resource></resources>
</manifest>
"""


def build_package(path: Path, size_mb: int) -> None:
    """Write a Storyline-like package: ``size_mb`` MB of random "video" plus 400 small text files."""
    rng = random.Random(2024)
    videos = max(1, size_mb // 50)
    per_video = size_mb * MIB // videos
    names = [f"story_content/video_{i:02d}.mp4" for i in range(videos)]
    small = [f"html5/data/js/slide_{i:03d}.js" for i in range(400)]
    listed = "".join(f'\n    <file href="{n}"/>' for n in names + small)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("imsmanifest.xml", MANIFEST.format(files=listed))
        zf.writestr("index_lms.html", "<html><body><script src='lms/scormdriver.js'></script></body></html>")
        for name in small:
            zf.writestr(name, f"window.slide = {{name: '{name}', text: '{'Nội dung bài học ' * 40}'}};")
        for name in names:
            with zf.open(name, "w", force_zip64=True) as out:
                left = per_video
                while left:
                    chunk = rng.randbytes(min(4 * MIB, left))
                    out.write(chunk)
                    left -= len(chunk)


CHILD = """
import json, sys, time
from pathlib import Path
from scorm.errors import PackageError
from scorm.package import extract, inspect
step, source, dest = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
try:
    if step in ("inspect", "both"):
        report = inspect(source)
    if step in ("extract", "both"):
        report = extract(source, Path(dest))
    ok, codes = report.ok, [e.code for e in report.errors]
except PackageError as exc:
    ok, codes = False, [exc.code]
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"seconds": time.perf_counter() - t, "ok": ok, "codes": codes, "vmhwm_mb": hwm / 1024}))
"""


def run_child(argv: list[str]) -> tuple[float, float, str]:
    """Run a child process; return (wall seconds, peak RSS in MB, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1, 2):
        raise RuntimeError(f"{argv[:3]} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def scorm_step(step: str, source: Path, dest: Path) -> tuple[float, float, dict]:
    wall, rss, out = run_child([sys.executable, "-c", CHILD, step, str(source), str(dest)])
    return wall, rss, json.loads(out)


HOSTILE = ["zip bomb, 1 GiB of zeros", "zip bomb, 1 GiB behind a 1 MiB header", "billion laughs manifest",
           "100,000 entries"]


def hostile_files(folder: Path) -> dict[str, Path]:
    """The three refusals the issue names, built with the test suite's own factory."""
    from conftest import PackageKit  # tests/scorm/conftest.py

    kit = PackageKit()
    manifest = kit.manifest().encode()
    lols = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    laughs = (f'<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY l0 "lol">{lols}]>'
              + kit.manifest().split("?>", 1)[1].replace("Bài 1", "&l9;"))
    cases = {
        HOSTILE[0]: kit.raw([
            kit.Entry("imsmanifest.xml", manifest), kit.Entry("index.html", b"<html/>"),
            kit.Entry("video.mp4", kit.zero_bomb(1024 * MIB), plain=b"", crc=0, file_size=1024 * MIB, method=8)]),
        HOSTILE[1]: kit.raw([
            kit.Entry("imsmanifest.xml", manifest), kit.Entry("index.html", b"<html/>"),
            kit.Entry("video.mp4", kit.zero_bomb(1024 * MIB), plain=b"", crc=0, file_size=MIB, method=8)]),
        HOSTILE[2]: kit.zip({"imsmanifest.xml": laughs, "index.html": "<html/>"}),
        HOSTILE[3]: kit.many_entries(100_000),
    }
    paths = {}
    for i, (label, data) in enumerate(cases.items()):
        paths[label] = folder / f"hostile_{i}.zip"
        paths[label].write_bytes(data)
    return paths


def build_all(folder: Path, size_mb: int) -> None:
    """Builder child: writes package.zip and the hostile zips (keeps the parent's RSS small, because a
    forked child's ru_maxrss starts from its parent's)."""
    t = time.perf_counter()
    build_package(folder / "package.zip", size_mb)
    hostile_files(folder)
    print(f"built {(folder / 'package.zip').stat().st_size / MIB:.0f} MiB zip in {time.perf_counter() - t:.1f} s")


def measure(folder: Path, unzip: str) -> None:
    package = folder / "package.zip"
    run_child([unzip, "-tqq", str(package)])  # warm the page cache for everyone
    rows = []
    unzip_wall, unzip_rss, _ = run_child([unzip, "-tqq", str(package)])
    rows.append(("unzip -tqq (reference)", unzip_wall, unzip_rss, ""))
    baseline = run_child([sys.executable, "-c", "import scorm.package"])
    rows.append(("python -c 'import scorm.package' (floor)", baseline[0], baseline[1], ""))
    for step in ("inspect", "extract", "both"):
        dest = folder / f"out_{step}"
        wall, rss, result = scorm_step(step, package, dest)
        label = {"both": "inspect + extract"}.get(step, step)
        note = f"ok={result['ok']}; {result['seconds']:.2f} s in-process; VmHWM {result['vmhwm_mb']:.0f} MB"
        rows.append((label, wall, rss, note))
        shutil.rmtree(dest, ignore_errors=True)
    for i, label in enumerate(HOSTILE):
        wall, rss, result = scorm_step("both", folder / f"hostile_{i}.zip", folder / "out_hostile")
        note = f"{', '.join(result['codes'])}; {result['seconds']:.3f} s in-process; VmHWM {result['vmhwm_mb']:.0f} MB"
        rows.append((f"refuse: {label}", wall, rss, note))
    print("\n| step | wall s | × unzip -t | peak RSS MB (getrusage) | notes |\n|---|---|---|---|---|")
    for label, wall, rss, note in rows:
        print(f"| {label} | {wall:.2f} | {wall / unzip_wall:.2f} | {rss:.0f} | {note} |")
    both = next(r for r in rows if r[0] == "inspect + extract")
    print(f"\ntargets: ≤ {TARGET_RATIO}× unzip -t → {both[1] / unzip_wall:.2f}×; "
          f"≤ {TARGET_RSS_MB} MB RSS → {both[2]:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--build-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_into:
        build_all(args.build_into, args.size_mb)
        return
    unzip = shutil.which("unzip")
    if unzip is None:
        sys.exit("unzip is missing: apt-get install -y unzip")
    folder = Path(tempfile.mkdtemp(prefix="bench_package_"))
    try:
        subprocess.run([sys.executable, __file__, "--size-mb", str(args.size_mb), "--build-into", str(folder)],
                       check=True, cwd=ROOT)
        measure(folder, unzip)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
