"""Error types of the scorm library. Nothing else escapes its public functions."""


class ScormError(Exception):
    """Base class for every error the library raises on purpose."""

    #: a stable machine-readable code, e.g. ``"manifest.invalid_xml"``
    code: str = "scorm.error"

    def __init__(self, message: str, *, code: str | None = None, message_vi: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        #: the message in Vietnamese (the UI's first language); English is ``str(self)``
        self.message_vi = message_vi or message


class ManifestError(ScormError):
    """imsmanifest.xml cannot be read as a SCORM manifest."""

    code = "manifest.invalid"


class PackageError(ScormError):
    """A zip cannot be used as a SCORM package (hostile, broken or over a limit)."""

    code = "package.invalid"


class CmiError(ScormError):
    """Run-time data that cannot be applied."""

    code = "cmi.invalid"
