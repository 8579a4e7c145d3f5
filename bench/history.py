"""The audit history of generated proposals: each one's lifecycle path as hash-chained events.

``Generator`` (bench/generate.py) writes the rows; :class:`History` is its part that shares
out the events asked for among the planned proposals, merges their paths in time order and
writes them chained as ``append_event`` does, with the payload each trigger carries.
"""

from __future__ import annotations

import hashlib
import heapq
import random
from collections.abc import Iterator
from datetime import datetime
from itertools import accumulate

from sqlalchemy import insert, select, update

from bench.city import INTEGRATION_ANSWERS, INTEGRATION_REQUESTS, REASONS
from bench.lifecycle import DAY, MINUTE, _add_days, _dt, build_path, is_public
from commons.audit.chain import hash_of
from commons.audit.models import AuditChainHead, AuditEvent
from commons.proposals.models import Proposal

EVENTS = AuditEvent.__table__
HEAD = AuditChainHead.__table__
PROPOSALS = Proposal.__table__


class _Plan:
    """A proposal to write: what it is, when it starts, and how much history it gets."""

    __slots__ = tuple(
        """seed status complex term group rep officer legal commons title activity created_day
        created_tod base_steps natural window reports limit id protocol submitted updated
        in_charge start_date end_date""".split()
    )

    def __init__(self, **values):
        for name in self.__slots__:
            setattr(self, name, values.get(name))


