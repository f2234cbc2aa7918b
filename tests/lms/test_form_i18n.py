"""Every form of ``lms/**/forms.py`` (and of the views modules that define their own) shows English labels, choices and messages when the UI is English."""

from __future__ import annotations

import importlib
import inspect
import unicodedata
from pathlib import Path

import pytest
from flask_wtf import FlaskForm

LMS = Path(__file__).resolve().parents[2] / "lms"


def _form_classes() -> list[type[FlaskForm]]:
    """The FlaskForm subclasses defined (not merely imported) in each ``lms/**/forms.py`` and ``*views.py``."""
    classes = []
    for path in sorted([*LMS.rglob("forms.py"), *LMS.rglob("*views.py")]):
        module = importlib.import_module(".".join(path.relative_to(LMS.parent).with_suffix("").parts))
        classes += [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                    if issubclass(cls, FlaskForm) and cls.__module__ == module.__name__]
    return classes


FORMS = _form_classes()


def _vietnamese(text: str) -> bool:
    """True when ``text`` has a non-ASCII letter (ă, đ, ơ, …) or a combining accent (typographic signs pass)."""
    return any(unicodedata.category(ch) == "Mn" or (ch.isalpha() and not ch.isascii())
               for ch in unicodedata.normalize("NFD", text))


def test_the_forms_are_found():
    names = {cls.__name__ for cls in FORMS}
    assert {"LoginForm", "ConsumerForm", "BankForm", "ModuleForm", "ImportUploadForm", "ClassForm",
            "RequirementForm", "UserForm"} <= names


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_form_labels_are_english_in_the_english_ui(app, form_class):
    """Labels (and the choices and validator messages the form class defines) carry no Vietnamese in English."""
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        form = form_class(meta={"csrf": False})
        shown = []
        for field in form:
            shown.append(("label", field.name, str(field.label.text)))
            if field.description:
                shown.append(("description", field.name, str(field.description)))
            for choice in getattr(field, "choices", None) or []:
                text = choice.label if hasattr(choice, "label") else choice[1]
                shown.append(("choice", field.name, str(text)))
            for validator in field.validators:
                if getattr(validator, "message", None) is not None:
                    shown.append(("message", field.name, str(validator.message)))
        assert [item for item in shown if _vietnamese(item[2])] == []
