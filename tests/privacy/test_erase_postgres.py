"""Erasure in an operational store in PostgreSQL: the customer's follow-ups go, their id and
e-mail address inside other rows become ``[erased]``, and nothing of them is found after."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from cxo.privacy.erase import _erase_operational, _verify_operational
from cxo.privacy.needles import Needles
from cxo.store.db import migrate, session_scope
from cxo.store.models import FollowUpRow
from tests.store.test_users import _postgres


def _task(response_id: str, customer: str, comment: str) -> FollowUpRow:
    at = dt.datetime(2026, 1, 5, 9)
    return FollowUpRow(
        response_id=response_id,
        customer_id=customer,
        touchpoint="hotline",
        reason="detractor",
        comment=comment,
        responded_at=at,
        due_at=at,
        created_at=at,
    )


def test_erasure_in_postgresql() -> None:
    with _postgres() as url:
        migrate(url)
        with session_scope(url) as session:
            session.add(_task("r1", "K-1", "the router died again, a@b.de"))
            session.add(_task("r2", "K-2", "my neighbour K-1 (a@b.de) said so; K-10 too"))
            session.commit()
        needles = Needles(
            "K-1",
            owned={"response_id": {"r1"}},
            emails={"a@b.de"},
            comments={"the router died again, a@b.de"},
        )
        assert _verify_operational(url, needles) == ["app:followups"]
        with session_scope(url) as session:
            version = session.scalars(select(FollowUpRow.version).where(FollowUpRow.id == 2)).one()
        counts = _erase_operational(url, needles)
        assert counts == {"followups": 1, "followups.replaced": 2}
        assert _verify_operational(url, needles) == []
        with session_scope(url) as session:
            [kept] = session.scalars(select(FollowUpRow)).all()
            assert kept.comment == "my neighbour [erased] ([erased]) said so; K-10 too"
            assert kept.version == version + 1  # a concurrent writer notices the change
