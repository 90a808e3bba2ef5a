"""WAS and CHANGED against change history written by real transitions and edits.

Timeline (Oslo time): all orders created 2024-05-01 10:00; A and C moved to
Under planlegging by planner 2024-05-02 10:00; C moved to Manuell oppfølging
by admin and B assigned to installer2 (postcode 0151 -> 0152) by planner
2024-05-03 10:00.
"""

from __future__ import annotations

import pytest

ALL = {"A", "B", "C", "D"}

CASES = [
    ('status WAS "Under planlegging"', {"A", "C"}),
    ("status WAS Åpen", ALL),
    ('status WAS Åpen AFTER "2024-05-02 12:00"', {"B", "D"}),
    ('status WAS Åpen BEFORE "2024-05-02"', ALL),
    ('status WAS "Under planlegging" ON "2024-05-02"', {"A", "C"}),
    ('status WAS "Under planlegging" ON "2024-05-01"', set()),
    ('status WAS "Under planlegging" DURING ("2024-05-03 12:00", "2024-05-04")', {"A"}),
    ('status WAS "Under planlegging" DURING ("2024-04-01", "2024-05-02 09:00")', set()),
    ('status WAS "Manuell oppfølging" BEFORE "2024-05-03"', set()),
    ('status WAS "Manuell oppfølging" AFTER "2024-05-03"', {"C"}),
    ('status WAS "Under planlegging" BY planner', {"A", "C"}),
    ('status WAS "Manuell oppfølging" BY admin', {"C"}),
    ('status WAS "Manuell oppfølging" BY planner', set()),
    ('status WAS "Manuell oppfølging" BY (planner, admin)', {"C"}),
    ("status WAS NOT Åpen", set()),
    ('status WAS NOT "Under planlegging"', {"B", "D"}),
    ('status WAS IN ("Under planlegging", "Manuell oppfølging")', {"A", "C"}),
    ('status WAS NOT IN ("Under planlegging", Lukket)', {"B", "D"}),
    ("status CHANGED", {"A", "C"}),
    ('status CHANGED FROM "Under planlegging" TO "Manuell oppfølging"', {"C"}),
    ("status CHANGED FROM Åpen", {"A", "C"}),
    ("status CHANGED TO Åpen", set()),
    ('status CHANGED BY planner AFTER "2024-05-03"', set()),
    ('status CHANGED BY admin AFTER "2024-05-03"', {"C"}),
    ('status CHANGED ON "2024-05-02"', {"A", "C"}),
    ('status CHANGED DURING ("2024-05-03", "2024-05-03")', {"C"}),
    ("status CHANGED AFTER -1d", set()),
    ("status CHANGED AFTER startOfDay(-1)", {"C"}),
    ("status CHANGED AFTER startOfDay(-2)", {"A", "C"}),
    ("NOT status CHANGED", {"B", "D"}),
    ("assignee CHANGED", {"B"}),
    ("assignee CHANGED FROM EMPTY TO installer2", {"B"}),
    ("assignee WAS installer2", {"B"}),
    ('assignee WAS installer2 BEFORE "2024-05-03"', set()),
    ("assignee WAS EMPTY", ALL),
    ('assignee WAS EMPTY AFTER "2024-05-03 12:00"', {"A", "C", "D"}),
    ("Postnummer CHANGED", {"B"}),
    ("Postnummer CHANGED FROM 0151 TO 0152", {"B"}),
    ("Postnummer WAS 0151", {"B"}),
    ("Postnummer WAS 0150", {"A", "C"}),
    ('Postnummer WAS 0151 AFTER "2024-05-03 12:00"', set()),
    ("cf[10015] WAS IN (0151, 6800)", {"B", "D"}),
    ("project = ELV AND status WAS Åpen AND NOT status = Åpen", {"A", "C"}),
]


@pytest.mark.parametrize(("jql", "expected"), CASES)
def test_history_queries(find, jql: str, expected: set[str]) -> None:
    assert find(jql) == expected


@pytest.mark.parametrize(
    ("jql", "message"),
    [("status WAS x", "The value 'x' does not exist for the field 'status'."),
     ("status CHANGED BY nobody", "The user 'nobody' does not exist."),
     ("status CHANGED AFTER fredag", "Date value 'fredag'"),
     ("comment CHANGED", "History searches are not supported")],
)
def test_history_errors(find, jql: str, message: str) -> None:
    from core.jql import JqlError

    with pytest.raises(JqlError) as caught:
        find(jql)
    assert message in caught.value.message
