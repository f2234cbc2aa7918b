"""Course sources (``course_packages/``): loading, validation and building into SCORM packages.

Pure Python: no Flask, no database. ``load_course`` reads one source folder; ``build_course`` writes its
SCORM 1.2 and 2004 zips and a copy of its question bank.
"""

from lms.content.builder import build_course, find_course_dirs
from lms.content.source import ContentError, Course, LegalSource, Lesson, Question, load_course

__all__ = [
    "ContentError",
    "Course",
    "LegalSource",
    "Lesson",
    "Question",
    "build_course",
    "find_course_dirs",
    "load_course",
]