class History:
    """The events part of the generator (a mixin: it uses the generator's engine, seed,
    random generator, ``write`` and chain head)."""

    def share_events(self, plans: list, count: int) -> int:
        """Decide how many events each proposal gets so they add up to ``count``.

        Returns the events left over for proposals already in the database.
        """
        rng = self.rng
        for plan in plans:
            plan.reports, plan.limit = 0, None
        base = sum(p.base_steps for p in plans)
        capable = [i for i, p in enumerate(plans) if p.window]
        if count < base:  # keep whole histories of random proposals while they fit
            kept = 0
            order = list(range(len(plans)))
            rng.shuffle(order)
            dropped = []
            for i in order:
                if kept + plans[i].base_steps <= count:
                    kept += plans[i].base_steps
                else:
                    plans[i].limit = 0
                    dropped.append(i)
            self.no_history = len(dropped)
            capable = [i for i in capable if plans[i].limit is None]
            extra = count - kept
            if extra and not capable:  # every dropped history is longer than what is left
                plans[dropped[0]].limit = extra
                self.no_history -= 1
                return 0
        else:
            extra = count - base
        if not extra:
            return 0
        if not capable:
            return extra
        natural = sum(plans[i].natural for i in capable)
        if extra <= natural:  # fewer reports than every six months
            share = extra / natural
            given = 0
            for i in capable:
                plans[i].reports = int(plans[i].natural * share)
                given += plans[i].reports
            for i in rng.sample(capable, extra - given):
                plans[i].reports += 1
        else:  # more: longer-lived pacts report more often
            for i in capable:
                plans[i].reports = plans[i].natural
            cum = list(accumulate(plans[i].window for i in capable))
            for i in rng.choices(capable, cum_weights=cum, k=extra - natural):
                plans[i].reports += 1
        return 0

    def _timeline(self, plans: list) -> Iterator[tuple]:
        """Every planned step of every proposal, in time order (a sweep over creation times)."""
        heap: list[tuple] = []
        tie = 0
        for plan in plans:
            if plan.limit == 0:
                continue
            base = plan.created_day * DAY
            created = base + plan.created_tod
            while heap and heap[0][0] <= created:
                yield heapq.heappop(heap)
            path = build_path(plan.seed, plan.status, plan.complex, plan.term * 365 // 12)
            steps = path.with_reports(plan.reports, plan.seed)
            if plan.limit is not None:
                steps = steps[: plan.limit]
            previous = -1
            for day, tod, *rest in steps:
                moment = base + day * DAY + tod
                if moment <= previous:  # two moves on one day: keep their order
                    moment = previous + MINUTE
                previous = moment
                tie += 1
                heapq.heappush(heap, (moment, tie, plan, rest))
        while heap:
            yield heapq.heappop(heap)

    def _reports_on_existing(self, count: int) -> Iterator[tuple]:
        """Monitoring reports on active pacts already in the database, over a year."""
        with self.engine.connect() as conn:
            active = conn.execute(
                select(PROPOSALS.c.id, PROPOSALS.c.representative_id)
                .where(PROPOSALS.c.status == "active")
                .order_by(PROPOSALS.c.id)
            ).all()
        if not active:
            raise SystemExit(
                "more events than the new proposals' histories can hold and no "
                "active pact in the database to report on: add --proposals"
            )
        rng = random.Random(self.seed ^ 0xE7E7)
        start, span = self.start_day * DAY, 365 * DAY
        self.standalone_events = count
        for k in range(count):
            pid, rep = rng.choice(active)
            plan = _Plan(id=pid, rep=rep)
            moment = start + int((k + rng.random()) * span / count)
            yield (
                moment,
                10**15 + k,
                plan,
                ["file_report", "active", "active", "rep", {"report": None}],
            )

    def events(self, plans: list, count: int) -> None:
        if not count:
            return
        leftover = self.share_events(plans, count)
        stream: Iterator[tuple] = self._timeline(plans)
        if leftover:
            stream = heapq.merge(stream, self._reports_on_existing(leftover))
        rng = random.Random(self.seed ^ 0xA0D1)
        state = {"seq": self.head_seq, "prev": self.head_hash}

        def rows() -> Iterator[dict]:
            seq, prev = state["seq"], state["prev"]
            for moment, _, plan, (trigger, from_state, to_state, who, extra) in stream:
                seq += 1
                occurred = _dt(moment)
                if who == "rep":
                    actor, role = plan.rep, "citizen"
                elif who == "officer":
                    actor, role = plan.officer, "officer"
                elif who == "legal":
                    actor, role = plan.legal, "legal"
                else:
                    actor, role = None, "system"
                payload = _payload(rng, plan, trigger, extra, occurred)
                public = is_public(trigger)
                event = {
                    "seq": seq,
                    "occurred_at": occurred,
                    "actor_id": actor,
                    "actor_role": role,
                    "proposal_id": plan.id,
                    "trigger": trigger,
                    "from_state": from_state,
                    "to_state": to_state,
                    "payload": payload,
                    "public": public,
                    "prev_hash": prev,
                }
                event["hash"] = prev = hash_of(event)
                yield event
            state["seq"], state["prev"] = seq, prev

        written = self.write("audit_events", EVENTS, rows())
        if written != count:
            raise RuntimeError(f"wrote {written} events instead of {count}")
        self.head_seq, self.head_hash = state["seq"], state["prev"]
        # The chain head row follows the last event, as append_event keeps it.
        with self.engine.begin() as conn:
            values = {"seq": self.head_seq, "hash": self.head_hash}
            if not conn.execute(update(HEAD).where(HEAD.c.id == 1).values(values)).rowcount:
                conn.execute(insert(HEAD).values(id=1, **values))


def _pdf_hash(plan, version) -> str:
    return hashlib.sha256(f"commons-bench pact {plan.id} v{version}".encode()).hexdigest()


def _payload(rng: random.Random, plan, trigger: str, extra, occurred: datetime) -> dict:
    """The small dict an event of this trigger carries: reasons, act numbers, hashes."""
    day = occurred.date()
    if trigger == "created":
        return {"title": plan.title}
    if trigger == "submit":
        return {"protocol_number": plan.protocol}
    if trigger == "take_in_charge":
        return {"case_officer_id": plan.officer}
    if trigger == "request_integration":
        return {
            "message": rng.choice(INTEGRATION_REQUESTS),
            "reply_deadline": _add_days(day, 30).isoformat(),
        }
    if trigger == "integrate":
        return {"answer": rng.choice(INTEGRATION_ANSWERS), "files": rng.randint(0, 3)}
    if trigger == "archive":
        return {"reasons": "Termine per le integrazioni scaduto."}
    if trigger == "admit":
        days = 30 if plan.complex else 15
        return {"notice_days": days, "notice_ends": _add_days(day, days).isoformat()}
    if trigger == "close_notice":
        return {"observations": rng.randint(0, 4), "join_requests": rng.randint(0, 3)}
    if trigger == "agree_draft":
        return {"version": extra["version"]}
    if trigger == "record_deliberation":
        return {
            "deliberation_number": f"DG/PRO/{day.year}/{plan.id}",
            "deliberation_date": day.isoformat(),
        }
    if trigger == "approve":
        return {
            "decision_number": f"DD/PRO/{day.year}/{plan.id}",
            "decision_date": day.isoformat(),
            "version": extra["version"],
            "pdf_sha256": _pdf_hash(plan, extra["version"]),
        }
    if trigger == "sign":
        return {"signer": extra["signer"], "pdf_sha256": _pdf_hash(plan, extra["version"])}
    if trigger == "file_report":
        if extra["report"] is None:
            return {"period_end": day.isoformat()}
        return {"report": extra["report"], "period_end": day.isoformat()}
    if trigger == "suspend":
        return {
            "reasons": rng.choice(REASONS["suspend"]),
            "public_interest": extra["public_interest"],
            "notice_hours": 48,
        }
    if trigger in ("open_renewal", "expire"):
        return {"end_date": plan.end_date.isoformat() if plan.end_date else None}
    if trigger == "renew":
        return {
            "decision_number": f"DD/PRO/{day.year}/{plan.id}R",
            "decision_date": day.isoformat(),
        }
    if trigger in REASONS:
        return {"reasons": rng.choice(REASONS[trigger])}
    return {}
