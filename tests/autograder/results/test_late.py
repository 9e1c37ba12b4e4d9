"""autograder.results.late: the late policy at its boundaries, the extensions file, the gradebook rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from traitlets.config import Config

from autograder.results import late

DUE = datetime(2026, 12, 1, 23, 59, 0)
POLICY = late.LatePolicy(grace_minutes=15, per_day=0.1, cap=0.5)


def lateness(handed_in: datetime, policy=POLICY, extensions=None) -> late.Lateness:
    stamp = handed_in.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    found, warnings = late.assess({("ada", "a1"): stamp}, {"a1": DUE}, extensions or {}, policy)
    assert warnings == []
    return found[("ada", "a1")]


def test_exactly_on_time_and_early_lose_nothing():
    for when in (DUE, DUE - timedelta(days=3)):
        got = lateness(when)
        assert (got.seconds_late, got.fraction, got.penalty(10.0), got.describe()) == (0.0, 0.0, 0.0, "")


def test_inside_the_grace_is_late_but_not_penalised():
    got = lateness(DUE + timedelta(minutes=15))
    assert got.seconds_late == 900 and got.fraction == 0.0 and got.penalty(10.0) == 0.0
    assert got.describe() == "handed in 15 minutes late, within the grace period: no penalty"


def test_one_second_after_the_grace_is_one_started_day():
    got = lateness(DUE + timedelta(minutes=15, seconds=1))
    assert got.fraction == pytest.approx(0.1) and got.penalty(10.0) == pytest.approx(1.0)
    assert got.describe() == "handed in 15 minutes 1 second late: -10%"
    no_grace = late.LatePolicy(per_day=0.1)
    assert lateness(DUE + timedelta(seconds=1), no_grace).fraction == pytest.approx(0.1)
    assert lateness(DUE, no_grace).fraction == 0.0


def test_late_without_a_penalty_per_day_says_so():
    got = lateness(DUE + timedelta(days=3), late.LatePolicy(grace_minutes=5))
    assert got.fraction == 0.0 and not got.graced and got.describe() == "handed in 3 days late: no penalty"


def test_started_days_count_from_the_due_date():
    got = lateness(DUE + timedelta(days=2, hours=3))
    assert got.fraction == pytest.approx(0.3) and got.describe() == "handed in 2 days 3 hours late: -30%"
    assert lateness(DUE + timedelta(days=2)).fraction == pytest.approx(0.2)  # exactly 2 days: 2 started


def test_the_cap_and_the_floor():
    assert lateness(DUE + timedelta(days=9)).fraction == 0.5  # capped at 50 %
    harsh = late.LatePolicy(per_day=0.4, cap=1.0)
    got = lateness(DUE + timedelta(days=4), harsh)  # 160 % of the score, capped at 100 %
    assert got.fraction == 1.0 and got.penalty(7.5) == 7.5 and 7.5 - got.penalty(7.5) == 0.0
    assert got.penalty(0.0) == 0.0 and got.penalty(-1.0) == 0.0  # never below 0, never a bonus


def test_an_extension_moves_the_due_date_of_that_student_only():
    ext = {("ada", "a1"): DUE + timedelta(days=3)}
    assert lateness(DUE + timedelta(days=2), extensions=ext).fraction == 0.0
    got = lateness(DUE + timedelta(days=3, seconds=900 + 1), extensions=ext)
    assert got.fraction == pytest.approx(0.1) and got.extended
    assert got.describe() == "handed in 15 minutes 1 second late (after the extended due date): -10%"
    found, _ = late.assess(
        {("ada", "a1"): "2026-12-03 00:00:00 UTC", ("bob", "a1"): "2026-12-03 00:00:00 UTC"},
        {"a1": DUE},
        ext,
        POLICY,
    )
    assert found[("ada", "a1")].fraction == 0.0 and found[("bob", "a1")].fraction == pytest.approx(0.2)
    _, warnings = late.assess({("bob", "a1"): None}, {"a1": DUE}, {**ext, ("adda", "a1"): DUE}, POLICY)
    assert warnings == [
        "extensions for hand-ins not graded in this run (a typo in a student id?): ada/a1, adda/a1"
    ]
    assert late.extension_delta(found[("ada", "a1")], DUE) == timedelta(days=3)


def test_no_due_date_or_no_timestamp_means_on_time_and_a_bad_timestamp_is_a_warning():
    found, warnings = late.assess(
        {("ada", "a1"): None, ("bob", "a2"): "2030-01-01 00:00:00 UTC", ("cy", "a1"): "yesterday-ish"},
        {"a1": DUE, "a2": None},
        {},
        POLICY,
    )
    assert all(v.fraction == 0.0 for v in found.values())
    assert warnings == ["cy/a1: timestamp.txt 'yesterday-ish' is not a date: counted on time"]


def test_time_zones_are_read_as_nbgrader_reads_them():
    got = lateness(DUE)  # UTC
    assert got.fraction == 0.0
    found, _ = late.assess({("ada", "a1"): "2026-12-02 00:59:00 +0100"}, {"a1": DUE}, {}, POLICY)
    assert found[("ada", "a1")].seconds_late == 0.0  # 23:59 UTC
    for text in ("2026-12-02 00:59:00 Europe/Paris", "2026-12-02T00:59:00+01:00", "2026-12-01 23:59:00"):
        assert late.parse_time(text) == DUE, text


def test_policy_from_config_and_its_errors():
    c = Config()
    assert late.policy_from_config(c) == late.LatePolicy(0.0, 0.0, 1.0)  # no policy: no penalty
    c.Autograder.late_grace_minutes = 10
    c.Autograder.late_penalty_per_day = 0.25
    c.Autograder.late_penalty_cap = 0.75
    assert late.policy_from_config(c) == late.LatePolicy(10, 0.25, 0.75)
    for key, value, message in (
        ("late_penalty_per_day", 1.5, "late_penalty_per_day must be between 0 and 1, got 1.5"),
        ("late_penalty_cap", -0.1, "late_penalty_cap must be between 0 and 1"),
        ("late_grace_minutes", "ten", "late_grace_minutes must be a number"),
    ):
        bad = Config()
        bad.Autograder[key] = value
        with pytest.raises(late.LatePolicyError, match=message):
            late.policy_from_config(bad)


def test_due_dates_from_config_are_checked():
    c = Config()
    c.Autograder.due_dates = {"a1": "2026-12-01 23:59:00 UTC"}
    assert late.due_dates_from_config(c, {"a1", "a2"}) == {"a1": DUE}
    c.Autograder.due_dates = {"a9": "2026-12-01"}
    with pytest.raises(
        late.LatePolicyError, match=r"names 'a9', not an assignment of source/ \(expected one of a1, a2\)"
    ):
        late.due_dates_from_config(c, {"a1", "a2"})
    c.Autograder.due_dates = {"a1": "the first of december"}
    with pytest.raises(
        late.LatePolicyError, match=r"due_dates\['a1'\]: 'the first of december' is not a date"
    ):
        late.due_dates_from_config(c, {"a1"})


def test_the_extensions_file_is_read_and_every_problem_named_with_its_line():
    good = "student_id,assignment,due\nada,a1,2026-12-04 23:59:00 UTC\n\nbob,a2,2026-12-05\n"
    assert late.read_extensions(good, {"a1", "a2"}) == {
        ("ada", "a1"): datetime(2026, 12, 4, 23, 59),
        ("bob", "a2"): datetime(2026, 12, 5),
    }
    assert late.read_extensions("", {"a1"}) == {}
    with pytest.raises(
        late.LatePolicyError, match="the header must be student_id,assignment,due, got name,due"
    ):
        late.read_extensions("name,due\nada,2026-12-01\n", {"a1"})
    bad = (
        "student_id,assignment,due\n"
        "ada,a1,2026-12-04\n"
        "ada,a1,2026-12-06\n"
        ",a1,2026-12-04\n"
        "bob,a7,2026-12-04\n"
        "cy,a1,soon\n"
        "dee,a1\n"
    )
    with pytest.raises(late.LatePolicyError) as err:
        late.read_extensions(bad, {"a1"}, "ext.csv")
    text = str(err.value)
    assert text.startswith("ext.csv: ")
    for part in (
        "line 3: a second extension for ada on a1",
        "line 4: no student_id",
        "line 5: 'a7' is not an assignment (expected one of a1)",
        "line 6: 'soon' is not a date and time",
        "line 7: expected 3 fields (student_id,assignment,due), got 2",
    ):
        assert part in text
    with pytest.raises(late.LatePolicyError, match="does not exist"):
        late.load_extensions("/nonexistent/ext.csv", {"a1"})


def test_durations_read_naturally():
    assert late.duration(1) == "1 second"
    assert late.duration(61) == "1 minute 1 second"
    assert late.duration(3600) == "1 hour"
    assert late.duration(86400 * 2 + 3 * 3600 + 59) == "2 days 3 hours"
    assert late.duration(86400 + 60) == "1 day"  # the two largest units only


def ada_row(spec, path):
    """grades.csv written again from the gradebook: ada's a1_squares row."""
    import csv

    from autograder.results import export

    export.export_csv(spec.db_url, spec.course_id, path)
    return next(
        r for r in csv.DictReader(path.open()) if r["student_id"] == "ada" and r["assignment"] == "a1_squares"
    )


