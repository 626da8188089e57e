"""Imports every domain's models so the metadata is complete (for Alembic and tests)."""

from spinepath.accounts.models import AuthToken, Clinic, LoginThrottle, User, UserRole
from spinepath.assessments.models import (
    Assessment,
    AssessmentDecision,
    CaseFacts,
    CriteriaSetChoice,
)
from spinepath.audit.models import AuditEvent
from spinepath.cds_hooks.models import CdsCard, CdsFeedback, CdsTokenUse
from spinepath.episodes.models import Episode, Fracture, StageTransition, Task
from spinepath.fhir.models import (
    FhirFact,
    FhirFactVersion,
    FhirImport,
    FhirImportJob,
    FhirPatientLink,
    FhirStagedFact,
)
from spinepath.follow_up.models import (
    FollowUpContact,
    FollowUpEvent,
    FollowUpLevel,
    FollowUpPlan,
    FollowUpSettings,
    FractureLiaison,
    OutcomeRecord,
    PatientLink,
    ReminderJob,
)
from spinepath.patients.models import Patient
from spinepath.preparation.models import PreparationPlan, PreparationSignature
from spinepath.procedures.models import ProcedureLevel, ProcedurePlan, ProcedureRecord, TimeOut
from spinepath.recovery.models import (
    Observation,
    ObservationSet,
    RecoveryAlert,
    RecoveryScore,
    RecoverySettings,
    RecoveryStay,
)
from spinepath.store.base import Base

__all__ = [
    "Assessment",
    "AssessmentDecision",
    "AuditEvent",
    "AuthToken",
    "Base",
    "CaseFacts",
    "CdsCard",
    "CdsFeedback",
    "CdsTokenUse",
    "Clinic",
    "CriteriaSetChoice",
    "Episode",
    "FhirFact",
    "FhirFactVersion",
    "FhirImport",
    "FhirImportJob",
    "FhirPatientLink",
    "FhirStagedFact",
    "FollowUpContact",
    "FollowUpEvent",
    "FollowUpLevel",
    "FollowUpPlan",
    "FollowUpSettings",
    "Fracture",
    "FractureLiaison",
    "LoginThrottle",
    "Observation",
    "ObservationSet",
    "OutcomeRecord",
    "Patient",
    "PatientLink",
    "PreparationPlan",
    "PreparationSignature",
    "ProcedureLevel",
    "ProcedurePlan",
    "ProcedureRecord",
    "RecoveryAlert",
    "RecoveryScore",
    "RecoverySettings",
    "RecoveryStay",
    "ReminderJob",
    "StageTransition",
    "Task",
    "TimeOut",
    "User",
    "UserRole",
]
