"""Roles and what each may do. One table, so a reviewer can read the whole policy at once."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PHYSICIAN = "physician"
    NURSE = "nurse"
    COORDINATOR = "coordinator"
    QUALITY_LEAD = "quality_lead"
    ADMIN = "admin"


class Permission(StrEnum):
    READ_PATIENTS = "read_patients"
    EDIT_PATIENTS = "edit_patients"
    ADVANCE_EPISODES = "advance_episodes"
    WORK_TASKS = "work_tasks"
    # Clinical sign-off: signing a preparation plan, recording the treatment decision.
    SIGN_CLINICAL_DECISIONS = "sign_clinical_decisions"
    # Moving an episode past a clinical gate whose record is missing, with a written reason.
    OVERRIDE_CLINICAL_GATES = "override_clinical_gates"
    # Bedside clinical work: taking vital signs, responding to an early-warning alert.
    RECORD_OBSERVATIONS = "record_observations"
    ACKNOWLEDGE_ALERTS = "acknowledge_alerts"
    READ_AUDIT = "read_audit"
    MANAGE_USERS = "manage_users"


_CARE_TEAM = {
    Permission.READ_PATIENTS,
    Permission.EDIT_PATIENTS,
    Permission.ADVANCE_EPISODES,
    Permission.WORK_TASKS,
}

# Clinical roles only: a coordinator neither takes vital signs nor answers an alert.
_BEDSIDE = {Permission.RECORD_OBSERVATIONS, Permission.ACKNOWLEDGE_ALERTS}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PHYSICIAN: frozenset(
        _CARE_TEAM
        | _BEDSIDE
        | {Permission.SIGN_CLINICAL_DECISIONS, Permission.OVERRIDE_CLINICAL_GATES}
    ),
    Role.NURSE: frozenset(_CARE_TEAM | _BEDSIDE),
    Role.COORDINATOR: frozenset(_CARE_TEAM),
    # Quality leads review the service's records; they do not change them.
    Role.QUALITY_LEAD: frozenset({Permission.READ_PATIENTS}),
    Role.ADMIN: frozenset({Permission.READ_AUDIT, Permission.MANAGE_USERS}),
}


def permissions_for(roles: set[Role] | frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)
