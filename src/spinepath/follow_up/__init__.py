"""Follow-up and outcomes: schedules, patient-reported outcomes, reminders, fracture liaison,
events after treatment and outcome reports."""
