"""An episode's preparation plan and the signatures given to it.

- ``PreparationPlan``: one row per episode: the inputs the coordinator entered, the plan the
  clinical core computed from them, and whether a physician has signed that plan (optimistic
  locking through ``version``). ``status`` is ``draft`` (never signed), ``signed`` (the current
  plan is the one signed) or ``needs_review`` (changed after signing; ``review_reason`` says what
  changed).
- ``PreparationSignature``: each signature, with the exact inputs and plan that were signed.
  Never edited: a changed plan keeps its earlier signatures and waits for a new one.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spinepath.store.base import Base, IdMixin, VersionedMixin, utc_now

DRAFT = "draft"
SIGNED = "signed"
NEEDS_REVIEW = "needs_review"


class PreparationPlan(IdMixin, VersionedMixin, Base):
    __tablename__ = "preparation_plans"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), unique=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    # The validated, normalised input (the core's input plus arrival_at and follow_up_at).
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The clinical core's output for those inputs, as computed at ``computed_at``.
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utc_now)
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    review_reason: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    signed_by_name: Mapped[str | None] = mapped_column(String(200))
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    updated_by_name: Mapped[str | None] = mapped_column(String(200))
    # The physician's decisions on flagged medicines, each with who made it and when (see
    # spinepath.clinical.preparation.decisions); ``plan`` carries them beside the rule's output.
    decisions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")

    signatures: Mapped[list[PreparationSignature]] = relationship(
        back_populates="plan_record",
        cascade="all, delete-orphan",
        order_by="PreparationSignature.number",
        lazy="selectin",
    )


class PreparationSignature(IdMixin, Base):
    """A physician's signature on one version of the plan. Never edited."""

    __tablename__ = "preparation_signatures"
    __table_args__ = (
        UniqueConstraint("plan_id", "number", name="uq_preparation_signatures_plan_number"),
    )

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("preparation_plans.id", ondelete="CASCADE"), index=True
    )
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    # 1, 2, 3 … within the plan.
    number: Mapped[int] = mapped_column(Integer)
    # The version of the plan the physician reviewed and signed.
    plan_version: Mapped[int] = mapped_column(Integer)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(default=utc_now)
    signed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    signed_by_name: Mapped[str] = mapped_column(String(200))

    plan_record: Mapped[PreparationPlan] = relationship(back_populates="signatures")
