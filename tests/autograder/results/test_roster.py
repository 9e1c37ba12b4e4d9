"""autograder.results.roster: the roster format, every problem reported, nobody silently dropped."""

from __future__ import annotations

import pytest

from autograder.results import roster

GOOD = (
    "Student_ID,Name,Email,Canvas_ID,SIS_User_ID,SIS_Login_ID,Section,ID_Number\n"
    'ada,"Lovelace, Ada",ada@uni.example,1001,S-17,ada.l,Group A,2026017\n'
    "bob,Bob Byron,Bob@Uni.example,1002,,,Group B,\n"
    "assignment:a1,Squares,,501,,,,\n"
    "assignment:a2,Doubling,,,,,,\n"
)


def test_a_roster_is_read_with_its_students_and_lms_assignments():
    r = roster.parse(GOOD)
    assert [s.student_id for s in r.students] == ["ada", "bob"]
    ada = r.by_id()["ada"]
    assert (ada.name, ada.email, ada.canvas_id, ada.sis_user_id, ada.sis_login_id, ada.section, ada.id_number) == (
        "Lovelace, Ada", "ada@uni.example", "1001", "S-17", "ada.l", "Group A", "2026017",
    )  # fmt: skip
    assert r.assignments == {
        "a1": roster.LmsAssignment("a1", "Squares", "501"),
        "a2": roster.LmsAssignment("a2", "Doubling", ""),
    }
    assert roster.parse("student_id\nada\n").students == [roster.Student("ada")]  # one column is enough


def test_the_header_is_checked():
    with pytest.raises(roster.RosterError, match="empty"):
        roster.parse("\n\n")
    with pytest.raises(roster.RosterError, match="must name student_id"):
        roster.parse("name,email\nAda,ada@x\n")
    with pytest.raises(roster.RosterError, match="unknown: login"):
        roster.parse("student_id,login\nada,x\n")
    with pytest.raises(roster.RosterError, match="named twice"):
        roster.parse("student_id,email,EMAIL\nada,x,y\n")


def test_every_problem_of_the_rows_is_reported_at_once_with_its_line():
    bad = (
        "student_id,name,email,canvas_id,sis_user_id\n"
        "ada,Ada,ada@x.org,1001,S1\n"
        "ada,Ada again,other@x.org,1002,S2\n"
        ",Nobody,,,\n"
        "bob,Bob,ADA@x.org,1001,S1\n"
        "cy,Cy,cy@x.org,12a,\n"
        "dee,Dee,dee@x.org,1005,,extra\n"
        "assignment:a1,One,,7,\n"
        "assignment:a1,Again,,8,\n"
    )
    with pytest.raises(roster.RosterError) as err:
        roster.parse(bad, "class.csv")
    text = str(err.value)
    assert text.startswith("class.csv: ")
    for part in (
        "line 3: student_id 'ada' already on line 2",
        "line 4: no student_id",
        "line 5: canvas_id '1001' already on line 2",
        "line 5: sis_user_id 'S1' already on line 2",
        "line 5: email 'ADA@x.org' already on line 2",  # e-mails compared without case
        "line 6: canvas_id '12a' is not a number",
        "line 7: 6 fields for 5 columns",
        "line 9: assignment a1 is named twice",
    ):
        assert part in text, part


def test_graded_students_missing_from_the_roster_are_an_error_naming_them_all():
    r = roster.parse(GOOD)
    with pytest.raises(roster.RosterError) as err:
        roster.check_covers(r, ["ada", "zed", "yan"], ["a1", "a2"], allow_unlisted=False)
    assert "2 graded students are not in the roster: yan, zed" in str(err.value)
    assert "--allow-unlisted" in str(err.value)
    warnings = roster.check_covers(r, ["ada", "zed"], ["a1", "a2"], allow_unlisted=True)
    assert warnings == [
        "left out, not in the roster: zed",
        "in the roster, nothing graded (cells left blank): bob",
    ]
    assert roster.check_covers(r, ["ada", "bob"], ["a1", "a2"], allow_unlisted=False) == []


def test_an_assignment_row_nobody_was_graded_on_is_an_error():
    with pytest.raises(
        roster.RosterError, match=r"names assignments nobody was graded on: a2 \(graded: a1\)"
    ):
        roster.check_covers(roster.parse(GOOD), ["ada", "bob"], ["a1"], allow_unlisted=False)


def test_load_says_when_the_file_is_missing(tmp_path):
    with pytest.raises(roster.RosterError, match="does not exist"):
        roster.load(tmp_path / "nope.csv")
    (tmp_path / "r.csv").write_text("\ufeff" + GOOD, encoding="utf-8")  # Excel's byte-order mark
    assert len(roster.load(tmp_path / "r.csv").students) == 2
