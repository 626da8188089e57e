from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from spinepath.store.base import Base, IdMixin, VersionedMixin


class Patient(IdMixin, VersionedMixin, Base):
    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("clinic_id", "mrn", name="uq_patients_clinic_mrn"),)

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    mrn: Mapped[str] = mapped_column(String(64))
    family_name: Mapped[str] = mapped_column(String(100), index=True)
    given_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date]
    sex: Mapped[str] = mapped_column(String(16))  # female, male, other, unknown
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"