def test_grading_writes_the_penalty_and_extension_into_nbgraders_rows_and_grades_csv(
    tmp_path_factory, tmp_path
):
    """The penalty is a fraction of each notebook's score, manual grades included; the extension is nbgrader's."""
    import warnings

    from nbgrader.api import Gradebook

    from autograder.results import export
    from autograder.results.scoring import CellResult, NotebookResult
    from tests.autograder.support import make_course, make_spec

    spec = make_spec(make_course(tmp_path_factory), tmp_path_factory)
    with Gradebook(spec.db_url, spec.course_id) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gb.update_or_create_assignment("a1_squares", duedate=DUE)
    result = NotebookResult("ada", "a1_squares", "a1_squares", 6.0)
    result.cells = [
        CellResult("square_tests", "test", 2.0, 2.0, "passed"),
        CellResult("cube_tests", "test", 3.0, 3.0, "passed"),
        CellResult("why", "manual", 1.0, None, "manual"),
    ]
    stamp = "2026-12-04 02:59:00 UTC"  # 2 days 3 hours late; 3 started days; extended by 1 day: 2 days
    extension = {("ada", "a1_squares"): DUE + timedelta(days=1)}
    found, _ = late.assess({("ada", "a1_squares"): stamp}, {"a1_squares": DUE}, extension, POLICY)
    assert found[("ada", "a1_squares")].fraction == pytest.approx(0.2)
    export.save_to_gradebook(spec.db_url, spec.course_id, [result], {("ada", "a1_squares"): stamp}, found)
    row = ada_row(spec, tmp_path / "grades.csv")
    assert (row["raw_score"], row["late_submission_penalty"], row["score"]) == ("5.0", "1.0", "4.0")
    with Gradebook(spec.db_url, spec.course_id) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sub = gb.find_submission("a1_squares", "ada")
        assert sub.extension == timedelta(days=1) and sub.total_seconds_late == pytest.approx(
            86400 + 3 * 3600
        )
        assert late.from_submission(sub, POLICY) == found[("ada", "a1_squares")]  # pages made later agree
        gb.find_grade("why", "a1_squares", "a1_squares", "ada").manual_score = 1.0  # a person grades it
        gb.db.commit()
    export.save_to_gradebook(spec.db_url, spec.course_id, [result], {("ada", "a1_squares"): stamp}, found)
    row = ada_row(spec, tmp_path / "grades.csv")
    assert (row["raw_score"], row["late_submission_penalty"], row["score"]) == ("6.0", "1.2", "4.8")
    export.save_to_gradebook(spec.db_url, spec.course_id, [result], {}, None)  # not assessed: kept
    row = ada_row(spec, tmp_path / "grades.csv")
    assert row["late_submission_penalty"] == "1.2"


def test_a_wrong_extensions_file_stops_grading_with_every_problem(tmp_path_factory, tmp_path):
    """``python -m autograder grade --extensions FILE``: exit 2 and the file's problems, nothing graded."""
    from tests.autograder.support import cli, make_course, need_sandbox

    need_sandbox()
    course = make_course(tmp_path_factory)
    (tmp_path / "sub" / "ada" / "a2_double").mkdir(parents=True)
    (tmp_path / "sub" / "ada" / "a2_double" / "a2_double.ipynb").write_text("{}")
    ext = tmp_path / "ext.csv"
    ext.write_text("student_id,assignment,due\nada,a2_double,next week\nbob,a9,2026-12-01\n")
    proc = cli("grade", tmp_path / "sub", "--out", tmp_path / "out", "--course", course, "--extensions", ext)
    assert proc.returncode == 2, proc.stderr
    assert "cannot grade: late policy: " in proc.stderr
    assert "line 2: 'next week' is not a date and time" in proc.stderr
    assert "line 3: 'a9' is not an assignment (expected one of a1_squares, a2_double)" in proc.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()
