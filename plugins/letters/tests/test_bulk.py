"""A bulk run: each order its own letter, refusals left alone, one print file in order."""

from __future__ import annotations

from core.services.issues import values_of
from plugins.letters.bulk import ready_to_print
from plugins.letters.models import LetterRecord
from plugins.letters.orders import letter_folder

from .flowhelpers import planned_order, status_key
from .pdftext import pdf_pages, pdf_text


def test_bulk_moves_orders_with_letters_and_writes_a_print_file(host, session, users) -> None:
    planner, installer = users["planner"], users["installer"]
    orders = [
        planned_order(
            host,
            session,
            planner,
            installer,
            customer_name=f"Kåre Ødegård {n}",
            address=f"Fjordveien {n}",
            planned_start=f"23.04.2025 {8 + n}:00",
        )
        for n in range(6)
    ]
    unplanned = planned_order(host, session, planner, installer, planned_start=None)
    result = ready_to_print(host, session, planner, [*orders[:3], unplanned, *orders[3:]])

    assert result.moved == [o.key for o in orders]
    assert list(result.failed) == [unplanned.key]
    assert status_key(host, session, unplanned) == "planning"
    folder = letter_folder(host, "FJN")
    for order in orders:
        assert status_key(host, session, order) == "ready_to_print"
        values = values_of(host, order)
        text = pdf_text(folder / f"{order.key}_2025-04-23.pdf")
        assert values["customer_name"] in text and values["reply_code"] in text
    codes = [values_of(host, o)["reply_code"] for o in orders]
    assert len(set(codes)) == len(codes)

    print_file = result.print_files["FJN"]
    pages = pdf_pages(print_file)
    assert len(pages) == len(orders)
    for page, order, code in zip(pages, orders, codes, strict=True):
        assert code in page and values_of(host, order)["address"] in page
    names = {r.combined_file for r in session.query(LetterRecord).all()}
    assert names == {print_file.name}


def test_bulk_with_a_broken_converter_moves_nothing_and_says_why(host, session, users) -> None:
    planner, installer = users["planner"], users["installer"]
    orders = [planned_order(host, session, planner, installer) for _ in range(3)]
    host.plugins.plugin_settings("FJN", "letters")["wkhtmltopdf"] = "/nonexistent/wkhtmltopdf"
    result = ready_to_print(host, session, planner, orders)
    assert result.moved == [] and result.print_files == {}
    assert set(result.failed) == {o.key for o in orders}
    assert all("wkhtmltopdf" in why for why in result.failed.values())
    assert {status_key(host, session, o) for o in orders} == {"planning"}


def test_core_bulk_task_renders_ahead_and_writes_one_print_file(host, session, users) -> None:
    import time

    from core.bulk.models import BulkTask
    from core.bulk.service import submit
    from core.services import uow

    planner, installer = users["planner"], users["installer"]
    orders = [
        planned_order(host, session, planner, installer, address=f"Fjordveien {n}")
        for n in range(5)
    ]
    task = uow.run(host, session, lambda: submit(
        host, session, planner, orders, "transition", {"transition": "READY_TO_PRINT"},
        notify=False))  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        session.expire_all()
        if session.get(BulkTask, task.id).status in ("COMPLETE", "FAILED", "CANCELLED"):
            break
        time.sleep(0.2)
    assert session.get(BulkTask, task.id).status == "COMPLETE"
    assert {status_key(host, session, o) for o in orders} == {"ready_to_print"}
    folder = letter_folder(host, "FJN")
    [print_file] = folder.glob("utskrift_*.pdf")
    pages = pdf_pages(print_file)
    assert len(pages) == len(orders)
    for page, order in zip(pages, orders, strict=True):
        assert values_of(host, order)["reply_code"] in page
        assert values_of(host, order)["address"] in page


def test_a_new_core_bulk_task_drops_what_an_earlier_one_left_behind(host, session,
                                                                   users) -> None:
    """A runner that did not end its task never hears bulk_task_finished; what it
    prepared goes when its process starts the next task."""
    from plugins.letters import ahead

    planner, installer = users["planner"], users["installer"]
    first = [planned_order(host, session, planner, installer) for _ in range(2)]
    second = planned_order(host, session, planner, installer)
    ahead.task_starting(host, "task-1", first)
    state = ahead.prepared(host)
    window = ahead.Window("ELV", [first[0].id, first[1].id], None)
    state.orders[first[0].id] = ahead.OrderAhead(window, None, pdf=b"%PDF left over")
    state.orders[first[1].id] = ahead.OrderAhead(window, None, code="ABCD")
    ahead.task_starting(host, "task-2", [second])
    assert "task-1" not in state.tasks and state.tasks["task-2"] == [second.id]
    assert first[0].id not in state.orders and first[1].id not in state.orders
    assert state.task_of == {second.id: "task-2"}
