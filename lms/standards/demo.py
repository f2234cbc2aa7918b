"""Demo seed: load the shipped example standards and compute the statuses."""

from __future__ import annotations

from lms.demo import demo_step


@demo_step(50, "standards: example standards and compliance statuses")
def seed_standards(echo) -> None:
    """Load defaults/*.toml|yaml (idempotent) and recompute."""
    from lms.standards import engine, services
    from lms.standards.cli import DEFAULTS

    for path in sorted(DEFAULTS.iterdir()):
        for std, added in services.load_file(path, recompute=False):
            echo(f"  {std.code}: {added} new requirement version(s)")
    echo(f"  {engine.recompute()} compliance statuses")
