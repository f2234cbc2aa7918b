"""Print ``docs/scorm-conformance.md`` from the declarative tables: ``python -m scorm.cmi._doc > docs/scorm-conformance.md``.

``tests/scorm/test_cmi_tables.py`` fails when the document differs from this output, and checks that
every test named here exists.
"""

from __future__ import annotations

from scorm.cmi.codes import CODES_12, CODES_2004
from scorm.cmi.model12 import SCORM12
from scorm.cmi.model2004 import SCORM2004
from scorm.cmi.spec import Element, Model

__all__ = ["render"]

_TABLES = "test_cmi_tables.py"
#: tests that cover every row of a table
_EVERY_ROW = {
    "get": f"{_TABLES}::test_every_readable_element_answers_get_value",
    "set": f"{_TABLES}::test_every_writeable_element_accepts_a_valid_value_and_refuses_a_bad_one",
    "ro": f"{_TABLES}::test_every_read_only_element_refuses_set_value",
}

#: further tests aimed at particular elements
_SPECIFIC: dict[str, list[str]] = {
    "1.2 cmi.core._children": ["test_cmi_model12.py::test_core_children_lists_the_core_elements_in_book_order"],
    "1.2 cmi.core.lesson_status": ["test_cmi_model12.py::test_sco_can_set_every_status_but_not_attempted",
                                   "test_cmi_commit.py::test_lesson_status_never_regresses",
                                   "test_cmi_attempts.py::test_12_finish_without_lesson_status"],
    "1.2 cmi.core.score.raw": ["test_cmi_model12.py::test_score_raw_is_decimal_or_blank_between_0_and_100",
                               "test_cmi_outcome.py::test_12_scaled_score_from_raw"],
    "1.2 cmi.core.session_time": ["test_cmi_model12.py::test_session_time_is_a_cmitimespan",
                                  "test_cmi_commit.py::test_session_time_is_added_to_the_prior_total_12"],
    "1.2 cmi.core.total_time": ["test_cmi_commit.py::test_session_time_is_added_to_the_prior_total_12"],
    "1.2 cmi.core.entry": ["test_cmi_commit.py::test_launch_state_after_suspend_is_resume",
                           "test_cmi_attempts.py::test_12_entry_is_resume_only_after_suspend"],
    "1.2 cmi.suspend_data": ["test_cmi_model12.py::test_suspend_data_over_4096_is_accepted_by_default",
                             "test_cmi_model12.py::test_suspend_data_over_4096_is_405_when_strict"],
    "1.2 cmi.student_data.mastery_score": ["test_cmi_outcome.py::test_12_mastery_score_turns_completed_into_passed"],
    "1.2 cmi.objectives.n.id": ["test_cmi_model12.py::test_objectives_append_only_at_count"],
    "1.2 cmi.interactions.n.result": ["test_cmi_model12.py::test_interaction_result_is_vocabulary_or_decimal"],
    "1.2 cmi.interactions.n.correct_responses._count": [
        "test_cmi_model12.py::test_nested_interaction_arrays_count_separately"],
    "2004 cmi.completion_status": ["test_cmi_commit.py::test_2004_completion_and_pass_never_regress",
                                   "test_cmi_commit.py::test_keep_best_false_stores_completed_back_to_incomplete",
                                   "test_cmi_attempts.py::test_2004_delivery_controls_complete_and_satisfy_when_the_sco_did_not_report",
                                   "test_cmi_outcome.py::test_2004_completion_threshold_decides_completion"],
    "2004 cmi.success_status": ["test_cmi_commit.py::test_2004_completion_and_pass_never_regress",
                                "test_cmi_outcome.py::test_2004_scaled_passing_score_decides_success"],
    "2004 cmi.completion_threshold": ["test_cmi_outcome.py::test_2004_completion_threshold_decides_completion"],
    "2004 cmi.scaled_passing_score": ["test_cmi_outcome.py::test_2004_scaled_passing_score_decides_success"],
    "2004 cmi.session_time": ["test_cmi_commit.py::test_session_time_is_added_to_the_prior_total_2004"],
    "2004 cmi.total_time": ["test_cmi_commit.py::test_session_time_is_added_to_the_prior_total_2004"],
    "2004 cmi.entry": ["test_cmi_attempts.py::test_2004_entry_after_each_exit",
                       "test_cmi_commit.py::test_launch_state_after_a_2004_non_suspend_exit_is_a_new_attempt"],
    "2004 cmi.exit": ["test_cmi_attempts.py::test_2004_entry_after_each_exit"],
    "1.2 cmi.core.exit": ["test_cmi_attempts.py::test_12_entry_is_resume_only_after_suspend"],
    "2004 cmi.suspend_data": ["test_cmi_model2004.py::test_suspend_data_longer_than_spm_is_stored_whole"],
    "2004 cmi.interactions.n.type": ["test_cmi_model2004.py::test_interaction_type_before_id_is_408"],
    "2004 cmi.interactions.n.correct_responses.m.pattern": [
        "test_cmi_responses.py::test_valid_correct_response_patterns_are_stored",
        "test_cmi_responses.py::test_invalid_correct_response_patterns_are_406",
        "test_cmi_responses.py::test_single_pattern_types_refuse_a_second_pattern_with_351"],
    "2004 cmi.interactions.n.learner_response": [
        "test_cmi_responses.py::test_valid_learner_responses_are_stored",
        "test_cmi_responses.py::test_invalid_learner_responses_are_406"],
    "2004 cmi.interactions.n.result": ["test_cmi_responses.py::test_result_is_vocabulary_or_real"],
    "2004 cmi.objectives.n.id": ["test_cmi_model2004.py::test_objective_id_is_fixed_once_set",
                                 "test_cmi_model2004.py::test_objective_ids_are_unique"],
    "2004 cmi.score.scaled": ["test_cmi_model2004.py::test_out_of_range_is_407"],
    "2004 adl.data.n.store": ["test_cmi_model2004.py::test_adl_data_buckets_are_the_lms_s",
                              "test_cmi_commit.py::test_adl_data_store_is_kept_for_buckets_the_lms_seeded"],
    "2004 adl.nav.request_valid.choice.{target=}": [
        "test_cmi_model2004.py::test_nav_request_valid_choice_target_reads_unknown"],
}

