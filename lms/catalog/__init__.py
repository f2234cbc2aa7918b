"""Modules (học phần) and their SCORM package versions."""
