"""A booking template may name variables other plugins give through the
``message_values`` hook: Bookit's link to the customer's own page goes out in the SMS
when the template asks for it, and no link is made when it does not."""

from __future__ import annotations

from typing import Any

import pytest

from core.app import secret_key
from plugins.bookit.autoplan import tokens
from plugins.bookit.autoplan.models import SelfServiceLink
from plugins.sms.tests.conftest import book
from plugins.sms.tests.linkstub import LinkStub

pytestmark = pytest.mark.usefixtures("backend")
WITH_LINK = ("Hei {{ customer }}! Vi kommer {{ when }}. Svar {{ reply_code }} OK."
             "{% if selfservice_link is defined %} Endre tid: {{ selfservice_link }}"
             "{% endif %}")


@pytest.fixture
def config_dict(config_dict: dict[str, Any]) -> dict[str, Any]:
    config_dict["projects"][0]["plugins"]["sms"].setdefault("templates", {})["booking"] = \
        WITH_LINK
    return config_dict


def test_the_booking_sms_carries_the_customers_link(host: Any, session: Any, users: Any,
                                                    order: Any, stub: LinkStub) -> None:
    issue = order()
    book(host, session, users["planner"], issue)
    [sent] = stub.sent()
    assert " Endre tid: http" in sent["userData"]
    token = sent["userData"].rsplit("/b/", 1)[1].strip()
    assert tokens.resolve(host, session, secret_key(host), token).issue_id == issue.id


def test_no_link_is_made_when_the_template_does_not_ask(host: Any, session: Any,
                                                        users: Any, order: Any,
                                                        stub: LinkStub) -> None:
    host.config["projects"][0]["plugins"]["sms"]["templates"].pop("booking")
    host.plugins.settings["ELV"]["sms"].get("templates", {}).pop("booking", None)
    issue = order()
    book(host, session, users["planner"], issue)
    [sent] = stub.sent()
    assert "/b/" not in sent["userData"]
    assert session.query(SelfServiceLink).count() == 0