_CODE_TESTS: dict[str, dict[int, list[str]]] = {
    "1.2": {
        0: ["test_cmi_model12.py::test_set_then_get_returns_the_value"],
        101: ["test_cmi_model12.py::test_unexpected_internal_failure_is_101",
              "test_cmi_api.py::test_calls_after_terminate", "test_cmi_api.py::test_initialize_twice_is_103_in_2004_and_101_in_12"],
        201: ["test_cmi_model12.py::test_empty_element_name_is_201", "test_cmi_model12.py::test_get_beyond_count_is_201",
              "test_cmi_api.py::test_non_empty_parameter_is_201"],
        202: ["test_cmi_model12.py::test_children_on_element_without_children_is_202"],
        203: ["test_cmi_model12.py::test_count_on_non_array_is_203"],
        301: ["test_cmi_api.py::test_calls_before_initialize"],
        401: ["test_cmi_model12.py::test_undefined_element_is_401"],
        402: ["test_cmi_model12.py::test_set_on_keyword_is_402"],
        403: ["test_cmi_model12.py::test_set_on_read_only_element_is_403"],
        404: ["test_cmi_model12.py::test_get_on_write_only_element_is_404"],
        405: ["test_cmi_model12.py::test_bad_lesson_status_is_405", "test_cmi_model12.py::test_student_preference_ranges"],
    },
    "2004": {
        0: ["test_cmi_model2004.py::test_valid_values_are_stored"],
        101: ["test_cmi_model2004.py::test_unexpected_internal_failure_is_101"],
        102: ["test_cmi_api.py::test_unloadable_state_is_102"],
        103: ["test_cmi_api.py::test_initialize_twice_is_103_in_2004_and_101_in_12"],
        104: ["test_cmi_api.py::test_calls_after_terminate"],
        111: ["test_cmi_api.py::test_failed_commit_is_391_and_failed_terminate_is_111"],
        112: ["test_cmi_api.py::test_calls_before_initialize"],
        113: ["test_cmi_api.py::test_calls_after_terminate"],
        122: ["test_cmi_api.py::test_calls_before_initialize"],
        123: ["test_cmi_api.py::test_calls_after_terminate"],
        132: ["test_cmi_api.py::test_calls_before_initialize"],
        133: ["test_cmi_api.py::test_calls_after_terminate"],
        142: ["test_cmi_api.py::test_calls_before_initialize"],
        143: ["test_cmi_api.py::test_calls_after_terminate"],
        201: ["test_cmi_api.py::test_non_empty_parameter_is_201"],
        301: ["test_cmi_model2004.py::test_count_on_non_array_is_301",
              "test_cmi_model2004.py::test_children_on_element_without_children_is_301",
              "test_cmi_model2004.py::test_set_beyond_count_is_351_and_get_beyond_count_is_301"],
        351: ["test_cmi_model2004.py::test_set_beyond_count_is_351_and_get_beyond_count_is_301",
              "test_cmi_model2004.py::test_objective_ids_are_unique",
              "test_cmi_responses.py::test_single_pattern_types_refuse_a_second_pattern_with_351"],
        391: ["test_cmi_api.py::test_failed_commit_is_391_and_failed_terminate_is_111"],
        401: ["test_cmi_model2004.py::test_undefined_element_is_401"],
        402: ["test_cmi_model2004.py::test_unimplemented_part_of_the_book_is_402"],
        403: ["test_cmi_model2004.py::test_get_on_unset_element_without_default_is_403"],
        404: ["test_cmi_model2004.py::test_set_on_read_only_is_404", "test_cmi_model2004.py::test_set_on_keyword_is_404"],
        405: ["test_cmi_model2004.py::test_get_on_write_only_is_405"],
        406: ["test_cmi_model2004.py::test_type_mismatch_is_406"],
        407: ["test_cmi_model2004.py::test_out_of_range_is_407"],
        408: ["test_cmi_model2004.py::test_interaction_type_before_id_is_408",
              "test_cmi_model2004.py::test_interaction_elements_need_the_id_first",
              "test_cmi_model2004.py::test_responses_need_the_type_first"],
    },
}

