"""What a chunk knows while it runs: its customers' state and the events of their lives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]
LIFECYCLE = ("active", "onboarding", "renewal", "winback")
"""Lifecycle stages by code (``churned`` = 4 is added for the customers table)."""


@dataclass
class Customers:
    """Per-customer state of a chunk."""

    n: int
    seg: Array
    de: Array
    signup: Array
    signup_month: Array
    u: Array
    affected: Array
    main: Array
    addons: Array
    churn_day: Array
    unsub: Array
    uses: Array
    """``(n, initiatives)``: the customer uses the initiative's touchpoint."""
    urng: np.random.Generator
    """The chunk's generator for who uses which touchpoint (own stream: the other draws are
    the same with or without initiatives)."""


@dataclass
class Events:
    """Event arrays of a chunk (customer index, time in epoch days as float, attributes)."""

    case_cust: Array
    case_t: Array
    case_reason: Array
    case_channel: Array
    case_contacts: Array
    case_switch: Array
    sess_cust: Array
    sess_t: Array
    sess_task: Array
    sess_ok: Array
    sess_anon: Array
    survey_cust: Array
    survey_t: Array
    survey_ok: Array
    send_cust: Array
    send_t: Array
    send_kind: Array
    send_stage: Array
    send_campaign: Array
    send_month: Array
    send_flags: Array  # opened, clicked, unsubscribed, complained, converted
    send_q_unsub: Array
    send_q_click: Array
    campaigns: list[str]
