"""A standalone SCORM 1.2 / 2004 library: manifests, safe packages, the run-time data model, building.

This package depends on lxml only. It never imports Flask, SQLAlchemy or the LMS.
"""

from scorm.errors import ScormError

__all__ = ["ScormError"]