_INTRO = """\
# SCORM run-time conformance (`scorm.cmi`)

Generated by `python -m scorm.cmi._doc > docs/scorm-conformance.md` from the declarative tables in
`scorm/cmi/model12.py` and `scorm/cmi/model2004.py`; `tests/scorm/test_cmi_tables.py` fails when this
file is out of date. Test references are `tests/scorm/<file>::<test>`.

## Decisions

- **Versions.** `"1.2"`, and `"2004"` with any edition suffix (`2004-2nd`, `2004-3rd`, `2004-4th`), or
  the tables `SCORM12`/`SCORM2004` themselves; the 2004 tables are those of the 4th edition. `adl.data.n.id`/`store` are the shared data buckets the LMS seeds (RTE 4.3; `shared_data` gives each map's read/write permission); `adl.nav.*`
  is stored but the LMS does no sequencing (`request_valid.*` answers `unknown`).
- **Lengths.** 2004 SPM lengths are documented, never enforced: longer values are stored whole
  (`cmi.suspend_data` is never cut). 1.2 `CMIString255`/`CMIString4096` limits are enforced (405),
  except `cmi.suspend_data`, limited to 4,096 only with `strict_suspend_data_limit=True`, and the
  interaction `CMIFeedback` fields, relaxed from 255 to 4,096.
- **Identifiers** are checked as loosely as the browser runtime (scorm-again) checks them, so a value it
  accepted is never refused by the server: 1.2 `CMIIdentifier` up to 255 characters, 2004
  `long_identifier_type` any non-blank text, pattern identifiers without white space or `[]{}`.
- **Values** are converted as JavaScript's `String()` does (`80` → `"80"`, `0.85` → `"0.85"`,
  `true` → `"true"`); containers, NaN, infinities, NUL characters and lone surrogates are type errors.
- **Keywords.** `_children` on an element without children: 1.2 → 202, 2004 → 301; `_count` on a
  non-array: 1.2 → 203, 2004 → 301; `_version` anywhere but `cmi._version` is treated like `_children`.
- **Array indices** must be written `0`, `1`, ... (no leading zeros). A new entry is appended only at
  index `_count`. Beyond it: 1.2 → 201, 2004 SetValue → 351, GetValue → 301.
- **Dependencies (2004, 408).** Every `cmi.interactions.n.*` element needs `cmi.interactions.n.id`;
  `correct_responses` and `learner_response` also need `type`; every `cmi.objectives.n.*` element needs
  `cmi.objectives.n.id`. An objective id is fixed once set and unique in the array (351).
- **Correct-response counts (2004).** true-false, likert, numeric and other hold one pattern (a second
  one is 351); the other types have no fixed limit.
- **Commit (`validate_commit`).** Read-only elements and keywords in a payload are ignored silently
  (the LMS value is kept, no error); `None` and `""` for elements that cannot hold `""` mean "never set"
  and are ignored; undefined elements are 401 errors; `session_time` is added to `total_time` and not
  stored. Entries are applied in index order, `id` then `type` first in each entry. A runtime sends every
  element it holds with each commit: an element sent back with its stored value is checked again in the
  commit's context (an interaction's new `type`, a stricter limit, a read-only bucket can refuse it) but
  not written again; the stored state is read as it is (no model of it is rebuilt per commit).
- **Never regress (commit, `keep_best=True` only).** 1.2 `lesson_status`: `passed` is kept over
  anything; `completed`/`failed` are kept over `incomplete`/`browsed`; 2004: `completion_status`
  `completed` and `success_status` `passed` are kept. With `keep_best=False` values are stored as the SCO
  set them (RTE 4.2.4). `not attempted` from the runtime is always ignored. Dropped values are not errors.
- **Partial commits.** A refused element is reported with its code and left out; every other element
  of the commit is applied.
- **Time.** Intervals are summed as exact `Decimal` seconds. 1.2 totals are written `HHHH:MM:SS.SS`
  (saturating at 9999:59:59.99); 2004 totals `P[nD]T[nH][nM][s]S`. In 2004 input a year is 365 days and a
  month 30 days. An unreadable stored total counts as zero.
- **Outcome.** 1.2: with a mastery score, a raw score, credit and normal mode, `passed` iff raw ≥ mastery,
  else `failed`; `passed`/`completed`/`failed` count as completed; scaled score = (raw−min)/(max−min), or
  raw/max, or raw/100, clamped to 0..1. 2004: with a completion threshold, `completed` iff
  progress_measure ≥ threshold, `incomplete` below, `unknown` without a progress measure; with a scaled
  passing score, `passed` iff score.scaled ≥ it, `failed` below, `unknown` without a scaled score.
- **Entry (`launch_state`, `launch_plan`).** `ab-initio` with fresh data for a first launch or a new
  attempt; `resume` with the stored data after `exit` = `suspend` (2004: or `adl.nav.request` =
  `suspendAll`); otherwise 2004 starts a new learner attempt (`ab-initio`, fresh data, RTE 4.2.8) and
  1.2 keeps the data with `""` (1.2 RTE 3.4.4).
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _tests_for(version: str, row: Element) -> list[str]:
    if row.keyword or row.access == "RO":
        tests = [_EVERY_ROW["ro"]]
        tests += [] if row.access == "WO" else [_EVERY_ROW["get"]]
    else:
        tests = [_EVERY_ROW["get"], _EVERY_ROW["set"]]
    return tests + _SPECIFIC.get(f"{version} {row.path}", [])


def _length(row: Element) -> str:
    if row.spm:
        return f"SPM {row.spm:,}"
    return f"max {row.max_length:,}" if row.max_length else ""


def _element_table(table: Model) -> list[str]:
    lines = [
        "| element | type | access | vocabulary / range | length | default | notes | tests |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in table.rows():
        default = "" if row.default is None else f"`{row.default}`" if row.default else '`""`'
        notes = row.note if not row.keyword else "keyword"
        if row.requires:
            notes = "; ".join(filter(None, [notes, "needs " + ", ".join(row.requires) + " first (408)"]))
        tests = "<br>".join(f"`{test}`" for test in _tests_for(table.version, row))
        kind = f"{row.type} or CMIBlank" if row.blank_ok else row.type
        lines.append(f"| `{row.path}` | {kind} | {row.access} | {_cell(row.describe_range())} | {_length(row)} "
                     f"| {_cell(default)} | {_cell(notes)} | {tests} |")
    return lines


def _code_table(version: str) -> list[str]:
    codes = CODES_12 if version == "1.2" else CODES_2004
    lines = ["| code | meaning | Vietnamese | tests |", "|---|---|---|---|"]
    for code, text in codes.items():
        tests = "<br>".join(f"`{test}`" for test in _CODE_TESTS[version][code])
        lines.append(f"| {code} | {text.en} | {text.vi} | {tests} |")
    return lines


def render() -> str:
    """The whole conformance document, as Markdown."""
    parts = [_INTRO]
    for title, table in (("SCORM 1.2", SCORM12), ("SCORM 2004 (4th edition)", SCORM2004)):
        parts.append(f"## {title}: data model\n\n" + "\n".join(_element_table(table)) + "\n")
    for title, version in (("SCORM 1.2", "1.2"), ("SCORM 2004", "2004")):
        parts.append(f"## {title}: error codes\n\n" + "\n".join(_code_table(version)) + "\n")
    parts.append("## Fuzzing\n\n`test_cmi_fuzz.py::test_validate_commit_never_raises`, "
                 "`test_cmi_fuzz.py::test_data_model_calls_never_raise_and_answer_book_codes` and "
                 "`test_cmi_fuzz.py::test_outcome_raises_only_scorm_errors` (Hypothesis) send arbitrary names and "
                 "values; `bench/fuzz_cmi.py` is an atheris harness for longer runs. "
                 "`test_cmi_commit_fast.py` (Hypothesis) holds `validate_commit` to the reference merge "
                 "(`tests/scorm/commit_oracle.py`: a full model of the stored state built per commit, every element "
                 "set through SetValue) over random commits of both tables.\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
